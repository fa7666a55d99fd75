/* test_kith.c: calendar, time, duration, cadence and UTF-8 helpers. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>

/* Day numbers used below, worked by hand: 2024-01-01 is 54 years of 365
 * days plus 13 leap days (1972..2020) after 1970-01-01. */
#define DAY_2024_01_01 19723
#define DAY_2024_02_29 19782	/* + 31 + 28 */
#define DAY_2026_07_01 20635	/* 2026-01-01 is 20454; + 181 */
#define DAY_2026_11_20 20777	/* 20454 + 304 + 19 */

#define H 3600LL
#define D KITH_DAY

static kith_time utc(int y, int m, int d, int h, int mi, int s)
{
	return (kith_time)kith_days_from_civil(y, m, d) * KITH_DAY +
	       h * 3600 + mi * 60 + s;
}

/* ---- calendar ---- */

static void test_days_from_civil(void **state)
{
	static const struct {
		int y, m, d;
		int32_t want;
	} cases[] = {
		{ 1970, 1, 1, 0 },
		{ 1970, 1, 2, 1 },
		{ 1969, 12, 31, -1 },
		{ 1900, 3, 1, -25508 },	/* 1900 is not a leap year */
		{ 2000, 2, 29, 11016 },	/* 2000 is */
		{ 2000, 3, 1, 11017 },
		{ 2024, 1, 1, DAY_2024_01_01 },
		{ 2024, 2, 29, DAY_2024_02_29 },
		{ 2026, 7, 1, DAY_2026_07_01 },
		{ 2026, 11, 20, DAY_2026_11_20 },
		{ 1, 1, 1, -719162 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int32_t got = kith_days_from_civil(cases[i].y, cases[i].m,
						   cases[i].d);
		int y, m, d;

		if (got != cases[i].want)
			fail_msg("row %zu: %04d-%02d-%02d: got %d, want %d",
				 i + 1, cases[i].y, cases[i].m, cases[i].d,
				 (int)got, (int)cases[i].want);
		kith_civil_from_days(got, &y, &m, &d);
		assert_int_equal(y, cases[i].y);
		assert_int_equal(m, cases[i].m);
		assert_int_equal(d, cases[i].d);
	}
}

/* Every day from year -200 to 4000 goes there and back, and the next day
 * is the next calendar date. */
static void test_civil_round_trip(void **state)
{
	int32_t first = kith_days_from_civil(-200, 1, 1);
	int32_t last = kith_days_from_civil(4000, 12, 31);
	int py, pm, pd;

	(void)state;
	kith_civil_from_days(first - 1, &py, &pm, &pd);
	assert_int_equal(py, -201);
	assert_int_equal(pm, 12);
	assert_int_equal(pd, 31);
	for (int32_t z = first; z <= last; z++) {
		int y, m, d;

		kith_civil_from_days(z, &y, &m, &d);
		if (kith_days_from_civil(y, m, d) != z)
			fail_msg("day %d: %d-%d-%d does not go back", (int)z, y,
				 m, d);
		if (y > 0)
			assert_true(d >= 1 && d <= kith_days_in_month(y, m));
		if (d == 1) {
			assert_true((m == 1 && y == py + 1 && pm == 12) ||
				    (y == py && m == pm + 1));
		} else {
			assert_int_equal(y, py);
			assert_int_equal(m, pm);
			assert_int_equal(d, pd + 1);
		}
		py = y;
		pm = m;
		pd = d;
	}
}

static void test_days_in_month(void **state)
{
	static const struct {
		int y, m, want;
	} cases[] = {
		{ 2026, 1, 31 }, { 2026, 2, 28 }, { 2024, 2, 29 },
		{ 1900, 2, 28 }, { 2000, 2, 29 }, { 2026, 4, 30 },
		{ 2026, 12, 31 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(kith_days_in_month(cases[i].y, cases[i].m),
				 cases[i].want);
}

/* ---- kith_date_parse ---- */

static void test_date_parse(void **state)
{
	static const struct {
		const char *s;
		enum kith_status want;
		int32_t day;
	} cases[] = {
		{ "2026-11-20", KITH_OK, DAY_2026_11_20 },
		{ "2024-02-29", KITH_OK, DAY_2024_02_29 },
		{ "2000-02-29", KITH_OK, 11016 },
		{ "1970-01-01", KITH_OK, 0 },
		{ "2023-02-29", KITH_EINPUT, 0 },
		{ "2023-02-30", KITH_EINPUT, 0 },
		{ "1900-02-29", KITH_EINPUT, 0 },
		{ "2026-04-31", KITH_EINPUT, 0 },
		{ "2026-13-01", KITH_EINPUT, 0 },
		{ "2026-00-10", KITH_EINPUT, 0 },
		{ "2026-01-00", KITH_EINPUT, 0 },
		{ "0000-01-01", KITH_EINPUT, 0 },
		{ "2026-1-20", KITH_EINPUT, 0 },
		{ "2026-11-20x", KITH_EINPUT, 0 },
		{ "2026-11-20T09:30", KITH_EINPUT, 0 },
		{ "2026/11/20", KITH_EINPUT, 0 },
		{ " 2026-11-20", KITH_EINPUT, 0 },
		{ "20261120", KITH_EINPUT, 0 },
		{ "2026-11-2", KITH_EINPUT, 0 },
		{ "", KITH_EINPUT, 0 },
		{ NULL, KITH_EINPUT, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kith_err err = { 0 };
		int32_t out = -12345;
		int rc = kith_date_parse(&out, cases[i].s, "BDAY", &err);

		if (rc != (int)cases[i].want)
			fail_msg("row %zu: \"%s\": rc %d, want %d", i + 1,
				 cases[i].s ? cases[i].s : "(null)", rc,
				 (int)cases[i].want);
		if (cases[i].want == KITH_OK) {
			assert_int_equal(out, cases[i].day);
			continue;
		}
		assert_int_equal(out, -12345);	/* untouched on error */
		assert_int_equal(err.status, cases[i].want);
		assert_string_equal(err.field, "BDAY");
		assert_true(err.msg[0] != '\0');
	}
}

/* ---- kith_time_parse ---- */

struct time_case {
	const char *s;
	const char *tz;		/* the tz argument */
	int end_of_day;
	enum kith_status want;
	kith_time t;
};

static void check_time_cases(const struct time_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct kith_err err = { 0 };
		kith_time out = 42;
		int rc = kith_time_parse(&out, cases[i].s, cases[i].tz,
					 cases[i].end_of_day, "due", &err);

		if (rc != (int)cases[i].want)
			fail_msg("row %zu: \"%s\": rc %d, want %d (%s)", i + 1,
				 cases[i].s ? cases[i].s : "(null)", rc,
				 (int)cases[i].want, err.msg);
		if (cases[i].want == KITH_OK) {
			if (out != cases[i].t)
				fail_msg("row %zu: \"%s\": got %lld, want %lld",
					 i + 1, cases[i].s, (long long)out,
					 (long long)cases[i].t);
			continue;
		}
		assert_int_equal(out, 42);
		assert_int_equal(err.status, cases[i].want);
		assert_string_equal(err.field, "due");
	}
}

#define T0 ((kith_time)DAY_2026_11_20 * D)	/* 2026-11-20T00:00:00Z */

static void test_time_parse_utc(void **state)
{
	static const struct time_case cases[] = {
		{ "2026-11-20T09:30:00Z", NULL, 0, KITH_OK, T0 + 9 * H + 1800 },
		{ "2026-11-20T09:30Z", NULL, 0, KITH_OK, T0 + 9 * H + 1800 },
		{ "2026-11-20 09:30:00Z", NULL, 0, KITH_OK, T0 + 9 * H + 1800 },
		{ "2026-11-20T09:30:00.125Z", NULL, 0, KITH_OK,
		  T0 + 9 * H + 1800 },
		{ "2026-11-20T09:30:07Z", NULL, 1, KITH_OK,
		  T0 + 9 * H + 1807 },	/* end_of_day only for dates */
		{ "2026-11-20Z", NULL, 0, KITH_OK, T0 },
		{ "2026-11-20Z", NULL, 1, KITH_OK, T0 + D - 1 },
		{ "2026-11-20T09:30:00+02:00", NULL, 0, KITH_OK,
		  T0 + 7 * H + 1800 },
		{ "2026-11-20T09:30:00-05:30", NULL, 0, KITH_OK,
		  T0 + 15 * H },
		{ "2026-11-20T09:30+0100", NULL, 0, KITH_OK, T0 + 8 * H + 1800 },
		{ "2026-11-20T09:30+01", NULL, 0, KITH_OK, T0 + 8 * H + 1800 },
		{ "2026-11-20T00:30:00+02:00", NULL, 0, KITH_OK,
		  T0 - 1 * H - 1800 },	/* the day before in UTC */
		{ "2026-11-20T09:30:00Z", "Asia/Tokyo", 0, KITH_OK,
		  T0 + 9 * H + 1800 },	/* an offset beats the zone */
		{ "2026-11-20T23:59:60Z", NULL, 0, KITH_OK, T0 + D },
		{ "2026-11-20T24:00:00Z", NULL, 0, KITH_EINPUT, 0 },
		{ "2026-11-20T09:60Z", NULL, 0, KITH_EINPUT, 0 },
		{ "2026-11-20T09:30:61Z", NULL, 0, KITH_EINPUT, 0 },
		{ "2026-11-20T9:30Z", NULL, 0, KITH_EINPUT, 0 },
		{ "2026-11-20T09Z", NULL, 0, KITH_EINPUT, 0 },
		{ "2026-11-20T09:30:00Zx", NULL, 0, KITH_EINPUT, 0 },
		{ "2026-11-20T09:30:00+15:00", NULL, 0, KITH_EINPUT, 0 },
		{ "2026-11-20T09:30:00+02:60", NULL, 0, KITH_EINPUT, 0 },
		{ "2026-11-20T09:30+2", NULL, 0, KITH_EINPUT, 0 },
		{ "2026-11-20T09:30+05:", NULL, 0, KITH_EINPUT, 0 },
		{ "2026-11-20T09:30+05:3", NULL, 0, KITH_EINPUT, 0 },
		{ "2026-11-20T09:30+05:30x", NULL, 0, KITH_EINPUT, 0 },
		{ "2026-11-20+02:00", NULL, 0, KITH_EINPUT, 0 },
		{ "2026-02-30T09:30Z", NULL, 0, KITH_EINPUT, 0 },
		{ "2023-02-29", NULL, 0, KITH_EINPUT, 0 },
		{ "2026-11-20x", NULL, 0, KITH_EINPUT, 0 },
		{ "tomorrow", NULL, 0, KITH_EINPUT, 0 },
		{ "", NULL, 0, KITH_EINPUT, 0 },
		{ NULL, NULL, 0, KITH_EINPUT, 0 },
	};

	(void)state;
	check_time_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Local times: Chicago is UTC-6 in November (CST, DST ended on
 * 2026-11-01) and UTC-5 in July (CDT); Tokyo is UTC+9 all year. */
static void test_time_parse_local(void **state)
{
	static const struct time_case cases[] = {
		{ "2026-11-20 09:30", NULL, 0, KITH_OK, T0 + 15 * H + 1800 },
		{ "2026-11-20T09:30", NULL, 0, KITH_OK, T0 + 15 * H + 1800 },
		{ "2026-11-20 09:30:15", NULL, 0, KITH_OK,
		  T0 + 15 * H + 1815 },
		{ "2026-07-01 09:30", NULL, 0, KITH_OK,
		  (kith_time)DAY_2026_07_01 * D + 14 * H + 1800 },
		{ "2026-11-20", NULL, 0, KITH_OK, T0 + 6 * H },
		{ "2026-11-20", NULL, 1, KITH_OK, T0 + D + 6 * H - 1 },
		{ "2026-11-20 09:30", "Asia/Tokyo", 0, KITH_OK,
		  T0 + 1800 },
		{ "2026-11-20", "Asia/Tokyo", 1, KITH_OK,
		  T0 + 15 * H - 1 },
		{ "2026-11-20 09:30", "UTC", 0, KITH_OK, T0 + 9 * H + 1800 },
		{ "2026-11-20 09:30", "", 0, KITH_OK, T0 + 15 * H + 1800 },
		{ "2026-11-31 09:30", NULL, 0, KITH_EINPUT, 0 },
	};
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;

	(void)state;
	setenv("TZ", "America/Chicago", 1);
	tzset();
	check_time_cases(cases, sizeof(cases) / sizeof(cases[0]));
	/* A zone passed in must not leak into $TZ. */
	assert_string_equal(getenv("TZ"), "America/Chicago");
	assert_int_equal(kith_tz_offset(T0, NULL), -6 * 3600);
	assert_int_equal(kith_tz_offset(T0, "Asia/Tokyo"), 9 * 3600);
	assert_int_equal(kith_time_day(T0 + 3 * H, NULL), DAY_2026_11_20 - 1);
	assert_int_equal(kith_time_day(T0 + 3 * H, "Asia/Tokyo"),
			 DAY_2026_11_20);
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

/* kith_int_fmt writes what "%lld" writes, at both ends of the range and
 * around every power of ten. */
static void test_int_fmt(void **state)
{
	long long edge[] = { 0, 1, -1, 9, -9, LLONG_MAX, LLONG_MIN,
			     LLONG_MIN + 1 };
	char got[24], want[24];

	(void)state;
	for (size_t i = 0; i < sizeof(edge) / sizeof(*edge); i++) {
		snprintf(want, sizeof(want), "%lld", edge[i]);
		assert_int_equal(kith_int_fmt(got, edge[i]), strlen(want));
		assert_string_equal(got, want);
	}
	for (long long p = 1; p <= LLONG_MAX / 10; p *= 10)
		for (long long d = -1; d <= 1; d++)
			for (int sign = -1; sign <= 1; sign += 2) {
				long long v = sign * (p + d);

				snprintf(want, sizeof(want), "%lld", v);
				assert_int_equal(kith_int_fmt(got, v),
						 strlen(want));
				assert_string_equal(got, want);
			}
}

static void test_time_iso(void **state)
{
	static const struct {
		kith_time t;
		const char *want;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00Z" },
		{ -1, "1969-12-31T23:59:59Z" },
		{ T0 + 9 * H + 1800, "2026-11-20T09:30:00Z" },
		{ (kith_time)DAY_2024_02_29 * D + D - 1,
		  "2024-02-29T23:59:59Z" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		kith_time back;

		assert_string_equal(kith_time_iso(cases[i].t, buf, sizeof(buf)),
				    cases[i].want);
		assert_int_equal(kith_time_parse(&back, buf, NULL, 0, "t",
						 NULL),
				 KITH_OK);
		assert_int_equal(back, cases[i].t);
	}
	/* The edges of the hand-written path, and past it (snprintf). */
	assert_string_equal(kith_time_iso(-62135596800LL, buf, sizeof(buf)),
			    "0001-01-01T00:00:00Z");
	assert_string_equal(kith_time_iso(253402300799LL, buf, sizeof(buf)),
			    "9999-12-31T23:59:59Z");
	assert_string_equal(kith_time_iso(253402300800LL, buf, sizeof(buf)),
			    "10000-01-01T00:00:00Z");
	assert_string_equal(kith_date_iso(DAY_2024_02_29, buf, sizeof(buf)),
			    "2024-02-29");
}

/* ---- kith_cadence_* ---- */

static void test_cadence_parse(void **state)
{
	static const struct {
		const char *s;
		enum kith_status want;
		int days, months;
		const char *str;	/* kith_cadence_str */
		const char *words;	/* kith_cadence_words */
	} cases[] = {
		{ "30", KITH_OK, 30, 0, "30d", "every 30 days" },
		{ "30d", KITH_OK, 30, 0, "30d", "every 30 days" },
		{ "1d", KITH_OK, 1, 0, "1d", "every day" },
		{ "6w", KITH_OK, 42, 0, "42d", "every 42 days" },
		{ "3m", KITH_OK, 0, 3, "3m", "every 3 months" },
		{ "1m", KITH_OK, 0, 1, "1m", "every month" },
		{ "1y", KITH_OK, 0, 12, "12m", "every year" },
		{ "24m", KITH_OK, 0, 24, "24m", "every 2 years" },
		{ "0", KITH_OK, 0, 0, "0d", "no cadence" },
		{ "36500", KITH_OK, 36500, 0, "36500d", "every 36500 days" },
		{ "100y", KITH_OK, 0, 1200, "1200m", "every 100 years" },
		{ "36501", KITH_EINPUT, 0, 0, NULL, NULL },
		{ "101y", KITH_EINPUT, 0, 0, NULL, NULL },
		{ "x", KITH_EINPUT, 0, 0, NULL, NULL },
		{ "-3", KITH_EINPUT, 0, 0, NULL, NULL },
		{ "-0", KITH_EINPUT, 0, 0, NULL, NULL },
		{ "+30", KITH_EINPUT, 0, 0, NULL, NULL },
		{ " 30", KITH_EINPUT, 0, 0, NULL, NULL },
		{ "3q", KITH_EINPUT, 0, 0, NULL, NULL },
		{ "3 d", KITH_EINPUT, 0, 0, NULL, NULL },
		{ "3dd", KITH_EINPUT, 0, 0, NULL, NULL },
		{ "3.5d", KITH_EINPUT, 0, 0, NULL, NULL },
		{ "d", KITH_EINPUT, 0, 0, NULL, NULL },
		{ "", KITH_EINPUT, 0, 0, NULL, NULL },
		{ NULL, KITH_EINPUT, 0, 0, NULL, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kith_err err = { 0 };
		struct cadence c = { -1, -1 }, back;
		char buf[48];
		int rc = kith_cadence_parse(&c, cases[i].s, "every", &err);

		if (rc != (int)cases[i].want)
			fail_msg("row %zu: \"%s\": rc %d, want %d", i + 1,
				 cases[i].s ? cases[i].s : "(null)", rc,
				 (int)cases[i].want);
		if (rc) {
			assert_int_equal(err.status, cases[i].want);
			assert_string_equal(err.field, "every");
			continue;
		}
		assert_int_equal(c.days, cases[i].days);
		assert_int_equal(c.months, cases[i].months);
		assert_string_equal(kith_cadence_str(c, buf, sizeof(buf)),
				    cases[i].str);
		assert_string_equal(kith_cadence_words(c, buf, sizeof(buf)),
				    cases[i].words);
		assert_int_equal(kith_cadence_none(c),
				 !cases[i].days && !cases[i].months);
		back = kith_cadence_decode(kith_cadence_code(c));
		assert_int_equal(back.days, c.days);
		assert_int_equal(back.months, c.months);
	}
}

static void test_cadence_days(void **state)
{
	(void)state;
	assert_true(kith_cadence_days((struct cadence){ 30, 0 }) == 30.0);
	assert_true(kith_cadence_days((struct cadence){ 0, 1 }) == 30.4375);
	assert_true(kith_cadence_days((struct cadence){ 0, 3 }) == 91.3125);
	assert_true(kith_cadence_days((struct cadence){ 0, 12 }) == 365.25);
	assert_int_equal(kith_cadence_code((struct cadence){ 0, 3 }), -3);
	assert_int_equal(kith_cadence_code((struct cadence){ 42, 0 }), 42);
}

static void test_cadence_due(void **state)
{
	static const struct {
		struct cadence c;
		int fy, fm, fd;		/* from, at 10:15:30Z */
		int wy, wm, wd;		/* due, same time of day */
	} cases[] = {
		{ { 0, 1 }, 2026, 1, 31, 2026, 2, 28 },
		{ { 0, 1 }, 2024, 1, 31, 2024, 2, 29 },
		{ { 0, 1 }, 2026, 3, 31, 2026, 4, 30 },
		{ { 0, 1 }, 2026, 12, 15, 2027, 1, 15 },
		{ { 0, 3 }, 2026, 11, 30, 2027, 2, 28 },
		{ { 0, 12 }, 2024, 2, 29, 2025, 2, 28 },
		{ { 0, 48 }, 2024, 2, 29, 2028, 2, 29 },
		{ { 0, 25 }, 2025, 12, 31, 2028, 1, 31 },
		{ { 30, 0 }, 2026, 1, 31, 2026, 3, 2 },
		{ { 1, 0 }, 2024, 2, 28, 2024, 2, 29 },
		{ { 0, 0 }, 2026, 5, 5, 2026, 5, 5 },
		{ { 0, 1 }, 1969, 12, 31, 1970, 1, 31 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		kith_time from = utc(cases[i].fy, cases[i].fm, cases[i].fd,
				     10, 15, 30);
		kith_time want = utc(cases[i].wy, cases[i].wm, cases[i].wd,
				     10, 15, 30);
		kith_time got = kith_cadence_due(cases[i].c, from);

		if (got != want) {
			char a[32], b[32];

			fail_msg("row %zu: got %s, want %s", i + 1,
				 kith_time_iso(got, a, sizeof(a)),
				 kith_time_iso(want, b, sizeof(b)));
		}
	}
}

/* ---- kith_duration_parse ---- */

static void test_duration_parse(void **state)
{
	static const struct {
		const char *s;
		enum kith_status want;
		int64_t secs;
	} cases[] = {
		{ "90m", KITH_OK, 90 * 60 },
		{ "90min", KITH_OK, 90 * 60 },
		{ "2h", KITH_OK, 2 * 3600 },
		{ "3d", KITH_OK, 3 * D },
		{ "3", KITH_OK, 3 * D },
		{ "1w", KITH_OK, 7 * D },
		{ "100000m", KITH_OK, 100000 * 60 },
		{ "100001m", KITH_EINPUT, 0 },
		{ "0", KITH_EINPUT, 0 },
		{ "0h", KITH_EINPUT, 0 },
		{ "-1h", KITH_EINPUT, 0 },
		{ "+1h", KITH_EINPUT, 0 },
		{ " 1h", KITH_EINPUT, 0 },
		{ "1.5h", KITH_EINPUT, 0 },
		{ "2x", KITH_EINPUT, 0 },
		{ "2hh", KITH_EINPUT, 0 },
		{ "1y", KITH_EINPUT, 0 },
		{ "h", KITH_EINPUT, 0 },
		{ "", KITH_EINPUT, 0 },
		{ NULL, KITH_EINPUT, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kith_err err = { 0 };
		int64_t out = -1;
		int rc = kith_duration_parse(&out, cases[i].s, "--in", &err);

		if (rc != (int)cases[i].want)
			fail_msg("row %zu: \"%s\": rc %d, want %d", i + 1,
				 cases[i].s ? cases[i].s : "(null)", rc,
				 (int)cases[i].want);
		if (rc) {
			assert_int_equal(out, -1);
			assert_string_equal(err.field, "--in");
		} else {
			assert_int_equal(out, cases[i].secs);
		}
	}
}

/* ---- kith_time_relative ---- */

static void test_time_relative(void **state)
{
	static const struct {
		int64_t ago;		/* now - t, seconds */
		const char *want;
	} cases[] = {
		{ 0, "just now" },
		{ 59, "just now" },
		{ -59, "just now" },
		{ 60, "1 minute ago" },
		{ 119, "1 minute ago" },
		{ 3599, "59 minutes ago" },
		{ -600, "in 10 minutes" },
		{ 3600, "1 hour ago" },
		{ -2 * H, "in 2 hours" },
		{ D - 1, "23 hours ago" },
		{ D, "1 day ago" },
		{ 3 * D, "3 days ago" },
		{ -3 * D, "in 3 days" },
		{ 14 * D - 1, "13 days ago" },
		{ 14 * D, "2 weeks ago" },
		{ 60 * D - 1, "8 weeks ago" },
		{ 60 * D, "2 months ago" },
		{ -90 * D, "in 3 months" },
		{ 730 * D - 1, "24 months ago" },
		{ 730 * D, "2 years ago" },
		{ -800 * D, "in 2 years" },
	};
	kith_time now = T0 + 12 * H;
	char buf[64], small[8];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = kith_time_relative(now - cases[i].ago, now,
						     buf, sizeof(buf));

		if (strcmp(got, cases[i].want))
			fail_msg("row %zu: %lld s ago: got \"%s\", want \"%s\"",
				 i + 1, (long long)cases[i].ago, got,
				 cases[i].want);
	}
	/* A short buffer truncates, never overflows. */
	assert_string_equal(kith_time_relative(now - 3 * D, now, small,
					       sizeof(small)),
			    "3 days ");
}

/* ---- kith_utf8_valid ---- */

static void test_utf8_valid(void **state)
{
	static const struct {
		const char *s;
		size_t n;
		int want;
		const char *what;
	} cases[] = {
		{ "", 0, 1, "empty" },
		{ "abc", 3, 1, "ASCII" },
		{ "a\0b", 3, 1, "NUL is a character" },
		{ "\xc3\xa9", 2, 1, "U+00E9" },
		{ "\xc2\x80", 2, 1, "U+0080, smallest 2-byte" },
		{ "\xdf\xbf", 2, 1, "U+07FF" },
		{ "\xe0\xa0\x80", 3, 1, "U+0800, smallest 3-byte" },
		{ "\xe2\x82\xac", 3, 1, "U+20AC euro" },
		{ "\xed\x9f\xbf", 3, 1, "U+D7FF, below surrogates" },
		{ "\xee\x80\x80", 3, 1, "U+E000, above surrogates" },
		{ "\xef\xbf\xbf", 3, 1, "U+FFFF" },
		{ "\xf0\x90\x80\x80", 4, 1, "U+10000, smallest 4-byte" },
		{ "\xf0\x9f\x98\x80", 4, 1, "U+1F600" },
		{ "\xf4\x8f\xbf\xbf", 4, 1, "U+10FFFF, the last" },
		{ "\xc0\x80", 2, 0, "overlong NUL" },
		{ "\xc1\xbf", 2, 0, "overlong U+007F" },
		{ "\xe0\x80\x80", 3, 0, "overlong 3-byte NUL" },
		{ "\xe0\x9f\xbf", 3, 0, "overlong U+07FF" },
		{ "\xf0\x80\x80\x80", 4, 0, "overlong 4-byte NUL" },
		{ "\xf0\x8f\xbf\xbf", 4, 0, "overlong U+FFFF" },
		{ "\xed\xa0\x80", 3, 0, "U+D800 high surrogate" },
		{ "\xed\xbf\xbf", 3, 0, "U+DFFF low surrogate" },
		{ "\xed\xa0\xbd\xed\xb8\x80", 6, 0, "CESU-8 pair" },
		{ "\xf4\x90\x80\x80", 4, 0, "U+110000" },
		{ "\xf5\x80\x80\x80", 4, 0, "lead 0xF5" },
		{ "\xf8\x88\x80\x80\x80", 5, 0, "5-byte form" },
		{ "\xff", 1, 0, "0xFF" },
		{ "\x80", 1, 0, "lone continuation" },
		{ "a\xbf", 2, 0, "continuation after ASCII" },
		{ "\xc3", 1, 0, "truncated 2-byte" },
		{ "\xe2\x82", 2, 0, "truncated 3-byte" },
		{ "\xf0\x9f\x98", 3, 0, "truncated 4-byte" },
		{ "\xc3\xa9", 1, 0, "n cuts a character" },
		{ "\xc3\x28", 2, 0, "bad continuation" },
		{ "\xe2\x28\xa1", 3, 0, "bad second byte" },
		{ "\xe2\x82\x28", 3, 0, "bad third byte" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (kith_utf8_valid(cases[i].s, cases[i].n) != cases[i].want)
			fail_msg("row %zu: %s: want %d", i + 1, cases[i].what,
				 cases[i].want);
}

/* kith_utf8_cut: text cut by a fixed buffer ends on a whole character. */
static void test_utf8_cut(void **state)
{
	static const struct {
		const char *s;
		size_t n, want;
	} cases[] = {
		{ "", 0, 0 },
		{ "abc", 3, 3 },
		{ "a\xc3\xa9", 3, 3 },		/* é whole */
		{ "a\xc3\xa9", 2, 1 },		/* é's lead alone */
		{ "a\xe2\x82\xac", 3, 1 },	/* € cut after 2 of 3 */
		{ "a\xe2\x82\xac", 4, 4 },
		{ "a\xf0\x9f\x98\x80", 4, 1 },	/* 4-byte cut after 3 */
		{ "a\xf0\x9f\x98\x80", 5, 5 },
		{ "\xef\xbd\xb2\xef\xbd", 5, 3 },
		{ "ab\x80", 3, 3 },		/* not UTF-8: left as it is */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (kith_utf8_cut(cases[i].s, cases[i].n) != cases[i].want)
			fail_msg("row %zu: want %zu, got %zu", i + 1,
				 cases[i].want,
				 kith_utf8_cut(cases[i].s, cases[i].n));
}

/* ---- errors and strings ---- */

static void test_err_format(void **state)
{
	struct kith_err err = { 0 };
	char buf[256];

	(void)state;
	assert_int_equal(kith_err_set(&err, KITH_EINPUT, "EMAIL",
				      "no '@' in \"%s\"", "ann.example.org"),
			 KITH_EINPUT);
	assert_string_equal(kith_err_format(&err, buf, sizeof(buf)),
			    "EMAIL: no '@' in \"ann.example.org\"");
	kith_err_at(&err, "clients.vcf", 42);
	assert_string_equal(kith_err_format(&err, buf, sizeof(buf)),
			    "clients.vcf:42: EMAIL: no '@' in "
			    "\"ann.example.org\"");
	assert_int_equal(kith_err_set(NULL, KITH_EIO, NULL, "x"), KITH_EIO);
	assert_int_equal(kith_status_exit(KITH_OK), 0);
	assert_int_equal(kith_status_exit(KITH_EINPUT), 2);
	assert_int_equal(kith_status_exit(KITH_ENOTFOUND), 2);
	assert_int_equal(kith_status_exit(KITH_EIO), 1);
	assert_true(kith_contains_ci("Dana Whitfield", "WHIT"));
	assert_false(kith_contains_ci("Dana", "danae"));
	assert_true(kith_contains_ci("", ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days_from_civil),
		cmocka_unit_test(test_civil_round_trip),
		cmocka_unit_test(test_days_in_month),
		cmocka_unit_test(test_date_parse),
		cmocka_unit_test(test_time_parse_utc),
		cmocka_unit_test(test_time_parse_local),
		cmocka_unit_test(test_int_fmt),
		cmocka_unit_test(test_time_iso),
		cmocka_unit_test(test_cadence_parse),
		cmocka_unit_test(test_cadence_days),
		cmocka_unit_test(test_cadence_due),
		cmocka_unit_test(test_duration_parse),
		cmocka_unit_test(test_time_relative),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_cut),
		cmocka_unit_test(test_err_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
