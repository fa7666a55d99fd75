/*
 * sqlite_agenda.c: the SQLite engine of store.h: the agenda's indexes.
 * Shared plumbing and the statement macros: sqlite_int.h.
 */
#include "migrate.h"
#include "sqlite_int.h"

/* ---- the agenda's indexes ---- */

/*
 * PostgreSQL: the same skip-scan as one statement, a recursive query
 * that seeks the next (cadence, tier) in the index from the last, so
 * the tens of seeks cost one round trip, not two each. A row value
 * (cadence, tier) > (a, b) is an index condition there.
 */
#define DUE_GROUPS_PG(cad)                                                   \
	"WITH RECURSIVE g(code, tier) AS ("                                  \
	" (SELECT " cad ", tier FROM contact WHERE workspace_id = ?1"       \
	"  ORDER BY " cad ", tier LIMIT 1)"                                  \
	" UNION ALL"                                                         \
	" SELECT n.code, n.tier FROM g CROSS JOIN LATERAL"                   \
	"  (SELECT " cad ", tier FROM contact WHERE workspace_id = ?1"      \
	"   AND (" cad ", tier) > (g.code, g.tier)"                          \
	"   ORDER BY " cad ", tier LIMIT 1) AS n(code, tier))"               \
	" SELECT code, tier FROM g WHERE code <> 0"

static int due_groups_pg(struct due_group **out, size_t *n, struct store *st,
			 int64_t ws, enum due_clock clock,
			 struct kith_err *err)
{
	struct due_group *v = NULL;
	size_t cnt = 0;
	db_stmt *s;
	int rc, more;

	if (clock == DUE_ANY)
		STMT(s, DUE_GROUPS_PG("eff_every"));
	else
		STMT(s, DUE_GROUPS_PG("eff_meet"));
	db_bind_int64(s, 1, ws);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(v, cnt, err);
		v[cnt].code = db_column_int(s, 0);
		tier_parse(&v[cnt].tier, db_column_text(s, 1), NULL, NULL);
		cnt++;
	}
	*out = v;
	*n = cnt;
	return KITH_OK;
done:
	free(v);
	return rc;
}

int store_due_groups(struct due_group **out, size_t *n, struct store *st,
		     int64_t ws, enum due_clock clock, struct kith_err *err)
{
	struct due_group *v = NULL;
	size_t cnt = 0;
	db_stmt *s;
	int64_t code = INT64_MIN;
	char tier[4] = "";
	bool have = false;
	int rc, more;

	if (st->pg)
		return due_groups_pg(out, n, st, ws, clock, err);

	/*
	 * A skip-scan by hand, two index seeks per (cadence, tier) in use:
	 * the next tier of this cadence, else the first of the next cadence.
	 * A row-value (cadence, tier) > (?, ?) looked neater but SQLite seeks
	 * only on the cadence and walks the rest: 1.6 s at 1M contacts.
	 * Month cadences are negative codes; 0 (none) is skipped.
	 */
	for (;;) {
		more = 0;
		if (have) {
			if (clock == DUE_ANY)
				STMT(s, "SELECT tier FROM contact WHERE"
					" workspace_id = ? AND eff_every = ?"
					" AND tier > ? ORDER BY tier LIMIT 1");
			else
				STMT(s, "SELECT tier FROM contact WHERE"
					" workspace_id = ? AND eff_meet = ?"
					" AND tier > ? ORDER BY tier LIMIT 1");
			db_bind_int64(s, 1, ws);
			db_bind_int64(s, 2, code);
			bind_text(s, 3, tier);
			STEP(s, more);
			if (more)
				snprintf(tier, sizeof(tier), "%s",
					 db_column_text(s,
									   0));
			db_reset(s);
		}
		if (!more) {
			if (clock == DUE_ANY)
				STMT(s, "SELECT eff_every, tier FROM contact"
					" WHERE workspace_id = ? AND"
					" eff_every > ? ORDER BY eff_every,"
					" tier LIMIT 1");
			else
				STMT(s, "SELECT eff_meet, tier FROM contact"
					" WHERE workspace_id = ? AND"
					" eff_meet > ? ORDER BY eff_meet,"
					" tier LIMIT 1");
			db_bind_int64(s, 1, ws);
			db_bind_int64(s, 2, code);
			STEP(s, more);
			if (!more) {
				db_reset(s);
				break;
			}
			code = db_column_int64(s, 0);
			snprintf(tier, sizeof(tier), "%s",
				 db_column_text(s, 1));
			db_reset(s);
			have = true;
		}
		if (code == 0)
			continue;	/* no cadence: never due */
		PUSH(v, cnt, err);
		v[cnt].code = (int)code;
		tier_parse(&v[cnt].tier, tier, NULL, NULL);
		cnt++;
	}
	*out = v;
	*n = cnt;
	return KITH_OK;
done:
	free(v);
	return rc;
}

int store_due_page(struct due_row *out, size_t cap, size_t *n, struct store *st,
		   int64_t ws, enum due_clock clock, const struct due_group *g,
		   kith_time after_anchor, int64_t after_id,
		   struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	*n = 0;
	if (clock == DUE_ANY)
		STMT(s, "SELECT id, any_anchor FROM contact"
			" WHERE workspace_id = ?1 AND eff_every = ?2"
			" AND tier = ?3 AND (any_anchor, id) > (?4, ?5)"
			" ORDER BY any_anchor, id LIMIT "
			SQL_INT(STORE_DUE_PAGE));
	else
		STMT(s, "SELECT id, meet_anchor FROM contact"
			" WHERE workspace_id = ?1 AND eff_meet = ?2"
			" AND tier = ?3 AND (meet_anchor, id) > (?4, ?5)"
			" ORDER BY meet_anchor, id LIMIT "
			SQL_INT(STORE_DUE_PAGE));
	db_bind_int64(s, 1, ws);
	db_bind_int(s, 2, g->code);
	bind_text(s, 3, tier_name(g->tier));
	db_bind_int64(s, 4, after_anchor);
	db_bind_int64(s, 5, after_id);
	while (*n < cap) {
		STEP(s, more);
		if (!more)
			break;
		out[*n].id = db_column_int64(s, 0);
		out[*n].anchor = db_column_int64(s, 1);
		(*n)++;
	}
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

/*
 * PostgreSQL: every group's first page in one statement, the groups
 * unnested from two arrays and each page read by its own index seek
 * (LATERAL ... LIMIT). SQLite has no LATERAL, and a statement costs it
 * no round trip: it reads the pages one by one.
 */
#define DUE_FIRST_PAGES_PG(cad, anchor)                                      \
	"SELECT g.i, c.id, c." anchor " FROM unnest(CAST(?1 AS BIGINT[]),"  \
	" CAST(?2 AS TEXT[])) WITH ORDINALITY AS g(code, tier, i)"           \
	" CROSS JOIN LATERAL (SELECT id, " anchor " FROM contact"            \
	"  WHERE workspace_id = ?3 AND " cad " = g.code AND tier = g.tier"  \
	"  ORDER BY " anchor ", id"                                          \
	"  LIMIT " SQL_INT(STORE_DUE_FIRST_PAGE) ") AS c"                    \
	" ORDER BY g.i, c." anchor ", c.id"

int store_due_first_pages(struct due_row *const *pages, size_t *counts,
			  size_t cap, struct store *st, int64_t ws,
			  enum due_clock clock, const struct due_group *g,
			  size_t ng, struct kith_err *err)
{
	char *codes = NULL, *tiers = NULL, *o, *t;
	db_stmt *s;
	int rc = KITH_OK, more;

	for (size_t i = 0; i < ng; i++)
		counts[i] = 0;
	if (!st->pg) {
		for (size_t i = 0; !rc && i < ng; i++)
			rc = store_due_page(pages[i], cap, &counts[i], st, ws,
					    clock, &g[i], INT64_MIN, 0, err);
		return rc;
	}
	if (!ng)
		return KITH_OK;
	/* {code,...} and {"tier",...}: the tiers are "", "A", "B", "C". */
	codes = malloc(ng * 21 + 3);
	tiers = malloc(ng * 5 + 3);
	if (!codes || !tiers) {
		rc = kith_err_nomem(err);
		goto done;
	}
	o = codes;
	t = tiers;
	*o++ = '{';
	*t++ = '{';
	for (size_t i = 0; i < ng; i++) {
		o += sprintf(o, "%s%d", i ? "," : "", g[i].code);
		t += sprintf(t, "%s\"%s\"", i ? "," : "", tier_name(g[i].tier));
	}
	strcpy(o, "}");
	strcpy(t, "}");
	if (clock == DUE_ANY)
		STMT(s, DUE_FIRST_PAGES_PG("eff_every", "any_anchor"));
	else
		STMT(s, DUE_FIRST_PAGES_PG("eff_meet", "meet_anchor"));
	db_bind_text(s, 1, codes);
	db_bind_text(s, 2, tiers);
	db_bind_int64(s, 3, ws);
	for (;;) {
		int64_t i;

		STEP(s, more);
		if (!more)
			break;
		i = db_column_int64(s, 0) - 1;
		if (i < 0 || (size_t)i >= ng || counts[i] == cap)
			continue;
		pages[i][counts[i]].id = db_column_int64(s, 1);
		pages[i][counts[i]].anchor = db_column_int64(s, 2);
		counts[i]++;
	}
	db_reset(s);
done:
	free(codes);
	free(tiers);
	return rc;
}

void agenda_row_clear(struct agenda_row *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->date_kind);
	free(r->promise_text);
	free(r->tz);
	free(r->signal_what);
	memset(r, 0, sizeof(*r));
}

/*
 * The agenda reads candidates a batch at a time: a batch's rows, then
 * each kind of event for the whole batch, one statement each. One read
 * a candidate cost a round trip each on PostgreSQL (~700 a run at 1M
 * contacts, docs/BENCHMARKS.md); on SQLite a batch costs what its rows
 * did one by one.
 */

/* rows[0..n) by contact id, to find a result row's owner. */
struct row_index {
	int64_t id;
	struct agenda_row *row;
};

static int row_index_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct row_index *)a)->id;
	int64_t y = ((const struct row_index *)b)->id;

	return (x > y) - (x < y);
}

static struct agenda_row *row_find(const struct row_index *v, size_t n,
				   int64_t id)
{
	struct row_index key = { id, NULL }, *hit;

	hit = bsearch(&key, v, n, sizeof(*v), row_index_cmp);
	return hit ? hit->row : NULL;
}

/* The batch's ids as a parameter (sq_ids_param); NULL on no memory. */
static char *rows_ids_param(struct store *st, const struct row_index *v,
			    size_t n)
{
	int64_t *ids = malloc((n ? n : 1) * sizeof(*ids));
	char *text;

	if (!ids)
		return NULL;
	for (size_t i = 0; i < n; i++)
		ids[i] = v[i].id;
	text = sq_ids_param(st, ids, n);
	free(ids);
	return text;
}

#define EVENT_SQL(name, sql_head, col, sql_tail)                            \
	static const char name##_sq[] = sql_head IDS_IN_SQ(col) sql_tail;   \
	static const char name##_pg[] = sql_head IDS_IN_PG(col) sql_tail;

/* Each kind of event for the batch, ordered by contact so a contact's
 * first row is the one that counts. */
EVENT_SQL(sql_ev_date,
	  "SELECT contact_id, kind, day, year_known, yearly FROM kdate"
	  " WHERE workspace_id = ?2 AND", "contact_id",
	  " ORDER BY contact_id, id")
EVENT_SQL(sql_ev_promise,
	  "SELECT contact_id, due, text FROM promise"
	  " WHERE workspace_id = ?2 AND done_at IS NULL AND due < ?3 AND",
	  "contact_id", " ORDER BY contact_id, due, id")
EVENT_SQL(sql_ev_gift,
	  "SELECT contact_id, max(at) FROM gift WHERE workspace_id = ?2 AND",
	  "contact_id", " GROUP BY contact_id")
/* Waiting signals: the partial index holds only unanswered ones. */
EVENT_SQL(sql_ev_signal,
	  "SELECT contact_id, at, type, coalesce(url, text) FROM signal"
	  " WHERE workspace_id = ?2 AND answered_at IS NULL AND",
	  "contact_id", " ORDER BY contact_id, at, id")

static void event_date(struct agenda_row *r, db_stmt *s, int32_t today)
{
	struct agenda_input *in = &r->in;
	struct kdate d = { 0 };
	int days, years;

	d.day = db_column_int(s, 2);
	d.year_known = db_column_int(s, 3);
	d.yearly = db_column_int(s, 4);
	days = agenda_days_until(&d, today, &years);
	if (days < 0 || days > AGENDA_DATE_WINDOW)
		return;
	if (in->date_in_days >= 0 && days >= in->date_in_days)
		return;
	free(r->date_kind);
	r->date_kind = col_str(s, 1);
	in->date_kind = r->date_kind;
	in->date_in_days = days;
	in->date_years = years;
}

/* Rows come oldest due first: the first names the promise. */
static void event_promise(struct agenda_row *r, db_stmt *s)
{
	struct agenda_input *in = &r->in;

	if (in->promises_overdue++)
		return;
	in->promise_due = col_time(s, 1);
	r->promise_text = col_str(s, 2);
	in->promise_text = r->promise_text;
}

static void event_gift(struct agenda_row *r, db_stmt *s)
{
	r->in.last_gift = col_time(s, 1);
}

/* Rows come oldest first: the first is the one waiting longest. */
static void event_signal(struct agenda_row *r, db_stmt *s)
{
	struct agenda_input *in = &r->in;
	const char *w, *path;

	if (in->signals_waiting++)
		return;
	w = db_column_text(s, 3);
	path = w ? strstr(w, "://") : NULL;
	in->signal_at = db_column_int64(s, 1);
	signal_type_parse(&in->signal_type, db_column_text(s, 2), NULL,
			  NULL);
	/* A URL is shown by its path: "/pricing". */
	if (path && strchr(path + 3, '/'))
		w = strchr(path + 3, '/');
	r->signal_what = w ? strdup(w) : NULL;
	in->signal_what = r->signal_what;
}

enum event_kind { EV_DATE, EV_PROMISE, EV_GIFT, EV_SIGNAL };

/* The batch's events of one kind, bound and sent ahead: on PostgreSQL
 * the four kinds go out together and come back in one round trip. */
static int events_send(db_stmt **out, struct store *st, int64_t ws,
		       enum event_kind kind, const char *ids, kith_time now,
		       struct kith_err *err)
{
	static const char *const sql[][2] = {
		[EV_DATE] = { sql_ev_date_sq, sql_ev_date_pg },
		[EV_PROMISE] = { sql_ev_promise_sq, sql_ev_promise_pg },
		[EV_GIFT] = { sql_ev_gift_sq, sql_ev_gift_pg },
		[EV_SIGNAL] = { sql_ev_signal_sq, sql_ev_signal_pg },
	};
	db_stmt *s;
	int rc;

	STMT(s, db_sql(st, sql[kind][0], sql[kind][1]));
	db_bind_text(s, 1, ids);
	db_bind_int64(s, 2, ws);
	if (kind == EV_PROMISE)
		db_bind_int64(s, 3, now);
	db_send(s);
	*out = s;
	return KITH_OK;
done:
	return rc;
}

static int events_read(struct store *st, db_stmt *s, enum event_kind kind,
		       const struct row_index *v, size_t n, int32_t today,
		       struct kith_err *err)
{
	int rc, more;

	for (;;) {
		struct agenda_row *r;

		STEP(s, more);
		if (!more)
			break;
		r = row_find(v, n, db_column_int64(s, 0));
		if (!r)
			continue;
		switch (kind) {
		case EV_DATE:
			event_date(r, s, today);
			break;
		case EV_PROMISE:
			event_promise(r, s);
			break;
		case EV_GIFT:
			event_gift(r, s);
			break;
		case EV_SIGNAL:
			event_signal(r, s);
			break;
		}
	}
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

int store_agenda_rows_events(struct store *st, int64_t ws,
			     struct agenda_row *const *rows, size_t n,
			     kith_time now, int32_t today,
			     struct kith_err *err)
{
	db_stmt *sent[EV_SIGNAL + 1] = { NULL };
	struct row_index *v;
	char *ids = NULL;
	int rc = KITH_OK;

	if (!n)
		return KITH_OK;
	v = malloc(n * sizeof(*v));
	if (!v)
		return kith_err_nomem(err);
	for (size_t i = 0; i < n; i++) {
		struct agenda_input *in = &rows[i]->in;

		v[i].id = in->id;
		v[i].row = rows[i];
		in->date_in_days = -1;
		in->promises_overdue = 0;
		in->promise_due = KITH_NO_TIME;
		in->last_gift = KITH_NO_TIME;
		in->signals_waiting = 0;
	}
	qsort(v, n, sizeof(*v), row_index_cmp);
	ids = rows_ids_param(st, v, n);
	if (!ids)
		rc = kith_err_nomem(err);
	for (int k = EV_DATE; !rc && k <= EV_SIGNAL; k++)
		rc = events_send(&sent[k], st, ws, (enum event_kind)k, ids, now,
				 err);
	for (int k = EV_DATE; !rc && k <= EV_SIGNAL; k++)
		rc = events_read(st, sent[k], (enum event_kind)k, v, n, today,
				 err);
	/* After a failure, the kinds not read: their answers dropped. */
	for (int k = EV_DATE; rc && k <= EV_SIGNAL; k++)
		if (sent[k])
			db_reset(sent[k]);
	free(ids);
	free(v);
	return rc;
}

#define AGENDA_COLS                                                          \
	"id, name, tier, since, eff_every, eff_meet, created_at,"           \
	" last_touch, last_in_person, snooze_until, tz, owner_id"

static void agenda_row_read(db_stmt *s, struct agenda_row *r)
{
	struct agenda_input *in = &r->in;
	const char *tier = db_column_text(s, 2);

	memset(r, 0, sizeof(*r));
	in->id = db_column_int64(s, 0);
	r->name = col_str(s, 1);
	in->name = r->name;
	tier_parse(&in->tier, tier ? tier : "", NULL, NULL);
	in->since = col_day(s, 3);
	in->every = kith_cadence_decode(db_column_int(s, 4));
	in->meet = kith_cadence_decode(db_column_int(s, 5));
	in->created_at = db_column_int64(s, 6);
	in->last_touch = col_time(s, 7);
	in->last_in_person = col_time(s, 8);
	in->snooze_until = col_time(s, 9);
	r->tz = col_str(s, 10);
	r->owner_id = db_column_int64(s, 11);
	in->date_in_days = -1;
}

static const char sql_rows_base_sq[] = "SELECT " AGENDA_COLS " FROM contact"
	" WHERE workspace_id = ?2 AND" IDS_IN_SQ("id") " ORDER BY id";
static const char sql_rows_base_pg[] = "SELECT " AGENDA_COLS " FROM contact"
	" WHERE workspace_id = ?2 AND" IDS_IN_PG("id") " ORDER BY id";

int store_agenda_rows_base(struct agenda_row *out, struct store *st,
			   int64_t ws, const int64_t *ids, size_t n,
			   struct kith_err *err)
{
	struct row_index *v = NULL;
	char *text = NULL;
	db_stmt *s;
	int rc, more;

	memset(out, 0, n * sizeof(*out));
	if (!n)
		return KITH_OK;
	v = malloc(n * sizeof(*v));
	text = sq_ids_param(st, ids, n);
	if (!v || !text) {
		rc = kith_err_nomem(err);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		v[i].id = ids[i];
		v[i].row = &out[i];
	}
	qsort(v, n, sizeof(*v), row_index_cmp);
	STMT(s, db_sql(st, sql_rows_base_sq, sql_rows_base_pg));
	db_bind_text(s, 1, text);
	db_bind_int64(s, 2, ws);
	for (;;) {
		struct agenda_row *r;

		STEP(s, more);
		if (!more)
			break;
		r = row_find(v, n, db_column_int64(s, 0));
		if (r && !r->in.id)
			agenda_row_read(s, r);
	}
	db_reset(s);
	rc = KITH_OK;
done:
	if (rc)
		for (size_t i = 0; i < n; i++)
			agenda_row_clear(&out[i]);
	free(text);
	free(v);
	return rc;
}

/* The full walk reads a page of contacts, then the page's events. */
#define EACH_PAGE 256

int store_agenda_each(struct store *st, int64_t ws, kith_time now,
		      int32_t today, store_agenda_visit fn, void *ctx,
		      struct kith_err *err)
{
	struct agenda_row *page = calloc(EACH_PAGE, sizeof(*page));
	struct agenda_row *ptr[EACH_PAGE];
	int64_t after = 0;
	size_t n = 0;
	db_stmt *s;
	int rc = KITH_OK, more;

	if (!page)
		return kith_err_nomem(err);
	for (;;) {
		STMT(s, "SELECT " AGENDA_COLS " FROM contact WHERE"
			" workspace_id = ? AND id > ? ORDER BY id LIMIT ?");
		db_bind_int64(s, 1, ws);
		db_bind_int64(s, 2, after);
		db_bind_int64(s, 3, EACH_PAGE);
		for (n = 0; n < EACH_PAGE; n++) {
			STEP(s, more);
			if (!more)
				break;
			agenda_row_read(s, &page[n]);
			ptr[n] = &page[n];
		}
		db_reset(s);
		if (!n)
			break;
		after = page[n - 1].in.id;
		rc = store_agenda_rows_events(st, ws, ptr, n, now, today, err);
		for (size_t i = 0; !rc && i < n; i++)
			rc = fn(ctx, &page[i]);
		for (size_t i = 0; i < n; i++)
			agenda_row_clear(&page[i]);
		if (rc || n < EACH_PAGE)
			break;
	}
	free(page);
	return rc;
done:
	for (size_t i = 0; i < n; i++)
		agenda_row_clear(&page[i]);
	free(page);
	return rc;
}

int store_refresh_all(struct store *st, int64_t ws, kith_time now,
		      struct kith_err *err)
{
	int64_t *ids = NULL;
	size_t n = 0;
	db_stmt *s;
	int rc;

	(void)now;
	STMT(s, "SELECT id FROM contact WHERE workspace_id = ? ORDER BY id");
	db_bind_int64(s, 1, ws);
	rc = sq_collect_ids(&ids, &n, st, s, 0, err);
	for (size_t i = 0; !rc && i < n; i++)
		rc = sq_contact_refresh(st, ws, ids[i], err);
	free(ids);
done:
	return rc;
}

int store_analyze(struct store *st, struct kith_err *err)
{
	int rc = sq_exec_sql(st, "ANALYZE", err);

	/* A table ANALYZE found empty loses its row: seed it again, or
	 * it is planned as if a workspace were ten rows when it fills. */
	if (!rc && st->db)
		rc = sq_exec_sql(st, migrate_stats_sql(), err);
	return rc;
}
