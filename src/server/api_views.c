/* api_views.c: what the book says rather than what it holds, over HTTP
 * (the twin of cli/views.c): a contact's brief and health, the agenda,
 * the reports, the dates coming up. Reads only. */
#include "api_rows.h"
#include "../app/agenda_query.h"
#include "../app/insight.h"
#include "../core/agenda.h"
#include "../render/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void h_contact_brief(struct api *a)
{
	struct brief b;
	int rc = app_brief(&b, &a->ctx, a->id, &a->err);

	if (rc) {
		api_fail(a, rc);
		return;
	}
	http_json(a->resp, 200, kj_brief(&b, a->ctx.now));
	brief_clear(&b);
}

void h_contact_health(struct api *a)
{
	struct health h;
	int rc = app_health(&h, &a->ctx, a->id, &a->err);
	json_t *j;

	if (rc) {
		api_fail(a, rc);
		return;
	}
	j = kj_health(&h);
	json_object_set_new(j, "contact_id", json_integer(a->id));
	http_json(a->resp, 200, j);
}

void h_agenda(struct api *a)
{
	struct agenda_list l;
	long long limit = 50;
	int rc;

	if (!api_query_int(a, "limit", 1, 1000, &limit))
		return;
	rc = app_agenda(&l, &a->ctx, (size_t)limit, &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	{
		struct workspace w = { 0 };

		store_workspace_get(&w, a->st, a->ctx.ws, NULL);
		api_list(a, kj_agenda(&l, &w, a->ctx.now), NULL);
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
	rc = app_report(&r, &a->ctx, &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	full = kj_report(&r);
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
	if (store_date_list(&d, &n, a->st, a->ctx.ws, 0, &a->err)) {
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
		json_t *j = kj_kdate(u[i].d);

		json_object_set_new(j, "in_days", json_integer(u[i].in_days));
		json_object_set_new(j, "years", u[i].years
							? json_integer(u[i].years)
							: json_null());
		if (!store_contact_get_lean(&c, a->st, a->ctx.ws,
					    u[i].d->contact_id, NULL)) {
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
