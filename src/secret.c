/* secret.c: password hashes, tokens, constant-time comparison and the
 * login rate limiter, over libsodium. See secret.h for the contracts. */
#include "secret.h"

#include <assert.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(SECRET_HASH_MAX == crypto_pwhash_STRBYTES,
	       "SECRET_HASH_MAX must be crypto_pwhash_STRBYTES");
_Static_assert(SECRET_PREFIX_MAX + 43 + 1 <= SECRET_TOKEN_MAX,
	       "SECRET_TOKEN_MAX must fit the longest prefix");

#define TOKEN_BYTES 32
#define TOKEN_B64_LEN 43	/* 4 * ceil(32 / 3) - 1 padding character */

_Static_assert(sodium_base64_ENCODED_LEN(TOKEN_BYTES,
		sodium_base64_VARIANT_URLSAFE_NO_PADDING) == TOKEN_B64_LEN + 1,
	       "token length");

/* Atomic only so that a stray late call stays defined behaviour under
 * tsan; both are meant to be set before threads start. */
static atomic_bool initialised;
static atomic_bool fast_hashing;

int secret_init(struct kith_err *err)
{
	if (sodium_init() < 0)
		return kith_err_set(err, KITH_EIO, NULL,
				    "libsodium cannot initialise");
	atomic_store(&initialised, true);
	return KITH_OK;
}

void secret_set_fast_hashing(bool on)
{
	atomic_store(&fast_hashing, on);
}

/* Length of password if acceptable (1..SECRET_PASSWORD_MAX), else 0. */
static size_t password_len(const char *password)
{
	size_t len;

	if (!password)
		return 0;
	len = strnlen(password, SECRET_PASSWORD_MAX + 1);
	return len > SECRET_PASSWORD_MAX ? 0 : len;
}

int secret_password_hash(char *out, const char *password,
			 struct kith_err *err)
{
	/* OWASP's argon2id floor (19 MiB, t=2), not libsodium's INTERACTIVE
	 * (64 MiB): the server hashes on two workers at once and promises
	 * to stay under 50 MB resident. Stored hashes carry their own
	 * parameters, so either verifies. */
	unsigned long long ops = 2;
	size_t mem = (size_t)19 << 20;
	size_t len;

	assert(atomic_load(&initialised));
	out[0] = '\0';
	len = password_len(password);
	if (!len) {
		if (password && password[0])
			return kith_err_set(err, KITH_EINPUT, "password",
					    "expected at most %d bytes",
					    SECRET_PASSWORD_MAX);
		return kith_err_set(err, KITH_EINPUT, "password",
				    "expected a password, got nothing");
	}
	if (atomic_load(&fast_hashing)) {
		ops = crypto_pwhash_OPSLIMIT_MIN;
		mem = crypto_pwhash_MEMLIMIT_MIN;
	}
	/* crypto_pwhash_str fails only when it cannot allocate mem. */
	if (crypto_pwhash_str(out, password, len, ops, mem) != 0) {
		out[0] = '\0';
		return kith_err_nomem(err);
	}
	return KITH_OK;
}

bool secret_password_verify(const char *stored_hash, const char *password)
{
	size_t len;

	assert(atomic_load(&initialised));
	len = password_len(password);
	if (!len || !stored_hash)
		return false;
	/* A string that fills the whole buffer is not one we wrote. */
	if (strnlen(stored_hash, SECRET_HASH_MAX) >= SECRET_HASH_MAX)
		return false;
	return crypto_pwhash_str_verify(stored_hash, password, len) == 0;
}

void secret_token_new(char *out, size_t n, const char *prefix)
{
	unsigned char raw[TOKEN_BYTES];
	size_t plen;

	assert(atomic_load(&initialised));
	assert(prefix);
	plen = strlen(prefix);
	assert(plen <= SECRET_PREFIX_MAX);
	assert(n >= plen + TOKEN_B64_LEN + 1);
	memcpy(out, prefix, plen);
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out + plen, n - plen, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

void secret_token_hash(char out[SECRET_TOKEN_HASH_MAX], const char *token)
{
	unsigned char digest[crypto_generichash_BYTES];

	_Static_assert(crypto_generichash_BYTES * 2 + 1 ==
			       SECRET_TOKEN_HASH_MAX,
		       "BLAKE2b-256 in hex");
	assert(token);
	crypto_generichash(digest, sizeof(digest), (const unsigned char *)token,
			   strlen(token), NULL, 0);
	sodium_bin2hex(out, SECRET_TOKEN_HASH_MAX, digest, sizeof(digest));
}

bool secret_equal(const char *a, const char *b)
{
	size_t la, lb;
	int diff;

	if (!a || !b)
		return false;
	la = strlen(a);
	lb = strlen(b);
	/* Unequal lengths still sweep la bytes (a against itself), so the
	 * time never depends on content. */
	diff = sodium_memcmp(a, la == lb ? b : a, la);
	return la == lb && diff == 0;
}

/* ---- rate limiter ----
 *
 * A fixed pool of entries. Each is in one bucket chain (found by a keyed
 * digest of its key) and in one list ordered by last failure, oldest
 * first, which is what eviction takes. Free entries chain through next.
 * Each entry owns `limit` slots of times[] as a ring holding its last
 * `limit` failures; the key is blocked while the oldest of a full ring is
 * within the window. That is exact for a sliding window and costs
 * limit * 8 bytes per entry; a counter per fixed window would be smaller
 * but lets 2 * limit attempts through around a window boundary.
 */

#define NIL UINT32_MAX
#define RL_ID_BYTES 16

struct rl_entry {
	unsigned char id[RL_ID_BYTES];	/* keyed BLAKE2b-128 of the key */
	uint32_t next;		/* bucket chain, or free list */
	uint32_t older, newer;	/* the list by last failure */
	uint32_t head;		/* ring index of the oldest failure */
	uint32_t count;		/* failures in the ring, <= limit */
};

struct ratelimit {
	pthread_mutex_t lock;
	uint32_t limit;
	kith_time window;
	uint32_t capacity;
	uint32_t mask;		/* buckets - 1; buckets a power of 2 */
	uint32_t *buckets;
	struct rl_entry *entries;
	kith_time *times;	/* capacity * limit */
	uint32_t free;		/* free list head */
	uint32_t oldest, newest;
	unsigned char hash_key[crypto_generichash_KEYBYTES];
};

struct ratelimit *ratelimit_new(int limit, int window_seconds,
				size_t capacity)
{
	struct ratelimit *rl;
	size_t buckets = 1;

	assert(limit >= 1 && window_seconds >= 1 && capacity >= 1);
	if (capacity >= NIL / 2 || (size_t)limit > SIZE_MAX / sizeof(kith_time) /
						capacity)
		return NULL;
	while (buckets < capacity)
		buckets *= 2;
	rl = calloc(1, sizeof(*rl));
	if (!rl)
		return NULL;
	rl->limit = (uint32_t)limit;
	rl->window = window_seconds;
	rl->capacity = (uint32_t)capacity;
	rl->mask = (uint32_t)(buckets - 1);
	rl->buckets = malloc(buckets * sizeof(*rl->buckets));
	rl->entries = calloc(capacity, sizeof(*rl->entries));
	rl->times = calloc(capacity * (size_t)limit, sizeof(*rl->times));
	if (!rl->buckets || !rl->entries || !rl->times ||
	    pthread_mutex_init(&rl->lock, NULL) != 0) {
		free(rl->buckets);
		free(rl->entries);
		free(rl->times);
		free(rl);
		return NULL;
	}
	for (size_t i = 0; i < buckets; i++)
		rl->buckets[i] = NIL;
	for (uint32_t i = 0; i < rl->capacity; i++)
		rl->entries[i].next = i + 1 < rl->capacity ? i + 1 : NIL;
	rl->free = 0;
	rl->oldest = rl->newest = NIL;
	randombytes_buf(rl->hash_key, sizeof(rl->hash_key));
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl->buckets);
	free(rl->entries);
	free(rl->times);
	sodium_memzero(rl->hash_key, sizeof(rl->hash_key));
	free(rl);
}

/* The key's identity; computed outside the lock. */
static void rl_id(const struct ratelimit *rl, unsigned char id[RL_ID_BYTES],
		  const char *key)
{
	assert(key);
	crypto_generichash(id, RL_ID_BYTES, (const unsigned char *)key,
			   strlen(key), rl->hash_key, sizeof(rl->hash_key));
}

static uint32_t rl_bucket(const struct ratelimit *rl,
			  const unsigned char id[RL_ID_BYTES])
{
	uint32_t h;

	memcpy(&h, id, sizeof(h));
	return h & rl->mask;
}

static uint32_t rl_find(const struct ratelimit *rl,
			const unsigned char id[RL_ID_BYTES])
{
	uint32_t i = rl->buckets[rl_bucket(rl, id)];

	while (i != NIL && memcmp(rl->entries[i].id, id, RL_ID_BYTES) != 0)
		i = rl->entries[i].next;
	return i;
}

static void rl_list_unlink(struct ratelimit *rl, uint32_t i)
{
	struct rl_entry *e = &rl->entries[i];

	if (e->older != NIL)
		rl->entries[e->older].newer = e->newer;
	else
		rl->oldest = e->newer;
	if (e->newer != NIL)
		rl->entries[e->newer].older = e->older;
	else
		rl->newest = e->older;
	e->older = e->newer = NIL;
}

static void rl_list_push_newest(struct ratelimit *rl, uint32_t i)
{
	struct rl_entry *e = &rl->entries[i];

	e->older = rl->newest;
	e->newer = NIL;
	if (rl->newest != NIL)
		rl->entries[rl->newest].newer = i;
	else
		rl->oldest = i;
	rl->newest = i;
}

/* Take entry i out of its bucket and the list and put it on the free
 * list. The bucket walk is the chain length, O(1) expected. */
static void rl_remove(struct ratelimit *rl, uint32_t i)
{
	uint32_t *p = &rl->buckets[rl_bucket(rl, rl->entries[i].id)];

	while (*p != i) {
		assert(*p != NIL);
		p = &rl->entries[*p].next;
	}
	*p = rl->entries[i].next;
	rl_list_unlink(rl, i);
	rl->entries[i].next = rl->free;
	rl->free = i;
}

static kith_time *rl_ring(struct ratelimit *rl, uint32_t i)
{
	return &rl->times[(size_t)i * rl->limit];
}

bool ratelimit_blocked(struct ratelimit *rl, const char *key, kith_time now,
		       int *retry_after)
{
	unsigned char id[RL_ID_BYTES];
	bool blocked = false;
	kith_time wait = 0;
	uint32_t i;

	rl_id(rl, id, key);
	pthread_mutex_lock(&rl->lock);
	i = rl_find(rl, id);
	if (i != NIL) {
		struct rl_entry *e = &rl->entries[i];
		kith_time *ring = rl_ring(rl, i);
		kith_time last = ring[(e->head + e->count - 1) % rl->limit];

		if (last <= now - rl->window) {
			rl_remove(rl, i);
		} else if (e->count == rl->limit &&
			   ring[e->head] > now - rl->window) {
			blocked = true;
			wait = ring[e->head] + rl->window - now;
		}
	}
	pthread_mutex_unlock(&rl->lock);
	/* A clock that stepped back must not promise more than a window. */
	if (wait > rl->window)
		wait = rl->window;
	if (retry_after)
		*retry_after = (int)wait;
	return blocked;
}

int ratelimit_recent(struct ratelimit *rl, const char *key, kith_time now,
		     kith_time *last)
{
	unsigned char id[RL_ID_BYTES];
	int n = 0;
	uint32_t i;

	*last = KITH_NO_TIME;
	rl_id(rl, id, key);
	pthread_mutex_lock(&rl->lock);
	i = rl_find(rl, id);
	if (i != NIL) {
		struct rl_entry *e = &rl->entries[i];
		kith_time *ring = rl_ring(rl, i);

		for (uint32_t k = 0; k < e->count; k++) {
			kith_time t = ring[(e->head + k) % rl->limit];

			if (t > now - rl->window) {
				n++;
				*last = t;
			}
		}
	}
	pthread_mutex_unlock(&rl->lock);
	return n;
}

void ratelimit_fail(struct ratelimit *rl, const char *key, kith_time now)
{
	unsigned char id[RL_ID_BYTES];
	struct rl_entry *e;
	const uint32_t limit = rl->limit;	/* fixed at ratelimit_new */
	uint32_t i, b;

	assert(limit >= 1);
	rl_id(rl, id, key);
	pthread_mutex_lock(&rl->lock);
	i = rl_find(rl, id);
	if (i == NIL) {
		if (rl->free == NIL)
			rl_remove(rl, rl->oldest);
		i = rl->free;
		e = &rl->entries[i];
		rl->free = e->next;
		memcpy(e->id, id, RL_ID_BYTES);
		b = rl_bucket(rl, id);
		e->next = rl->buckets[b];
		rl->buckets[b] = i;
		e->head = e->count = 0;
	} else {
		e = &rl->entries[i];
		rl_list_unlink(rl, i);
	}
	rl_list_push_newest(rl, i);
	if (e->count < limit) {
		rl_ring(rl, i)[(e->head + e->count) % limit] = now;
		e->count++;
	} else {
		rl_ring(rl, i)[e->head] = now;
		e->head = (e->head + 1) % limit;
	}
	pthread_mutex_unlock(&rl->lock);
}

void ratelimit_clear(struct ratelimit *rl, const char *key)
{
	unsigned char id[RL_ID_BYTES];
	uint32_t i;

	rl_id(rl, id, key);
	pthread_mutex_lock(&rl->lock);
	i = rl_find(rl, id);
	if (i != NIL)
		rl_remove(rl, i);
	pthread_mutex_unlock(&rl->lock);
}

int secret_password_policy(const char *password, const char *field,
			   struct kith_err *err)
{
	size_t chars = 0;

	for (const unsigned char *p = (const unsigned char *)password;
	     p && *p; p++)
		if ((*p & 0xc0) != 0x80)
			chars++;
	if (!password || chars < SECRET_PASSWORD_MIN)
		return kith_err_set(err, KITH_EINPUT, field,
				    "a password needs at least %d characters",
				    SECRET_PASSWORD_MIN);
	if (strlen(password) > SECRET_PASSWORD_MAX)
		return kith_err_set(err, KITH_EINPUT, field,
				    "a password has at most %d bytes",
				    SECRET_PASSWORD_MAX);
	return KITH_OK;
}
