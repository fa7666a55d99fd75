/*
 * http.c: libmicrohttpd glue. A request is answered on the access
 * handler's second call or later, never the first: measured with 0.9.75,
 * queueing on the first call makes MHD send "Connection: close" and
 * keep-alive throughput falls to a fifth.
 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct stream_state {
	struct http_stream *s;
	struct MHD_Connection *conn;
	bool suspended;
	bool pending;		/* woken while awake: read again first */
	struct stream_state *prev, *next;
};

/* A network address range, for --trust-proxy. */
struct cidr {
	int family;			/* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int bits;
};

/* One client connection, for the header deadline (review M6): MHD's
 * timeout counts idle time only, so a client trickling a header line
 * every few seconds would hold its slot for ever. */
struct conn_state {
	int fd;
	/* Set by the connection's own thread, read by the sweep: atomic,
	 * so a request takes no process-wide lock for them (two per
	 * request, and the pool threads contended for it). */
	atomic_bool waiting;		/* a request's headers are not all in */
	atomic_llong since;		/* ... since then (CLOCK_MONOTONIC s) */
	struct conn_state *prev, *next;
};

struct server {
	const struct http_server_opts *o;
	http_handler_fn handler;
	http_admit_fn admit;
	struct cidr *proxies;
	size_t n_proxies;
	unsigned header_timeout;
	unsigned streams_per_key;
	atomic_size_t body_bytes;	/* bodies buffered right now */
	pthread_mutex_t conns_lock;
	struct conn_state *conns;
	http_slow_fn slow;
	http_limit_fn limit;
	http_tick_fn tick;
	pthread_t ticker, sweeper;
	/* Open event streams. */
	pthread_mutex_t streams_lock;
	struct stream_state *streams;
	pthread_key_t store_key;
	/* Every thread's connection, for the sweeper to end read
	 * snapshots left idle (store_expire_reads). */
	pthread_mutex_t stores_lock;
	struct store **stores;
	size_t n_stores;
	atomic_int in_flight;
	/* Worker queue for slow requests. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct req_state *head, *tail;
	bool stopping;
	bool workers_joined;
	pthread_t workers[2];
};

struct req_state {
	struct http_request req;
	struct http_response resp;
	size_t limit;
	size_t cap;
	bool slow;
	bool ready;		/* a worker filled resp */
	bool queued;
	bool over_budget;		/* HTTP_BODY_BUDGET was reached */
	struct timespec start;
	struct req_state *next;
};

static struct server *srv;

/* ---- per-thread database connections ---- */

static void store_destroy(void *p)
{
	pthread_mutex_lock(&srv->stores_lock);
	for (size_t i = 0; i < srv->n_stores; i++)
		if (srv->stores[i] == p) {
			srv->stores[i] = srv->stores[--srv->n_stores];
			break;
		}
	pthread_mutex_unlock(&srv->stores_lock);
	store_close(p);
}

/* The thread's connection; it keeps its read snapshot from one request
 * to the next (store_keep_reads), so every use of it goes between
 * store_enter and store_leave. */
static struct store *thread_store(struct kith_err *err)
{
	struct store *st = pthread_getspecific(srv->store_key);
	struct store **grown;

	if (st)
		return st;
	if (store_open(&st, srv->o->db_path, err))
		return NULL;
	pthread_mutex_lock(&srv->stores_lock);
	grown = realloc(srv->stores, (srv->n_stores + 1) * sizeof(*grown));
	if (grown) {
		srv->stores = grown;
		srv->stores[srv->n_stores++] = st;
		store_keep_reads(st);
	}
	pthread_mutex_unlock(&srv->stores_lock);
	pthread_setspecific(srv->store_key, st);
	return st;
}

/* ---- log lines ---- */

/* Length of the well-formed UTF-8 sequence at p (2-4), or 0. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned c = p[0];
	size_t len;
	unsigned min;
	unsigned long cp;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2, min = 0x80, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, min = 0x800, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, min = 0x10000, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

char *http_log_str(char *out, size_t n, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t o = 0;

	if (!n)
		return out;
	while (*p) {
		size_t u = *p >= 0x80 ? utf8_len(p) : 0;
		char esc[5];
		size_t k;

		if (u) {
			k = u;
			memcpy(esc, p, u);
		} else if (*p < 0x20 || *p == 0x7f || *p == '\\' ||
			   *p >= 0x80) {
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
			k = 4;
		} else {
			esc[0] = (char)*p;
			k = 1;
		}
		if (o + k + 4 > n) {
			if (n >= 4) {
				while (o + 4 > n)
					o--;
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(out + o, esc, k);
		o += k;
		p += u ? u : 1;
	}
	out[o < n ? o : n - 1] = '\0';
	return out;
}

char *http_log_path(char *out, size_t n, const char *s)
{
	/* A webhook's path is its secret, and a calendar feed's its
	 * token: never log them. */
	if (s && !strncmp(s, "/hooks/", 7)) {
		snprintf(out, n, "/hooks/(secret)");
		return out;
	}
	if (s && !strncmp(s, "/feeds/", 7)) {
		snprintf(out, n, "/feeds/(secret)");
		return out;
	}
	return http_log_str(out, n, s);
}

/* ---- the access log's writer ---- */

/*
 * Access-log lines gather here and a thread of its own writes them out
 * LOG_FLUSH_MS after the first of a batch arrives: one write(2) per
 * batch, not one per request (a write per line was 6% of a contact read,
 * and the system call is dear here). A request thread appends under a
 * mutex (a memcpy) and wakes the writer only when the buffer was empty;
 * a full buffer is written by the thread that finds it full. Lines stay
 * whole and in order. http_serve flushes everything on a clean stop; a
 * SIGKILL loses at most the last LOG_FLUSH_MS of lines.
 */
#define LOG_BUF (64 * 1024)
#define LOG_FLUSH_MS 10

static struct {
	pthread_mutex_t lock;		/* buf, len, stop */
	pthread_mutex_t io;		/* one write(2) at a time, in order */
	pthread_cond_t cond;
	char *buf, *out;		/* filling, being written */
	size_t len;
	bool stop;
	bool running;
	pthread_t thread;
} alog = { .lock = PTHREAD_MUTEX_INITIALIZER,
	   .io = PTHREAD_MUTEX_INITIALIZER,
	   .cond = PTHREAD_COND_INITIALIZER };

static void log_write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(STDERR_FILENO, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;	/* nowhere to complain to */
		p += w;
		n -= (size_t)w;
	}
}

/* Swap the buffers and write what was gathered. Called with alog.lock
 * held; returns with it held. */
static void log_flush_locked(void)
{
	char *full = alog.buf;
	size_t n = alog.len;

	if (!n)
		return;
	alog.buf = alog.out;
	alog.out = full;
	alog.len = 0;
	/* Taking io before letting go of lock keeps batches in order. */
	pthread_mutex_lock(&alog.io);
	pthread_mutex_unlock(&alog.lock);
	log_write_all(full, n);
	pthread_mutex_unlock(&alog.io);
	pthread_mutex_lock(&alog.lock);
}

static void *log_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&alog.lock);
	for (;;) {
		while (!alog.len && !alog.stop)
			pthread_cond_wait(&alog.cond, &alog.lock);
		if (!alog.len && alog.stop)
			break;
		if (!alog.stop) {
			/* Let the batch grow a little. */
			struct timespec ts = { 0, LOG_FLUSH_MS * 1000000L };

			pthread_mutex_unlock(&alog.lock);
			nanosleep(&ts, NULL);
			pthread_mutex_lock(&alog.lock);
		}
		log_flush_locked();
	}
	pthread_mutex_unlock(&alog.lock);
	return NULL;
}

/* Start the writer; false (lines are then written one by one) when it
 * cannot be started. */
static bool log_start(void)
{
	alog.buf = malloc(LOG_BUF);
	alog.out = malloc(LOG_BUF);
	alog.len = 0;
	alog.stop = false;
	if (!alog.buf || !alog.out ||
	    pthread_create(&alog.thread, NULL, log_main, NULL)) {
		free(alog.buf);
		free(alog.out);
		alog.buf = alog.out = NULL;
		return false;
	}
	alog.running = true;
	return true;
}

/* Write out every line and end the writer. */
static void log_stop(void)
{
	if (!alog.running)
		return;
	pthread_mutex_lock(&alog.lock);
	alog.stop = true;
	pthread_cond_signal(&alog.cond);
	pthread_mutex_unlock(&alog.lock);
	pthread_join(alog.thread, NULL);
	alog.running = false;
	free(alog.buf);
	free(alog.out);
	alog.buf = alog.out = NULL;
}

/* One access-log line (ending in a newline), whole. */
static void log_line(const char *line, size_t n)
{
	bool wake;

	if (!alog.running || n > LOG_BUF) {
		log_write_all(line, n);
		return;
	}
	pthread_mutex_lock(&alog.lock);
	if (alog.len + n > LOG_BUF)
		log_flush_locked();
	wake = !alog.len;
	memcpy(alog.buf + alog.len, line, n);
	alog.len += n;
	pthread_mutex_unlock(&alog.lock);
	if (wake)
		pthread_cond_signal(&alog.cond);
}

/* ---- trusted proxies ---- */

static bool cidr_parse(struct cidr *c, const char *s)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	int max;

	memset(c, 0, sizeof(*c));
	if (!len || len >= sizeof(host))
		return false;
	memcpy(host, s, len);
	host[len] = '\0';
	if (inet_pton(AF_INET, host, c->addr) == 1)
		c->family = AF_INET, max = 32;
	else if (inet_pton(AF_INET6, host, c->addr) == 1)
		c->family = AF_INET6, max = 128;
	else
		return false;
	c->bits = max;
	if (slash) {
		char *end;
		long b = strtol(slash + 1, &end, 10);

		if (!slash[1] || *end || b < 0 || b > max)
			return false;
		c->bits = (int)b;
	}
	return true;
}

bool http_cidr_valid(const char *s)
{
	struct cidr c;

	return s && cidr_parse(&c, s);
}

/* Is the address (family, bytes) inside one of the trusted ranges? */
static bool trusted(int family, const unsigned char *a)
{
	for (size_t i = 0; i < srv->n_proxies; i++) {
		const struct cidr *c = &srv->proxies[i];
		int full = c->bits / 8, rest = c->bits % 8;

		if (c->family != family)
			continue;
		if (memcmp(c->addr, a, (size_t)full))
			continue;
		if (rest && ((c->addr[full] ^ a[full]) &
			     (unsigned char)(0xff << (8 - rest))))
			continue;
		return true;
	}
	return false;
}

static bool parse_ip(const char *s, size_t len, int *family,
		     unsigned char *a)
{
	char host[INET6_ADDRSTRLEN + 1];

	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (!len || len >= sizeof(host))
		return false;
	memcpy(host, s, len);
	host[len] = '\0';
	if (inet_pton(AF_INET, host, a) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, host, a) == 1)
		*family = AF_INET6;
	else
		return false;
	return true;
}

/* The peer's address into req; when the peer is a trusted proxy, the
 * client is the rightmost X-Forwarded-For entry that is not itself a
 * trusted proxy (entries left of it are the client's word, not the
 * proxy's), and X-Forwarded-Proto says whether it came over HTTPS. */
static void client_address(struct http_request *req)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	unsigned char a[16];
	int family = 0;
	const char *xff, *proto;

	req->remote = "?";
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET) {
		family = AF_INET;
		memcpy(a, &((const struct sockaddr_in *)ci->client_addr)->sin_addr,
		       4);
	} else if (ci->client_addr->sa_family == AF_INET6) {
		family = AF_INET6;
		memcpy(a,
		       &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr,
		       16);
	} else {
		return;
	}
	if (srv->n_proxies && trusted(family, a)) {
		xff = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
						  "X-Forwarded-For");
		proto = MHD_lookup_connection_value(
			req->conn, MHD_HEADER_KIND, "X-Forwarded-Proto");
		if (proto) {
			/* The last hop's word is the trusted proxy's. */
			const char *last = strrchr(proto, ',');

			last = last ? last + 1 : proto;
			while (*last == ' ')
				last++;
			req->secure = !strncasecmp(last, "https", 5) &&
				      (!last[5] || last[5] == ' ');
		}
		for (const char *end = xff ? xff + strlen(xff) : NULL;
		     end && end > xff;) {
			const char *start = end;
			unsigned char b[16];
			int fb;

			while (start > xff && start[-1] != ',')
				start--;
			if (!parse_ip(start, (size_t)(end - start), &fb, b))
				break;	/* garbage: stop at the last good hop */
			family = fb;
			memcpy(a, b, sizeof(b));
			if (!trusted(fb, b))
				break;
			end = start > xff ? start - 1 : xff;
		}
	}
	inet_ntop(family, a, req->remote_buf, sizeof(req->remote_buf));
	if (req->remote_buf[0])
		req->remote = req->remote_buf;
}

/* ---- the header deadline ---- */

static struct conn_state *conn_state_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static void conn_waiting(struct MHD_Connection *conn, bool waiting)
{
	struct conn_state *cs = conn_state_of(conn);

	if (!cs)
		return;
	if (waiting) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		atomic_store(&cs->since, (long long)now.tv_sec);
	}
	atomic_store(&cs->waiting, waiting);
}

static void on_connection(void *cls, struct MHD_Connection *conn,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct conn_state *cs = *socket_context;

	(void)cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
			conn, MHD_CONNECTION_INFO_CONNECTION_FD);

		cs = calloc(1, sizeof(*cs));
		if (!cs || !ci)
			return (void)free(cs);
		cs->fd = ci->connect_fd;
		{
			struct timespec now;

			clock_gettime(CLOCK_MONOTONIC, &now);
			atomic_init(&cs->since, (long long)now.tv_sec);
			atomic_init(&cs->waiting, true);
		}
		pthread_mutex_lock(&srv->conns_lock);
		cs->next = srv->conns;
		if (srv->conns)
			srv->conns->prev = cs;
		srv->conns = cs;
		pthread_mutex_unlock(&srv->conns_lock);
		*socket_context = cs;
		return;
	}
	if (!cs)
		return;
	/* MHD closes the socket after this returns, so the sweep below,
	 * under the same lock, never shuts down a reused descriptor. */
	pthread_mutex_lock(&srv->conns_lock);
	if (cs->prev)
		cs->prev->next = cs->next;
	else
		srv->conns = cs->next;
	if (cs->next)
		cs->next->prev = cs->prev;
	pthread_mutex_unlock(&srv->conns_lock);
	free(cs);
	*socket_context = NULL;
}

/* End connections whose request headers took longer than the deadline
 * (also an idle keep-alive connection after that long). shutdown() and
 * not close(): MHD sees end of file and closes it itself.
 *
 * Bytes the client sent that no thread has read yet are the server's
 * delay, not the client's: a connection's thread may be busy with a
 * long request (a write waiting out a foreign lock), and the requests
 * queued behind it were cut unanswered. Those wait; a client trickling
 * its headers to a free thread has nothing unread and is cut. */
static void sweep_headers(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&srv->conns_lock);
	for (struct conn_state *cs = srv->conns; cs; cs = cs->next) {
		int unread = 0;

		if (!atomic_load(&cs->waiting) ||
		    now.tv_sec - atomic_load(&cs->since) <
			    (long long)srv->header_timeout)
			continue;
		if (!ioctl(cs->fd, FIONREAD, &unread) && unread > 0)
			continue;
		atomic_store(&cs->waiting, false);
		shutdown(cs->fd, SHUT_RDWR);
	}
	pthread_mutex_unlock(&srv->conns_lock);
}

/* ---- helpers for handlers ---- */

const char *http_query(struct http_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

const char *http_header(struct http_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(struct http_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

/* One step of etag_of: both halves are bijective in h, so two bodies of
 * one length that differ within a single word never share an ETag. */
static inline uint64_t etag_step(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 32);
}

/* An ETag needs to change with the body, not to resist attack. Eight
 * bytes a step (in the machine's byte order), then murmur3's final mix:
 * FNV-1a's multiply per byte was 3% of a contact read's CPU, and more of
 * a long list's. */
static void etag_of(char out[40], const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull ^ n, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = etag_step(h, w);
	}
	if (i < n) {
		w = 0;
		memcpy(&w, s + i, n - i);
		h = etag_step(h, w);
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	/* "%016llx" in quotes, without snprintf's cost per request. */
	out[0] = '"';
	for (int d = 0; d < 16; d++)
		out[1 + d] = "0123456789abcdef"[(h >> (60 - 4 * d)) & 0xf];
	out[17] = '"';
	out[18] = '\0';
}

void http_etag_bytes(char out[40], const char *s, size_t n)
{
	etag_of(out, s, n);
}

void http_etag_of(char out[40], json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER |
					JSON_ENCODE_ANY);

	etag_of(out, s ? s : "", s ? strlen(s) : 0);
	free(s);
}

void http_header_add(struct http_response *resp, const char *name,
		     const char *value)
{
	size_t old = resp->headers ? strlen(resp->headers) : 0;
	size_t n = strlen(name) + strlen(value) + 5;
	char *h;

	if (strpbrk(value, "\r\n") || strpbrk(name, "\r\n: "))
		return;
	h = realloc(resp->headers, old + n);
	if (!h)
		return;
	snprintf(h + old, n, "%s: %s\r\n", name, value);
	resp->headers = h;
}

void http_json(struct http_response *resp, int status, json_t *j)
{
	char *body = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER |
					       JSON_ENCODE_ANY |
					       JSON_REAL_PRECISION(12))
		       : NULL;

	json_decref(j);
	http_json_text(resp, status, body, body ? strlen(body) : 0);
}

void http_json_text(struct http_response *resp, int status, char *body,
		    size_t len)
{
	if (!resp->persistent)
		free(resp->body);
	resp->persistent = false;
	resp->body = body;
	resp->len = len;
	if (!resp->body) {
		resp->body = strdup("{\"error\":{\"code\":\"internal\","
				    "\"message\":\"out of memory\","
				    "\"field\":null}}");
		status = 500;
		resp->len = resp->body ? strlen(resp->body) : 0;
	}
	resp->status = status;
	resp->content_type = "application/json";
	if (status < 300)
		etag_of(resp->etag, resp->body, resp->len);
	else
		resp->etag[0] = '\0';
}

/* Replace each byte of s that does not start a valid UTF-8 sequence
 * by '?': JSON strings must be UTF-8, and jansson refuses the rest. */
static void utf8_scrub(char *s)
{
	size_t n = strlen(s);

	if (kith_utf8_valid(s, n))
		return;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len = c < 0x80 ? 1 : c >> 5 == 6 ? 2 : c >> 4 == 14 ? 3
			     : c >> 3 == 30 ? 4 : 0;

		if (len && i + len <= n && kith_utf8_valid(s + i, len)) {
			i += len;
			continue;
		}
		s[i++] = '?';
	}
}

void http_error(struct http_response *resp, int status, const char *code,
		const char *field, const char *fmt, ...)
{
	char msg[600], fld[128];
	va_list ap;

	/* Messages quote what the client sent (a path, a value), which
	 * need not be UTF-8, and cutting to size may split a character:
	 * either made the JSON fail and a 4xx turn into a 500. */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	utf8_scrub(msg);
	snprintf(fld, sizeof(fld), "%s", field ? field : "");
	utf8_scrub(fld);
	http_json(resp, status,
		  json_pack("{s:{s:s, s:s, s:o}}", "error", "code", code,
			    "message", msg, "field",
			    fld[0] ? json_string(fld) : json_null()));
}

/* ---- the request cycle ---- */

static void run_handler(struct req_state *rs)
{
	struct kith_err err = { 0 };
	struct store *st = thread_store(&err);

	/* A thread's first connection may meet the database restarting:
	 * try again for about a second, as a retried request would. */
	for (int attempt = 1; !st && attempt < KITH_RETRY_MAX; attempt++) {
		kith_retry_pause(attempt);
		memset(&err, 0, sizeof(err));
		st = thread_store(&err);
	}
	if (!st) {
		http_error(&rs->resp, 503, "unavailable", NULL,
			   "database unavailable: %s", err.msg);
		return;
	}
	if (rs->over_budget) {
		http_error(&rs->resp, 503, "unavailable", NULL,
			   "the server is receiving too much at once; try "
			   "again shortly");
		rs->resp.retry_after = 5;
		return;
	}
	if (rs->req.body_too_large) {
		http_error(&rs->resp, 413, "too_large", NULL,
			   "the body is over this route's limit of %zu bytes",
			   rs->limit);
		return;
	}
	store_enter(st);
	srv->handler(st, &rs->req, &rs->resp);
	store_leave(st);
}

/* ---- event streams ---- */

void http_wake(int64_t key)
{
	if (!srv)
		return;
	pthread_mutex_lock(&srv->streams_lock);
	for (struct stream_state *x = srv->streams; x; x = x->next) {
		if (key && x->s->key != key)
			continue;
		if (x->suspended) {
			x->suspended = false;
			MHD_resume_connection(x->conn);
		} else {
			x->pending = true;
		}
	}
	pthread_mutex_unlock(&srv->streams_lock);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream_state *x = cls;
	struct kith_err err = { 0 };
	struct store *st = thread_store(&err);
	long n;

	(void)pos;
	if (!st || x->s->stopping)
		return MHD_CONTENT_READER_END_OF_STREAM;
	store_enter(st);
	n = x->s->read(x->s->ctx, st, buf, max);
	store_leave(st);
	if (n < 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (n > 0)
		return n;
	/* Nothing new: sleep until woken, unless a wake came meanwhile.
	 * (MHD allows suspending from a content reader; returning 0
	 * without suspending would spin.) */
	pthread_mutex_lock(&srv->streams_lock);
	if (x->pending) {
		x->pending = false;
	} else {
		x->suspended = true;
		MHD_suspend_connection(x->conn);
	}
	pthread_mutex_unlock(&srv->streams_lock);
	return 0;
}

static void stream_free(void *cls)
{
	struct stream_state *x = cls;

	pthread_mutex_lock(&srv->streams_lock);
	if (x->prev)
		x->prev->next = x->next;
	else
		srv->streams = x->next;
	if (x->next)
		x->next->prev = x->prev;
	pthread_mutex_unlock(&srv->streams_lock);
	if (x->s->free)
		x->s->free(x->s->ctx);
	free(x->s);
	free(x);
}

static enum MHD_Result queue(struct MHD_Connection *conn,
			     struct req_state *rs);

/* The Date header (RFC 9110 6.6.1), formatted once a second per thread,
 * on kith's clock (kith_now: KITH_NOW when set, as every other time
 * kith shows). MHD's own goes through gmtime_r, which takes glibc's
 * process-wide tzset lock on every response: the pool's threads queued
 * on it. */
static const char *http_date(void)
{
	static _Thread_local kith_time last = -1;
	static _Thread_local char text[40];
	static const char wday[7][4] = { "Thu", "Fri", "Sat", "Sun",
					 "Mon", "Tue", "Wed" };
	static const char mon[12][4] = { "Jan", "Feb", "Mar", "Apr",
					 "May", "Jun", "Jul", "Aug",
					 "Sep", "Oct", "Nov", "Dec" };
	kith_time now;
	int64_t days, secs;
	int y, m, d;

	if (kith_now(&now, NULL))
		return NULL;	/* a bad KITH_NOW: MHD writes its own */
	if (now == last)
		return text;
	days = (int64_t)now / 86400;
	secs = (int64_t)now % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	kith_civil_from_days((int32_t)days, &y, &m, &d);
	snprintf(text, sizeof(text), "%s, %02d %s %04d %02d:%02d:%02d GMT",
		 wday[((days % 7) + 7) % 7], d, mon[m - 1], y,
		 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
	last = now;
	return text;
}


static enum MHD_Result queue_stream(struct MHD_Connection *conn,
				    struct req_state *rs)
{
	struct stream_state *x = calloc(1, sizeof(*x));
	struct MHD_Response *m;
	const char *date;
	enum MHD_Result ret;

	if (!x)
		return MHD_NO;
	/* A cap per user (review M6): suspended streams never time out. */
	pthread_mutex_lock(&srv->streams_lock);
	{
		unsigned n = 0;

		for (struct stream_state *y = srv->streams; y; y = y->next)
			if (y->s->key == rs->resp.stream->key)
				n++;
		if (n >= srv->streams_per_key) {
			pthread_mutex_unlock(&srv->streams_lock);
			free(x);
			if (rs->resp.stream->free)
				rs->resp.stream->free(rs->resp.stream->ctx);
			free(rs->resp.stream);
			rs->resp.stream = NULL;
			http_error(&rs->resp, 429, "rate_limited", NULL,
				   "too many open event streams (at most %u); "
				   "close one first",
				   srv->streams_per_key);
			rs->resp.retry_after = 30;
			return queue(conn, rs);
		}
	}
	pthread_mutex_unlock(&srv->streams_lock);
	x->s = rs->resp.stream;
	x->conn = conn;
	rs->resp.stream = NULL;	/* the stream state owns it now */
	m = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
					      stream_read, x, stream_free);
	if (!m) {
		if (x->s->free)
			x->s->free(x->s->ctx);
		free(x->s);
		free(x);
		return MHD_NO;
	}
	pthread_mutex_lock(&srv->streams_lock);
	x->next = srv->streams;
	if (srv->streams)
		srv->streams->prev = x;
	srv->streams = x;
	pthread_mutex_unlock(&srv->streams_lock);
	if ((date = http_date()))
		MHD_add_response_header(m, "Date", date);
	MHD_add_response_header(m, "Content-Type", "text/event-stream");
	MHD_add_response_header(m, "Cache-Control", "no-store");
	MHD_add_response_header(m, "X-Accel-Buffering", "no");
	ret = MHD_queue_response(conn, 200, m);
	MHD_destroy_response(m);
	rs->queued = true;
	rs->resp.status = 200;
	return ret;
}

static enum MHD_Result queue(struct MHD_Connection *conn,
			     struct req_state *rs)
{
	struct http_response *r = &rs->resp;
	struct MHD_Response *m;
	const char *date;
	enum MHD_Result ret;
	char num[16];

	if (r->stream && r->status == 200)
		return queue_stream(conn, rs);
	if (!r->body) {
		r->body = strdup("");
		r->len = 0;
	}
	m = MHD_create_response_from_buffer(r->len, r->body,
					    r->persistent
						    ? MHD_RESPMEM_PERSISTENT
						    : MHD_RESPMEM_MUST_FREE);
	if (!m)
		return MHD_NO;
	r->body = NULL;		/* MHD frees it now, or it is static */
	if ((date = http_date()))
		MHD_add_response_header(m, "Date", date);
	MHD_add_response_header(m, "Content-Type",
				r->content_type ? r->content_type
						: "application/json");
	MHD_add_response_header(m, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(m, "Cache-Control",
				r->cache ? r->cache : "no-store");
	if (r->etag[0])
		MHD_add_response_header(m, "ETag", r->etag);
	if (r->set_cookie)
		MHD_add_response_header(m, "Set-Cookie", r->set_cookie);
	if (r->allow[0])
		MHD_add_response_header(m, "Allow", r->allow);
	for (char *h = r->headers, *eol; h && (eol = strstr(h, "\r\n"));
	     h = eol + 2) {
		char *colon = strchr(h, ':');

		if (!colon || colon > eol)
			break;
		*colon = '\0';
		*eol = '\0';
		MHD_add_response_header(m, h, colon + 2);
	}
	if (r->csp) {
		MHD_add_response_header(m, "Content-Security-Policy", r->csp);
		MHD_add_response_header(m, "Referrer-Policy", "same-origin");
	}
	if (r->retry_after) {
		snprintf(num, sizeof(num), "%d", r->retry_after);
		MHD_add_response_header(m, "Retry-After", num);
	}
	ret = MHD_queue_response(conn, (unsigned)r->status, m);
	MHD_destroy_response(m);
	rs->queued = true;
	return ret;
}

/* Stop the workers for slow requests once: they finish the request in
 * hand and answer 503 to those still queued. */
static void workers_stop(struct server *sv)
{
	pthread_mutex_lock(&sv->lock);
	if (sv->workers_joined) {
		pthread_mutex_unlock(&sv->lock);
		return;
	}
	sv->stopping = true;
	sv->workers_joined = true;
	pthread_cond_broadcast(&sv->cond);
	pthread_mutex_unlock(&sv->lock);
	for (int i = 0; i < 2; i++)
		pthread_join(sv->workers[i], NULL);
}

static void *worker_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct req_state *rs;
		bool stop;

		pthread_mutex_lock(&srv->lock);
		while (!srv->head && !srv->stopping)
			pthread_cond_wait(&srv->cond, &srv->lock);
		rs = srv->head;
		if (rs) {
			srv->head = rs->next;
			if (!srv->head)
				srv->tail = NULL;
		}
		stop = srv->stopping;
		pthread_mutex_unlock(&srv->lock);
		if (!rs)
			break;
		/* Past the grace for requests in flight: what has not begun
		 * is told to come back, so the connection can be closed. */
		if (stop)
			http_error(&rs->resp, 503, "unavailable", NULL,
				   "the server is stopping; try again");
		else
			run_handler(rs);
		rs->ready = true;
		MHD_resume_connection(rs->req.conn);
	}
	return NULL;
}

/* Suspend the connection and queue its slow request for the workers:
 * false once they are gone (the server is stopping), and the caller
 * answers it itself. Under the lock, so no request is suspended after
 * the workers' last look at the queue. */
static bool enqueue(struct req_state *rs)
{
	pthread_mutex_lock(&srv->lock);
	if (srv->workers_joined) {
		pthread_mutex_unlock(&srv->lock);
		return false;
	}
	MHD_suspend_connection(rs->req.conn);
	rs->next = NULL;
	if (srv->tail)
		srv->tail->next = rs;
	else
		srv->head = rs;
	srv->tail = rs;
	pthread_cond_signal(&srv->cond);
	pthread_mutex_unlock(&srv->lock);
	return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct req_state *rs = *con_cls;

	(void)cls;
	(void)version;
	if (!rs) {
		const char *cl;

		rs = calloc(1, sizeof(*rs));
		if (!rs)
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &rs->start);
		conn_waiting(conn, false);
		rs->req.method = method;
		rs->req.path = url;
		rs->req.conn = conn;
		client_address(&rs->req);
		rs->req.limit = srv->limit(method, url);
		rs->slow = srv->slow(method, url);
		atomic_fetch_add(&srv->in_flight, 1);
		*con_cls = rs;
		/* Who asks, and may they, before a byte of the body is read
		 * (review M5). An answer now also closes the connection,
		 * which is what a refused upload deserves. */
		if (srv->admit) {
			struct kith_err err = { 0 };
			struct store *st = thread_store(&err);
			bool in;

			if (!st) {
				http_error(&rs->resp, 503, "unavailable", NULL,
					   "database unavailable: %s",
					   err.msg);
				return queue(conn, rs);
			}
			store_enter(st);
			in = srv->admit(st, &rs->req, &rs->resp);
			store_leave(st);
			if (!in)
				return queue(conn, rs);
		}
		rs->limit = rs->req.limit;
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						 "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > rs->limit)
			rs->req.body_too_large = true;
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;

		*upload_size = 0;
		if (rs->req.body_too_large || rs->over_budget ||
		    rs->req.body_len + n > rs->limit) {
			/* Read and drop the rest so the 413 can be sent. */
			if (!rs->over_budget)
				rs->req.body_too_large = true;
			atomic_fetch_sub(&srv->body_bytes, rs->cap);
			free(rs->req.body);
			rs->req.body = NULL;
			rs->req.body_len = 0;
			rs->cap = 0;
			return MHD_YES;
		}
		if (rs->req.body_len + n + 1 > rs->cap) {
			size_t cap = (rs->req.body_len + n + 1) * 2;
			char *b;

			/* Never more than the limit allows. */
			if (cap > rs->limit + 1)
				cap = rs->limit + 1;
			if (atomic_fetch_add(&srv->body_bytes, cap - rs->cap) +
				    (cap - rs->cap) >
			    HTTP_BODY_BUDGET) {
				atomic_fetch_sub(&srv->body_bytes,
						 cap - rs->cap);
				atomic_fetch_sub(&srv->body_bytes, rs->cap);
				rs->over_budget = true;
				free(rs->req.body);
				rs->req.body = NULL;
				rs->req.body_len = 0;
				rs->cap = 0;
				return MHD_YES;
			}
			b = realloc(rs->req.body, cap);
			if (!b) {
				atomic_fetch_sub(&srv->body_bytes,
						 cap - rs->cap);
				return MHD_NO;
			}
			rs->req.body = b;
			rs->cap = cap;
		}
		memcpy(rs->req.body + rs->req.body_len, upload, n);
		rs->req.body_len += n;
		rs->req.body[rs->req.body_len] = '\0';
		return MHD_YES;
	}
	if (rs->queued)
		return MHD_YES;
	if (rs->ready)
		return queue(conn, rs);
	if (rs->slow && !rs->req.body_too_large && !rs->over_budget) {
		if (enqueue(rs))
			return MHD_YES;
		http_error(&rs->resp, 503, "unavailable", NULL,
			   "the server is stopping; try again");
		return queue(conn, rs);
	}
	run_handler(rs);
	return queue(conn, rs);
}

/* An access-log line being written: at most cap bytes, the rest cut. */
struct line_buf {
	char *p;
	size_t cap, n;
};

static void line_add(struct line_buf *b, const char *s)
{
	size_t k = strlen(s);

	if (k > b->cap - b->n)
		k = b->cap - b->n;
	memcpy(b->p + b->n, s, k);
	b->n += k;
}

static void on_completed(void *cls, struct MHD_Connection *conn,
			 void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct req_state *rs = *con_cls;
	struct timespec end;
	double ms;

	(void)cls;
	if (!rs)
		return;
	/* The next request on this connection has the deadline anew. */
	conn_waiting(conn, true);
	clock_gettime(CLOCK_MONOTONIC, &end);
	ms = (end.tv_sec - rs->start.tv_sec) * 1e3 +
	     (end.tv_nsec - rs->start.tv_nsec) / 1e6;
	if (!srv->o->quiet) {
		char line[700], path[400], method[40];
		int n;

		http_log_path(path, sizeof(path), rs->req.path);
		http_log_str(method, sizeof(method), rs->req.method);
		/* Hundredths of a millisecond as integers: the float
		 * conversion was a tenth of the line's cost. */
		long long cms = (long long)(ms * 100 + 0.5);

		char num[24], frac[3] = { (char)('0' + cms % 100 / 10),
					  (char)('0' + cms % 10), 0 };
		struct line_buf lb = { line, sizeof(line) - 1, 0 };

		/* "%s %s %s %d %lld.%02lldms%s\n" by hand: snprintf was a
		 * tenth of what the server spent on a request of its own. */
		line_add(&lb, rs->req.remote);
		line_add(&lb, " ");
		line_add(&lb, method);
		line_add(&lb, " ");
		line_add(&lb, path);
		line_add(&lb, " ");
		kith_int_fmt(num, rs->queued ? rs->resp.status : 0);
		line_add(&lb, num);
		line_add(&lb, " ");
		kith_int_fmt(num, cms / 100);
		line_add(&lb, num);
		line_add(&lb, ".");
		line_add(&lb, frac);
		line_add(&lb, "ms");
		if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
			line_add(&lb, " (aborted)");
		n = (int)lb.n;
		line[n++] = '\n';	/* cut or not: still a line */
		log_line(line, (size_t)n);
	}
	for (int i = 0; i < rs->req.n_params; i++)
		free(rs->req.params[i]);
	if (rs->req.app_free)
		rs->req.app_free(rs->req.app);
	free(rs->req.body);
	atomic_fetch_sub(&srv->body_bytes, rs->cap);
	if (!rs->resp.persistent)
		free(rs->resp.body);
	if (rs->resp.stream) {
		if (rs->resp.stream->free)
			rs->resp.stream->free(rs->resp.stream->ctx);
		free(rs->resp.stream);
	}
	free(rs->resp.set_cookie);
	free(rs->resp.headers);
	free(rs);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

static atomic_bool ticking;

/* Once a second: the application's work, and every 15 s a wake for all
 * streams so each sends a keep-alive comment and notices a gone client. */
static void *ticker_main(void *arg)
{
	struct kith_err err = { 0 };
	struct store *st = NULL;
	unsigned n = 0;

	(void)arg;
	if (store_open(&st, srv->o->db_path, &err))
		return NULL;
	while (atomic_load(&ticking)) {
		if (srv->tick)
			srv->tick(st);
		/* The threads' snapshots have moved on since the last
		 * commit (or expired): the WAL can be copied to its end, and
		 * started over at the next write. */
		store_checkpoint(st);
		if (++n % 15 == 0)
			http_wake(0);
		for (int i = 0; i < 10 && atomic_load(&ticking); i++)
			usleep(100 * 1000);
	}
	store_close(st);
	return NULL;
}

/* A thread's read snapshot idle this long is ended by the sweeper (every
 * half second): an idle server holds none, so a checkpoint or `kith
 * backup` elsewhere finds the WAL free within a second. */
#define READ_IDLE_MS 200

/* The header deadline on a thread of its own: the ticker's work can wait
 * seconds on the database (a foreign lock), and the deadline must not
 * wait with it. */
static void *sweeper_main(void *arg)
{
	(void)arg;
	while (atomic_load(&ticking)) {
		sweep_headers();
		pthread_mutex_lock(&srv->stores_lock);
		for (size_t i = 0; i < srv->n_stores; i++)
			store_expire_reads(srv->stores[i], READ_IDLE_MS);
		pthread_mutex_unlock(&srv->stores_lock);
		for (int i = 0; i < 5 && atomic_load(&ticking); i++)
			usleep(100 * 1000);
	}
	return NULL;
}

static int parse_listen(struct sockaddr_storage *ss, const char *listen,
			struct kith_err *err)
{
	char host[128];
	const char *colon = strrchr(listen, ':');
	long port;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (!colon || (size_t)(colon - listen) >= sizeof(host))
		goto bad;
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		goto bad;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	if (host[0] == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		size_t l = strlen(host);

		if (l < 2 || host[l - 1] != ']')
			goto bad;
		host[l - 1] = '\0';
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
			goto bad;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (!strcmp(host, "localhost"))
			strcpy(host, "127.0.0.1");
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			goto bad;
	}
	return KITH_OK;
bad:
	return kith_err_set(err, KITH_EINPUT, "--listen",
			    "expected ADDR:PORT like 127.0.0.1:8080, got "
			    "\"%s\"",
			    listen);
}

int http_serve(const struct http_server_opts *o, const struct http_app *app,
	       struct kith_err *err)
{
	static struct server s;
	struct sockaddr_storage ss;
	struct MHD_Daemon *d;
	sigset_t sigs;
	unsigned threads = o->threads;
	int sig = 0, grace, rc;

	rc = parse_listen(&ss, o->listen, err);
	if (rc)
		return rc;
	memset(&s, 0, sizeof(s));
	s.o = o;
	s.handler = app->handler;
	s.slow = app->slow;
	s.limit = app->limit;
	s.tick = app->tick;
	s.admit = app->admit;
	s.header_timeout = o->header_timeout ? o->header_timeout
					     : HTTP_HEADER_TIMEOUT_DEFAULT;
	s.streams_per_key = o->streams_per_user
				    ? o->streams_per_user
				    : HTTP_STREAMS_PER_KEY_DEFAULT;
	if (o->n_trust_proxy) {
		s.proxies = calloc(o->n_trust_proxy, sizeof(*s.proxies));
		if (!s.proxies)
			return kith_err_nomem(err);
		for (size_t i = 0; i < o->n_trust_proxy; i++)
			if (!cidr_parse(&s.proxies[i], o->trust_proxy[i])) {
				free(s.proxies);
				return kith_err_set(
					err, KITH_EINPUT, "--trust-proxy",
					"expected an address or CIDR like "
					"10.0.0.0/8, got \"%s\"",
					o->trust_proxy[i]);
			}
		s.n_proxies = o->n_trust_proxy;
	}
	pthread_mutex_init(&s.conns_lock, NULL);
	pthread_key_create(&s.store_key, store_destroy);
	pthread_mutex_init(&s.stores_lock, NULL);
	pthread_mutex_init(&s.streams_lock, NULL);
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.cond, NULL);
	srv = &s;
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		threads = n > 0 ? (unsigned)n : 2;
	}
	/* Signals go to this thread alone, by sigwait below. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < 2; i++)
		pthread_create(&s.workers[i], NULL, worker_main, NULL);
	if (!o->quiet)
		log_start();
	d = MHD_start_daemon(
		MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
			MHD_USE_ITC | MHD_USE_ERROR_LOG |
			(ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
		0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
		(struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		o->per_ip_limit ? o->per_ip_limit : (unsigned)HTTP_PER_IP_DEFAULT,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
	if (!d) {
		rc = kith_err_set(err, KITH_EIO, "--listen",
				  "cannot listen on %s: %s", o->listen,
				  strerror(errno));
		goto stop_workers;
	}
	{
		/* Port 0 asks the kernel for one: say which, for scripts. */
		const union MHD_DaemonInfo *di =
			MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
		char host[128];
		const char *colon = strrchr(o->listen, ':');

		snprintf(host, sizeof(host), "%.*s",
			 (int)(colon - o->listen), o->listen);
		fprintf(stderr, "kith: serving on http://%s:%u/ (%u threads)\n",
			host, di ? di->port : 0, threads);
	}
	atomic_store(&ticking, true);
	pthread_create(&s.ticker, NULL, ticker_main, NULL);
	pthread_create(&s.sweeper, NULL, sweeper_main, NULL);
	sigwait(&sigs, &sig);
	fprintf(stderr, "kith: %s, finishing requests in flight\n",
		sig == SIGTERM ? "SIGTERM" : "SIGINT");
	MHD_quiesce_daemon(d);
	/* Event streams never finish by themselves: end them. */
	pthread_mutex_lock(&s.streams_lock);
	for (struct stream_state *x = s.streams; x; x = x->next)
		x->s->stopping = true;
	pthread_mutex_unlock(&s.streams_lock);
	http_wake(0);
	atomic_store(&ticking, false);
	pthread_join(s.ticker, NULL);
	pthread_join(s.sweeper, NULL);
	grace = o->stop_grace < 0 ? 0
		: o->stop_grace ? o->stop_grace : HTTP_STOP_GRACE_DEFAULT;
	for (int i = 0; i < grace * 10 && atomic_load(&s.in_flight) > 0; i++)
		usleep(100 * 1000);
	/* A slow request still running holds its connection suspended,
	 * and MHD aborts the process if it is stopped with one: let the
	 * workers finish what they hold (and refuse what waits) first. */
	workers_stop(&s);
	MHD_stop_daemon(d);
	log_stop();
	fprintf(stderr, "kith: stopped\n");
	rc = KITH_OK;
stop_workers:
	log_stop();
	workers_stop(&s);
	free(s.proxies);
	free(s.stores);	/* each thread closed its own on exit */
	return rc;
}
