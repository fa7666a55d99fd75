/* notify.c: POST notifications with libcurl; retry with backoff. */
#include "notify.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
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

int notify_allow_add(const char *spec, struct kith_err *err)
{
	const char *colon = strrchr(spec, ':'), *close = strrchr(spec, ']');
	size_t hl;
	long port = 0;

	if (colon && close && colon < close)
		colon = NULL; /* [::1] without a port */
	hl = colon ? (size_t)(colon - spec) : strlen(spec);
	if (colon) {
		char *end;

		port = strtol(colon + 1, &end, 10);
		if (*end || port < 1 || port > 65535)
			hl = 0;
	}
	if (spec[0] == '[' && hl >= 2 && spec[hl - 1] == ']') {
		spec++;
		hl -= 2;
	}
	if (!hl || hl >= sizeof(allow[0].host))
		return kith_err_set(err, KITH_EINPUT, "--notify-allow",
				    "expected HOST or HOST:PORT, got \"%s\"",
				    spec);
	if (n_allow == ALLOW_MAX)
		return kith_err_set(err, KITH_EINPUT, "--notify-allow",
				    "at most %d hosts", ALLOW_MAX);
	memcpy(allow[n_allow].host, spec, hl);
	allow[n_allow].host[hl] = '\0';
	for (size_t i = 0; i < hl; i++)
		allow[n_allow].host[i] =
		    (char)tolower((unsigned char)allow[n_allow].host[i]);
	allow[n_allow].port = port;
	n_allow++;
	return KITH_OK;
}

/* Did the operator allow host (and port)? */
static bool allowed(const char *host, long port)
{
	for (size_t i = 0; i < n_allow; i++)
		if (!strcasecmp(allow[i].host, host) &&
		    (allow[i].port ? allow[i].port == port
				   : port == 80 || port == 443))
			return true;
	return false;
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
static int url_target(const char *url, char **host, long *port, bool *ok_by_op,
		      struct kith_err *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *user = NULL, *pass = NULL, *ports = NULL;
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
	*ok_by_op = allowed(*host, *port);
	if (!*ok_by_op && *port != 80 && *port != 443)
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
	int rc = url_target(url, &host, &port, &op, err);

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

int notify_send(const char *url, bool json, const char *body,
		long timeout_ms, struct kith_err *err)
{
	struct curl_slist *h = NULL;
	CURL *c;
	long status = 0, port = 0;
	CURLcode cc;
	char *host = NULL;
	bool op = true;

	if (guard_on) {
		int rc = notify_url_check(url, err);

		if (!rc)
			rc = url_target(url, &host, &port, &op, err);
		curl_free(host);
		if (rc)
			return rc == KITH_EINPUT ? KITH_EIO : rc;
	}
	c = curl_easy_init();
	if (!c)
		return kith_err_nomem(err);
	if (guard_on) {
		curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_checked);
		curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &op);
		/* A proxy from the environment would connect for us. */
		curl_easy_setopt(c, CURLOPT_PROXY, "");
	}
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
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
