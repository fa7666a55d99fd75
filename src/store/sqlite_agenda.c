/*
 * sqlite_agenda.c: the SQLite engine of store.h: the agenda's indexes.
 * Shared plumbing and the statement macros: sqlite_int.h.
 */
#include "sqlite_int.h"

/* ---- the agenda's indexes ---- */

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
			" ORDER BY any_anchor, id LIMIT ?6");
	else
		STMT(s, "SELECT id, meet_anchor FROM contact"
			" WHERE workspace_id = ?1 AND eff_meet = ?2"
			" AND tier = ?3 AND (meet_anchor, id) > (?4, ?5)"
			" ORDER BY meet_anchor, id LIMIT ?6");
	db_bind_int64(s, 1, ws);
	db_bind_int(s, 2, g->code);
	bind_text(s, 3, tier_name(g->tier));
	db_bind_int64(s, 4, after_anchor);
	db_bind_int64(s, 5, after_id);
	db_bind_int64(s, 6, (int64_t)cap);
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

/* Fill the event parts of a row: nearest date, overdue promises, gift. */
static int agenda_row_events(struct store *st, int64_t ws,
			     struct agenda_row *r, kith_time now,
			     int32_t today, struct kith_err *err)
{
	struct agenda_input *in = &r->in;
	db_stmt *s;
	int rc, more;

	in->date_in_days = -1;
	STMT(s, "SELECT kind, day, year_known, yearly FROM kdate"
		" WHERE workspace_id = ? AND contact_id = ? ORDER BY id");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, in->id);
	for (;;) {
		struct kdate d = { 0 };
		int days, years;

		STEP(s, more);
		if (!more)
			break;
		d.day = db_column_int(s, 1);
		d.year_known = db_column_int(s, 2);
		d.yearly = db_column_int(s, 3);
		days = agenda_days_until(&d, today, &years);
		if (days < 0 || days > AGENDA_DATE_WINDOW)
			continue;
		if (in->date_in_days >= 0 && days >= in->date_in_days)
			continue;
		free(r->date_kind);
		r->date_kind = col_str(s, 0);
		in->date_in_days = days;
		in->date_years = years;
	}
	in->date_kind = r->date_kind;
	STMT(s, "SELECT count(*), min(due), (SELECT text FROM promise q"
		" WHERE q.workspace_id = ?1 AND q.contact_id = ?2 AND"
		" q.done_at IS NULL AND q.due < ?3 ORDER BY q.due, q.id LIMIT 1)"
		" FROM promise WHERE workspace_id = ?1 AND contact_id = ?2"
		" AND done_at IS NULL AND due < ?3");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, in->id);
	db_bind_int64(s, 3, now);
	STEP(s, more);
	in->promises_overdue = more ? db_column_int(s, 0) : 0;
	in->promise_due = more ? col_time(s, 1) : KITH_NO_TIME;
	r->promise_text = more ? col_str(s, 2) : NULL;
	in->promise_text = r->promise_text;
	db_reset(s);
	STMT(s, "SELECT max(at) FROM gift WHERE workspace_id = ?1"
		" AND contact_id = ?2");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, in->id);
	STEP(s, more);
	in->last_gift = more ? col_time(s, 0) : KITH_NO_TIME;
	db_reset(s);
	/* Waiting signals: the partial index holds only unanswered ones. */
	STMT(s, "SELECT count(*) OVER (), at, type, coalesce(url, text)"
		" FROM signal WHERE workspace_id = ?1 AND contact_id = ?2"
		" AND answered_at IS NULL ORDER BY at LIMIT 1");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, in->id);
	STEP(s, more);
	if (more) {
		const char *w = db_column_text(s, 3);
		const char *path = w ? strstr(w, "://") : NULL;

		in->signals_waiting = db_column_int(s, 0);
		in->signal_at = db_column_int64(s, 1);
		signal_type_parse(&in->signal_type,
				  db_column_text(s, 2),
				  NULL, NULL);
		/* A URL is shown by its path: "/pricing". */
		if (path && strchr(path + 3, '/'))
			w = strchr(path + 3, '/');
		r->signal_what = w ? strdup(w) : NULL;
		in->signal_what = r->signal_what;
	}
	db_reset(s);
	return KITH_OK;
done:
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
}

int store_agenda_row_events(struct store *st, int64_t ws,
			    struct agenda_row *row, kith_time now,
			    int32_t today, struct kith_err *err)
{
	return agenda_row_events(st, ws, row, now, today, err);
}

int store_agenda_row_base(struct agenda_row *out, struct store *st, int64_t ws,
			  int64_t id, struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	memset(out, 0, sizeof(*out));
	STMT(s, "SELECT " AGENDA_COLS " FROM contact WHERE id = ? AND"
		" workspace_id = ?");
	db_bind_int64(s, 1, id);
	db_bind_int64(s, 2, ws);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "contact",
				    "no contact %lld", (long long)id);
	agenda_row_read(s, out);
	out->in.date_in_days = -1;
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

int store_agenda_row(struct agenda_row *out, struct store *st, int64_t ws,
		     int64_t id, kith_time now, int32_t today,
		     struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	memset(out, 0, sizeof(*out));
	STMT(s, "SELECT " AGENDA_COLS " FROM contact WHERE id = ? AND"
		" workspace_id = ?");
	db_bind_int64(s, 1, id);
	db_bind_int64(s, 2, ws);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "contact",
				    "no contact %lld", (long long)id);
	agenda_row_read(s, out);
	db_reset(s);
	rc = agenda_row_events(st, ws, out, now, today, err);
	if (rc)
		agenda_row_clear(out);
done:
	return rc;
}

int store_agenda_each(struct store *st, int64_t ws, kith_time now,
		      int32_t today, store_agenda_visit fn, void *ctx,
		      struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT " AGENDA_COLS " FROM contact WHERE workspace_id = ?"
		" ORDER BY id");
	db_bind_int64(s, 1, ws);
	for (;;) {
		struct agenda_row r;

		STEP(s, more);
		if (!more)
			break;
		agenda_row_read(s, &r);
		rc = agenda_row_events(st, ws, &r, now, today, err);
		if (!rc)
			rc = fn(ctx, &r);
		agenda_row_clear(&r);
		if (rc)
			goto done;
	}
	return KITH_OK;
done:
	db_reset(s);
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
	return sq_exec_sql(st, "ANALYZE", err);
}
