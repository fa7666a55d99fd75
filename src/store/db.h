/*
 * db.h: one prepared-statement interface over the store's two engines,
 * private to src/store/. The rooms (sqlite_*.c) bind, step and read
 * columns through these calls; a statement is SQLite's or libpq's and
 * the call goes to the one it is. SQLite stays the fast path: each call
 * is one predictable branch before the sqlite3_ call it was.
 *
 * The SQL the rooms write runs on both engines: `?` placeholders (the
 * PostgreSQL side numbers them $1, $2...), "user" quoted, ON CONFLICT
 * rather than INSERT OR, COLLATE NOCASE (a nondeterministic ICU
 * collation named nocase on PostgreSQL). Where the dialects cannot
 * meet, a room picks the text by engine (db_sql()).
 *
 * Integers are int64 on both engines (PostgreSQL columns are BIGINT).
 * db_column_text's pointer is valid until the next step or reset of
 * the statement, as with SQLite.
 */
#ifndef KITH_STORE_DB_H
#define KITH_STORE_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

struct kith_err;
struct pg_conn;
struct pg_stmt;

/* What db_step returns: a row, the end, or a failure (the connection's
 * error says which). The first two equal SQLite's codes. */
#define DB_ROW SQLITE_ROW
#define DB_DONE SQLITE_DONE
#define DB_FAIL SQLITE_ERROR

typedef struct db_stmt {
	sqlite3_stmt *sq;	/* the SQLite statement, or NULL */
	struct pg_stmt *pg;	/* the PostgreSQL one, or NULL */
} db_stmt;

/* ---- the PostgreSQL engine (db_pg.c) ---- */

/* Is path a PostgreSQL connection URL (postgresql:// or postgres://)? */
bool pg_is_url(const char *path);
/* Connect; KITH_EIO with libpq's message (the password never shown). */
int pg_open(struct pg_conn **out, const char *url, struct kith_err *err);
void pg_close(struct pg_conn *c);
/* Run one or more statements without parameters (DDL, BEGIN...); on
 * failure the connection's error is set and DB_FAIL returned. */
int pg_exec(struct pg_conn *c, const char *sql);
/* sql with SQLite's placeholders (?, ?N) numbered as PostgreSQL's $N,
 * the way SQLite numbers them; quoted text, identifiers and comments
 * untouched. *nparams is the highest number. A new string, or NULL. */
char *pg_translate(const char *sql, int *nparams);
/* A prepared statement for sql (with `?` placeholders); NULL on
 * failure, the connection's error set. */
struct pg_stmt *pg_prepare(struct pg_conn *c, const char *sql);
void pg_finalize(struct pg_stmt *s);
/* How many parameters it takes ($n, the highest n). */
int pg_param_count(struct pg_stmt *s);
/* Drop the result and the bindings. */
void pg_reset(struct pg_stmt *s);
void pg_bind_int64(struct pg_stmt *s, int i, int64_t v);
void pg_bind_text(struct pg_stmt *s, int i, const char *v);
void pg_bind_null(struct pg_stmt *s, int i);
/* The first step runs the statement; each step then yields one row. */
int pg_step(struct pg_stmt *s);
/* Send s ahead: it goes out with the next statement the connection
 * runs, or when a statement sent ahead is stepped, and the answers of
 * all of them (up to eight sent ahead) come back in one round trip.
 * Runs nothing when s cannot be pipelined (not yet prepared, inside a
 * transaction, eight waiting): it then runs when stepped. A failure
 * is the failing statement's; those after it in the round trip run
 * again on their own when stepped. */
int pg_send(struct pg_stmt *s);
int64_t pg_column_int64(struct pg_stmt *s, int i);
const char *pg_column_text(struct pg_stmt *s, int i);
bool pg_column_null(struct pg_stmt *s, int i);
/* Rows changed by the connection's last INSERT, UPDATE or DELETE. */
int64_t pg_changes(struct pg_conn *c);
/* The last failure: message, SQLSTATE ("" when none). */
const char *pg_errmsg(struct pg_conn *c);
const char *pg_sqlstate(struct pg_conn *c);
/* Is a transaction open (or failed, or lost with the connection, and
 * not yet rolled back)? */
bool pg_in_transaction(struct pg_conn *c);
/* Append a statement the PostgreSQL engine runs to $KITH_SQL_LOG, as
 * SQLite's trace does for its own (sqlite.c); a no-op without it. */
void db_sql_log(const char *sql);
/* Is the session gone (and with it its session-level locks)? */
bool pg_session_lost(struct pg_conn *c);
/* End the transaction, if any: ROLLBACK, or for one lost with the
 * connection, forget it (the next statement connects again). */
int pg_rollback(struct pg_conn *c);

/* ---- statements, either engine ---- */

static inline void db_bind_int64(db_stmt *s, int i, int64_t v)
{
	if (s->sq)
		sqlite3_bind_int64(s->sq, i, v);
	else
		pg_bind_int64(s->pg, i, v);
}

static inline void db_bind_int(db_stmt *s, int i, int v)
{
	db_bind_int64(s, i, v);
}

static inline void db_bind_null(db_stmt *s, int i)
{
	if (s->sq)
		sqlite3_bind_null(s->sq, i);
	else
		pg_bind_null(s->pg, i);
}

/* v is copied; NULL binds NULL. */
static inline void db_bind_text(db_stmt *s, int i, const char *v)
{
	if (!v)
		db_bind_null(s, i);
	else if (s->sq)
		sqlite3_bind_text(s->sq, i, v, -1, SQLITE_TRANSIENT);
	else
		pg_bind_text(s->pg, i, v);
}

static inline int db_step(db_stmt *s)
{
	int rc;

	if (!s->sq)
		return pg_step(s->pg);
	rc = sqlite3_step(s->sq);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? rc : DB_FAIL;
}

/* A statement bound and sent ahead of its stepping (pg_send); SQLite
 * runs it when stepped. */
static inline void db_send(db_stmt *s)
{
	if (!s->sq)
		pg_send(s->pg);
}

static inline void db_reset(db_stmt *s)
{
	if (s->sq)
		sqlite3_reset(s->sq);
	else
		pg_reset(s->pg);
}

static inline int64_t db_column_int64(db_stmt *s, int i)
{
	return s->sq ? sqlite3_column_int64(s->sq, i)
		     : pg_column_int64(s->pg, i);
}

static inline int db_column_int(db_stmt *s, int i)
{
	return (int)db_column_int64(s, i);
}

static inline const char *db_column_text(db_stmt *s, int i)
{
	return s->sq ? (const char *)sqlite3_column_text(s->sq, i)
		     : pg_column_text(s->pg, i);
}

static inline bool db_column_null(db_stmt *s, int i)
{
	return s->sq ? sqlite3_column_type(s->sq, i) == SQLITE_NULL
		     : pg_column_null(s->pg, i);
}

#endif
