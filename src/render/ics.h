/*
 * ics.h (render): kith's dates, promises and the day's agenda as an
 * iCalendar stream (RFC 5545) that Google Calendar, Apple Calendar and
 * Thunderbird subscribe to. Each event is built and serialised by
 * libical (escaping, folding, CRLF); the VCALENDAR around them is
 * written here so that a book of any size streams event by event
 * instead of living in memory as one libical tree. Which dates and
 * promises to write is the caller's (app/export.h).
 *
 * Events are all-day VEVENTs (a VTODO would be dropped by Google
 * Calendar's subscriptions): DTSTART;VALUE=DATE with DTEND the next
 * day, TRANSP:TRANSPARENT (they do not make anyone busy). UIDs are
 * stable ("kith-date-<id>@<domain>"), so a client updates an event in
 * place; DTSTAMP is when kith last changed the thing, so a feed fetched
 * twice is byte-identical and its ETag holds.
 */
#ifndef KITH_RENDER_ICS_H
#define KITH_RENDER_ICS_H

#include "../core/agenda.h"
#include "vcard.h" /* struct vcard_out, the growable buffer */

/*
 * The year a date without one is placed in. 1972 is a leap year (a
 * February 29 birthday exists in it) and after 1970 (clients that
 * expand recurrences through time_t, and Google Calendar, take it);
 * Apple's vCard year 1604 is older than some of them accept.
 */
#define ICS_NO_YEAR 1972

/* "BEGIN:VCALENDAR" with VERSION, PRODID, CALSCALE, METHOD:PUBLISH and
 * the calendar's name (X-WR-CALNAME; NULL: none), appended to out.
 * KITH_ENOMEM. */
int ics_begin(struct vcard_out *out, const char *name, struct kith_err *err);
/* "END:VCALENDAR". KITH_ENOMEM. */
int ics_end(struct vcard_out *out, struct kith_err *err);

/*
 * One date of contact `who` (kind "birthday", "anniversary" or the
 * user's own word): "Birthday: Dana Whitfield". A yearly date recurs
 * (RRULE:FREQ=YEARLY; a February 29 one on the month's last day,
 * BYMONTHDAY=-1, so it shows in other years too); a year-less one
 * starts in ICS_NO_YEAR. UID kith-date-<d->id>@<domain>. KITH_ENOMEM,
 * KITH_EIO when libical refuses what it was given (err says why).
 */
int ics_add_date(struct vcard_out *out, const struct kdate *d,
		 const char *who, const char *domain, struct kith_err *err);

/* An open promise due on local day `day` (the caller's zone):
 * "Promise to Dana: send the deck". UID kith-promise-<id>@<domain>. */
int ics_add_promise(struct vcard_out *out, const struct promise *p,
		    int32_t day, const char *domain, struct kith_err *err);

/*
 * The agenda of local day `today`: one event "Due today: N contacts"
 * whose DESCRIPTION lists each contact with the reasons, most urgent
 * first. UID kith-due-<YYYYMMDD>-<user_id>@<domain>. Nothing is written
 * for an empty agenda.
 */
int ics_add_agenda(struct vcard_out *out, const struct agenda_item *items,
		   size_t n, int32_t today, int64_t user_id,
		   const char *domain, kith_time stamp, struct kith_err *err);

#endif
