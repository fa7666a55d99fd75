/*
 * test_notify.c: the parts of app/notify.c that need no network: the
 * one spelling of a target's body (the outbox and `kith notify test`
 * share it), the URL rules of the SSRF guard, the address check libcurl's
 * socket opener applies, and the backoff. The sending itself is tested
 * end to end by tests/api/A130, A220 and A230.
 */
#include "unit.h"

#include "app/notify.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

static void test_body(void **state)
{
	static const struct {
		bool json;
		const char *kind, *text, *want;
	} rows[] = {
		{ false, "morning", "Good morning", "Good morning" },
		{ false, "signal", "a \"quoted\"\nline", "a \"quoted\"\nline" },
		{ true, "morning", "Good morning",
		  "{\"title\":\"kith\",\"kind\":\"morning\","
		  "\"text\":\"Good morning\"}" },
		{ true, "signal", "a \"q\"\n\xc3\xa9",
		  "{\"title\":\"kith\",\"kind\":\"signal\","
		  "\"text\":\"a \\\"q\\\"\\n\xc3\xa9\"}" },
	};

	(void)state;
	for (size_t i = 0; i < N_ROWS(rows); i++) {
		struct kith_err err = { 0 };
		char *body = NULL;

		assert_int_equal(notify_body(&body, rows[i].json, rows[i].kind,
					     rows[i].text, &err),
				 KITH_OK);
		assert_string_equal(body, rows[i].want);
		free(body);
	}
}

static void test_url_check(void **state)
{
	static const struct {
		const char *url;
		enum kith_status want;
	} rows[] = {
		{ "https://ntfy.sh/kith", KITH_OK },
		{ "http://example.org/hook", KITH_OK },
		{ "ftp://example.org/x", KITH_EINPUT },
		{ "file:///etc/passwd", KITH_EINPUT },
		{ "https://user:pw@example.org/", KITH_EINPUT },
		{ "https://example.org:8080/", KITH_EINPUT },
		{ "http://127.0.0.1/", KITH_EINPUT },
		{ "http://2130706433/", KITH_EINPUT },	/* 127.0.0.1 */
		{ "http://10.1.2.3/", KITH_EINPUT },
		{ "http://169.254.169.254/latest/", KITH_EINPUT },
		{ "http://[::1]/", KITH_EINPUT },
		{ "http://[::ffff:192.168.0.1]/", KITH_EINPUT },
		{ "http://93.184.215.14/", KITH_OK },
		{ "not a url", KITH_EINPUT },
	};

	(void)state;
	for (size_t i = 0; i < N_ROWS(rows); i++) {
		struct kith_err err = { 0 };
		int rc = notify_url_check(rows[i].url, &err);

		if (rc != (int)rows[i].want)
			fail_msg("%s: got %d (%s), want %d", rows[i].url, rc,
				 err.msg, rows[i].want);
		if (rc)
			assert_string_equal(err.field, "url");
	}
}

static void test_addr_blocked(void **state)
{
	static const struct {
		const char *addr;
		bool blocked;
	} rows[] = {
		{ "127.0.0.1", true },	   { "10.0.0.1", true },
		{ "172.16.5.4", true },	   { "192.168.1.1", true },
		{ "100.64.0.1", true },	   { "169.254.169.254", true },
		{ "224.0.0.1", true },	   { "0.0.0.0", true },
		{ "8.8.8.8", false },	   { "::1", true },
		{ "fc00::1", true },	   { "fe80::1", true },
		{ "::ffff:10.0.0.1", true }, { "64:ff9b::7f00:1", true },
		{ "2001:db8::1", true },   { "2606:4700::1111", false },
		{ "::ffff:8.8.8.8", false },
	};

	(void)state;
	for (size_t i = 0; i < N_ROWS(rows); i++) {
		struct sockaddr_storage ss = { 0 };

		if (strchr(rows[i].addr, ':')) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

			a->sin6_family = AF_INET6;
			assert_int_equal(inet_pton(AF_INET6, rows[i].addr,
						   &a->sin6_addr),
					 1);
		} else {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;

			a->sin_family = AF_INET;
			assert_int_equal(inet_pton(AF_INET, rows[i].addr,
						   &a->sin_addr),
					 1);
		}
		if (notify_addr_blocked((struct sockaddr *)&ss) !=
		    rows[i].blocked)
			fail_msg("%s: want blocked=%d", rows[i].addr,
				 rows[i].blocked);
	}
}

static void test_backoff(void **state)
{
	static const int64_t want[] = { 5, 10, 20, 40, 80, 160, 320, 640,
					1280, 2560, 3600, 3600 };

	(void)state;
	for (size_t i = 0; i < N_ROWS(want); i++)
		assert_int_equal(notify_backoff((int)i), want[i]);
}

static int setup(void **state)
{
	struct kith_err err = { 0 };

	(void)state;
	return notify_init(&err) == KITH_OK ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_url_check),
		cmocka_unit_test(test_addr_blocked),
		cmocka_unit_test(test_backoff),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
