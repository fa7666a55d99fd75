/* api_contacts.c: contacts and organizations over HTTP (the twin of
 * cli/contacts.c): parse the body, call the app/contact.h use case,
 * render. */
#include "api_rows.h"
#include "../input/contact_json.h"
#include "../app/contact.h"
#include "../app/insight.h"
#include "../render/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *contact_json_of(struct api *a, int64_t id)
{
	struct contact c;
	json_t *j;

	if (store_contact_get_lean(&c, a->st, a->ctx.ws, id, &a->err))
		return NULL;
	j = kj_contact(&c, true);
	contact_clear(&c);
	return j;
}

void h_contacts_list(struct api *a)
{
	struct contact_filter f = { 0 };
	struct contact *cs = NULL;
	struct report rep = { 0 };
	bool cold = false, digital = false, need_report;
	size_t n = 0, limit, kept = 0;
	json_t *items;
	char next[32];
	const char *v;
	int rc;

	if (!api_cursor(a, &f.after_id, &limit) ||
	    !api_query_bool(a, "going_cold", &cold) ||
	    !api_query_bool(a, "digital_only", &digital))
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
	if (need_report && (rc = app_report(&rep, &a->ctx, &a->err))) {
		api_fail(a, rc);
		return;
	}
	f.limit = need_report ? 0 : limit + 1;
	rc = store_contact_list(&cs, &n, a->st, a->ctx.ws, &f, &a->err);
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
		json_array_append_new(items, kj_contact(&cs[i], true));
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
	if (!api_only(a, contact_json_keys))
		return;
	if (!json_object_get(a->body, "name")) {
		http_error(a->resp, 422, "invalid", "name", "missing");
		return;
	}
	rc = contact_json_apply(&c, a->body, &a->err);
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
	struct contact c;
	char *body;
	size_t len;
	int rc;

	rc = store_contact_get_lean(&c, a->st, a->ctx.ws, a->id, &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	/* The API's most frequent reply, written without building jansson
	 * values: the same bytes (test_json pins them), a sixth less CPU
	 * per request (issue 19). */
	if (!kj_contact_dump(&body, &len, &c, true))
		http_json_text(a->resp, 200, body, len);
	else
		http_json(a->resp, 200, kj_contact(&c, true));
	contact_clear(&c);
}

void h_contact_patch(struct api *a)
{
	struct contact c;
	json_t *cur;
	int rc;

	if (!api_only(a, contact_json_keys))
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
	rc = store_contact_get(&c, a->st, a->ctx.ws, a->id, &a->err);
	if (!rc)
		rc = contact_json_apply(&c, a->body, &a->err);
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
	rc = body_id(&from, a->body, "from", true, &a->err);
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
	rc = body_time(&until, a->body, "until", false, &a->err);
	if (!rc)
		rc = body_str(&dur, a->body, "for", false, 32, &a->err);
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

static json_t *org_row(struct api *a, const void *row)
{
	(void)a;
	return kj_org(row);
}

void h_orgs_list(struct api *a)
{
	struct organization *o = NULL;
	size_t n = 0;
	int rc = store_org_list(&o, &n, a->st, a->ctx.ws, &a->err);

	api_rows(a, rc, o, n, sizeof(*o), org_row);
	store_orgs_free(o, n);
}

void h_org_patch(struct api *a)
{
	static const char *const keys[] = { "name", NULL };
	struct organization o = { 0 };
	const char *name;
	int rc;

	if (!api_only(a, keys))
		return;
	rc = body_str(&name, a->body, "name", true, 500, &a->err);
	if (!rc)
		rc = store_org_rename(&o.created_at, a->st, a->ctx.ws, a->id,
				      name, &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	o.id = a->id;
	o.name = (char *)name;
	http_json(a->resp, 200, kj_org(&o));
}

void h_orgs_create(struct api *a)
{
	static const char *const keys[] = { "name", NULL };
	struct organization o = { 0 };
	const char *name;
	int rc;

	if (!api_only(a, keys))
		return;
	rc = body_str(&name, a->body, "name", true, 500, &a->err);
	if (!rc)
		rc = store_org_ensure(&o.id, a->st, a->ctx.ws, name, a->ctx.now,
				      &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	o.name = (char *)name;
	o.created_at = a->ctx.now;
	http_json(a->resp, 201, kj_org(&o));
}
