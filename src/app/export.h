/*
 * export.h: the book out of kith as files other programs read: vCard
 * 3.0/4.0 (render/vcard.h, over the card each contact came from), a
 * Google/Outlook CSV (render/csv.h) and an iCalendar of dates, promises
 * and the day's agenda (render/ics.h); and each user's secret calendar
 * feed URL. The JSON backup is app/book.h.
 *
 * Output streams: contacts are read in keyset pages of EXPORT_PAGE and
 * each page is handed to the sink before the next is read, so memory
 * stays one page big for any book. The whole export reads in one read
 * snapshot.
 */
#ifndef KITH_APP_EXPORT_H
#define KITH_APP_EXPORT_H

#include "app.h"
#include "../input/vcard.h"

#define EXPORT_PAGE 500

/* Where exported bytes go: the sink writes buf[0..len) and returns
 * KITH_OK or a status it set in err (KITH_EIO for a full disk). */
typedef int (*export_sink)(void *sink, const char *buf, size_t len,
			   struct kith_err *err);

enum export_format { EXPORT_VCARD, EXPORT_CSV, EXPORT_ICS };

struct export_opts {
	enum export_format format;
	enum vcard_version version; /* VCARD_30 (0 means it) or VCARD_40 */
	/* iCalendar: the zone whose days promises fall on and whose today
	 * the agenda is (NULL: the workspace's, else $TZ); agenda_user
	 * non-zero adds "Due today" for that user (the feed). */
	const char *tz;
	int64_t agenda_user;
};

/*
 * Write every contact of the workspace in o->format to fn. Statuses:
 * the store's, the sink's, KITH_EINPUT (field "card") when a stored
 * card is corrupt (err names the contact), KITH_EIO when libical
 * refuses an event, KITH_ENOMEM. What reached the sink before an error
 * stays there: the caller discards it.
 */
int app_export(struct app_ctx *ctx, const struct export_opts *o,
	       export_sink fn, void *sink, struct kith_err *err);

/*
 * Fill vc from contact c (moved: c is left contact_init'ed) and its
 * dates d[0..nd) (copied): the struct render/vcard.h writes. vc is
 * released with vcard_contact_clear. KITH_ENOMEM (vc cleared).
 */
int app_vcard_contact(struct vcard_contact *vc, struct contact *c,
		      const struct kdate *d, size_t nd, struct kith_err *err);

/*
 * User user_id's calendar feed token (a SECRET_TOKEN_MAX string with no
 * prefix: 43 base64url characters of 32 random bytes), made on first
 * use; with rotate a new one replaces it and the old URL stops working.
 * *token is the caller's (free). KITH_ENOTFOUND (field "user") when
 * user_id is no user of the workspace; the store's failures. A write
 * when it makes one: run it in the caller's transaction.
 */
int app_feed_token(char **token, struct app_ctx *ctx, int64_t user_id,
		   bool rotate, struct kith_err *err);

/* User user_id's feed token, or *token NULL when none is made yet (a
 * read: nothing is made). The store's failures. */
int app_feed_token_find(char **token, struct app_ctx *ctx, int64_t user_id,
			struct kith_err *err);

/* base + "/feeds/" + token + ".ics" (one '/' between them), malloc'd;
 * NULL when out of memory. */
char *app_feed_url(const char *base, const char *token);

#endif
