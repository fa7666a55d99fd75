/*
 * test_dav.c: CardDAV's parts below the server: the request bodies
 * (input/dav_xml.c) and the XML escaping of answers, the change log the
 * triggers keep (store/sqlite_dav.c on a real file), and a card written
 * over a contact (app/card.c). The protocol itself is A400's.
 */
#include "unit.h"

#include "app/card.h"
#include "input/dav_xml.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW ((kith_time)1795186800) /* 2026-11-20T15:00:00Z */
#define NS  "xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:carddav\""

static const struct {
	const char *body;
	enum kith_status want;
	enum dav_body_kind kind;
	size_t n_props, n_hrefs, n_filters;
} parse_cases[] = {
    {"", KITH_OK, DAV_BODY_NONE, 0, 0, 0},
    {" \r\n", KITH_OK, DAV_BODY_NONE, 0, 0, 0},
    {"<d:propfind " NS "><d:prop><d:getetag/><c:address-data/>"
     "</d:prop></d:propfind>",
     KITH_OK, DAV_BODY_PROPFIND, 2, 0, 0},
    {"<d:propfind xmlns:d=\"DAV:\"><d:allprop/></d:propfind>", KITH_OK,
     DAV_BODY_PROPFIND, 0, 0, 0},
    {"<c:addressbook-multiget " NS "><d:prop><d:getetag/></d:prop>"
     "<d:href>/a</d:href><d:href> /b </d:href></c:addressbook-multiget>",
     KITH_OK, DAV_BODY_MULTIGET, 1, 2, 0},
    {"<c:addressbook-query " NS "><c:filter><c:prop-filter name=\"email\">"
     "<c:text-match>x</c:text-match></c:prop-filter><c:prop-filter "
     "name=\"FN\"><c:is-not-defined/></c:prop-filter></c:filter>"
     "</c:addressbook-query>",
     KITH_OK, DAV_BODY_QUERY, 0, 0, 2},
    {"<d:sync-collection xmlns:d=\"DAV:\"><d:sync-token>t</d:sync-token>"
     "<d:prop><d:getetag/></d:prop></d:sync-collection>",
     KITH_OK, DAV_BODY_SYNC, 1, 0, 0},
    {"<d:propertyupdate xmlns:d=\"DAV:\"><d:set><d:prop><d:displayname>x"
     "</d:displayname></d:prop></d:set></d:propertyupdate>",
     KITH_OK, DAV_BODY_PROPPATCH, 1, 0, 0},
    {"<d:expand-property xmlns:d=\"DAV:\"/>", KITH_OK, DAV_BODY_OTHER, 0, 0, 0},
    /* a comment and CDATA are fine; a DTD is not */
    {"<!-- hi --><d:propfind xmlns:d=\"DAV:\"><d:prop><![CDATA[x]]>"
     "</d:prop></d:propfind>",
     KITH_OK, DAV_BODY_PROPFIND, 0, 0, 0},
    {"<!DOCTYPE d [<!ENTITY x \"y\">]><d:propfind xmlns:d=\"DAV:\"/>",
     KITH_EINPUT, DAV_BODY_NONE, 0, 0, 0},
    {"<!DOCTYPE x SYSTEM \"http://example.invalid/x.dtd\"><x/>", KITH_EINPUT,
     DAV_BODY_NONE, 0, 0, 0},
    {"<d:propfind xmlns:d=\"DAV:\"><d:prop>", KITH_EINPUT, DAV_BODY_NONE, 0, 0,
     0},
    {"not xml", KITH_EINPUT, DAV_BODY_NONE, 0, 0, 0},
};

static void test_parse(void **state)
{
	(void)state;
	dav_xml_init();
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(*parse_cases);
	     i++) {
		struct kith_err err = {0};
		struct dav_body b;
		int rc = dav_xml_parse(&b, parse_cases[i].body,
				       strlen(parse_cases[i].body), &err);

		assert_int_equal(rc, parse_cases[i].want);
		if (rc)
			continue;
		assert_int_equal(b.kind, parse_cases[i].kind);
		assert_int_equal(b.n_props, parse_cases[i].n_props);
		assert_int_equal(b.n_hrefs, parse_cases[i].n_hrefs);
		assert_int_equal(b.n_filters, parse_cases[i].n_filters);
		dav_body_free(&b);
	}
}

static void test_parse_details(void **state)
{
	struct kith_err err = {0};
	struct dav_body b;
	const char *q = "<c:addressbook-query " NS "><d:prop><c:address-data "
			"version=\"4.0\"/></d:prop><c:filter test=\"allof\">"
			"<c:prop-filter name=\"tel\"><c:text-match match-type="
			"\"ends-with\" negate-condition=\"yes\"> 99 "
			"</c:text-match></c:prop-filter></c:filter><c:limit>"
			"<c:nresults>7</c:nresults></c:limit>"
			"</c:addressbook-query>";
	char deep[400] = "<d:propfind xmlns:d=\"DAV:\">";

	(void)state;
	assert_int_equal(dav_xml_parse(&b, q, strlen(q), &err), 0);
	assert_true(b.address_data);
	assert_int_equal(b.address_version, 40);
	assert_true(b.filter_allof);
	assert_string_equal(b.filters[0].prop, "TEL");
	assert_string_equal(b.filters[0].text, "99");
	assert_string_equal(b.filters[0].match, "ends-with");
	assert_true(b.filters[0].negate);
	assert_int_equal(b.limit, 7);
	dav_body_free(&b);
	/* 40 levels: over DAV_XML_MAX_DEPTH */
	for (int i = 0; i < 40; i++)
		strcat(deep, "<a>");
	assert_int_equal(dav_xml_parse(&b, deep, strlen(deep), &err),
			 KITH_EINPUT);
}

static const struct {
	const char *in;
	const char *out;
} escape_cases[] = {
    {"plain", "plain"},
    {"a&b<c>\"'", "a&amp;b&lt;c&gt;&quot;&apos;"},
    {"tab\there\r\n", "tab\there\r\n"},
    {"bell\x07", "bell\xef\xbf\xbd"},
    {"caf\xc3\xa9", "caf\xc3\xa9"},
    {"bad\xc3(", "bad\xef\xbf\xbd("},
    {"\xff", "\xef\xbf\xbd"},
    /* U+FFFE and U+FFFF are UTF-8 but no XML Char (fuzz_dav found it) */
    {"a\xef\xbf\xbf" "b\xef\xbf\xbe", "a\xef\xbf\xbd" "b\xef\xbf\xbd"},
    {"\xef\xbf\xbd\xef\xbf\xbc", "\xef\xbf\xbd\xef\xbf\xbc"},
};

static void test_escape(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(escape_cases) / sizeof(*escape_cases);
	     i++) {
		struct dav_buf b = {0};

		dav_buf_xml(&b, escape_cases[i].in, strlen(escape_cases[i].in));
		assert_string_equal(b.s ? b.s : "", escape_cases[i].out);
		dav_buf_free(&b);
	}
}

/* ---- the change log, on a real database ---- */

struct fx {
	char dir[64];
	char path[96];
	struct app_ctx app;
	int64_t other_ws;
	struct kith_err err;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/kith-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/k.db", f->dir);
	assert_int_equal(app_open(&f->app, f->path, NULL, NOW, &f->err), 0);
	assert_int_equal(store_begin(f->app.st, &f->err), 0);
	assert_int_equal(store_workspace_create(&f->other_ws, f->app.st,
						"Other", NOW, &f->err),
			 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	store_rollback(f->app.st);
	app_close(&f->app);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static int64_t seq(struct fx *f, int64_t ws)
{
	int64_t s = -1;

	assert_int_equal(store_dav_seq(&s, f->app.st, ws, &f->err), 0);
	return s;
}

static int64_t item_seq(struct fx *f, int64_t id)
{
	struct dav_item it;
	char name[40];
	int64_t s;

	snprintf(name, sizeof(name), "kith-%lld.vcf", (long long)id);
	assert_int_equal(store_dav_find(&it, f->app.st, f->app.ws, 0, name,
					NULL, id, &f->err),
			 0);
	s = it.seq;
	dav_item_clear(&it);
	return s;
}

static void test_change_log(void **state)
{
	struct fx *f = *state;
	struct contact c;
	struct kdate d = {0};
	struct dav_item *v = NULL;
	size_t n = 0;
	int64_t s0, s1, id;

	s0 = seq(f, f->app.ws);
	contact_init(&c);
	c.name = strdup("Ann Lee");
	assert_int_equal(
	    store_contact_add(f->app.st, f->app.ws, &c, NOW, &f->err), 0);
	id = c.id;
	assert_int_equal(seq(f, f->app.ws), s0 + 1);
	assert_int_equal(item_seq(f, id), s0 + 1);
	/* another workspace's count does not move */
	assert_int_equal(seq(f, f->other_ws), 0);
	free(c.title);
	c.title = strdup("CTO");
	assert_int_equal(
	    store_contact_update(f->app.st, f->app.ws, &c, 0, NOW, &f->err), 0);
	assert_int_equal(item_seq(f, id), s0 + 2);
	/* a snooze changes no card */
	assert_int_equal(store_contact_snooze(f->app.st, f->app.ws, id,
					      NOW + 86400, NOW, &f->err),
			 0);
	assert_int_equal(seq(f, f->app.ws), s0 + 2);
	/* a date is in the card */
	d.contact_id = id;
	d.kind = (char *)"birthday";
	d.day = 7000;
	d.year_known = true;
	d.yearly = true;
	assert_int_equal(store_date_add(f->app.st, f->app.ws, &d, &f->err), 0);
	s1 = item_seq(f, id);
	assert_int_equal(s1, s0 + 3);
	/* nothing after the current count; the contact after s0 */
	assert_int_equal(
	    store_dav_list(&v, &n, f->app.st, f->app.ws, 0, s1, &f->err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(
	    store_dav_list(&v, &n, f->app.st, f->app.ws, 0, s0, &f->err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].contact_id, id);
	assert_false(v[0].gone);
	store_dav_items_free(v, n);
	/* a new name: a tombstone for the old one, the contact changed */
	assert_int_equal(
	    store_dav_href_set(f->app.st, f->app.ws, 0, id, "a b.vcf", &f->err),
	    0);
	assert_int_equal(
	    store_dav_list(&v, &n, f->app.st, f->app.ws, 0, s1, &f->err), 0);
	assert_int_equal(n, 2);
	assert_true(v[0].gone);
	assert_null(v[0].href);
	assert_false(v[1].gone);
	assert_string_equal(v[1].href, "a b.vcf");
	store_dav_items_free(v, n);
	s1 = seq(f, f->app.ws);
	/* a delete: a tombstone with the name */
	assert_int_equal(
	    store_contact_delete(f->app.st, f->app.ws, id, &f->err), 0);
	assert_int_equal(
	    store_dav_list(&v, &n, f->app.st, f->app.ws, 0, s1, &f->err), 0);
	assert_true(n >= 1);
	assert_true(v[n - 1].gone);
	assert_string_equal(v[n - 1].href, "a b.vcf");
	store_dav_items_free(v, n);
	contact_clear(&c);
}

/* Books: a contact in one book only; each book's token its own; a
 * deleted book's contacts back in the default book. */
static void test_books(void **state)
{
	struct fx *f = *state;
	struct contact a, c;
	struct dav_item it, *v = NULL;
	struct dav_book *bv = NULL;
	size_t n = 0;
	int64_t book = 0, t0, t1, fl, tb, flb;

	contact_init(&a);
	contact_init(&c);
	a.name = strdup("Ann Lee");
	c.name = strdup("Cy Work");
	assert_int_equal(
	    store_contact_add(f->app.st, f->app.ws, &a, NOW, &f->err), 0);
	assert_int_equal(
	    store_dav_book_seq(&t0, &fl, f->app.st, f->app.ws, 0, &f->err), 0);
	assert_int_equal(t0, item_seq(f, a.id));
	assert_int_equal(fl, 0);
	assert_int_equal(store_dav_book_add(&book, f->app.st, f->app.ws, "work",
					    "Work", &f->err),
			 0);
	assert_true(book > 0);
	assert_int_equal(store_dav_book_add(&book, f->app.st, f->app.ws, "work",
					    "Again", &f->err),
			 KITH_ECONFLICT);
	assert_int_equal(
	    store_dav_book_seq(&tb, &flb, f->app.st, f->app.ws, book, &f->err),
	    0);
	/* a new book: a token past every count, and older ones refused */
	assert_true(tb > t0);
	assert_int_equal(flb, tb);
	/* a card PUT into it: made in book 0, moved in one go */
	assert_int_equal(
	    store_contact_add(f->app.st, f->app.ws, &c, NOW, &f->err), 0);
	assert_int_equal(store_dav_href_set(f->app.st, f->app.ws, book, c.id,
					    "c.vcf", &f->err),
			 0);
	assert_int_equal(
	    store_dav_book_seq(&t1, &fl, f->app.st, f->app.ws, 0, &f->err), 0);
	assert_int_equal(t1, t0); /* book 0 saw nothing, not even a tombstone */
	assert_int_equal(
	    store_dav_book_seq(&t1, &fl, f->app.st, f->app.ws, book, &f->err),
	    0);
	assert_true(t1 > tb);
	assert_int_equal(
	    store_dav_list(&v, &n, f->app.st, f->app.ws, book, -1, &f->err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].contact_id, c.id);
	store_dav_items_free(v, n);
	assert_int_equal(
	    store_dav_list(&v, &n, f->app.st, f->app.ws, 0, t0 - 1, &f->err),
	    0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].contact_id, a.id);
	store_dav_items_free(v, n);
	assert_int_equal(store_dav_find(&it, f->app.st, f->app.ws, 0, "c.vcf",
					NULL, 0, &f->err),
			 KITH_ENOTFOUND);
	assert_int_equal(store_dav_find(&it, f->app.st, f->app.ws, book,
					"c.vcf", NULL, 0, &f->err),
			 0);
	dav_item_clear(&it);
	assert_int_equal(
	    store_dav_books(&bv, &n, f->app.st, f->app.ws, &f->err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(bv[0].slug, "work");
	assert_string_equal(bv[0].name, "Work");
	store_dav_books_free(bv, n);
	assert_int_equal(
	    store_dav_books(&bv, &n, f->app.st, f->other_ws, &f->err), 0);
	assert_int_equal(n, 0);
	store_dav_books_free(bv, n);
	/* deleted: the contact back in book 0 under its name, nothing lost */
	assert_int_equal(
	    store_dav_book_delete(f->app.st, f->app.ws, book, &f->err), 0);
	assert_int_equal(store_dav_find(&it, f->app.st, f->app.ws, 0, "c.vcf",
					NULL, 0, &f->err),
			 0);
	assert_int_equal(it.contact_id, c.id);
	assert_true(it.seq > t0);
	dav_item_clear(&it);
	assert_int_equal(
	    store_dav_book_delete(f->app.st, f->app.ws, book, &f->err),
	    KITH_ENOTFOUND);
	contact_clear(&a);
	contact_clear(&c);
}

static void test_raw_cards(void **state)
{
	struct fx *f = *state;
	struct dav_item it;
	char *text = NULL;
	int64_t id = 0, s0 = seq(f, f->app.ws);

	assert_int_equal(store_dav_card_put(&id, f->app.st, f->app.ws, 0,
					    "g.vcf", "g", "BEGIN:VCARD\r\n",
					    &f->err),
			 0);
	assert_int_equal(seq(f, f->app.ws), s0 + 1);
	assert_int_equal(store_dav_find(&it, f->app.st, f->app.ws, 0, "g.vcf",
					NULL, 0, &f->err),
			 0);
	assert_int_equal(it.card_id, id);
	dav_item_clear(&it);
	assert_int_equal(
	    store_dav_card_get(&text, f->app.st, f->app.ws, id, &f->err), 0);
	assert_string_equal(text, "BEGIN:VCARD\r\n");
	free(text);
	/* not found from another workspace */
	assert_int_equal(store_dav_find(&it, f->app.st, f->other_ws, 0, "g.vcf",
					NULL, 0, &f->err),
			 KITH_ENOTFOUND);
	assert_int_equal(
	    store_dav_card_get(&text, f->app.st, f->other_ws, id, &f->err),
	    KITH_ENOTFOUND);
	assert_int_equal(
	    store_dav_card_delete(f->app.st, f->app.ws, id, &f->err), 0);
	assert_int_equal(seq(f, f->app.ws), s0 + 2);
}

static void test_card_write(void **state)
{
	struct fx *f = *state;
	static const char card[] =
	    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u-1\r\nFN:Zoe Park\r\n"
	    "item1.EMAIL:zoe@example.org\r\nitem1.X-ABLabel:Studio\r\n"
	    "BDAY:1990-02-03\r\nX-KEEP:me\r\nEND:VCARD\r\n";
	struct vcard_contact vc;
	struct vcard_out out = {0};
	struct kdate *d = NULL;
	size_t nd = 0;
	int64_t id = 0, id2 = 0;
	bool group;

	assert_int_equal(
	    card_parse_one(&vc, &group, card, strlen(card), &f->err), 0);
	assert_false(group);
	assert_int_equal(app_card_write(&id, &f->app, 0, &vc, &f->err), 0);
	vcard_contact_clear(&vc);
	assert_int_equal(
	    app_card_render(&out, &f->app, id, "x", VCARD_30, &f->err), 0);
	assert_non_null(strstr(out.buf, "X-KEEP:me"));
	assert_non_null(strstr(out.buf, "item1.X-ABLABEL:Studio"));
	assert_non_null(strstr(out.buf, "UID:u-1"));
	vcard_out_free(&out);
	/* the same card again, without its birthday: one contact, no date */
	{
		static const char card2[] =
		    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u-1\r\n"
		    "FN:Zoe Park-Lee\r\nEND:VCARD\r\n";

		assert_int_equal(
		    card_parse_one(&vc, &group, card2, strlen(card2), &f->err),
		    0);
	}
	assert_int_equal(app_card_write(&id2, &f->app, id, &vc, &f->err), 0);
	vcard_contact_clear(&vc);
	assert_int_equal(id2, id);
	assert_int_equal(
	    store_date_list(&d, &nd, f->app.st, f->app.ws, id, &f->err), 0);
	assert_int_equal(nd, 0);
	store_dates_free(d, nd);
	/* a group card is not a contact */
	{
		static const char g[] =
		    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Team\r\n"
		    "X-ADDRESSBOOKSERVER-KIND:group\r\nEND:VCARD\r\n";

		assert_int_equal(
		    card_parse_one(&vc, &group, g, strlen(g), &f->err), 0);
		assert_true(group);
		vcard_contact_clear(&vc);
	}
	/* a card kith refuses names the property */
	{
		static const char bad[] =
		    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:X\r\n"
		    "EMAIL:nobody\r\nEND:VCARD\r\n";

		assert_int_equal(
		    card_parse_one(&vc, &group, bad, strlen(bad), &f->err),
		    KITH_EINPUT);
		assert_string_equal(f->err.field, "EMAIL");
		vcard_contact_clear(&vc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_parse_details),
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test_setup_teardown(test_change_log, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_raw_cards, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_books, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_card_write, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
