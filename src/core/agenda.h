/*
 * agenda.h: who to contact today, and why. Pure: no I/O, no clock.
 *
 * A contact's rank is its most urgent component times its weight:
 *
 *   rank = max(signal, overdue, in_person, date, promise)
 *          * tier_weight * loyalty
 *
 * Each component is 0 when it does not apply and at least 1 when it
 * does, so a contact is on the agenda iff some component is positive.
 * Because rank is a max of components times a weight bounded by
 * AGENDA_MAX_WEIGHT, the top of the list can be read from one index per
 * component (threshold algorithm, see app/agenda_query.c) and stays exact.
 * docs/FORMULAS.md works examples by hand.
 *
 * Contract of every function here: none can fail, so none returns a
 * status; none allocates; inputs are borrowed and only read, and an out
 * struct is the caller's, written whole. Strings returned are static or
 * the caller's own buffer.
 */
#ifndef KITH_AGENDA_H
#define KITH_AGENDA_H

#include "model.h"
#include "score.h"

#define AGENDA_DATE_WINDOW 7	/* days ahead a date counts as soon */
#define AGENDA_MAX_REASONS 8
/* Largest tier weight times largest loyalty multiplier. */
#define AGENDA_MAX_WEIGHT (1.5 * 1.5)
/* A waiting signal puts its contact above everything else. */
#define AGENDA_SIGNAL_COMPONENT 100.0

enum reason_kind {
	REASON_SIGNAL,
	REASON_PROMISE_OVERDUE,
	REASON_OVERDUE,
	REASON_NEVER_TOUCHED,
	REASON_IN_PERSON_OVERDUE,
	REASON_NEVER_IN_PERSON,
	REASON_DATE_SOON,
	REASON_THANK_YOU_DUE,
	REASON_GOING_COLD,
	REASON_COUNT
};

/* "signal", "overdue", ... (static); "?" for a value out of range. */
const char *reason_kind_name(enum reason_kind k);

/* Everything the rank needs about one contact; strings are borrowed. */
struct agenda_input {
	int64_t id;
	const char *name;
	enum tier tier;
	int32_t since;			/* KITH_NO_DAY: unknown */
	struct cadence every;		/* effective; none: never due */
	struct cadence meet;		/* effective face-to-face; may be none */
	kith_time created_at;
	kith_time last_touch;		/* KITH_NO_TIME: never */
	kith_time last_in_person;	/* KITH_NO_TIME: never */
	kith_time snooze_until;		/* KITH_NO_TIME: not snoozed */
	/* The nearest date in the window: days until it, or -1. */
	int date_in_days;
	const char *date_kind;
	int date_years;			/* turning N / N years; 0: unknown */
	/* Open promises past due: how many, and the oldest. */
	int promises_overdue;
	kith_time promise_due;
	const char *promise_text;
	kith_time last_gift;		/* KITH_NO_TIME: never */
	/* Waiting signals: how many, and the oldest. */
	int signals_waiting;
	kith_time signal_at;
	enum signal_type signal_type;
	const char *signal_what;	/* URL path or text; may be NULL */
};

struct agenda_reason {
	enum reason_kind kind;
	char text[160];
};

struct agenda_item {
	int64_t id;
	const char *name;		/* borrowed from the input */
	double rank;
	int64_t days_since_touch;	/* -1: never */
	int64_t days_since_in_person;	/* -1: never */
	kith_time due_at;		/* KITH_NO_TIME: no cadence */
	struct agenda_reason reasons[AGENDA_MAX_REASONS];
	int n_reasons;
};

double agenda_tier_weight(enum tier t);

/* When the any-channel or face-to-face clock started: the last touch,
 * else the day the contact was added. */
kith_time agenda_anchor(kith_time last, kith_time created_at);

/* Component values (0 when not due). Monotone in their index order:
 * overdue falls as the anchor grows, promise falls as its due grows,
 * date falls as the days until it grow. */
double agenda_overdue_component(struct cadence c, kith_time anchor,
				kith_time now);
double agenda_date_component(int days_until);
double agenda_promise_component(kith_time due, kith_time now);

/*
 * Rank one contact at now (today is the local day number of now) and
 * write the item with its reasons. Returns true when the contact belongs
 * on the agenda (some component positive, not snoozed); *out is written
 * either way. out->name borrows in->name.
 */
bool agenda_score(struct agenda_item *out, const struct agenda_input *in,
		  kith_time now, int32_t today);

/* "visited /pricing 10 min ago" for a waiting signal, into buf (cut to
 * n bytes, always terminated); returns buf. */
const char *agenda_signal_words(char *buf, size_t n, enum signal_type t,
				const char *what, kith_time at, kith_time now);

/*
 * How long an email has waited, in the words Today shows: "unanswered for
 * 2 working days", "... for 3 working hours", "... for 12 working
 * minutes", into buf (cut to n bytes, always terminated); returns buf.
 * work_minutes is the wait counted in the owner's working hours (see
 * respond_work_minutes) and day_minutes the length of one working day
 * (end - start, > 0). Counts are rounded down, so a message waiting one
 * working day and eight hours reads "1 working day", never more. A
 * wait with no working minute in it yet reads "unanswered, outside
 * working hours so far" (age, the calendar wait in seconds, under a
 * minute reads "unanswered, just now").
 */
const char *agenda_unanswered_words(char *buf, size_t n, double work_minutes,
				    int day_minutes, int64_t age);

/*
 * Word the signal reason of it, scored from in, as an unanswered email
 * (agenda_unanswered_words, then the subject and "(and N more)" as the
 * other signal reasons carry them). Nothing happens unless in's oldest
 * waiting signal is an inbound email and it has a signal reason; the
 * caller counts the working minutes, which need the zone database this
 * module never reads.
 */
void agenda_note_unanswered(struct agenda_item *it,
			    const struct agenda_input *in,
			    double work_minutes, int day_minutes,
			    kith_time now);

/* Add a going-cold reason from a health already computed. */
void agenda_note_health(struct agenda_item *it, const struct health *h);

/* The most a dated or promised event can add as a component. */
#define AGENDA_EVENT_MAX 3.0

/*
 * An upper bound of the rank from the contact's own fields alone (its
 * dates, promises and gifts not yet read, signals assumed none): the
 * clocks' components and AGENDA_EVENT_MAX, times the exact weight. A
 * contact whose bound is below the current limit-th rank need not be
 * read further.
 */
double agenda_bound(const struct agenda_input *in, kith_time now,
		    int32_t today);

/* Order: rank descending, then id ascending. qsort-compatible. */
int agenda_item_cmp(const void *a, const void *b);

/* Days until the next occurrence of a date on or after today, and the
 * years it will mark (0 when the year is unknown); -1 if past and not
 * yearly. Feb 29 falls on Feb 28 in common years. */
int agenda_days_until(const struct kdate *d, int32_t today, int *years);

#endif
