/*
 * notify.h: sending queued notifications with libcurl. A plain POST of
 * the message as text/plain (what ntfy accepts), or application/json for
 * targets marked --json. Failures are retried with exponential backoff
 * (5 s, 10 s, 20 s ... at most an hour) and given up after 10 tries.
 */
#ifndef KITH_NOTIFY_H
#define KITH_NOTIFY_H

#include "../store/store.h"

/* Once, before threads start (curl_global_init). */
int notify_init(struct kith_err *err);
/* POST body to url; KITH_OK on a 2xx answer, else KITH_EIO with the
 * reason in err. Blocks up to timeout_ms. */
int notify_send(const char *url, bool json, const char *body,
		long timeout_ms, struct kith_err *err);
/* Send what is due in the outbox at now (at most limit) and record each
 * result; returns how many were sent. */
int notify_flush(struct store *st, kith_time now, size_t limit,
		 size_t *sent, struct kith_err *err);
/* The wait before try number `attempts + 1`. */
int64_t notify_backoff(int attempts);

#define NOTIFY_MAX_ATTEMPTS 10

#endif
