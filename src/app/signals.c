/* signals.c: ingest, focus, digests and the outbox, over the store. */
#include "signals.h"
#include "agenda_query.h"
#include "contact.h"
#include "notify.h"
#include "respond.h"
#include "../render/json.h"
#include "../secret.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int push_id(int64_t **v, size_t *n, int64_t id)
{
	int64_t *g = realloc(*v, (*n + 1) * sizeof(**v));

	if (!g)
		return -1;
	*v = g;
	g[(*n)++] = id;
	return 0;
}

static int push_user(struct user_key **v, size_t *n, const struct user *u)
{
	struct user_key *g = realloc(*v, (*n + 1) * sizeof(**v));

	if (!g)
		return -1;
	*v = g;
	g[(*n)++] = (struct user_key){ u->workspace_id, u->id };
	return 0;
}

int app_user_focus(bool *focused, kith_time *until, struct app_ctx *ctx,
		   const struct user *u, struct kith_err *err)
{
	kith_time meeting = KITH_NO_TIME;
	int rc;

	*until = KITH_NO_TIME;
	if (u->focus_until != KITH_NO_TIME && u->focus_until > ctx->now)
		*until = u->focus_until;
	rc = store_user_in_meeting(&meeting, ctx->st, u->workspace_id,
				   u->id, ctx->now, err);
	if (rc)
		return rc;
	if (meeting != KITH_NO_TIME && meeting > *until)
		*until = meeting;
	*focused = *until != KITH_NO_TIME;
	return KITH_OK;
}

int app_notify_user(struct app_ctx *ctx, int64_t user_id, const char *kind,
		    const char *text, struct kith_err *err)
{
	struct notify_target *t = NULL;
	size_t n = 0;
	int rc;

	rc = store_notify_list(&t, &n, ctx->st, ctx->ws, user_id, err);
	for (size_t i = 0; !rc && i < n; i++) {
		char *body = NULL;

		rc = notify_body(&body, t[i].json, kind, text, err);
		if (!rc)
			rc = store_outbox_add(ctx->st, ctx->ws, t[i].id, body,
					      ctx->now, err);
		free(body);
	}
	store_notify_free(t, n);
	return rc;
}

static void signal_line(char *buf, size_t n, const struct signal *g,
			kith_time now)
{
	char what[200];
	const char *who = g->contact_name ? g->contact_name
			  : g->name	   ? g->name
			  : g->email	   ? g->email
			  : g->handle	   ? g->handle
					   : "someone new";
	const char *path = g->url ? strstr(g->url, "://") : NULL;
	const char *w = g->url ? g->url : g->text;

	if (path && strchr(path + 3, '/'))
		w = strchr(path + 3, '/');
	agenda_signal_words(what, sizeof(what), g->type, w, g->at, now);
	snprintf(buf, n, "%s %s%s", who, what,
		 g->contact_id ? "" : " (a new lead)");
}

/* Drop control characters (C0 but tab and newline in text, DEL, C1) in
 * place: webhook fields come from anyone who has the URL, and end up in
 * terminals, SSE streams and notification bodies (M4, L4, L5). */
static void strip_controls(char *s, bool text)
{
	unsigned char *r = (unsigned char *)s, *w = r;

	if (!s)
		return;
	while (*r) {
		if (r[0] == 0xc2 && r[1] >= 0x80 && r[1] <= 0x9f) {
			r += 2;
			continue;
		}
		if ((*r < 0x20 && !(text && (*r == '\n' || *r == '\t'))) ||
		    *r == 0x7f) {
			r++;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

int app_signal_ingest(bool *dup, int64_t **woken, size_t *n_woken,
		      struct app_ctx *ctx, struct signal *sg,
		      struct kith_err *err)
{
	struct user *users = NULL;
	size_t nu = 0;
	struct signal full = { 0 };
	json_t *data = NULL;
	char *text = NULL, line[400];
	int64_t owner = 0;
	int rc;

	*woken = NULL;
	*n_woken = 0;
	strip_controls(sg->ext_id, false);
	strip_controls(sg->email, false);
	strip_controls(sg->name, false);
	strip_controls(sg->handle, false);
	strip_controls(sg->url, false);
	strip_controls(sg->text, true);
	if (!sg->contact_id) {
		rc = store_signal_match(&sg->contact_id, ctx->st, ctx->ws,
					sg->email, sg->handle, err);
		if (rc)
			return rc;
	}
	rc = store_signal_add(dup, ctx->st, ctx->ws, sg, err);
	if (rc || *dup)
		return rc;
	rc = store_signal_get(&full, ctx->st, ctx->ws, sg->id, err);
	if (rc)
		return rc;
	owner = full.owner_id;
	data = kj_signal(&full, -1);
	text = json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER);
	signal_line(line, sizeof(line), &full, ctx->now);
	rc = store_user_list(&users, &nu, ctx->st, ctx->ws, err);
	for (size_t i = 0; !rc && i < nu; i++) {
		bool focused;
		kith_time until;

		/* The owner answers; without one, everyone may. */
		if (owner && users[i].id != owner)
			continue;
		rc = app_user_focus(&focused, &until, ctx, &users[i], err);
		if (!rc)
			rc = store_alert_add(NULL, ctx->st, ctx->ws,
					     users[i].id, "signal", sg->id,
					     text, focused, ctx->now, err);
		if (!rc && !focused) {
			rc = app_notify_user(ctx, users[i].id, "signal", line,
					     err);
			if (!rc && push_id(woken, n_woken, users[i].id))
				rc = kith_err_nomem(err);
		}
	}
	store_users_free(users, nu);
	json_decref(data);
	free(text);
	signal_clear(&full);
	return rc;
}

void app_signal_hours(struct workhours *wh, char *tzbuf, size_t n,
		      struct app_ctx *ctx, int64_t owner)
{
	struct workspace w = { 0 };
	struct user u = { 0 };

	wh->tz = NULL;
	wh->start_min = 540;
	wh->end_min = 1080;
	if (!store_workspace_get(&w, ctx->st, ctx->ws, NULL)) {
		wh->start_min = w.work_start_min;
		wh->end_min = w.work_end_min;
		if (w.tz && *w.tz) {
			snprintf(tzbuf, n, "%s", w.tz);
			wh->tz = tzbuf;
		}
		workspace_clear(&w);
	}
	if (owner && !store_user_get(&u, ctx->st, ctx->ws, owner, NULL)) {
		if (u.tz && *u.tz) {
			snprintf(tzbuf, n, "%s", u.tz);
			wh->tz = tzbuf;
		}
		user_clear(&u);
	}
}

double app_signal_response(struct app_ctx *ctx, const struct signal *g)
{
	struct workhours wh;
	char tz[64];

	if (g->answered_at == KITH_NO_TIME)
		return -1;
	app_signal_hours(&wh, tz, sizeof(tz), ctx, g->owner_id);
	return respond_work_minutes(g->at, g->answered_at, &wh);
}

/* Minutes per owner, answered and waiting, gathered before the stats. */
struct minutes {
	int64_t user_id;
	double *answered, *waiting;
	size_t na, nw;
};

static int add_minute(double **v, size_t *n, double x)
{
	double *g = realloc(*v, (*n + 1) * sizeof(**v));

	if (!g)
		return -1;
	*v = g;
	g[(*n)++] = x;
	return 0;
}

/* A signal's working minutes: to its answer, or so far while it waits. */
static double signal_minutes(struct app_ctx *ctx, const struct signal *g)
{
	struct workhours wh;
	char tz[64];

	if (g->answered_at != KITH_NO_TIME)
		return app_signal_response(ctx, g);
	app_signal_hours(&wh, tz, sizeof(tz), ctx, g->owner_id);
	return respond_work_minutes(g->at, ctx->now, &wh);
}

static int add_to(struct minutes *m, const struct signal *g, double mins)
{
	return g->answered_at == KITH_NO_TIME
		       ? add_minute(&m->waiting, &m->nw, mins)
		       : add_minute(&m->answered, &m->na, mins);
}

static void minutes_free(struct minutes *m)
{
	free(m->answered);
	free(m->waiting);
}

int app_signal_stats(struct signal_user_stats **per, size_t *n,
		     struct respond_stats *all, int *target,
		     struct app_ctx *ctx, struct kith_err *err)
{
	return app_signal_report(per, n, all, target, NULL, ctx, err);
}

int app_signal_report(struct signal_user_stats **per, size_t *n,
		      struct respond_stats *all, int *target,
		      struct signal_week *weeks, struct app_ctx *ctx,
		      struct kith_err *err)
{
	struct signal *g = NULL;
	struct minutes *m = NULL, total = { 0 }, wm[SIGNAL_WEEKS];
	struct workspace w = { 0 };
	size_t ng = 0, nm = 0;
	int64_t day = ctx->now / KITH_DAY;
	/* 1970-01-01 was a Thursday: the Monday on or before day. */
	int64_t monday = day - ((day + 3) % 7);
	kith_time first = (monday - 7 * (SIGNAL_WEEKS - 1)) * KITH_DAY;
	int rc;

	*per = NULL;
	*n = 0;
	memset(wm, 0, sizeof(wm));
	rc = store_workspace_get(&w, ctx->st, ctx->ws, err);
	if (rc)
		return rc;
	*target = w.response_target_min;
	workspace_clear(&w);
	/* One pass over the signals feeds the owners, the total and the
	 * weeks alike. */
	rc = store_signal_list(&g, &ng, ctx->st, ctx->ws, false, 0, 0, err);
	for (size_t i = 0; !rc && i < ng; i++) {
		struct minutes *slot = NULL;
		double mins = signal_minutes(ctx, &g[i]);

		for (size_t k = 0; k < nm; k++)
			if (m[k].user_id == g[i].owner_id)
				slot = &m[k];
		if (!slot) {
			struct minutes *v = realloc(m, (nm + 1) * sizeof(*m));

			if (!v) {
				rc = kith_err_nomem(err);
				break;
			}
			m = v;
			slot = &m[nm++];
			memset(slot, 0, sizeof(*slot));
			slot->user_id = g[i].owner_id;
		}
		if (add_to(slot, &g[i], mins) || add_to(&total, &g[i], mins))
			rc = kith_err_nomem(err);
		if (!rc && weeks && g[i].at >= first) {
			int64_t k = (g[i].at - first) / (7 * KITH_DAY);

			if (k < SIGNAL_WEEKS && add_to(&wm[k], &g[i], mins))
				rc = kith_err_nomem(err);
		}
	}
	if (!rc) {
		*per = calloc(nm ? nm : 1, sizeof(**per));
		if (!*per)
			rc = kith_err_nomem(err);
	}
	for (size_t k = 0; !rc && k < nm; k++) {
		(*per)[k].user_id = m[k].user_id;
		respond_stats(&(*per)[k].s, m[k].answered, m[k].na,
			      m[k].waiting, m[k].nw, *target);
	}
	if (!rc) {
		*n = nm;
		respond_stats(all, total.answered, total.na, total.waiting,
			      total.nw, *target);
	}
	for (int k = 0; !rc && weeks && k < SIGNAL_WEEKS; k++) {
		weeks[k].start = first + (kith_time)k * 7 * KITH_DAY;
		respond_stats(&weeks[k].s, wm[k].answered, wm[k].na,
			      wm[k].waiting, wm[k].nw, *target);
	}
	for (size_t k = 0; k < nm; k++)
		minutes_free(&m[k]);
	for (int k = 0; k < SIGNAL_WEEKS; k++)
		minutes_free(&wm[k]);
	free(m);
	minutes_free(&total);
	store_signals_free(g, ng);
	return rc;
}

int app_hook_secret_find(char **secret, struct app_ctx *ctx,
			 struct kith_err *err)
{
	return store_hook_get(secret, ctx->st, ctx->ws, err);
}

int app_hook_secret(char **secret, struct app_ctx *ctx, bool rotate,
		    struct kith_err *err)
{
	char token[SECRET_TOKEN_MAX], hash[SECRET_TOKEN_HASH_MAX];
	int rc;

	rc = store_hook_get(secret, ctx->st, ctx->ws, err);
	if (rc || (*secret && !rotate))
		return rc;
	free(*secret);
	*secret = NULL;
	rc = secret_init(err);
	if (rc)
		return rc;
	secret_token_new(token, sizeof(token), SECRET_PREFIX_HOOK);
	secret_token_hash(hash, token);
	rc = store_hook_set(ctx->st, ctx->ws, token, hash, err);
	if (!rc) {
		*secret = strdup(token);
		if (!*secret)
			rc = kith_err_nomem(err);
	}
	return rc;
}

int app_digest_text(char **out, struct app_ctx *ctx, const struct user *u,
		    struct kith_err *err)
{
	struct agenda_list l;
	struct promise *p = NULL;
	size_t np = 0, overdue = 0, dates = 0, off = 0;
	char buf[2048];
	int rc;

	(void)u;
	rc = app_agenda(&l, &ctx[0], 5, err);
	if (rc)
		return rc;
	rc = store_promise_list(&p, &np, ctx->st, ctx->ws, 0, false, err);
	if (rc) {
		agenda_list_free(&l);
		return rc;
	}
	for (size_t i = 0; i < np; i++)
		if (p[i].due != KITH_NO_TIME && p[i].due < ctx->now)
			overdue++;
	for (size_t i = 0; i < l.n; i++)
		for (int r = 0; r < l.items[i].n_reasons; r++)
			if (l.items[i].reasons[r].kind == REASON_DATE_SOON)
				dates++;
	off += (size_t)snprintf(buf, sizeof(buf), "Good morning. ");
	if (!l.n)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					"Nobody is due today.");
	else
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					"Reach today:");
	for (size_t i = 0; i < l.n && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					"%s %s (%s)", i ? ";" : "",
					l.items[i].name,
					l.items[i].n_reasons
						? l.items[i].reasons[0].text
						: "due");
	if (off < sizeof(buf) && (dates || overdue))
		snprintf(buf + off, sizeof(buf) - off,
			 ". %zu date%s coming, %zu promise%s overdue.", dates,
			 dates == 1 ? "" : "s", overdue,
			 overdue == 1 ? "" : "s");
	agenda_list_free(&l);
	store_promises_free(p, np);
	*out = strdup(buf);
	return *out ? KITH_OK : kith_err_nomem(err);
}

/* Focus over: the held alerts become one digest, most urgent first
 * (still waiting before answered, then oldest first). */
static int release_user(bool *released, struct app_ctx *ctx,
			const struct user *u, struct kith_err *err)
{
	struct alert *a = NULL;
	size_t n = 0;
	json_t *sigs = json_array(), *waiting = json_array(), *digest;
	char *data = NULL, text[600];
	bool focused;
	kith_time until;
	int rc;

	*released = false;
	rc = app_user_focus(&focused, &until, ctx, u, err);
	if (rc || focused)
		goto done;
	rc = store_alert_held(&a, &n, ctx->st, u->workspace_id, u->id,
			      err);
	if (rc || !n)
		goto done;
	for (size_t i = 0; i < n; i++) {
		struct signal g;
		json_t *j;

		if (store_signal_get(&g, ctx->st, ctx->ws, a[i].signal_id,
				     NULL))
			continue;
		j = kj_signal(&g, app_signal_response(ctx, &g));
		json_array_append_new(g.answered_at == KITH_NO_TIME ? waiting
								    : sigs,
				      j);
		signal_clear(&g);
	}
	json_array_extend(waiting, sigs);
	digest = json_pack("{s:O}", "signals", waiting);
	data = digest ? json_dumps(digest, JSON_COMPACT | JSON_PRESERVE_ORDER)
		      : NULL;
	json_decref(digest);
	if (!data) {
		rc = kith_err_nomem(err);
		goto done;
	}
	rc = store_alert_add(NULL, ctx->st, ctx->ws, u->id, "digest", 0, data,
			     false, ctx->now, err);
	if (!rc)
		rc = store_alert_release(ctx->st, u->workspace_id, u->id,
					 err);
	snprintf(text, sizeof(text),
		 "While you were focused: %zu signal%s (%zu still waiting).",
		 n, n == 1 ? "" : "s", json_array_size(waiting) - json_array_size(sigs));
	if (!rc)
		rc = app_notify_user(ctx, u->id, "digest", text, err);
	*released = !rc;
done:
	json_decref(sigs);
	json_decref(waiting);
	free(data);
	store_alerts_free(a, n);
	return rc;
}

/* Whether u's working day (their zone, else w's; weekdays, w's hours)
 * has begun at now with no morning digest yet; *day: today in that
 * zone. */
static bool morning_due(int32_t *day, const struct workspace *w,
			const struct user *u, kith_time now)
{
	const char *tz = u->tz && *u->tz ? u->tz : w->tz && *w->tz ? w->tz
								   : NULL;
	struct tm tm;

	if (kith_time_local(&tm, now, tz) || tm.tm_wday == 0 ||
	    tm.tm_wday == 6 ||
	    tm.tm_hour * 60 + tm.tm_min < w->work_start_min ||
	    tm.tm_hour * 60 + tm.tm_min >= w->work_end_min)
		return false;
	*day = kith_time_day(now, tz);
	return u->digest_day == KITH_NO_DAY || u->digest_day < *day;
}

/* At the start of a member's working day, once. */
static int morning_user(struct app_ctx *ctx, const struct user *u,
			struct kith_err *err)
{
	struct workspace w = { 0 };
	int32_t day;
	char *text = NULL;
	int rc;

	rc = store_workspace_get(&w, ctx->st, ctx->ws, err);
	if (rc || !morning_due(&day, &w, u, ctx->now))
		goto done;
	rc = app_digest_text(&text, ctx, u, err);
	if (!rc)
		rc = app_notify_user(ctx, u->id, "morning", text, err);
	if (!rc)
		rc = store_user_digest_day(ctx->st, u->workspace_id, u->id,
					   day, err);
done:
	free(text);
	workspace_clear(&w);
	return rc;
}

static bool has_user(const struct user_key *k, size_t n,
		     const struct user *u)
{
	for (size_t i = 0; i < n; i++)
		if (k[i].workspace_id == u->workspace_id &&
		    k[i].user_id == u->id)
			return true;
	return false;
}

static const struct workspace *workspace_of(const struct workspace *w,
					    size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (w[i].id == id)
			return &w[i];
	return NULL;
}

int app_signals_tick(struct user_key **woken, size_t *n_woken,
		     struct store *st, kith_time now, struct kith_err *err)
{
	struct user *u = NULL;
	struct workspace *ws = NULL;
	struct user_key *held = NULL;
	size_t n = 0, n_ws = 0, n_held = 0;
	int rc;

	*woken = NULL;
	*n_woken = 0;
	/* Three reads decide who has work: held alerts, or a working day
	 * begun with no digest yet. Only they get a write transaction;
	 * a transaction for every member every second took the write
	 * lock (on PostgreSQL, the workspace lock and five round trips)
	 * for nothing. */
	rc = store_users_all(&u, &n, st, err);
	if (!rc)
		rc = store_alert_users_held(&held, &n_held, st, err);
	if (!rc)
		rc = store_workspace_list(&ws, &n_ws, st, err);
	for (size_t i = 0; !rc && i < n; i++) {
		struct app_ctx ctx = { st, u[i].workspace_id, now,
				       kith_time_day(now, NULL) };
		const struct workspace *w = workspace_of(ws, n_ws,
							 u[i].workspace_id);
		bool released = false;
		int32_t day;

		if (!has_user(held, n_held, &u[i]) &&
		    !(w && morning_due(&day, w, &u[i], now)))
			continue;
		/* One transaction per user: one failure stays theirs. */
		rc = store_begin(st, err);
		if (rc)
			break;
		rc = release_user(&released, &ctx, &u[i], err);
		if (!rc)
			rc = morning_user(&ctx, &u[i], err);
		if (rc) {
			store_rollback(st);
			rc = KITH_OK;
			continue;
		}
		rc = store_commit(st, err);
		if (!rc && released && push_user(woken, n_woken, &u[i]))
			rc = kith_err_nomem(err);
	}
	store_users_free(u, n);
	store_workspaces_free(ws, n_ws);
	free(held);
	return rc;
}

int app_signal_attach(struct app_ctx *ctx, int64_t id, struct contact *lead,
		      int64_t *cid, struct kith_err *err)
{
	int rc;

	if (lead) {
		rc = app_contact_add(ctx, lead, err);
		if (rc)
			return rc;
		*cid = lead->id;
	}
	return store_signal_attach(ctx->st, ctx->ws, id, *cid, err);
}
