/* export.c: the book as vCard, CSV and iCalendar, page by page; and
 * the calendar feed's secret. */
#include "export.h"
#include "agenda_query.h"
#include "../render/csv.h"
#include "../render/ics.h"
#include "../render/vcard.h"
#include "../secret.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hand out to the sink once this much is buffered. */
#define EXPORT_FLUSH ((size_t)64 << 10)

static int flush(struct vcard_out *out, export_sink fn, void *sink,
		 bool force, struct kith_err *err)
{
	int rc;

	if (!out->len || (!force && out->len < EXPORT_FLUSH))
		return KITH_OK;
	rc = fn(sink, out->buf, out->len, err);
	out->len = 0;
	if (out->buf)
		out->buf[0] = '\0';
	return rc;
}

int app_vcard_contact(struct vcard_contact *vc, struct contact *c,
		      const struct kdate *d, size_t nd, struct kith_err *err)
{
	vcard_contact_init(vc);
	vc->c = *c;
	contact_init(c);
	if (!nd)
		return KITH_OK;
	vc->dates = calloc(nd, sizeof(*vc->dates));
	if (!vc->dates)
		goto nomem;
	for (size_t i = 0; i < nd; i++) {
		vc->dates[i] = d[i];
		vc->dates[i].kind = d[i].kind ? strdup(d[i].kind) : NULL;
		vc->n_dates = i + 1;
		if (d[i].kind && !vc->dates[i].kind)
			goto nomem;
	}
	return KITH_OK;
nomem:
	vcard_contact_clear(vc);
	return kith_err_nomem(err);
}

/* The zone a feed's days are counted in: the given one, else the
 * workspace's, else NULL ($TZ). Borrowed from tz or w. */
static const char *zone_of(const char *tz, const struct workspace *w)
{
	if (tz && *tz)
		return tz;
	return w->tz && *w->tz ? w->tz : NULL;
}

/* One page of contacts after *after, each with its dates. */
typedef int (*contact_fn)(void *ctx, struct contact *c, struct kdate *d,
			  size_t nd, struct kith_err *err);

static int each_contact(struct app_ctx *ctx, bool with_card, contact_fn fn,
			void *fctx, struct kith_err *err)
{
	struct contact_filter f = { 0 };
	int rc = KITH_OK;

	f.limit = EXPORT_PAGE;
	f.with_card = with_card;
	for (;;) {
		struct contact *c = NULL;
		size_t n = 0;

		struct kdate *d = NULL;
		size_t nd = 0, j = 0;
		int64_t after = f.after_id;

		rc = store_contact_list(&c, &n, ctx->st, ctx->ws, &f, err);
		if (rc || !n)
			break;
		/* before fn: a writer may take the contact over (and its id) */
		f.after_id = c[n - 1].id;
		/* The page is every contact of the workspace in (after,
		 * last]: their dates in one read, by contact. */
		rc = store_date_list_range(&d, &nd, ctx->st, ctx->ws, after,
					   f.after_id, err);
		for (size_t i = 0; !rc && i < n; i++) {
			int64_t id = c[i].id;
			size_t k;

			while (j < nd && d[j].contact_id < id)
				j++;
			for (k = j; k < nd && d[k].contact_id == id; k++)
				;
			rc = fn(fctx, &c[i], k > j ? d + j : NULL, k - j, err);
			j = k;
		}
		store_dates_free(d, nd);
		store_contacts_free(c, n);
		if (rc || n < EXPORT_PAGE)
			break;
	}
	return rc;
}

struct wctx {
	struct vcard_out out;
	enum vcard_version version;
	struct csv_columns cols;
	export_sink fn;
	void *sink;
	const char *domain;
};

static int vcard_one(void *p, struct contact *c, struct kdate *d, size_t nd,
		     struct kith_err *err)
{
	struct wctx *w = p;
	struct vcard_contact vc;
	int64_t id = c->id;
	int rc = app_vcard_contact(&vc, c, d, nd, err);

	if (!rc)
		rc = vcard_write_contact(&w->out, &vc, w->version, err);
	if (rc == KITH_EINPUT)
		/* a corrupt blob: say whose */
		rc = kith_err_set(err, KITH_EINPUT, "card", "contact %lld: %s",
				  (long long)id, err ? err->msg : "");
	vcard_contact_clear(&vc);
	if (!rc)
		rc = flush(&w->out, w->fn, w->sink, false, err);
	return rc;
}

static int csv_fit(void *p, struct contact *c, struct kdate *d, size_t nd,
		   struct kith_err *err)
{
	(void)err;
	csv_columns_fit(&((struct wctx *)p)->cols, c, d, nd);
	return KITH_OK;
}

static int csv_one(void *p, struct contact *c, struct kdate *d, size_t nd,
		   struct kith_err *err)
{
	struct wctx *w = p;
	int rc = csv_write_contact(&w->out, &w->cols, c, d, nd, err);

	if (!rc)
		rc = flush(&w->out, w->fn, w->sink, false, err);
	return rc;
}

static int ics_one(void *p, struct contact *c, struct kdate *d, size_t nd,
		   struct kith_err *err)
{
	struct wctx *w = p;
	int rc = KITH_OK;

	for (size_t i = 0; !rc && i < nd; i++)
		rc = ics_add_date(&w->out, &d[i], c->name, w->domain, err);
	if (!rc)
		rc = flush(&w->out, w->fn, w->sink, false, err);
	return rc;
}

static int ics_rest(struct app_ctx *ctx, const struct export_opts *o,
		    struct wctx *w, const char *tz, struct kith_err *err)
{
	struct promise *p = NULL;
	size_t np = 0;
	int rc;

	rc = store_promise_list(&p, &np, ctx->st, ctx->ws, 0, false, err);
	for (size_t i = 0; !rc && i < np; i++) {
		if (p[i].due == KITH_NO_TIME)
			continue;
		rc = ics_add_promise(&w->out, &p[i],
				     kith_time_day(p[i].due, tz), w->domain,
				     err);
	}
	store_promises_free(p, np);
	if (!rc && o->agenda_user) {
		struct app_ctx day = *ctx;
		struct agenda_list l;

		/* Today is the user's, not the server's. */
		day.today = kith_time_day(ctx->now, tz);
		rc = app_agenda(&l, &day, 0, err);
		if (!rc) {
			/* stamped at the day's start: the feed of a day is
			 * the same bytes until the agenda changes */
			kith_time stamp = ctx->now - ctx->now % KITH_DAY;

			rc = ics_add_agenda(&w->out, l.items, l.n, day.today,
					    o->agenda_user, w->domain, stamp,
					    err);
			agenda_list_free(&l);
		}
	}
	return rc;
}

int app_export(struct app_ctx *ctx, const struct export_opts *o,
	       export_sink fn, void *sink, struct kith_err *err)
{
	struct wctx w = { 0 };
	struct workspace ws = { 0 };
	char domain[64], calname[300];
	const char *tz;
	int rc;

	w.fn = fn;
	w.sink = sink;
	w.version = o->version == VCARD_40 ? VCARD_40 : VCARD_30;
	snprintf(domain, sizeof(domain), "ws%lld.kith", (long long)ctx->ws);
	w.domain = domain;
	switch (o->format) {
	case EXPORT_VCARD:
		rc = each_contact(ctx, true, vcard_one, &w, err);
		break;
	case EXPORT_CSV:
		rc = each_contact(ctx, false, csv_fit, &w, err);
		if (!rc)
			rc = csv_write_header(&w.out, &w.cols, err);
		if (!rc)
			rc = each_contact(ctx, false, csv_one, &w, err);
		break;
	case EXPORT_ICS:
		rc = store_workspace_get(&ws, ctx->st, ctx->ws, err);
		if (rc)
			break;
		tz = zone_of(o->tz, &ws);
		snprintf(calname, sizeof(calname), "kith: %s",
			 ws.name ? ws.name : "");
		rc = ics_begin(&w.out, calname, err);
		if (!rc)
			rc = each_contact(ctx, false, ics_one, &w, err);
		if (!rc)
			rc = ics_rest(ctx, o, &w, tz, err);
		if (!rc)
			rc = ics_end(&w.out, err);
		break;
	default:
		rc = kith_err_set(err, KITH_EINPUT, "format",
				  "unknown export format");
	}
	if (!rc)
		rc = flush(&w.out, fn, sink, true, err);
	vcard_out_free(&w.out);
	workspace_clear(&ws);
	return rc;
}

int app_feed_token_find(char **token, struct app_ctx *ctx, int64_t user_id,
			struct kith_err *err)
{
	*token = NULL;
	return store_feed_get(token, ctx->st, ctx->ws, user_id, err);
}

int app_feed_token(char **token, struct app_ctx *ctx, int64_t user_id,
		   bool rotate, struct kith_err *err)
{
	char t[SECRET_TOKEN_MAX], hash[SECRET_TOKEN_HASH_MAX];
	int rc;

	*token = NULL;
	rc = store_feed_get(token, ctx->st, ctx->ws, user_id, err);
	if (rc || (*token && !rotate))
		return rc;
	free(*token);
	*token = NULL;
	rc = secret_init(err);
	if (rc)
		return rc;
	secret_token_new(t, sizeof(t), SECRET_PREFIX_FEED);
	secret_token_hash(hash, t);
	rc = store_feed_set(ctx->st, ctx->ws, user_id, t, hash, err);
	if (!rc) {
		*token = strdup(t);
		if (!*token)
			rc = kith_err_nomem(err);
	}
	return rc;
}

char *app_feed_url(const char *base, const char *token)
{
	size_t bl = strlen(base), n;
	char *s;

	while (bl && base[bl - 1] == '/')
		bl--;
	n = bl + strlen(token) + 16;
	s = malloc(n);
	if (s)
		snprintf(s, n, "%.*s/feeds/%s.ics", (int)bl, base, token);
	return s;
}
