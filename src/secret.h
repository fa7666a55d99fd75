/*
 * secret.h: the security primitives the HTTP API stands on: password
 * hashing, random tokens and their stored digests, constant-time
 * comparison, and a login rate limiter. All of it over libsodium; no SQL,
 * no HTTP, no logging. Where tokens and hashes are stored, and what a
 * blocked login answers, is the server's business.
 */
#ifndef KITH_SECRET_H
#define KITH_SECRET_H

#include "kith.h"

#include <stdbool.h>
#include <stddef.h>

/* Room for a password hash string with its NUL: crypto_pwhash_STRBYTES
 * (secret.c checks they agree, so this header needs no sodium.h). */
#define SECRET_HASH_MAX 128
/* Room for any token secret_token_new makes, NUL included: a prefix of up
 * to SECRET_PREFIX_MAX bytes plus 43 base64url characters. */
#define SECRET_TOKEN_MAX 64
#define SECRET_PREFIX_MAX 20
/* Room for secret_token_hash's output: 64 hex digits and a NUL. */
#define SECRET_TOKEN_HASH_MAX 65

/* The token prefixes in use; a token names its kind in logs and leaks. */
#define SECRET_PREFIX_TOKEN "kith_tok_"	/* API token */
#define SECRET_PREFIX_SESSION "kith_ses_"	/* browser session */
#define SECRET_PREFIX_CSRF "kith_csrf_"
#define SECRET_PREFIX_HOOK "kith_hook_"	/* webhook signing secret */
#define SECRET_PREFIX_FEED "kith_feed_"	/* calendar feed URL */

/* Longest password accepted, in bytes. argon2 would take more, but a
 * longer one is a mistake or an attempt to make the server hash megabytes. */
#define SECRET_PASSWORD_MAX 1024
/* Shortest password a person may choose, in characters (review M8,
 * ASVS 2.1.1). */
#define SECRET_PASSWORD_MIN 12

/*
 * Does password meet the policy for a newly chosen password: at least
 * SECRET_PASSWORD_MIN characters (UTF-8 code points) and at most
 * SECRET_PASSWORD_MAX bytes? KITH_OK, else KITH_EINPUT naming field.
 * Passwords that already exist are not checked again, and the seeded
 * demo account's documented "kith-demo" (scripts/run, README) is set
 * with `kith user add --demo-password`, which skips this check.
 */
int secret_password_policy(const char *password, const char *field,
			   struct kith_err *err);

/*
 * Initialise libsodium. Call once from main before any thread starts and
 * before any other function here (they assert it). Calling it again is
 * harmless. KITH_OK, or KITH_EIO when libsodium cannot initialise (no
 * entropy source); the server must not start then.
 */
int secret_init(struct kith_err *err);

/*
 * Test switch: with on, secret_password_hash uses argon2id's MIN limits
 * (1 pass, 8 KiB, 0.1 ms) instead of the default ones (OWASP's 2 passes
 * over 19 MiB). Unit tests hash dozens of passwords, twice over with the
 * sanitizers, where the real limits would dominate the suite. A MIN hash
 * is cheap to crack: never turn this on in a server. Verification needs no switch, since the limits travel
 * inside the hash string. Set it before threads start.
 */
void secret_set_fast_hashing(bool on);

/*
 * Hash password with argon2id and a random salt into out, which must hold
 * SECRET_HASH_MAX bytes; out gets a NUL-terminated "$argon2id$..." string
 * that embeds salt and limits, so it alone is what to store. The same
 * password hashes differently every call.
 *
 * KITH_OK; KITH_EINPUT with field "password" when password is NULL, empty
 * or longer than SECRET_PASSWORD_MAX bytes (out is then ""); KITH_ENOMEM
 * when argon2 cannot get its memory (64 MiB at interactive limits).
 * Cost: deliberately slow and 64 MiB while it runs (see
 * secret_set_fast_hashing); bound how many run at once, and keep them off
 * threads that serve many requests. The password is not copied or logged.
 */
int secret_password_hash(char *out, const char *password,
			 struct kith_err *err);

/*
 * Does password match stored_hash (a string from secret_password_hash)?
 * false for a wrong password, and also for NULL, an empty or over-long
 * password, or a stored_hash that is not an argon2 string: every failure
 * looks alike, and nothing is logged. Costs one hash at the limits stored
 * in stored_hash. For an unknown account, callers should still verify
 * against some fixed hash, so timing does not tell which accounts exist.
 */
bool secret_password_verify(const char *stored_hash, const char *password);

/*
 * Write a new random token into out (n bytes, at least
 * strlen(prefix) + 44; SECRET_TOKEN_MAX fits every prefix up to
 * SECRET_PREFIX_MAX): prefix, then 32 bytes from randombytes_buf as
 * base64url without padding (43 characters of [A-Za-z0-9_-]), then NUL.
 * prefix is one of the SECRET_PREFIX_* above; a buffer too small is an
 * assert. Cannot fail. Show the token once; store secret_token_hash of it.
 */
void secret_token_new(char *out, size_t n, const char *prefix);

/*
 * What the database keeps instead of a token: BLAKE2b-256 of the token
 * (all of it, prefix included) as 64 lowercase hex digits and a NUL.
 * Deterministic and unkeyed, so a token is found by the hash of what the
 * client sends; 256 random bits need no salt or slow hash. O(strlen).
 */
void secret_token_hash(char out[SECRET_TOKEN_HASH_MAX], const char *token);

/*
 * Constant-time equality of two strings, for CSRF tokens and the like.
 * Equal lengths compare with sodium_memcmp, whose time does not depend on
 * where the strings differ; unequal lengths are false after the same
 * sweep over a, so only the lengths show in the timing. NULL equals
 * nothing, not even NULL.
 */
bool secret_equal(const char *a, const char *b);

/*
 * A login rate limiter: at most `limit` failures per key in any
 * `window` seconds (a sliding window: the key is blocked while its
 * limit-th most recent failure is less than window seconds old). Keys are
 * strings like "acct:ana@studio.example" and "addr:127.0.0.1".
 *
 * Thread-safe: one mutex around each call. Memory is fixed at
 * ratelimit_new: capacity entries of limit timestamps each, and a key is
 * kept only as a keyed 128-bit BLAKE2b digest, so long keys cost nothing
 * and callers cannot steer keys into one hash bucket. When the table is
 * full, recording a new key evicts the key whose last failure is oldest;
 * size capacity above the number of keys an attacker can touch within a
 * window, or eviction forgives them early. Each call is O(1) expected
 * (one short hash and one bucket walk) and allocates nothing.
 */
struct ratelimit;

/*
 * A limiter as above; limit >= 1, window_seconds >= 1 and capacity >= 1
 * (else assert). NULL when out of memory or capacity >= 2^31. Allocates
 * capacity * (36 + 8 * limit) bytes, plus 4 bytes per bucket for
 * capacity rounded up to a power of 2. The caller frees it with
 * ratelimit_free.
 */
struct ratelimit *ratelimit_new(int limit, int window_seconds,
				size_t capacity);
/* Free rl and everything in it; NULL is fine. No call may be running. */
void ratelimit_free(struct ratelimit *rl);

/*
 * Is key blocked at time now? If so, and retry_after is not NULL,
 * *retry_after is the seconds until one more attempt is allowed (>= 1,
 * <= window; for Retry-After); when not blocked it is 0. A key whose
 * failures have all left the window is forgotten here.
 */
bool ratelimit_blocked(struct ratelimit *rl, const char *key, kith_time now,
		       int *retry_after);
/* How many of key's failures are within the window at now (at most
 * limit), and in *last the newest of them (KITH_NO_TIME when none): for
 * a progressive delay instead of a hard block. */
int ratelimit_recent(struct ratelimit *rl, const char *key, kith_time now,
		     kith_time *last);
/* Record one failed attempt for key at now (may evict, see above). */
void ratelimit_fail(struct ratelimit *rl, const char *key, kith_time now);
/* Forget key's failures, after a successful login. Unknown keys are fine. */
void ratelimit_clear(struct ratelimit *rl, const char *key);

#endif
