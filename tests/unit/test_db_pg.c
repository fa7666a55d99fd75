/* test_db_pg.c: the PostgreSQL engine (src/store/db_pg.c): SQLite's
 * placeholders numbered as PostgreSQL's, a refused connection reported
 * without the URL's password, and, with KITH_TEST_PG (tests/run-all's
 * server), statements sent ahead in one round trip. The rest of the
 * engine against a real server is every suite's PostgreSQL pass. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/store.h"

static void want(const char *sql, const char *out, int n)
{
	int got_n = -1;
	char *got = pg_translate(sql, &got_n);

	assert_non_null(got);
	assert_string_equal(got, out);
	assert_int_equal(got_n, n);
	free(got);
}

static void test_placeholders(void **state)
{
	(void)state;
	want("SELECT 1", "SELECT 1", 0);
	want("SELECT ?, ?", "SELECT $1, $2", 2);
	/* ?N is N; a bare ? after it is one more than the highest. */
	want("WHERE a = ?2 AND b = ?1 AND c = ?", "WHERE a = $2 AND b = $1 AND c = $3",
	     3);
	want("?3 IS NULL OR x = ?3", "$3 IS NULL OR x = $3", 3);
	want("?12", "$12", 12);
	/* Quoted text, quoted names and comments keep their '?'. */
	want("SELECT '?', 'it''s ?', ?", "SELECT '?', 'it''s ?', $1", 1);
	want("SELECT \"a?\" FROM \"user\" WHERE id = ?",
	     "SELECT \"a?\" FROM \"user\" WHERE id = $1", 1);
	want("SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2", 2);
	want("x LIKE ? ESCAPE '\\'", "x LIKE $1 ESCAPE '\\'", 1);
}

static void test_refused(void **state)
{
	struct kith_err err = { 0 };
	struct store *st = NULL;

	(void)state;
	assert_true(store_path_is_url("postgresql://u@h/db"));
	assert_true(store_path_is_url("postgres://u@h/db"));
	assert_false(store_path_is_url("/var/lib/kith/kith.db"));
	/* Port 1 on loopback: refused at once. */
	assert_int_equal(store_open(&st,
				    "postgresql://kith:hunter2@127.0.0.1:1/kith"
				    "?connect_timeout=2",
				    &err),
			 KITH_EIO);
	assert_null(st);
	assert_string_equal(err.field, "--db");
	assert_non_null(strstr(err.msg, "cannot connect to PostgreSQL"));
	assert_null(strstr(err.msg, "hunter2"));
}

static void test_display(void **state)
{
	char buf[256];

	(void)state;
	assert_string_equal(store_path_display(buf, sizeof(buf),
					       "postgresql://kith:pw@h:5/db"),
			    "postgresql://kith:***@h:5/db");
	assert_string_equal(
	    store_path_display(buf, sizeof(buf),
			       "postgresql://k@h/db?password=pw&sslmode=require"),
	    "postgresql://k@h/db?password=***&sslmode=require");
	assert_string_equal(store_path_display(buf, sizeof(buf), "/a/k.db"),
			    "/a/k.db");
}

#define AHEAD 10	/* more than the engine sends ahead at once (8) */

/* One step of s: its row's (transaction start, value), or DB_FAIL. */
static int row(struct pg_stmt *s, int64_t *began, int64_t *v)
{
	int rc = pg_step(s);

	if (rc == DB_ROW) {
		*began = pg_column_int64(s, 0);
		*v = pg_column_int64(s, 1);
		assert_int_equal(pg_step(s), DB_DONE);
	}
	pg_reset(s);
	return rc;
}

/*
 * Statements sent ahead go out together, up to eight, and the answers
 * come back in one round trip. What shows it from here: the statements
 * up to a pipeline's sync are one implicit transaction, so they share
 * transaction_timestamp(), which two statements run one after the
 * other never do.
 */
static void test_sent_ahead(void **state)
{
	const char *base = getenv("KITH_TEST_PG");
	struct kith_err err = { 0 };
	struct pg_stmt *s[AHEAD];
	struct pg_conn *c = NULL;
	int64_t began[AHEAD], v;
	char url[512], sql[128];

	(void)state;
	if (!base || !*base)
		skip();
	snprintf(url, sizeof(url), "%s/postgres", base);
	assert_int_equal(pg_open(&c, url, &err), KITH_OK);
	for (int i = 0; i < AHEAD; i++) {
		snprintf(sql, sizeof(sql),
			 "SELECT (extract(epoch FROM transaction_timestamp())"
			 " * 1000000)::bigint, 1000 / ? + %d",
			 i);
		s[i] = pg_prepare(c, sql);
		assert_non_null(s[i]);
		/* Prepared at its first run: only then can it go ahead. */
		pg_bind_int64(s[i], 1, 1);
		assert_int_equal(row(s[i], &began[i], &v), DB_ROW);
		assert_int_equal(v, 1000 + i);
	}

	/* Ten sent: eight in one round trip, read from the fourth; the
	 * last two ran when stepped, each on its own. */
	for (int i = 0; i < AHEAD; i++) {
		pg_bind_int64(s[i], 1, 10);
		pg_send(s[i]);
	}
	assert_int_equal(row(s[3], &began[3], &v), DB_ROW);
	assert_int_equal(v, 103);
	for (int i = 0; i < AHEAD; i++) {
		if (i == 3)
			continue;
		assert_int_equal(row(s[i], &began[i], &v), DB_ROW);
		assert_int_equal(v, 100 + i);
	}
	for (int i = 1; i < 8; i++)
		assert_true(began[i] == began[0]);
	assert_true(began[8] != began[0]);
	assert_true(began[9] != began[8]);

	/* A failure in the middle is its own; the one after it, skipped
	 * by the server, runs on its own when stepped. */
	pg_bind_int64(s[0], 1, 10);
	pg_bind_int64(s[1], 1, 0);
	pg_bind_int64(s[2], 1, 10);
	for (int i = 0; i < 3; i++)
		pg_send(s[i]);
	assert_int_equal(row(s[0], &began[0], &v), DB_ROW);
	assert_int_equal(v, 100);
	assert_int_equal(row(s[1], &began[1], &v), DB_FAIL);
	assert_non_null(strstr(pg_errmsg(c), "division by zero"));
	assert_int_equal(row(s[2], &began[2], &v), DB_ROW);
	assert_int_equal(v, 102);
	assert_true(began[2] != began[0]);

	/* Sent and reset unread: its answer is dropped, the connection
	 * goes on. */
	pg_bind_int64(s[0], 1, 10);
	pg_send(s[0]);
	pg_reset(s[0]);
	pg_bind_int64(s[1], 1, 5);
	assert_int_equal(row(s[1], &began[1], &v), DB_ROW);
	assert_int_equal(v, 201);

	/* Inside a transaction nothing goes ahead: each runs when
	 * stepped, in the caller's transaction. */
	assert_int_equal(pg_exec(c, "BEGIN"), DB_DONE);
	for (int i = 0; i < 2; i++) {
		pg_bind_int64(s[i], 1, 10);
		pg_send(s[i]);
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(row(s[i], &began[i], &v), DB_ROW);
	assert_true(began[0] == began[1]);
	assert_int_equal(pg_exec(c, "COMMIT"), DB_DONE);

	for (int i = 0; i < AHEAD; i++)
		pg_finalize(s[i]);
	pg_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_display),
		cmocka_unit_test(test_sent_ahead),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
