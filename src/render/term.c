/* term.c: colour on a TTY only, and column widths a terminal agrees with. */
#include "term.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

static bool color;
/* Isolate right-to-left text (U+2068 FSI ... U+2069 PDI): on a TTY
 * only. A terminal that lays out bidirectional text then keeps "(#12)"
 * or the next column out of the name's run; where output is a pipe the
 * name stays byte for byte what was stored, for grep and scripts. */
static bool isolate;

void term_init(void)
{
	const char *nc = getenv("NO_COLOR");

	/* wcwidth needs a UTF-8 locale; C.UTF-8 is on every Debian. */
	if (!setlocale(LC_CTYPE, "") || MB_CUR_MAX == 1)
		setlocale(LC_CTYPE, "C.UTF-8");
	isolate = isatty(STDOUT_FILENO);
	color = isatty(STDOUT_FILENO) && !(nc && *nc) &&
		!(getenv("TERM") && !strcmp(getenv("TERM"), "dumb"));
}

bool term_color(void)
{
	return color;
}

const char *term_bold(void)
{
	return color ? "\033[1m" : "";
}

const char *term_dim(void)
{
	return color ? "\033[2m" : "";
}

const char *term_red(void)
{
	return color ? "\033[31m" : "";
}

const char *term_green(void)
{
	return color ? "\033[32m" : "";
}

const char *term_yellow(void)
{
	return color ? "\033[33m" : "";
}

const char *term_blue(void)
{
	return color ? "\033[34m" : "";
}

const char *term_reset(void)
{
	return color ? "\033[0m" : "";
}

/* Width of the next character at s and its length in bytes. */
static int next_char(const char *s, size_t *len)
{
	mbstate_t st;
	wchar_t wc;
	size_t n;
	int w;

	memset(&st, 0, sizeof(st));
	n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*len = 1;
		return 1;
	}
	*len = n;
	w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

/* Is the character at s[0..len) a control character (C0, DEL, C1)? It
 * could move the cursor, clear the screen or retitle the window: text
 * from a webhook must not (L5). */
static bool is_control(const char *s, size_t len)
{
	unsigned char c = (unsigned char)s[0];

	if (len == 1)
		return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f);
	/* U+0080..U+009F in UTF-8 */
	return len == 2 && c == 0xc2 && (unsigned char)s[1] <= 0x9f;
}

/* One character, a control character as "?". */
static void put_char(FILE *f, const char *s, size_t len)
{
	if (is_control(s, len))
		fputc('?', f);
	else
		fwrite(s, 1, len, f);
}

/* Does s hold a right-to-left letter (Hebrew, Arabic, Syriac, Thaana,
 * N'Ko, Samaritan, Mandaic and their presentation forms, and the RTL
 * scripts of the supplementary planes)? */
static bool has_rtl(const char *s)
{
	mbstate_t st;
	wchar_t wc;
	size_t n;

	memset(&st, 0, sizeof(st));
	while (s && *s) {
		n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof(st));
			s++;
			continue;
		}
		if ((wc >= 0x0590 && wc <= 0x08ff) ||
		    (wc >= 0xfb1d && wc <= 0xfdff) ||
		    (wc >= 0xfe70 && wc <= 0xfeff) ||
		    (wc >= 0x10800 && wc <= 0x10fff) ||
		    (wc >= 0x1e800 && wc <= 0x1efff))
			return true;
		s += n;
	}
	return false;
}

bool term_isolating(void)
{
	return isolate;
}

void term_name(FILE *f, const char *s)
{
	bool iso = isolate && has_rtl(s);

	if (iso)
		fputs("\u2068", f);
	term_puts(f, s);
	if (iso)
		fputs("\u2069", f);
}

void term_puts(FILE *f, const char *s)
{
	size_t len;

	while (s && *s) {
		next_char(s, &len);
		put_char(f, s, len);
		s += len;
	}
}

int term_width(const char *s)
{
	int w = 0;
	size_t len;

	while (s && *s) {
		w += next_char(s, &len);
		s += len;
	}
	return w;
}

void term_pad(FILE *f, const char *s, int cols)
{
	int w = 0;
	size_t len;
	const char *p = s ? s : "";
	/* FSI and PDI take no column (wcwidth 0, Unicode Cf). */
	bool iso = isolate && has_rtl(p);

	if (iso)
		fputs("\u2068", f);
	if (term_width(p) <= cols) {
		term_puts(f, p);
		w = term_width(p);
	} else {
		while (*p) {
			int cw = next_char(p, &len);

			if (w + cw > cols - 1)
				break;
			put_char(f, p, len);
			w += cw;
			p += len;
		}
		fputs("…", f);
		w++;
	}
	if (iso)
		fputs("\u2069", f);
	for (; w < cols; w++)
		fputc(' ', f);
}
