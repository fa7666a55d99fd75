/*
 * kith.h: what every layer shares: the status enum, struct kith_err,
 * time and cadence helpers. Nothing here does SQL or rendering.
 */
#ifndef KITH_H
#define KITH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define KITH_VERSION "0.1.0"

enum kith_status {
	KITH_OK = 0,
	KITH_EINPUT,	/* bad input: a user mistake, exit 2, HTTP 422/400 */
	KITH_ESYNTAX,	/* a body that is not well-formed JSON: exit 2, HTTP 400 */
	KITH_ENOTFOUND,	/* no such thing (or not in this workspace) */
	KITH_ECONFLICT,	/* ambiguous name, duplicate, stale version */
	KITH_EIO,	/* the database or a file failed */
	KITH_ENOMEM,
	KITH_EBUSY,	/* another writer held the database past the busy
			 * timeout: try again later, exit 1, HTTP 503 */
	KITH_EFULL,	/* the disk (or quota) holding the database is full:
			 * nothing was written, exit 1, HTTP 507 */
	KITH_EREADONLY,	/* the database cannot be written (read-only file,
			 * folder or mount): reads still work, exit 1, HTTP 503 */
};

/* The one error a failing call fills: what went wrong and where. */
struct kith_err {
	enum kith_status status;
	char file[128];		/* input file, or "" */
	int line;		/* 1-based line in file, or 0 */
	char field[64];		/* option, column or JSON field, or "" */
	char msg[512];
};

/* Record an error in err (NULL allowed) and return status. printf-style. */
int kith_err_set(struct kith_err *err, enum kith_status status,
		 const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int kith_err_nomem(struct kith_err *err);
/* Set file:line on an error already filled (imports). */
void kith_err_at(struct kith_err *err, const char *file, int line);
/* "file:line: field: msg" or the parts that are set; into buf. */
const char *kith_err_format(const struct kith_err *err, char *buf, size_t n);
/* Stable short name of a status ("input", "not_found"...). */
const char *kith_status_name(enum kith_status status);
/* CLI exit code for a status: 0, 2 for input/not found/conflict, else 1. */
int kith_status_exit(enum kith_status status);

/* Most contacts (and most users) one touchpoint may name. */
#define KITH_TOUCH_MAX_PEOPLE 100
/* Most elements of any one array of a kith-book (contacts, touchpoints,
 * facts...): a 64 MB import is refused up front rather than parsed and
 * written for minutes under the write lock. */
#define KITH_BOOK_MAX_ITEMS 250000

/*
 * Does ids[0..n) hold an id twice? 1 and *at = the index of the first
 * element whose id came earlier, else 0. O(n log n) (a sort of index
 * pairs): the nested loop it replaces held the write lock for seconds
 * on 140k ids (review M11). Allocates; -1 on no memory.
 */
int kith_ids_dup(const int64_t *ids, size_t n, size_t *at);

/* ---- running an action again ----
 * An action the store says may pass if run again (store_retryable: a
 * serialization failure, a deadlock, a lost connection) runs at most
 * KITH_RETRY_MAX times in all. Between runs, kith_retry_pause sleeps a
 * random time in [cap/2, cap], cap = 5 ms doubling per attempt up to
 * 250 ms: at most about 2 s of waiting over all runs, enough for a
 * PostgreSQL restart, and random so writers that collided do not
 * collide again. Eight writers on one contact (A500) needed up to 8
 * runs; 16 leaves room.
 */
#define KITH_RETRY_MAX 16
/* attempt: the run that just failed, 1 for the first. */
void kith_retry_pause(int attempt);

/* ---- time ----
 * Instants are int64 Unix seconds (UTC). Calendar dates are int32
 * "day numbers": days since 1970-01-01 (proleptic Gregorian).
 */
typedef int64_t kith_time;

#define KITH_DAY 86400
#define KITH_NO_TIME INT64_MIN

/* "Now": $KITH_NOW when set (ISO 8601), else the clock. */
int kith_now(kith_time *out, struct kith_err *err);

/* Days from civil date and back (Howard Hinnant's algorithm). */
int32_t kith_days_from_civil(int y, int m, int d);
void kith_civil_from_days(int32_t days, int *y, int *m, int *d);
int kith_days_in_month(int y, int m);

/*
 * Parse a time as a user writes it: "2026-11-20T09:30:00Z", with an
 * offset, "2026-11-20 09:30" or "2026-11-20" (both local in zone tz, or
 * in $TZ/the system zone when tz is NULL). A date alone means 00:00, or
 * 23:59:59 when end_of_day is set. Errors name field.
 */
int kith_time_parse(kith_time *out, const char *s, const char *tz,
		    int end_of_day, const char *field, struct kith_err *err);
/* Parse "YYYY-MM-DD" into a day number; impossible dates are errors. */
int kith_date_parse(int32_t *out, const char *s, const char *field,
		    struct kith_err *err);
/* "2026-11-20T09:30:00Z" into buf (>= 21 bytes). */
const char *kith_time_iso(kith_time t, char *buf, size_t n);
/* "YYYY-MM-DD" into buf (>= 11 bytes). */
const char *kith_date_iso(int32_t day, char *buf, size_t n);
/* Broken-down local time of t in zone tz (NULL: $TZ). */
int kith_time_local(struct tm *out, kith_time t, const char *tz);
/* Offset of zone tz from UTC at t, seconds; 0 if unknown. */
long kith_tz_offset(kith_time t, const char *tz);
/* Is tz a zone this machine knows ("America/Chicago")? */
int kith_tz_valid(const char *tz);
/* Day number of the local calendar date of t in zone tz. */
int32_t kith_time_day(kith_time t, const char *tz);
/* Add calendar months to t, keeping the time of day, clamping the day. */
kith_time kith_time_add_months(kith_time t, int months);
/* "3 days ago", "in 2 weeks", "today" relative to now, into buf. */
const char *kith_time_relative(kith_time t, kith_time now, char *buf,
			       size_t n);

/* Parse a duration "90m", "2h", "3d", "1w" into seconds. */
int kith_duration_parse(int64_t *out, const char *s, const char *field,
			struct kith_err *err);

/* ---- cadence ----
 * How often to be in touch: days, or calendar months. Zero means none.
 */
struct cadence {
	int days;	/* set for "30", "30d", "6w" */
	int months;	/* set for "3m", "1y" */
};

int kith_cadence_parse(struct cadence *out, const char *s, const char *field,
		       struct kith_err *err);
/* Canonical spelling: "30d", "6w" stays "42d", "3m", "1y" becomes "12m". */
const char *kith_cadence_str(struct cadence c, char *buf, size_t n);
/* v in decimal, as "%lld" writes it, into out (>= 21 bytes, NUL
 * ended); the length. For the read path, where snprintf's cost showed. */
size_t kith_int_fmt(char *out, long long v);
/* "every 30 days", "every 3 months" */
const char *kith_cadence_words(struct cadence c, char *buf, size_t n);
int kith_cadence_none(struct cadence c);
/* Length in days for ratios: months count 30.4375 days. */
double kith_cadence_days(struct cadence c);
/* Due time: from + cadence (calendar months for months). */
kith_time kith_cadence_due(struct cadence c, kith_time from);
/* Encode as one integer for storage and index grouping: days, or -months. */
int kith_cadence_code(struct cadence c);
struct cadence kith_cadence_decode(int code);

/* ---- small string helpers ---- */
char *kith_strdup(const char *s);
/* Case-insensitive substring test (ASCII folding). */
int kith_contains_ci(const char *hay, const char *needle);
/* Is s valid UTF-8? */
int kith_utf8_valid(const char *s, size_t n);
/* The length of s[0..n) without a UTF-8 sequence cut short at its end:
 * where a fixed buffer truncated text, the text stays whole characters. */
size_t kith_utf8_cut(const char *s, size_t n);

#endif
