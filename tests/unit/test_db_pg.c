/* test_db_pg.c: the parts of the PostgreSQL engine (src/store/db_pg.c)
 * that need no server: SQLite's placeholders numbered as PostgreSQL's,
 * and a refused connection reported without the URL's password. The
 * engine against a real server is every suite's PostgreSQL pass
 * (tests/run-all). */
#include "unit.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_display),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
