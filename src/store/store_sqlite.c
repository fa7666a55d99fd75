/*
 * store_sqlite.c: the SQLite engine of store.h. WAL, foreign keys on,
 * prepared statements only (cached per connection), one transaction per
 * user action. Summaries on the contact row are refreshed in the same
 * transaction as the write that changes them.
 */
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

static int db_fail(struct store *st, struct kith_err *err, const char *what)
{
	int code = sqlite3_extended_errcode(st->db);

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
static sqlite3_stmt *stmt_get(struct store *st, const char *sql,
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

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* NULL for the "none" sentinels, so SQL sees absence as NULL. */
static void bind_time(sqlite3_stmt *s, int i, kith_time t)
{
	if (t == KITH_NO_TIME)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int64(s, i, t);
}

static void bind_day(sqlite3_stmt *s, int i, int32_t d)
{
	if (d == KITH_NO_DAY)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int(s, i, d);
}

static void bind_id(sqlite3_stmt *s, int i, int64_t id)
{
	if (id)
		sqlite3_bind_int64(s, i, id);
	else
		sqlite3_bind_null(s, i);
}

static kith_time col_time(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL
		       ? KITH_NO_TIME
		       : sqlite3_column_int64(s, i);
}

static int32_t col_day(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL
		       ? KITH_NO_DAY
		       : sqlite3_column_int(s, i);
}

static char *col_str(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? strdup((const char *)t) : NULL;
}

/* Step a statement that returns no rows. */
static int exec_stmt(struct store *st, sqlite3_stmt *s, struct kith_err *err,
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

/* Reset every statement of the connection that is still stepping, the
 * uncached ones too. A busy statement makes COMMIT fail ("statements in
 * progress") and pins a read snapshot. */
static void stmts_reset(struct store *st)
{
	sqlite3_stmt *s = NULL;

	while ((s = sqlite3_next_stmt(st->db, s)))
		if (sqlite3_stmt_busy(s))
			sqlite3_reset(s);
}

/* Is a transaction open on the connection, read or write? */
static bool txn_open(struct store *st)
{
	return !sqlite3_get_autocommit(st->db) ||
	       sqlite3_txn_state(st->db, NULL) != SQLITE_TXN_NONE;
}

/*
 * The LIKE pattern "contains q": q's own %, _ and \ escaped with \, for
 * LIKE ... ESCAPE '\'. Without it q=% or q=_ matched every contact.
 * Caller frees; NULL on no memory.
 */
static char *like_contains(const char *q)
{
	char *out = malloc(strlen(q) * 2 + 3), *o = out;

	if (!out)
		return NULL;
	*o++ = '%';
	for (; *q; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			*o++ = '\\';
		*o++ = *q;
	}
	*o++ = '%';
	*o = '\0';
	return out;
}

static int exec_sql(struct store *st, const char *sql, struct kith_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		kith_err_set(err, KITH_EIO, NULL, "database: %s",
			     msg ? msg : "exec failed");
		sqlite3_free(msg);
		return KITH_EIO;
	}
	return KITH_OK;
}

/* Grow a caller-owned array by one element; NULL on no memory. */
static void *grow(void *arr, size_t n, size_t size)
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
			goto fail;                                           \
		}                                                            \
		(arr) = g_;                                                  \
		memset(&(arr)[(n)], 0, sizeof(*(arr)));                      \
	} while (0)

/* ---- open, close, transactions ---- */

static int mkdir_parents(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

static int run_migrations(struct store *st, struct kith_err *err)
{
	sqlite3_stmt *s;
	int version = 0, rc;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL))
		return db_fail(st, err, "schema version");
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if ((size_t)version > migrate_count())
		return kith_err_set(err, KITH_EIO, NULL,
				    "database schema %d is newer than this "
				    "kith (%zu); upgrade kith",
				    version, migrate_count());
	for (size_t v = (size_t)version + 1; v <= migrate_count(); v++) {
		char pragma[64];

		rc = exec_sql(st, "BEGIN IMMEDIATE", err);
		if (rc)
			return rc;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %zu",
			 v);
		rc = exec_sql(st, migrate_sql(v), err);
		if (!rc)
			rc = exec_sql(st, pragma, err);
		if (!rc)
			rc = exec_sql(st, "COMMIT", err);
		if (rc) {
			exec_sql(st, "ROLLBACK", NULL);
			return rc;
		}
	}
	return KITH_OK;
}

/* kith_due(cadence code, anchor): the due time the C side computes, so
 * SQL and C agree on calendar months. NULL for no cadence. */
static void sql_kith_due(sqlite3_context *cx, int argc, sqlite3_value **v)
{
	int code = sqlite3_value_int(v[0]);

	(void)argc;
	if (code == 0 || sqlite3_value_type(v[1]) == SQLITE_NULL) {
		sqlite3_result_null(cx);
		return;
	}
	sqlite3_result_int64(cx,
			     kith_cadence_due(kith_cadence_decode(code),
					      sqlite3_value_int64(v[1])));
}

static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

/* Before SQLite initialises: no global allocation statistics. Keeping
 * them takes one process-wide mutex per allocation, which the server's
 * threads were measured fighting over (futex on every request). */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(struct store **out, const char *path, struct kith_err *err)
{
	struct store *st;
	int rc;

	pthread_once(&sqlite_once, sqlite_setup);
	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return kith_err_nomem(err);
	if (strcmp(path, ":memory:") && mkdir_parents(path)) {
		rc = kith_err_set(err, KITH_EIO, "--db",
				  "cannot create the folder of %s: %s", path,
				  strerror(errno));
		goto fail;
	}
	/* The file holds every tenant's data, password and token hashes
	 * and webhook secrets: create it 0600 before SQLite does (it would
	 * use 0644 less the umask). SQLite gives the -wal and -shm files
	 * the mode of the database file. An existing file keeps its mode.
	 * O_EXCL matters: close() on a file this process already has open
	 * drops every POSIX lock SQLite holds on it (the server's other
	 * connections), so only a file just created here is closed. */
	if (strcmp(path, ":memory:")) {
		int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
			      0600);

		if (fd >= 0)
			close(fd);
	}
	if (sqlite3_open_v2(path, &st->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		rc = kith_err_set(err, KITH_EIO, "--db", "cannot open %s: %s",
				  path,
				  st->db ? sqlite3_errmsg(st->db) : "no memory");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 5000);
	/* NORMAL is durable in WAL mode up to the last checkpointed commit
	 * and keeps the database consistent after a crash at any point;
	 * FULL costs an fsync per transaction. Acknowledged writes must
	 * survive a killed process (not a power cut), which NORMAL gives. */
	rc = exec_sql(st,
		      "PRAGMA journal_mode=WAL;"
		      "PRAGMA synchronous=NORMAL;"
		      "PRAGMA foreign_keys=ON;"
		      "PRAGMA temp_store=MEMORY;"
		      "PRAGMA cache_size=-65536;",
		      err);
	if (rc)
		goto fail;
	if (sqlite3_create_function(st->db, "kith_due", 2,
				    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				    sql_kith_due, NULL, NULL) != SQLITE_OK) {
		rc = db_fail(st, err, "register kith_due");
		goto fail;
	}
	rc = run_migrations(st, err);
	if (rc)
		goto fail;
	*out = st;
	return KITH_OK;
fail:
	store_close(st);
	return rc;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < STMT_CACHE; i++)
		if (st->cache[i].stmt)
			sqlite3_finalize(st->cache[i].stmt);
	/* No PRAGMA optimize here: it would rewrite statistics on every
	 * run, so even a failed command would change the file. */
	if (st->db)
		sqlite3_close(st->db);
	free(st);
}

int store_schema_version(struct store *st)
{
	(void)st;
	return (int)migrate_count();
}

int store_begin(struct store *st, struct kith_err *err)
{
	sqlite3_stmt *s = stmt_get(st, "BEGIN IMMEDIATE", err);
	int rc;

	if (!s)
		return err ? err->status : KITH_EIO;
	rc = exec_stmt(st, s, err, "begin");
	if (rc)
		return rc;
	st->in_tx = 1;
	st->open_signals = -1;
	return KITH_OK;
}

int store_commit(struct store *st, struct kith_err *err)
{
	sqlite3_stmt *s = stmt_get(st, "COMMIT", err);
	int rc;

	if (!s) {
		store_rollback(st);
		return err ? err->status : KITH_EIO;
	}
	/* A statement still stepping would make COMMIT fail. */
	stmts_reset(st);
	rc = exec_stmt(st, s, err, "commit");
	if (rc) {
		store_rollback(st);
		return rc == KITH_EBUSY ? rc : KITH_EIO;
	}
	st->in_tx = 0;
	return KITH_OK;
}

/*
 * ROLLBACK cannot fail for statements in progress (SQLite aborts them),
 * but it can fail on I/O; then the connection is not trusted to be idle
 * and the next store_settle tries again and reports it.
 */
void store_rollback(struct store *st)
{
	stmts_reset(st);
	if (!sqlite3_get_autocommit(st->db) &&
	    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
		fprintf(stderr, "kith: database: rollback: %s\n",
			sqlite3_errmsg(st->db));
	st->in_tx = 0;
	st->read_owned = 0;
}

int store_settle(struct store *st, struct kith_err *err)
{
	bool open;

	stmts_reset(st);
	open = txn_open(st);
	if (open)
		store_rollback(st);
	st->in_tx = 0;
	st->read_owned = 0;
	st->open_signals = -1;
	if (!open)
		return KITH_OK;
	if (txn_open(st))
		return kith_err_set(err, KITH_EIO, NULL,
				    "database: a transaction was left open "
				    "and cannot be rolled back: %s",
				    sqlite3_errmsg(st->db));
	return kith_err_set(err, KITH_EIO, NULL,
			    "database: a transaction was left open; "
			    "rolled back");
}

int store_savepoint(struct store *st, struct kith_err *err)
{
	return exec_sql(st, "SAVEPOINT part", err);
}

void store_savepoint_undo(struct store *st)
{
	sqlite3_exec(st->db, "ROLLBACK TO part; RELEASE part", NULL, NULL,
		     NULL);
}

void store_savepoint_release(struct store *st)
{
	sqlite3_exec(st->db, "RELEASE part", NULL, NULL, NULL);
}

bool store_in_transaction(struct store *st)
{
	return !sqlite3_get_autocommit(st->db);
}

void store_read_begin(struct store *st)
{
	if (sqlite3_get_autocommit(st->db) &&
	    sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK)
		st->read_owned = 1;
}

void store_read_end(struct store *st)
{
	if (st->read_owned) {
		/* A snapshot that stays open would serve stale rows to every
		 * later read on this connection (review H1): make sure it
		 * ends, by ROLLBACK if COMMIT will not. */
		stmts_reset(st);
		if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) !=
		    SQLITE_OK)
			store_rollback(st);
	}
	st->read_owned = 0;
}

#define STMT(var, sql)                                                       \
	do {                                                                 \
		(var) = stmt_get(st, (sql), err);                            \
		if (!(var)) {                                                \
			rc = KITH_EIO;                                       \
			goto fail;                                           \
		}                                                            \
	} while (0)

#define EXEC(var, what)                                                      \
	do {                                                                 \
		rc = exec_stmt(st, (var), err, (what));                      \
		if (rc)                                                      \
			goto fail;                                           \
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
			goto fail;                                           \
		}                                                            \
	} while (0)

/* ---- workspaces ---- */

void workspace_clear(struct workspace *w)
{
	if (!w)
		return;
	free(w->name);
	free(w->tz);
	memset(w, 0, sizeof(*w));
}

void store_workspaces_free(struct workspace *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		workspace_clear(&w[i]);
	free(w);
}

/* Starting cadences: a new workspace works before anyone configures it. */
static const struct {
	const char *scope, *key;
	int every, meet;
} default_rules[] = {
	{ "default", "", 90, 0 },
	{ "tier", "A", 30, 90 },
	{ "tier", "B", 60, 180 },
	{ "tier", "C", 120, 0 },
};

int store_workspace_create(struct store *st, const char *name, kith_time now,
			   int64_t *id, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "INSERT INTO workspace(name, created_at) VALUES (?, ?)");
	bind_text(s, 1, name);
	sqlite3_bind_int64(s, 2, now);
	EXEC(s, "create workspace");
	*id = sqlite3_last_insert_rowid(st->db);
	for (size_t i = 0; i < sizeof(default_rules) / sizeof(*default_rules);
	     i++) {
		STMT(s, "INSERT INTO cadence_rule(workspace_id, scope, key,"
			" every, meet) VALUES (?, ?, ?, ?, ?)");
		sqlite3_bind_int64(s, 1, *id);
		bind_text(s, 2, default_rules[i].scope);
		bind_text(s, 3, default_rules[i].key);
		sqlite3_bind_int(s, 4, default_rules[i].every);
		sqlite3_bind_int(s, 5, default_rules[i].meet);
		EXEC(s, "create workspace");
	}
	return KITH_OK;
fail:
	return rc;
}

static void workspace_read(sqlite3_stmt *s, struct workspace *w)
{
	w->id = sqlite3_column_int64(s, 0);
	w->name = col_str(s, 1);
	w->tz = col_str(s, 2);
	w->work_start_min = sqlite3_column_int(s, 3);
	w->work_end_min = sqlite3_column_int(s, 4);
	w->response_target_min = sqlite3_column_int(s, 5);
	w->created_at = sqlite3_column_int64(s, 6);
}

int store_workspace_list(struct store *st, struct workspace **out, size_t *n,
			 struct kith_err *err)
{
	struct workspace *w = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT id, name, tz, work_start, work_end, response_target,"
		" created_at FROM workspace ORDER BY id");
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(w, cnt, err);
		workspace_read(s, &w[cnt++]);
	}
	*out = w;
	*n = cnt;
	return KITH_OK;
fail:
	store_workspaces_free(w, cnt);
	return rc;
}

int store_workspace_get(struct store *st, int64_t ws, struct workspace *out,
			struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT id, name, tz, work_start, work_end, response_target,"
		" created_at FROM workspace WHERE id = ?");
	sqlite3_bind_int64(s, 1, ws);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "workspace",
				    "no workspace %lld", (long long)ws);
	workspace_read(s, out);
	sqlite3_reset(s);
	return KITH_OK;
fail:
	return rc;
}

int store_workspace_update(struct store *st, const struct workspace *w,
			   struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "UPDATE workspace SET name = ?, tz = ?, work_start = ?,"
		" work_end = ?, response_target = ? WHERE id = ?");
	bind_text(s, 1, w->name);
	bind_text(s, 2, w->tz ? w->tz : "");
	sqlite3_bind_int(s, 3, w->work_start_min);
	sqlite3_bind_int(s, 4, w->work_end_min);
	sqlite3_bind_int(s, 5, w->response_target_min);
	sqlite3_bind_int64(s, 6, w->id);
	EXEC(s, "update workspace");
	return KITH_OK;
fail:
	return rc;
}

int store_workspace_empty(struct store *st, int64_t ws, bool *out,
			  struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT EXISTS(SELECT 1 FROM contact WHERE workspace_id = ?)"
		" OR EXISTS(SELECT 1 FROM touchpoint WHERE workspace_id = ?)"
		" OR EXISTS(SELECT 1 FROM organization WHERE workspace_id = ?)");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, ws);
	sqlite3_bind_int64(s, 3, ws);
	STEP(s, more);
	*out = more && !sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return KITH_OK;
fail:
	return rc;
}

/* ---- organizations ---- */

int store_org_ensure(struct store *st, int64_t ws, const char *name,
		     kith_time now, int64_t *id, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT id FROM organization WHERE workspace_id = ?"
		" AND name = ? COLLATE NOCASE");
	sqlite3_bind_int64(s, 1, ws);
	bind_text(s, 2, name);
	STEP(s, more);
	if (more) {
		*id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		return KITH_OK;
	}
	STMT(s, "INSERT INTO organization(workspace_id, name, created_at)"
		" VALUES (?, ?, ?)");
	sqlite3_bind_int64(s, 1, ws);
	bind_text(s, 2, name);
	sqlite3_bind_int64(s, 3, now);
	EXEC(s, "add organization");
	*id = sqlite3_last_insert_rowid(st->db);
	return KITH_OK;
fail:
	return rc;
}

int store_org_put(struct store *st, int64_t ws, const struct organization *o,
		  struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "INSERT INTO organization(id, workspace_id, name, created_at)"
		" VALUES (?, ?, ?, ?)");
	sqlite3_bind_int64(s, 1, o->id);
	sqlite3_bind_int64(s, 2, ws);
	bind_text(s, 3, o->name);
	sqlite3_bind_int64(s, 4, o->created_at);
	EXEC(s, "add organization");
	return KITH_OK;
fail:
	return rc;
}

void store_orgs_free(struct organization *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(o[i].name);
	free(o);
}

int store_org_list(struct store *st, int64_t ws, struct organization **out,
		   size_t *n, struct kith_err *err)
{
	struct organization *o = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT id, name, created_at FROM organization"
		" WHERE workspace_id = ? ORDER BY id");
	sqlite3_bind_int64(s, 1, ws);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(o, cnt, err);
		o[cnt].id = sqlite3_column_int64(s, 0);
		o[cnt].name = col_str(s, 1);
		o[cnt].created_at = sqlite3_column_int64(s, 2);
		cnt++;
	}
	*out = o;
	*n = cnt;
	return KITH_OK;
fail:
	store_orgs_free(o, cnt);
	return rc;
}

/* ---- contacts: summaries ---- */

static int shorter(int a_code, int b_code)
{
	return kith_cadence_days(kith_cadence_decode(a_code)) <
	       kith_cadence_days(kith_cadence_decode(b_code));
}

/* A contact's cadence: its own, else its tags' shortest, else its tier's,
 * else the workspace default. Each clock resolves on its own. */
static int resolve_cadence(struct store *st, int64_t ws, int64_t id,
			   int own_every, int own_meet, const char *tier,
			   int *eff_every, int *eff_meet, struct kith_err *err)
{
	int tag_every = 0, tag_meet = 0, tier_every = 0, tier_meet = 0;
	int def_every = 0, def_meet = 0;
	sqlite3_stmt *s;
	int rc, more;

	if (!own_every || !own_meet) {
		STMT(s, "SELECT r.every, r.meet FROM contact_tag t"
			" JOIN cadence_rule r ON r.workspace_id = t.workspace_id"
			" AND r.scope = 'tag' AND r.key = t.tag"
			" WHERE t.contact_id = ?");
		sqlite3_bind_int64(s, 1, id);
		for (;;) {
			int e, m;

			STEP(s, more);
			if (!more)
				break;
			e = sqlite3_column_int(s, 0);
			m = sqlite3_column_int(s, 1);
			if (e && (!tag_every || shorter(e, tag_every)))
				tag_every = e;
			if (m && (!tag_meet || shorter(m, tag_meet)))
				tag_meet = m;
		}
		STMT(s, "SELECT scope, every, meet FROM cadence_rule"
			" WHERE workspace_id = ? AND ((scope = 'tier' AND"
			" key = ?) OR scope = 'default')");
		sqlite3_bind_int64(s, 1, ws);
		bind_text(s, 2, tier ? tier : "");
		for (;;) {
			STEP(s, more);
			if (!more)
				break;
			if (!strcmp((const char *)sqlite3_column_text(s, 0),
				    "tier")) {
				tier_every = sqlite3_column_int(s, 1);
				tier_meet = sqlite3_column_int(s, 2);
			} else {
				def_every = sqlite3_column_int(s, 1);
				def_meet = sqlite3_column_int(s, 2);
			}
		}
	}
	*eff_every = own_every	? own_every
		     : tag_every ? tag_every
		     : tier_every ? tier_every
				  : def_every;
	*eff_meet = own_meet   ? own_meet
		    : tag_meet  ? tag_meet
		    : tier_meet ? tier_meet
				: def_meet;
	return KITH_OK;
fail:
	return rc;
}

struct summary {
	int eff_every, eff_meet;
	kith_time created_at, last_touch, last_in_person;
};

static int summary_write(struct store *st, int64_t id,
			 const struct summary *m, int count_delta,
			 struct kith_err *err)
{
	kith_time any = agenda_anchor(m->last_touch, m->created_at);
	kith_time meet = agenda_anchor(m->last_in_person, m->created_at);
	struct cadence ce = kith_cadence_decode(m->eff_every);
	struct cadence cm = kith_cadence_decode(m->eff_meet);
	sqlite3_stmt *s;
	int rc;

	STMT(s, "UPDATE contact SET last_touch = ?, last_in_person = ?,"
		" eff_every = ?, eff_meet = ?, any_anchor = ?,"
		" meet_anchor = ?, due_at = ?, meet_due_at = ?,"
		" touch_count = touch_count + ? WHERE id = ?");
	bind_time(s, 1, m->last_touch);
	bind_time(s, 2, m->last_in_person);
	sqlite3_bind_int(s, 3, m->eff_every);
	sqlite3_bind_int(s, 4, m->eff_meet);
	sqlite3_bind_int64(s, 5, any);
	sqlite3_bind_int64(s, 6, meet);
	bind_time(s, 7, kith_cadence_none(ce) ? KITH_NO_TIME
					      : kith_cadence_due(ce, any));
	bind_time(s, 8, kith_cadence_none(cm) ? KITH_NO_TIME
					      : kith_cadence_due(cm, meet));
	sqlite3_bind_int(s, 9, count_delta);
	sqlite3_bind_int64(s, 10, id);
	EXEC(s, "update summary");
	return KITH_OK;
fail:
	return rc;
}

/*
 * Recompute every summary of one contact from its rows: cadences from the
 * rules, last touches from history. Used after edits, merges, deletes;
 * a new touch takes the cheaper path in touch_summary().
 */
static int contact_refresh(struct store *st, int64_t ws, int64_t id,
			   struct kith_err *err)
{
	struct summary m = { 0 };
	int own_every, own_meet, rc, more;
	char tier[4] = "";
	sqlite3_stmt *s;

	STMT(s, "SELECT every, meet_every, tier, created_at FROM contact"
		" WHERE id = ? AND workspace_id = ?");
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, ws);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "contact",
				    "no contact %lld", (long long)id);
	own_every = sqlite3_column_int(s, 0);
	own_meet = sqlite3_column_int(s, 1);
	snprintf(tier, sizeof(tier), "%s",
		 (const char *)sqlite3_column_text(s, 2));
	m.created_at = sqlite3_column_int64(s, 3);
	sqlite3_reset(s);
	rc = resolve_cadence(st, ws, id, own_every, own_meet, tier,
			     &m.eff_every, &m.eff_meet, err);
	if (rc)
		goto fail;
	STMT(s, "SELECT max(tc.at), max(CASE WHEN t.channel = 'in_person'"
		" THEN tc.at END), count(*) FROM touch_contact tc"
		" JOIN touchpoint t ON t.id = tc.touch_id"
		" WHERE tc.workspace_id = ? AND tc.contact_id = ?");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, id);
	STEP(s, more);
	m.last_touch = col_time(s, 0);
	m.last_in_person = col_time(s, 1);
	int64_t count = sqlite3_column_int64(s, 2);
	sqlite3_reset(s);
	STMT(s, "UPDATE contact SET touch_count = ? WHERE id = ?");
	sqlite3_bind_int64(s, 1, count);
	sqlite3_bind_int64(s, 2, id);
	EXEC(s, "update summary");
	return summary_write(st, id, &m, 0, err);
fail:
	return rc;
}

/*
 * The hot path of a new touch: fold one instant into the summary in one
 * UPDATE, with the due time from kith_due() (see store_open). Measured:
 * a SELECT then an UPDATE ran at 35k touches/s; one statement, and
 * leaving the face-to-face columns (and so their index) out of it for
 * other channels, is what brings the rate near bare inserts.
 */
static int touch_summary(struct store *st, int64_t ws, int64_t id,
			 kith_time at, bool in_person, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (in_person)
		STMT(s, "UPDATE contact SET touch_count = touch_count + 1,"
			" last_touch = max(coalesce(last_touch, ?2), ?2),"
			" any_anchor = CASE WHEN last_touch IS NULL"
			"  OR ?2 > last_touch THEN ?2 ELSE any_anchor END,"
			" due_at = CASE WHEN last_touch IS NULL"
			"  OR ?2 > last_touch THEN kith_due(eff_every, ?2)"
			"  ELSE due_at END,"
			" last_in_person = max(coalesce(last_in_person, ?2), ?2),"
			" meet_anchor = CASE WHEN last_in_person IS NULL"
			"  OR ?2 > last_in_person THEN ?2 ELSE meet_anchor END,"
			" meet_due_at = CASE WHEN last_in_person IS NULL"
			"  OR ?2 > last_in_person THEN kith_due(eff_meet, ?2)"
			"  ELSE meet_due_at END"
			" WHERE id = ?1 AND workspace_id = ?3");
	else
		STMT(s, "UPDATE contact SET touch_count = touch_count + 1,"
			" last_touch = max(coalesce(last_touch, ?2), ?2),"
			" any_anchor = CASE WHEN last_touch IS NULL"
			"  OR ?2 > last_touch THEN ?2 ELSE any_anchor END,"
			" due_at = CASE WHEN last_touch IS NULL"
			"  OR ?2 > last_touch THEN kith_due(eff_every, ?2)"
			"  ELSE due_at END"
			" WHERE id = ?1 AND workspace_id = ?3");
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, at);
	sqlite3_bind_int64(s, 3, ws);
	EXEC(s, "update summary");
	if (!sqlite3_changes(st->db))
		return kith_err_set(err, KITH_ENOTFOUND, "contacts",
				    "no contact %lld", (long long)id);
	return KITH_OK;
fail:
	return rc;
}

/* ---- contacts: rows ---- */

static int write_list(struct store *st, int64_t ws, int64_t id,
		      const struct strlist *l, const char *del_sql,
		      const char *ins_sql, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, del_sql);
	sqlite3_bind_int64(s, 1, id);
	EXEC(s, "write contact");
	for (size_t i = 0; i < l->n; i++) {
		STMT(s, ins_sql);
		sqlite3_bind_int64(s, 1, ws);
		sqlite3_bind_int64(s, 2, id);
		sqlite3_bind_int64(s, 3, (int64_t)i);
		bind_text(s, 4, l->v[i]);
		EXEC(s, "write contact");
	}
	return KITH_OK;
fail:
	return rc;
}

static const char sql_email_del[] =
	"DELETE FROM contact_email WHERE contact_id = ?";
static const char sql_email_ins[] =
	"INSERT INTO contact_email(workspace_id, contact_id, pos, email)"
	" VALUES (?, ?, ?, ?)";
static const char sql_phone_del[] =
	"DELETE FROM contact_phone WHERE contact_id = ?";
static const char sql_phone_ins[] =
	"INSERT INTO contact_phone(workspace_id, contact_id, pos, phone)"
	" VALUES (?, ?, ?, ?)";
static const char sql_handle_del[] =
	"DELETE FROM contact_handle WHERE contact_id = ?";
static const char sql_handle_ins[] =
	"INSERT INTO contact_handle(workspace_id, contact_id, pos, handle)"
	" VALUES (?, ?, ?, ?)";
static const char sql_tag_del[] =
	"DELETE FROM contact_tag WHERE contact_id = ?";
/* pos is bound and ignored: tags are a set. */
static const char sql_tag_ins[] =
	"INSERT OR IGNORE INTO contact_tag(workspace_id, contact_id, tag)"
	" SELECT ?1, ?2, ?4 WHERE ?3 IS NOT NULL";

static int write_lists(struct store *st, int64_t ws, const struct contact *c,
		       struct kith_err *err)
{
	int rc;

	rc = write_list(st, ws, c->id, &c->emails, sql_email_del,
			sql_email_ins, err);
	if (!rc)
		rc = write_list(st, ws, c->id, &c->phones, sql_phone_del,
				sql_phone_ins, err);
	if (!rc)
		rc = write_list(st, ws, c->id, &c->handles, sql_handle_del,
				sql_handle_ins, err);
	if (!rc)
		rc = write_list(st, ws, c->id, &c->tags, sql_tag_del,
				sql_tag_ins, err);
	return rc;
}

/*
 * Is org an organization of ws? Every write that stores an org_id asks:
 * organization ids are global and sequential, and a contact pointing at
 * another workspace's organization showed that organization's name
 * (review H2: through a book import). 0 (none) passes.
 */
static int org_check(struct store *st, int64_t ws, int64_t org,
		     struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	if (!org)
		return KITH_OK;
	STMT(s, "SELECT 1 FROM organization WHERE id = ? AND workspace_id = ?");
	sqlite3_bind_int64(s, 1, org);
	sqlite3_bind_int64(s, 2, ws);
	STEP(s, more);
	sqlite3_reset(s);
	if (!more)
		return kith_err_set(err, KITH_EINPUT, "org_id",
				    "no organization %lld in this workspace",
				    (long long)(org < 0 ? -org : org));
	return KITH_OK;
fail:
	return rc;
}

static int resolve_org(struct store *st, int64_t ws, struct contact *c,
		       kith_time now, struct kith_err *err)
{
	if (c->org_id)
		return org_check(st, ws, c->org_id, err);
	if (!c->org_name || !*c->org_name)
		return KITH_OK;
	return store_org_ensure(st, ws, c->org_name, now, &c->org_id, err);
}

static int check_owner(struct store *st, int64_t ws, int64_t owner,
		       struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	if (!owner)
		return KITH_OK;
	STMT(s, "SELECT 1 FROM user WHERE id = ? AND workspace_id = ?");
	sqlite3_bind_int64(s, 1, owner);
	sqlite3_bind_int64(s, 2, ws);
	STEP(s, more);
	sqlite3_reset(s);
	if (!more)
		return kith_err_set(err, KITH_EINPUT, "owner",
				    "no user %lld in this workspace",
				    (long long)owner);
	return KITH_OK;
fail:
	return rc;
}

int store_contact_add(struct store *st, int64_t ws, struct contact *c,
		      kith_time now, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	rc = resolve_org(st, ws, c, now, err);
	if (!rc)
		rc = check_owner(st, ws, c->owner_id, err);
	if (rc)
		return rc;
	if (!c->created_at)
		c->created_at = now;
	if (!c->updated_at)
		c->updated_at = c->created_at;
	if (!c->version)
		c->version = 1;
	STMT(s, "INSERT INTO contact(id, workspace_id, name, org_id, title, tz,"
		" notes, tier, every, meet_every, since, owner_id, snooze_until,"
		" created_at, updated_at, version, any_anchor, meet_anchor)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	bind_id(s, 1, c->id);
	sqlite3_bind_int64(s, 2, ws);
	bind_text(s, 3, c->name);
	bind_id(s, 4, c->org_id);
	bind_text(s, 5, c->title);
	bind_text(s, 6, c->tz);
	bind_text(s, 7, c->notes);
	bind_text(s, 8, tier_name(c->tier));
	sqlite3_bind_int(s, 9, kith_cadence_code(c->every));
	sqlite3_bind_int(s, 10, kith_cadence_code(c->meet_every));
	bind_day(s, 11, c->since);
	bind_id(s, 12, c->owner_id);
	bind_time(s, 13, c->snooze_until);
	sqlite3_bind_int64(s, 14, c->created_at);
	sqlite3_bind_int64(s, 15, c->updated_at);
	sqlite3_bind_int64(s, 16, c->version);
	sqlite3_bind_int64(s, 17, c->created_at);
	sqlite3_bind_int64(s, 18, c->created_at);
	EXEC(s, "add contact");
	c->id = sqlite3_last_insert_rowid(st->db);
	rc = write_lists(st, ws, c, err);
	if (!rc)
		rc = contact_refresh(st, ws, c->id, err);
fail:
	return rc;
}

int store_contact_update(struct store *st, int64_t ws, struct contact *c,
			 int64_t expect_version, kith_time now,
			 struct kith_err *err)
{
	sqlite3_stmt *s;
	int64_t version;
	int rc, more;

	STMT(s, "SELECT version FROM contact WHERE id = ? AND workspace_id = ?");
	sqlite3_bind_int64(s, 1, c->id);
	sqlite3_bind_int64(s, 2, ws);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "contact",
				    "no contact %lld", (long long)c->id);
	version = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (expect_version && expect_version != version)
		return kith_err_set(err, KITH_ECONFLICT, "version",
				    "contact %lld changed since version %lld "
				    "(now %lld)",
				    (long long)c->id, (long long)expect_version,
				    (long long)version);
	rc = resolve_org(st, ws, c, now, err);
	if (rc)
		return rc;
	rc = check_owner(st, ws, c->owner_id, err);
	if (rc)
		return rc;
	STMT(s, "UPDATE contact SET name = ?, org_id = ?, title = ?, tz = ?,"
		" notes = ?, tier = ?, every = ?, meet_every = ?, since = ?,"
		" owner_id = ?, snooze_until = ?, updated_at = ?,"
		" version = version + 1 WHERE id = ? AND workspace_id = ?");
	bind_text(s, 1, c->name);
	bind_id(s, 2, c->org_id);
	bind_text(s, 3, c->title);
	bind_text(s, 4, c->tz);
	bind_text(s, 5, c->notes);
	bind_text(s, 6, tier_name(c->tier));
	sqlite3_bind_int(s, 7, kith_cadence_code(c->every));
	sqlite3_bind_int(s, 8, kith_cadence_code(c->meet_every));
	bind_day(s, 9, c->since);
	bind_id(s, 10, c->owner_id);
	bind_time(s, 11, c->snooze_until);
	sqlite3_bind_int64(s, 12, now);
	sqlite3_bind_int64(s, 13, c->id);
	sqlite3_bind_int64(s, 14, ws);
	EXEC(s, "update contact");
	c->version = version + 1;
	c->updated_at = now;
	rc = write_lists(st, ws, c, err);
	if (!rc)
		rc = contact_refresh(st, ws, c->id, err);
fail:
	return rc;
}

int store_contact_snooze(struct store *st, int64_t ws, int64_t id,
			 kith_time until, kith_time now, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "UPDATE contact SET snooze_until = ?, updated_at = ?,"
		" version = version + 1 WHERE id = ? AND workspace_id = ?");
	bind_time(s, 1, until);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_int64(s, 3, id);
	sqlite3_bind_int64(s, 4, ws);
	EXEC(s, "snooze");
	if (!sqlite3_changes(st->db))
		return kith_err_set(err, KITH_ENOTFOUND, "contact",
				    "no contact %lld", (long long)id);
	return KITH_OK;
fail:
	return rc;
}

static int read_list(struct store *st, const char *sql, int64_t id,
		     struct strlist *l, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, sql);
	sqlite3_bind_int64(s, 1, id);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		if (strlist_push(l, (const char *)sqlite3_column_text(s, 0))) {
			rc = kith_err_nomem(err);
			goto fail;
		}
	}
	return KITH_OK;
fail:
	return rc;
}

#define CONTACT_COLS                                                         \
	"c.id, c.name, c.org_id, o.name, c.title, c.tz, c.notes, c.tier,"    \
	" c.every, c.meet_every, c.since, c.owner_id, c.snooze_until,"       \
	" c.created_at, c.updated_at, c.version, c.last_touch,"             \
	" c.last_in_person, c.eff_every, c.eff_meet, c.due_at,"             \
	" c.meet_due_at, c.touch_count"
#define CONTACT_FROM                                                         \
	" FROM contact c LEFT JOIN organization o ON o.id = c.org_id"       \
	" AND o.workspace_id = c.workspace_id"

static void contact_read_row(sqlite3_stmt *s, struct contact *c)
{
	const char *tier = (const char *)sqlite3_column_text(s, 7);

	contact_init(c);
	c->id = sqlite3_column_int64(s, 0);
	c->name = col_str(s, 1);
	c->org_id = sqlite3_column_int64(s, 2);
	c->org_name = col_str(s, 3);
	c->title = col_str(s, 4);
	c->tz = col_str(s, 5);
	c->notes = col_str(s, 6);
	tier_parse(&c->tier, tier ? tier : "", NULL, NULL);
	c->every = kith_cadence_decode(sqlite3_column_int(s, 8));
	c->meet_every = kith_cadence_decode(sqlite3_column_int(s, 9));
	c->since = col_day(s, 10);
	c->owner_id = sqlite3_column_int64(s, 11);
	c->snooze_until = col_time(s, 12);
	c->created_at = sqlite3_column_int64(s, 13);
	c->updated_at = sqlite3_column_int64(s, 14);
	c->version = sqlite3_column_int64(s, 15);
	c->last_touch = col_time(s, 16);
	c->last_in_person = col_time(s, 17);
	c->eff_every = kith_cadence_decode(sqlite3_column_int(s, 18));
	c->eff_meet = kith_cadence_decode(sqlite3_column_int(s, 19));
	c->due_at = col_time(s, 20);
	c->meet_due_at = col_time(s, 21);
	c->touch_count = sqlite3_column_int64(s, 22);
}

static int contact_read_lists(struct store *st, struct contact *c,
			      struct kith_err *err)
{
	int rc;

	rc = read_list(st,
		       "SELECT email FROM contact_email WHERE contact_id = ?"
		       " ORDER BY pos",
		       c->id, &c->emails, err);
	if (!rc)
		rc = read_list(st,
			       "SELECT phone FROM contact_phone WHERE"
			       " contact_id = ? ORDER BY pos",
			       c->id, &c->phones, err);
	if (!rc)
		rc = read_list(st,
			       "SELECT handle FROM contact_handle WHERE"
			       " contact_id = ? ORDER BY pos",
			       c->id, &c->handles, err);
	if (!rc)
		rc = read_list(st,
			       "SELECT tag FROM contact_tag WHERE contact_id = ?"
			       " ORDER BY tag",
			       c->id, &c->tags, err);
	return rc;
}

/* Split a group_concat(x, char(31)) back into a list. */
static int split_list(struct strlist *l, const unsigned char *joined)
{
	const char *p = (const char *)joined;

	while (p && *p) {
		const char *end = strchr(p, '\x1f');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char *one = strndup(p, len);

		if (!one || strlist_push(l, one)) {
			free(one);
			return -1;
		}
		free(one);
		p = end ? end + 1 : NULL;
	}
	return 0;
}

int store_contact_get(struct store *st, int64_t ws, int64_t id,
		      struct contact *out, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	contact_init(out);
	/* One statement for the row and its four lists: the API's most
	 * frequent read paid five statement runs before. Unit separator
	 * (31) cannot appear in what the inputs accept as text. */
	STMT(s, "SELECT " CONTACT_COLS ","
		" (SELECT group_concat(email, char(31)) FROM (SELECT email FROM"
		"  contact_email WHERE contact_id = c.id ORDER BY pos)),"
		" (SELECT group_concat(phone, char(31)) FROM (SELECT phone FROM"
		"  contact_phone WHERE contact_id = c.id ORDER BY pos)),"
		" (SELECT group_concat(handle, char(31)) FROM (SELECT handle FROM"
		"  contact_handle WHERE contact_id = c.id ORDER BY pos)),"
		" (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM"
		"  contact_tag WHERE contact_id = c.id ORDER BY tag))"
		CONTACT_FROM " WHERE c.id = ? AND c.workspace_id = ?");
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, ws);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "contact",
				    "no contact %lld", (long long)id);
	contact_read_row(s, out);
	rc = split_list(&out->emails, sqlite3_column_text(s, 23)) ||
			     split_list(&out->phones, sqlite3_column_text(s, 24)) ||
			     split_list(&out->handles, sqlite3_column_text(s, 25)) ||
			     split_list(&out->tags, sqlite3_column_text(s, 26))
		     ? kith_err_nomem(err)
		     : KITH_OK;
	sqlite3_reset(s);
	if (rc)
		contact_clear(out);
fail:
	return rc;
}

void store_contacts_free(struct contact *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		contact_clear(&c[i]);
	free(c);
}

int store_contact_count(struct store *st, int64_t ws, int64_t *out,
			struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT count(*) FROM contact WHERE workspace_id = ?");
	sqlite3_bind_int64(s, 1, ws);
	STEP(s, more);
	*out = more ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return KITH_OK;
fail:
	return rc;
}

int store_contact_list(struct store *st, int64_t ws,
		       const struct contact_filter *f, struct contact **out,
		       size_t *n, struct kith_err *err)
{
	struct contact *c = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	char *like = NULL;
	int rc, more;

	*out = NULL;
	*n = 0;
	if (f->q && *f->q) {
		like = like_contains(f->q);
		if (!like)
			return kith_err_nomem(err);
	}
	/* One statement for every filter: an unset filter binds NULL and
	 * drops out, so the plan stays the cached one. */
	STMT(s, "SELECT " CONTACT_COLS CONTACT_FROM
		" WHERE c.workspace_id = ?1 AND c.id > ?2"
		" AND (?3 IS NULL OR EXISTS (SELECT 1 FROM contact_tag t"
		"  WHERE t.contact_id = c.id AND t.tag = ?3))"
		" AND (?4 IS NULL OR c.tier = ?4)"
		" AND (?5 IS NULL OR c.owner_id = ?5)"
		" AND (?6 IS NULL OR c.name LIKE ?6 ESCAPE '\\'"
		"  OR c.title LIKE ?6 ESCAPE '\\'"
		"  OR c.notes LIKE ?6 ESCAPE '\\' OR o.name LIKE ?6 ESCAPE '\\'"
		"  OR EXISTS (SELECT 1 FROM contact_email e"
		"   WHERE e.contact_id = c.id AND e.email LIKE ?6 ESCAPE '\\')"
		"  OR EXISTS (SELECT 1 FROM contact_tag t"
		"   WHERE t.contact_id = c.id AND t.tag LIKE ?6 ESCAPE '\\')"
		"  OR EXISTS (SELECT 1 FROM contact_phone p"
		"   WHERE p.contact_id = c.id AND p.phone LIKE ?6 ESCAPE '\\')"
		"  OR EXISTS (SELECT 1 FROM fact x"
		"   WHERE x.workspace_id = ?1 AND x.contact_id = c.id"
		"   AND x.text LIKE ?6 ESCAPE '\\'))"
		" ORDER BY c.id LIMIT ?7");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, f->after_id);
	bind_text(s, 3, f->tag);
	if (f->tier != TIER_NONE)
		bind_text(s, 4, tier_name(f->tier));
	bind_id(s, 5, f->owner_id);
	bind_text(s, 6, like);
	sqlite3_bind_int64(s, 7, f->limit ? (int64_t)f->limit : -1);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(c, cnt, err);
		contact_read_row(s, &c[cnt++]);
	}
	sqlite3_reset(s);
	for (size_t i = 0; i < cnt; i++) {
		rc = contact_read_lists(st, &c[i], err);
		if (rc)
			goto fail;
	}
	free(like);
	*out = c;
	*n = cnt;
	return KITH_OK;
fail:
	free(like);
	store_contacts_free(c, cnt);
	return rc;
}

static int collect_ids(struct store *st, sqlite3_stmt *s, int64_t exclude,
		       int64_t **ids, size_t *n, struct kith_err *err)
{
	int64_t *v = NULL;
	size_t cnt = 0;
	int rc, more;

	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		int64_t id = sqlite3_column_int64(s, 0);
		if (id == exclude)
			continue;
		PUSH(v, cnt, err);
		v[cnt++] = id;
	}
	sqlite3_reset(s);
	*ids = v;
	*n = cnt;
	return KITH_OK;
fail:
	free(v);
	return rc;
}

int store_contact_find(struct store *st, int64_t ws, const char *who,
		       int64_t exclude, int64_t **ids, size_t *n,
		       struct kith_err *err)
{
	sqlite3_stmt *s;
	const char *p;
	char *like = NULL;
	int rc;

	*ids = NULL;
	*n = 0;
	for (p = who; *p >= '0' && *p <= '9'; p++)
		;
	if (*who && !*p && p - who < 19) {
		STMT(s, "SELECT id FROM contact WHERE id = ? AND"
			" workspace_id = ?");
		sqlite3_bind_int64(s, 1, strtoll(who, NULL, 10));
		sqlite3_bind_int64(s, 2, ws);
		rc = collect_ids(st, s, exclude, ids, n, err);
		if (rc || *n)
			return rc;
	}
	if (strchr(who, '@')) {
		STMT(s, "SELECT DISTINCT contact_id FROM contact_email WHERE"
			" workspace_id = ? AND email = ? ORDER BY contact_id");
		sqlite3_bind_int64(s, 1, ws);
		bind_text(s, 2, who);
		rc = collect_ids(st, s, exclude, ids, n, err);
		if (rc || *n)
			return rc;
	}
	STMT(s, "SELECT id FROM contact WHERE workspace_id = ? AND"
		" name = ? COLLATE NOCASE ORDER BY id");
	sqlite3_bind_int64(s, 1, ws);
	bind_text(s, 2, who);
	rc = collect_ids(st, s, exclude, ids, n, err);
	if (rc || *n)
		return rc;
	like = like_contains(who);
	if (!like)
		return kith_err_nomem(err);
	STMT(s, "SELECT id FROM contact WHERE workspace_id = ? AND"
		" name LIKE ? ESCAPE '\\' ORDER BY id LIMIT 50");
	sqlite3_bind_int64(s, 1, ws);
	bind_text(s, 2, like);
	rc = collect_ids(st, s, exclude, ids, n, err);
fail:
	free(like);
	return rc;
}

/* Statements run with (ws, id) to remove a contact and what hangs on it. */
static const char *const contact_delete_sql[] = {
	"DELETE FROM fact WHERE workspace_id = ?1 AND contact_id = ?2",
	"DELETE FROM kdate WHERE workspace_id = ?1 AND contact_id = ?2",
	/* Their signals become leads again rather than vanish. */
	"UPDATE signal SET contact_id = NULL WHERE workspace_id = ?1"
	" AND contact_id = ?2",
	"DELETE FROM meeting_contact WHERE contact_id = ?2",
	"DELETE FROM promise WHERE workspace_id = ?1 AND contact_id = ?2",
	"DELETE FROM gift WHERE workspace_id = ?1 AND contact_id = ?2",
	"DELETE FROM revenue WHERE workspace_id = ?1 AND contact_id = ?2",
	"DELETE FROM contact_email WHERE contact_id = ?2",
	"DELETE FROM contact_phone WHERE contact_id = ?2",
	"DELETE FROM contact_handle WHERE contact_id = ?2",
	"DELETE FROM contact_tag WHERE contact_id = ?2",
	/* Touches of this contact alone go; shared ones lose a participant. */
	"DELETE FROM touch_user WHERE touch_id IN (SELECT touch_id FROM"
	" touch_contact tc WHERE tc.workspace_id = ?1 AND tc.contact_id = ?2"
	" AND NOT EXISTS (SELECT 1 FROM touch_contact o WHERE"
	" o.touch_id = tc.touch_id AND o.contact_id <> ?2))",
	"CREATE TEMP TABLE IF NOT EXISTS doomed(id INTEGER PRIMARY KEY)",
	"DELETE FROM temp.doomed",
	"INSERT INTO temp.doomed SELECT touch_id FROM touch_contact tc"
	" WHERE tc.workspace_id = ?1 AND tc.contact_id = ?2 AND NOT EXISTS"
	" (SELECT 1 FROM touch_contact o WHERE o.touch_id = tc.touch_id"
	" AND o.contact_id <> ?2)",
	"DELETE FROM touch_contact WHERE workspace_id = ?1 AND contact_id = ?2",
	"DELETE FROM touchpoint WHERE id IN (SELECT id FROM temp.doomed)",
	"DELETE FROM contact WHERE workspace_id = ?1 AND id = ?2",
};

int store_contact_delete(struct store *st, int64_t ws, int64_t id,
			 struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT 1 FROM contact WHERE id = ? AND workspace_id = ?");
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, ws);
	STEP(s, more);
	sqlite3_reset(s);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "contact",
				    "no contact %lld", (long long)id);
	for (size_t i = 0;
	     i < sizeof(contact_delete_sql) / sizeof(*contact_delete_sql);
	     i++) {
		/* Not cached: the temp table's statements would pin it. */
		sqlite3_stmt *d;

		if (sqlite3_prepare_v2(st->db, contact_delete_sql[i], -1, &d,
				       NULL) != SQLITE_OK)
			return db_fail(st, err, "delete contact");
		if (sqlite3_bind_parameter_count(d) >= 1)
			sqlite3_bind_int64(d, 1, ws);
		if (sqlite3_bind_parameter_count(d) >= 2)
			sqlite3_bind_int64(d, 2, id);
		rc = sqlite3_step(d);
		sqlite3_finalize(d);
		if (rc != SQLITE_DONE)
			return db_fail(st, err, "delete contact");
	}
	return KITH_OK;
fail:
	return rc;
}

/* Statements run with (ws, from, into) to hand a contact's rows over. */
static const char *const merge_sql[] = {
	"UPDATE fact SET contact_id = ?3 WHERE workspace_id = ?1"
	" AND contact_id = ?2",
	"UPDATE signal SET contact_id = ?3 WHERE workspace_id = ?1"
	" AND contact_id = ?2",
	"INSERT OR IGNORE INTO meeting_contact(meeting_id, contact_id)"
	" SELECT meeting_id, ?3 FROM meeting_contact WHERE contact_id = ?2",
	"UPDATE kdate SET contact_id = ?3 WHERE workspace_id = ?1"
	" AND contact_id = ?2",
	"UPDATE promise SET contact_id = ?3 WHERE workspace_id = ?1"
	" AND contact_id = ?2",
	"UPDATE gift SET contact_id = ?3 WHERE workspace_id = ?1"
	" AND contact_id = ?2",
	"UPDATE revenue SET contact_id = ?3 WHERE workspace_id = ?1"
	" AND contact_id = ?2",
	/* A touch both took part in keeps one row for the survivor. */
	"INSERT OR IGNORE INTO touch_contact(workspace_id, contact_id, at,"
	" touch_id) SELECT workspace_id, ?3, at, touch_id FROM touch_contact"
	" WHERE workspace_id = ?1 AND contact_id = ?2",
	"DELETE FROM touch_contact WHERE workspace_id = ?1 AND contact_id = ?2",
	"INSERT OR IGNORE INTO contact_tag(workspace_id, contact_id, tag)"
	" SELECT workspace_id, ?3, tag FROM contact_tag WHERE contact_id = ?2",
	"INSERT INTO contact_email(workspace_id, contact_id, pos, email)"
	" SELECT ?1, ?3, (SELECT coalesce(max(pos), -1) FROM contact_email"
	" WHERE contact_id = ?3) + row_number() OVER (ORDER BY pos), email"
	" FROM contact_email WHERE contact_id = ?2 AND email NOT IN"
	" (SELECT email FROM contact_email WHERE contact_id = ?3)",
	"INSERT INTO contact_phone(workspace_id, contact_id, pos, phone)"
	" SELECT ?1, ?3, (SELECT coalesce(max(pos), -1) FROM contact_phone"
	" WHERE contact_id = ?3) + row_number() OVER (ORDER BY pos), phone"
	" FROM contact_phone WHERE contact_id = ?2 AND phone NOT IN"
	" (SELECT phone FROM contact_phone WHERE contact_id = ?3)",
	"INSERT INTO contact_handle(workspace_id, contact_id, pos, handle)"
	" SELECT ?1, ?3, (SELECT coalesce(max(pos), -1) FROM contact_handle"
	" WHERE contact_id = ?3) + row_number() OVER (ORDER BY pos), handle"
	" FROM contact_handle WHERE contact_id = ?2 AND handle NOT IN"
	" (SELECT handle FROM contact_handle WHERE contact_id = ?3)",
	/* Empty fields of the survivor take the other's values. */
	"UPDATE contact SET"
	" org_id = coalesce(org_id, (SELECT org_id FROM contact WHERE id = ?2)),"
	" title = coalesce(title, (SELECT title FROM contact WHERE id = ?2)),"
	" tz = coalesce(tz, (SELECT tz FROM contact WHERE id = ?2)),"
	" notes = coalesce(notes, (SELECT notes FROM contact WHERE id = ?2)),"
	" tier = CASE WHEN tier = '' THEN (SELECT tier FROM contact"
	"  WHERE id = ?2) ELSE tier END,"
	" every = CASE WHEN every = 0 THEN (SELECT every FROM contact"
	"  WHERE id = ?2) ELSE every END,"
	" meet_every = CASE WHEN meet_every = 0 THEN (SELECT meet_every"
	"  FROM contact WHERE id = ?2) ELSE meet_every END,"
	/* The longer relationship is the true one. */
	" since = CASE WHEN since IS NULL THEN (SELECT since FROM contact"
	"  WHERE id = ?2) ELSE min(since, coalesce((SELECT since FROM contact"
	"  WHERE id = ?2), since)) END,"
	" owner_id = coalesce(owner_id, (SELECT owner_id FROM contact"
	"  WHERE id = ?2)),"
	" created_at = min(created_at, (SELECT created_at FROM contact"
	"  WHERE id = ?2)),"
	" version = version + 1"
	" WHERE workspace_id = ?1 AND id = ?3",
};

int store_contact_merge(struct store *st, int64_t ws, int64_t from,
			int64_t into, kith_time now, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	if (from == into)
		return kith_err_set(err, KITH_EINPUT, "contact",
				    "cannot merge a contact into itself");
	for (int k = 0; k < 2; k++) {
		STMT(s, "SELECT 1 FROM contact WHERE id = ? AND"
			" workspace_id = ?");
		sqlite3_bind_int64(s, 1, k ? into : from);
		sqlite3_bind_int64(s, 2, ws);
		STEP(s, more);
		sqlite3_reset(s);
		if (!more)
			return kith_err_set(err, KITH_ENOTFOUND, "contact",
					    "no contact %lld",
					    (long long)(k ? into : from));
	}
	for (size_t i = 0; i < sizeof(merge_sql) / sizeof(*merge_sql); i++) {
		STMT(s, merge_sql[i]);
		sqlite3_bind_int64(s, 1, ws);
		sqlite3_bind_int64(s, 2, from);
		sqlite3_bind_int64(s, 3, into);
		EXEC(s, "merge");
	}
	rc = store_contact_delete(st, ws, from, err);
	if (rc)
		return rc;
	STMT(s, "UPDATE contact SET updated_at = ? WHERE id = ?");
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, into);
	EXEC(s, "merge");
	return contact_refresh(st, ws, into, err);
fail:
	return rc;
}

/* ---- touchpoints ---- */

int store_touch_add(struct store *st, int64_t ws, struct touchpoint *t,
		    struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (!t->n_contacts)
		return kith_err_set(err, KITH_EINPUT, "contacts",
				    "a touchpoint needs at least one contact");
	STMT(s, "INSERT INTO touchpoint(id, workspace_id, at, channel,"
		" direction, minutes, note, source, created_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	bind_id(s, 1, t->id);
	sqlite3_bind_int64(s, 2, ws);
	sqlite3_bind_int64(s, 3, t->at);
	bind_text(s, 4, channel_name(t->channel));
	bind_text(s, 5, direction_name(t->direction));
	sqlite3_bind_int(s, 6, t->minutes);
	bind_text(s, 7, t->note);
	bind_text(s, 8, t->source ? t->source : "manual");
	sqlite3_bind_int64(s, 9, t->created_at ? t->created_at : t->at);
	EXEC(s, "add touchpoint");
	t->id = sqlite3_last_insert_rowid(st->db);
	for (size_t i = 0; i < t->n_contacts; i++) {
		rc = touch_summary(st, ws, t->contacts[i], t->at,
				   t->channel == CH_IN_PERSON, err);
		if (rc)
			return rc;
		STMT(s, "INSERT INTO touch_contact(workspace_id, contact_id,"
			" at, touch_id) VALUES (?, ?, ?, ?)");
		sqlite3_bind_int64(s, 1, ws);
		sqlite3_bind_int64(s, 2, t->contacts[i]);
		sqlite3_bind_int64(s, 3, t->at);
		sqlite3_bind_int64(s, 4, t->id);
		rc = exec_stmt(st, s, err, "add touchpoint");
		/* The key holds each participant once: a repeat is input. */
		if (rc == KITH_ECONFLICT)
			return kith_err_set(err, KITH_EINPUT, "contacts",
					    "contact %lld named twice",
					    (long long)t->contacts[i]);
		if (rc)
			return rc;
		/* Any touch after a signal answers it. Most books have no
		 * waiting signal most of the time: ask once a transaction,
		 * not once a participant (the insert bench's margin). */
		if (st->open_signals < 0 || !st->in_tx) {
			int more;

			STMT(s, "SELECT EXISTS (SELECT 1 FROM signal WHERE"
				" workspace_id = ? AND answered_at IS NULL)");
			sqlite3_bind_int64(s, 1, ws);
			STEP(s, more);
			st->open_signals = more && sqlite3_column_int(s, 0);
			sqlite3_reset(s);
		}
		if (!st->open_signals)
			continue;
		STMT(s, "UPDATE signal SET answered_at = ?3 WHERE"
			" workspace_id = ?1 AND contact_id = ?2 AND"
			" answered_at IS NULL AND at <= ?3");
		sqlite3_bind_int64(s, 1, ws);
		sqlite3_bind_int64(s, 2, t->contacts[i]);
		sqlite3_bind_int64(s, 3, t->at);
		EXEC(s, "answer signals");
	}
	for (size_t i = 0; i < t->n_users; i++) {
		STMT(s, "INSERT OR IGNORE INTO touch_user(workspace_id,"
			" touch_id, user_id) SELECT ?1, ?2, id FROM user"
			" WHERE id = ?3 AND workspace_id = ?1");
		sqlite3_bind_int64(s, 1, ws);
		sqlite3_bind_int64(s, 2, t->id);
		sqlite3_bind_int64(s, 3, t->users[i]);
		EXEC(s, "add touchpoint");
		if (!sqlite3_changes(st->db))
			return kith_err_set(err, KITH_EINPUT, "users",
					    "no user %lld in this workspace",
					    (long long)t->users[i]);
	}
	return KITH_OK;
fail:
	return rc;
}

void store_touches_free(struct touchpoint *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		touchpoint_clear(&t[i]);
	free(t);
}

static int touch_participants(struct store *st, struct touchpoint *t,
			      struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT contact_id FROM touch_contact WHERE touch_id = ?"
		" ORDER BY contact_id");
	sqlite3_bind_int64(s, 1, t->id);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(t->contacts, t->n_contacts, err);
		t->contacts[t->n_contacts++] = sqlite3_column_int64(s, 0);
	}
	STMT(s, "SELECT user_id FROM touch_user WHERE touch_id = ?"
		" ORDER BY user_id");
	sqlite3_bind_int64(s, 1, t->id);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(t->users, t->n_users, err);
		t->users[t->n_users++] = sqlite3_column_int64(s, 0);
	}
	return KITH_OK;
fail:
	return rc;
}

static void touch_read(sqlite3_stmt *s, struct touchpoint *t)
{
	t->id = sqlite3_column_int64(s, 0);
	t->at = sqlite3_column_int64(s, 1);
	channel_parse(&t->channel, (const char *)sqlite3_column_text(s, 2),
		      NULL, NULL);
	direction_parse(&t->direction,
			(const char *)sqlite3_column_text(s, 3), NULL, NULL);
	t->minutes = sqlite3_column_int(s, 4);
	t->note = col_str(s, 5);
	t->source = col_str(s, 6);
	t->created_at = sqlite3_column_int64(s, 7);
}

int store_touch_page(struct store *st, int64_t ws, int64_t contact_id,
		     int64_t before, size_t limit, struct touchpoint **out,
		     size_t *n, struct kith_err *err)
{
	struct touchpoint *t = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	int rc, more;

	if (contact_id)
		STMT(s, "SELECT t.id, t.at, t.channel, t.direction, t.minutes,"
			" t.note, t.source, t.created_at FROM touch_contact tc"
			" JOIN touchpoint t ON t.id = tc.touch_id"
			" WHERE tc.workspace_id = ?1 AND tc.contact_id = ?2"
			" AND (?4 = 0 OR (tc.at, tc.touch_id) < ((SELECT at"
			" FROM touchpoint WHERE id = ?4 AND workspace_id = ?1),"
			" ?4))"
			" ORDER BY tc.at DESC, tc.touch_id DESC LIMIT ?3");
	else
		STMT(s, "SELECT id, at, channel, direction, minutes, note,"
			" source, created_at FROM touchpoint"
			" WHERE workspace_id = ?1 AND ?2 = 0"
			" AND (?4 = 0 OR (at, id) < ((SELECT at FROM touchpoint"
			" WHERE id = ?4 AND workspace_id = ?1), ?4))"
			" ORDER BY at DESC, id DESC LIMIT ?3");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, contact_id);
	sqlite3_bind_int64(s, 3,
			   limit && limit <= INT64_MAX ? (int64_t)limit : -1);
	sqlite3_bind_int64(s, 4, before);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(t, cnt, err);
		touch_read(s, &t[cnt++]);
	}
	sqlite3_reset(s);
	for (size_t i = 0; i < cnt; i++) {
		rc = touch_participants(st, &t[i], err);
		if (rc)
			goto fail;
	}
	*out = t;
	*n = cnt;
	return KITH_OK;
fail:
	store_touches_free(t, cnt);
	return rc;
}

int store_touch_list(struct store *st, int64_t ws, int64_t contact_id,
		     size_t limit, struct touchpoint **out, size_t *n,
		     struct kith_err *err)
{
	return store_touch_page(st, ws, contact_id, 0, limit, out, n, err);
}

/* Columns (at, channel, direction) from col on, as the scores see them. */
static void score_touch_read(sqlite3_stmt *s, int col, struct score_touch *t)
{
	t->at = sqlite3_column_int64(s, col);
	channel_parse(&t->channel, (const char *)sqlite3_column_text(s, col + 1),
		      NULL, NULL);
	direction_parse(&t->direction,
			(const char *)sqlite3_column_text(s, col + 2), NULL,
			NULL);
}

int store_touch_scores(struct store *st, int64_t ws, int64_t contact_id,
		       struct score_touch **out, size_t *n,
		       struct kith_err *err)
{
	struct score_touch *t = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT tc.at, t.channel, t.direction FROM touch_contact tc"
		" JOIN touchpoint t ON t.id = tc.touch_id"
		" WHERE tc.workspace_id = ? AND tc.contact_id = ?"
		" ORDER BY tc.at");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, contact_id);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(t, cnt, err);
		score_touch_read(s, 0, &t[cnt++]);
	}
	*out = t;
	*n = cnt;
	return KITH_OK;
fail:
	free(t);
	return rc;
}

/* Step s, whose rows are (key, at, channel, direction), into fn. */
static int visit_touches(struct store *st, sqlite3_stmt *s,
			 store_touch_visit fn, void *ctx, struct kith_err *err)
{
	int rc, more;

	for (;;) {
		struct score_touch t;

		STEP(s, more);
		if (!more)
			break;
		score_touch_read(s, 1, &t);
		rc = fn(ctx, sqlite3_column_int64(s, 0), &t);
		if (rc)
			goto fail;
	}
	return KITH_OK;
fail:
	sqlite3_reset(s);
	return rc;
}

int store_touch_each(struct store *st, int64_t ws, bool per_participant,
		     store_touch_visit fn, void *ctx, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (per_participant)
		STMT(s, "SELECT tc.contact_id, tc.at, t.channel, t.direction"
			" FROM touch_contact tc JOIN touchpoint t"
			" ON t.id = tc.touch_id WHERE tc.workspace_id = ?"
			" ORDER BY tc.contact_id, tc.at");
	else
		STMT(s, "SELECT 0, at, channel, direction FROM touchpoint"
			" WHERE workspace_id = ? ORDER BY at");
	sqlite3_bind_int64(s, 1, ws);
	return visit_touches(st, s, fn, ctx, err);
fail:
	return rc;
}

/* ---- facts, dates, promises, gifts, revenue ---- */

static int contact_exists(struct store *st, int64_t ws, int64_t id,
			  struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT 1 FROM contact WHERE id = ? AND workspace_id = ?");
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, ws);
	STEP(s, more);
	sqlite3_reset(s);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "contact_id",
				    "no contact %lld", (long long)id);
	return KITH_OK;
fail:
	return rc;
}

int store_fact_add(struct store *st, int64_t ws, struct fact *f,
		   struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc = contact_exists(st, ws, f->contact_id, err);

	if (rc)
		return rc;
	STMT(s, "INSERT INTO fact(id, workspace_id, contact_id, text,"
		" created_at) VALUES (?, ?, ?, ?, ?)");
	bind_id(s, 1, f->id);
	sqlite3_bind_int64(s, 2, ws);
	sqlite3_bind_int64(s, 3, f->contact_id);
	bind_text(s, 4, f->text);
	sqlite3_bind_int64(s, 5, f->created_at);
	EXEC(s, "add fact");
	f->id = sqlite3_last_insert_rowid(st->db);
fail:
	return rc;
}

void store_facts_free(struct fact *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fact_clear(&f[i]);
	free(f);
}

int store_fact_list(struct store *st, int64_t ws, int64_t contact_id,
		    struct fact **out, size_t *n, struct kith_err *err)
{
	struct fact *f = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	int rc, more;

	/* One contact reads its index; ?2 = 0 keeps the binding. */
	if (contact_id)
		STMT(s, "SELECT id, contact_id, text, created_at FROM fact"
			" WHERE workspace_id = ?1 AND contact_id = ?2"
			" ORDER BY id");
	else
		STMT(s, "SELECT id, contact_id, text, created_at FROM fact"
			" WHERE workspace_id = ?1 AND ?2 = 0"
			" ORDER BY id");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, contact_id);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(f, cnt, err);
		f[cnt].id = sqlite3_column_int64(s, 0);
		f[cnt].contact_id = sqlite3_column_int64(s, 1);
		f[cnt].text = col_str(s, 2);
		f[cnt].created_at = sqlite3_column_int64(s, 3);
		cnt++;
	}
	*out = f;
	*n = cnt;
	return KITH_OK;
fail:
	store_facts_free(f, cnt);
	return rc;
}

static int mmdd_of(int32_t day)
{
	int y, m, d;

	kith_civil_from_days(day, &y, &m, &d);
	return m * 100 + d;
}

int store_date_add(struct store *st, int64_t ws, struct kdate *d,
		   struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc = contact_exists(st, ws, d->contact_id, err);

	if (rc)
		return rc;
	STMT(s, "INSERT INTO kdate(id, workspace_id, contact_id, kind, day,"
		" year_known, yearly, mmdd, created_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	bind_id(s, 1, d->id);
	sqlite3_bind_int64(s, 2, ws);
	sqlite3_bind_int64(s, 3, d->contact_id);
	bind_text(s, 4, d->kind);
	sqlite3_bind_int(s, 5, d->day);
	sqlite3_bind_int(s, 6, d->year_known);
	sqlite3_bind_int(s, 7, d->yearly);
	sqlite3_bind_int(s, 8, mmdd_of(d->day));
	sqlite3_bind_int64(s, 9, d->created_at);
	EXEC(s, "add date");
	d->id = sqlite3_last_insert_rowid(st->db);
fail:
	return rc;
}

void store_dates_free(struct kdate *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kdate_clear(&d[i]);
	free(d);
}

static void date_read(sqlite3_stmt *s, struct kdate *d)
{
	d->id = sqlite3_column_int64(s, 0);
	d->contact_id = sqlite3_column_int64(s, 1);
	d->kind = col_str(s, 2);
	d->day = sqlite3_column_int(s, 3);
	d->year_known = sqlite3_column_int(s, 4);
	d->yearly = sqlite3_column_int(s, 5);
	d->created_at = sqlite3_column_int64(s, 6);
}

int store_date_list(struct store *st, int64_t ws, int64_t contact_id,
		    struct kdate **out, size_t *n, struct kith_err *err)
{
	struct kdate *d = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	int rc, more;

	/* One contact reads its index; ?2 = 0 keeps the binding. */
	if (contact_id)
		STMT(s, "SELECT id, contact_id, kind, day, year_known, yearly,"
			" created_at FROM kdate WHERE workspace_id = ?1"
			" AND contact_id = ?2 ORDER BY id");
	else
		STMT(s, "SELECT id, contact_id, kind, day, year_known, yearly,"
			" created_at FROM kdate WHERE workspace_id = ?1"
			" AND ?2 = 0 ORDER BY id");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, contact_id);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(d, cnt, err);
		date_read(s, &d[cnt++]);
	}
	*out = d;
	*n = cnt;
	return KITH_OK;
fail:
	store_dates_free(d, cnt);
	return rc;
}

int store_promise_add(struct store *st, int64_t ws, struct promise *p,
		      struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc = contact_exists(st, ws, p->contact_id, err);

	if (rc)
		return rc;
	STMT(s, "INSERT INTO promise(id, workspace_id, contact_id, text, due,"
		" done_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
	bind_id(s, 1, p->id);
	sqlite3_bind_int64(s, 2, ws);
	sqlite3_bind_int64(s, 3, p->contact_id);
	bind_text(s, 4, p->text);
	bind_time(s, 5, p->due);
	bind_time(s, 6, p->done_at);
	sqlite3_bind_int64(s, 7, p->created_at);
	EXEC(s, "add promise");
	p->id = sqlite3_last_insert_rowid(st->db);
fail:
	return rc;
}

void store_promises_free(struct promise *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		promise_clear(&p[i]);
	free(p);
}

static void promise_read(sqlite3_stmt *s, struct promise *p)
{
	p->id = sqlite3_column_int64(s, 0);
	p->contact_id = sqlite3_column_int64(s, 1);
	p->text = col_str(s, 2);
	p->due = col_time(s, 3);
	p->done_at = col_time(s, 4);
	p->created_at = sqlite3_column_int64(s, 5);
	p->contact_name = col_str(s, 6);
}

int store_promise_list(struct store *st, int64_t ws, int64_t contact_id,
		       bool include_done, struct promise **out, size_t *n,
		       struct kith_err *err)
{
	struct promise *p = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	int rc, more;

	/* Open before kept; among open, those with a due time first by it. */
	/* One contact reads its index; ?2 = 0 keeps the binding. */
	if (contact_id)
		STMT(s, "SELECT p.id, p.contact_id, p.text, p.due, p.done_at,"
			" p.created_at, c.name FROM promise p JOIN contact c"
			" ON c.id = p.contact_id WHERE p.workspace_id = ?1"
			" AND p.contact_id = ?2"
			" AND (?3 OR p.done_at IS NULL)"
			" ORDER BY p.done_at IS NOT NULL, p.due IS NULL, p.due, p.id");
	else
		STMT(s, "SELECT p.id, p.contact_id, p.text, p.due, p.done_at,"
			" p.created_at, c.name FROM promise p JOIN contact c"
			" ON c.id = p.contact_id WHERE p.workspace_id = ?1"
			" AND ?2 = 0"
			" AND (?3 OR p.done_at IS NULL)"
			" ORDER BY p.done_at IS NOT NULL, p.due IS NULL, p.due, p.id");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, contact_id);
	sqlite3_bind_int(s, 3, include_done);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(p, cnt, err);
		promise_read(s, &p[cnt++]);
	}
	*out = p;
	*n = cnt;
	return KITH_OK;
fail:
	store_promises_free(p, cnt);
	return rc;
}

int store_promise_get(struct store *st, int64_t ws, int64_t id,
		      struct promise *out, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	memset(out, 0, sizeof(*out));
	STMT(s, "SELECT p.id, p.contact_id, p.text, p.due, p.done_at,"
		" p.created_at, c.name FROM promise p JOIN contact c"
		" ON c.id = p.contact_id WHERE p.workspace_id = ? AND p.id = ?");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, id);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "promise",
				    "no promise %lld", (long long)id);
	promise_read(s, out);
	sqlite3_reset(s);
	return KITH_OK;
fail:
	return rc;
}

int store_promise_done(struct store *st, int64_t ws, int64_t id,
		       kith_time at, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "UPDATE promise SET done_at = ? WHERE workspace_id = ?"
		" AND id = ?");
	bind_time(s, 1, at);
	sqlite3_bind_int64(s, 2, ws);
	sqlite3_bind_int64(s, 3, id);
	EXEC(s, "keep promise");
	if (!sqlite3_changes(st->db))
		return kith_err_set(err, KITH_ENOTFOUND, "promise",
				    "no promise %lld", (long long)id);
	return KITH_OK;
fail:
	return rc;
}

int store_gift_add(struct store *st, int64_t ws, struct gift *g,
		   struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc = KITH_OK;

	if (g->contact_id)
		rc = contact_exists(st, ws, g->contact_id, err);
	if (!rc)
		rc = org_check(st, ws, g->org_id, err);
	if (rc)
		return rc;
	STMT(s, "INSERT INTO gift(id, workspace_id, contact_id, org_id, text,"
		" value_cents, at) VALUES (?, ?, ?, ?, ?, ?, ?)");
	bind_id(s, 1, g->id);
	sqlite3_bind_int64(s, 2, ws);
	bind_id(s, 3, g->contact_id);
	bind_id(s, 4, g->org_id);
	bind_text(s, 5, g->text);
	sqlite3_bind_int64(s, 6, g->value_cents);
	sqlite3_bind_int64(s, 7, g->at);
	EXEC(s, "add gift");
	g->id = sqlite3_last_insert_rowid(st->db);
fail:
	return rc;
}

void store_gifts_free(struct gift *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		gift_clear(&g[i]);
	free(g);
}

int store_gift_list(struct store *st, int64_t ws, int64_t contact_id,
		    struct gift **out, size_t *n, struct kith_err *err)
{
	struct gift *g = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	int rc, more;

	/* One contact reads its index; ?2 = 0 keeps the binding. */
	if (contact_id)
		STMT(s, "SELECT id, contact_id, org_id, text, value_cents, at"
			" FROM gift WHERE workspace_id = ?1"
			" AND contact_id = ?2 ORDER BY at, id");
	else
		STMT(s, "SELECT id, contact_id, org_id, text, value_cents, at"
			" FROM gift WHERE workspace_id = ?1"
			" AND ?2 = 0 ORDER BY at, id");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, contact_id);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(g, cnt, err);
		g[cnt].id = sqlite3_column_int64(s, 0);
		g[cnt].contact_id = sqlite3_column_int64(s, 1);
		g[cnt].org_id = sqlite3_column_int64(s, 2);
		g[cnt].text = col_str(s, 3);
		g[cnt].value_cents = sqlite3_column_int64(s, 4);
		g[cnt].at = sqlite3_column_int64(s, 5);
		cnt++;
	}
	*out = g;
	*n = cnt;
	return KITH_OK;
fail:
	store_gifts_free(g, cnt);
	return rc;
}

int store_revenue_add(struct store *st, int64_t ws, struct revenue *r,
		      struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc = KITH_OK;

	if (r->contact_id)
		rc = contact_exists(st, ws, r->contact_id, err);
	if (!rc)
		rc = org_check(st, ws, r->org_id, err);
	if (rc)
		return rc;
	STMT(s, "INSERT INTO revenue(id, workspace_id, contact_id, org_id,"
		" amount_cents, at, note) VALUES (?, ?, ?, ?, ?, ?, ?)");
	bind_id(s, 1, r->id);
	sqlite3_bind_int64(s, 2, ws);
	bind_id(s, 3, r->contact_id);
	bind_id(s, 4, r->org_id);
	sqlite3_bind_int64(s, 5, r->amount_cents);
	sqlite3_bind_int64(s, 6, r->at);
	bind_text(s, 7, r->note);
	EXEC(s, "add revenue");
	r->id = sqlite3_last_insert_rowid(st->db);
fail:
	return rc;
}

void store_revenues_free(struct revenue *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		revenue_clear(&r[i]);
	free(r);
}

int store_revenue_list(struct store *st, int64_t ws, int64_t contact_id,
		       struct revenue **out, size_t *n, struct kith_err *err)
{
	struct revenue *r = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	int rc, more;

	/* One contact reads its index; ?2 = 0 keeps the binding. */
	if (contact_id)
		STMT(s, "SELECT id, contact_id, org_id, amount_cents, at, note"
			" FROM revenue WHERE workspace_id = ?1"
			" AND contact_id = ?2 ORDER BY at, id");
	else
		STMT(s, "SELECT id, contact_id, org_id, amount_cents, at, note"
			" FROM revenue WHERE workspace_id = ?1"
			" AND ?2 = 0 ORDER BY at, id");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, contact_id);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(r, cnt, err);
		r[cnt].id = sqlite3_column_int64(s, 0);
		r[cnt].contact_id = sqlite3_column_int64(s, 1);
		r[cnt].org_id = sqlite3_column_int64(s, 2);
		r[cnt].amount_cents = sqlite3_column_int64(s, 3);
		r[cnt].at = sqlite3_column_int64(s, 4);
		r[cnt].note = col_str(s, 5);
		cnt++;
	}
	*out = r;
	*n = cnt;
	return KITH_OK;
fail:
	store_revenues_free(r, cnt);
	return rc;
}

int store_revenue_total(struct store *st, int64_t ws, int64_t contact_id,
			int64_t *cents, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT coalesce(sum(amount_cents), 0) FROM revenue"
		" WHERE workspace_id = ?1 AND contact_id = ?2");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, contact_id);
	STEP(s, more);
	*cents = more ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return KITH_OK;
fail:
	return rc;
}

/* ---- cadence rules ---- */

int store_cadence_set(struct store *st, int64_t ws,
		      const struct cadence_rule *r, kith_time now,
		      struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	(void)now;
	if (kith_cadence_none(r->every) && kith_cadence_none(r->meet) &&
	    r->scope == CADENCE_TAG) {
		STMT(s, "DELETE FROM cadence_rule WHERE workspace_id = ? AND"
			" scope = 'tag' AND key = ?");
		sqlite3_bind_int64(s, 1, ws);
		bind_text(s, 2, r->key);
		EXEC(s, "set cadence");
	} else {
		STMT(s, "INSERT INTO cadence_rule(workspace_id, scope, key,"
			" every, meet) VALUES (?, ?, ?, ?, ?)"
			" ON CONFLICT (workspace_id, scope, key) DO UPDATE"
			" SET every = excluded.every, meet = excluded.meet");
		sqlite3_bind_int64(s, 1, ws);
		bind_text(s, 2, cadence_scope_name(r->scope));
		bind_text(s, 3, r->key ? r->key : "");
		sqlite3_bind_int(s, 4, kith_cadence_code(r->every));
		sqlite3_bind_int(s, 5, kith_cadence_code(r->meet));
		EXEC(s, "set cadence");
	}
	/* Refresh only the contacts the rule can reach. */
	if (r->scope == CADENCE_TAG)
		STMT(s, "SELECT contact_id FROM contact_tag WHERE"
			" workspace_id = ?1 AND tag = ?2");
	else if (r->scope == CADENCE_TIER)
		STMT(s, "SELECT id FROM contact WHERE workspace_id = ?1"
			" AND tier = ?2");
	else
		STMT(s, "SELECT id FROM contact WHERE workspace_id = ?1"
			" AND ?2 IS NOT NULL");
	sqlite3_bind_int64(s, 1, ws);
	bind_text(s, 2, r->key ? r->key : "");
	{
		int64_t *ids = NULL;
		size_t n = 0;

		rc = collect_ids(st, s, 0, &ids, &n, err);
		for (size_t i = 0; !rc && i < n; i++)
			rc = contact_refresh(st, ws, ids[i], err);
		free(ids);
	}
fail:
	return rc;
}

void store_cadences_free(struct cadence_rule *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(r[i].key);
	free(r);
}

int store_cadence_list(struct store *st, int64_t ws,
		       struct cadence_rule **out, size_t *n,
		       struct kith_err *err)
{
	struct cadence_rule *r = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT scope, key, every, meet FROM cadence_rule"
		" WHERE workspace_id = ? ORDER BY CASE scope WHEN 'default'"
		" THEN 0 WHEN 'tier' THEN 1 ELSE 2 END, key");
	sqlite3_bind_int64(s, 1, ws);
	for (;;) {
		const char *scope;

		STEP(s, more);
		if (!more)
			break;
		PUSH(r, cnt, err);
		scope = (const char *)sqlite3_column_text(s, 0);
		/* The schema's CHECK allows only the three names. */
		if (cadence_scope_parse(&r[cnt].scope, scope, "scope", NULL))
			r[cnt].scope = CADENCE_DEFAULT;
		r[cnt].key = col_str(s, 1);
		r[cnt].every = kith_cadence_decode(sqlite3_column_int(s, 2));
		r[cnt].meet = kith_cadence_decode(sqlite3_column_int(s, 3));
		cnt++;
	}
	*out = r;
	*n = cnt;
	return KITH_OK;
fail:
	store_cadences_free(r, cnt);
	return rc;
}

/* ---- the agenda's indexes ---- */

int store_due_groups(struct store *st, int64_t ws, enum due_clock clock,
		     struct due_group **out, size_t *n, struct kith_err *err)
{
	struct due_group *v = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	int64_t code = INT64_MIN;
	char tier[4] = "";
	bool have = false;
	int rc, more;

	/*
	 * A skip-scan by hand, two index seeks per (cadence, tier) in use:
	 * the next tier of this cadence, else the first of the next cadence.
	 * A row-value (cadence, tier) > (?, ?) looked neater but SQLite seeks
	 * only on the cadence and walks the rest: 1.6 s at 1M contacts.
	 * Month cadences are negative codes; 0 (none) is skipped.
	 */
	for (;;) {
		more = 0;
		if (have) {
			if (clock == DUE_ANY)
				STMT(s, "SELECT tier FROM contact WHERE"
					" workspace_id = ? AND eff_every = ?"
					" AND tier > ? ORDER BY tier LIMIT 1");
			else
				STMT(s, "SELECT tier FROM contact WHERE"
					" workspace_id = ? AND eff_meet = ?"
					" AND tier > ? ORDER BY tier LIMIT 1");
			sqlite3_bind_int64(s, 1, ws);
			sqlite3_bind_int64(s, 2, code);
			bind_text(s, 3, tier);
			STEP(s, more);
			if (more)
				snprintf(tier, sizeof(tier), "%s",
					 (const char *)sqlite3_column_text(s,
									   0));
			sqlite3_reset(s);
		}
		if (!more) {
			if (clock == DUE_ANY)
				STMT(s, "SELECT eff_every, tier FROM contact"
					" WHERE workspace_id = ? AND"
					" eff_every > ? ORDER BY eff_every,"
					" tier LIMIT 1");
			else
				STMT(s, "SELECT eff_meet, tier FROM contact"
					" WHERE workspace_id = ? AND"
					" eff_meet > ? ORDER BY eff_meet,"
					" tier LIMIT 1");
			sqlite3_bind_int64(s, 1, ws);
			sqlite3_bind_int64(s, 2, code);
			STEP(s, more);
			if (!more) {
				sqlite3_reset(s);
				break;
			}
			code = sqlite3_column_int64(s, 0);
			snprintf(tier, sizeof(tier), "%s",
				 (const char *)sqlite3_column_text(s, 1));
			sqlite3_reset(s);
			have = true;
		}
		if (code == 0)
			continue;	/* no cadence: never due */
		PUSH(v, cnt, err);
		v[cnt].code = (int)code;
		tier_parse(&v[cnt].tier, tier, NULL, NULL);
		cnt++;
	}
	*out = v;
	*n = cnt;
	return KITH_OK;
fail:
	free(v);
	return rc;
}

int store_due_page(struct store *st, int64_t ws, enum due_clock clock,
		   const struct due_group *g, kith_time after_anchor,
		   int64_t after_id, struct due_row *out, size_t cap,
		   size_t *n, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	*n = 0;
	if (clock == DUE_ANY)
		STMT(s, "SELECT id, any_anchor FROM contact"
			" WHERE workspace_id = ?1 AND eff_every = ?2"
			" AND tier = ?3 AND (any_anchor, id) > (?4, ?5)"
			" ORDER BY any_anchor, id LIMIT ?6");
	else
		STMT(s, "SELECT id, meet_anchor FROM contact"
			" WHERE workspace_id = ?1 AND eff_meet = ?2"
			" AND tier = ?3 AND (meet_anchor, id) > (?4, ?5)"
			" ORDER BY meet_anchor, id LIMIT ?6");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int(s, 2, g->code);
	bind_text(s, 3, tier_name(g->tier));
	sqlite3_bind_int64(s, 4, after_anchor);
	sqlite3_bind_int64(s, 5, after_id);
	sqlite3_bind_int64(s, 6, (int64_t)cap);
	while (*n < cap) {
		STEP(s, more);
		if (!more)
			break;
		out[*n].id = sqlite3_column_int64(s, 0);
		out[*n].anchor = sqlite3_column_int64(s, 1);
		(*n)++;
	}
	sqlite3_reset(s);
	return KITH_OK;
fail:
	return rc;
}

int store_dates_window(struct store *st, int64_t ws, int32_t from_day,
		       int32_t to_day, int64_t **ids, size_t *n,
		       struct kith_err *err)
{
	int64_t *v = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	int lo, hi, rc, more;

	/* Widened by a day each way so Feb 29 is found when it falls on
	 * Feb 28; the core decides exactly. */
	lo = mmdd_of(from_day - 1);
	hi = mmdd_of(to_day + 1);
	STMT(s, "SELECT contact_id FROM kdate WHERE workspace_id = ?1"
		" AND ((yearly = 1 AND (CASE WHEN ?2 <= ?3"
		"  THEN mmdd BETWEEN ?2 AND ?3"
		"  ELSE (mmdd >= ?2 OR mmdd <= ?3) END))"
		" OR (yearly = 0 AND day BETWEEN ?4 AND ?5))");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int(s, 2, lo);
	sqlite3_bind_int(s, 3, hi);
	sqlite3_bind_int(s, 4, from_day);
	sqlite3_bind_int(s, 5, to_day);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(v, cnt, err);
		v[cnt++] = sqlite3_column_int64(s, 0);
	}
	*ids = v;
	*n = cnt;
	return KITH_OK;
fail:
	free(v);
	return rc;
}

int store_promises_due_page(struct store *st, int64_t ws, kith_time before,
			    kith_time after_due, int64_t after_id,
			    struct promise_row *out, size_t cap, size_t *n,
			    struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	*n = 0;
	STMT(s, "SELECT id, contact_id, due FROM promise"
		" WHERE workspace_id = ?1 AND done_at IS NULL"
		" AND due IS NOT NULL AND due < ?2 AND (due, id) > (?3, ?4)"
		" ORDER BY due, id LIMIT ?5");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, before);
	sqlite3_bind_int64(s, 3, after_due);
	sqlite3_bind_int64(s, 4, after_id);
	sqlite3_bind_int64(s, 5, (int64_t)cap);
	while (*n < cap) {
		STEP(s, more);
		if (!more)
			break;
		out[*n].id = sqlite3_column_int64(s, 0);
		out[*n].contact_id = sqlite3_column_int64(s, 1);
		out[*n].due = sqlite3_column_int64(s, 2);
		(*n)++;
	}
	sqlite3_reset(s);
	return KITH_OK;
fail:
	return rc;
}

void agenda_row_clear(struct agenda_row *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->date_kind);
	free(r->promise_text);
	free(r->tz);
	free(r->signal_what);
	memset(r, 0, sizeof(*r));
}

/* Fill the event parts of a row: nearest date, overdue promises, gift. */
static int agenda_row_events(struct store *st, int64_t ws,
			     struct agenda_row *r, kith_time now,
			     int32_t today, struct kith_err *err)
{
	struct agenda_input *in = &r->in;
	sqlite3_stmt *s;
	int rc, more;

	in->date_in_days = -1;
	STMT(s, "SELECT kind, day, year_known, yearly FROM kdate"
		" WHERE workspace_id = ? AND contact_id = ? ORDER BY id");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, in->id);
	for (;;) {
		struct kdate d = { 0 };
		int days, years;

		STEP(s, more);
		if (!more)
			break;
		d.day = sqlite3_column_int(s, 1);
		d.year_known = sqlite3_column_int(s, 2);
		d.yearly = sqlite3_column_int(s, 3);
		days = agenda_days_until(&d, today, &years);
		if (days < 0 || days > AGENDA_DATE_WINDOW)
			continue;
		if (in->date_in_days >= 0 && days >= in->date_in_days)
			continue;
		free(r->date_kind);
		r->date_kind = col_str(s, 0);
		in->date_in_days = days;
		in->date_years = years;
	}
	in->date_kind = r->date_kind;
	STMT(s, "SELECT count(*), min(due), (SELECT text FROM promise q"
		" WHERE q.workspace_id = ?1 AND q.contact_id = ?2 AND"
		" q.done_at IS NULL AND q.due < ?3 ORDER BY q.due, q.id LIMIT 1)"
		" FROM promise WHERE workspace_id = ?1 AND contact_id = ?2"
		" AND done_at IS NULL AND due < ?3");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, in->id);
	sqlite3_bind_int64(s, 3, now);
	STEP(s, more);
	in->promises_overdue = more ? sqlite3_column_int(s, 0) : 0;
	in->promise_due = more ? col_time(s, 1) : KITH_NO_TIME;
	r->promise_text = more ? col_str(s, 2) : NULL;
	in->promise_text = r->promise_text;
	sqlite3_reset(s);
	STMT(s, "SELECT max(at) FROM gift WHERE workspace_id = ?1"
		" AND contact_id = ?2");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, in->id);
	STEP(s, more);
	in->last_gift = more ? col_time(s, 0) : KITH_NO_TIME;
	sqlite3_reset(s);
	/* Waiting signals: the partial index holds only unanswered ones. */
	STMT(s, "SELECT count(*) OVER (), at, type, coalesce(url, text)"
		" FROM signal WHERE workspace_id = ?1 AND contact_id = ?2"
		" AND answered_at IS NULL ORDER BY at LIMIT 1");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, in->id);
	STEP(s, more);
	if (more) {
		const char *w = (const char *)sqlite3_column_text(s, 3);
		const char *path = w ? strstr(w, "://") : NULL;

		in->signals_waiting = sqlite3_column_int(s, 0);
		in->signal_at = sqlite3_column_int64(s, 1);
		signal_type_parse(&in->signal_type,
				  (const char *)sqlite3_column_text(s, 2),
				  NULL, NULL);
		/* A URL is shown by its path: "/pricing". */
		if (path && strchr(path + 3, '/'))
			w = strchr(path + 3, '/');
		r->signal_what = w ? strdup(w) : NULL;
		in->signal_what = r->signal_what;
	}
	sqlite3_reset(s);
	return KITH_OK;
fail:
	return rc;
}

#define AGENDA_COLS                                                          \
	"id, name, tier, since, eff_every, eff_meet, created_at,"           \
	" last_touch, last_in_person, snooze_until, tz"

static void agenda_row_read(sqlite3_stmt *s, struct agenda_row *r)
{
	struct agenda_input *in = &r->in;
	const char *tier = (const char *)sqlite3_column_text(s, 2);

	memset(r, 0, sizeof(*r));
	in->id = sqlite3_column_int64(s, 0);
	r->name = col_str(s, 1);
	in->name = r->name;
	tier_parse(&in->tier, tier ? tier : "", NULL, NULL);
	in->since = col_day(s, 3);
	in->every = kith_cadence_decode(sqlite3_column_int(s, 4));
	in->meet = kith_cadence_decode(sqlite3_column_int(s, 5));
	in->created_at = sqlite3_column_int64(s, 6);
	in->last_touch = col_time(s, 7);
	in->last_in_person = col_time(s, 8);
	in->snooze_until = col_time(s, 9);
	r->tz = col_str(s, 10);
}

int store_agenda_row_events(struct store *st, int64_t ws,
			    struct agenda_row *row, kith_time now,
			    int32_t today, struct kith_err *err)
{
	return agenda_row_events(st, ws, row, now, today, err);
}

int store_agenda_row_base(struct store *st, int64_t ws, int64_t id,
			  struct agenda_row *out, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	memset(out, 0, sizeof(*out));
	STMT(s, "SELECT " AGENDA_COLS " FROM contact WHERE id = ? AND"
		" workspace_id = ?");
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, ws);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "contact",
				    "no contact %lld", (long long)id);
	agenda_row_read(s, out);
	out->in.date_in_days = -1;
	sqlite3_reset(s);
	return KITH_OK;
fail:
	return rc;
}

int store_agenda_row(struct store *st, int64_t ws, int64_t id, kith_time now,
		     int32_t today, struct agenda_row *out,
		     struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	memset(out, 0, sizeof(*out));
	STMT(s, "SELECT " AGENDA_COLS " FROM contact WHERE id = ? AND"
		" workspace_id = ?");
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, ws);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "contact",
				    "no contact %lld", (long long)id);
	agenda_row_read(s, out);
	sqlite3_reset(s);
	rc = agenda_row_events(st, ws, out, now, today, err);
	if (rc)
		agenda_row_clear(out);
fail:
	return rc;
}

int store_agenda_each(struct store *st, int64_t ws, kith_time now,
		      int32_t today, store_agenda_visit fn, void *ctx,
		      struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT " AGENDA_COLS " FROM contact WHERE workspace_id = ?"
		" ORDER BY id");
	sqlite3_bind_int64(s, 1, ws);
	for (;;) {
		struct agenda_row r;

		STEP(s, more);
		if (!more)
			break;
		agenda_row_read(s, &r);
		rc = agenda_row_events(st, ws, &r, now, today, err);
		if (!rc)
			rc = fn(ctx, &r);
		agenda_row_clear(&r);
		if (rc)
			goto fail;
	}
	return KITH_OK;
fail:
	sqlite3_reset(s);
	return rc;
}

int store_refresh_all(struct store *st, int64_t ws, kith_time now,
		      struct kith_err *err)
{
	int64_t *ids = NULL;
	size_t n = 0;
	sqlite3_stmt *s;
	int rc;

	(void)now;
	STMT(s, "SELECT id FROM contact WHERE workspace_id = ? ORDER BY id");
	sqlite3_bind_int64(s, 1, ws);
	rc = collect_ids(st, s, 0, &ids, &n, err);
	for (size_t i = 0; !rc && i < n; i++)
		rc = contact_refresh(st, ws, ids[i], err);
	free(ids);
fail:
	return rc;
}

int store_analyze(struct store *st, struct kith_err *err)
{
	return exec_sql(st, "ANALYZE", err);
}

/* ---- accounts ---- */

#define USER_COLS "id, workspace_id, email, name, role, password_hash, tz," \
		  " created_at, focus_until, digest_day"

static void user_read(sqlite3_stmt *s, struct user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(s, 0);
	u->workspace_id = sqlite3_column_int64(s, 1);
	u->email = col_str(s, 2);
	u->name = col_str(s, 3);
	role_parse(&u->role, (const char *)sqlite3_column_text(s, 4), NULL,
		   NULL);
	u->password_hash = col_str(s, 5);
	u->tz = col_str(s, 6);
	u->created_at = sqlite3_column_int64(s, 7);
	u->focus_until = col_time(s, 8);
	u->digest_day = col_day(s, 9);
}

int store_user_add(struct store *st, struct user *u, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "INSERT INTO user(workspace_id, email, name, role,"
		" password_hash, tz, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
	sqlite3_bind_int64(s, 1, u->workspace_id);
	bind_text(s, 2, u->email);
	bind_text(s, 3, u->name ? u->name : "");
	bind_text(s, 4, role_name(u->role));
	bind_text(s, 5, u->password_hash);
	bind_text(s, 6, u->tz ? u->tz : "");
	sqlite3_bind_int64(s, 7, u->created_at);
	rc = exec_stmt(st, s, NULL, "add user");
	if (rc)
		return kith_err_set(err, KITH_ECONFLICT, "email",
				    "%s already has an account", u->email);
	u->id = sqlite3_last_insert_rowid(st->db);
	return KITH_OK;
fail:
	return rc;
}

static int user_one(struct store *st, sqlite3_stmt *s, struct user *out,
		    struct kith_err *err)
{
	int rc, more;

	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "user", "no such user");
	user_read(s, out);
	sqlite3_reset(s);
	return KITH_OK;
fail:
	return rc;
}

int store_user_get(struct store *st, int64_t ws, int64_t id,
		   struct user *out, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "SELECT " USER_COLS " FROM user WHERE id = ? AND"
		" workspace_id = ?");
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, ws);
	return user_one(st, s, out, err);
fail:
	return rc;
}

int store_user_by_email(struct store *st, const char *email,
			struct user *out, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "SELECT " USER_COLS " FROM user WHERE email = ?");
	bind_text(s, 1, email);
	return user_one(st, s, out, err);
fail:
	return rc;
}

void store_users_free(struct user *u, size_t n)
{
	for (size_t i = 0; i < n; i++)
		user_clear(&u[i]);
	free(u);
}

int store_user_list(struct store *st, int64_t ws, struct user **out,
		    size_t *n, struct kith_err *err)
{
	struct user *u = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT " USER_COLS " FROM user WHERE workspace_id = ?"
		" ORDER BY id");
	sqlite3_bind_int64(s, 1, ws);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(u, cnt, err);
		user_read(s, &u[cnt++]);
	}
	*out = u;
	*n = cnt;
	return KITH_OK;
fail:
	store_users_free(u, cnt);
	return rc;
}

int store_user_update(struct store *st, int64_t ws, const struct user *u,
		      struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "UPDATE user SET name = ?, role = ?, password_hash = ?, tz = ?"
		" WHERE id = ? AND workspace_id = ?");
	bind_text(s, 1, u->name ? u->name : "");
	bind_text(s, 2, role_name(u->role));
	bind_text(s, 3, u->password_hash);
	bind_text(s, 4, u->tz ? u->tz : "");
	sqlite3_bind_int64(s, 5, u->id);
	sqlite3_bind_int64(s, 6, ws);
	EXEC(s, "update user");
	if (!sqlite3_changes(st->db))
		return kith_err_set(err, KITH_ENOTFOUND, "user", "no such user");
	return KITH_OK;
fail:
	return rc;
}

int store_user_delete(struct store *st, int64_t ws, int64_t id,
		      struct kith_err *err)
{
	static const char *const sql[] = {
		"DELETE FROM session WHERE user_id = ?2 AND workspace_id = ?1",
		"DELETE FROM api_token WHERE user_id = ?2 AND workspace_id = ?1",
		"DELETE FROM touch_user WHERE user_id = ?2 AND workspace_id = ?1",
		"DELETE FROM alert WHERE user_id = ?2 AND workspace_id = ?1",
		"DELETE FROM outbox WHERE workspace_id = ?1 AND target_id IN"
		" (SELECT id FROM notify_target WHERE user_id = ?2)",
		"DELETE FROM notify_target WHERE user_id = ?2"
		" AND workspace_id = ?1",
		/* Their calendar goes with them (L8): ids may be reused. */
		"DELETE FROM meeting_contact WHERE meeting_id IN (SELECT id"
		" FROM meeting WHERE user_id = ?2 AND workspace_id = ?1)",
		"DELETE FROM meeting WHERE user_id = ?2 AND workspace_id = ?1",
		("UPDATE contact SET owner_id = NULL WHERE owner_id = ?2"
		 " AND workspace_id = ?1"),
		"DELETE FROM user WHERE id = ?2 AND workspace_id = ?1",
	};
	sqlite3_stmt *s;
	int rc;

	for (size_t i = 0; i < sizeof(sql) / sizeof(*sql); i++) {
		STMT(s, sql[i]);
		sqlite3_bind_int64(s, 1, ws);
		sqlite3_bind_int64(s, 2, id);
		EXEC(s, "delete user");
	}
	if (!sqlite3_changes(st->db))
		return kith_err_set(err, KITH_ENOTFOUND, "user", "no such user");
	return KITH_OK;
fail:
	return rc;
}

int store_owner_count(struct store *st, int64_t ws, int64_t *out,
		      struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT count(*) FROM user WHERE workspace_id = ? AND"
		" role = 'owner'");
	sqlite3_bind_int64(s, 1, ws);
	STEP(s, more);
	*out = more ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return KITH_OK;
fail:
	return rc;
}

int store_session_add(struct store *st, const char *id_hash, int64_t ws,
		      int64_t user_id, kith_time now, kith_time expires,
		      kith_time idle_until, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "INSERT INTO session(id_hash, workspace_id, user_id,"
		" created_at, expires_at, idle_until) VALUES (?, ?, ?, ?, ?,"
		" min(?5, ?6))");
	bind_text(s, 1, id_hash);
	sqlite3_bind_int64(s, 2, ws);
	sqlite3_bind_int64(s, 3, user_id);
	sqlite3_bind_int64(s, 4, now);
	sqlite3_bind_int64(s, 5, expires);
	sqlite3_bind_int64(s, 6, idle_until);
	EXEC(s, "add session");
	return KITH_OK;
fail:
	return rc;
}

int store_session_user(struct store *st, const char *id_hash, kith_time now,
		       struct user *out, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "SELECT u.id, u.workspace_id, u.email, u.name, u.role,"
		" u.password_hash, u.tz, u.created_at, u.focus_until,"
		" u.digest_day FROM session x"
		" JOIN user u ON u.id = x.user_id"
		" WHERE x.id_hash = ?1 AND x.expires_at > ?2"
		" AND coalesce(x.idle_until, x.expires_at) > ?2");
	bind_text(s, 1, id_hash);
	sqlite3_bind_int64(s, 2, now);
	return user_one(st, s, out, err);
fail:
	return rc;
}

int store_session_touch(struct store *st, const char *id_hash,
			kith_time idle_until, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "UPDATE session SET idle_until = min(expires_at, ?2)"
		" WHERE id_hash = ?1 AND coalesce(idle_until, 0) < min(expires_at, ?2)");
	bind_text(s, 1, id_hash);
	sqlite3_bind_int64(s, 2, idle_until);
	EXEC(s, "touch session");
	return KITH_OK;
fail:
	return rc;
}

int store_session_delete_user(struct store *st, int64_t user_id,
			      const char *keep_hash, int64_t *n,
			      struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "DELETE FROM session WHERE user_id = ?1"
		" AND (?2 IS NULL OR id_hash <> ?2)");
	sqlite3_bind_int64(s, 1, user_id);
	if (keep_hash)
		bind_text(s, 2, keep_hash);
	else
		sqlite3_bind_null(s, 2);
	EXEC(s, "end sessions");
	if (n)
		*n = sqlite3_changes(st->db);
	return KITH_OK;
fail:
	return rc;
}

int store_session_purge(struct store *st, kith_time now,
			struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "DELETE FROM session WHERE expires_at <= ?1"
		" OR coalesce(idle_until, expires_at) <= ?1");
	sqlite3_bind_int64(s, 1, now);
	EXEC(s, "purge sessions");
	return KITH_OK;
fail:
	return rc;
}

int store_session_delete(struct store *st, const char *id_hash,
			 struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "DELETE FROM session WHERE id_hash = ?");
	bind_text(s, 1, id_hash);
	EXEC(s, "delete session");
	return KITH_OK;
fail:
	return rc;
}

int store_token_add(struct store *st, int64_t ws, int64_t user_id,
		    const char *name, const char *hash, kith_time now,
		    kith_time expires, int64_t *id, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "INSERT INTO api_token(workspace_id, user_id, name, hash,"
		" created_at, expires_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6"
		" FROM user WHERE id = ?2 AND workspace_id = ?1");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, user_id);
	bind_text(s, 3, name);
	bind_text(s, 4, hash);
	sqlite3_bind_int64(s, 5, now);
	if (expires == KITH_NO_TIME)
		sqlite3_bind_null(s, 6);
	else
		sqlite3_bind_int64(s, 6, expires);
	EXEC(s, "add token");
	if (!sqlite3_changes(st->db))
		return kith_err_set(err, KITH_ENOTFOUND, "user", "no such user");
	*id = sqlite3_last_insert_rowid(st->db);
	return KITH_OK;
fail:
	return rc;
}

int store_token_user(struct store *st, const char *hash, kith_time now,
		     struct user *out, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "SELECT u.id, u.workspace_id, u.email, u.name, u.role,"
		" u.password_hash, u.tz, u.created_at, u.focus_until,"
		" u.digest_day FROM api_token t"
		" JOIN user u ON u.id = t.user_id"
		" WHERE t.hash = ?1 AND t.revoked_at IS NULL"
		" AND (t.expires_at IS NULL OR t.expires_at > ?2)");
	bind_text(s, 1, hash);
	sqlite3_bind_int64(s, 2, now);
	return user_one(st, s, out, err);
fail:
	return rc;
}

int store_token_touch(struct store *st, const char *hash, kith_time now,
		      struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "UPDATE api_token SET last_used_at = ?2 WHERE hash = ?1"
		" AND (last_used_at IS NULL OR last_used_at < ?2 - 60)");
	bind_text(s, 1, hash);
	sqlite3_bind_int64(s, 2, now);
	EXEC(s, "note token use");
	return KITH_OK;
fail:
	return rc;
}

void store_tokens_free(struct api_token *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		api_token_clear(&t[i]);
	free(t);
}

int store_token_list(struct store *st, int64_t ws, int64_t user_id,
		     struct api_token **out, size_t *n, struct kith_err *err)
{
	struct api_token *t = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT id, user_id, name, created_at, last_used_at,"
		" revoked_at, expires_at FROM api_token WHERE workspace_id = ?1"
		" AND (?2 = 0 OR user_id = ?2) ORDER BY id");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, user_id);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(t, cnt, err);
		t[cnt].id = sqlite3_column_int64(s, 0);
		t[cnt].user_id = sqlite3_column_int64(s, 1);
		t[cnt].name = col_str(s, 2);
		t[cnt].created_at = sqlite3_column_int64(s, 3);
		t[cnt].last_used_at = col_time(s, 4);
		t[cnt].revoked_at = col_time(s, 5);
		t[cnt].expires_at = col_time(s, 6);
		cnt++;
	}
	*out = t;
	*n = cnt;
	return KITH_OK;
fail:
	store_tokens_free(t, cnt);
	return rc;
}

int store_token_revoke(struct store *st, int64_t ws, int64_t user_id,
		       int64_t id, kith_time now, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "UPDATE api_token SET revoked_at = coalesce(revoked_at, ?4)"
		" WHERE id = ?3 AND workspace_id = ?1"
		" AND (?2 = 0 OR user_id = ?2)");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, user_id);
	sqlite3_bind_int64(s, 3, id);
	sqlite3_bind_int64(s, 4, now);
	EXEC(s, "revoke token");
	if (!sqlite3_changes(st->db))
		return kith_err_set(err, KITH_ENOTFOUND, "token",
				    "no token %lld", (long long)id);
	return KITH_OK;
fail:
	return rc;
}

/* ---- signals, alerts, notifications, meetings ---- */

int store_hook_get(struct store *st, int64_t ws, char **secret,
		   struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	*secret = NULL;
	STMT(s, "SELECT secret FROM hook WHERE workspace_id = ?");
	sqlite3_bind_int64(s, 1, ws);
	STEP(s, more);
	if (more)
		*secret = col_str(s, 0);
	sqlite3_reset(s);
	return KITH_OK;
fail:
	return rc;
}

int store_hook_set(struct store *st, int64_t ws, const char *secret,
		   const char *hash, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "INSERT INTO hook(workspace_id, secret, secret_hash)"
		" VALUES (?, ?, ?) ON CONFLICT (workspace_id) DO UPDATE"
		" SET secret = excluded.secret,"
		" secret_hash = excluded.secret_hash");
	sqlite3_bind_int64(s, 1, ws);
	bind_text(s, 2, secret);
	bind_text(s, 3, hash);
	EXEC(s, "set webhook secret");
	return KITH_OK;
fail:
	return rc;
}

int store_hook_find(struct store *st, const char *hash, int64_t *ws,
		    char **secret, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT workspace_id, secret FROM hook WHERE secret_hash = ?");
	bind_text(s, 1, hash);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "secret",
				    "no such webhook");
	*ws = sqlite3_column_int64(s, 0);
	*secret = col_str(s, 1);
	sqlite3_reset(s);
	return KITH_OK;
fail:
	return rc;
}

int store_signal_match(struct store *st, int64_t ws, const char *email,
		       const char *handle, int64_t *contact_id,
		       struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;
	const char *at = email ? strrchr(email, '@') : NULL;

	*contact_id = 0;
	if (email && *email) {
		STMT(s, "SELECT contact_id FROM contact_email WHERE"
			" workspace_id = ? AND email = ? ORDER BY contact_id"
			" LIMIT 1");
		sqlite3_bind_int64(s, 1, ws);
		bind_text(s, 2, email);
		STEP(s, more);
		if (more)
			*contact_id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		if (*contact_id)
			return KITH_OK;
	}
	if (at && at[1]) {
		/* The domain names an organization: its most recently
		 * touched contact is the one who will know the sender.
		 * Only contacts of an organization: a shared mail host
		 * (gmail.com) says nothing about who the sender is. */
		STMT(s, "SELECT c.id FROM contact_email e JOIN contact c"
			" ON c.id = e.contact_id WHERE e.workspace_id = ?"
			" AND e.domain = lower(?) AND c.org_id IS NOT NULL"
			" ORDER BY c.last_touch IS NULL,"
			" c.last_touch DESC, c.id LIMIT 1");
		sqlite3_bind_int64(s, 1, ws);
		bind_text(s, 2, at + 1);
		STEP(s, more);
		if (more)
			*contact_id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		if (*contact_id)
			return KITH_OK;
	}
	if (handle && *handle) {
		const char *h = handle[0] == '@' ? handle + 1 : handle;

		STMT(s, "SELECT contact_id FROM contact_handle WHERE"
			" workspace_id = ?1 AND (handle = ?2 OR handle = '@' || ?2)"
			" ORDER BY contact_id LIMIT 1");
		sqlite3_bind_int64(s, 1, ws);
		bind_text(s, 2, h);
		STEP(s, more);
		if (more)
			*contact_id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	}
	return KITH_OK;
fail:
	return rc;
}

int store_signal_add(struct store *st, int64_t ws, struct signal *sg,
		     bool *duplicate, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "INSERT OR IGNORE INTO signal(workspace_id, ext_id, type,"
		" email, name, handle, url, text, at, received_at, contact_id)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	sqlite3_bind_int64(s, 1, ws);
	bind_text(s, 2, sg->ext_id);
	bind_text(s, 3, signal_type_name(sg->type));
	bind_text(s, 4, sg->email);
	bind_text(s, 5, sg->name);
	bind_text(s, 6, sg->handle);
	bind_text(s, 7, sg->url);
	bind_text(s, 8, sg->text);
	sqlite3_bind_int64(s, 9, sg->at);
	sqlite3_bind_int64(s, 10, sg->received_at);
	bind_id(s, 11, sg->contact_id);
	EXEC(s, "add signal");
	*duplicate = sqlite3_changes(st->db) == 0;
	if (!*duplicate)
		st->open_signals = 1;
	if (!*duplicate) {
		sg->id = sqlite3_last_insert_rowid(st->db);
		return KITH_OK;
	}
	/* The same delivery again: answer with what was stored. */
	STMT(s, "SELECT id, contact_id FROM signal WHERE workspace_id = ?"
		" AND ext_id = ?");
	sqlite3_bind_int64(s, 1, ws);
	bind_text(s, 2, sg->ext_id);
	STEP(s, more);
	if (more) {
		sg->id = sqlite3_column_int64(s, 0);
		sg->contact_id = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return KITH_OK;
fail:
	return rc;
}

#define SIGNAL_COLS                                                          \
	"g.id, g.ext_id, g.type, g.email, g.name, g.handle, g.url, g.text,"  \
	" g.at, g.received_at, g.contact_id, g.answered_at, c.name,"        \
	" c.owner_id, u.tz"
#define SIGNAL_FROM                                                          \
	" FROM signal g LEFT JOIN contact c ON c.id = g.contact_id"          \
	" LEFT JOIN user u ON u.id = c.owner_id"

static void signal_read(sqlite3_stmt *s, struct signal *g)
{
	memset(g, 0, sizeof(*g));
	g->id = sqlite3_column_int64(s, 0);
	g->ext_id = col_str(s, 1);
	signal_type_parse(&g->type, (const char *)sqlite3_column_text(s, 2),
			  NULL, NULL);
	g->email = col_str(s, 3);
	g->name = col_str(s, 4);
	g->handle = col_str(s, 5);
	g->url = col_str(s, 6);
	g->text = col_str(s, 7);
	g->at = sqlite3_column_int64(s, 8);
	g->received_at = sqlite3_column_int64(s, 9);
	g->contact_id = sqlite3_column_int64(s, 10);
	g->answered_at = col_time(s, 11);
	g->contact_name = col_str(s, 12);
	g->owner_id = sqlite3_column_int64(s, 13);
	g->owner_tz = col_str(s, 14);
}

int store_signal_get(struct store *st, int64_t ws, int64_t id,
		     struct signal *out, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT " SIGNAL_COLS SIGNAL_FROM
		" WHERE g.workspace_id = ? AND g.id = ?");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, id);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "signal",
				    "no signal %lld", (long long)id);
	signal_read(s, out);
	sqlite3_reset(s);
	return KITH_OK;
fail:
	return rc;
}

void store_signals_free(struct signal *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		signal_clear(&g[i]);
	free(g);
}

int store_signal_list(struct store *st, int64_t ws, bool waiting_only,
		      int64_t after_id, size_t limit, struct signal **out,
		      size_t *n, struct kith_err *err)
{
	struct signal *g = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	int rc, more;

	/* Waiting first (oldest waiting first), then answered, newest. */
	STMT(s, "SELECT " SIGNAL_COLS SIGNAL_FROM
		" WHERE g.workspace_id = ?1 AND g.id > ?2"
		" AND (?3 = 0 OR g.answered_at IS NULL)"
		" ORDER BY g.answered_at IS NOT NULL,"
		" CASE WHEN g.answered_at IS NULL THEN g.at END,"
		" g.at DESC, g.id LIMIT ?4");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, after_id);
	sqlite3_bind_int(s, 3, waiting_only);
	sqlite3_bind_int64(s, 4, limit ? (int64_t)limit : -1);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(g, cnt, err);
		signal_read(s, &g[cnt++]);
	}
	*out = g;
	*n = cnt;
	return KITH_OK;
fail:
	store_signals_free(g, cnt);
	return rc;
}

int store_signal_attach(struct store *st, int64_t ws, int64_t id,
			int64_t contact_id, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc = contact_exists(st, ws, contact_id, err);

	if (rc)
		return rc;
	STMT(s, "UPDATE signal SET contact_id = ? WHERE workspace_id = ?"
		" AND id = ?");
	sqlite3_bind_int64(s, 1, contact_id);
	sqlite3_bind_int64(s, 2, ws);
	sqlite3_bind_int64(s, 3, id);
	EXEC(s, "attach signal");
	if (!sqlite3_changes(st->db))
		return kith_err_set(err, KITH_ENOTFOUND, "signal",
				    "no signal %lld", (long long)id);
	st->open_signals = 1;
	/* A touch logged before the attach still answers it. */
	STMT(s, "UPDATE signal SET answered_at = (SELECT min(tc.at) FROM"
		" touch_contact tc WHERE tc.workspace_id = ?1 AND"
		" tc.contact_id = ?2 AND tc.at >= signal.at)"
		" WHERE workspace_id = ?1 AND id = ?3 AND answered_at IS NULL");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, contact_id);
	sqlite3_bind_int64(s, 3, id);
	EXEC(s, "attach signal");
	return KITH_OK;
fail:
	return rc;
}

int store_signals_open(struct store *st, int64_t ws, int64_t **ids,
		       size_t *n, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "SELECT DISTINCT contact_id FROM signal WHERE"
		" workspace_id = ? AND answered_at IS NULL AND"
		" contact_id IS NOT NULL");
	sqlite3_bind_int64(s, 1, ws);
	return collect_ids(st, s, 0, ids, n, err);
fail:
	return rc;
}

int store_user_focus(struct store *st, int64_t ws, int64_t user_id,
		     kith_time until, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "UPDATE user SET focus_until = ? WHERE id = ? AND"
		" workspace_id = ?");
	bind_time(s, 1, until);
	sqlite3_bind_int64(s, 2, user_id);
	sqlite3_bind_int64(s, 3, ws);
	EXEC(s, "focus");
	if (!sqlite3_changes(st->db))
		return kith_err_set(err, KITH_ENOTFOUND, "user", "no such user");
	return KITH_OK;
fail:
	return rc;
}

int store_user_digest_day(struct store *st, int64_t user_id, int32_t day,
			  struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "UPDATE user SET digest_day = ? WHERE id = ?");
	sqlite3_bind_int(s, 1, day);
	sqlite3_bind_int64(s, 2, user_id);
	EXEC(s, "digest day");
	return KITH_OK;
fail:
	return rc;
}

int store_users_all(struct store *st, struct user **out, size_t *n,
		    struct kith_err *err)
{
	struct user *u = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT " USER_COLS " FROM user ORDER BY id");
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(u, cnt, err);
		user_read(s, &u[cnt++]);
	}
	*out = u;
	*n = cnt;
	return KITH_OK;
fail:
	store_users_free(u, cnt);
	return rc;
}

int store_alert_add(struct store *st, int64_t ws, int64_t user_id,
		    const char *kind, int64_t signal_id, const char *data,
		    bool held, kith_time now, int64_t *id,
		    struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "INSERT INTO alert(workspace_id, user_id, kind, signal_id,"
		" data, held, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, user_id);
	bind_text(s, 3, kind);
	bind_id(s, 4, signal_id);
	bind_text(s, 5, data);
	sqlite3_bind_int(s, 6, held);
	sqlite3_bind_int64(s, 7, now);
	EXEC(s, "add alert");
	if (id)
		*id = sqlite3_last_insert_rowid(st->db);
	return KITH_OK;
fail:
	return rc;
}

void store_alerts_free(struct alert *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		alert_clear(&a[i]);
	free(a);
}

static int alerts_read(struct store *st, sqlite3_stmt *s, struct alert **out,
		       size_t *n, struct kith_err *err)
{
	struct alert *a = NULL;
	size_t cnt = 0;
	int rc, more;

	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(a, cnt, err);
		a[cnt].id = sqlite3_column_int64(s, 0);
		a[cnt].user_id = sqlite3_column_int64(s, 1);
		a[cnt].kind = col_str(s, 2);
		a[cnt].signal_id = sqlite3_column_int64(s, 3);
		a[cnt].data = col_str(s, 4);
		a[cnt].created_at = sqlite3_column_int64(s, 5);
		cnt++;
	}
	sqlite3_reset(s);
	*out = a;
	*n = cnt;
	return KITH_OK;
fail:
	store_alerts_free(a, cnt);
	return rc;
}

int store_alert_list(struct store *st, int64_t user_id, int64_t after_id,
		     size_t limit, struct alert **out, size_t *n,
		     struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "SELECT id, user_id, kind, signal_id, data, created_at"
		" FROM alert WHERE user_id = ? AND id > ? AND held = 0"
		" ORDER BY id LIMIT ?");
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, after_id);
	sqlite3_bind_int64(s, 3, (int64_t)limit);
	return alerts_read(st, s, out, n, err);
fail:
	return rc;
}

int store_alert_held(struct store *st, int64_t user_id, struct alert **out,
		     size_t *n, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "SELECT id, user_id, kind, signal_id, data, created_at"
		" FROM alert WHERE user_id = ? AND held = 1 ORDER BY id");
	sqlite3_bind_int64(s, 1, user_id);
	return alerts_read(st, s, out, n, err);
fail:
	return rc;
}

int store_alert_release(struct store *st, int64_t user_id,
			struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	/* 2: carried by a digest; never shown on its own. */
	STMT(s, "UPDATE alert SET held = 2 WHERE user_id = ? AND held = 1");
	sqlite3_bind_int64(s, 1, user_id);
	EXEC(s, "release alerts");
	return KITH_OK;
fail:
	return rc;
}

int store_alert_users_held(struct store *st, int64_t **ids, size_t *n,
			   struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "SELECT DISTINCT user_id FROM alert WHERE held = 1");
	return collect_ids(st, s, 0, ids, n, err);
fail:
	return rc;
}

int store_alert_last(struct store *st, int64_t user_id, int64_t *id,
		     struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT coalesce(max(id), 0) FROM alert"
		" WHERE ?1 = 0 OR user_id = ?1");
	sqlite3_bind_int64(s, 1, user_id);
	STEP(s, more);
	*id = more ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return KITH_OK;
fail:
	return rc;
}

int store_notify_add(struct store *st, int64_t ws, struct notify_target *t,
		     struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "INSERT INTO notify_target(workspace_id, user_id, url, json,"
		" created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, url)"
		" DO UPDATE SET json = excluded.json");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, t->user_id);
	bind_text(s, 3, t->url);
	sqlite3_bind_int(s, 4, t->json);
	sqlite3_bind_int64(s, 5, t->created_at);
	EXEC(s, "add notify target");
	STMT(s, "SELECT id FROM notify_target WHERE user_id = ? AND url = ?");
	sqlite3_bind_int64(s, 1, t->user_id);
	bind_text(s, 2, t->url);
	{
		int more;

		STEP(s, more);
		t->id = more ? sqlite3_column_int64(s, 0) : 0;
		sqlite3_reset(s);
	}
	return KITH_OK;
fail:
	return rc;
}

void store_notify_free(struct notify_target *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].url);
	free(t);
}

int store_notify_list(struct store *st, int64_t ws, int64_t user_id,
		      struct notify_target **out, size_t *n,
		      struct kith_err *err)
{
	struct notify_target *t = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT id, user_id, url, json, created_at FROM notify_target"
		" WHERE workspace_id = ?1 AND (?2 = 0 OR user_id = ?2)"
		" ORDER BY id");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, user_id);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(t, cnt, err);
		t[cnt].id = sqlite3_column_int64(s, 0);
		t[cnt].user_id = sqlite3_column_int64(s, 1);
		t[cnt].url = col_str(s, 2);
		t[cnt].json = sqlite3_column_int(s, 3);
		t[cnt].created_at = sqlite3_column_int64(s, 4);
		cnt++;
	}
	*out = t;
	*n = cnt;
	return KITH_OK;
fail:
	store_notify_free(t, cnt);
	return rc;
}

int store_notify_delete(struct store *st, int64_t ws, int64_t id,
			struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "DELETE FROM outbox WHERE target_id = ?2 AND workspace_id = ?1");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, id);
	EXEC(s, "remove notify target");
	STMT(s, "DELETE FROM notify_target WHERE id = ?2 AND workspace_id = ?1");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, id);
	EXEC(s, "remove notify target");
	if (!sqlite3_changes(st->db))
		return kith_err_set(err, KITH_ENOTFOUND, "id",
				    "no notification target %lld",
				    (long long)id);
	return KITH_OK;
fail:
	return rc;
}

int store_outbox_add(struct store *st, int64_t ws, int64_t target_id,
		     const char *body, kith_time now, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "INSERT INTO outbox(workspace_id, target_id, body, next_at)"
		" VALUES (?, ?, ?, ?)");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, target_id);
	bind_text(s, 3, body);
	sqlite3_bind_int64(s, 4, now);
	EXEC(s, "queue notification");
	return KITH_OK;
fail:
	return rc;
}

void store_outbox_free(struct outbox_item *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		outbox_item_clear(&o[i]);
	free(o);
}

int store_outbox_due(struct store *st, kith_time now, size_t limit,
		     size_t per_ws, struct outbox_item **out, size_t *n,
		     struct kith_err *err)
{
	struct outbox_item *o = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	int rc, more;

	/* Round-robin over workspaces: every workspace's oldest first, then
	 * every workspace's second... so one tenant's backlog cannot fill
	 * the batch. */
	STMT(s, "SELECT id, target_id, url, json, body, attempts, workspace_id"
		" FROM (SELECT o.id, o.target_id, t.url, t.json, o.body,"
		" o.attempts, o.workspace_id, o.next_at, row_number() OVER"
		" (PARTITION BY o.workspace_id ORDER BY o.next_at, o.id) AS k"
		" FROM outbox o JOIN notify_target t ON t.id = o.target_id"
		" WHERE o.sent_at IS NULL AND o.next_at <= ?1)"
		" WHERE k <= ?3 ORDER BY k, next_at, id LIMIT ?2");
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, (int64_t)limit);
	sqlite3_bind_int64(s, 3, (int64_t)(per_ws ? per_ws : limit));
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(o, cnt, err);
		o[cnt].id = sqlite3_column_int64(s, 0);
		o[cnt].target_id = sqlite3_column_int64(s, 1);
		o[cnt].url = col_str(s, 2);
		o[cnt].json = sqlite3_column_int(s, 3);
		o[cnt].body = col_str(s, 4);
		o[cnt].attempts = sqlite3_column_int(s, 5);
		o[cnt].workspace_id = sqlite3_column_int64(s, 6);
		cnt++;
	}
	*out = o;
	*n = cnt;
	return KITH_OK;
fail:
	store_outbox_free(o, cnt);
	return rc;
}

int store_outbox_done(struct store *st, int64_t id, bool sent,
		      kith_time now, kith_time next_at, const char *error,
		      struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "UPDATE outbox SET attempts = attempts + 1,"
		" sent_at = CASE WHEN ?2 THEN ?3 END, next_at = ?4,"
		" last_error = ?5 WHERE id = ?1");
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, sent);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_int64(s, 4, next_at);
	bind_text(s, 5, error);
	EXEC(s, "notification result");
	return KITH_OK;
fail:
	return rc;
}

int store_meeting_put(struct store *st, int64_t ws, struct meeting *m,
		      struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	/* Keyed by user too: one member's import never takes over
	 * another's meeting, and two who attend the same one keep a row
	 * each (L8). */
	STMT(s, "INSERT INTO meeting(workspace_id, user_id, uid, start, end,"
		" summary, video, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT (workspace_id, user_id, uid, start) DO UPDATE SET"
		" end = excluded.end, summary = excluded.summary,"
		" video = excluded.video");
	sqlite3_bind_int64(s, 1, ws);
	sqlite3_bind_int64(s, 2, m->user_id);
	bind_text(s, 3, m->uid);
	sqlite3_bind_int64(s, 4, m->start);
	sqlite3_bind_int64(s, 5, m->end);
	bind_text(s, 6, m->summary);
	sqlite3_bind_int(s, 7, m->video);
	bind_text(s, 8, m->state ? m->state : "none");
	EXEC(s, "add meeting");
	STMT(s, "SELECT id, state FROM meeting WHERE workspace_id = ? AND"
		" uid = ? AND start = ? AND user_id = ?");
	sqlite3_bind_int64(s, 1, ws);
	bind_text(s, 2, m->uid);
	sqlite3_bind_int64(s, 3, m->start);
	sqlite3_bind_int64(s, 4, m->user_id);
	STEP(s, more);
	if (more) {
		m->id = sqlite3_column_int64(s, 0);
		free(m->state);
		m->state = col_str(s, 1);
	}
	sqlite3_reset(s);
	for (size_t i = 0; i < m->n_contacts; i++) {
		STMT(s, "INSERT OR IGNORE INTO meeting_contact(meeting_id,"
			" contact_id) VALUES (?, ?)");
		sqlite3_bind_int64(s, 1, m->id);
		sqlite3_bind_int64(s, 2, m->contacts[i]);
		EXEC(s, "add meeting");
	}
	return KITH_OK;
fail:
	return rc;
}

void store_meetings_free(struct meeting *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		meeting_clear(&m[i]);
	free(m);
}

int store_meeting_list(struct store *st, int64_t ws, int64_t user_id,
		       const char *state, struct meeting **out, size_t *n,
		       struct kith_err *err)
{
	struct meeting *m = NULL;
	size_t cnt = 0;
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT id, user_id, uid, start, end, summary, video, state,"
		" touch_id FROM meeting WHERE workspace_id = ?1"
		" AND (?2 IS NULL OR state = ?2) AND (?3 = 0 OR user_id = ?3)"
		" ORDER BY start, id");
	sqlite3_bind_int64(s, 1, ws);
	bind_text(s, 2, state);
	sqlite3_bind_int64(s, 3, user_id);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(m, cnt, err);
		m[cnt].id = sqlite3_column_int64(s, 0);
		m[cnt].user_id = sqlite3_column_int64(s, 1);
		m[cnt].uid = col_str(s, 2);
		m[cnt].start = sqlite3_column_int64(s, 3);
		m[cnt].end = sqlite3_column_int64(s, 4);
		m[cnt].summary = col_str(s, 5);
		m[cnt].video = sqlite3_column_int(s, 6);
		m[cnt].state = col_str(s, 7);
		m[cnt].touch_id = sqlite3_column_int64(s, 8);
		cnt++;
	}
	sqlite3_reset(s);
	for (size_t i = 0; i < cnt; i++) {
		STMT(s, "SELECT contact_id FROM meeting_contact WHERE"
			" meeting_id = ? ORDER BY contact_id");
		sqlite3_bind_int64(s, 1, m[i].id);
		rc = collect_ids(st, s, 0, &m[i].contacts, &m[i].n_contacts,
				 err);
		if (rc)
			goto fail;
	}
	*out = m;
	*n = cnt;
	return KITH_OK;
fail:
	store_meetings_free(m, cnt);
	return rc;
}

int store_meeting_state(struct store *st, int64_t ws, int64_t user_id,
			int64_t id, const char *state, int64_t touch_id,
			struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "UPDATE meeting SET state = ?1, touch_id = ?2 WHERE id = ?3 AND"
		" workspace_id = ?4 AND (?5 = 0 OR user_id = ?5)");
	bind_text(s, 1, state);
	bind_id(s, 2, touch_id);
	sqlite3_bind_int64(s, 3, id);
	sqlite3_bind_int64(s, 4, ws);
	sqlite3_bind_int64(s, 5, user_id);
	EXEC(s, "meeting state");
	if (!sqlite3_changes(st->db))
		return kith_err_set(err, KITH_ENOTFOUND, "id",
				    "no meeting %lld", (long long)id);
	return KITH_OK;
fail:
	return rc;
}

int store_user_in_meeting(struct store *st, int64_t user_id, kith_time now,
			  kith_time *until, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc, more;

	STMT(s, "SELECT max(end) FROM meeting WHERE user_id = ? AND"
		" start <= ?2 AND end > ?2");
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, now);
	STEP(s, more);
	*until = more ? col_time(s, 0) : KITH_NO_TIME;
	sqlite3_reset(s);
	return KITH_OK;
fail:
	return rc;
}

int store_touch_each_user(struct store *st, int64_t ws, store_touch_visit fn,
			  void *ctx, struct kith_err *err)
{
	sqlite3_stmt *s;
	int rc;

	STMT(s, "SELECT tu.user_id, t.at, t.channel, t.direction"
		" FROM touch_user tu JOIN touchpoint t ON t.id = tu.touch_id"
		" WHERE tu.workspace_id = ? ORDER BY tu.user_id, t.at");
	sqlite3_bind_int64(s, 1, ws);
	return visit_touches(st, s, fn, ctx, err);
fail:
	return rc;
}
