/* book_json.c: the JSON backup reader; strict, with paths in errors. */
#include "book_json.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>

struct rd {
	const char *file;
	struct kith_err *err;
	char path[64];
};

static int fail(struct rd *r, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct rd *r, const char *field, const char *fmt, ...)
{
	char name[160], msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(name, sizeof(name), "%s%s%s", r->path, *r->path ? "." : "",
		 field);
	kith_err_set(r->err, KITH_EINPUT, name, "%s", msg);
	kith_err_at(r->err, r->file, 0);
	return KITH_EINPUT;
}

/* Every key of o must be one of keys (NULL-terminated). */
static int only_keys(struct rd *r, json_t *o, const char *const *keys)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		int ok = 0;

		(void)v;
		for (size_t i = 0; keys[i] && !ok; i++)
			ok = !strcmp(k, keys[i]);
		if (!ok)
			return fail(r, k, "unknown field");
	}
	return KITH_OK;
}

static int get_id(struct rd *r, json_t *o, const char *k, bool required,
		  int64_t *out)
{
	json_t *v = json_object_get(o, k);

	*out = 0;
	if (!v || json_is_null(v)) {
		if (required)
			return fail(r, k, "missing");
		return KITH_OK;
	}
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return fail(r, k, "expected a positive integer id");
	*out = json_integer_value(v);
	return KITH_OK;
}

static int get_int(struct rd *r, json_t *o, const char *k, int lo, int hi,
		   int *out)
{
	json_t *v = json_object_get(o, k);

	if (!v || json_is_null(v))
		return KITH_OK;
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return fail(r, k, "expected an integer from %d to %d", lo, hi);
	*out = (int)json_integer_value(v);
	return KITH_OK;
}

/* A string or null into a fresh copy (NULL for null/absent). */
static int get_str(struct rd *r, json_t *o, const char *k, bool required,
		   char **out)
{
	json_t *v = json_object_get(o, k);

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return fail(r, k, "missing");
		return KITH_OK;
	}
	if (!json_is_string(v))
		return fail(r, k, "expected a string");
	if (required && !*json_string_value(v))
		return fail(r, k, "must not be empty");
	*out = strdup(json_string_value(v));
	return *out ? KITH_OK : kith_err_nomem(r->err);
}

static int get_time(struct rd *r, json_t *o, const char *k, bool required,
		    kith_time *out)
{
	json_t *v = json_object_get(o, k);

	*out = KITH_NO_TIME;
	if (!v || json_is_null(v)) {
		if (required)
			return fail(r, k, "missing");
		return KITH_OK;
	}
	if (!json_is_string(v))
		return fail(r, k, "expected a time string");
	if (kith_time_parse(out, json_string_value(v), "UTC", 0, k, r->err))
		return fail(r, k, "%s", r->err->msg);
	return KITH_OK;
}

static int get_cad(struct rd *r, json_t *o, const char *k,
		   struct cadence *out)
{
	json_t *v = json_object_get(o, k);

	out->days = out->months = 0;
	if (!v || json_is_null(v))
		return KITH_OK;
	if (!json_is_string(v))
		return fail(r, k, "expected a cadence string like \"30d\"");
	if (kith_cadence_parse(out, json_string_value(v), k, r->err))
		return fail(r, k, "%s", r->err->msg);
	return KITH_OK;
}

static int get_money(struct rd *r, json_t *o, const char *k, int64_t *out)
{
	json_t *v = json_object_get(o, k);

	*out = 0;
	if (!v || json_is_null(v))
		return KITH_OK;
	if (!json_is_number(v) || fabs(json_number_value(v)) > 1e13)
		return fail(r, k, "expected an amount");
	*out = llround(json_number_value(v) * 100.0);
	return KITH_OK;
}

static int get_strlist(struct rd *r, json_t *o, const char *k,
		       struct strlist *out)
{
	json_t *v = json_object_get(o, k), *e;
	size_t i;

	if (!v || json_is_null(v))
		return KITH_OK;
	if (!json_is_array(v))
		return fail(r, k, "expected an array of strings");
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			return fail(r, k, "item %zu: expected a string", i);
		if (strlist_push(out, json_string_value(e)))
			return kith_err_nomem(r->err);
	}
	return KITH_OK;
}

static int get_ids(struct rd *r, json_t *o, const char *k, int64_t **out,
		   size_t *n)
{
	json_t *v = json_object_get(o, k), *e;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!v || json_is_null(v))
		return KITH_OK;
	if (!json_is_array(v))
		return fail(r, k, "expected an array of ids");
	*out = calloc(json_array_size(v) + 1, sizeof(**out));
	if (!*out)
		return kith_err_nomem(r->err);
	json_array_foreach(v, i, e) {
		if (!json_is_integer(e) || json_integer_value(e) <= 0)
			return fail(r, k, "item %zu: expected an id", i);
		(*out)[(*n)++] = json_integer_value(e);
	}
	return KITH_OK;
}

static const char *const contact_keys[] = {
	"id",	    "name",	"emails",     "phones",	    "handles",
	"tags",	    "org_id",	"org",	      "title",	    "tz",
	"notes",    "tier",	"every",      "meet_every", "since",
	"owner_id", "snooze_until", "created_at", "updated_at", "version",
	"summary",  NULL
};

static int read_contact(struct rd *r, json_t *o, struct contact *c)
{
	char *tier = NULL, *since = NULL;
	int rc, version = 1;

	contact_init(c);
	rc = only_keys(r, o, contact_keys);
	if (!rc)
		rc = get_id(r, o, "id", true, &c->id);
	if (!rc)
		rc = get_str(r, o, "name", true, &c->name);
	if (!rc)
		rc = get_strlist(r, o, "emails", &c->emails);
	if (!rc)
		rc = get_strlist(r, o, "phones", &c->phones);
	if (!rc)
		rc = get_strlist(r, o, "handles", &c->handles);
	if (!rc)
		rc = get_strlist(r, o, "tags", &c->tags);
	if (!rc)
		rc = get_id(r, o, "org_id", false, &c->org_id);
	if (!rc)
		rc = get_str(r, o, "title", false, &c->title);
	if (!rc)
		rc = get_str(r, o, "tz", false, &c->tz);
	if (!rc && c->tz && !kith_tz_valid(c->tz))
		rc = fail(r, "tz", "unknown time zone \"%s\"", c->tz);
	if (!rc)
		rc = get_str(r, o, "notes", false, &c->notes);
	if (!rc)
		rc = get_str(r, o, "tier", false, &tier);
	if (!rc && tier && tier_parse(&c->tier, tier, "tier", r->err))
		rc = fail(r, "tier", "%s", r->err->msg);
	if (!rc)
		rc = get_cad(r, o, "every", &c->every);
	if (!rc)
		rc = get_cad(r, o, "meet_every", &c->meet_every);
	if (!rc)
		rc = get_str(r, o, "since", false, &since);
	if (!rc && since && kith_date_parse(&c->since, since, "since", r->err))
		rc = fail(r, "since", "%s", r->err->msg);
	if (!rc)
		rc = get_id(r, o, "owner_id", false, &c->owner_id);
	if (!rc)
		rc = get_time(r, o, "snooze_until", false, &c->snooze_until);
	if (!rc)
		rc = get_time(r, o, "created_at", false, &c->created_at);
	if (!rc)
		rc = get_time(r, o, "updated_at", false, &c->updated_at);
	if (!rc)
		rc = get_int(r, o, "version", 1, 1 << 30, &version);
	c->version = version;
	if (c->created_at == KITH_NO_TIME)
		c->created_at = 0;
	if (c->updated_at == KITH_NO_TIME)
		c->updated_at = 0;
	free(tier);
	free(since);
	return rc;
}

static const char *const touch_keys[] = {
	"id",	    "at",	"channel", "direction", "minutes", "note",
	"source",   "contacts", "users",   "created_at", NULL
};

static int read_touch(struct rd *r, json_t *o, struct touchpoint *t)
{
	char *ch = NULL, *dir = NULL;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = only_keys(r, o, touch_keys);
	if (!rc)
		rc = get_id(r, o, "id", true, &t->id);
	if (!rc)
		rc = get_time(r, o, "at", true, &t->at);
	if (!rc)
		rc = get_str(r, o, "channel", true, &ch);
	if (!rc && channel_parse(&t->channel, ch, "channel", r->err))
		rc = fail(r, "channel", "%s", r->err->msg);
	if (!rc)
		rc = get_str(r, o, "direction", false, &dir);
	if (!rc && dir && direction_parse(&t->direction, dir, "direction",
					  r->err))
		rc = fail(r, "direction", "%s", r->err->msg);
	if (!rc)
		rc = get_int(r, o, "minutes", 0, 100000, &t->minutes);
	if (!rc)
		rc = get_str(r, o, "note", false, &t->note);
	if (!rc)
		rc = get_str(r, o, "source", false, &t->source);
	if (!rc)
		rc = get_ids(r, o, "contacts", &t->contacts, &t->n_contacts);
	if (!rc && !t->n_contacts)
		rc = fail(r, "contacts", "a touchpoint needs a contact");
	if (!rc)
		rc = get_ids(r, o, "users", &t->users, &t->n_users);
	if (!rc)
		rc = get_time(r, o, "created_at", false, &t->created_at);
	if (t->created_at == KITH_NO_TIME)
		t->created_at = 0;
	free(ch);
	free(dir);
	return rc;
}

static int read_fact(struct rd *r, json_t *o, struct fact *f)
{
	static const char *const keys[] = { "id", "contact_id", "text",
					    "created_at", NULL };
	int rc;

	memset(f, 0, sizeof(*f));
	rc = only_keys(r, o, keys);
	if (!rc)
		rc = get_id(r, o, "id", true, &f->id);
	if (!rc)
		rc = get_id(r, o, "contact_id", true, &f->contact_id);
	if (!rc)
		rc = get_str(r, o, "text", true, &f->text);
	if (!rc)
		rc = get_time(r, o, "created_at", false, &f->created_at);
	if (f->created_at == KITH_NO_TIME)
		f->created_at = 0;
	return rc;
}

int book_parse_kdate(struct kdate *d, const char *s, const char *field,
		     struct kith_err *err)
{
	char buf[16];

	if (s && !strncmp(s, "--", 2) && strlen(s) == 7) {
		/* A leap year holds Feb 29; the year is marked unknown. */
		snprintf(buf, sizeof(buf), "2000-%s", s + 2);
		d->year_known = false;
		return kith_date_parse(&d->day, buf, field, err);
	}
	d->year_known = true;
	return kith_date_parse(&d->day, s, field, err);
}

static int read_kdate(struct rd *r, json_t *o, struct kdate *d)
{
	static const char *const keys[] = { "id",     "contact_id", "kind",
					    "date",   "yearly",     "created_at",
					    "in_days", "years",	    NULL };
	json_t *y;
	char *date = NULL;
	int rc;

	memset(d, 0, sizeof(*d));
	rc = only_keys(r, o, keys);
	if (!rc)
		rc = get_id(r, o, "id", true, &d->id);
	if (!rc)
		rc = get_id(r, o, "contact_id", true, &d->contact_id);
	if (!rc)
		rc = get_str(r, o, "kind", true, &d->kind);
	if (!rc)
		rc = get_str(r, o, "date", true, &date);
	if (!rc && book_parse_kdate(d, date, "date", r->err))
		rc = fail(r, "date", "%s", r->err->msg);
	y = json_object_get(o, "yearly");
	if (!rc && y && !json_is_boolean(y))
		rc = fail(r, "yearly", "expected true or false");
	d->yearly = y ? json_is_true(y) : true;
	if (!rc)
		rc = get_time(r, o, "created_at", false, &d->created_at);
	if (d->created_at == KITH_NO_TIME)
		d->created_at = 0;
	free(date);
	return rc;
}

static int read_promise(struct rd *r, json_t *o, struct promise *p)
{
	static const char *const keys[] = { "id",	  "contact_id",
					    "contact_name", "text",
					    "due",	  "done_at",
					    "created_at",	  "overdue",
					    NULL };
	int rc;

	memset(p, 0, sizeof(*p));
	rc = only_keys(r, o, keys);
	if (!rc)
		rc = get_id(r, o, "id", true, &p->id);
	if (!rc)
		rc = get_id(r, o, "contact_id", true, &p->contact_id);
	if (!rc)
		rc = get_str(r, o, "text", true, &p->text);
	if (!rc)
		rc = get_time(r, o, "due", false, &p->due);
	if (!rc)
		rc = get_time(r, o, "done_at", false, &p->done_at);
	if (!rc)
		rc = get_time(r, o, "created_at", false, &p->created_at);
	if (p->created_at == KITH_NO_TIME)
		p->created_at = 0;
	return rc;
}

static int read_gift(struct rd *r, json_t *o, struct gift *g)
{
	static const char *const keys[] = { "id",    "contact_id", "org_id",
					    "text",  "value",	   "at",
					    NULL };
	int rc;

	memset(g, 0, sizeof(*g));
	rc = only_keys(r, o, keys);
	if (!rc)
		rc = get_id(r, o, "id", true, &g->id);
	if (!rc)
		rc = get_id(r, o, "contact_id", false, &g->contact_id);
	if (!rc)
		rc = get_id(r, o, "org_id", false, &g->org_id);
	if (!rc)
		rc = get_str(r, o, "text", true, &g->text);
	if (!rc)
		rc = get_money(r, o, "value", &g->value_cents);
	if (!rc)
		rc = get_time(r, o, "at", true, &g->at);
	return rc;
}

static int read_revenue(struct rd *r, json_t *o, struct revenue *v)
{
	static const char *const keys[] = { "id",     "contact_id", "org_id",
					    "amount", "at",	    "note",
					    NULL };
	int rc;

	memset(v, 0, sizeof(*v));
	rc = only_keys(r, o, keys);
	if (!rc)
		rc = get_id(r, o, "id", true, &v->id);
	if (!rc)
		rc = get_id(r, o, "contact_id", false, &v->contact_id);
	if (!rc)
		rc = get_id(r, o, "org_id", false, &v->org_id);
	if (!rc)
		rc = get_money(r, o, "amount", &v->amount_cents);
	if (!rc)
		rc = get_time(r, o, "at", true, &v->at);
	if (!rc)
		rc = get_str(r, o, "note", false, &v->note);
	return rc;
}

static int read_org(struct rd *r, json_t *o, struct organization *org)
{
	static const char *const keys[] = { "id", "name", "created_at", NULL };
	int rc;

	memset(org, 0, sizeof(*org));
	rc = only_keys(r, o, keys);
	if (!rc)
		rc = get_id(r, o, "id", true, &org->id);
	if (!rc)
		rc = get_str(r, o, "name", true, &org->name);
	if (!rc)
		rc = get_time(r, o, "created_at", false, &org->created_at);
	if (org->created_at == KITH_NO_TIME)
		org->created_at = 0;
	return rc;
}

static int read_cadence(struct rd *r, json_t *o, struct book_cadence *c)
{
	static const char *const keys[] = { "scope", "key", "every",
					    "meet_every", NULL };
	char *scope = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	rc = only_keys(r, o, keys);
	if (!rc)
		rc = get_str(r, o, "scope", true, &scope);
	if (!rc && strcmp(scope, "default") && strcmp(scope, "tier") &&
	    strcmp(scope, "tag"))
		rc = fail(r, "scope", "expected default, tier or tag");
	if (!rc)
		snprintf(c->scope, sizeof(c->scope), "%s", scope);
	if (!rc)
		rc = get_str(r, o, "key", false, &c->key);
	if (!rc && !c->key)
		c->key = strdup("");
	if (!rc)
		rc = get_cad(r, o, "every", &c->every);
	if (!rc)
		rc = get_cad(r, o, "meet_every", &c->meet);
	free(scope);
	return rc;
}

/* Read array `key` of root into *arr with fn per element. */
#define READ_ARRAY(key, arr, n, fn)                                          \
	do {                                                                 \
		json_t *a_ = json_object_get(root, key), *e_;                \
		size_t i_;                                                   \
		if (!a_)                                                     \
			break;                                               \
		if (!json_is_array(a_)) {                                    \
			rc = fail(&r, key, "expected an array");             \
			goto done;                                           \
		}                                                            \
		(arr) = calloc(json_array_size(a_) + 1, sizeof(*(arr)));     \
		if (!(arr)) {                                                \
			rc = kith_err_nomem(err);                            \
			goto done;                                           \
		}                                                            \
		json_array_foreach(a_, i_, e_) {                             \
			snprintf(r.path, sizeof(r.path), "%s[%zu]", key, i_); \
			if (!json_is_object(e_)) {                           \
				rc = fail(&r, "", "expected an object");     \
				goto done;                                   \
			}                                                    \
			(n)++;                                               \
			rc = fn(&r, e_, &(arr)[i_]);                         \
			if (rc)                                              \
				goto done;                                   \
		}                                                            \
		r.path[0] = '\0';                                            \
	} while (0)

int book_parse_json(struct book *out, const char *text, size_t len,
		    const char *file, struct kith_err *err)
{
	static const char *const root_keys[] = {
		"format",     "version",     "workspace", "cadences",
		"organizations", "contacts", "touchpoints", "facts",
		"dates",      "promises",    "gifts",	  "revenue",
		NULL
	};
	static const char *const ws_keys[] = {
		"name", "tz", "work_start_minutes", "work_end_minutes",
		"response_target_minutes", NULL
	};
	struct rd r = { file, err, "" };
	json_error_t jerr;
	json_t *root, *ws, *fmt;
	int rc = KITH_OK;

	memset(out, 0, sizeof(*out));
	out->work_start_min = 540;
	out->work_end_min = 1080;
	out->response_target_min = 30;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		kith_err_set(err, KITH_EINPUT, NULL, "not valid JSON: %s",
			     jerr.text);
		kith_err_at(err, file, jerr.line);
		return KITH_EINPUT;
	}
	if (!json_is_object(root)) {
		rc = fail(&r, "(top)", "expected a JSON object");
		goto done;
	}
	fmt = json_object_get(root, "format");
	if (!json_is_string(fmt) ||
	    strcmp(json_string_value(fmt), "kith-book")) {
		rc = fail(&r, "format", "not a kith book (expected "
					"\"format\": \"kith-book\")");
		goto done;
	}
	if (json_integer_value(json_object_get(root, "version")) != 1) {
		rc = fail(&r, "version", "unsupported book version");
		goto done;
	}
	rc = only_keys(&r, root, root_keys);
	if (rc)
		goto done;
	ws = json_object_get(root, "workspace");
	if (ws) {
		snprintf(r.path, sizeof(r.path), "workspace");
		if (!json_is_object(ws)) {
			rc = fail(&r, "", "expected an object");
			goto done;
		}
		rc = only_keys(&r, ws, ws_keys);
		if (!rc)
			rc = get_str(&r, ws, "name", false, &out->ws_name);
		if (!rc)
			rc = get_str(&r, ws, "tz", false, &out->ws_tz);
		if (!rc)
			rc = get_int(&r, ws, "work_start_minutes", 0, 1440,
				     &out->work_start_min);
		if (!rc)
			rc = get_int(&r, ws, "work_end_minutes", 0, 1440,
				     &out->work_end_min);
		if (!rc)
			rc = get_int(&r, ws, "response_target_minutes", 1,
				     100000, &out->response_target_min);
		if (rc)
			goto done;
		r.path[0] = '\0';
	}
	READ_ARRAY("cadences", out->cadences, out->n_cadences, read_cadence);
	READ_ARRAY("organizations", out->orgs, out->n_orgs, read_org);
	READ_ARRAY("contacts", out->contacts, out->n_contacts, read_contact);
	READ_ARRAY("touchpoints", out->touches, out->n_touches, read_touch);
	READ_ARRAY("facts", out->facts, out->n_facts, read_fact);
	READ_ARRAY("dates", out->dates, out->n_dates, read_kdate);
	READ_ARRAY("promises", out->promises, out->n_promises, read_promise);
	READ_ARRAY("gifts", out->gifts, out->n_gifts, read_gift);
	READ_ARRAY("revenue", out->revenue, out->n_revenue, read_revenue);
done:
	json_decref(root);
	if (rc)
		book_clear(out);
	return rc;
}
