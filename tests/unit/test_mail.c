/*
 * test_mail.c: the email header parser (src/input/mail.c) over the corpus
 * in tests/data/mail/: one message per quirk (RFC 2047 words in UTF-8,
 * ISO-2022-JP, KOI8-R, GB2312, Shift_JIS and windows-1252, words split
 * mid-character, raw Latin-1 and raw UTF-8, folding, group syntax,
 * Resent-*, lists, bulk, auto-replies, bounces, malformed lines, CRLF),
 * each pinned as the whole parse, field by field.
 */
#include "unit.h"
#include "mail_dump.h"

#include <stdlib.h>

#define DATA "tests/data/mail/"

static const struct {
	const char *file;
	enum kith_status want;
	const char *parse;	/* mail_dump of the result; NULL on error */
} corpus[] = {
	{ "01-plain.eml", KITH_OK,
		  "From=Dana Harbor <dana@harbor.example>"
		  "|To=Ana Studio <ana@studio.example>"
		  "|subject=Pricing for the spring campaign"
		  "|date=2026-11-19T10:15:00Z"
		  "|id=m01@harbor.example"	},
	{ "02-rfc2047-q-utf8.eml", KITH_OK,
		  "From=José Nuñez <jose.nunez@example.com>"
		  "|To=ana@studio.example"
		  "|subject=Café au lait ☕"
		  "|date=2026-11-19T10:00:00Z"
		  "|id=m02@example.com"	},
	{ "03-iso2022jp.eml", KITH_OK,
		  "From=山田太郎 <taro@example.jp>"
		  "|To=ana@studio.example"
		  "|subject=お見積もりの件"
		  "|date=2026-11-20T00:00:00Z"
		  "|id=m03@example.jp"	},
	{ "04-koi8r.eml", KITH_OK,
		  "From=Иван <ivan@example.ru>"
		  "|To=ana@studio.example"
		  "|subject=Встреча в пятницу"
		  "|date=2026-11-18T05:00:00Z"
		  "|id=m04@example.ru"	},
	{ "05-latin1-raw.eml", KITH_OK,
		  "From=Renée Dupont <renee@example.fr>"
		  "|To=ana@studio.example"
		  "|subject=Réunion de l'équipe"
		  "|date=2026-11-17T13:00:00Z"
		  "|id=m05@example.fr"	},
	{ "06-windows1252-q.eml", KITH_OK,
		  "From=O'Brien, Pat <pat@quay.example>"
		  "|To=ana@studio.example"
		  "|subject=“Quoted” – dashes"
		  "|date=2026-11-16T21:30:00Z"
		  "|id=m06@quay.example"	},
	{ "07-split-words.eml", KITH_OK,
		  "From=Lee <lee@example.org>"
		  "|To=ana@studio.example"
		  "|subject=café and tea"
		  "|date=2026-11-15T12:00:00Z"
		  "|id=m07@example.org"	},
	{ "08-folded.eml", KITH_OK,
		  "From=Dana Harbor <dana@harbor.example>"
		  "|To=ana@studio.example,bo@studio.example,Carla (ops) <carla@harbor.example>"
		  "|subject=A subject that was folded across three lines"
		  "|date=2026-11-19T10:15:00Z"
		  "|id=m08@harbor.example"	},
	{ "09-group.eml", KITH_OK,
		  "From=Ops Team <ops@harbor.example>"
		  "|To=ana@studio.example,Bo B. <bo@studio.example>"
		  "|subject=group syntax"
		  "|date=2026-11-19T10:15:00Z"
		  "|id=m09@harbor.example"	},
	{ "10-resent.eml", KITH_OK,
		  "From=Dana Harbor <dana@harbor.example>"
		  "|To=ana@studio.example"
		  "|Resent-From=Carla <carla@harbor.example>"
		  "|Resent-To=bo@studio.example"
		  "|Resent-Cc=ana@studio.example"
		  "|subject=Fwd: the brief"
		  "|date=2026-11-19T10:15:00Z"
		  "|id=m10@harbor.example"	},
	{ "11-list.eml", KITH_OK,
		  "From=Design Weekly <news@list.example>"
		  "|To=design-weekly@list.example"
		  "|subject=Issue 42"
		  "|date=2026-11-19T06:00:00Z"
		  "|id=m11@list.example"
		  "|list=Design Weekly <design-weekly.list.example>"
		  "|bulk"	},
	{ "12-bulk.eml", KITH_OK,
		  "From=Offers <offers@shop.example>"
		  "|To=ana@studio.example"
		  "|subject=20% off"
		  "|date=2026-11-19T07:00:00Z"
		  "|id=m12@shop.example"
		  "|bulk"	},
	{ "13-autoreply.eml", KITH_OK,
		  "From=Dana Harbor <dana@harbor.example>"
		  "|To=ana@studio.example"
		  "|subject=Out of office: Pricing"
		  "|date=2026-11-19T10:16:00Z"
		  "|id=m13@harbor.example"
		  "|parent=o01@studio.example"
		  "|auto"	},
	{ "14-auto-no.eml", KITH_OK,
		  "From=Dana Harbor <dana@harbor.example>"
		  "|To=ana@studio.example"
		  "|subject=Written by a person"
		  "|date=2026-11-19T10:17:00Z"
		  "|id=m14@harbor.example"	},
	{ "15-noreply.eml", KITH_OK,
		  "From=Billing <no-reply@billing.example>"
		  "|To=ana@studio.example"
		  "|subject=Your invoice"
		  "|date=2026-11-19T10:18:00Z"
		  "|id=m15@billing.example"	},
	{ "16-reply.eml", KITH_OK,
		  "From=Ana Studio <ana@studio.example>"
		  "|To=Dana Harbor <dana@harbor.example>"
		  "|subject=Re: Pricing for the spring campaign"
		  "|date=2026-11-19T11:45:00Z"
		  "|id=o16@studio.example"
		  "|parent=m01@harbor.example"
		  "|refs=root@harbor.example,mid@harbor.example,m01@harbor.example"	},
	{ "17-no-message-id.eml", KITH_OK,
		  "From=Dana Harbor <dana@harbor.example>"
		  "|To=ana@studio.example"
		  "|subject=no id"
		  "|date=2026-11-19T12:00:00Z"	},
	{ "18-malformed.eml", KITH_OK,
		  "From=broken@example.org"
		  "|To=ana@studio.example,pat@quay.example"
		  "|subject=no space after the colon"
		  "|id=not-in-brackets@example.org"
		  "|refs=r1@example.org"	},
	{ "19-crlf.eml", KITH_OK,
		  "From=Dana Harbor <dana@harbor.example>"
		  "|To=ana@studio.example"
		  "|subject=CRLF line ends"
		  "|date=2026-11-19T10:15:00Z"
		  "|id=m19@harbor.example"	},
	{ "20-bounce.eml", KITH_OK,
		  "From=Mail Delivery System <mailer-daemon@mx.studio.example>"
		  "|To=ana@studio.example"
		  "|subject=Undelivered Mail Returned to Sender"
		  "|date=2026-11-19T10:20:00Z"
		  "|id=m20@mx.studio.example"
		  "|auto"	},
	{ "21-gb2312-sjis.eml", KITH_OK,
		  "From=李华 <li@example.cn>"
		  "|To=佐藤 <sato@example.jp>"
		  "|subject=报价確認"
		  "|date=2026-11-19T02:21:00Z"
		  "|id=m21@example.cn"	},
	{ "22-utf8-raw.eml", KITH_OK,
		  "From=Zoë Grüber <zoe@example.de>"
		  "|To=ana@studio.example"
		  "|subject=Grüße aus München"
		  "|date=2026-11-19T09:22:00Z"
		  "|id=m22@example.de"	},
	{ "23-empty.eml", KITH_EINPUT, NULL },
	{ "24-no-header.eml", KITH_EINPUT, NULL },
	{ "25-upper.eml", KITH_OK,
		  "From=ANA STUDIO <ana@studio.example>"
		  "|To=dana@harbor.example"
		  "|subject=SHOUTING"
		  "|date=2026-11-19T10:25:00Z"
		  "|id=M25@STUDIO.EXAMPLE"	},
	{ "26-obsolete-date.eml", KITH_OK,
		  "From=Pat Quay <pat@quay.example>"
		  "|To=ana@studio.example"
		  "|subject=obsolete zone and comment"
		  "|date=2026-11-19T10:26:00Z"
		  "|id=m26@quay.example"	},
	{ "27-sender-replyto-bcc.eml", KITH_OK,
		  "From=Dana Harbor <dana@harbor.example>"
		  "|Sender=Assistant <assist@harbor.example>"
		  "|Reply-To=projects@harbor.example"
		  "|To=ana@studio.example"
		  "|Bcc=bo@studio.example"
		  "|subject=via an assistant"
		  "|date=2026-11-19T10:27:00Z"
		  "|id=m27@harbor.example"	},
	{ "28-encoded-addr-name-and-junk-2047.eml", KITH_OK,
		  "From=not base64!xA <odd@example.org>"
		  "|To=André <andre@example.org>"
		  "|subject==?UTF-8?Q?unterminated word"
		  "|date=2026-11-19T10:28:00Z"
		  "|id=m28@example.org"	},
};

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 20);

	assert_non_null(f);
	assert_non_null(buf);
	*n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	return buf;
}

static void test_corpus(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(corpus) / sizeof(*corpus); i++) {
		char path[256], got[4096];
		struct mail_header m;
		struct kith_err err = { 0 };
		size_t n;
		char *data;
		int rc;

		snprintf(path, sizeof(path), DATA "%s", corpus[i].file);
		data = slurp(path, &n);
		rc = mail_parse_header(&m, data, n, &err);
		if (rc != (int)corpus[i].want)
			fail_msg("%s: status %d, want %d (%s)", corpus[i].file,
				 rc, corpus[i].want, err.msg);
		if (!rc) {
			mail_dump(got, sizeof(got), &m);
			if (strcmp(got, corpus[i].parse))
				fail_msg("%s:\n got  %s\n want %s",
					 corpus[i].file, got, corpus[i].parse);
			mail_header_clear(&m);
		} else {
			assert_string_equal(err.field, "header");
		}
		free(data);
	}
}

/* The body is never read: a header followed by megabytes of junk, or by
 * a line that looks like a header, parses as the header alone. */
static void test_header_only(void **state)
{
	static const char msg[] = "From: a@x.example\nSubject: s\n\n"
				  "Subject: not this\nFrom: b@y.example\n";
	struct mail_header m;
	struct kith_err err = { 0 };

	(void)state;
	assert_int_equal(mail_header_end(msg, sizeof(msg) - 1), 30);
	assert_int_equal(mail_header_end("A: b\r\n\r\nbody", 12), 8);
	assert_int_equal(mail_header_end("A: b\n", 5), 5);
	assert_int_equal(mail_header_end("", 0), 0);
	assert_int_equal(mail_parse_header(&m, msg, sizeof(msg) - 1, &err),
			 KITH_OK);
	assert_string_equal(m.subject, "s");
	assert_int_equal(m.a[MAIL_FROM].n, 1);
	assert_string_equal(m.a[MAIL_FROM].v[0].addr, "a@x.example");
	mail_header_clear(&m);
}

static void test_noreply(void **state)
{
	static const struct {
		const char *addr;
		bool want;
	} rows[] = {
		{ "noreply@x.example", true },
		{ "No-Reply@x.example", true },
		{ "noreply+billing@x.example", true },
		{ "do-not-reply@x.example", true },
		{ "DoNotReply@x.example", true },
		{ "MAILER-DAEMON@x.example", true },
		{ "postmaster@x.example", true },
		{ "bounces+123@x.example", true },
		{ "notifications@github.example", true },
		{ "dana@harbor.example", false },
		{ "norah@x.example", false },
		{ "replies@x.example", false },
		{ "noreply", false },
		{ NULL, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++)
		if (mail_addr_noreply(rows[i].addr) != rows[i].want)
			fail_msg("%s: want %d", rows[i].addr ? rows[i].addr
							     : "NULL",
				 rows[i].want);
}

static void test_addrs(void **state)
{
	static const struct {
		const char *value;
		const char *want;	/* addresses, "," between */
	} rows[] = {
		{ "ana@studio.example", "ana@studio.example" },
		{ "\"Last, First\" <A@B.example>, c@d.example",
		  "a@b.example,c@d.example" },
		{ "Team: x@y.example, z@y.example;", "x@y.example,z@y.example" },
		{ "undisclosed-recipients:;", "" },
		{ "", "" },
		{ "<<<>>>, @, a@, @b", "" },
		{ "=?UTF-8?Q?Jos=C3=A9?= <jose@x.example>", "jose@x.example" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct mail_addrs a;
		struct kith_err err = { 0 };
		char got[512] = "";
		size_t off = 0;

		assert_int_equal(mail_parse_addrs(&a, rows[i].value, &err),
				 KITH_OK);
		for (size_t k = 0; k < a.n; k++)
			off += (size_t)snprintf(got + off, sizeof(got) - off,
						"%s%s", k ? "," : "",
						a.v[k].addr);
		if (strcmp(got, rows[i].want))
			fail_msg("\"%s\": got \"%s\", want \"%s\"",
				 rows[i].value, got, rows[i].want);
		mail_addrs_clear(&a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_header_only),
		cmocka_unit_test(test_noreply),
		cmocka_unit_test(test_addrs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
