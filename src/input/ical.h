/*
 * ical.h: read an iCalendar file (RFC 5545) into plain events for
 * `kith meetings import`: recurring events expanded inside a window, times
 * in UTC, attendees as bare e-mail addresses. Parsing, time zones and
 * recurrence rules are libical's; matching attendees to contacts, storing
 * and focus time are the caller's.
 *
 * Global state: libical keeps one process-wide cache of the system zones
 * ("builtin" timezones, read from /usr/share/zoneinfo on first use, kept
 * until exit); libical >= 3.0 built with pthreads (Debian's is) guards it
 * with a mutex and keeps its error number per thread, so ical_parse may run
 * in several threads at once. Floating times go through kith_time_parse,
 * which swaps $TZ under kith.c's lock. Nothing here changes libical's
 * settings; a program that sets icalerror_set_errors_are_fatal(1) makes
 * libical abort on input it would otherwise report.
 */
#ifndef KITH_ICAL_H
#define KITH_ICAL_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/model.h"
#include "../kith.h"

/* Occurrences ical_parse examines per file, expanded ones included, before
 * it gives up with KITH_EINPUT (a FREQ=SECONDLY rule is a bomb, not a
 * calendar). Occurrences before the window count too: libical 3.0's
 * iterator starts at DTSTART. */
#define ICAL_MAX_OCCURRENCES 100000
/* What one file may hold and cost (KITH_EINPUT beyond): VEVENTs, returned
 * occurrences of one event and of the file, and wall-clock time spent in
 * parsing and expansion. A calendar is read under the server's write lock
 * and stored a row per occurrence: these bound the rows, the memory and
 * the time one upload can take. */
#define ICAL_MAX_EVENTS 2000
#define ICAL_MAX_PER_EVENT 500
#define ICAL_MAX_IN_WINDOW 5000
#define ICAL_BUDGET_MS 1000
/* SUMMARY and LOCATION are cut to this many bytes (on a UTF-8 boundary). */
#define ICAL_MAX_TEXT 1024

/* One occurrence of one event. Every string is owned by the struct. */
struct ical_event {
	char *uid;
	/* UTC seconds, end >= start. Without DTEND: DURATION, else start+1h
	 * for date-times, or the whole day for all-day dates. All-day dates
	 * run from local midnight to local midnight ($TZ). */
	kith_time start, end;
	bool all_day;	   /* DTSTART was a DATE */
	char *summary;	   /* may be NULL; at most ICAL_MAX_TEXT bytes */
	char *location;	   /* may be NULL; at most ICAL_MAX_TEXT bytes */
	char *organizer;   /* email, lower-case, no "mailto:"; may be NULL */
	struct strlist attendees; /* emails, lower-case, no "mailto:", unique */
	bool video; /* ical_is_video(LOCATION, DESCRIPTION); the description
		     * itself is not kept */
};

/*
 * Parse text[0..len) (file names it in errors; NULL: "") into *out, n
 * occurrences sorted by start, then uid. Every VEVENT whose occurrence
 * overlaps [from, to) is returned (an event of zero length counts when
 * from <= start < to); recurring events (RRULE, RDATE, EXDATE) are
 * expanded into one ical_event per occurrence in the window, same uid,
 * different start. An event with a RECURRENCE-ID replaces the occurrence
 * of its master it names (and a cancelled one removes it).
 *
 * Time zones: a TZID is resolved with the calendar's VTIMEZONE when there
 * is one, else libical's builtin zones (the system zoneinfo); an unknown
 * TZID and floating times are local time in $TZ. Cancelled events
 * (STATUS:CANCELLED) are skipped.
 *
 * Statuses:
 *   KITH_OK      *out (NULL when *n is 0) is the caller's: ical_events_free.
 *   KITH_EINPUT  bad input; err names file:line where it can be found and
 *                the property ("DTSTART", "RRULE", "BEGIN"...): no
 *                BEGIN:VCALENDAR first, unbalanced BEGIN/END, a line with
 *                no ':', a NUL byte or bytes that are not UTF-8, a VEVENT
 *                without UID or DTSTART, a malformed date or time in
 *                DTSTART, DTEND, RECURRENCE-ID, EXDATE or RDATE (libical
 *                itself would read "2026112X" as a date), DTEND before
 *                DTSTART, both DTEND and DURATION, a rule libical cannot
 *                expand, a sub-daily rule with BYMONTH, BYWEEKNO,
 *                BYYEARDAY, BYMONTHDAY (and for SECONDLY and MINUTELY any
 *                BY part: each step of libical's iterator could cost years
 *                of seconds), BYMONTH/BYMONTHDAY/BYYEARDAY that never meet
 *                (libical would search to the year 2582), more than
 *                ICAL_MAX_OCCURRENCES occurrences examined, more than
 *                ICAL_MAX_EVENTS events, ICAL_MAX_PER_EVENT or
 *                ICAL_MAX_IN_WINDOW occurrences in the window, more than
 *                ICAL_BUDGET_MS of work.
 *                Other errors libical reports (an odd parameter, a bad
 *                GEO) are ignored: real calendars carry plenty of them.
 *   KITH_ENOMEM
 * On error *out is NULL and *n 0.
 * Cost: libical's parse, plus one pass over the text for lines, plus one
 * iterator step per occurrence from DTSTART to the end of the window.
 */
int ical_parse(struct ical_event **out, size_t *n, const char *text, size_t len,
	       const char *file, kith_time from, kith_time to,
	       struct kith_err *err);

/* Free e[0..n) and the array. NULL is fine. */
void ical_events_free(struct ical_event *e, size_t n);

/* Does the location or description (either may be NULL) hold a conference
 * link or words: zoom.us, meet.google.com, teams.microsoft.com, webex.com,
 * whereby.com, jit.si, facetime, "video call"? ASCII case-insensitive. */
bool ical_is_video(const char *location, const char *description);

#endif
