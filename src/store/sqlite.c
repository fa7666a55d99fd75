/*
 * sqlite.c: the SQLite engine of store.h: plumbing, open/close,
 * transactions, workspaces, organizations.
 *
 * WAL, foreign keys on,
 * prepared statements only (cached per connection), one transaction per
 * user action. Summaries on the contact row are refreshed in the same
 * transaction as the write that changes them.
 * Shared plumbing and the statement macros: sqlite_int.h.
 */
#include "sqlite_int.h"

#include <stdatomic.h>
#include <sys/statvfs.h>
#include <time.h>

/* Reset every statement of the connection that is still stepping, the
 * uncached ones too. A busy statement makes COMMIT fail ("statements in
 * progress") and pins a read snapshot. */
static void stmts_reset(struct store *st)
{
	sqlite3_stmt *s = NULL;

	if (!st->db)
		return;	/* libpq holds no statement open between calls */
	while ((s = sqlite3_next_stmt(st->db, s)))
		if (sqlite3_stmt_busy(s))
			sqlite3_reset(s);
}

/* Is a transaction open on the connection, read or write? */
static bool txn_open(struct store *st)
{
	if (!st->db)
		return pg_in_transaction(st->pg);
	return !sqlite3_get_autocommit(st->db) ||
	       sqlite3_txn_state(st->db, NULL) != SQLITE_TXN_NONE;
}

/* A full disk and a read-only database are the operator's to fix, not
 * bugs: say which, name the file, and say that nothing was written. A
 * full disk shows as SQLITE_FULL from a page write, but as an I/O error
 * when the -wal or -shm file cannot grow: the errno tells. */
int sq_fail_media(struct store *st, struct kith_err *err, const char *what)
{
	int code = sqlite3_extended_errcode(st->db);
	int sys = sqlite3_system_errno(st->db);
	const char *file = sqlite3_db_filename(st->db, "main");

	if (!file || !*file)
		file = "(memory)";
	if ((code & 0xff) == SQLITE_FULL ||
	    ((code & 0xff) == SQLITE_IOERR && (sys == ENOSPC || sys == EDQUOT)))
		return kith_err_set(err, KITH_EFULL, NULL,
				    "database %s: disk full (No space left on "
				    "device) during %s; nothing was written: "
				    "free space and try again",
				    file, what);
	if ((code & 0xff) == SQLITE_READONLY ||
	    ((code & 0xff) == SQLITE_IOERR && sys == EROFS) ||
	    ((code & 0xff) == SQLITE_CANTOPEN && (sys == EROFS || sys == EACCES)))
		return kith_err_set(err, KITH_EREADONLY, NULL,
				    "database %s is read-only (the file, its "
				    "folder or the mount cannot be written) "
				    "during %s; nothing was written, reads "
				    "still work",
				    file, what);
	return KITH_OK;
}

/*
 * May an action that failed with SQLSTATE state run again, whole, in a
 * fresh transaction? Serialization failures and deadlocks (another
 * writer won), a lost connection (class 08) and a server shutting down
 * or starting (57P01-57P03, a restart): each rolled the transaction
 * back on the server, so nothing of it was written.
 */
static bool pg_state_retryable(const char *state)
{
	return !strcmp(state, "40001") || !strcmp(state, "40P01") ||
	       !strncmp(state, "08", 2) || !strcmp(state, "57P01") ||
	       !strcmp(state, "57P02") || !strcmp(state, "57P03");
}

int db_fail(struct store *st, struct kith_err *err, const char *what)
{
	int code, media;

	if (!st->db) {
		const char *state = pg_sqlstate(st->pg);

		/* A statement after a failure in the same transaction fails
		 * with 25P02 (transaction aborted): the first failure
		 * decides whether the action may run again. */
		if (strcmp(state, "25P02"))
			st->retryable = pg_state_retryable(state);
		if (!strncmp(state, "08", 2) || !strncmp(state, "57P0", 4))
			return kith_err_set(err, KITH_EBUSY, NULL,
					    "database unavailable: %s: %s; "
					    "nothing was written, try again",
					    what, pg_errmsg(st->pg));
		if (!strncmp(state, "23", 2))
			return kith_err_set(err, KITH_ECONFLICT, NULL,
					    "%s: %s", what, pg_errmsg(st->pg));
		if (!strcmp(state, "40001") || !strcmp(state, "40P01") ||
		    !strcmp(state, "55P03"))
			return kith_err_set(err, KITH_EBUSY, NULL,
					    "database: %s: busy (%s); try again",
					    what, pg_errmsg(st->pg));
		if (!strcmp(state, "53100"))
			return kith_err_set(err, KITH_EFULL, NULL,
					    "database: disk full during %s; "
					    "nothing was written: %s",
					    what, pg_errmsg(st->pg));
		if (!strcmp(state, "25006"))
			return kith_err_set(err, KITH_EREADONLY, NULL,
					    "database is read-only during %s; "
					    "nothing was written: %s",
					    what, pg_errmsg(st->pg));
		return kith_err_set(err, KITH_EIO, NULL, "database: %s: %s",
				    what, pg_errmsg(st->pg));
	}
	code = sqlite3_extended_errcode(st->db);
	media = sq_fail_media(st, err, what);
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

int db_prepare(db_stmt *out, struct store *st, const char *sql,
	       struct kith_err *err)
{
	memset(out, 0, sizeof(*out));
	if (st->held)
		sq_hold_drop(st);
	if (st->db) {
		if (sqlite3_prepare_v2(st->db, sql, -1, &out->sq, NULL) !=
		    SQLITE_OK)
			return db_fail(st, err, "prepare");
	} else if (!(out->pg = pg_prepare(st->pg, sql))) {
		return db_fail(st, err, "prepare");
	}
	return KITH_OK;
}

void db_finalize(db_stmt *s)
{
	if (s->sq)
		sqlite3_finalize(s->sq);
	else if (s->pg)
		pg_finalize(s->pg);
	memset(s, 0, sizeof(*s));
}

int db_param_count(db_stmt *s)
{
	return s->sq ? sqlite3_bind_parameter_count(s->sq)
		     : pg_param_count(s->pg);
}

int sq_exec_sql(struct store *st, const char *sql, struct kith_err *err)
{
	char *msg = NULL;

	if (!st->db)
		return pg_exec(st->pg, sql) == DB_FAIL ? db_fail(st, err, "exec")
						     : KITH_OK;
	if (st->held)
		sq_hold_drop(st);
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int media = sq_fail_media(st, err, "open");

		if (media) {
			sqlite3_free(msg);
			return media;
		}
		kith_err_set(err, KITH_EIO, NULL, "database: %s",
			     msg ? msg : "exec failed");
		sqlite3_free(msg);
		return KITH_EIO;
	}
	return KITH_OK;
}

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

/* PostgreSQL keeps the schema version in a table of its own; the
 * advisory lock makes two servers starting at once migrate in turn. */
static int run_migrations_pg(struct store *st, struct kith_err *err)
{
	db_stmt s;
	int64_t version;
	int rc;

	for (;;) {
		rc = sq_exec_sql(st, "BEGIN; SELECT pg_advisory_xact_lock(7041)",
				 err);
		if (rc)
			return rc;
		/* A new database has no kith_schema yet: version 0. */
		rc = db_prepare(&s, st,
				"SELECT to_regclass('kith_schema') IS NOT NULL",
				err);
		if (rc)
			break;
		version = db_step(&s) == DB_ROW ? db_column_int64(&s, 0) : -1;
		db_finalize(&s);
		if (version == 1) {
			rc = db_prepare(&s, st, "SELECT version FROM kith_schema",
					err);
			if (rc)
				break;
			version = db_step(&s) == DB_ROW ? db_column_int64(&s, 0)
							: -1;
			db_finalize(&s);
		}
		if (version < 0 || (size_t)version > migrate_count()) {
			rc = kith_err_set(err, KITH_EIO, NULL,
					  "database schema %lld is newer than "
					  "this kith (%zu); upgrade kith",
					  (long long)version, migrate_count());
			break;
		}
		if ((size_t)version == migrate_count())
			return sq_exec_sql(st, "COMMIT", err);
		if (!migrate_pg_sql((size_t)version + 1)) {
			rc = kith_err_set(err, KITH_EIO, NULL,
					  "no PostgreSQL migration %lld",
					  (long long)version + 1);
			break;
		}
		rc = sq_exec_sql(st, migrate_pg_sql((size_t)version + 1), err);
		if (rc)
			break;
		rc = sq_exec_sql(st, "UPDATE kith_schema SET version ="
				     " version + 1; COMMIT", err);
		if (rc)
			break;
	}
	sq_exec_sql(st, "ROLLBACK", NULL);
	return rc;
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
	if ((size_t)version == migrate_count())
		return KITH_OK;
	/* Every pending migration in one transaction: an upgrade lands
	 * whole or not at all, and a page the migrations write again and
	 * again (a new book's schema, tables rebuilt twice) goes to the WAL
	 * once, so a new book needs its own size in the WAL, not 19
	 * versions of its schema (a new book on a nearly full disk). */
	rc = sq_exec_sql(st, "BEGIN IMMEDIATE", err);
	if (rc)
		return rc;
	for (size_t v = (size_t)version + 1; !rc && v <= migrate_count(); v++) {
		char pragma[64];

		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %zu",
			 v);
		rc = sq_exec_sql(st, migrate_sql(v), err);
		if (!rc)
			rc = sq_exec_sql(st, pragma, err);
	}
	if (!rc)
		rc = sq_exec_sql(st, migrate_stats_sql(), err);
	if (!rc)
		rc = sq_exec_sql(st, "COMMIT", err);
	if (rc)
		sq_exec_sql(st, "ROLLBACK", NULL);
	return rc;
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

/* KITH_SQL_LOG=FILE: every statement any connection of this process
 * runs is appended to FILE, one line each (whitespace collapsed), so a
 * test can check that each is routable to one workspace's shard
 * (docs/SCALING.md, tests/cli/T500-sql-routable.sh). The text is the
 * SQL as prepared, with its ? placeholders: bound values (password
 * hashes, tokens, secrets) are never written. Lines are written with one
 * write() on an O_APPEND descriptor, so the server's threads and other
 * processes sharing FILE do not interleave inside a line. Unset, no
 * trace callback is registered and nothing costs anything. */
static int sql_log_fd = -1;
static pthread_once_t sql_log_once = PTHREAD_ONCE_INIT;

static void sql_log_setup(void)
{
	const char *path = getenv("KITH_SQL_LOG");

	if (path && *path)
		sql_log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND |
						O_CLOEXEC, 0600);
}

/* One line for sql, its whitespace collapsed; with dollars, the
 * PostgreSQL engine's $N placeholders written back as ?N, so one
 * checker reads the statements of both engines. */
static void sql_log_write(const char *sql, bool dollars)
{
	char small[1024], *line = small;
	size_t n = strlen(sql) + 2, o = 0;
	bool space = false;

	if (n > sizeof(small)) {
		line = malloc(n);
		if (!line)
			return;
	}
	for (; *sql; sql++) {
		if (*sql == ' ' || *sql == '\n' || *sql == '\t' ||
		    *sql == '\r') {
			space = o > 0;
			continue;
		}
		if (space)
			line[o++] = ' ';
		space = false;
		line[o++] = dollars && *sql == '$' && sql[1] >= '0' &&
					    sql[1] <= '9'
				    ? '?'
				    : *sql;
	}
	line[o++] = '\n';
	/* A short write leaves a torn line the checker reports; the
	 * statement itself goes on either way. */
	if (write(sql_log_fd, line, o) < 0)
		(void)0;
	if (line != small)
		free(line);
}

static int sql_log_trace(unsigned type, void *ctx, void *p, void *x)
{
	(void)ctx;
	(void)p;
	if (type == SQLITE_TRACE_STMT && x)
		sql_log_write(x, false);
	return 0;
}

void db_sql_log(const char *sql)
{
	pthread_once(&sql_log_once, sql_log_setup);
	if (sql_log_fd >= 0 && sql)
		sql_log_write(sql, true);
}

void sq_trace_conn(sqlite3 *db)
{
	pthread_once(&sql_log_once, sql_log_setup);
	if (sql_log_fd >= 0)
		sqlite3_trace_v2(db, SQLITE_TRACE_STMT, sql_log_trace, NULL);
}

/* Is the file system holding path mounted read-only? */
bool sq_mount_readonly(const char *path)
{
	struct statvfs sv;

	return strcmp(path, ":memory:") && statvfs(path, &sv) == 0 &&
	       (sv.f_flag & ST_RDONLY);
}

/* Open st->db on path (closing an earlier attempt) and set the
 * connection up. */
int sq_open_conn(struct store *st, const char *path, enum sq_open_mode mode,
		 struct kith_err *err)
{
	char uri[4096 * 3 + 32];
	const char *name = path;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
		    SQLITE_OPEN_NOMUTEX;
	int rc;

	if (st->db) {
		sqlite3_close(st->db);
		st->db = NULL;
	}
	st->mode = mode;
	st->walidx = NULL;
	st->held = false;
	if (mode == SQ_OPEN_IMMUTABLE) {
		/* A URI: the path percent-encoded, so a '?' or '#' in it
		 * stays part of the name. */
		size_t o = 0;

		o += (size_t)snprintf(uri, sizeof(uri), "file:");
		for (const unsigned char *p = (const unsigned char *)path;
		     *p && o + 4 < sizeof(uri); p++) {
			if (strchr("?#%", *p) || *p < 0x21 || *p >= 0x7f)
				o += (size_t)snprintf(uri + o, sizeof(uri) - o,
						      "%%%02X", *p);
			else
				uri[o++] = (char)*p;
		}
		snprintf(uri + o, sizeof(uri) - o, "?immutable=1");
		name = uri;
		flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
			SQLITE_OPEN_NOMUTEX;
	}
	if (sqlite3_open_v2(name, &st->db, flags, NULL) != SQLITE_OK)
		return kith_err_set(err, KITH_EIO, "--db", "cannot open %s: %s",
				    path,
				    st->db ? sqlite3_errmsg(st->db) :
					     "no memory");
	sq_trace_conn(st->db);
	sqlite3_busy_timeout(st->db, 5000);
	if (mode == SQ_OPEN_EXCLUSIVE) {
		rc = sq_exec_sql(st, "PRAGMA locking_mode=EXCLUSIVE", err);
		if (rc)
			return rc;
	}
	/* NORMAL is durable in WAL mode up to the last checkpointed commit
	 * and keeps the database consistent after a crash at any point;
	 * FULL costs an fsync per transaction. Acknowledged writes must
	 * survive a killed process (not a power cut), which NORMAL gives. */
	return sq_exec_sql(st,
			   "PRAGMA journal_mode=WAL;"
			   "PRAGMA synchronous=NORMAL;"
			   "PRAGMA foreign_keys=ON;"
			   "PRAGMA temp_store=MEMORY;"
			   "PRAGMA cache_size=-65536;",
			   err);
}

static bool private_index;

void store_allow_private_index(void)
{
	private_index = true;
}

bool store_path_is_url(const char *path)
{
	return pg_is_url(path);
}

const char *store_path_display(char *buf, size_t n, const char *path)
{
	const char *auth, *at, *colon, *pw;
	size_t len;

	snprintf(buf, n, "%s", path);
	if (!pg_is_url(path))
		return buf;
	auth = strstr(path, "://") + 3;
	at = strchr(auth, '@');
	colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (colon) {
		len = (size_t)(colon - path) + 1;
		snprintf(buf, n, "%.*s***%s", (int)len, path, at);
	}
	/* password=... in the query string, up to the next & */
	pw = strstr(buf, "password=");
	if (pw && (size_t)(pw - buf) + 12 < n) {
		const char *end = strchr(pw, '&');
		char tail[256];

		snprintf(tail, sizeof(tail), "%s", end ? end : "");
		snprintf((char *)pw + 9, n - (size_t)(pw - buf) - 9, "***%s",
			 tail);
	}
	return buf;
}

/* Citus shards by workspace: look credentials up in the directory
 * first (sq_directory_ws). */
static int detect_sharded(struct store *st, struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname ="
		" 'citus')");
	STEP(s, more);
	st->sharded = more && db_column_int(s, 0);
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

void store_set_sharded(struct store *st, bool on)
{
	st->sharded = on;
}

int sq_directory_ws(int64_t *ws, struct store *st, const char *sql,
		    const char *key, struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	*ws = 0;
	STMT(s, sql);
	bind_text(s, 1, key);
	STEP(s, more);
	if (more)
		*ws = db_column_int64(s, 0);
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

db_stmt *sq_by_directory(int *rc, struct store *st, const char *dir_sql,
			 const char *key, const char *pinned,
			 const char *global, int ws_param,
			 struct kith_err *err)
{
	int64_t ws = 0;
	db_stmt *s;

	if (st->sharded) {
		*rc = sq_directory_ws(&ws, st, dir_sql, key, err);
		if (*rc)
			return NULL;
	}
	s = stmt_get(st, st->sharded ? pinned : global, err);
	if (!s) {
		*rc = KITH_EIO;
		return NULL;
	}
	if (st->sharded)
		db_bind_int64(s, ws_param, ws);
	*rc = KITH_OK;
	return s;
}

int sq_directory_credential_add(struct store *st, const char *hash,
				const char *kind, int64_t ws, int64_t user_id,
				struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "INSERT INTO directory_credential(hash, kind, workspace_id,"
		" user_id) VALUES (?, ?, ?, ?)");
	bind_text(s, 1, hash);
	bind_text(s, 2, kind);
	db_bind_int64(s, 3, ws);
	if (user_id)
		db_bind_int64(s, 4, user_id);
	else
		db_bind_null(s, 4);
	EXEC(s, "add credential to the directory");
	return KITH_OK;
done:
	return rc;
}

int sq_directory_credential_drop(struct store *st, const char *hash,
				 struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "DELETE FROM directory_credential WHERE hash = ?");
	bind_text(s, 1, hash);
	EXEC(s, "drop credential from the directory");
	return KITH_OK;
done:
	return rc;
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
	if (pg_is_url(path)) {
		rc = pg_open(&st->pg, path, err);
		if (!rc)
			rc = run_migrations_pg(st, err);
		if (!rc)
			rc = detect_sharded(st, err);
		if (rc)
			goto done;
		*out = st;
		return KITH_OK;
	}
	if (strcmp(path, ":memory:") && mkdir_parents(path)) {
		rc = kith_err_set(err, KITH_EIO, "--db",
				  "cannot create the folder of %s: %s", path,
				  strerror(errno));
		goto done;
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
	rc = sq_open_conn(st, path, SQ_OPEN_NORMAL, err);
	/* A full disk: the -shm file cannot grow, so not even a read could
	 * start. A CLI command's reads do not need it if its one
	 * connection keeps the WAL index in its own memory (exclusive
	 * locking mode); writes then still fail, with the disk-full
	 * error. Not in the server (store_allow_private_index). */
	if (rc == KITH_EFULL && private_index)
		rc = sq_open_conn(st, path, SQ_OPEN_EXCLUSIVE, err);
	/* A read-only mount: no -shm can be created, but then no process
	 * can change the file either, so it is opened as immutable. */
	if (rc && sq_mount_readonly(path))
		rc = sq_open_conn(st, path, SQ_OPEN_IMMUTABLE, err);
	if (rc)
		goto done;
	if (err)
		memset(err, 0, sizeof(*err));
	if (sqlite3_create_function(st->db, "kith_due", 2,
				    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				    sql_kith_due, NULL, NULL) != SQLITE_OK) {
		rc = db_fail(st, err, "register kith_due");
		goto done;
	}
	rc = run_migrations(st, err);
	if (rc)
		goto done;
	*out = st;
	return KITH_OK;
done:
	store_close(st);
	return rc;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < STMT_CACHE; i++)
		if (st->cache[i].sql)
			db_finalize(&st->cache[i].stmt);
	/* No PRAGMA optimize here: it would rewrite statistics on every
	 * run, so even a failed command would change the file. */
	/* A kept snapshot ends with the connection. */
	if (st->db)
		sqlite3_close(st->db);
	if (st->pg)
		pg_close(st->pg);
	if (st->keep_reads)
		pthread_mutex_destroy(&st->use_lock);
	free(st);
}

int store_schema_version(struct store *st)
{
	(void)st;
	return (int)migrate_count();
}

void store_set_tenant(struct store *st, int64_t ws)
{
	st->tenant = ws > 0 ? ws : 0;
}

/* Session-level advisory locks, in the two-int keyspace (migrations
 * use the one-bigint one): class 7042 object 0 is "writing at all",
 * shared by a workspace's writer and held alone by a writer for no
 * workspace; class 7043 object ws is the workspace's. Taken before
 * BEGIN, never inside: a SERIALIZABLE transaction's snapshot is set
 * by its first statement, so a lock waited for inside it would hand
 * over a snapshot older than the previous holder's commit. A lost
 * connection releases them with the session. */
static void unlock_writer(struct store *st)
{
	if (!st->writer_locked)
		return;
	st->writer_locked = false;
	/* A lost session took its locks with it; asking would only
	 * connect again to say so. */
	if (pg_session_lost(st->pg))
		return;
	if (pg_exec(st->pg, "SELECT pg_advisory_unlock_all()") == DB_FAIL)
		fprintf(stderr, "kith: database: unlock: %s\n",
			pg_errmsg(st->pg));
}

static int lock_writer(struct store *st, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	s = stmt_get(st,
		     st->tenant ? "SELECT pg_advisory_lock_shared(7042, 0), "
				  "pg_advisory_lock(7043, CAST(? AS integer))"
				: "SELECT pg_advisory_lock(7042, 0)",
		     err);
	if (!s)
		return err ? err->status : KITH_EIO;
	if (st->tenant)
		db_bind_int64(s, 1, st->tenant & INT32_MAX);
	/* Set first: a failure may come after the shared lock was had. */
	st->writer_locked = true;
	rc = exec_stmt(st, s, err, "wait for the workspace's writers");
	if (rc)
		unlock_writer(st);
	return rc;
}

int store_begin(struct store *st, struct kith_err *err)
{
	db_stmt *s = stmt_get(st,
			      db_sql(st, "BEGIN IMMEDIATE",
				     "BEGIN ISOLATION LEVEL SERIALIZABLE"),
			      err);
	int rc;

	st->retryable = false;
	if (!s)
		return err ? err->status : KITH_EIO;
	if (st->pg && !st->writer_locked) {
		rc = lock_writer(st, err);
		if (rc)
			return rc;
	}
	rc = exec_stmt(st, s, err, "begin");
	if (rc) {
		if (st->pg)
			unlock_writer(st);
		return rc;
	}
	st->in_tx = 1;
	st->open_signals = -1;
	return KITH_OK;
}

int store_commit(struct store *st, struct kith_err *err)
{
	db_stmt *s = stmt_get(st, "COMMIT", err);
	int rc;

	if (!s) {
		store_rollback(st);
		return err ? err->status : KITH_EIO;
	}
	/* A statement still stepping would make COMMIT fail. */
	stmts_reset(st);
	rc = exec_stmt(st, s, err, "commit");
	if (rc && !st->db && !strcmp(pg_sqlstate(st->pg), "08006")) {
		/* The COMMIT went out and no answer came back: it may have
		 * committed. Running the action again could write it twice,
		 * so this one is not retried, and the message says so. */
		st->retryable = false;
		rc = kith_err_set(err, KITH_EBUSY, NULL,
				  "database: the connection was lost while "
				  "committing (%s): the change may or may not "
				  "have been saved; check before sending it "
				  "again",
				  pg_errmsg(st->pg));
	}
	if (rc) {
		store_rollback(st);
		return rc;
	}
	if (st->pg)
		unlock_writer(st);
	st->in_tx = 0;
	st->savepoints = st->savepoint_began = 0;
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
	if (!st->db) {
		if (pg_rollback(st->pg) == DB_FAIL)
			fprintf(stderr, "kith: database: rollback: %s\n",
				pg_errmsg(st->pg));
		unlock_writer(st);
	} else if (!sqlite3_get_autocommit(st->db) &&
		   sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL) !=
			   SQLITE_OK) {
		fprintf(stderr, "kith: database: rollback: %s\n",
			sqlite3_errmsg(st->db));
	}
	st->in_tx = 0;
	st->savepoints = st->savepoint_began = 0;
	st->read_owned = 0;
	st->held = false;
}

int store_settle(struct store *st, struct kith_err *err)
{
	bool open;

	stmts_reset(st);
	st->sent = NULL;	/* a lookup sent and never read */
	st->retryable = false;
	/* A kept snapshot is idle by design, as long as it only read. */
	open = txn_open(st) &&
	       !(st->held &&
		 sqlite3_txn_state(st->db, NULL) != SQLITE_TXN_WRITE);
	if (open)
		store_rollback(st);
	else if (st->pg)
		unlock_writer(st);
	st->tenant = 0;
	st->in_tx = 0;
	st->read_owned = 0;
	st->open_signals = -1;
	if (!open)
		return KITH_OK;
	if (txn_open(st))
		return kith_err_set(err, KITH_EIO, NULL,
				    "database: a transaction was left open "
				    "and cannot be rolled back: %s",
				    st->db ? sqlite3_errmsg(st->db)
					   : pg_errmsg(st->pg));
	return kith_err_set(err, KITH_EIO, NULL,
			    "database: a transaction was left open; "
			    "rolled back");
}

/* Outside a transaction SQLite's SAVEPOINT begins one and its RELEASE
 * commits it; PostgreSQL wants the transaction opened first. */
int store_savepoint(struct store *st, struct kith_err *err)
{
	if (st->pg && !pg_in_transaction(st->pg)) {
		int rc = store_begin(st, err);

		if (rc)
			return rc;
		st->savepoint_began = 1;
		st->savepoints = 1;
		return KITH_OK;
	}
	if (sq_exec_sql(st, "SAVEPOINT part", err))
		return err ? err->status : KITH_EIO;
	st->savepoints++;
	return KITH_OK;
}

/* Undo and release are no-ops once the savepoint is gone: a RELEASE
 * of none would abort a PostgreSQL transaction. */
void store_savepoint_undo(struct store *st)
{
	if (!st->savepoints)
		return;
	if (--st->savepoints == 0 && st->savepoint_began) {
		st->savepoint_began = 0;
		store_rollback(st);
		return;
	}
	sq_exec_sql(st, "ROLLBACK TO SAVEPOINT part; RELEASE SAVEPOINT part",
		    NULL);
}

void store_savepoint_release(struct store *st)
{
	if (!st->savepoints)
		return;
	if (--st->savepoints == 0 && st->savepoint_began) {
		st->savepoint_began = 0;
		if (store_commit(st, NULL))
			fprintf(stderr, "kith: database: commit: %s\n",
				pg_errmsg(st->pg));
		return;
	}
	sq_exec_sql(st, "RELEASE SAVEPOINT part", NULL);
}

bool store_retryable(struct store *st)
{
	return st->retryable;
}

bool store_in_transaction(struct store *st)
{
	if (!st->db)
		return pg_in_transaction(st->pg);
	return !st->held && !sqlite3_get_autocommit(st->db);
}

/* ---- read snapshots, and keeping them between requests ---- */

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * The WAL index header as SQLite's readers take it (walIndexTryHdr):
 * the first copy, a barrier, the second; a writer stores the second
 * copy first, so two equal copies are a header no commit is halfway
 * through. Then nBackfill, so a finished checkpoint also moves a kept
 * snapshot on (onto read mark 0, which lets the next writer start the
 * WAL over). False when the copies differ.
 */
static bool walidx_read(const volatile uint32_t *w, uint32_t out[WALIDX_WORDS])
{
	uint32_t second[12];

	for (int i = 0; i < 12; i++)
		out[i] = w[i];
	atomic_thread_fence(memory_order_seq_cst);
	for (int i = 0; i < 12; i++)
		second[i] = w[12 + i];
	out[12] = w[24];
	return !memcmp(out, second, sizeof(second));
}

/* SQLite's own mapping of the WAL index's first region (32 KiB, the
 * header at its start), through the VFS: the memory SQLite reads, with
 * no second mapping to drift from it. Left NULL where it cannot be had. */
static void walidx_map(struct store *st)
{
	sqlite3_file *f = NULL;
	void volatile *p = NULL;

	if (sqlite3_file_control(st->db, "main", SQLITE_FCNTL_FILE_POINTER,
				 &f) != SQLITE_OK ||
	    !f || !f->pMethods || f->pMethods->iVersion < 2 ||
	    !f->pMethods->xShmMap)
		return;
	if (f->pMethods->xShmMap(f, 0, 32768, 0, &p) == SQLITE_OK && p)
		st->walidx = (const volatile uint32_t *)p;
}

/* End the read transaction open on the connection. A snapshot left
 * open by mistake would serve stale rows to every later read on this
 * connection (review H1): make sure it ends, by ROLLBACK if COMMIT
 * will not. */
static void read_commit(struct store *st)
{
	db_stmt *s;

	stmts_reset(st);
	s = stmt_get(st, "COMMIT", NULL);
	if (!s || exec_stmt(st, s, NULL, "end read") ||
	    !sqlite3_get_autocommit(st->db))
		store_rollback(st);
}

void sq_hold_drop(struct store *st)
{
	st->held = false;
	read_commit(st);
}

/* BEGIN and COMMIT of a read snapshot come from the statement cache:
 * sqlite3_exec parsed them anew twice per request (4% of a contact
 * read's time in perf). */
void store_read_begin(struct store *st)
{
	db_stmt *s;

	/* On PostgreSQL each statement reads its own snapshot: two more
	 * round trips per request would cost more than they give. */
	if (!st->db)
		return;
	if (st->held) {
		uint32_t now[WALIDX_WORDS];

		/* Nothing committed since it began, by any process: the
		 * kept snapshot is the database as it is now. */
		if (st->hdr_ok && walidx_read(st->walidx, now) &&
		    !memcmp(now, st->hdr, sizeof(now))) {
			st->held = false;
			st->read_owned = 1;
			return;
		}
		sq_hold_drop(st);
	}
	if (!sqlite3_get_autocommit(st->db))
		return;
	/* Read before the snapshot begins (at the first statement): a
	 * commit in between makes the snapshot newer than hdr, never
	 * older, and the next read starts afresh for nothing. */
	st->hdr_ok = false;
	/* A statement left stepping holds a read transaction older than
	 * the header read now, and BEGIN would join it: not one to keep. */
	if (st->walidx && sqlite3_txn_state(st->db, NULL) == SQLITE_TXN_NONE)
		st->hdr_ok = walidx_read(st->walidx, st->hdr);
	s = stmt_get(st, "BEGIN", NULL);
	if (s && db_step(s) == DB_DONE)
		st->read_owned = 1;
	if (s)
		db_reset(s);
}

/* End the snapshot store_read_begin opened; keep it for the next
 * request instead where keep says so and it is one to keep: it read,
 * and its header was seen whole. */
static void read_end(struct store *st, bool keep)
{
	if (!st->read_owned)
		return;
	stmts_reset(st);
	st->read_owned = 0;
	if (keep && sqlite3_txn_state(st->db, NULL) == SQLITE_TXN_READ) {
		if (!st->walidx)
			walidx_map(st);
		if (st->walidx && st->hdr_ok) {
			st->held = true;
			st->held_since = mono_ns();
			return;
		}
	}
	read_commit(st);
}

void store_read_end(struct store *st)
{
	read_end(st, st->keep_reads);
}

void store_read_close(struct store *st)
{
	read_end(st, false);
	if (st->held)
		sq_hold_drop(st);
}

/* Is the connection's database in WAL mode (not only asked to be)? */
static bool in_wal_mode(struct store *st)
{
	sqlite3_stmt *s = NULL;
	bool wal = false;

	if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode", -1, &s, NULL) ==
		    SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		wal = !strcmp((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	return wal;
}

void store_keep_reads(struct store *st)
{
	/* Exclusive locking keeps the WAL index in the connection's own
	 * memory, where no other process's commit shows. */
	if (!st->db || st->keep_reads || st->mode != SQ_OPEN_NORMAL ||
	    !in_wal_mode(st))
		return;
	pthread_mutex_init(&st->use_lock, NULL);
	st->keep_reads = true;
}

void store_enter(struct store *st)
{
	if (st->keep_reads)
		pthread_mutex_lock(&st->use_lock);
}

void store_leave(struct store *st)
{
	if (st->keep_reads)
		pthread_mutex_unlock(&st->use_lock);
}

void store_expire_reads(struct store *st, int idle_ms)
{
	if (!st->keep_reads || pthread_mutex_trylock(&st->use_lock))
		return;
	if (st->held &&
	    mono_ns() - st->held_since >= (int64_t)idle_ms * 1000000)
		sq_hold_drop(st);
	pthread_mutex_unlock(&st->use_lock);
}

void store_checkpoint(struct store *st)
{
	if (st->db)
		sqlite3_wal_checkpoint_v2(st->db, NULL,
					  SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

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

int store_workspace_create(int64_t *id, struct store *st, const char *name,
			   kith_time now, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "INSERT INTO workspace(name, created_at) VALUES (?, ?) RETURNING id");
	bind_text(s, 1, name);
	db_bind_int64(s, 2, now);
	EXEC(s, "create workspace");
	*id = db_last_id(st);
	/* The name is unique across workspaces: the directory holds it. */
	STMT(s, "INSERT INTO directory_workspace(name, workspace_id)"
		" VALUES (?, ?)");
	bind_text(s, 1, name);
	db_bind_int64(s, 2, *id);
	EXEC(s, "create workspace");
	for (size_t i = 0; i < sizeof(default_rules) / sizeof(*default_rules);
	     i++) {
		STMT(s, "INSERT INTO cadence_rule(workspace_id, scope, key,"
			" every, meet) VALUES (?, ?, ?, ?, ?)");
		db_bind_int64(s, 1, *id);
		bind_text(s, 2, default_rules[i].scope);
		bind_text(s, 3, default_rules[i].key);
		db_bind_int(s, 4, default_rules[i].every);
		db_bind_int(s, 5, default_rules[i].meet);
		EXEC(s, "create workspace");
	}
	return KITH_OK;
done:
	return rc;
}

static void workspace_read(db_stmt *s, struct workspace *w)
{
	w->id = db_column_int64(s, 0);
	w->name = col_str(s, 1);
	w->tz = col_str(s, 2);
	w->work_start_min = db_column_int(s, 3);
	w->work_end_min = db_column_int(s, 4);
	w->response_target_min = db_column_int(s, 5);
	w->created_at = db_column_int64(s, 6);
}

int store_workspace_list(struct workspace **out, size_t *n, struct store *st,
			 struct kith_err *err)
{
	struct workspace *w = NULL;
	size_t cnt = 0;
	db_stmt *s;
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
done:
	store_workspaces_free(w, cnt);
	return rc;
}

int store_workspace_get(struct workspace *out, struct store *st, int64_t ws,
			struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT id, name, tz, work_start, work_end, response_target,"
		" created_at FROM workspace WHERE id = ?");
	db_bind_int64(s, 1, ws);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "workspace",
				    "no workspace %lld", (long long)ws);
	workspace_read(s, out);
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

int store_workspace_update(struct store *st, const struct workspace *w,
			   struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "UPDATE workspace SET name = ?, tz = ?, work_start = ?,"
		" work_end = ?, response_target = ? WHERE id = ?");
	bind_text(s, 1, w->name);
	bind_text(s, 2, w->tz ? w->tz : "");
	db_bind_int(s, 3, w->work_start_min);
	db_bind_int(s, 4, w->work_end_min);
	db_bind_int(s, 5, w->response_target_min);
	db_bind_int64(s, 6, w->id);
	EXEC(s, "update workspace");
	STMT(s, "UPDATE directory_workspace SET name = ?2 WHERE"
		" workspace_id = ?1");
	db_bind_int64(s, 1, w->id);
	bind_text(s, 2, w->name);
	EXEC(s, "update workspace");
	return KITH_OK;
done:
	return rc;
}

int store_workspace_empty(bool *out, struct store *st, int64_t ws,
			  struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT EXISTS(SELECT 1 FROM contact WHERE workspace_id = ?)"
		" OR EXISTS(SELECT 1 FROM touchpoint WHERE workspace_id = ?)"
		" OR EXISTS(SELECT 1 FROM organization WHERE workspace_id = ?)");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, ws);
	db_bind_int64(s, 3, ws);
	STEP(s, more);
	*out = more && !db_column_int(s, 0);
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

/* ---- organizations ---- */

int store_org_ensure(int64_t *id, struct store *st, int64_t ws,
		     const char *name, kith_time now, struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT id FROM organization WHERE workspace_id = ?"
		" AND name = ? COLLATE NOCASE");
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, name);
	STEP(s, more);
	if (more) {
		*id = db_column_int64(s, 0);
		db_reset(s);
		return KITH_OK;
	}
	STMT(s, ID_SQL(st,
		       "INSERT INTO organization(id, workspace_id,"
		       " name, created_at) VALUES (",
		       "organization", "NULL", "?1",
		       ", ?1, ?2, ?3) RETURNING id"));
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, name);
	db_bind_int64(s, 3, now);
	EXEC(s, "add organization");
	*id = db_last_id(st);
	return KITH_OK;
done:
	return rc;
}

int store_org_rename(kith_time *created, struct store *st, int64_t ws,
		     int64_t id, const char *name, struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	/* migration 13's trigger recounts the contacts' cards */
	STMT(s, "UPDATE organization SET name = ? WHERE workspace_id = ?"
		" AND id = ?");
	bind_text(s, 1, name);
	db_bind_int64(s, 2, ws);
	db_bind_int64(s, 3, id);
	EXEC(s, "rename organization");
	if (!db_changes(st))
		return kith_err_set(err, KITH_ENOTFOUND, "id",
				    "no organization %lld", (long long)id);
	STMT(s, "SELECT created_at FROM organization WHERE id = ? AND"
		" workspace_id = ?");
	db_bind_int64(s, 1, id);
	db_bind_int64(s, 2, ws);
	STEP(s, more);
	*created = more ? db_column_int64(s, 0) : 0;
	db_reset(s);
	rc = KITH_OK;
done:
	return rc;
}

int store_org_put(struct store *st, int64_t ws, const struct organization *o,
		  struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, ID_SQL(st,
		       "INSERT INTO organization(id, workspace_id,"
		       " name, created_at) VALUES (",
		       "organization", "?1", "?2",
		       ", ?2, ?3, ?4)"));
	db_bind_int64(s, 1, o->id);
	db_bind_int64(s, 2, ws);
	bind_text(s, 3, o->name);
	db_bind_int64(s, 4, o->created_at);
	EXEC(s, "add organization");
	return KITH_OK;
done:
	return rc;
}

void store_orgs_free(struct organization *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(o[i].name);
	free(o);
}

int store_org_list(struct organization **out, size_t *n, struct store *st,
		   int64_t ws, struct kith_err *err)
{
	struct organization *o = NULL;
	size_t cnt = 0;
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT id, name, created_at FROM organization"
		" WHERE workspace_id = ? ORDER BY id");
	db_bind_int64(s, 1, ws);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(o, cnt, err);
		o[cnt].id = db_column_int64(s, 0);
		o[cnt].name = col_str(s, 1);
		o[cnt].created_at = db_column_int64(s, 2);
		cnt++;
	}
	*out = o;
	*n = cnt;
	return KITH_OK;
done:
	store_orgs_free(o, cnt);
	return rc;
}
