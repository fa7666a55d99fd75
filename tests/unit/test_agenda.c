/*
 * test_agenda.c: ranks, reasons, components and dates of core/agenda.c.
 * Every expected rank is worked by hand in docs/FORMULAS.md; a row
 * number there ("test_agenda.c row 17") is the 1-based row here.
 */
#include "unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/agenda.h"

#define D ((int64_t)KITH_DAY)
#define EPS 1e-9
/* Default now for rows: 2026-11-20T12:00:00Z (day 20777). */
#define NOW_DEFAULT "2026-11-20T12:00:00Z"

static void near(double got, double want, double eps, const char *what,
		 size_t row)
{
	if (fabs(got - want) > eps)
		fail_msg("row %zu: %s: got %.10g, want %.10g", row, what, got,
			 want);
}

/*
 * Offsets are seconds before now; 0 means "never" (or "not snoozed",
 * "no gift"), so a row names only what it uses.
 */
struct why {
	enum reason_kind kind;
	const char *text;
};

static const struct agenda_row {
	const char *now;		/* NULL: NOW_DEFAULT */
	enum tier tier;
	const char *since;		/* NULL: unknown */
	const char *every;		/* NULL: none */
	const char *meet;		/* NULL: none */
	int64_t created_ago;		/* 0: 500 days */
	int64_t touch_ago;		/* 0: never */
	int64_t meet_ago;		/* 0: never */
	int64_t snooze_in;		/* snooze_until - now; 0: none */
	bool date;
	int date_in_days;
	const char *date_kind;
	int date_years;
	int promises;
	int64_t promise_ago;
	const char *promise_text;
	int64_t gift_ago;		/* 0: never */

	bool on;			/* agenda_score's return */
	double rank;
	int64_t days_since_touch, days_since_in_person;
	bool no_due;			/* due_at is KITH_NO_TIME */
	int64_t due_ago;		/* else now - due_at */
	struct why why[6];
	int n_why;
} rows[] = {
	/* 1: overdue, tier B */
	{ .tier = TIER_B, .every = "30", .touch_ago = 42 * D,
	  .on = true, .rank = 1.4, .days_since_touch = 42,
	  .days_since_in_person = -1, .due_ago = 12 * D,
	  .why = { { REASON_OVERDUE,
		     "42 days since last touch (every 30 days)" } },
	  .n_why = 1 },
	/* 2: face to face overdue, tier A */
	{ .tier = TIER_A, .every = "30", .meet = "90", .touch_ago = 10 * D,
	  .meet_ago = 200 * D,
	  .on = true, .rank = 200.0 / 90.0 * 1.5, .days_since_touch = 10,
	  .days_since_in_person = 200, .due_ago = -20 * D,
	  .why = { { REASON_IN_PERSON_OVERDUE,
		     "no face-to-face in 200 days (every 90 days)" } },
	  .n_why = 1 },
	/* 3: never touched, tier C: both clocks start at created_at */
	{ .tier = TIER_C, .every = "30", .meet = "90", .created_ago = 100 * D,
	  .on = true, .rank = 100.0 / 30.0 * 0.7, .days_since_touch = -1,
	  .days_since_in_person = -1, .due_ago = 70 * D,
	  .why = { { REASON_NEVER_TOUCHED,
		     "never in touch, added 100 days ago (every 30 days)" },
		   { REASON_NEVER_IN_PERSON,
		     "never met in person (every 90 days)" } },
	  .n_why = 2 },
	/* 4: a promise a week overdue */
	{ .tier = TIER_B, .every = "30", .touch_ago = 5 * D, .promises = 1,
	  .promise_ago = 7 * D, .promise_text = "send laptop specs",
	  .on = true, .rank = 2.0, .days_since_touch = 5,
	  .days_since_in_person = -1, .due_ago = -25 * D,
	  .why = { { REASON_PROMISE_OVERDUE,
		     "promise overdue: send laptop specs" } },
	  .n_why = 1 },
	/* 5: three promises, the oldest 20 days overdue: capped at 3 */
	{ .tier = TIER_NONE, .touch_ago = 5 * D, .promises = 3,
	  .promise_ago = 20 * D, .promise_text = "call back",
	  .on = true, .rank = 3.0, .days_since_touch = 5,
	  .days_since_in_person = -1, .no_due = true,
	  .why = { { REASON_PROMISE_OVERDUE,
		     "promise overdue: call back (and 2 more)" } },
	  .n_why = 1 },
	/* 6: a birthday in 3 days */
	{ .tier = TIER_B, .every = "30", .touch_ago = 10 * D, .date = true,
	  .date_in_days = 3, .date_kind = "birthday", .date_years = 40,
	  .on = true, .rank = 11.0 / 7.0, .days_since_touch = 10,
	  .days_since_in_person = -1, .due_ago = -20 * D,
	  .why = { { REASON_DATE_SOON, "birthday in 3 days (40)" } },
	  .n_why = 1 },
	/* 7: an unnamed date today */
	{ .tier = TIER_B, .every = "30", .touch_ago = 10 * D, .date = true,
	  .date_in_days = 0,
	  .on = true, .rank = 2.0, .days_since_touch = 10,
	  .days_since_in_person = -1, .due_ago = -20 * D,
	  .why = { { REASON_DATE_SOON, "date today" } },
	  .n_why = 1 },
	/* 8: an anniversary tomorrow, tier A */
	{ .tier = TIER_A, .every = "30", .touch_ago = 10 * D, .date = true,
	  .date_in_days = 1, .date_kind = "anniversary", .date_years = 5,
	  .on = true, .rank = 13.0 / 7.0 * 1.5, .days_since_touch = 10,
	  .days_since_in_person = -1, .due_ago = -20 * D,
	  .why = { { REASON_DATE_SOON, "anniversary tomorrow (5)" } },
	  .n_why = 1 },
	/* 9: a date 8 days out is past the window: not on the agenda */
	{ .tier = TIER_B, .every = "30", .touch_ago = 10 * D, .date = true,
	  .date_in_days = 8, .date_kind = "birthday",
	  .on = false, .days_since_touch = 10, .days_since_in_person = -1,
	  .due_ago = -20 * D },
	/* 10: loyal for 10 years, never thanked, tier A: full weight */
	{ .tier = TIER_A, .since = "2016-11-01", .every = "30",
	  .touch_ago = 60 * D,
	  .on = true, .rank = 4.5, .days_since_touch = 60,
	  .days_since_in_person = -1, .due_ago = 30 * D,
	  .why = { { REASON_OVERDUE,
		     "60 days since last touch (every 30 days)" },
		   { REASON_THANK_YOU_DUE,
		     "client for 10 years, never thanked with a gift" } },
	  .n_why = 2 },
	/* 11: due this very second; four years loyal, gift 400 days ago */
	{ .tier = TIER_B, .since = "2022-11-20", .every = "30",
	  .touch_ago = 30 * D, .gift_ago = 400 * D,
	  .on = true, .rank = 1.2, .days_since_touch = 30,
	  .days_since_in_person = -1, .due_ago = 0,
	  .why = { { REASON_OVERDUE,
		     "30 days since last touch (every 30 days)" },
		   { REASON_THANK_YOU_DUE,
		     "client for 4 years, last gift 400 days ago" } },
	  .n_why = 2 },
	/* 12: row 1 snoozed until tomorrow */
	{ .tier = TIER_B, .every = "30", .touch_ago = 42 * D,
	  .snooze_in = D,
	  .on = false, .days_since_touch = 42, .days_since_in_person = -1,
	  .due_ago = 12 * D },
	/* 13: row 1 with a snooze that ended yesterday */
	{ .tier = TIER_B, .every = "30", .touch_ago = 42 * D,
	  .snooze_in = -D,
	  .on = true, .rank = 1.4, .days_since_touch = 42,
	  .days_since_in_person = -1, .due_ago = 12 * D,
	  .why = { { REASON_OVERDUE,
		     "42 days since last touch (every 30 days)" } },
	  .n_why = 1 },
	/* 14: monthly, last touch 2026-10-20T12:00Z: due exactly now */
	{ .tier = TIER_B, .every = "1m", .touch_ago = 31 * D,
	  .on = true, .rank = 31.0 / 30.4375, .days_since_touch = 31,
	  .days_since_in_person = -1, .due_ago = 0,
	  .why = { { REASON_OVERDUE,
		     "31 days since last touch (every month)" } },
	  .n_why = 1 },
	/* 15: monthly from Jan 31: due Feb 28 at ratio 0.92, ranked 1 */
	{ .now = "2026-02-28T12:00:00Z", .tier = TIER_B, .every = "1m",
	  .touch_ago = 28 * D,
	  .on = true, .rank = 1.0, .days_since_touch = 28,
	  .days_since_in_person = -1, .due_ago = 0,
	  .why = { { REASON_OVERDUE,
		     "28 days since last touch (every month)" } },
	  .n_why = 1 },
	/* 16: row 15 one second earlier: not due yet */
	{ .now = "2026-02-28T12:00:00Z", .tier = TIER_B, .every = "1m",
	  .touch_ago = 28 * D - 1,
	  .on = false, .days_since_touch = 27, .days_since_in_person = -1,
	  .due_ago = -1 },
	/* 17: everything at once; the largest component wins, every
	 * reason is given, promises first */
	{ .tier = TIER_A, .since = "2016-11-01", .every = "30", .meet = "90",
	  .touch_ago = 45 * D, .date = true, .date_in_days = 2,
	  .date_kind = "birthday", .promises = 2, .promise_ago = 3 * D,
	  .promise_text = "send the deck",
	  .on = true, .rank = 12.5, .days_since_touch = 45,
	  .days_since_in_person = -1, .due_ago = 15 * D,
	  .why = { { REASON_PROMISE_OVERDUE,
		     "promise overdue: send the deck (and 1 more)" },
		   { REASON_OVERDUE,
		     "45 days since last touch (every 30 days)" },
		   { REASON_NEVER_IN_PERSON,
		     "never met in person (every 90 days)" },
		   { REASON_DATE_SOON, "birthday in 2 days" },
		   { REASON_THANK_YOU_DUE,
		     "client for 10 years, never thanked with a gift" } },
	  .n_why = 5 },
	/* 18: a day before due */
	{ .tier = TIER_B, .every = "30", .touch_ago = 29 * D,
	  .on = false, .days_since_touch = 29, .days_since_in_person = -1,
	  .due_ago = -1 * D },
	/* 19: no cadence, never touched, nothing else: never due */
	{ .tier = TIER_A,
	  .on = false, .days_since_touch = -1, .days_since_in_person = -1,
	  .no_due = true },
	/* 20: a promise not yet due does not count */
	{ .tier = TIER_B, .every = "30", .touch_ago = 10 * D, .promises = 1,
	  .promise_ago = -2 * D, .promise_text = "lunch",
	  .on = false, .days_since_touch = 10, .days_since_in_person = -1,
	  .due_ago = -20 * D },
};

static void row_input(struct agenda_input *in, kith_time *now,
		      int32_t *today, const struct agenda_row *r)
{
	struct kith_err err = { 0 };

	assert_int_equal(kith_time_parse(now, r->now ? r->now : NOW_DEFAULT,
					 NULL, 0, "now", &err),
			 KITH_OK);
	*today = (int32_t)(*now / KITH_DAY);
	memset(in, 0, sizeof(*in));
	in->id = 7;
	in->name = "Dana Whitfield";
	in->tier = r->tier;
	in->since = KITH_NO_DAY;
	if (r->since)
		assert_int_equal(kith_date_parse(&in->since, r->since, "since",
						 &err),
				 KITH_OK);
	if (r->every)
		assert_int_equal(kith_cadence_parse(&in->every, r->every,
						    "every", &err),
				 KITH_OK);
	if (r->meet)
		assert_int_equal(kith_cadence_parse(&in->meet, r->meet,
						    "meet", &err),
				 KITH_OK);
	in->created_at = *now - (r->created_ago ? r->created_ago : 500 * D);
	in->last_touch = r->touch_ago ? *now - r->touch_ago : KITH_NO_TIME;
	in->last_in_person = r->meet_ago ? *now - r->meet_ago : KITH_NO_TIME;
	in->snooze_until = r->snooze_in ? *now + r->snooze_in : KITH_NO_TIME;
	in->date_in_days = r->date ? r->date_in_days : -1;
	in->date_kind = r->date_kind;
	in->date_years = r->date_years;
	in->promises_overdue = r->promises;
	in->promise_due = r->promises ? *now - r->promise_ago : KITH_NO_TIME;
	in->promise_text = r->promise_text;
	in->last_gift = r->gift_ago ? *now - r->gift_ago : KITH_NO_TIME;
}

static void test_agenda_score(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct agenda_row *r = &rows[i];
		struct agenda_input in;
		struct agenda_item it;
		kith_time now;
		int32_t today;
		bool on;

		row_input(&in, &now, &today, r);
		on = agenda_score(&it, &in, now, today);
		if (on != r->on)
			fail_msg("row %zu: on %d, want %d", i + 1, on, r->on);
		assert_int_equal(it.id, 7);
		assert_string_equal(it.name, "Dana Whitfield");
		if (it.days_since_touch != r->days_since_touch ||
		    it.days_since_in_person != r->days_since_in_person)
			fail_msg("row %zu: days since %lld/%lld", i + 1,
				 (long long)it.days_since_touch,
				 (long long)it.days_since_in_person);
		if (r->no_due)
			assert_true(it.due_at == KITH_NO_TIME);
		else if (now - it.due_at != r->due_ago)
			fail_msg("row %zu: due %lld s ago, want %lld", i + 1,
				 (long long)(now - it.due_at),
				 (long long)r->due_ago);
		if (!on) {
			assert_int_equal(it.n_reasons, 0);
			continue;
		}
		near(it.rank, r->rank, EPS, "rank", i + 1);
		if (it.n_reasons != r->n_why)
			fail_msg("row %zu: %d reasons, want %d (first \"%s\")",
				 i + 1, it.n_reasons, r->n_why,
				 it.n_reasons ? it.reasons[0].text : "");
		for (int k = 0; k < r->n_why; k++) {
			if (it.reasons[k].kind != r->why[k].kind)
				fail_msg("row %zu reason %d: kind %s, want %s",
					 i + 1, k + 1,
					 reason_kind_name(it.reasons[k].kind),
					 reason_kind_name(r->why[k].kind));
			assert_string_equal(it.reasons[k].text,
					    r->why[k].text);
		}
	}
}

/* ---- components ---- */

static void test_components_values(void **state)
{
	static const struct {
		int days;
		double want;
	} date_cases[] = {
		{ -1, 0.0 }, { 0, 2.0 }, { 1, 13.0 / 7.0 }, { 3, 11.0 / 7.0 },
		{ 7, 1.0 }, { 8, 0.0 }, { 365, 0.0 },
	};
	static const struct {
		int64_t ago;		/* now - due, seconds */
		double want;
	} promise_cases[] = {
		{ -D, 0.0 }, { 0, 0.0 }, { 1, 1.0 + 1.0 / (7.0 * D) },
		{ 7 * D, 2.0 }, { 10 * D + D / 2, 2.5 }, { 14 * D, 3.0 },
		{ 100 * D, 3.0 },
	};
	kith_time now = 20777 * D + 12 * 3600;
	struct cadence none = { 0, 0 }, c30 = { 30, 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(date_cases) / sizeof(date_cases[0]); i++)
		near(agenda_date_component(date_cases[i].days),
		     date_cases[i].want, EPS, "date", i + 1);
	for (size_t i = 0;
	     i < sizeof(promise_cases) / sizeof(promise_cases[0]); i++)
		near(agenda_promise_component(now - promise_cases[i].ago, now),
		     promise_cases[i].want, EPS, "promise", i + 1);
	near(agenda_promise_component(KITH_NO_TIME, now), 0.0, 0.0,
	     "promise none", 0);
	near(agenda_overdue_component(none, now - 1000 * D, now), 0.0, 0.0,
	     "no cadence", 0);
	near(agenda_overdue_component(c30, now - 30 * D + 1, now), 0.0, 0.0,
	     "one second early", 0);
	near(agenda_overdue_component(c30, now - 30 * D, now), 1.0, EPS,
	     "due now", 0);
	near(agenda_overdue_component(c30, now - 75 * D, now), 2.5, EPS,
	     "2.5 cadences", 0);
	near(agenda_tier_weight(TIER_A), 1.5, 0.0, "tier A", 0);
	near(agenda_tier_weight(TIER_B), 1.0, 0.0, "tier B", 0);
	near(agenda_tier_weight(TIER_C), 0.7, 0.0, "tier C", 0);
	near(agenda_tier_weight(TIER_NONE), 1.0, 0.0, "no tier", 0);
	assert_true(agenda_anchor(KITH_NO_TIME, 5) == 5);
	assert_true(agenda_anchor(9, 5) == 9);
}

/*
 * The index reads of the agenda rely on this: each component never rises
 * as its index key grows, and is 0 or at least 1. Walked for every hour
 * over two years of anchors and due times, and each cadence kind.
 */
static void test_components_monotone(void **state)
{
	static const struct cadence cads[] = {
		{ 1, 0 }, { 7, 0 }, { 30, 0 }, { 90, 0 },
		{ 0, 1 }, { 0, 3 }, { 0, 12 },
	};
	kith_time now = 20777 * D + 12 * 3600;

	(void)state;
	for (size_t c = 0; c < sizeof(cads) / sizeof(cads[0]); c++) {
		double prev = INFINITY;

		for (kith_time a = now - 730 * D; a <= now + D; a += 3600) {
			double v = agenda_overdue_component(cads[c], a, now);

			if (v > prev)
				fail_msg("cadence %zu: overdue rises at %lld",
					 c + 1, (long long)(now - a));
			assert_true(v == 0.0 || v >= 1.0);
			prev = v;
		}
		assert_true(prev == 0.0);
	}
	{
		double prev = INFINITY;

		for (kith_time due = now - 60 * D; due <= now + D;
		     due += 3600) {
			double v = agenda_promise_component(due, now);

			assert_true(v <= prev);
			assert_true(v == 0.0 || (v >= 1.0 && v <= 3.0));
			prev = v;
		}
	}
	{
		double prev = INFINITY;

		for (int days = -3; days <= 30; days++) {
			double v = agenda_date_component(days);

			if (days >= 0)
				assert_true(v <= prev);
			assert_true(v == 0.0 || (v >= 1.0 && v <= 2.0));
			if (days >= 0)
				prev = v;
		}
	}
}

/* rank <= max component * AGENDA_MAX_WEIGHT for every row: the bound the
 * threshold read of the agenda stops on. */
static void test_rank_bound(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct agenda_input in;
		struct agenda_item it;
		kith_time now;
		int32_t today;
		double best;

		row_input(&in, &now, &today, &rows[i]);
		if (!agenda_score(&it, &in, now, today))
			continue;
		best = agenda_overdue_component(
			in.every, agenda_anchor(in.last_touch, in.created_at),
			now);
		best = fmax(best, agenda_overdue_component(
					  in.meet,
					  agenda_anchor(in.last_in_person,
							in.created_at),
					  now));
		best = fmax(best, agenda_date_component(in.date_in_days));
		if (in.promises_overdue)
			best = fmax(best, agenda_promise_component(
						  in.promise_due, now));
		assert_true(best >= 1.0);
		assert_true(it.rank <= best * AGENDA_MAX_WEIGHT + EPS);
		assert_true(it.rank >= best * 0.7 - EPS);
	}
}

/* ---- dates ---- */

static void test_days_until(void **state)
{
	static const struct {
		const char *date;
		bool year_known, yearly;
		const char *today;
		int want, years;
	} cases[] = {
		/* 1 */ { "1986-11-23", true, true, "2026-11-20", 3, 40 },
		/* 2 */ { "1986-11-23", true, true, "2026-11-23", 0, 40 },
		/* 3: just passed: next year */
		{ "1986-11-23", true, true, "2026-11-24", 364, 41 },
		/* 4: Feb 29 falls on Feb 28 in a common year */
		{ "1996-02-29", true, true, "2027-02-20", 8, 31 },
		/* 5 */ { "1996-02-29", true, true, "2027-02-28", 0, 31 },
		/* 6: and on Feb 29 in a leap year */
		{ "1996-02-29", true, true, "2027-03-01", 365, 32 },
		/* 7 */ { "1996-02-29", true, true, "2028-02-29", 0, 32 },
		/* 8 */ { "1996-02-29", true, true, "2028-02-28", 1, 32 },
		/* 9: across the new year */
		{ "1980-01-02", true, true, "2026-12-30", 3, 47 },
		/* 10: year unknown: no count */
		{ "2000-12-31", false, true, "2026-12-31", 0, 0 },
		/* 11 */ { "2000-01-01", false, true, "2026-12-31", 1, 0 },
		/* 12: one-off dates */
		{ "2026-12-01", true, false, "2026-11-20", 11, 0 },
		/* 13 */ { "2026-11-20", true, false, "2026-11-20", 0, 0 },
		/* 14 */ { "2026-11-01", true, false, "2026-11-20", -1, 0 },
		/* 15: a yearly date whose year has not come: no count */
		{ "2027-06-01", true, true, "2026-11-20", 193, 0 },
		/* 16: the day itself, year 0 */
		{ "2026-11-20", true, true, "2026-11-20", 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kdate d = { 0 };
		int32_t today;
		int years = -7, got;

		assert_int_equal(kith_date_parse(&d.day, cases[i].date, "date",
						 NULL),
				 KITH_OK);
		assert_int_equal(kith_date_parse(&today, cases[i].today,
						 "today", NULL),
				 KITH_OK);
		d.year_known = cases[i].year_known;
		d.yearly = cases[i].yearly;
		got = agenda_days_until(&d, today, &years);
		if (got != cases[i].want || years != cases[i].years)
			fail_msg("row %zu: %s on %s: %d days (%d), want %d (%d)",
				 i + 1, cases[i].date, cases[i].today, got,
				 years, cases[i].want, cases[i].years);
	}
}

/* ---- order and health notes ---- */

static void test_item_cmp(void **state)
{
	static const struct {
		double rank;
		int64_t id;
	} in[] = {
		{ 2.0, 5 }, { 3.0, 9 }, { 2.0, 1 }, { 2.0, 3 }, { 1.0, 2 },
		{ 12.5, 40 }, { 1.0, 1 },
	};
	static const int64_t want[] = { 40, 9, 1, 3, 5, 1, 2 };
	struct agenda_item items[sizeof(in) / sizeof(in[0])];

	(void)state;
	memset(items, 0, sizeof(items));
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		items[i].rank = in[i].rank;
		items[i].id = in[i].id;
	}
	qsort(items, sizeof(in) / sizeof(in[0]), sizeof(items[0]),
	      agenda_item_cmp);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (items[i].id != want[i])
			fail_msg("position %zu: id %lld, want %lld", i + 1,
				 (long long)items[i].id, (long long)want[i]);
	assert_int_equal(agenda_item_cmp(&items[0], &items[0]), 0);
	assert_int_equal(agenda_item_cmp(&items[2], &items[3]), -1);
	assert_int_equal(agenda_item_cmp(&items[3], &items[2]), 1);
}

/* The going-cold example is test_score.c health row 4. */
static void test_note_health(void **state)
{
	struct agenda_item it = { 0 };
	struct health h = { 0 };

	(void)state;
	h.score = 37;
	h.trend = -20;
	h.going_cold = false;
	agenda_note_health(&it, &h);
	assert_int_equal(it.n_reasons, 0);
	h.going_cold = true;
	agenda_note_health(&it, &h);
	assert_int_equal(it.n_reasons, 1);
	assert_int_equal(it.reasons[0].kind, REASON_GOING_COLD);
	assert_string_equal(it.reasons[0].text,
			    "going cold: health 37, down 20 in 30 days");
	/* Reasons stop at AGENDA_MAX_REASONS, silently. */
	for (int i = 0; i < AGENDA_MAX_REASONS + 3; i++)
		agenda_note_health(&it, &h);
	assert_int_equal(it.n_reasons, AGENDA_MAX_REASONS);
}

/* How long an email waited, in working minutes, in Today's words. */
static const struct {
	double minutes;
	int day;	/* working day length in minutes */
	int64_t age;	/* calendar seconds since it came */
	const char *want;
} unanswered_rows[] = {
	{ 0, 540, 30, "unanswered, just now" },
	{ 0, 540, 2 * 86400, "unanswered, outside working hours so far" },
	{ 0.5, 540, 30, "unanswered, just now" },
	{ 1, 540, 60, "unanswered for 1 working minute" },
	{ 59.9, 540, 3600, "unanswered for 59 working minutes" },
	{ 60, 540, 3600, "unanswered for 1 working hour" },
	{ 539, 540, 86400, "unanswered for 8 working hours" },
	{ 540, 540, 86400, "unanswered for 1 working day" },
	/* One day and eight hours: rounded down, never overstated. */
	{ 1019, 540, 2 * 86400, "unanswered for 1 working day" },
	{ 1080, 540, 4 * 86400, "unanswered for 2 working days" },
	{ 1080, 480, 4 * 86400, "unanswered for 2 working days" },
	{ -5, 540, 86400, "unanswered, outside working hours so far" },
};

static void test_unanswered_words(void **state)
{
	(void)state;
	for (size_t i = 0;
	     i < sizeof(unanswered_rows) / sizeof(unanswered_rows[0]); i++) {
		char buf[64];

		agenda_unanswered_words(buf, sizeof(buf),
					unanswered_rows[i].minutes,
					unanswered_rows[i].day,
					unanswered_rows[i].age);
		if (strcmp(buf, unanswered_rows[i].want))
			fail_msg("row %zu: \"%s\", want \"%s\"", i + 1, buf,
				 unanswered_rows[i].want);
	}
}

/* An email's signal reason is reworded in place, keeping its subject,
 * its "(and N more)" and the reasons after it; anything else stays. */
static void test_note_unanswered(void **state)
{
	struct agenda_input in = { 0 };
	struct agenda_item it = { 0 };
	kith_time now = 2000000000;

	(void)state;
	in.id = 7;
	in.name = "Dana";
	in.every = kith_cadence_decode(0);
	in.meet = kith_cadence_decode(0);
	in.created_at = now - 400 * D;
	in.last_touch = now - 3 * D;
	in.last_in_person = KITH_NO_TIME;
	in.snooze_until = KITH_NO_TIME;
	in.last_gift = KITH_NO_TIME;
	in.since = KITH_NO_DAY;
	in.date_in_days = -1;
	in.signals_waiting = 2;
	in.signal_at = now - 3 * D;
	in.signal_type = SIG_INBOUND_EMAIL;
	in.signal_what = "Pricing for spring?";
	in.promises_overdue = 1;
	in.promise_due = now - D;
	in.promise_text = "send specs";
	assert_true(agenda_score(&it, &in, now, (int32_t)(now / D)));
	assert_int_equal(it.n_reasons, 2);
	assert_string_equal(it.reasons[0].text,
			    "emailed 3 days ago: \"Pricing for spring?\" "
			    "(and 1 more)");
	agenda_note_unanswered(&it, &in, 1080, 540, now);
	assert_int_equal(it.n_reasons, 2);
	assert_int_equal(it.reasons[0].kind, REASON_SIGNAL);
	assert_string_equal(it.reasons[0].text,
			    "unanswered for 2 working days: \"Pricing for "
			    "spring?\" (and 1 more)");
	assert_string_equal(it.reasons[1].text, "promise overdue: send specs");
	/* A website visit keeps its words. */
	in.signals_waiting = 1;
	in.signal_type = SIG_WEBSITE_VISIT;
	in.signal_what = "/pricing";
	assert_true(agenda_score(&it, &in, now, (int32_t)(now / D)));
	agenda_note_unanswered(&it, &in, 1080, 540, now);
	assert_string_equal(it.reasons[0].text, "visited /pricing 3 days ago");
	/* An email without a subject reads without one. */
	in.signal_type = SIG_INBOUND_EMAIL;
	in.signal_what = NULL;
	assert_true(agenda_score(&it, &in, now, (int32_t)(now / D)));
	agenda_note_unanswered(&it, &in, 90, 540, now);
	assert_string_equal(it.reasons[0].text,
			    "unanswered for 1 working hour");
}

static void test_reason_names(void **state)
{
	static const char *const want[REASON_COUNT] = {
		"signal", "promise_overdue", "overdue", "never_touched",
		"in_person_overdue", "never_in_person", "date_soon",
		"thank_you_due", "going_cold",
	};

	(void)state;
	for (int k = 0; k < REASON_COUNT; k++)
		assert_string_equal(reason_kind_name(k), want[k]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agenda_score),
		cmocka_unit_test(test_components_values),
		cmocka_unit_test(test_components_monotone),
		cmocka_unit_test(test_rank_bound),
		cmocka_unit_test(test_days_until),
		cmocka_unit_test(test_item_cmp),
		cmocka_unit_test(test_note_health),
		cmocka_unit_test(test_unanswered_words),
		cmocka_unit_test(test_note_unanswered),
		cmocka_unit_test(test_reason_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
