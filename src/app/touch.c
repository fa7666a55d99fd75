/* touch.c: the rules of logging a touch and of the facts, dates,
 * promises, gifts, revenue and cadence rules around it, shared by every
 * front end. */
#include "touch.h"
#include "../input/book_json.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct slot {
	int64_t id;
	size_t at;
};

static int cmp_slot(const void *x, const void *y)
{
	const struct slot *a = x, *b = y;

	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return (a->at > b->at) - (a->at < b->at);
}

/* The first index i whose contact appears before i, or n: sort (id,
 * index) pairs, and each run of one id has its second naming second. */
static int first_repeat(const int64_t *ids, size_t n, size_t *out)
{
	struct slot *s;

	*out = n;
	if (n < 2)
		return KITH_OK;
	s = malloc(n * sizeof(*s));
	if (!s)
		return KITH_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		s[i].id = ids[i];
		s[i].at = i;
	}
	qsort(s, n, sizeof(*s), cmp_slot);
	for (size_t i = 1; i < n; i++)
		if (s[i].id == s[i - 1].id && s[i].at < *out)
			*out = s[i].at;
	free(s);
	return KITH_OK;
}

static enum direction default_direction(enum channel ch)
{
	/* A conversation goes both ways; a letter or an email is sent. */
	return ch == CH_IN_PERSON || ch == CH_VIDEO || ch == CH_CALL
		       ? DIR_MUTUAL
		       : DIR_OUT;
}

static int check_touch(size_t *which, const struct touchpoint *t,
		       struct kith_err *err)
{
	size_t dup;

	if (!t->n_contacts)
		return kith_err_set(err, KITH_EINPUT, "contacts",
				    "name at least one contact");
	if (t->n_contacts > APP_TOUCH_MAX_CONTACTS)
		return kith_err_set(err, KITH_EINPUT, "contacts",
				    "%zu contacts named; a touch takes at "
				    "most %d",
				    t->n_contacts, APP_TOUCH_MAX_CONTACTS);
	if (first_repeat(t->contacts, t->n_contacts, &dup))
		return kith_err_nomem(err);
	if (dup < t->n_contacts) {
		*which = dup;
		return kith_err_set(err, KITH_EINPUT, "contacts",
				    "contact %lld named twice",
				    (long long)t->contacts[dup]);
	}
	if ((unsigned)t->channel >= CH_COUNT)
		return kith_err_set(err, KITH_EINPUT, "channel",
				    "unknown channel (one of in_person, "
				    "video, call, letter, gift, text, email, "
				    "social)");
	if ((unsigned)t->direction > APP_DIR_DEFAULT)
		return kith_err_set(err, KITH_EINPUT, "direction",
				    "unknown direction (one of out, in, "
				    "mutual)");
	if (t->minutes < 0 || t->minutes > 100000)
		return kith_err_set(err, KITH_EINPUT, "minutes",
				    "expected 0 to 100000 minutes");
	return KITH_OK;
}

int app_touch_log(size_t *which, struct app_ctx *ctx, struct touchpoint *t,
		  int64_t by_user, struct kith_err *err)
{
	size_t none;
	int rc;

	if (!which)
		which = &none;
	*which = t->n_contacts;
	rc = check_touch(which, t, err);
	if (rc)
		return rc;
	if (t->direction == APP_DIR_DEFAULT)
		t->direction = default_direction(t->channel);
	if (t->at == KITH_NO_TIME)
		t->at = ctx->now;
	if (!t->created_at)
		t->created_at = ctx->now;
	if (!t->source) {
		t->source = strdup("manual");
		if (!t->source)
			return kith_err_nomem(err);
	}
	if (!t->n_users && by_user) {
		/* The one who logs it took part, unless told otherwise. */
		t->users = malloc(sizeof(*t->users));
		if (!t->users)
			return kith_err_nomem(err);
		t->users[0] = by_user;
		t->n_users = 1;
	}
	return store_touch_add(ctx->st, ctx->ws, t, err);
}

int app_fact_add(struct app_ctx *ctx, struct fact *f, struct kith_err *err)
{
	if (!f->text || !*f->text)
		return kith_err_set(err, KITH_EINPUT, "text",
				    "what should kith remember?");
	if (!f->created_at)
		f->created_at = ctx->now;
	return store_fact_add(ctx->st, ctx->ws, f, err);
}

int app_date_add(struct app_ctx *ctx, struct kdate *d, const char *text,
		 struct kith_err *err)
{
	int rc;

	if (!d->kind || !*d->kind)
		return kith_err_set(err, KITH_EINPUT, "kind",
				    "name the date (birthday, "
				    "anniversary...)");
	if (text) {
		rc = book_parse_kdate(d, text, "date", err);
		if (rc)
			return rc;
	}
	if (!d->yearly && !d->year_known)
		return kith_err_set(err, KITH_EINPUT, "date",
				    "a one-off date needs its year");
	if (!d->created_at)
		d->created_at = ctx->now;
	return store_date_add(ctx->st, ctx->ws, d, err);
}

int app_promise_add(struct app_ctx *ctx, struct promise *p,
		    struct kith_err *err)
{
	if (!p->text || !*p->text)
		return kith_err_set(err, KITH_EINPUT, "text",
				    "what did you promise?");
	if (!p->created_at)
		p->created_at = ctx->now;
	return store_promise_add(ctx->st, ctx->ws, p, err);
}

int app_promise_done(struct promise *out, struct app_ctx *ctx, int64_t id,
		     struct kith_err *err)
{
	int rc;

	rc = store_promise_get(out, ctx->st, ctx->ws, id, err);
	if (rc)
		return rc;
	if (out->done_at != KITH_NO_TIME)
		return kith_err_set(err, KITH_ECONFLICT, "id",
				    "promise %lld was already kept",
				    (long long)id);
	rc = store_promise_done(ctx->st, ctx->ws, id, ctx->now, err);
	if (rc) {
		promise_clear(out);
		memset(out, 0, sizeof(*out));
		return rc;
	}
	out->done_at = ctx->now;
	return KITH_OK;
}

int app_gift_add(struct app_ctx *ctx, struct gift *g, struct kith_err *err)
{
	if (!g->text || !*g->text)
		return kith_err_set(err, KITH_EINPUT, "text",
				    "what was the gift?");
	if (g->value_cents < 0)
		return kith_err_set(err, KITH_EINPUT, "value",
				    "a gift's value is not negative");
	if (g->at == KITH_NO_TIME)
		g->at = ctx->now;
	return store_gift_add(ctx->st, ctx->ws, g, err);
}

int app_revenue_add(struct app_ctx *ctx, struct revenue *r,
		    struct kith_err *err)
{
	if (r->amount_cents < 0)
		return kith_err_set(err, KITH_EINPUT, "amount",
				    "revenue is not negative");
	if (r->at == KITH_NO_TIME)
		r->at = ctx->now;
	return store_revenue_add(ctx->st, ctx->ws, r, err);
}

static int check_cadence(const struct cadence *c, const char *field,
			 struct kith_err *err)
{
	if (c && (c->days < 0 || c->months < 0 || c->days > 36500 * 7 ||
		  c->months > 1200 || (c->days && c->months)))
		return kith_err_set(err, KITH_EINPUT, field,
				    "expected a cadence like 30, 30d, 6w, 3m "
				    "or 1y");
	return KITH_OK;
}

int app_cadence_set(struct cadence_rule *out, struct app_ctx *ctx,
		    enum cadence_scope scope, const char *key,
		    const struct cadence *every, const struct cadence *meet,
		    struct kith_err *err)
{
	struct cadence_rule r = { 0 }, *rules = NULL;
	size_t n = 0;
	enum tier tier;
	int rc;

	if ((unsigned)scope >= CADENCE_COUNT ||
	    (scope == CADENCE_TAG && (!key || !*key)))
		return kith_err_set(err, KITH_EINPUT, "scope",
				    "expected tag (with a key), tier or "
				    "default");
	r.scope = scope;
	r.key = (char *)(scope == CADENCE_TAG ? key : "");
	if (scope == CADENCE_TIER) {
		rc = tier_parse(&tier, key ? key : "", "key", err);
		if (!rc && tier == TIER_NONE)
			rc = kith_err_set(err, KITH_EINPUT, "key",
					  "expected A, B or C");
		if (rc)
			return rc;
		r.key = (char *)tier_name(tier);
	}
	if (!every && !meet)
		return kith_err_set(err, KITH_EINPUT, "every",
				    "say how often: every and/or meet_every");
	rc = check_cadence(every, "every", err);
	if (!rc)
		rc = check_cadence(meet, "meet_every", err);
	if (rc)
		return rc;
	/* Keep the half that was not given. */
	if (!every || !meet) {
		rc = store_cadence_list(&rules, &n, ctx->st, ctx->ws, err);
		for (size_t i = 0; !rc && i < n; i++) {
			if (rules[i].scope == r.scope &&
			    !strcasecmp(rules[i].key, r.key)) {
				r.every = rules[i].every;
				r.meet = rules[i].meet;
			}
		}
		store_cadences_free(rules, n);
		if (rc)
			return rc;
	}
	if (every)
		r.every = *every;
	if (meet)
		r.meet = *meet;
	rc = store_cadence_set(ctx->st, ctx->ws, &r, ctx->now, err);
	if (rc || !out)
		return rc;
	*out = r;
	out->key = strdup(r.key);
	return out->key ? KITH_OK : kith_err_nomem(err);
}
