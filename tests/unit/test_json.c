/* test_json.c: kj_contact_dump writes the bytes jansson would. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/json.h"
#include "server/http.h"

/* The flags http_json dumps with (the API's spelling). */
#define HTTP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | \
		    JSON_REAL_PRECISION(12))

static void push_all(struct strlist *l, const char *const *v)
{
	for (; v && *v; v++)
		assert_int_equal(strlist_push(l, *v), 0);
}

/* A contact from one row of the table below. */
struct row {
	const char *name, *title, *tz, *notes, *org, *uid, *card;
	const char *const *emails, *const *phones, *const *handles,
		*const *tags, *const *email_labels, *const *phone_labels,
		*const *addresses, *const *address_labels;
	enum tier tier;
	const char *every, *meet;
	int32_t since;
	int64_t id, org_id, owner_id, version, touches;
	kith_time snooze, created, updated, last, last_met, due, meet_due;
	const char *eff_every, *eff_meet;
};

static void cadence(struct cadence *c, const char *s)
{
	memset(c, 0, sizeof(*c));
	if (s)
		assert_int_equal(kith_cadence_parse(c, s, "every", NULL), 0);
}

static void contact_of(struct contact *c, const struct row *r)
{
	contact_init(c);
	c->id = r->id;
	c->name = r->name ? strdup(r->name) : NULL;
	c->title = r->title ? strdup(r->title) : NULL;
	c->tz = r->tz ? strdup(r->tz) : NULL;
	c->notes = r->notes ? strdup(r->notes) : NULL;
	c->org_name = r->org ? strdup(r->org) : NULL;
	c->uid = r->uid ? strdup(r->uid) : NULL;
	c->card = r->card ? strdup(r->card) : NULL;
	push_all(&c->emails, r->emails);
	push_all(&c->phones, r->phones);
	push_all(&c->handles, r->handles);
	push_all(&c->tags, r->tags);
	push_all(&c->email_labels, r->email_labels);
	push_all(&c->phone_labels, r->phone_labels);
	push_all(&c->addresses, r->addresses);
	push_all(&c->address_labels, r->address_labels);
	c->tier = r->tier;
	cadence(&c->every, r->every);
	cadence(&c->meet_every, r->meet);
	cadence(&c->eff_every, r->eff_every);
	cadence(&c->eff_meet, r->eff_meet);
	c->since = r->since;
	c->org_id = r->org_id;
	c->owner_id = r->owner_id;
	c->version = r->version;
	c->touch_count = r->touches;
	c->snooze_until = r->snooze;
	c->created_at = r->created;
	c->updated_at = r->updated;
	c->last_touch = r->last;
	c->last_in_person = r->last_met;
	c->due_at = r->due;
	c->meet_due_at = r->meet_due;
}

#define L(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NT KITH_NO_TIME

static const struct row rows[] = {
	/* 1: what bench/api.sh reads */
	{ .id = 2500, .name = "Rafael Dubois",
	  .emails = L("rafael.dubois2499@mosaiclogistics.example"),
	  .tags = L("prospect"), .org_id = 41, .org = "Mosaic Logistics",
	  .title = "CEO", .tz = "Asia/Kolkata", .tier = TIER_C,
	  .since = KITH_NO_DAY, .snooze = NT, .created = 1720752920,
	  .updated = 1720752920, .version = 1, .last = 1781505509,
	  .last_met = NT, .touches = 9, .eff_every = "14d",
	  .due = 1782715109, .meet_due = NT },
	/* 2: all empty: nulls and empty arrays */
	{ .id = 1, .since = KITH_NO_DAY, .snooze = NT, .created = 0,
	  .updated = 0, .last = NT, .last_met = NT, .due = NT,
	  .meet_due = NT },
	/* 3: every member, labels, addresses, uid, card, big numbers */
	{ .id = INT64_MAX, .name = "Ann \"The\" O'Neil",
	  .emails = L("a@x.example", "b@y.example"),
	  .phones = L("+1 555 0100", "+44 20 7946 0000"),
	  .handles = L("@ann", "linkedin:ann"), .tags = L("vip", "zz top"),
	  .email_labels = L("work", ""), .phone_labels = L("mobile", "_$!<Home>!$_"),
	  .addresses = L("1 Main St\nSpringfield", "2 Side Rd"),
	  .address_labels = L("home", "work"), .uid = "urn:uuid:1234",
	  .card = "BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n",
	  .org_id = 7, .org = "A & B / C", .title = "Chief \\ Officer",
	  .tz = "America/New_York", .notes = "line 1\nline 2\ttab\r\n",
	  .tier = TIER_A, .every = "30d", .meet = "3m", .since = 19723,
	  .owner_id = 3, .snooze = 1790000000, .created = -86400,
	  .updated = 1790000001, .version = 123456789012LL,
	  .touches = 42, .last = 1789000000, .last_met = 1788000000,
	  .eff_every = "30d", .eff_meet = "3m", .due = 1791592000,
	  .meet_due = 1795000000 },
	/* 4: every control byte jansson escapes, DEL, UTF-8 of 2-4 bytes */
	{ .id = 9, .name = "\x01\x02\x07\x08\x0b\x0c\x0e\x1b\x1f end",
	  .notes = "DEL \x7f, \xc3\xa9t\xc3\xa9, \xe2\x82\xac, \xf0\x9f\x98\x80 !",
	  .tags = L("\xe4\xb8\xad\xe6\x96\x87"), .title = "",
	  .tier = TIER_B, .since = 0, .snooze = NT, .created = 1,
	  .updated = 2, .last = NT, .last_met = NT, .due = NT,
	  .meet_due = NT, .version = 0 },
	/* 5: labels without addresses, uid without card */
	{ .id = 10, .name = "Solo", .email_labels = L("home"),
	  .emails = L("solo@x.example"), .uid = "u-10", .since = KITH_NO_DAY,
	  .snooze = NT, .created = 5, .updated = 6, .last = NT,
	  .last_met = NT, .due = NT, .meet_due = NT, .version = 2 },
};

static void test_contact_dump_bytes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		for (int summary = 0; summary <= 1; summary++) {
			struct contact c;
			json_t *j;
			char *want, *got = NULL;
			size_t len = 0;

			contact_of(&c, &rows[i]);
			j = kj_contact(&c, summary);
			assert_non_null(j);
			want = json_dumps(j, HTTP_FLAGS);
			assert_non_null(want);
			assert_int_equal(kj_contact_dump(&got, &len, &c, summary),
					 KITH_OK);
			if (strcmp(got, want) || len != strlen(want))
				fail_msg("row %zu (summary %d):\n got %s\nwant %s",
					 i + 1, summary, got, want);
			free(got);
			free(want);
			json_decref(j);
			contact_clear(&c);
		}
	}
}

/* A string that is not UTF-8 is one jansson leaves out: the dump says
 * so, and the caller uses kj_contact. */
static void test_contact_dump_not_utf8(void **state)
{
	const struct row bad[] = {
		{ .id = 1, .name = "bad \xff", .since = KITH_NO_DAY },
		{ .id = 2, .tags = L("ok", "\xc3("), .since = KITH_NO_DAY },
		{ .id = 3, .org = "\xed\xa0\x80", .since = KITH_NO_DAY },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct contact c;
		char *got = (char *)"untouched";
		size_t len = 1;

		contact_of(&c, &bad[i]);
		assert_int_equal(kj_contact_dump(&got, &len, &c, true),
				 KITH_EINPUT);
		assert_null(got);
		assert_int_equal(len, 0);
		contact_clear(&c);
	}
}

/* An ETag is a quoted 16-digit lowercase hex string; any change of one
 * byte, at any place of any length (word and tail), changes it; so does
 * a trailing NUL; and a JSON value's ETag (If-Match) is its dump's. */
static void test_etag(void **state)
{
	char body[48], grown[48], base[40], other[40], again[40];
	json_t *j = json_pack("{s:i, s:s}", "id", 7, "name", "Ada");
	char *dump = json_dumps(j, HTTP_FLAGS);

	(void)state;
	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (char)('a' + i % 26);
	for (size_t n = 0; n <= 40; n++) {
		http_etag_bytes(base, body, n);
		assert_int_equal(strlen(base), 18);
		assert_true(base[0] == '"' && base[17] == '"');
		assert_int_equal(strspn(base + 1, "0123456789abcdef"), 16);
		http_etag_bytes(again, body, n);
		assert_string_equal(base, again);
		for (size_t i = 0; i < n; i++)
			for (int bit = 0; bit < 8; bit++) {
				body[i] ^= (char)(1 << bit);
				http_etag_bytes(other, body, n);
				body[i] ^= (char)(1 << bit);
				assert_string_not_equal(base, other);
			}
		memcpy(grown, body, sizeof(grown));
		grown[n] = '\0';
		http_etag_bytes(other, grown, n + 1);
		assert_string_not_equal(base, other);
	}
	http_etag_of(base, j);
	http_etag_bytes(other, dump, strlen(dump));
	assert_string_equal(base, other);
	free(dump);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contact_dump_bytes),
		cmocka_unit_test(test_contact_dump_not_utf8),
		cmocka_unit_test(test_etag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
