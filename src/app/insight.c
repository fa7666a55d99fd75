/* insight.c: health, brief and report over the store and the core. */
#include "insight.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int load_score_promises(struct score_promise **out, size_t *n,
			       struct app_ctx *ctx, int64_t id,
			       struct kith_err *err)
{
	struct promise *p = NULL;
	size_t np = 0;
	int rc;

	*out = NULL;
	*n = 0;
	rc = store_promise_list(&p, &np, ctx->st, ctx->ws, id, true, err);
	if (rc)
		return rc;
	if (np) {
		*out = calloc(np, sizeof(**out));
		if (!*out) {
			store_promises_free(p, np);
			return kith_err_nomem(err);
		}
	}
	for (size_t i = 0; i < np; i++) {
		(*out)[i].due = p[i].due;
		(*out)[i].done_at = p[i].done_at;
	}
	*n = np;
	store_promises_free(p, np);
	return KITH_OK;
}

static int health_of(struct health *out, struct balance *bal,
		     kith_time *last_by_channel, struct app_ctx *ctx,
		     const struct contact *c, struct kith_err *err)
{
	struct score_touch *t = NULL;
	struct score_promise *p = NULL;
	size_t nt = 0, np = 0;
	int rc;

	rc = store_touch_scores(&t, &nt, ctx->st, ctx->ws, c->id, err);
	if (!rc)
		rc = load_score_promises(&p, &np, ctx, c->id, err);
	if (rc)
		goto done;
	score_health(out, t, nt, p, np, c->eff_every, ctx->now);
	if (bal) {
		memset(bal, 0, sizeof(*bal));
		for (size_t i = 0; i < nt; i++)
			score_balance_add(bal, &t[i], ctx->now);
		score_balance_finish(bal);
	}
	if (last_by_channel) {
		for (int ch = 0; ch < CH_COUNT; ch++)
			last_by_channel[ch] = KITH_NO_TIME;
		for (size_t i = 0; i < nt; i++)
			if (t[i].at <= ctx->now &&
			    t[i].at > last_by_channel[t[i].channel])
				last_by_channel[t[i].channel] = t[i].at;
	}
done:
	free(t);
	free(p);
	return rc;
}

int app_health(struct health *out, struct app_ctx *ctx, int64_t id,
	       struct kith_err *err)
{
	struct contact c;
	int rc;

	rc = store_contact_get(&c, ctx->st, ctx->ws, id, err);
	if (rc)
		return rc;
	rc = health_of(out, NULL, NULL, ctx, &c, err);
	contact_clear(&c);
	return rc;
}

void brief_clear(struct brief *b)
{
	if (!b)
		return;
	contact_clear(&b->contact);
	store_facts_free(b->facts, b->n_facts);
	for (size_t i = 0; i < b->n_dates; i++)
		kdate_clear(&b->dates[i].date);
	free(b->dates);
	store_touches_free(b->recent, b->n_recent);
	store_promises_free(b->promises, b->n_promises);
	store_gifts_free(b->gifts, b->n_gifts);
	for (size_t i = 0; i < b->n_people; i++)
		free(b->people[i]);
	free(b->people);
	memset(b, 0, sizeof(*b));
}

static int cmp_brief_date(const void *a, const void *b)
{
	const struct brief_date *x = a, *y = b;
	int xa = x->in_days < 0 ? 1 << 30 : x->in_days;
	int ya = y->in_days < 0 ? 1 << 30 : y->in_days;

	return (xa > ya) - (xa < ya);
}

static int brief_dates(struct app_ctx *ctx, struct brief *b,
		       struct kith_err *err)
{
	struct kdate *d = NULL;
	size_t n = 0;
	int rc;

	rc = store_date_list(&d, &n, ctx->st, ctx->ws, b->contact.id, err);
	if (rc)
		return rc;
	b->dates = calloc(n ? n : 1, sizeof(*b->dates));
	if (!b->dates) {
		store_dates_free(d, n);
		return kith_err_nomem(err);
	}
	for (size_t i = 0; i < n; i++) {
		b->dates[i].date = d[i];
		b->dates[i].in_days =
			agenda_days_until(&d[i], ctx->today, &b->dates[i].years);
	}
	b->n_dates = n;
	free(d);		/* the strings moved into b->dates */
	qsort(b->dates, n, sizeof(*b->dates), cmp_brief_date);
	return KITH_OK;
}

/* Their local time and whether the workspace's hours hold there now. */
static void brief_clock(struct app_ctx *ctx, struct brief *b)
{
	struct workspace w = { 0 };
	const char *tz = b->contact.tz;
	struct tm tm;
	int mins;

	if (store_workspace_get(&w, ctx->st, ctx->ws, NULL))
		return;
	if (!tz || !*tz)
		tz = w.tz && *w.tz ? w.tz : NULL;
	/* No zone for them nor the workspace: their clock is unknown. The
	 * server's clock (where kith happens to run) was shown before, and
	 * read as theirs; say nothing rather than something wrong. */
	snprintf(b->zone, sizeof(b->zone), "%s", tz ? tz : "");
	if (tz && !kith_time_local(&tm, ctx->now, tz)) {
		strftime(b->local_time, sizeof(b->local_time), "%a %H:%M",
			 &tm);
		mins = tm.tm_hour * 60 + tm.tm_min;
		b->working_hours = tm.tm_wday >= 1 && tm.tm_wday <= 5 &&
				   mins >= w.work_start_min &&
				   mins < w.work_end_min;
	}
	workspace_clear(&w);
}

/* Names of the people they were seen with: who to ask after. */
static int brief_people(struct app_ctx *ctx, struct brief *b,
			struct kith_err *err)
{
	for (size_t i = 0; i < b->n_recent; i++) {
		for (size_t k = 0; k < b->recent[i].n_contacts; k++) {
			int64_t other = b->recent[i].contacts[k];
			struct contact c;
			char **v;
			bool dup = false;

			if (other == b->contact.id)
				continue;
			if (store_contact_get(&c, ctx->st, ctx->ws, other, err))
				return err ? err->status : KITH_EIO;
			for (size_t j = 0; j < b->n_people; j++)
				dup = dup || !strcmp(b->people[j], c.name);
			if (!dup) {
				v = realloc(b->people, (b->n_people + 1) *
							       sizeof(*v));
				if (!v) {
					contact_clear(&c);
					return kith_err_nomem(err);
				}
				b->people = v;
				v[b->n_people++] = c.name;
				c.name = NULL;
			}
			contact_clear(&c);
		}
	}
	return KITH_OK;
}

int app_brief(struct brief *out, struct app_ctx *ctx, int64_t id,
	      struct kith_err *err)
{
	struct promise *p = NULL;
	size_t np = 0;
	int64_t ltv = 0;
	kith_time last_gift = KITH_NO_TIME;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_contact_get(&out->contact, ctx->st, ctx->ws, id, err);
	if (rc)
		return rc;
	rc = store_fact_list(&out->facts, &out->n_facts, ctx->st, ctx->ws, id,
			     err);
	if (!rc)
		rc = brief_dates(ctx, out, err);
	if (!rc)
		rc = store_touch_list(&out->recent, &out->n_recent, ctx->st,
				      ctx->ws, id, 5, err);
	if (!rc)
		rc = store_promise_list(&p, &np, ctx->st, ctx->ws, id, false,
					err);
	if (rc)
		goto fail;
	out->promises = p;
	out->n_promises = np;
	rc = store_gift_list(&out->gifts, &out->n_gifts, ctx->st, ctx->ws, id,
			     err);
	if (!rc)
		rc = health_of(&out->health, &out->balance,
			       out->last_by_channel, ctx, &out->contact, err);
	if (!rc)
		rc = store_revenue_total(&ltv, ctx->st, ctx->ws, id, err);
	if (!rc)
		rc = brief_people(ctx, out, err);
	if (rc)
		goto fail;
	for (size_t i = 0; i < out->n_gifts; i++)
		if (out->gifts[i].at > last_gift)
			last_gift = out->gifts[i].at;
	score_loyalty(&out->loyalty, out->contact.since, ltv, last_gift,
		      ctx->today, ctx->now);
	brief_clock(ctx, out);
	return KITH_OK;
fail:
	brief_clear(out);
	return rc;
}

void report_clear(struct report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_users; i++)
		free(r->users[i].email);
	free(r->users);
	for (size_t i = 0; i < r->n_people; i++)
		free(r->people[i].name);
	free(r->people);
	memset(r, 0, sizeof(*r));
}

/* Touches arrive grouped by contact; score each group when it ends. */
struct report_walk {
	struct app_ctx *ctx;
	struct report *r;
	struct contact *contacts;
	size_t n;
	size_t cur;		/* index of the contact being gathered */
	struct score_touch *buf;
	size_t nbuf, capbuf;
	struct promise *promises;
	size_t np;
	/* Promises grouped by contact: those of contacts[i] are
	 * promises[porder[pstart[i]] .. porder[pstart[i + 1] - 1]], in list
	 * order, so a flush reads its own and not all of them. */
	size_t *porder;
	size_t *pstart;
	kith_time month_start[13];
};

static size_t find_contact(const struct report_walk *w, int64_t id)
{
	size_t lo = 0, hi = w->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (w->contacts[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The index of contact `id` in the walk, or w->n when it is not there. */
static size_t find_contact_exact(const struct report_walk *w, int64_t id)
{
	size_t i = find_contact(w, id);

	return i < w->n && w->contacts[i].id == id ? i : w->n;
}

/* A stable counting sort of the promises by contact: O(contacts +
 * promises log contacts) where a scan per contact was O(contacts x
 * promises). */
static int walk_group_promises(struct report_walk *w)
{
	size_t *fill;

	w->pstart = calloc(w->n + 2, sizeof(*w->pstart));
	w->porder = calloc(w->np ? w->np : 1, sizeof(*w->porder));
	fill = calloc(w->n + 1, sizeof(*fill));
	if (!w->pstart || !w->porder || !fill) {
		free(fill);
		return KITH_ENOMEM;
	}
	for (size_t i = 0; i < w->np; i++)
		w->pstart[find_contact_exact(w, w->promises[i].contact_id) +
			  1]++;
	for (size_t i = 0; i <= w->n; i++)
		w->pstart[i + 1] += w->pstart[i];
	for (size_t i = 0; i < w->np; i++) {
		size_t c = find_contact_exact(w, w->promises[i].contact_id);

		w->porder[w->pstart[c] + fill[c]++] = i;
	}
	free(fill);
	return KITH_OK;
}

static void walk_flush(struct report_walk *w)
{
	struct report_contact *rc;
	struct score_promise sp[64];
	size_t nsp = 0;

	if (w->cur >= w->n)
		return;
	rc = &w->r->people[w->cur];
	for (size_t k = w->pstart[w->cur];
	     k < w->pstart[w->cur + 1] && nsp < 64; k++) {
		const struct promise *pr = &w->promises[w->porder[k]];

		sp[nsp].due = pr->due;
		sp[nsp].done_at = pr->done_at;
		nsp++;
	}
	score_health(&rc->health, w->buf, w->nbuf, sp, nsp,
		     w->contacts[w->cur].eff_every, w->ctx->now);
	memset(&rc->balance, 0, sizeof(rc->balance));
	for (size_t i = 0; i < w->nbuf; i++)
		score_balance_add(&rc->balance, &w->buf[i], w->ctx->now);
	score_balance_finish(&rc->balance);
	w->nbuf = 0;
}

static int walk_touch(void *p, int64_t contact_id, const struct score_touch *t)
{
	struct report_walk *w = p;
	size_t idx = find_contact(w, contact_id);

	if (idx != w->cur) {
		walk_flush(w);
		w->cur = idx;
	}
	if (w->nbuf == w->capbuf) {
		size_t cap = w->capbuf ? w->capbuf * 2 : 64;
		struct score_touch *v = realloc(w->buf, cap * sizeof(*v));

		if (!v)
			return KITH_ENOMEM;
		w->buf = v;
		w->capbuf = cap;
	}
	w->buf[w->nbuf++] = *t;
	return KITH_OK;
}

/* Workspace totals count a touch once, however many took part. */
static int walk_mix(void *p, int64_t contact_id, const struct score_touch *t)
{
	struct report_walk *w = p;

	(void)contact_id;
	score_balance_add(&w->r->balance, t, w->ctx->now);
	for (int m = 0; m < 12; m++)
		if (t->at >= w->month_start[m] && t->at < w->month_start[m + 1])
			w->r->by_month[m][t->channel]++;
	return KITH_OK;
}

struct user_walk {
	struct report *r;
	kith_time now;
};

static int walk_user(void *p, int64_t user_id, const struct score_touch *t)
{
	struct user_walk *w = p;

	for (size_t i = 0; i < w->r->n_users; i++)
		if (w->r->users[i].user_id == user_id)
			score_balance_add(&w->r->users[i].balance, t, w->now);
	return KITH_OK;
}

/* The human-touch balance of each member, from the touches they were in. */
static int report_users(struct report *out, struct app_ctx *ctx,
			struct kith_err *err)
{
	struct user_walk w = { out, ctx->now };
	struct user *u = NULL;
	size_t n = 0;
	int rc = store_user_list(&u, &n, ctx->st, ctx->ws, err);

	if (rc)
		return rc;
	out->users = calloc(n ? n : 1, sizeof(*out->users));
	if (!out->users) {
		store_users_free(u, n);
		return kith_err_nomem(err);
	}
	for (size_t i = 0; i < n; i++) {
		out->users[i].user_id = u[i].id;
		out->users[i].email = u[i].email;
		u[i].email = NULL;
	}
	out->n_users = n;
	store_users_free(u, n);
	rc = store_touch_each_user(ctx->st, ctx->ws, walk_user, &w, err);
	for (size_t i = 0; i < out->n_users; i++)
		score_balance_finish(&out->users[i].balance);
	return rc;
}

int app_report(struct report *out, struct app_ctx *ctx, struct kith_err *err)
{
	struct contact_filter f = { 0 };
	struct report_walk w = { 0 };
	struct gift *g = NULL;
	struct revenue *rv = NULL;
	kith_time *last_gift = NULL;
	int64_t *ltv = NULL;
	size_t ng = 0, nrv = 0;
	double sum = 0.0;
	int y, m, d, rc;

	memset(out, 0, sizeof(*out));
	w.ctx = ctx;
	w.r = out;
	rc = store_contact_list(&w.contacts, &w.n, ctx->st, ctx->ws, &f, err);
	if (!rc)
		rc = store_promise_list(&w.promises, &w.np, ctx->st, ctx->ws, 0,
					true, err);
	if (!rc)
		rc = store_gift_list(&g, &ng, ctx->st, ctx->ws, 0, err);
	if (!rc)
		rc = store_revenue_list(&rv, &nrv, ctx->st, ctx->ws, 0, err);
	if (rc)
		goto done;
	out->people = calloc(w.n ? w.n : 1, sizeof(*out->people));
	last_gift = malloc((w.n + 1) * sizeof(*last_gift));
	ltv = calloc(w.n + 1, sizeof(*ltv));
	if (!out->people || !last_gift || !ltv ||
	    walk_group_promises(&w)) {
		rc = kith_err_nomem(err);
		goto done;
	}
	/* One pass over gifts and revenue each, not one per contact; the
	 * extra slot w.n gathers rows of no listed contact. */
	for (size_t i = 0; i <= w.n; i++)
		last_gift[i] = KITH_NO_TIME;
	for (size_t k = 0; k < ng; k++) {
		size_t c = find_contact_exact(&w, g[k].contact_id);

		if (g[k].at > last_gift[c])
			last_gift[c] = g[k].at;
	}
	for (size_t k = 0; k < nrv; k++)
		ltv[find_contact_exact(&w, rv[k].contact_id)] +=
			rv[k].amount_cents;
	out->n_people = w.n;
	out->contacts = (int)w.n;
	kith_civil_from_days(ctx->today, &y, &m, &d);
	for (int i = 0; i <= 12; i++) {
		int idx = y * 12 + (m - 1) - 11 + i;

		w.month_start[i] =
			(kith_time)kith_days_from_civil(idx / 12, idx % 12 + 1,
							1) *
			KITH_DAY;
		if (i < 12) {
			out->month_year[i] = idx / 12;
			out->month_num[i] = idx % 12 + 1;
		}
	}
	for (size_t i = 0; i < w.n; i++) {
		out->people[i].id = w.contacts[i].id;
		out->people[i].name = w.contacts[i].name;
		w.contacts[i].name = NULL;
		out->people[i].tier = w.contacts[i].tier;
	}
	/* Contacts with no touches still get a (zero) health. */
	for (size_t i = 0; i < w.n; i++) {
		w.cur = i;
		walk_flush(&w);
	}
	w.cur = w.n;
	rc = store_touch_each(ctx->st, ctx->ws, true, walk_touch, &w, err);
	if (!rc)
		rc = store_touch_each(ctx->st, ctx->ws, false, walk_mix, &w,
				      err);
	if (rc) {
		if (rc == KITH_ENOMEM)
			kith_err_nomem(err);
		goto done;
	}
	walk_flush(&w);
	score_balance_finish(&out->balance);
	rc = report_users(out, ctx, err);
	if (rc)
		goto done;
	for (size_t i = 0; i < w.n; i++) {
		struct report_contact *p = &out->people[i];
		int b;

		score_loyalty(&p->loyalty, w.contacts[i].since, ltv[i],
			      last_gift[i], ctx->today, ctx->now);
		b = p->health.score >= 100 ? 4 : p->health.score / 20;
		out->health_buckets[b]++;
		sum += p->health.score;
	}
	out->health_mean = w.n ? sum / (double)w.n : 0.0;
done:
	free(w.buf);
	free(w.porder);
	free(w.pstart);
	free(last_gift);
	free(ltv);
	store_contacts_free(w.contacts, w.n);
	store_promises_free(w.promises, w.np);
	store_gifts_free(g, ng);
	store_revenues_free(rv, nrv);
	if (rc)
		report_clear(out);
	return rc;
}
