/* ics.c (render): dates, promises and the agenda as all-day VEVENTs,
 * each built and serialised by libical, inside a VCALENDAR written by
 * hand so the output streams. */
#include "ics.h"

#include <libical/ical.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_str(struct vcard_out *out, const char *s, struct kith_err *err)
{
	if (vcard_out_add(out, s, strlen(s)))
		return kith_err_nomem(err);
	return KITH_OK;
}

int ics_begin(struct vcard_out *out, const char *name, struct kith_err *err)
{
	icalproperty *p;
	char *line;
	int rc;

	rc = add_str(out,
		     "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
		     "PRODID:-//kith//kith " KITH_VERSION "//EN\r\n"
		     "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n",
		     err);
	if (rc || !name)
		return rc;
	/* Through libical, so the name is escaped and folded. */
	p = icalproperty_new_x(name);
	if (!p)
		return kith_err_nomem(err);
	icalproperty_set_x_name(p, "X-WR-CALNAME");
	line = icalproperty_as_ical_string_r(p);
	icalproperty_free(p);
	if (!line)
		return kith_err_nomem(err);
	rc = add_str(out, line, err);
	icalmemory_free_buffer(line);
	return rc;
}

int ics_end(struct vcard_out *out, struct kith_err *err)
{
	return add_str(out, "END:VCALENDAR\r\n", err);
}

static struct icaltimetype day_of(int y, int m, int d)
{
	struct icaltimetype t = icaltime_null_date();

	t.year = y;
	t.month = m;
	t.day = d;
	t.is_date = 1;
	return t;
}

static struct icaltimetype utc_of(kith_time at)
{
	return icaltime_from_timet_with_zone((time_t)at, 0,
					     icaltimezone_get_utc_timezone());
}

/* An all-day VEVENT on y-m-d with uid and summary; rrule may be NULL.
 * Serialised onto out and freed. */
static int event(struct vcard_out *out, int y, int m, int d, const char *uid,
		 const char *summary, const char *description,
		 const char *rrule, kith_time stamp, struct kith_err *err)
{
	icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
	struct icaltimetype start = day_of(y, m, d), end = start;
	char *text = NULL;
	int rc = KITH_OK;

	if (!ev)
		return kith_err_nomem(err);
	icaltime_adjust(&end, 1, 0, 0, 0);
	icalcomponent_add_property(ev, icalproperty_new_uid(uid));
	icalcomponent_add_property(ev, icalproperty_new_dtstamp(utc_of(stamp)));
	icalcomponent_add_property(ev, icalproperty_new_dtstart(start));
	icalcomponent_add_property(ev, icalproperty_new_dtend(end));
	icalcomponent_add_property(ev, icalproperty_new_summary(summary));
	if (description)
		icalcomponent_add_property(
		    ev, icalproperty_new_description(description));
	if (rrule) {
		struct icalrecurrencetype r = icalrecurrencetype_from_string(rrule);

		if (r.freq == ICAL_NO_RECURRENCE) {
			rc = kith_err_set(err, KITH_EIO, "rrule",
					  "libical refused RRULE %s", rrule);
			goto done;
		}
		icalcomponent_add_property(ev, icalproperty_new_rrule(r));
	}
	icalcomponent_add_property(ev,
				   icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
	text = icalcomponent_as_ical_string_r(ev);
	if (!text) {
		rc = kith_err_set(err, KITH_EIO, "event",
				  "libical could not write event %s", uid);
		goto done;
	}
	rc = add_str(out, text, err);
done:
	icalmemory_free_buffer(text);
	icalcomponent_free(ev);
	return rc;
}

/* "Birthday" from "birthday"; other kinds as the user wrote them. */
static void kind_words(char *buf, size_t n, const char *kind)
{
	snprintf(buf, n, "%s", kind && *kind ? kind : "Date");
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 'a' + 'A');
}

int ics_add_date(struct vcard_out *out, const struct kdate *d,
		 const char *who, const char *domain, struct kith_err *err)
{
	char uid[160], summary[1200], kind[128];
	const char *rrule = NULL;
	int y, m, day;

	kith_civil_from_days(d->day, &y, &m, &day);
	if (!d->year_known)
		y = ICS_NO_YEAR;
	if (d->yearly)
		/* RFC 5545 3.3.10 skips a February 29 in other years;
		 * the month's last day is where people keep it. */
		rrule = m == 2 && day == 29 ? "FREQ=YEARLY;BYMONTH=2;"
					      "BYMONTHDAY=-1"
					    : "FREQ=YEARLY";
	snprintf(uid, sizeof(uid), "kith-date-%lld@%s", (long long)d->id,
		 domain);
	kind_words(kind, sizeof(kind), d->kind);
	snprintf(summary, sizeof(summary), "%s: %s", kind, who ? who : "?");
	return event(out, y, m, day, uid, summary, NULL, rrule, d->created_at,
		     err);
}

int ics_add_promise(struct vcard_out *out, const struct promise *p,
		    int32_t day, const char *domain, struct kith_err *err)
{
	char uid[160], *summary;
	size_t n;
	int y, m, d, rc;

	n = strlen(p->text ? p->text : "") +
	    strlen(p->contact_name ? p->contact_name : "") + 32;
	summary = malloc(n);
	if (!summary)
		return kith_err_nomem(err);
	snprintf(summary, n, "Promise to %s: %s",
		 p->contact_name ? p->contact_name : "?",
		 p->text ? p->text : "");
	snprintf(uid, sizeof(uid), "kith-promise-%lld@%s", (long long)p->id,
		 domain);
	kith_civil_from_days(day, &y, &m, &d);
	rc = event(out, y, m, d, uid, summary, NULL, NULL, p->created_at, err);
	free(summary);
	return rc;
}

int ics_add_agenda(struct vcard_out *out, const struct agenda_item *items,
		   size_t n, int32_t today, int64_t user_id,
		   const char *domain, kith_time stamp, struct kith_err *err)
{
	struct vcard_out desc = { 0 };
	char uid[160], summary[64];
	int y, m, d, rc = KITH_OK;

	if (!n)
		return KITH_OK;
	kith_civil_from_days(today, &y, &m, &d);
	for (size_t i = 0; !rc && i < n; i++) {
		const char *name = items[i].name ? items[i].name : "?";

		if (i)
			rc = vcard_out_add(&desc, "\n", 1);
		if (!rc)
			rc = vcard_out_add(&desc, name, strlen(name));
		for (int r = 0; !rc && r < items[i].n_reasons; r++) {
			const char *t = items[i].reasons[r].text;

			rc = vcard_out_add(&desc, r ? "; " : ": ", 2);
			if (!rc)
				rc = vcard_out_add(&desc, t, strlen(t));
		}
	}
	if (rc) {
		vcard_out_free(&desc);
		return kith_err_nomem(err);
	}
	snprintf(uid, sizeof(uid), "kith-due-%04d%02d%02d-%lld@%s", y, m, d,
		 (long long)user_id, domain);
	snprintf(summary, sizeof(summary), "Due today: %zu contact%s", n,
		 n == 1 ? "" : "s");
	rc = event(out, y, m, d, uid, summary, desc.buf, NULL, stamp, err);
	vcard_out_free(&desc);
	return rc;
}
