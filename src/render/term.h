/*
 * term.h: terminal output: colour only on a TTY (and never with
 * NO_COLOR), widths that count what a terminal shows (CJK is two
 * columns), and padding by those widths so tables line up. Nothing here
 * fails or returns a status; strings passed in are borrowed, strings
 * returned are static. Output errors on f are left to the stream.
 */
#ifndef KITH_TERM_H
#define KITH_TERM_H

#include <stdbool.h>
#include <stdio.h>

/* Decide colour for stdout; call once before printing (not
 * thread-safe). term_color says what it decided. */
void term_init(void);
bool term_color(void);

/* Escape sequences, or "" when colour is off. */
const char *term_bold(void);
const char *term_dim(void);
const char *term_red(void);
const char *term_green(void);
const char *term_yellow(void);
const char *term_blue(void);
const char *term_reset(void);

/* Print s with every control character (C0, DEL, C1: ESC among them)
 * shown as "?": for any text that did not come from kith itself. */
void term_puts(FILE *f, const char *s);
/* Print a name: term_puts, and on a TTY a name with right-to-left
 * letters wrapped in U+2068 FSI ... U+2069 PDI so it does not reorder
 * what follows it. term_pad isolates the same way. */
void term_name(FILE *f, const char *s);
/* Whether names are isolated (stdout is a TTY). */
bool term_isolating(void);
/* Columns s takes on a terminal (wcwidth: a combining mark 0, an East
 * Asian wide character 2). */
int term_width(const char *s);
/* Print s padded with spaces to `cols` columns (cut with … if longer),
 * control characters shown as "?" like term_puts; an RTL name isolated
 * as term_name does. */
void term_pad(FILE *f, const char *s, int cols);

#endif
