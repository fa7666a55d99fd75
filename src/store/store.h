/*
 * store.h: the only door to the database. One interface; the SQLite
 * engine lives in sqlite*.c, one room per entity over sqlite_int.h (a
 * PostgreSQL engine will implement the same calls). Every call takes the workspace id first among its keys
 * and never reads or changes another workspace's rows.
 *
 * Every call returns a kith_status and fills err on failure. Writes are
 * grouped by the caller in store_begin/commit so one user action is one
 * transaction; the store keeps per-contact summaries (last touch, last
 * face to face, effective cadences, next due time) current on each write.
 * Structs filled through out-parameters belong to the caller, who frees
 * them with the model's _clear functions or store_*_free helpers.
 */
#ifndef KITH_STORE_H
#define KITH_STORE_H

#include "../core/agenda.h"
#include "../core/model.h"
#include "../core/score.h"

struct store;

struct workspace {
	int64_t id;
	char *name;
	char *tz;		/* "" : the server's zone */
	int work_start_min;	/* working hours, minutes after midnight */
	int work_end_min;
	int response_target_min;
	kith_time created_at;
};

void workspace_clear(struct workspace *w);

/* Open (creating if needed) the database at path and run migrations. */
int store_open(struct store **out, const char *path, struct kith_err *err);
void store_close(struct store *st);
/* Schema version after migrations. */
int store_schema_version(struct store *st);

/* One user action: BEGIN IMMEDIATE .. COMMIT, or ROLLBACK on failure. */
int store_begin(struct store *st, struct kith_err *err);
int store_commit(struct store *st, struct kith_err *err);
void store_rollback(struct store *st);
bool store_in_transaction(struct store *st);
/*
 * Bring the connection back to idle at the end of a unit of work (an
 * HTTP request, a CLI command). Resets every statement still stepping;
 * then, if a transaction is still open (read or write, whatever the
 * bookkeeping says: sqlite3_get_autocommit and sqlite3_txn_state are
 * asked), rolls it back. Returns KITH_OK when the connection was idle,
 * KITH_EIO with a message saying a transaction was left open and rolled
 * back (or could not be) otherwise. Any write of the unit is lost then:
 * callers log it. Cheap when idle: one walk of the open statements.
 * Without it one failed COMMIT left a connection inside a transaction
 * for good (review H1).
 */
int store_settle(struct store *st, struct kith_err *err);
/* A savepoint inside the current transaction: undo part of an action. */
int store_savepoint(struct store *st, struct kith_err *err);
void store_savepoint_undo(struct store *st);
void store_savepoint_release(struct store *st);
/*
 * A read snapshot for a burst of reads: one lock and one WAL check for
 * all of them instead of one per statement (measured: the agenda's ~400
 * small reads spent 60% of their time in fcntl and fstat without it).
 * Inside a write transaction both calls do nothing. Always pair them.
 */
void store_read_begin(struct store *st);
void store_read_end(struct store *st);

/* ---- workspaces ---- */
int store_workspace_create(struct store *st, const char *name, kith_time now,
			   int64_t *id, struct kith_err *err);
int store_workspace_list(struct store *st, struct workspace **out, size_t *n,
			 struct kith_err *err);
int store_workspace_get(struct store *st, int64_t ws, struct workspace *out,
			struct kith_err *err);
int store_workspace_update(struct store *st, const struct workspace *w,
			   struct kith_err *err);
void store_workspaces_free(struct workspace *w, size_t n);
/* Is the workspace free of contacts and touches (import target)? */
int store_workspace_empty(struct store *st, int64_t ws, bool *out,
			  struct kith_err *err);

/* ---- organizations ---- */
/* Id of the organization named name (case-insensitive), created if new. */
int store_org_ensure(struct store *st, int64_t ws, const char *name,
		     kith_time now, int64_t *id, struct kith_err *err);
int store_org_list(struct store *st, int64_t ws, struct organization **out,
		   size_t *n, struct kith_err *err);
/* Insert with a given id (restore). */
int store_org_put(struct store *st, int64_t ws, const struct organization *o,
		  struct kith_err *err);
void store_orgs_free(struct organization *o, size_t n);

/* ---- contacts ---- */
/*
 * Add c; c->id 0 assigns a new id (written back), else that id is kept
 * (restore). org_name, when set and org_id is 0, finds or makes the
 * organization. created_at/updated_at 0 mean now.
 */
int store_contact_add(struct store *st, int64_t ws, struct contact *c,
		      kith_time now, struct kith_err *err);
/*
 * Replace the editable fields of contact c->id. When expect_version is
 * non-zero and differs from the stored one: KITH_ECONFLICT. Bumps the
 * version and refreshes the summaries.
 */
int store_contact_update(struct store *st, int64_t ws, struct contact *c,
			 int64_t expect_version, kith_time now,
			 struct kith_err *err);
int store_contact_get(struct store *st, int64_t ws, int64_t id,
		      struct contact *out, struct kith_err *err);
int store_contact_delete(struct store *st, int64_t ws, int64_t id,
			 struct kith_err *err);
/* Snooze until t (KITH_NO_TIME: wake now). */
int store_contact_snooze(struct store *st, int64_t ws, int64_t id,
			 kith_time until, kith_time now, struct kith_err *err);

/*
 * Contacts a user means by `who`: an id, an email, a full name or a
 * case-insensitive name fragment, tried in that order; the first step
 * with matches wins. exclude (0: none) is never returned.
 */
int store_contact_find(struct store *st, int64_t ws, const char *who,
		       int64_t exclude, int64_t **ids, size_t *n,
		       struct kith_err *err);

struct contact_filter {
	const char *q;		/* name, email, org, title, tag, fact, note */
	const char *tag;
	enum tier tier;		/* TIER_NONE: any */
	int64_t owner_id;	/* 0: any */
	int64_t after_id;	/* keyset cursor: ids above this */
	size_t limit;		/* 0: all */
};

int store_contact_list(struct store *st, int64_t ws,
		       const struct contact_filter *f, struct contact **out,
		       size_t *n, struct kith_err *err);
void store_contacts_free(struct contact *c, size_t n);
/* Count of contacts in the workspace. */
int store_contact_count(struct store *st, int64_t ws, int64_t *out,
			struct kith_err *err);

/*
 * Move everything of contact `from` to `into` (touches, facts, dates,
 * promises, gifts, revenue; emails, phones and tags are unioned, empty
 * fields filled) and delete `from`. Summaries are recomputed.
 */
int store_contact_merge(struct store *st, int64_t ws, int64_t from,
			int64_t into, kith_time now, struct kith_err *err);

/* ---- touchpoints ---- */
/* Add t with its participants; t->id 0 assigns (written back). */
int store_touch_add(struct store *st, int64_t ws, struct touchpoint *t,
		    struct kith_err *err);
/* Touches of one contact (0: all), newest first; limit 0 is all. */
int store_touch_list(struct store *st, int64_t ws, int64_t contact_id,
		     size_t limit, struct touchpoint **out, size_t *n,
		     struct kith_err *err);
/* One page of that list: the touches after touch `before` in that order
 * (0: from the newest), at most limit (1 or more). A keyset, so a page
 * costs its own rows whatever its depth; a `before` that is no touch of
 * ws gives an empty page. */
int store_touch_page(struct store *st, int64_t ws, int64_t contact_id,
		     int64_t before, size_t limit, struct touchpoint **out,
		     size_t *n, struct kith_err *err);
void store_touches_free(struct touchpoint *t, size_t n);
/* The score view of a contact's touches: at, channel, direction. */
int store_touch_scores(struct store *st, int64_t ws, int64_t contact_id,
		       struct score_touch **out, size_t *n,
		       struct kith_err *err);
/* Visit every touch of the workspace: with per_participant, once for
 * each participant in contact order (contact id, touch); else once per
 * touch in time order with contact id 0. For reports. */
typedef int (*store_touch_visit)(void *ctx, int64_t contact_id,
				 const struct score_touch *t);
int store_touch_each(struct store *st, int64_t ws, bool per_participant,
		     store_touch_visit fn, void *ctx, struct kith_err *err);
/* Visit every touch once per user who took part, in user order; the
 * visitor's first argument is then the user id. */
int store_touch_each_user(struct store *st, int64_t ws, store_touch_visit fn,
			  void *ctx, struct kith_err *err);

/* ---- facts, dates, promises, gifts, revenue ---- */
int store_fact_add(struct store *st, int64_t ws, struct fact *f,
		   struct kith_err *err);
int store_fact_list(struct store *st, int64_t ws, int64_t contact_id,
		    struct fact **out, size_t *n, struct kith_err *err);
void store_facts_free(struct fact *f, size_t n);

int store_date_add(struct store *st, int64_t ws, struct kdate *d,
		   struct kith_err *err);
int store_date_list(struct store *st, int64_t ws, int64_t contact_id,
		    struct kdate **out, size_t *n, struct kith_err *err);
void store_dates_free(struct kdate *d, size_t n);

int store_promise_add(struct store *st, int64_t ws, struct promise *p,
		      struct kith_err *err);
/* Open promises (contact 0: all), overdue first then by due time;
 * with include_done, kept ones too. */
int store_promise_list(struct store *st, int64_t ws, int64_t contact_id,
		       bool include_done, struct promise **out, size_t *n,
		       struct kith_err *err);
int store_promise_get(struct store *st, int64_t ws, int64_t id,
		      struct promise *out, struct kith_err *err);
int store_promise_done(struct store *st, int64_t ws, int64_t id,
		       kith_time at, struct kith_err *err);
void store_promises_free(struct promise *p, size_t n);

int store_gift_add(struct store *st, int64_t ws, struct gift *g,
		   struct kith_err *err);
int store_gift_list(struct store *st, int64_t ws, int64_t contact_id,
		    struct gift **out, size_t *n, struct kith_err *err);
void store_gifts_free(struct gift *g, size_t n);

int store_revenue_add(struct store *st, int64_t ws, struct revenue *r,
		      struct kith_err *err);
int store_revenue_list(struct store *st, int64_t ws, int64_t contact_id,
		       struct revenue **out, size_t *n, struct kith_err *err);
void store_revenues_free(struct revenue *r, size_t n);
/* Lifetime value of a contact: the revenue entered against it. */
int store_revenue_total(struct store *st, int64_t ws, int64_t contact_id,
			int64_t *cents, struct kith_err *err);

/* ---- cadences inherited from tags and tiers ---- */
struct cadence_rule {
	enum cadence_scope scope;
	char *key;		/* tag, "A"/"B"/"C", or "" for the default */
	struct cadence every;	/* none: not set at this level */
	struct cadence meet;
};

/* Set (or with both none, remove) a rule; refreshes affected contacts. */
int store_cadence_set(struct store *st, int64_t ws,
		      const struct cadence_rule *r, kith_time now,
		      struct kith_err *err);
int store_cadence_list(struct store *st, int64_t ws,
		       struct cadence_rule **out, size_t *n,
		       struct kith_err *err);
void store_cadences_free(struct cadence_rule *r, size_t n);

/* ---- the agenda's indexes ---- */
enum due_clock { DUE_ANY, DUE_MEET };

struct due_group {
	int code;		/* cadence code, non-zero */
	enum tier tier;
};

/* Distinct (cadence, tier) pairs in use for a clock. */
int store_due_groups(struct store *st, int64_t ws, enum due_clock clock,
		     struct due_group **out, size_t *n, struct kith_err *err);

struct due_row {
	int64_t id;
	kith_time anchor;
};

/* Contacts of one group by anchor ascending, after (anchor, id). */
int store_due_page(struct store *st, int64_t ws, enum due_clock clock,
		   const struct due_group *g, kith_time after_anchor,
		   int64_t after_id,
		   struct due_row *out, size_t cap, size_t *n,
		   struct kith_err *err);

/* Contacts with a date in [from_day, to_day] (yearly dates by month and
 * day; at most one year's wrap). Ids may repeat. */
int store_dates_window(struct store *st, int64_t ws, int32_t from_day,
		       int32_t to_day, int64_t **ids, size_t *n,
		       struct kith_err *err);

struct promise_row {
	int64_t id;
	int64_t contact_id;
	kith_time due;
};

/* Open promises due before `before`, oldest due first, after (due, id). */
int store_promises_due_page(struct store *st, int64_t ws, kith_time before,
			    kith_time after_due, int64_t after_id,
			    struct promise_row *out, size_t cap, size_t *n,
			    struct kith_err *err);

/* An agenda input with the strings it borrows. */
struct agenda_row {
	struct agenda_input in;
	char *name;
	char *date_kind;
	char *promise_text;
	char *tz;
	char *signal_what;
};

void agenda_row_clear(struct agenda_row *r);

/* Everything agenda_score needs about one contact. */
int store_agenda_row(struct store *st, int64_t ws, int64_t id, kith_time now,
		     int32_t today, struct agenda_row *out,
		     struct kith_err *err);
/* The contact's own columns only (one indexed read): enough to bound its
 * rank before paying for its dates, promises, gifts and signals. */
int store_agenda_row_base(struct store *st, int64_t ws, int64_t id,
			  struct agenda_row *out, struct kith_err *err);
/* Add the events (dates, promises, gifts, signals) to a base row. */
int store_agenda_row_events(struct store *st, int64_t ws,
			    struct agenda_row *row, kith_time now,
			    int32_t today, struct kith_err *err);

/* Every contact's agenda row, for the full-scan check and reports. */
typedef int (*store_agenda_visit)(void *ctx, struct agenda_row *row);
int store_agenda_each(struct store *st, int64_t ws, kith_time now,
		      int32_t today, store_agenda_visit fn, void *ctx,
		      struct kith_err *err);

/* ---- accounts ---- */
/* Add u (u->workspace_id set); KITH_ECONFLICT when the email is taken. */
int store_user_add(struct store *st, struct user *u, struct kith_err *err);
int store_user_get(struct store *st, int64_t ws, int64_t id,
		   struct user *out, struct kith_err *err);
/* The user with this email in any workspace (sign-in). */
int store_user_by_email(struct store *st, const char *email,
			struct user *out, struct kith_err *err);
int store_user_list(struct store *st, int64_t ws, struct user **out,
		    size_t *n, struct kith_err *err);
void store_users_free(struct user *u, size_t n);
int store_user_update(struct store *st, int64_t ws, const struct user *u,
		      struct kith_err *err);
/* Remove a user, their sessions and tokens; their contacts lose owner. */
int store_user_delete(struct store *st, int64_t ws, int64_t id,
		      struct kith_err *err);
/* Count of owners in the workspace (the last one cannot leave). */
int store_owner_count(struct store *st, int64_t ws, int64_t *out,
		      struct kith_err *err);

/* Sessions and tokens are found by the hash of their secret. A session
 * lives until expires (the absolute cap) and, before that, until
 * idle_until, which store_session_touch moves forward with use. */
int store_session_add(struct store *st, const char *id_hash, int64_t ws,
		      int64_t user_id, kith_time now, kith_time expires,
		      kith_time idle_until, struct kith_err *err);
/* The live session's user, or KITH_ENOTFOUND (unknown, expired or idle
 * too long). */
int store_session_user(struct store *st, const char *id_hash, kith_time now,
		       struct user *out, struct kith_err *err);
/* The session was used: idle_until becomes idle_until (never past the
 * session's expires_at; never moved back). A write. */
int store_session_touch(struct store *st, const char *id_hash,
			kith_time idle_until, struct kith_err *err);
int store_session_delete(struct store *st, const char *id_hash,
			 struct kith_err *err);
/* End all of user's sessions but keep_hash's (NULL: all). *n: how many. */
int store_session_delete_user(struct store *st, int64_t user_id,
			      const char *keep_hash, int64_t *n,
			      struct kith_err *err);
/* Delete sessions that expired or idled out by now. A write. */
int store_session_purge(struct store *st, kith_time now,
			struct kith_err *err);

/* expires: KITH_NO_TIME for a token that never expires. */
int store_token_add(struct store *st, int64_t ws, int64_t user_id,
		    const char *name, const char *hash, kith_time now,
		    kith_time expires, int64_t *id, struct kith_err *err);
/* Note a token's use at now (skipped when noted within the minute). */
int store_token_touch(struct store *st, const char *hash, kith_time now,
		      struct kith_err *err);
/* The live token's user; notes last use. KITH_ENOTFOUND otherwise. */
int store_token_user(struct store *st, const char *hash, kith_time now,
		     struct user *out, struct kith_err *err);
int store_token_list(struct store *st, int64_t ws, int64_t user_id,
		     struct api_token **out, size_t *n, struct kith_err *err);
void store_tokens_free(struct api_token *t, size_t n);
/* Revoke token id; user_id 0 lets any token of the workspace go. */
int store_token_revoke(struct store *st, int64_t ws, int64_t user_id,
		       int64_t id, kith_time now, struct kith_err *err);

/* ---- signals, alerts, notifications, meetings ---- */
/* The workspace's webhook secret, or *secret NULL when none yet. */
int store_hook_get(struct store *st, int64_t ws, char **secret,
		   struct kith_err *err);
int store_hook_set(struct store *st, int64_t ws, const char *secret,
		   const char *hash, struct kith_err *err);
/* The workspace whose secret hashes to hash, with the secret itself so
 * the caller compares in constant time. KITH_ENOTFOUND otherwise. */
int store_hook_find(struct store *st, const char *hash, int64_t *ws,
		    char **secret, struct kith_err *err);
/* The contact a signal is about: by email, then by the email's domain
 * (the most recently touched contact there), then by handle; 0 if none. */
int store_signal_match(struct store *st, int64_t ws, const char *email,
		       const char *handle, int64_t *contact_id,
		       struct kith_err *err);
/* Store sg once per (workspace, ext_id); *duplicate says it was there,
 * and sg->id/contact_id are then the stored ones. */
int store_signal_add(struct store *st, int64_t ws, struct signal *sg,
		     bool *duplicate, struct kith_err *err);
int store_signal_get(struct store *st, int64_t ws, int64_t id,
		     struct signal *out, struct kith_err *err);
/* Waiting signals first (oldest first), then answered (newest first). */
int store_signal_list(struct store *st, int64_t ws, bool waiting_only,
		      int64_t after_id, size_t limit, struct signal **out,
		      size_t *n, struct kith_err *err);
void store_signals_free(struct signal *g, size_t n);
/* Make a lead a contact's signal (answered by any later touch). */
int store_signal_attach(struct store *st, int64_t ws, int64_t id,
			int64_t contact_id, struct kith_err *err);
/* Contacts with a waiting signal (the agenda reads them all). */
int store_signals_open(struct store *st, int64_t ws, int64_t **ids,
		       size_t *n, struct kith_err *err);

int store_user_focus(struct store *st, int64_t ws, int64_t user_id,
		     kith_time until, struct kith_err *err);
int store_user_digest_day(struct store *st, int64_t user_id, int32_t day,
			  struct kith_err *err);
/* Every user of every workspace (the server's ticker). */
int store_users_all(struct store *st, struct user **out, size_t *n,
		    struct kith_err *err);
/* The end of the meeting user is in at now, or KITH_NO_TIME. */
int store_user_in_meeting(struct store *st, int64_t user_id, kith_time now,
			  kith_time *until, struct kith_err *err);

int store_alert_add(struct store *st, int64_t ws, int64_t user_id,
		    const char *kind, int64_t signal_id, const char *data,
		    bool held, kith_time now, int64_t *id,
		    struct kith_err *err);
/* Shown alerts of user after after_id, oldest first (the SSE stream). */
int store_alert_list(struct store *st, int64_t user_id, int64_t after_id,
		     size_t limit, struct alert **out, size_t *n,
		     struct kith_err *err);
int store_alert_held(struct store *st, int64_t user_id, struct alert **out,
		     size_t *n, struct kith_err *err);
int store_alert_release(struct store *st, int64_t user_id,
			struct kith_err *err);
int store_alert_users_held(struct store *st, int64_t **ids, size_t *n,
			   struct kith_err *err);
/* The newest alert id of user_id (where a new stream starts), or of any
 * user for 0 (the ticker, to notice writes by other processes; never shown
 * to a client: it would tell one tenant how busy the others are). */
int store_alert_last(struct store *st, int64_t user_id, int64_t *id,
		     struct kith_err *err);
void store_alerts_free(struct alert *a, size_t n);

int store_notify_add(struct store *st, int64_t ws, struct notify_target *t,
		     struct kith_err *err);
int store_notify_list(struct store *st, int64_t ws, int64_t user_id,
		      struct notify_target **out, size_t *n,
		      struct kith_err *err);
int store_notify_delete(struct store *st, int64_t ws, int64_t id,
			struct kith_err *err);
void store_notify_free(struct notify_target *t, size_t n);
int store_outbox_add(struct store *st, int64_t ws, int64_t target_id,
		     const char *body, kith_time now, struct kith_err *err);
/* Notifications due at now: at most limit, at most per_ws of one
 * workspace (0: no such cap), taken round-robin across workspaces, each
 * workspace's oldest first. */
int store_outbox_due(struct store *st, kith_time now, size_t limit,
		     size_t per_ws, struct outbox_item **out, size_t *n,
		     struct kith_err *err);
/* Record an attempt: sent, or to retry at next_at with error. */
int store_outbox_done(struct store *st, int64_t id, bool sent,
		      kith_time now, kith_time next_at, const char *error,
		      struct kith_err *err);
void store_outbox_free(struct outbox_item *o, size_t n);

/* Insert or update a meeting by (uid, start), with its contacts. */
int store_meeting_put(struct store *st, int64_t ws, struct meeting *m,
		      struct kith_err *err);
/* Meetings of user_id (0: every user of ws, for the CLI's operator) and
 * state (NULL: all), by start. A meeting comes from its user's calendar
 * and is theirs alone (L8). */
int store_meeting_list(struct store *st, int64_t ws, int64_t user_id,
		       const char *state, struct meeting **out, size_t *n,
		       struct kith_err *err);
/* Set the state of meeting id of user_id (0: any user of ws);
 * KITH_ENOTFOUND when it is not theirs. */
int store_meeting_state(struct store *st, int64_t ws, int64_t user_id,
			int64_t id, const char *state, int64_t touch_id,
			struct kith_err *err);
void store_meetings_free(struct meeting *m, size_t n);

/* Recompute every contact's summaries from history (after bulk loads). */
int store_refresh_all(struct store *st, int64_t ws, kith_time now,
		      struct kith_err *err);
/* Update planner statistics (after bulk loads). */
int store_analyze(struct store *st, struct kith_err *err);

#endif
