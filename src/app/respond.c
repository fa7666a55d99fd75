/* respond.c: response time in working hours; its median, p90 and breaches. */
#include "respond.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

/* ---- working minutes ---- */

/* 1970-01-01 was a Thursday: day 0 is weekday 3 counting Monday as 0. */
static int weekday_mon0(int32_t day)
{
	int w = (int)(((int64_t)day + 3) % 7);

	return w < 0 ? w + 7 : w;
}

/* The local wall clock at t, as the Unix time of a UTC clock showing it. */
static kith_time wall_at(kith_time t, const char *tz)
{
	return t + kith_tz_offset(t, tz);
}

/*
 * The first instant whose wall clock reads at least `wall` (local time
 * written as if it were UTC). *hint is the offset at the previous window
 * end; on an ordinary day it is still right and one conversion settles
 * it. Otherwise try the offsets a day either side, keep the earliest
 * instant that shows `wall` exactly (the first of a fall-back's two),
 * and if none does the time is in a spring-forward gap: bisect to the
 * second of the jump, where the clock first shows a later time.
 */
static kith_time wall_to_time(kith_time wall, const char *tz, long *hint)
{
	kith_time t = wall - *hint, best = KITH_NO_TIME, lo, hi;
	long o = kith_tz_offset(t, tz);
	long around[3];

	if (o == *hint)
		return t;
	around[0] = kith_tz_offset(wall - KITH_DAY, tz);
	around[1] = kith_tz_offset(wall + KITH_DAY, tz);
	around[2] = o;
	for (int i = 0; i < 3; i++) {
		kith_time c = wall - around[i];

		if (wall_at(c, tz) == wall &&
		    (best == KITH_NO_TIME || c < best))
			best = c;
	}
	if (best != KITH_NO_TIME) {
		*hint = kith_tz_offset(best, tz);
		return best;
	}
	lo = wall - around[0];
	hi = wall - around[1];
	if (lo > hi) {
		kith_time s = lo;

		lo = hi;
		hi = s;
	}
	/* Not a single gap between lo and hi: no better answer than libc's. */
	if (!(wall_at(lo, tz) < wall && wall_at(hi, tz) >= wall)) {
		*hint = o;
		return t;
	}
	while (hi - lo > 1) {
		kith_time mid = lo + (hi - lo) / 2;

		if (wall_at(mid, tz) >= wall)
			hi = mid;
		else
			lo = mid;
	}
	*hint = kith_tz_offset(hi, tz);
	return hi;
}

double respond_work_minutes(kith_time from, kith_time to,
			    const struct workhours *wh)
{
	const char *tz;
	int32_t day, last;
	long hint;
	int64_t secs = 0;

	assert(wh);
	assert(wh->start_min >= 0 && wh->start_min < wh->end_min &&
	       wh->end_min <= 24 * 60);
	if (to <= from)
		return 0;
	tz = wh->tz && *wh->tz ? wh->tz : NULL;
	day = kith_time_day(from, tz);
	last = kith_time_day(to, tz);
	/*
	 * The offset a day before from, not at from: the first window may
	 * open before from, across a transition that from is already past.
	 */
	hint = kith_tz_offset(from - KITH_DAY, tz);
	for (; day <= last; day++) {
		kith_time midnight = (kith_time)day * KITH_DAY, ws, we;

		if (weekday_mon0(day) >= 5)
			continue;
		ws = wall_to_time(midnight + wh->start_min * 60, tz, &hint);
		we = wall_to_time(midnight + wh->end_min * 60, tz, &hint);
		if (ws < from)
			ws = from;
		if (we > to)
			we = to;
		if (we > ws)
			secs += we - ws;
	}
	return (double)secs / 60.0;
}

/* ---- stats ---- */

static uint64_t double_bits(double x)
{
	uint64_t u;

	memcpy(&u, &x, sizeof(u));
	return u;
}

static double bits_double(uint64_t u)
{
	double x;

	memcpy(&x, &u, sizeof(x));
	return x;
}

static size_t count_at_most(const double *v, size_t n, double x)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += v[i] <= x;
	return c;
}

/*
 * The k-th smallest (1-based) of v[0..n), all >= 0, without sorting:
 * non-negative doubles order as their bit patterns do, so bisect on the
 * pattern for the least x with k values <= x. That x is always one of
 * the values, and it takes at most 64 passes.
 */
static double kth_smallest(const double *v, size_t n, size_t k)
{
	uint64_t lo = 0, hi;
	double max = 0.0;

	assert(k >= 1 && k <= n);
	for (size_t i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	hi = double_bits(max);
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (count_at_most(v, n, bits_double(mid)) >= k)
			hi = mid;
		else
			lo = mid + 1;
	}
	return bits_double(lo);
}

void respond_stats(struct respond_stats *out, const double *answered,
		   size_t n_answered, const double *waiting, size_t n_waiting,
		   double target_minutes)
{
	assert(out);
	assert(answered || !n_answered);
	assert(waiting || !n_waiting);
	memset(out, 0, sizeof(*out));
	out->n = n_answered;
	out->waiting = n_waiting;
	for (size_t i = 0; i < n_answered; i++) {
		assert(answered[i] >= 0);	/* also false for NaN */
		out->breaches += answered[i] > target_minutes;
	}
	for (size_t i = 0; i < n_waiting; i++)
		out->breaches += waiting[i] > target_minutes;
	if (!n_answered)
		return;
	/* Nearest rank ceil(p * n / 100), in integers. */
	out->median_minutes = kth_smallest(answered, n_answered,
					   (n_answered + 1) / 2);
	out->p90_minutes = kth_smallest(answered, n_answered,
					(9 * n_answered + 9) / 10);
}
