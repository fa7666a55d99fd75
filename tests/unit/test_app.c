/*
 * test_app.c: the write use cases of app/contact.c and app/touch.c on a
 * real SQLite file: one table of bad inputs (the same the CLI suite
 * T120 feeds to kith) must each be refused with KITH_EINPUT naming the
 * field by its JSON key, and write nothing; good neighbours of each row
 * must pass, so a rule that refused everything would fail here too.
 */
#include "unit.h"

#include "app/contact.h"
#include "app/touch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW ((kith_time)1795186800) /* 2026-11-20T15:00:00Z */
#define N_PEOPLE 101

struct fx {
	char dir[64];
	char path[96];
	struct app_ctx app;
	int64_t other_org;	/* an organization of another workspace */
	struct kith_err err;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	int64_t ws, here;

	snprintf(f->dir, sizeof(f->dir), "/tmp/kith-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/k.db", f->dir);
	assert_int_equal(app_open(&f->app, f->path, NULL, NOW, &f->err), 0);
	assert_int_equal(store_begin(f->app.st, &f->err), 0);
	assert_int_equal(store_workspace_create(&ws, f->app.st, "Other", NOW,
						&f->err),
			 0);
	/* Ids are per workspace: the other's second organization has an
	 * id no organization here has. */
	assert_int_equal(store_org_ensure(&f->other_org, f->app.st, ws,
					  "Elsewhere Ltd", NOW, &f->err),
			 0);
	assert_int_equal(store_org_ensure(&f->other_org, f->app.st, ws,
					  "Elsewhere Inc", NOW, &f->err),
			 0);
	assert_int_equal(store_org_ensure(&here, f->app.st, f->app.ws, "Harbor",
					  NOW, &f->err),
			 0);
	for (int i = 1; i <= N_PEOPLE; i++) {
		struct contact c;
		char name[32];

		contact_init(&c);
		snprintf(name, sizeof(name), "Person %03d", i);
		c.name = strdup(name);
		assert_int_equal(app_contact_add(&f->app, &c, &f->err), 0);
		assert_int_equal(c.id, i);
		contact_clear(&c);
	}
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

/* Everything a refused write could have touched, as one number each. */
static void census(struct fx *f, int64_t out[4])
{
	struct touchpoint *t = NULL;
	struct cadence_rule *r = NULL;
	struct kdate *d = NULL;
	size_t nt = 0, nr = 0, nd = 0;

	assert_int_equal(store_contact_count(&out[0], f->app.st, f->app.ws,
					     &f->err),
			 0);
	assert_int_equal(store_touch_list(&t, &nt, f->app.st, f->app.ws, 0, 0,
					  &f->err),
			 0);
	assert_int_equal(store_cadence_list(&r, &nr, f->app.st, f->app.ws,
					    &f->err),
			 0);
	assert_int_equal(store_date_list(&d, &nd, f->app.st, f->app.ws, 0,
					 &f->err),
			 0);
	out[1] = (int64_t)nt;
	out[2] = (int64_t)nr;
	out[3] = (int64_t)nd;
	store_touches_free(t, nt);
	store_cadences_free(r, nr);
	store_dates_free(d, nd);
}

enum use {
	U_EMAIL,	/* app_contact_add with one email: a */
	U_TZ,		/* app_contact_add with zone a */
	U_NAME,		/* app_contact_add named a */
	U_TAG,		/* app_contact_add tagged a */
	U_EVERY,	/* app_contact_add with every = n days */
	U_ORG_ID,	/* app_contact_add with org_id of another workspace */
	U_CHANNEL,	/* app_touch_log via channel word a (channel_parse) */
	U_CHANNEL_N,	/* app_touch_log with channel value n */
	U_DIRECTION_N,	/* app_touch_log with direction value n */
	U_WHO,		/* app_touch_log with contacts listed in a: "1,2,1" */
	U_PEOPLE,	/* app_touch_log with contacts 1..n */
	U_DATE,		/* app_date_add of text a, yearly unless n */
	U_KIND,		/* app_date_add of kind a */
	U_CADENCE,	/* app_cadence_set scope word a, key b, every n days */
	U_MEET,		/* app_cadence_set --default, meet n days */
	U_SNOOZE,	/* app_contact_snooze until now + n seconds */
	U_MERGE,	/* app_contact_merge a into b (ids) */
	U_FACT,		/* app_fact_add text a */
	U_PROMISE,	/* app_promise_add text a */
	U_GIFT,		/* app_gift_add text a, value n cents */
};

static const struct row {
	enum use use;
	const char *a, *b;
	long n;
	enum kith_status want;
	const char *field;	/* err->field wanted; NULL with KITH_OK */
} rows[] = {
	/* One email rule: the CLI's, for every front end. */
	{ U_EMAIL, "dana@harbor.example", NULL, 0, KITH_OK, NULL },
	{ U_EMAIL, "root@localhost", NULL, 0, KITH_OK, NULL },
	{ U_EMAIL, "a@b@c", NULL, 0, KITH_EINPUT, "emails" },
	{ U_EMAIL, "a b@c.d", NULL, 0, KITH_EINPUT, "emails" },
	{ U_EMAIL, "@x", NULL, 0, KITH_EINPUT, "emails" },
	{ U_EMAIL, "x@", NULL, 0, KITH_EINPUT, "emails" },
	{ U_EMAIL, "nobody", NULL, 0, KITH_EINPUT, "emails" },
	{ U_EMAIL, "a\tb@c.d", NULL, 0, KITH_EINPUT, "emails" },
	{ U_EMAIL, "a@c.d\n", NULL, 0, KITH_EINPUT, "emails" },
	{ U_EMAIL, "a\x7f@c.d", NULL, 0, KITH_EINPUT, "emails" },
	{ U_EMAIL, "Dana <d@h.e>", NULL, 0, KITH_EINPUT, "emails" },
	{ U_EMAIL, "a@b.c,d@e.f", NULL, 0, KITH_EINPUT, "emails" },
	{ U_EMAIL, "a@b.c;", NULL, 0, KITH_EINPUT, "emails" },
	{ U_TZ, "America/Chicago", NULL, 0, KITH_OK, NULL },
	{ U_TZ, "Mars/Base", NULL, 0, KITH_EINPUT, "tz" },
	{ U_NAME, "Dana", NULL, 0, KITH_OK, NULL },
	{ U_NAME, "", NULL, 0, KITH_EINPUT, "name" },
	{ U_TAG, "client", NULL, 0, KITH_OK, NULL },
	{ U_TAG, "", NULL, 0, KITH_EINPUT, "tags" },
	/* 0 is "inherit" (kith edit --every 0), not a mistake. */
	{ U_EVERY, NULL, NULL, 0, KITH_OK, NULL },
	{ U_EVERY, NULL, NULL, 14, KITH_OK, NULL },
	{ U_EVERY, NULL, NULL, -1, KITH_EINPUT, "every" },
	{ U_ORG_ID, NULL, NULL, 0, KITH_EINPUT, "org_id" },
	/* Touches. */
	{ U_CHANNEL, "call", NULL, 0, KITH_OK, NULL },
	{ U_CHANNEL, "fax", NULL, 0, KITH_EINPUT, "channel" },
	{ U_CHANNEL, "in-person", NULL, 0, KITH_EINPUT, "channel" },
	{ U_CHANNEL_N, NULL, NULL, CH_COUNT, KITH_EINPUT, "channel" },
	{ U_CHANNEL_N, NULL, NULL, -1, KITH_EINPUT, "channel" },
	{ U_DIRECTION_N, NULL, NULL, DIR_COUNT + 1, KITH_EINPUT, "direction" },
	{ U_WHO, "1,2", NULL, 0, KITH_OK, NULL },
	{ U_WHO, "1,2,1", NULL, 0, KITH_EINPUT, "contacts" },
	{ U_WHO, "3,3", NULL, 0, KITH_EINPUT, "contacts" },
	{ U_WHO, "", NULL, 0, KITH_EINPUT, "contacts" },
	{ U_WHO, "1,999", NULL, 0, KITH_ENOTFOUND, "contacts" },
	{ U_PEOPLE, NULL, NULL, 100, KITH_OK, NULL },
	{ U_PEOPLE, NULL, NULL, 101, KITH_EINPUT, "contacts" },
	/* Dates. */
	{ U_DATE, "1980-05-02", NULL, 0, KITH_OK, NULL },
	{ U_DATE, "--11-25", NULL, 0, KITH_OK, NULL },
	{ U_DATE, "2023-02-30", NULL, 0, KITH_EINPUT, "date" },
	{ U_DATE, "--02-30", NULL, 0, KITH_EINPUT, "date" },
	{ U_DATE, "someday", NULL, 0, KITH_EINPUT, "date" },
	{ U_DATE, "--11-25", NULL, 1, KITH_EINPUT, "date" },
	{ U_KIND, "", NULL, 0, KITH_EINPUT, "kind" },
	/* Cadence rules. */
	{ U_CADENCE, "tag", "family", 14, KITH_OK, NULL },
	{ U_CADENCE, "tier", "b", 30, KITH_OK, NULL },
	{ U_CADENCE, "tag", "family", 0, KITH_OK, NULL },
	{ U_CADENCE, "tag", "family", -1, KITH_EINPUT, "every" },
	{ U_CADENCE, "planet", "x", 14, KITH_EINPUT, "scope" },
	{ U_CADENCE, "tag", "", 14, KITH_EINPUT, "scope" },
	{ U_CADENCE, "tag", NULL, 14, KITH_EINPUT, "scope" },
	{ U_CADENCE, "tier", "Q", 14, KITH_EINPUT, "key" },
	{ U_CADENCE, "tier", "none", 14, KITH_EINPUT, "key" },
	{ U_MEET, NULL, NULL, -1, KITH_EINPUT, "meet_every" },
	/* The rest. */
	{ U_SNOOZE, NULL, NULL, 3600, KITH_OK, NULL },
	{ U_SNOOZE, NULL, NULL, 0, KITH_EINPUT, "until" },
	{ U_SNOOZE, NULL, NULL, -60, KITH_EINPUT, "until" },
	{ U_MERGE, "7", "7", 0, KITH_EINPUT, "from" },
	{ U_FACT, "", NULL, 0, KITH_EINPUT, "text" },
	{ U_PROMISE, "", NULL, 0, KITH_EINPUT, "text" },
	{ U_GIFT, "", NULL, 0, KITH_EINPUT, "text" },
	{ U_GIFT, "basket", NULL, -1, KITH_EINPUT, "value" },
};

static int run_contact(struct fx *f, const struct row *r)
{
	struct contact c;
	int rc = KITH_OK;

	contact_init(&c);
	c.name = strdup(r->use == U_NAME ? r->a : "New Person");
	if (r->use == U_EMAIL)
		strlist_push(&c.emails, r->a);
	if (r->use == U_TZ)
		c.tz = strdup(r->a);
	if (r->use == U_TAG)
		strlist_push(&c.tags, r->a);
	if (r->use == U_EVERY)
		c.every.days = (int)r->n;
	if (r->use == U_ORG_ID)
		c.org_id = f->other_org;
	rc = app_contact_add(&f->app, &c, &f->err);
	contact_clear(&c);
	return rc;
}

static int run_touch(struct fx *f, const struct row *r, size_t *which)
{
	struct touchpoint t = { 0 };
	char *list = NULL, *save = NULL;
	int rc = KITH_OK;

	t.at = KITH_NO_TIME;
	t.channel = CH_CALL;
	t.direction = APP_DIR_DEFAULT;
	t.contacts = calloc(N_PEOPLE + 1, sizeof(*t.contacts));
	if (r->use == U_WHO) {
		list = strdup(r->a);
		for (char *w = strtok_r(list, ",", &save); w;
		     w = strtok_r(NULL, ",", &save))
			t.contacts[t.n_contacts++] = atoll(w);
	} else {
		size_t n = r->use == U_PEOPLE ? (size_t)r->n : 1;

		for (size_t i = 0; i < n; i++)
			t.contacts[t.n_contacts++] = (int64_t)i + 1;
	}
	if (r->use == U_CHANNEL)
		rc = channel_parse(&t.channel, r->a, "channel", &f->err);
	if (r->use == U_CHANNEL_N)
		t.channel = (enum channel)r->n;
	if (r->use == U_DIRECTION_N)
		t.direction = (enum direction)r->n;
	if (!rc)
		rc = app_touch_log(which, &f->app, &t, 0, &f->err);
	free(list);
	touchpoint_clear(&t);
	return rc;
}

static int run_cadence(struct fx *f, const struct row *r)
{
	struct cadence every = { (int)r->n, 0 }, none = { 0, 0 };
	enum cadence_scope scope = CADENCE_DEFAULT;
	int rc = KITH_OK;

	if (r->use == U_MEET)
		return app_cadence_set(NULL, &f->app, CADENCE_DEFAULT, NULL,
				       NULL, &every, &f->err);
	rc = cadence_scope_parse(&scope, r->a, "scope", &f->err);
	if (!rc)
		rc = app_cadence_set(NULL, &f->app, scope, r->b, &every, &none,
				     &f->err);
	return rc;
}

static int run_row(struct fx *f, const struct row *r, size_t *which)
{
	switch (r->use) {
	case U_EMAIL:
	case U_TZ:
	case U_NAME:
	case U_TAG:
	case U_EVERY:
	case U_ORG_ID:
		return run_contact(f, r);
	case U_CHANNEL:
	case U_CHANNEL_N:
	case U_DIRECTION_N:
	case U_WHO:
	case U_PEOPLE:
		return run_touch(f, r, which);
	case U_DATE:
	case U_KIND: {
		struct kdate d = { 0 };
		int rc;

		d.contact_id = 1;
		d.kind = strdup(r->use == U_KIND ? r->a : "birthday");
		d.yearly = r->n == 0;
		rc = app_date_add(&f->app, &d,
				  r->use == U_DATE ? r->a : "1980-05-02",
				  &f->err);
		kdate_clear(&d);
		return rc;
	}
	case U_CADENCE:
	case U_MEET:
		return run_cadence(f, r);
	case U_SNOOZE:
		return app_contact_snooze(&f->app, 1, NOW + r->n, &f->err);
	case U_MERGE:
		return app_contact_merge(&f->app, atoll(r->a), atoll(r->b),
					 &f->err);
	case U_FACT: {
		struct fact x = { 0 };
		int rc;

		x.contact_id = 1;
		x.text = strdup(r->a);
		rc = app_fact_add(&f->app, &x, &f->err);
		fact_clear(&x);
		return rc;
	}
	case U_PROMISE: {
		struct promise p = { 0 };
		int rc;

		p.contact_id = 1;
		p.due = p.done_at = KITH_NO_TIME;
		p.text = strdup(r->a);
		rc = app_promise_add(&f->app, &p, &f->err);
		promise_clear(&p);
		return rc;
	}
	case U_GIFT: {
		struct gift g = { 0 };
		int rc;

		g.contact_id = 1;
		g.at = KITH_NO_TIME;
		g.text = strdup(r->a);
		g.value_cents = r->n;
		rc = app_gift_add(&f->app, &g, &f->err);
		gift_clear(&g);
		return rc;
	}
	}
	return -1;
}

static void test_write_rules(void **state)
{
	struct fx *f = *state;

	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		const struct row *r = &rows[i];
		int64_t before[4], after[4];
		size_t which = SIZE_MAX;
		int rc;

		memset(&f->err, 0, sizeof(f->err));
		census(f, before);
		rc = run_row(f, r, &which);
		if (rc != (int)r->want ||
		    (r->field && strcmp(f->err.field, r->field)))
			fail_msg("row %zu (%s): got %s field \"%s\" (%s), "
				 "want %s field \"%s\"",
				 i + 1, r->a ? r->a : "-",
				 kith_status_name((enum kith_status)rc),
				 f->err.field, f->err.msg,
				 kith_status_name(r->want),
				 r->field ? r->field : "");
		if (rc == KITH_EINPUT) {
			census(f, after);
			if (memcmp(before, after, sizeof(before)))
				fail_msg("row %zu: a refused write wrote",
					 i + 1);
		}
	}
}

/* The second naming is the one to quote: "1,2,3,2,1" repeats at 3. */
static void test_named_twice_which(void **state)
{
	static const struct {
		int64_t ids[6];
		size_t n, want;
	} cases[] = {
		{ { 1, 2, 3, 2, 1 }, 5, 3 },
		{ { 4, 4 }, 2, 1 },
		{ { 5, 6, 7, 5 }, 4, 3 },
		{ { 1, 2, 3 }, 3, 3 },	/* none: n */
	};
	struct fx *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct touchpoint t = { 0 };
		size_t which = SIZE_MAX;
		int rc;

		t.at = KITH_NO_TIME;
		t.channel = CH_TEXT;
		t.direction = APP_DIR_DEFAULT;
		t.contacts = malloc(sizeof(cases[i].ids));
		memcpy(t.contacts, cases[i].ids, sizeof(cases[i].ids));
		t.n_contacts = cases[i].n;
		rc = app_touch_log(&which, &f->app, &t, 0, &f->err);
		assert_int_equal(rc, cases[i].want < cases[i].n ? KITH_EINPUT
								: KITH_OK);
		assert_int_equal(which, cases[i].want);
		touchpoint_clear(&t);
	}
}

/* Defaults: direction by channel, at and created_at now, source
 * "manual", the member who logs it; a restore's values are kept. */
static void test_touch_defaults(void **state)
{
	static const struct {
		enum channel ch;
		enum direction given, want;
	} cases[] = {
		{ CH_IN_PERSON, APP_DIR_DEFAULT, DIR_MUTUAL },
		{ CH_VIDEO, APP_DIR_DEFAULT, DIR_MUTUAL },
		{ CH_CALL, APP_DIR_DEFAULT, DIR_MUTUAL },
		{ CH_LETTER, APP_DIR_DEFAULT, DIR_OUT },
		{ CH_GIFT, APP_DIR_DEFAULT, DIR_OUT },
		{ CH_TEXT, APP_DIR_DEFAULT, DIR_OUT },
		{ CH_EMAIL, APP_DIR_DEFAULT, DIR_OUT },
		{ CH_SOCIAL, APP_DIR_DEFAULT, DIR_OUT },
		{ CH_EMAIL, DIR_IN, DIR_IN },
		{ CH_CALL, DIR_OUT, DIR_OUT },
	};
	struct fx *f = *state;
	struct user u = { 0 };

	u.workspace_id = f->app.ws;
	u.email = strdup("me@kith.example");
	u.name = strdup("Me");
	u.role = ROLE_OWNER;
	assert_int_equal(store_user_add(f->app.st, &u, &f->err), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct touchpoint t = { 0 };

		t.at = KITH_NO_TIME;
		t.channel = cases[i].ch;
		t.direction = cases[i].given;
		t.contacts = malloc(sizeof(*t.contacts));
		t.contacts[t.n_contacts++] = 2;
		assert_int_equal(app_touch_log(NULL, &f->app, &t, u.id,
					       &f->err),
				 0);
		assert_int_equal(t.direction, cases[i].want);
		assert_int_equal(t.at, NOW);
		assert_int_equal(t.created_at, NOW);
		assert_string_equal(t.source, "manual");
		assert_int_equal(t.n_users, 1);
		assert_int_equal(t.users[0], u.id);
		touchpoint_clear(&t);
	}
	{
		struct touchpoint t = { 0 };

		t.at = NOW - 7 * KITH_DAY;
		t.created_at = NOW - 6 * KITH_DAY;
		t.channel = CH_CALL;
		t.direction = DIR_IN;
		t.source = strdup("import");
		t.contacts = malloc(sizeof(*t.contacts));
		t.contacts[t.n_contacts++] = 2;
		assert_int_equal(app_touch_log(NULL, &f->app, &t, 0, &f->err),
				 0);
		assert_int_equal(t.at, NOW - 7 * KITH_DAY);
		assert_int_equal(t.created_at, NOW - 6 * KITH_DAY);
		assert_string_equal(t.source, "import");
		assert_int_equal(t.n_users, 0);
		touchpoint_clear(&t);
	}
	user_clear(&u);
}

/* An edit checks what changes; a stored value stands (a book restored
 * before the email rule was this strict stays editable). */
static void test_update_checks_changes(void **state)
{
	struct fx *f = *state;
	struct contact c;

	assert_int_equal(store_contact_get(&c, f->app.st, f->app.ws, 5,
					   &f->err),
			 0);
	strlist_push(&c.emails, "old a@b@c");
	assert_int_equal(store_contact_update(f->app.st, f->app.ws, &c, 0,
					      NOW, &f->err),
			 0);
	contact_clear(&c);
	assert_int_equal(store_contact_get(&c, f->app.st, f->app.ws, 5,
					   &f->err),
			 0);
	free(c.title);
	c.title = strdup("Captain");
	assert_int_equal(app_contact_update(&f->app, &c, c.version, &f->err),
			 0);
	strlist_push(&c.emails, "new a@b@c");
	assert_int_equal(app_contact_update(&f->app, &c, c.version, &f->err),
			 KITH_EINPUT);
	assert_string_equal(f->err.field, "emails");
	assert_non_null(strstr(f->err.msg, "new a@b@c"));
	contact_clear(&c);
}

/* A cadence set with one half keeps the other; scope names round-trip. */
static void test_cadence_halves(void **state)
{
	struct fx *f = *state;
	struct cadence every = { 14, 0 }, meet = { 0, 3 };
	struct cadence_rule out = { 0 };

	assert_int_equal(app_cadence_set(NULL, &f->app, CADENCE_TAG, "golf",
					 &every, &meet, &f->err),
			 0);
	every.days = 7;
	assert_int_equal(app_cadence_set(&out, &f->app, CADENCE_TAG, "golf",
					 &every, NULL, &f->err),
			 0);
	assert_int_equal(out.every.days, 7);
	assert_int_equal(out.meet.months, 3);
	assert_string_equal(out.key, "golf");
	free(out.key);
	assert_int_equal(app_cadence_set(NULL, &f->app, CADENCE_TAG, "golf",
					 NULL, NULL, &f->err),
			 KITH_EINPUT);
	assert_string_equal(f->err.field, "every");
	for (int s = 0; s < CADENCE_COUNT; s++) {
		enum cadence_scope back;

		assert_int_equal(cadence_scope_parse(&back,
						     cadence_scope_name(s),
						     "scope", NULL),
				 0);
		assert_int_equal(back, s);
	}
	assert_string_equal(cadence_scope_name(CADENCE_COUNT), "?");
}

static void test_promise_done_twice(void **state)
{
	struct fx *f = *state;
	struct promise p = { 0 }, got;

	p.contact_id = 1;
	p.due = p.done_at = KITH_NO_TIME;
	p.text = strdup("send specs");
	assert_int_equal(app_promise_add(&f->app, &p, &f->err), 0);
	assert_int_equal(app_promise_done(&got, &f->app, p.id, &f->err), 0);
	assert_int_equal(got.done_at, NOW);
	promise_clear(&got);
	assert_int_equal(app_promise_done(&got, &f->app, p.id, &f->err),
			 KITH_ECONFLICT);
	assert_string_equal(f->err.field, "id");
	promise_clear(&got);
	assert_int_equal(app_promise_done(&got, &f->app, 9999, &f->err),
			 KITH_ENOTFOUND);
	promise_clear(&p);
}

/*
 * What an address book brings: labels beside their values, addresses, a
 * UID and the card survive a write and a read; phone keys are derived in
 * the contact's country (else the workspace's), whatever the input says;
 * a label list of the wrong length or a control character is refused.
 */
static void test_book_fields(void **state)
{
	struct fx *f = *state;
	struct contact c, got;

	contact_init(&c);
	c.name = strdup("Jonas Weber");
	c.tz = strdup("Europe/Berlin");
	c.uid = strdup("urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1");
	c.card = strdup("item1.X-ABLABEL:Assistant\r\nX-FOO;A=b:bar");
	strlist_push(&c.emails, "jonas@weber.de");
	strlist_push(&c.emails, "j@home.de");
	strlist_push(&c.email_labels, "work");
	strlist_push(&c.email_labels, "");
	strlist_push(&c.phones, "030 1234567");
	strlist_push(&c.phones, "+1 (415) 555-0134");
	strlist_push(&c.phones, "ask reception");
	strlist_push(&c.phone_keys, "+0"); /* the input's: replaced */
	strlist_push(&c.addresses, "Unter den Linden 1, 10117 Berlin");
	strlist_push(&c.address_labels, "work");
	assert_int_equal(app_contact_add(&f->app, &c, &f->err), 0);
	assert_int_equal(store_contact_get(&got, f->app.st, f->app.ws, c.id,
					   &f->err),
			 0);
	assert_string_equal(got.uid, c.uid);
	assert_string_equal(got.card, c.card);
	assert_int_equal(got.email_labels.n, 2);
	assert_string_equal(got.email_labels.v[0], "work");
	assert_string_equal(got.email_labels.v[1], "");
	assert_int_equal(got.phone_labels.n, 0); /* none given: none kept */
	assert_int_equal(got.phone_keys.n, 3);
	assert_string_equal(got.phone_keys.v[0], "+49301234567");
	assert_string_equal(got.phone_keys.v[1], "+14155550134");
	assert_string_equal(got.phone_keys.v[2], "");
	assert_int_equal(got.addresses.n, 1);
	assert_string_equal(got.address_labels.v[0], "work");

	/* An update without uid or card keeps them. */
	free(got.uid);
	free(got.card);
	got.uid = got.card = NULL;
	free(got.title);
	got.title = strdup("Partner");
	assert_int_equal(app_contact_update(&f->app, &got, 0, &f->err), 0);
	contact_clear(&got);
	assert_int_equal(store_contact_get(&got, f->app.st, f->app.ws, c.id,
					   &f->err),
			 0);
	assert_string_equal(got.uid, c.uid);
	assert_string_equal(got.card, c.card);
	contact_clear(&got);

	/* Refused: a label too few, a control character, an empty address. */
	strlist_push(&c.emails, "third@weber.de");
	c.id = 0;
	assert_int_equal(app_contact_add(&f->app, &c, &f->err), KITH_EINPUT);
	assert_string_equal(f->err.field, "email_labels");
	strlist_push(&c.email_labels, "bad\x01label");
	assert_int_equal(app_contact_add(&f->app, &c, &f->err), KITH_EINPUT);
	assert_string_equal(f->err.field, "email_labels");
	free(c.email_labels.v[2]);
	c.email_labels.v[2] = strdup("other");
	strlist_push(&c.addresses, "");
	strlist_push(&c.address_labels, "home");
	assert_int_equal(app_contact_add(&f->app, &c, &f->err), KITH_EINPUT);
	assert_string_equal(f->err.field, "addresses");
	contact_clear(&c);
}

/* Merging keeps both contacts' addresses and takes the other's UID when
 * the survivor has none; a phone already there by E.164 is not doubled. */
static void test_merge_book_fields(void **state)
{
	struct fx *f = *state;
	struct contact a, b, got;

	contact_init(&a);
	contact_init(&b);
	a.name = strdup("Ana");
	a.tz = strdup("America/New_York");
	strlist_push(&a.phones, "(212) 555-0100");
	strlist_push(&a.addresses, "1 Main St");
	b.name = strdup("Ana M.");
	b.tz = strdup("America/New_York");
	b.uid = strdup("ana-uid");
	strlist_push(&b.phones, "+1 212 555 0100");
	strlist_push(&b.phone_labels, "mobile");
	strlist_push(&b.addresses, "2 Side St");
	strlist_push(&b.address_labels, "home");
	assert_int_equal(app_contact_add(&f->app, &a, &f->err), 0);
	assert_int_equal(app_contact_add(&f->app, &b, &f->err), 0);
	assert_int_equal(app_contact_merge(&f->app, b.id, a.id, &f->err), 0);
	assert_int_equal(store_contact_get(&got, f->app.st, f->app.ws, a.id,
					   &f->err),
			 0);
	assert_string_equal(got.uid, "ana-uid");
	assert_int_equal(got.phones.n, 1);
	assert_int_equal(got.addresses.n, 2);
	assert_string_equal(got.addresses.v[1], "2 Side St");
	assert_int_equal(got.address_labels.n, 2);
	assert_string_equal(got.address_labels.v[0], "");
	assert_string_equal(got.address_labels.v[1], "home");
	contact_clear(&got);
	contact_clear(&a);
	contact_clear(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_named_twice_which, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_touch_defaults, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_update_checks_changes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cadence_halves, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_promise_done_twice, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_book_fields, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_merge_book_fields, setup,
						teardown),
	};

	setenv("TZ", "America/Chicago", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
