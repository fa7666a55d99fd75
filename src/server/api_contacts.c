/* api_book.c: the book over HTTP: contacts and what hangs on them,
 * touchpoints, promises, cadences, the agenda, reports, export, import. */
#include "api.h"
#include "../app/agenda_query.h"
#include "../app/book.h"
#include "../app/contact.h"
#include "../app/insight.h"
#include "../app/touch.h"
#include "../input/book_json.h"
#include "../render/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const contact_keys[] = {
	"name",	 "emails",   "phones",	 "handles", "tags",
	"org",	 "org_id",   "title",	 "tz",	    "notes",
	"tier",	 "every",    "meet_every", "since",   "owner_id",
	"snooze_until", "id", "version", "created_at", "updated_at",
	"summary", NULL
};

static int set_opt_str(json_t *b, const char *key, char **dst,
		       struct kith_err *err)
{
	char *v = NULL;
	int rc;

	if (!json_object_get(b, key))
		return KITH_OK;
	rc = body_strdup(b, key, false, 4096, &v, err);
	if (rc)
		return rc;
	free(*dst);
	*dst = v && *v ? v : NULL;
	if (v && !*v)
		free(v);
	return KITH_OK;
}

static int set_list(json_t *b, const char *key, struct strlist *l,
		    struct kith_err *err)
{
	if (!json_object_get(b, key))
		return KITH_OK;
	strlist_clear(l);
	return body_strlist(b, key, l, err);
}

/* Apply the fields present in b to c: create and PATCH alike. */
static int contact_from_body(struct contact *c, json_t *b,
			     struct kith_err *err)
{
	const char *s;
	int rc = KITH_OK;

	if (json_object_get(b, "name")) {
		rc = body_str(b, "name", true, 500, &s, err);
		if (rc)
			return rc;
		free(c->name);
		c->name = strdup(s);
	}
	rc = set_list(b, "emails", &c->emails, err);
	if (!rc)
		rc = set_list(b, "phones", &c->phones, err);
	if (!rc)
		rc = set_list(b, "handles", &c->handles, err);
	if (!rc)
		rc = set_list(b, "tags", &c->tags, err);
	if (!rc && json_object_get(b, "org")) {
		c->org_id = 0;
		rc = set_opt_str(b, "org", &c->org_name, err);
	}
	if (!rc && json_object_get(b, "org_id"))
		rc = body_id(b, "org_id", false, &c->org_id, err);
	if (!rc)
		rc = set_opt_str(b, "title", &c->title, err);
	if (!rc)
		rc = set_opt_str(b, "notes", &c->notes, err);
	if (!rc)
		rc = set_opt_str(b, "tz", &c->tz, err);
	if (!rc && json_object_get(b, "tier")) {
		rc = body_str(b, "tier", false, 8, &s, err);
		if (!rc)
			rc = tier_parse(&c->tier, s ? s : "", "tier", err);
	}
	if (!rc && json_object_get(b, "every"))
		rc = body_cadence(b, "every", &c->every, err);
	if (!rc && json_object_get(b, "meet_every"))
		rc = body_cadence(b, "meet_every", &c->meet_every, err);
	if (!rc && json_object_get(b, "since"))
		rc = body_date(b, "since", false, &c->since, err);
	if (!rc && json_object_get(b, "owner_id"))
		rc = body_id(b, "owner_id", false, &c->owner_id, err);
	if (!rc && json_object_get(b, "snooze_until"))
		rc = body_time(b, "snooze_until", false, &c->snooze_until, err);
	return rc;
}

static json_t *contact_json_of(struct api *a, int64_t id)
{
	struct contact c;
	json_t *j;

	if (store_contact_get(a->st, a->ctx.ws, id, &c, &a->err))
		return NULL;
	j = json_contact(&c, true);
	contact_clear(&c);
	return j;
}

/* Cursor: the last id of the page, opaque to clients. */
static bool parse_cursor(struct api *a, int64_t *after, size_t *limit)
{
	long long cur = 0, lim = 50;

	if (!api_query_int(a, "cursor", 0, INT64_MAX, &cur) ||
	    !api_query_int(a, "limit", 1, 1000, &lim))
		return false;
	*after = cur;
	*limit = (size_t)lim;
	return true;
}

static bool query_bool(struct api *a, const char *name, bool *out)
{
	const char *v = http_query(a->req, name);

	*out = false;
	if (!v)
		return true;
	if (!strcmp(v, "true") || !strcmp(v, "1")) {
		*out = true;
		return true;
	}
	if (!strcmp(v, "false") || !strcmp(v, "0"))
		return true;
	http_error(a->resp, 422, "invalid", name, "expected true or false");
	return false;
}

void h_contacts_list(struct api *a)
{
	struct contact_filter f = { 0 };
	struct contact *cs = NULL;
	struct report rep = { 0 };
	bool cold, digital, need_report;
	size_t n = 0, limit, kept = 0;
	json_t *items;
	char next[32];
	const char *v;
	int rc;

	if (!parse_cursor(a, &f.after_id, &limit) ||
	    !query_bool(a, "going_cold", &cold) ||
	    !query_bool(a, "digital_only", &digital))
		return;
	f.q = http_query(a->req, "q");
	f.tag = http_query(a->req, "tag");
	v = http_query(a->req, "tier");
	if (v && tier_parse(&f.tier, v, "tier", &a->err)) {
		api_fail(a, KITH_EINPUT);
		return;
	}
	{
		long long owner = 0;

		/* "5x" is no user id: the whole value must be one. */
		if (!api_query_int(a, "owner", 1, INT64_MAX, &owner))
			return;
		f.owner_id = owner;
	}
	need_report = cold || digital;
	/* Health and balance filters need history: score the workspace. */
	if (need_report && (rc = app_report(&a->ctx, &rep, &a->err))) {
		api_fail(a, rc);
		return;
	}
	f.limit = need_report ? 0 : limit + 1;
	rc = store_contact_list(a->st, a->ctx.ws, &f, &cs, &n, &a->err);
	if (rc) {
		report_clear(&rep);
		api_fail(a, rc);
		return;
	}
	items = json_array();
	next[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (need_report) {
			bool keep = false;
			size_t lo = 0, hi = rep.n_people;

			/* rep.people is by id: a binary search, not a walk
			 * per contact (quadratic on a polling thread). */
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (rep.people[mid].id < cs[i].id)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < rep.n_people && rep.people[lo].id == cs[i].id)
				keep = (!cold || rep.people[lo].health.going_cold) &&
				       (!digital ||
					rep.people[lo].balance.digital_only);
			if (!keep)
				continue;
		}
		if (kept == limit) {
			snprintf(next, sizeof(next), "%lld",
				 (long long)cs[i - 1].id);
			break;
		}
		json_array_append_new(items, json_contact(&cs[i], true));
		kept++;
	}
	store_contacts_free(cs, n);
	report_clear(&rep);
	api_list(a, items, next[0] ? next : NULL);
}

void h_contacts_create(struct api *a)
{
	struct contact c;
	int rc;

	contact_init(&c);
	if (!api_only(a, contact_keys))
		return;
	if (!json_object_get(a->body, "name")) {
		http_error(a->resp, 422, "invalid", "name", "missing");
		return;
	}
	rc = contact_from_body(&c, a->body, &a->err);
	if (!rc)
		rc = app_contact_add(&a->ctx, &c, &a->err);
	if (rc) {
		contact_clear(&c);
		api_fail(a, rc);
		return;
	}
	http_json(a->resp, 201, contact_json_of(a, c.id));
	contact_clear(&c);
}

void h_contact_get(struct api *a)
{
	json_t *j = contact_json_of(a, a->id);

	if (!j) {
		api_fail(a, a->err.status);
		return;
	}
	http_json(a->resp, 200, j);
}

void h_contact_patch(struct api *a)
{
	struct contact c;
	json_t *cur;
	int rc;

	if (!api_only(a, contact_keys))
		return;
	cur = contact_json_of(a, a->id);
	if (!cur) {
		api_fail(a, a->err.status);
		return;
	}
	if (!api_if_match(a, cur)) {
		json_decref(cur);
		return;
	}
	json_decref(cur);
	rc = store_contact_get(a->st, a->ctx.ws, a->id, &c, &a->err);
	if (!rc)
		rc = contact_from_body(&c, a->body, &a->err);
	if (!rc)
		rc = app_contact_update(&a->ctx, &c, c.version, &a->err);
	contact_clear(&c);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	http_json(a->resp, 200, contact_json_of(a, a->id));
}

void h_contact_delete(struct api *a)
{
	json_t *cur = contact_json_of(a, a->id);
	int rc;

	if (!cur) {
		api_fail(a, a->err.status);
		return;
	}
	if (!api_if_match(a, cur)) {
		json_decref(cur);
		return;
	}
	json_decref(cur);
	rc = store_contact_delete(a->st, a->ctx.ws, a->id, &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	a->resp->status = 204;
}

void h_contact_merge(struct api *a)
{
	static const char *const keys[] = { "from", NULL };
	int64_t from;
	int rc;

	if (!api_only(a, keys))
		return;
	rc = body_id(a->body, "from", true, &from, &a->err);
	if (!rc)
		rc = app_contact_merge(&a->ctx, from, a->id, &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	http_json(a->resp, 200, contact_json_of(a, a->id));
}

void h_contact_snooze(struct api *a)
{
	static const char *const keys[] = { "until", "for", NULL };
	kith_time until = KITH_NO_TIME;
	const char *dur = NULL;
	int64_t secs;
	int rc;

	if (!api_only(a, keys))
		return;
	rc = body_time(a->body, "until", false, &until, &a->err);
	if (!rc)
		rc = body_str(a->body, "for", false, 32, &dur, &a->err);
	if (!rc && dur) {
		rc = kith_duration_parse(&secs, dur, "for", &a->err);
		until = a->ctx.now + secs;
	}
	if (!rc)
		rc = app_contact_snooze(&a->ctx, a->id, until, &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	http_json(a->resp, 200, contact_json_of(a, a->id));
}

void h_contact_brief(struct api *a)
{
	struct brief b;
	int rc = app_brief(&a->ctx, a->id, &b, &a->err);

	if (rc) {
		api_fail(a, rc);
		return;
	}
	http_json(a->resp, 200, json_brief(&b, a->ctx.now));
	brief_clear(&b);
}

void h_contact_health(struct api *a)
{
	struct health h;
	int rc = app_health(&a->ctx, a->id, &h, &a->err);
	json_t *j;

	if (rc) {
		api_fail(a, rc);
		return;
	}
	j = json_health(&h);
	json_object_set_new(j, "contact_id", json_integer(a->id));
	http_json(a->resp, 200, j);
}

static const char *const touch_keys[] = { "contacts", "channel",   "at",
					  "minutes",  "note",	   "direction",
					  "users",    "source",	   NULL };

/* Log a touch; `only` (0: none) is the contact of the path, added to
 * the participants. */
static void touch_create(struct api *a, int64_t only)
{
	struct touchpoint t = { 0 };
	const char *ch = NULL, *dir = NULL, *src = NULL;
	int64_t minutes = 0;
	json_t *j;
	int rc;

	if (!api_only(a, touch_keys))
		return;
	rc = body_ids(a->body, "contacts", &t.contacts, &t.n_contacts,
		      &a->err);
	if (!rc && only) {
		bool have = false;
		int64_t *v;

		for (size_t i = 0; i < t.n_contacts; i++)
			have = have || t.contacts[i] == only;
		if (!have) {
			v = realloc(t.contacts,
				    (t.n_contacts + 1) * sizeof(*v));
			if (!v) {
				rc = kith_err_nomem(&a->err);
			} else {
				t.contacts = v;
				memmove(v + 1, v, t.n_contacts * sizeof(*v));
				v[0] = only;
				t.n_contacts++;
			}
		}
	}
	if (!rc)
		rc = body_str(a->body, "channel", true, 32, &ch, &a->err);
	if (!rc)
		rc = channel_parse(&t.channel, ch, "channel", &a->err);
	if (!rc)
		rc = body_time(a->body, "at", false, &t.at, &a->err);
	if (!rc)
		rc = body_int(a->body, "minutes", false, 0, 100000, &minutes,
			      &a->err);
	t.minutes = (int)minutes;
	if (!rc)
		rc = body_strdup(a->body, "note", false, 100000, &t.note,
				 &a->err);
	if (!rc)
		rc = body_str(a->body, "direction", false, 16, &dir, &a->err);
	t.direction = APP_DIR_DEFAULT;
	if (!rc && dir)
		rc = direction_parse(&t.direction, dir, "direction", &a->err);
	if (!rc)
		rc = body_str(a->body, "source", false, 32, &src, &a->err);
	if (!rc)
		rc = body_ids(a->body, "users", &t.users, &t.n_users, &a->err);
	if (!rc && src) {
		t.source = strdup(src);
		if (!t.source)
			rc = kith_err_nomem(&a->err);
	}
	if (!rc)
		rc = app_touch_log(&a->ctx, &t, a->user.id, NULL, &a->err);
	if (rc) {
		touchpoint_clear(&t);
		api_fail(a, rc);
		return;
	}
	j = json_touch(&t);
	touchpoint_clear(&t);
	http_json(a->resp, 201, j);
}

/* 404 unless the path's contact is in this workspace. */
static bool contact_here(struct api *a)
{
	struct contact c;
	int rc = store_contact_get(a->st, a->ctx.ws, a->id, &c, &a->err);

	if (rc) {
		api_fail(a, rc);
		return false;
	}
	contact_clear(&c);
	return true;
}

static void touch_list(struct api *a, int64_t contact_id)
{
	struct touchpoint *t = NULL;
	size_t n = 0, limit;
	int64_t after;
	json_t *items;
	int rc;

	if (!parse_cursor(a, &after, &limit))
		return;
	if (contact_id && !contact_here(a))
		return;
	/* Newest first; the cursor is the id of the last touch of the
	 * previous page (a keyset: an offset cursor near INT64_MAX once
	 * overflowed into an unlimited LIMIT, review L7). */
	rc = store_touch_page(a->st, a->ctx.ws, contact_id, after, limit + 1,
			      &t, &n, &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n && i < limit; i++)
		json_array_append_new(items, json_touch(&t[i]));
	if (n > limit) {
		char next[32];

		snprintf(next, sizeof(next), "%lld",
			 (long long)t[limit - 1].id);
		api_list(a, items, next);
	} else {
		api_list(a, items, NULL);
	}
	store_touches_free(t, n);
}

void h_contact_touches(struct api *a)
{
	touch_list(a, a->id);
}

void h_contact_touch_add(struct api *a)
{
	touch_create(a, a->id);
}

void h_touches_list(struct api *a)
{
	touch_list(a, 0);
}

void h_touches_create(struct api *a)
{
	touch_create(a, 0);
}

void h_contact_facts(struct api *a)
{
	struct fact *f = NULL;
	size_t n = 0;
	json_t *items = json_array();

	if (!contact_here(a) ||
	    store_fact_list(a->st, a->ctx.ws, a->id, &f, &n, &a->err)) {
		json_decref(items);
		if (!a->resp->status)
			api_fail(a, a->err.status);
		return;
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, json_fact(&f[i]));
	store_facts_free(f, n);
	api_list(a, items, NULL);
}

void h_contact_fact_add(struct api *a)
{
	static const char *const keys[] = { "text", NULL };
	struct fact f = { 0 };
	int rc;

	if (!api_only(a, keys))
		return;
	f.contact_id = a->id;
	rc = body_strdup(a->body, "text", true, 10000, &f.text, &a->err);
	if (!rc)
		rc = app_fact_add(&a->ctx, &f, &a->err);
	if (rc)
		api_fail(a, rc);
	else
		http_json(a->resp, 201, json_fact(&f));
	fact_clear(&f);
}

void h_contact_dates(struct api *a)
{
	struct kdate *d = NULL;
	size_t n = 0;
	json_t *items;

	if (!contact_here(a))
		return;
	if (store_date_list(a->st, a->ctx.ws, a->id, &d, &n, &a->err)) {
		api_fail(a, a->err.status);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *j = json_kdate(&d[i]);
		int years, days = agenda_days_until(&d[i], a->ctx.today, &years);

		json_object_set_new(j, "in_days",
				    days < 0 ? json_null() : json_integer(days));
		json_array_append_new(items, j);
	}
	store_dates_free(d, n);
	api_list(a, items, NULL);
}

void h_contact_date_add(struct api *a)
{
	static const char *const keys[] = { "kind", "date", "yearly", NULL };
	struct kdate d = { 0 };
	const char *date = NULL;
	bool yearly = true;
	int rc;

	if (!api_only(a, keys))
		return;
	d.contact_id = a->id;
	rc = body_strdup(a->body, "kind", true, 100, &d.kind, &a->err);
	if (!rc)
		rc = body_str(a->body, "date", true, 16, &date, &a->err);
	if (!rc)
		rc = body_bool(a->body, "yearly", false, &yearly, &a->err);
	d.yearly = yearly;
	if (!rc)
		rc = app_date_add(&a->ctx, &d, date, &a->err);
	if (rc)
		api_fail(a, rc);
	else
		http_json(a->resp, 201, json_kdate(&d));
	kdate_clear(&d);
}

static void promise_list(struct api *a, int64_t contact_id)
{
	struct promise *p = NULL;
	size_t n = 0;
	bool all;
	json_t *items;

	if (!query_bool(a, "all", &all))
		return;
	if (contact_id && !contact_here(a))
		return;
	if (store_promise_list(a->st, a->ctx.ws, contact_id, all, &p, &n,
			       &a->err)) {
		api_fail(a, a->err.status);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, json_promise(&p[i], a->ctx.now));
	store_promises_free(p, n);
	api_list(a, items, NULL);
}

void h_contact_promises(struct api *a)
{
	promise_list(a, a->id);
}

void h_promises_list(struct api *a)
{
	promise_list(a, 0);
}

void h_contact_promise_add(struct api *a)
{
	static const char *const keys[] = { "text", "due", NULL };
	struct promise p = { 0 };
	int rc;

	if (!api_only(a, keys))
		return;
	p.contact_id = a->id;
	p.done_at = KITH_NO_TIME;
	rc = body_strdup(a->body, "text", true, 10000, &p.text, &a->err);
	if (!rc)
		rc = body_time(a->body, "due", false, &p.due, &a->err);
	if (!rc)
		rc = app_promise_add(&a->ctx, &p, &a->err);
	if (rc)
		api_fail(a, rc);
	else
		http_json(a->resp, 201, json_promise(&p, a->ctx.now));
	promise_clear(&p);
}

void h_promise_done(struct api *a)
{
	struct promise p;
	int rc = app_promise_done(&a->ctx, a->id, &p, &a->err);

	if (rc) {
		promise_clear(&p);	/* owned or zeroed: see touch.h */
		api_fail(a, rc);
		return;
	}
	http_json(a->resp, 200, json_promise(&p, a->ctx.now));
	promise_clear(&p);
}

void h_contact_gifts(struct api *a)
{
	struct gift *g = NULL;
	size_t n = 0;
	json_t *items;

	if (!contact_here(a))
		return;
	if (store_gift_list(a->st, a->ctx.ws, a->id, &g, &n, &a->err)) {
		api_fail(a, a->err.status);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, json_gift(&g[i]));
	store_gifts_free(g, n);
	api_list(a, items, NULL);
}

void h_contact_gift_add(struct api *a)
{
	static const char *const keys[] = { "text", "value", "at", NULL };
	struct gift g = { 0 };
	int rc;

	if (!api_only(a, keys))
		return;
	g.contact_id = a->id;
	rc = body_strdup(a->body, "text", true, 1000, &g.text, &a->err);
	if (!rc)
		rc = body_money(a->body, "value", &g.value_cents, &a->err);
	if (!rc)
		rc = body_time(a->body, "at", false, &g.at, &a->err);
	if (!rc)
		rc = app_gift_add(&a->ctx, &g, &a->err);
	if (rc)
		api_fail(a, rc);
	else
		http_json(a->resp, 201, json_gift(&g));
	gift_clear(&g);
}

void h_orgs_list(struct api *a)
{
	struct organization *o = NULL;
	size_t n = 0;
	json_t *items;

	if (store_org_list(a->st, a->ctx.ws, &o, &n, &a->err)) {
		api_fail(a, a->err.status);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, json_org(&o[i]));
	store_orgs_free(o, n);
	api_list(a, items, NULL);
}

void h_orgs_create(struct api *a)
{
	static const char *const keys[] = { "name", NULL };
	struct organization o = { 0 };
	const char *name;
	int rc;

	if (!api_only(a, keys))
		return;
	rc = body_str(a->body, "name", true, 500, &name, &a->err);
	if (!rc)
		rc = store_org_ensure(a->st, a->ctx.ws, name, a->ctx.now, &o.id,
				      &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	o.name = (char *)name;
	o.created_at = a->ctx.now;
	http_json(a->resp, 201, json_org(&o));
}

void h_cadences_list(struct api *a)
{
	struct cadence_rule *r = NULL;
	size_t n = 0;
	json_t *items;

	if (store_cadence_list(a->st, a->ctx.ws, &r, &n, &a->err)) {
		api_fail(a, a->err.status);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
			items, json_cadence_rule(cadence_scope_name(r[i].scope),
						 r[i].key, r[i].every,
						 r[i].meet));
	store_cadences_free(r, n);
	api_list(a, items, NULL);
}

void h_cadences_put(struct api *a)
{
	static const char *const keys[] = { "scope", "key", "every",
					    "meet_every", NULL };
	struct cadence_rule r = { 0 };
	struct cadence every = { 0 }, meet = { 0 };
	enum cadence_scope sc;
	const char *scope, *key = "";
	int rc;

	if (!api_only(a, keys))
		return;
	rc = body_str(a->body, "scope", true, 16, &scope, &a->err);
	if (!rc)
		rc = body_str(a->body, "key", false, 200, &key, &a->err);
	/* An unknown word is no scope: the use case says which there are. */
	if (!rc && cadence_scope_parse(&sc, scope, "scope", NULL))
		sc = CADENCE_COUNT;
	if (!rc)
		rc = body_cadence(a->body, "every", &every, &a->err);
	if (!rc)
		rc = body_cadence(a->body, "meet_every", &meet, &a->err);
	if (!rc)
		rc = app_cadence_set(&a->ctx, sc, key, &every, &meet, &r,
				     &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	http_json(a->resp, 200,
		  json_cadence_rule(cadence_scope_name(r.scope), r.key,
				    r.every, r.meet));
	free(r.key);
}

void h_agenda(struct api *a)
{
	struct agenda_list l;
	long long limit = 50;
	int rc;

	if (!api_query_int(a, "limit", 1, 1000, &limit))
		return;
	rc = app_agenda(&a->ctx, (size_t)limit, &l, &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	{
		struct workspace w = { 0 };

		store_workspace_get(a->st, a->ctx.ws, &w, NULL);
		api_list(a, json_agenda(&l, &w, a->ctx.now), NULL);
		workspace_clear(&w);
	}
	agenda_list_free(&l);
}

void h_report(struct api *a)
{
	static const struct {
		const char *name;
		const char *keys;	/* of the full report, comma-separated */
	} views[] = {
		{ "overview", NULL },
		{ "channels", "channel_mix" },
		{ "balance", "balance,balance_by_user,digital_only" },
		{ "health", "health_distribution,health_mean,going_cold" },
		{ "loyalty", "loyal,thank_you_due" },
		{ "going_cold", "going_cold" },
	};
	const char *name = a->req->params[0];
	struct report r;
	json_t *full, *out;
	size_t v;
	int rc;

	for (v = 0; v < sizeof(views) / sizeof(*views); v++)
		if (!strcmp(views[v].name, name))
			break;
	if (v == sizeof(views) / sizeof(*views)) {
		http_error(a->resp, 404, "not_found", "name",
			   "no report \"%s\" (overview, channels, balance, "
			   "health, loyalty, going_cold)",
			   name);
		return;
	}
	rc = app_report(&a->ctx, &r, &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	full = json_report(&r);
	report_clear(&r);
	if (!views[v].keys) {
		http_json(a->resp, 200, full);
		return;
	}
	out = json_object();
	json_object_set(out, "contacts", json_object_get(full, "contacts"));
	for (const char *k = views[v].keys; *k;) {
		char key[40];
		size_t len = strcspn(k, ",");

		snprintf(key, sizeof(key), "%.*s", (int)len, k);
		json_object_set(out, key, json_object_get(full, key));
		k += len + (k[len] == ',');
	}
	json_decref(full);
	http_json(a->resp, 200, out);
}

void h_export(struct api *a)
{
	struct book b;
	int rc = app_book_load(&a->ctx, &b, &a->err);
	char *text;

	if (rc) {
		api_fail(a, rc);
		return;
	}
	text = book_to_json(&b);
	book_clear(&b);
	if (!text) {
		api_fail(a, kith_err_nomem(&a->err));
		return;
	}
	free(a->resp->body);
	a->resp->body = text;
	a->resp->len = strlen(text);
	a->resp->status = 200;
	a->resp->content_type = "application/json";
}

void h_import(struct api *a)
{
	struct book b;
	int rc;

	/* The body was parsed once to check it; the book reader wants text
	 * so its errors name paths the same way as `kith import`. */
	rc = book_parse_json(&b, a->req->body, a->req->body_len, "body",
			     &a->err);
	if (!rc) {
		rc = app_book_restore(&a->ctx, &b, "body", &a->err);
		if (!rc)
			http_json(a->resp, 201,
				  json_pack("{s:I, s:I, s:I}", "contacts",
					    (json_int_t)b.n_contacts,
					    "touchpoints",
					    (json_int_t)b.n_touches,
					    "organizations",
					    (json_int_t)b.n_orgs));
		book_clear(&b);
	}
	if (rc)
		api_fail(a, rc);
}

struct upcoming {
	struct kdate *d;
	int in_days, years;
};

static int cmp_upcoming(const void *x, const void *y)
{
	const struct upcoming *a = x, *b = y;

	if (a->in_days != b->in_days)
		return a->in_days < b->in_days ? -1 : 1;
	return (a->d->id > b->d->id) - (a->d->id < b->d->id);
}

void h_dates_upcoming(struct api *a)
{
	long long within = 14;
	struct upcoming *u = NULL;
	struct kdate *d = NULL;
	size_t n = 0, nu = 0;
	json_t *items;

	if (!api_query_int(a, "within", 0, 366, &within))
		return;
	if (store_date_list(a->st, a->ctx.ws, 0, &d, &n, &a->err)) {
		api_fail(a, a->err.status);
		return;
	}
	u = calloc(n ? n : 1, sizeof(*u));
	for (size_t i = 0; u && i < n; i++) {
		int years, days = agenda_days_until(&d[i], a->ctx.today, &years);

		if (days < 0 || days > within)
			continue;
		u[nu].d = &d[i];
		u[nu].in_days = days;
		u[nu++].years = years;
	}
	if (nu > 1)
		qsort(u, nu, sizeof(*u), cmp_upcoming);
	items = json_array();
	for (size_t i = 0; i < nu; i++) {
		struct contact c;
		json_t *j = json_kdate(u[i].d);

		json_object_set_new(j, "in_days", json_integer(u[i].in_days));
		json_object_set_new(j, "years", u[i].years
							? json_integer(u[i].years)
							: json_null());
		if (!store_contact_get(a->st, a->ctx.ws, u[i].d->contact_id,
				       &c, NULL)) {
			json_object_set_new(j, "contact_name",
					    json_string(c.name));
			contact_clear(&c);
		}
		json_array_append_new(items, j);
	}
	free(u);
	store_dates_free(d, n);
	api_list(a, items, NULL);
}
