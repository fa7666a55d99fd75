/*
 * test_respond.c: working-hours response time and its stats (app/respond.c).
 * Every expected number is worked by hand in docs/FORMULAS.md, "Response
 * time"; a row there ("test_respond.c minutes row 12") is the 1-based row here.
 */
#include "unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/respond.h"

#define EPS 1e-9
#define NINE 540		/* 09:00 */
#define SIX_PM 1080		/* 18:00 */

static void near(double got, double want, double eps, const char *what,
		 size_t row)
{
	if (fabs(got - want) > eps)
		fail_msg("row %zu: %s: got %.10g, want %.10g", row, what, got,
			 want);
}

static kith_time at(const char *s)
{
	kith_time t;
	struct kith_err err = { 0 };

	if (kith_time_parse(&t, s, "UTC", 0, "at", &err))
		fail_msg("bad time in a row: %s", s);
	return t;
}

/* ---- working minutes ----
 * Times carry their offset, so a row reads as the owner's wall clock.
 */
static const struct minutes_row {
	const char *tz;		/* NULL or "": $TZ, which main sets to UTC */
	int start_min, end_min;
	const char *from, *to;
	double want;
} minutes_rows[] = {
	/* 1: same day, inside hours (Tuesday) */
	{ "America/Chicago", NINE, SIX_PM,
	  "2026-11-17T10:00:00-06:00", "2026-11-17T10:45:00-06:00", 45 },
	/* 2: 23:00, answered 09:10 next morning */
	{ "America/Chicago", NINE, SIX_PM,
	  "2026-11-17T23:00:00-06:00", "2026-11-18T09:10:00-06:00", 10 },
	/* 3: Friday 17:50, answered Monday 09:05 */
	{ "America/Chicago", NINE, SIX_PM,
	  "2026-11-20T17:50:00-06:00", "2026-11-23T09:05:00-06:00", 15 },
	/* 4: Saturday 08:00 to Sunday 20:00: weekend only */
	{ "America/Chicago", NINE, SIX_PM,
	  "2026-11-21T08:00:00-06:00", "2026-11-22T20:00:00-06:00", 0 },
	/* 5: before opening, ending on the dot of 09:00 */
	{ "America/Chicago", NINE, SIX_PM,
	  "2026-11-17T06:00:00-06:00", "2026-11-17T09:00:00-06:00", 0 },
	/* 6: from closing to just before midnight */
	{ "America/Chicago", NINE, SIX_PM,
	  "2026-11-17T18:00:00-06:00", "2026-11-17T23:59:00-06:00", 0 },
	/* 7: answered before the signal (clock skew): 0, not negative */
	{ "America/Chicago", NINE, SIX_PM,
	  "2026-11-17T11:00:00-06:00", "2026-11-17T10:00:00-06:00", 0 },
	/* 8: answered the same second */
	{ "America/Chicago", NINE, SIX_PM,
	  "2026-11-17T11:00:00-06:00", "2026-11-17T11:00:00-06:00", 0 },
	/* 9: Monday 12:00 to Thursday 10:00: 360 + 540 + 540 + 60 */
	{ "America/Chicago", NINE, SIX_PM,
	  "2026-11-16T12:00:00-06:00", "2026-11-19T10:00:00-06:00", 1500 },
	/* 10: Monday 09:00 to the next Monday 09:00: 5 x 540 */
	{ "America/Chicago", NINE, SIX_PM,
	  "2026-11-16T09:00:00-06:00", "2026-11-23T09:00:00-06:00", 2700 },
	/* 11: thirty seconds */
	{ "America/Chicago", NINE, SIX_PM,
	  "2026-11-17T10:00:30-06:00", "2026-11-17T10:01:00-06:00", 0.5 },
	/* 12: across spring forward (Sunday 2026-03-08): 60 + 60 */
	{ "America/Chicago", NINE, SIX_PM,
	  "2026-03-06T17:00:00-06:00", "2026-03-09T10:00:00-05:00", 120 },
	/* 13: across fall back (Sunday 2026-11-01): 60 + 60 */
	{ "America/Chicago", NINE, SIX_PM,
	  "2026-10-30T17:00:00-05:00", "2026-11-02T10:00:00-06:00", 120 },
	/* 14: London, across spring forward (Sunday 2026-03-29): 30 + 30 */
	{ "Europe/London", NINE, SIX_PM,
	  "2026-03-27T17:30:00+00:00", "2026-03-30T09:30:00+01:00", 60 },
	/* 15: London, across fall back (Sunday 2026-10-25): 60 + 30 */
	{ "Europe/London", NINE, SIX_PM,
	  "2026-10-23T17:00:00+01:00", "2026-10-26T09:30:00+00:00", 90 },
	/* 16: two weeks with spring forward in the middle: 10 x 540 */
	{ "America/Chicago", NINE, SIX_PM,
	  "2026-03-02T09:00:00-06:00", "2026-03-16T09:00:00-05:00", 5400 },
	/* 17: owner in Seoul, server in UTC: Friday 08:30 to 09:20 KST */
	{ "Asia/Seoul", NINE, SIX_PM,
	  "2026-11-19T23:30:00Z", "2026-11-20T00:20:00Z", 20 },
	/* 18: row 17 in the server's zone: Thursday 23:30 to Friday 00:20 */
	{ NULL, NINE, SIX_PM,
	  "2026-11-19T23:30:00Z", "2026-11-20T00:20:00Z", 0 },
	/* 19: Seoul, Friday 17:50 to Monday 09:05 KST */
	{ "Asia/Seoul", NINE, SIX_PM,
	  "2026-11-20T17:50:00+09:00", "2026-11-23T09:05:00+09:00", 15 },
	/* 20: row 19 in the server's zone: Friday 08:50 UTC, 09:00 to 18:00 */
	{ "", NINE, SIX_PM,
	  "2026-11-20T17:50:00+09:00", "2026-11-23T09:05:00+09:00", 540 },
	/* 21: hours 08:30-12:00, Monday 07:00 to Tuesday 09:00: 210 + 30 */
	{ "America/Chicago", 510, 720,
	  "2026-11-16T07:00:00-06:00", "2026-11-17T09:00:00-06:00", 240 },
	/* 22: a year, both US changes inside: 52 weeks x 2700 */
	{ "America/Chicago", NINE, SIX_PM,
	  "2026-01-05T09:00:00-06:00", "2027-01-04T09:00:00-06:00", 140400 },
	/* 23: Cairo falls back at 24:00 on Thursday 2026-10-29; hours
	 * 20:00-24:00 run 23:00-24:00 twice: 17:00Z to 22:00Z */
	{ "Africa/Cairo", 1200, 1440,
	  "2026-10-29T19:00:00+03:00", "2026-10-30T10:00:00+02:00", 300 },
	/* 24: Cairo springs forward at 00:00 on Friday 2026-04-24; hours
	 * 00:00-03:00 open at the jump (22:00Z) and close at 00:00Z */
	{ "Africa/Cairo", 0, 180,
	  "2026-04-23T23:00:00+02:00", "2026-04-24T12:00:00+03:00", 120 },
	/* 25: row 24 with hours 00:30-03:00: 00:30 never shows on Friday,
	 * so the window still opens at the jump to 01:00 */
	{ "Africa/Cairo", 30, 180,
	  "2026-04-23T23:00:00+02:00", "2026-04-24T12:00:00+03:00", 120 },
	/* 26: Cairo, hours 23:30-24:00 on the fall-back Thursday open at
	 * the first 23:30 (20:30Z) and close at 24:00 EET (22:00Z) */
	{ "Africa/Cairo", 1410, 1440,
	  "2026-10-29T20:00:00+03:00", "2026-10-30T10:00:00+02:00", 90 },
	/* 27: row 26's window, from the second 23:05 to the second 23:35 */
	{ "Africa/Cairo", 1410, 1440,
	  "2026-10-29T23:05:00+02:00", "2026-10-29T23:35:00+02:00", 30 },
};

static void test_work_minutes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(minutes_rows) / sizeof(minutes_rows[0]);
	     i++) {
		const struct minutes_row *r = &minutes_rows[i];
		struct workhours wh = { r->tz, r->start_min, r->end_min };

		near(respond_work_minutes(at(r->from), at(r->to), &wh),
		     r->want, EPS, "minutes", i + 1);
	}
	/* A zone passed in must not leak into $TZ. */
	assert_string_equal(getenv("TZ"), "UTC");
}

/*
 * Splitting a span anywhere gives the same total, and no span has more
 * working minutes than minutes: checked every 47 minutes (so the split
 * lands on many minutes of the hour) through four days around each
 * transition the rows use. Zone conversions cost ~40 us each (kith.c
 * swaps $TZ), which is why the step is not finer.
 */
static void test_work_minutes_additive(void **state)
{
	static const struct {
		const char *tz;
		int start_min, end_min;
		const char *from;
	} spans[] = {
		{ "America/Chicago", NINE, SIX_PM, "2026-03-06T00:00:00Z" },
		{ "America/Chicago", NINE, SIX_PM, "2026-10-30T00:00:00Z" },
		{ "Europe/London", NINE, SIX_PM, "2026-03-27T00:00:00Z" },
		{ "Africa/Cairo", 1200, 1440, "2026-10-28T00:00:00Z" },
		{ "Africa/Cairo", 0, 180, "2026-04-22T00:00:00Z" },
		{ "Africa/Cairo", 30, 180, "2026-04-22T00:00:00Z" },
		{ "Asia/Seoul", NINE, SIX_PM, "2026-11-19T00:00:00Z" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(spans) / sizeof(spans[0]); i++) {
		struct workhours wh = { spans[i].tz, spans[i].start_min,
					spans[i].end_min };
		kith_time a = at(spans[i].from), c = a + 4 * KITH_DAY;
		double whole = respond_work_minutes(a, c, &wh);

		for (kith_time b = a; b <= c; b += 47 * 60) {
			double left = respond_work_minutes(a, b, &wh);
			double right = respond_work_minutes(b, c, &wh);

			near(left + right, whole, EPS, "a..b + b..c", i + 1);
			assert_true(left <= (double)(b - a) / 60.0 + EPS);
		}
	}
}

/* ---- stats ---- */

static const struct stats_row {
	double answered[20];
	size_t na;
	double waiting[4];
	size_t nw;
	double target;
	size_t n;
	double median, p90;
	size_t breaches, waiting_n;
} stats_rows[] = {
	/* 1: nothing */
	{ { 0 }, 0, { 0 }, 0, 30, 0, 0, 0, 0, 0 },
	/* 2: one */
	{ { 12 }, 1, { 0 }, 0, 30, 1, 12, 12, 0, 0 },
	/* 3: odd: sorted 5 10 20 30 40; ranks 3 and 5; 30 is on target */
	{ { 5, 40, 10, 30, 20 }, 5, { 0 }, 0, 30, 5, 20, 40, 1, 0 },
	/* 4: even: ranks 2 and 4 (interpolated would say 25 and 37) */
	{ { 10, 20, 30, 40 }, 4, { 0 }, 0, 30, 4, 20, 40, 1, 0 },
	/* 5: two: ranks 1 and 2 */
	{ { 50, 10 }, 2, { 0 }, 0, 30, 2, 10, 50, 1, 0 },
	/* 6: 1..10 shuffled: ranks 5 and 9 */
	{ { 7, 3, 10, 1, 9, 2, 8, 5, 6, 4 }, 10, { 0 }, 0, 30,
	  10, 5, 9, 0, 0 },
	/* 7: 11..1: ranks 6 and 10 */
	{ { 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 }, 11, { 0 }, 0, 30,
	  11, 6, 10, 0, 0 },
	/* 8: 1..20 times 3: ranks 10 and 18 */
	{ { 3, 6, 9, 12, 15, 18, 21, 24, 27, 30,
	    33, 36, 39, 42, 45, 48, 51, 54, 57, 60 }, 20, { 0 }, 0, 30,
	  20, 30, 54, 10, 0 },
	/* 9: waiting: 31 answered late, 45 and 120 waiting too long */
	{ { 31, 10 }, 2, { 5, 30, 45, 120 }, 4, 30, 2, 10, 31, 3, 4 },
	/* 10: only waiting */
	{ { 0 }, 0, { 60 }, 1, 30, 0, 0, 0, 1, 1 },
	/* 11: ties and fractions */
	{ { 90, 0.5, 0.5, 0.5 }, 4, { 0 }, 0, 30, 4, 0.5, 90, 1, 0 },
	/* 12: a 15-minute target: 15 is on it, 15.5 over */
	{ { 15.5, 10, 15 }, 3, { 14.9, 15.1 }, 2, 15, 3, 15, 15.5, 2, 2 },
	/* 13: all answered at once */
	{ { 0, 0, 0 }, 3, { 0 }, 0, 30, 3, 0, 0, 0, 0 },
};

static void test_stats(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(stats_rows) / sizeof(stats_rows[0]);
	     i++) {
		const struct stats_row *r = &stats_rows[i];
		double before[20];
		struct respond_stats s;

		memcpy(before, r->answered, sizeof(before));
		respond_stats(&s, r->answered, r->na, r->waiting, r->nw,
			      r->target);
		if (s.n != r->n || s.breaches != r->breaches ||
		    s.waiting != r->waiting_n)
			fail_msg("row %zu: n %zu breaches %zu waiting %zu",
				 i + 1, s.n, s.breaches, s.waiting);
		near(s.median_minutes, r->median, 0, "median", i + 1);
		near(s.p90_minutes, r->p90, 0, "p90", i + 1);
		assert_memory_equal(before, r->answered, sizeof(before));
	}
	{
		struct respond_stats s;

		respond_stats(&s, NULL, 0, NULL, 0, 30);
		assert_int_equal(s.n, 0);
		assert_int_equal(s.breaches, 0);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The bisection agrees with sorting, on sets of every size up to 200. */
static void test_stats_against_sort(void **state)
{
	double v[200], sorted[200];
	uint32_t seed = 12345;

	(void)state;
	for (size_t n = 1; n <= 200; n++) {
		struct respond_stats s;

		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			/* minutes to the second, with ties and zeros */
			v[i] = (double)((seed >> 8) % 5000) / 60.0;
		}
		memcpy(sorted, v, n * sizeof(v[0]));
		qsort(sorted, n, sizeof(sorted[0]), cmp_double);
		respond_stats(&s, v, n, NULL, 0, 30);
		near(s.median_minutes, sorted[(n + 1) / 2 - 1], 0, "median", n);
		near(s.p90_minutes, sorted[(9 * n + 9) / 10 - 1], 0, "p90", n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_work_minutes),
		cmocka_unit_test(test_work_minutes_additive),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_stats_against_sort),
	};

	/* The server runs in UTC; owners' zones come from workhours. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
