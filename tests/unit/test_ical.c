/* test_ical.c: the iCalendar reader against real libical and the system
 * zoneinfo: every row is one calendar and the occurrences it must give.
 * Floating and all-day times are read in TZ=America/New_York (set in
 * main). */
#include "unit.h"
#include <time.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/ical.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define CAL(body)                                                              \
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kith//test//EN\r\n" body  \
	"END:VCALENDAR\r\n"
#define EV(props) "BEGIN:VEVENT\r\nUID:u1\r\n" props "END:VEVENT\r\n"

/* A VTIMEZONE as Outlook and Google write them: RRULE-driven. */
#define VTZ_LONDON(id)                                                         \
	"BEGIN:VTIMEZONE\r\nTZID:" id "\r\n"                                   \
	"BEGIN:STANDARD\r\nDTSTART:19701025T020000\r\n"                        \
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"                          \
	"TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nTZNAME:GMT\r\n"             \
	"END:STANDARD\r\n"                                                     \
	"BEGIN:DAYLIGHT\r\nDTSTART:19700329T010000\r\n"                        \
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"                           \
	"TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nTZNAME:BST\r\n"             \
	"END:DAYLIGHT\r\nEND:VTIMEZONE\r\n"

/* A zone that exists only in the file: proves the file's VTIMEZONE wins. */
#define VTZ_FAKE                                                               \
	"BEGIN:VTIMEZONE\r\nTZID:Kith/Plus3\r\n"                               \
	"BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"                        \
	"TZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\nEND:STANDARD\r\n"           \
	"END:VTIMEZONE\r\n"

static kith_time at(const char *iso)
{
	kith_time t = 0;
	struct kith_err err = {0};

	if (kith_time_parse(&t, iso, "UTC", 0, "test", &err))
		fail_msg("bad test time %s", iso);
	return t;
}

/* "start/end,start/end" of every occurrence, for whole-result compares. */
static void describe(char *buf, size_t n, const struct ical_event *e, size_t ne)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ne && off < n; i++) {
		char s[32], t[32];

		off += (size_t)snprintf(buf + off, n - off, "%s%s/%s",
					i ? "," : "",
					kith_time_iso(e[i].start, s, sizeof(s)),
					kith_time_iso(e[i].end, t, sizeof(t)));
	}
}

/* ---- times, zones, recurrence ---- */

static void test_times_table(void **state)
{
	static const struct {
		const char *name;
		const char *ics;
		const char *from, *to; /* window, UTC */
		const char *want;      /* describe() of the result */
	} cases[] = {
	    /* 1 */ {"UTC",
		     CAL(EV("DTSTART:20261120T150000Z\r\n"
			    "DTEND:20261120T160000Z\r\n")),
		     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
		     "2026-11-20T15:00:00Z/2026-11-20T16:00:00Z"},
	    /* 2 */
	    {"Chicago, builtin, CST",
	     CAL(EV("DTSTART;TZID=America/Chicago:20261120T090000\r\n"
		    "DTEND;TZID=America/Chicago:20261120T093000\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-20T15:00:00Z/2026-11-20T15:30:00Z"},
	    /* 3 */
	    {"Chicago, builtin, CDT",
	     CAL(EV("DTSTART;TZID=America/Chicago:20260701T090000\r\n")),
	     "2026-07-01T00:00:00Z", "2026-07-02T00:00:00Z",
	     "2026-07-01T14:00:00Z/2026-07-01T15:00:00Z"},
	    /* 4 */
	    {"London, VTIMEZONE, BST",
	     CAL(VTZ_LONDON("Europe/London")
		     EV("DTSTART;TZID=Europe/London:20260701T090000\r\n")),
	     "2026-07-01T00:00:00Z", "2026-07-02T00:00:00Z",
	     "2026-07-01T08:00:00Z/2026-07-01T09:00:00Z"},
	    /* 5 */
	    {"London, VTIMEZONE, GMT",
	     CAL(VTZ_LONDON("Europe/London")
		     EV("DTSTART;TZID=Europe/London:20261120T090000\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-20T09:00:00Z/2026-11-20T10:00:00Z"},
	    /* 6 */
	    {"London, builtin, BST",
	     CAL(EV("DTSTART;TZID=Europe/London:20260701T090000\r\n")),
	     "2026-07-01T00:00:00Z", "2026-07-02T00:00:00Z",
	     "2026-07-01T08:00:00Z/2026-07-01T09:00:00Z"},
	    /* 7 */
	    {"Outlook zone name, VTIMEZONE",
	     CAL(VTZ_LONDON("GMT Standard Time")
		     EV("DTSTART;TZID=GMT Standard Time:20260701T090000\r\n")),
	     "2026-07-01T00:00:00Z", "2026-07-02T00:00:00Z",
	     "2026-07-01T08:00:00Z/2026-07-01T09:00:00Z"},
	    /* 8 */
	    {"file-only zone",
	     CAL(VTZ_FAKE EV("DTSTART;TZID=Kith/Plus3:20261120T090000\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-20T06:00:00Z/2026-11-20T07:00:00Z"},
	    /* 9 */
	    {"unknown TZID: local",
	     CAL(EV("DTSTART;TZID=Nowhere/Atall:20261120T090000\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-20T14:00:00Z/2026-11-20T15:00:00Z"},
	    /* 10 */
	    {"floating: local", CAL(EV("DTSTART:20261120T090000\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-20T14:00:00Z/2026-11-20T15:00:00Z"},
	    /* 11 */
	    {"all day", CAL(EV("DTSTART;VALUE=DATE:20261120\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-20T05:00:00Z/2026-11-21T05:00:00Z"},
	    /* 12 */
	    {"all day, three days",
	     CAL(EV("DTSTART;VALUE=DATE:20261120\r\n"
		    "DTEND;VALUE=DATE:20261123\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-20T05:00:00Z/2026-11-23T05:00:00Z"},
	    /* 13 */
	    {"all day over the DST change",
	     CAL(EV("DTSTART;VALUE=DATE:20261031\r\n"
		    "DTEND;VALUE=DATE:20261102\r\n")),
	     "2026-10-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-10-31T04:00:00Z/2026-11-02T05:00:00Z"},
	    /* 14 */
	    {"all day, DURATION:P2D",
	     CAL(EV("DTSTART;VALUE=DATE:20261120\r\n"
		    "DURATION:P2D\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-20T05:00:00Z/2026-11-22T05:00:00Z"},
	    /* 15 */
	    {"DURATION:PT30M",
	     CAL(EV("DTSTART:20261120T150000Z\r\n"
		    "DURATION:PT30M\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-20T15:00:00Z/2026-11-20T15:30:00Z"},
	    /* 16 */
	    {"DURATION:P1D is a calendar day over DST",
	     CAL(EV("DTSTART;TZID=America/Chicago:20261031T090000\r\n"
		    "DURATION:P1D\r\n")),
	     "2026-10-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-10-31T14:00:00Z/2026-11-01T15:00:00Z"},
	    /* 17 */
	    {"weekly, COUNT=10, cut by the window",
	     CAL(EV("DTSTART;TZID=America/Chicago:20261005T090000\r\n"
		    "DTEND;TZID=America/Chicago:20261005T100000\r\n"
		    "RRULE:FREQ=WEEKLY;COUNT=10\r\n")),
	     "2026-10-20T00:00:00Z", "2026-11-20T00:00:00Z",
	     "2026-10-26T14:00:00Z/2026-10-26T15:00:00Z,"
	     "2026-11-02T15:00:00Z/2026-11-02T16:00:00Z,"
	     "2026-11-09T15:00:00Z/2026-11-09T16:00:00Z,"
	     "2026-11-16T15:00:00Z/2026-11-16T16:00:00Z"},
	    /* 18 */
	    {"weekly, COUNT=10 ends inside the window",
	     CAL(EV("DTSTART;TZID=America/Chicago:20261005T090000\r\n"
		    "RRULE:FREQ=WEEKLY;COUNT=10\r\n")),
	     "2026-11-25T00:00:00Z", "2027-01-01T00:00:00Z",
	     "2026-11-30T15:00:00Z/2026-11-30T16:00:00Z,"
	     "2026-12-07T15:00:00Z/2026-12-07T16:00:00Z"},
	    /* 19 */
	    {"weekly, UNTIL",
	     CAL(EV("DTSTART;TZID=America/Chicago:20261102T090000\r\n"
		    "RRULE:FREQ=WEEKLY;UNTIL=20261116T150000Z\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-02T15:00:00Z/2026-11-02T16:00:00Z,"
	     "2026-11-09T15:00:00Z/2026-11-09T16:00:00Z,"
	     "2026-11-16T15:00:00Z/2026-11-16T16:00:00Z"},
	    /* 20 */
	    {"weekly, EXDATE removes one",
	     CAL(EV("DTSTART;TZID=America/Chicago:20261102T090000\r\n"
		    "RRULE:FREQ=WEEKLY;COUNT=4\r\n"
		    "EXDATE;TZID=America/Chicago:20261109T090000\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-02T15:00:00Z/2026-11-02T16:00:00Z,"
	     "2026-11-16T15:00:00Z/2026-11-16T16:00:00Z,"
	     "2026-11-23T15:00:00Z/2026-11-23T16:00:00Z"},
	    /* 21 */
	    {"EXDATE list in UTC removes two",
	     CAL(EV("DTSTART;TZID=America/Chicago:20261102T090000\r\n"
		    "RRULE:FREQ=WEEKLY;COUNT=4\r\n"
		    "EXDATE:20261102T150000Z,20261123T150000Z\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-09T15:00:00Z/2026-11-09T16:00:00Z,"
	     "2026-11-16T15:00:00Z/2026-11-16T16:00:00Z"},
	    /* 22 */
	    {"EXDATE as a DATE removes that day",
	     CAL(EV("DTSTART:20261102T150000Z\r\n"
		    "RRULE:FREQ=DAILY;COUNT=3\r\n"
		    "EXDATE;VALUE=DATE:20261103\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-02T15:00:00Z/2026-11-02T16:00:00Z,"
	     "2026-11-04T15:00:00Z/2026-11-04T16:00:00Z"},
	    /* 23 */
	    {"RDATE adds one; a duplicate counts once",
	     CAL(EV("DTSTART:20261102T150000Z\r\n"
		    "RRULE:FREQ=DAILY;COUNT=2\r\n"
		    "RDATE:20261110T120000Z,20261103T150000Z\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-02T15:00:00Z/2026-11-02T16:00:00Z,"
	     "2026-11-03T15:00:00Z/2026-11-03T16:00:00Z,"
	     "2026-11-10T12:00:00Z/2026-11-10T13:00:00Z"},
	    /* 24 */
	    {"RECURRENCE-ID moves one occurrence",
	     CAL(EV("DTSTART:20261102T150000Z\r\n"
		    "RRULE:FREQ=WEEKLY;COUNT=3\r\n")
		     EV("RECURRENCE-ID:20261109T150000Z\r\n"
			"DTSTART:20261110T170000Z\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-02T15:00:00Z/2026-11-02T16:00:00Z,"
	     "2026-11-10T17:00:00Z/2026-11-10T18:00:00Z,"
	     "2026-11-16T15:00:00Z/2026-11-16T16:00:00Z"},
	    /* 25 */
	    {"cancelled RECURRENCE-ID removes one",
	     CAL(EV("DTSTART:20261102T150000Z\r\n"
		    "RRULE:FREQ=WEEKLY;COUNT=3\r\n")
		     EV("RECURRENCE-ID:20261109T150000Z\r\n"
			"DTSTART:20261109T150000Z\r\n"
			"STATUS:CANCELLED\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-02T15:00:00Z/2026-11-02T16:00:00Z,"
	     "2026-11-16T15:00:00Z/2026-11-16T16:00:00Z"},
	    /* 26 */
	    {"STATUS:CANCELLED skipped",
	     CAL(EV("DTSTART:20261120T150000Z\r\n"
		    "STATUS:CANCELLED\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", ""},
	    /* 27 */
	    {"outside the window", CAL(EV("DTSTART:20261220T150000Z\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", ""},
	    /* 28 */
	    {"ends exactly at the window's start: out",
	     CAL(EV("DTSTART:20261031T230000Z\r\n")), "2026-11-01T00:00:00Z",
	     "2026-12-01T00:00:00Z", ""},
	    /* 29 */
	    {"overlaps the window's start: in",
	     CAL(EV("DTSTART:20261031T233000Z\r\n")), "2026-11-01T00:00:00Z",
	     "2026-12-01T00:00:00Z",
	     "2026-10-31T23:30:00Z/2026-11-01T00:30:00Z"},
	    /* 30 */
	    {"daily since 2020, only the window",
	     CAL(EV("DTSTART:20200101T090000Z\r\n"
		    "DTEND:20200101T091500Z\r\n"
		    "RRULE:FREQ=DAILY\r\n")),
	     "2026-11-20T00:00:00Z", "2026-11-22T00:00:00Z",
	     "2026-11-20T09:00:00Z/2026-11-20T09:15:00Z,"
	     "2026-11-21T09:00:00Z/2026-11-21T09:15:00Z"},
	    /* 31 */
	    {"weekly all-day, BYDAY",
	     CAL(EV("DTSTART;VALUE=DATE:20261102\r\n"
		    "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=3\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-02T05:00:00Z/2026-11-03T05:00:00Z,"
	     "2026-11-04T05:00:00Z/2026-11-05T05:00:00Z,"
	     "2026-11-09T05:00:00Z/2026-11-10T05:00:00Z"},
	    /* 32 */
	    {"two calendars in one file, sorted by start",
	     CAL(EV("DTSTART:20261121T150000Z\r\n"))
		 CAL(EV("DTSTART:20261120T150000Z\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-20T15:00:00Z/2026-11-20T16:00:00Z,"
	     "2026-11-21T15:00:00Z/2026-11-21T16:00:00Z"},
	    /* 33 */
	    {"LF line ends, folded lines, a VALARM",
	     "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:u1\nDTSTART:2026"
	     "\n 1120T150000Z\nBEGIN:VALARM\nACTION:DISPLAY\n"
	     "TRIGGER:-PT15M\nEND:VALARM\nEND:VEVENT\n"
	     "END:VCALENDAR\n",
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-20T15:00:00Z/2026-11-20T16:00:00Z"},
	    /* 34 */
	    {"zero-length event at the window's start: in",
	     CAL(EV("DTSTART:20261101T000000Z\r\n"
		    "DTEND:20261101T000000Z\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-01T00:00:00Z/2026-11-01T00:00:00Z"},
	    /* 35 */
	    {"RDATE with a TZID",
	     CAL(EV("DTSTART:20261102T150000Z\r\n"
		    "RDATE;TZID=America/Chicago:20261110T090000\r\n")),
	     "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z",
	     "2026-11-02T15:00:00Z/2026-11-02T16:00:00Z,"
	     "2026-11-10T15:00:00Z/2026-11-10T16:00:00Z"},
	    /* 36 */
	    {"empty calendar", CAL(""), "2026-11-01T00:00:00Z",
	     "2026-12-01T00:00:00Z", ""},
	};
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct ical_event *e = NULL;
		size_t n = 99;
		struct kith_err err = {0};
		char got[2048], msg[700];
		int rc;

		rc = ical_parse(&e, &n, cases[i].ics, strlen(cases[i].ics),
				"t.ics", at(cases[i].from), at(cases[i].to),
				&err);
		if (rc != KITH_OK)
			fail_msg("case %zu (%s): %s", i + 1, cases[i].name,
				 kith_err_format(&err, msg, sizeof(msg)));
		describe(got, sizeof(got), e, n);
		if (strcmp(got, cases[i].want))
			fail_msg("case %zu (%s):\n got %s\nwant %s", i + 1,
				 cases[i].name, got, cases[i].want);
		for (size_t k = 0; k < n; k++)
			assert_string_equal(e[k].uid, "u1");
		ical_events_free(e, n);
	}
}

/* ---- people and text ---- */

static void test_people(void **state)
{
	static const char ics[] = CAL(
	    "BEGIN:VEVENT\r\nUID:abc-123@example.org\r\n"
	    "DTSTART:20261120T150000Z\r\n"
	    "SUMMARY:Lunch\\, then a walk\r\n"
	    "LOCATION:https://us02web.Zoom.US/j/123\r\n"
	    "DESCRIPTION:Agenda:\\nnumbers\r\n"
	    "ORGANIZER;CN=Ana:MAILTO:Ana@Studio.Example\r\n"
	    "ATTENDEE;CN=Dana;PARTSTAT=ACCEPTED:mailto:Dana@Harbor.EXAMPLE\r\n"
	    "ATTENDEE:MAILTO:ana@studio.example\r\n"
	    "ATTENDEE;CN=\"Lee, Sam\":mailto:dana@harbor.example\r\n"
	    "ATTENDEE;EMAIL=Room@Office.example:urn:uuid:1234\r\n"
	    "ATTENDEE:urn:uuid:no-mail\r\n"
	    "END:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:plain\r\nDTSTART:20261121T150000Z\r\n"
	    "END:VEVENT\r\n");
	struct ical_event *e = NULL;
	size_t n = 0;
	struct kith_err err = {0};

	(void)state;
	assert_int_equal(ical_parse(&e, &n, ics, strlen(ics), "t.ics",
				    at("2026-11-01T00:00:00Z"),
				    at("2026-12-01T00:00:00Z"), &err),
			 KITH_OK);
	assert_int_equal(n, 2);
	assert_string_equal(e[0].uid, "abc-123@example.org");
	assert_string_equal(e[0].summary, "Lunch, then a walk");
	assert_string_equal(e[0].location, "https://us02web.Zoom.US/j/123");
	assert_string_equal(e[0].organizer, "ana@studio.example");
	assert_int_equal(e[0].attendees.n, 3);
	assert_string_equal(e[0].attendees.v[0], "dana@harbor.example");
	assert_string_equal(e[0].attendees.v[1], "ana@studio.example");
	assert_string_equal(e[0].attendees.v[2], "room@office.example");
	assert_true(e[0].video);
	assert_false(e[0].all_day);
	assert_string_equal(e[1].uid, "plain");
	assert_null(e[1].summary);
	assert_null(e[1].location);
	assert_null(e[1].organizer);
	assert_int_equal(e[1].attendees.n, 0);
	assert_false(e[1].video);
	ical_events_free(e, n);
	ical_events_free(NULL, 0);
}

static void test_video_table(void **state)
{
	static const struct {
		const char *location, *description;
		bool want;
	} cases[] = {
	    {"https://zoom.us/j/99", NULL, true},
	    {NULL, "Join: https://meet.google.com/abc-defg-hij", true},
	    {"Microsoft Teams Meeting",
	     "https://teams.microsoft.com/l/meetup-join/x", true},
	    {"https://acme.webex.com/meet/ana", NULL, true},
	    {NULL, "https://whereby.com/studio", true},
	    {"https://meet.jit.si/kith", NULL, true},
	    {"FaceTime", NULL, true},
	    {NULL, "a VIDEO CALL with Dana", true},
	    {"Harbor Cafe, 3rd St", "bring the contract", false},
	    {"", "", false},
	    {NULL, NULL, false},
	    {"zoom", "video", false}, /* words, not links */
	};
	(void)state;
	for (size_t i = 0; i < N(cases); i++)
		if (ical_is_video(cases[i].location, cases[i].description) !=
		    cases[i].want)
			fail_msg("case %zu: want %d", i + 1, cases[i].want);
}

/* ---- bad input ---- */

static void test_errors_table(void **state)
{
	static const struct {
		const char *ics;
		size_t len;	   /* 0: strlen */
		const char *field; /* "": none */
		int line;	   /* -1: any */
		const char *msg;   /* part of the message; NULL: any */
	} cases[] = {
	    /* 1 */ {"", 0, "BEGIN", 0, "empty"},
	    /* 2 */
	    {"BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261120T150000Z\r\n"
	     "END:VEVENT\r\n",
	     0, "BEGIN", 1, "BEGIN:VCALENDAR"},
	    /* 3 */ {"hello\r\n", 0, "", 1, "NAME:VALUE"},
	    /* 4 */
	    {CAL(EV("DTSTART:2026112X\r\n")), 0, "DTSTART", 6, "2026112X"},
	    /* 5 */
	    {CAL(EV("DTSTART:20261120T250000Z\r\n")), 0, "DTSTART", 6, NULL},
	    /* 6 */
	    {CAL(EV("DTSTART:20260230T100000Z\r\n")), 0, "DTSTART", 6, NULL},
	    /* 7 */
	    {CAL(EV("DTSTART;VALUE=DATE:20261120T100000Z\r\n")), 0, "DTSTART",
	     6, NULL},
	    /* 8 */ {CAL(EV("DTSTART:\r\n")), 0, "DTSTART", 6, NULL},
	    /* 9 */ {CAL(EV("SUMMARY:x\r\n")), 0, "DTSTART", 4, "missing"},
	    /* 10 */
	    {CAL("BEGIN:VEVENT\r\nDTSTART:20261120T150000Z\r\n"
		 "END:VEVENT\r\n"),
	     0, "UID", 4, "missing"},
	    /* 11 */
	    {CAL(EV("DTSTART:20261120T150000Z\r\n"
		    "DTEND:20261120T140000Z\r\n")),
	     0, "DTEND", 7, "before"},
	    /* 12 */
	    {CAL(EV("DTSTART:20261120T150000Z\r\n"
		    "DTEND:20261120T160000Z\r\n"
		    "DURATION:PT1H\r\n")),
	     0, "DURATION", 8, NULL},
	    /* 13 */
	    {CAL(EV("DTSTART:20261120T150000Z\r\n"
		    "DTEND;VALUE=DATE:20261121\r\n")),
	     0, "DTEND", 7, "mixed"},
	    /* 14 */
	    {CAL(EV("DTSTART:20261120T150000Z\r\n"
		    "RRULE:FREQ=FOO\r\n")),
	     0, "RRULE", 7, NULL},
	    /* 15 */
	    {CAL(EV("DTSTART:20261120T150000Z\r\n"
		    "EXDATE:2026\r\n")),
	     0, "EXDATE", 7, NULL},
	    /* 16 */
	    {CAL(EV("DTSTART:20261120T150000Z\r\n"
		    "DURATION:an hour\r\n")),
	     0, "DURATION", 7, NULL},
	    /* 17 */
	    {"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n"
	     "DTSTART:20261120T150000Z\r\nEND:VEVENT\r\n",
	     0, "END", 5, "END:VCALENDAR"},
	    /* 18 */
	    {"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VTODO\r\n", 0, "END", 3,
	     "END:VEVENT"},
	    /* 19 */
	    {CAL(EV("DTSTART:20261120T150000Z\r\n"
		    "SUMMARY:caf\xe9\r\n")),
	     0, "", 7, "UTF-8"},
	    /* 20 */
	    {"BEGIN:VCALENDAR\r\n\0END:VCALENDAR\r\n", 33, "", 0, "NUL"},
	    /* 21 */
	    {CAL(EV("DTSTART:20261120T150000Z\r\n"
		    "RRULE:FREQ=SECONDLY\r\n")),
	     0, "RRULE", 7, "more than 500 occurrences in the window"},
	    /* 22 */
	    {CAL(EV("DTSTART:20261120T150000Z\r\n"
		    "RRULE:FREQ=SECONDLY;BYMONTH=2\r\n")),
	     0, "RRULE", 7, "not supported"},
	    /* 23 */
	    {CAL(EV("DTSTART:20200101T150000Z\r\n"
		    "RRULE:FREQ=MINUTELY;INTERVAL=1\r\n")),
	     0, "RRULE", 7, "100000"},
	    /* 24 */
	    {CAL(EV("DTSTART:20261120T150000Z\r\n"
		    "DTSTART:20261121T150000Z\r\n")),
	     0, "DTSTART", 7, "more than one"},
	    /* 25 */
	    {CAL(EV("DTSTART:20261120T150000Z\r\n"
		    "RECURRENCE-ID:x\r\n")),
	     0, "RECURRENCE-ID", 7, NULL},
	};
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct ical_event *e = (struct ical_event *)&cases;
		size_t n = 99,
		       len = cases[i].len ? cases[i].len : strlen(cases[i].ics);
		struct kith_err err = {0};
		char msg[700];
		int rc;

		rc = ical_parse(&e, &n, cases[i].ics, len, "t.ics",
				at("2026-11-01T00:00:00Z"),
				at("2026-12-01T00:00:00Z"), &err);
		kith_err_format(&err, msg, sizeof(msg));
		if (rc != KITH_EINPUT)
			fail_msg("case %zu: status %d, want invalid: %s", i + 1,
				 rc, msg);
		assert_null(e);
		assert_int_equal(n, 0);
		if (strcmp(err.field, cases[i].field))
			fail_msg("case %zu: field \"%s\", want \"%s\": %s",
				 i + 1, err.field, cases[i].field, msg);
		if (cases[i].line >= 0 && err.line != cases[i].line)
			fail_msg("case %zu: line %d, want %d: %s", i + 1,
				 err.line, cases[i].line, msg);
		assert_string_equal(err.file, "t.ics");
		if (cases[i].msg && !strstr(err.msg, cases[i].msg))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i + 1, msg,
				 cases[i].msg);
	}
}

/* A bomb stops on the budget, not on the clock: one call, bounded. */
static void test_bomb_bounded(void **state)
{
	static const char ics[] =
	    CAL(EV("DTSTART:19000101T000000Z\r\n"
		   "RRULE:FREQ=SECONDLY;COUNT=999999999\r\n"));
	struct ical_event *e = NULL;
	size_t n = 0;
	struct kith_err err = {0};
	char msg[700];

	(void)state;
	assert_int_equal(ical_parse(&e, &n, ics, strlen(ics), "bomb.ics",
				    at("2026-11-01T00:00:00Z"),
				    at("2026-12-01T00:00:00Z"), &err),
			 KITH_EINPUT);
	assert_string_equal(kith_err_format(&err, msg, sizeof(msg)),
			    "bomb.ics:7: RRULE: more than 100000 occurrences");
}

/* Exactly at the budget is fine: 100,000 occurrences examined, the few
 * in the window come back. */
static void test_budget_edge(void **state)
{
	static const char ics[] =
	    CAL(EV("DTSTART:20261031T001320Z\r\n"
		   "DURATION:PT1S\r\n"
		   "RRULE:FREQ=SECONDLY;COUNT=100000\r\n"));
	struct ical_event *e = NULL;
	size_t n = 0;
	struct kith_err err = {0};

	(void)state;
	/* 2026-10-31T00:13:20Z + 99,990 s = 2026-11-01T04:00:00Z - 10 s */
	assert_int_equal(ical_parse(&e, &n, ics, strlen(ics), "t.ics",
				    at("2026-11-01T03:59:50Z"),
				    at("2026-12-01T00:00:00Z"), &err),
			 KITH_OK);
	assert_int_equal(n, 10);
	ical_events_free(e, n);
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* H3: an hourly rule with a 20 KB description and a 2 KB summary (the
 * review's 22 KB file) is refused, not expanded 4,300 times; a daily one
 * comes back with a 1 KB summary and no description kept. */
static void test_amplification(void **state)
{
	char *desc = repeat('d', 20000), *sum = repeat('s', 2000), *ics;
	struct ical_event *e = NULL;
	size_t n = 0, len;
	struct kith_err err = {0};
	char msg[700];

	(void)state;
	len = strlen(desc) + strlen(sum) + 400;
	ics = malloc(len);
	assert_non_null(ics);
	snprintf(ics, len,
		 CAL(EV("DTSTART:20260801T090000Z\r\nRRULE:FREQ=%s\r\n"
			"SUMMARY:%s\r\nDESCRIPTION:zoom.us %s\r\n")),
		 "HOURLY", sum, desc);
	assert_int_equal(ical_parse(&e, &n, ics, strlen(ics), "h.ics",
				    at("2026-09-01T00:00:00Z"),
				    at("2027-03-01T00:00:00Z"), &err),
			 KITH_EINPUT);
	assert_non_null(strstr(kith_err_format(&err, msg, sizeof(msg)),
			       "more than 500 occurrences in the window"));
	assert_null(e);
	snprintf(ics, len,
		 CAL(EV("DTSTART:20260801T090000Z\r\nRRULE:FREQ=%s\r\n"
			"SUMMARY:%s\r\nDESCRIPTION:zoom.us %s\r\n")),
		 "DAILY", sum, desc);
	assert_int_equal(ical_parse(&e, &n, ics, strlen(ics), "h.ics",
				    at("2026-09-01T00:00:00Z"),
				    at("2027-03-01T00:00:00Z"), &err),
			 KITH_OK);
	assert_int_equal(n, 181);
	assert_int_equal(strlen(e[0].summary), ICAL_MAX_TEXT);
	assert_true(e[0].video);
	ical_events_free(e, n);
	free(ics);
	free(desc);
	free(sum);
}

/* H3: 20 rules that can never match are refused at once, not searched to
 * the year 2582 (0.26 s each in libical). */
static void test_impossible_rules(void **state)
{
	static const char *const rules[] = {
	    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
	    "FREQ=YEARLY;BYMONTH=4,6;BYMONTHDAY=31",
	    "FREQ=DAILY;BYMONTH=1;BYYEARDAY=200",
	    /* found by fuzz_ical: a place in the month no month has, and
	     * a BYSETPOS past the one day a month the rule makes */
	    "FREQ=MONTHLY;BYDAY=6TU;BYSETPOS=1;COUNT=5",
	    "FREQ=MONTHLY;BYDAY=3TU;BYSETPOS=2;COUNT=4",
	    "FREQ=MONTHLY;BYDAY=1MO;BYMONTHDAY=20",
	    "FREQ=YEARLY;BYMONTH=2;BYDAY=5MO;BYMONTHDAY=1",
	    "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
	    "FREQ=MONTHLY;BYMONTHDAY=1;BYDAY=TU;BYSETPOS=-2",
	    "FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=3",
	};
	char ics[8192], *p;
	struct ical_event *e = NULL;
	size_t n = 0;
	struct kith_err err = {0};
	struct timespec t0, t1;

	(void)state;
	for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
		p = ics + sprintf(ics, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
				       "PRODID:-//kith//test//EN\r\n");
		for (int i = 0; i < 20; i++)
			p += sprintf(p,
				     "BEGIN:VEVENT\r\nUID:x%d\r\n"
				     "DTSTART:20260101T090000Z\r\n"
				     "RRULE:%s\r\nEND:VEVENT\r\n",
				     i, rules[r]);
		sprintf(p, "END:VCALENDAR\r\n");
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(ical_parse(&e, &n, ics, strlen(ics), "i.ics",
					    at("2026-09-01T00:00:00Z"),
					    at("2027-03-01T00:00:00Z"), &err),
				 KITH_EINPUT);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		assert_non_null(strstr(err.msg, "never meet"));
		assert_true((t1.tv_sec - t0.tv_sec) * 1000 +
				(t1.tv_nsec - t0.tv_nsec) / 1000000 <
			    200);
	}
	/* Possible ones still expand: Feb 29, the 31st of some month. */
	snprintf(ics, sizeof(ics),
		 CAL(EV("DTSTART:20260101T090000Z\r\n"
			"RRULE:FREQ=DAILY;BYMONTH=1,2;BYMONTHDAY=31\r\n")));
	assert_int_equal(ical_parse(&e, &n, ics, strlen(ics), "i.ics",
				    at("2026-09-01T00:00:00Z"),
				    at("2027-03-01T00:00:00Z"), &err),
			 KITH_OK);
	assert_int_equal(n, 1);
	ical_events_free(e, n);
}

/* H3: what those checks must not refuse: rules from RFC 5545's examples
 * and others at the edge of possible (the 5th Friday, the 53rd Monday of
 * a year, BYSETPOS at the most a month can hold) each expand. */
static void test_possible_rules(void **state)
{
	static const char *const rules[] = {
	    "FREQ=MONTHLY;BYDAY=-1MO",
	    "FREQ=MONTHLY;BYDAY=1SU,-1SU",
	    "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
	    "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13",
	    "FREQ=YEARLY;BYDAY=20MO",
	    "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO",
	    "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
	    "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3",
	    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
	    "FREQ=MONTHLY;BYDAY=5FR",
	    "FREQ=MONTHLY;BYDAY=-5MO;BYMONTHDAY=1,2,3",
	    "FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=29,30,31",
	    "FREQ=MONTHLY;BYDAY=4TH;BYMONTHDAY=22,23,24,25,26,27,28",
	    "FREQ=MONTHLY;BYDAY=-1FR;BYMONTHDAY=-1,-2,-3,-4,-5,-6,-7",
	    "FREQ=MONTHLY;BYDAY=1MO,2MO,3MO,4MO,5MO;BYSETPOS=5",
	    "FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO",
	    "FREQ=YEARLY;BYDAY=53MO",
	    "FREQ=YEARLY;BYMONTH=2;BYDAY=5MO",
	    "FREQ=YEARLY;BYDAY=MO;BYSETPOS=53",
	    "FREQ=YEARLY;BYMONTH=1,2;BYMONTHDAY=1;BYSETPOS=-1",
	    "FREQ=WEEKLY;BYDAY=MO,WE,FR;BYSETPOS=-1",
	    "FREQ=DAILY;BYSETPOS=1",
	    /* a period's hours and minutes count towards BYSETPOS (libical
	     * 3.0 cannot expand a MONTHLY rule that needs them) */
	    "FREQ=DAILY;COUNT=3;BYHOUR=9,17;BYSETPOS=-2",
	    "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0,30;BYSETPOS=2",
	};
	/* Rare ones, no occurrence in 2026 (53 Mondays: 2029). */
	static const char *const rare = "FREQ=YEARLY;BYDAY=53MO "
					"FREQ=YEARLY;BYMONTH=2;BYDAY=5MO "
					"FREQ=YEARLY;BYDAY=MO;BYSETPOS=53";
	char ics[1024];
	struct ical_event *e = NULL;
	size_t n = 0;
	struct kith_err err = {0};

	(void)state;
	for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
		snprintf(ics, sizeof(ics),
			 CAL(EV("DTSTART:20260105T090000Z\r\nRRULE:%s\r\n")),
			 rules[r]);
		if (ical_parse(&e, &n, ics, strlen(ics), "p.ics",
			       at("2026-01-01T00:00:00Z"),
			       at("2027-01-01T00:00:00Z"), &err) != KITH_OK)
			fail_msg("%s: %s", rules[r], err.msg);
		if (!n && !strstr(rare, rules[r]))
			fail_msg("%s: no occurrence in 2026", rules[r]);
		ical_events_free(e, n);
	}
}

/* H3: more VEVENTs than ICAL_MAX_EVENTS is refused. */
static void test_too_many_events(void **state)
{
	size_t cap = (ICAL_MAX_EVENTS + 2) * 100, len;
	char *ics = malloc(cap);
	struct ical_event *e = NULL;
	size_t n = 0;
	struct kith_err err = {0};

	(void)state;
	assert_non_null(ics);
	len = (size_t)sprintf(ics, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
	for (int i = 0; i <= ICAL_MAX_EVENTS; i++)
		len += (size_t)sprintf(ics + len,
				       "BEGIN:VEVENT\r\nUID:e%d\r\n"
				       "DTSTART:20261120T150000Z\r\n"
				       "END:VEVENT\r\n",
				       i);
	sprintf(ics + len, "END:VCALENDAR\r\n");
	assert_int_equal(ical_parse(&e, &n, ics, strlen(ics), "m.ics",
				    at("2026-09-01T00:00:00Z"),
				    at("2027-03-01T00:00:00Z"), &err),
			 KITH_EINPUT);
	assert_non_null(strstr(err.msg, "events in the file"));
	free(ics);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_times_table),
	    cmocka_unit_test(test_people),
	    cmocka_unit_test(test_video_table),
	    cmocka_unit_test(test_errors_table),
	    cmocka_unit_test(test_bomb_bounded),
	    cmocka_unit_test(test_budget_edge),
	    cmocka_unit_test(test_amplification),
	    cmocka_unit_test(test_impossible_rules),
	    cmocka_unit_test(test_possible_rules),
	    cmocka_unit_test(test_too_many_events),
	};

	setenv("TZ", "America/New_York", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
