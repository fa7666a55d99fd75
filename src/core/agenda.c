/* agenda.c: who to contact today, and why. Pure: no I/O, no clock. */
#include "agenda.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *reason_kind_name(enum reason_kind k)
{
	switch (k) {
	case REASON_SIGNAL:
		return "signal";
	case REASON_PROMISE_OVERDUE:
		return "promise_overdue";
	case REASON_OVERDUE:
		return "overdue";
	case REASON_NEVER_TOUCHED:
		return "never_touched";
	case REASON_IN_PERSON_OVERDUE:
		return "in_person_overdue";
	case REASON_NEVER_IN_PERSON:
		return "never_in_person";
	case REASON_DATE_SOON:
		return "date_soon";
	case REASON_THANK_YOU_DUE:
		return "thank_you_due";
	case REASON_GOING_COLD:
		return "going_cold";
	case REASON_COUNT:
		break;
	}
	return "?";
}

double agenda_tier_weight(enum tier t)
{
	switch (t) {
	case TIER_A:
		return 1.5;
	case TIER_B:
		return 1.0;
	case TIER_C:
		return 0.7;
	case TIER_NONE:
	case TIER_COUNT:
		break;
	}
	return 1.0;
}

kith_time agenda_anchor(kith_time last, kith_time created_at)
{
	return last != KITH_NO_TIME ? last : created_at;
}

double agenda_overdue_component(struct cadence c, kith_time anchor,
				kith_time now)
{
	if (kith_cadence_none(c) || now < kith_cadence_due(c, anchor))
		return 0.0;
	/* Calendar months make the due day fall up to 1.5 days before the
	 * 30.4375-day ratio reaches 1; a due contact is never below 1. */
	double r = (double)(now - anchor) / KITH_DAY / kith_cadence_days(c);
	return r < 1.0 ? 1.0 : r;
}

double agenda_date_component(int days_until)
{
	if (days_until < 0 || days_until > AGENDA_DATE_WINDOW)
		return 0.0;
	return 1.0 + (double)(AGENDA_DATE_WINDOW - days_until) /
			     AGENDA_DATE_WINDOW;
}

double agenda_promise_component(kith_time due, kith_time now)
{
	double days;

	if (due == KITH_NO_TIME || due >= now)
		return 0.0;
	days = (double)(now - due) / KITH_DAY;
	return days >= 14.0 ? 3.0 : 1.0 + days / 7.0;
}

int agenda_days_until(const struct kdate *d, int32_t today, int *years)
{
	int y, m, dd, ty, tm, td;
	int32_t next;

	*years = 0;
	if (!d->yearly) {
		if (d->day < today)
			return -1;
		return (int)(d->day - today);
	}
	kith_civil_from_days(d->day, &y, &m, &dd);
	kith_civil_from_days(today, &ty, &tm, &td);
	for (int yy = ty; yy <= ty + 1; yy++) {
		int day = dd;

		if (m == 2 && dd == 29 && kith_days_in_month(yy, 2) == 28)
			day = 28;
		next = kith_days_from_civil(yy, m, day);
		if (next >= today) {
			if (d->year_known && yy > y)
				*years = yy - y;
			return (int)(next - today);
		}
	}
	return -1;
}

static void add_reason(struct agenda_item *it, enum reason_kind kind,
		       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void add_reason(struct agenda_item *it, enum reason_kind kind,
		       const char *fmt, ...)
{
	va_list ap;
	struct agenda_reason *r;

	if (it->n_reasons >= AGENDA_MAX_REASONS)
		return;
	r = &it->reasons[it->n_reasons++];
	r->kind = kind;
	va_start(ap, fmt);
	vsnprintf(r->text, sizeof(r->text), fmt, ap);
	va_end(ap);
}

static void when_words(char *buf, size_t n, int days)
{
	if (days == 0)
		snprintf(buf, n, "today");
	else if (days == 1)
		snprintf(buf, n, "tomorrow");
	else
		snprintf(buf, n, "in %d days", days);
}

const char *agenda_signal_words(char *buf, size_t n, enum signal_type t,
				const char *what, kith_time at, kith_time now)
{
	int64_t age = now > at ? now - at : 0;
	char ago[32];
	const char *w = what && *what ? what : NULL;

	if (age < 60)
		snprintf(ago, sizeof(ago), "just now");
	else if (age < 3600)
		snprintf(ago, sizeof(ago), "%lld min ago", (long long)(age / 60));
	else if (age < KITH_DAY)
		snprintf(ago, sizeof(ago), "%lld h ago", (long long)(age / 3600));
	else
		snprintf(ago, sizeof(ago), "%lld days ago",
			 (long long)(age / KITH_DAY));
	switch (t) {
	case SIG_WEBSITE_VISIT:
		snprintf(buf, n, "visited %s %s", w ? w : "the website", ago);
		break;
	case SIG_MENTION:
		snprintf(buf, n, "mentioned you %s%s%.80s%s", ago,
			 w ? ": \"" : "", w ? w : "", w ? "\"" : "");
		break;
	case SIG_INBOUND_EMAIL:
		snprintf(buf, n, "emailed %s%s%.80s%s", ago, w ? ": \"" : "",
			 w ? w : "", w ? "\"" : "");
		break;
	case SIG_MISSED_CALL:
		snprintf(buf, n, "missed call %s", ago);
		break;
	case SIG_FORM:
		snprintf(buf, n, "filled in a form %s", ago);
		break;
	case SIG_COUNT:
		snprintf(buf, n, "signal %s", ago);
		break;
	}
	return buf;
}

const char *agenda_unanswered_words(char *buf, size_t n, double work_minutes,
				    int day_minutes, int64_t age)
{
	long long m = work_minutes > 0 ? (long long)work_minutes : 0;
	long long c;
	const char *unit;

	if (m < 1) {
		snprintf(buf, n, "unanswered, %s",
			 age < 60 ? "just now" : "outside working hours so far");
		return buf;
	}
	if (day_minutes > 0 && m >= day_minutes) {
		c = m / day_minutes;
		unit = "working day";
	} else if (m >= 60) {
		c = m / 60;
		unit = "working hour";
	} else {
		c = m;
		unit = "working minute";
	}
	snprintf(buf, n, "unanswered for %lld %s%s", c, unit,
		 c == 1 ? "" : "s");
	return buf;
}

void agenda_note_unanswered(struct agenda_item *it,
			    const struct agenda_input *in,
			    double work_minutes, int day_minutes,
			    kith_time now)
{
	const char *w = in->signal_what && *in->signal_what
				? in->signal_what
				: NULL;
	char words[64], what[200];

	if (!in->signals_waiting || in->signal_type != SIG_INBOUND_EMAIL)
		return;
	agenda_unanswered_words(words, sizeof(words), work_minutes,
				day_minutes,
				now > in->signal_at ? now - in->signal_at : 0);
	snprintf(what, sizeof(what), "%s%s%.80s%s", words, w ? ": \"" : "",
		 w ? w : "", w ? "\"" : "");
	for (int i = 0; i < it->n_reasons; i++) {
		struct agenda_reason *r = &it->reasons[i];

		if (r->kind != REASON_SIGNAL)
			continue;
		/* Re-add it in its own slot: add_reason writes the next one. */
		int n = it->n_reasons;

		it->n_reasons = i;
		if (in->signals_waiting > 1)
			add_reason(it, REASON_SIGNAL, "%s (and %d more)", what,
				   in->signals_waiting - 1);
		else
			add_reason(it, REASON_SIGNAL, "%s", what);
		it->n_reasons = n;
		return;
	}
}

bool agenda_score(struct agenda_item *out, const struct agenda_input *in,
		  kith_time now, int32_t today)
{
	kith_time anchor = agenda_anchor(in->last_touch, in->created_at);
	kith_time meet_anchor = agenda_anchor(in->last_in_person,
					      in->created_at);
	double overdue, meet, date, promise, best;
	struct loyalty loy;
	char cad[48];

	memset(out, 0, sizeof(*out));
	out->id = in->id;
	out->name = in->name;
	out->days_since_touch = in->last_touch == KITH_NO_TIME
					? -1
					: (now - in->last_touch) / KITH_DAY;
	out->days_since_in_person =
		in->last_in_person == KITH_NO_TIME
			? -1
			: (now - in->last_in_person) / KITH_DAY;
	out->due_at = kith_cadence_none(in->every)
			      ? KITH_NO_TIME
			      : kith_cadence_due(in->every, anchor);
	if (in->snooze_until != KITH_NO_TIME && in->snooze_until > now)
		return false;

	overdue = agenda_overdue_component(in->every, anchor, now);
	meet = agenda_overdue_component(in->meet, meet_anchor, now);
	date = agenda_date_component(in->date_in_days);
	promise = in->promises_overdue
			  ? agenda_promise_component(in->promise_due, now)
			  : 0.0;
	best = overdue;
	if (in->signals_waiting && AGENDA_SIGNAL_COMPONENT > best)
		best = AGENDA_SIGNAL_COMPONENT;
	if (meet > best)
		best = meet;
	if (date > best)
		best = date;
	if (promise > best)
		best = promise;
	if (best <= 0.0)
		return false;
	score_loyalty(&loy, in->since, 0, in->last_gift, today, now);
	out->rank = best * agenda_tier_weight(in->tier) * loy.multiplier;

	if (in->signals_waiting) {
		char what[200];

		agenda_signal_words(what, sizeof(what), in->signal_type,
				    in->signal_what, in->signal_at, now);
		if (in->signals_waiting > 1)
			add_reason(out, REASON_SIGNAL, "%s (and %d more)", what,
				   in->signals_waiting - 1);
		else
			add_reason(out, REASON_SIGNAL, "%s", what);
	}
	if (promise > 0.0) {
		if (in->promises_overdue > 1)
			add_reason(out, REASON_PROMISE_OVERDUE,
				   "promise overdue: %s (and %d more)",
				   in->promise_text ? in->promise_text : "",
				   in->promises_overdue - 1);
		else
			add_reason(out, REASON_PROMISE_OVERDUE,
				   "promise overdue: %s",
				   in->promise_text ? in->promise_text : "");
	}
	if (overdue > 0.0) {
		kith_cadence_words(in->every, cad, sizeof(cad));
		if (in->last_touch == KITH_NO_TIME)
			add_reason(out, REASON_NEVER_TOUCHED,
				   "never in touch, added %lld days ago (%s)",
				   (long long)((now - in->created_at) /
					       KITH_DAY),
				   cad);
		else
			add_reason(out, REASON_OVERDUE,
				   "%lld days since last touch (%s)",
				   (long long)out->days_since_touch, cad);
	}
	if (meet > 0.0) {
		kith_cadence_words(in->meet, cad, sizeof(cad));
		if (in->last_in_person == KITH_NO_TIME)
			add_reason(out, REASON_NEVER_IN_PERSON,
				   "never met in person (%s)", cad);
		else
			add_reason(out, REASON_IN_PERSON_OVERDUE,
				   "no face-to-face in %lld days (%s)",
				   (long long)out->days_since_in_person, cad);
	}
	if (date > 0.0) {
		char when[32];

		when_words(when, sizeof(when), in->date_in_days);
		if (in->date_years > 0)
			add_reason(out, REASON_DATE_SOON, "%s %s (%d)",
				   in->date_kind ? in->date_kind : "date",
				   when, in->date_years);
		else
			add_reason(out, REASON_DATE_SOON, "%s %s",
				   in->date_kind ? in->date_kind : "date",
				   when);
	}
	if (loy.thank_you_due) {
		if (in->last_gift == KITH_NO_TIME)
			add_reason(out, REASON_THANK_YOU_DUE,
				   "client for %d years, never thanked with "
				   "a gift",
				   (int)loy.tenure_years);
		else
			add_reason(out, REASON_THANK_YOU_DUE,
				   "client for %d years, last gift %lld days "
				   "ago",
				   (int)loy.tenure_years,
				   (long long)((now - in->last_gift) /
					       KITH_DAY));
	}
	return true;
}

double agenda_bound(const struct agenda_input *in, kith_time now,
		    int32_t today)
{
	double best = AGENDA_EVENT_MAX, c;

	if (in->snooze_until != KITH_NO_TIME && in->snooze_until > now)
		return 0.0;
	c = agenda_overdue_component(in->every,
				     agenda_anchor(in->last_touch,
						   in->created_at),
				     now);
	if (c > best)
		best = c;
	c = agenda_overdue_component(in->meet,
				     agenda_anchor(in->last_in_person,
						   in->created_at),
				     now);
	if (c > best)
		best = c;
	return best * agenda_tier_weight(in->tier) *
	       score_loyalty_multiplier(score_tenure_years(in->since, today));
}

void agenda_note_health(struct agenda_item *it, const struct health *h)
{
	if (h->going_cold)
		add_reason(it, REASON_GOING_COLD,
			   "going cold: health %d, down %d in 30 days",
			   h->score, -h->trend);
}

int agenda_item_cmp(const void *a, const void *b)
{
	const struct agenda_item *x = a, *y = b;

	if (x->rank > y->rank)
		return -1;
	if (x->rank < y->rank)
		return 1;
	return (x->id > y->id) - (x->id < y->id);
}
