/*
 * import.h: the import use case: address-book files (vCard, contacts CSV)
 * into the workspace, without duplicates and all or nothing. The readers
 * (input/vcard.h, input/csv.h) turn bytes into neutral cards; this file
 * maps each card to a contact, finds the contact it already is, and
 * writes through the one write path (app_contact_add, app_contact_update,
 * app_date_add). The JSON book restore is app/book.h's, not this.
 *
 * Matching, in this order, first hit wins:
 *   uid    the card's UID equals a contact's uid;
 *   email  any of its emails equals one of a contact's, ignoring case;
 *   phone  any of its phones has the E.164 form of one of a contact's
 *          (read in the country of the card's zone, else the
 *          workspace's, as app_contact_add derives the stored keys);
 *   card   none of those: a contact of the same name (ignoring case)
 *          whose stored card is this card byte for byte (a card with
 *          only a name and a birthday, read a second time).
 * Several contacts on one key: the oldest (lowest id). The contacts of
 * the file itself count: the second card of one person merges into the
 * first.
 *
 * A matched card is merged as an update that unions: its emails, phones
 * (by E.164), addresses and dates the contact lacks are added, a label
 * fills an empty one, a field the contact lacks (org, title, notes, zone,
 * uid, the card) is taken; the contact's own values win everywhere else.
 * A card that adds nothing is "unchanged" and nothing is written, so
 * importing one file twice changes nothing.
 *
 * One savepoint holds the whole import: a bad card (KITH_EINPUT, err
 * naming file:line:field) undoes all of it; with skip_bad the bad card
 * is reported and the rest imported; with dry_run everything is done and
 * then undone, so the report is exactly what the real run does.
 */
#ifndef KITH_APP_IMPORT_H
#define KITH_APP_IMPORT_H

#include "app.h"

enum import_format { IMPORT_VCARD, IMPORT_CSV };

enum import_action {
	IMPORT_CREATED,
	IMPORT_MERGED,
	IMPORT_UNCHANGED,
	IMPORT_SKIPPED,
};

/* "created", "merged", "unchanged", "skipped". */
const char *import_action_name(enum import_action a);

struct import_opts {
	bool dry_run;	  /* do it all, then undo it */
	bool skip_bad;	  /* report bad cards and go on */
	const char *map;  /* CSV: "Header=target,..." (csv.h), or NULL */
};

/* One card's fate. */
struct import_item {
	char *file;		/* as the caller named it */
	int line;		/* the card's first line (a CSV row's line) */
	char *name;		/* NULL when a bad card has none to tell */
	enum import_action action;
	int64_t contact_id;	/* created or matched; 0 when skipped */
	const char *matched_by; /* "uid", "email", "phone", "card", or
				 * NULL */
	char *reason;		/* merged: what it added ("email x, phone y");
				 * skipped: "file:line: field: message";
				 * else NULL */
};

struct import_report {
	size_t created, merged, unchanged, skipped;
	bool dry_run;
	const char *profile;	 /* CSV: "google", "outlook", "apple",
				  * "linkedin", "generic"; NULL: vCard */
	struct strlist unknown;	 /* CSV columns neither known nor mapped */
	struct import_item *items; /* by file, then line */
	size_t n_items;
	size_t cap;
};

void import_report_init(struct import_report *r);
void import_report_clear(struct import_report *r);

/* Told how far the import is: cards done of total (0 while a streamed
 * vCard file is still being read). */
typedef void (*import_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/* One file's bytes: name for messages ("google.csv", "body"). */
struct import_source {
	const char *name;
	const char *text;
	size_t len;
	enum import_format format;
};

/*
 * Import srcs[0..n) in order into ctx's workspace, filling *rep (the
 * caller's, import_report_init'ed; items are appended). Statuses:
 *   KITH_OK      rep says what happened (and, with dry_run, what would).
 *   KITH_EINPUT  a card, row or file the readers or the contact rules
 *                refuse, err naming file:line and the field (a vCard
 *                property: "EMAIL"; a CSV column); with skip_bad only
 *                what spoils a whole file (limits, a CSV header, a quote
 *                never closed). Nothing was written.
 *   KITH_EIO, KITH_EBUSY, KITH_ENOMEM from the store and the readers;
 *                nothing was written.
 * Runs inside the caller's transaction (or none: the savepoint is one),
 * in a savepoint of its own. progress may be NULL.
 */
int app_import(struct app_ctx *ctx, const struct import_source *srcs,
	       size_t n, const struct import_opts *o,
	       import_progress_fn progress, void *progress_ctx,
	       struct import_report *rep, struct kith_err *err);

#endif
