/* notify.c: POST notifications with libcurl; retry with backoff. */
#include "notify.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* ---- where notifications may go (M1) ---- */

#define ALLOW_MAX 32

/* The operator's --notify-allow list: host (as written in URLs, lower
 * case) and port (0: 80 and 443 only, as for any host). */
static struct {
	char host[256];
	long port;
} allow[ALLOW_MAX];
static size_t n_allow;
static bool guard_on;

void notify_guard(bool on)
{
	guard_on = on;
}

int notify_host_spec(char *host, size_t cap, long *port, const char *spec,
		     const char *field, struct kith_err *err)
{
	const char *colon = strrchr(spec, ':'), *close = strrchr(spec, ']');
	size_t hl;

	*port = 0;
	if (colon && close && colon < close)
		colon = NULL; /* [::1] without a port */
	hl = colon ? (size_t)(colon - spec) : strlen(spec);
	if (colon) {
		char *end;

		*port = strtol(colon + 1, &end, 10);
		if (*end || *port < 1 || *port > 65535)
			hl = 0;
	}
	if (spec[0] == '[' && hl >= 2 && spec[hl - 1] == ']') {
		spec++;
		hl -= 2;
	}
	if (!hl || hl >= cap)
		return kith_err_set(err, KITH_EINPUT, field,
				    "expected HOST or HOST:PORT, got \"%s\"",
				    spec);
	for (size_t i = 0; i < hl; i++)
		host[i] = (char)tolower((unsigned char)spec[i]);
	host[hl] = '\0';
	return KITH_OK;
}

int notify_allow_add(const char *spec, struct kith_err *err)
{
	char host[sizeof(allow[0].host)];
	long port;
	int rc;

	rc = notify_host_spec(host, sizeof(host), &port, spec,
			      "--notify-allow", err);
	if (rc)
		return rc;
	if (n_allow == ALLOW_MAX)
		return kith_err_set(err, KITH_EINPUT, "--notify-allow",
				    "at most %d hosts", ALLOW_MAX);
	memcpy(allow[n_allow].host, host, sizeof(host));
	allow[n_allow].port = port;
	n_allow++;
	return KITH_OK;
}

/* Did the operator allow host (and port)? A "*:PORT" entry allows only
 * the port, for any host whose address passes the checks. */
static void allowed(const char *host, long port, bool *port_ok, bool *host_ok)
{
	*port_ok = port == 80 || port == 443;
	*host_ok = false;
	for (size_t i = 0; i < n_allow; i++) {
		bool any = !strcmp(allow[i].host, "*");
		bool pm = allow[i].port ? allow[i].port == port
					: port == 80 || port == 443;

		if (!pm || (!any && strcasecmp(allow[i].host, host)))
			continue;
		*port_ok = true;
		*host_ok = *host_ok || !any;
	}
}

static bool v4_blocked(uint32_t a)
{
	static const struct {
		uint32_t net;
		int bits;
	} bad[] = {
		{ 0x00000000, 8 },  /* "this" network, 0.0.0.0 */
		{ 0x0a000000, 8 },  /* 10/8 */
		{ 0x64400000, 10 }, /* CGNAT 100.64/10 */
		{ 0x7f000000, 8 },  /* loopback */
		{ 0xa9fe0000, 16 }, /* link-local, 169.254.169.254 */
		{ 0xac100000, 12 }, /* 172.16/12 */
		{ 0xc0000000, 24 }, /* IETF protocol assignments */
		{ 0xc0000200, 24 }, /* TEST-NET-1 */
		{ 0xc0a80000, 16 }, /* 192.168/16 */
		{ 0xc6120000, 15 }, /* benchmarking 198.18/15 */
		{ 0xc6336400, 24 }, /* TEST-NET-2 */
		{ 0xcb007100, 24 }, /* TEST-NET-3 */
		{ 0xe0000000, 4 },  /* multicast */
		{ 0xf0000000, 4 },  /* reserved, broadcast */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if ((a >> (32 - bad[i].bits)) == (bad[i].net >> (32 - bad[i].bits)))
			return true;
	return false;
}

bool notify_addr_blocked(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		return v4_blocked(ntohl(in->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in =
		    (const struct sockaddr_in6 *)sa;
		const uint8_t *b = in->sin6_addr.s6_addr;
		static const uint8_t zero[16];

		/* v4-mapped ::ffff:a.b.c.d and v4-compatible ::a.b.c.d,
		 * NAT64 64:ff9b::/96: judged by their IPv4 address */
		if ((!memcmp(b, zero, 10) && b[10] == 0xff && b[11] == 0xff) ||
		    !memcmp(b, zero, 12) ||
		    (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff &&
		     b[3] == 0x9b && !memcmp(b + 4, zero, 8)))
			return v4_blocked((uint32_t)b[12] << 24 |
					  (uint32_t)b[13] << 16 |
					  (uint32_t)b[14] << 8 | b[15]);
		return (b[0] & 0xfe) == 0xfc ||		 /* fc00::/7 ULA */
		       (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || /* fe80::/10 */
		       (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) || /* site-local */
		       b[0] == 0xff ||			 /* multicast */
		       (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d &&
			b[3] == 0xb8);			 /* documentation */
	}
	return true;
}

/* The host of a URL as an address, in any form inet_aton takes
 * (0x7f000001, 2130706433, 0177.0.0.1) or [v6]: true and *ss set. */
static bool host_literal(const char *host, struct sockaddr_storage *ss)
{
	char buf[64];
	size_t l = strlen(host);

	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && l >= 2 && l - 2 < sizeof(buf)) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		char *pct;

		memcpy(buf, host + 1, l - 2);
		buf[l - 2] = '\0';
		pct = strchr(buf, '%'); /* zone id */
		if (pct)
			*pct = '\0';
		a->sin6_family = AF_INET6;
		return inet_pton(AF_INET6, buf, &a->sin6_addr) == 1;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		return inet_aton(host, &a->sin_addr) != 0;
	}
}

/* The parts of url that decide where it goes; KITH_EINPUT naming why it
 * may not. */
static int url_target(char **host, long *port, bool *ok_by_op, const char *url,
		      struct kith_err *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *user = NULL, *pass = NULL, *ports = NULL;
	bool port_ok;
	int rc = KITH_OK;

	*host = NULL;
	*ok_by_op = false;
	if (!u)
		return kith_err_nomem(err);
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, host, 0) != CURLUE_OK) {
		rc = kith_err_set(err, KITH_EINPUT, "url", "not a URL");
		goto done;
	}
	if (strcasecmp(scheme, "http") && strcasecmp(scheme, "https")) {
		rc = kith_err_set(err, KITH_EINPUT, "url",
				  "expected an http:// or https:// URL");
		goto done;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK) {
		rc = kith_err_set(err, KITH_EINPUT, "url",
				  "no user:password@ in a notification URL");
		goto done;
	}
	curl_url_get(u, CURLUPART_PORT, &ports, CURLU_DEFAULT_PORT);
	*port = ports ? strtol(ports, NULL, 10) : 0;
	allowed(*host, *port, &port_ok, ok_by_op);
	if (!port_ok)
		rc = kith_err_set(err, KITH_EINPUT, "url",
				  "port %ld: notifications go to ports 80 and "
				  "443 only (the operator can allow more with "
				  "kith serve --notify-allow HOST:PORT)",
				  *port);
done:
	curl_free(scheme);
	curl_free(user);
	curl_free(pass);
	curl_free(ports);
	curl_url_cleanup(u);
	if (rc) {
		curl_free(*host);
		*host = NULL;
	}
	return rc;
}

int notify_url_check(const char *url, struct kith_err *err)
{
	struct sockaddr_storage ss;
	char *host = NULL;
	long port = 0;
	bool op;
	int rc = url_target(&host, &port, &op, url, err);

	if (!rc && !op && host_literal(host, &ss) &&
	    notify_addr_blocked((struct sockaddr *)&ss))
		rc = kith_err_set(err, KITH_EINPUT, "url",
				  "%s is a private, loopback, link-local or "
				  "reserved address",
				  host);
	curl_free(host);
	return rc;
}

/* libcurl's socket opener: the last word on where a connection goes, on
 * the address DNS gave (so a name that resolves to 127.0.0.1, now or on a
 * second look, is refused as well). */
static curl_socket_t open_checked(void *ctx, curlsocktype purpose,
				  struct curl_sockaddr *a)
{
	bool op = *(bool *)ctx;

	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	if (!op && notify_addr_blocked(&a->addr))
		return CURL_SOCKET_BAD;
	return socket(a->family, a->socktype, a->protocol);
}

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

/* A guarded easy handle that POSTs body to url: the one setup of both
 * notify_send and the sender thread. *op (the operator allowed the host)
 * must live as long as the handle; *h is the caller's to free. */
static int easy_new(CURL **out, struct curl_slist **h, const char *url,
		    bool json, const char *body, long timeout_ms, bool *op,
		    struct kith_err *err)
{
	CURL *c;
	char *host = NULL;
	long port = 0;

	*out = NULL;
	*op = true;
	if (guard_on) {
		int rc = notify_url_check(url, err);

		if (!rc)
			rc = url_target(&host, &port, op, url, err);
		curl_free(host);
		if (rc)
			return rc;
	}
	c = curl_easy_init();
	if (!c)
		return kith_err_nomem(err);
	if (guard_on) {
		curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_checked);
		curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, op);
		/* A proxy from the environment would connect for us. */
		curl_easy_setopt(c, CURLOPT_PROXY, "");
	}
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	*h = curl_slist_append(NULL, json ? "Content-Type: application/json"
					  : "Content-Type: text/plain; "
					    "charset=utf-8");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, *h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "kith/" KITH_VERSION);
	/* Only http(s): a notify URL must not read local files. */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	*out = c;
	return KITH_OK;
}

int notify_send(const char *url, bool json, const char *body,
		long timeout_ms, struct kith_err *err)
{
	struct curl_slist *h = NULL;
	CURL *c;
	long status = 0;
	CURLcode cc;
	bool op;
	int rc = easy_new(&c, &h, url, json, body, timeout_ms, &op, err);

	if (rc)
		return rc == KITH_EINPUT ? KITH_EIO : rc;
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

int notify_body(char **out, bool json, const char *kind, const char *text,
		struct kith_err *err)
{
	json_t *j;

	*out = NULL;
	if (!json) {
		/* ntfy and friends take the body as the message. */
		*out = strdup(text);
		return *out ? KITH_OK : kith_err_nomem(err);
	}
	j = json_pack("{s:s, s:s, s:s}", "title", "kith", "kind", kind,
		      "text", text);
	if (j)
		*out = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return *out ? KITH_OK : kith_err_nomem(err);
}

int notify_send_user(struct app_ctx *ctx, const struct user *u,
		     const char *kind, const char *text, long timeout_ms,
		     notify_each_fn each, void *arg, struct kith_err *err)
{
	struct notify_target *t = NULL;
	size_t n = 0, sent = 0;
	int rc;

	rc = store_notify_list(&t, &n, ctx->st, ctx->ws, u->id, err);
	if (!rc && !n)
		rc = kith_err_set(err, KITH_EINPUT, "URL",
				  "no notification URL for %s (kith "
				  "notify add URL)",
				  u->email);
	for (size_t i = 0; !rc && i < n; i++) {
		struct kith_err e = { 0 };
		char *body = NULL;

		rc = notify_body(&body, t[i].json, kind, text, err);
		if (rc)
			break;
		if (!notify_send(t[i].url, t[i].json, body, timeout_ms, &e))
			sent++;
		if (each)
			each(arg, &t[i], &e);
		free(body);
	}
	if (!rc && !sent)
		rc = kith_err_set(err, KITH_EIO, "URL",
				  "no notification could be sent");
	store_notify_free(t, n);
	return rc;
}

int64_t notify_backoff(int attempts)
{
	int64_t wait = 5;

	for (int i = 0; i < attempts && wait < 3600; i++)
		wait *= 2;
	return wait > 3600 ? 3600 : wait;
}

/* ---- the sender thread (M2) ----
 * Notifications go out from their own thread, never the ticker's: a
 * curl multi handle runs up to SEND_SLOTS transfers at once, at most
 * SEND_PER_WS of one workspace, each bounded by SEND_TIMEOUT_MS; new due
 * items are picked up every SEND_POLL_MS while others are in flight, so a
 * tenant's slow or tar-pit targets take its own slots, not the others'.
 * Attempts per workspace are capped (SEND_PER_WS_MIN a minute). */

#define SEND_SLOTS 32
#define SEND_PER_WS 4
#define SEND_TIMEOUT_MS 3000
#define SEND_POLL_MS 200
#define SEND_PER_WS_MIN 60
#define SEND_WS_SLOTS 1024

struct ws_quota {
	int64_t ws, minute;
	int n;
};

struct transfer {
	CURL *c;
	struct curl_slist *h;
	struct outbox_item item;
	bool op;		/* the operator allowed the host */
	bool busy;
};

static struct {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool running, stop;
	char *db_path;
	struct transfer t[SEND_SLOTS];
	/* attempts per workspace in the current minute */
	struct ws_quota quota[SEND_WS_SLOTS];
} snd = { .lock = PTHREAD_MUTEX_INITIALIZER,
	  .cond = PTHREAD_COND_INITIALIZER };

static bool quota_take(int64_t ws, kith_time now)
{
	struct ws_quota *q = &snd.quota[(uint64_t)ws % SEND_WS_SLOTS];

	if (q->ws != ws || q->minute != now / 60) {
		q->ws = ws;
		q->minute = now / 60;
		q->n = 0;
	}
	if (q->n >= SEND_PER_WS_MIN)
		return false;
	q->n++;
	return true;
}

/* An easy handle for one outbox item, set up as notify_send's. */
static int transfer_setup(struct transfer *t, struct kith_err *err)
{
	int rc = easy_new(&t->c, &t->h, t->item.url, t->item.json,
			  t->item.body, SEND_TIMEOUT_MS, &t->op, err);

	if (!rc)
		curl_easy_setopt(t->c, CURLOPT_PRIVATE, t);
	return rc;
}

static void transfer_clear(struct transfer *t)
{
	if (t->c)
		curl_easy_cleanup(t->c);
	curl_slist_free_all(t->h);
	outbox_item_clear(&t->item);
	memset(t, 0, sizeof(*t));
}

/* Record one attempt at an outbox item: sent, or retried after
 * notify_backoff; the last try is parked far ahead, its error kept. */
static int record_attempt(struct store *st, const struct outbox_item *o,
			  bool ok, const char *why, kith_time now,
			  struct kith_err *err)
{
	kith_time next = now + notify_backoff(o->attempts);

	if (!ok && o->attempts + 1 >= NOTIFY_MAX_ATTEMPTS)
		next = INT64_MAX / 2;
	return store_outbox_done(st, o->workspace_id, o->id, ok, now, next,
				 ok ? NULL : why, err);
}

/* Record one transfer's result. */
static void transfer_done(struct store *st, struct transfer *t, bool ok,
			  const char *why, kith_time now)
{
	struct kith_err err = { 0 };

	record_attempt(st, &t->item, ok, why, now, &err);
}

/* Start due items that are not in flight, fairly, into free slots. */
static void sender_fill(struct store *st, CURLM *m, kith_time now)
{
	struct outbox_item *o = NULL;
	struct kith_err err = { 0 };
	size_t n = 0, free_slots = 0;

	for (size_t i = 0; i < SEND_SLOTS; i++)
		free_slots += !snd.t[i].busy;
	if (!free_slots || store_outbox_due(&o, &n, st, now, SEND_SLOTS * 2,
					    SEND_PER_WS, &err))
		return;
	for (size_t i = 0; i < n; i++) {
		size_t busy_ws = 0, slot = SEND_SLOTS;
		bool flying = false;

		for (size_t k = 0; k < SEND_SLOTS; k++) {
			if (!snd.t[k].busy) {
				if (slot == SEND_SLOTS)
					slot = k;
				continue;
			}
			/* Ids are per workspace (migration 19). */
			flying = flying ||
				 (snd.t[k].item.workspace_id ==
					  o[i].workspace_id &&
				  snd.t[k].item.id == o[i].id);
			busy_ws += snd.t[k].item.workspace_id ==
				   o[i].workspace_id;
		}
		if (flying || busy_ws >= SEND_PER_WS || slot == SEND_SLOTS ||
		    !quota_take(o[i].workspace_id, now))
			continue;
		snd.t[slot].item = o[i];
		memset(&o[i], 0, sizeof(o[i]));
		snd.t[slot].busy = true;
		if (transfer_setup(&snd.t[slot], &err) ||
		    curl_multi_add_handle(m, snd.t[slot].c) != CURLM_OK) {
			transfer_done(st, &snd.t[slot], false,
				      err.msg[0] ? err.msg : "cannot send",
				      now);
			transfer_clear(&snd.t[slot]);
		}
	}
	store_outbox_free(o, n);
}

static void *sender_main(void *arg)
{
	struct kith_err err = { 0 };
	struct store *st = NULL;
	CURLM *m = curl_multi_init();

	(void)arg;
	if (!m || store_open(&st, snd.db_path, &err)) {
		if (m)
			curl_multi_cleanup(m);
		return NULL;
	}
	for (;;) {
		kith_time now;
		int running = 0, left = 0;
		CURLMsg *msg;

		pthread_mutex_lock(&snd.lock);
		if (snd.stop) {
			pthread_mutex_unlock(&snd.lock);
			break;
		}
		pthread_mutex_unlock(&snd.lock);
		if (!kith_now(&now, &err))
			sender_fill(st, m, now);
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left))) {
			struct transfer *t = NULL;
			long status = 0;
			char why[64];

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
					  (char **)&t);
			if (msg->data.result == CURLE_OK)
				curl_easy_getinfo(t->c, CURLINFO_RESPONSE_CODE,
						  &status);
			snprintf(why, sizeof(why), "answered %ld", status);
			kith_now(&now, &err);
			transfer_done(st, t,
				      msg->data.result == CURLE_OK &&
					  status >= 200 && status <= 299,
				      msg->data.result != CURLE_OK
					  ? curl_easy_strerror(msg->data.result)
					  : why,
				      now);
			curl_multi_remove_handle(m, t->c);
			transfer_clear(t);
		}
		curl_multi_poll(m, NULL, 0, SEND_POLL_MS, NULL);
	}
	for (size_t i = 0; i < SEND_SLOTS; i++)
		if (snd.t[i].busy) {
			curl_multi_remove_handle(m, snd.t[i].c);
			transfer_clear(&snd.t[i]);
		}
	curl_multi_cleanup(m);
	store_close(st);
	return NULL;
}

int notify_sender_start(const char *db_path, struct kith_err *err)
{
	snd.db_path = strdup(db_path);
	if (!snd.db_path)
		return kith_err_nomem(err);
	snd.stop = false;
	if (pthread_create(&snd.thread, NULL, sender_main, NULL)) {
		free(snd.db_path);
		snd.db_path = NULL;
		return kith_err_set(err, KITH_EIO, NULL,
				    "cannot start the notification sender");
	}
	snd.running = true;
	return KITH_OK;
}

void notify_sender_stop(void)
{
	if (!snd.running)
		return;
	pthread_mutex_lock(&snd.lock);
	snd.stop = true;
	pthread_mutex_unlock(&snd.lock);
	pthread_join(snd.thread, NULL);
	snd.running = false;
	free(snd.db_path);
	snd.db_path = NULL;
}

int notify_flush(size_t *sent, struct store *st, kith_time now, size_t limit,
		 struct kith_err *err)
{
	struct outbox_item *o = NULL;
	size_t n = 0;
	int rc;

	*sent = 0;
	rc = store_outbox_due(&o, &n, st, now, limit, 0, err);
	for (size_t i = 0; !rc && i < n; i++) {
		struct kith_err e = { 0 };
		bool ok = notify_send(o[i].url, o[i].json, o[i].body, 3000,
				      &e) == KITH_OK;

		rc = record_attempt(st, &o[i], ok, e.msg, now, err);
		if (ok)
			(*sent)++;
	}
	store_outbox_free(o, n);
	return rc;
}
