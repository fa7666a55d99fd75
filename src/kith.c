/* kith.c: errors, time, cadences and strings shared by every layer. */
#include "kith.h"
#include "tzif.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int kith_err_set(struct kith_err *err, enum kith_status status,
		 const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return status;
	err->status = status;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return status;
}

int kith_err_nomem(struct kith_err *err)
{
	return kith_err_set(err, KITH_ENOMEM, NULL, "out of memory");
}

void kith_err_at(struct kith_err *err, const char *file, int line)
{
	if (!err)
		return;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
}

const char *kith_err_format(const struct kith_err *err, char *buf, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	if (err->file[0] && err->line > 0)
		off += snprintf(buf, n, "%s:%d: ", err->file, err->line);
	else if (err->file[0])
		off += snprintf(buf, n, "%s: ", err->file);
	if (off < n && err->field[0])
		off += snprintf(buf + off, n - off, "%s: ", err->field);
	if (off < n)
		snprintf(buf + off, n - off, "%s", err->msg);
	return buf;
}

const char *kith_status_name(enum kith_status status)
{
	switch (status) {
	case KITH_OK:
		return "ok";
	case KITH_EINPUT:
		return "invalid";
	case KITH_ESYNTAX:
		return "malformed";
	case KITH_ENOTFOUND:
		return "not_found";
	case KITH_ECONFLICT:
		return "conflict";
	case KITH_EIO:
		return "io";
	case KITH_ENOMEM:
		return "no_memory";
	case KITH_EBUSY:
		return "busy";
	case KITH_EFULL:
		return "disk_full";
	case KITH_EREADONLY:
		return "read_only";
	}
	return "unknown";
}

int kith_status_exit(enum kith_status status)
{
	switch (status) {
	case KITH_OK:
		return 0;
	case KITH_EINPUT:
	case KITH_ESYNTAX:
	case KITH_ENOTFOUND:
	case KITH_ECONFLICT:
		return 2;
	case KITH_EIO:
	case KITH_ENOMEM:
	case KITH_EBUSY:
	case KITH_EFULL:
	case KITH_EREADONLY:
		return 1;
	}
	return 1;
}

struct id_at {
	int64_t id;
	size_t at;
};

static int id_at_cmp(const void *a, const void *b)
{
	const struct id_at *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

int kith_ids_dup(const int64_t *ids, size_t n, size_t *at)
{
	struct id_at *v;
	size_t best = SIZE_MAX;

	if (n < 2)
		return 0;
	v = malloc(n * sizeof(*v));
	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++) {
		v[i].id = ids[i];
		v[i].at = i;
	}
	qsort(v, n, sizeof(*v), id_at_cmp);
	/* A run of equal ids is ordered by index: every element after its
	 * first is a repeat, the smallest index among them the answer. */
	for (size_t i = 1; i < n; i++)
		if (v[i].id == v[i - 1].id && v[i].at < best)
			best = v[i].at;
	free(v);
	if (best == SIZE_MAX)
		return 0;
	*at = best;
	return 1;
}

/* ---- calendar ---- */

int32_t kith_days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void kith_civil_from_days(int32_t z, int *y, int *m, int *d)
{
	int era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = yoe + era * 400 + (*m <= 2);
}

int kith_days_in_month(int y, int m)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

/* ---- zones ----
 * Conversions go through tzif.c: each zone is read once from the
 * zoneinfo database into an immutable table that every thread shares
 * without a lock. libc's way (setenv TZ, tzset, localtime_r under a
 * process-wide lock) serialised every request and raced getenv in
 * libcurl and libical (review M7). An unknown zone converts as UTC,
 * as libc did.
 */
int kith_tz_valid(const char *tz)
{
	/* Only names the zoneinfo database holds: never a path, never
	 * "..", and the file must be a regular TZif file. */
	return tz && tzif_name_ok(tz) && tzif_get(tz) != NULL;
}

static const struct tzif_zone *zone_of(const char *tz)
{
	return tzif_get(tz && *tz ? tz : NULL);
}

int kith_time_local(struct tm *out, kith_time t, const char *tz)
{
	struct tzif_info info;
	int64_t local, days, secs;
	int y, m, d;

	/* Beyond what a struct tm's int year holds either way. */
	if (t < -(int64_t)1e15 || t > (int64_t)1e15)
		return -1;
	tzif_at(zone_of(tz), t, &info);
	local = t + info.utoff;
	days = local / KITH_DAY - (local % KITH_DAY < 0);
	secs = local - days * KITH_DAY;
	if (days < INT32_MIN + 719468 || days > INT32_MAX - 719468)
		return -1;
	kith_civil_from_days((int32_t)days, &y, &m, &d);
	memset(out, 0, sizeof(*out));
	out->tm_year = y - 1900;
	out->tm_mon = m - 1;
	out->tm_mday = d;
	out->tm_hour = (int)(secs / 3600);
	out->tm_min = (int)(secs / 60 % 60);
	out->tm_sec = (int)(secs % 60);
	out->tm_wday = (int)(((days + 4) % 7 + 7) % 7);
	out->tm_yday = (int)(days - kith_days_from_civil(y, 1, 1));
	out->tm_isdst = info.isdst;
	out->tm_gmtoff = info.utoff;
	out->tm_zone = info.abbr;
	return 0;
}

long kith_tz_offset(kith_time t, const char *tz)
{
	struct tzif_info info;

	tzif_at(zone_of(tz), t, &info);
	return info.utoff;
}

int32_t kith_time_day(kith_time t, const char *tz)
{
	struct tzif_info info;
	int64_t local, d;

	tzif_at(zone_of(tz), t, &info);
	local = t + info.utoff;
	d = local / KITH_DAY - (local % KITH_DAY < 0);
	return (int32_t)d;
}

/*
 * The instant of a local wall time, as mktime with tm_isdst = -1 gives
 * it: in a fold (the hour repeated when clocks go back) the earlier
 * instant; in a gap (the hour skipped when they go forward) the offset
 * before the change, which lands the time after the gap (02:30 on a
 * spring-forward night in Chicago is 03:30 CDT). Assumes at most one
 * change within a day of the time, which every zone keeps.
 */
static kith_time local_to_time(int y, int mo, int d, int h, int mi, int sec,
			       const char *tz)
{
	const struct tzif_zone *z = zone_of(tz);
	struct tzif_info before, after, check;
	int64_t local = ((int64_t)kith_days_from_civil(y, mo, 1) + d - 1) *
				KITH_DAY +
			(int64_t)h * 3600 + mi * 60 + sec;
	int64_t ta, tb;
	int va, vb;

	tzif_at(z, local - KITH_DAY - 26 * 3600, &before);
	tzif_at(z, local + KITH_DAY + 26 * 3600, &after);
	ta = local - before.utoff;
	tb = local - after.utoff;
	tzif_at(z, ta, &check);
	va = check.utoff == before.utoff;
	tzif_at(z, tb, &check);
	vb = check.utoff == after.utoff;
	if (va && vb)
		return ta < tb ? ta : tb;
	if (va)
		return ta;
	if (vb)
		return tb;
	return ta;
}

/* ---- parsing ---- */

static int parse_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int parse_ymd(const char **p, int *y, int *m, int *d)
{
	if (parse_digits(p, 4, y) || **p != '-')
		return -1;
	(*p)++;
	if (parse_digits(p, 2, m) || **p != '-')
		return -1;
	(*p)++;
	return parse_digits(p, 2, d);
}

static int ymd_valid(int y, int m, int d)
{
	return y >= 1 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= kith_days_in_month(y, m);
}

int kith_date_parse(int32_t *out, const char *s, const char *field,
		    struct kith_err *err)
{
	const char *p = s;
	int y, m, d;

	if (!s || parse_ymd(&p, &y, &m, &d) || *p)
		return kith_err_set(err, KITH_EINPUT, field,
				    "expected a date YYYY-MM-DD, got \"%s\"",
				    s ? s : "");
	if (!ymd_valid(y, m, d))
		return kith_err_set(err, KITH_EINPUT, field,
				    "no such date: \"%s\"", s);
	*out = kith_days_from_civil(y, m, d);
	return KITH_OK;
}

int kith_time_parse(kith_time *out, const char *s, const char *tz,
		    int end_of_day, const char *field, struct kith_err *err)
{
	const char *p = s;
	int y, m, d, h = 0, mi = 0, sec = 0;
	int has_time = 0;

	if (!s || parse_ymd(&p, &y, &m, &d))
		goto bad;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (parse_digits(&p, 2, &h) || *p++ != ':' ||
		    parse_digits(&p, 2, &mi))
			goto bad;
		if (*p == ':') {
			p++;
			if (parse_digits(&p, 2, &sec))
				goto bad;
			if (*p == '.') /* fractions of a second are dropped */
				for (p++; isdigit((unsigned char)*p); p++)
					;
		}
		has_time = 1;
	}
	if (!ymd_valid(y, m, d) || h > 23 || mi > 59 || sec > 60)
		return kith_err_set(err, KITH_EINPUT, field,
				    "no such date or time: \"%s\"", s);
	if (!has_time && end_of_day) {
		h = 23;
		mi = 59;
		sec = 59;
	}
	if (*p == 'Z' && !p[1]) {
		*out = (kith_time)kith_days_from_civil(y, m, d) * KITH_DAY +
		       h * 3600 + mi * 60 + sec;
		return KITH_OK;
	}
	if ((*p == '+' || *p == '-') && has_time) {
		int sign = *p == '-' ? -1 : 1, oh, om = 0;

		p++;
		if (parse_digits(&p, 2, &oh))
			goto bad;
		if (*p == ':')
			p++;
		/* after a colon the minutes must follow: "+05:" is bad */
		if ((*p || p[-1] == ':') && parse_digits(&p, 2, &om))
			goto bad;
		if (*p || oh > 14 || om > 59)
			goto bad;
		*out = (kith_time)kith_days_from_civil(y, m, d) * KITH_DAY +
		       h * 3600 + mi * 60 + sec - sign * (oh * 3600 + om * 60);
		return KITH_OK;
	}
	if (*p)
		goto bad;
	*out = local_to_time(y, m, d, h, mi, sec, tz);
	return KITH_OK;
bad:
	return kith_err_set(err, KITH_EINPUT, field,
			    "expected a time like 2026-11-20 09:30 or "
			    "2026-11-20T09:30:00Z, got \"%s\"", s ? s : "");
}

void kith_retry_pause(int attempt)
{
	static _Thread_local uint64_t seed;
	struct timespec ts;
	long cap_us = 5000;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (!seed)
		seed = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)(uintptr_t)&ts ^
		       (uint64_t)getpid();
	/* xorshift64: a jitter, not a secret. */
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	for (int i = 1; i < attempt && cap_us < 250000; i++)
		cap_us *= 2;
	if (cap_us > 250000)
		cap_us = 250000;
	ts.tv_sec = 0;
	ts.tv_nsec = (cap_us / 2 + (long)(seed % (uint64_t)(cap_us / 2 + 1))) *
		     1000L;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int kith_now(kith_time *out, struct kith_err *err)
{
	const char *s = getenv("KITH_NOW");

	if (s && *s)
		return kith_time_parse(out, s, NULL, 0, "KITH_NOW", err);
	*out = (kith_time)time(NULL);
	return KITH_OK;
}

const char *kith_time_iso(kith_time t, char *buf, size_t n)
{
	int64_t days = t / KITH_DAY, rem = t % KITH_DAY;
	int y, m, d;

	if (rem < 0) {
		rem += KITH_DAY;
		days--;
	}
	kith_civil_from_days((int32_t)days, &y, &m, &d);
	/* By hand for the years that matter: snprintf was most of the time
	 * of a contact's JSON (six times per reply). */
	if (y >= 0 && y <= 9999 && n >= 21) {
		int v[6] = { y, m, d, (int)(rem / 3600), (int)(rem / 60 % 60),
			     (int)(rem % 60) };
		static const char sep[6] = { '-', '-', 'T', ':', ':', 'Z' };
		char *p = buf;

		*p++ = (char)('0' + y / 1000);
		*p++ = (char)('0' + y / 100 % 10);
		for (int i = 0; i < 6; i++) {
			*p++ = (char)('0' + v[i] / 10 % 10);
			*p++ = (char)('0' + v[i] % 10);
			*p++ = sep[i];
		}
		*p = '\0';
		return buf;
	}
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
		 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
	return buf;
}

const char *kith_date_iso(int32_t day, char *buf, size_t n)
{
	int y, m, d;

	kith_civil_from_days(day, &y, &m, &d);
	snprintf(buf, n, "%04d-%02d-%02d", y, m, d);
	return buf;
}

kith_time kith_time_add_months(kith_time t, int months)
{
	int64_t days = t / KITH_DAY, rem = t % KITH_DAY;
	int y, m, d, idx;

	if (rem < 0) {
		rem += KITH_DAY;
		days--;
	}
	kith_civil_from_days((int32_t)days, &y, &m, &d);
	idx = y * 12 + (m - 1) + months;
	y = idx / 12;
	m = idx % 12 + 1;
	if (d > kith_days_in_month(y, m))
		d = kith_days_in_month(y, m);
	return (kith_time)kith_days_from_civil(y, m, d) * KITH_DAY + rem;
}

const char *kith_time_relative(kith_time t, kith_time now, char *buf,
			       size_t n)
{
	int64_t diff = now - t;
	int64_t a = diff < 0 ? -diff : diff;
	const char *unit;
	int64_t v;

	if (a < 60) {
		snprintf(buf, n, "just now");
		return buf;
	}
	if (a < 3600) {
		v = a / 60;
		unit = "minute";
	} else if (a < KITH_DAY) {
		v = a / 3600;
		unit = "hour";
	} else if (a < 14 * KITH_DAY) {
		v = a / KITH_DAY;
		unit = "day";
	} else if (a < 60 * KITH_DAY) {
		v = a / (7 * KITH_DAY);
		unit = "week";
	} else if (a < 730 * KITH_DAY) {
		v = a / (30 * KITH_DAY);
		unit = "month";
	} else {
		v = a / (365 * KITH_DAY);
		unit = "year";
	}
	if (diff >= 0)
		snprintf(buf, n, "%lld %s%s ago", (long long)v, unit,
			 v == 1 ? "" : "s");
	else
		snprintf(buf, n, "in %lld %s%s", (long long)v, unit,
			 v == 1 ? "" : "s");
	return buf;
}

int kith_duration_parse(int64_t *out, const char *s, const char *field,
			struct kith_err *err)
{
	char *end;
	long long v;
	int64_t mul;

	/* strtoll would also take " 3d", "+3d" */
	if (!s || !isdigit((unsigned char)*s))
		goto bad;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || v <= 0 || errno || v > 100000)
		goto bad;
	if (!strcmp(end, "m") || !strcmp(end, "min"))
		mul = 60;
	else if (!strcmp(end, "h"))
		mul = 3600;
	else if (!strcmp(end, "d") || !*end)
		mul = KITH_DAY;
	else if (!strcmp(end, "w"))
		mul = 7 * KITH_DAY;
	else
		goto bad;
	*out = v * mul;
	return KITH_OK;
bad:
	return kith_err_set(err, KITH_EINPUT, field,
			    "expected a duration like 90m, 2h, 3d or 1w, "
			    "got \"%s\"", s ? s : "");
}

/* ---- cadence ---- */

int kith_cadence_parse(struct cadence *out, const char *s, const char *field,
		       struct kith_err *err)
{
	char *end;
	long v;

	/* strtol would also take " 30", "+30" and "-0" */
	if (!s || !isdigit((unsigned char)*s))
		goto bad;
	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || errno || v < 0 || v > 36500)
		goto bad;
	out->days = 0;
	out->months = 0;
	if (!*end || !strcmp(end, "d"))
		out->days = (int)v;
	else if (!strcmp(end, "w"))
		out->days = (int)v * 7;
	else if (!strcmp(end, "m"))
		out->months = (int)v;
	else if (!strcmp(end, "y"))
		out->months = (int)v * 12;
	else
		goto bad;
	if (out->months > 1200)
		goto bad;
	return KITH_OK;
bad:
	return kith_err_set(err, KITH_EINPUT, field,
			    "expected a cadence like 30, 30d, 6w, 3m or 1y, "
			    "got \"%s\"", s ? s : "");
}

int kith_cadence_none(struct cadence c)
{
	return c.days == 0 && c.months == 0;
}

size_t kith_int_fmt(char *out, long long v)
{
	/* Through unsigned: -LLONG_MIN does not fit in a long long. */
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v
				     : (unsigned long long)v;
	char tmp[20];
	size_t n = 0, k = 0;

	do {
		tmp[k++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		out[n++] = '-';
	while (k)
		out[n++] = tmp[--k];
	out[n] = '\0';
	return n;
}

const char *kith_cadence_str(struct cadence c, char *buf, size_t n)
{
	char num[24];
	size_t k = kith_int_fmt(num, c.months ? c.months : c.days);

	/* One contact reply spells two cadences: no snprintf for them. */
	if (k + 2 > n) {
		if (n)
			buf[0] = '\0';
		return buf;
	}
	memcpy(buf, num, k);
	buf[k] = c.months ? 'm' : 'd';
	buf[k + 1] = '\0';
	return buf;
}

const char *kith_cadence_words(struct cadence c, char *buf, size_t n)
{
	if (c.months == 1)
		snprintf(buf, n, "every month");
	else if (c.months == 12)
		snprintf(buf, n, "every year");
	else if (c.months % 12 == 0 && c.months)
		snprintf(buf, n, "every %d years", c.months / 12);
	else if (c.months)
		snprintf(buf, n, "every %d months", c.months);
	else if (c.days == 1)
		snprintf(buf, n, "every day");
	else if (c.days)
		snprintf(buf, n, "every %d days", c.days);
	else
		snprintf(buf, n, "no cadence");
	return buf;
}

double kith_cadence_days(struct cadence c)
{
	return c.months ? c.months * 30.4375 : (double)c.days;
}

kith_time kith_cadence_due(struct cadence c, kith_time from)
{
	if (c.months)
		return kith_time_add_months(from, c.months);
	return from + (kith_time)c.days * KITH_DAY;
}

int kith_cadence_code(struct cadence c)
{
	return c.months ? -c.months : c.days;
}

struct cadence kith_cadence_decode(int code)
{
	struct cadence c = { 0, 0 };

	if (code < 0)
		c.months = -code;
	else
		c.days = code;
	return c;
}

/* ---- strings ---- */

char *kith_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

int kith_contains_ci(const char *hay, const char *needle)
{
	size_t n;

	if (!hay || !needle)
		return 0;
	n = strlen(needle);
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return n == 0;
}

size_t kith_utf8_cut(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = n, want;

	/* Back over at most three continuation bytes to the lead. */
	while (i > 0 && n - i < 3 && (p[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0 || p[i - 1] < 0xc0)
		return n;
	want = p[i - 1] >= 0xf0 ? 4 : p[i - 1] >= 0xe0 ? 3 : 2;
	return n - (i - 1) < want ? i - 1 : n;
}

int kith_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i];
		size_t len;
		unsigned cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (i + len > n)
			return 0;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}
