/*
 * ical.c: iCalendar events into struct ical_event. A strict pass over the
 * text first (lines, nesting, date syntax: libical is lenient and cannot
 * say where), then libical for zones and recurrence rules.
 */
#include "ical.h"

#include <libical/ical.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_DEPTH    16 /* VCALENDAR > VEVENT > VALARM needs 3 */
#define NAME_MAX_LEN 64

/* ---- logical lines: CRLF or LF, folded lines joined (RFC 5545 3.1) ---- */

struct lines {
	const char *p, *end;
	int next_line; /* number of the next physical line */
	int line;      /* first physical line of buf */
	char *buf;
	size_t len, cap;
};

static int lines_append(struct lines *l, const char *s, size_t n)
{
	if (l->len + n + 1 > l->cap) {
		size_t cap = l->cap ? l->cap : 256;
		char *b;

		while (cap < l->len + n + 1)
			cap *= 2;
		b = realloc(l->buf, cap);
		if (!b)
			return -1;
		l->buf = b;
		l->cap = cap;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
	return 0;
}

/* Next logical line into l->buf: 1, 0 at the end, -1 out of memory. */
static int lines_next(struct lines *l)
{
	int first = 1;

	l->len = 0;
	if (l->buf)
		l->buf[0] = '\0';
	if (l->p >= l->end)
		return 0;
	l->line = l->next_line;
	while (l->p < l->end) {
		const char *nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
		const char *e = nl ? nl : l->end;
		const char *s = l->p;

		if (!first) {
			if (*s != ' ' && *s != '\t')
				break;
			s++; /* the fold's one white space */
		}
		if (e > s && e[-1] == '\r')
			e--;
		if (lines_append(l, s, (size_t)(e - s)))
			return -1;
		if (!l->buf && lines_append(l, "", 0))
			return -1;
		l->p = nl ? nl + 1 : l->end;
		l->next_line++;
		first = 0;
	}
	if (!l->buf && lines_append(l, "", 0))
		return -1;
	return 1;
}

/* A content line cut in three: name;params:value. Pointers into s. */
struct cline {
	char name[NAME_MAX_LEN];
	const char *params; /* after the name, up to the ':' */
	size_t params_len;
	const char *value;
};

static int cline_split(struct cline *c, const char *s)
{
	size_t i = 0;
	int quoted = 0;
	const char *p;

	while (isalnum((unsigned char)s[i]) || s[i] == '-') {
		if (i + 1 >= sizeof(c->name))
			return -1;
		c->name[i] = (char)toupper((unsigned char)s[i]);
		i++;
	}
	c->name[i] = '\0';
	if (!i || (s[i] != ';' && s[i] != ':'))
		return -1;
	c->params = s + i;
	for (p = s + i; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ':' && !quoted)
			break;
	}
	if (*p != ':')
		return -1;
	c->params_len = (size_t)(p - c->params);
	c->value = p + 1;
	return 0;
}

/* The value of parameter name (upper-case, "VALUE") into buf, or "". */
static const char *cline_param(const struct cline *c, const char *name,
			       char *buf, size_t n)
{
	size_t nl = strlen(name);
	const char *p = c->params, *end = c->params + c->params_len;

	buf[0] = '\0';
	while (p < end) {
		const char *seg = p + 1; /* past ';' */
		const char *q = seg;
		int quoted = 0;

		while (q < end && (quoted || *q != ';')) {
			if (*q == '"')
				quoted = !quoted;
			q++;
		}
		if ((size_t)(q - seg) > nl && !strncasecmp(seg, name, nl) &&
		    seg[nl] == '=') {
			size_t vl = (size_t)(q - seg) - nl - 1;

			if (vl >= n)
				vl = n - 1;
			memcpy(buf, seg + nl + 1, vl);
			buf[vl] = '\0';
			return buf;
		}
		p = q;
	}
	return buf;
}

/* ---- strict date syntax, which libical does not check ---- */

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

enum dt_kind { DT_ANY, DT_DATE, DT_DATETIME, DT_PERIOD };

/* Check s[0..n): a DATE "YYYYMMDD" or a DATE-TIME "YYYYMMDDTHHMMSS[Z]";
 * a PERIOD is a DATE-TIME, '/', and anything (libical checks the rest). */
static int dt_check(const char *s, size_t n, enum dt_kind kind)
{
	int y, m, d, h, mi, sec;

	if (kind == DT_PERIOD) {
		const char *slash = memchr(s, '/', n);

		if (!slash || slash + 1 == s + n)
			return -1;
		return dt_check(s, (size_t)(slash - s), DT_DATETIME);
	}
	if (n < 8 || digits(s, 4, &y) || digits(s + 4, 2, &m) ||
	    digits(s + 6, 2, &d) || m < 1 || m > 12 || d < 1 || y < 1 ||
	    d > kith_days_in_month(y, m))
		return -1;
	if (n == 8)
		return kind == DT_DATETIME ? -1 : 0;
	if (kind == DT_DATE || s[8] != 'T' || (n != 15 && n != 16) ||
	    digits(s + 9, 2, &h) || digits(s + 11, 2, &mi) ||
	    digits(s + 13, 2, &sec) || h > 23 || mi > 59 || sec > 59)
		return -1;
	return n == 16 && s[15] != 'Z' ? -1 : 0;
}

/* Check a date property's whole value, a comma list for EXDATE, RDATE. */
static int dt_check_prop(const struct cline *c, int list)
{
	char vt[32];
	enum dt_kind kind = DT_ANY;
	const char *s = c->value;

	cline_param(c, "VALUE", vt, sizeof(vt));
	if (!strcasecmp(vt, "DATE"))
		kind = DT_DATE;
	else if (!strcasecmp(vt, "DATE-TIME"))
		kind = DT_DATETIME;
	else if (!strcasecmp(vt, "PERIOD") && list)
		kind = DT_PERIOD;
	else if (vt[0])
		return -1;
	for (;;) {
		const char *comma = list ? strchr(s, ',') : NULL;
		size_t n = comma ? (size_t)(comma - s) : strlen(s);

		if (dt_check(s, n, kind))
			return -1;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

/* ---- the strict pass ---- */

/* Where a VEVENT directly inside a VCALENDAR sits: its BEGIN and END. */
struct span {
	int begin, end;
};

struct scan {
	struct span *v;
	size_t n, cap;
};

static int scan_push(struct scan *sc, int begin)
{
	if (sc->n == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 16;
		struct span *v = realloc(sc->v, cap * sizeof(*v));

		if (!v)
			return -1;
		sc->v = v;
		sc->cap = cap;
	}
	sc->v[sc->n].begin = begin;
	sc->v[sc->n].end = begin;
	sc->n++;
	return 0;
}

static int bad_at(struct kith_err *err, const char *file, int line,
		  const char *field, const char *what)
{
	kith_err_set(err, KITH_EINPUT, field, "%s", what);
	kith_err_at(err, file, line);
	return KITH_EINPUT;
}

/*
 * Check the structure and the date syntax of text, and note where each
 * top-level VEVENT is, so libical's findings can be given a line. The
 * k-th span is the k-th VEVENT libical finds under a VCALENDAR: both walk
 * the same balanced nesting in document order.
 */
static int scan_text(struct scan *sc, const char *text, size_t len,
		     const char *file, struct kith_err *err)
{
	struct lines l = {.p = text, .end = text + len, .next_line = 1};
	char stack[MAX_DEPTH][NAME_MAX_LEN];
	int depth = 0, seen_cal = 0, in_event = 0, has_uid = 0, has_start = 0;
	int rc = KITH_OK, got;
	char msg[160];

	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		l.p += 3;
	if (memchr(text, '\0', len))
		return bad_at(err, file, 0, NULL,
			      "a NUL byte: not a text file");
	while ((got = lines_next(&l)) > 0) {
		struct cline c;
		const char *v;

		if (!l.buf[0])
			continue;
		if (!kith_utf8_valid(l.buf, l.len)) {
			rc = bad_at(err, file, l.line, NULL, "not UTF-8");
			goto done;
		}
		if (cline_split(&c, l.buf)) {
			rc = bad_at(err, file, l.line, NULL,
				    "expected NAME:VALUE");
			goto done;
		}
		v = c.value;
		if (depth == 0 &&
		    (strcmp(c.name, "BEGIN") || strcasecmp(v, "VCALENDAR"))) {
			snprintf(msg, sizeof(msg),
				 "expected BEGIN:VCALENDAR, got \"%.80s\"",
				 l.buf);
			rc = bad_at(err, file, l.line, "BEGIN", msg);
			goto done;
		}
		if (!strcmp(c.name, "BEGIN")) {
			if (depth == MAX_DEPTH || !*v ||
			    strlen(v) >= NAME_MAX_LEN) {
				rc = bad_at(err, file, l.line, "BEGIN",
					    depth == MAX_DEPTH
						? "components nested too deep"
						: "bad component name");
				goto done;
			}
			snprintf(stack[depth++], NAME_MAX_LEN, "%s", v);
			seen_cal = 1;
			if (depth == 2 && !strcasecmp(v, "VEVENT")) {
				if (scan_push(sc, l.line)) {
					rc = kith_err_nomem(err);
					goto done;
				}
				in_event = 1;
				has_uid = has_start = 0;
			}
			continue;
		}
		if (!strcmp(c.name, "END")) {
			if (strcasecmp(v, stack[depth - 1])) {
				snprintf(msg, sizeof(msg),
					 "expected END:%.60s, got \"%.60s\"",
					 stack[depth - 1], l.buf);
				rc = bad_at(err, file, l.line, "END", msg);
				goto done;
			}
			if (depth == 2 && in_event) {
				in_event = 0;
				sc->v[sc->n - 1].end = l.line;
				if (!has_uid || !has_start) {
					rc = bad_at(err, file,
						    sc->v[sc->n - 1].begin,
						    has_uid ? "DTSTART" : "UID",
						    "missing in VEVENT");
					goto done;
				}
			}
			depth--;
			continue;
		}
		if (depth != 2 || !in_event)
			continue;
		if (!strcmp(c.name, "UID")) {
			has_uid = 1;
		} else if (!strcmp(c.name, "DTSTART") ||
			   !strcmp(c.name, "DTEND") ||
			   !strcmp(c.name, "RECURRENCE-ID") ||
			   !strcmp(c.name, "EXDATE") ||
			   !strcmp(c.name, "RDATE")) {
			int list = c.name[0] == 'E' || c.name[0] == 'R';

			if (c.name[0] == 'R' && c.name[1] == 'E')
				list = 0; /* RECURRENCE-ID: one value */
			if (dt_check_prop(&c, list)) {
				snprintf(msg, sizeof(msg),
					 "expected a date YYYYMMDD or a time "
					 "YYYYMMDDTHHMMSS[Z], got \"%.60s\"",
					 v);
				rc = bad_at(err, file, l.line, c.name, msg);
				goto done;
			}
			if (!strcmp(c.name, "DTSTART")) {
				if (has_start) {
					rc =
					    bad_at(err, file, l.line, "DTSTART",
						   "more than one in VEVENT");
					goto done;
				}
				has_start = 1;
			}
		}
	}
	if (got < 0) {
		rc = kith_err_nomem(err);
		goto done;
	}
	if (!seen_cal)
		rc = bad_at(err, file, 0, "BEGIN",
			    "expected BEGIN:VCALENDAR, got an empty file");
	else if (depth)
		rc = bad_at(err, file, l.next_line - 1, "END",
			    "missing END:VCALENDAR at the end of the file");
done:
	free(l.buf);
	return rc;
}

/* Line of the first property name in lines [sp->begin, sp->end], or 0. */
static int find_prop_line(const char *text, size_t len, const struct span *sp,
			  const char *name)
{
	struct lines l = {.p = text, .end = text + len, .next_line = 1};
	int line = 0;

	if (!sp)
		return 0;
	while (lines_next(&l) > 0 && l.line <= sp->end) {
		struct cline c;

		if (l.line >= sp->begin && !cline_split(&c, l.buf) &&
		    !strcmp(c.name, name)) {
			line = l.line;
			break;
		}
	}
	free(l.buf);
	return line;
}

/* ---- times ---- */

/* An icaltimetype (a DATE, floating, UTC or in a zone) into UTC seconds;
 * a DATE means its local midnight. */
static int to_utc(kith_time *out, struct icaltimetype t, const char *field,
		  struct kith_err *err)
{
	char buf[40];
	kith_time civil;
	int dst = 0;

	if (icaltime_is_null_time(t) || !icaltime_is_valid_time(t) ||
	    t.year < 1 || t.year > 9999 || t.month < 1 || t.month > 12 ||
	    t.day < 1 || t.day > kith_days_in_month(t.year, t.month))
		return kith_err_set(err, KITH_EINPUT, field, "no such date");
	if (t.is_date) {
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d", t.year, t.month,
			 t.day);
		return kith_time_parse(out, buf, NULL, 0, field, err);
	}
	if (!t.zone) {
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d",
			 t.year, t.month, t.day, t.hour, t.minute, t.second);
		return kith_time_parse(out, buf, NULL, 0, field, err);
	}
	civil =
	    (kith_time)kith_days_from_civil(t.year, t.month, t.day) * KITH_DAY +
	    t.hour * 3600 + t.minute * 60 + t.second;
	if (icaltime_is_utc(t)) {
		*out = civil;
		return KITH_OK;
	}
	*out = civil -
	       icaltimezone_get_utc_offset((icaltimezone *)t.zone, &t, &dst);
	return KITH_OK;
}

/* The zone a TZID parameter names, as libical resolves DTSTART's. */
static icaltimezone *zone_of(icalproperty *p, icalcomponent *ev)
{
	icalparameter *param =
	    icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	const char *tzid = param ? icalparameter_get_tzid(param) : NULL;
	icaltimezone *tz = NULL;

	if (!tzid)
		return NULL;
	for (icalcomponent *c = ev; c && !tz; c = icalcomponent_get_parent(c))
		tz = icalcomponent_get_timezone(c, tzid);
	if (!tz)
		tz = icaltimezone_get_builtin_timezone_from_tzid(tzid);
	if (!tz)
		tz = icaltimezone_get_builtin_timezone(tzid);
	return tz;
}

static int32_t day_of(struct icaltimetype t)
{
	return kith_days_from_civil(t.year, t.month, t.day);
}

/* ---- strings ---- */

/* At most ICAL_MAX_TEXT bytes of s, cut on a UTF-8 boundary: a summary is
 * a line in a list, and it is stored once per occurrence. */
static char *dup_capped(const char *s)
{
	size_t len;

	if (!s || !*s)
		return NULL;
	len = strlen(s);
	if (len <= ICAL_MAX_TEXT)
		return strdup(s);
	len = ICAL_MAX_TEXT;
	while (len && ((unsigned char)s[len] & 0xC0) == 0x80)
		len--;
	return strndup(s, len);
}

/* "mailto:Ann@X.org" (or an EMAIL parameter) into "ann@x.org"; NULL
 * when there is no address. *nomem set when strdup fails. */
static char *email_of(icalproperty *p, const char *value, int *nomem)
{
	icalparameter *param;
	const char *s = NULL;
	char *e;
	size_t n;

	if (value && !strncasecmp(value, "mailto:", 7))
		s = value + 7;
	if (!s || !strchr(s, '@')) {
		param =
		    icalproperty_get_first_parameter(p, ICAL_EMAIL_PARAMETER);
		if (param)
			s = icalparameter_get_email(param);
	}
	if (!s)
		return NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (!n || !memchr(s, '@', n))
		return NULL;
	e = strndup(s, n);
	if (!e) {
		*nomem = 1;
		return NULL;
	}
	for (char *q = e; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	return e;
}

bool ical_is_video(const char *location, const char *description)
{
	static const char *const marks[] = {
	    "zoom.us",	 "meet.google.com", "teams.microsoft.com",
	    "webex.com", "whereby.com",	    "jit.si",
	    "facetime",	 "video call",
	};

	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if ((location && kith_contains_ci(location, marks[i])) ||
		    (description && kith_contains_ci(description, marks[i])))
			return true;
	return false;
}

/* ---- the result ---- */

/* A RECURRENCE-ID instance: it stands in for its master's occurrence. */
struct override {
	const char *uid; /* borrowed from the libical tree */
	kith_time at;
};

struct acc {
	struct ical_event *v;
	size_t n, cap;
	size_t examined; /* occurrences looked at: the bomb guard */
	size_t events;	 /* VEVENTs read */
	struct timespec t0; /* start of the expansion: the time budget */
	kith_time from, to;
	struct override *ov;
	size_t n_ov;
	const char *text, *file;
	size_t len;
	const struct span *sp; /* the event being read, or NULL */
	struct kith_err *err;
};

static void event_clear(struct ical_event *e)
{
	free(e->uid);
	free(e->summary);
	free(e->location);
	free(e->organizer);
	strlist_clear(&e->attendees);
}

void ical_events_free(struct ical_event *e, size_t n)
{
	if (!e)
		return;
	for (size_t i = 0; i < n; i++)
		event_clear(&e[i]);
	free(e);
}

/* Fail on the event being read: file:line of the property when found. */
static int ev_bad(struct acc *a, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int ev_bad(struct acc *a, const char *field, const char *fmt, ...)
{
	int line = find_prop_line(a->text, a->len, a->sp, field);
	char msg[400];
	va_list ap;

	if (!line && a->sp)
		line = a->sp->begin;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kith_err_set(a->err, KITH_EINPUT, field, "%s", msg);
	kith_err_at(a->err, a->file, line);
	return KITH_EINPUT;
}

/* A to_utc failure gets the event's place. */
static int ev_time(struct acc *a, kith_time *out, struct icaltimetype t,
		   const char *field)
{
	if (to_utc(out, t, field, a->err) == KITH_OK)
		return KITH_OK;
	if (a->err && a->err->status == KITH_ENOMEM)
		return KITH_ENOMEM;
	return ev_bad(a, field, "no such date or time");
}

static int ov_cmp(const void *x, const void *y)
{
	const struct override *a = x, *b = y;
	int c = strcmp(a->uid, b->uid);

	if (c)
		return c;
	return (a->at > b->at) - (a->at < b->at);
}

static int ev_cmp(const void *x, const void *y)
{
	const struct ical_event *a = x, *b = y;

	if (a->start != b->start)
		return (a->start > b->start) - (a->start < b->start);
	return strcmp(a->uid, b->uid);
}

/* A DATE exdate, as a key below every instant a calendar can hold. */
#define EX_DAY(day) (INT64_MIN / 2 + (kith_time)(day))

static int kt_cmp(const void *x, const void *y)
{
	const kith_time *a = x, *b = y;

	return (*a > *b) - (*a < *b);
}

/* What every occurrence of one VEVENT shares. */
struct proto {
	icalcomponent *ev;
	const char *uid;
	struct icaltimetype dtstart; /* zone resolved */
	bool all_day;
	int32_t days; /* all day: length in days */
	bool has_dur; /* date-time: DURATION given */
	struct icaldurationtype dur;
	kith_time secs; /* date-time, no DURATION: length */
	bool is_override;
	/* EXDATEs in UTC seconds, or EX_DAY(day) for a DATE one on a
	 * date-time event; sorted */
	kith_time *ex;
	size_t n_ex;
	struct ical_event tmpl; /* strings cloned per occurrence */
};

static int tmpl_fill(struct ical_event *e, icalcomponent *ev)
{
	int nomem = 0;
	icalproperty *p;

	e->summary = dup_capped(icalcomponent_get_summary(ev));
	e->location = dup_capped(icalcomponent_get_location(ev));
	if ((icalcomponent_get_summary(ev) && *icalcomponent_get_summary(ev) &&
	     !e->summary) ||
	    (icalcomponent_get_location(ev) &&
	     *icalcomponent_get_location(ev) && !e->location))
		return -1;
	p = icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY);
	if (p)
		e->organizer =
		    email_of(p, icalproperty_get_organizer(p), &nomem);
	for (p = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
	     p && !nomem;
	     p = icalcomponent_get_next_property(ev, ICAL_ATTENDEE_PROPERTY)) {
		char *m = email_of(p, icalproperty_get_attendee(p), &nomem);

		if (m && !strlist_has_ci(&e->attendees, m) &&
		    strlist_push(&e->attendees, m))
			nomem = 1;
		free(m);
	}
	/* The description is read for this flag only, once per event: it is
	 * not kept, so nothing clones it per occurrence. */
	e->video = ical_is_video(icalcomponent_get_location(ev),
				 icalcomponent_get_description(ev));
	return nomem ? -1 : 0;
}

static int event_clone(struct ical_event *d, const struct ical_event *s,
		       const char *uid)
{
	memset(d, 0, sizeof(*d));
	d->uid = strdup(uid);
	d->summary = s->summary ? strdup(s->summary) : NULL;
	d->location = s->location ? strdup(s->location) : NULL;
	d->organizer = s->organizer ? strdup(s->organizer) : NULL;
	d->video = s->video;
	if (!d->uid || (s->summary && !d->summary) ||
	    (s->location && !d->location) ||
	    (s->organizer && !d->organizer))
		goto fail;
	for (size_t i = 0; i < s->attendees.n; i++)
		if (strlist_push(&d->attendees, s->attendees.v[i]))
			goto fail;
	return 0;
fail:
	event_clear(d);
	return -1;
}

/* One occurrence: start and end in UTC seconds. */
struct occ {
	kith_time s, e;
};

struct occs {
	struct occ *v;
	size_t n, cap;
};

/* Has this file used up its time? Checked after every step of libical's
 * iterator, which can walk for a long time before it yields. */
static int over_budget(struct acc *a)
{
	struct timespec t;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &t);
	ms = (long long)(t.tv_sec - a->t0.tv_sec) * 1000 +
	     (t.tv_nsec - a->t0.tv_nsec) / 1000000;
	if (ms <= ICAL_BUDGET_MS)
		return KITH_OK;
	return ev_bad(a, "RRULE",
		      "the calendar takes too long to expand (more than %d ms)",
		      ICAL_BUDGET_MS);
}

/* One candidate start t of pr (wall time in its zone): keep it when it
 * overlaps the window and is neither excluded nor overridden. */
static int occurrence(struct acc *a, struct proto *pr, struct icaltimetype t,
		      struct occs *o)
{
	kith_time s, e, key;
	int rc;

	if (++a->examined > ICAL_MAX_OCCURRENCES)
		return ev_bad(a, "RRULE", "more than %d occurrences",
			      ICAL_MAX_OCCURRENCES);
	if (a->examined % 64 == 0 && (rc = over_budget(a)))
		return rc;
	rc = ev_time(a, &s, t, "DTSTART");
	if (rc)
		return rc;
	if (pr->all_day) {
		/* whole local days, however long DST makes them */
		struct icaltimetype u = t;
		int y, m, d;

		kith_civil_from_days(day_of(t) + pr->days, &y, &m, &d);
		u.year = y;
		u.month = m;
		u.day = d;
		rc = ev_time(a, &e, u, "DTEND");
	} else if (pr->has_dur) {
		/* RFC 5545 3.3.6: days are nominal, added in local time */
		rc = ev_time(a, &e, icaltime_add(t, pr->dur), "DURATION");
	} else {
		e = s + pr->secs;
	}
	if (rc)
		return rc;
	if (e < s)
		e = s;
	if (s >= a->to || (e > s ? e <= a->from : s < a->from))
		return KITH_OK;
	if (pr->n_ex) {
		if (bsearch(&s, pr->ex, pr->n_ex, sizeof(*pr->ex), kt_cmp))
			return KITH_OK;
		key = EX_DAY(day_of(t));
		if (!pr->all_day &&
		    bsearch(&key, pr->ex, pr->n_ex, sizeof(*pr->ex), kt_cmp))
			return KITH_OK;
	}
	if (!pr->is_override && a->n_ov) {
		struct override ok = {pr->uid, s};

		if (bsearch(&ok, a->ov, a->n_ov, sizeof(*a->ov), ov_cmp))
			return KITH_OK;
	}
	if (o->n >= ICAL_MAX_PER_EVENT)
		return ev_bad(a, "RRULE",
			      "more than %d occurrences in the window",
			      ICAL_MAX_PER_EVENT);
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 16;
		struct occ *v = realloc(o->v, cap * sizeof(*v));

		if (!v)
			return kith_err_nomem(a->err);
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n].s = s;
	o->v[o->n].e = e;
	o->n++;
	return KITH_OK;
}

static int occ_cmp(const void *x, const void *y)
{
	const struct occ *a = x, *b = y;

	return (a->s > b->s) - (a->s < b->s);
}

static int push_event(struct acc *a, const struct proto *pr, kith_time s,
		      kith_time e)
{
	struct ical_event *d;

	if (a->n >= ICAL_MAX_IN_WINDOW)
		return ev_bad(a, "VEVENT",
			      "more than %d occurrences in the window in the "
			      "file",
			      ICAL_MAX_IN_WINDOW);
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		struct ical_event *v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			return kith_err_nomem(a->err);
		a->v = v;
		a->cap = cap;
	}
	d = &a->v[a->n];
	if (event_clone(d, &pr->tmpl, pr->uid))
		return kith_err_nomem(a->err);
	d->start = s;
	d->end = e;
	d->all_day = pr->all_day;
	a->n++;
	return KITH_OK;
}

/* EXDATEs into pr->ex, sorted. A DATE exdate on a date-time event removes
 * that whole local day: stored as EX_DAY(day), below any time a calendar
 * holds, so one sorted array serves both. */
static int proto_exdates(struct acc *a, struct proto *pr)
{
	icalcomponent *ev = pr->ev;
	icalproperty *p;
	size_t cap = 0;

	for (p = icalcomponent_get_first_property(ev, ICAL_EXDATE_PROPERTY); p;
	     p = icalcomponent_get_next_property(ev, ICAL_EXDATE_PROPERTY)) {
		struct icaltimetype t =
		    icalproperty_get_datetime_with_component(p, ev);
		kith_time x;
		int rc;

		if (pr->n_ex == cap) {
			kith_time *v;

			cap = cap ? cap * 2 : 8;
			v = realloc(pr->ex, cap * sizeof(*v));
			if (!v)
				return kith_err_nomem(a->err);
			pr->ex = v;
		}
		if (t.is_date && !pr->all_day) {
			if (icaltime_is_null_time(t) ||
			    !icaltime_is_valid_time(t))
				return ev_bad(a, "EXDATE", "no such date");
			x = EX_DAY(day_of(t));
		} else {
			t.is_date = pr->all_day;
			rc = ev_time(a, &x, t, "EXDATE");
			if (rc)
				return rc;
		}
		pr->ex[pr->n_ex++] = x;
	}
	if (pr->n_ex)
		qsort(pr->ex, pr->n_ex, sizeof(*pr->ex), kt_cmp);
	return KITH_OK;
}

/* Can any month of r's BYMONTH (every month without one) hold one of its
 * BYMONTHDAYs, and any of its BYYEARDAYs fall in one of those months?
 * libical 3.0 looks for a match day by day up to the year 2582 when
 * there is none (0.26 s a rule). */
static bool rule_can_match(const struct icalrecurrencetype *r)
{
	static const int mdays[13] = {0,  31, 29, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31};
	/* first and last day of year of each month, leap or not */
	static const int first[13] = {0,   1,	32,  60,  91,  121, 152,
				      182, 213, 244, 274, 305, 335};
	bool months[13] = {false};
	bool any_month = r->by_month[0] == ICAL_RECURRENCE_ARRAY_MAX;

	for (int m = 1; m <= 12; m++)
		months[m] = any_month;
	for (int i = 0; i < ICAL_BY_MONTH_SIZE &&
			r->by_month[i] != ICAL_RECURRENCE_ARRAY_MAX;
	     i++) {
		int m = r->by_month[i] & 0xff; /* leap-month flag aside */

		if (m >= 1 && m <= 12)
			months[m] = true;
	}
	if (r->by_month_day[0] != ICAL_RECURRENCE_ARRAY_MAX) {
		bool ok = false;

		for (int i = 0; !ok && i < ICAL_BY_MONTHDAY_SIZE &&
				r->by_month_day[i] != ICAL_RECURRENCE_ARRAY_MAX;
		     i++) {
			int d = abs(r->by_month_day[i]);

			for (int m = 1; !ok && m <= 12; m++)
				ok = months[m] && d >= 1 && d <= mdays[m];
		}
		if (!ok)
			return false;
	}
	if (r->by_year_day[0] != ICAL_RECURRENCE_ARRAY_MAX && !any_month) {
		bool ok = false;

		for (int i = 0; !ok && i < ICAL_BY_YEARDAY_SIZE &&
				r->by_year_day[i] != ICAL_RECURRENCE_ARRAY_MAX;
		     i++) {
			int d = r->by_year_day[i];

			for (int m = 1; !ok && m <= 12; m++) {
				int lo = first[m] - 1, hi = first[m] + mdays[m];

				/* either kind of year, from either end */
				ok = months[m] &&
				     ((d > 0 && d >= lo && d <= hi) ||
				      (d < 0 && 367 + d >= lo && 367 + d <= hi + 1));
			}
		}
		if (!ok)
			return false;
	}
	return true;
}

/* How many values r's BY array holds (0: the part is absent). */
static size_t by_count(const short *arr, size_t size)
{
	size_t n = 0;

	while (n < size && arr[n] != ICAL_RECURRENCE_ARRAY_MAX)
		n++;
	return n;
}

#define BY_COUNT(arr) by_count((arr), sizeof(arr) / sizeof(*(arr)))

static size_t size_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* The days of a month the n-th weekday (n != 0) can fall on, in months
 * of 28 to 31 days: 1MO is on days 1-7, -1MO on days 22-31. */
static void nth_weekday_days(int n, int *lo, int *hi)
{
	if (n > 0) {
		*lo = 7 * (n - 1) + 1;
		*hi = 7 * n;
	} else {
		*lo = 28 + 1 + 7 * n;
		*hi = 31 - 7 * (-n - 1);
	}
}

/*
 * Rules with a BYDAY whose place in the month or year can never be
 * (6TU in a month), a BYDAY place no BYMONTHDAY meets (1MO on the 20th),
 * or a BYSETPOS past the most a period can hold (BYDAY=3TU;BYSETPOS=2):
 * libical 3.0 looks for their first occurrence day by day up to the
 * year 2582 (0.5 s a rule, far longer under a sanitizer), then gives up.
 * Each test errs towards "possible": only a rule that can never occur
 * is refused.
 */
static bool rule_can_occur(const struct icalrecurrencetype *r)
{
	size_t n_day = BY_COUNT(r->by_day), n_mday = BY_COUNT(r->by_month_day);
	size_t n_month = BY_COUNT(r->by_month), n_yday = BY_COUNT(r->by_year_day);
	size_t n_week = BY_COUNT(r->by_week_no), n_pos = BY_COUNT(r->by_set_pos);
	bool in_month = r->freq == ICAL_MONTHLY_RECURRENCE ||
			(r->freq == ICAL_YEARLY_RECURRENCE && n_month);
	bool in_year = r->freq == ICAL_YEARLY_RECURRENCE && !n_month && !n_week;
	size_t plain = 0, placed = 0, most;

	for (size_t i = 0; i < n_day; i++) {
		int pos = icalrecurrencetype_day_position(r->by_day[i]);

		if (!pos)
			plain++;
		else if ((in_month && abs(pos) <= 5) ||
			 (in_year && abs(pos) <= 53) || (!in_month && !in_year))
			placed++;
	}
	if (n_day && !plain && !placed)
		return false;
	if (in_month && n_day && !plain && n_mday) {
		bool meet = false;

		for (size_t i = 0; !meet && i < n_day; i++) {
			int pos = icalrecurrencetype_day_position(r->by_day[i]);
			int lo, hi;

			if (abs(pos) > 5)
				continue;
			nth_weekday_days(pos, &lo, &hi);
			for (size_t j = 0; !meet && j < n_mday; j++) {
				int d = r->by_month_day[j];
				/* -1 is the 28th to the 31st */
				int dlo = d > 0 ? d : 29 + d, dhi = d > 0 ? d : 32 + d;

				meet = dlo <= hi && dhi >= lo;
			}
		}
		if (!meet)
			return false;
	}
	if (!n_pos)
		return true;
	/* The most occurrences one period can hold, from above: the least
	 * of what each BY part allows. */
	switch (r->freq) {
	case ICAL_YEARLY_RECURRENCE: {
		size_t months = n_month ? n_month : 12;

		most = 366;
		if (n_yday)
			most = size_min(most, n_yday);
		if (n_mday)
			most = size_min(most, n_mday * months);
		if (n_day && !n_week)
			most = size_min(most,
					n_month ? (plain * 5 + placed) * months
						: plain * 53 + placed);
		break;
	}
	case ICAL_MONTHLY_RECURRENCE:
		most = 31;
		if (n_mday)
			most = size_min(most, n_mday);
		if (n_day)
			most = size_min(most, plain * 5 + placed);
		break;
	case ICAL_WEEKLY_RECURRENCE:
		most = n_day ? size_min(n_day, 7) : 1;
		break;
	case ICAL_DAILY_RECURRENCE:
		most = 1;
		break;
	default:
		return true;	/* sub-daily: not bounded here */
	}
	most *= BY_COUNT(r->by_hour) ? BY_COUNT(r->by_hour) : 1;
	most *= BY_COUNT(r->by_minute) ? BY_COUNT(r->by_minute) : 1;
	most *= BY_COUNT(r->by_second) ? BY_COUNT(r->by_second) : 1;
	for (size_t i = 0; i < n_pos; i++)
		if ((size_t)abs(r->by_set_pos[i]) <= most)
			return true;
	return false;
}

/* The subset of RRULE whose expansion libical 3.0 does in bounded steps:
 * each next() of a SECONDLY rule with BYMONTH=2 walks second by second to
 * February, and one that never matches walks to the year 2582. */
static int rule_check(struct acc *a, const struct icalrecurrencetype *r)
{
#define HAS(arr) ((arr)[0] != ICAL_RECURRENCE_ARRAY_MAX)
	int coarse = HAS(r->by_month) || HAS(r->by_week_no) ||
		     HAS(r->by_year_day) || HAS(r->by_month_day);
	int any = coarse || HAS(r->by_day) || HAS(r->by_hour) ||
		  HAS(r->by_minute) || HAS(r->by_second) || HAS(r->by_set_pos);
#undef HAS

	if (!rule_can_match(r))
		return ev_bad(a, "RRULE",
			      "BYMONTH, BYMONTHDAY and BYYEARDAY never meet: "
			      "no occurrence is possible");
	if (!rule_can_occur(r))
		return ev_bad(a, "RRULE",
			      "BYDAY, BYMONTHDAY and BYSETPOS never meet: no "
			      "occurrence is possible");
	switch (r->freq) {
	case ICAL_SECONDLY_RECURRENCE:
	case ICAL_MINUTELY_RECURRENCE:
		if (any)
			return ev_bad(a, "RRULE",
				      "FREQ=SECONDLY or MINUTELY with BY parts "
				      "is not supported");
		return KITH_OK;
	case ICAL_HOURLY_RECURRENCE:
		if (coarse)
			return ev_bad(a, "RRULE",
				      "FREQ=HOURLY with BYMONTH, BYWEEKNO, "
				      "BYYEARDAY or BYMONTHDAY is not "
				      "supported");
		return KITH_OK;
	case ICAL_DAILY_RECURRENCE:
	case ICAL_WEEKLY_RECURRENCE:
	case ICAL_MONTHLY_RECURRENCE:
	case ICAL_YEARLY_RECURRENCE:
		return KITH_OK;
	case ICAL_NO_RECURRENCE:
		break;
	}
	return ev_bad(a, "RRULE", "no FREQ");
}

/* Every occurrence of one RRULE up to the window's end into o. */
static int expand_rule(struct acc *a, struct proto *pr, icalproperty *p,
		       struct occs *o)
{
	struct icalrecurrencetype r = icalproperty_get_rrule(p);
	icalrecur_iterator *it;
	struct icaltimetype t;
	int rc = rule_check(a, &r);

	if (rc)
		return rc;
	it = icalrecur_iterator_new(r, pr->dtstart);
	if (!it)
		return ev_bad(a, "RRULE",
			      "cannot be expanded from this DTSTART");
	for (t = icalrecur_iterator_next(it); !icaltime_is_null_time(t);
	     t = icalrecur_iterator_next(it)) {
		kith_time s;

		t.zone = pr->dtstart.zone;
		t.is_date = pr->dtstart.is_date;
		rc = over_budget(a);
		if (rc)
			break;
		if (!icaltime_compare(t, pr->dtstart))
			continue; /* counted already, see expand_event */
		rc = ev_time(a, &s, t, "RRULE");
		if (rc || s >= a->to)
			break;
		rc = occurrence(a, pr, t, o);
		if (rc)
			break;
	}
	icalrecur_iterator_free(it);
	return rc;
}

/* Lengths and exclusions of pr->ev, then its occurrences in the window,
 * each once, in order. */
static int expand_event(struct acc *a, struct proto *pr)
{
	icalcomponent *ev = pr->ev;
	icalproperty *pend, *pdur, *p;
	struct occs o = {0};
	kith_time s0;
	int rc;

	pr->all_day = pr->dtstart.is_date;
	pend = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
	pdur = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY);
	if (pend && pdur)
		return ev_bad(a, "DURATION", "not allowed with DTEND");
	rc = ev_time(a, &s0, pr->dtstart, "DTSTART");
	if (rc)
		return rc;
	if (pend) {
		struct icaltimetype te =
		    icalproperty_get_datetime_with_component(pend, ev);
		kith_time e0;

		if (te.is_date != pr->dtstart.is_date)
			return ev_bad(a, "DTEND",
				      "a date and a time mixed with DTSTART");
		rc = ev_time(a, &e0, te, "DTEND");
		if (rc)
			return rc;
		if (e0 < s0)
			return ev_bad(a, "DTEND", "before DTSTART");
		if (pr->all_day)
			pr->days = day_of(te) - day_of(pr->dtstart);
		else
			pr->secs = e0 - s0;
	} else if (pdur) {
		struct icaldurationtype d = icalproperty_get_duration(pdur);

		if (icaldurationtype_is_bad_duration(d) || d.is_neg)
			return ev_bad(a, "DURATION", "not a length of time");
		if (pr->all_day) {
			pr->days = (int32_t)((icaldurationtype_as_int(d) +
					      KITH_DAY - 1) /
					     KITH_DAY);
		} else {
			pr->has_dur = true;
			pr->dur = d;
		}
	} else if (!pr->all_day) {
		pr->secs = 3600;
	}
	if (pr->all_day && pr->days < 1)
		pr->days = 1; /* DTEND;VALUE=DATE equal to DTSTART */
	rc = proto_exdates(a, pr);
	if (rc)
		return rc;

	/* RFC 5545 3.8.5.3: DTSTART is always the first occurrence. */
	rc = occurrence(a, pr, pr->dtstart, &o);
	for (p = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
	     p && !rc && !pr->is_override;
	     p = icalcomponent_get_next_property(ev, ICAL_RRULE_PROPERTY))
		rc = expand_rule(a, pr, p, &o);
	for (p = icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY);
	     p && !rc && !pr->is_override;
	     p = icalcomponent_get_next_property(ev, ICAL_RDATE_PROPERTY)) {
		struct icaldatetimeperiodtype d = icalproperty_get_rdate(p);
		struct icaltimetype t =
		    icaltime_is_null_time(d.time) ? d.period.start : d.time;

		if (!icaltime_is_utc(t))
			t.zone = zone_of(p, ev);
		if (t.is_date != pr->dtstart.is_date)
			rc = ev_bad(a, "RDATE",
				    "a date and a time mixed with DTSTART");
		else
			rc = occurrence(a, pr, t, &o);
	}
	if (!rc && o.n)
		qsort(o.v, o.n, sizeof(*o.v), occ_cmp);
	for (size_t i = 0; i < o.n && !rc; i++)
		if (!i || o.v[i].s != o.v[i - 1].s)
			rc = push_event(a, pr, o.v[i].s, o.v[i].e);
	free(o.v);
	return rc;
}

/* ---- the walk over libical's tree ---- */

static int xlic_check(struct acc *a, icalcomponent *ev)
{
	static const char *const ours[] = {
	    "DTSTART", "DTEND",	 "DURATION",	  "RRULE",
	    "RDATE",   "EXDATE", "RECURRENCE-ID", "UID",
	};
	icalproperty *p;

	for (p = icalcomponent_get_first_property(ev, ICAL_XLICERROR_PROPERTY);
	     p;
	     p = icalcomponent_get_next_property(ev, ICAL_XLICERROR_PROPERTY)) {
		const char *m = icalproperty_get_xlicerror(p);

		for (size_t i = 0; m && i < sizeof(ours) / sizeof(ours[0]);
		     i++) {
			char pat[48];

			snprintf(pat, sizeof(pat), " %s property", ours[i]);
			if (strstr(m, pat))
				return ev_bad(a, ours[i], "%s", m);
		}
	}
	return KITH_OK;
}

typedef int (*ev_fn)(struct acc *a, icalcomponent *ev);

/* Call fn on every VEVENT directly under a VCALENDAR, in document order,
 * with a->sp set to its place in the text. */
static int each_event(struct acc *a, icalcomponent *root, const struct scan *sc,
		      ev_fn fn)
{
	icalcomponent *cal, *ev;
	size_t k = 0;
	int rc = KITH_OK,
	    xroot = icalcomponent_isa(root) == ICAL_XROOT_COMPONENT;

	cal = xroot ? icalcomponent_get_first_component(
			  root, ICAL_VCALENDAR_COMPONENT)
		    : root;
	for (; cal && !rc; cal = xroot ? icalcomponent_get_next_component(
					     root, ICAL_VCALENDAR_COMPONENT)
				       : NULL) {
		for (ev = icalcomponent_get_first_component(
			 cal, ICAL_VEVENT_COMPONENT);
		     ev && !rc; ev = icalcomponent_get_next_component(
				    cal, ICAL_VEVENT_COMPONENT)) {
			a->sp = k < sc->n ? &sc->v[k] : NULL;
			k++;
			rc = fn(a, ev);
		}
	}
	a->sp = NULL;
	return rc;
}

static int collect_override(struct acc *a, icalcomponent *ev)
{
	icalproperty *p;
	struct icaltimetype t;
	kith_time at;
	const char *uid;
	int rc = xlic_check(a, ev);

	if (rc)
		return rc;
	p = icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY);
	uid = icalcomponent_get_uid(ev);
	if (!p || !uid)
		return KITH_OK;
	t = icalproperty_get_datetime_with_component(p, ev);
	rc = ev_time(a, &at, t, "RECURRENCE-ID");
	if (rc)
		return rc;
	if (a->n_ov % 16 == 0) {
		struct override *v =
		    realloc(a->ov, (a->n_ov + 16) * sizeof(*v));

		if (!v)
			return kith_err_nomem(a->err);
		a->ov = v;
	}
	a->ov[a->n_ov].uid = uid;
	a->ov[a->n_ov].at = at;
	a->n_ov++;
	return KITH_OK;
}

static int read_event(struct acc *a, icalcomponent *ev)
{
	struct proto pr = {0};
	size_t first = a->n;
	int rc;

	if (++a->events > ICAL_MAX_EVENTS)
		return ev_bad(a, "VEVENT", "more than %d events in the file",
			      ICAL_MAX_EVENTS);
	rc = over_budget(a);
	if (rc)
		return rc;
	if (icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED)
		return KITH_OK;
	pr.ev = ev;
	pr.uid = icalcomponent_get_uid(ev);
	if (!pr.uid || !*pr.uid)
		return ev_bad(a, "UID", "empty");
	pr.is_override = icalcomponent_get_first_property(
			     ev, ICAL_RECURRENCEID_PROPERTY) != NULL;
	pr.dtstart = icalcomponent_get_dtstart(ev);
	if (icaltime_is_null_time(pr.dtstart))
		return ev_bad(a, "DTSTART", "missing in VEVENT");
	if (tmpl_fill(&pr.tmpl, ev)) {
		rc = kith_err_nomem(a->err);
		goto done;
	}
	rc = expand_event(a, &pr);
done:
	if (rc) {
		for (size_t i = first; i < a->n; i++)
			event_clear(&a->v[i]);
		a->n = first;
	}
	event_clear(&pr.tmpl);
	free(pr.ex);
	return rc;
}

int ical_parse(struct ical_event **out, size_t *n, const char *text, size_t len,
	       const char *file, kith_time from, kith_time to,
	       struct kith_err *err)
{
	struct scan sc = {0};
	struct acc a = {0};
	icalcomponent *root = NULL;
	char *copy = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if (!file)
		file = "";
	rc = scan_text(&sc, text, len, file, err);
	if (rc)
		goto done;
	copy = malloc(len + 1);
	if (!copy) {
		rc = kith_err_nomem(err);
		goto done;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	root = icalparser_parse_string(copy);
	if (!root) {
		rc = kith_err_set(err, KITH_EINPUT, "BEGIN",
				  "expected BEGIN:VCALENDAR");
		kith_err_at(err, file, 0);
		goto done;
	}
	a.from = from;
	a.to = to;
	clock_gettime(CLOCK_MONOTONIC, &a.t0);
	a.text = text;
	a.len = len;
	a.file = file;
	a.err = err;
	rc = each_event(&a, root, &sc, collect_override);
	if (rc)
		goto done;
	if (a.n_ov)
		qsort(a.ov, a.n_ov, sizeof(*a.ov), ov_cmp);
	if (from < to)
		rc = each_event(&a, root, &sc, read_event);
	if (rc)
		goto done;
	if (a.n)
		qsort(a.v, a.n, sizeof(*a.v), ev_cmp);
	*out = a.v;
	*n = a.n;
	a.v = NULL;
	a.n = 0;
done:
	ical_events_free(a.v, a.n);
	free(a.ov);
	if (root)
		icalcomponent_free(root);
	free(copy);
	free(sc.v);
	return rc;
}
