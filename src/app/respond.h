/*
 * respond.h: how fast a person answered a signal, counted in the owner's
 * working hours, and the median, p90 and breaches over many signals.
 * Pure arithmetic over instants: no SQL, no clock; the only outside help
 * is kith.c's zone conversion. Loading signals and printing is the caller's.
 * Nothing here fails or returns a status; nothing allocates.
 */
#ifndef KITH_RESPOND_H
#define KITH_RESPOND_H

#include <stddef.h>

#include "../kith.h"

/* The response target when the settings name none, in working minutes. */
#define RESPOND_DEFAULT_TARGET_MINUTES 30.0

/*
 * An owner's working hours: the same local wall-clock window on every
 * working day. Working days are Monday to Friday, in the owner's zone;
 * Saturday and Sunday never count. There are no holidays.
 */
struct workhours {
	const char *tz;		/* "America/Chicago"; NULL or "": $TZ */
	int start_min;		/* after local midnight: 540 = 09:00 */
	int end_min;		/* 1080 = 18:00; start_min < end_min <= 1440 */
};

/*
 * Working minutes between from and to: the parts of [from, to) that fall
 * inside wh's window on a working day, in wh's zone. Fractional minutes
 * (a 30-second span is 0.5); 0 when to <= from. wh is borrowed; wh->tz
 * must be a zone kith_tz_valid accepts (an unknown one counts as UTC, as
 * libc does).
 *
 * Each working day's window is taken in local wall time and its two ends
 * converted to instants with the zone, so a DST change moves the window
 * with the clock: 09:00-18:00 stays 09:00-18:00 local on both sides of
 * it. A wall time is "the first instant the local clock reads it": one
 * skipped by a spring-forward gap is the moment of the jump, one repeated
 * by a fall-back is its first occurrence. So a window the clock runs
 * through twice, or skips part of, is longer or shorter than end - start
 * (Africa/Cairo falls back at 24:00 on a Thursday; see test_respond.c).
 *
 * Cost: O(days between): three zone conversions, then one per window
 * end on an ordinary working day (a few more and a bisection to the
 * second on a transition day). kith.c swaps $TZ under a lock for each,
 * about 40 us here, so a same-day span costs ~0.2 ms and a year ~22 ms;
 * a stats run over many signals pays that per signal. Assumes a zone
 * changes its offset at most once between two consecutive window ends
 * (today's zones change weeks apart). A window with start_min >= end_min
 * or outside 0..1440 is misuse (assert).
 */
double respond_work_minutes(kith_time from, kith_time to,
			    const struct workhours *wh);

struct respond_stats {
	size_t n;		/* answered signals counted */
	double median_minutes;	/* nearest rank (below); 0 when n is 0 */
	double p90_minutes;	/* nearest rank; 0 when n is 0 */
	size_t breaches;	/* answered over target, plus waiting over it */
	size_t waiting;		/* unanswered */
};

/*
 * Stats over response times (working minutes, >= 0) of answered signals,
 * answered[0..n_answered), and the elapsed working minutes so far of the
 * unanswered ones, waiting[0..n_waiting). A time strictly over
 * target_minutes is a breach (exactly on target is not), answered or
 * waiting. Either array may be NULL when its count is 0.
 *
 * Percentiles are nearest rank over the answered times sorted
 * ascending: the p-th percentile is the value at 1-based rank
 * ceil(p * n / 100), so the median is the ceil(n/2)-th value (the lower
 * of the two middle ones when n is even: {10, 20, 30, 40} gives 20) and
 * p90 the ceil(9n/10)-th. Every number shown is a real response time and
 * at least p% of answers took no longer; interpolation would report
 * times nobody took (25 and 37 for that set). Ranks are integer
 * arithmetic, so no 0.9 * n rounding creeps in.
 *
 * Cost: O(n) per percentile, at most 64 passes over answered[] (a
 * bisection on the bit patterns of non-negative doubles, which sort as
 * integers); allocates nothing and leaves the arrays as they are.
 * Sorting a copy would be faster on large sets but needs an allocation
 * this function could not report.
 */
void respond_stats(struct respond_stats *out, const double *answered,
		   size_t n_answered, const double *waiting, size_t n_waiting,
		   double target_minutes);

#endif
