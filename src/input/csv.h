/*
 * csv.h: read a contacts CSV (RFC 4180) into the same neutral cards as
 * input/vcard.h, so one mapping (vcard_to_contact) and one import serve
 * both. Recognises the exports of Google Contacts (old and new column
 * sets), Outlook, Apple-style "Email (work)" columns and LinkedIn's
 * Connections.csv (preamble lines before the header); any other CSV is
 * read through a --map of its columns. A column neither known nor mapped
 * is reported, and its values are kept on the card as
 * X-KITH-CSV;X-COLUMN="<header>" so nothing is dropped silently.
 * Matching duplicates and storing are the import use case's.
 *
 * Bytes: UTF-8 with or without a BOM, UTF-16LE/BE with a BOM (Outlook's
 * "Unicode" export), converted with iconv; text that is not UTF-8 and has
 * no BOM is read as Windows-1252 (Outlook's default export). Separators
 * ',', ';' (Excel in much of Europe) and tab are detected from the header.
 */
#ifndef KITH_INPUT_CSV_H
#define KITH_INPUT_CSV_H

#include "vcard.h"

#define CSV_MAX_FILE	   VCARD_MAX_FILE
#define CSV_MAX_FIELD	   ((size_t)1 << 20) /* bytes in one cell */
#define CSV_MAX_COLUMNS	   512
#define CSV_PREAMBLE_LINES 10 /* records searched for the header */

enum csv_profile {
	CSV_GENERIC, /* header of known words, no known exporter */
	CSV_GOOGLE,
	CSV_OUTLOOK,
	CSV_APPLE,
	CSV_LINKEDIN,
};

/* "google", "outlook", "apple", "linkedin", "generic". */
const char *csv_profile_name(enum csv_profile p);

struct csv_file {
	struct vcard *cards; /* version VCARD_30; line = the row's line */
	size_t n_cards;
	enum csv_profile profile;
	char sep; /* ',', ';' or '\t' */
	int header_line;
	struct strlist unknown; /* headers of unmapped columns, in order */
	struct vcard_arena *arena;
};

/*
 * Parse text[0..len) (file names it in errors) into *out. map is NULL or
 * "Header=target[:label],..." (targets: name, given, middle, family,
 * prefix, suffix, nickname, email, phone, org, department, title, notes,
 * birthday, anniversary, address, street, city, region, postcode,
 * country, url, uid, tz, categories, ignore); a mapped header wins over
 * the built-in tables and "ignore" drops a column knowingly.
 * Each non-empty row becomes a card: FN (the name column, else given and
 * family, else the organisation, else the first e-mail), N, EMAIL, TEL,
 * ADR, ORG, TITLE, NOTE, BDAY, ANNIVERSARY (dates as YYYY-MM-DD or
 * --MM-DD; M/D/YYYY as Outlook writes, D.M.YYYY, "15 Mar 2024"), URL,
 * CATEGORIES. Google's " ::: " joins several values in one cell; each
 * becomes its own property.
 * Statuses:
 *   KITH_OK      *out is the caller's: csv_file_free.
 *   KITH_EINPUT  err names file:line and the column as field: a quote
 *                not closed, text after a closing quote, a row longer
 *                than the header, a bad date, a --map naming an unknown
 *                target or a header the file does not have, no header
 *                in the first CSV_PREAMBLE_LINES records, a UTF-16 file
 *                that does not convert, a file over CSV_MAX_FILE, a cell
 *                over CSV_MAX_FIELD, more than CSV_MAX_COLUMNS columns.
 *   KITH_ENOMEM
 * On error *out is empty. Cost: one pass (plus one to convert UTF-16).
 */
int csv_parse(struct csv_file *out, const char *text, size_t len,
	      const char *file, const char *map, struct kith_err *err);
/*
 * csv_parse for --skip-bad: a row that breaks a rule of its own (wider
 * than the header, a bad date, too many properties) becomes no card;
 * bad(err, ctx) is told (file:line: column) and the parse goes on with
 * the next row. bad returning non-zero stops the parse with that value.
 * What spoils the whole file stays fatal: the header, the bytes, a quote
 * never closed, the limits.
 */
int csv_parse_skip(struct csv_file *out, const char *text, size_t len,
		   const char *file, const char *map, vcard_bad_fn bad,
		   void *ctx, struct kith_err *err);
int csv_parse_file(struct csv_file *out, const char *path, const char *map,
		   struct kith_err *err);
void csv_file_free(struct csv_file *f); /* NULL and empty allowed */

#endif
