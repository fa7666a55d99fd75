/*
 * sqlite_summary.c: the SQLite engine of store.h: contact summaries and
 * cadence rules.
 * Shared plumbing and the statement macros: sqlite_int.h.
 */
#include "sqlite_int.h"

/* ---- contacts: summaries ---- */

static int shorter(int a_code, int b_code)
{
	return kith_cadence_days(kith_cadence_decode(a_code)) <
	       kith_cadence_days(kith_cadence_decode(b_code));
}

/* A contact's cadence: its own, else its tags' shortest, else its tier's,
 * else the workspace default. Each clock resolves on its own. */
static int resolve_cadence(int *eff_every, int *eff_meet, struct store *st,
			   int64_t ws, int64_t id, int own_every, int own_meet,
			   const char *tier, struct kith_err *err)
{
	int tag_every = 0, tag_meet = 0, tier_every = 0, tier_meet = 0;
	int def_every = 0, def_meet = 0;
	db_stmt *s;
	int rc, more;

	if (!own_every || !own_meet) {
		STMT(s, "SELECT r.every, r.meet FROM contact_tag t"
			" JOIN cadence_rule r ON r.workspace_id = t.workspace_id"
			" AND r.scope = 'tag' AND r.key = t.tag"
			" WHERE t.workspace_id = ? AND t.contact_id = ?");
		db_bind_int64(s, 1, ws);
		db_bind_int64(s, 2, id);
		for (;;) {
			int e, m;

			STEP(s, more);
			if (!more)
				break;
			e = db_column_int(s, 0);
			m = db_column_int(s, 1);
			if (e && (!tag_every || shorter(e, tag_every)))
				tag_every = e;
			if (m && (!tag_meet || shorter(m, tag_meet)))
				tag_meet = m;
		}
		STMT(s, "SELECT scope, every, meet FROM cadence_rule"
			" WHERE workspace_id = ? AND ((scope = 'tier' AND"
			" key = ?) OR scope = 'default')");
		db_bind_int64(s, 1, ws);
		bind_text(s, 2, tier ? tier : "");
		for (;;) {
			STEP(s, more);
			if (!more)
				break;
			if (!strcmp(db_column_text(s, 0),
				    "tier")) {
				tier_every = db_column_int(s, 1);
				tier_meet = db_column_int(s, 2);
			} else {
				def_every = db_column_int(s, 1);
				def_meet = db_column_int(s, 2);
			}
		}
	}
	*eff_every = own_every	? own_every
		     : tag_every ? tag_every
		     : tier_every ? tier_every
				  : def_every;
	*eff_meet = own_meet   ? own_meet
		    : tag_meet  ? tag_meet
		    : tier_meet ? tier_meet
				: def_meet;
	return KITH_OK;
done:
	return rc;
}

static int summary_write(struct store *st, int64_t ws, int64_t id,
			 const struct summary *m, int count_delta,
			 struct kith_err *err)
{
	kith_time any = agenda_anchor(m->last_touch, m->created_at);
	kith_time meet = agenda_anchor(m->last_in_person, m->created_at);
	struct cadence ce = kith_cadence_decode(m->eff_every);
	struct cadence cm = kith_cadence_decode(m->eff_meet);
	db_stmt *s;
	int rc;

	STMT(s, "UPDATE contact SET last_touch = ?, last_in_person = ?,"
		" eff_every = ?, eff_meet = ?, any_anchor = ?,"
		" meet_anchor = ?, due_at = ?, meet_due_at = ?,"
		" touch_count = touch_count + ? WHERE id = ?"
		" AND workspace_id = ?");
	bind_time(s, 1, m->last_touch);
	bind_time(s, 2, m->last_in_person);
	db_bind_int(s, 3, m->eff_every);
	db_bind_int(s, 4, m->eff_meet);
	db_bind_int64(s, 5, any);
	db_bind_int64(s, 6, meet);
	bind_time(s, 7, kith_cadence_none(ce) ? KITH_NO_TIME
					      : kith_cadence_due(ce, any));
	bind_time(s, 8, kith_cadence_none(cm) ? KITH_NO_TIME
					      : kith_cadence_due(cm, meet));
	db_bind_int(s, 9, count_delta);
	db_bind_int64(s, 10, id);
	db_bind_int64(s, 11, ws);
	EXEC(s, "update summary");
	return KITH_OK;
done:
	return rc;
}

/*
 * Recompute every summary of one contact from its rows: cadences from the
 * rules, last touches from history. Used after edits, merges, deletes;
 * a new touch takes the cheaper path in sq_touch_summary().
 */
int sq_contact_refresh(struct store *st, int64_t ws, int64_t id,
			   struct kith_err *err)
{
	struct summary m = { 0 };
	int own_every, own_meet, rc, more;
	char tier[4] = "";
	db_stmt *s;

	STMT(s, "SELECT every, meet_every, tier, created_at FROM contact"
		" WHERE id = ? AND workspace_id = ?");
	db_bind_int64(s, 1, id);
	db_bind_int64(s, 2, ws);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "contact",
				    "no contact %lld", (long long)id);
	own_every = db_column_int(s, 0);
	own_meet = db_column_int(s, 1);
	snprintf(tier, sizeof(tier), "%s",
		 db_column_text(s, 2));
	m.created_at = db_column_int64(s, 3);
	db_reset(s);
	rc = resolve_cadence(&m.eff_every, &m.eff_meet, st, ws, id, own_every,
			     own_meet, tier, err);
	if (rc)
		goto done;
	STMT(s, "SELECT max(tc.at), max(CASE WHEN t.channel = 'in_person'"
		" THEN tc.at END), count(*) FROM touch_contact tc"
		" JOIN touchpoint t ON t.workspace_id = tc.workspace_id"
		" AND t.id = tc.touch_id"
		" WHERE tc.workspace_id = ? AND tc.contact_id = ?");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, id);
	STEP(s, more);
	m.last_touch = col_time(s, 0);
	m.last_in_person = col_time(s, 1);
	int64_t count = db_column_int64(s, 2);
	db_reset(s);
	STMT(s, "UPDATE contact SET touch_count = ? WHERE id = ?"
		" AND workspace_id = ?");
	db_bind_int64(s, 1, count);
	db_bind_int64(s, 2, id);
	db_bind_int64(s, 3, ws);
	EXEC(s, "update summary");
	return summary_write(st, ws, id, &m, 0, err);
done:
	return rc;
}

/*
 * The hot path of a new touch: fold one instant into the summary in one
 * UPDATE, with the due time from kith_due() (see store_open). Measured:
 * a SELECT then an UPDATE ran at 35k touches/s; one statement, and
 * leaving the face-to-face columns (and so their index) out of it for
 * other channels, is what brings the rate near bare inserts.
 */
int sq_touch_summary(struct store *st, int64_t ws, int64_t id,
			 kith_time at, bool in_person, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	if (in_person)
		STMT(s, "UPDATE contact SET touch_count = touch_count + 1,"
			" last_touch = max(coalesce(last_touch, ?2), ?2),"
			" any_anchor = CASE WHEN last_touch IS NULL"
			"  OR ?2 > last_touch THEN ?2 ELSE any_anchor END,"
			" due_at = CASE WHEN last_touch IS NULL"
			"  OR ?2 > last_touch THEN kith_due(eff_every, ?2)"
			"  ELSE due_at END,"
			" last_in_person = max(coalesce(last_in_person, ?2), ?2),"
			" meet_anchor = CASE WHEN last_in_person IS NULL"
			"  OR ?2 > last_in_person THEN ?2 ELSE meet_anchor END,"
			" meet_due_at = CASE WHEN last_in_person IS NULL"
			"  OR ?2 > last_in_person THEN kith_due(eff_meet, ?2)"
			"  ELSE meet_due_at END"
			" WHERE id = ?1 AND workspace_id = ?3");
	else
		STMT(s, "UPDATE contact SET touch_count = touch_count + 1,"
			" last_touch = max(coalesce(last_touch, ?2), ?2),"
			" any_anchor = CASE WHEN last_touch IS NULL"
			"  OR ?2 > last_touch THEN ?2 ELSE any_anchor END,"
			" due_at = CASE WHEN last_touch IS NULL"
			"  OR ?2 > last_touch THEN kith_due(eff_every, ?2)"
			"  ELSE due_at END"
			" WHERE id = ?1 AND workspace_id = ?3");
	db_bind_int64(s, 1, id);
	db_bind_int64(s, 2, at);
	db_bind_int64(s, 3, ws);
	EXEC(s, "update summary");
	if (!db_changes(st))
		return kith_err_set(err, KITH_ENOTFOUND, "contacts",
				    "no contact %lld", (long long)id);
	return KITH_OK;
done:
	return rc;
}

/* ---- cadence rules ---- */

int store_cadence_set(struct store *st, int64_t ws,
		      const struct cadence_rule *r, kith_time now,
		      struct kith_err *err)
{
	db_stmt *s;
	int rc;

	(void)now;
	if (kith_cadence_none(r->every) && kith_cadence_none(r->meet) &&
	    r->scope == CADENCE_TAG) {
		STMT(s, "DELETE FROM cadence_rule WHERE workspace_id = ? AND"
			" scope = 'tag' AND key = ?");
		db_bind_int64(s, 1, ws);
		bind_text(s, 2, r->key);
		EXEC(s, "set cadence");
	} else {
		STMT(s, "INSERT INTO cadence_rule(workspace_id, scope, key,"
			" every, meet) VALUES (?, ?, ?, ?, ?)"
			" ON CONFLICT (workspace_id, scope, key) DO UPDATE"
			" SET every = excluded.every, meet = excluded.meet");
		db_bind_int64(s, 1, ws);
		bind_text(s, 2, cadence_scope_name(r->scope));
		bind_text(s, 3, r->key ? r->key : "");
		db_bind_int(s, 4, kith_cadence_code(r->every));
		db_bind_int(s, 5, kith_cadence_code(r->meet));
		EXEC(s, "set cadence");
	}
	/* Refresh only the contacts the rule can reach. */
	if (r->scope == CADENCE_TAG)
		STMT(s, "SELECT contact_id FROM contact_tag WHERE"
			" workspace_id = ?1 AND tag = ?2");
	else if (r->scope == CADENCE_TIER)
		STMT(s, "SELECT id FROM contact WHERE workspace_id = ?1"
			" AND tier = ?2");
	else
		STMT(s, "SELECT id FROM contact WHERE workspace_id = ?1"
			" AND CAST(?2 AS TEXT) IS NOT NULL");
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, r->key ? r->key : "");
	{
		int64_t *ids = NULL;
		size_t n = 0;

		rc = sq_collect_ids(&ids, &n, st, s, 0, err);
		for (size_t i = 0; !rc && i < n; i++)
			rc = sq_contact_refresh(st, ws, ids[i], err);
		free(ids);
	}
done:
	return rc;
}

void store_cadences_free(struct cadence_rule *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(r[i].key);
	free(r);
}

int store_cadence_list(struct cadence_rule **out, size_t *n, struct store *st,
		       int64_t ws, struct kith_err *err)
{
	struct cadence_rule *r = NULL;
	size_t cnt = 0;
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT scope, key, every, meet FROM cadence_rule"
		" WHERE workspace_id = ? ORDER BY CASE scope WHEN 'default'"
		" THEN 0 WHEN 'tier' THEN 1 ELSE 2 END, key");
	db_bind_int64(s, 1, ws);
	for (;;) {
		const char *scope;

		STEP(s, more);
		if (!more)
			break;
		PUSH(r, cnt, err);
		scope = db_column_text(s, 0);
		/* The schema's CHECK allows only the three names. */
		if (cadence_scope_parse(&r[cnt].scope, scope, "scope", NULL))
			r[cnt].scope = CADENCE_DEFAULT;
		r[cnt].key = col_str(s, 1);
		r[cnt].every = kith_cadence_decode(db_column_int(s, 2));
		r[cnt].meet = kith_cadence_decode(db_column_int(s, 3));
		cnt++;
	}
	*out = r;
	*n = cnt;
	return KITH_OK;
done:
	store_cadences_free(r, cnt);
	return rc;
}
