/*
 * test_tz.c: zone conversions without $TZ (src/tzif.c behind kith.c's
 * kith_time_local, kith_tz_offset, kith_time_day and local times in
 * kith_time_parse). Hand-checked instants either side of DST changes in
 * five zones (one a :45 offset, two southern), the POSIX footer rule
 * beyond the files' last transition, gaps and folds, zone names that
 * are paths, libc's answers for 30,000 instants per zone, and threads
 * converting different zones at once.
 */
#include "unit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static kith_time iso(const char *s)
{
	kith_time t;
	struct kith_err err = { 0 };

	assert_int_equal(kith_time_parse(&t, s, "UTC", 0, "t", &err), 0);
	return t;
}

static const struct {
	const char *zone, *utc;
	long off;
	int isdst;
	const char *abbr;
	const char *local;	/* "YYYY-MM-DD HH:MM:SS" */
} offsets[] = {
	/* Chicago: CDT from 2026-03-08 02:00 CST, CST from 11-01 02:00 CDT */
	{ "America/Chicago", "2026-03-08T07:59:59Z", -21600, 0, "CST",
	  "2026-03-08 01:59:59" },
	{ "America/Chicago", "2026-03-08T08:00:00Z", -18000, 1, "CDT",
	  "2026-03-08 03:00:00" },
	{ "America/Chicago", "2026-11-01T06:59:59Z", -18000, 1, "CDT",
	  "2026-11-01 01:59:59" },
	{ "America/Chicago", "2026-11-01T07:00:00Z", -21600, 0, "CST",
	  "2026-11-01 01:00:00" },
	/* Beyond 2037 the footer rule CST6CDT,M3.2.0,M11.1.0 decides:
	 * 2040-03-11 is the second Sunday of March 2040. */
	{ "America/Chicago", "2040-03-11T07:59:59Z", -21600, 0, "CST",
	  "2040-03-11 01:59:59" },
	{ "America/Chicago", "2040-03-11T08:00:00Z", -18000, 1, "CDT",
	  "2040-03-11 03:00:00" },
	{ "America/Chicago", "1970-01-01T00:00:00Z", -21600, 0, "CST",
	  "1969-12-31 18:00:00" },
	/* London: BST from 2026-03-29 01:00Z to 10-25 01:00Z */
	{ "Europe/London", "2026-03-29T00:59:59Z", 0, 0, "GMT",
	  "2026-03-29 00:59:59" },
	{ "Europe/London", "2026-03-29T01:00:00Z", 3600, 1, "BST",
	  "2026-03-29 02:00:00" },
	{ "Europe/London", "2026-10-25T00:59:59Z", 3600, 1, "BST",
	  "2026-10-25 01:59:59" },
	{ "Europe/London", "2026-10-25T01:00:00Z", 0, 0, "GMT",
	  "2026-10-25 01:00:00" },
	/* Sydney: AEST from 2026-04-05 03:00 AEDT, AEDT from 10-04 02:00 */
	{ "Australia/Sydney", "2026-04-04T15:59:59Z", 39600, 1, "AEDT",
	  "2026-04-05 02:59:59" },
	{ "Australia/Sydney", "2026-04-04T16:00:00Z", 36000, 0, "AEST",
	  "2026-04-05 02:00:00" },
	{ "Australia/Sydney", "2026-10-03T15:59:59Z", 36000, 0, "AEST",
	  "2026-10-04 01:59:59" },
	{ "Australia/Sydney", "2026-10-03T16:00:00Z", 39600, 1, "AEDT",
	  "2026-10-04 03:00:00" },
	{ "Australia/Sydney", "2045-12-31T13:00:00Z", 39600, 1, "AEDT",
	  "2046-01-01 00:00:00" },
	/* Kolkata: +05:30 all year, no DST since 1945 */
	{ "Asia/Kolkata", "2026-01-15T18:29:59Z", 19800, 0, "IST",
	  "2026-01-15 23:59:59" },
	{ "Asia/Kolkata", "2026-07-15T18:30:00Z", 19800, 0, "IST",
	  "2026-07-16 00:00:00" },
	/* Chatham: +12:45, +13:45 from the last Sunday of September 02:45
	 * to the first Sunday of April 03:45 */
	{ "Pacific/Chatham", "2026-04-04T13:59:59Z", 49500, 1, "+1345",
	  "2026-04-05 03:44:59" },
	{ "Pacific/Chatham", "2026-04-04T14:00:00Z", 45900, 0, "+1245",
	  "2026-04-05 02:45:00" },
	{ "Pacific/Chatham", "2026-09-26T13:59:59Z", 45900, 0, "+1245",
	  "2026-09-27 02:44:59" },
	{ "Pacific/Chatham", "2026-09-26T14:00:00Z", 49500, 1, "+1345",
	  "2026-09-27 03:45:00" },
	{ "Pacific/Chatham", "2050-09-25T14:00:00Z", 49500, 1, "+1345",
	  "2050-09-26 03:45:00" },
};

static void test_offsets(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(offsets); i++) {
		kith_time t = iso(offsets[i].utc);
		struct tm tm;
		char buf[32];
		int y, m, d;

		assert_int_equal(kith_time_local(&tm, t, offsets[i].zone), 0);
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
		if (strcmp(buf, offsets[i].local) ||
		    tm.tm_gmtoff != offsets[i].off ||
		    tm.tm_isdst != offsets[i].isdst ||
		    strcmp(tm.tm_zone, offsets[i].abbr))
			fail_msg("%s %s: got %s %ld %d %s", offsets[i].zone,
				 offsets[i].utc, buf, tm.tm_gmtoff,
				 tm.tm_isdst, tm.tm_zone);
		assert_int_equal(kith_tz_offset(t, offsets[i].zone),
				 offsets[i].off);
		sscanf(offsets[i].local, "%d-%d-%d", &y, &m, &d);
		assert_int_equal(kith_time_day(t, offsets[i].zone),
				 kith_days_from_civil(y, m, d));
	}
}

/* Local wall times back to instants, gaps and folds as mktime does. */
static void test_local_to_utc(void **state)
{
	static const struct {
		const char *zone, *local, *utc;
	} cases[] = {
		{ "America/Chicago", "2026-07-04 12:00", "2026-07-04T17:00:00Z" },
		{ "America/Chicago", "2026-03-08 01:59", "2026-03-08T07:59:00Z" },
		/* 02:30 does not exist: the CST offset, so 03:30 CDT */
		{ "America/Chicago", "2026-03-08 02:30", "2026-03-08T08:30:00Z" },
		{ "America/Chicago", "2026-03-08 03:00", "2026-03-08T08:00:00Z" },
		/* 01:30 happens twice: the first (CDT) */
		{ "America/Chicago", "2026-11-01 01:30", "2026-11-01T06:30:00Z" },
		{ "America/Chicago", "2026-11-01 02:00", "2026-11-01T08:00:00Z" },
		{ "Europe/London", "2026-06-01", "2026-05-31T23:00:00Z" },
		{ "Europe/London", "2026-12-01 09:30", "2026-12-01T09:30:00Z" },
		{ "Australia/Sydney", "2026-01-01", "2025-12-31T13:00:00Z" },
		{ "Australia/Sydney", "2026-04-05 02:30", "2026-04-04T15:30:00Z" },
		{ "Australia/Sydney", "2026-10-04 02:30", "2026-10-03T16:30:00Z" },
		{ "Asia/Kolkata", "2026-11-20 09:00", "2026-11-20T03:30:00Z" },
		{ "Pacific/Chatham", "2026-11-20 09:00", "2026-11-19T19:15:00Z" },
		{ "Pacific/Chatham", "2026-06-20 09:00", "2026-06-19T20:15:00Z" },
	};
	struct kith_err err = { 0 };

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		kith_time t;

		assert_int_equal(kith_time_parse(&t, cases[i].local,
						 cases[i].zone, 0, "t", &err),
				 0);
		if (t != iso(cases[i].utc))
			fail_msg("%s %s: got %lld, want %s", cases[i].zone,
				 cases[i].local, (long long)t, cases[i].utc);
	}
}

/* Only names of the zoneinfo database; never a path. */
static void test_names(void **state)
{
	static const char *const good[] = { "America/Chicago", "UTC",
					    "Etc/GMT+5", "Pacific/Chatham",
					    "America/Argentina/Buenos_Aires" };
	static const char *const bad[] = {
		"", "/dev/stdin", "/etc/localtime", "../../etc/passwd",
		"America/../../etc/passwd", "America//Chicago", "America/",
		"Mars/Olympus", "America/Chicago\n", "zone.tab", "tzdata.zi",
		"-x", "America",
	};

	(void)state;
	for (size_t i = 0; i < N(good); i++)
		if (!kith_tz_valid(good[i]))
			fail_msg("refused %s", good[i]);
	for (size_t i = 0; i < N(bad); i++)
		if (kith_tz_valid(bad[i]))
			fail_msg("accepted \"%s\"", bad[i]);
	assert_false(kith_tz_valid(NULL));
	/* An unknown zone converts as UTC, as libc did. */
	assert_int_equal(kith_tz_offset(iso("2026-07-01T00:00:00Z"),
					"/dev/stdin"),
			 0);
}

static const char *const zones[] = {
	"America/Chicago",  "Europe/London",	"Australia/Sydney",
	"Asia/Kolkata",	    "Pacific/Chatham",	"America/Sao_Paulo",
	"Africa/Casablanca", "America/St_Johns", "Asia/Tehran",
	"Europe/Dublin",    "Antarctica/Troll", "Pacific/Apia",
};

/* The same answers as glibc's localtime_r on the same files, for
 * instants from 1901 to 2099 (libc is asked through $TZ, in this one
 * thread, before any other test runs threads). */
static void test_matches_libc(void **state)
{
	const char *saved = getenv("TZ");
	char *old = saved ? strdup(saved) : NULL;
	uint64_t x = 88172645463325252ull;

	(void)state;
	for (size_t z = 0; z < N(zones); z++) {
		setenv("TZ", zones[z], 1);
		tzset();
		for (int i = 0; i < 30000; i++) {
			struct tm want, got;
			time_t t;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* 1901-12-14 .. 2099-12-31 */
			t = (time_t)(-2147483648LL +
				     (int64_t)(x % 6294967296ull));
			assert_non_null(localtime_r(&t, &want));
			assert_int_equal(kith_time_local(&got, t, zones[z]), 0);
			if (want.tm_gmtoff != got.tm_gmtoff ||
			    want.tm_hour != got.tm_hour ||
			    want.tm_mday != got.tm_mday ||
			    want.tm_yday != got.tm_yday ||
			    want.tm_wday != got.tm_wday ||
			    want.tm_isdst != got.tm_isdst ||
			    strcmp(want.tm_zone, got.tm_zone))
				fail_msg("%s at %lld: libc %ld %d %s, kith %ld "
					 "%d %s",
					 zones[z], (long long)t, want.tm_gmtoff,
					 want.tm_isdst, want.tm_zone,
					 got.tm_gmtoff, got.tm_isdst,
					 got.tm_zone);
			/* And with no zone given, $TZ is the zone. */
			assert_int_equal(kith_tz_offset(t, NULL),
					 want.tm_gmtoff);
		}
	}
	if (old)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
}

struct worker {
	size_t zone;
	int bad;
};

static void *convert_many(void *arg)
{
	struct worker *w = arg;
	const char *zone = offsets[w->zone].zone;
	kith_time t = iso(offsets[w->zone].utc);

	for (int i = 0; i < 200000; i++) {
		size_t k = (w->zone + (size_t)i) % N(offsets);

		if (strcmp(offsets[k].zone, zone) && i % 2)
			continue;
		if (kith_tz_offset(t, zone) != offsets[w->zone].off)
			w->bad++;
		if (kith_tz_offset(iso(offsets[k].utc), offsets[k].zone) !=
		    offsets[k].off)
			w->bad++;
	}
	return NULL;
}

/* Threads converting different zones at once all get the right answer
 * (they share the zone cache, fill it at the same time, take no lock). */
static void test_threads(void **state)
{
	pthread_t th[N(offsets)];
	struct worker w[N(offsets)];

	(void)state;
	for (size_t i = 0; i < N(offsets); i++) {
		w[i].zone = i;
		w[i].bad = 0;
		assert_int_equal(pthread_create(&th[i], NULL, convert_many,
						&w[i]),
				 0);
	}
	for (size_t i = 0; i < N(offsets); i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].bad, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_local_to_utc),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_matches_libc),
	};

	setenv("TZ", "America/Chicago", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
