/*
 * sqlite_ops.c: the SQLite engine's operations room: online backup and
 * restore through SQLite's backup API, and the checks kith doctor runs
 * (integrity, schema version, sizes, summaries recomputed).
 *
 * A backup is written to FILE.tmp, fsynced and only then renamed, so a
 * FILE that exists is always a whole database.
 */
#include "sqlite_int.h"

#include <libgen.h>

/* A failed backup/restore step as a message naming the file; SQLITE_FULL
 * and a read-only target get their own words, since they are what an
 * operator meets on a cron job and can act on. */
static int ops_fail(struct kith_err *err, int code, const char *path,
		    const char *what, const char *detail)
{
	switch (code & 0xff) {
	case SQLITE_FULL:
		return kith_err_set(err, KITH_EIO, NULL,
				    "%s: disk full while %s", path, what);
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		return kith_err_set(err, KITH_EIO, NULL,
				    "%s: cannot write (%s) while %s", path,
				    detail, what);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return kith_err_set(err, KITH_EBUSY, NULL,
				    "%s: busy (another writer holds the "
				    "lock) while %s; try again",
				    path, what);
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return kith_err_set(err, KITH_EINPUT, NULL,
				    "%s: not a kith database (%s)", path,
				    detail);
	default:
		return kith_err_set(err, KITH_EIO, NULL, "%s: %s while %s",
				    path, detail, what);
	}
}

/* Copy every page of src's main database into dst's, in one go: one read
 * snapshot of the source (WAL: writers keep going), one write
 * transaction on the destination. A busy destination is retried for
 * about the store's busy timeout, since backup_step does not always call
 * the busy handler. */
static int backup_copy(sqlite3 *dst, sqlite3 *src, const char *path,
		       const char *what, struct kith_err *err)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	int code, tries = 0;

	if (!b)
		return ops_fail(err, sqlite3_extended_errcode(dst), path, what,
				sqlite3_errmsg(dst));
	do {
		code = sqlite3_backup_step(b, -1);
		if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
			sqlite3_sleep(50);
	} while ((code == SQLITE_BUSY || code == SQLITE_LOCKED) &&
		 ++tries < 100);
	sqlite3_backup_finish(b);
	if (code != SQLITE_DONE) {
		int ec = sqlite3_extended_errcode(dst);

		/* The source's failure (a corrupt page) is the destination
		 * connection's error too; keep the step's code when the
		 * connection has none. */
		if (ec == SQLITE_OK)
			ec = code;
		return ops_fail(err, ec, path, what, sqlite3_errstr(code));
	}
	return KITH_OK;
}

static int fsync_path(const char *path, bool dir)
{
	int fd =
	    open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static void unlink_db(const char *path)
{
	char side[4200];

	unlink(path);
	snprintf(side, sizeof(side), "%s-journal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

int store_backup(struct store *st, const char *path, bool force,
		 struct kith_err *err)
{
	char tmp[4096], dir[4096];
	sqlite3 *dst = NULL;
	struct stat sb;
	bool linked = false;
	int fd, rc, e = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return kith_err_set(err, KITH_EINPUT, "FILE", "path too long");
	if (!force && stat(path, &sb) == 0)
		return kith_err_set(err, KITH_ECONFLICT, "FILE",
				    "%s exists; --force replaces it", path);
	/* A .tmp left by a killed backup is ours to replace. */
	unlink_db(tmp);
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return kith_err_set(err, KITH_EIO, "FILE",
				    "cannot create %s: %s", tmp,
				    strerror(errno));
	close(fd);
	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL)) {
		rc = ops_fail(
		    err, dst ? sqlite3_extended_errcode(dst) : SQLITE_NOMEM,
		    tmp, "opening the copy",
		    dst ? sqlite3_errmsg(dst) : "no memory");
		goto done;
	}
	rc = backup_copy(dst, st->db, tmp, "copying", err);
	if (rc)
		goto done;
	/* The copy carries the live file's WAL flag; a backup is one
	 * self-contained file, so switch it back to a rollback journal. */
	if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL)) {
		rc = ops_fail(err, sqlite3_extended_errcode(dst), tmp,
			      "finishing the copy", sqlite3_errmsg(dst));
		goto done;
	}
	if (sqlite3_close(dst) != SQLITE_OK) {
		rc = kith_err_set(err, KITH_EIO, NULL, "%s: cannot close: %s",
				  tmp, sqlite3_errmsg(dst));
		dst = NULL;
		goto done;
	}
	dst = NULL;
	if (fsync_path(tmp, false)) {
		rc = kith_err_set(err, KITH_EIO, NULL, "%s: fsync: %s", tmp,
				  strerror(errno));
		goto done;
	}
	/* Without --force link() refuses an existing FILE atomically: one
	 * made between the check above and now is not clobbered. vfat and
	 * some network filesystems have no hard links: there, check again
	 * and rename. */
	if (force) {
		e = rename(tmp, path) ? errno : 0;
	} else if (link(tmp, path) == 0) {
		linked = true;
	} else {
		e = errno;
		if ((e == EPERM || e == ENOTSUP || e == ENOSYS) &&
		    stat(path, &sb) && errno == ENOENT)
			e = rename(tmp, path) ? errno : 0;
	}
	if (e) {
		rc = e == EEXIST
			 ? kith_err_set(err, KITH_ECONFLICT, "FILE",
					"%s exists; --force replaces it", path)
			 : kith_err_set(err, KITH_EIO, "FILE",
					"cannot create %s: %s", path,
					strerror(e));
		goto done;
	}
	if (linked)
		unlink(tmp);
	snprintf(dir, sizeof(dir), "%s", path);
	fsync_path(dirname(dir), true);
	return KITH_OK;
done:
	sqlite3_close(dst);
	unlink_db(tmp);
	return rc;
}

/* One text answer of a statement on a raw connection; NULL on none. */
static int query_text(sqlite3 *db, const char *sql, char *buf, size_t n)
{
	sqlite3_stmt *s = NULL;
	int code = sqlite3_prepare_v2(db, sql, -1, &s, NULL);

	buf[0] = '\0';
	if (code == SQLITE_OK) {
		code = sqlite3_step(s);
		if (code == SQLITE_ROW) {
			const unsigned char *t = sqlite3_column_text(s, 0);

			snprintf(buf, n, "%s", t ? (const char *)t : "");
			code = SQLITE_OK;
		} else if (code == SQLITE_DONE) {
			code = SQLITE_OK;
		}
	}
	sqlite3_finalize(s);
	return code;
}

/*
 * SQLite 3.40.0 to 3.41.0 report "NULL value in T.C" for a NOT NULL
 * column of a WITHOUT ROWID table declared before its PRIMARY KEY
 * columns, where no NULL is stored (a false positive, fixed upstream in
 * 3.41.1; Debian 12 ships 3.40.1, and touch_user is such a table). Ask
 * the table itself: true when the message is that false alarm.
 */
static bool integrity_false_null(sqlite3 *db, const char *msg, size_t len)
{
	char table[128], column[128], *sql;
	sqlite3_stmt *s = NULL;
	const char *dot;
	bool none = false;
	size_t tl;

	if (len <= 14 || strncmp(msg, "NULL value in ", 14))
		return false;
	msg += 14;
	len -= 14;
	dot = memchr(msg, '.', len);
	if (!dot)
		return false;
	tl = (size_t)(dot - msg);
	if (tl >= sizeof(table) || len - tl - 1 >= sizeof(column))
		return false;
	memcpy(table, msg, tl);
	table[tl] = '\0';
	memcpy(column, dot + 1, len - tl - 1);
	column[len - tl - 1] = '\0';
	/* Names cannot be bound; %w quotes them as identifiers. */
	sql = sqlite3_mprintf("SELECT NOT EXISTS (SELECT 1 FROM \"%w\" WHERE "
			      "\"%w\" IS NULL)",
			      table, column);
	if (sql && sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		none = sqlite3_column_int(s, 0) == 1;
	sqlite3_finalize(s);
	sqlite3_free(sql);
	return none;
}

/* integrity_check on db, one message a line, the known false alarm
 * left out; see store_integrity. */
static int integrity_run(sqlite3 *db, size_t max, char ***out, size_t *n,
			 struct kith_err *err)
{
	sqlite3_stmt *s = NULL;
	char **msgs = NULL, sql[64];
	size_t k = 0;
	int code, rc = KITH_OK;

	*out = NULL;
	*n = 0;
	/* A pragma's argument cannot be bound; max is a number. */
	snprintf(sql, sizeof(sql), "PRAGMA integrity_check(%zu)", max);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL)) {
		rc = kith_err_set(err, KITH_EIO, NULL,
				  "database: integrity_check: %s",
				  sqlite3_errmsg(db));
		sqlite3_finalize(s);
		return rc;
	}
	while ((code = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);

		if (!t || !strcmp(t, "ok"))
			continue;
		/* One row may hold several lines, headed by the schema's
		 * name ("*** in database main ***"): one message a line. */
		while (!rc && *t) {
			size_t l = strcspn(t, "\n");
			char **grown;

			if (l && strncmp(t, "*** ", 4) &&
			    !integrity_false_null(db, t, l)) {
				grown = realloc(msgs, (k + 1) * sizeof(*msgs));
				if (!grown)
					rc = kith_err_nomem(err);
				else
					msgs = grown;
				if (!rc)
					msgs[k++] = strndup(t, l);
			}
			t += l + (t[l] == '\n');
		}
		if (rc)
			break;
	}
	/* A damaged page can stop the check after it named some problems:
	 * keep those, and say it stopped; with none, the check failed. */
	if (!rc && code != SQLITE_DONE && k == 0) {
		rc = kith_err_set(err, KITH_EIO, NULL,
				  "database: integrity_check: %s",
				  sqlite3_errmsg(db));
	} else if (!rc && code != SQLITE_DONE) {
		char **grown = realloc(msgs, (k + 1) * sizeof(*msgs));
		char *m = sqlite3_mprintf("integrity_check stopped: %s",
					  sqlite3_errmsg(db));

		if (grown && m) {
			msgs = grown;
			msgs[k++] = strdup(m);
		} else {
			if (grown)
				msgs = grown;
			rc = kith_err_nomem(err);
		}
		sqlite3_free(m);
	}
	sqlite3_finalize(s);
	if (rc) {
		store_strings_free(msgs, k);
		return rc;
	}
	*out = msgs;
	*n = k;
	return KITH_OK;
}

int store_integrity(char ***out, size_t *n, struct store *st, size_t max,
		    struct kith_err *err)
{
	return integrity_run(st->db, max, out, n, err);
}

/* Is the file at db a kith database this binary can open? integrity
 * first (it reads every page), then the schema version, then a table
 * only kith makes. */
static int check_kith_file(sqlite3 *db, const char *path, struct kith_err *err)
{
	char buf[512];
	long version;
	int code;

	char **msgs = NULL;
	size_t n = 0;
	struct kith_err ierr = {0};

	if (integrity_run(db, 100, &msgs, &n, &ierr))
		return ops_fail(err, sqlite3_extended_errcode(db), path,
				"checking it", sqlite3_errmsg(db));
	if (n) {
		code = kith_err_set(err, KITH_EINPUT, "FILE",
				    "%s: fails integrity_check: %s", path,
				    msgs[0]);
		store_strings_free(msgs, n);
		return code;
	}
	code = query_text(db,
			  "SELECT count(*) FROM sqlite_schema WHERE type = "
			  "'table' AND name IN ('workspace', 'contact', "
			  "'touchpoint')",
			  buf, sizeof(buf));
	if (code != SQLITE_OK || strcmp(buf, "3"))
		return kith_err_set(err, KITH_EINPUT, "FILE",
				    "%s: not a kith database (no workspace, "
				    "contact and touchpoint tables)",
				    path);
	query_text(db, "PRAGMA user_version", buf, sizeof(buf));
	version = strtol(buf, NULL, 10);
	if (version < 1 || (size_t)version > migrate_count())
		return kith_err_set(err, KITH_EINPUT, "FILE",
				    "%s: schema version %ld; this kith reads "
				    "1 to %zu",
				    path, version, migrate_count());
	return KITH_OK;
}

int store_book_empty(bool *empty, struct store *st, struct kith_err *err)
{
	db_stmt *s;
	int rc, more = 0;

	STMT(s, "SELECT EXISTS (SELECT 1 FROM contact) OR "
		"EXISTS (SELECT 1 FROM touchpoint) OR "
		"EXISTS (SELECT 1 FROM \"user\")");
	STEP(s, more);
	*empty = !(more && db_column_int(s, 0));
	db_reset(s); /* no read snapshot left for the restore */
	rc = KITH_OK;
done:
	return rc;
}

/* The backup API cannot copy into a WAL database of another page size
 * ("attempt to write a readonly database"): give the staged copy the
 * live file's page size first. A VACUUM, so only when they differ. */
static int stage_page_size(struct store *st, sqlite3 *sdb, const char *stage,
			   struct kith_err *err)
{
	char live[32], staged[32], sql[96];

	if (query_text(st->db, "PRAGMA page_size", live, sizeof(live)) ||
	    query_text(sdb, "PRAGMA page_size", staged, sizeof(staged)))
		return ops_fail(err, sqlite3_extended_errcode(sdb), stage,
				"staging", sqlite3_errmsg(sdb));
	if (!strcmp(live, staged))
		return KITH_OK;
	snprintf(sql, sizeof(sql),
		 "PRAGMA journal_mode=DELETE; PRAGMA page_size=%ld; VACUUM",
		 strtol(live, NULL, 10));
	if (sqlite3_exec(sdb, sql, NULL, NULL, NULL))
		return ops_fail(err, sqlite3_extended_errcode(sdb), stage,
				"changing the page size", sqlite3_errmsg(sdb));
	return KITH_OK;
}

int store_restore(struct store *st, const char *src_path, bool force,
		  struct kith_err *err)
{
	char stage[4096] = "";
	sqlite3 *src = NULL, *sdb = NULL;
	struct store *staged = NULL;
	bool empty = true;
	int fd, rc;

	if (sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL)) {
		rc = kith_err_set(err, KITH_EINPUT, "FILE",
				  "cannot open %s: %s", src_path,
				  src ? sqlite3_errmsg(src) : "no memory");
		goto done;
	}
	rc = check_kith_file(src, src_path, err);
	if (rc)
		goto done;
	rc = store_book_empty(&empty, st, err);
	if (rc)
		goto done;
	if (!empty && !force) {
		rc = kith_err_set(err, KITH_ECONFLICT, "--force",
				  "the database already holds a book; "
				  "--force replaces it with %s",
				  src_path);
		goto done;
	}
	/* Stage a copy next to the live file and bring it to this kith's
	 * schema there, so the live database changes once, from one whole
	 * book at the current schema to another. */
	if (snprintf(stage, sizeof(stage), "%s.restore",
		     sqlite3_db_filename(st->db, "main")) >=
	    (int)sizeof(stage)) {
		stage[0] = '\0';
		rc = kith_err_set(err, KITH_EINPUT, "--db", "path too long");
		goto done;
	}
	unlink_db(stage);
	fd = open(stage, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = kith_err_set(err, KITH_EIO, "--db", "cannot create %s: %s",
				  stage, strerror(errno));
		goto done;
	}
	close(fd);
	if (sqlite3_open_v2(stage, &sdb, SQLITE_OPEN_READWRITE, NULL)) {
		rc = ops_fail(err, SQLITE_CANTOPEN, stage, "staging",
			      sdb ? sqlite3_errmsg(sdb) : "no memory");
		goto done;
	}
	rc = backup_copy(sdb, src, stage, "staging", err);
	if (!rc)
		rc = stage_page_size(st, sdb, stage, err);
	sqlite3_close(sdb);
	sdb = NULL;
	if (rc)
		goto done;
	rc = store_open(&staged, stage, err); /* runs the migrations */
	if (rc)
		goto done;
	/* One write transaction on the live file: a running server's
	 * readers see the old book or the new one, never a mix. */
	rc = backup_copy(st->db, staged->db,
			 sqlite3_db_filename(st->db, "main"), "restoring", err);
done:
	store_close(staged);
	sqlite3_close(sdb);
	sqlite3_close(src);
	if (stage[0])
		unlink_db(stage);
	return rc;
}

/* ---- checks ---- */

int store_open_check(struct store **out, const char *path, struct kith_err *err)
{
	struct store *st;
	int rc;

	*out = NULL;
	if (access(path, F_OK))
		return kith_err_set(err, KITH_EIO, "--db", "%s: %s", path,
				    strerror(errno));
	st = calloc(1, sizeof(*st));
	if (!st)
		return kith_err_nomem(err);
	/* A read-only mount has no -shm and cannot make one. */
	if (sq_mount_readonly(path)) {
		rc = sq_open_conn(st, path, SQ_OPEN_IMMUTABLE, err);
		if (rc) {
			store_close(st);
			return rc;
		}
	} else if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READONLY,
				   NULL)) {
		rc = kith_err_set(
		    err, KITH_EIO, "--db", "cannot open %s: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "no memory");
		store_close(st);
		return rc;
	}
	sq_trace_conn(st->db);
	sqlite3_busy_timeout(st->db, 5000);
	*out = st;
	return KITH_OK;
}

int store_file_version(long *out, struct store *st, struct kith_err *err)
{
	char buf[64];

	if (query_text(st->db, "PRAGMA user_version", buf, sizeof(buf)))
		return db_fail(st, err, "schema version");
	*out = strtol(buf, NULL, 10);
	return KITH_OK;
}

int store_table_sizes(struct store_table_size **out, size_t *n,
		      struct store *st, struct kith_err *err)
{
	sqlite3_stmt *s = NULL, *c = NULL;
	struct store_table_size *v = NULL;
	size_t k = 0;
	int code, rc = KITH_OK;

	*out = NULL;
	*n = 0;
	/* dbstat, where SQLite has it, gives bytes; without it, rows only. */
	code = sqlite3_prepare_v2(
	    st->db,
	    "SELECT t.name, (SELECT sum(pgsize) FROM dbstat d WHERE "
	    "d.name = t.name) FROM sqlite_schema t WHERE t.type = 'table' "
	    "AND t.name NOT LIKE 'sqlite_%' ORDER BY t.name",
	    -1, &s, NULL);
	if (code != SQLITE_OK)
		code = sqlite3_prepare_v2(
		    st->db,
		    "SELECT name, NULL FROM sqlite_schema WHERE type = "
		    "'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
		    -1, &s, NULL);
	if (code != SQLITE_OK)
		return db_fail(st, err, "list tables");
	while ((code = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		struct store_table_size *grown;
		char *sql;

		grown = realloc(v, (k + 1) * sizeof(*v));
		if (!grown) {
			rc = kith_err_nomem(err);
			break;
		}
		v = grown;
		memset(&v[k], 0, sizeof(v[k]));
		v[k].name = strdup(name ? name : "?");
		v[k].bytes = sqlite3_column_type(s, 1) == SQLITE_NULL
				 ? -1
				 : sqlite3_column_int64(s, 1);
		v[k].rows = -1;
		/* A table name cannot be bound; %w quotes it as an
		 * identifier, and it comes from sqlite_schema itself. */
		sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", name);
		if (sql &&
		    sqlite3_prepare_v2(st->db, sql, -1, &c, NULL) ==
			SQLITE_OK &&
		    sqlite3_step(c) == SQLITE_ROW)
			v[k].rows = sqlite3_column_int64(c, 0);
		sqlite3_finalize(c);
		c = NULL;
		sqlite3_free(sql);
		k++;
	}
	if (!rc && code != SQLITE_DONE)
		rc = db_fail(st, err, "list tables");
	sqlite3_finalize(s);
	if (rc) {
		store_table_sizes_free(v, k);
		return rc;
	}
	*out = v;
	*n = k;
	return KITH_OK;
}

void store_table_sizes_free(struct store_table_size *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].name);
	free(v);
}

int store_text_column(char ***out, size_t *n, struct store *st,
		      const char *table, const char *column,
		      struct kith_err *err)
{
	sqlite3_stmt *s = NULL;
	char **v = NULL, *sql;
	size_t k = 0;
	int code, rc = KITH_OK;

	*out = NULL;
	*n = 0;
	sql = sqlite3_mprintf("SELECT \"%w\" FROM \"%w\"", column, table);
	if (!sql)
		return kith_err_nomem(err);
	code = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	sqlite3_free(sql);
	if (code != SQLITE_OK) {
		sqlite3_finalize(s);
		return kith_err_set(err, KITH_ENOTFOUND, NULL, "no %s.%s",
				    table, column);
	}
	while ((code = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		char **grown = realloc(v, (k + 1) * sizeof(*v));

		if (!grown) {
			rc = kith_err_nomem(err);
			break;
		}
		v = grown;
		v[k++] = strdup(t ? t : "");
	}
	if (!rc && code != SQLITE_DONE)
		rc = db_fail(st, err, table);
	sqlite3_finalize(s);
	if (rc) {
		store_strings_free(v, k);
		return rc;
	}
	*out = v;
	*n = k;
	return KITH_OK;
}

int store_outbox_failing(int64_t *count, char **last_error, struct store *st,
			 int min_attempts, struct kith_err *err)
{
	db_stmt *s;
	int rc, more = 0;

	*count = 0;
	*last_error = NULL;
	STMT(s, "SELECT count(*), (SELECT last_error FROM outbox WHERE "
		"sent_at IS NULL AND attempts >= ?1 ORDER BY id DESC LIMIT 1) "
		"FROM outbox WHERE sent_at IS NULL AND attempts >= ?1");
	db_bind_int(s, 1, min_attempts);
	STEP(s, more);
	if (more) {
		const char *t = db_column_text(s, 1);

		*count = db_column_int64(s, 0);
		*last_error = t ? strdup(t) : NULL;
	}
	db_reset(s);
	rc = KITH_OK;
done:
	return rc;
}

/* The summary columns, in one order for reading and comparing. */
#define SUMMARY_COLS                                                           \
	"id, workspace_id, last_touch, last_in_person, touch_count, "          \
	"eff_every, eff_meet, any_anchor, meet_anchor, due_at, meet_due_at"
#define N_SUMMARY 11

struct summary_row {
	int64_t v[N_SUMMARY];
	bool null[N_SUMMARY];
};

static int summaries_read(struct store *st, struct summary_row **out, size_t *n,
			  struct kith_err *err)
{
	db_stmt *s;
	struct summary_row *v = NULL;
	size_t k = 0;
	int rc, more = 0;

	/* By workspace: the check recomputes a workspace at each change of
	 * it, and by id alone the workspaces interleave (a book imported
	 * between two adds): the busiest was recomputed once per other
	 * workspace's run (kith doctor 4.5 s at 3,154 contacts). */
	STMT(s, "SELECT " SUMMARY_COLS " FROM contact ORDER BY workspace_id,"
		" id");
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(v, k, err);
		for (int i = 0; i < N_SUMMARY; i++) {
			v[k].null[i] = db_column_null(s, i);
			v[k].v[i] = db_column_int64(s, i);
		}
		k++;
	}
	*out = v;
	*n = k;
	v = NULL;
	rc = KITH_OK;
done:
	free(v);
	return rc;
}

/* Recompute every workspace's summaries in the open transaction and
 * count the contacts whose stored ones change (*bad; the first in
 * *first_id). The caller commits (a repair) or rolls back (a check). */
static int summaries_recompute(int64_t *bad, int64_t *first_id,
			       struct store *st, struct kith_err *err)
{
	struct summary_row *before = NULL, *after = NULL;
	size_t nb = 0, na = 0;
	int64_t prev_ws = -1;
	int rc;

	*bad = 0;
	*first_id = 0;
	rc = summaries_read(st, &before, &nb, err);
	for (size_t i = 0; !rc && i < nb; i++) {
		if (before[i].v[1] == prev_ws)
			continue;
		prev_ws = before[i].v[1];
		rc = store_refresh_all(st, prev_ws, 0, err);
	}
	if (!rc)
		rc = summaries_read(st, &after, &na, err);
	for (size_t i = 0; !rc && i < nb && i < na; i++) {
		bool same = true;

		for (int j = 0; j < N_SUMMARY; j++)
			same = same && before[i].null[j] == after[i].null[j] &&
			       before[i].v[j] == after[i].v[j];
		if (same)
			continue;
		if (!*bad)
			*first_id = before[i].v[0];
		(*bad)++;
	}
	free(before);
	free(after);
	return rc;
}

int store_summaries_check(int64_t *bad, int64_t *first_id, struct store *st,
			  struct kith_err *err)
{
	int rc;

	*bad = 0;
	*first_id = 0;
	/* Recompute inside a transaction that is always rolled back: the
	 * check changes nothing, but needs the write lock for a moment. */
	rc = store_begin(st, err);
	if (rc)
		return rc;
	rc = summaries_recompute(bad, first_id, st, err);
	store_rollback(st);
	return rc;
}

int store_directory_check(int64_t *missing, int64_t *stale, struct store *st,
			  struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	*missing = *stale = 0;
	STMT(s, "SELECT (SELECT count(*) FROM workspace w WHERE NOT EXISTS"
		" (SELECT 1 FROM directory_workspace d WHERE d.workspace_id ="
		" w.id AND d.name = w.name)) + (SELECT count(*) FROM \"user\" u"
		" WHERE NOT EXISTS (SELECT 1 FROM directory_login d WHERE"
		" d.workspace_id = u.workspace_id AND d.user_id = u.id AND"
		" d.email = u.email)) + (SELECT count(*) FROM session x WHERE"
		" NOT EXISTS (SELECT 1 FROM directory_credential d WHERE"
		" d.hash = x.id_hash AND d.workspace_id = x.workspace_id AND"
		" d.kind = 'session' AND d.user_id = x.user_id))"
		" + (SELECT count(*) FROM api_token t WHERE NOT EXISTS (SELECT"
		" 1 FROM directory_credential d WHERE d.hash = t.hash AND"
		" d.workspace_id = t.workspace_id AND d.kind = 'token' AND"
		" d.user_id = t.user_id)) + (SELECT count(*) FROM"
		" hook h WHERE NOT EXISTS (SELECT 1 FROM directory_credential d"
		" WHERE d.hash = h.secret_hash AND d.workspace_id ="
		" h.workspace_id AND d.kind = 'hook' AND d.user_id IS NULL))"
		" + (SELECT count(*) FROM \"user\" u WHERE"
		" u.feed_hash IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
		" directory_credential d WHERE d.hash = u.feed_hash AND"
		" d.workspace_id = u.workspace_id AND d.kind = 'feed' AND"
		" d.user_id = u.id))");
	STEP(s, more);
	*missing = more ? db_column_int64(s, 0) : 0;
	db_reset(s);
	/* The directory's side, counted from the rows that exist: every
	 * entry above matched one row, so the entries beyond those are
	 * stale (on Citus a reference table is not joined to a shard from
	 * its outer side). */
	STMT(s, "SELECT (SELECT count(*) FROM directory_workspace) +"
		" (SELECT count(*) FROM directory_login) + (SELECT count(*)"
		" FROM directory_credential) - (SELECT count(*) FROM workspace)"
		" - (SELECT count(*) FROM \"user\") - (SELECT count(*) FROM"
		" session) - (SELECT count(*) FROM api_token) - (SELECT"
		" count(*) FROM hook) - (SELECT count(*) FROM \"user\" WHERE"
		" feed_hash IS NOT NULL)");
	STEP(s, more);
	*stale = more ? db_column_int64(s, 0) + *missing : 0;
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

/* A workspace's entries in the directory, and the same made again from
 * its rows. Each statement names one workspace, so each is routable on
 * Citus too. */
#define N_OF(a) (sizeof(a) / sizeof(*(a)))

static const char *const directory_drop_sql[] = {
	"DELETE FROM directory_workspace WHERE workspace_id = ?1",
	"DELETE FROM directory_login WHERE workspace_id = ?1",
	"DELETE FROM directory_credential WHERE workspace_id = ?1",
};
static const char *const directory_fill_sql[] = {
	"INSERT INTO directory_workspace(name, workspace_id) SELECT name, id"
	" FROM workspace WHERE id = ?1",
	"INSERT INTO directory_login(email, workspace_id, user_id) SELECT"
	" email, workspace_id, id FROM \"user\" WHERE workspace_id = ?1",
	"INSERT INTO directory_credential(hash, kind, workspace_id, user_id)"
	" SELECT id_hash, 'session', workspace_id, user_id FROM session"
	" WHERE workspace_id = ?1",
	"INSERT INTO directory_credential(hash, kind, workspace_id, user_id)"
	" SELECT hash, 'token', workspace_id, user_id FROM api_token WHERE"
	" workspace_id = ?1",
	"INSERT INTO directory_credential(hash, kind, workspace_id, user_id)"
	" SELECT secret_hash, 'hook', workspace_id, NULL FROM hook WHERE"
	" workspace_id = ?1",
	"INSERT INTO directory_credential(hash, kind, workspace_id, user_id)"
	" SELECT feed_hash, 'feed', workspace_id, id FROM \"user\" WHERE"
	" workspace_id = ?1 AND feed_hash IS NOT NULL",
};

/* The statements sql[0..n) for workspace ws. */
static int directory_run(struct store *st, const char *const *sql, size_t n,
			 int64_t ws, struct kith_err *err)
{
	db_stmt *s;
	int rc = KITH_OK;

	for (size_t i = 0; i < n; i++) {
		STMT(s, sql[i]);
		db_bind_int64(s, 1, ws);
		EXEC(s, "repair the directory");
	}
done:
	return rc;
}

/* The directory made again: every workspace's entries, and none for a
 * workspace that is gone. */
static int directory_rebuild(struct store *st, const struct workspace *ws,
			     size_t nws, struct kith_err *err)
{
	int64_t *named = NULL;
	size_t nnamed = 0;
	db_stmt *s;
	int rc;

	/* Every workspace the directory names, gone ones among them (on
	 * Citus these are reference tables, read apart from the shards),
	 * loses its entries first: a name or email a stale entry holds may
	 * be another workspace's now. */
	STMT(s, "SELECT workspace_id FROM directory_workspace UNION SELECT"
		" workspace_id FROM directory_login UNION SELECT workspace_id"
		" FROM directory_credential");
	rc = sq_collect_ids(&named, &nnamed, st, s, 0, err);
	for (size_t i = 0; !rc && i < nnamed; i++)
		rc = directory_run(st, directory_drop_sql,
				   N_OF(directory_drop_sql), named[i], err);
	for (size_t i = 0; !rc && i < nws; i++)
		rc = directory_run(st, directory_fill_sql,
				   N_OF(directory_fill_sql), ws[i].id, err);
	free(named);
done:
	return rc;
}

int store_repair(struct store_repaired *r, struct store *st,
		 struct kith_err *err)
{
	struct workspace *ws = NULL;
	size_t nws = 0;
	int64_t first, missing, stale;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = store_begin(st, err);
	if (rc)
		return rc;
	rc = summaries_recompute(&r->summaries, &first, st, err);
	if (!rc)
		rc = store_workspace_list(&ws, &nws, st, err);
	for (size_t i = 0; !rc && i < nws; i++) {
		int64_t fixed = 0;

		rc = sq_lists_repair(&fixed, st, ws[i].id, err);
		r->lists += fixed;
	}
	if (!rc)
		rc = store_directory_check(&missing, &stale, st, err);
	if (!rc && (missing || stale)) {
		r->directory = missing + stale;
		rc = directory_rebuild(st, ws, nws, err);
	}
	if (!rc)
		rc = store_commit(st, err);
	else
		store_rollback(st);
	store_workspaces_free(ws, nws);
	if (rc)
		memset(r, 0, sizeof(*r));
	return rc;
}
