/*
 * notify.h: sending queued notifications with libcurl. A plain POST of
 * the message as text/plain (what ntfy accepts), or application/json for
 * targets marked --json. Failures are retried with exponential backoff
 * (5 s, 10 s, 20 s ... at most an hour) and given up after 10 tries.
 * A use case both front ends share: `kith notify test` sends through
 * notify_send_user, kith serve's sender thread drains the outbox; both
 * build their requests the same guarded way. No HTTP server code here:
 * the server only starts and stops the sender.
 */
#ifndef KITH_NOTIFY_H
#define KITH_NOTIFY_H

#include "app.h"

struct sockaddr;

/*
 * Where notifications may go (SSRF, M1). With the guard on (kith serve),
 * a URL must be http(s), carry no user:password@, use port 80 or 443, and
 * reach no loopback, private (RFC 1918, fc00::/7), link-local
 * (169.254/16 with the cloud metadata address, fe80::/10), CGNAT
 * (100.64/10), multicast, unspecified or reserved address, IPv4-mapped
 * forms included. A literal address is refused when the URL is added
 * (notify_url_check); every connection is checked again on the address
 * DNS gave, as libcurl opens the socket, so a name that resolves to
 * 127.0.0.1 (or rebinds to it) fails too. Redirects are not followed.
 * Hosts the operator lists (notify_allow_add) skip the address check and
 * may use their listed port; "*:PORT" allows a port for every host (the
 * address checks still apply). Without the guard (the CLI, run by the
 * operator) any http(s) URL goes.
 */
void notify_guard(bool on);
/* "HOST" or "HOST:PORT" ([v6]:PORT); before serving, not thread-safe.
 * KITH_EINPUT (field "--notify-allow") for another shape or a 33rd host.
 * spec is copied. */
int notify_allow_add(const char *spec, struct kith_err *err);
/*
 * Read spec, "HOST", "HOST:PORT" or "[v6]:PORT", into host (cap bytes,
 * lower-cased) and *port (0: none given): the shape of every operator
 * allow list (--notify-allow, --mail-allow). KITH_EINPUT naming field
 * for another shape or a host of cap bytes or more. Allocates nothing.
 */
int notify_host_spec(char *host, size_t cap, long *port, const char *spec,
		     const char *field, struct kith_err *err);
/* KITH_EINPUT (field "url", a sentence why) if url may not be a target
 * under the guard's rules (always checked, guard or not); KITH_ENOMEM.
 * Reads no DNS: only a literal address is judged here. */
int notify_url_check(const char *url, struct kith_err *err);
/* Is this address one a notification may not connect to? (Families
 * other than IPv4 and IPv6 are.) */
bool notify_addr_blocked(const struct sockaddr *sa);

/* Once, before threads start (curl_global_init). KITH_EIO. */
int notify_init(struct kith_err *err);
/* POST body to url; KITH_OK on a 2xx answer, else KITH_EIO with the
 * reason in err (a URL the guard refuses included), KITH_ENOMEM. Blocks up
 * to timeout_ms. */
int notify_send(const char *url, bool json, const char *body,
		long timeout_ms, struct kith_err *err);
/* The body a target gets for text: the text itself (text/plain), or for
 * a JSON target {"title": "kith", "kind": kind, "text": text}. One
 * spelling for the outbox (app_notify_user) and notify_send_user. *out is
 * the caller's to free(); KITH_ENOMEM leaves it NULL. */
int notify_body(char **out, bool json, const char *kind, const char *text,
		struct kith_err *err);
/* Told of each target's attempt: e->status is KITH_OK if it was sent, else
 * e says why not. Both pointers live only for the call. */
typedef void (*notify_each_fn)(void *arg, const struct notify_target *t,
			       const struct kith_err *e);
/*
 * Send text to every notification target of u now, bypassing the outbox
 * (`kith notify test`: no server needed), each through notify_send with
 * timeout_ms, calling each (may be NULL) after every attempt. KITH_EINPUT
 * (field "URL") if u has no target, KITH_EIO if none could be sent, or a
 * store status. Writes nothing.
 */
int notify_send_user(struct app_ctx *ctx, const struct user *u,
		     const char *kind, const char *text, long timeout_ms,
		     notify_each_fn each, void *arg, struct kith_err *err);
/* Send what is due in the outbox at now (at most limit), one at a time
 * (3 s each), and record each result; *sent counts the ones that went.
 * A failed POST is a recorded result, not a status: the store's
 * KITH_EIO or KITH_ENOMEM stop the pass. */
int notify_flush(size_t *sent, struct store *st, kith_time now, size_t limit,
		 struct kith_err *err);
/* The sender thread of kith serve (notify.c explains its fairness): it
 * opens its own connection to db_path. Stop joins it (a transfer in
 * flight is abandoned and retried on the next start). db_path is
 * copied. KITH_ENOMEM, or KITH_EIO when the thread cannot start; the
 * thread's own failures (the store will not open) end it quietly.
 * Stop without a start does nothing. */
int notify_sender_start(const char *db_path, struct kith_err *err);
void notify_sender_stop(void);
/* The wait in seconds before try number `attempts + 1`: 5, 10, 20 ...
 * at most 3600. */
int64_t notify_backoff(int attempts);

#define NOTIFY_MAX_ATTEMPTS 10

#endif
