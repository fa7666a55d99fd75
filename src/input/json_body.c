/* json_body.c: strict JSON bodies: parse, then typed getters whose errors
 * name the field, with a per-thread path prefix for nested elements. */
#include "json_body.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per thread: the server parses bodies on several threads at once. */
static _Thread_local char prefix[sizeof(((struct kith_err *)0)->field)];
/* Room for prefix "." key before kith_err_set cuts it to kith_err.field. */
#define FIELD_MAX 160

void body_prefix(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
}

void body_prefix_clear(void)
{
	prefix[0] = '\0';
}

const char *body_prefix_get(void)
{
	return prefix;
}

/* prefix + "." + key, or either alone when the other is empty. */
static const char *field_name(char *buf, size_t n, const char *key)
{
	if (!key)
		key = "";
	snprintf(buf, n, "%s%s%s", prefix, *prefix && *key ? "." : "", key);
	return buf;
}

static int body_verror(struct kith_err *err, const char *key, const char *fmt,
		       va_list ap)
{
	char name[FIELD_MAX], msg[sizeof(err->msg)];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	kith_err_set(err, KITH_EINPUT, field_name(name, sizeof(name), key),
		     "%s", msg);
	kith_err_at(err, NULL, 0);
	return KITH_EINPUT;
}

int body_error(struct kith_err *err, const char *key, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = body_verror(err, key, fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- parsing ---- */

/* Line and column (characters, from 1) of byte off of buf, as jansson
 * counts them. */
static void text_pos(const char *buf, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\n') {
			(*line)++;
			*col = 1;
		} else if ((c & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

/*
 * jansson's own limit is 2048 levels; ours is lower so a body cannot make
 * the handlers walk deep trees. The text is already known to be valid
 * JSON here, so tracking strings and escapes is all the lexing needed.
 * Returns the offset of the first bracket too deep, or len if none.
 */
static size_t depth_scan(const char *buf, size_t len)
{
	int depth = 0, in_str = 0;

	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > BODY_MAX_DEPTH)
				return i;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return len;
}

/* Offset of the first byte that is not JSON whitespace. */
static size_t skip_ws(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && buf[i] && strchr(" \t\r\n", buf[i]))
		i++;
	return i;
}

static int syntax_error(struct kith_err *err, const char *file, int line,
			int col, const char *reason)
{
	if (file) {
		kith_err_set(err, KITH_ESYNTAX, NULL, "not valid JSON: %s",
			     reason);
		kith_err_at(err, file, line > 0 ? line : 0);
	} else if (line > 0) {
		kith_err_set(err, KITH_ESYNTAX, NULL,
			     "not valid JSON at line %d, column %d: %s", line,
			     col, reason);
		kith_err_at(err, NULL, line);
	} else {
		kith_err_set(err, KITH_ESYNTAX, NULL, "not valid JSON: %s",
			     reason);
		kith_err_at(err, NULL, 0);
	}
	return KITH_ESYNTAX;
}

static int parse(json_t **out, const char *buf, size_t len, const char *file,
		 struct kith_err *err)
{
	json_error_t jerr;
	json_t *root;
	size_t off;
	int line, col;

	assert(buf || !len);
	*out = NULL;
	body_prefix_clear();
	if (!buf)
		buf = "";
	/* Without JSON_ALLOW_NUL jansson refuses "\u0000"; without
	 * JSON_DECODE_ANY a bare scalar; without JSON_DISABLE_EOF_CHECK
	 * trailing bytes. It always checks UTF-8, overlong forms and
	 * surrogate escapes. */
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (json_error_code(&jerr) == json_error_out_of_memory)
			return kith_err_nomem(err);
		return syntax_error(err, file, jerr.line, jerr.column,
				    jerr.text);
	}
	if (!json_is_object(root)) {
		json_decref(root);
		text_pos(buf, skip_ws(buf, len), &line, &col);
		return syntax_error(err, file, line, col,
				    "expected an object at the top level");
	}
	off = depth_scan(buf, len);
	if (off < len) {
		char reason[64];

		json_decref(root);
		text_pos(buf, off, &line, &col);
		snprintf(reason, sizeof(reason), "nested deeper than %d",
			 BODY_MAX_DEPTH);
		return syntax_error(err, file, line, col, reason);
	}
	*out = root;
	return KITH_OK;
}

int body_parse(json_t **out, const char *buf, size_t len, struct kith_err *err)
{
	return parse(out, buf, len, NULL, err);
}

int body_parse_at(json_t **out, const char *buf, size_t len, const char *file,
		  struct kith_err *err)
{
	assert(file);
	return parse(out, buf, len, file, err);
}

int body_only(json_t *o, const char *const *allowed, struct kith_err *err)
{
	const char *k;
	json_t *v;

	assert(json_is_object(o));
	json_object_foreach(o, k, v) {
		bool ok = false;

		(void)v;
		for (size_t i = 0; allowed[i] && !ok; i++)
			ok = !strcmp(k, allowed[i]);
		if (!ok)
			return body_error(err, k, "unknown field");
	}
	return KITH_OK;
}

/* ---- getters ---- */

/* The value of key, or NULL for absent and null alike. */
static json_t *lookup(json_t *o, const char *key)
{
	json_t *v;

	assert(json_is_object(o));
	v = json_object_get(o, key);
	return json_is_null(v) ? NULL : v;
}

/*
 * Which control characters may the field key hold? Most fields are one
 * line (names, tags, URLs, emails...): none, since a CR or LF there
 * reached logs, terminals and notification bodies (review L6). Free
 * text keeps \n and \t. A password and an .ics keep everything (the
 * .ics is CRLF and parsed by its own reader).
 */
enum text_kind { TEXT_LINE, TEXT_MULTI, TEXT_ANY };

static enum text_kind text_kind_of(const char *key)
{
	static const char *const multi[] = { "text", "note", "notes", NULL };
	static const char *const any[] = { "password", "ics", "card", NULL };

	for (size_t i = 0; any[i]; i++)
		if (!strcmp(key, any[i]))
			return TEXT_ANY;
	for (size_t i = 0; multi[i]; i++)
		if (!strcmp(key, multi[i]))
			return TEXT_MULTI;
	return TEXT_LINE;
}

/* Offset of the first control character s may not hold, or -1. C0,
 * DEL and C1 (U+0080..U+009F, UTF-8 C2 80..C2 9F) count; the parser
 * has already refused NUL and bad UTF-8. */
static long text_bad(const char *s, size_t len, enum text_kind kind)
{
	const unsigned char *u = (const unsigned char *)s;

	if (kind == TEXT_ANY)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f) {
			if (kind == TEXT_MULTI && (u[i] == '\n' || u[i] == '\t'))
				continue;
			return (long)i;
		}
		if (u[i] == 0xc2 && i + 1 < len && u[i + 1] >= 0x80 &&
		    u[i + 1] <= 0x9f)
			return (long)i;
	}
	return -1;
}

static int str_get(const char **out, json_t *o, const char *key, bool required,
		   size_t max_len, bool check, struct kith_err *err)
{
	long bad;

	json_t *v = lookup(o, key);

	if (!v)
		return required ? body_error(err, key, "missing") : KITH_OK;
	if (!json_is_string(v))
		return body_error(err, key, "expected a string");
	if (!max_len)
		max_len = BODY_DEFAULT_MAX_LEN;
	if (json_string_length(v) > max_len)
		return body_error(err, key, "longer than %zu bytes", max_len);
	if (required && !json_string_length(v))
		return body_error(err, key, "must not be empty");
	bad = check ? text_bad(json_string_value(v), json_string_length(v),
			       text_kind_of(key))
		    : -1;
	if (bad >= 0)
		return body_error(err, key,
				  "control character at byte %ld (%s)", bad,
				  text_kind_of(key) == TEXT_LINE
					  ? "one line of printable text"
					  : "only newlines and tabs");
	*out = json_string_value(v);
	return KITH_OK;
}

int body_str(const char **out, json_t *o, const char *key, bool required,
	     size_t max_len, struct kith_err *err)
{
	return str_get(out, o, key, required, max_len, true, err);
}

static int strdup_get(char **out, json_t *o, const char *key, bool required,
		      size_t max_len, bool check, struct kith_err *err)
{
	const char *s = NULL;
	int rc;

	*out = NULL;
	rc = str_get(&s, o, key, required, max_len, check, err);
	if (rc || !s)
		return rc;
	*out = strdup(s);
	return *out ? KITH_OK : kith_err_nomem(err);
}

int body_strdup(char **out, json_t *o, const char *key, bool required,
		size_t max_len, struct kith_err *err)
{
	return strdup_get(out, o, key, required, max_len, true, err);
}

int body_strdup_lenient(char **out, json_t *o, const char *key, bool required,
			size_t max_len, struct kith_err *err)
{
	return strdup_get(out, o, key, required, max_len, false, err);
}

int body_int(int64_t *out, json_t *o, const char *key, bool required,
	     int64_t lo, int64_t hi, struct kith_err *err)
{
	json_t *v = lookup(o, key);

	if (!v)
		return required ? body_error(err, key, "missing") : KITH_OK;
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return body_error(err, key,
				  "expected an integer from %lld to %lld",
				  (long long)lo, (long long)hi);
	*out = json_integer_value(v);
	return KITH_OK;
}

int body_id(int64_t *out, json_t *o, const char *key, bool required,
	    struct kith_err *err)
{
	json_t *v = lookup(o, key);

	*out = 0;
	if (!v)
		return required ? body_error(err, key, "missing") : KITH_OK;
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return body_error(err, key, "expected a positive integer id");
	*out = json_integer_value(v);
	return KITH_OK;
}

int body_bool(bool *out, json_t *o, const char *key, bool required,
	      struct kith_err *err)
{
	json_t *v = lookup(o, key);

	if (!v)
		return required ? body_error(err, key, "missing") : KITH_OK;
	if (!json_is_boolean(v))
		return body_error(err, key, "expected true or false");
	*out = json_is_true(v);
	return KITH_OK;
}

int body_time(kith_time *out, json_t *o, const char *key, bool required,
	      struct kith_err *err)
{
	json_t *v = lookup(o, key);
	char name[FIELD_MAX];
	kith_time t;

	*out = KITH_NO_TIME;
	if (!v)
		return required ? body_error(err, key, "missing") : KITH_OK;
	if (!json_is_string(v))
		return body_error(err, key, "expected a time string");
	if (kith_time_parse(&t, json_string_value(v), "UTC", 0,
			    field_name(name, sizeof(name), key), err)) {
		kith_err_at(err, NULL, 0);
		return KITH_EINPUT;
	}
	*out = t;
	return KITH_OK;
}

int body_date(int32_t *out, json_t *o, const char *key, bool required,
	      struct kith_err *err)
{
	json_t *v = lookup(o, key);
	char name[FIELD_MAX];
	int32_t day;

	*out = KITH_NO_DAY;
	if (!v)
		return required ? body_error(err, key, "missing") : KITH_OK;
	if (!json_is_string(v))
		return body_error(err, key, "expected a date string");
	if (kith_date_parse(&day, json_string_value(v),
			    field_name(name, sizeof(name), key), err)) {
		kith_err_at(err, NULL, 0);
		return KITH_EINPUT;
	}
	*out = day;
	return KITH_OK;
}

int body_cadence(struct cadence *out, json_t *o, const char *key,
		 struct kith_err *err)
{
	json_t *v = lookup(o, key);
	char name[FIELD_MAX], num[32];
	const char *s;
	struct cadence c;

	out->days = out->months = 0;
	if (!v)
		return KITH_OK;
	if (json_is_integer(v)) {
		/* The same limits as the string form, and its message. */
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		s = num;
	} else if (json_is_string(v)) {
		s = json_string_value(v);
	} else {
		return body_error(err, key,
				  "expected a cadence like \"30d\" or a "
				  "number of days");
	}
	if (kith_cadence_parse(&c, s, field_name(name, sizeof(name), key),
			       err)) {
		kith_err_at(err, NULL, 0);
		return KITH_EINPUT;
	}
	*out = c;
	return KITH_OK;
}

int body_money(int64_t *out_cents, json_t *o, const char *key,
	       struct kith_err *err)
{
	json_t *v = lookup(o, key);

	if (!v)
		return KITH_OK;
	/* 1e13 units is 1e15 cents, well inside a double's exact integers. */
	if (!json_is_number(v) || !(fabs(json_number_value(v)) <= 1e13))
		return body_error(err, key, "expected an amount");
	*out_cents = llround(json_number_value(v) * 100.0);
	return KITH_OK;
}

int body_strlist(struct strlist *out, json_t *o, const char *key,
		 struct kith_err *err)
{
	json_t *v = lookup(o, key), *e;
	size_t i, n0 = out->n;
	int rc = KITH_OK;

	if (!v)
		return KITH_OK;
	if (!json_is_array(v))
		return body_error(err, key, "expected an array of strings");
	/* Emails, phones, handles, tags: a person has a handful. */
	if (json_array_size(v) > BODY_LIST_MAX_ITEMS)
		return body_error(err, key, "at most %d items",
				  BODY_LIST_MAX_ITEMS);
	json_array_foreach(v, i, e) {
		if (!json_is_string(e)) {
			rc = body_error(err, key, "item %zu: expected a string",
					i);
			break;
		}
		if (json_string_length(e) > BODY_LIST_MAX_LEN) {
			rc = body_error(err, key,
					"item %zu: longer than %d bytes", i,
					BODY_LIST_MAX_LEN);
			break;
		}
		if (text_bad(json_string_value(e), json_string_length(e),
			     TEXT_LINE) >= 0) {
			rc = body_error(err, key,
					"item %zu: control character (one "
					"line of printable text)",
					i);
			break;
		}
		if (strlist_push(out, json_string_value(e))) {
			rc = kith_err_nomem(err);
			break;
		}
	}
	if (rc) {
		/* Give back what this call appended; the array itself may
		 * stay larger, which strlist_clear frees all the same. */
		while (out->n > n0)
			free(out->v[--out->n]);
	}
	return rc;
}

int body_ids(int64_t **out, size_t *n, json_t *o, const char *key,
	     struct kith_err *err)
{
	json_t *v = lookup(o, key), *e;
	int64_t *ids;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!v)
		return KITH_OK;
	if (!json_is_array(v))
		return body_error(err, key, "expected an array of ids");
	if (!json_array_size(v))
		return KITH_OK;
	ids = calloc(json_array_size(v), sizeof(*ids));
	if (!ids)
		return kith_err_nomem(err);
	json_array_foreach(v, i, e) {
		if (!json_is_integer(e) || json_integer_value(e) <= 0) {
			free(ids);
			return body_error(err, key, "item %zu: expected an id",
					  i);
		}
		ids[i] = json_integer_value(e);
	}
	*out = ids;
	*n = json_array_size(v);
	return KITH_OK;
}
