/*
 * store.h: the only door to the database. One interface; the SQLite
 * engine lives in sqlite*.c, one room per entity over sqlite_int.h (a
 * PostgreSQL engine will implement the same calls). Every call takes
 * the workspace id first among its keys and never reads or changes
 * another workspace's rows.
 *
 * Writes are grouped by the caller in store_begin/commit so one user
 * action is one transaction; the store keeps per-contact summaries (last
 * touch, last face to face, effective cadences, next due time) current
 * on each write.
 *
 * Parameter order, kith's everywhere (libgit2's): the out-parameters
 * first, then the store, the workspace id, the keys (ids, hashes) and
 * the inputs, then err last: store_contact_list(&out, &n, st, ws, &f,
 * err). A struct a call both reads and writes back (store_contact_add's
 * c, store_touch_add's t) is an input, not an out-parameter, and stays
 * in its place after the keys.
 *
 * Statuses. Every int-returning call returns a kith_status (src/kith.h):
 * KITH_OK on success, else the status also written into err (err may be
 * NULL). Any call that touches the database can fail with:
 *   KITH_EIO       SQLite failed (I/O, corruption, a statement that
 *                  would not prepare, the statement cache full); the
 *                  message names the step;
 *   KITH_EBUSY     another writer held the lock past the 5 s busy
 *                  timeout: try again later;
 *   KITH_ECONFLICT a write broke a constraint (a unique key or an id
 *                  already taken, e.g. a restore's id);
 *   KITH_ENOMEM    an allocation failed (growing an out-array, a
 *                  search pattern, a contact's lists).
 * These four are "the common failures" below and are not repeated per
 * call; each comment names only the statuses its call adds (KITH_EINPUT
 * with the field it names in err->field, KITH_ENOTFOUND, KITH_ECONFLICT
 * from a check of its own) and the exceptions. Reads never return
 * KITH_ECONFLICT in practice; a call that only reads cannot break a
 * constraint. Nothing is rolled back by a failing call: the caller's
 * transaction is still open and the caller rolls it back.
 *
 * Ownership. What a call hands back through an out-parameter belongs to
 * the caller:
 *   - a list (T **out, size_t *n): on KITH_OK *out is a new array of *n
 *     elements the caller frees with the matching store_*_free(*out, *n)
 *     (each frees the elements' strings and the array, and accepts
 *     NULL, 0); an empty result is *out NULL and *n 0. On error the
 *     partial array is freed here and *out and *n are left untouched
 *     (unless the call says it sets them to NULL and 0 first);
 *   - an id list (int64_t **ids, size_t *n): the same, freed with
 *     free(*ids);
 *   - a struct (T *out): on KITH_OK its strings and arrays are the
 *     caller's, released with the model's _clear function (contact_clear,
 *     user_clear, promise_clear, signal_clear, workspace_clear,
 *     agenda_row_clear...); on error *out holds nothing the caller must
 *     free (it may be left as it was);
 *   - a fixed buffer (struct due_row *out, size_t cap, size_t *n): the
 *     caller's memory; rows [0, *n) are filled, nothing to free.
 * Strings in what is handed back are copies (strdup), never borrowed
 * from SQLite; a string that could not be copied reads as NULL rather
 * than failing the call with KITH_ENOMEM. Inputs (const pointers, and
 * the structs a write takes) stay the caller's: the store copies what
 * it keeps and holds no pointer past the call.
 *
 * The void calls (store_close, store_rollback, the savepoint undo and
 * release, store_read_begin/end, the _free and _clear helpers) cannot
 * report a failure: store_rollback writes a failed ROLLBACK to stderr,
 * the others are silent, and the next store_settle notices a
 * transaction left open.
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

/* Frees w's strings (name, tz); w itself is the caller's. */
void workspace_clear(struct workspace *w);

/*
 * Open (creating if needed, mode 0600) the database at path and run
 * migrations. On KITH_OK *out is a new store the caller ends with
 * store_close; on any error *out is NULL. KITH_EIO with err->field
 * "--db" when the folder cannot be made or the file not opened, else
 * KITH_EIO when a pragma or a migration fails (a busy lock during a
 * migration included) or the file's schema is newer than this kith;
 * KITH_EBUSY only when reading the schema version meets a held lock;
 * KITH_EFULL when a full disk keeps even a read from starting (see
 * store_allow_private_index); a read-only mount opens read-only;
 * KITH_ENOMEM when the store itself cannot be allocated.
 */
int store_open(struct store **out, const char *path, struct kith_err *err);
/* Is path a PostgreSQL URL (postgresql://, postgres://) rather than a
 * file? What lives beside a file (the mail key) lives elsewhere then. */
bool store_path_is_url(const char *path);
/* path as it may be shown: a URL's password (user:PASSWORD@, or a
 * password= parameter) replaced by "***". Into buf (size n). */
const char *store_path_display(char *buf, size_t n, const char *path);
/* For a one-connection process (a CLI command, not kith serve): when a
 * full disk keeps the -shm file from growing, store_open may keep the
 * WAL index in the connection's memory instead, which locks the file
 * for that connection alone. A server's many connections would lock
 * each other out, so it never does this. Off until called. */
void store_allow_private_index(void);
/* Finalize every statement and close; NULL is a no-op. */
void store_close(struct store *st);
/* Schema version after migrations: a count, never an error status. */
int store_schema_version(struct store *st);

/*
 * One user action: BEGIN IMMEDIATE .. COMMIT, or ROLLBACK on failure.
 * store_begin: KITH_EBUSY when another writer holds the lock past the
 * busy timeout, else KITH_EIO. store_commit: on failure it has already
 * rolled the transaction back (the caller need not) and returns
 * KITH_EBUSY for a busy lock, KITH_EIO for anything else (never
 * KITH_ECONFLICT: a deferred constraint failure at COMMIT is KITH_EIO).
 * store_in_transaction asks SQLite, not the bookkeeping: true for a
 * read snapshot too.
 */
int store_begin(struct store *st, struct kith_err *err);
/*
 * The workspace the unit of work writes to, once it is known (the
 * request's, the command's); store_settle forgets it. On PostgreSQL a
 * write transaction first waits its turn behind the workspace's other
 * writers, so one tenant's writers queue instead of failing each
 * other's serializable transactions, while other tenants' go on. A
 * write with no workspace said waits for every writer: always safe,
 * never concurrent. No effect on SQLite (one writer already).
 */
void store_set_tenant(struct store *st, int64_t ws);

/*
 * Whether a lookup by a credential's hash (session, token, webhook,
 * feed) or a sign-in email reads the directory (migration 20) for the
 * workspace first, then the row on that workspace alone: two statements
 * instead of one, each on one shard. store_open turns it on for a
 * PostgreSQL database with Citus. Any engine answers the same either
 * way, so it may be turned on anywhere (the unit tests run that path on
 * both single-node engines).
 */
void store_set_sharded(struct store *st, bool on);
int store_commit(struct store *st, struct kith_err *err);
void store_rollback(struct store *st);
bool store_in_transaction(struct store *st);
/*
 * Did the last failure (a call, or store_begin/commit itself) leave
 * nothing written and may the whole action pass if run again, after
 * store_rollback, in a fresh transaction? True only on PostgreSQL: a
 * serialization failure or deadlock (SQLSTATE 40001, 40P01: another
 * writer won), a lost connection (class 08; the next statement
 * connects again) or a server shutting down or starting (57P01-57P03).
 * Those fail with KITH_EBUSY. Never on SQLite, whose busy timeout
 * already waited, and never for a COMMIT whose answer was lost (it may
 * have committed: KITH_EBUSY with a message saying so). Cleared by
 * store_begin and store_settle. The caller retries a few times with a
 * short randomized pause (kith_retry_pause), then reports the failure.
 */
bool store_retryable(struct store *st);
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
/* A savepoint inside the current transaction: undo part of an action.
 * One name ("part"). store_savepoint returns KITH_EIO on any failure
 * (a busy lock included: it goes through sq_exec_sql, which does not
 * tell KITH_EBUSY apart). */
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
/*
 * The server's connections keep a read snapshot open from one request
 * to the next, so a read pays no lock or WAL check of its own (measured:
 * about a fifth of a contact read's CPU, in fcntl and the WAL index's
 * mutex). The snapshot is reused only while it is the database as it
 * is now: store_read_begin compares the WAL index header in shared
 * memory, which every commit of any process changes before its COMMIT
 * returns, with the header when the snapshot began. One more commit,
 * anywhere, and the next read starts afresh: a token revoked by the
 * CLI is refused by the next request. Any statement outside
 * store_read_begin/end, and any write, first ends the kept snapshot.
 *
 * store_keep_reads turns this on for a connection (SQLite in WAL mode
 * and normal locking only; PostgreSQL and others ignore it). Its
 * thread then uses it between store_enter and store_leave only, so
 * that store_expire_reads, from another thread, can end a snapshot
 * left idle longer than idle_ms without racing a request: an idle
 * reader would keep checkpoints from reaching the end of the WAL.
 * store_checkpoint copies what the WAL holds into the database where
 * no reader needs it (SQLite's PASSIVE checkpoint: it waits for no
 * one), so the WAL can start over at the next write.
 */
void store_keep_reads(struct store *st);
/* store_read_end, and no snapshot is kept: before a write (which would
 * end it at once) or slow work that reads nothing more (a password's
 * hash, which no checkpoint should wait on). */
void store_read_close(struct store *st);
void store_enter(struct store *st);
void store_leave(struct store *st);
void store_expire_reads(struct store *st, int idle_ms);
void store_checkpoint(struct store *st);

/* ---- workspaces ----
 * The common failures only, unless said. store_workspace_list and
 * store_workspace_get take no workspace filter: they serve the
 * operator's CLI and the server's setup.
 */
/* Create a workspace named name with the default cadence rules; its id
 * in *id (untouched on error). */
int store_workspace_create(int64_t *id, struct store *st, const char *name,
			   kith_time now, struct kith_err *err);
/* Every workspace by id: *out freed with store_workspaces_free. */
int store_workspace_list(struct workspace **out, size_t *n, struct store *st,
			 struct kith_err *err);
/* Workspace ws into *out (released with workspace_clear);
 * KITH_ENOTFOUND (field "workspace") when there is none. */
int store_workspace_get(struct workspace *out, struct store *st, int64_t ws,
			struct kith_err *err);
/* Write w's settings to workspace w->id. An id that is no workspace
 * changes nothing and still returns KITH_OK (no KITH_ENOTFOUND). */
int store_workspace_update(struct store *st, const struct workspace *w,
			   struct kith_err *err);
void store_workspaces_free(struct workspace *w, size_t n);
/* Is the workspace free of contacts, touches and organizations (import
 * target)? *out is set on KITH_OK only. */
int store_workspace_empty(bool *out, struct store *st, int64_t ws,
			  struct kith_err *err);

/* ---- organizations ----
 * The common failures only.
 */
/* Id of the organization named name (case-insensitive), created if new;
 * in *id, untouched on error. */
int store_org_ensure(int64_t *id, struct store *st, int64_t ws,
		     const char *name, kith_time now, struct kith_err *err);
/* *out freed with store_orgs_free. */
int store_org_list(struct organization **out, size_t *n, struct store *st,
		   int64_t ws, struct kith_err *err);
/* Insert with a given id (restore); KITH_ECONFLICT when the id is
 * taken (by any workspace: ids are global). */
int store_org_put(struct store *st, int64_t ws, const struct organization *o,
		  struct kith_err *err);
void store_orgs_free(struct organization *o, size_t n);
/* Rename organization id to name; its created_at into *created. Every
 * contact of it gets a new CardDAV count (its card's ORG changed).
 * KITH_ENOTFOUND; KITH_ECONFLICT when another has the name. */
int store_org_rename(kith_time *created, struct store *st, int64_t ws,
		     int64_t id, const char *name, struct kith_err *err);

/* ---- contacts ----
 * The writes check what c names: KITH_EINPUT with field "org_id" when
 * c->org_id is no organization of ws, "owner" when c->owner_id (0:
 * none) is no user of ws. c stays the caller's; the store writes back
 * only the fields each call says.
 */
/*
 * Add c; c->id 0 assigns a new id (written back), else that id is kept
 * (restore; KITH_ECONFLICT when it is taken). org_name, when set and
 * org_id is 0, finds or makes the organization (its id written back to
 * c->org_id). created_at/updated_at 0 mean now and version 0 means 1,
 * all written back. KITH_EINPUT "org_id"/"owner" as above.
 */
int store_contact_add(struct store *st, int64_t ws, struct contact *c,
		      kith_time now, struct kith_err *err);
/*
 * Replace the editable fields of contact c->id. When expect_version is
 * non-zero and differs from the stored one: KITH_ECONFLICT (field
 * "version"). Bumps the version and refreshes the summaries.
 * KITH_ENOTFOUND (field "contact") when c->id is no contact of ws;
 * KITH_EINPUT "org_id"/"owner" as above.
 */
int store_contact_update(struct store *st, int64_t ws, struct contact *c,
			 int64_t expect_version, kith_time now,
			 struct kith_err *err);
/* Contact id with its emails, phones, handles and tags into *out, which
 * is contact_init'ed first whatever happens and released with
 * contact_clear. KITH_ENOTFOUND (field "contact") when id is no contact
 * of ws; on KITH_ENOMEM *out is cleared again. */
int store_contact_get(struct contact *out, struct store *st, int64_t ws,
		      int64_t id, struct kith_err *err);
/* store_contact_get without the raw vCard (card stays NULL): for the
 * API's contact replies, which never show it (issue 19's read path).
 * CardDAV, export and anything that writes the contact back use
 * store_contact_get. */
int store_contact_get_lean(struct contact *out, struct store *st, int64_t ws,
			   int64_t id, struct kith_err *err);
/* Delete contact id and what hangs on it. KITH_ENOTFOUND (field
 * "contact") when id is no contact of ws. */
int store_contact_delete(struct store *st, int64_t ws, int64_t id,
			 struct kith_err *err);
/* Snooze until t (KITH_NO_TIME: wake now); bumps the version.
 * KITH_ENOTFOUND (field "contact") when id is no contact of ws. */
int store_contact_snooze(struct store *st, int64_t ws, int64_t id,
			 kith_time until, kith_time now, struct kith_err *err);

/*
 * Contacts a user means by `who`: an id, an email, a full name or a
 * case-insensitive name fragment, tried in that order; the first step
 * with matches wins. exclude (0: none) is never returned. The fragment
 * step returns at most 50 ids. No match is KITH_OK with *n 0 (never
 * KITH_ENOTFOUND: the caller decides). Sets *ids NULL and *n 0 first,
 * so on error they are NULL and 0; on KITH_OK free(*ids).
 */
int store_contact_find(int64_t **ids, size_t *n, struct store *st, int64_t ws,
		       const char *who, int64_t exclude, struct kith_err *err);

/*
 * The contacts an import would merge a card into, by one key: key
 * CONTACT_KEY_UID (contact.uid, exact), CONTACT_KEY_EMAIL (any email,
 * ASCII case-insensitive) or CONTACT_KEY_PHONE (any phone whose E.164
 * form is value). Ids ascending, at most 50; none is KITH_OK with *n 0.
 * Sets *ids NULL and *n 0 first; on KITH_OK free(*ids). An index lookup
 * each. The common failures only.
 */
enum contact_key { CONTACT_KEY_UID, CONTACT_KEY_EMAIL, CONTACT_KEY_PHONE };
int store_contact_match(int64_t **ids, size_t *n, struct store *st, int64_t ws,
			enum contact_key key, const char *value,
			struct kith_err *err);

/* The contacts named name (case-insensitive) whose stored card is card,
 * byte for byte: an import's last resort for a card with no key that
 * matched, so the same file read twice does not double it. As
 * store_contact_match otherwise. */
int store_contact_match_card(int64_t **ids, size_t *n, struct store *st,
			     int64_t ws, const char *name, const char *card,
			     struct kith_err *err);

struct contact_filter {
	const char *q;		/* name, email, org, title, tag, fact, note */
	const char *tag;
	enum tier tier;		/* TIER_NONE: any */
	int64_t owner_id;	/* 0: any */
	int64_t after_id;	/* keyset cursor: ids above this */
	size_t limit;		/* 0: all */
	bool with_card;		/* read each contact's card too (a backup) */
};

/* Contacts matching f by id. Sets *out NULL and *n 0 first, so on error
 * they are NULL and 0; on KITH_OK *out is freed with store_contacts_free.
 * The common failures only. */
int store_contact_list(struct contact **out, size_t *n, struct store *st,
		       int64_t ws, const struct contact_filter *f,
		       struct kith_err *err);
void store_contacts_free(struct contact *c, size_t n);
/* Count of contacts in the workspace into *out (set on KITH_OK only). */
int store_contact_count(int64_t *out, struct store *st, int64_t ws,
			struct kith_err *err);

/*
 * Move everything of contact `from` to `into` (touches, facts, dates,
 * promises, gifts, revenue; emails, phones and tags are unioned, empty
 * fields filled) and delete `from`. Summaries are recomputed.
 * KITH_EINPUT (field "contact") when from == into; KITH_ENOTFOUND
 * (field "contact") when either is no contact of ws.
 */
int store_contact_merge(struct store *st, int64_t ws, int64_t from,
			int64_t into, kith_time now, struct kith_err *err);

/* ---- touchpoints ----
 * The reads have the common failures only; a contact_id that is no
 * contact of ws gives an empty list, not KITH_ENOTFOUND.
 */
/*
 * Add t with its participants; t->id 0 assigns (written back; a given
 * id that is taken is KITH_ECONFLICT). KITH_EINPUT with field
 * "contacts" when t names no contact or one contact twice, "users" when
 * a user is no user of ws; KITH_ENOTFOUND (field "contacts") when a
 * contact is no contact of ws. Rows written before the failure stay
 * until the caller rolls back.
 */
int store_touch_add(struct store *st, int64_t ws, struct touchpoint *t,
		    struct kith_err *err);
/* Touches of one contact (0: all), newest first; limit 0 is all. *out
 * (each with its contacts and users) is freed with store_touches_free.
 * The same as store_touch_page with before 0. */
int store_touch_list(struct touchpoint **out, size_t *n, struct store *st,
		     int64_t ws, int64_t contact_id, size_t limit,
		     struct kith_err *err);
/* One page of that list: the touches after touch `before` in that order
 * (0: from the newest), at most limit (1 or more). A keyset, so a page
 * costs its own rows whatever its depth; a `before` that is no touch of
 * ws gives an empty page. *out as for store_touch_list. */
int store_touch_page(struct touchpoint **out, size_t *n, struct store *st,
		     int64_t ws, int64_t contact_id, int64_t before,
		     size_t limit, struct kith_err *err);
void store_touches_free(struct touchpoint *t, size_t n);
/* The score view of a contact's touches: at, channel, direction. The
 * elements own nothing: the caller frees the array with free(*out). */
int store_touch_scores(struct score_touch **out, size_t *n, struct store *st,
		       int64_t ws, int64_t contact_id, struct kith_err *err);
/* Visit every touch of the workspace: with per_participant, once for
 * each participant in contact order (contact id, touch); else once per
 * touch in time order with contact id 0. For reports. t is borrowed
 * for the visit only. A non-zero return from fn stops the walk and is
 * returned as is (fn fills err itself if it wants one); otherwise the
 * common failures. */
typedef int (*store_touch_visit)(void *ctx, int64_t contact_id,
				 const struct score_touch *t);
int store_touch_each(struct store *st, int64_t ws, bool per_participant,
		     store_touch_visit fn, void *ctx, struct kith_err *err);
/* The touches of contacts ids[0..n) only, in one read: once per
 * (contact, touch), by contact id and then time (the agenda's health
 * of its listed contacts). Returns as store_touch_each. */
int store_touch_scores_each(struct store *st, int64_t ws, const int64_t *ids,
			    size_t n, store_touch_visit fn, void *ctx,
			    struct kith_err *err);
/* Visit every touch once per user who took part, in user order; the
 * visitor's first argument is then the user id. */
int store_touch_each_user(struct store *st, int64_t ws, store_touch_visit fn,
			  void *ctx, struct kith_err *err);

/* ---- facts, dates, promises, gifts, revenue ----
 * The _add calls: the item's id 0 assigns a new one, written back (a
 * given id that is taken: KITH_ECONFLICT); KITH_ENOTFOUND with field
 * "contact_id" when the item's contact_id is no contact of ws (gifts and
 * revenue: only checked when non-zero); gifts and revenue also
 * KITH_EINPUT "org_id" when a non-zero org_id is no organization of ws.
 * The _list calls: one contact's items (a contact that is none of ws
 * gives an empty list), *out freed with the matching store_*_free; on
 * error *out and *n are untouched. The common failures otherwise.
 */
int store_fact_add(struct store *st, int64_t ws, struct fact *f,
		   struct kith_err *err);
int store_fact_list(struct fact **out, size_t *n, struct store *st, int64_t ws,
		    int64_t contact_id, struct kith_err *err);
void store_facts_free(struct fact *f, size_t n);

int store_date_add(struct store *st, int64_t ws, struct kdate *d,
		   struct kith_err *err);
int store_date_list(struct kdate **out, size_t *n, struct store *st, int64_t ws,
		    int64_t contact_id, struct kith_err *err);
void store_dates_free(struct kdate *d, size_t n);
/* The dates of ws's contacts with ids in (after_id, last_id], ordered by
 * contact and then as store_date_list orders one contact's: one
 * statement for a page of contacts (the export), not one a contact. */
int store_date_list_range(struct kdate **out, size_t *n, struct store *st,
			  int64_t ws, int64_t after_id, int64_t last_id,
			  struct kith_err *err);

int store_promise_add(struct store *st, int64_t ws, struct promise *p,
		      struct kith_err *err);
/* Open promises (contact 0: all), overdue first then by due time;
 * with include_done, kept ones too. */
int store_promise_list(struct promise **out, size_t *n, struct store *st,
		       int64_t ws, int64_t contact_id, bool include_done,
		       struct kith_err *err);
/* Promise id, with its contact's name, into *out (zeroed first;
 * released with promise_clear). KITH_ENOTFOUND (field "promise"). */
int store_promise_get(struct promise *out, struct store *st, int64_t ws,
		      int64_t id, struct kith_err *err);
/* Mark promise id kept at `at` (again if it was: no error).
 * KITH_ENOTFOUND (field "promise") when id is no promise of ws. */
int store_promise_done(struct store *st, int64_t ws, int64_t id,
		       kith_time at, struct kith_err *err);
void store_promises_free(struct promise *p, size_t n);
/* The due and done_at (KITH_NO_TIME when none) of every promise, open
 * and kept, of contacts ids[0..n), in one read: by contact id, then as
 * store_promise_list orders. A non-zero return from fn stops the walk
 * and is returned as is. */
typedef int (*store_promise_visit)(void *ctx, int64_t contact_id,
				   kith_time due, kith_time done_at);
int store_promise_times_each(struct store *st, int64_t ws, const int64_t *ids,
			     size_t n, store_promise_visit fn, void *ctx,
			     struct kith_err *err);

int store_gift_add(struct store *st, int64_t ws, struct gift *g,
		   struct kith_err *err);
int store_gift_list(struct gift **out, size_t *n, struct store *st, int64_t ws,
		    int64_t contact_id, struct kith_err *err);
void store_gifts_free(struct gift *g, size_t n);

int store_revenue_add(struct store *st, int64_t ws, struct revenue *r,
		      struct kith_err *err);
int store_revenue_list(struct revenue **out, size_t *n, struct store *st,
		       int64_t ws, int64_t contact_id, struct kith_err *err);
void store_revenues_free(struct revenue *r, size_t n);
/* Lifetime value of a contact: the revenue entered against it, into
 * *cents (0 for none or no such contact; set on KITH_OK only). */
int store_revenue_total(int64_t *cents, struct store *st, int64_t ws,
			int64_t contact_id, struct kith_err *err);

/* ---- cadences inherited from tags and tiers ---- */
struct cadence_rule {
	enum cadence_scope scope;
	char *key;		/* tag, "A"/"B"/"C", or "" for the default */
	struct cadence every;	/* none: not set at this level */
	struct cadence meet;
};

/* Set (or with both none, remove) a rule; refreshes affected contacts.
 * r stays the caller's. The common failures only. */
int store_cadence_set(struct store *st, int64_t ws,
		      const struct cadence_rule *r, kith_time now,
		      struct kith_err *err);
/* The workspace's rules: *out freed with store_cadences_free. */
int store_cadence_list(struct cadence_rule **out, size_t *n, struct store *st,
		       int64_t ws, struct kith_err *err);
void store_cadences_free(struct cadence_rule *r, size_t n);

/* ---- the agenda's indexes ----
 * The common failures only, unless said.
 */
enum due_clock { DUE_ANY, DUE_MEET };

struct due_group {
	int code;		/* cadence code, non-zero */
	enum tier tier;
};

/* Distinct (cadence, tier) pairs in use for a clock; the elements own
 * nothing: the caller frees the array with free(*out). */
int store_due_groups(struct due_group **out, size_t *n, struct store *st,
		     int64_t ws, enum due_clock clock, struct kith_err *err);

struct due_row {
	int64_t id;
	kith_time anchor;
};

/* The most rows a due or promise page holds, and a first page. They are
 * written into the statements' text: a LIMIT that is a parameter leaves
 * PostgreSQL's generic plan guessing a tenth of the group, so it planned
 * those statements anew at every run. */
#define STORE_DUE_PAGE 32
#define STORE_DUE_FIRST_PAGE 8

/* Contacts of one group by anchor ascending, after (anchor, id), into
 * the caller's out[0..cap): *n rows, at most STORE_DUE_PAGE (set to 0
 * first; on error the rows read so far are in out and *n counts them).
 * Nothing to free. */
int store_due_page(struct due_row *out, size_t cap, size_t *n, struct store *st,
		   int64_t ws, enum due_clock clock, const struct due_group *g,
		   kith_time after_anchor, int64_t after_id,
		   struct kith_err *err);
/* The first page of each of groups g[0..ng): pages[i][0..cap) and
 * counts[i] as store_due_page from the start would fill them (at most
 * STORE_DUE_FIRST_PAGE rows on PostgreSQL), for all groups in one read
 * on PostgreSQL. */
int store_due_first_pages(struct due_row *const *pages, size_t *counts,
			  size_t cap, struct store *st, int64_t ws,
			  enum due_clock clock, const struct due_group *g,
			  size_t ng, struct kith_err *err);

/* Contacts with a date in [from_day, to_day] (yearly dates by month and
 * day; at most one year's wrap). Ids may repeat. On KITH_OK free(*ids);
 * on error *ids and *n are untouched. */
int store_dates_window(int64_t **ids, size_t *n, struct store *st, int64_t ws,
		       int32_t from_day, int32_t to_day, struct kith_err *err);

struct promise_row {
	int64_t id;
	int64_t contact_id;
	kith_time due;
};

/* Open promises due before `before`, oldest due first, after (due, id),
 * into the caller's out[0..cap), at most STORE_DUE_PAGE, as
 * store_due_page. */
int store_promises_due_page(struct promise_row *out, size_t cap, size_t *n,
			    struct store *st, int64_t ws, kith_time before,
			    kith_time after_due, int64_t after_id,
			    struct kith_err *err);

/* An agenda input with the strings it borrows: in's string pointers
 * point into the char * members, which the row owns; agenda_row_clear
 * frees them (and so ends in's borrow). */
struct agenda_row {
	struct agenda_input in;
	char *name;
	char *date_kind;
	char *promise_text;
	char *tz;
	char *signal_what;
	int64_t owner_id;	/* the contact's owner; 0: none */
};

void agenda_row_clear(struct agenda_row *r);

/* Everything agenda_score needs about a batch of contacts, in one read
 * for the whole batch rather than one a contact (a round trip each on
 * PostgreSQL), in two steps so the contact's own columns can bound its
 * rank before its dates, promises, gifts and signals are paid for.
 * Base rows: out[i] is ids[i]'s, zeroed first, released with
 * agenda_row_clear; an id that is no contact of ws leaves out[i] zeroed
 * (in.id 0); on error every out[i] is cleared. Events: rows[0..n) are
 * distinct contacts, the caller's, cleared by the caller even on error
 * (they may hold some of the events then). */
int store_agenda_rows_base(struct agenda_row *out, struct store *st,
			   int64_t ws, const int64_t *ids, size_t n,
			   struct kith_err *err);
int store_agenda_rows_events(struct store *st, int64_t ws,
			     struct agenda_row *const *rows, size_t n,
			     kith_time now, int32_t today,
			     struct kith_err *err);

/* Every contact's agenda row, for the full-scan check and reports. row
 * is borrowed for the visit only (cleared after it). A non-zero return
 * from fn stops the walk and is returned as is. */
typedef int (*store_agenda_visit)(void *ctx, struct agenda_row *row);
int store_agenda_each(struct store *st, int64_t ws, kith_time now,
		      int32_t today, store_agenda_visit fn, void *ctx,
		      struct kith_err *err);

/* ---- accounts ----
 * A user handed back (get, by_email, session_user, token_user) is the
 * caller's, released with user_clear; on error it is left as it was.
 * Lists are freed with store_users_free / store_tokens_free. Calls by a
 * hash (sessions, tokens) take no workspace: the hash finds it. Every
 * write of a workspace's name, a sign-in email or a credential's hash
 * (here, and the webhook's and the feed's) writes the directory in the
 * same transaction: it is what keeps them unique across workspaces on
 * Citus, and what finds their workspace there (store_set_sharded).
 */
/* Add u (u->workspace_id set); KITH_ECONFLICT with field "email" when
 * the email is taken; otherwise the common failures (a busy lock is
 * KITH_EBUSY, not a taken email). u->id is written back. */
int store_user_add(struct store *st, struct user *u, struct kith_err *err);
/* KITH_ENOTFOUND (field "user") when id is no user of ws. */
int store_user_get(struct user *out, struct store *st, int64_t ws, int64_t id,
		   struct kith_err *err);
/* The user with this email in any workspace (sign-in); KITH_ENOTFOUND
 * (field "user") when there is none. */
int store_user_by_email(struct user *out, struct store *st, const char *email,
			struct kith_err *err);
/* The users of ws; *out freed with store_users_free. */
int store_user_list(struct user **out, size_t *n, struct store *st, int64_t ws,
		    struct kith_err *err);
void store_users_free(struct user *u, size_t n);
/* Write u's name, role, password hash and tz to user u->id (the email
 * is not changed); KITH_ENOTFOUND (field "user") when it is no user of
 * ws. */
int store_user_update(struct store *st, int64_t ws, const struct user *u,
		      struct kith_err *err);
/* Remove a user, their sessions and tokens; their contacts lose owner.
 * KITH_ENOTFOUND (field "user") when id is no user of ws. */
int store_user_delete(struct store *st, int64_t ws, int64_t id,
		      struct kith_err *err);
/* Count of owners in the workspace (the last one cannot leave), into
 * *out (set on KITH_OK only). */
int store_owner_count(int64_t *out, struct store *st, int64_t ws,
		      struct kith_err *err);

/* Sessions and tokens are found by the hash of their secret. A session
 * lives until expires (the absolute cap) and, before that, until
 * idle_until, which store_session_touch moves forward with use.
 * The session calls have the common failures only, unless said; a hash
 * that matches nothing is no error for touch, delete and purge (nothing
 * changes, KITH_OK). */
int store_session_add(struct store *st, const char *id_hash, int64_t ws,
		      int64_t user_id, kith_time now, kith_time expires,
		      kith_time idle_until, struct kith_err *err);
/* The live session's user into *out, or KITH_ENOTFOUND (field "user":
 * unknown, expired or idle too long). */
int store_session_user(struct user *out, struct store *st, const char *id_hash,
		       kith_time now, struct kith_err *err);
/* The session was used: idle_until becomes idle_until (never past the
 * session's expires_at; never moved back). A write. */
int store_session_touch(struct store *st, const char *id_hash,
			kith_time idle_until, struct kith_err *err);
int store_session_delete(struct store *st, const char *id_hash,
			 struct kith_err *err);
/* End all of user's sessions but keep_hash's (NULL: all). *n: how many
 * (n may be NULL; set on KITH_OK only). */
int store_session_delete_user(int64_t *n, struct store *st, int64_t ws,
			      int64_t user_id, const char *keep_hash,
			      struct kith_err *err);
/* Delete sessions that expired or idled out by now. A write. */
int store_session_purge(struct store *st, kith_time now,
			struct kith_err *err);

/* expires: KITH_NO_TIME for a token that never expires. The new id in
 * *id; KITH_ENOTFOUND (field "user") when user_id is no user of ws;
 * KITH_ECONFLICT when hash is taken. name and hash are copied. */
int store_token_add(int64_t *id, struct store *st, int64_t ws, int64_t user_id,
		    const char *name, const char *hash, kith_time now,
		    kith_time expires, struct kith_err *err);
/*
 * The same lookup in two halves, for a request that reads next: _send
 * binds it and, where a round trip is saved by it (store_sends_ahead:
 * PostgreSQL on one node), has it go out with the next statement this
 * store runs, both answers coming back together; _recv reads its answer
 * (as store_token_user's) and must follow before any other lookup is
 * sent. Whatever runs between them reads as usual. A caller acting on a
 * guess of the answer meanwhile must check the guess against _recv's
 * before anything leaves the process.
 */
bool store_sends_ahead(struct store *st);
int store_token_user_send(struct store *st, const char *hash, kith_time now,
			  struct kith_err *err);
int store_token_user_recv(struct user *out, struct store *st,
			  struct kith_err *err);
/* Note a token's use at now (skipped when noted within the minute). An
 * unknown hash is no error. */
int store_token_touch(struct store *st, const char *hash, kith_time now,
		      struct kith_err *err);
/* The live (not revoked, not expired) token's user into *out;
 * KITH_ENOTFOUND (field "user") otherwise. (Does not itself note the
 * use: that is store_token_touch.) */
int store_token_user(struct user *out, struct store *st, const char *hash,
		     kith_time now, struct kith_err *err);
/* Tokens of user_id (0: every user of ws) by id; *out freed with
 * store_tokens_free. */
int store_token_list(struct api_token **out, size_t *n, struct store *st,
		     int64_t ws, int64_t user_id, struct kith_err *err);
void store_tokens_free(struct api_token *t, size_t n);
/* Revoke token id; user_id 0 lets any token of the workspace go.
 * Revoking a revoked token keeps its first time and returns KITH_OK.
 * KITH_ENOTFOUND (field "token") when id is no token of ws (and of
 * user_id when non-zero). */
int store_token_revoke(struct store *st, int64_t ws, int64_t user_id,
		       int64_t id, kith_time now, struct kith_err *err);

/* The calendar feed (/feeds/<token>.ics): each user's secret, kept
 * like the webhook secret, plaintext beside its hash, found by the hash
 * and then compared in constant time by the caller.
 * store_feed_get: user_id's secret, or *secret NULL when none yet (set
 * NULL first); on KITH_OK a copy the caller frees. KITH_ENOTFOUND
 * (field "user") when user_id is no user of ws.
 * store_feed_set: replace it (the old hash stops matching at once);
 * KITH_ENOTFOUND (field "user") as above.
 * store_feed_find: the user whose secret hashes to hash, into *out
 * (user_clear), with the secret (free()). KITH_ENOTFOUND (field
 * "feed") otherwise; on error both are untouched. */
int store_feed_get(char **secret, struct store *st, int64_t ws, int64_t user_id,
		   struct kith_err *err);
int store_feed_set(struct store *st, int64_t ws, int64_t user_id,
		   const char *secret, const char *hash, struct kith_err *err);
int store_feed_find(struct user *out, char **secret, struct store *st,
		    const char *hash, struct kith_err *err);

/* ---- signals, alerts, notifications, meetings ----
 * The common failures only, unless said. Lists are freed with the
 * matching store_*_free; id lists with free(*ids).
 */
/* The workspace's webhook secret, or *secret NULL when none yet (set
 * NULL first). On KITH_OK *secret is a copy the caller frees with
 * free(). */
int store_hook_get(char **secret, struct store *st, int64_t ws,
		   struct kith_err *err);
int store_hook_set(struct store *st, int64_t ws, const char *secret,
		   const char *hash, struct kith_err *err);
/* The workspace whose secret hashes to hash, with the secret itself so
 * the caller compares in constant time. KITH_ENOTFOUND (field
 * "secret") otherwise. On KITH_OK *ws is set and *secret is a copy the
 * caller frees with free(); on error both are untouched. */
int store_hook_find(int64_t *ws, char **secret, struct store *st,
		    const char *hash, struct kith_err *err);
/* The contact a signal is about: by email, then by the email's domain
 * (the most recently touched contact there), then by handle; 0 if none
 * (KITH_OK, never KITH_ENOTFOUND). *contact_id is set 0 first. */
int store_signal_match(int64_t *contact_id, struct store *st, int64_t ws,
		       const char *email, const char *handle,
		       struct kith_err *err);
/* Store sg once per (workspace, ext_id); *duplicate says it was there,
 * and sg->id/contact_id are then the stored ones; else sg->id is the new
 * id. A duplicate is KITH_OK, not KITH_ECONFLICT. sg stays the
 * caller's. */
int store_signal_add(bool *duplicate, struct store *st, int64_t ws,
		     struct signal *sg, struct kith_err *err);
/* Signal id into *out (released with signal_clear); KITH_ENOTFOUND
 * (field "signal") when id is no signal of ws. */
int store_signal_get(struct signal *out, struct store *st, int64_t ws,
		     int64_t id, struct kith_err *err);
/* Waiting signals first (oldest first), then answered (newest first);
 * *out freed with store_signals_free. */
int store_signal_list(struct signal **out, size_t *n, struct store *st,
		      int64_t ws, bool waiting_only, int64_t after_id,
		      size_t limit, struct kith_err *err);
void store_signals_free(struct signal *g, size_t n);
/* Make a lead a contact's signal (answered by any later touch that is
 * not inbound: store_touch_add answers with out and mutual touches).
 * KITH_ENOTFOUND with field "contact_id" when contact_id is no contact
 * of ws, "signal" when id is no signal of ws. */
int store_signal_attach(struct store *st, int64_t ws, int64_t id,
			int64_t contact_id, struct kith_err *err);
/* Contacts with a waiting signal (the agenda reads them all); on KITH_OK
 * free(*ids). */
int store_signals_open(int64_t **ids, size_t *n, struct store *st, int64_t ws,
		       struct kith_err *err);

/* Focus user_id until `until`; KITH_ENOTFOUND (field "user") when it
 * is no user of ws. */
int store_user_focus(struct store *st, int64_t ws, int64_t user_id,
		     kith_time until, struct kith_err *err);
/* Note the day of user_id's last morning digest. An unknown user is no
 * error (nothing changes). */
int store_user_digest_day(struct store *st, int64_t ws, int64_t user_id,
			  int32_t day, struct kith_err *err);
/* Every user of every workspace (the server's ticker); *out freed with
 * store_users_free. */
int store_users_all(struct user **out, size_t *n, struct store *st,
		    struct kith_err *err);
/* The end of the meeting user is in at now, or KITH_NO_TIME, into
 * *until (set on KITH_OK only). */
int store_user_in_meeting(kith_time *until, struct store *st, int64_t ws,
			  int64_t user_id, kith_time now, struct kith_err *err);

/* Add an alert (held: kept back, not shown yet); the new id in *id (id
 * may be NULL). kind and data are copied. */
int store_alert_add(int64_t *id, struct store *st, int64_t ws, int64_t user_id,
		    const char *kind, int64_t signal_id, const char *data,
		    bool held, kith_time now, struct kith_err *err);
/* Shown alerts of user after after_id, oldest first (the SSE stream);
 * *out freed with store_alerts_free, as for store_alert_held. */
int store_alert_list(struct alert **out, size_t *n, struct store *st,
		     int64_t ws, int64_t user_id, int64_t after_id,
		     size_t limit, struct kith_err *err);
/* Held alerts of user_id. */
int store_alert_held(struct alert **out, size_t *n, struct store *st,
		     int64_t ws, int64_t user_id, struct kith_err *err);
/* Release user_id's held alerts (none held: KITH_OK). */
int store_alert_release(struct store *st, int64_t ws, int64_t user_id,
			struct kith_err *err);
/* A member, named the only way that is unique: ids are per workspace. */
struct user_key {
	int64_t workspace_id, user_id;
};
/* Members with a held alert; on KITH_OK free(*out). */
int store_alert_users_held(struct user_key **out, size_t *n,
			   struct store *st, struct kith_err *err);
/* The newest alert id of user_id (where a new stream starts); 0 when
 * there is none; *id set on KITH_OK only. */
int store_alert_last(int64_t *id, struct store *st, int64_t ws,
		     int64_t user_id, struct kith_err *err);
/* A number that grows when any workspace gets an alert (the sum of each
 * workspace's newest alert id): the ticker's, to notice alerts other
 * processes wrote (the CLI). Never shown to a client: it would tell one
 * tenant how busy the others are. */
int store_alert_newest(int64_t *id, struct store *st, struct kith_err *err);
void store_alerts_free(struct alert *a, size_t n);

/* Add target t; t->id is written back (0 if it cannot be read back). */
int store_notify_add(struct store *st, int64_t ws, struct notify_target *t,
		     struct kith_err *err);
/* *out freed with store_notify_free. */
int store_notify_list(struct notify_target **out, size_t *n, struct store *st,
		      int64_t ws, int64_t user_id, struct kith_err *err);
/* KITH_ENOTFOUND (field "id") when id is no target of ws. */
int store_notify_delete(struct store *st, int64_t ws, int64_t id,
			struct kith_err *err);
void store_notify_free(struct notify_target *t, size_t n);
/* Queue body (copied) for target_id. */
int store_outbox_add(struct store *st, int64_t ws, int64_t target_id,
		     const char *body, kith_time now, struct kith_err *err);
/* Notifications due at now: at most limit, at most per_ws of one
 * workspace (0: no such cap), taken round-robin across workspaces, each
 * workspace's oldest first. *out freed with store_outbox_free. */
int store_outbox_due(struct outbox_item **out, size_t *n, struct store *st,
		     kith_time now, size_t limit, size_t per_ws,
		     struct kith_err *err);
/* Record an attempt: sent, or to retry at next_at with error. An id
 * that is no item is no error (nothing changes). */
int store_outbox_done(struct store *st, int64_t ws, int64_t id, bool sent,
		      kith_time now, kith_time next_at, const char *error,
		      struct kith_err *err);
void store_outbox_free(struct outbox_item *o, size_t n);

/* Insert or update a meeting by (uid, start), with its contacts. m->id
 * and m->state are written back with the stored ones (m->state is
 * freed and replaced by a new copy, which m still owns). */
int store_meeting_put(struct store *st, int64_t ws, struct meeting *m,
		      struct kith_err *err);
/* Meetings of user_id (0: every user of ws, for the CLI's operator) and
 * state (NULL: all), by start. A meeting comes from its user's calendar
 * and is theirs alone (L8). *out (each with its contacts) freed with
 * store_meetings_free. */
int store_meeting_list(struct meeting **out, size_t *n, struct store *st,
		       int64_t ws, int64_t user_id, const char *state,
		       struct kith_err *err);
/* Set the state of meeting id of user_id (0: any user of ws);
 * KITH_ENOTFOUND (field "id") when it is not theirs. */
int store_meeting_state(struct store *st, int64_t ws, int64_t user_id,
			int64_t id, const char *state, int64_t touch_id,
			struct kith_err *err);
void store_meetings_free(struct meeting *m, size_t n);

/* ---- mail (app/mail.c) ----
 * The common failures only, unless said. Lists are freed with the
 * matching store_*_free.
 */
/* One message, by its key; never its body. */
struct mail_row {
	int64_t id;
	char *msg_key;		/* Message-ID, or "h:" and a hash */
	kith_time at;
	bool outbound;		/* sent by one of the user's addresses */
	char *sender;		/* the From address */
	char *subject;
	char *parent;		/* the id it replies to; NULL: none */
	char *thread;		/* the thread's root id */
	int64_t touch_id;	/* 0: none (nobody in the book) */
	int64_t signal_id;	/* 0: none */
};
void mail_row_clear(struct mail_row *m);

/* Add m once per (workspace, msg_key): *dup says it was there (then
 * m->id, touch_id and signal_id are the stored ones); else m->id is
 * the new id. A duplicate is KITH_OK. */
int store_mail_add(bool *dup, struct store *st, int64_t ws, struct mail_row *m,
		   struct kith_err *err);
/* Set the touch and signal (0: none) message id made. */
int store_mail_link(struct store *st, int64_t ws, int64_t id,
		    int64_t touch_id, int64_t signal_id, struct kith_err *err);
/* Answer at `at` the waiting signals (not after at) of the messages with
 * these keys; *n_answered (may be NULL) counts them. A signal of theirs
 * answered later than at is moved back to at (a reply read after a
 * later touch), and not counted. */
int store_mail_answer(size_t *n_answered, struct store *st, int64_t ws,
		      const char *const *keys, size_t n_keys, kith_time at,
		      struct kith_err *err);
/* The first outbound reply (by parent) to key, at or after `after`:
 * its time into *at, KITH_NO_TIME when none. */
int store_mail_reply_at(kith_time *at, struct store *st, int64_t ws,
			const char *key, kith_time after, struct kith_err *err);
/* Answer signal id at `at` if it waits and at is not before it. */
int store_signal_answer(struct store *st, int64_t ws, int64_t id,
			kith_time at, struct kith_err *err);

/* A correspondent not in the book, counted once per message. */
struct mail_peer {
	char *addr;
	char *name;
	int64_t n_in, n_out;
	kith_time last_at;
};
void mail_peer_clear(struct mail_peer *p);
/* Count one message from (n_in 1) or to (n_out 1) addr; name, when
 * non-NULL, replaces the stored one. */
int store_mail_peer_add(struct store *st, int64_t ws, const char *addr,
			const char *name, int n_in, int n_out, kith_time at,
			struct kith_err *err);
/* Peers with at least min_total messages whose address is no contact's
 * (yet), by volume, at most limit. */
int store_mail_peer_list(struct mail_peer **out, size_t *n, struct store *st,
			 int64_t ws, int64_t min_total, size_t limit,
			 struct kith_err *err);
void store_mail_peers_free(struct mail_peer *p, size_t n);

/* The workspace's own addresses: its users' emails, its mailboxes'
 * addresses and its aliases, lower-cased, unsorted (may repeat). *out
 * is an array of malloc'd strings, freed with store_strings_free. */
int store_mail_self(char ***out, size_t *n, struct store *st, int64_t ws,
		    struct kith_err *err);
void store_strings_free(char **v, size_t n);
/* Add (an existing one is no error) or remove an alias; remove of an
 * unknown one is KITH_ENOTFOUND (field "address"). */
int store_mail_alias_add(struct store *st, int64_t ws, const char *addr,
			 struct kith_err *err);
int store_mail_alias_remove(struct store *st, int64_t ws, const char *addr,
			    struct kith_err *err);
/* The aliases alone, by address. */
int store_mail_alias_list(char ***out, size_t *n, struct store *st, int64_t ws,
			  struct kith_err *err);

/* An IMAP mailbox and its sync state. */
struct mailbox {
	int64_t id;
	int64_t workspace_id;
	int64_t user_id;	/* who added it; 0: the operator */
	char *url;		/* imaps://user@host/INBOX, no password */
	char *address;		/* the mailbox's own address ("" none) */
	char *secret;		/* the sealed password (app/mail.c) */
	char *ca_file;		/* a CA bundle to trust; NULL: the system's */
	int64_t uidvalidity, last_uid, messages;
	kith_time last_sync;	/* KITH_NO_TIME: never */
	char *last_error;	/* NULL: the last sync went through */
	kith_time next_sync;
	int failures;		/* in a row: the backoff's exponent */
	kith_time created_at;
};
void mailbox_clear(struct mailbox *m);
/* Add m (m->id written back). */
int store_mailbox_add(struct store *st, int64_t ws, struct mailbox *m,
		      struct kith_err *err);
/* The workspace's mailboxes by id. */
int store_mailbox_list(struct mailbox **out, size_t *n, struct store *st,
		       int64_t ws, struct kith_err *err);
/* KITH_ENOTFOUND (field "mailbox") when id is no mailbox of ws. */
int store_mailbox_get(struct mailbox *out, struct store *st, int64_t ws,
		      int64_t id, struct kith_err *err);
int store_mailbox_delete(struct store *st, int64_t ws, int64_t id,
			 struct kith_err *err);
/* Mailboxes of every workspace due at now, soonest first, at most
 * limit (the server's syncer). */
int store_mailbox_due(struct mailbox **out, size_t *n, struct store *st,
		      kith_time now, size_t limit, struct kith_err *err);
/* Write m's sync state (uidvalidity, last_uid, messages, last_sync,
 * last_error, next_sync, failures) to mailbox m->id of ws; an id that is
 * gone is no error. */
int store_mailbox_state(struct store *st, int64_t ws,
			const struct mailbox *m, struct kith_err *err);
void store_mailboxes_free(struct mailbox *m, size_t n);

/* Recompute every contact's summaries from history (after bulk loads).
 * The common failures only; stops at the first failing contact. */
int store_refresh_all(struct store *st, int64_t ws, kith_time now,
		      struct kith_err *err);
/* Update planner statistics (after bulk loads). KITH_EIO on any
 * failure. */
int store_analyze(struct store *st, struct kith_err *err);

/* ---- CardDAV: the address books' change log ----
 * Every write of a contact (or of a date, which its card shows, or of
 * its organization's name) is counted by triggers (migrations 11, 13):
 * the workspace's dav_seq grows by one per change, and the item changed
 * carries the count it got, which is its ETag. A workspace has address
 * book 0 (the default) and the ones clients made (dav_book); every
 * contact is in exactly one, book 0 unless a client PUT it elsewhere.
 * The common failures only, unless said.
 */
struct dav_item {
	int64_t contact_id;	/* the contact, or 0 for a raw card */
	int64_t card_id;	/* the raw card (dav_card), or 0 */
	char *href;		/* the name a client PUT it under, or NULL */
	char *uid;		/* the card's UID, or NULL */
	int64_t seq;		/* its last change (a tombstone: the delete) */
	bool gone;		/* a tombstone: deleted or renamed at seq */
	kith_time updated;	/* a contact's updated_at; else 0 */
};
/* The workspace's change count into *out (0 for a new workspace). */
int store_dav_seq(int64_t *out, struct store *st, int64_t ws,
		  struct kith_err *err);
/* Book book's sync token into *token (the highest count among its
 * cards, its tombstones, its creation and the floor) and the floor
 * into *floor: a token below it may have missed a pruned tombstone, or
 * is from a deleted book that had the same URL. */
int store_dav_book_seq(int64_t *token, int64_t *floor, struct store *st,
		       int64_t ws, int64_t book, struct kith_err *err);
/* An address book beyond the default one. */
struct dav_book {
	int64_t id;
	char *slug; /* its URL segment, decoded */
	char *name; /* displayname */
};
void dav_book_clear(struct dav_book *b);
void store_dav_books_free(struct dav_book *v, size_t n);
/* The workspace's books beyond the default, by id. */
int store_dav_books(struct dav_book **out, size_t *n, struct store *st,
		    int64_t ws, struct kith_err *err);
/* The book at slug; KITH_ENOTFOUND (field "book") when none. */
int store_dav_book_find(struct dav_book *out, struct store *st, int64_t ws,
			const char *slug, struct kith_err *err);
/* A new book; KITH_ECONFLICT when slug is taken. */
int store_dav_book_add(int64_t *id, struct store *st, int64_t ws,
		       const char *slug, const char *name,
		       struct kith_err *err);
int store_dav_book_rename(struct store *st, int64_t ws, int64_t id,
			  const char *name, struct kith_err *err);
/* Delete book id (not 0): its contacts and raw cards move to the default
 * book (a name taken there is dropped: the contact is served under its
 * UID's name, a raw card under kith-card-<id>.vcf) and its tombstones
 * go. Nothing is lost. KITH_ENOTFOUND. */
int store_dav_book_delete(struct store *st, int64_t ws, int64_t id,
			  struct kith_err *err);
/*
 * The items of the address book: since < 0, every live one (contacts
 * and raw cards, by id); since >= 0, the live ones changed after since
 * and the tombstones after since, all ordered by seq. *out freed with
 * store_dav_items_free; sets *out NULL and *n 0 first.
 */
int store_dav_list(struct dav_item **out, size_t *n, struct store *st,
		   int64_t ws, int64_t book, int64_t since,
		   struct kith_err *err);
void store_dav_items_free(struct dav_item *v, size_t n);
/*
 * The live item a resource name means: the contact whose stored href is
 * name; else the raw card at name; else (uid non-NULL) the lowest-id
 * contact without a stored href whose uid is uid; else (id non-zero)
 * contact id when it has neither a stored href nor a uid. *out released
 * with dav_item_clear. KITH_ENOTFOUND (field "href") when none.
 */
int store_dav_find(struct dav_item *out, struct store *st, int64_t ws,
		   int64_t book, const char *name, const char *uid, int64_t id,
		   struct kith_err *err);
/* The lowest-id contact of book (< 0: of any book) whose uid is uid,
 * whatever its href, into *out; KITH_ENOTFOUND (field "uid") when none. */
int store_dav_by_uid(struct dav_item *out, struct store *st, int64_t ws,
		     int64_t book, const char *uid, struct kith_err *err);
void dav_item_clear(struct dav_item *it);
/* Store href as contact id's resource name (NULL: none) in book. A new
 * name (or book) leaves a tombstone for the old one. KITH_ENOTFOUND
 * (field "contact"); KITH_ECONFLICT when another contact has that name. */
int store_dav_href_set(struct store *st, int64_t ws, int64_t book,
		       int64_t contact_id, const char *href,
		       struct kith_err *err);
/* Move contact_id into book under href: a tombstone in its old book
 * under its old name (a phone syncing that book learns it left), then
 * a new count in the new one. KITH_ENOTFOUND; KITH_ECONFLICT when the
 * name is taken there. */
int store_dav_book_move(struct store *st, int64_t ws, int64_t book,
			int64_t contact_id, const char *href,
			struct kith_err *err);
/* Insert the raw card at href of book, or replace its text; its id in
 * *id (may be NULL). */
int store_dav_card_put(int64_t *id, struct store *st, int64_t ws, int64_t book,
		       const char *href, const char *uid, const char *card,
		       struct kith_err *err);
/* Raw card id's text into *out (the caller frees); KITH_ENOTFOUND. */
int store_dav_card_get(char **out, struct store *st, int64_t ws, int64_t id,
		       struct kith_err *err);
/* Delete raw card id (a tombstone stays); KITH_ENOTFOUND. */
int store_dav_card_delete(struct store *st, int64_t ws, int64_t id,
			  struct kith_err *err);
/* Items and bytes of cards kept (quota-used-bytes), into *items and
 * *bytes. */
int store_dav_usage(int64_t *items, int64_t *bytes, struct store *st,
		    int64_t ws, struct kith_err *err);
/* Remove every date of contact_id whose kind is kind (a card that lost
 * its BDAY). */
int store_date_delete_kind(struct store *st, int64_t ws, int64_t contact_id,
			   const char *kind, struct kith_err *err);

/* ---- operations: backup, restore, checks (sqlite_ops.c) ----
 * These work on the whole file, every workspace at once: they are the
 * operator's, not a member's. */

/*
 * Copy the database, as of one moment, to path: SQLite's online backup
 * API reads one snapshot (a running server keeps writing meanwhile),
 * into path.tmp, which is fsynced and then renamed (force) or linked
 * (not force, so an existing path is never replaced) to path. The copy
 * is one self-contained file (rollback journal, not WAL), mode 0600.
 * KITH_ECONFLICT (field "FILE") when path exists and !force; KITH_EIO
 * naming the file for an unwritable folder, a full disk ("disk full")
 * or a failed fsync; a failed copy leaves no path.tmp behind.
 */
int store_backup(struct store *st, const char *path, bool force,
		 struct kith_err *err);
/*
 * Replace the whole database with the kith database at src_path. src
 * must pass integrity_check, hold kith's tables and have a schema
 * version this kith reads (else KITH_EINPUT, field "FILE"). It is
 * staged in <db>.restore and migrated there, then copied into the live
 * file in one write transaction (waiting, like any writer, for the lock
 * a server's write holds), so readers see the old book or the new one.
 * KITH_ECONFLICT (field "--force") when the live database holds any
 * contact, touchpoint or user and !force; KITH_EBUSY when the write
 * lock stays held.
 */
int store_restore(struct store *st, const char *src_path, bool force,
		  struct kith_err *err);
/* *empty: no contact, touchpoint or user in any workspace. */
int store_book_empty(bool *empty, struct store *st, struct kith_err *err);

/* One table store_copy wrote: its name and the rows copied. */
struct store_copy_table {
	char *name;
	int64_t rows;
};

/*
 * Copy the whole book of src, a SQLite store, into dst, a PostgreSQL
 * store that holds nothing yet (kith migrate --to): every table, every
 * workspace's rows with their ids, users, sessions, tokens, signals,
 * mail, CardDAV counts and tombstones, as they are. Both stores are
 * opened (so migrated) by store_open and must be at this kith's schema
 * version. The source is read in one snapshot, so a server writing it
 * meanwhile does no harm; the target is written in one transaction,
 * all or nothing, tables parent first (by their foreign keys), rows in
 * batches of prepared INSERTs. Its triggers are off for the copy (the
 * CardDAV ones would count the copy as new changes); then each id
 * sequence is set where SQLite would go on (past max(id), or the
 * AUTOINCREMENT high-water mark). Neither store may be in a transaction.
 *
 * On KITH_OK *out holds *n tables in the order copied, freed with
 * store_copy_tables_free; on error *out is NULL, *n 0 and nothing was
 * written. Adds KITH_EINPUT (field "source" or "target") when src is
 * not SQLite or dst not PostgreSQL; KITH_ECONFLICT (field "target")
 * when dst already holds a workspace or any row of a copied table;
 * KITH_EIO when the schemas' versions or a table's columns differ, or a
 * value will not go (a BLOB). O(rows), one round trip per 100 rows.
 */
int store_copy(struct store_copy_table **out, size_t *n, struct store *dst,
	       struct store *src, struct kith_err *err);
void store_copy_tables_free(struct store_copy_table *t, size_t n);

/*
 * Open path read-only for checking: no migrations, no pragmas, nothing
 * created. KITH_EIO (field "--db") when it does not exist or will not
 * open. Only the check calls below (and store_close) may use it.
 */
int store_open_check(struct store **out, const char *path,
		     struct kith_err *err);
/* PRAGMA user_version of the file as it is. */
int store_file_version(long *out, struct store *st, struct kith_err *err);
/* integrity_check's complaints, at most max; none (*n 0) when healthy.
 * *out freed with store_strings_free. KITH_EIO when the check itself
 * cannot run (a header or schema page too damaged to read). */
int store_integrity(char ***out, size_t *n, struct store *st, size_t max,
		    struct kith_err *err);

struct store_table_size {
	char *name;
	int64_t rows;		/* -1 when it could not be counted */
	int64_t bytes;		/* pages in use, -1 without dbstat */
};
/* Every table with its rows and bytes, by name; *out freed with
 * store_table_sizes_free. */
int store_table_sizes(struct store_table_size **out, size_t *n,
		      struct store *st, struct kith_err *err);
void store_table_sizes_free(struct store_table_size *v, size_t n);
/* Every value of table.column as text (NULL as ""), for the checks of
 * tables other modules own (mailboxes, notify targets). KITH_ENOTFOUND
 * when the table or column does not exist. *out freed with
 * store_strings_free. */
int store_text_column(char ***out, size_t *n, struct store *st,
		      const char *table, const char *column,
		      struct kith_err *err);
/* Notifications not yet sent after at least min_attempts tries, and the
 * newest one's last error (*last_error the caller's, may be NULL). */
int store_outbox_failing(int64_t *count, char **last_error, struct store *st,
			 int min_attempts, struct kith_err *err);
/*
 * Recompute every contact's summaries in a transaction that is rolled
 * back, and count the contacts whose stored summaries differ (*bad; the
 * first such id in *first_id). Needs a store from store_open (the write
 * lock for a moment); changes nothing.
 */
int store_summaries_check(int64_t *bad, int64_t *first_id, struct store *st,
			  struct kith_err *err);
/*
 * Each contact's kept lists (contact.lists, which a read of one contact
 * reads) against the list tables they are kept from (kith doctor): the
 * contacts that differ (*bad; the lowest such id in *first_id). 0 in a
 * consistent book. Reads the whole database.
 */
int store_lists_check(int64_t *bad, int64_t *first_id, struct store *st,
		      struct kith_err *err);
/*
 * The directory against the rows it names (kith doctor): *missing, the
 * workspace names, sign-in emails and credential hashes it lacks (or
 * holds for another workspace); *stale, its entries that name no row.
 * Both 0 in a consistent book. Reads the whole database.
 */
int store_directory_check(int64_t *missing, int64_t *stale, struct store *st,
			  struct kith_err *err);

/* What store_repair made again. */
struct store_repaired {
	int64_t summaries;	/* contacts whose summaries changed */
	int64_t lists;		/* contacts whose kept lists were rebuilt */
	int64_t directory;	/* directory entries missing or stale before */
};
/*
 * Make again what the book keeps derived from its own rows (kith doctor
 * --repair), in one transaction: every contact's summaries from its
 * history, each contact's kept lists from the list tables, and, when
 * store_directory_check finds it wrong, the directory from the
 * workspaces, users and credentials it names. What was right stays as
 * it is; *r counts what changed (all 0 on an error: nothing changed).
 */
int store_repair(struct store_repaired *r, struct store *st,
		 struct kith_err *err);

#endif
