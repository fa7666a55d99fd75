/*
 * test_score.c: richness, health, balance and loyalty of core/score.c.
 * Every expected number is worked by hand in docs/FORMULAS.md; a row
 * number there ("test_score.c health row 4") is the 1-based row here.
 */
#include "unit.h"

#include <math.h>
#include <stdio.h>

#include "core/score.h"

#define D ((kith_time)KITH_DAY)
/* now for every row: 2026-11-20T12:00:00Z (day 20777) */
#define TODAY 20777
#define NOW ((kith_time)TODAY * D + 12 * 3600)
#define NEVER INT32_MIN		/* a day offset meaning KITH_NO_TIME */
#define EPS 1e-9

static void near(double got, double want, double eps, const char *what,
		 size_t row)
{
	if (fabs(got - want) > eps)
		fail_msg("row %zu: %s: got %.10g, want %.10g", row, what, got,
			 want);
}

/* ---- richness ---- */

static void test_richness(void **state)
{
	static const struct {
		enum channel ch;
		double rich;
		bool human, face;
	} cases[] = {
		{ CH_IN_PERSON, 1.0, true, true },
		{ CH_VIDEO, 0.7, true, true },
		{ CH_CALL, 0.6, true, false },
		{ CH_LETTER, 0.6, true, false },
		{ CH_GIFT, 0.5, true, false },
		{ CH_TEXT, 0.3, false, false },
		{ CH_EMAIL, 0.3, false, false },
		{ CH_SOCIAL, 0.15, false, false },
		{ CH_COUNT, 0.0, false, false },	/* out of range */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		near(score_richness(cases[i].ch), cases[i].rich, 0.0,
		     "richness", i + 1);
		assert_int_equal(score_human(cases[i].ch), cases[i].human);
		assert_int_equal(score_face_to_face(cases[i].ch),
				 cases[i].face);
	}
	/* Richest first: the table is ordered as the enum. */
	for (int ch = 1; ch < CH_COUNT; ch++)
		assert_true(score_richness(ch) <= score_richness(ch - 1));
}

/* ---- health ---- */

struct touch_row {
	int ago;		/* days before now; negative: in the future */
	enum channel ch;
	enum direction dir;
};

struct promise_row {
	int due_ago;		/* days before now, or NEVER */
	int done_ago;		/* days before now, or NEVER: open */
};

static const struct health_row {
	struct touch_row t[4];
	size_t nt;
	struct promise_row p[5];
	size_t np;
	const char *every;	/* kith_cadence_parse; "0": none */
	double recency, richness, reciprocity, responsiveness;
	int score, touches, score_30d_ago, trend;
	bool going_cold;
} health_rows[] = {
	/* 1: nothing at all: only the promise part, which is full. */
	{ { { 0 } }, 0, { { 0 } }, 0, "0",
	  0.0, 0.0, 0.0, 15.0, 15, 0, 15, 0, false },
	/* 2: met in person 10 days ago, cadence 30. */
	{ { { 10, CH_IN_PERSON, DIR_MUTUAL } }, 1, { { 0 } }, 0, "30",
	  40.0, 25.0, 20.0, 15.0, 100, 1, 15, 85, false },
	/* 3: two emails, theirs 50 days ago, ours 45; cadence 30. */
	{ { { 45, CH_EMAIL, DIR_OUT }, { 50, CH_EMAIL, DIR_IN } }, 2,
	  { { 0 } }, 0, "30",
	  30.0, 7.5, 20.0, 15.0, 73, 2, 83, -10, false },
	/* 4: one call out 80 days ago, cadence 30: going cold. */
	{ { { 80, CH_CALL, DIR_OUT } }, 1, { { 0 } }, 0, "30",
	  6.7, 15.0, 0.0, 15.0, 37, 1, 57, -20, true },
	/* 5: video in 5 days ago, monthly; promises kept, late, open,
	 * not yet due, and due before the window. */
	{ { { 5, CH_VIDEO, DIR_IN } }, 1,
	  { { 10, 12 }, { 20, 18 }, { 3, NEVER }, { -5, NEVER },
	    { 400, 401 } }, 5, "1m",
	  40.0, 17.5, 0.0, 5.0, 63, 1, 15, 48, false },
	/* 6: quarterly; letter out 100 days ago, text and email in, a
	 * social touch already out of the window. */
	{ { { 100, CH_LETTER, DIR_OUT }, { 200, CH_TEXT, DIR_IN },
	    { 250, CH_EMAIL, DIR_IN }, { 400, CH_SOCIAL, DIR_MUTUAL } }, 4,
	  { { 0 } }, 0, "3m",
	  38.1, 10.0, 13.3, 15.0, 76, 3, 78, -2, false },
	/* 7: yearly; the only touch left the window but still sets
	 * recency. */
	{ { { 400, CH_IN_PERSON, DIR_MUTUAL } }, 1, { { 0 } }, 0, "1y",
	  38.1, 0.0, 0.0, 15.0, 53, 0, 55, -2, false },
	/* 8: weekly; two emails out, a meeting booked in the future. */
	{ { { 2, CH_EMAIL, DIR_OUT }, { 1, CH_EMAIL, DIR_OUT },
	    { -3, CH_IN_PERSON, DIR_MUTUAL } }, 3, { { 0 } }, 0, "7",
	  40.0, 7.5, 0.0, 15.0, 63, 2, 15, 48, false },
	/* 9: no touches; a promise kept on its due time, one open, one
	 * without a due time. */
	{ { { 0 } }, 0, { { 1, 1 }, { 2, NEVER }, { NEVER, NEVER } }, 3, "0",
	  0.0, 0.0, 0.0, 7.5, 8, 0, 15, -7, false },
};

static kith_time ago_time(int ago)
{
	return ago == NEVER ? KITH_NO_TIME : NOW - ago * D;
}

static void test_health(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(health_rows) / sizeof(health_rows[0]);
	     i++) {
		const struct health_row *r = &health_rows[i];
		struct score_touch t[4];
		struct score_promise p[5];
		struct cadence every;
		struct health h;

		assert_int_equal(kith_cadence_parse(&every, r->every, "every",
						    NULL),
				 KITH_OK);
		for (size_t k = 0; k < r->nt; k++) {
			t[k].at = ago_time(r->t[k].ago);
			t[k].channel = r->t[k].ch;
			t[k].direction = r->t[k].dir;
		}
		for (size_t k = 0; k < r->np; k++) {
			p[k].due = ago_time(r->p[k].due_ago);
			p[k].done_at = ago_time(r->p[k].done_ago);
		}
		score_health(&h, t, r->nt, p, r->np, every, NOW);
		near(h.recency, r->recency, EPS, "recency", i + 1);
		near(h.richness, r->richness, EPS, "richness", i + 1);
		near(h.reciprocity, r->reciprocity, EPS, "reciprocity", i + 1);
		near(h.responsiveness, r->responsiveness, EPS,
		     "responsiveness", i + 1);
		if (h.score != r->score || h.touches != r->touches ||
		    h.score_30d_ago != r->score_30d_ago ||
		    h.trend != r->trend || h.going_cold != r->going_cold)
			fail_msg("row %zu: score %d touches %d 30d %d trend %d "
				 "cold %d; want %d %d %d %d %d",
				 i + 1, h.score, h.touches, h.score_30d_ago,
				 h.trend, h.going_cold, r->score, r->touches,
				 r->score_30d_ago, r->trend, r->going_cold);
	}
}

/* Touches are taken in any order: the rows reversed score the same. */
static void test_health_order(void **state)
{
	const struct health_row *r = &health_rows[5];
	struct score_touch fwd[4], rev[4];
	struct cadence every = { 0, 3 };
	struct health a, b;

	(void)state;
	for (size_t k = 0; k < r->nt; k++) {
		fwd[k].at = ago_time(r->t[k].ago);
		fwd[k].channel = r->t[k].ch;
		fwd[k].direction = r->t[k].dir;
		rev[r->nt - 1 - k] = fwd[k];
	}
	score_health(&a, fwd, r->nt, NULL, 0, every, NOW);
	score_health(&b, rev, r->nt, NULL, 0, every, NOW);
	assert_int_equal(a.score, b.score);
	assert_int_equal(a.trend, b.trend);
	near(a.recency, b.recency, 0.0, "recency", 6);
}

/* Recency is 40 up to one cadence, 20 at two, 0 from three on. */
static void test_health_recency_steps(void **state)
{
	static const struct {
		int ago;
		double recency;
	} cases[] = {
		{ 0, 40.0 }, { 30, 40.0 }, { 45, 30.0 }, { 60, 20.0 },
		{ 75, 10.0 }, { 90, 0.0 }, { 1000, 0.0 },
	};
	struct cadence every = { 30, 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct score_touch t = { NOW - cases[i].ago * D, CH_EMAIL,
					 DIR_OUT };
		struct health h;

		score_health(&h, &t, 1, NULL, 0, every, NOW);
		near(h.recency, cases[i].recency, EPS, "recency", i + 1);
	}
}

/* ---- balance ---- */

static void test_balance(void **state)
{
	static const struct {
		struct {
			int ago;
			enum channel ch;
		} t[5];
		size_t nt;
		int total, human, face;
		double human_share, face_share;
		bool digital_only;
	} cases[] = {
		/* 1 */ { { { 0 } }, 0, 0, 0, 0, 0.0, 0.0, false },
		/* 2 */ { { { 1, CH_EMAIL }, { 2, CH_TEXT } }, 2,
			  2, 0, 0, 0.0, 0.0, true },
		/* 3: one touch is too few to judge */
		{ { { 1, CH_EMAIL } }, 1, 1, 0, 0, 0.0, 0.0, false },
		/* 4: out of the window and in the future do not count */
		{ { { 1, CH_EMAIL }, { 2, CH_SOCIAL }, { 400, CH_IN_PERSON },
		    { -1, CH_CALL } }, 4,
		  2, 0, 0, 0.0, 0.0, true },
		/* 5: a gift is human (richness 0.5) */
		{ { { 1, CH_EMAIL }, { 2, CH_EMAIL }, { 3, CH_GIFT } }, 3,
		  3, 1, 0, 1.0 / 3.0, 0.0, false },
		/* 6 */
		{ { { 1, CH_IN_PERSON }, { 2, CH_VIDEO }, { 3, CH_CALL },
		    { 4, CH_EMAIL } }, 4,
		  4, 3, 2, 0.75, 0.5, false },
		/* 7: the window is (now - 365 days, now] */
		{ { { 365, CH_IN_PERSON }, { 0, CH_EMAIL },
		    { 364, CH_EMAIL } }, 3,
		  2, 0, 0, 0.0, 0.0, true },
		/* 8: an unknown channel is skipped */
		{ { { 1, CH_COUNT }, { 1, CH_LETTER } }, 2,
		  1, 1, 0, 1.0, 0.0, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct balance b = { 0 };
		int sum = 0;

		for (size_t k = 0; k < cases[i].nt; k++) {
			struct score_touch t = {
				NOW - cases[i].t[k].ago * D, cases[i].t[k].ch,
				DIR_OUT
			};

			score_balance_add(&b, &t, NOW);
		}
		score_balance_finish(&b);
		for (int ch = 0; ch < CH_COUNT; ch++)
			sum += b.by_channel[ch];
		if (b.total != cases[i].total || b.human != cases[i].human ||
		    b.face_to_face != cases[i].face ||
		    b.digital_only != cases[i].digital_only)
			fail_msg("row %zu: total %d human %d face %d digital %d",
				 i + 1, b.total, b.human, b.face_to_face,
				 b.digital_only);
		assert_int_equal(sum, b.total);
		near(b.human_share, cases[i].human_share, EPS, "human_share",
		     i + 1);
		near(b.face_share, cases[i].face_share, EPS, "face_share",
		     i + 1);
	}
}

/* ---- loyalty ---- */

static void test_loyalty_multiplier(void **state)
{
	static const struct {
		double years, want;
	} cases[] = {
		{ -1.0, 1.0 }, { 0.0, 1.0 }, { 1.0, 1.05 }, { 4.0, 1.2 },
		{ 10.0, 1.5 }, { 25.0, 1.5 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		near(score_loyalty_multiplier(cases[i].years), cases[i].want,
		     EPS, "multiplier", i + 1);
}

static void test_loyalty(void **state)
{
	static const struct {
		const char *since;	/* NULL: unknown */
		const char *today;
		int gift_ago;		/* days before now, or NEVER */
		double tenure;
		bool loyal, thank_you_due;
		double multiplier;
	} cases[] = {
		/* 1 */ { NULL, "2026-11-20", NEVER, 0.0, false, false, 1.0 },
		/* 2: client-since in the future */
		{ "2026-12-01", "2026-11-20", NEVER, 0.0, false, false, 1.0 },
		/* 3: six years, one leap day: 2191 / 365.25 */
		{ "2020-11-20", "2026-11-20", NEVER,
		  2191.0 / 365.25, true, true, 1.0 + 0.05 * 2191.0 / 365.25 },
		/* 4: same, thanked 100 days ago */
		{ "2020-11-20", "2026-11-20", 100,
		  2191.0 / 365.25, true, false, 1.0 + 0.05 * 2191.0 / 365.25 },
		/* 5: last gift exactly 365 days ago is still recent */
		{ "2020-11-20", "2026-11-20", 365,
		  2191.0 / 365.25, true, false, 1.0 + 0.05 * 2191.0 / 365.25 },
		/* 6: 366 days ago is not */
		{ "2020-11-20", "2026-11-20", 366,
		  2191.0 / 365.25, true, true, 1.0 + 0.05 * 2191.0 / 365.25 },
		/* 7: three years holding a leap day: 1096 days */
		{ "2023-11-20", "2026-11-20", NEVER,
		  1096.0 / 365.25, true, true, 1.0 + 0.05 * 1096.0 / 365.25 },
		/* 8: three years without one: 1095 days, not yet loyal */
		{ "2021-01-01", "2024-01-01", NEVER,
		  1095.0 / 365.25, false, false, 1.0 + 0.05 * 1095.0 / 365.25 },
		/* 9: four years are exactly 1461 days */
		{ "2022-11-20", "2026-11-20", 400, 4.0, true, true, 1.2 },
		/* 10: twenty years: the multiplier stops at 1.5 */
		{ "2006-01-01", "2026-01-01", NEVER, 20.0, true, true, 1.5 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int32_t since = KITH_NO_DAY, today;
		kith_time now;
		struct loyalty l;

		if (cases[i].since)
			assert_int_equal(kith_date_parse(&since, cases[i].since,
							 "since", NULL),
					 KITH_OK);
		assert_int_equal(kith_date_parse(&today, cases[i].today,
						 "today", NULL),
				 KITH_OK);
		now = (kith_time)today * D + 12 * 3600;
		score_loyalty(&l, since, 123456,
			      cases[i].gift_ago == NEVER
				      ? KITH_NO_TIME
				      : now - cases[i].gift_ago * D,
			      today, now);
		near(l.tenure_years, cases[i].tenure, EPS, "tenure", i + 1);
		near(l.multiplier, cases[i].multiplier, EPS, "multiplier",
		     i + 1);
		if (l.loyal != cases[i].loyal ||
		    l.thank_you_due != cases[i].thank_you_due)
			fail_msg("row %zu: loyal %d thank_you_due %d", i + 1,
				 l.loyal, l.thank_you_due);
		assert_int_equal(l.lifetime_cents, 123456);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_richness),
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_health_order),
		cmocka_unit_test(test_health_recency_steps),
		cmocka_unit_test(test_balance),
		cmocka_unit_test(test_loyalty_multiplier),
		cmocka_unit_test(test_loyalty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
