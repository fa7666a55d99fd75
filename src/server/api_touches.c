/* api_touches.c: touchpoints and what hangs on a contact (facts,
 * dates, promises, gifts) and the cadence rules over HTTP (the twin of
 * cli/touches.c): parse the body, call the app/touch.h use case,
 * render. */
#include "api_rows.h"
#include "../app/touch.h"
#include "../core/agenda.h"
#include "../render/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	rc = body_ids(&t.contacts, &t.n_contacts, a->body, "contacts", &a->err);
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
		rc = body_str(&ch, a->body, "channel", true, 32, &a->err);
	if (!rc)
		rc = channel_parse(&t.channel, ch, "channel", &a->err);
	if (!rc)
		rc = body_time(&t.at, a->body, "at", false, &a->err);
	if (!rc)
		rc = body_int(&minutes, a->body, "minutes", false, 0, 100000,
			      &a->err);
	t.minutes = (int)minutes;
	if (!rc)
		rc = body_strdup(&t.note, a->body, "note", false, 100000,
				 &a->err);
	if (!rc)
		rc = body_str(&dir, a->body, "direction", false, 16, &a->err);
	t.direction = APP_DIR_DEFAULT;
	if (!rc && dir)
		rc = direction_parse(&t.direction, dir, "direction", &a->err);
	if (!rc)
		rc = body_str(&src, a->body, "source", false, 32, &a->err);
	if (!rc)
		rc = body_ids(&t.users, &t.n_users, a->body, "users", &a->err);
	if (!rc && t.n_users > KITH_TOUCH_MAX_PEOPLE)
		rc = kith_err_set(&a->err, KITH_EINPUT, "users",
				  "at most %d users per touchpoint",
				  KITH_TOUCH_MAX_PEOPLE);
	if (!rc && src) {
		t.source = strdup(src);
		if (!t.source)
			rc = kith_err_nomem(&a->err);
	}
	if (!rc)
		rc = app_touch_log(NULL, &a->ctx, &t, a->user.id, &a->err);
	if (rc) {
		touchpoint_clear(&t);
		api_fail(a, rc);
		return;
	}
	j = kj_touch(&t);
	touchpoint_clear(&t);
	http_json(a->resp, 201, j);
}

static void touch_list(struct api *a, int64_t contact_id)
{
	struct touchpoint *t = NULL;
	size_t n = 0, limit;
	int64_t after;
	json_t *items;
	int rc;

	if (!api_cursor(a, &after, &limit))
		return;
	if (contact_id && !api_contact_here(a))
		return;
	/* Newest first; the cursor is the id of the last touch of the
	 * previous page (a keyset: an offset cursor near INT64_MAX once
	 * overflowed into an unlimited LIMIT, review L7). */
	rc = store_touch_page(&t, &n, a->st, a->ctx.ws, contact_id, after,
			      limit + 1, &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n && i < limit; i++)
		json_array_append_new(items, kj_touch(&t[i]));
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

static json_t *fact_row(struct api *a, const void *row)
{
	(void)a;
	return kj_fact(row);
}

void h_contact_facts(struct api *a)
{
	struct fact *f = NULL;
	size_t n = 0;
	int rc;

	if (!api_contact_here(a))
		return;
	rc = store_fact_list(&f, &n, a->st, a->ctx.ws, a->id, &a->err);
	api_rows(a, rc, f, n, sizeof(*f), fact_row);
	store_facts_free(f, n);
}

void h_contact_fact_add(struct api *a)
{
	static const char *const keys[] = { "text", NULL };
	struct fact f = { 0 };
	int rc;

	if (!api_only(a, keys))
		return;
	f.contact_id = a->id;
	rc = body_strdup(&f.text, a->body, "text", true, 10000, &a->err);
	if (!rc)
		rc = app_fact_add(&a->ctx, &f, &a->err);
	if (rc)
		api_fail(a, rc);
	else
		http_json(a->resp, 201, kj_fact(&f));
	fact_clear(&f);
}

/* A date with how many days until it comes round (null: never again). */
static json_t *date_row(struct api *a, const void *row)
{
	const struct kdate *d = row;
	json_t *j = kj_kdate(d);
	int years, days = agenda_days_until(d, a->ctx.today, &years);

	json_object_set_new(j, "in_days",
			    days < 0 ? json_null() : json_integer(days));
	return j;
}

void h_contact_dates(struct api *a)
{
	struct kdate *d = NULL;
	size_t n = 0;
	int rc;

	if (!api_contact_here(a))
		return;
	rc = store_date_list(&d, &n, a->st, a->ctx.ws, a->id, &a->err);
	api_rows(a, rc, d, n, sizeof(*d), date_row);
	store_dates_free(d, n);
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
	rc = body_strdup(&d.kind, a->body, "kind", true, 100, &a->err);
	if (!rc)
		rc = body_str(&date, a->body, "date", true, 16, &a->err);
	if (!rc)
		rc = body_bool(&yearly, a->body, "yearly", false, &a->err);
	d.yearly = yearly;
	if (!rc)
		rc = app_date_add(&a->ctx, &d, date, &a->err);
	if (rc)
		api_fail(a, rc);
	else
		http_json(a->resp, 201, kj_kdate(&d));
	kdate_clear(&d);
}

static json_t *promise_row(struct api *a, const void *row)
{
	return kj_promise(row, a->ctx.now);
}

static void promise_list(struct api *a, int64_t contact_id)
{
	struct promise *p = NULL;
	size_t n = 0;
	bool all = false;
	int rc;

	if (!api_query_bool(a, "all", &all))
		return;
	if (contact_id && !api_contact_here(a))
		return;
	rc = store_promise_list(&p, &n, a->st, a->ctx.ws, contact_id, all,
				&a->err);
	api_rows(a, rc, p, n, sizeof(*p), promise_row);
	store_promises_free(p, n);
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
	rc = body_strdup(&p.text, a->body, "text", true, 10000, &a->err);
	if (!rc)
		rc = body_time(&p.due, a->body, "due", false, &a->err);
	if (!rc)
		rc = app_promise_add(&a->ctx, &p, &a->err);
	if (rc)
		api_fail(a, rc);
	else
		http_json(a->resp, 201, kj_promise(&p, a->ctx.now));
	promise_clear(&p);
}

void h_promise_done(struct api *a)
{
	struct promise p;
	int rc = app_promise_done(&p, &a->ctx, a->id, &a->err);

	if (rc) {
		promise_clear(&p);	/* owned or zeroed: see touch.h */
		api_fail(a, rc);
		return;
	}
	http_json(a->resp, 200, kj_promise(&p, a->ctx.now));
	promise_clear(&p);
}

static json_t *gift_row(struct api *a, const void *row)
{
	(void)a;
	return kj_gift(row);
}

void h_contact_gifts(struct api *a)
{
	struct gift *g = NULL;
	size_t n = 0;
	int rc;

	if (!api_contact_here(a))
		return;
	rc = store_gift_list(&g, &n, a->st, a->ctx.ws, a->id, &a->err);
	api_rows(a, rc, g, n, sizeof(*g), gift_row);
	store_gifts_free(g, n);
}

void h_contact_gift_add(struct api *a)
{
	static const char *const keys[] = { "text", "value", "at", NULL };
	struct gift g = { 0 };
	int rc;

	if (!api_only(a, keys))
		return;
	g.contact_id = a->id;
	rc = body_strdup(&g.text, a->body, "text", true, 1000, &a->err);
	if (!rc)
		rc = body_money(&g.value_cents, a->body, "value", &a->err);
	if (!rc)
		rc = body_time(&g.at, a->body, "at", false, &a->err);
	if (!rc)
		rc = app_gift_add(&a->ctx, &g, &a->err);
	if (rc)
		api_fail(a, rc);
	else
		http_json(a->resp, 201, kj_gift(&g));
	gift_clear(&g);
}

static json_t *cadence_row(struct api *a, const void *row)
{
	const struct cadence_rule *r = row;

	(void)a;
	return kj_cadence_rule(cadence_scope_name(r->scope), r->key,
				 r->every, r->meet);
}

void h_cadences_list(struct api *a)
{
	struct cadence_rule *r = NULL;
	size_t n = 0;
	int rc = store_cadence_list(&r, &n, a->st, a->ctx.ws, &a->err);

	api_rows(a, rc, r, n, sizeof(*r), cadence_row);
	store_cadences_free(r, n);
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
	rc = body_str(&scope, a->body, "scope", true, 16, &a->err);
	if (!rc)
		rc = body_str(&key, a->body, "key", false, 200, &a->err);
	/* An unknown word is no scope: the use case says which there are. */
	if (!rc && cadence_scope_parse(&sc, scope, "scope", NULL))
		sc = CADENCE_COUNT;
	if (!rc)
		rc = body_cadence(&every, a->body, "every", &a->err);
	if (!rc)
		rc = body_cadence(&meet, a->body, "meet_every", &a->err);
	if (!rc)
		rc = app_cadence_set(&r, &a->ctx, sc, key, &every, &meet,
				     &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	http_json(a->resp, 200,
		  kj_cadence_rule(cadence_scope_name(r.scope), r.key,
				    r.every, r.meet));
	free(r.key);
}
