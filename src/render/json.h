/*
 * json.h: the JSON shapes of kith's resources, shared by `--json`, the
 * backup file and the HTTP API so each thing has one spelling. Each
 * function returns a new jansson reference (NULL on no memory) that the
 * caller owns and json_decref()s. Times are ISO 8601 UTC strings, dates
 * YYYY-MM-DD, absent values null, money a number of currency units.
 * This header holds the model's resources only (core/ types), so app/ may
 * use it; the app's results are in json_views.h. kith's functions here
 * are kj_* ("kith json"), so they never read as jansson's own json_*.
 * Arguments are borrowed and only read; nothing here fails except for
 * memory, and nothing sets a struct kith_err.
 */
#ifndef KITH_RENDER_JSON_H
#define KITH_RENDER_JSON_H

#include <jansson.h>

#include "../core/book.h"

/* Dump flags every writer uses: stable key order, 2-space indent. */
#define KITH_JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | \
			 JSON_REAL_PRECISION(12))

/* ISO 8601 UTC time, YYYY-MM-DD day, string: null for KITH_NO_TIME,
 * KITH_NO_DAY and NULL. Money: an integer when whole, else a real. */
json_t *kj_time(kith_time t);
json_t *kj_day(int32_t day);
json_t *kj_str(const char *s);
json_t *kj_money(int64_t cents);
/* An id, or null for 0 (none). */
json_t *kj_id(int64_t id);

/* with_summary adds last touches, effective cadences and due times. */
json_t *kj_contact(const struct contact *c, bool with_summary);
/*
 * kj_contact(c, with_summary) dumped compact (JSON_COMPACT |
 * JSON_PRESERVE_ORDER, as the API sends it), written straight into *out
 * without building jansson values: the API's most frequent reply. The
 * same bytes, pinned by test_json. *out is the caller's to free(), *len
 * its length. KITH_OK; KITH_ENOMEM; KITH_EINPUT when a string is not
 * UTF-8, which jansson would leave out: use kj_contact then.
 */
int kj_contact_dump(char **out, size_t *len, const struct contact *c,
		    bool with_summary);
json_t *kj_org(const struct organization *o);
json_t *kj_touch(const struct touchpoint *t);
json_t *kj_fact(const struct fact *f);
json_t *kj_kdate(const struct kdate *d);
json_t *kj_promise(const struct promise *p, kith_time now);
json_t *kj_gift(const struct gift *g);
json_t *kj_revenue(const struct revenue *r);
json_t *kj_cadence_rule(const char *scope, const char *key,
			  struct cadence every, struct cadence meet);

/* A signal as `kith --json signals` shows it; response_minutes < 0 is
 * null (still waiting). */
json_t *kj_signal(const struct signal *g, double response_minutes);
json_t *kj_meeting(const struct meeting *m);
/* The whole book as text, deterministic: same book, same bytes. The
 * caller free()s it; NULL on no memory. */
char *kj_book_dump(const struct book *b);

/* Print j to stdout with KITH_JSON_FLAGS and a newline; steals j (also
 * on failure). KITH_OK, or KITH_ENOMEM when j is NULL (a renderer ran out
 * of memory) or cannot be dumped; sets no err. */
int kj_print(json_t *j);

#endif
