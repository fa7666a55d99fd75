/*
 * vcard.h: read vCard 2.1, 3.0 and 4.0 files into a neutral, lossless
 * form (cards of properties: group, name, parameters, value), and map one
 * card to kith's contact model. No SQL, no matching of duplicates: those
 * are the import use case's. Writing cards back is render/vcard.h.
 *
 * The neutral form is vCard 3.0 content with the transport undone:
 *   - lines unfolded (one leading space or tab dropped, as ez-vcard and
 *     vobject do for every version; joining bytes before decoding keeps
 *     a fold inside a UTF-8 sequence whole), CRLF or LF, a BOM skipped;
 *   - ENCODING=QUOTED-PRINTABLE (2.1's bare QUOTED-PRINTABLE too, soft
 *     line breaks included) decoded, CHARSET= converted to UTF-8 with
 *     iconv; both parameters are dropped, as they describe the bytes and
 *     not the property. A value with no CHARSET that is not UTF-8 is read
 *     as Windows-1252 (what Outlook's 2.1 export writes);
 *   - a line break a decoded 2.1/QP value carries is written "\n", so a
 *     value is always one escaped 3.0 line;
 *   - base64 (ENCODING=b, BASE64, 2.1's bare BASE64 and its unindented
 *     continuation lines up to a blank line) kept as base64 text without
 *     whitespace, the parameter spelled ENCODING=b;
 *   - 2.1 parameters without a name ("TEL;HOME;VOICE") become TYPE values;
 *     parameters of the same name are merged into one with several values
 *     ("TYPE=HOME;TYPE=VOICE" and "TYPE=HOME,VOICE" are the same);
 *     quoted values are unquoted and RFC 6868 ^n ^' ^^ decoded;
 *   - names of properties and parameters are upper-case; parameter values
 *     and property values keep their case; order is kept.
 * Text values stay escaped (\n \, \; \\): vcard_text_unescape and
 * vcard_value_split read them, so structured values (N, ADR, ORG) split
 * on the right separators.
 */
#ifndef KITH_INPUT_VCARD_H
#define KITH_INPUT_VCARD_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/model.h"
#include "../kith.h"

/* Limits, each a clear KITH_EINPUT naming file:line. */
#define VCARD_MAX_FILE	 ((size_t)256 << 20) /* bytes in one file */
#define VCARD_MAX_CARD	 ((size_t)8 << 20)   /* bytes in one card */
#define VCARD_MAX_PROPS	 4000		     /* properties per card */
#define VCARD_MAX_PARAMS 64		     /* parameters per property */

enum vcard_version { VCARD_21 = 21, VCARD_30 = 30, VCARD_40 = 40 };

struct vcard_param {
	const char *name;	   /* upper-case: "TYPE", "PREF" */
	const char *const *values; /* n_values >= 1 */
	size_t n_values;
};

struct vcard_prop {
	const char *group; /* "item1", or NULL */
	const char *name;  /* upper-case: "TEL", "X-ABLABEL" */
	const struct vcard_param *params;
	size_t n_params;
	const char *value; /* escaped 3.0 text, NUL-terminated */
	size_t value_len;
	int line; /* first physical line in the file */
};

struct vcard {
	enum vcard_version version;	/* as read: 21, 30 or 40 */
	const struct vcard_prop *props; /* in file order, VERSION left out */
	size_t n_props;
	int line; /* line of BEGIN:VCARD */
};

/* Everything a parse produced lives in one arena, freed at once. */
struct vcard_arena;

struct vcard_file {
	struct vcard *cards;
	size_t n_cards;
	struct vcard_arena *arena;
};

/*
 * Parse text[0..len) (file names it in errors; NULL: "") into *out.
 * Several cards per file; blank lines between cards are skipped.
 * Statuses:
 *   KITH_OK      *out is the caller's: vcard_file_free.
 *   KITH_EINPUT  err says file:line, the property as field, and what was
 *                expected: text outside BEGIN/END, no ':', an unknown
 *                VERSION, a nested BEGIN:VCARD (2.1 AGENT), a missing
 *                END:VCARD, a NUL byte, bad base64, a charset iconv does
 *                not know or bytes it cannot convert, a card over
 *                VCARD_MAX_CARD bytes or VCARD_MAX_PROPS properties, a
 *                file over VCARD_MAX_FILE.
 *   KITH_ENOMEM
 * On error *out is empty. Cost: one pass; one arena chunk per 64 KiB of
 * output, no allocation per property.
 */
int vcard_parse(struct vcard_file *out, const char *text, size_t len,
		const char *file, struct kith_err *err);

/* Read path and vcard_parse it; KITH_EIO when it cannot be read. */
int vcard_parse_file(struct vcard_file *out, const char *path,
		     struct kith_err *err);

/*
 * Streaming: call fn for each card as it is parsed; the card and all it
 * points to live until fn returns (the arena is reset between cards), so
 * memory stays one card big. fn returning non-zero stops the parse and
 * that value is returned (fn fills err as it likes). Same statuses.
 */
typedef int (*vcard_card_fn)(const struct vcard *card, void *ctx,
			     struct kith_err *err);
int vcard_parse_each(const char *text, size_t len, const char *file,
		     vcard_card_fn fn, void *ctx, struct kith_err *err);

/*
 * vcard_parse_each for --skip-bad: a card with a line the reader refuses
 * is not passed to fn; bad(err, ctx) is called with the error (file:line:
 * field) and the parse goes on after that card's END:VCARD (or at the
 * BEGIN:VCARD of a next card when END is missing). A line outside any
 * card is reported and skipped. bad returning non-zero stops the parse
 * with that value. Limits on the file stay fatal.
 */
typedef int (*vcard_bad_fn)(const struct kith_err *bad, void *ctx);
int vcard_parse_each_skip(const char *text, size_t len, const char *file,
			  vcard_card_fn fn, vcard_bad_fn bad, void *ctx,
			  struct kith_err *err);

void vcard_file_free(struct vcard_file *f); /* NULL and empty allowed */

/*
 * A contact's stored card (vcard_contact.card: content lines joined by
 * CRLF, no BEGIN, VERSION or END) as one 3.0 card in *out, exactly as
 * vcard_parse reads it wrapped in BEGIN:VCARD/VERSION:3.0/END:VCARD (the
 * property lines numbered from 3). The writer reads a card back for each
 * contact it exports: a card in the form vcard_prop_line writes is cut
 * in place, one allocation for the whole card, without the reader's
 * decoding; anything else goes through vcard_parse. Statuses as
 * vcard_parse (KITH_EINPUT also when the text is not one card).
 */
int vcard_parse_stored(struct vcard_file *out, const char *blob,
		       struct kith_err *err);
/* Its fast path alone (for the tests and the fuzz target): 1 and *out
 * empty when the blob is not in that form; KITH_OK; KITH_ENOMEM. */
int vcard_stored_lean(struct vcard_file *out, const char *blob,
		      struct kith_err *err);

/* The arena, for other readers that build cards (input/csv.c): alloc
 * returns 8-aligned memory living until vcard_arena_free; NULL on no
 * memory. free accepts NULL. */
struct vcard_arena *vcard_arena_new(void);
void *vcard_arena_alloc(struct vcard_arena *a, size_t n);
void vcard_arena_free(struct vcard_arena *a);

/* ---- reading values ---- */

/* First parameter named name (upper-case), or NULL. */
const struct vcard_param *vcard_param_get(const struct vcard_prop *p,
					  const char *name);
/* Does parameter name hold value (ASCII case-insensitive)? */
bool vcard_param_has(const struct vcard_prop *p, const char *name,
		     const char *value);

/*
 * Unescape text src[0..n) (\n \N \, \; \\ \: ; another \x is x) into dst,
 * which holds n + 1 bytes; returns the length written. In place is fine.
 */
size_t vcard_text_unescape(char *dst, const char *src, size_t n);

/*
 * Split a structured value (N, ADR, ORG) on unescaped ';' and each part
 * on unescaped ',' (pass list=false to keep commas), unescaped. Calls
 * fn(component, index, text, len, ctx) for every piece; buf (n+1 bytes)
 * is scratch. Returns the number of components.
 */
typedef void (*vcard_piece_fn)(size_t comp, size_t idx, const char *s,
			       size_t len, void *ctx);
size_t vcard_value_split(const char *src, size_t n, bool list, char *buf,
			 vcard_piece_fn fn, void *ctx);

/*
 * A BDAY/ANNIVERSARY value as a kith date: YYYY-MM-DD, YYYYMMDD,
 * --MMDD, --MM-DD (year unknown), a date-time (the date part kept), and
 * Apple's year 1604 (or X-APPLE-OMIT-YEAR) for a year-less date.
 * KITH_EINPUT for an impossible date; *is_text set (and KITH_OK) for a
 * VALUE=text or otherwise non-date value, which stays in the card only.
 */
int vcard_date_parse(struct kdate *out, bool *is_text,
		     const struct vcard_prop *p, struct kith_err *err);

/*
 * The label of p into out (cap bytes): the X-ABLABEL of its group
 * (Apple's built-in "_$!<Mobile>!$_" becomes "mobile", the user's own
 * words stay), else its TYPE values lower-cased and joined by spaces,
 * leaving out INTERNET, PREF, VOICE and X400; CELL is "mobile". "" when
 * none.
 */
void vcard_prop_label(char *out, size_t cap, const struct vcard *card,
		      const struct vcard_prop *p);

/* The kith date kind p carries: "birthday" (BDAY), "anniversary"
 * (ANNIVERSARY, X-ANNIVERSARY, X-MS-ANNIVERSARY, X-EVOLUTION-ANNIVERSARY,
 * an X-ABDATE labelled Anniversary), another X-ABDATE's label; else
 * NULL. Written into buf (cap bytes) when it comes from a label. */
const char *vcard_date_kind(char *buf, size_t cap, const struct vcard *card,
			    const struct vcard_prop *p);

/*
 * An ADR as the one line a contact keeps ("1 Main St, Springfield, IL
 * 62701, USA": street, extended, locality, region and postal code,
 * country, then the PO box) into line (cap bytes, cut to fit). The
 * mapping and the writer use it, so an address read from a card is
 * recognised when it is written back. KITH_ENOMEM.
 */
int vcard_adr_line(char *line, size_t cap, const struct vcard_prop *p);

/* ---- mapping to kith's model ---- */

/*
 * One card as kith's contact. c holds the name, emails, phones, org_name,
 * title, tz, notes, and what an address book adds (model.h): uid,
 * email_labels and phone_labels (parallel to their values: "work",
 * "home", "mobile", a custom Apple label like "Assistant", or "" for
 * none), addresses (one line: "1 Main St, Springfield, IL 62701, USA")
 * with address_labels, and card: the card as read, for write-back, its
 * properties (VERSION, PRODID and REV left out) as unfolded 3.0 content
 * lines joined by CRLF. render/vcard.h writes a contact from its fields
 * plus that text, so every property, parameter and group it had
 * survives; the store keeps it as an opaque blob (NULL when the card had
 * nothing). What the contact model does not hold lives beside it.
 */
struct vcard_contact {
	struct contact c;
	char *given, *family;	/* from N; NULL when absent */
	struct kdate *dates;	/* birthday, anniversary: kind, day,
				 * year_known, yearly=true */
	size_t n_dates;
};

/*
 * Map one card to *out (the caller's; vcard_contact_clear). The name is
 * FN, else N's given and family, else ORG, else the first EMAIL or TEL.
 * KITH_EINPUT (err names file:line and the field) for a card with no name
 * at all, an EMAIL without '@', an impossible BDAY/ANNIVERSARY.
 * KITH_ENOMEM. On error *out is cleared.
 */
int vcard_to_contact(struct vcard_contact *out, const struct vcard *card,
		     const char *file, struct kith_err *err);
void vcard_contact_init(struct vcard_contact *vc);
void vcard_contact_clear(struct vcard_contact *vc);

/*
 * Append p as one unfolded 3.0 content line (no CRLF) to the growable
 * buffer *buf (len *len, capacity *cap; realloc'd). Used for the card
 * blob and by the writer. KITH_ENOMEM.
 */
int vcard_prop_line(char **buf, size_t *len, size_t *cap,
		    const struct vcard_prop *p);

#endif
