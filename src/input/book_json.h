/*
 * book_json.h: read a kith JSON backup into a struct book. Strict: an
 * unknown field, a wrong type, an impossible date or an unknown channel
 * is an error naming the file, the line where jansson can tell it, and
 * the field as a path ("contacts[3].since"). Nothing is written here.
 */
#ifndef KITH_BOOK_JSON_H
#define KITH_BOOK_JSON_H

#include "../core/book.h"

/* Parse text[0..len) from file (a name for messages) into *out. */
int book_parse_json(struct book *out, const char *text, size_t len,
		    const char *file, struct kith_err *err);

/* "YYYY-MM-DD", or "--MM-DD" when the year is unknown (vCard's form),
 * into d->day and d->year_known. */
int book_parse_kdate(struct kdate *d, const char *s, const char *field,
		     struct kith_err *err);

#endif
