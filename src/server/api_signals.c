/* api_signals.c: the webhook, signals, live events, focus, notification
 * targets, meetings and the server's ticker. */
#include "api.h"
#include "../app/notify.h"
#include "../secret.h"
#include "../app/meetings.h"
#include "../app/signals.h"
#include "../render/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define HOOK_PATH "/hooks/"
#define NOTIFY_TARGETS_MAX 10	/* per user (M1, M2) */

#include <pthread.h>

/* ---- limits: webhook deliveries per workspace, /notify/test per user ----
 * A token bucket (burst, then rate per minute) and a count per UTC day,
 * in a fixed table keyed by workspace or user id; a slot taken by another
 * key starts afresh, which can only forgive, never block, an innocent. */

#define LIMIT_SLOTS 1024

struct bucket {
	int64_t key;
	double tokens;
	kith_time last;
	int64_t day;
	long used;
};

struct limiter {
	pthread_mutex_t lock;
	long per_min, per_day;	/* 0: no limit */
	struct bucket b[LIMIT_SLOTS];
};

static struct limiter hook_limit = { PTHREAD_MUTEX_INITIALIZER, 600, 20000,
				     { { 0 } } };
static struct limiter test_limit = { PTHREAD_MUTEX_INITIALIZER, 3, 50,
				     { { 0 } } };

void api_signals_limits(long hook_per_min, long hook_per_day)
{
	hook_limit.per_min = hook_per_min;
	hook_limit.per_day = hook_per_day;
}

/* May key go at now? 0 if so (and counted), else seconds to wait. */
static int limiter_take(struct limiter *l, int64_t key, kith_time now)
{
	struct bucket *b = &l->b[(uint64_t)key % LIMIT_SLOTS];
	int wait = 0;

	pthread_mutex_lock(&l->lock);
	if (b->key != key || b->day != now / KITH_DAY) {
		if (b->key != key)
			b->tokens = (double)l->per_min;
		b->key = key;
		b->last = now;
		b->day = now / KITH_DAY;
		b->used = 0;
	}
	if (l->per_min) {
		b->tokens += (double)(now - b->last) * (double)l->per_min / 60;
		if (b->tokens > (double)l->per_min)
			b->tokens = (double)l->per_min;
	}
	b->last = now;
	if (l->per_day && b->used >= l->per_day)
		wait = (int)((b->day + 1) * KITH_DAY - now);
	else if (l->per_min && b->tokens < 1)
		wait = (int)((1 - b->tokens) * 60 / (double)l->per_min) + 1;
	if (!wait) {
		b->tokens -= 1;
		b->used++;
	}
	pthread_mutex_unlock(&l->lock);
	return wait;
}

static bool limited(struct api *a, struct limiter *l, int64_t key,
		    const char *what)
{
	int wait = limiter_take(l, key, a->ctx.now);

	if (!wait)
		return false;
	a->resp->retry_after = wait < 1 ? 1 : wait;
	http_error(a->resp, 429, "rate_limited", NULL,
		   "too many %s; try again in %d s", what, a->resp->retry_after);
	return true;
}

static void remember_wake(struct api *a, const int64_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		api_wake_user(a, ids[i]);
}

void h_hook(struct api *a)
{
	static const char *const keys[] = { "id",  "type", "email", "name",
					    "handle", "url", "text", "at",
					    NULL };
	char hash[SECRET_TOKEN_HASH_MAX], *stored = NULL;
	const char *given = a->req->params[0], *type = NULL;
	struct signal sg = { 0 };
	int64_t *woken = NULL;
	size_t n_woken = 0;
	bool dup = false;
	int rc;

	secret_token_hash(hash, given);
	rc = store_hook_find(&a->ctx.ws, &stored, a->st, hash, &a->err);
	/* Found by hash, then compared in constant time all the same. */
	if (rc || !secret_equal(stored, given)) {
		free(stored);
		http_error(a->resp, 404, "not_found", NULL, "no such webhook");
		return;
	}
	free(stored);
	store_set_tenant(a->st, a->ctx.ws);
	/* Anyone with the URL can post (it sits in public forms): each
	 * delivery adds a signal, an alert per member and outbox rows. */
	if (limited(a, &hook_limit, a->ctx.ws, "webhook deliveries"))
		return;
	if (!a->body) {
		http_error(a->resp, 400, "malformed", NULL,
			   "send a JSON object with a \"type\"");
		return;
	}
	if (!api_only(a, keys))
		return;
	rc = body_str(&type, a->body, "type", true, 32, &a->err);
	if (!rc)
		rc = signal_type_parse(&sg.type, type, "type", &a->err);
	/* Lenient: ingest strips control characters (app/signals.c). */
	struct {
		const char *key;
		size_t max;
		char **out;
	} texts[] = {
		{ "id", 200, &sg.ext_id },   { "email", 254, &sg.email },
		{ "name", 200, &sg.name },   { "handle", 200, &sg.handle },
		{ "url", 2000, &sg.url },    { "text", 4000, &sg.text },
	};
	for (size_t i = 0; !rc && i < sizeof(texts) / sizeof(*texts); i++)
		rc = body_strdup_lenient(texts[i].out, a->body, texts[i].key,
					 false, texts[i].max, &a->err);
	if (!rc)
		rc = body_time(&sg.at, a->body, "at", false, &a->err);
	if (rc) {
		signal_clear(&sg);
		api_fail(a, rc);
		return;
	}
	if (sg.at == KITH_NO_TIME)
		sg.at = a->ctx.now;
	sg.received_at = a->ctx.now;
	if (!sg.ext_id) {
		/* No sender id: the same body is the same delivery. */
		char h[SECRET_TOKEN_HASH_MAX];

		secret_token_hash(h, a->req->body ? a->req->body : "");
		sg.ext_id = strdup(h);
	}
	/* lock_late: the secret names the workspace, whose writers this
	 * one queues behind (store_set_tenant), so the lock comes after. */
	rc = api_lock(a);
	if (!rc)
		rc = app_signal_ingest(&dup, &woken, &n_woken, &a->ctx, &sg,
				       &a->err);
	if (!rc) {
		remember_wake(a, woken, n_woken);
		http_json(a->resp, 202,
			  json_pack("{s:{s:I, s:o, s:b}}", "signal", "id",
				    (json_int_t)sg.id, "contact_id",
				    sg.contact_id ? json_integer(sg.contact_id)
						  : json_null(),
				    "duplicate", dup));
	} else {
		api_fail(a, rc);
	}
	free(woken);
	signal_clear(&sg);
}

void h_signals_list(struct api *a)
{
	struct signal *g = NULL;
	size_t n = 0;
	json_t *items;
	long long after = 0;
	bool waiting = false;
	int rc;

	/* What the document states: a boolean, a cursor of digits. */
	if (!api_query_bool(a, "waiting", &waiting) ||
	    !api_query_int(a, "cursor", 0, INT64_MAX, &after))
		return;
	rc = store_signal_list(&g, &n, a->st, a->ctx.ws, waiting, after, 0,
			       &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items,
				      kj_signal(&g[i], app_signal_response(
								 &a->ctx, &g[i])));
	store_signals_free(g, n);
	api_list(a, items, NULL);
}

void h_signals_stats(struct api *a)
{
	struct signal_user_stats *per = NULL;
	struct signal_week weeks[SIGNAL_WEEKS];
	struct respond_stats all;
	size_t n = 0;
	int target, rc;

	rc = app_signal_report(&per, &n, &all, &target, weeks, &a->ctx,
			       &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	http_json(a->resp, 200,
		  kj_signal_stats(per, n, &all, target, weeks));
	free(per);
}

void h_signal_attach(struct api *a)
{
	static const char *const keys[] = { "contact_id", "contact", NULL };
	static const char *const ckeys[] = { "name", "emails", "tags", "tier",
					     "org", "title", NULL };
	struct signal g = { 0 };
	int64_t cid = 0;
	json_t *nc;
	int rc;

	if (!api_only(a, keys))
		return;
	rc = store_signal_get(&g, a->st, a->ctx.ws, a->id, &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	nc = json_object_get(a->body, "contact");
	/* A contact that is not an object is a mistake even beside an id. */
	if (nc && !json_is_object(nc) && !json_is_null(nc))
		rc = kith_err_set(&a->err, KITH_EINPUT, "contact",
				  "expected an object");
	if (!rc)
		rc = body_id(&cid, a->body, "contact_id", false, &a->err);
	if (!rc && !cid && !json_is_object(nc))
		rc = kith_err_set(&a->err, KITH_EINPUT, "contact_id",
				  "give contact_id, or contact {name...} to "
				  "turn the lead into a new contact");
	if (!rc && !cid) {
		struct contact c;
		const char *name = g.name ? g.name : g.email;
		const char *tier = NULL;

		contact_init(&c);
		body_prefix("contact");
		rc = body_only(nc, ckeys, &a->err);
		if (!rc)
			rc = body_str(&name, nc, "name", false, 200, &a->err);
		if (!rc && !name)
			rc = kith_err_set(&a->err, KITH_EINPUT, "contact.name",
					  "missing");
		if (!rc)
			rc = body_strlist(&c.emails, nc, "emails", &a->err);
		if (!rc && !c.emails.n && g.email)
			strlist_push(&c.emails, g.email);
		if (!rc && g.handle)
			strlist_push(&c.handles, g.handle);
		if (!rc)
			rc = body_strlist(&c.tags, nc, "tags", &a->err);
		if (!rc)
			rc = body_str(&tier, nc, "tier", false, 8, &a->err);
		if (!rc && tier)
			rc = tier_parse(&c.tier, tier, "contact.tier", &a->err);
		if (!rc)
			rc = body_strdup(&c.org_name, nc, "org", false, 200,
					 &a->err);
		if (!rc)
			rc = body_strdup(&c.title, nc, "title", false, 200,
					 &a->err);
		body_prefix_clear();
		c.name = name ? strdup(name) : NULL;
		if (!rc) {
			rc = app_signal_attach(&a->ctx, a->id, &c, &cid,
					       &a->err);
			/* The lead's rules name its fields inside "contact". */
			size_t len = strlen(a->err.field);

			if (rc == KITH_EINPUT && len &&
			    strncmp(a->err.field, "contact", 7) &&
			    len + 8 < sizeof(a->err.field)) {
				memmove(a->err.field + 8, a->err.field,
					len + 1);
				memcpy(a->err.field, "contact.", 8);
			}
		}
		contact_clear(&c);
	} else if (!rc) {
		rc = app_signal_attach(&a->ctx, a->id, NULL, &cid, &a->err);
	}
	signal_clear(&g);
	if (!rc)
		rc = store_signal_get(&g, a->st, a->ctx.ws, a->id, &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	http_json(a->resp, 200, kj_signal(&g, app_signal_response(&a->ctx,
								     &g)));
	signal_clear(&g);
}

/* ---- live events ---- */

struct events_ctx {
	int64_t user_id, ws;
	int64_t cursor;		/* last alert id sent (or being sent) */
	int64_t last_write;	/* mono_secs() of the last bytes sent */
	bool hello;
	/* The credential the stream was opened with, re-checked on every
	 * read: a stream must end with its session or token (M3). */
	bool by_session;
	char cred_hash[SECRET_TOKEN_HASH_MAX];
	/* An event larger than one read's buffer goes out over several
	 * (M4): what is left of it. */
	char *pend;
	size_t pend_len, pend_off;
};

static void events_free(void *p)
{
	struct events_ctx *e = p;

	if (e)
		free(e->pend);
	free(e);
}

/* Is the stream's session or token still live, for the same user? */
static bool events_cred_ok(struct events_ctx *e, struct store *st,
			   kith_time now)
{
	struct user u = { 0 };
	int rc = e->by_session
		     ? store_session_user(&u, st, e->cred_hash, now, NULL)
		     : store_token_user(&u, st, e->cred_hash, now, NULL);
	bool ok = !rc && u.id == e->user_id && u.workspace_id == e->ws;

	if (!rc)
		user_clear(&u);
	return ok;
}

/* Seconds on a clock that only goes forward: the ping interval is a
 * wait, not a date, so neither the test clock (KITH_NOW, fixed) nor a
 * wall clock stepped back may stop or burst the pings. */
static int64_t mono_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/* Copy what fits of the pending event into buf. */
static size_t events_drain(struct events_ctx *e, char *buf, size_t max)
{
	size_t k = e->pend_len - e->pend_off;

	if (k > max)
		k = max;
	memcpy(buf, e->pend + e->pend_off, k);
	e->pend_off += k;
	if (e->pend_off == e->pend_len) {
		free(e->pend);
		e->pend = NULL;
		e->pend_len = e->pend_off = 0;
	}
	return k;
}

static long events_read(void *p, struct store *st, char *buf, size_t max)
{
	struct events_ctx *e = p;
	struct alert *al = NULL;
	size_t n = 0, off = 0;
	int64_t mono = mono_secs();
	kith_time now;

	if (!max)
		return 0;
	/* Expiry is a date: the clock sessions and tokens were given. */
	if (kith_now(&now, NULL) || !events_cred_ok(e, st, now))
		return -1;
	if (e->pend) {
		e->last_write = mono;
		return (long)events_drain(e, buf, max);
	}
	if (!e->hello) {
		e->hello = true;
		e->last_write = mono;
		return snprintf(buf, max, "retry: 3000\n: connected\n\n");
	}
	if (store_alert_list(&al, &n, st, e->ws, e->user_id, e->cursor,
			     16, NULL))
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t need = strlen(al[i].data) + strlen(al[i].kind) + 64;
		char *ev;
		int len;

		if (off + need <= max) {
			off += (size_t)snprintf(buf + off, max - off,
						"id: %lld\nevent: %s\ndata: %s\n\n",
						(long long)al[i].id, al[i].kind,
						al[i].data);
			e->cursor = al[i].id;
			continue;
		}
		if (off)
			break;	/* next read */
		/* Too big for one read: kept whole and sent in pieces. */
		ev = malloc(need);
		if (!ev)
			break;
		len = snprintf(ev, need, "id: %lld\nevent: %s\ndata: %s\n\n",
			       (long long)al[i].id, al[i].kind, al[i].data);
		e->pend = ev;
		e->pend_len = (size_t)len;
		e->pend_off = 0;
		e->cursor = al[i].id;
		off = events_drain(e, buf, max);
		break;
	}
	store_alerts_free(al, n);
	if (!off && mono - e->last_write >= 15)
		off = (size_t)snprintf(buf, max, ": ping\n\n");
	if (off)
		e->last_write = mono;
	return (long)off;
}

void h_events(struct api *a)
{
	const char *last = http_header(a->req, "Last-Event-ID");
	const char *auth = http_header(a->req, "Authorization");
	struct http_stream *s = calloc(1, sizeof(*s));
	struct events_ctx *e = calloc(1, sizeof(*e));

	if (!s || !e) {
		free(s);
		free(e);
		api_fail(a, kith_err_nomem(&a->err));
		return;
	}
	e->user_id = a->user.id;
	e->ws = a->user.workspace_id;
	/* The same credential authenticate() accepted, by its hash. */
	if (a->session_token) {
		e->by_session = true;
		secret_token_hash(e->cred_hash, a->session_token);
	} else if (auth && !strncasecmp(auth, "Bearer ", 7)) {
		secret_token_hash(e->cred_hash, auth + 7);
	}
	if (last) {
		e->cursor = strtoll(last, NULL, 10);
	} else {
		/* A new stream starts at now; a resumed one loses nothing. */
		int64_t id = 0;

		store_alert_last(&id, a->st, a->user.workspace_id, a->user.id,
				 NULL);
		e->cursor = id;
	}
	s->read = events_read;
	s->free = events_free;
	s->ctx = e;
	s->key = api_stream_key(a->user.workspace_id, a->user.id);
	a->resp->stream = s;
	a->resp->status = 200;
}

/* ---- focus ---- */

static json_t *focus_json(struct api *a)
{
	struct user u;
	bool focused = false;
	kith_time until = KITH_NO_TIME;
	const char *why = NULL;

	if (!store_user_get(&u, a->st, a->ctx.ws, a->user.id, NULL)) {
		app_user_focus(&focused, &until, &a->ctx, &u, NULL);
		why = !focused ? NULL
		      : u.focus_until != KITH_NO_TIME &&
				      u.focus_until >= until
			      ? "do_not_disturb"
			      : "meeting";
		user_clear(&u);
	}
	return json_pack("{s:o, s:b, s:o}", "until", kj_time(until),
			 "focused", focused, "reason",
			 why ? json_string(why) : json_null());
}

void h_focus_get(struct api *a)
{
	http_json(a->resp, 200, focus_json(a));
}

void h_focus_put(struct api *a)
{
	static const char *const keys[] = { "until", "for", NULL };
	kith_time until = KITH_NO_TIME;
	const char *dur = NULL;
	int64_t secs;
	int rc;

	if (!api_only(a, keys))
		return;
	if (!json_object_get(a->body, "until") &&
	    !json_object_get(a->body, "for")) {
		http_error(a->resp, 422, "invalid", "until",
			   "missing (a time, or null to end focus now)");
		return;
	}
	rc = body_time(&until, a->body, "until", false, &a->err);
	if (!rc)
		rc = body_str(&dur, a->body, "for", false, 16, &a->err);
	if (!rc && dur) {
		rc = kith_duration_parse(&secs, dur, "for", &a->err);
		until = a->ctx.now + secs;
	}
	/* null ends focus now; the ticker then sends the digest. */
	if (!rc)
		rc = store_user_focus(a->st, a->ctx.ws, a->user.id,
				      until == KITH_NO_TIME ? a->ctx.now : until,
				      &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	http_json(a->resp, 200, focus_json(a));
}

/* ---- webhook secret, notification targets ---- */

void h_webhook_get(struct api *a)
{
	char *secret = NULL, path[200];
	int rc = app_hook_secret_find(&secret, &a->ctx, &a->err);

	/* Made on first use. A write inside the read snapshot would fail
	 * at once on SQLite if any writer committed since the snapshot
	 * began: take the write lock first, and look again under it. */
	if (!rc && !secret) {
		rc = api_lock(a);
		if (!rc)
			rc = app_hook_secret(&secret, &a->ctx, false, &a->err);
	}
	if (rc) {
		api_fail(a, rc);
		return;
	}
	snprintf(path, sizeof(path), HOOK_PATH "%s", secret);
	http_json(a->resp, 200, json_pack("{s:s}", "path", path));
	free(secret);
}

void h_webhook_rotate(struct api *a)
{
	char *secret = NULL, path[200];
	int rc = app_hook_secret(&secret, &a->ctx, true, &a->err);

	if (rc) {
		api_fail(a, rc);
		return;
	}
	snprintf(path, sizeof(path), HOOK_PATH "%s", secret);
	http_json(a->resp, 200, json_pack("{s:s}", "path", path));
	free(secret);
}

static json_t *target_json(const struct notify_target *t)
{
	return json_pack("{s:I, s:I, s:s, s:b, s:o}", "id", (json_int_t)t->id,
			 "user_id", (json_int_t)t->user_id, "url", t->url,
			 "json", t->json, "created_at", kj_time(t->created_at));
}

void h_notify_list(struct api *a)
{
	struct notify_target *t = NULL;
	size_t n = 0;
	json_t *items;

	if (store_notify_list(&t, &n, a->st, a->ctx.ws, a->user.id, &a->err)) {
		api_fail(a, a->err.status);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, target_json(&t[i]));
	store_notify_free(t, n);
	api_list(a, items, NULL);
}

void h_notify_add(struct api *a)
{
	static const char *const keys[] = { "url", "json", NULL };
	struct notify_target t = { 0 }, *have = NULL;
	size_t n_have = 0;
	bool json = false;
	int rc;

	if (!api_only(a, keys))
		return;
	rc = body_strdup(&t.url, a->body, "url", true, 2000, &a->err);
	if (!rc && (strncmp(t.url, "http://", 7) &&
		    strncmp(t.url, "https://", 8)))
		rc = kith_err_set(&a->err, KITH_EINPUT, "url",
				  "expected an http:// or https:// URL");
	/* Not to this host's or its network's services (SSRF): see
	 * notify.h; the address is checked again on every connection. */
	if (!rc)
		rc = notify_url_check(t.url, &a->err);
	if (!rc)
		rc = store_notify_list(&have, &n_have, a->st, a->ctx.ws,
				       a->user.id, &a->err);
	store_notify_free(have, n_have);
	if (!rc && n_have >= NOTIFY_TARGETS_MAX)
		rc = kith_err_set(&a->err, KITH_EINPUT, "url",
				  "at most %d notification URLs per person",
				  NOTIFY_TARGETS_MAX);
	if (!rc)
		rc = body_bool(&json, a->body, "json", false, &a->err);
	t.json = json;
	t.user_id = a->user.id;
	t.created_at = a->ctx.now;
	if (!rc)
		rc = store_notify_add(a->st, a->ctx.ws, &t, &a->err);
	if (rc)
		api_fail(a, rc);
	else
		http_json(a->resp, 201, target_json(&t));
	free(t.url);
}

void h_notify_delete(struct api *a)
{
	struct notify_target *t = NULL;
	size_t n = 0;
	bool mine = false;
	int rc = store_notify_list(&t, &n, a->st, a->ctx.ws, a->user.id,
				   &a->err);

	for (size_t i = 0; !rc && i < n; i++)
		mine = mine || t[i].id == a->id;
	store_notify_free(t, n);
	if (!rc && !mine)
		rc = kith_err_set(&a->err, KITH_ENOTFOUND, "id",
				  "no notification target %lld",
				  (long long)a->id);
	if (!rc)
		rc = store_notify_delete(a->st, a->ctx.ws, a->id, &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	a->resp->status = 204;
}

void h_notify_test(struct api *a)
{
	char *text = NULL;
	int rc;

	/* Each call queues a POST to every target of the user. */
	if (limited(a, &test_limit, a->user.id, "test notifications"))
		return;
	rc = app_digest_text(&text, &a->ctx, &a->user, &a->err);

	if (!rc)
		rc = app_notify_user(&a->ctx, a->user.id, "morning", text,
				     &a->err);
	if (rc)
		api_fail(a, rc);
	else
		http_json(a->resp, 202, json_pack("{s:s}", "queued", text));
	free(text);
}

/* ---- meetings ---- */

void h_meetings_list(struct api *a)
{
	struct meeting *m = NULL;
	size_t n = 0;
	json_t *items;

	/* Your own calendar's meetings only, whatever your role (L8). */
	if (store_meeting_list(&m, &n, a->st, a->ctx.ws, a->user.id,
			       http_query(a->req, "state"), &a->err)) {
		api_fail(a, a->err.status);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, kj_meeting(&m[i]));
	store_meetings_free(m, n);
	api_list(a, items, NULL);
}

void h_meetings_import(struct api *a)
{
	static const char *const keys[] = { "ics", NULL };
	struct meetings_result r;
	struct meetings_parsed p = { 0 };
	const char *ics;
	int rc;

	if (!api_only(a, keys))
		return;
	/* As large as the route lets an owner send (review L6: the 1 MB
	 * default cut it short). */
	rc = body_str(&ics, a->body, "ics", true, (size_t)8 << 20, &a->err);
	/* Parse (bounded by ical.h's limits) in the read snapshot: the
	 * write lock is taken only to store (the route is lock_late). */
	if (!rc)
		rc = app_meetings_parse(&p, &a->ctx, ics, strlen(ics), "ics",
					&a->err);
	if (!rc)
		rc = api_lock(a);
	if (!rc)
		rc = app_meetings_store(&r, &a->ctx, a->user.id, &p, &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	http_json(a->resp, 201,
		  json_pack("{s:I, s:I, s:I}", "events", (json_int_t)r.events,
			    "with_contacts", (json_int_t)r.with_contacts,
			    "suggested", (json_int_t)r.suggested));
}

void h_meeting_confirm(struct api *a)
{
	int64_t touch = 0;
	int rc = app_meeting_confirm(&touch, &a->ctx, a->user.id, a->id,
				     &a->err);

	if (rc) {
		api_fail(a, rc);
		return;
	}
	http_json(a->resp, 201, json_pack("{s:I}", "touch_id",
					  (json_int_t)touch));
}

void h_meeting_dismiss(struct api *a)
{
	int rc = store_meeting_state(a->st, a->ctx.ws, a->user.id, a->id,
				     "dismissed", 0, &a->err);

	if (rc) {
		api_fail(a, rc);
		return;
	}
	a->resp->status = 204;
}

/* ---- the ticker ---- */

void api_tick(struct store *st)
{
	static int64_t last_alert;
	struct kith_err err = { 0 };
	struct user_key *woken = NULL;
	int64_t id = 0;
	size_t n = 0;
	kith_time now;

	api_account_tick(st);
	if (kith_now(&now, &err))
		return;
	if (!app_signals_tick(&woken, &n, st, now, &err))
		for (size_t i = 0; i < n; i++)
			http_wake(api_stream_key(woken[i].workspace_id,
						 woken[i].user_id));
	free(woken);
	/* Alerts written by another process (the CLI) wake everyone. */
	if (!store_alert_newest(&id, st, &err) && id != last_alert) {
		last_alert = id;
		http_wake(0);
	}
	/* Notifications go out from notify.c's sender thread: the ticker
	 * never waits on the network (M2). */
}
