/*
 * json_body.h: one strict reader for JSON request bodies and backups:
 * parse (UTF-8, an object, no duplicate keys, bounded depth) and typed
 * getters whose errors name the field as a path ("contacts[3].since").
 * What a field means, and which are allowed together, is the caller's.
 */
#ifndef KITH_JSON_BODY_H
#define KITH_JSON_BODY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/model.h"
#include "../kith.h"

/* Deepest nesting body_parse accepts; the top-level object is depth 1. */
#define BODY_MAX_DEPTH 32
/* What max_len 0 means for body_str and body_strdup. */
#define BODY_DEFAULT_MAX_LEN ((size_t)1 << 20)
/* Most items, and longest item in bytes, of a body_strlist array. */
#define BODY_LIST_MAX_ITEMS 100
#define BODY_LIST_MAX_LEN 320

/*
 * Parse buf[0..len) (buf may be NULL when len is 0): it must be valid
 * UTF-8 JSON and a JSON object. On success *out is a new reference the
 * caller json_decref()s, and this thread's error prefix is cleared (see
 * body_prefix), so a handler starts clean on a reused server thread.
 *
 * KITH_ESYNTAX (the server answers 400) for malformed or truncated JSON,
 * bytes that are not UTF-8 (overlong forms included), a lone surrogate
 * escape, a NUL ("\u0000" or a raw byte), a duplicate key, nesting
 * deeper than BODY_MAX_DEPTH, trailing bytes after the value, or a top
 * level that is not an object. The message is one line, "not valid JSON
 * at line L, column C: <jansson's reason>", and err->line is L (column
 * counts characters, from 1). KITH_ENOMEM when jansson runs out of
 * memory. Nothing else is returned; on error *out is NULL.
 * Cost: jansson's parse plus one scan of the bytes for the depth.
 */
int body_parse(json_t **out, const char *buf, size_t len, struct kith_err *err);

/*
 * body_parse for text read from a named file (file must not be NULL):
 * the error's place is file:line (kith_err_at) and the message is only
 * "not valid JSON: <reason>", as the CLI prints file:line before it.
 * Same statuses; the CLI maps KITH_ESYNTAX to KITH_EINPUT if it wants.
 */
int body_parse_at(json_t **out, const char *buf, size_t len, const char *file,
		  struct kith_err *err);

/*
 * Every key of object o must be in allowed (NULL-terminated), else
 * KITH_EINPUT "unknown field" with err->field the (prefixed) key.
 * O(keys * allowed). o must be an object (asserted).
 */
int body_only(json_t *o, const char *const *allowed, struct kith_err *err);

/*
 * Typed getters. Common contract:
 *   - o must be a JSON object (asserted); key is looked up in it.
 *   - Absent or null: *out keeps the caller's default, except where a
 *     getter says what it stores instead; KITH_EINPUT "missing" only
 *     when required. A caller that must tell null from absent (PATCH)
 *     asks json_object_get() itself.
 *   - Wrong type, out of bounds, unparsable: KITH_EINPUT; err->field is
 *     the key, after this thread's prefix when one is set
 *     ("contacts[3].since"). err->file and err->line are cleared.
 *   - KITH_ENOMEM only from the getters that allocate (strdup, strlist,
 *     ids). Nothing else is returned.
 *   - On error *out is as described per getter; never half-owned.
 */

/* A string, borrowed from o (lives as long as o). Longer than max_len
 * bytes is an error (0: BODY_DEFAULT_MAX_LEN; SIZE_MAX: no limit). When
 * required, "" is an error too ("must not be empty"). Control
 * characters (C0, DEL, C1) are an error, except \n and \t in the free
 * text keys "text", "note" and "notes", and anything in "password",
 * "ics" and "card" (a vCard kept for write-back: CRLF-separated). */
int body_str(const char **out, json_t *o, const char *key, bool required,
	     size_t max_len, struct kith_err *err);
/* body_str, but *out is a copy the caller frees; NULL when absent, null
 * or on error. */
int body_strdup(char **out, json_t *o, const char *key, bool required,
		size_t max_len, struct kith_err *err);
/* body_strdup that lets control characters through, for ingest that
 * strips them itself: a lead's form posted to the webhook must not be
 * lost over one stray byte (app/signals.c strips at ingest). */
int body_strdup_lenient(char **out, json_t *o, const char *key, bool required,
			size_t max_len, struct kith_err *err);
/* An integer in [lo, hi]; a real such as 3.0 is not an integer. */
int body_int(int64_t *out, json_t *o, const char *key, bool required,
	     int64_t lo, int64_t hi, struct kith_err *err);
/* A positive integer id; *out is 0 when absent or null. */
int body_id(int64_t *out, json_t *o, const char *key, bool required,
	    struct kith_err *err);
/* true or false; 0 and 1 are not booleans. */
int body_bool(bool *out, json_t *o, const char *key, bool required,
	      struct kith_err *err);
/* An ISO 8601 time string via kith_time_parse; without an offset it is
 * read as UTC. *out is KITH_NO_TIME when absent, null or on error. */
int body_time(kith_time *out, json_t *o, const char *key, bool required,
	      struct kith_err *err);
/* "YYYY-MM-DD" via kith_date_parse, impossible dates refused; *out is
 * KITH_NO_DAY when absent, null or on error. */
int body_date(int32_t *out, json_t *o, const char *key, bool required,
	      struct kith_err *err);
/* A cadence string ("30", "30d", "6w", "3m", "1y") or an integer number
 * of days (0 for none), with kith_cadence_parse's limits. *out is none
 * (0 days, 0 months) when absent, null or on error. */
int body_cadence(struct cadence *out, json_t *o, const char *key,
		 struct kith_err *err);
/* A number of currency units (12.5) into cents, rounded; |amount| must
 * be at most 1e13. Null or absent keeps *out_cents. */
int body_money(int64_t *out_cents, json_t *o, const char *key,
	       struct kith_err *err);
/* An array of strings, appended to *out (struct strlist, core/model.h).
 * At most BODY_LIST_MAX_ITEMS items of BODY_LIST_MAX_LEN bytes, one line
 * each (no control characters). Null or absent appends nothing. On
 * error *out is as it was before. */
int body_strlist(struct strlist *out, json_t *o, const char *key,
		 struct kith_err *err);
/* An array of positive integer ids into a new array *out of *n ids that
 * the caller frees. *out is NULL and *n 0 when absent, null, empty, or
 * on error. */
int body_ids(int64_t **out, size_t *n, json_t *o, const char *key,
	     struct kith_err *err);

/*
 * The error-field prefix, per thread (thread-local storage, so server
 * threads never see each other's): body_prefix("contacts[%zu]", i) makes
 * a later error on key "since" say "contacts[3].since", and one on key
 * "" say "contacts[3]". printf-style; the result is cut to fit
 * kith_err.field. body_prefix_clear() drops it; body_parse also does.
 * body_prefix_get() is the current prefix, "" when none, valid until
 * the next body_prefix call on this thread.
 */
void body_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void body_prefix_clear(void);
const char *body_prefix_get(void);

/*
 * Record KITH_EINPUT for key (after the prefix) with a printf-style
 * message, for checks the getters cannot make ("unknown time zone").
 * Clears err->file and err->line. Returns KITH_EINPUT.
 */
int body_error(struct kith_err *err, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
