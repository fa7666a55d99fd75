/*
 * test_store.c: the SQLite engine on a real file in a temp dir:
 * summaries kept on write, cadence inheritance, merge, tenancy, and the
 * indexed agenda equal to a full ranking on random books. Exercises
 * src/store/store_sqlite.c, the engine behind store.h.
 */
#include "unit.h"

#include "app/agenda_query.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#define NOW ((kith_time)1795186800) /* 2026-11-20T15:00:00Z */
#define DAY ((kith_time)KITH_DAY)

struct fx {
	char dir[64];
	char path[256];
	char dbname[64];
	struct app_ctx app;
	int64_t other_ws;
	struct kith_err err;
};

/* With KITH_TEST_PG (tests/run-all's PostgreSQL) each test gets a new
 * database there instead of a SQLite file: the same tests, the other
 * engine. */
static const char *pg_base(void)
{
	const char *b = getenv("KITH_TEST_PG");

	return b && *b ? b : NULL;
}

static void pg_admin(const char *sql)
{
	char url[256];
	PGconn *c;
	PGresult *r;

	snprintf(url, sizeof(url), "%s/postgres", pg_base());
	c = PQconnectdb(url);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	static int n;

	snprintf(f->dir, sizeof(f->dir), "/tmp/kith-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/k.db", f->dir);
	if (pg_base()) {
		char sql[160];

		snprintf(f->dbname, sizeof(f->dbname), "kt_unit_%d_%d",
			 (int)getpid(), ++n);
		snprintf(sql, sizeof(sql),
			 "CREATE DATABASE %s TEMPLATE template0 ENCODING"
			 " 'UTF8' LOCALE 'C'",
			 f->dbname);
		pg_admin(sql);
		snprintf(f->path, sizeof(f->path), "%s/%s", pg_base(),
			 f->dbname);
	}
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
	if (f->dbname[0]) {
		snprintf(cmd, sizeof(cmd),
			 "DROP DATABASE IF EXISTS %s WITH (FORCE)", f->dbname);
		pg_admin(cmd);
	}
	free(f);
	return 0;
}

static int64_t add(struct fx *f, int64_t ws, const char *name,
		   enum tier tier, int every_days, kith_time created)
{
	struct contact c;
	int64_t id;

	contact_init(&c);
	c.name = strdup(name);
	c.tier = tier;
	c.every.days = every_days;
	c.created_at = created;
	assert_int_equal(store_contact_add(f->app.st, ws, &c, NOW, &f->err),
			 0);
	id = c.id;
	contact_clear(&c);
	return id;
}

static void touch(struct fx *f, int64_t id, enum channel ch, kith_time at)
{
	struct touchpoint t = { 0 };
	int64_t ids[1] = { id };

	t.at = at;
	t.channel = ch;
	t.contacts = ids;
	t.n_contacts = 1;
	assert_int_equal(store_touch_add(f->app.st, f->app.ws, &t, &f->err), 0);
}

static void get(struct fx *f, int64_t id, struct contact *c)
{
	assert_int_equal(store_contact_get(c, f->app.st, f->app.ws, id,
					   &f->err),
			 0);
}

/* 1: summaries follow each touch, newest wins, in person kept apart. */
static void test_summaries(void **state)
{
	struct fx *f = *state;
	int64_t id = add(f, f->app.ws, "Dana", TIER_A, 14, NOW - 100 * DAY);
	struct contact c;

	get(f, id, &c);
	assert_true(c.last_touch == KITH_NO_TIME);
	assert_int_equal(c.due_at, NOW - 100 * DAY + 14 * DAY);
	contact_clear(&c);
	touch(f, id, CH_EMAIL, NOW - 10 * DAY);
	touch(f, id, CH_IN_PERSON, NOW - 40 * DAY); /* older: no change */
	get(f, id, &c);
	assert_int_equal(c.last_touch, NOW - 10 * DAY);
	assert_int_equal(c.last_in_person, NOW - 40 * DAY);
	assert_int_equal(c.touch_count, 2);
	assert_int_equal(c.due_at, NOW + 4 * DAY);
	/* Tier A meets every 90 days by default. */
	assert_int_equal(c.meet_due_at, NOW + 50 * DAY);
	contact_clear(&c);
}

/* 2: own cadence, else the shortest tag rule, else tier, else default. */
static void test_cadence_inheritance(void **state)
{
	struct fx *f = *state;
	struct cadence_rule r = { CADENCE_TAG, (char *)"family", { 14, 0 },
				  { 0, 0 } };
	struct cadence_rule r2 = { CADENCE_TAG, (char *)"vip", { 0, 1 },
				   { 0, 0 } };
	int64_t id = add(f, f->app.ws, "Ann", TIER_B, 0, NOW);
	struct contact c;

	get(f, id, &c);
	assert_int_equal(c.eff_every.days, 60); /* tier B */
	strlist_push(&c.tags, "family");
	strlist_push(&c.tags, "vip");
	assert_int_equal(store_contact_update(f->app.st, f->app.ws, &c, 0, NOW,
					      &f->err),
			 0);
	contact_clear(&c);
	assert_int_equal(store_cadence_set(f->app.st, f->app.ws, &r, NOW,
					   &f->err),
			 0);
	assert_int_equal(store_cadence_set(f->app.st, f->app.ws, &r2, NOW,
					   &f->err),
			 0);
	get(f, id, &c);
	assert_int_equal(c.eff_every.days, 14); /* 14d beats 1 month */
	c.every.days = 7;
	assert_int_equal(store_contact_update(f->app.st, f->app.ws, &c, 0, NOW,
					      &f->err),
			 0);
	contact_clear(&c);
	get(f, id, &c);
	assert_int_equal(c.eff_every.days, 7);
	contact_clear(&c);
}

/* 3: a stale version is a conflict and changes nothing. */
static void test_version_conflict(void **state)
{
	struct fx *f = *state;
	int64_t id = add(f, f->app.ws, "Ben", TIER_C, 0, NOW);
	struct contact c;

	get(f, id, &c);
	assert_int_equal(c.version, 1);
	free(c.title);
	c.title = strdup("CEO");
	assert_int_equal(store_contact_update(f->app.st, f->app.ws, &c, 1, NOW,
					      &f->err),
			 0);
	assert_int_equal(store_contact_update(f->app.st, f->app.ws, &c, 1, NOW,
					      &f->err),
			 KITH_ECONFLICT);
	contact_clear(&c);
}

/* 4: another workspace's ids are not found, for reads and writes; ids
 * are per workspace, so the same id names each workspace's own row. */
static void test_tenancy(void **state)
{
	struct fx *f = *state;
	int64_t mine = add(f, f->app.ws, "Mine", TIER_A, 0, NOW);
	int64_t same = add(f, f->other_ws, "Same id", TIER_A, 0, NOW);
	int64_t theirs;
	struct fact fa = { 0, 0, (char *)"x", NOW };
	struct contact c;
	int64_t *ids = NULL;
	size_t n = 0;

	assert_int_equal(same, mine);
	add(f, f->other_ws, "Between", TIER_A, 0, NOW);
	theirs = add(f, f->other_ws, "Theirs", TIER_A, 0, NOW);
	assert_true(theirs > mine);
	fa.contact_id = theirs;
	get(f, mine, &c);
	assert_string_equal(c.name, "Mine");
	contact_clear(&c);
	assert_int_equal(store_contact_get(&c, f->app.st, f->other_ws, same,
					   &f->err),
			 0);
	assert_string_equal(c.name, "Same id");
	contact_clear(&c);

	assert_int_equal(store_contact_get(&c, f->app.st, f->app.ws, theirs,
					   &f->err),
			 KITH_ENOTFOUND);
	assert_int_equal(store_fact_add(f->app.st, f->app.ws, &fa, &f->err),
			 KITH_ENOTFOUND);
	assert_int_equal(store_contact_delete(f->app.st, f->app.ws, theirs,
					      &f->err),
			 KITH_ENOTFOUND);
	assert_int_equal(store_contact_merge(f->app.st, f->app.ws, theirs,
					     mine, NOW, &f->err),
			 KITH_ENOTFOUND);
	assert_int_equal(store_contact_find(&ids, &n, f->app.st, f->app.ws,
					    "Theirs", 0, &f->err),
			 0);
	assert_int_equal(n, 0);
	free(ids);
}

static void lists_equal(const struct strlist *a, const struct strlist *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		assert_string_equal(a->v[i], b->v[i]);
}

/* One contact of a page the way store_contact_get (its own statement)
 * reads it: every list, each in its order, and the card when asked. */
static void same_as_get(struct fx *f, const struct contact *c, bool card)
{
	struct contact g, l;

	get(f, c->id, &g);
	assert_string_equal(c->name, g.name);
	lists_equal(&c->emails, &g.emails);
	lists_equal(&c->email_labels, &g.email_labels);
	lists_equal(&c->phones, &g.phones);
	lists_equal(&c->phone_labels, &g.phone_labels);
	lists_equal(&c->phone_keys, &g.phone_keys);
	lists_equal(&c->addresses, &g.addresses);
	lists_equal(&c->address_labels, &g.address_labels);
	lists_equal(&c->handles, &g.handles);
	lists_equal(&c->tags, &g.tags);
	if (card && g.card)
		assert_string_equal(c->card, g.card);
	else
		assert_null(c->card);
	/* The API's read: the same contact without its card, and still
	 * none of another workspace's (whose contact of the same id, if
	 * any, is another person: ids are per workspace). */
	assert_int_equal(store_contact_get_lean(&l, f->app.st, f->app.ws,
						c->id, &f->err),
			 0);
	assert_string_equal(l.name, g.name);
	assert_int_equal(l.version, g.version);
	lists_equal(&l.emails, &g.emails);
	lists_equal(&l.email_labels, &g.email_labels);
	lists_equal(&l.phones, &g.phones);
	lists_equal(&l.phone_keys, &g.phone_keys);
	lists_equal(&l.addresses, &g.addresses);
	lists_equal(&l.tags, &g.tags);
	assert_null(l.card);
	contact_clear(&l);
	if (!store_contact_get_lean(&l, f->app.st, f->other_ws, c->id,
				    &f->err)) {
		assert_string_not_equal(l.name, c->name);
		contact_clear(&l);
	}
	contact_clear(&g);
}

/*
 * store_contact_list reads a page's lists with one statement per list
 * for the whole page and merges them in: each contact gets its own rows
 * in order, with another workspace's contacts between the page's ids,
 * on a sparse page (a tag filter), page after page; the card comes only
 * with with_card. store_date_list_range gives the page's dates by
 * contact, none of another workspace.
 */
static void test_list_pages(void **state)
{
	struct fx *f = *state;
	struct contact_filter flt = { 0 };
	int64_t ids[40], last = 0;
	size_t seen = 0, tagged = 0, want_dates = 0;
	char buf[64];

	for (int i = 0; i < 40; i++) {
		int64_t ws = i % 2 ? f->other_ws : f->app.ws;
		struct contact c;

		contact_init(&c);
		snprintf(buf, sizeof(buf), "Person %02d", i);
		c.name = strdup(buf);
		for (int k = 0; k < i % 4; k++) {
			snprintf(buf, sizeof(buf), "p%d.%d@example.org", i, k);
			assert_int_equal(strlist_push(&c.emails, buf), 0);
			assert_int_equal(strlist_push(&c.email_labels,
						      k ? "work" : ""), 0);
		}
		for (int k = 0; k < i % 3; k++) {
			snprintf(buf, sizeof(buf), "+1 415 555 %04d", i * 10 + k);
			assert_int_equal(strlist_push(&c.phones, buf), 0);
			assert_int_equal(strlist_push(&c.phone_labels,
						      i % 2 ? "mobile" : ""), 0);
		}
		if (i % 5 == 0) {
			snprintf(buf, sizeof(buf), "%d Main St, Springfield", i);
			assert_int_equal(strlist_push(&c.addresses, buf), 0);
			assert_int_equal(strlist_push(&c.address_labels, "home"),
					 0);
			assert_int_equal(strlist_push(&c.handles, "@p"), 0);
		}
		/* tags are a set, read back in order */
		assert_int_equal(strlist_push(&c.tags, i % 3 ? "zeta" : "t"), 0);
		assert_int_equal(strlist_push(&c.tags, "alpha"), 0);
		if (i % 2 == 0) {
			snprintf(buf, sizeof(buf), "NOTE:card %d", i);
			c.card = strdup(buf);
		}
		assert_int_equal(store_contact_add(f->app.st, ws, &c, NOW,
						   &f->err),
				 0);
		ids[i] = c.id;
		contact_clear(&c);
		if (i % 3 != 1) {
			struct kdate d = { 0 };

			d.contact_id = ids[i];
			d.kind = (char *)(i % 2 ? "birthday" : "anniversary");
			d.day = 20000 + i;
			d.yearly = true;
			assert_int_equal(store_date_add(f->app.st, ws, &d,
							&f->err),
					 0);
			d.id = 0;
			d.kind = (char *)"first met";
			assert_int_equal(store_date_add(f->app.st, ws, &d,
							&f->err),
					 0);
			want_dates += ws == f->app.ws ? 2 : 0;
		}
	}

	/* Every contact of the workspace, 3 a page, with cards. */
	flt.limit = 3;
	flt.with_card = true;
	for (;;) {
		struct contact *c = NULL;
		struct kdate *d = NULL;
		size_t n = 0, nd = 0, k = 0;

		assert_int_equal(store_contact_list(&c, &n, f->app.st,
						    f->app.ws, &flt, &f->err),
				 0);
		if (!n)
			break;
		assert_int_equal(store_date_list_range(&d, &nd, f->app.st,
						       f->app.ws, flt.after_id,
						       c[n - 1].id, &f->err),
				 0);
		for (size_t i = 0; i < n; i++) {
			struct kdate *one = NULL;
			size_t none = 0;

			assert_true(c[i].id > last);
			last = c[i].id;
			assert_int_equal(c[i].id, ids[2 * seen++]);
			same_as_get(f, &c[i], true);
			assert_non_null(c[i].card);	/* even i: with a card */
			assert_int_equal(store_date_list(&one, &none, f->app.st,
							 f->app.ws, c[i].id,
							 &f->err),
					 0);
			for (size_t j = 0; j < none; j++, k++) {
				assert_true(k < nd);
				assert_int_equal(d[k].id, one[j].id);
				assert_int_equal(d[k].contact_id, c[i].id);
				assert_string_equal(d[k].kind, one[j].kind);
			}
			want_dates -= none;
			store_dates_free(one, none);
		}
		assert_int_equal(k, nd);
		flt.after_id = c[n - 1].id;
		store_dates_free(d, nd);
		store_contacts_free(c, n);
	}
	assert_int_equal(seen, 20);
	assert_int_equal(want_dates, 0);

	/* A sparse page: the tag picks every third contact of ws. */
	memset(&flt, 0, sizeof(flt));
	flt.tag = "t";
	{
		struct contact *c = NULL;
		size_t n = 0;

		assert_int_equal(store_contact_list(&c, &n, f->app.st,
						    f->app.ws, &flt, &f->err),
				 0);
		for (size_t i = 0; i < n; i++) {
			same_as_get(f, &c[i], false);
			tagged++;
		}
		store_contacts_free(c, n);
	}
	assert_int_equal(tagged, 7); /* i = 0, 6, 12, 18, 24, 30, 36 */
}

/* L8: a new stream starts at its user's last alert; the global maximum
 * (another tenant's activity) is for the ticker alone. */
static void test_alert_last_per_user(void **state)
{
	struct fx *f = *state;
	int64_t a1 = 0, a2 = 0, a3 = 0, last = -1;
	struct alert *al = NULL;
	size_t n = 9;

	assert_int_equal(store_alert_add(&a1, f->app.st, f->app.ws, 7, "signal",
					 0, "{}", false, NOW, &f->err),
			 0);
	assert_int_equal(store_alert_add(&a2, f->app.st, f->other_ws, 8,
					 "signal", 0, "{}", false, NOW,
					 &f->err),
			 0);
	/* User id 7 in the other workspace is someone else. */
	assert_int_equal(store_alert_add(&a3, f->app.st, f->other_ws, 7,
					 "signal", 0, "{}", false, NOW,
					 &f->err),
			 0);
	/* Ids are per workspace. */
	assert_true(a3 > a2);
	assert_int_equal(a1, 1);
	assert_int_equal(a2, 1);
	assert_int_equal(store_alert_last(&last, f->app.st, f->app.ws, 7,
					  &f->err),
			 0);
	assert_int_equal(last, a1);
	assert_int_equal(store_alert_last(&last, f->app.st, f->app.ws, 9,
					  &f->err),
			 0);
	assert_int_equal(last, 0);
	/* The ticker's mark: each workspace's newest, summed; any new
	 * alert raises it. */
	assert_int_equal(store_alert_newest(&last, f->app.st, &f->err), 0);
	assert_int_equal(last, a1 + a3);
	assert_int_equal(store_alert_add(&a2, f->app.st, f->app.ws, 9,
					 "signal", 0, "{}", false, NOW,
					 &f->err),
			 0);
	assert_int_equal(store_alert_newest(&last, f->app.st, &f->err), 0);
	assert_int_equal(last, a2 + a3);
	/* A held alert names its member by workspace and id: user 7 of
	 * the other workspace, not user 7 here. */
	{
		struct user_key *held = NULL;
		size_t n_held = 0;

		assert_int_equal(store_alert_add(&a2, f->app.st, f->other_ws,
						 7, "signal", 0, "{}", true,
						 NOW, &f->err),
				 0);
		assert_int_equal(store_alert_users_held(&held, &n_held,
							f->app.st, &f->err),
				 0);
		assert_int_equal(n_held, 1);
		assert_int_equal(held[0].workspace_id, f->other_ws);
		assert_int_equal(held[0].user_id, 7);
		free(held);
	}
	assert_int_equal(store_alert_list(&al, &n, f->app.st, f->app.ws, 7, 0,
					  16, &f->err),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(al[0].id, a1);
	store_alerts_free(al, n);
}

/* 5: merge moves history and refreshes the survivor's summary. */
static void test_merge(void **state)
{
	struct fx *f = *state;
	int64_t a = add(f, f->app.ws, "Dana W", TIER_NONE, 0, NOW - 5 * DAY);
	int64_t b = add(f, f->app.ws, "Dana Whitfield", TIER_A, 0,
			NOW - 50 * DAY);
	struct fact fa = { 0, a, (char *)"likes jazz", NOW };
	struct contact c;

	touch(f, a, CH_IN_PERSON, NOW - DAY);
	touch(f, b, CH_EMAIL, NOW - 3 * DAY);
	assert_int_equal(store_fact_add(f->app.st, f->app.ws, &fa, &f->err),
			 0);
	assert_int_equal(store_contact_merge(f->app.st, f->app.ws, a, b, NOW,
					     &f->err),
			 0);
	get(f, b, &c);
	assert_int_equal(c.touch_count, 2);
	assert_int_equal(c.last_in_person, NOW - DAY);
	assert_int_equal(c.created_at, NOW - 50 * DAY);
	contact_clear(&c);
	assert_int_equal(store_contact_get(&c, f->app.st, f->app.ws, a,
					   &f->err),
			 KITH_ENOTFOUND);
}

/* The strlist l as one text, elements joined by '|'. */
static const char *joined(const struct strlist *l)
{
	static char buf[4][512];
	static int k;
	char *b = buf[k++ % 4];

	b[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			strcat(b, "|");
		strcat(b, l->v[i] ? l->v[i] : "(null)");
	}
	return b;
}

static void lists_checked(struct fx *f)
{
	int64_t bad = -1, first = -1;

	assert_int_equal(store_lists_check(&bad, &first, f->app.st, &f->err),
			 0);
	assert_int_equal(bad, 0);
}

/* contact.lists, which a read of one contact reads, follows every writer
 * of the lists: add, update, merge; store_lists_check agrees. */
static void test_kept_lists(void **state)
{
	struct fx *f = *state;
	struct contact c, got;
	int64_t a, b;

	contact_init(&c);
	c.name = strdup("Ana");
	assert_int_equal(strlist_push(&c.emails, "ana@x.example"), 0);
	assert_int_equal(strlist_push(&c.emails, "ana@y.example"), 0);
	assert_int_equal(strlist_push(&c.email_labels, "work"), 0);
	assert_int_equal(strlist_push(&c.email_labels, ""), 0);
	assert_int_equal(strlist_push(&c.phones, "+1 415 555 0100"), 0);
	assert_int_equal(strlist_push(&c.phone_labels, "mobile"), 0);
	assert_int_equal(strlist_push(&c.phone_keys, "+14155550100"), 0);
	assert_int_equal(strlist_push(&c.handles, "@ana"), 0);
	assert_int_equal(strlist_push(&c.tags, "vip"), 0);
	assert_int_equal(strlist_push(&c.tags, "board"), 0);
	assert_int_equal(strlist_push(&c.addresses, "1 Main St"), 0);
	assert_int_equal(strlist_push(&c.address_labels, "home"), 0);
	assert_int_equal(store_contact_add(f->app.st, f->app.ws, &c, NOW,
					   &f->err),
			 0);
	a = c.id;
	get(f, a, &got);
	assert_string_equal(joined(&got.emails), "ana@x.example|ana@y.example");
	assert_string_equal(joined(&got.email_labels), "work|");
	assert_string_equal(joined(&got.phones), "+1 415 555 0100");
	assert_string_equal(joined(&got.phone_labels), "mobile");
	assert_string_equal(joined(&got.phone_keys), "+14155550100");
	assert_string_equal(joined(&got.handles), "@ana");
	assert_string_equal(joined(&got.tags), "board|vip");
	assert_string_equal(joined(&got.addresses), "1 Main St");
	assert_string_equal(joined(&got.address_labels), "home");
	contact_clear(&got);
	lists_checked(f);

	/* an update rewrites them: fewer, other, none */
	strlist_clear(&c.emails);
	strlist_clear(&c.email_labels);
	strlist_clear(&c.addresses);
	strlist_clear(&c.address_labels);
	strlist_clear(&c.handles);
	assert_int_equal(strlist_push(&c.emails, "ana@z.example"), 0);
	assert_int_equal(strlist_push(&c.tags, "alpha"), 0);
	assert_int_equal(store_contact_update(f->app.st, f->app.ws, &c, 0, NOW,
					      &f->err),
			 0);
	get(f, a, &got);
	assert_string_equal(joined(&got.emails), "ana@z.example");
	assert_int_equal(got.email_labels.n, 0);
	assert_string_equal(joined(&got.tags), "alpha|board|vip");
	assert_int_equal(got.addresses.n + got.handles.n, 0);
	assert_string_equal(joined(&got.phones), "+1 415 555 0100");
	contact_clear(&got);
	contact_clear(&c);
	lists_checked(f);

	/* a merge hands the other's over */
	contact_init(&c);
	c.name = strdup("Ana B");
	assert_int_equal(strlist_push(&c.emails, "ana@b.example"), 0);
	assert_int_equal(strlist_push(&c.tags, "zed"), 0);
	assert_int_equal(strlist_push(&c.handles, "@anab"), 0);
	assert_int_equal(store_contact_add(f->app.st, f->app.ws, &c, NOW,
					   &f->err),
			 0);
	b = c.id;
	contact_clear(&c);
	assert_int_equal(store_contact_merge(f->app.st, f->app.ws, b, a, NOW,
					     &f->err),
			 0);
	get(f, a, &got);
	assert_string_equal(joined(&got.emails), "ana@z.example|ana@b.example");
	assert_string_equal(joined(&got.tags), "alpha|board|vip|zed");
	assert_string_equal(joined(&got.handles), "@anab");
	contact_clear(&got);
	lists_checked(f);
}

/* xorshift: tests need a deterministic stream, not rand(). */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* 6: on random books the indexed agenda equals the full ranking. */
static void test_agenda_exact(void **state)
{
	struct fx *f = *state;
	static const int cad[] = { 0, 7, 14, 30, 45, 90, -1, -3 };
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	for (int book = 0; book < 4; book++) {
		struct agenda_list fast, full;
		int n = 300 + book * 100;

		for (int i = 0; i < n; i++) {
			char name[32];
			int64_t id;
			struct contact c;

			snprintf(name, sizeof(name), "P%d-%d", book, i);
			id = add(f, f->app.ws, name,
				 (enum tier)(rnd(&seed) % TIER_COUNT), 0,
				 NOW - (kith_time)(rnd(&seed) % 400) * DAY);
			get(f, id, &c);
			c.every = kith_cadence_decode(cad[rnd(&seed) % 8]);
			if (rnd(&seed) % 3 == 0)
				c.since = kith_time_day(NOW, NULL) -
					  (int32_t)(rnd(&seed) % 4000);
			if (rnd(&seed) % 5 == 0)
				c.snooze_until = NOW + DAY;
			assert_int_equal(store_contact_update(f->app.st,
							      f->app.ws, &c, 0,
							      NOW, &f->err),
					 0);
			contact_clear(&c);
			for (int k = (int)(rnd(&seed) % 4); k > 0; k--)
				touch(f, id, (enum channel)(rnd(&seed) % CH_COUNT),
				      NOW - (kith_time)(rnd(&seed) % 300) * DAY);
			if (rnd(&seed) % 10 == 0) {
				struct promise p = { 0 };

				p.contact_id = id;
				p.text = (char *)"call back";
				p.due = NOW - (kith_time)(rnd(&seed) % 30) * DAY;
				p.done_at = KITH_NO_TIME;
				assert_int_equal(store_promise_add(f->app.st,
								   f->app.ws,
								   &p, &f->err),
						 0);
			}
			if (rnd(&seed) % 8 == 0) {
				struct kdate d = { 0 };

				d.contact_id = id;
				d.kind = (char *)"birthday";
				d.day = kith_time_day(NOW, NULL) - 365 * 30 +
					(int32_t)(rnd(&seed) % 20);
				d.year_known = true;
				d.yearly = true;
				assert_int_equal(store_date_add(f->app.st,
								f->app.ws, &d,
								&f->err),
						 0);
			}
		}
		for (size_t limit = 1; limit <= 80; limit *= 3) {
			assert_int_equal(app_agenda(&fast, &f->app, limit,
						    &f->err),
					 0);
			assert_int_equal(app_agenda_full(&full, &f->app, limit,
							 &f->err),
					 0);
			assert_int_equal(fast.n, full.n);
			for (size_t i = 0; i < fast.n; i++) {
				assert_int_equal(fast.items[i].id,
						 full.items[i].id);
				assert_true(fast.items[i].rank ==
					    full.items[i].rank);
				if (i)
					assert_true(fast.items[i].rank <=
						    fast.items[i - 1].rank);
			}
			agenda_list_free(&fast);
			agenda_list_free(&full);
		}
	}
}

/* 7: store_settle leaves a connection idle whatever was left open, and
 * a write that met a lock held past the busy timeout leaves nothing
 * behind (review H1: the failed BEGIN stayed active, the next read's
 * COMMIT failed and the connection kept a frozen snapshot). */
static void test_settle(void **state)
{
	struct fx *f = *state;
	struct store *other;
	struct contact c;
	int64_t id;

	assert_int_equal(store_commit(f->app.st, &f->err), 0);
	assert_int_equal(store_settle(f->app.st, &f->err), 0);

	/* A write transaction nobody ended: rolled back and reported. */
	assert_int_equal(store_begin(f->app.st, &f->err), 0);
	id = add(f, f->app.ws, "Lost", TIER_B, 0, NOW);
	assert_int_equal(store_settle(f->app.st, &f->err), KITH_EIO);
	assert_non_null(strstr(f->err.msg, "rolled back"));
	assert_false(store_in_transaction(f->app.st));
	assert_int_equal(store_settle(f->app.st, &f->err), 0);
	contact_init(&c);
	assert_int_equal(store_contact_get(&c, f->app.st, f->app.ws, id,
					   &f->err),
			 KITH_ENOTFOUND);

	/* A read snapshot left open: settled, and then a row written by
	 * another connection is seen. */
	assert_int_equal(store_open(&other, f->path, &f->err), 0);
	store_read_begin(f->app.st);
	assert_int_equal(store_contact_get(&c, f->app.st, f->app.ws, 1,
					   &f->err),
			 KITH_ENOTFOUND);
	/* PostgreSQL reads take no snapshot across statements (each
	 * statement its own): nothing is left open to settle. */
	assert_int_equal(store_settle(f->app.st, &f->err),
			 pg_base() ? KITH_OK : KITH_EIO);
	assert_int_equal(store_begin(other, &f->err), 0);
	contact_init(&c);
	c.name = strdup("Seen");
	c.created_at = NOW;
	assert_int_equal(store_contact_add(other, f->app.ws, &c, NOW, &f->err),
			 0);
	id = c.id;
	contact_clear(&c);
	assert_int_equal(store_commit(other, &f->err), 0);
	get(f, id, &c);
	assert_string_equal(c.name, "Seen");
	contact_clear(&c);

	/* Another connection holds the write lock past the busy timeout:
	 * BEGIN fails as busy, the connection stays idle, and once the
	 * lock is gone writes and fresh reads work.
	 * (PostgreSQL: the writers' advisory lock, past lock_timeout.)
	 */
	assert_int_equal(store_begin(other, &f->err), 0);
	assert_int_equal(store_begin(f->app.st, &f->err), KITH_EBUSY);
	assert_non_null(strstr(f->err.msg, "busy"));
	assert_false(store_in_transaction(f->app.st));
	assert_int_equal(store_settle(f->app.st, &f->err), 0);
	store_read_begin(f->app.st);
	get(f, id, &c);
	contact_clear(&c);
	store_read_end(f->app.st);
	assert_int_equal(store_settle(f->app.st, &f->err), 0);
	/* A write inside a read snapshot is refused every time on SQLite,
	 * not only when another writer commits meanwhile (then it could
	 * not succeed: SQLITE_BUSY_SNAPSHOT). */
	if (!pg_base()) {
		store_read_begin(f->app.st);
		assert_int_equal(store_hook_set(f->app.st, f->app.ws, "s",
						"h", &f->err),
				 KITH_EIO);
		assert_non_null(strstr(f->err.msg, "inside a read snapshot"));
		store_read_end(f->app.st);
		assert_int_equal(store_settle(f->app.st, &f->err), 0);
	}
	contact_init(&c);
	c.name = strdup("Later");
	c.created_at = NOW;
	assert_int_equal(store_contact_add(other, f->app.ws, &c, NOW, &f->err),
			 0);
	id = c.id;
	contact_clear(&c);
	assert_int_equal(store_commit(other, &f->err), 0);
	get(f, id, &c);
	assert_string_equal(c.name, "Later");
	contact_clear(&c);
	assert_int_equal(store_begin(f->app.st, &f->err), 0);
	add(f, f->app.ws, "Mine", TIER_B, 0, NOW);
	assert_int_equal(store_commit(f->app.st, &f->err), 0);
	assert_int_equal(store_settle(f->app.st, &f->err), 0);
	store_close(other);
	/* teardown rolls back: give it a transaction to end. */
	assert_int_equal(store_begin(f->app.st, &f->err), 0);
}

/* Rename contact id of ws on st, in a transaction of its own. */
static void rename_on(struct fx *f, struct store *st, int64_t id,
		      const char *name)
{
	struct contact c;

	assert_int_equal(store_begin(st, &f->err), 0);
	assert_int_equal(store_contact_get(&c, st, f->app.ws, id, &f->err), 0);
	free(c.name);
	c.name = strdup(name);
	assert_int_equal(store_contact_update(st, f->app.ws, &c, 0, NOW,
					      &f->err),
			 0);
	contact_clear(&c);
	assert_int_equal(store_commit(st, &f->err), 0);
}

/* The name contact id has on st, as st reads it now (in the snapshot
 * open on it, if any). */
static void name_is(struct fx *f, struct store *st, int64_t id,
		    const char *want)
{
	struct contact c;

	assert_int_equal(store_contact_get(&c, st, f->app.ws, id, &f->err), 0);
	assert_string_equal(c.name, want);
	contact_clear(&c);
}

/* The name contact id has on st, read in a snapshot as a request does. */
static void read_name(struct fx *f, struct store *st, int64_t id,
		      const char *want)
{
	store_enter(st);
	store_read_begin(st);
	name_is(f, st, id, want);
	store_read_end(st);
	assert_int_equal(store_settle(st, &f->err), 0);
	store_leave(st);
}

/* Rename contact id on writer; the next read on reader sees it. */
static void renamed_seen(struct fx *f, struct store *writer,
			 struct store *reader, int64_t id, const char *name)
{
	rename_on(f, writer, id, name);
	read_name(f, reader, id, name);
}

/* A TRUNCATE checkpoint by raw, which waits for no reader: SQLite's
 * answer (SQLITE_BUSY while a reader is inside the WAL). */
static int wal_truncate(sqlite3 *raw)
{
	return sqlite3_wal_checkpoint_v2(raw, NULL, SQLITE_CHECKPOINT_TRUNCATE,
					 NULL, NULL);
}

/* A read snapshot kept between requests (store_keep_reads, the
 * server's connections) is reused only while no commit, by any
 * connection, came since; a statement outside a read and a write both
 * end it first; store_expire_reads ends an idle one, which then holds
 * the WAL no more. On PostgreSQL nothing is kept: the same reads pass. */
static void test_kept_reads(void **state)
{
	struct fx *f = *state;
	struct store *kept, *other;
	int64_t id;

	assert_int_equal(store_commit(f->app.st, &f->err), 0);
	id = add(f, f->app.ws, "One", TIER_B, 0, NOW);
	assert_int_equal(store_open(&kept, f->path, &f->err), 0);
	assert_int_equal(store_open(&other, f->path, &f->err), 0);
	store_keep_reads(kept);
	store_keep_reads(kept);	/* twice is once */

	read_name(f, kept, id, "One");
	assert_false(store_in_transaction(kept));
	read_name(f, kept, id, "One");	/* the kept snapshot, reused */
	renamed_seen(f, other, kept, id, "Two");
	rename_on(f, other, id, "Three");
	renamed_seen(f, other, kept, id, "Four");

	/* A statement outside a read sees the database as it is now. */
	rename_on(f, other, id, "Five");
	name_is(f, f->app.st, id, "Five");
	name_is(f, kept, id, "Five");

	/* A commit while a request reads: on SQLite that request keeps
	 * its snapshot to the end (PostgreSQL reads each statement in a
	 * snapshot of its own); the next one sees the commit. */
	store_enter(kept);
	store_read_begin(kept);
	name_is(f, kept, id, "Five");
	rename_on(f, other, id, "Mid");
	name_is(f, kept, id, pg_base() ? "Mid" : "Five");
	store_read_end(kept);
	assert_int_equal(store_settle(kept, &f->err), 0);
	store_leave(kept);
	read_name(f, kept, id, "Mid");
	renamed_seen(f, other, kept, id, "Five");

	/* A write on the keeping connection: the snapshot ends first, the
	 * write commits, and everybody sees it. */
	renamed_seen(f, kept, other, id, "Six");
	read_name(f, kept, id, "Six");

	/* Idle, a kept snapshot at an older commit holds the WAL from a
	 * checkpoint that waits for no reader, until it expires. */
	if (!pg_base()) {
		sqlite3 *raw;

		renamed_seen(f, other, kept, id, "Seven");
		rename_on(f, other, id, "Eight");
		assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
		/* A first read: till then the connection knows no WAL. */
		assert_int_equal(sqlite3_exec(raw, "SELECT count(*) FROM"
						   " sqlite_master",
					      NULL, NULL, NULL),
				 SQLITE_OK);
		assert_int_equal(wal_truncate(raw), SQLITE_BUSY);
		store_expire_reads(kept, 60000);	/* not idle that long */
		assert_int_equal(wal_truncate(raw), SQLITE_BUSY);
		store_expire_reads(kept, 0);
		assert_int_equal(wal_truncate(raw), SQLITE_OK);
		read_name(f, kept, id, "Eight");

		/* A checkpoint that copies the whole WAL also moves a kept
		 * snapshot on (nBackfill is in what it compares), onto read
		 * mark 0, which lets the WAL start over. */
		renamed_seen(f, other, kept, id, "Nine");
		assert_int_equal(sqlite3_wal_checkpoint_v2(
					 raw, NULL, SQLITE_CHECKPOINT_PASSIVE,
					 NULL, NULL),
				 SQLITE_OK);
		assert_int_equal(wal_truncate(raw), SQLITE_BUSY);
		read_name(f, kept, id, "Nine");
		assert_int_equal(wal_truncate(raw), SQLITE_OK);
		sqlite3_close(raw);
	}
	store_close(kept);
	store_close(other);
	/* teardown rolls back: give it a transaction to end. */
	assert_int_equal(store_begin(f->app.st, &f->err), 0);
}

/* Read contact id of ws on st, then retitle it: the two halves of a
 * crossed pair of writers. */
static int cross_read(struct store *st, int64_t ws, int64_t id,
		      struct kith_err *err)
{
	struct contact c;
	int rc = store_contact_get(&c, st, ws, id, err);

	contact_clear(&c);
	return rc;
}

static int cross_write(struct store *st, int64_t ws, int64_t id,
		       const char *title, struct kith_err *err)
{
	struct contact c;
	int rc = store_contact_get(&c, st, ws, id, err);

	if (!rc) {
		free(c.title);
		c.title = strdup(title);
		rc = store_contact_update(st, ws, &c, 0, NOW, err);
	}
	contact_clear(&c);
	return rc;
}

/* PostgreSQL: writers of two workspaces run at once (each queues only
 * behind its own workspace's, store_set_tenant). Two that cross, each
 * reading what the other writes, cannot both commit: the second fails
 * as a serialization failure, KITH_EBUSY with store_retryable, having
 * written nothing, and passes when run again. (SQLite runs one writer
 * at a time: nothing to cross.) */
static int64_t user_in(struct fx *f, int64_t ws, const char *email)
{
	struct user u = { 0 };

	u.workspace_id = ws;
	u.email = (char *)email;
	u.role = ROLE_MEMBER;
	u.created_at = NOW;
	assert_int_equal(store_user_add(f->app.st, &u, &f->err), 0);
	return u.id;
}

/* Each touch's contacts and users come back with it, in id order,
 * across the batches a long list is read in (512 touches a statement)
 * and never from the other workspace, whose touch ids are the same. */
static void test_touch_participants(void **state)
{
	struct fx *f = *state;
	struct touchpoint *t = NULL;
	size_t nt = 0;
	int64_t a, b, c, x, u1, u2;
	enum { N = 1100 };
	char note[16];

	a = add(f, f->app.ws, "A", TIER_NONE, 0, NOW);
	b = add(f, f->app.ws, "B", TIER_NONE, 0, NOW);
	c = add(f, f->app.ws, "C", TIER_NONE, 0, NOW);
	x = add(f, f->other_ws, "X", TIER_NONE, 0, NOW);
	u1 = user_in(f, f->app.ws, "u1@studio.example");
	u2 = user_in(f, f->app.ws, "u2@studio.example");
	for (int i = 0; i < N; i++) {
		struct touchpoint in = { 0 };
		int64_t mine[3] = { c, a, b }, users[2] = { u2, u1 };
		int64_t theirs[1] = { x };

		snprintf(note, sizeof(note), "t%d", i);
		in.at = NOW - (kith_time)(N - i) * 60;
		in.channel = CH_CALL;
		in.note = note;
		in.contacts = mine;
		in.n_contacts = 1 + (size_t)(i % 3);
		in.users = users;
		in.n_users = (size_t)(i % 3 == 2 ? 2 : i % 2);
		assert_int_equal(store_touch_add(f->app.st, f->app.ws, &in,
						 &f->err),
				 0);
		in.contacts = theirs;
		in.n_contacts = 1;
		in.users = NULL;
		in.n_users = 0;
		assert_int_equal(store_touch_add(f->app.st, f->other_ws, &in,
						 &f->err),
				 0);
	}
	assert_int_equal(store_touch_list(&t, &nt, f->app.st, f->app.ws, 0, 0,
					  &f->err),
			 0);
	assert_int_equal(nt, N);
	for (size_t k = 0; k < nt; k++) {
		int i = atoi(t[k].note + 1);
		size_t want_users = (size_t)(i % 3 == 2 ? 2 : i % 2);
		int64_t want[3] = { c, a, b };

		assert_int_equal(t[k].n_contacts, 1 + (size_t)(i % 3));
		/* ascending ids: sort the few expected */
		for (size_t p = 0; p < t[k].n_contacts; p++)
			for (size_t q = p + 1; q < t[k].n_contacts; q++)
				if (want[q] < want[p]) {
					int64_t v = want[p];

					want[p] = want[q];
					want[q] = v;
				}
		for (size_t p = 0; p < t[k].n_contacts; p++)
			assert_int_equal(t[k].contacts[p], want[p]);
		assert_int_equal(t[k].n_users, want_users);
		if (want_users == 2) {
			assert_int_equal(t[k].users[0], u1 < u2 ? u1 : u2);
			assert_int_equal(t[k].users[1], u1 < u2 ? u2 : u1);
		} else if (want_users == 1) {
			assert_int_equal(t[k].users[0], u2);
		}
	}
	store_touches_free(t, nt);
	/* One contact's touches: b is on every third, with a and c. */
	assert_int_equal(store_touch_page(&t, &nt, f->app.st, f->app.ws, b,
					  0, 0, &f->err),
			 0);
	assert_int_equal(nt, N / 3);
	for (size_t k = 0; k < nt; k++)
		assert_int_equal(t[k].n_contacts, 3);
	store_touches_free(t, nt);
	assert_int_equal(store_touch_list(&t, &nt, f->app.st, f->other_ws, 0,
					  0, &f->err),
			 0);
	assert_int_equal(nt, N);
	for (size_t k = 0; k < nt; k++) {
		assert_int_equal(t[k].n_contacts, 1);
		assert_int_equal(t[k].contacts[0], x);
		assert_int_equal(t[k].n_users, 0);
	}
	store_touches_free(t, nt);
}

/* The directory (migration 20), read the way a Citus database reads it:
 * every lookup by a hash or an email goes through it first, so a
 * directory row the store forgot to write, move or drop shows here as a
 * lookup that fails or one that still succeeds. */
static void test_directory(void **state)
{
	struct fx *f = *state;
	struct store *st = f->app.st;
	struct user u = { 0 };
	struct user nu = { 0 };
	char *secret = NULL;
	int64_t ana, other, tok, ws = 0;

	store_set_sharded(st, true);
	ana = user_in(f, f->app.ws, "ana@studio.example");
	other = user_in(f, f->other_ws, "olu@other.example");

	/* Sign-in by email, any case, finds the one account. */
	assert_int_equal(store_user_by_email(&u, st, "ANA@studio.example",
					     &f->err),
			 0);
	assert_int_equal(u.id, ana);
	assert_int_equal(u.workspace_id, f->app.ws);
	user_clear(&u);
	nu.workspace_id = f->other_ws;
	nu.email = "Ana@Studio.example";
	nu.created_at = NOW;
	assert_int_equal(store_user_add(st, &nu, &f->err), KITH_ECONFLICT);
	assert_string_equal(f->err.field, "email");

	/* A token and a session are found through it. */
	assert_int_equal(store_token_add(&tok, st, f->other_ws, other, "t",
					 "hash-token", NOW, KITH_NO_TIME,
					 &f->err),
			 0);
	assert_int_equal(store_token_user(&u, st, "hash-token", NOW, &f->err),
			 0);
	assert_int_equal(u.id, other);
	assert_int_equal(u.workspace_id, f->other_ws);
	user_clear(&u);
	assert_int_equal(store_token_touch(st, "hash-token", NOW, &f->err), 0);
	assert_int_equal(store_session_add(st, "hash-s1", f->app.ws, ana, NOW,
					   NOW + 3600, NOW + 600, &f->err),
			 0);
	assert_int_equal(store_session_add(st, "hash-s2", f->app.ws, ana, NOW,
					   NOW + 60, NOW + 60, &f->err),
			 0);
	assert_int_equal(store_session_user(&u, st, "hash-s1", NOW, &f->err),
			 0);
	assert_int_equal(u.id, ana);
	user_clear(&u);
	assert_int_equal(store_session_touch(st, "hash-s1", NOW + 900,
					     &f->err),
			 0);
	/* The sweep ends s2 (expired), and its hash leaves the directory:
	 * the same hash may be used again. */
	assert_int_equal(store_session_purge(st, NOW + 120, &f->err), 0);
	assert_int_equal(store_session_user(&u, st, "hash-s2", NOW, &f->err),
			 KITH_ENOTFOUND);
	assert_int_equal(store_session_add(st, "hash-s2", f->other_ws, other,
					   NOW, NOW + 3600, NOW + 600,
					   &f->err),
			 0);
	assert_int_equal(store_session_user(&u, st, "hash-s2", NOW + 130,
					    &f->err),
			 0);
	assert_int_equal(u.workspace_id, f->other_ws);
	user_clear(&u);
	assert_int_equal(store_session_delete(st, "hash-s2", &f->err), 0);
	assert_int_equal(store_session_add(st, "hash-s2", f->app.ws, ana, NOW,
					   NOW + 3600, NOW + 600, &f->err),
			 0);
	assert_int_equal(store_session_delete_user(NULL, st, f->app.ws, ana,
						   "hash-s1", &f->err),
			 0);
	assert_int_equal(store_session_add(st, "hash-s2", f->other_ws, other,
					   NOW, NOW + 3600, NOW + 600,
					   &f->err),
			 0);

	/* A rotated webhook secret and feed URL: the new hash names the
	 * workspace, the old one nothing. */
	assert_int_equal(store_hook_set(st, f->app.ws, "s1", "hash-hook1",
					&f->err),
			 0);
	assert_int_equal(store_hook_set(st, f->app.ws, "s2", "hash-hook2",
					&f->err),
			 0);
	assert_int_equal(store_hook_find(&ws, &secret, st, "hash-hook1",
					 &f->err),
			 KITH_ENOTFOUND);
	assert_int_equal(store_hook_find(&ws, &secret, st, "hash-hook2",
					 &f->err),
			 0);
	assert_int_equal(ws, f->app.ws);
	assert_string_equal(secret, "s2");
	free(secret);
	assert_int_equal(store_feed_set(st, f->other_ws, other, "f1",
					"hash-feed1", &f->err),
			 0);
	assert_int_equal(store_feed_set(st, f->other_ws, other, "f2",
					"hash-feed2", &f->err),
			 0);
	assert_int_equal(store_feed_find(&u, &secret, st, "hash-feed1",
					 &f->err),
			 KITH_ENOTFOUND);
	assert_int_equal(store_feed_find(&u, &secret, st, "hash-feed2",
					 &f->err),
			 0);
	assert_int_equal(u.id, other);
	assert_string_equal(secret, "f2");
	free(secret);
	user_clear(&u);
	/* A hash is unique across every kind and workspace. */
	assert_int_equal(store_savepoint(st, &f->err), 0);
	assert_int_equal(store_session_add(st, "hash-feed2", f->app.ws, ana,
					   NOW, NOW + 3600, NOW + 600,
					   &f->err),
			 KITH_ECONFLICT);
	store_savepoint_undo(st);

	/* A deleted account takes its email and credentials along: the
	 * address may sign up in another workspace. */
	assert_int_equal(store_token_add(&tok, st, f->app.ws, ana, "t",
					 "hash-token2", NOW, KITH_NO_TIME,
					 &f->err),
			 0);
	assert_int_equal(store_user_delete(st, f->app.ws, ana, &f->err), 0);
	assert_int_equal(store_token_user(&u, st, "hash-token2", NOW,
					  &f->err),
			 KITH_ENOTFOUND);
	assert_int_equal(store_user_by_email(&u, st, "ana@studio.example",
					     &f->err),
			 KITH_ENOTFOUND);
	ana = user_in(f, f->other_ws, "ana@studio.example");
	assert_int_equal(store_user_by_email(&u, st, "ana@studio.example",
					     &f->err),
			 0);
	assert_int_equal(u.workspace_id, f->other_ws);
	user_clear(&u);
	assert_int_equal(store_token_add(&tok, st, f->other_ws, ana, "t",
					 "hash-token2", NOW, KITH_NO_TIME,
					 &f->err),
			 0);

	/* Workspace names: unique across workspaces, renames move. */
	{
		struct workspace w = { 0 };
		int64_t id;

		assert_int_equal(store_workspace_get(&w, st, f->other_ws,
						     &f->err),
				 0);
		free(w.name);
		w.name = strdup("Renamed");
		assert_int_equal(store_workspace_update(st, &w, &f->err), 0);
		workspace_clear(&w);
		assert_int_equal(store_workspace_create(&id, st, "Other", NOW,
							&f->err),
				 0);
		assert_int_not_equal(store_workspace_create(&id, st,
							    "renamed", NOW,
							    &f->err),
				     0);
	}
}

static void test_serialization_retry(void **state)
{
	struct fx *f = *state;
	struct store *other;
	struct contact c;
	int64_t mine, theirs;
	int rc;

	if (!pg_base())
		skip();
	mine = add(f, f->app.ws, "Mine", TIER_A, 0, NOW);
	theirs = add(f, f->other_ws, "Theirs", TIER_A, 0, NOW);
	assert_int_equal(store_commit(f->app.st, &f->err), 0);
	assert_int_equal(store_open(&other, f->path, &f->err), 0);
	store_set_tenant(f->app.st, f->app.ws);
	store_set_tenant(other, f->other_ws);

	assert_int_equal(store_begin(f->app.st, &f->err), 0);
	assert_int_equal(store_begin(other, &f->err), 0);
	assert_int_equal(cross_read(f->app.st, f->other_ws, theirs, &f->err),
			 0);
	assert_int_equal(cross_read(other, f->app.ws, mine, &f->err), 0);
	assert_int_equal(cross_write(f->app.st, f->app.ws, mine, "first",
				     &f->err),
			 0);
	rc = cross_write(other, f->other_ws, theirs, "second", &f->err);
	assert_int_equal(store_commit(f->app.st, &f->err), 0);
	if (!rc)
		rc = store_commit(other, &f->err);
	else
		store_rollback(other);
	assert_int_equal(rc, KITH_EBUSY);
	assert_true(store_retryable(other));
	assert_non_null(strstr(f->err.msg, "busy"));
	assert_false(store_in_transaction(other));
	assert_int_equal(store_contact_get(&c, other, f->other_ws, theirs,
					   &f->err),
			 0);
	assert_null(c.title);
	contact_clear(&c);

	/* Run again, whole: it passes. */
	assert_int_equal(store_begin(other, &f->err), 0);
	assert_false(store_retryable(other));
	assert_int_equal(cross_read(other, f->app.ws, mine, &f->err), 0);
	assert_int_equal(cross_write(other, f->other_ws, theirs, "second",
				     &f->err),
			 0);
	assert_int_equal(store_commit(other, &f->err), 0);
	assert_int_equal(store_contact_get(&c, other, f->other_ws, theirs,
					   &f->err),
			 0);
	assert_string_equal(c.title, "second");
	contact_clear(&c);
	store_close(other);
	/* teardown rolls back: give it a transaction to end. */
	assert_int_equal(store_begin(f->app.st, &f->err), 0);
}

/* store_copy goes from SQLite to PostgreSQL only: a SQLite target is
 * refused before anything is read or written (the copy itself, into a
 * real PostgreSQL, is tests/cli/T520-migrate.sh). */
static void test_copy_refuses_sqlite_target(void **state)
{
	struct fx *f = *state;
	struct store_copy_table *t = (void *)1;
	struct workspace *ws = NULL;
	struct store *other;
	char path[128];
	size_t n = 7, nws = 0;

	if (pg_base())
		skip();	/* the source must be SQLite: T520 copies from it */
	assert_int_equal(store_commit(f->app.st, &f->err), 0);
	snprintf(path, sizeof(path), "%s/other.db", f->dir);
	assert_int_equal(store_open(&other, path, &f->err), 0);
	assert_int_equal(store_copy(&t, &n, other, f->app.st, &f->err),
			 KITH_EINPUT);
	assert_string_equal(f->err.field, "target");
	assert_null(t);
	assert_int_equal(n, 0);
	assert_false(store_in_transaction(f->app.st));
	assert_int_equal(store_workspace_list(&ws, &nws, other, &f->err), 0);
	assert_int_equal(nws, 0);
	store_close(other);
	/* teardown rolls back: give it a transaction to end. */
	assert_int_equal(store_begin(f->app.st, &f->err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_summaries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cadence_inheritance, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_version_conflict, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tenancy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_pages, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_alert_last_per_user, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kept_lists, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_agenda_exact, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_settle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kept_reads, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_touch_participants, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_directory, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_serialization_retry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_copy_refuses_sqlite_target,
						setup, teardown),
	};

	setenv("TZ", "America/Chicago", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
