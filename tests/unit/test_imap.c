/*
 * test_imap.c: the parts of src/app/imap.c that need no server: mailbox
 * URLs (table rows), sealed passwords and the key file, and the backoff.
 * The IMAP conversation itself runs against a real dovecot in
 * tests/cli/T310-imap.sh.
 */
#include "unit.h"
#include "app/imap.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_url(void **state)
{
	static const struct {
		const char *url;
		const char *want;	/* "tls user host port mailbox" */
		const char *error;	/* in the message when refused */
	} rows[] = {
		{ "imaps://ana@mail.example/INBOX", "1 ana mail.example 993 INBOX", NULL },
		{ "imap://ana@mail.example", "0 ana mail.example 143 INBOX", NULL },
		{ "IMAPS://ana@mail.example:1993/Sent", "1 ana mail.example 1993 Sent", NULL },
		{ "imaps://ana%40studio.example@mail.example/INBOX",
		  "1 ana@studio.example mail.example 993 INBOX", NULL },
		{ "imaps://ana@studio.example@mail.example/INBOX",
		  "1 ana@studio.example mail.example 993 INBOX", NULL },
		{ "imaps://ana@[::1]:993/Archive%2F2026",
		  "1 ana ::1 993 Archive/2026", NULL },
		{ "imaps://ana@mail.example/Caf%C3%A9", "1 ana mail.example 993 Café", NULL },
		{ "https://mail.example/", NULL, "expected imaps://" },
		{ "imaps://mail.example/INBOX", NULL, "name the user" },
		{ "imaps://ana:pw@mail.example/INBOX", NULL, "no password" },
		{ "imaps://ana@mail.example:0/INBOX", NULL, "bad port" },
		{ "imaps://ana@mail.example:99999/INBOX", NULL, "bad port" },
		{ "imaps://ana@mail.example:x/INBOX", NULL, "bad port" },
		{ "imaps://ana@/INBOX", NULL, "no host" },
		{ "imaps://ana@[::1/INBOX", NULL, "unclosed" },
		{ "imaps://ana@mail.example/IN%0D%0ABOX", NULL, "control" },
		{ "imaps://ana@mail.example/%ZZ", NULL, "escape" },
		{ NULL, NULL, "expected imaps://" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct imap_url u;
		struct kith_err err = { 0 };
		char got[512];
		int rc = imap_url_parse(&u, rows[i].url, &err);

		if (rows[i].want) {
			if (rc)
				fail_msg("%s: %s", rows[i].url, err.msg);
			snprintf(got, sizeof(got), "%d %s %s %d %s", u.tls,
				 u.user, u.host, u.port, u.mailbox);
			if (strcmp(got, rows[i].want))
				fail_msg("%s: got \"%s\"", rows[i].url, got);
			imap_url_clear(&u);
		} else {
			if (rc != KITH_EINPUT || strcmp(err.field, "url") ||
			    !strstr(err.msg, rows[i].error))
				fail_msg("%s: rc %d, %s: %s", rows[i].url ? rows[i].url : "NULL",
					 rc, err.field, err.msg);
		}
	}
}

static void test_seal(void **state)
{
	struct mail_key k1, k2;
	struct kith_err err = { 0 };
	char *sealed = NULL, *sealed2 = NULL, *open = NULL;

	(void)state;
	randombytes_buf(k1.k, sizeof(k1.k));
	randombytes_buf(k2.k, sizeof(k2.k));
	assert_int_equal(mail_seal(&sealed, &k1, "app-password 1", &err), 0);
	assert_null(strstr(sealed, "app-password"));
	assert_int_equal(mail_seal(&sealed2, &k1, "app-password 1", &err), 0);
	assert_string_not_equal(sealed, sealed2);	/* a fresh nonce */
	assert_int_equal(mail_unseal(&open, &k1, sealed, &err), 0);
	assert_string_equal(open, "app-password 1");
	free(open);
	assert_int_equal(mail_unseal(&open, &k2, sealed, &err), KITH_EINPUT);
	assert_null(open);
	assert_string_equal(err.field, "key");
	sealed[5] ^= 1;
	assert_int_equal(mail_unseal(&open, &k1, sealed, &err), KITH_EINPUT);
	assert_int_equal(mail_unseal(&open, &k1, "!!", &err), KITH_EINPUT);
	free(sealed);
	free(sealed2);
}

static void test_key_file(void **state)
{
	char dir[] = "/tmp/kith-test-imap-XXXXXX", db[300], key[310];
	struct mail_key a, b;
	struct kith_err err = { 0 };
	struct stat sb;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/kith.db", dir);
	snprintf(key, sizeof(key), "%s.mailkey", db);
	unsetenv("KITH_MAIL_KEY");
	assert_int_equal(mail_key_load(&a, db, false, &err), KITH_ENOTFOUND);
	assert_int_equal(mail_key_load(&a, db, true, &err), KITH_OK);
	assert_int_equal(stat(key, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(mail_key_load(&b, db, false, &err), KITH_OK);
	assert_memory_equal(a.k, b.k, sizeof(a.k));
	chmod(key, 0640);
	assert_int_equal(mail_key_load(&b, db, false, &err), KITH_EINPUT);
	chmod(key, 0600);
	setenv("KITH_MAIL_KEY",
	       "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	       1);
	assert_int_equal(mail_key_load(&b, db, false, &err), KITH_OK);
	assert_int_equal(b.k[31], 0x1f);
	setenv("KITH_MAIL_KEY", "00zz", 1);
	assert_int_equal(mail_key_load(&b, db, false, &err), KITH_EINPUT);
	assert_string_equal(err.field, "KITH_MAIL_KEY");
	unsetenv("KITH_MAIL_KEY");
	unlink(key);
	rmdir(dir);
}

static void test_backoff(void **state)
{
	static const int64_t want[] = { 60, 60, 120, 240, 480, 960, 1920,
					3600, 3600 };

	(void)state;
	for (int i = 0; i < 9; i++)
		assert_int_equal(imap_backoff(i), want[i]);
	assert_int_equal(imap_backoff(1000), 3600);
}

static void test_allow(void **state)
{
	struct kith_err err = { 0 };

	(void)state;
	assert_int_equal(mail_allow_add("mail.internal", &err), KITH_OK);
	assert_int_equal(mail_allow_add("10.0.0.5:143", &err), KITH_OK);
	assert_int_equal(mail_allow_add("[::1]:993", &err), KITH_OK);
	assert_int_equal(mail_allow_add("host:0", &err), KITH_EINPUT);
	assert_int_equal(mail_allow_add("", &err), KITH_EINPUT);
	assert_string_equal(err.field, "--mail-allow");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url),	 cmocka_unit_test(test_seal),
		cmocka_unit_test(test_key_file), cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_allow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
