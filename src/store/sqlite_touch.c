/*
 * sqlite_touch.c: the SQLite engine of store.h: touchpoints and their kin:
 * facts, dates, promises, gifts, revenue.
 * Shared plumbing and the statement macros: sqlite_int.h.
 */
#include "sqlite_int.h"

/* ---- touchpoints ---- */

int store_touch_add(struct store *st, int64_t ws, struct touchpoint *t,
		    struct kith_err *err)
{
	db_stmt *s;
	int rc;

	if (!t->n_contacts)
		return kith_err_set(err, KITH_EINPUT, "contacts",
				    "a touchpoint needs at least one contact");
	/* The id first, then a plain INSERT, on both engines: RETURNING
	 * costs SQLite an ephemeral table a row, which was the touch
	 * insert bench's margin. The read is one key of one workspace
	 * (one shard), and writers to a workspace take turns (ID_SQL), so
	 * none takes the same id in between. */
	if (!t->id) {
		int more;

		STMT(s, "SELECT coalesce(max(id), 0) + 1 FROM touchpoint"
			" WHERE workspace_id = ?");
		db_bind_int64(s, 1, ws);
		STEP(s, more);
		t->id = more ? db_column_int64(s, 0) : 1;
		db_reset(s);
	}
	STMT(s, "INSERT INTO touchpoint(id, workspace_id, at, channel,"
		" direction, minutes, note, source, created_at) VALUES (?1,"
		" ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	db_bind_int64(s, 1, t->id);
	db_bind_int64(s, 2, ws);
	db_bind_int64(s, 3, t->at);
	bind_text(s, 4, channel_name(t->channel));
	bind_text(s, 5, direction_name(t->direction));
	db_bind_int(s, 6, t->minutes);
	bind_text(s, 7, t->note);
	bind_text(s, 8, t->source ? t->source : "manual");
	db_bind_int64(s, 9, t->created_at ? t->created_at : t->at);
	EXEC(s, "add touchpoint");
	for (size_t i = 0; i < t->n_contacts; i++) {
		rc = sq_touch_summary(st, ws, t->contacts[i], t->at,
				   t->channel == CH_IN_PERSON, err);
		if (rc)
			return rc;
		STMT(s, "INSERT INTO touch_contact(workspace_id, contact_id,"
			" at, touch_id) VALUES (?, ?, ?, ?)");
		db_bind_int64(s, 1, ws);
		db_bind_int64(s, 2, t->contacts[i]);
		db_bind_int64(s, 3, t->at);
		db_bind_int64(s, 4, t->id);
		rc = exec_stmt(st, s, err, "add touchpoint");
		/* The key holds each participant once: a repeat is input. */
		if (rc == KITH_ECONFLICT)
			return kith_err_set(err, KITH_EINPUT, "contacts",
					    "contact %lld named twice",
					    (long long)t->contacts[i]);
		if (rc)
			return rc;
		/* Any touch after a signal answers it. Most books have no
		 * waiting signal most of the time: ask once a transaction,
		 * not once a participant (the insert bench's margin). */
		if (st->open_signals < 0 || !st->in_tx) {
			int more;

			STMT(s, "SELECT EXISTS (SELECT 1 FROM signal WHERE"
				" workspace_id = ? AND answered_at IS NULL)");
			db_bind_int64(s, 1, ws);
			STEP(s, more);
			st->open_signals = more && db_column_int(s, 0);
			db_reset(s);
		}
		/* An inbound touch (the contact wrote again) is no answer:
		 * the signal still waits for a person (app/mail.c). */
		if (!st->open_signals || t->direction == DIR_IN)
			continue;
		STMT(s, "UPDATE signal SET answered_at = ?3 WHERE"
			" workspace_id = ?1 AND contact_id = ?2 AND"
			" answered_at IS NULL AND at <= ?3");
		db_bind_int64(s, 1, ws);
		db_bind_int64(s, 2, t->contacts[i]);
		db_bind_int64(s, 3, t->at);
		EXEC(s, "answer signals");
	}
	for (size_t i = 0; i < t->n_users; i++) {
		STMT(s, "INSERT INTO touch_user(workspace_id,"
			" touch_id, user_id) SELECT ?1, ?2, id FROM \"user\""
			" WHERE id = ?3 AND workspace_id = ?1"
			" ON CONFLICT DO NOTHING");
		db_bind_int64(s, 1, ws);
		db_bind_int64(s, 2, t->id);
		db_bind_int64(s, 3, t->users[i]);
		EXEC(s, "add touchpoint");
		if (!db_changes(st))
			return kith_err_set(err, KITH_EINPUT, "users",
					    "no user %lld in this workspace",
					    (long long)t->users[i]);
	}
	return KITH_OK;
done:
	return rc;
}

void store_touches_free(struct touchpoint *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		touchpoint_clear(&t[i]);
	free(t);
}

/* A page's touch ids, each with its place in the page, sorted by id. */
struct touch_slot {
	int64_t id;
	size_t at;
};

static int slot_cmp(const void *a, const void *b)
{
	const struct touch_slot *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

#define PARTICIPANTS_BATCH 512

/* A batch's participants of one kind, by touch; in is IDS_IN_SQ or
 * IDS_IN_PG. */
#define TOUCH_PARTICIPANTS_SQL(col, table, in)                               \
	"SELECT touch_id, " col " FROM " table " WHERE workspace_id = ?2"    \
	" AND" in("touch_id") " ORDER BY touch_id, " col

static const char sql_touch_contacts_sq[] =
	TOUCH_PARTICIPANTS_SQL("contact_id", "touch_contact", IDS_IN_SQ);
static const char sql_touch_contacts_pg[] =
	TOUCH_PARTICIPANTS_SQL("contact_id", "touch_contact", IDS_IN_PG);
static const char sql_touch_users_sq[] =
	TOUCH_PARTICIPANTS_SQL("user_id", "touch_user", IDS_IN_SQ);
static const char sql_touch_users_pg[] =
	TOUCH_PARTICIPANTS_SQL("user_id", "touch_user", IDS_IN_PG);

/*
 * The contacts and users of t[0..n), in ascending id each: two
 * statements a batch of touches, not two a touch (an export of 30,000
 * touches ran 60,000 statements, 25 s on Citus).
 */
static int touch_participants(struct store *st, int64_t ws,
			      struct touchpoint *t, size_t n,
			      struct kith_err *err)
{
	struct touch_slot slot[PARTICIPANTS_BATCH];
	int64_t ids[PARTICIPANTS_BATCH];
	char *text = NULL;
	db_stmt *s = NULL;
	int rc = KITH_OK, more;

	for (size_t from = 0; from < n; from += PARTICIPANTS_BATCH) {
		size_t k = n - from < PARTICIPANTS_BATCH ? n - from
							 : PARTICIPANTS_BATCH;

		for (size_t i = 0; i < k; i++) {
			ids[i] = t[from + i].id;
			slot[i].id = ids[i];
			slot[i].at = from + i;
		}
		qsort(slot, k, sizeof(*slot), slot_cmp);
		free(text);
		text = sq_ids_param(st, ids, k);
		if (!text) {
			rc = kith_err_nomem(err);
			goto done;
		}
		for (int users = 0; users < 2; users++) {
			if (users)
				STMT(s, db_sql(st, sql_touch_users_sq,
					       sql_touch_users_pg));
			else
				STMT(s, db_sql(st, sql_touch_contacts_sq,
					       sql_touch_contacts_pg));
			db_bind_text(s, 1, text);
			db_bind_int64(s, 2, ws);
			for (;;) {
				struct touch_slot key, *hit;
				struct touchpoint *tp;

				STEP(s, more);
				if (!more)
					break;
				key.id = db_column_int64(s, 0);
				hit = bsearch(&key, slot, k, sizeof(*slot),
					      slot_cmp);
				if (!hit)
					continue;
				tp = &t[hit->at];
				if (users) {
					PUSH(tp->users, tp->n_users, err);
					tp->users[tp->n_users++] =
						db_column_int64(s, 1);
				} else {
					PUSH(tp->contacts, tp->n_contacts, err);
					tp->contacts[tp->n_contacts++] =
						db_column_int64(s, 1);
				}
			}
			db_reset(s);
		}
	}
done:
	if (rc && s)
		db_reset(s);
	free(text);
	return rc;
}

static void touch_read(db_stmt *s, struct touchpoint *t)
{
	t->id = db_column_int64(s, 0);
	t->at = db_column_int64(s, 1);
	channel_parse(&t->channel, db_column_text(s, 2),
		      NULL, NULL);
	direction_parse(&t->direction,
			db_column_text(s, 3), NULL, NULL);
	t->minutes = db_column_int(s, 4);
	t->note = col_str(s, 5);
	t->source = col_str(s, 6);
	t->created_at = db_column_int64(s, 7);
}

int store_touch_page(struct touchpoint **out, size_t *n, struct store *st,
		     int64_t ws, int64_t contact_id, int64_t before,
		     size_t limit, struct kith_err *err)
{
	struct touchpoint *t = NULL;
	size_t cnt = 0;
	db_stmt *s;
	int rc, more;

	if (contact_id)
		STMT(s, "SELECT t.id, t.at, t.channel, t.direction, t.minutes,"
			" t.note, t.source, t.created_at FROM touch_contact tc"
			" JOIN touchpoint t ON t.workspace_id = tc.workspace_id"
			" AND t.id = tc.touch_id"
			" WHERE tc.workspace_id = ?1 AND tc.contact_id = ?2"
			" AND (?4 = 0 OR (tc.at, tc.touch_id) < ((SELECT at"
			" FROM touchpoint WHERE id = ?4 AND workspace_id = ?1),"
			" ?4))"
			" ORDER BY tc.at DESC, tc.touch_id DESC LIMIT ?3");
	else
		STMT(s, "SELECT id, at, channel, direction, minutes, note,"
			" source, created_at FROM touchpoint"
			" WHERE workspace_id = ?1 AND ?2 = 0"
			" AND (?4 = 0 OR (at, id) < ((SELECT at FROM touchpoint"
			" WHERE id = ?4 AND workspace_id = ?1), ?4))"
			" ORDER BY at DESC, id DESC LIMIT ?3");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, contact_id);
	db_bind_int64(s, 3,
			   limit && limit <= INT64_MAX ? (int64_t)limit : INT64_MAX);
	db_bind_int64(s, 4, before);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(t, cnt, err);
		touch_read(s, &t[cnt++]);
	}
	db_reset(s);
	rc = touch_participants(st, ws, t, cnt, err);
	if (rc)
		goto done;
	*out = t;
	*n = cnt;
	return KITH_OK;
done:
	store_touches_free(t, cnt);
	return rc;
}

int store_touch_list(struct touchpoint **out, size_t *n, struct store *st,
		     int64_t ws, int64_t contact_id, size_t limit,
		     struct kith_err *err)
{
	return store_touch_page(out, n, st, ws, contact_id, 0, limit, err);
}

/* Columns (at, channel, direction) from col on, as the scores see them. */
static void score_touch_read(db_stmt *s, int col, struct score_touch *t)
{
	t->at = db_column_int64(s, col);
	channel_parse(&t->channel, db_column_text(s, col + 1),
		      NULL, NULL);
	direction_parse(&t->direction,
			db_column_text(s, col + 2), NULL,
			NULL);
}

int store_touch_scores(struct score_touch **out, size_t *n, struct store *st,
		       int64_t ws, int64_t contact_id, struct kith_err *err)
{
	struct score_touch *t = NULL;
	size_t cnt = 0;
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT tc.at, t.channel, t.direction FROM touch_contact tc"
		" JOIN touchpoint t ON t.workspace_id = tc.workspace_id"
		" AND t.id = tc.touch_id"
		" WHERE tc.workspace_id = ? AND tc.contact_id = ?"
		" ORDER BY tc.at");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, contact_id);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(t, cnt, err);
		score_touch_read(s, 0, &t[cnt++]);
	}
	*out = t;
	*n = cnt;
	return KITH_OK;
done:
	free(t);
	return rc;
}

/* Step s, whose rows are (key, at, channel, direction), into fn. */
static int visit_touches(struct store *st, db_stmt *s,
			 store_touch_visit fn, void *ctx, struct kith_err *err)
{
	int rc, more;

	for (;;) {
		struct score_touch t;

		STEP(s, more);
		if (!more)
			break;
		score_touch_read(s, 1, &t);
		rc = fn(ctx, db_column_int64(s, 0), &t);
		if (rc)
			goto done;
	}
	return KITH_OK;
done:
	db_reset(s);
	return rc;
}

static const char sql_scores_of_sq[] =
	"SELECT tc.contact_id, tc.at, t.channel, t.direction"
	" FROM touch_contact tc JOIN touchpoint t"
	" ON t.workspace_id = tc.workspace_id AND t.id = tc.touch_id"
	" WHERE tc.workspace_id = ?2 AND" IDS_IN_SQ("tc.contact_id")
	" ORDER BY tc.contact_id, tc.at";
static const char sql_scores_of_pg[] =
	"SELECT tc.contact_id, tc.at, t.channel, t.direction"
	" FROM touch_contact tc JOIN touchpoint t"
	" ON t.workspace_id = tc.workspace_id AND t.id = tc.touch_id"
	" WHERE tc.workspace_id = ?2 AND" IDS_IN_PG("tc.contact_id")
	" ORDER BY tc.contact_id, tc.at";

int store_touch_scores_each(struct store *st, int64_t ws, const int64_t *ids,
			    size_t n, store_touch_visit fn, void *ctx,
			    struct kith_err *err)
{
	char *text;
	db_stmt *s;
	int rc;

	if (!n)
		return KITH_OK;
	text = sq_ids_param(st, ids, n);
	if (!text)
		return kith_err_nomem(err);
	STMT(s, db_sql(st, sql_scores_of_sq, sql_scores_of_pg));
	db_bind_text(s, 1, text);
	db_bind_int64(s, 2, ws);
	rc = visit_touches(st, s, fn, ctx, err);
	db_reset(s);
done:
	free(text);
	return rc;
}

int store_touch_each(struct store *st, int64_t ws, bool per_participant,
		     store_touch_visit fn, void *ctx, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	if (per_participant)
		STMT(s, "SELECT tc.contact_id, tc.at, t.channel, t.direction"
			" FROM touch_contact tc JOIN touchpoint t"
			" ON t.workspace_id = tc.workspace_id"
			" AND t.id = tc.touch_id WHERE tc.workspace_id = ?"
			" ORDER BY tc.contact_id, tc.at");
	else
		STMT(s, "SELECT 0, at, channel, direction FROM touchpoint"
			" WHERE workspace_id = ? ORDER BY at");
	db_bind_int64(s, 1, ws);
	return visit_touches(st, s, fn, ctx, err);
done:
	return rc;
}

/* ---- facts, dates, promises, gifts, revenue ---- */

/* Fills one zeroed element of a list from the current row. */
typedef void (*row_read_fn)(db_stmt *s, void *row);
/* Frees n elements read so far and the array. */
typedef void (*rows_free_fn)(void *rows, size_t n);

/*
 * The list shape of the contact's kin: step s (prepared and bound) to the
 * end, one element of size bytes per row, filled by read. On KITH_OK
 * *out and *n hold a new array the caller frees with the entity's *_free; on
 * failure (KITH_EIO, KITH_EBUSY, KITH_ENOMEM, with err set) what was read
 * is freed with free_rows and *out and *n are untouched.
 */
static int rows_read(void **out, size_t *n, struct store *st, db_stmt *s,
		     size_t size, row_read_fn read, rows_free_fn free_rows,
		     struct kith_err *err)
{
	char *rows = NULL;
	size_t cnt = 0;
	int rc, more;

	for (;;) {
		void *g;

		STEP(s, more);
		if (!more)
			break;
		g = grow(rows, cnt, size);
		if (!g) {
			rc = kith_err_nomem(err);
			goto done;
		}
		rows = g;
		memset(rows + cnt * size, 0, size);
		read(s, rows + cnt * size);
		cnt++;
	}
	*out = rows;
	*n = cnt;
	return KITH_OK;
done:
	free_rows(rows, cnt);
	return rc;
}

int sq_contact_exists(struct store *st, int64_t ws, int64_t id,
			  struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT 1 FROM contact WHERE id = ? AND workspace_id = ?");
	db_bind_int64(s, 1, id);
	db_bind_int64(s, 2, ws);
	STEP(s, more);
	db_reset(s);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "contact_id",
				    "no contact %lld", (long long)id);
	return KITH_OK;
done:
	return rc;
}

/*
 * The one shape of every add of a contact's kin (facts, dates, promises,
 * gifts, revenue): the contact (when the row must have one, or has one)
 * and the organization must be the workspace's; then one INSERT whose ?1
 * is the kept id (0: a new one) and ?2 the workspace, the rest bound by
 * bind. The id the row got is written back to *id.
 */
typedef void (*row_bind_fn)(db_stmt *s, const void *row);

static int row_add(struct store *st, int64_t ws, bool need_contact,
		   int64_t contact_id, int64_t org_id, const struct id_sql *sql,
		   row_bind_fn bind, const void *row, int64_t *id,
		   const char *what, struct kith_err *err)
{
	db_stmt *s;
	int rc = KITH_OK;

	if (need_contact || contact_id)
		rc = sq_contact_exists(st, ws, contact_id, err);
	if (!rc)
		rc = sq_org_check(st, ws, org_id, err);
	if (rc)
		return rc;
	STMT(s, db_sql(st, sql->sq, sql->pg));
	bind_id(s, 1, *id);
	db_bind_int64(s, 2, ws);
	bind(s, row);
	EXEC(s, what);
	*id = db_last_id(st);
done:
	return rc;
}

static const struct id_sql sql_fact_add =
	ID_SQL_PAIR("INSERT INTO fact(id, workspace_id, contact_id,"
		    " text, created_at) VALUES (",
		    "fact", "?1", "?2",
		    ", ?2, ?3, ?4, ?5) RETURNING id");

static void fact_bind(db_stmt *s, const void *row)
{
	const struct fact *f = row;

	db_bind_int64(s, 3, f->contact_id);
	bind_text(s, 4, f->text);
	db_bind_int64(s, 5, f->created_at);
}

int store_fact_add(struct store *st, int64_t ws, struct fact *f,
		   struct kith_err *err)
{
	return row_add(st, ws, true, f->contact_id, 0, &sql_fact_add,
		       fact_bind, f, &f->id, "add fact", err);
}

void store_facts_free(struct fact *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fact_clear(&f[i]);
	free(f);
}

static void fact_row(db_stmt *s, void *row)
{
	struct fact *f = row;

	f->id = db_column_int64(s, 0);
	f->contact_id = db_column_int64(s, 1);
	f->text = col_str(s, 2);
	f->created_at = db_column_int64(s, 3);
}

static void fact_rows_free(void *rows, size_t n)
{
	store_facts_free(rows, n);
}

int store_fact_list(struct fact **out, size_t *n, struct store *st, int64_t ws,
		    int64_t contact_id, struct kith_err *err)
{
	void *rows;
	db_stmt *s;
	int rc;

	/* One contact reads its index; ?2 = 0 keeps the binding. */
	if (contact_id)
		STMT(s, "SELECT id, contact_id, text, created_at FROM fact"
			" WHERE workspace_id = ?1 AND contact_id = ?2"
			" ORDER BY id");
	else
		STMT(s, "SELECT id, contact_id, text, created_at FROM fact"
			" WHERE workspace_id = ?1 AND ?2 = 0"
			" ORDER BY id");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, contact_id);
	rc = rows_read(&rows, n, st, s, sizeof(struct fact), fact_row,
		       fact_rows_free, err);
	if (!rc)
		*out = rows;
done:
	return rc;
}

static int mmdd_of(int32_t day)
{
	int y, m, d;

	kith_civil_from_days(day, &y, &m, &d);
	return m * 100 + d;
}

static const struct id_sql sql_date_add =
	ID_SQL_PAIR("INSERT INTO kdate(id, workspace_id, contact_id,"
		    " kind, day, year_known, yearly, mmdd, created_at)"
		    " VALUES (",
		    "kdate", "?1", "?2",
		    ", ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id");

static void date_bind(db_stmt *s, const void *row)
{
	const struct kdate *d = row;

	db_bind_int64(s, 3, d->contact_id);
	bind_text(s, 4, d->kind);
	db_bind_int(s, 5, d->day);
	db_bind_int(s, 6, d->year_known);
	db_bind_int(s, 7, d->yearly);
	db_bind_int(s, 8, mmdd_of(d->day));
	db_bind_int64(s, 9, d->created_at);
}

int store_date_add(struct store *st, int64_t ws, struct kdate *d,
		   struct kith_err *err)
{
	return row_add(st, ws, true, d->contact_id, 0, &sql_date_add,
		       date_bind, d, &d->id, "add date", err);
}

void store_dates_free(struct kdate *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kdate_clear(&d[i]);
	free(d);
}

static void date_read(db_stmt *s, struct kdate *d)
{
	d->id = db_column_int64(s, 0);
	d->contact_id = db_column_int64(s, 1);
	d->kind = col_str(s, 2);
	d->day = db_column_int(s, 3);
	d->year_known = db_column_int(s, 4);
	d->yearly = db_column_int(s, 5);
	d->created_at = db_column_int64(s, 6);
}

static void date_row(db_stmt *s, void *row)
{
	date_read(s, row);
}

static void date_rows_free(void *rows, size_t n)
{
	store_dates_free(rows, n);
}

int store_date_list(struct kdate **out, size_t *n, struct store *st, int64_t ws,
		    int64_t contact_id, struct kith_err *err)
{
	void *rows;
	db_stmt *s;
	int rc;

	/* One contact reads its index; ?2 = 0 keeps the binding. */
	if (contact_id)
		STMT(s, "SELECT id, contact_id, kind, day, year_known, yearly,"
			" created_at FROM kdate WHERE workspace_id = ?1"
			" AND contact_id = ?2 ORDER BY id");
	else
		STMT(s, "SELECT id, contact_id, kind, day, year_known, yearly,"
			" created_at FROM kdate WHERE workspace_id = ?1"
			" AND ?2 = 0 ORDER BY id");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, contact_id);
	rc = rows_read(&rows, n, st, s, sizeof(struct kdate), date_row,
		       date_rows_free, err);
	if (!rc)
		*out = rows;
done:
	return rc;
}

int store_date_list_range(struct kdate **out, size_t *n, struct store *st,
			  int64_t ws, int64_t after_id, int64_t last_id,
			  struct kith_err *err)
{
	void *rows;
	db_stmt *s;
	int rc;

	STMT(s, "SELECT id, contact_id, kind, day, year_known, yearly,"
		" created_at FROM kdate WHERE workspace_id = ?1"
		" AND contact_id > ?2 AND contact_id <= ?3"
		" ORDER BY contact_id, id");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, after_id);
	db_bind_int64(s, 3, last_id);
	rc = rows_read(&rows, n, st, s, sizeof(struct kdate), date_row,
		       date_rows_free, err);
	if (!rc)
		*out = rows;
done:
	return rc;
}

static const struct id_sql sql_promise_add =
	ID_SQL_PAIR("INSERT INTO promise(id, workspace_id, contact_id,"
		    " text, due, done_at, created_at) VALUES (",
		    "promise", "?1", "?2",
		    ", ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id");

static void promise_bind(db_stmt *s, const void *row)
{
	const struct promise *p = row;

	db_bind_int64(s, 3, p->contact_id);
	bind_text(s, 4, p->text);
	bind_time(s, 5, p->due);
	bind_time(s, 6, p->done_at);
	db_bind_int64(s, 7, p->created_at);
}

int store_promise_add(struct store *st, int64_t ws, struct promise *p,
		      struct kith_err *err)
{
	return row_add(st, ws, true, p->contact_id, 0, &sql_promise_add,
		       promise_bind, p, &p->id, "add promise", err);
}

void store_promises_free(struct promise *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		promise_clear(&p[i]);
	free(p);
}

static void promise_read(db_stmt *s, struct promise *p)
{
	p->id = db_column_int64(s, 0);
	p->contact_id = db_column_int64(s, 1);
	p->text = col_str(s, 2);
	p->due = col_time(s, 3);
	p->done_at = col_time(s, 4);
	p->created_at = db_column_int64(s, 5);
	p->contact_name = col_str(s, 6);
}

static void promise_row(db_stmt *s, void *row)
{
	promise_read(s, row);
}

static void promise_rows_free(void *rows, size_t n)
{
	store_promises_free(rows, n);
}

int store_promise_list(struct promise **out, size_t *n, struct store *st,
		       int64_t ws, int64_t contact_id, bool include_done,
		       struct kith_err *err)
{
	void *rows;
	db_stmt *s;
	int rc;

	/* Open before kept; among open, those with a due time first by it. */
	/* One contact reads its index; ?2 = 0 keeps the binding. */
	if (contact_id)
		STMT(s, "SELECT p.id, p.contact_id, p.text, p.due, p.done_at,"
			" p.created_at, c.name FROM promise p JOIN contact c"
			" ON c.workspace_id = p.workspace_id"
			" AND c.id = p.contact_id WHERE p.workspace_id = ?1"
			" AND p.contact_id = ?2"
			" AND (?3 <> 0 OR p.done_at IS NULL)"
			" ORDER BY p.done_at IS NOT NULL, p.due IS NULL, p.due, p.id");
	else
		STMT(s, "SELECT p.id, p.contact_id, p.text, p.due, p.done_at,"
			" p.created_at, c.name FROM promise p JOIN contact c"
			" ON c.workspace_id = p.workspace_id"
			" AND c.id = p.contact_id WHERE p.workspace_id = ?1"
			" AND ?2 = 0"
			" AND (?3 <> 0 OR p.done_at IS NULL)"
			" ORDER BY p.done_at IS NOT NULL, p.due IS NULL, p.due, p.id");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, contact_id);
	db_bind_int(s, 3, include_done);
	rc = rows_read(&rows, n, st, s, sizeof(struct promise), promise_row,
		       promise_rows_free, err);
	if (!rc)
		*out = rows;
done:
	return rc;
}

static const char sql_promise_times_sq[] =
	"SELECT contact_id, due, done_at FROM promise"
	" WHERE workspace_id = ?2 AND" IDS_IN_SQ("contact_id")
	" ORDER BY contact_id, done_at IS NOT NULL, due IS NULL, due, id";
static const char sql_promise_times_pg[] =
	"SELECT contact_id, due, done_at FROM promise"
	" WHERE workspace_id = ?2 AND" IDS_IN_PG("contact_id")
	" ORDER BY contact_id, done_at IS NOT NULL, due IS NULL, due, id";

int store_promise_times_each(struct store *st, int64_t ws, const int64_t *ids,
			     size_t n, store_promise_visit fn, void *ctx,
			     struct kith_err *err)
{
	char *text;
	db_stmt *s;
	int rc = KITH_OK, more;

	if (!n)
		return KITH_OK;
	text = sq_ids_param(st, ids, n);
	if (!text)
		return kith_err_nomem(err);
	STMT(s, db_sql(st, sql_promise_times_sq, sql_promise_times_pg));
	db_bind_text(s, 1, text);
	db_bind_int64(s, 2, ws);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		rc = fn(ctx, db_column_int64(s, 0), col_time(s, 1),
			col_time(s, 2));
		if (rc)
			break;
	}
	db_reset(s);
done:
	free(text);
	return rc;
}

int store_promise_get(struct promise *out, struct store *st, int64_t ws,
		      int64_t id, struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	memset(out, 0, sizeof(*out));
	STMT(s, "SELECT p.id, p.contact_id, p.text, p.due, p.done_at,"
		" p.created_at, c.name FROM promise p JOIN contact c"
		" ON c.workspace_id = p.workspace_id AND c.id = p.contact_id"
		" WHERE p.workspace_id = ? AND p.id = ?");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, id);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "promise",
				    "no promise %lld", (long long)id);
	promise_read(s, out);
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

int store_promise_done(struct store *st, int64_t ws, int64_t id,
		       kith_time at, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "UPDATE promise SET done_at = ? WHERE workspace_id = ?"
		" AND id = ?");
	bind_time(s, 1, at);
	db_bind_int64(s, 2, ws);
	db_bind_int64(s, 3, id);
	EXEC(s, "keep promise");
	if (!db_changes(st))
		return kith_err_set(err, KITH_ENOTFOUND, "promise",
				    "no promise %lld", (long long)id);
	return KITH_OK;
done:
	return rc;
}

static const struct id_sql sql_gift_add =
	ID_SQL_PAIR("INSERT INTO gift(id, workspace_id, contact_id,"
		    " org_id, text, value_cents, at) VALUES (",
		    "gift", "?1", "?2",
		    ", ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id");

static void gift_bind(db_stmt *s, const void *row)
{
	const struct gift *g = row;

	bind_id(s, 3, g->contact_id);
	bind_id(s, 4, g->org_id);
	bind_text(s, 5, g->text);
	db_bind_int64(s, 6, g->value_cents);
	db_bind_int64(s, 7, g->at);
}

int store_gift_add(struct store *st, int64_t ws, struct gift *g,
		   struct kith_err *err)
{
	return row_add(st, ws, false, g->contact_id, g->org_id, &sql_gift_add,
		       gift_bind, g, &g->id, "add gift", err);
}

void store_gifts_free(struct gift *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		gift_clear(&g[i]);
	free(g);
}

static void gift_row(db_stmt *s, void *row)
{
	struct gift *g = row;

	g->id = db_column_int64(s, 0);
	g->contact_id = db_column_int64(s, 1);
	g->org_id = db_column_int64(s, 2);
	g->text = col_str(s, 3);
	g->value_cents = db_column_int64(s, 4);
	g->at = db_column_int64(s, 5);
}

static void gift_rows_free(void *rows, size_t n)
{
	store_gifts_free(rows, n);
}

int store_gift_list(struct gift **out, size_t *n, struct store *st, int64_t ws,
		    int64_t contact_id, struct kith_err *err)
{
	void *rows;
	db_stmt *s;
	int rc;

	/* One contact reads its index; ?2 = 0 keeps the binding. */
	if (contact_id)
		STMT(s, "SELECT id, contact_id, org_id, text, value_cents, at"
			" FROM gift WHERE workspace_id = ?1"
			" AND contact_id = ?2 ORDER BY at, id");
	else
		STMT(s, "SELECT id, contact_id, org_id, text, value_cents, at"
			" FROM gift WHERE workspace_id = ?1"
			" AND ?2 = 0 ORDER BY at, id");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, contact_id);
	rc = rows_read(&rows, n, st, s, sizeof(struct gift), gift_row,
		       gift_rows_free, err);
	if (!rc)
		*out = rows;
done:
	return rc;
}

static const struct id_sql sql_revenue_add =
	ID_SQL_PAIR("INSERT INTO revenue(id, workspace_id, contact_id,"
		    " org_id, amount_cents, at, note) VALUES (",
		    "revenue", "?1", "?2",
		    ", ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id");

static void revenue_bind(db_stmt *s, const void *row)
{
	const struct revenue *r = row;

	bind_id(s, 3, r->contact_id);
	bind_id(s, 4, r->org_id);
	db_bind_int64(s, 5, r->amount_cents);
	db_bind_int64(s, 6, r->at);
	bind_text(s, 7, r->note);
}

int store_revenue_add(struct store *st, int64_t ws, struct revenue *r,
		      struct kith_err *err)
{
	return row_add(st, ws, false, r->contact_id, r->org_id,
		       &sql_revenue_add, revenue_bind, r, &r->id, "add revenue",
		       err);
}

void store_revenues_free(struct revenue *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		revenue_clear(&r[i]);
	free(r);
}

static void revenue_row(db_stmt *s, void *row)
{
	struct revenue *r = row;

	r->id = db_column_int64(s, 0);
	r->contact_id = db_column_int64(s, 1);
	r->org_id = db_column_int64(s, 2);
	r->amount_cents = db_column_int64(s, 3);
	r->at = db_column_int64(s, 4);
	r->note = col_str(s, 5);
}

static void revenue_rows_free(void *rows, size_t n)
{
	store_revenues_free(rows, n);
}

int store_revenue_list(struct revenue **out, size_t *n, struct store *st,
		       int64_t ws, int64_t contact_id, struct kith_err *err)
{
	void *rows;
	db_stmt *s;
	int rc;

	/* One contact reads its index; ?2 = 0 keeps the binding. */
	if (contact_id)
		STMT(s, "SELECT id, contact_id, org_id, amount_cents, at, note"
			" FROM revenue WHERE workspace_id = ?1"
			" AND contact_id = ?2 ORDER BY at, id");
	else
		STMT(s, "SELECT id, contact_id, org_id, amount_cents, at, note"
			" FROM revenue WHERE workspace_id = ?1"
			" AND ?2 = 0 ORDER BY at, id");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, contact_id);
	rc = rows_read(&rows, n, st, s, sizeof(struct revenue), revenue_row,
		       revenue_rows_free, err);
	if (!rc)
		*out = rows;
done:
	return rc;
}

int store_revenue_total(int64_t *cents, struct store *st, int64_t ws,
			int64_t contact_id, struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT coalesce(sum(amount_cents), 0) FROM revenue"
		" WHERE workspace_id = ?1 AND contact_id = ?2");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, contact_id);
	STEP(s, more);
	*cents = more ? db_column_int64(s, 0) : 0;
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

int store_dates_window(int64_t **ids, size_t *n, struct store *st, int64_t ws,
		       int32_t from_day, int32_t to_day, struct kith_err *err)
{
	int64_t *v = NULL;
	size_t cnt = 0;
	db_stmt *s;
	int lo, hi, rc, more;

	/* Widened by a day each way so Feb 29 is found when it falls on
	 * Feb 28; the core decides exactly. */
	lo = mmdd_of(from_day - 1);
	hi = mmdd_of(to_day + 1);
	STMT(s, "SELECT contact_id FROM kdate WHERE workspace_id = ?1"
		" AND ((yearly = 1 AND (CASE WHEN ?2 <= ?3"
		"  THEN mmdd BETWEEN ?2 AND ?3"
		"  ELSE (mmdd >= ?2 OR mmdd <= ?3) END))"
		" OR (yearly = 0 AND day BETWEEN ?4 AND ?5))");
	db_bind_int64(s, 1, ws);
	db_bind_int(s, 2, lo);
	db_bind_int(s, 3, hi);
	db_bind_int(s, 4, from_day);
	db_bind_int(s, 5, to_day);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(v, cnt, err);
		v[cnt++] = db_column_int64(s, 0);
	}
	*ids = v;
	*n = cnt;
	return KITH_OK;
done:
	free(v);
	return rc;
}

int store_promises_due_page(struct promise_row *out, size_t cap, size_t *n,
			    struct store *st, int64_t ws, kith_time before,
			    kith_time after_due, int64_t after_id,
			    struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	*n = 0;
	STMT(s, "SELECT id, contact_id, due FROM promise"
		" WHERE workspace_id = ?1 AND done_at IS NULL"
		" AND due IS NOT NULL AND due < ?2 AND (due, id) > (?3, ?4)"
		" ORDER BY due, id LIMIT " SQL_INT(STORE_DUE_PAGE));
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, before);
	db_bind_int64(s, 3, after_due);
	db_bind_int64(s, 4, after_id);
	while (*n < cap) {
		STEP(s, more);
		if (!more)
			break;
		out[*n].id = db_column_int64(s, 0);
		out[*n].contact_id = db_column_int64(s, 1);
		out[*n].due = db_column_int64(s, 2);
		(*n)++;
	}
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

int store_touch_each_user(struct store *st, int64_t ws, store_touch_visit fn,
			  void *ctx, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "SELECT tu.user_id, t.at, t.channel, t.direction"
		" FROM touch_user tu JOIN touchpoint t"
		" ON t.workspace_id = tu.workspace_id AND t.id = tu.touch_id"
		" WHERE tu.workspace_id = ? ORDER BY tu.user_id, t.at");
	db_bind_int64(s, 1, ws);
	return visit_touches(st, s, fn, ctx, err);
done:
	return rc;
}
