/* test_secret.c: password hashes, tokens, constant-time equality and the
 * login rate limiter of src/secret.c. */
#include "unit.h"

#include "secret.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

static int setup(void **state)
{
	struct kith_err err = { 0 };

	(void)state;
	if (secret_init(&err) != KITH_OK)
		return -1;
	/* MIN limits: dozens of hashes here, and the suite reruns under ASan.
	 * test_password_interactive covers the default limits once. */
	secret_set_fast_hashing(true);
	return 0;
}

/* ---- passwords ---- */

static void test_password_round_trip(void **state)
{
	static const char *const passwords[] = {
		"correct horse battery staple",
		"x",
		"pässwörd ünïcödé",
		"with\ttab and \"quotes\"",
	};

	(void)state;
	for (size_t i = 0; i < N_ROWS(passwords); i++) {
		struct kith_err err = { 0 };
		char hash[SECRET_HASH_MAX];

		assert_int_equal(secret_password_hash(hash, passwords[i], &err),
				 KITH_OK);
		if (strncmp(hash, "$argon2id$", 10) != 0)
			fail_msg("row %zu: not an argon2id string", i + 1);
		if (!secret_password_verify(hash, passwords[i]))
			fail_msg("row %zu: own password rejected", i + 1);
	}
}

static void test_password_wrong(void **state)
{
	static const struct {
		const char *set, *try;
	} cases[] = {
		{ "hunter22", "hunter2" },
		{ "hunter2", "hunter22" },
		{ "hunter2", "Hunter2" },
		{ "hunter2", "hunter2 " },
		{ "hunter2", "" },
		{ "hunter2", NULL },
	};

	(void)state;
	for (size_t i = 0; i < N_ROWS(cases); i++) {
		char hash[SECRET_HASH_MAX];

		assert_int_equal(secret_password_hash(hash, cases[i].set, NULL),
				 KITH_OK);
		if (secret_password_verify(hash, cases[i].try))
			fail_msg("row %zu: wrong password accepted", i + 1);
	}
}

/* The same password twice gives two hashes (a fresh salt each time),
 * and each verifies. */
static void test_password_salted(void **state)
{
	char a[SECRET_HASH_MAX], b[SECRET_HASH_MAX];

	(void)state;
	assert_int_equal(secret_password_hash(a, "same", NULL), KITH_OK);
	assert_int_equal(secret_password_hash(b, "same", NULL), KITH_OK);
	assert_string_not_equal(a, b);
	assert_true(secret_password_verify(a, "same"));
	assert_true(secret_password_verify(b, "same"));
}

static void test_password_bad_input(void **state)
{
	static char at_max[SECRET_PASSWORD_MAX + 1];
	static char over_max[SECRET_PASSWORD_MAX + 2];
	const struct {
		const char *password;
		enum kith_status want;
	} cases[] = {
		{ "", KITH_EINPUT },
		{ NULL, KITH_EINPUT },
		{ over_max, KITH_EINPUT },
		{ at_max, KITH_OK },
		{ "a", KITH_OK },
	};

	(void)state;
	memset(at_max, 'p', SECRET_PASSWORD_MAX);
	memset(over_max, 'p', SECRET_PASSWORD_MAX + 1);
	for (size_t i = 0; i < N_ROWS(cases); i++) {
		struct kith_err err = { 0 };
		char hash[SECRET_HASH_MAX];
		int rc;

		memset(hash, 'z', sizeof(hash));
		rc = secret_password_hash(hash, cases[i].password, &err);
		if (rc != (int)cases[i].want)
			fail_msg("row %zu: got %s, want %s", i + 1,
				 kith_status_name(rc),
				 kith_status_name(cases[i].want));
		if (rc == KITH_OK) {
			assert_true(secret_password_verify(hash,
							   cases[i].password));
			continue;
		}
		assert_int_equal(err.status, KITH_EINPUT);
		assert_string_equal(err.field, "password");
		assert_string_equal(hash, "");
		/* The message never repeats the password. */
		assert_null(strstr(err.msg, "pppp"));
	}
	/* Over the limit is refused by verify too, without hashing. */
	assert_false(secret_password_verify("$argon2id$", over_max));
}

/* Stored strings that are not ours never verify. */
static void test_password_bad_stored(void **state)
{
	static char unterminated[SECRET_HASH_MAX];
	const char *const stored[] = {
		NULL,
		"",
		"hunter2",
		"$argon2id$",
		"$argon2id$v=19$m=65536,t=2,p=1$AAAA$AAAA",
		"$2b$12$abcdefghijklmnopqrstuv",
		unterminated,
	};
	char good[SECRET_HASH_MAX], trunc[SECRET_HASH_MAX];

	(void)state;
	memset(unterminated, '$', sizeof(unterminated));
	for (size_t i = 0; i < N_ROWS(stored); i++)
		if (secret_password_verify(stored[i], "hunter2"))
			fail_msg("row %zu: accepted", i + 1);
	assert_int_equal(secret_password_hash(good, "hunter2", NULL), KITH_OK);
	memcpy(trunc, good, sizeof(trunc));
	trunc[strlen(trunc) - 1] = '\0';
	assert_false(secret_password_verify(trunc, "hunter2"));
}

/* Once at the real limits: the default path works, its string says so,
 * and fast and interactive hashes verify alike. */
static void test_password_interactive(void **state)
{
	char slow[SECRET_HASH_MAX], fast[SECRET_HASH_MAX];

	(void)state;
	secret_set_fast_hashing(false);
	assert_int_equal(secret_password_hash(slow, "hunter2", NULL), KITH_OK);
	secret_set_fast_hashing(true);
	assert_int_equal(secret_password_hash(fast, "hunter2", NULL), KITH_OK);
	/* OWASP argon2id: 19 MiB, two passes (see secret.c). */
	assert_non_null(strstr(slow, "$m=19456,t=2,"));
	assert_non_null(strstr(fast, "$m=8,t=1,"));
	assert_true(secret_password_verify(slow, "hunter2"));
	assert_true(secret_password_verify(fast, "hunter2"));
	assert_false(secret_password_verify(slow, "hunter3"));
}

/* ---- tokens ---- */

static int is_b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

#define DRAWS 1000

/* Each prefix: DRAWS tokens of the right shape, all different. */
static void test_token_new(void **state)
{
	static const char *const prefixes[] = {
		SECRET_PREFIX_TOKEN,
		SECRET_PREFIX_SESSION,
		SECRET_PREFIX_CSRF,
		SECRET_PREFIX_HOOK,
	};
	static char tok[DRAWS][SECRET_TOKEN_MAX];

	(void)state;
	assert_string_equal(SECRET_PREFIX_TOKEN, "kith_tok_");
	assert_string_equal(SECRET_PREFIX_SESSION, "kith_ses_");
	assert_string_equal(SECRET_PREFIX_CSRF, "kith_csrf_");
	assert_string_equal(SECRET_PREFIX_HOOK, "kith_hook_");
	for (size_t p = 0; p < N_ROWS(prefixes); p++) {
		size_t plen = strlen(prefixes[p]);

		for (size_t i = 0; i < DRAWS; i++) {
			secret_token_new(tok[i], sizeof(tok[i]), prefixes[p]);
			assert_int_equal(strlen(tok[i]), plen + 43);
			assert_memory_equal(tok[i], prefixes[p], plen);
			for (size_t k = plen; tok[i][k]; k++)
				if (!is_b64url(tok[i][k]))
					fail_msg("prefix %zu draw %zu: '%c' is "
						 "not base64url",
						 p + 1, i + 1, tok[i][k]);
		}
		qsort(tok, DRAWS, sizeof(tok[0]), cmp_str);
		for (size_t i = 1; i < DRAWS; i++)
			if (strcmp(tok[i - 1], tok[i]) == 0)
				fail_msg("prefix %zu: duplicate token", p + 1);
	}
}

/* An exact-size buffer is enough. */
static void test_token_tight_buffer(void **state)
{
	char buf[10 + 43 + 1 + 1];

	(void)state;
	buf[sizeof(buf) - 1] = '#';
	secret_token_new(buf, sizeof(buf) - 1, SECRET_PREFIX_CSRF);
	assert_int_equal(strlen(buf), 53);
	assert_int_equal(buf[sizeof(buf) - 1], '#');
}

static void test_token_hash(void **state)
{
	static const struct {
		const char *token;
		const char *want;	/* BLAKE2b-256; NULL: only check shape */
	} cases[] = {
		/* RFC 7693 computes BLAKE2b-512 of "abc"; the 256-bit
		 * digest below is b2sum -l 256 of the same 3 bytes. */
		{ "abc", "bddd813c634239723171ef3fee98579b"
			 "94964e3bb1cb3e427262c8c068d52319" },
		{ "", "0e5751c026e543b2e8ab2eb06099daa1"
		      "d1e5df47778f7787faab45cdf12fe3a8" },
		{ "kith_tok_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL },
	};
	char tok[SECRET_TOKEN_MAX];
	char h1[SECRET_TOKEN_HASH_MAX], h2[SECRET_TOKEN_HASH_MAX];

	(void)state;
	for (size_t i = 0; i < N_ROWS(cases); i++) {
		secret_token_hash(h1, cases[i].token);
		secret_token_hash(h2, cases[i].token);
		assert_string_equal(h1, h2);
		assert_int_equal(strlen(h1), 64);
		assert_int_equal(strspn(h1, "0123456789abcdef"), 64);
		if (cases[i].want && strcmp(h1, cases[i].want) != 0)
			fail_msg("row %zu: got %s", i + 1, h1);
	}
	/* Different tokens, different hashes; the hash is not the token. */
	secret_token_new(tok, sizeof(tok), SECRET_PREFIX_SESSION);
	secret_token_hash(h1, tok);
	tok[strlen(tok) - 1] ^= 1;
	secret_token_hash(h2, tok);
	assert_string_not_equal(h1, h2);
	assert_null(strstr(h1, tok + 9));
}

/* ---- constant-time equality ---- */

static void test_equal(void **state)
{
	static const struct {
		const char *a, *b;
		bool want;
	} cases[] = {
		{ "kith_csrf_abc", "kith_csrf_abc", true },
		{ "", "", true },
		{ "kith_csrf_abc", "kith_csrf_abd", false },
		{ "kith_csrf_abc", "Kith_csrf_abc", false },
		{ "kith_csrf_abc", "kith_csrf_ab", false },
		{ "kith_csrf_ab", "kith_csrf_abc", false },
		{ "abc", "", false },
		{ "", "abc", false },
		{ NULL, "abc", false },
		{ "abc", NULL, false },
		{ NULL, NULL, false },
	};

	(void)state;
	for (size_t i = 0; i < N_ROWS(cases); i++)
		if (secret_equal(cases[i].a, cases[i].b) != cases[i].want)
			fail_msg("row %zu: want %s", i + 1,
				 cases[i].want ? "equal" : "unequal");
}

/* ---- rate limiter ---- */

#define T0 1767225600LL	/* 2026-01-01T00:00:00Z */

/* One step of a script run against one limiter: at time T0 + at, do op
 * on key, then expect blocked and Retry-After. */
enum rl_op { FAIL, CHECK, CLEAR };

struct rl_step {
	int at;
	enum rl_op op;
	const char *key;
	bool blocked;		/* for CHECK */
	int retry;		/* for CHECK */
};

static void run_script(const char *name, int limit, int window,
		       size_t capacity, const struct rl_step *s, size_t n)
{
	struct ratelimit *rl = ratelimit_new(limit, window, capacity);

	assert_non_null(rl);
	for (size_t i = 0; i < n; i++) {
		kith_time now = T0 + s[i].at;
		int retry = -1;
		bool got;

		switch (s[i].op) {
		case FAIL:
			ratelimit_fail(rl, s[i].key, now);
			break;
		case CLEAR:
			ratelimit_clear(rl, s[i].key);
			break;
		case CHECK:
			got = ratelimit_blocked(rl, s[i].key, now, &retry);
			if (got != s[i].blocked || retry != s[i].retry)
				fail_msg("%s step %zu: got %s/%d, want %s/%d",
					 name, i + 1,
					 got ? "blocked" : "free", retry,
					 s[i].blocked ? "blocked" : "free",
					 s[i].retry);
			break;
		}
	}
	ratelimit_free(rl);
}

#define RUN(name, limit, window, cap, steps) \
	run_script(name, limit, window, cap, steps, N_ROWS(steps))

#define ANA "acct:ana@studio.example"
#define BEN "acct:ben@studio.example"
#define LO "addr:127.0.0.1"

/* Free until the limit-th failure, then blocked; other keys unaffected. */
static void test_rl_blocks_at_limit(void **state)
{
	static const struct rl_step steps[] = {
		{ 0, CHECK, ANA, false, 0 },
		{ 0, FAIL, ANA, false, 0 },
		{ 1, FAIL, ANA, false, 0 },
		{ 2, CHECK, ANA, false, 0 },
		{ 2, FAIL, ANA, false, 0 },
		{ 3, CHECK, ANA, false, 0 },
		{ 3, FAIL, ANA, false, 0 },
		{ 3, CHECK, BEN, false, 0 },
		{ 3, CHECK, LO, false, 0 },
		{ 4, FAIL, ANA, false, 0 },	/* the 5th */
		{ 4, CHECK, ANA, true, 56 },	/* first fail + 60 - 4 */
		{ 4, CHECK, "acct:ana@studio.exampl", false, 0 },
		{ 4, CHECK, "acct:ana@studio.example ", false, 0 },
	};

	(void)state;
	RUN("limit", 5, 60, 16, steps);
}

/* Retry-After counts down; once the oldest failure leaves the window the
 * key is free, and blocks again only when limit failures are back within
 * one window (sliding, not fixed, windows). */
static void test_rl_window(void **state)
{
	static const struct rl_step steps[] = {
		{ 0, FAIL, ANA, false, 0 },
		{ 10, FAIL, ANA, false, 0 },
		{ 20, FAIL, ANA, false, 0 },
		{ 20, CHECK, ANA, true, 40 },
		{ 30, CHECK, ANA, true, 30 },
		{ 59, CHECK, ANA, true, 1 },
		{ 60, CHECK, ANA, false, 0 },	/* the one at 0 is out */
		{ 61, FAIL, ANA, false, 0 },	/* 10, 20, 61 */
		{ 61, CHECK, ANA, true, 9 },	/* until 10 is out */
		{ 70, CHECK, ANA, false, 0 },
		{ 200, CHECK, ANA, false, 0 },	/* all gone: forgotten */
		{ 200, FAIL, ANA, false, 0 },
		{ 201, FAIL, ANA, false, 0 },
		{ 201, CHECK, ANA, false, 0 },	/* 2 of 3 */
		{ 202, FAIL, ANA, false, 0 },
		{ 202, CHECK, ANA, true, 58 },
	};

	(void)state;
	RUN("window", 3, 60, 16, steps);
}

/* limit 1: one failure blocks for the whole window. */
static void test_rl_limit_one(void **state)
{
	static const struct rl_step steps[] = {
		{ 0, FAIL, LO, false, 0 },
		{ 0, CHECK, LO, true, 900 },
		{ 899, CHECK, LO, true, 1 },
		{ 900, CHECK, LO, false, 0 },
		{ 900, FAIL, LO, false, 0 },
		{ 901, CHECK, LO, true, 899 },
	};

	(void)state;
	RUN("one", 1, 900, 4, steps);
}

/* Clearing a key (login succeeded) frees it at once, and only it. */
static void test_rl_clear(void **state)
{
	static const struct rl_step steps[] = {
		{ 0, FAIL, ANA, false, 0 },
		{ 0, FAIL, ANA, false, 0 },
		{ 0, FAIL, BEN, false, 0 },
		{ 0, FAIL, BEN, false, 0 },
		{ 1, CHECK, ANA, true, 59 },
		{ 1, CLEAR, ANA, false, 0 },
		{ 1, CHECK, ANA, false, 0 },
		{ 1, CHECK, BEN, true, 59 },
		{ 1, CLEAR, "acct:nobody@studio.example", false, 0 },
		{ 2, FAIL, ANA, false, 0 },	/* counts from zero again */
		{ 2, CHECK, ANA, false, 0 },
		{ 3, FAIL, ANA, false, 0 },
		{ 3, CHECK, ANA, true, 59 },
	};

	(void)state;
	RUN("clear", 2, 60, 8, steps);
}

/* Capacity 3: a fourth key evicts the one whose last failure is oldest,
 * and a failure refreshes a key's place. */
static void test_rl_evict(void **state)
{
	static const struct rl_step steps[] = {
		{ 0, FAIL, "k1", false, 0 },
		{ 0, FAIL, "k1", false, 0 },
		{ 1, FAIL, "k2", false, 0 },
		{ 1, FAIL, "k2", false, 0 },
		{ 2, FAIL, "k3", false, 0 },
		{ 2, FAIL, "k3", false, 0 },
		{ 3, FAIL, "k1", false, 0 },	/* k1 newest now; k2 oldest */
		{ 4, CHECK, "k1", true, 56 },	/* its last 2: 0 and 3 */
		{ 4, CHECK, "k2", true, 57 },
		{ 4, CHECK, "k3", true, 58 },
		{ 5, FAIL, "k4", false, 0 },	/* evicts k2 */
		{ 5, CHECK, "k2", false, 0 },
		{ 5, CHECK, "k1", true, 55 },
		{ 5, CHECK, "k3", true, 57 },
		{ 5, FAIL, "k4", false, 0 },
		{ 5, CHECK, "k4", true, 60 },
		{ 6, FAIL, "k5", false, 0 },	/* evicts k3 */
		{ 6, CHECK, "k3", false, 0 },
		{ 6, CHECK, "k1", true, 54 },
		{ 6, CHECK, "k4", true, 59 },
	};

	(void)state;
	RUN("evict", 2, 60, 3, steps);
}

/* A check forgets a key once its last failure is window seconds old,
 * which frees its slot: here a new key takes that slot instead of
 * evicting the live key that is oldest by order of calls. */
static void test_rl_forget(void **state)
{
	static const struct rl_step steps[] = {
		{ 30, FAIL, "live", false, 0 },
		{ 0, FAIL, "stale", false, 0 },	/* a late report */
		{ 60, CHECK, "stale", false, 0 },	/* 0 + 60: forgotten */
		{ 60, FAIL, "new", false, 0 },
		{ 60, CHECK, "live", true, 30 },
		{ 60, CHECK, "new", true, 60 },
	};

	(void)state;
	RUN("forget", 1, 60, 2, steps);
}

/* Many more keys than capacity, then every slot reused many times: the
 * last `capacity` keys are all still there and blocked. */
static void test_rl_churn(void **state)
{
	enum { CAP = 64, KEYS = 5000 };
	struct ratelimit *rl = ratelimit_new(1, 60, CAP);
	char key[32];
	int retry;

	(void)state;
	assert_non_null(rl);
	for (int k = 0; k < KEYS; k++) {
		snprintf(key, sizeof(key), "addr:10.0.%d.%d", k / 256, k % 256);
		ratelimit_fail(rl, key, T0);
	}
	for (int k = 0; k < KEYS; k++) {
		snprintf(key, sizeof(key), "addr:10.0.%d.%d", k / 256, k % 256);
		if (ratelimit_blocked(rl, key, T0, &retry) != (k >= KEYS - CAP))
			fail_msg("key %d", k);
	}
	ratelimit_free(rl);
	ratelimit_free(NULL);
}

/* Threads hammer one limiter with fail/check/clear on shared and private
 * keys, with a table small enough to evict all the time. The point is no
 * crash and no race (run under -fsanitize=thread); afterwards the limiter
 * still counts right. */
#define THREADS 8
#define ROUNDS 20000

struct hammer {
	struct ratelimit *rl;
	int id;
	int blocked;
};

static void *hammer_run(void *arg)
{
	struct hammer *h = arg;
	char key[48];
	int retry;

	for (int r = 0; r < ROUNDS; r++) {
		kith_time now = T0 + r / 100;

		if (r % 3 == 0)
			snprintf(key, sizeof(key), "addr:shared-%d", r % 17);
		else
			snprintf(key, sizeof(key), "acct:t%d-%d@x", h->id,
				 r % 101);
		switch (r % 7) {
		case 0:
			ratelimit_clear(h->rl, key);
			break;
		case 1:
		case 2:
			if (ratelimit_blocked(h->rl, key, now, &retry)) {
				h->blocked++;
				if (retry < 1 || retry > 30)
					return "bad retry";
			}
			break;
		default:
			ratelimit_fail(h->rl, key, now);
			break;
		}
	}
	return NULL;
}

static void test_rl_threads(void **state)
{
	struct ratelimit *rl = ratelimit_new(3, 30, 128);
	struct hammer h[THREADS];
	pthread_t tid[THREADS];
	int retry;

	(void)state;
	assert_non_null(rl);
	for (int t = 0; t < THREADS; t++) {
		h[t] = (struct hammer){ .rl = rl, .id = t };
		assert_int_equal(pthread_create(&tid[t], NULL, hammer_run,
						&h[t]), 0);
	}
	for (int t = 0; t < THREADS; t++) {
		void *res;

		assert_int_equal(pthread_join(tid[t], &res), 0);
		if (res)
			fail_msg("thread %d: %s", t, (const char *)res);
	}
	for (int i = 0; i < 3; i++) {
		assert_false(ratelimit_blocked(rl, ANA, T0 + 1000, &retry));
		ratelimit_fail(rl, ANA, T0 + 1000);
	}
	assert_true(ratelimit_blocked(rl, ANA, T0 + 1000, &retry));
	assert_int_equal(retry, 30);
	ratelimit_free(rl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_round_trip),
		cmocka_unit_test(test_password_wrong),
		cmocka_unit_test(test_password_salted),
		cmocka_unit_test(test_password_bad_input),
		cmocka_unit_test(test_password_bad_stored),
		cmocka_unit_test(test_password_interactive),
		cmocka_unit_test(test_token_new),
		cmocka_unit_test(test_token_tight_buffer),
		cmocka_unit_test(test_token_hash),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_rl_blocks_at_limit),
		cmocka_unit_test(test_rl_window),
		cmocka_unit_test(test_rl_limit_one),
		cmocka_unit_test(test_rl_clear),
		cmocka_unit_test(test_rl_evict),
		cmocka_unit_test(test_rl_forget),
		cmocka_unit_test(test_rl_churn),
		cmocka_unit_test(test_rl_threads),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
