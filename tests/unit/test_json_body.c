/* test_json_body.c: the strict body parser and its typed getters, against
 * real jansson: every row is one body and what must come of it. */
#include "unit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/json_body.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* 2026-11-20T00:00:00Z, worked in test_kith.c: day 20777. */
#define T_2026_11_20 (20777LL * KITH_DAY)
#define DAY_2024_02_29 19782

/* ---- body_parse ---- */

static void test_parse_table(void **state)
{
	static const struct {
		const char *body;
		size_t len;		/* 0: strlen(body) */
		enum kith_status want;
		const char *msg;	/* a part of the message; NULL: any */
	} cases[] = {
		{ "{}", 0, KITH_OK, NULL },
		{ " \n\t{\"a\": 1, \"b\": [true, null, \"x\"]}\n", 0, KITH_OK,
		  NULL },
		{ "{\"a\":\"\\ud83d\\ude00 \xc3\xa9\"}", 0, KITH_OK, NULL },
		/* brackets inside strings are not nesting */
		{ "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}", 0,
		  KITH_OK, NULL },
		{ "{\"a\":\"\\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}", 0,
		  KITH_OK, NULL },
		{ "{\"a\\\\\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}", 0,
		  KITH_OK, NULL },
		/* malformed */
		{ "", 0, KITH_ESYNTAX, "line 1, column" },
		{ "{", 0, KITH_ESYNTAX, "end of file" },
		{ "{\"a\":", 0, KITH_ESYNTAX, "end of file" },
		{ "{\"a\":\"abc", 0, KITH_ESYNTAX, NULL },
		{ "{\"a\" 1}", 0, KITH_ESYNTAX, "':' expected" },
		{ "{\"a\":1,}", 0, KITH_ESYNTAX, NULL },
		{ "{'a':1}", 0, KITH_ESYNTAX, NULL },
		{ "{\"a\":01}", 0, KITH_ESYNTAX, NULL },
		{ "{\"a\":1} x", 0, KITH_ESYNTAX, "end of file expected" },
		{ "{\"a\":1}{}", 0, KITH_ESYNTAX, NULL },
		{ "{\"a\":1e999}", 0, KITH_ESYNTAX, NULL },
		{ "{\"a\":99999999999999999999}", 0, KITH_ESYNTAX, NULL },
		{ "{\"a\":\"tab\there\"}", 0, KITH_ESYNTAX, NULL },
		{ "{\"a\":\"\\x\"}", 0, KITH_ESYNTAX, NULL },
		{ "\xef\xbb\xbf{}", 0, KITH_ESYNTAX, NULL },
		/* not UTF-8 */
		{ "{\"a\":\"\xff\"}", 0, KITH_ESYNTAX, NULL },
		{ "{\"\xfe\":1}", 0, KITH_ESYNTAX, NULL },
		{ "{\"a\":\"\xc0\xaf\"}", 0, KITH_ESYNTAX, NULL },	/* overlong '/' */
		{ "{\"a\":\"\xe0\x80\xaf\"}", 0, KITH_ESYNTAX, NULL },
		{ "{\"a\":\"\xc3\"}", 0, KITH_ESYNTAX, NULL },	/* cut short */
		{ "{\"a\":\"\xed\xa0\x80\"}", 0, KITH_ESYNTAX, NULL }, /* surrogate */
		{ "{\"a\":\"\xf4\x90\x80\x80\"}", 0, KITH_ESYNTAX, NULL }, /* > U+10FFFF */
		{ "{\"a\":\"\\ud800\"}", 0, KITH_ESYNTAX, NULL },
		{ "{\"a\":\"\\udc00\"}", 0, KITH_ESYNTAX, NULL },
		{ "{\"a\":\"\\ud800\\u0041\"}", 0, KITH_ESYNTAX, NULL },
		/* NUL, escaped and raw */
		{ "{\"a\":\"\\u0000\"}", 0, KITH_ESYNTAX, NULL },
		{ "{\"a\\u0000b\":1}", 0, KITH_ESYNTAX, NULL },
		{ "{\"a\":\"x\0y\"}", 11, KITH_ESYNTAX, NULL },
		{ "{\"a\":1}\0", 8, KITH_ESYNTAX, NULL },
		/* not an object */
		{ "[]", 0, KITH_ESYNTAX, "expected an object at the top level" },
		{ "[{\"a\":1}]", 0, KITH_ESYNTAX, "expected an object" },
		{ "\"str\"", 0, KITH_ESYNTAX, NULL },
		{ "42", 0, KITH_ESYNTAX, NULL },
		{ "null", 0, KITH_ESYNTAX, NULL },
		{ "true", 0, KITH_ESYNTAX, NULL },
		/* duplicate keys, at the top and inside */
		{ "{\"a\":1,\"a\":2}", 0, KITH_ESYNTAX, "duplicate" },
		{ "{\"a\":1,\"a\":1}", 0, KITH_ESYNTAX, "duplicate" },
		{ "{\"o\":{\"k\":1,\"k\":null}}", 0, KITH_ESYNTAX, "duplicate" },
		{ "{\"a\":1,\"b\":{\"a\":2}}", 0, KITH_OK, NULL },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct kith_err err = { 0 };
		json_t *o = (json_t *)&err;	/* must be reset */
		size_t len = cases[i].len ? cases[i].len
					  : strlen(cases[i].body);
		int rc = body_parse(&o, cases[i].body, len, &err);

		if (rc != (int)cases[i].want)
			fail_msg("row %zu: %s: got %s (%s), want %s", i + 1,
				 cases[i].body, kith_status_name(rc), err.msg,
				 kith_status_name(cases[i].want));
		if (rc) {
			assert_null(o);
			assert_int_equal(err.status, rc);
			assert_non_null(strstr(err.msg, "not valid JSON"));
			if (cases[i].msg && !strstr(err.msg, cases[i].msg))
				fail_msg("row %zu: message \"%s\" lacks \"%s\"",
					 i + 1, err.msg, cases[i].msg);
		} else {
			assert_true(json_is_object(o));
			json_decref(o);
		}
	}
}

static void test_parse_null_buffer(void **state)
{
	struct kith_err err = { 0 };
	json_t *o;

	(void)state;
	assert_int_equal(body_parse(&o, NULL, 0, &err), KITH_ESYNTAX);
	assert_null(o);
	assert_int_equal(body_parse(&o, "{}", 2, NULL), KITH_OK);
	json_decref(o);
	assert_int_equal(body_parse(&o, "[]", 2, NULL), KITH_ESYNTAX);
}

/* The message and err->line give jansson's position. */
static void test_parse_position(void **state)
{
	static const struct {
		const char *body;
		int line;
		const char *at;
	} cases[] = {
		{ "{\n  \"a\": [1,\n  2,,\n]}", 3, "line 3, column 5" },
		{ "{\"a\":1,\n\"a\":2}", 2, "line 2, column" },
		{ "\n\n  [1]", 3, "line 3, column 3" },
		/* columns count characters, as jansson's do: é is one */
		{ "{\"\xc3\xa9\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
		  "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
		  1, "line 1, column 37" },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct kith_err err = { 0 };
		json_t *o;

		assert_int_equal(body_parse(&o, cases[i].body,
					    strlen(cases[i].body), &err),
				 KITH_ESYNTAX);
		if (err.line != cases[i].line || !strstr(err.msg, cases[i].at))
			fail_msg("row %zu: got line %d \"%s\", want %d \"%s\"",
				 i + 1, err.line, err.msg, cases[i].line,
				 cases[i].at);
	}
}

/* The named-file form: file:line as the place, the message without it,
 * as the CLI prints "book.json:3: not valid JSON: ...". */
static void test_parse_at(void **state)
{
	struct kith_err err = { 0 };
	char buf[700];
	json_t *o;

	(void)state;
	assert_int_equal(body_parse_at(&o, "{\n\"a\":", 6, "b.json", &err),
			 KITH_ESYNTAX);
	assert_string_equal(kith_err_format(&err, buf, sizeof(buf)),
			    "b.json:2: not valid JSON: unexpected token near "
			    "end of file");
	assert_int_equal(body_parse_at(&o, "[]", 2, "b.json", &err),
			 KITH_ESYNTAX);
	assert_string_equal(kith_err_format(&err, buf, sizeof(buf)),
			    "b.json:1: not valid JSON: expected an object at "
			    "the top level");
}

/* Nesting: BODY_MAX_DEPTH levels parse; one more, in objects or arrays,
 * and far past jansson's own 2048, do not. */
static void test_parse_depth(void **state)
{
	static const struct {
		int depth;
		int arrays;	/* nest arrays, else objects */
		enum kith_status want;
	} cases[] = {
		{ 1, 0, KITH_OK },
		{ BODY_MAX_DEPTH, 0, KITH_OK },
		{ BODY_MAX_DEPTH, 1, KITH_OK },
		{ BODY_MAX_DEPTH + 1, 0, KITH_ESYNTAX },
		{ BODY_MAX_DEPTH + 1, 1, KITH_ESYNTAX },
		{ 3000, 1, KITH_ESYNTAX },
		{ 100000, 0, KITH_ESYNTAX },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		size_t cap = (size_t)cases[i].depth * 8 + 16, n = 0;
		char *buf = malloc(cap);
		struct kith_err err = { 0 };
		json_t *o;
		int rc;

		assert_non_null(buf);
		/* {"k":{"k":...{}...}} or {"k":[[...[]...]]} */
		n += (size_t)sprintf(buf + n, "{");
		for (int d = 1; d < cases[i].depth; d++)
			n += (size_t)sprintf(buf + n, "%s",
					     cases[i].arrays ? (d == 1 ? "\"k\":["
								       : "[")
							     : "\"k\":{");
		for (int d = cases[i].depth - 1; d >= 1; d--)
			n += (size_t)sprintf(buf + n, "%s",
					     cases[i].arrays ? "]" : "}");
		n += (size_t)sprintf(buf + n, "}");
		rc = body_parse(&o, buf, n, &err);
		if (rc != (int)cases[i].want)
			fail_msg("row %zu: depth %d: got %s (%s)", i + 1,
				 cases[i].depth, kith_status_name(rc), err.msg);
		if (!rc)
			json_decref(o);
		else if (cases[i].depth < 2048)
			assert_non_null(strstr(err.msg, "nested deeper than 32"));
		free(buf);
	}
}

/* ---- body_only ---- */

static void test_only(void **state)
{
	static const char *const keys[] = { "name", "tags", "every", NULL };
	static const char *const none[] = { NULL };
	static const struct {
		const char *body;
		const char *const *allowed;
		const char *prefix;
		enum kith_status want;
		const char *field;
	} cases[] = {
		{ "{}", keys, NULL, KITH_OK, NULL },
		{ "{}", none, NULL, KITH_OK, NULL },
		{ "{\"name\":1,\"tags\":[],\"every\":null}", keys, NULL, KITH_OK,
		  NULL },
		{ "{\"name\":1,\"colour\":\"blue\"}", keys, NULL, KITH_EINPUT,
		  "colour" },
		{ "{\"Name\":1}", keys, NULL, KITH_EINPUT, "Name" },
		{ "{\"name \":1}", keys, NULL, KITH_EINPUT, "name " },
		{ "{\"\":1}", keys, NULL, KITH_EINPUT, "" },
		{ "{\"name\":1}", none, NULL, KITH_EINPUT, "name" },
		{ "{\"colour\":1}", keys, "contacts[3]", KITH_EINPUT,
		  "contacts[3].colour" },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct kith_err err = { 0 };
		json_t *o;
		int rc;

		assert_int_equal(body_parse(&o, cases[i].body,
					    strlen(cases[i].body), &err),
				 KITH_OK);
		if (cases[i].prefix)
			body_prefix("%s", cases[i].prefix);
		rc = body_only(o, cases[i].allowed, &err);
		if (rc != (int)cases[i].want)
			fail_msg("row %zu: %s: got %s", i + 1, cases[i].body,
				 kith_status_name(rc));
		if (rc) {
			assert_string_equal(err.field, cases[i].field);
			assert_string_equal(err.msg, "unknown field");
		}
		json_decref(o);
	}
	body_prefix_clear();
}

/* ---- getters ---- */

enum getter { G_STR, G_STRDUP, G_INT, G_ID, G_BOOL, G_TIME, G_DATE, G_CAD,
	      G_MONEY, G_STRLIST, G_IDS };

/* What the caller's variables hold before the call: "absent keeps the
 * default" shows as these values coming back. */
#define DEF 77

static const struct {
	const char *body;
	enum getter g;
	const char *key;
	bool required;
	int64_t lo, hi;		/* body_int bounds; body_str: hi = max_len */
	enum kith_status want;
	const char *field;	/* err.field on error */
	int64_t value;		/* numbers, times, days, cadence code, cents,
				 * list length; bool 0/1 */
	const char *str;	/* strings: the value (NULL: NULL) */
} gcases[] = {
	/* body_str; the default is "dflt" */
	{ "{\"name\":\"Ann\"}", G_STR, "name", true, 0, 0, KITH_OK, NULL, 0, "Ann" },
	{ "{\"name\":\"Ann\"}", G_STR, "name", false, 0, 0, KITH_OK, NULL, 0, "Ann" },
	{ "{}", G_STR, "name", true, 0, 0, KITH_EINPUT, "name", 0, "dflt" },
	{ "{}", G_STR, "name", false, 0, 0, KITH_OK, NULL, 0, "dflt" },
	{ "{\"name\":null}", G_STR, "name", true, 0, 0, KITH_EINPUT, "name", 0, "dflt" },
	{ "{\"name\":null}", G_STR, "name", false, 0, 0, KITH_OK, NULL, 0, "dflt" },
	{ "{\"name\":\"\"}", G_STR, "name", true, 0, 0, KITH_EINPUT, "name", 0, "dflt" },
	{ "{\"name\":\"\"}", G_STR, "name", false, 0, 0, KITH_OK, NULL, 0, "" },
	{ "{\"name\":1}", G_STR, "name", false, 0, 0, KITH_EINPUT, "name", 0, "dflt" },
	{ "{\"name\":true}", G_STR, "name", false, 0, 0, KITH_EINPUT, "name", 0, "dflt" },
	{ "{\"name\":[\"Ann\"]}", G_STR, "name", false, 0, 0, KITH_EINPUT, "name", 0, "dflt" },
	{ "{\"name\":{}}", G_STR, "name", false, 0, 0, KITH_EINPUT, "name", 0, "dflt" },
	{ "{\"name\":\"abcd\"}", G_STR, "name", false, 0, 3, KITH_EINPUT, "name", 0, "dflt" },
	{ "{\"name\":\"abcd\"}", G_STR, "name", false, 0, 4, KITH_OK, NULL, 0, "abcd" },
	/* max_len counts bytes: é is two */
	{ "{\"name\":\"\xc3\xa9\"}", G_STR, "name", false, 0, 1, KITH_EINPUT, "name", 0, "dflt" },
	{ "{\"name\":\"\\u00e9\"}", G_STR, "name", false, 0, 2, KITH_OK, NULL, 0, "\xc3\xa9" },
	{ "{\"Name\":\"Ann\"}", G_STR, "name", false, 0, 0, KITH_OK, NULL, 0, "dflt" },
	/* body_strdup: NULL when absent */
	{ "{\"note\":\"hi\"}", G_STRDUP, "note", false, 0, 0, KITH_OK, NULL, 0, "hi" },
	{ "{}", G_STRDUP, "note", false, 0, 0, KITH_OK, NULL, 0, NULL },
	{ "{\"note\":null}", G_STRDUP, "note", false, 0, 0, KITH_OK, NULL, 0, NULL },
	{ "{}", G_STRDUP, "note", true, 0, 0, KITH_EINPUT, "note", 0, NULL },
	{ "{\"note\":\"\"}", G_STRDUP, "note", true, 0, 0, KITH_EINPUT, "note", 0, NULL },
	{ "{\"note\":5}", G_STRDUP, "note", false, 0, 0, KITH_EINPUT, "note", 0, NULL },
	{ "{\"note\":\"abc\"}", G_STRDUP, "note", false, 0, 2, KITH_EINPUT, "note", 0, NULL },
	/* body_int */
	{ "{\"n\":5}", G_INT, "n", false, 0, 10, KITH_OK, NULL, 5, NULL },
	{ "{\"n\":0}", G_INT, "n", false, 0, 10, KITH_OK, NULL, 0, NULL },
	{ "{\"n\":10}", G_INT, "n", false, 0, 10, KITH_OK, NULL, 10, NULL },
	{ "{\"n\":-1}", G_INT, "n", false, 0, 10, KITH_EINPUT, "n", DEF, NULL },
	{ "{\"n\":11}", G_INT, "n", false, 0, 10, KITH_EINPUT, "n", DEF, NULL },
	{ "{\"n\":5.0}", G_INT, "n", false, 0, 10, KITH_EINPUT, "n", DEF, NULL },
	{ "{\"n\":5e0}", G_INT, "n", false, 0, 10, KITH_EINPUT, "n", DEF, NULL },
	{ "{\"n\":\"5\"}", G_INT, "n", false, 0, 10, KITH_EINPUT, "n", DEF, NULL },
	{ "{\"n\":true}", G_INT, "n", false, 0, 10, KITH_EINPUT, "n", DEF, NULL },
	{ "{\"n\":[5]}", G_INT, "n", false, 0, 10, KITH_EINPUT, "n", DEF, NULL },
	{ "{}", G_INT, "n", false, 0, 10, KITH_OK, NULL, DEF, NULL },
	{ "{\"n\":null}", G_INT, "n", false, 0, 10, KITH_OK, NULL, DEF, NULL },
	{ "{}", G_INT, "n", true, 0, 10, KITH_EINPUT, "n", DEF, NULL },
	{ "{\"n\":9223372036854775807}", G_INT, "n", false, INT64_MIN, INT64_MAX, KITH_OK, NULL, INT64_MAX, NULL },
	{ "{\"n\":-9223372036854775808}", G_INT, "n", false, INT64_MIN, INT64_MAX, KITH_OK, NULL, INT64_MIN, NULL },
	{ "{\"n\":-5}", G_INT, "n", false, -5, -5, KITH_OK, NULL, -5, NULL },
	/* body_id: 0 when absent */
	{ "{\"id\":1}", G_ID, "id", true, 0, 0, KITH_OK, NULL, 1, NULL },
	{ "{\"id\":9007199254740993}", G_ID, "id", true, 0, 0, KITH_OK, NULL, 9007199254740993LL, NULL },
	{ "{\"id\":0}", G_ID, "id", false, 0, 0, KITH_EINPUT, "id", 0, NULL },
	{ "{\"id\":-3}", G_ID, "id", false, 0, 0, KITH_EINPUT, "id", 0, NULL },
	{ "{\"id\":1.5}", G_ID, "id", false, 0, 0, KITH_EINPUT, "id", 0, NULL },
	{ "{\"id\":\"1\"}", G_ID, "id", false, 0, 0, KITH_EINPUT, "id", 0, NULL },
	{ "{}", G_ID, "id", false, 0, 0, KITH_OK, NULL, 0, NULL },
	{ "{\"id\":null}", G_ID, "id", false, 0, 0, KITH_OK, NULL, 0, NULL },
	{ "{}", G_ID, "id", true, 0, 0, KITH_EINPUT, "id", 0, NULL },
	/* body_bool; the default is true */
	{ "{\"b\":true}", G_BOOL, "b", false, 0, 0, KITH_OK, NULL, 1, NULL },
	{ "{\"b\":false}", G_BOOL, "b", false, 0, 0, KITH_OK, NULL, 0, NULL },
	{ "{\"b\":1}", G_BOOL, "b", false, 0, 0, KITH_EINPUT, "b", 1, NULL },
	{ "{\"b\":0}", G_BOOL, "b", false, 0, 0, KITH_EINPUT, "b", 1, NULL },
	{ "{\"b\":\"false\"}", G_BOOL, "b", false, 0, 0, KITH_EINPUT, "b", 1, NULL },
	{ "{\"b\":null}", G_BOOL, "b", false, 0, 0, KITH_OK, NULL, 1, NULL },
	{ "{}", G_BOOL, "b", true, 0, 0, KITH_EINPUT, "b", 1, NULL },
	/* body_time: UTC unless an offset says otherwise */
	{ "{\"at\":\"2026-11-20T09:30:00Z\"}", G_TIME, "at", true, 0, 0, KITH_OK, NULL, T_2026_11_20 + 34200, NULL },
	{ "{\"at\":\"2026-11-20T09:30:00.75Z\"}", G_TIME, "at", true, 0, 0, KITH_OK, NULL, T_2026_11_20 + 34200, NULL },
	{ "{\"at\":\"2026-11-20T09:30:00+02:00\"}", G_TIME, "at", true, 0, 0, KITH_OK, NULL, T_2026_11_20 + 34200 - 7200, NULL },
	{ "{\"at\":\"2026-11-20T09:30-0530\"}", G_TIME, "at", true, 0, 0, KITH_OK, NULL, T_2026_11_20 + 34200 + 19800, NULL },
	{ "{\"at\":\"2026-11-20 09:30\"}", G_TIME, "at", true, 0, 0, KITH_OK, NULL, T_2026_11_20 + 34200, NULL },
	{ "{\"at\":\"2026-11-20\"}", G_TIME, "at", true, 0, 0, KITH_OK, NULL, T_2026_11_20, NULL },
	{ "{\"at\":\"2024-02-29T00:00:00Z\"}", G_TIME, "at", true, 0, 0, KITH_OK, NULL, DAY_2024_02_29 * 86400LL, NULL },
	{ "{\"at\":\"2023-02-29T00:00:00Z\"}", G_TIME, "at", true, 0, 0, KITH_EINPUT, "at", KITH_NO_TIME, NULL },
	{ "{\"at\":\"2026-11-31\"}", G_TIME, "at", true, 0, 0, KITH_EINPUT, "at", KITH_NO_TIME, NULL },
	{ "{\"at\":\"2026-11-20T24:00:00Z\"}", G_TIME, "at", true, 0, 0, KITH_EINPUT, "at", KITH_NO_TIME, NULL },
	{ "{\"at\":\"2026-11-20T09:60Z\"}", G_TIME, "at", true, 0, 0, KITH_EINPUT, "at", KITH_NO_TIME, NULL },
	{ "{\"at\":\"2026-11-20T09:30:00+15:00\"}", G_TIME, "at", true, 0, 0, KITH_EINPUT, "at", KITH_NO_TIME, NULL },
	{ "{\"at\":\"2026-11-20Z\"}", G_TIME, "at", true, 0, 0, KITH_OK, NULL, T_2026_11_20, NULL },
	{ "{\"at\":\"yesterday\"}", G_TIME, "at", true, 0, 0, KITH_EINPUT, "at", KITH_NO_TIME, NULL },
	{ "{\"at\":\"\"}", G_TIME, "at", true, 0, 0, KITH_EINPUT, "at", KITH_NO_TIME, NULL },
	{ "{\"at\":1795132800}", G_TIME, "at", true, 0, 0, KITH_EINPUT, "at", KITH_NO_TIME, NULL },
	{ "{\"at\":null}", G_TIME, "at", false, 0, 0, KITH_OK, NULL, KITH_NO_TIME, NULL },
	{ "{}", G_TIME, "at", false, 0, 0, KITH_OK, NULL, KITH_NO_TIME, NULL },
	{ "{}", G_TIME, "at", true, 0, 0, KITH_EINPUT, "at", KITH_NO_TIME, NULL },
	/* body_date */
	{ "{\"d\":\"2024-02-29\"}", G_DATE, "d", false, 0, 0, KITH_OK, NULL, DAY_2024_02_29, NULL },
	{ "{\"d\":\"1970-01-01\"}", G_DATE, "d", false, 0, 0, KITH_OK, NULL, 0, NULL },
	{ "{\"d\":\"2023-02-29\"}", G_DATE, "d", false, 0, 0, KITH_EINPUT, "d", KITH_NO_DAY, NULL },
	{ "{\"d\":\"2024-13-01\"}", G_DATE, "d", false, 0, 0, KITH_EINPUT, "d", KITH_NO_DAY, NULL },
	{ "{\"d\":\"2024-00-10\"}", G_DATE, "d", false, 0, 0, KITH_EINPUT, "d", KITH_NO_DAY, NULL },
	{ "{\"d\":\"0000-01-01\"}", G_DATE, "d", false, 0, 0, KITH_EINPUT, "d", KITH_NO_DAY, NULL },
	{ "{\"d\":\"2024-2-1\"}", G_DATE, "d", false, 0, 0, KITH_EINPUT, "d", KITH_NO_DAY, NULL },
	{ "{\"d\":\"2024-02-29T00:00:00Z\"}", G_DATE, "d", false, 0, 0, KITH_EINPUT, "d", KITH_NO_DAY, NULL },
	{ "{\"d\":20240229}", G_DATE, "d", false, 0, 0, KITH_EINPUT, "d", KITH_NO_DAY, NULL },
	{ "{\"d\":null}", G_DATE, "d", true, 0, 0, KITH_EINPUT, "d", KITH_NO_DAY, NULL },
	{ "{}", G_DATE, "d", false, 0, 0, KITH_OK, NULL, KITH_NO_DAY, NULL },
	/* body_cadence: kith_cadence_code, days or -months; none is 0 */
	{ "{\"every\":\"30d\"}", G_CAD, "every", false, 0, 0, KITH_OK, NULL, 30, NULL },
	{ "{\"every\":\"30\"}", G_CAD, "every", false, 0, 0, KITH_OK, NULL, 30, NULL },
	{ "{\"every\":\"6w\"}", G_CAD, "every", false, 0, 0, KITH_OK, NULL, 42, NULL },
	{ "{\"every\":\"3m\"}", G_CAD, "every", false, 0, 0, KITH_OK, NULL, -3, NULL },
	{ "{\"every\":\"1y\"}", G_CAD, "every", false, 0, 0, KITH_OK, NULL, -12, NULL },
	{ "{\"every\":\"0d\"}", G_CAD, "every", false, 0, 0, KITH_OK, NULL, 0, NULL },
	{ "{\"every\":\"36500d\"}", G_CAD, "every", false, 0, 0, KITH_OK, NULL, 36500, NULL },
	{ "{\"every\":30}", G_CAD, "every", false, 0, 0, KITH_OK, NULL, 30, NULL },
	{ "{\"every\":0}", G_CAD, "every", false, 0, 0, KITH_OK, NULL, 0, NULL },
	{ "{\"every\":36500}", G_CAD, "every", false, 0, 0, KITH_OK, NULL, 36500, NULL },
	{ "{\"every\":36501}", G_CAD, "every", false, 0, 0, KITH_EINPUT, "every", 0, NULL },
	{ "{\"every\":-1}", G_CAD, "every", false, 0, 0, KITH_EINPUT, "every", 0, NULL },
	{ "{\"every\":-9223372036854775808}", G_CAD, "every", false, 0, 0, KITH_EINPUT, "every", 0, NULL },
	{ "{\"every\":1.5}", G_CAD, "every", false, 0, 0, KITH_EINPUT, "every", 0, NULL },
	{ "{\"every\":true}", G_CAD, "every", false, 0, 0, KITH_EINPUT, "every", 0, NULL },
	{ "{\"every\":[30]}", G_CAD, "every", false, 0, 0, KITH_EINPUT, "every", 0, NULL },
	{ "{\"every\":\"\"}", G_CAD, "every", false, 0, 0, KITH_EINPUT, "every", 0, NULL },
	{ "{\"every\":\"30x\"}", G_CAD, "every", false, 0, 0, KITH_EINPUT, "every", 0, NULL },
	{ "{\"every\":\" 30\"}", G_CAD, "every", false, 0, 0, KITH_EINPUT, "every", 0, NULL },
	{ "{\"every\":\"-3m\"}", G_CAD, "every", false, 0, 0, KITH_EINPUT, "every", 0, NULL },
	{ "{\"every\":\"1201m\"}", G_CAD, "every", false, 0, 0, KITH_EINPUT, "every", 0, NULL },
	{ "{\"every\":\"101y\"}", G_CAD, "every", false, 0, 0, KITH_EINPUT, "every", 0, NULL },
	{ "{\"every\":null}", G_CAD, "every", false, 0, 0, KITH_OK, NULL, 0, NULL },
	{ "{}", G_CAD, "every", false, 0, 0, KITH_OK, NULL, 0, NULL },
	/* body_money: cents */
	{ "{\"v\":12.5}", G_MONEY, "v", false, 0, 0, KITH_OK, NULL, 1250, NULL },
	{ "{\"v\":12}", G_MONEY, "v", false, 0, 0, KITH_OK, NULL, 1200, NULL },
	{ "{\"v\":-3.25}", G_MONEY, "v", false, 0, 0, KITH_OK, NULL, -325, NULL },
	{ "{\"v\":0.1}", G_MONEY, "v", false, 0, 0, KITH_OK, NULL, 10, NULL },
	{ "{\"v\":19.99}", G_MONEY, "v", false, 0, 0, KITH_OK, NULL, 1999, NULL },
	{ "{\"v\":0}", G_MONEY, "v", false, 0, 0, KITH_OK, NULL, 0, NULL },
	{ "{\"v\":1e13}", G_MONEY, "v", false, 0, 0, KITH_OK, NULL, 1000000000000000LL, NULL },
	{ "{\"v\":-1e13}", G_MONEY, "v", false, 0, 0, KITH_OK, NULL, -1000000000000000LL, NULL },
	{ "{\"v\":1.0000001e13}", G_MONEY, "v", false, 0, 0, KITH_EINPUT, "v", DEF, NULL },
	{ "{\"v\":9223372036854775807}", G_MONEY, "v", false, 0, 0, KITH_EINPUT, "v", DEF, NULL },
	{ "{\"v\":\"12.50\"}", G_MONEY, "v", false, 0, 0, KITH_EINPUT, "v", DEF, NULL },
	{ "{\"v\":false}", G_MONEY, "v", false, 0, 0, KITH_EINPUT, "v", DEF, NULL },
	{ "{\"v\":null}", G_MONEY, "v", false, 0, 0, KITH_OK, NULL, DEF, NULL },
	/* body_strlist: the list already holds "x"; value is its length */
	{ "{\"t\":[\"a\",\"b\"]}", G_STRLIST, "t", false, 0, 0, KITH_OK, NULL, 3, "b" },
	{ "{\"t\":[]}", G_STRLIST, "t", false, 0, 0, KITH_OK, NULL, 1, "x" },
	{ "{\"t\":[\"\"]}", G_STRLIST, "t", false, 0, 0, KITH_OK, NULL, 2, "" },
	{ "{\"t\":null}", G_STRLIST, "t", false, 0, 0, KITH_OK, NULL, 1, "x" },
	{ "{}", G_STRLIST, "t", false, 0, 0, KITH_OK, NULL, 1, "x" },
	{ "{\"t\":[\"a\",1]}", G_STRLIST, "t", false, 0, 0, KITH_EINPUT, "t", 1, "x" },
	{ "{\"t\":[\"a\",\"b\",null]}", G_STRLIST, "t", false, 0, 0, KITH_EINPUT, "t", 1, "x" },
	{ "{\"t\":[[\"a\"]]}", G_STRLIST, "t", false, 0, 0, KITH_EINPUT, "t", 1, "x" },
	{ "{\"t\":\"a\"}", G_STRLIST, "t", false, 0, 0, KITH_EINPUT, "t", 1, "x" },
	{ "{\"t\":{\"a\":1}}", G_STRLIST, "t", false, 0, 0, KITH_EINPUT, "t", 1, "x" },
	/* body_ids: value is the count */
	{ "{\"c\":[1,2,3]}", G_IDS, "c", false, 0, 0, KITH_OK, NULL, 3, NULL },
	{ "{\"c\":[7]}", G_IDS, "c", false, 0, 0, KITH_OK, NULL, 1, NULL },
	{ "{\"c\":[]}", G_IDS, "c", false, 0, 0, KITH_OK, NULL, 0, NULL },
	{ "{\"c\":null}", G_IDS, "c", false, 0, 0, KITH_OK, NULL, 0, NULL },
	{ "{}", G_IDS, "c", false, 0, 0, KITH_OK, NULL, 0, NULL },
	{ "{\"c\":[1,0]}", G_IDS, "c", false, 0, 0, KITH_EINPUT, "c", 0, NULL },
	{ "{\"c\":[1,-2]}", G_IDS, "c", false, 0, 0, KITH_EINPUT, "c", 0, NULL },
	{ "{\"c\":[1,\"2\"]}", G_IDS, "c", false, 0, 0, KITH_EINPUT, "c", 0, NULL },
	{ "{\"c\":[1.0]}", G_IDS, "c", false, 0, 0, KITH_EINPUT, "c", 0, NULL },
	{ "{\"c\":[null]}", G_IDS, "c", false, 0, 0, KITH_EINPUT, "c", 0, NULL },
	{ "{\"c\":5}", G_IDS, "c", false, 0, 0, KITH_EINPUT, "c", 0, NULL },
	{ "{\"c\":\"1,2\"}", G_IDS, "c", false, 0, 0, KITH_EINPUT, "c", 0, NULL },
};

/* Run getter g on key of o; *value and *str get what came out. lo and hi
 * bound body_int; hi is max_len for the string getters. */
static int call_getter(enum getter g, json_t *o, const char *key, bool req,
		       int64_t lo, int64_t hi, int64_t *value, char *str,
		       size_t n, struct kith_err *err)
{
	int rc = -1;

	*value = 0;
	snprintf(str, n, "(null)");
	switch (g) {
	case G_STR: {
		const char *s = "dflt";

		rc = body_str(&s, o, key, req, (size_t)hi, err);
		snprintf(str, n, "%s", s);
		break;
	}
	case G_STRDUP: {
		char *s = (char *)"junk";

		rc = body_strdup(&s, o, key, req, (size_t)hi, err);
		if (s)
			snprintf(str, n, "%s", s);
		free(s);
		break;
	}
	case G_INT:
		*value = DEF;
		rc = body_int(value, o, key, req, lo, hi, err);
		break;
	case G_ID:
		*value = DEF;
		rc = body_id(value, o, key, req, err);
		break;
	case G_BOOL: {
		bool b = true;

		rc = body_bool(&b, o, key, req, err);
		*value = b;
		break;
	}
	case G_TIME: {
		kith_time t = DEF;

		rc = body_time(&t, o, key, req, err);
		*value = t;
		break;
	}
	case G_DATE: {
		int32_t d = DEF;

		rc = body_date(&d, o, key, req, err);
		*value = d;
		break;
	}
	case G_CAD: {
		struct cadence c = { .days = DEF };

		rc = body_cadence(&c, o, key, err);
		*value = kith_cadence_code(c);
		break;
	}
	case G_MONEY:
		*value = DEF;
		rc = body_money(value, o, key, err);
		break;
	case G_STRLIST: {
		struct strlist l = { 0 };

		assert_int_equal(strlist_push(&l, "x"), 0);
		rc = body_strlist(&l, o, key, err);
		*value = (int64_t)l.n;
		snprintf(str, n, "%s", l.v[l.n - 1]);
		strlist_clear(&l);
		break;
	}
	case G_IDS: {
		int64_t *ids = (int64_t *)&rc;	/* must be reset */
		size_t k = 99;

		rc = body_ids(&ids, &k, o, key, err);
		*value = (int64_t)k;
		if (!k)
			assert_null(ids);
		for (size_t j = 0; j < k; j++)
			assert_true(ids[j] > 0);
		free(ids);
		break;
	}
	}
	return rc;
}

static void test_getters(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(gcases); i++) {
		struct kith_err err = { 0 };
		char str[64];
		int64_t value;
		json_t *o;
		int rc;

		rc = body_parse(&o, gcases[i].body, strlen(gcases[i].body),
				&err);
		if (rc)
			fail_msg("row %zu: %s: %s", i + 1, gcases[i].body,
				 err.msg);
		snprintf(err.file, sizeof(err.file), "stale");
		err.line = 9;
		rc = call_getter(gcases[i].g, o, gcases[i].key,
				 gcases[i].required, gcases[i].lo, gcases[i].hi,
				 &value, str, sizeof(str), &err);
		if (rc != (int)gcases[i].want)
			fail_msg("row %zu: %s: got %s (%s: %s), want %s", i + 1,
				 gcases[i].body, kith_status_name(rc),
				 err.field, err.msg,
				 kith_status_name(gcases[i].want));
		if (rc) {
			assert_int_equal(err.status, rc);
			if (strcmp(err.field, gcases[i].field))
				fail_msg("row %zu: field \"%s\", want \"%s\"",
					 i + 1, err.field, gcases[i].field);
			assert_string_equal(err.file, "");
			assert_int_equal(err.line, 0);
			assert_true(err.msg[0] != '\0');
		}
		if (value != gcases[i].value)
			fail_msg("row %zu: %s: value %lld, want %lld", i + 1,
				 gcases[i].body, (long long)value,
				 (long long)gcases[i].value);
		if ((gcases[i].g == G_STR || gcases[i].g == G_STRDUP ||
		     gcases[i].g == G_STRLIST) &&
		    strcmp(str, gcases[i].str ? gcases[i].str : "(null)"))
			fail_msg("row %zu: %s: got \"%s\", want \"%s\"", i + 1,
				 gcases[i].body, str,
				 gcases[i].str ? gcases[i].str : "(null)");
		json_decref(o);
	}
}

/* Every getter meets every JSON type; only its own passes. The field is
 * named in each refusal, under a prefix too. */
static void test_getters_wrong_types(void **state)
{
	static const char *const values[] = {
		"true", "12", "1.5", "\"s\"", "[1]", "{}",
	};
	/* For each getter, which of values[] it takes. */
	static const struct {
		enum getter g;
		const char *takes;
	} getters[] = {
		{ G_STR, "...x.." },   { G_STRDUP, "...x.." },
		{ G_INT, ".x...." },   { G_ID, ".x...." },
		{ G_BOOL, "x....." },  { G_TIME, "......" },
		{ G_DATE, "......" },  { G_CAD, ".x...." },
		{ G_MONEY, ".xx..." }, { G_STRLIST, "......" },
		{ G_IDS, "....x." },
	};

	(void)state;
	for (size_t gi = 0; gi < N(getters); gi++) {
		for (size_t vi = 0; vi < N(values); vi++) {
			struct kith_err err = { 0 };
			char body[64], str[64];
			int64_t value;
			json_t *o;
			int rc;

			snprintf(body, sizeof(body), "{\"k\":%s}", values[vi]);
			assert_int_equal(body_parse(&o, body, strlen(body),
						    &err),
					 KITH_OK);
			body_prefix("items[%zu]", vi);
			rc = call_getter(getters[gi].g, o, "k", false, 0, 100,
					 &value, str, sizeof(str), &err);
			if ((rc == KITH_OK) != (getters[gi].takes[vi] == 'x'))
				fail_msg("getter %zu on %s: got %s", gi, body,
					 kith_status_name(rc));
			if (rc) {
				char want[64];

				assert_int_equal(rc, KITH_EINPUT);
				snprintf(want, sizeof(want), "items[%zu].k", vi);
				assert_string_equal(err.field, want);
			}
			json_decref(o);
		}
	}
	body_prefix_clear();
}

/* ---- field prefixes ---- */

static void test_prefix(void **state)
{
	static const struct {
		const char *body;
		enum getter g;
		const char *key;
		const char *prefix;
		const char *field;
		const char *msg;
	} cases[] = {
		{ "{\"since\":\"2023-02-30\"}", G_DATE, "since", "contacts[3]",
		  "contacts[3].since", "no such date: \"2023-02-30\"" },
		{ "{\"at\":\"noon\"}", G_TIME, "at", "touchpoints[0]",
		  "touchpoints[0].at", "expected a time" },
		{ "{\"every\":\"3q\"}", G_CAD, "every", "cadences[12]",
		  "cadences[12].every", "expected a cadence" },
		{ "{}", G_ID, "id", "facts[7]", "facts[7].id", "missing" },
		{ "{\"n\":-1}", G_INT, "n", "workspace", "workspace.n",
		  "expected an integer from 0 to 10" },
		{ "{\"t\":[1]}", G_STRLIST, "t", "a", "a.t",
		  "item 0: expected a string" },
		{ "{\"c\":[1,2,0]}", G_IDS, "c", "x[1]", "x[1].c",
		  "item 2: expected an id" },
		{ "{\"at\":\"noon\"}", G_TIME, "at", "", "at", NULL },
		/* cut to kith_err.field, never overflowing it */
		{ "{}", G_ID, "id",
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "missing" },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct kith_err err = { 0 };
		char str[64];
		int64_t value;
		json_t *o;

		assert_int_equal(body_parse(&o, cases[i].body,
					    strlen(cases[i].body), &err),
				 KITH_OK);
		assert_string_equal(body_prefix_get(), "");
		body_prefix("%s", cases[i].prefix);
		assert_int_equal(call_getter(cases[i].g, o, cases[i].key, true,
					     0, 10, &value, str, sizeof(str),
					     &err),
				 KITH_EINPUT);
		assert_string_equal(err.field, cases[i].field);
		if (cases[i].msg && !strstr(err.msg, cases[i].msg))
			fail_msg("row %zu: \"%s\" lacks \"%s\"", i + 1, err.msg,
				 cases[i].msg);
		json_decref(o);
	}
	/* body_parse starts every body without a prefix */
	body_prefix("left[1]");
	{
		json_t *o;

		assert_int_equal(body_parse(&o, "{}", 2, NULL), KITH_OK);
		assert_string_equal(body_prefix_get(), "");
		json_decref(o);
	}
	body_prefix_clear();
}

static void test_body_error(void **state)
{
	struct kith_err err = { 0 };

	(void)state;
	assert_int_equal(body_error(&err, "tz", "unknown time zone \"%s\"",
				    "Mars/Base"),
			 KITH_EINPUT);
	assert_string_equal(err.field, "tz");
	assert_string_equal(err.msg, "unknown time zone \"Mars/Base\"");
	body_prefix("contacts[%d]", 2);
	body_error(&err, "", "expected an object");
	assert_string_equal(err.field, "contacts[2]");
	body_error(&err, "tz", "%s", err.msg);	/* its own message, reworded */
	assert_string_equal(err.field, "contacts[2].tz");
	assert_string_equal(err.msg, "expected an object");
	body_prefix_clear();
	assert_int_equal(body_error(NULL, "x", "no err"), KITH_EINPUT);
}

/* ---- size ---- */

/* A 10 MB string parses (the server bounds the body), but body_str holds
 * it to max_len. */
static void test_big_string(void **state)
{
	size_t n = 10u << 20, len = n + 8;
	char *buf = malloc(len + 1);
	struct kith_err err = { 0 };
	const char *s = NULL;
	char *dup = NULL;
	json_t *o;

	(void)state;
	assert_non_null(buf);
	memcpy(buf, "{\"s\":\"", 6);
	memset(buf + 6, 'a', n);
	memcpy(buf + 6 + n, "\"}", 3);
	assert_int_equal(body_parse(&o, buf, len, &err), KITH_OK);
	assert_int_equal(body_str(&s, o, "s", true, 0, &err), KITH_EINPUT);
	assert_null(s);
	assert_string_equal(err.field, "s");
	assert_string_equal(err.msg, "longer than 1048576 bytes");
	assert_int_equal(body_str(&s, o, "s", true, n - 1, &err), KITH_EINPUT);
	assert_int_equal(body_strdup(&dup, o, "s", true, 0, &err), KITH_EINPUT);
	assert_null(dup);
	assert_int_equal(body_str(&s, o, "s", true, n, &err), KITH_OK);
	assert_int_equal(strlen(s), n);
	assert_int_equal(body_strdup(&dup, o, "s", true, SIZE_MAX, &err),
			 KITH_OK);
	assert_int_equal(strlen(dup), n);
	free(dup);
	json_decref(o);
	free(buf);
}

/* ---- threads ---- */

/* Two threads with different prefixes never see each other's. */
static void *prefix_worker(void *arg)
{
	const char *name = arg;
	struct kith_err err = { 0 };
	char want[64];
	long bad = 0;
	json_t *o;

	if (body_parse(&o, "{\"n\":\"x\"}", 9, &err))
		return (void *)1;
	for (int i = 0; i < 20000; i++) {
		int64_t v;

		body_prefix("%s[%d]", name, i);
		snprintf(want, sizeof(want), "%s[%d].n", name, i);
		if (body_int(&v, o, "n", false, 0, 1, &err) != KITH_EINPUT ||
		    strcmp(err.field, want))
			bad++;
	}
	json_decref(o);
	body_prefix_clear();
	return (void *)bad;
}

static void test_prefix_threads(void **state)
{
	static char names[4][8] = { "a", "bb", "ccc", "dddd" };
	pthread_t th[4];

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, prefix_worker,
						names[i]),
				 0);
	for (int i = 0; i < 4; i++) {
		void *bad;

		assert_int_equal(pthread_join(th[i], &bad), 0);
		assert_null(bad);
	}
	assert_string_equal(body_prefix_get(), "");
}

/* Control characters by kind of field (review L6): one-line fields take
 * none, free text keeps \n and \t, a password or .ics anything; string
 * lists are capped in count and length. */
static void test_control_chars(void **state)
{
	static const struct {
		const char *key, *json_value;
		enum kith_status want;
	} cases[] = {
		{ "name", "\"Ann\"", KITH_OK },
		{ "name", "\"A\\r\\nB\"", KITH_EINPUT },
		{ "name", "\"A\\tB\"", KITH_EINPUT },
		{ "name", "\"A\\u001bB\"", KITH_EINPUT },
		{ "name", "\"A\\u007fB\"", KITH_EINPUT },
		{ "name", "\"A\\u0085B\"", KITH_EINPUT },
		{ "name", "\"\\u00e9\\u00a0\\u2014 ok\"", KITH_OK },
		{ "url", "\"https://x.example/a\\r\\nInjected:1\"", KITH_EINPUT },
		{ "email", "\"a@b.example\\n\"", KITH_EINPUT },
		{ "notes", "\"one\\ntwo\\tthree\"", KITH_OK },
		{ "note", "\"one\\r\\ntwo\"", KITH_EINPUT },
		{ "text", "\"bell\\u0007\"", KITH_EINPUT },
		{ "password", "\"p\\u0001w\\n\"", KITH_OK },
		{ "ics", "\"BEGIN:VCALENDAR\\r\\nEND:VCALENDAR\\r\\n\"", KITH_OK },
	};
	char buf[256];
	struct kith_err err = { 0 };

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		json_t *o;
		const char *v = NULL;
		int rc;

		snprintf(buf, sizeof(buf), "{\"%s\":%s}", cases[i].key,
			 cases[i].json_value);
		assert_int_equal(body_parse(&o, buf, strlen(buf), &err), 0);
		rc = body_str(&v, o, cases[i].key, false, 0, &err);
		if (rc != (int)cases[i].want)
			fail_msg("case %zu (%s): got %d", i, buf, rc);
		if (rc)
			assert_string_equal(err.field, cases[i].key);
		json_decref(o);
	}
	{
		static const struct {
			const char *body;
			enum kith_status want;
		} lists[] = {
			{ "{\"tags\":[\"a\",\"b\"]}", KITH_OK },
			{ "{\"tags\":[\"a\",\"b\\nc\"]}", KITH_EINPUT },
			{ "{\"tags\":[\"a\\t\"]}", KITH_EINPUT },
		};

		for (size_t i = 0; i < N(lists); i++) {
			json_t *o;
			struct strlist l = { 0 };

			assert_int_equal(body_parse(&o, lists[i].body,
						    strlen(lists[i].body), &err),
					 0);
			assert_int_equal(body_strlist(&l, o, "tags", &err),
					 lists[i].want);
			assert_int_equal(l.n, lists[i].want ? 0 : 2);
			strlist_clear(&l);
			json_decref(o);
		}
	}
	{
		/* 100 items pass, 101 do not; 320 bytes pass, 321 do not. */
		static char big[8192];
		json_t *o;
		struct strlist l = { 0 };
		size_t off;

		for (int n = 100; n <= 101; n++) {
			off = (size_t)snprintf(big, sizeof(big), "{\"tags\":[");
			for (int i = 0; i < n; i++)
				off += (size_t)snprintf(big + off,
							sizeof(big) - off,
							"%s\"t%d\"", i ? "," : "",
							i);
			snprintf(big + off, sizeof(big) - off, "]}");
			assert_int_equal(body_parse(&o, big, strlen(big), &err),
					 0);
			assert_int_equal(body_strlist(&l, o, "tags", &err),
					 n == 100 ? KITH_OK : KITH_EINPUT);
			strlist_clear(&l);
			json_decref(o);
		}
		for (int n = 320; n <= 321; n++) {
			off = (size_t)snprintf(big, sizeof(big), "{\"tags\":[\"");
			memset(big + off, 'x', (size_t)n);
			snprintf(big + off + n, sizeof(big) - off - (size_t)n,
				 "\"]}");
			assert_int_equal(body_parse(&o, big, strlen(big), &err),
					 0);
			assert_int_equal(body_strlist(&l, o, "tags", &err),
					 n == 320 ? KITH_OK : KITH_EINPUT);
			strlist_clear(&l);
			json_decref(o);
		}
	}
}

/* kith_ids_dup names the first element whose id came earlier. */
static void test_ids_dup(void **state)
{
	static const int64_t a[] = { 5, 3, 9, 3, 5, 5 };
	static const int64_t b[] = { 1, 2, 3 };
	size_t at = 99;

	(void)state;
	assert_int_equal(kith_ids_dup(a, N(a), &at), 1);
	assert_int_equal(at, 3);
	assert_int_equal(kith_ids_dup(a, 3, &at), 0);
	assert_int_equal(kith_ids_dup(b, N(b), &at), 0);
	assert_int_equal(kith_ids_dup(b, 0, &at), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_null_buffer),
		cmocka_unit_test(test_parse_position),
		cmocka_unit_test(test_parse_at),
		cmocka_unit_test(test_parse_depth),
		cmocka_unit_test(test_only),
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_getters_wrong_types),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_body_error),
		cmocka_unit_test(test_big_string),
		cmocka_unit_test(test_prefix_threads),
		cmocka_unit_test(test_control_chars),
		cmocka_unit_test(test_ids_dup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
