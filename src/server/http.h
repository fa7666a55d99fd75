/*
 * http.h: kith serve's HTTP layer over libmicrohttpd: epoll with an
 * internal thread pool, one database connection per thread, slow routes
 * moved to worker threads (suspend/resume) so polling threads stay
 * quick, one access-log line per request, graceful stop on SIGTERM and
 * SIGINT. The routes themselves live in api.c; this file knows nothing
 * of contacts.
 */
#ifndef KITH_HTTP_H
#define KITH_HTTP_H

#include <jansson.h>

#include "../app/app.h"

struct http_request {
	const char *method;
	const char *path;		/* without the query string */
	struct MHD_Connection *conn;
	char *body;			/* NUL-terminated; NULL when empty */
	size_t body_len;
	bool body_too_large;
	const char *remote;		/* "127.0.0.1": the client, which is
					 * X-Forwarded-For's when the peer is
					 * a trusted proxy */
	char remote_buf[64];
	bool secure;			/* came over HTTPS (a trusted proxy
					 * said X-Forwarded-Proto: https) */
	size_t limit;			/* body bytes this request may send;
					 * http_admit_fn may lower it */
	char *params[4];		/* path parameters, in order */
	int n_params;
	/* The application's, for the life of the request (what
	 * http_admit_fn learned, for the handler); app_free(app) runs
	 * when the request ends, if set. */
	void *app;
	void (*app_free)(void *app);
};

/*
 * A response that stays open (Server-Sent Events). read fills buf with
 * what is new for this stream and returns its length, 0 when nothing is
 * new (the connection then sleeps until http_wake(key)), or -1 to end.
 * It runs on a polling thread with that thread's store, so it must be
 * quick. free releases ctx when the client goes.
 */
struct http_stream {
	long (*read)(void *ctx, struct store *st, char *buf, size_t max);
	void (*free)(void *ctx);
	void *ctx;
	int64_t key;		/* what http_wake names: a user id */
	bool stopping;		/* set by the server on shutdown */
};

/* Wake the sleeping streams of key (0: all of them). Thread-safe. */
void http_wake(int64_t key);

struct http_response {
	int status;
	char *body;			/* owned */
	size_t len;
	const char *content_type;
	char etag[40];
	char *set_cookie;		/* owned, or NULL */
	int retry_after;		/* seconds; 0: none */
	const char *cache;		/* Cache-Control, or NULL */
	bool persistent;		/* body is static: never freed */
	const char *csp;		/* Content-Security-Policy, or NULL */
	char allow[64];			/* Allow (with a 405), or "" */
	char *headers;			/* owned, or NULL: more header lines,
					 * "Name: value" each ending in "\r\n"
					 * (DAV, Location, WWW-Authenticate) */
	struct http_stream *stream;	/* owned; set for event streams */
};

/*
 * Copy s into out (n bytes, NUL-terminated, truncated with "...") fit for
 * one log line: control characters, backslash and bytes that are not
 * well-formed UTF-8 become \xHH, so a client cannot forge log lines or
 * send terminal escapes (review L1). A path under /hooks/ is a webhook's
 * secret and is written "/hooks/(secret)" (review L2); so is a
 * calendar feed's /feeds/<token>.ics, "/feeds/(secret)". Returns out.
 */
char *http_log_path(char *out, size_t n, const char *s);
/* The same escaping without the /hooks/ mask, for other fields. */
char *http_log_str(char *out, size_t n, const char *s);

/* Query parameter name, or NULL. */
const char *http_query(struct http_request *r, const char *name);
/* Request header name (case-insensitive), or NULL. */
const char *http_header(struct http_request *r, const char *name);
const char *http_cookie(struct http_request *r, const char *name);

/* Set resp to j dumped as JSON with status; steals j; adds an ETag of
 * the body. */
void http_json(struct http_response *resp, int status, json_t *j);
/* The same for JSON already written: steals body (len bytes, NUL-
 * terminated; NULL answers 500, out of memory). */
void http_json_text(struct http_response *resp, int status, char *body,
		    size_t len);
/* Set resp to the JSON error shape; code e.g. "invalid". */
void http_error(struct http_response *resp, int status, const char *code,
		const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Append the header line "name: value" to resp->headers. Values come
 * from the server, never unchecked from a client (no CR or LF). */
void http_header_add(struct http_response *resp, const char *name,
		     const char *value);
/* The ETag the body of j would get (for If-Match checks). */
void http_etag_of(char out[40], json_t *j);
/* The ETag of a body that is not JSON (a calendar, a vCard file). */
void http_etag_bytes(char out[40], const char *s, size_t n);

struct http_server_opts {
	const char *db_path;
	const char *listen;		/* "127.0.0.1:8080" */
	unsigned threads;		/* 0: one per core */
	bool quiet;			/* no access log */
	/* Reverse proxies whose X-Forwarded-For/-Proto are believed:
	 * CIDRs like "10.0.0.0/8", "::1/128" or a bare address. */
	const char *const *trust_proxy;
	size_t n_trust_proxy;
	unsigned per_ip_limit;		/* connections per peer address; 0:
					 * HTTP_PER_IP_DEFAULT */
	unsigned header_timeout;	/* seconds to send a request's headers;
					 * 0: HTTP_HEADER_TIMEOUT_DEFAULT */
	unsigned streams_per_user;	/* open event streams per user key; 0:
					 * HTTP_STREAMS_PER_KEY_DEFAULT */
	int stop_grace;			/* seconds requests in flight get after
					 * SIGTERM; 0: HTTP_STOP_GRACE_DEFAULT,
					 * -1: none */
};

#define HTTP_PER_IP_DEFAULT 64
#define HTTP_HEADER_TIMEOUT_DEFAULT 10
#define HTTP_STREAMS_PER_KEY_DEFAULT 8
#define HTTP_STOP_GRACE_DEFAULT 10
/* All request bodies being buffered at once, across connections: past
 * it a request gets 503 rather than the server running out of memory. */
#define HTTP_BODY_BUDGET ((size_t)256 * 1024 * 1024)

/* Is s a CIDR (or bare address) --trust-proxy accepts? */
bool http_cidr_valid(const char *s);

/* The application's handler: fill resp for req. Runs on a pool thread
 * or, for slow routes, a worker; st is that thread's connection. */
typedef void (*http_handler_fn)(struct store *st, struct http_request *req,
				struct http_response *resp);
/* Is this request slow (exports, imports, reports)? Decided before the
 * body is read. */
typedef bool (*http_slow_fn)(const char *method, const char *path);
/* Largest body this method and path accept, in bytes. */
typedef size_t (*http_limit_fn)(const char *method, const char *path);

/* Called once the headers are in, before any of the body is read: may
 * the request go on? false with resp filled (401, 403, ...) answers at
 * once and the body is never buffered. May lower req->limit. Runs on a
 * polling thread with its store: must be quick. */
typedef bool (*http_admit_fn)(struct store *st, struct http_request *req,
			      struct http_response *resp);

/* The application's periodic work: about once a second, on a thread of
 * its own with its own store (digests, retries, sending). */
typedef void (*http_tick_fn)(struct store *st);

struct http_app {
	http_handler_fn handler;
	http_slow_fn slow;
	http_limit_fn limit;
	http_tick_fn tick;		/* may be NULL */
	http_admit_fn admit;		/* may be NULL */
};

/* Serve until SIGTERM/SIGINT; finishes requests in flight. */
int http_serve(const struct http_server_opts *o, const struct http_app *app,
	       struct kith_err *err);

#endif
