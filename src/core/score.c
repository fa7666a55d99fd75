/* score.c: richness, health, balance and loyalty. Pure functions. */
#include "score.h"

#include <math.h>

/* Published, not buried: docs/FORMULAS.md "Channel richness". */
static const double richness_table[CH_COUNT] = {
	[CH_IN_PERSON] = 1.0, [CH_VIDEO] = 0.7, [CH_CALL] = 0.6,
	[CH_LETTER] = 0.6,    [CH_GIFT] = 0.5,	[CH_TEXT] = 0.3,
	[CH_EMAIL] = 0.3,     [CH_SOCIAL] = 0.15,
};

double score_richness(enum channel ch)
{
	return ch < CH_COUNT ? richness_table[ch] : 0.0;
}

bool score_face_to_face(enum channel ch)
{
	return ch == CH_IN_PERSON || ch == CH_VIDEO;
}

bool score_human(enum channel ch)
{
	return score_richness(ch) >= 0.5;
}

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Parts rounded to one decimal so the shown parts add up to the score. */
static double round1(double v)
{
	return round(v * 10.0) / 10.0;
}

static void health_at(struct health *h, const struct score_touch *t,
		      size_t nt, const struct score_promise *p, size_t np,
		      struct cadence every, kith_time now)
{
	kith_time from = now - (kith_time)SCORE_WINDOW_DAYS * KITH_DAY;
	kith_time last = KITH_NO_TIME;
	double rich = 0.0, theirs = 0.0, cad;
	int n = 0, due = 0, kept = 0;

	for (size_t i = 0; i < nt; i++) {
		if (t[i].at > now)
			continue;
		if (last == KITH_NO_TIME || t[i].at > last)
			last = t[i].at;
		if (t[i].at <= from)
			continue;
		n++;
		rich += score_richness(t[i].channel);
		if (t[i].direction == DIR_IN)
			theirs += 1.0;
		else if (t[i].direction == DIR_MUTUAL)
			theirs += 0.5;
	}
	cad = kith_cadence_none(every) ? SCORE_DEFAULT_EVERY_DAYS
				       : kith_cadence_days(every);
	if (last == KITH_NO_TIME) {
		h->recency = 0.0;
	} else {
		double r = (double)(now - last) / KITH_DAY / cad;

		h->recency = r <= 1.0 ? 40.0 : 40.0 * clamp((3.0 - r) / 2.0,
							     0.0, 1.0);
	}
	h->richness = n ? 25.0 * rich / n : 0.0;
	h->reciprocity = n ? 20.0 * (1.0 - fabs(theirs / n - 0.5) * 2.0) : 0.0;
	for (size_t i = 0; i < np; i++) {
		if (p[i].due == KITH_NO_TIME || p[i].due > now ||
		    p[i].due <= from)
			continue;
		due++;
		if (p[i].done_at != KITH_NO_TIME && p[i].done_at <= p[i].due)
			kept++;
	}
	h->responsiveness = due ? 15.0 * kept / due : 15.0;
	h->recency = round1(h->recency);
	h->richness = round1(h->richness);
	h->reciprocity = round1(h->reciprocity);
	h->responsiveness = round1(h->responsiveness);
	h->touches = n;
	h->score = (int)lround(h->recency + h->richness + h->reciprocity +
			       h->responsiveness);
}

void score_health(struct health *out, const struct score_touch *t, size_t nt,
		  const struct score_promise *p, size_t np,
		  struct cadence every, kith_time now)
{
	struct health past;

	health_at(out, t, nt, p, np, every, now);
	health_at(&past, t, nt, p, np, every, now - 30 * (kith_time)KITH_DAY);
	out->score_30d_ago = past.score;
	out->trend = out->score - past.score;
	/* Cold is a level, going cold is a fall: both must hold. */
	out->going_cold = out->score < 50 && out->trend <= -15;
}

void score_balance_add(struct balance *b, const struct score_touch *t,
		       kith_time now)
{
	if (t->at > now ||
	    t->at <= now - (kith_time)SCORE_WINDOW_DAYS * KITH_DAY ||
	    t->channel >= CH_COUNT)
		return;
	b->total++;
	b->by_channel[t->channel]++;
	if (score_human(t->channel))
		b->human++;
	if (score_face_to_face(t->channel))
		b->face_to_face++;
}

void score_balance_finish(struct balance *b)
{
	b->human_share = b->total ? (double)b->human / b->total : 0.0;
	b->face_share = b->total ? (double)b->face_to_face / b->total : 0.0;
	b->digital_only = b->total >= 2 && b->human == 0;
}

double score_tenure_years(int32_t since, int32_t today)
{
	if (since == KITH_NO_DAY || since > today)
		return 0.0;
	return (today - since) / 365.25;
}

double score_loyalty_multiplier(double tenure_years)
{
	return 1.0 + 0.05 * clamp(tenure_years, 0.0, 10.0);
}

void score_loyalty(struct loyalty *out, int32_t since, int64_t lifetime_cents,
		   kith_time last_gift, int32_t today, kith_time now)
{
	out->tenure_years = score_tenure_years(since, today);
	out->lifetime_cents = lifetime_cents;
	out->last_gift = last_gift;
	out->loyal = out->tenure_years >= SCORE_LOYAL_YEARS;
	out->thank_you_due =
		out->loyal &&
		(last_gift == KITH_NO_TIME ||
		 now - last_gift > (kith_time)SCORE_THANKS_DAYS * KITH_DAY);
	out->multiplier = score_loyalty_multiplier(out->tenure_years);
}
