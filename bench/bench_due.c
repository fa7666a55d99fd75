/*
 * bench_due.c: `kith due` latency on a big book, and touch insert rates.
 *
 *   bench_due BOOK.db CONTACTS TOUCHES
 *
 * Builds the book with the code behind `kith demo --contacts --touches`
 * when BOOK.db does not exist, times app_agenda (the path `kith due`
 * takes) over many runs, checks its top 50 against a full ranking of
 * every contact (exit 1 if they differ), then measures touchpoint inserts
 * with summary upkeep against bare inserts of the same rows into an
 * indexed table, in the same run. The bare baseline is SQL written here
 * on purpose: it is the yardstick, not the product.
 *
 *   bench_due --pg BOOK.db URL...
 *
 * The agenda on PostgreSQL beside SQLite (issue 18; bench/pg.sh): each
 * URL (up to 4: one database over TCP and over the unix socket) holds
 * BOOK.db copied by `kith migrate --to`. Ranks every contact of
 * the SQLite book the slow way once (the same rows are on both), then
 * times app_agenda on each engine, alternating in rounds so both see the
 * same load on a shared machine, and checks each one's top 50 against
 * that full scan (exit 1 if either differs). BENCH_PG_FULL=1 also runs
 * the full scan on PostgreSQL (one round trip per contact and table:
 * minutes at 1M contacts).
 */
#include "app/agenda_query.h"
#include "app/demo.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RUNS 200
#define TOP 50

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void die(const struct kith_err *err, const char *what)
{
	char buf[800];

	fprintf(stderr, "bench: %s: %s\n", what,
		kith_err_format(err, buf, sizeof(buf)));
	exit(1);
}

static void progress(void *p, uint64_t done, uint64_t total)
{
	(void)p;
	fprintf(stderr, "\r  building book: %3d%%",
		total ? (int)(done * 100 / total) : 100);
	if (done >= total)
		fputc('\n', stderr);
}

static void build_book(const char *path, uint64_t nc, uint64_t nt,
		       kith_time now)
{
	struct kith_err err = { 0 };
	struct app_ctx ctx;
	double t0 = now_ms(), ms;

	if (app_open(&ctx, path, "Bench", now, &err))
		die(&err, "open");
	if (store_begin(ctx.st, &err) ||
	    demo_seed_big(&ctx, nc, nt, isatty(2) ? progress : NULL, NULL,
			  &err) ||
	    store_commit(ctx.st, &err))
		die(&err, "seed");
	ms = now_ms() - t0;
	printf("book: %llu contacts, %llu touchpoints built in %.1f s "
	       "(%.0f rows/s)\n",
	       (unsigned long long)nc, (unsigned long long)nt, ms / 1e3,
	       (nc + nt) / (ms / 1e3));
	app_close(&ctx);
}

static int bench_due(const char *path, kith_time now)
{
	struct kith_err err = { 0 };
	struct agenda_list fast, full;
	struct app_ctx ctx;
	double ms[RUNS], t0, full_ms;
	int bad = 0;

	if (app_open(&ctx, path, "Bench", now, &err))
		die(&err, "open");
	/* One warm-up run: the page cache, not the first read, is measured. */
	if (app_agenda(&fast, &ctx, TOP, &err))
		die(&err, "agenda");
	agenda_list_free(&fast);
	for (int i = 0; i < RUNS; i++) {
		t0 = now_ms();
		if (app_agenda(&fast, &ctx, TOP, &err))
			die(&err, "agenda");
		ms[i] = now_ms() - t0;
		if (i < RUNS - 1)
			agenda_list_free(&fast);
	}
	qsort(ms, RUNS, sizeof(*ms), cmp_double);
	printf("due reads %zu contacts per run, %zu of them with their "
	       "events\n",
	       fast.scored, fast.full);
	printf("due (top %d): median %.3f ms, p90 %.3f ms, max %.3f ms over "
	       "%d runs\n",
	       TOP, ms[RUNS / 2], ms[RUNS * 9 / 10], ms[RUNS - 1], RUNS);
	t0 = now_ms();
	if (app_agenda_full(&full, &ctx, TOP, &err))
		die(&err, "full agenda");
	full_ms = now_ms() - t0;
	printf("full scan ranking for the check: %.0f ms (%.0fx the median)\n",
	       full_ms, full_ms / ms[RUNS / 2]);
	if (fast.n != full.n)
		bad = 1;
	for (size_t i = 0; !bad && i < fast.n; i++)
		if (fast.items[i].id != full.items[i].id ||
		    fast.items[i].rank != full.items[i].rank) {
			fprintf(stderr, "MISMATCH at %zu: fast #%lld %.6f, full "
					"#%lld %.6f\n",
				i, (long long)fast.items[i].id,
				fast.items[i].rank, (long long)full.items[i].id,
				full.items[i].rank);
			bad = 1;
		}
	printf("top %zu: %s\n", fast.n, bad ? "DIFFERENT from the full scan"
					    : "identical to the full scan");
	agenda_list_free(&fast);
	agenda_list_free(&full);
	app_close(&ctx);
	return bad;
}

/* Bare inserts of the same rows kith writes for a touch (the touchpoint
 * and its participant) into tables with the same indexes, no summary. */
static double bench_bare(const char *path, int n, int contacts, kith_time now)
{
	sqlite3 *db;
	sqlite3_stmt *s, *s2;
	double t0, secs;

	unlink(path);
	if (sqlite3_open(path, &db))
		return 0;
	sqlite3_exec(db,
		     /* The same settings store_open gives kith's own connection. */
		     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
		     "PRAGMA cache_size=-65536;"
		     /* Keyed as kith's (migration 19): the id is unique per
		      * workspace, beside the rowid. */
		     "CREATE TABLE touchpoint (id INTEGER NOT NULL,"
		     " workspace_id INTEGER NOT NULL, at INTEGER NOT NULL,"
		     " channel TEXT NOT NULL, direction TEXT NOT NULL,"
		     " minutes INTEGER NOT NULL DEFAULT 0, note TEXT,"
		     " source TEXT NOT NULL DEFAULT 'manual',"
		     " created_at INTEGER NOT NULL,"
		     " PRIMARY KEY (workspace_id, id));"
		     "CREATE INDEX touchpoint_at ON touchpoint(workspace_id, at);"
		     "CREATE TABLE touch_contact (workspace_id INTEGER NOT NULL,"
		     " contact_id INTEGER NOT NULL, at INTEGER NOT NULL,"
		     " touch_id INTEGER NOT NULL, PRIMARY KEY (workspace_id,"
		     " contact_id, at, touch_id)) WITHOUT ROWID;"
		     "CREATE INDEX touch_contact_touch ON"
		     " touch_contact(workspace_id, touch_id);",
		     NULL, NULL, NULL);
	sqlite3_prepare_v2(db,
			   "INSERT INTO touchpoint(workspace_id, id, at,"
			   " channel, direction, minutes, note, source,"
			   " created_at) VALUES (1, ?3, ?1, 'email', 'out', 0,"
			   " NULL, 'manual', ?2)",
			   -1, &s, NULL);
	sqlite3_prepare_v2(db,
			   "INSERT INTO touch_contact(workspace_id, contact_id,"
			   " at, touch_id) VALUES (1, ?, ?, ?)",
			   -1, &s2, NULL);
	t0 = now_ms();
	for (int i = 0; i < n; i++) {
		if (i % 1000 == 0)
			sqlite3_exec(db, i ? "COMMIT; BEGIN" : "BEGIN", NULL,
				     NULL, NULL);
		sqlite3_bind_int64(s, 1, now - (n - i) * 60);
		sqlite3_bind_int64(s, 2, now - (n - i) * 60);
		sqlite3_bind_int64(s, 3, i + 1);
		sqlite3_step(s);
		sqlite3_reset(s);
		sqlite3_bind_int64(s2, 1, 1 + (i * 7919) % contacts);
		sqlite3_bind_int64(s2, 2, now - (n - i) * 60);
		sqlite3_bind_int64(s2, 3, i + 1);
		sqlite3_step(s2);
		sqlite3_reset(s2);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	secs = (now_ms() - t0) / 1e3;
	sqlite3_finalize(s);
	sqlite3_finalize(s2);
	sqlite3_close(db);
	return n / secs;
}

/* The same rows through store_touch_add, which keeps summaries. */
static double bench_store(const char *path, int n, int contacts,
			  kith_time now)
{
	struct kith_err err = { 0 };
	struct app_ctx ctx;
	int64_t *ids = calloc(contacts, sizeof(*ids));
	double t0, secs;

	unlink(path);
	if (app_open(&ctx, path, "Bench", now, &err) ||
	    store_begin(ctx.st, &err))
		die(&err, "open");
	for (int i = 0; i < contacts; i++) {
		struct contact c;

		contact_init(&c);
		c.name = strdup("Bench Person");
		c.tier = (enum tier)(i % TIER_COUNT);
		c.created_at = now - 400 * KITH_DAY;
		if (store_contact_add(ctx.st, ctx.ws, &c, now, &err))
			die(&err, "contact");
		ids[i] = c.id;
		contact_clear(&c);
	}
	if (store_commit(ctx.st, &err))
		die(&err, "commit");
	t0 = now_ms();
	for (int i = 0; i < n; i++) {
		struct touchpoint t = { 0 };
		int64_t who = ids[(i * 7919) % contacts];

		if (i % 1000 == 0 &&
		    ((i && store_commit(ctx.st, &err)) ||
		     store_begin(ctx.st, &err)))
			die(&err, "batch");
		t.at = now - (n - i) * 60;
		t.created_at = t.at;
		t.channel = CH_EMAIL;
		t.contacts = &who;
		t.n_contacts = 1;
		if (store_touch_add(ctx.st, ctx.ws, &t, &err))
			die(&err, "touch");
	}
	if (store_commit(ctx.st, &err))
		die(&err, "commit");
	secs = (now_ms() - t0) / 1e3;
	app_close(&ctx);
	free(ids);
	return n / secs;
}

/* Exit-1 check: l's top equals the full scan's, id and rank. */
static int same_top(const struct agenda_list *l, const struct agenda_list *full,
		    const char *who)
{
	if (l->n != full->n) {
		fprintf(stderr, "MISMATCH (%s): %zu items, full scan %zu\n",
			who, l->n, full->n);
		return 1;
	}
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].id != full->items[i].id ||
		    l->items[i].rank != full->items[i].rank) {
			fprintf(stderr, "MISMATCH (%s) at %zu: #%lld %.6f, full "
					"#%lld %.6f\n",
				who, i, (long long)l->items[i].id,
				l->items[i].rank, (long long)full->items[i].id,
				full->items[i].rank);
			return 1;
		}
	return 0;
}

/* runs timed app_agenda calls on ctx into ms[0..runs); the last list
 * is kept in *last (freed first). */
static void time_agenda(double *ms, int runs, struct app_ctx *ctx,
			struct agenda_list *last)
{
	struct kith_err err = { 0 };
	double t0;

	for (int i = 0; i < runs; i++) {
		agenda_list_free(last);
		t0 = now_ms();
		if (app_agenda(last, ctx, TOP, &err))
			die(&err, "agenda");
		ms[i] = now_ms() - t0;
	}
}

/* How a URL reaches the server, for the labels. */
static const char *pg_via(const char *url)
{
	return strstr(url, "host=/") ? "unix socket" : "TCP";
}

#define MAX_URLS 4

static int bench_pg(const char *path, char **urls, int nurls, kith_time now)
{
	struct kith_err err = { 0 };
	struct agenda_list full = { 0 }, lq = { 0 }, lp[MAX_URLS] = { 0 };
	struct app_ctx sq, pg[MAX_URLS];
	static double msq[RUNS], mpg[MAX_URLS][RUNS];
	double t0, full_ms;
	int bad = 0, round = RUNS / 10;

	if (app_open(&sq, path, "Bench", now, &err))
		die(&err, "open SQLite");
	for (int u = 0; u < nurls; u++)
		if (app_open(&pg[u], urls[u], "Bench", now, &err))
			die(&err, "open PostgreSQL");
	t0 = now_ms();
	if (app_agenda_full(&full, &sq, TOP, &err))
		die(&err, "full agenda");
	full_ms = now_ms() - t0;
	printf("full scan ranking on SQLite for the check: %.0f ms\n",
	       full_ms);
	/* One warm-up run each, then rounds of RUNS/10 alternating, so a
	 * shared machine's load falls on every engine alike. */
	time_agenda(msq, 1, &sq, &lq);
	for (int u = 0; u < nurls; u++)
		time_agenda(mpg[u], 1, &pg[u], &lp[u]);
	for (int i = 0; i < RUNS; i += round) {
		time_agenda(msq + i, round, &sq, &lq);
		for (int u = 0; u < nurls; u++)
			time_agenda(mpg[u] + i, round, &pg[u], &lp[u]);
	}
	qsort(msq, RUNS, sizeof(*msq), cmp_double);
	printf("due reads %zu contacts per run, %zu of them with their "
	       "events\n", lq.scored, lq.full);
	printf("due (top %d) SQLite:                   median %.3f ms, p95 "
	       "%.3f ms, max %.3f ms over %d runs\n", TOP, msq[RUNS / 2],
	       msq[RUNS * 95 / 100], msq[RUNS - 1], RUNS);
	bad |= same_top(&lq, &full, "SQLite");
	for (int u = 0; u < nurls; u++) {
		double *m = mpg[u];

		qsort(m, RUNS, sizeof(*m), cmp_double);
		printf("due (top %d) PostgreSQL, %-11s: median %.3f ms, p95 "
		       "%.3f ms, max %.3f ms (%zu contacts read); "
		       "PostgreSQL/SQLite %.1fx (target median < 10 ms)\n",
		       TOP, pg_via(urls[u]), m[RUNS / 2], m[RUNS * 95 / 100],
		       m[RUNS - 1], lp[u].scored, m[RUNS / 2] / msq[RUNS / 2]);
		bad |= same_top(&lp[u], &full, "PostgreSQL");
	}
	printf("top %zu: SQLite %s the full scan\n", full.n,
	       same_top(&lq, &full, "SQLite") ? "DIFFERENT from"
					       : "identical to");
	for (int u = 0; u < nurls; u++)
		printf("top %zu: PostgreSQL (%s) %s the full scan\n", full.n,
		       pg_via(urls[u]),
		       same_top(&lp[u], &full, "PostgreSQL") ? "DIFFERENT from"
							      : "identical to");
	if (getenv("BENCH_PG_FULL") && !strcmp(getenv("BENCH_PG_FULL"), "1")) {
		struct agenda_list fp = { 0 };

		t0 = now_ms();
		if (app_agenda_full(&fp, &pg[0], TOP, &err))
			die(&err, "full agenda on PostgreSQL");
		printf("full scan ranking on PostgreSQL: %.0f ms, top %zu %s "
		       "SQLite's\n", now_ms() - t0, fp.n,
		       same_top(&fp, &full, "PostgreSQL full") ? "DIFFERENT from"
							       : "identical to");
		bad |= same_top(&fp, &full, "PostgreSQL full");
		agenda_list_free(&fp);
	}
	agenda_list_free(&full);
	agenda_list_free(&lq);
	app_close(&sq);
	for (int u = 0; u < nurls; u++) {
		agenda_list_free(&lp[u]);
		app_close(&pg[u]);
	}
	return bad;
}

int main(int argc, char **argv)
{
	struct kith_err err = { 0 };
	kith_time now;
	char tmp[4200];
	double bare, kept;
	int bad;

	if (argc >= 4 && argc <= 3 + MAX_URLS && !strcmp(argv[1], "--pg")) {
		if (kith_now(&now, &err))
			die(&err, "KITH_NOW");
		return bench_pg(argv[2], argv + 3, argc - 3, now);
	}
	if (argc != 4) {
		fprintf(stderr, "usage: bench_due BOOK.db CONTACTS TOUCHES\n"
				"       bench_due --pg BOOK.db URL...\n");
		return 2;
	}
	if (kith_now(&now, &err))
		die(&err, "KITH_NOW");
	if (access(argv[1], F_OK))
		build_book(argv[1], strtoull(argv[2], NULL, 10),
			   strtoull(argv[3], NULL, 10), now);
	bad = bench_due(argv[1], now);

	snprintf(tmp, sizeof(tmp), "%s.inserts.db", argv[1]);
	bare = bench_bare(tmp, 200000, 10000, now);
	kept = bench_store(tmp, 200000, 10000, now);
	unlink(tmp);
	printf("touch inserts: bare %.0f/s, with summary upkeep %.0f/s "
	       "(ratio %.2f, target >= 0.50)\n",
	       bare, kept, kept / bare);
	return bad;
}
