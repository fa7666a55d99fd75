/*
 * ops.c: kith backup, kith restore, kith migrate and kith doctor: the
 * operator's commands. They work on the whole file (every workspace),
 * so they open the store themselves instead of through a workspace.
 */
#include "cli.h"
#include "../render/json.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A WAL this large means checkpoints are held back (a reader that
 * never ends) or the disk filled while one ran. */
#define DOCTOR_WAL_LIMIT (256LL << 20)
/* A notification still unsent after this many tries is a target that
 * does not work. */
#define DOCTOR_OUTBOX_TRIES 3

static int db_must_exist(struct cli *c)
{
	struct stat sb;

	if (stat(c->db_path, &sb))
		return kith_err_set(&c->err, KITH_EINPUT, "--db",
				    "no database at %s", c->db_path);
	return KITH_OK;
}

int cmd_backup(struct cli *c)
{
	static const struct cli_opt opts[] = {{"force", false}, {NULL, false}};
	int rc;

	rc = cli_parse(c, opts);
	if (!rc)
		rc = cli_want(c, 1, 1);
	if (!rc && store_path_is_url(c->db_path))
		rc = kith_err_set(&c->err, KITH_EINPUT, "--db",
				  "a PostgreSQL book is backed up with pg_dump "
				  "(docs/OPERATIONS.md); kith backup copies a "
				  "SQLite file");
	if (!rc)
		rc = db_must_exist(c);
	if (!rc)
		rc = store_open(&c->app.st, c->db_path, &c->err);
	if (!rc)
		rc = store_backup(c->app.st, c->pos[0], cli_has(c, "force"),
				  &c->err);
	if (rc)
		return rc;
	if (c->json)
		return kj_print(json_pack("{s:s, s:s}", "backup", c->pos[0],
					  "database", c->db_path));
	printf("backed up %s to %s\n", c->db_path, c->pos[0]);
	return KITH_OK;
}

int cmd_restore(struct cli *c)
{
	static const struct cli_opt opts[] = {{"force", false}, {NULL, false}};
	int rc;

	rc = cli_parse(c, opts);
	if (!rc)
		rc = cli_want(c, 1, 1);
	if (!rc && store_path_is_url(c->db_path))
		rc = kith_err_set(&c->err, KITH_EINPUT, "--db",
				  "a PostgreSQL book is restored with "
				  "pg_restore, or from a SQLite file with kith "
				  "migrate --to (docs/OPERATIONS.md)");
	if (!rc && access(c->pos[0], R_OK))
		rc = kith_err_set(&c->err, KITH_EINPUT, "FILE",
				  "cannot read %s: %s", c->pos[0],
				  strerror(errno));
	if (!rc)
		rc = store_open(&c->app.st, c->db_path, &c->err);
	if (!rc)
		rc = store_restore(c->app.st, c->pos[0], cli_has(c, "force"),
				   &c->err);
	if (rc)
		return rc;
	if (c->json)
		return kj_print(json_pack("{s:s, s:s}", "restored", c->pos[0],
					  "database", c->db_path));
	printf("restored %s into %s\n", c->pos[0], c->db_path);
	return KITH_OK;
}

/* ---- migrate ---- */

int cmd_migrate(struct cli *c)
{
	static const struct cli_opt opts[] = {{"to", true}, {NULL, false}};
	static const struct cli_field fields[] = {
	    {"source", "--db"}, {"target", "--to"}, {NULL, NULL}};
	struct store *dst = NULL;
	struct store_copy_table *t = NULL;
	size_t n = 0;
	int64_t total = 0;
	const char *to;
	json_t *tables;
	int rc;

	rc = cli_parse(c, opts);
	if (!rc)
		rc = cli_want(c, 0, 0);
	if (rc)
		return rc;
	to = cli_get(c, "to");
	if (!to || !store_path_is_url(to))
		return kith_err_set(&c->err, KITH_EINPUT, "--to",
				    "expected a postgresql:// URL to copy the "
				    "book into");
	if (store_path_is_url(c->db_path))
		return kith_err_set(&c->err, KITH_EINPUT, "--db",
				    "the book to copy must be a SQLite file, "
				    "not a PostgreSQL URL");
	rc = db_must_exist(c);
	if (!rc)
		rc = store_open(&c->app.st, c->db_path, &c->err);
	if (rc)
		return rc;
	/* A URL that does not parse, a server that does not answer, a
	 * database that is not there: the user's word to fix. The message
	 * is libpq's, which never shows the password. */
	rc = store_open(&dst, to, &c->err);
	if (rc) {
		/* libpq's hints come on lines of their own: one line. */
		char line[sizeof(c->err.msg)];
		size_t o = 0;

		for (const char *p = c->err.msg; *p && o + 3 < sizeof(line);
		     p++) {
			if (*p != '\n') {
				line[o++] = *p;
				continue;
			}
			while (p[1] == '\t' || p[1] == ' ')
				p++;
			if (p[1]) {
				line[o++] = ';';
				line[o++] = ' ';
			}
		}
		line[o] = '\0';
		memcpy(c->err.msg, line, o + 1);
		snprintf(c->err.field, sizeof(c->err.field), "--to");
		c->err.status = KITH_EINPUT;
		return KITH_EINPUT;
	}
	rc = cli_fields(c, store_copy(&t, &n, dst, c->app.st, &c->err), fields);
	store_close(dst);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++)
		total += t[i].rows;
	/* The URL is not repeated: it may carry a password. */
	if (c->json) {
		tables = json_object();
		for (size_t i = 0; i < n; i++)
			json_object_set_new(tables, t[i].name,
					    json_integer(t[i].rows));
		store_copy_tables_free(t, n);
		return kj_print(json_pack("{s:s, s:o, s:I, s:I}", "database",
					  c->db_path, "tables", tables, "rows",
					  (json_int_t)total, "table_count",
					  (json_int_t)n));
	}
	for (size_t i = 0; i < n; i++)
		printf("%-16s %9lld\n", t[i].name, (long long)t[i].rows);
	printf("copied %lld rows in %zu tables from %s into PostgreSQL\n",
	       (long long)total, n, c->db_path);
	store_copy_tables_free(t, n);
	return KITH_OK;
}

/* ---- doctor ---- */

struct doctor {
	struct cli *c;
	json_t *out; /* the report, for --json */
	json_t *problems;
	int n_problems;
};

static void say(struct doctor *d, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(struct doctor *d, const char *what, const char *fmt, ...)
{
	va_list ap;

	if (d->c->json)
		return;
	printf("%-10s ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void problem(struct doctor *d, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(struct doctor *d, const char *what, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	d->n_problems++;
	json_array_append_new(d->problems, json_pack("{s:s, s:s}", "check",
						     what, "problem", buf));
	if (!d->c->json)
		printf("%-10s PROBLEM: %s\n", what, buf);
}

static const char *human_bytes(long long n, char *buf, size_t len)
{
	if (n < 0)
		snprintf(buf, len, "?");
	else if (n < 10240)
		snprintf(buf, len, "%lld B", n);
	else if (n < 10LL << 20)
		snprintf(buf, len, "%lld KiB", n >> 10);
	else
		snprintf(buf, len, "%lld MiB", n >> 20);
	return buf;
}

static long long file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) ? 0 : (long long)sb.st_size;
}

/* The file, its schema version and integrity; *healthy when the summary
 * check may run (it needs a readable file at this kith's schema). */
static void doctor_file(struct doctor *d, bool *healthy)
{
	struct cli *c = d->c;
	struct store *st = NULL;
	struct store_table_size *t = NULL;
	struct kith_err err = {0};
	char **msgs = NULL, wal[4200], b1[32], b2[32];
	size_t n = 0, nt = 0;
	long version = 0;
	long long size, wal_size;
	json_t *tables;

	*healthy = false;
	snprintf(wal, sizeof(wal), "%s-wal", c->db_path);
	size = file_size(c->db_path);
	wal_size = file_size(wal);
	json_object_set_new(d->out, "database", json_string(c->db_path));
	json_object_set_new(d->out, "file_bytes", json_integer(size));
	json_object_set_new(d->out, "wal_bytes", json_integer(wal_size));
	if (store_open_check(&st, c->db_path, &err)) {
		problem(d, "database", "%s", err.msg);
		return;
	}
	say(d, "database", "%s (%s, WAL %s)", c->db_path,
	    human_bytes(size, b1, sizeof(b1)),
	    human_bytes(wal_size, b2, sizeof(b2)));
	if (wal_size > DOCTOR_WAL_LIMIT)
		problem(d, "wal",
			"%s is %lld MiB: checkpoints are held back (a "
			"long-running reader?) or the disk is full",
			wal, wal_size >> 20);
	if (store_file_version(&version, st, &err)) {
		problem(d, "schema", "%s", err.msg);
		goto done;
	}
	json_object_set_new(d->out, "schema",
			    json_pack("{s:I, s:i}", "file", (json_int_t)version,
				      "kith", store_schema_version(st)));
	if (version > store_schema_version(st))
		problem(d, "schema",
			"the file's schema %ld is newer than this kith's %d: "
			"upgrade kith",
			version, store_schema_version(st));
	else if (version < store_schema_version(st))
		say(d, "schema",
		    "%ld; this kith runs migrations up to %d on the next "
		    "command (back up first)",
		    version, store_schema_version(st));
	else
		say(d, "schema", "%ld (current)", version);
	if (store_integrity(&msgs, &n, st, 20, &err)) {
		problem(d, "integrity", "%s", err.msg);
		json_object_set_new(d->out, "integrity", json_string(err.msg));
		goto done;
	}
	if (n == 0) {
		say(d, "integrity", "ok");
		json_object_set_new(d->out, "integrity", json_string("ok"));
	} else {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++) {
			problem(d, "integrity", "%s", msgs[i]);
			json_array_append_new(a, json_string(msgs[i]));
		}
		json_object_set_new(d->out, "integrity", a);
	}
	tables = json_array();
	if (store_table_sizes(&t, &nt, st, &err)) {
		problem(d, "tables", "%s", err.msg);
	} else {
		for (size_t i = 0; i < nt; i++) {
			json_array_append_new(
			    tables,
			    json_pack("{s:s, s:I, s:I}", "name", t[i].name,
				      "rows", (json_int_t)t[i].rows, "bytes",
				      (json_int_t)t[i].bytes));
			say(d, i ? "" : "tables", "%-20s %10lld rows %10s",
			    t[i].name, (long long)t[i].rows,
			    human_bytes(t[i].bytes, b1, sizeof(b1)));
		}
	}
	json_object_set_new(d->out, "tables", tables);
	*healthy = n == 0 && version == store_schema_version(st);
done:
	store_table_sizes_free(t, nt);
	store_strings_free(msgs, n);
	store_close(st);
}

/* A PostgreSQL book: no file to size or page-check (the server checks
 * its own pages); that it answers and its schema is this kith's. The
 * URL is not shown: it may carry a password. */
static void doctor_server_db(struct doctor *d, bool *healthy)
{
	struct kith_err err = {0};
	struct store *st = NULL;

	*healthy = false;
	json_object_set_new(d->out, "database", json_string("postgresql"));
	if (store_open(&st, d->c->db_path, &err)) {
		problem(d, "database", "%s", err.msg);
		return;
	}
	say(d, "database", "PostgreSQL, connected");
	say(d, "schema", "%d (current)", store_schema_version(st));
	json_object_set_new(d->out, "schema",
			    json_pack("{s:i, s:i}", "file",
				      store_schema_version(st), "kith",
				      store_schema_version(st)));
	store_close(st);
	*healthy = true;
}

/* Stored summaries against summaries recomputed from history. */
static void doctor_summaries(struct doctor *d, struct store *st)
{
	struct kith_err err = {0};
	int64_t bad = 0, first = 0;

	if (store_summaries_check(&bad, &first, st, &err)) {
		/* The check recomputes inside a transaction it rolls back:
		 * a database nobody can write is not a problem of its own. */
		if (err.status == KITH_EREADONLY)
			say(d, "summaries",
			    "not checked (the database is read-only)");
		else
			problem(d, "summaries", "%s", err.msg);
		return;
	}
	json_object_set_new(d->out, "summaries_differing", json_integer(bad));
	if (bad)
		problem(d, "summaries",
			"%lld contacts' stored summaries differ from their "
			"history (first: contact %lld)",
			(long long)bad, (long long)first);
	else
		say(d, "summaries", "ok (recomputed from history)");
}

/* Each contact's kept lists against the list tables. */
static void doctor_lists(struct doctor *d, struct store *st)
{
	struct kith_err err = {0};
	int64_t bad = 0, first = 0;

	if (store_lists_check(&bad, &first, st, &err)) {
		problem(d, "lists", "%s", err.msg);
		return;
	}
	json_object_set_new(d->out, "lists_differing", json_integer(bad));
	if (bad)
		problem(d, "lists",
			"%lld contacts' kept lists differ from their emails, "
			"phones, handles, tags and addresses (first: contact "
			"%lld)",
			(long long)bad, (long long)first);
	else
		say(d, "lists", "ok (each contact's against its tables)");
}

static void doctor_directory(struct doctor *d, struct store *st)
{
	struct kith_err err = {0};
	int64_t missing = 0, stale = 0;

	if (store_directory_check(&missing, &stale, st, &err)) {
		problem(d, "directory", "%s", err.msg);
		return;
	}
	json_object_set_new(d->out, "directory_missing",
			    json_integer(missing));
	json_object_set_new(d->out, "directory_stale", json_integer(stale));
	if (missing || stale)
		problem(d, "directory",
			"%lld names, emails or credentials missing from the "
			"directory, %lld entries naming nothing (sign-in and "
			"credential lookups on Citus read it)",
			(long long)missing, (long long)stale);
	else
		say(d, "directory", "ok (every workspace name, sign-in email "
			"and credential, and nothing else)");
}

static void doctor_notify(struct doctor *d, struct store *st)
{
	struct kith_err err = {0};
	char **urls = NULL, *last = NULL;
	size_t n = 0;
	int64_t failing = 0;

	if (store_text_column(&urls, &n, st, "notify_target", "url", &err))
		return; /* no such table in this schema */
	for (size_t i = 0; i < n; i++)
		if (strncmp(urls[i], "http://", 7) &&
		    strncmp(urls[i], "https://", 8))
			problem(d, "notify",
				"target \"%s\" is not an http(s) URL", urls[i]);
	json_object_set_new(d->out, "notify_targets",
			    json_integer((json_int_t)n));
	if (!store_outbox_failing(&failing, &last, st, DOCTOR_OUTBOX_TRIES,
				  &err) &&
	    failing)
		problem(
		    d, "notify",
		    "%lld notifications unsent after %d tries; last error: %s",
		    (long long)failing, DOCTOR_OUTBOX_TRIES,
		    last ? last : "none recorded");
	else
		say(d, "notify", "%zu targets", n);
	free(last);
	store_strings_free(urls, n);
}

/* Mailboxes (kith mail) name a path on this machine; each must still be
 * readable by the user kith runs as. The table belongs to the mail
 * module; absent, there is nothing to check. */
static void doctor_mailboxes(struct doctor *d, struct store *st)
{
	static const char *const cols[] = {"path", "maildir", "source"};
	struct kith_err err = {0};
	char **paths = NULL;
	size_t n = 0;

	for (size_t k = 0; k < sizeof(cols) / sizeof(*cols); k++) {
		if (store_text_column(&paths, &n, st, "mailbox", cols[k],
				      &err) == KITH_OK)
			break;
	}
	if (!paths && n == 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (paths[i][0] == '/' && access(paths[i], R_OK))
			problem(d, "mailboxes", "%s: %s", paths[i],
				strerror(errno));
	json_object_set_new(d->out, "mailboxes", json_integer((json_int_t)n));
	say(d, "mailboxes", "%zu", n);
	store_strings_free(paths, n);
}

static size_t discard(char *p, size_t size, size_t n, void *u)
{
	(void)p;
	(void)u;
	return size * n;
}

/* Does a kith answer at addr (the serve --listen value)? */
static void doctor_server(struct doctor *d, const char *addr)
{
	CURL *h = curl_easy_init();
	char url[512];
	long status = 0;
	CURLcode cc;

	if (!h) {
		problem(d, "server", "cannot start curl");
		return;
	}
	snprintf(url, sizeof(url), "http://%s/api/v1/openapi.json", addr);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 5L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	cc = curl_easy_perform(h);
	if (cc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	json_object_set_new(d->out, "server",
			    json_pack("{s:s, s:I}", "listen", addr, "status",
				      (json_int_t)status));
	if (cc != CURLE_OK)
		problem(d, "server", "%s: %s", addr, curl_easy_strerror(cc));
	else if (status != 200)
		problem(d, "server",
			"%s answers %ld to GET /api/v1/openapi.json", addr,
			status);
	else
		say(d, "server", "%s answers", addr);
}

/* --repair: what the book keeps derived from its rows, made again before
 * the checks (which then say whether it took). */
static void doctor_repair(struct doctor *d, struct store *st)
{
	struct kith_err err = {0};
	struct store_repaired r;

	if (store_repair(&r, st, &err)) {
		problem(d, "repair", "%s", err.msg);
		return;
	}
	json_object_set_new(d->out, "repaired",
			    json_pack("{s:I, s:I, s:I}", "summaries",
				      (json_int_t)r.summaries, "lists",
				      (json_int_t)r.lists, "directory",
				      (json_int_t)r.directory));
	if (!r.summaries && !r.lists && !r.directory)
		say(d, "repair", "nothing to repair");
	if (r.summaries)
		say(d, "repair", "%lld contacts' summaries recomputed from "
		    "history", (long long)r.summaries);
	if (r.lists)
		say(d, "repair", "%lld contacts' kept lists rebuilt from "
		    "their tables", (long long)r.lists);
	if (r.directory)
		say(d, "repair", "directory rebuilt (%lld entries were "
		    "missing or stale)", (long long)r.directory);
}

int cmd_doctor(struct cli *c)
{
	static const struct cli_opt opts[] = {
		{"listen", true}, {"repair", false}, {NULL, false}};
	struct doctor d = {.c = c};
	bool healthy = false;
	int rc;

	rc = cli_parse(c, opts);
	if (!rc)
		rc = cli_want(c, 0, 0);
	if (rc)
		return rc;
	d.out = json_object();
	d.problems = json_array();
	if (!d.out || !d.problems) {
		json_decref(d.out);
		json_decref(d.problems);
		return kith_err_nomem(&c->err);
	}
	if (store_path_is_url(c->db_path))
		doctor_server_db(&d, &healthy);
	else
		doctor_file(&d, &healthy);
	if (healthy && !store_open(&c->app.st, c->db_path, &c->err)) {
		if (cli_has(c, "repair"))
			doctor_repair(&d, c->app.st);
		doctor_summaries(&d, c->app.st);
		doctor_lists(&d, c->app.st);
		doctor_directory(&d, c->app.st);
		doctor_notify(&d, c->app.st);
		doctor_mailboxes(&d, c->app.st);
	} else if (healthy) {
		problem(&d, "database", "%s", c->err.msg);
		memset(&c->err, 0, sizeof(c->err));
	} else if (cli_has(c, "repair")) {
		say(&d, "repair", "not attempted (the database failed the "
		    "checks above)");
	}
	if (cli_get(c, "listen"))
		doctor_server(&d, cli_get(c, "listen"));
	json_object_set_new(d.out, "problems", d.problems);
	json_object_set_new(d.out, "ok", json_boolean(d.n_problems == 0));
	if (c->json)
		rc = kj_print(d.out);
	else
		json_decref(d.out);
	if (!c->json && d.n_problems == 0)
		printf("all well\n");
	fflush(stdout);
	if (!rc && d.n_problems)
		rc = kith_err_set(&c->err, KITH_EIO, NULL, "%d problem%s found",
				  d.n_problems, d.n_problems == 1 ? "" : "s");
	return rc;
}
