/*
 * csv.h (render): contacts as a CSV that Google Contacts and Outlook
 * import: RFC 4180 (CRLF rows, fields with a comma, a quote, CR or LF
 * quoted, quotes doubled), UTF-8 with a byte order mark, and a header in
 * Google's current column names (the set its own export writes and
 * input/csv.c reads back):
 *
 *   First Name, Last Name, Organization Name, Organization Title,
 *   Birthday, Notes, Labels, E-mail N - Label, E-mail N - Value,
 *   Phone N - Label, Phone N - Value, Address N - Label,
 *   Address N - Formatted, Event N - Label, Event N - Value
 *
 * with as many numbered groups as the book's fullest contact needs.
 * The BOM: Google's importer skips it, and Outlook's CSV import (and
 * Excel, which people open the file in first) reads a file without one
 * in the machine's ANSI code page, turning "Zoë" into "ZoÃ«".
 *
 * Which contacts, and counting the columns, are the caller's.
 */
#ifndef KITH_RENDER_CSV_H
#define KITH_RENDER_CSV_H

#include "vcard.h" /* struct vcard_out */

struct csv_columns {
	size_t emails, phones, addresses, events;
};

/* Widen cols to hold contact c and its dates d[0..nd). O(nd). */
void csv_columns_fit(struct csv_columns *cols, const struct contact *c,
		     const struct kdate *d, size_t nd);

/* The BOM and the header row. KITH_ENOMEM. */
int csv_write_header(struct vcard_out *out, const struct csv_columns *cols,
		     struct kith_err *err);

/*
 * One row: the name split at its last space (First Name, Last Name;
 * one word is a first name), org and title, the first birthday
 * (YYYY-MM-DD, or Google's --MM-DD without a year), notes, tags joined
 * by Google's " ::: ", each e-mail, phone and address with its label
 * ("work" written "Work"), other dates as events. Values past cols are
 * left out (the caller sized cols). KITH_ENOMEM.
 */
int csv_write_contact(struct vcard_out *out, const struct csv_columns *cols,
		      const struct contact *c, const struct kdate *d,
		      size_t nd, struct kith_err *err);

/* s as one RFC 4180 field (quoted when it must be); NULL is empty. */
int csv_write_field(struct vcard_out *out, const char *s);

#endif
