/* notify.c: POST notifications with libcurl; retry with backoff. */
#include "notify.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

int notify_init(struct kith_err *err)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return kith_err_set(err, KITH_EIO, NULL,
				    "cannot initialise libcurl");
	return KITH_OK;
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

int notify_send(const char *url, bool json, const char *body,
		long timeout_ms, struct kith_err *err)
{
	struct curl_slist *h = NULL;
	CURL *c = curl_easy_init();
	long status = 0;
	CURLcode cc;

	if (!c)
		return kith_err_nomem(err);
	h = curl_slist_append(h, json ? "Content-Type: application/json"
				      : "Content-Type: text/plain; charset=utf-8");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "kith/" KITH_VERSION);
	/* Only http(s): a notify URL must not read local files. */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK)
		return kith_err_set(err, KITH_EIO, "url", "%s",
				    curl_easy_strerror(cc));
	if (status < 200 || status > 299)
		return kith_err_set(err, KITH_EIO, "url", "answered %ld",
				    status);
	return KITH_OK;
}

int64_t notify_backoff(int attempts)
{
	int64_t wait = 5;

	for (int i = 0; i < attempts && wait < 3600; i++)
		wait *= 2;
	return wait > 3600 ? 3600 : wait;
}

int notify_flush(struct store *st, kith_time now, size_t limit,
		 size_t *sent, struct kith_err *err)
{
	struct outbox_item *o = NULL;
	size_t n = 0;
	int rc;

	*sent = 0;
	rc = store_outbox_due(st, now, limit, &o, &n, err);
	for (size_t i = 0; !rc && i < n; i++) {
		struct kith_err e = { 0 };
		bool ok = notify_send(o[i].url, o[i].json, o[i].body, 3000,
				      &e) == KITH_OK;
		kith_time next = now + notify_backoff(o[i].attempts);

		/* Given up: parked far ahead, with its last error kept. */
		if (!ok && o[i].attempts + 1 >= NOTIFY_MAX_ATTEMPTS)
			next = INT64_MAX / 2;
		rc = store_outbox_done(st, o[i].id, ok, now, next,
				       ok ? NULL : e.msg, err);
		if (ok)
			(*sent)++;
	}
	store_outbox_free(o, n);
	return rc;
}
