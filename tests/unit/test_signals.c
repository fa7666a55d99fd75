/*
 * test_signals.c: response-time statistics through app_signal_stats on a
 * real SQLite file: working hours in the owner's zone (or the
 * workspace's), nights and weekends that do not count, the median, p90
 * and breaches against the workspace's target, hand-computed.
 *
 * The week: Mon 2026-11-16 .. Mon 2026-11-23. Berlin is UTC+1 (CET),
 * Chicago UTC-6 (CST); no clock change falls in it. The workspace works
 * 09:00-17:00 in Europe/Berlin with a 30-minute target. Ana has no zone
 * of her own (Berlin), Ben is in America/Chicago.
 *
 *   sig  owner  at (UTC)            answered (UTC)       working minutes
 *   A    ana    Tue 17 22:00 (23:00)  Wed 18 08:20 (09:20)   20
 *   B    ana    Wed 18 09:00 (10:00)  Wed 18 09:45 (10:45)   45  breach
 *   C    ana    Wed 18 15:50 (16:50)  Thu 19 08:15 (09:15)   10 + 15 = 25
 *   H    ana    Mon 23 15:50 (16:50)  waiting, now 16:00     10
 *   E    ben    Thu 19 08:00 (02:00)  Thu 19 15:10 (09:10)   10 (Berlin: 430)
 *   D    ben    Fri 20 16:00 (10:00)  Fri 20 16:30 (10:30)   30  on target
 *   G    ben    Fri 20 22:00 (16:00)  waiting, now Mon 10:00 60 + 60 = 120 breach
 *   F    none   Fri 20 16:30 (17:30)  Mon 23 08:40 (09:40)   40  breach
 *                                     (the weekend and Friday evening free)
 *
 * Nearest-rank percentiles (respond.h): ana {20,25,45}: median 25, p90
 * 45; ben {10,30}: median 10, p90 30; no owner {40}; the workspace
 * {10,20,25,30,40,45}: median 25 (rank 3), p90 45 (rank 6).
 */
#include "unit.h"

#include "app/app.h"
#include "app/signals.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fx {
	char dir[64];
	char path[96];
	struct app_ctx app;
	struct kith_err err;
	int64_t ana, ben;
	int64_t c_ana, c_ben, c_none;
	int64_t sig[8];
};

static kith_time T(const char *s)
{
	struct kith_err err = { 0 };
	kith_time t = 0;

	assert_int_equal(kith_time_parse(&t, s, NULL, 0, "t", &err), 0);
	return t;
}

static int64_t user(struct fx *f, const char *email, const char *tz)
{
	struct user u = { 0 };

	u.workspace_id = f->app.ws;
	u.email = (char *)email;
	u.role = ROLE_MEMBER;
	u.tz = (char *)tz;
	u.created_at = f->app.now;
	u.focus_until = KITH_NO_TIME;
	assert_int_equal(store_user_add(f->app.st, &u, &f->err), 0);
	return u.id;
}

static int64_t contact(struct fx *f, const char *name, int64_t owner)
{
	struct contact c;
	int64_t id;

	contact_init(&c);
	c.name = strdup(name);
	c.owner_id = owner;
	assert_int_equal(store_contact_add(f->app.st, f->app.ws, &c,
					   f->app.now, &f->err),
			 0);
	id = c.id;
	contact_clear(&c);
	return id;
}

static int64_t signal_at(struct fx *f, const char *ext, int64_t cid,
			 const char *at)
{
	struct signal g = { 0 };
	bool dup = true;

	g.ext_id = (char *)ext;
	g.type = SIG_FORM;
	g.contact_id = cid;
	g.at = T(at);
	g.received_at = g.at;
	assert_int_equal(store_signal_add(&dup, f->app.st, f->app.ws, &g,
					  &f->err),
			 0);
	assert_false(dup);
	return g.id;
}

static void touch(struct fx *f, int64_t cid, const char *at)
{
	struct touchpoint t = { 0 };
	int64_t ids[1] = { cid };

	t.at = T(at);
	t.channel = CH_EMAIL;
	t.direction = DIR_OUT;
	t.contacts = ids;
	t.n_contacts = 1;
	t.created_at = t.at;
	assert_int_equal(store_touch_add(f->app.st, f->app.ws, &t, &f->err),
			 0);
}

static void set_workspace(struct fx *f, const char *tz, int start, int end,
			  int target)
{
	struct workspace w = { 0 };

	assert_int_equal(store_workspace_get(&w, f->app.st, f->app.ws, &f->err),
			 0);
	free(w.tz);
	w.tz = strdup(tz);
	w.work_start_min = start;
	w.work_end_min = end;
	w.response_target_min = target;
	assert_int_equal(store_workspace_update(f->app.st, &w, &f->err), 0);
	workspace_clear(&w);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/kith-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/k.db", f->dir);
	assert_int_equal(app_open(&f->app, f->path, NULL,
				  T("2026-11-23T16:00:00Z"), &f->err),
			 0);
	assert_int_equal(store_begin(f->app.st, &f->err), 0);
	set_workspace(f, "Europe/Berlin", 540, 1020, 30);
	f->ana = user(f, "ana@studio.example", "");
	f->ben = user(f, "ben@studio.example", "America/Chicago");
	f->c_ana = contact(f, "Dana Harbor", f->ana);
	f->c_ben = contact(f, "Pat Quay", f->ben);
	f->c_none = contact(f, "Lee Nobody", 0);

	f->sig[0] = signal_at(f, "A", f->c_ana, "2026-11-17T22:00:00Z");
	f->sig[1] = signal_at(f, "B", f->c_ana, "2026-11-18T09:00:00Z");
	f->sig[2] = signal_at(f, "C", f->c_ana, "2026-11-18T15:50:00Z");
	f->sig[3] = signal_at(f, "H", f->c_ana, "2026-11-23T15:50:00Z");
	f->sig[4] = signal_at(f, "E", f->c_ben, "2026-11-19T08:00:00Z");
	f->sig[5] = signal_at(f, "D", f->c_ben, "2026-11-20T16:00:00Z");
	f->sig[6] = signal_at(f, "G", f->c_ben, "2026-11-20T22:00:00Z");
	f->sig[7] = signal_at(f, "F", f->c_none, "2026-11-20T16:30:00Z");
	/* Each touch answers the signals of its contact before it. */
	touch(f, f->c_ana, "2026-11-18T08:20:00Z");
	touch(f, f->c_ana, "2026-11-18T09:45:00Z");
	touch(f, f->c_ana, "2026-11-19T08:15:00Z");
	touch(f, f->c_ben, "2026-11-19T15:10:00Z");
	touch(f, f->c_ben, "2026-11-20T16:30:00Z");
	touch(f, f->c_none, "2026-11-23T08:40:00Z");
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

static double response(struct fx *f, int64_t id)
{
	struct signal g;
	double m;

	assert_int_equal(store_signal_get(&g, f->app.st, f->app.ws, id,
					  &f->err),
			 0);
	m = app_signal_response(&f->app, &g);
	signal_clear(&g);
	return m;
}

static const struct respond_stats *of(const struct signal_user_stats *per,
				      size_t n, int64_t user_id)
{
	for (size_t i = 0; i < n; i++)
		if (per[i].user_id == user_id)
			return &per[i].s;
	fail_msg("no stats for user %lld", (long long)user_id);
	return NULL;
}

#define assert_minutes(got, want) assert_true(absd((got) - (want)) < 1e-6)
static double absd(double x)
{
	return x < 0 ? -x : x;
}

/* 1: each signal's working minutes, in its owner's zone. */
static void test_response_minutes(void **state)
{
	struct fx *f = *state;

	assert_minutes(response(f, f->sig[0]), 20);	/* 23:00 waits */
	assert_minutes(response(f, f->sig[1]), 45);
	assert_minutes(response(f, f->sig[2]), 25);	/* across a night */
	assert_minutes(response(f, f->sig[3]), -1);	/* waiting */
	assert_minutes(response(f, f->sig[4]), 10);	/* Chicago's 02:00 */
	assert_minutes(response(f, f->sig[5]), 30);
	assert_minutes(response(f, f->sig[6]), -1);
	assert_minutes(response(f, f->sig[7]), 40);	/* a weekend */
}

/* 2: median, p90 and breaches per owner and for the workspace. */
static void test_stats(void **state)
{
	struct fx *f = *state;
	struct signal_user_stats *per = NULL;
	struct respond_stats all;
	const struct respond_stats *s;
	size_t n = 0;
	int target = 0;

	assert_int_equal(app_signal_stats(&per, &n, &all, &target, &f->app,
					  &f->err),
			 0);
	assert_int_equal(target, 30);
	assert_int_equal(n, 3);

	s = of(per, n, f->ana);
	assert_int_equal(s->n, 3);
	assert_int_equal(s->waiting, 1);
	assert_minutes(s->median_minutes, 25);
	assert_minutes(s->p90_minutes, 45);
	assert_int_equal(s->breaches, 1);	/* B; H waits only 10 */

	s = of(per, n, f->ben);
	assert_int_equal(s->n, 2);
	assert_int_equal(s->waiting, 1);
	assert_minutes(s->median_minutes, 10);
	assert_minutes(s->p90_minutes, 30);
	assert_int_equal(s->breaches, 1);	/* G waits 120; D is on target */

	s = of(per, n, 0);
	assert_int_equal(s->n, 1);
	assert_int_equal(s->waiting, 0);
	assert_minutes(s->median_minutes, 40);
	assert_minutes(s->p90_minutes, 40);
	assert_int_equal(s->breaches, 1);

	assert_int_equal(all.n, 6);
	assert_int_equal(all.waiting, 2);
	assert_minutes(all.median_minutes, 25);
	assert_minutes(all.p90_minutes, 45);
	assert_int_equal(all.breaches, 3);	/* B, F, and G waiting */
	free(per);
}

/* 3: the workspace's target decides the breaches. */
static void test_target(void **state)
{
	struct fx *f = *state;
	struct signal_user_stats *per = NULL;
	struct respond_stats all;
	size_t n = 0;
	int target = 0;

	set_workspace(f, "Europe/Berlin", 540, 1020, 20);
	assert_int_equal(app_signal_stats(&per, &n, &all, &target, &f->app,
					  &f->err),
			 0);
	assert_int_equal(target, 20);
	/* Over 20: 45, 25 (ana); 30, and G's 120 (ben); 40 (no owner). */
	assert_int_equal(of(per, n, f->ana)->breaches, 2);
	assert_int_equal(of(per, n, f->ben)->breaches, 2);
	assert_int_equal(of(per, n, 0)->breaches, 1);
	assert_int_equal(all.breaches, 5);
	/* The times themselves do not move. */
	assert_minutes(all.median_minutes, 25);
	free(per);
}

/* 4: the hours follow the workspace's settings, in its zone: 08:00-12:00
 * in Asia/Kolkata (UTC+5:30) for owners without a zone of their own. */
static void test_workspace_hours(void **state)
{
	struct fx *f = *state;

	set_workspace(f, "Asia/Kolkata", 480, 720, 30);
	/* A: Tue 22:00Z is Wed 03:30 there; answered 08:20Z = 13:50, after
	 * hours: the whole Wed morning 08:00-12:00 = 240. */
	assert_minutes(response(f, f->sig[0]), 240);
	/* B: 09:00Z-09:45Z is 14:30-15:15 there: after hours, 0. */
	assert_minutes(response(f, f->sig[1]), 0);
	/* E is Ben's: still Chicago, now 08:00-12:00 there: 02:00 to 09:10
	 * counts 08:00-09:10 = 70. */
	assert_minutes(response(f, f->sig[4]), 70);
	/* F has no owner: Fri 16:30Z = 22:00 Fri there, answered Mon 08:40Z
	 * = 14:10 Mon: the Monday morning, 240. */
	assert_minutes(response(f, f->sig[7]), 240);
}

/* 5: a repeat delivery is stored once, and a lead waits without owner. */
static void test_ingest_once(void **state)
{
	struct fx *f = *state;
	struct signal g = { 0 }, h = { 0 };
	struct signal *list = NULL;
	int64_t *woken = NULL;
	size_t n_woken = 0, n = 0, before;
	bool dup = true;

	assert_int_equal(store_signal_list(&list, &before, f->app.st, f->app.ws,
					   false, 0, 0, &f->err),
			 0);
	store_signals_free(list, before);
	g.ext_id = strdup("dup-1");
	g.type = SIG_WEBSITE_VISIT;
	g.email = strdup("someone@nowhere.example");
	g.at = f->app.now;
	g.received_at = f->app.now;
	assert_int_equal(app_signal_ingest(&dup, &woken, &n_woken, &f->app, &g,
					   &f->err),
			 0);
	assert_false(dup);
	assert_int_equal(g.contact_id, 0);
	/* No owner: every member is alerted. */
	assert_int_equal(n_woken, 2);
	free(woken);
	woken = NULL;
	h.ext_id = strdup("dup-1");
	h.type = SIG_WEBSITE_VISIT;
	h.email = strdup("someone@nowhere.example");
	h.at = f->app.now;
	h.received_at = f->app.now;
	assert_int_equal(app_signal_ingest(&dup, &woken, &n_woken, &f->app, &h,
					   &f->err),
			 0);
	assert_true(dup);
	assert_int_equal(h.id, g.id);
	assert_int_equal(n_woken, 0);
	free(woken);
	assert_int_equal(store_signal_list(&list, &n, f->app.st, f->app.ws,
					   false, 0, 0, &f->err),
			 0);
	store_signals_free(list, n);
	assert_int_equal(n, before + 1);
	signal_clear(&g);
	signal_clear(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_response_minutes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_workspace_hours, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ingest_once, setup,
						teardown),
	};

	/* Not the zone of anyone in the fixture: it must not leak in. */
	setenv("TZ", "Pacific/Auckland", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
