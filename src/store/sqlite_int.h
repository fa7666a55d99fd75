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
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STMT_CACHE 256

struct stmt_slot {
	const char *sql;	/* key: the address of a static string */
	sqlite3_stmt *stmt;
};

struct store {
	sqlite3 *db;
	struct stmt_slot cache[STMT_CACHE];
	int in_tx;
	int read_owned;		/* store_read_begin opened a snapshot */
	/* Within a write transaction: does any signal wait? -1 unknown.
	 * The write lock keeps other writers out, so it stays true. */
	int open_signals;
};

/* ---- plumbing ---- */

/* How sq_open_conn opens: as usual; with the WAL index in the
 * connection's memory (a full disk cannot grow the -shm file); or
 * read-only and immutable (a read-only mount, where nobody can write). */
enum sq_open_mode { SQ_OPEN_NORMAL, SQ_OPEN_EXCLUSIVE, SQ_OPEN_IMMUTABLE };
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

static inline int db_fail(struct store *st, struct kith_err *err, const char *what)
{
	int code = sqlite3_extended_errcode(st->db);
	int media = sq_fail_media(st, err, what);

	if (media)
		return media;
	if ((code & 0xff) == SQLITE_CONSTRAINT)
		return kith_err_set(err, KITH_ECONFLICT, NULL, "%s: %s", what,
				    sqlite3_errmsg(st->db));
	if ((code & 0xff) == SQLITE_BUSY)
		return kith_err_set(err, KITH_EBUSY, NULL,
				    "database: %s: busy (another writer holds "
				    "the lock); try again",
				    what);
	return kith_err_set(err, KITH_EIO, NULL, "database: %s: %s", what,
			    sqlite3_errmsg(st->db));
}

/*
 * The prepared statement for sql, reset and with bindings cleared. sql
 * must be a string literal: the cache is keyed by its address, so a
 * lookup costs a hash of a pointer, not of the text.
 */
static inline sqlite3_stmt *stmt_get(struct store *st, const char *sql,
			      struct kith_err *err)
{
	size_t h = ((uintptr_t)sql >> 3) % STMT_CACHE;

	for (size_t i = 0; i < STMT_CACHE; i++) {
		struct stmt_slot *s = &st->cache[(h + i) % STMT_CACHE];

		if (s->sql == sql) {
			sqlite3_reset(s->stmt);
			sqlite3_clear_bindings(s->stmt);
			return s->stmt;
		}
		if (!s->sql) {
			if (sqlite3_prepare_v3(st->db, sql, -1,
					       SQLITE_PREPARE_PERSISTENT,
					       &s->stmt, NULL) != SQLITE_OK) {
				db_fail(st, err, "prepare");
				s->stmt = NULL;
				return NULL;
			}
			s->sql = sql;
			return s->stmt;
		}
	}
	kith_err_set(err, KITH_EIO, NULL, "statement cache full");
	return NULL;
}

static inline void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* NULL for the "none" sentinels, so SQL sees absence as NULL. */
static inline void bind_time(sqlite3_stmt *s, int i, kith_time t)
{
	if (t == KITH_NO_TIME)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int64(s, i, t);
}

static inline void bind_day(sqlite3_stmt *s, int i, int32_t d)
{
	if (d == KITH_NO_DAY)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int(s, i, d);
}

static inline void bind_id(sqlite3_stmt *s, int i, int64_t id)
{
	if (id)
		sqlite3_bind_int64(s, i, id);
	else
		sqlite3_bind_null(s, i);
}

static inline kith_time col_time(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL
		       ? KITH_NO_TIME
		       : sqlite3_column_int64(s, i);
}

static inline int32_t col_day(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL
		       ? KITH_NO_DAY
		       : sqlite3_column_int(s, i);
}

static inline char *col_str(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? strdup((const char *)t) : NULL;
}

/* Step a statement that returns no rows. */
static inline int exec_stmt(struct store *st, sqlite3_stmt *s, struct kith_err *err,
		     const char *what)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		/* Reset after reading the message: a statement left active
		 * keeps its transaction from ever committing (review H1). */
		rc = db_fail(st, err, what);
		sqlite3_reset(s);
		return rc;
	}
	sqlite3_reset(s);
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
		int s_ = sqlite3_step(var);                                  \
		if (s_ == SQLITE_ROW) {                                      \
			(more) = 1;                                          \
		} else if (s_ == SQLITE_DONE) {                              \
			(more) = 0;                                          \
		} else {                                                     \
			rc = db_fail(st, err, "read");                       \
			sqlite3_reset(var);                                  \
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
int sq_collect_ids(int64_t **ids, size_t *n, struct store *st, sqlite3_stmt *s,
		   int64_t exclude, struct kith_err *err);
int sq_contact_exists(struct store *st, int64_t ws, int64_t id,
			  struct kith_err *err);
void sq_user_read(sqlite3_stmt *s, struct user *u);

#endif
