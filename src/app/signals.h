/*
 * signals.h: inbound interest that deserves a person's answer. Ingest
 * matches a signal to a contact, stores it once, and alerts the people
 * who should answer, holding the alert while they are focused; the
 * server's ticker turns held alerts into one digest when focus ends and
 * sends each member a morning digest. Nothing here talks to the network:
 * notifications are queued in the store's outbox for the sender.
 */
#ifndef KITH_SIGNALS_H
#define KITH_SIGNALS_H

#include "app.h"
#include "respond.h"

/*
 * Ingest sg (type, ext_id, fields, at set; contact_id 0 to match). On a
 * repeat delivery *dup is set and nothing else happens. *woken gets the
 * users alerted live now (to wake their event streams): the caller
 * free()s it whatever the status. sg stays the caller's (sg->id and
 * sg->contact_id are written back). KITH_EIO, KITH_ENOMEM from the
 * store; the caller rolls back.
 */
int app_signal_ingest(bool *dup, int64_t **woken, size_t *n_woken,
		      struct app_ctx *ctx, struct signal *sg,
		      struct kith_err *err);

/*
 * Give signal id to a contact: *cid, or, with lead non-NULL, a new
 * contact made from lead by app_contact_add (its rules, its field names;
 * *cid is set to the new id). KITH_OK; KITH_EINPUT from the contact's
 * rules; KITH_ENOTFOUND (no such signal or contact here); KITH_EIO;
 * KITH_ENOMEM. lead stays the caller's (contact_clear).
 */
int app_signal_attach(struct app_ctx *ctx, int64_t id, struct contact *lead,
		      int64_t *cid, struct kith_err *err);

/*
 * The working hours a signal to owner's contacts is answered in, into
 * *wh: the workspace's window, in owner's zone, else the workspace's,
 * else $TZ (owner 0: no owner). tzbuf (n bytes) backs wh->tz and must
 * outlive it. Cannot fail: hours the store cannot give read as
 * 09:00-18:00.
 */
void app_signal_hours(struct workhours *wh, char *tzbuf, size_t n,
		      struct app_ctx *ctx, int64_t owner);

/* Working minutes from signal to answer in its owner's hours (or the
 * workspace's for a lead); -1 while it waits. Cannot fail: hours the
 * store cannot give read as 09:00-18:00 in $TZ. */
double app_signal_response(struct app_ctx *ctx, const struct signal *g);

struct signal_user_stats {
	int64_t user_id;	/* 0: signals without an owner */
	struct respond_stats s;
};

#define SIGNAL_WEEKS 12

struct signal_week {
	kith_time start;	/* Monday 00:00 UTC */
	struct respond_stats s;
};

/* Response statistics in working minutes, per owner and overall, against
 * the workspace's target. *per is the caller's to free(), whatever the
 * status (NULL or an array). KITH_EIO, KITH_ENOMEM. */
int app_signal_stats(struct signal_user_stats **per, size_t *n,
		     struct respond_stats *all, int *target,
		     struct app_ctx *ctx, struct kith_err *err);
/* The same, and with weeks (NULL: not wanted) the statistics of each of
 * the last SIGNAL_WEEKS weeks, oldest first, by the week a signal arrived
 * in: the trend the reports chart. One pass over the signals. The
 * statuses and ownership of app_signal_stats; weeks is the caller's. */
int app_signal_report(struct signal_user_stats **per, size_t *n,
		      struct respond_stats *all, int *target,
		      struct signal_week *weeks, struct app_ctx *ctx,
		      struct kith_err *err);

/* Is the user focused at ctx->now (by hand or in a meeting), and until
 * (KITH_NO_TIME when not)? KITH_EIO from the store. */
int app_user_focus(bool *focused, kith_time *until, struct app_ctx *ctx,
		   const struct user *u, struct kith_err *err);

/* The workspace's webhook secret, or *secret NULL when it has none yet
 * (a read: nothing is made). KITH_EIO from the store. */
int app_hook_secret_find(char **secret, struct app_ctx *ctx,
			 struct kith_err *err);

/* The workspace's webhook secret, made on first use; rotate replaces it.
 * *secret is the caller's to free() (NULL on failure). KITH_EIO
 * (libsodium or the store), KITH_ENOMEM. */
int app_hook_secret(char **secret, struct app_ctx *ctx, bool rotate,
		    struct kith_err *err);

/* Queue text (borrowed) for every notification target of user, each
 * body spelled by notify_body. KITH_EIO, KITH_ENOMEM; rows queued before
 * a failure stay in the caller's transaction. */
int app_notify_user(struct app_ctx *ctx, int64_t user_id, const char *kind,
		    const char *text, struct kith_err *err);

/* The morning digest of a user: the day's agenda, dates and promises.
 * *out is the caller's to free() (NULL on failure). KITH_EIO,
 * KITH_ENOMEM. */
int app_digest_text(char **out, struct app_ctx *ctx, const struct user *u,
		    struct kith_err *err);

/*
 * The server's once-a-second work, in its own transactions: release held
 * alerts as one digest per user whose focus ended (users to wake go to
 * *woken), and queue morning digests for users whose working day began.
 * Opens and commits its own transactions (one per user; a failing user
 * is rolled back and stops the pass). *woken is the caller's to free()
 * whatever the status. KITH_EIO, KITH_ENOMEM.
 */
int app_signals_tick(struct user_key **woken, size_t *n_woken,
		     struct store *st, kith_time now, struct kith_err *err);

#endif
