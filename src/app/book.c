/* book.c: load a workspace into a struct book and restore one. */
#include "book.h"
#include "contact.h"
#include "touch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BY_ID(type)                                                          \
	static int cmp_##type(const void *a, const void *b)                  \
	{                                                                    \
		int64_t x = ((const struct type *)a)->id;                    \
		int64_t y = ((const struct type *)b)->id;                    \
		return (x > y) - (x < y);                                    \
	}
BY_ID(touchpoint)
BY_ID(promise)
BY_ID(gift)
BY_ID(revenue)
#undef BY_ID

int app_book_load(struct book *b, struct app_ctx *ctx, struct kith_err *err)
{
	struct contact_filter f = { .with_card = true };
	struct workspace w = { 0 };
	struct cadence_rule *rules = NULL;
	size_t nrules = 0;
	int rc;

	memset(b, 0, sizeof(*b));
	rc = store_workspace_get(&w, ctx->st, ctx->ws, err);
	if (rc)
		return rc;
	b->ws_name = w.name;
	b->ws_tz = w.tz;
	b->work_start_min = w.work_start_min;
	b->work_end_min = w.work_end_min;
	b->response_target_min = w.response_target_min;
	rc = store_cadence_list(&rules, &nrules, ctx->st, ctx->ws, err);
	if (rc)
		goto fail;
	b->cadences = calloc(nrules + 1, sizeof(*b->cadences));
	if (!b->cadences) {
		rc = kith_err_nomem(err);
		goto fail;
	}
	for (size_t i = 0; i < nrules; i++) {
		b->cadences[i].scope = rules[i].scope;
		b->cadences[i].key = rules[i].key;
		rules[i].key = NULL;
		b->cadences[i].every = rules[i].every;
		b->cadences[i].meet = rules[i].meet;
	}
	b->n_cadences = nrules;
	rc = store_org_list(&b->orgs, &b->n_orgs, ctx->st, ctx->ws, err);
	if (!rc)
		rc = store_contact_list(&b->contacts, &b->n_contacts, ctx->st,
					ctx->ws, &f, err);
	if (!rc)
		rc = store_touch_list(&b->touches, &b->n_touches, ctx->st,
				      ctx->ws, 0, 0, err);
	if (!rc)
		rc = store_fact_list(&b->facts, &b->n_facts, ctx->st, ctx->ws,
				     0, err);
	if (!rc)
		rc = store_date_list(&b->dates, &b->n_dates, ctx->st, ctx->ws,
				     0, err);
	if (!rc)
		rc = store_promise_list(&b->promises, &b->n_promises, ctx->st,
					ctx->ws, 0, true, err);
	if (!rc)
		rc = store_gift_list(&b->gifts, &b->n_gifts, ctx->st, ctx->ws,
				     0, err);
	if (!rc)
		rc = store_revenue_list(&b->revenue, &b->n_revenue, ctx->st,
					ctx->ws, 0, err);
	if (rc)
		goto fail;
	/* qsort(NULL, 0, ...) is undefined behaviour: UBSan says so. */
	if (b->n_touches > 1)
		qsort(b->touches, b->n_touches, sizeof(*b->touches),
		      cmp_touchpoint);
	if (b->n_promises > 1)
		qsort(b->promises, b->n_promises, sizeof(*b->promises),
		      cmp_promise);
	if (b->n_gifts > 1)
		qsort(b->gifts, b->n_gifts, sizeof(*b->gifts), cmp_gift);
	if (b->n_revenue > 1)
		qsort(b->revenue, b->n_revenue, sizeof(*b->revenue),
		      cmp_revenue);
	store_cadences_free(rules, nrules);
	return KITH_OK;
fail:
	store_cadences_free(rules, nrules);
	book_clear(b);
	return rc;
}

/* Put the element's path in front of the field a store call named. */
static int at(struct kith_err *err, int rc, const char *file,
	      const char *what, size_t i)
{
	char field[64];

	if (!rc || !err)
		return rc;
	/* The only constraint a restore can break is a repeated id. */
	if (rc == KITH_ECONFLICT) {
		snprintf(err->field, sizeof(err->field), "id");
		snprintf(err->msg, sizeof(err->msg),
			 "this id is already taken");
	}
	snprintf(field, sizeof(field), "%s[%zu]%s%.30s", what, i,
		 err->field[0] ? "." : "", err->field);
	snprintf(err->field, sizeof(err->field), "%s", field);
	kith_err_at(err, file, 0);
	/* A dangling reference is bad input, not a missing resource. */
	if (rc == KITH_ENOTFOUND || rc == KITH_ECONFLICT) {
		err->status = KITH_EINPUT;
		rc = KITH_EINPUT;
	}
	return rc;
}

/* May the workspace take the book's name? Not if another has it: then
 * the name the user chose (--workspace) stays. */
static bool name_free(struct app_ctx *ctx, const char *name)
{
	struct workspace *w = NULL;
	size_t n = 0;
	bool ok = true;

	if (store_workspace_list(&w, &n, ctx->st, NULL))
		return false;
	for (size_t i = 0; i < n; i++)
		if (w[i].id != ctx->ws && !strcasecmp(w[i].name, name))
			ok = false;
	store_workspaces_free(w, n);
	return ok;
}

static int restore_settings(struct app_ctx *ctx, const struct book *b,
			    struct kith_err *err)
{
	struct workspace w = { 0 };
	int rc;

	rc = store_workspace_get(&w, ctx->st, ctx->ws, err);
	if (rc)
		return rc;
	if (b->ws_name && *b->ws_name && name_free(ctx, b->ws_name)) {
		free(w.name);
		w.name = strdup(b->ws_name);
	}
	/* book_parse_json checked it; a book built another way is held
	 * to the same rule before the zone reaches any conversion. */
	if (b->ws_tz && *b->ws_tz && !kith_tz_valid(b->ws_tz)) {
		workspace_clear(&w);
		return kith_err_set(err, KITH_EINPUT, "workspace.tz",
				    "unknown time zone \"%.64s\"", b->ws_tz);
	}
	if (b->ws_tz) {
		free(w.tz);
		w.tz = strdup(b->ws_tz);
	}
	w.work_start_min = b->work_start_min;
	w.work_end_min = b->work_end_min;
	w.response_target_min = b->response_target_min;
	rc = (!w.name || !w.tz) ? kith_err_nomem(err)
				: store_workspace_update(ctx->st, &w, err);
	workspace_clear(&w);
	return rc;
}

/* Old id to new id, for a restore whose ids another workspace holds.
 * Filled in book order, then sorted once on the first lookup (ids are
 * unique, check_dups saw to it): a lookup is a binary search, not the
 * walk that made a large remapped import quadratic (review M11). */
struct idpair {
	int64_t old, new;
};

struct idmap {
	struct idpair *v;
	size_t n, cap;
	bool sorted;
};

static int idmap_add(struct idmap *m, int64_t old, int64_t new)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct idpair *v = realloc(m->v, cap * sizeof(*v));

		if (!v)
			return -1;
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n].old = old;
	m->v[m->n++].new = new;
	m->sorted = false;
	return 0;
}

static int idpair_cmp(const void *a, const void *b)
{
	const struct idpair *x = a, *y = b;

	return x->old < y->old ? -1 : x->old > y->old;
}

/* The new id of old; 0 (unknown) lets the store name the dangling id. */
static int64_t idmap_get(struct idmap *m, int64_t old)
{
	struct idpair key = { old, 0 }, *hit;

	if (!m)
		return old;
	if (!m->sorted) {
		if (m->n)
			qsort(m->v, m->n, sizeof(*m->v), idpair_cmp);
		m->sorted = true;
	}
	hit = m->n ? bsearch(&key, m->v, m->n, sizeof(*m->v), idpair_cmp)
		   : NULL;
	if (hit)
		return hit->new;
	return old ? -old : 0;
}

struct maps {
	struct idmap orgs, contacts;
};

/* Two elements of one array with one id: name the second. */
#define CHECK_DUPS(arr, n, what)                                             \
	do {                                                                 \
		int64_t *ids_ = (n) ? malloc((n) * sizeof(*ids_)) : NULL;    \
		size_t at_ = 0;                                              \
		int d_;                                                      \
		if ((n) && !ids_)                                            \
			return kith_err_nomem(err);                          \
		for (size_t i_ = 0; i_ < (n); i_++)                          \
			ids_[i_] = (arr)[i_].id;                             \
		d_ = kith_ids_dup(ids_, (n), &at_);                          \
		free(ids_);                                                  \
		if (d_ < 0)                                                  \
			return kith_err_nomem(err);                          \
		if (d_) {                                                    \
			kith_err_set(err, KITH_EINPUT, NULL,                 \
				     "id %lld appears twice",                \
				     (long long)(arr)[at_].id);              \
			snprintf(err->field, sizeof(err->field),             \
				 "%s[%zu].id", what, at_);                   \
			kith_err_at(err, file, 0);                           \
			return KITH_EINPUT;                                  \
		}                                                            \
	} while (0)

static int check_dups(const struct book *b, const char *file,
		      struct kith_err *err)
{
	CHECK_DUPS(b->orgs, b->n_orgs, "organizations");
	CHECK_DUPS(b->contacts, b->n_contacts, "contacts");
	CHECK_DUPS(b->touches, b->n_touches, "touchpoints");
	CHECK_DUPS(b->facts, b->n_facts, "facts");
	CHECK_DUPS(b->dates, b->n_dates, "dates");
	CHECK_DUPS(b->promises, b->n_promises, "promises");
	CHECK_DUPS(b->gifts, b->n_gifts, "gifts");
	CHECK_DUPS(b->revenue, b->n_revenue, "revenue");
	return KITH_OK;
}

/*
 * Write every element. Without maps, ids are kept and a taken id ends the
 * try with KITH_ECONFLICT (the caller retries with maps). With maps, the
 * store picks new ids and references follow them.
 */
static int restore_rows(struct app_ctx *ctx, struct book *b,
			const char *file, struct maps *m, struct kith_err *err)
{
	int rc = KITH_OK;

#define TRY(call, what, i)                                                   \
	do {                                                                 \
		rc = (call);                                                 \
		if (rc == KITH_ECONFLICT && !m)                              \
			return rc;                                           \
		rc = at(err, rc, file, what, i);                             \
	} while (0)
	for (size_t i = 0; !rc && i < b->n_orgs; i++) {
		int64_t old = b->orgs[i].id;

		if (!b->orgs[i].created_at)
			b->orgs[i].created_at = ctx->now;
		if (m)
			b->orgs[i].id = 0;
		TRY(m ? store_org_ensure(&b->orgs[i].id, ctx->st, ctx->ws,
					 b->orgs[i].name, b->orgs[i].created_at,
					 err)
		      : store_org_put(ctx->st, ctx->ws, &b->orgs[i], err),
		    "organizations", i);
		if (!rc && m && idmap_add(&m->orgs, old, b->orgs[i].id))
			rc = kith_err_nomem(err);
	}
	for (size_t i = 0; !rc && i < b->n_contacts; i++) {
		int64_t old = b->contacts[i].id;

		if (m) {
			b->contacts[i].id = 0;
			if (b->contacts[i].org_id)
				b->contacts[i].org_id =
					idmap_get(&m->orgs, b->contacts[i].org_id);
		}
		TRY(app_contact_add(ctx, &b->contacts[i], err), "contacts", i);
		if (!rc && m &&
		    idmap_add(&m->contacts, old, b->contacts[i].id))
			rc = kith_err_nomem(err);
	}
#define REF(x) (m ? idmap_get(&m->contacts, (x)) : (x))
	for (size_t i = 0; !rc && i < b->n_touches; i++) {
		if (m) {
			b->touches[i].id = 0;
			for (size_t k = 0; k < b->touches[i].n_contacts; k++)
				b->touches[i].contacts[k] =
					REF(b->touches[i].contacts[k]);
		}
		TRY(app_touch_log(NULL, ctx, &b->touches[i], 0, err),
		    "touchpoints", i);
	}
	for (size_t i = 0; !rc && i < b->n_facts; i++) {
		if (m) {
			b->facts[i].id = 0;
			b->facts[i].contact_id = REF(b->facts[i].contact_id);
		}
		TRY(app_fact_add(ctx, &b->facts[i], err), "facts", i);
	}
	for (size_t i = 0; !rc && i < b->n_dates; i++) {
		if (m) {
			b->dates[i].id = 0;
			b->dates[i].contact_id = REF(b->dates[i].contact_id);
		}
		TRY(app_date_add(ctx, &b->dates[i], NULL, err), "dates", i);
	}
	for (size_t i = 0; !rc && i < b->n_promises; i++) {
		if (m) {
			b->promises[i].id = 0;
			b->promises[i].contact_id =
				REF(b->promises[i].contact_id);
		}
		TRY(app_promise_add(ctx, &b->promises[i], err), "promises", i);
	}
	for (size_t i = 0; !rc && i < b->n_gifts; i++) {
		if (m) {
			b->gifts[i].id = 0;
			if (b->gifts[i].contact_id)
				b->gifts[i].contact_id =
					REF(b->gifts[i].contact_id);
			if (b->gifts[i].org_id)
				b->gifts[i].org_id =
					idmap_get(&m->orgs, b->gifts[i].org_id);
		}
		TRY(app_gift_add(ctx, &b->gifts[i], err), "gifts", i);
	}
	for (size_t i = 0; !rc && i < b->n_revenue; i++) {
		if (m) {
			b->revenue[i].id = 0;
			if (b->revenue[i].contact_id)
				b->revenue[i].contact_id =
					REF(b->revenue[i].contact_id);
			if (b->revenue[i].org_id)
				b->revenue[i].org_id = idmap_get(
					&m->orgs, b->revenue[i].org_id);
		}
		TRY(app_revenue_add(ctx, &b->revenue[i], err), "revenue", i);
	}
#undef REF
#undef TRY
	return rc;
}

int app_book_restore(struct app_ctx *ctx, struct book *b, const char *file,
		     struct kith_err *err)
{
	struct maps m = { 0 };
	bool empty;
	int rc;

	rc = store_workspace_empty(&empty, ctx->st, ctx->ws, err);
	if (rc)
		return rc;
	if (!empty) {
		kith_err_set(err, KITH_ECONFLICT, NULL,
			     "the workspace already holds contacts; a book "
			     "restores into an empty workspace (use "
			     "--workspace NAME for a new one)");
		kith_err_at(err, file, 0);
		return KITH_ECONFLICT;
	}
	rc = check_dups(b, file, err);
	if (!rc)
		rc = at(err, restore_settings(ctx, b, err), file, "workspace",
			0);
	for (size_t i = 0; !rc && i < b->n_cadences; i++) {
		const struct book_cadence *c = &b->cadences[i];

		rc = at(err,
			app_cadence_set(NULL, ctx, c->scope, c->key, &c->every,
					&c->meet, err),
			file, "cadences", i);
	}
	if (rc)
		return rc;
	/* Ids are kept (so a backup round-trips byte for byte) unless
	 * another workspace in this database holds them: then new ones. */
	rc = store_savepoint(ctx->st, err);
	if (rc)
		return rc;
	rc = restore_rows(ctx, b, file, NULL, err);
	if (rc == KITH_ECONFLICT) {
		store_savepoint_undo(ctx->st);
		memset(err, 0, sizeof(*err));
		rc = store_savepoint(ctx->st, err);
		if (!rc)
			rc = restore_rows(ctx, b, file, &m, err);
	}
	if (rc)
		store_savepoint_undo(ctx->st);
	else
		store_savepoint_release(ctx->st);
	free(m.orgs.v);
	free(m.contacts.v);
	return rc;
}
