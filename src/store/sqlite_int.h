/*
 * sqlite_int.h: what the rooms of the SQLite engine share, private to
 * src/store/ (the way sqliteInt.h or notmuch's database-private.h serve
 * their engines). store.h stays the only public face.
 *
 * The statement macros STMT, EXEC, STEP and PUSH expand to code that
 * uses three locals the calling function must declare, and a label:
 *   struct store *st      the connection (a parameter),
 *   struct kith_err *err  where a failure is described (a parameter),
 *   int rc                the status the function returns,
 *   done:                 the one cleanup label; on any failure the macro
 *                         sets rc (and err) and jumps there.
 * STMT(var, sql) sets var to the cached statement for the string
 * literal sql (reset, bindings cleared); EXEC(var, what) steps a
 * statement that returns no rows; STEP(var, more) steps once and sets
 * more to 1 for a row, 0 at the end; PUSH(arr, n, err) grows arr to
 * hold element n (rc = kith_err_nomem on failure) and zeroes arr[n]
 * for the caller to fill.
 */
#ifndef KITH_STORE_SQLITE_INT_H
#define KITH_STORE_SQLITE_INT_H

#include "store.h"
#include "migrate.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include "db.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STMT_CACHE 256
/* The WAL index header's first copy (12 words) and nBackfill (word 24),
 * from https://www.sqlite.org/walformat.html: the one format every
 * process sharing the database reads, whatever its SQLite version. */
#define WALIDX_WORDS 13

/* How sq_open_conn opens: as usual; with the WAL index in the
 * connection's memory (a full disk cannot grow the -shm file); or
 * read-only and immutable (a read-only mount, where nobody can write). */
enum sq_open_mode { SQ_OPEN_NORMAL, SQ_OPEN_EXCLUSIVE, SQ_OPEN_IMMUTABLE };

struct stmt_slot {
	const char *sql;	/* key: the address of a static string */
	db_stmt stmt;
};

struct store {
	sqlite3 *db;		/* the SQLite engine's connection, or NULL */
	struct pg_conn *pg;	/* the PostgreSQL engine's, or NULL */
	struct stmt_slot cache[STMT_CACHE];
	int in_tx;
	int read_owned;		/* store_read_begin opened a snapshot */
	/* Within a write transaction: does any signal wait? -1 unknown.
	 * The write lock keeps other writers out, so it stays true. */
	int open_signals;
	/* PostgreSQL: store_savepoint opened the transaction itself. */
	int savepoint_began;
	int savepoints;		/* how many "part"s are open */
	/* The last failure may pass if the action runs again in a fresh
	 * transaction (store_retryable); cleared by store_begin. */
	bool retryable;
	/* PostgreSQL: the workspace this unit of work writes to (0: not
	 * said, or all of them), and whether store_begin holds its writer
	 * lock (lock_writer). */
	int64_t tenant;
	bool writer_locked;
	int64_t last_id;	/* the last RETURNING id (exec_stmt) */
	/* PostgreSQL with Citus: a lookup by a directory key (a hash, an
	 * email) reads the directory first, so the row it names is read
	 * on its one shard. Elsewhere the global index answers at once. */
	bool sharded;
	db_stmt *sent;		/* store_token_user_send's, until recv */
	enum sq_open_mode mode;	/* how sq_open_conn opened st->db */
	/* A read snapshot kept open between requests (store_keep_reads):
	 * held while no request uses it; walidx is SQLite's own mapping of
	 * the WAL index, hdr its header and nBackfill as they were when the
	 * snapshot began (hdr_ok: read whole, no commit half-written). */
	bool keep_reads;
	bool held;
	bool hdr_ok;
	const volatile uint32_t *walidx;
	uint32_t hdr[WALIDX_WORDS];
	int64_t held_since;	/* CLOCK_MONOTONIC, ns */
	pthread_mutex_t use_lock;	/* store_enter .. store_leave */
};

/* Drop a kept read snapshot before anything else runs on the
 * connection (sqlite.c): outside store_read_begin/end every statement
 * must see the database as it is now, and a write must not land inside
 * the snapshot. */
void sq_hold_drop(struct store *st);

/* ---- plumbing ---- */

/*
 * The directory (migration 20): rows beside the ones they name, written
 * in the same transaction. sq_directory_ws: the workspace a directory
 * key names, by one of the SQL texts below; 0 when it names none.
 */
#define DIR_BY_HASH "SELECT workspace_id FROM directory_credential WHERE hash = ?"
#define DIR_BY_EMAIL "SELECT workspace_id FROM directory_login WHERE email = ?"
int sq_directory_ws(int64_t *ws, struct store *st, const char *sql,
		    const char *key, struct kith_err *err);
/* The statement of a lookup by a directory key (key bound as ?1 by the
 * caller): on a sharded store, pinned (its workspace, read from the
 * directory by dir_sql, bound here as ?ws_param); elsewhere global. NULL
 * with *rc set on failure. Both texts are static strings. */
db_stmt *sq_by_directory(int *rc, struct store *st, const char *dir_sql,
			 const char *key, const char *pinned,
			 const char *global, int ws_param,
			 struct kith_err *err);
/* A credential's hash (kind: session, token, hook, feed), user_id 0 for
 * none. A hash already there is KITH_ECONFLICT. */
int sq_directory_credential_add(struct store *st, const char *hash,
				const char *kind, int64_t ws, int64_t user_id,
				struct kith_err *err);
int sq_directory_credential_drop(struct store *st, const char *hash,
				 struct kith_err *err);

int sq_open_conn(struct store *st, const char *path, enum sq_open_mode mode,
		 struct kith_err *err);
/* Is the file system holding path mounted read-only? */
bool sq_mount_readonly(const char *path);
/* Append every statement db runs to $KITH_SQL_LOG, if set (sqlite.c). */
void sq_trace_conn(sqlite3 *db);

/* KITH_EFULL or KITH_EREADONLY with a message naming the database when
 * the last failure was a full disk or an unwritable database, else
 * KITH_OK (sqlite.c). */
int sq_fail_media(struct store *st, struct kith_err *err, const char *what);

/* The status and message for the connection's last failure (sqlite.c). */
int db_fail(struct store *st, struct kith_err *err, const char *what);

/* Rows changed by the last write; the id the last INSERT took. */
static inline int64_t db_changes(struct store *st)
{
	return st->db ? sqlite3_changes(st->db) : pg_changes(st->pg);
}

static inline int64_t db_last_id(struct store *st)
{
	return st->last_id;
}

/*
 * An INSERT that gives its row an id: `head`, the id, `tail`. The id is
 * the one bound at `given` if not NULL (a restore keeps its ids), else
 * one past the highest of the workspace bound at `ws`: ids are unique
 * per workspace (migration 19), so this reads one key on one workspace's
 * shard, and writers to a workspace take turns (BEGIN IMMEDIATE; on
 * PostgreSQL the workspace's advisory lock, lock_writer), so two never
 * take the same id. SQLite computes it in the statement (NEW_ID); on
 * PostgreSQL the kith_id trigger does (migration 19), because Citus
 * takes no sub-select in an INSERT and runs the trigger on the shard the
 * row lands on. The statement ends RETURNING id, which exec_stmt keeps
 * for db_last_id.
 */
#define NEW_ID(table, given, ws)                                             \
	"coalesce(" given ", (SELECT coalesce(max(id), 0) + 1 FROM " table   \
	" WHERE workspace_id = " ws "))"
#define ID_SQL(st, head, table, given, ws, tail)                             \
	db_sql((st), head NEW_ID(table, given, ws) tail, head given tail)

/* The same two texts, kept for a statement built elsewhere (row_add). */
struct id_sql {
	const char *sq, *pg;
};
#define ID_SQL_PAIR(head, table, given, ws, tail)                            \
	{ head NEW_ID(table, given, ws) tail, head given tail }

/* A constant's value as SQL text: LIMIT " SQL_INT(STORE_DUE_PAGE) ". */
#define SQL_INT_(x) #x
#define SQL_INT(x) SQL_INT_(x)

/* sql as written, or for PostgreSQL the text written for it, where the
 * dialects cannot meet. Both are string literals (the cache's key). */
static inline const char *db_sql(struct store *st, const char *sqlite_sql,
				 const char *pg_sql)
{
	return st->db ? sqlite_sql : pg_sql;
}

/* An uncached statement, finalized by the caller (db_finalize). */
int db_prepare(db_stmt *out, struct store *st, const char *sql,
	       struct kith_err *err);
void db_finalize(db_stmt *s);
/* How many parameters the statement takes. */
int db_param_count(db_stmt *s);

/*
 * The prepared statement for sql, reset and with bindings cleared. sql
 * must be a string literal: the cache is keyed by its address, so a
 * lookup costs a hash of a pointer, not of the text.
 */
static inline db_stmt *stmt_get(struct store *st, const char *sql,
				struct kith_err *err)
{
	size_t h = ((uintptr_t)sql >> 3) % STMT_CACHE;

	if (st->held)
		sq_hold_drop(st);
	for (size_t i = 0; i < STMT_CACHE; i++) {
		struct stmt_slot *s = &st->cache[(h + i) % STMT_CACHE];

		if (s->sql == sql) {
			if (s->stmt.sq) {
				sqlite3_reset(s->stmt.sq);
				sqlite3_clear_bindings(s->stmt.sq);
			} else {
				pg_reset(s->stmt.pg);
			}
			return &s->stmt;
		}
		if (!s->sql) {
			if (st->db) {
				if (sqlite3_prepare_v3(st->db, sql, -1,
						       SQLITE_PREPARE_PERSISTENT,
						       &s->stmt.sq,
						       NULL) != SQLITE_OK) {
					db_fail(st, err, "prepare");
					s->stmt.sq = NULL;
					return NULL;
				}
			} else if (!(s->stmt.pg = pg_prepare(st->pg, sql))) {
				db_fail(st, err, "prepare");
				return NULL;
			}
			s->sql = sql;
			return &s->stmt;
		}
	}
	kith_err_set(err, KITH_EIO, NULL, "statement cache full");
	return NULL;
}

static inline void bind_text(db_stmt *s, int i, const char *v)
{
	db_bind_text(s, i, v);
}

/* NULL for the "none" sentinels, so SQL sees absence as NULL. */
static inline void bind_time(db_stmt *s, int i, kith_time t)
{
	if (t == KITH_NO_TIME)
		db_bind_null(s, i);
	else
		db_bind_int64(s, i, t);
}

static inline void bind_day(db_stmt *s, int i, int32_t d)
{
	if (d == KITH_NO_DAY)
		db_bind_null(s, i);
	else
		db_bind_int(s, i, d);
}

static inline void bind_id(db_stmt *s, int i, int64_t id)
{
	if (id)
		db_bind_int64(s, i, id);
	else
		db_bind_null(s, i);
}

static inline kith_time col_time(db_stmt *s, int i)
{
	return db_column_null(s, i) ? KITH_NO_TIME : db_column_int64(s, i);
}

static inline int32_t col_day(db_stmt *s, int i)
{
	return db_column_null(s, i) ? KITH_NO_DAY : db_column_int(s, i);
}

static inline char *col_str(db_stmt *s, int i)
{
	const char *t = db_column_text(s, i);

	return t ? strdup(t) : NULL;
}

/* Step a statement that returns no rows. */
static inline int exec_stmt(struct store *st, db_stmt *s, struct kith_err *err,
		     const char *what)
{
	int rc;

	/* A write inside a read snapshot (store_read_begin) fails at once
	 * whenever another writer committed since the snapshot began
	 * (SQLITE_BUSY_SNAPSHOT: no busy wait can help), so it works in a
	 * quiet test and fails under load. Refuse it every time instead:
	 * the caller must take the write lock first (api_lock). */
	if (st->read_owned && s->sq && !sqlite3_stmt_readonly(s->sq))
		return kith_err_set(err, KITH_EIO, NULL,
				    "internal: %s inside a read snapshot",
				    what);
	rc = db_step(s);

	/* INSERT ... RETURNING id: the row says (SQLite's rowid is not
	 * the id since migration 19). */
	if (rc == DB_ROW)
		st->last_id = db_column_int64(s, 0);
	if (rc == DB_FAIL) {
		/* Reset after reading the message: a statement left active
		 * keeps its transaction from ever committing (review H1). */
		rc = db_fail(st, err, what);
		db_reset(s);
		return rc;
	}
	db_reset(s);
	return KITH_OK;
}

/* Grow a caller-owned array by one element; NULL on no memory. */
static inline void *grow(void *arr, size_t n, size_t size)
{
	/* Doubling at powers of two keeps appends amortised O(1). */
	if (n && (n & (n - 1)))
		return arr;
	return realloc(arr, (n ? n * 2 : 4) * size);
}

#define PUSH(arr, n, err)                                                    \
	do {                                                                 \
		void *g_ = grow((arr), (n), sizeof(*(arr)));                 \
		if (!g_) {                                                   \
			rc = kith_err_nomem(err);                            \
			goto done;                                           \
		}                                                            \
		(arr) = g_;                                                  \
		memset(&(arr)[(n)], 0, sizeof(*(arr)));                      \
	} while (0)

#define STMT(var, sql)                                                       \
	do {                                                                 \
		(var) = stmt_get(st, (sql), err);                            \
		if (!(var)) {                                                \
			rc = KITH_EIO;                                       \
			goto done;                                           \
		}                                                            \
	} while (0)

#define EXEC(var, what)                                                      \
	do {                                                                 \
		rc = exec_stmt(st, (var), err, (what));                      \
		if (rc)                                                      \
			goto done;                                           \
	} while (0)

/* Step one row; rc is KITH_OK with more set to 1/0, or an error. */
#define STEP(var, more)                                                      \
	do {                                                                 \
		int s_ = db_step(var);                                       \
		if (s_ == DB_ROW) {                                          \
			(more) = 1;                                          \
		} else if (s_ == DB_DONE) {                                  \
			(more) = 0;                                          \
		} else {                                                     \
			rc = db_fail(st, err, "read");                       \
			db_reset(var);                                       \
			goto done;                                           \
		}                                                            \
	} while (0)

struct summary {
	int eff_every, eff_meet;
	kith_time created_at, last_touch, last_in_person;
};

#define USER_COLS "id, workspace_id, email, name, role, password_hash, tz," \
		  " created_at, focus_until, digest_day"

/* ---- internals shared between rooms ---- */

int sq_exec_sql(struct store *st, const char *sql, struct kith_err *err);
int sq_contact_refresh(struct store *st, int64_t ws, int64_t id,
			   struct kith_err *err);
int sq_touch_summary(struct store *st, int64_t ws, int64_t id,
			 kith_time at, bool in_person, struct kith_err *err);
int sq_org_check(struct store *st, int64_t ws, int64_t org,
		     struct kith_err *err);
/* Workspace ws's contacts whose kept lists differ from their tables,
 * rebuilt (*fixed of them). */
int sq_lists_repair(int64_t *fixed, struct store *st, int64_t ws,
		    struct kith_err *err);
int sq_collect_ids(int64_t **ids, size_t *n, struct store *st, db_stmt *s,
		   int64_t exclude, struct kith_err *err);
int sq_contact_exists(struct store *st, int64_t ws, int64_t id,
			  struct kith_err *err);
void sq_user_read(db_stmt *s, struct user *u);

/*
 * A set of ids as one bound parameter, so a page of contacts costs one
 * statement rather than one a contact: a JSON array that SQLite's
 * json_each hands to IN, an array literal for PostgreSQL's ANY. Write
 * the test with IDS_IN_SQ/IDS_IN_PG (the ids are parameter ?1) and pick
 * with db_sql. NULL on no memory; the caller frees it.
 */
char *sq_ids_param(struct store *st, const int64_t *ids, size_t n);
#define IDS_IN_SQ(col) " " col " IN (SELECT value FROM json_each(?1))"
#define IDS_IN_PG(col) " " col " = ANY (CAST(?1 AS BIGINT[]))"

#endif
