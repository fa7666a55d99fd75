/* api_feed.c: the secret calendar feed (/feeds/<token>.ics), its URL
 * for the signed-in user, and the book as vCard, CSV or iCalendar. */
#include "api.h"
#include "../app/book.h"
#include "../app/export.h"
#include "../render/vcard.h"
#include "../render/json.h"
#include "../secret.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Unknown tokens per client address: a feed URL is a bearer secret,
 * so guessing is throttled like failed sign-ins. Fetches per user: a
 * calendar polls every few minutes at most; each fetch walks the book. */
static struct ratelimit *feed_miss, *feed_fetch;

#define FEED_MISS_LIMIT 20	/* unknown tokens per address */
#define FEED_MISS_WINDOW 900
#define FEED_FETCH_LIMIT 30	/* fetches per user */
#define FEED_FETCH_WINDOW 600

int api_feed_init(struct kith_err *err)
{
	if (!feed_miss)
		feed_miss = ratelimit_new(FEED_MISS_LIMIT, FEED_MISS_WINDOW,
					  4096);
	if (!feed_fetch)
		feed_fetch = ratelimit_new(FEED_FETCH_LIMIT,
					   FEED_FETCH_WINDOW, 4096);
	if (!feed_miss || !feed_fetch)
		return kith_err_nomem(err);
	return KITH_OK;
}

static int buf_sink(void *p, const char *buf, size_t len,
		    struct kith_err *err)
{
	if (vcard_out_add(p, buf, len))
		return kith_err_nomem(err);
	return KITH_OK;
}

/* Hand o's bytes to the response as its body. */
static void send_text(struct api *a, struct vcard_out *o, const char *type)
{
	const char *inm = http_header(a->req, "If-None-Match");

	if (!o->buf && vcard_out_add(o, "", 0)) {
		api_fail(a, kith_err_nomem(&a->err));
		return;
	}
	http_etag_bytes(a->resp->etag, o->buf, o->len);
	if (inm && !strcmp(inm, a->resp->etag)) {
		vcard_out_free(o);
		a->resp->status = 304;
		a->resp->content_type = type;
		return;
	}
	free(a->resp->body);
	a->resp->body = o->buf;
	a->resp->len = o->len;
	memset(o, 0, sizeof(*o));
	a->resp->status = 200;
	a->resp->content_type = type;
}

static void too_many(struct api *a, int wait, const char *what)
{
	a->resp->retry_after = wait;
	http_error(a->resp, 429, "rate_limited", NULL,
		   "too many %s; try again in %d s", what, wait);
}

void h_feed(struct api *a)
{
	/* A stand-in of a token's length, compared when the hash matched
	 * nobody, so a miss costs what a hit costs. */
	static const char dummy[] =
	    SECRET_PREFIX_FEED "0000000000000000000000000000000000000000000";
	char hash[SECRET_TOKEN_HASH_MAX], addr[80], key[40], *stored = NULL;
	const char *given = a->req->params[0];
	struct export_opts o = { 0 };
	struct vcard_out out = { 0 };
	struct user u = { 0 };
	int wait = 0, rc;
	bool same;

	snprintf(addr, sizeof(addr), "feed:%s", a->req->remote);
	if (ratelimit_blocked(feed_miss, addr, a->ctx.now, &wait)) {
		too_many(a, wait, "unknown feed URLs from your address");
		return;
	}
	secret_token_hash(hash, given);
	rc = store_feed_find(&u, &stored, a->st, hash, &a->err);
	/* Found by hash, then compared in constant time all the same. */
	same = secret_equal(stored ? stored : dummy, given);
	free(stored);
	if (rc == KITH_ENOTFOUND || (!rc && !same)) {
		ratelimit_fail(feed_miss, addr, a->ctx.now);
		user_clear(&u);
		http_error(a->resp, 404, "not_found", NULL, "no such feed");
		return;
	}
	if (rc) {
		api_fail(a, rc);
		return;
	}
	snprintf(key, sizeof(key), "user:%lld", (long long)u.id);
	if (ratelimit_blocked(feed_fetch, key, a->ctx.now, &wait)) {
		user_clear(&u);
		too_many(a, wait, "fetches of this feed");
		return;
	}
	ratelimit_fail(feed_fetch, key, a->ctx.now);
	a->ctx.ws = u.workspace_id;
	store_set_tenant(a->st, a->ctx.ws);
	o.format = EXPORT_ICS;
	o.tz = u.tz && *u.tz ? u.tz : NULL;
	o.agenda_user = u.id;
	rc = app_export(&a->ctx, &o, buf_sink, &out, &a->err);
	user_clear(&u);
	if (rc) {
		vcard_out_free(&out);
		api_fail(a, rc);
		return;
	}
	/* Private: the URL is a credential, no shared cache keeps it. */
	a->resp->cache = "private, max-age=300";
	send_text(a, &out, "text/calendar; charset=utf-8");
}

/* The feed's URL as this request reached the server: KITH_URL when set
 * (behind a proxy that rewrites Host), else scheme and Host. */
static json_t *feed_json(struct api *a, const char *token)
{
	const char *host = http_header(a->req, "Host"), *base = getenv("KITH_URL");
	char b[300], path[128];
	json_t *j;
	char *url;

	if (!base) {
		/* A Host that is not a plain host[:port] is not echoed. */
		if (!host || !*host || strlen(host) > 255 ||
		    strspn(host, "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") !=
			strlen(host))
			host = "127.0.0.1:8080";
		snprintf(b, sizeof(b), "%s://%s",
			 a->req->secure ? "https" : "http", host);
		base = b;
	}
	url = app_feed_url(base, token);
	snprintf(path, sizeof(path), "/feeds/%s.ics", token);
	j = url ? json_pack("{s:s, s:s}", "url", url, "path", path) : NULL;
	free(url);
	return j;
}

static void feed_answer(struct api *a, bool rotate)
{
	char *token = NULL;
	json_t *j;
	int rc = app_feed_token_find(&token, &a->ctx, a->user.id, &a->err);

	/* Made on first use, under the write lock (see h_webhook_get). */
	if (!rc && (!token || rotate)) {
		free(token);
		token = NULL;
		rc = api_lock(a);
		if (!rc)
			rc = app_feed_token(&token, &a->ctx, a->user.id,
					    rotate, &a->err);
	}
	if (rc) {
		api_fail(a, rc);
		return;
	}
	j = feed_json(a, token);
	free(token);
	if (!j) {
		api_fail(a, kith_err_nomem(&a->err));
		return;
	}
	if (rotate)
		api_audit(a, "feed_rotated", a->user.id, a->ctx.ws, NULL);
	http_json(a->resp, 200, j);
}

void h_feed_get(struct api *a)
{
	feed_answer(a, false);
}

void h_feed_rotate(struct api *a)
{
	feed_answer(a, true);
}

void h_export(struct api *a)
{
	const char *format = http_query(a->req, "format");
	const char *version = http_query(a->req, "version");
	struct export_opts o = { 0 };
	struct vcard_out out = { 0 };
	const char *type;
	struct book b;
	char *text;
	int rc;

	if (version && strcmp(version, "3.0") && strcmp(version, "4.0")) {
		http_error(a->resp, 422, "invalid", "version",
			   "version is 3.0 or 4.0");
		return;
	}
	if (!format || !strcmp(format, "json")) {
		rc = app_book_load(&b, &a->ctx, &a->err);
		if (rc) {
			api_fail(a, rc);
			return;
		}
		text = kj_book_dump(&b);
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
		return;
	}
	if (!strcmp(format, "vcard")) {
		o.format = EXPORT_VCARD;
		type = "text/vcard; charset=utf-8";
	} else if (!strcmp(format, "csv")) {
		o.format = EXPORT_CSV;
		type = "text/csv; charset=utf-8";
	} else if (!strcmp(format, "ics")) {
		o.format = EXPORT_ICS;
		type = "text/calendar; charset=utf-8";
	} else {
		http_error(a->resp, 422, "invalid", "format",
			   "format is json, vcard, csv or ics");
		return;
	}
	o.version = version && !strcmp(version, "4.0") ? VCARD_40 : VCARD_30;
	o.tz = a->user.tz && *a->user.tz ? a->user.tz : NULL;
	rc = app_export(&a->ctx, &o, buf_sink, &out, &a->err);
	if (rc) {
		vcard_out_free(&out);
		api_fail(a, rc);
		return;
	}
	send_text(a, &out, type);
}
