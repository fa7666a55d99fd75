/*
 * sqlite_signal.c: the SQLite engine of store.h: hooks, signals, alerts,
 * notify targets, outbox, meetings.
 * Shared plumbing and the statement macros: sqlite_int.h.
 */
#include "sqlite_int.h"

/* ---- signals, alerts, notifications, meetings ---- */

int store_hook_get(char **secret, struct store *st, int64_t ws,
		   struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	*secret = NULL;
	STMT(s, "SELECT secret FROM hook WHERE workspace_id = ?");
	db_bind_int64(s, 1, ws);
	STEP(s, more);
	if (more)
		*secret = col_str(s, 0);
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

int store_hook_set(struct store *st, int64_t ws, const char *secret,
		   const char *hash, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "INSERT INTO hook(workspace_id, secret, secret_hash)"
		" VALUES (?, ?, ?) ON CONFLICT (workspace_id) DO UPDATE"
		" SET secret = excluded.secret,"
		" secret_hash = excluded.secret_hash");
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, secret);
	bind_text(s, 3, hash);
	EXEC(s, "set webhook secret");
	/* A rotated secret's old hash leaves the directory. */
	STMT(s, "DELETE FROM directory_credential WHERE workspace_id = ?"
		" AND user_id IS NULL AND kind = 'hook'");
	db_bind_int64(s, 1, ws);
	EXEC(s, "set webhook secret");
	return sq_directory_credential_add(st, hash, "hook", ws, 0, err);
done:
	return rc;
}

int store_hook_find(int64_t *ws, char **secret, struct store *st,
		    const char *hash, struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	s = sq_by_directory(&rc, st, DIR_BY_HASH, hash,
			    "SELECT workspace_id, secret FROM hook WHERE"
			    " workspace_id = ?2 AND secret_hash = ?1",
			    "SELECT workspace_id, secret FROM hook WHERE"
			    " secret_hash = ?1",
			    2, err);
	if (!s)
		return rc;
	bind_text(s, 1, hash);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "secret",
				    "no such webhook");
	*ws = db_column_int64(s, 0);
	*secret = col_str(s, 1);
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

int store_signal_match(int64_t *contact_id, struct store *st, int64_t ws,
		       const char *email, const char *handle,
		       struct kith_err *err)
{
	db_stmt *s;
	int rc, more;
	const char *at = email ? strrchr(email, '@') : NULL;

	*contact_id = 0;
	if (email && *email) {
		STMT(s, "SELECT contact_id FROM contact_email WHERE"
			" workspace_id = ? AND email = ? ORDER BY contact_id"
			" LIMIT 1");
		db_bind_int64(s, 1, ws);
		bind_text(s, 2, email);
		STEP(s, more);
		if (more)
			*contact_id = db_column_int64(s, 0);
		db_reset(s);
		if (*contact_id)
			return KITH_OK;
	}
	if (at && at[1]) {
		/* The domain names an organization: its most recently
		 * touched contact is the one who will know the sender.
		 * Only contacts of an organization: a shared mail host
		 * (gmail.com) says nothing about who the sender is.
		 * Written as IN, not a join: with statistics SQLite chose
		 * to walk every contact of an organization and probe its
		 * addresses (1 s a webhook at 100k contacts) rather than
		 * read the domain's few addresses first. */
		STMT(s, "SELECT c.id FROM contact c WHERE c.workspace_id = ?1"
			" AND c.id IN (SELECT e.contact_id FROM contact_email e"
			" WHERE e.workspace_id = ?1 AND e.domain = lower(?2))"
			" AND c.org_id IS NOT NULL"
			" ORDER BY c.last_touch IS NULL,"
			" c.last_touch DESC, c.id LIMIT 1");
		db_bind_int64(s, 1, ws);
		bind_text(s, 2, at + 1);
		STEP(s, more);
		if (more)
			*contact_id = db_column_int64(s, 0);
		db_reset(s);
		if (*contact_id)
			return KITH_OK;
	}
	if (handle && *handle) {
		const char *h = handle[0] == '@' ? handle + 1 : handle;

		STMT(s, "SELECT contact_id FROM contact_handle WHERE"
			" workspace_id = ?1 AND (handle = ?2 OR handle = '@' || ?2)"
			" ORDER BY contact_id LIMIT 1");
		db_bind_int64(s, 1, ws);
		bind_text(s, 2, h);
		STEP(s, more);
		if (more)
			*contact_id = db_column_int64(s, 0);
		db_reset(s);
	}
	return KITH_OK;
done:
	return rc;
}

int store_signal_add(bool *duplicate, struct store *st, int64_t ws,
		     struct signal *sg, struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	STMT(s, ID_SQL(st,
		       "INSERT INTO signal(id, workspace_id, ext_id,"
		       " type, email, name, handle, url, text, at,"
		       " received_at, contact_id) VALUES (",
		       "signal", "NULL", "?1",
		       ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
		       " ON CONFLICT DO NOTHING RETURNING id"));
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, sg->ext_id);
	bind_text(s, 3, signal_type_name(sg->type));
	bind_text(s, 4, sg->email);
	bind_text(s, 5, sg->name);
	bind_text(s, 6, sg->handle);
	bind_text(s, 7, sg->url);
	bind_text(s, 8, sg->text);
	db_bind_int64(s, 9, sg->at);
	db_bind_int64(s, 10, sg->received_at);
	bind_id(s, 11, sg->contact_id);
	EXEC(s, "add signal");
	*duplicate = db_changes(st) == 0;
	if (!*duplicate)
		st->open_signals = 1;
	if (!*duplicate) {
		sg->id = db_last_id(st);
		return KITH_OK;
	}
	/* The same delivery again: answer with what was stored. */
	STMT(s, "SELECT id, contact_id FROM signal WHERE workspace_id = ?"
		" AND ext_id = ?");
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, sg->ext_id);
	STEP(s, more);
	if (more) {
		sg->id = db_column_int64(s, 0);
		sg->contact_id = db_column_int64(s, 1);
	}
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

#define SIGNAL_COLS                                                          \
	"g.id, g.ext_id, g.type, g.email, g.name, g.handle, g.url, g.text,"  \
	" g.at, g.received_at, g.contact_id, g.answered_at, c.name,"        \
	" c.owner_id, u.tz"
#define SIGNAL_FROM                                                          \
	" FROM signal g LEFT JOIN contact c ON c.workspace_id ="             \
	" g.workspace_id AND c.id = g.contact_id"                            \
	" LEFT JOIN \"user\" u ON u.workspace_id = g.workspace_id"               \
	" AND u.id = c.owner_id"

static void signal_read(db_stmt *s, struct signal *g)
{
	memset(g, 0, sizeof(*g));
	g->id = db_column_int64(s, 0);
	g->ext_id = col_str(s, 1);
	signal_type_parse(&g->type, db_column_text(s, 2),
			  NULL, NULL);
	g->email = col_str(s, 3);
	g->name = col_str(s, 4);
	g->handle = col_str(s, 5);
	g->url = col_str(s, 6);
	g->text = col_str(s, 7);
	g->at = db_column_int64(s, 8);
	g->received_at = db_column_int64(s, 9);
	g->contact_id = db_column_int64(s, 10);
	g->answered_at = col_time(s, 11);
	g->contact_name = col_str(s, 12);
	g->owner_id = db_column_int64(s, 13);
	g->owner_tz = col_str(s, 14);
}

int store_signal_get(struct signal *out, struct store *st, int64_t ws,
		     int64_t id, struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT " SIGNAL_COLS SIGNAL_FROM
		" WHERE g.workspace_id = ? AND g.id = ?");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, id);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "signal",
				    "no signal %lld", (long long)id);
	signal_read(s, out);
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

void store_signals_free(struct signal *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		signal_clear(&g[i]);
	free(g);
}

int store_signal_list(struct signal **out, size_t *n, struct store *st,
		      int64_t ws, bool waiting_only, int64_t after_id,
		      size_t limit, struct kith_err *err)
{
	struct signal *g = NULL;
	size_t cnt = 0;
	db_stmt *s;
	int rc, more;

	/* Waiting first (oldest waiting first), then answered, newest. */
	STMT(s, "SELECT " SIGNAL_COLS SIGNAL_FROM
		" WHERE g.workspace_id = ?1 AND g.id > ?2"
		" AND (?3 = 0 OR g.answered_at IS NULL)"
		" ORDER BY g.answered_at IS NOT NULL,"
		" CASE WHEN g.answered_at IS NULL THEN g.at END,"
		" g.at DESC, g.id LIMIT ?4");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, after_id);
	db_bind_int(s, 3, waiting_only);
	db_bind_int64(s, 4, limit ? (int64_t)limit : INT64_MAX);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(g, cnt, err);
		signal_read(s, &g[cnt++]);
	}
	*out = g;
	*n = cnt;
	return KITH_OK;
done:
	store_signals_free(g, cnt);
	return rc;
}

int store_signal_attach(struct store *st, int64_t ws, int64_t id,
			int64_t contact_id, struct kith_err *err)
{
	db_stmt *s;
	int rc = sq_contact_exists(st, ws, contact_id, err);

	if (rc)
		return rc;
	STMT(s, "UPDATE signal SET contact_id = ? WHERE workspace_id = ?"
		" AND id = ?");
	db_bind_int64(s, 1, contact_id);
	db_bind_int64(s, 2, ws);
	db_bind_int64(s, 3, id);
	EXEC(s, "attach signal");
	if (!db_changes(st))
		return kith_err_set(err, KITH_ENOTFOUND, "signal",
				    "no signal %lld", (long long)id);
	st->open_signals = 1;
	/* A touch logged before the attach still answers it. */
	STMT(s, "UPDATE signal SET answered_at = (SELECT min(tc.at) FROM"
		" touch_contact tc WHERE tc.workspace_id = ?1 AND"
		" tc.contact_id = ?2 AND tc.at >= signal.at)"
		" WHERE workspace_id = ?1 AND id = ?3 AND answered_at IS NULL");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, contact_id);
	db_bind_int64(s, 3, id);
	EXEC(s, "attach signal");
	return KITH_OK;
done:
	return rc;
}

int store_signals_open(int64_t **ids, size_t *n, struct store *st, int64_t ws,
		       struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "SELECT DISTINCT contact_id FROM signal WHERE"
		" workspace_id = ? AND answered_at IS NULL AND"
		" contact_id IS NOT NULL");
	db_bind_int64(s, 1, ws);
	return sq_collect_ids(ids, n, st, s, 0, err);
done:
	return rc;
}

int store_user_focus(struct store *st, int64_t ws, int64_t user_id,
		     kith_time until, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "UPDATE \"user\" SET focus_until = ? WHERE id = ? AND"
		" workspace_id = ?");
	bind_time(s, 1, until);
	db_bind_int64(s, 2, user_id);
	db_bind_int64(s, 3, ws);
	EXEC(s, "focus");
	if (!db_changes(st))
		return kith_err_set(err, KITH_ENOTFOUND, "user", "no such user");
	return KITH_OK;
done:
	return rc;
}

int store_user_digest_day(struct store *st, int64_t ws, int64_t user_id,
			  int32_t day, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "UPDATE \"user\" SET digest_day = ? WHERE id = ? AND"
		" workspace_id = ?");
	db_bind_int(s, 1, day);
	db_bind_int64(s, 2, user_id);
	db_bind_int64(s, 3, ws);
	EXEC(s, "digest day");
	return KITH_OK;
done:
	return rc;
}

int store_users_all(struct user **out, size_t *n, struct store *st,
		    struct kith_err *err)
{
	struct user *u = NULL;
	size_t cnt = 0;
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT " USER_COLS " FROM \"user\" ORDER BY id");
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(u, cnt, err);
		sq_user_read(s, &u[cnt++]);
	}
	*out = u;
	*n = cnt;
	return KITH_OK;
done:
	store_users_free(u, cnt);
	return rc;
}

int store_alert_add(int64_t *id, struct store *st, int64_t ws, int64_t user_id,
		    const char *kind, int64_t signal_id, const char *data,
		    bool held, kith_time now, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, ID_SQL(st,
		       "INSERT INTO alert(id, workspace_id, user_id,"
		       " kind, signal_id, data, held, created_at)"
		       " VALUES (",
		       "alert", "NULL", "?1",
		       ", ?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id"));
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, user_id);
	bind_text(s, 3, kind);
	bind_id(s, 4, signal_id);
	bind_text(s, 5, data);
	db_bind_int(s, 6, held);
	db_bind_int64(s, 7, now);
	EXEC(s, "add alert");
	if (id)
		*id = db_last_id(st);
	return KITH_OK;
done:
	return rc;
}

void store_alerts_free(struct alert *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		alert_clear(&a[i]);
	free(a);
}

static int alerts_read(struct alert **out, size_t *n, struct store *st,
		       db_stmt *s, struct kith_err *err)
{
	struct alert *a = NULL;
	size_t cnt = 0;
	int rc, more;

	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(a, cnt, err);
		a[cnt].id = db_column_int64(s, 0);
		a[cnt].user_id = db_column_int64(s, 1);
		a[cnt].kind = col_str(s, 2);
		a[cnt].signal_id = db_column_int64(s, 3);
		a[cnt].data = col_str(s, 4);
		a[cnt].created_at = db_column_int64(s, 5);
		cnt++;
	}
	db_reset(s);
	*out = a;
	*n = cnt;
	return KITH_OK;
done:
	store_alerts_free(a, cnt);
	return rc;
}

int store_alert_list(struct alert **out, size_t *n, struct store *st,
		     int64_t ws, int64_t user_id, int64_t after_id,
		     size_t limit, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "SELECT id, user_id, kind, signal_id, data, created_at"
		" FROM alert WHERE workspace_id = ? AND user_id = ? AND id > ?"
		" AND held = 0 ORDER BY id LIMIT ?");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, user_id);
	db_bind_int64(s, 3, after_id);
	db_bind_int64(s, 4, (int64_t)limit);
	return alerts_read(out, n, st, s, err);
done:
	return rc;
}

int store_alert_held(struct alert **out, size_t *n, struct store *st,
		     int64_t ws, int64_t user_id, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "SELECT id, user_id, kind, signal_id, data, created_at"
		" FROM alert WHERE workspace_id = ? AND user_id = ? AND"
		" held = 1 ORDER BY id");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, user_id);
	return alerts_read(out, n, st, s, err);
done:
	return rc;
}

int store_alert_release(struct store *st, int64_t ws, int64_t user_id,
			struct kith_err *err)
{
	db_stmt *s;
	int rc;

	/* 2: carried by a digest; never shown on its own. */
	STMT(s, "UPDATE alert SET held = 2 WHERE workspace_id = ? AND"
		" user_id = ? AND held = 1");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, user_id);
	EXEC(s, "release alerts");
	return KITH_OK;
done:
	return rc;
}

int store_alert_users_held(struct user_key **out, size_t *n,
			   struct store *st, struct kith_err *err)
{
	struct user_key *v = NULL;
	size_t cnt = 0;
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT DISTINCT workspace_id, user_id FROM alert"
		" WHERE held = 1");
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(v, cnt, err);
		v[cnt].workspace_id = db_column_int64(s, 0);
		v[cnt++].user_id = db_column_int64(s, 1);
	}
	db_reset(s);
	*out = v;
	*n = cnt;
	return KITH_OK;
done:
	free(v);
	return rc;
}

static int alert_max(int64_t *id, struct store *st, db_stmt *s,
		     struct kith_err *err)
{
	int rc, more;

	STEP(s, more);
	*id = more ? db_column_int64(s, 0) : 0;
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

int store_alert_last(int64_t *id, struct store *st, int64_t ws,
		     int64_t user_id, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "SELECT coalesce(max(id), 0) FROM alert"
		" WHERE workspace_id = ? AND user_id = ?");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, user_id);
	return alert_max(id, st, s, err);
done:
	return rc;
}

int store_alert_newest(int64_t *id, struct store *st, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	/* Ids are per workspace (migration 19), so no one id is the
	 * newest: each workspace's highest, read off the end of its part
	 * of the primary key, summed. A new alert anywhere raises the sum.
	 * The old "?1 = 0 OR user_id = ?1" form read every alert on each
	 * tick; this reads one key per workspace. */
	STMT(s, "SELECT coalesce(sum((SELECT max(a.id) FROM alert a"
		" WHERE a.workspace_id = w.id)), 0) FROM workspace w");
	return alert_max(id, st, s, err);
done:
	return rc;
}

int store_notify_add(struct store *st, int64_t ws, struct notify_target *t,
		     struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, ID_SQL(st,
		       "INSERT INTO notify_target(id, workspace_id,"
		       " user_id, url, json, created_at) VALUES (",
		       "notify_target", "NULL", "?1",
		       ", ?1, ?2, ?3, ?4, ?5) ON CONFLICT"
		       " (workspace_id, user_id, url) DO UPDATE SET"
		       " json = excluded.json"));
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, t->user_id);
	bind_text(s, 3, t->url);
	db_bind_int(s, 4, t->json);
	db_bind_int64(s, 5, t->created_at);
	EXEC(s, "add notify target");
	STMT(s, "SELECT id FROM notify_target WHERE workspace_id = ? AND"
		" user_id = ? AND url = ?");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, t->user_id);
	bind_text(s, 3, t->url);
	{
		int more;

		STEP(s, more);
		t->id = more ? db_column_int64(s, 0) : 0;
		db_reset(s);
	}
	return KITH_OK;
done:
	return rc;
}

void store_notify_free(struct notify_target *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].url);
	free(t);
}

int store_notify_list(struct notify_target **out, size_t *n, struct store *st,
		      int64_t ws, int64_t user_id, struct kith_err *err)
{
	struct notify_target *t = NULL;
	size_t cnt = 0;
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT id, user_id, url, json, created_at FROM notify_target"
		" WHERE workspace_id = ?1 AND (?2 = 0 OR user_id = ?2)"
		" ORDER BY id");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, user_id);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(t, cnt, err);
		t[cnt].id = db_column_int64(s, 0);
		t[cnt].user_id = db_column_int64(s, 1);
		t[cnt].url = col_str(s, 2);
		t[cnt].json = db_column_int(s, 3);
		t[cnt].created_at = db_column_int64(s, 4);
		cnt++;
	}
	*out = t;
	*n = cnt;
	return KITH_OK;
done:
	store_notify_free(t, cnt);
	return rc;
}

int store_notify_delete(struct store *st, int64_t ws, int64_t id,
			struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "DELETE FROM outbox WHERE target_id = ?2 AND workspace_id = ?1");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, id);
	EXEC(s, "remove notify target");
	STMT(s, "DELETE FROM notify_target WHERE id = ?2 AND workspace_id = ?1");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, id);
	EXEC(s, "remove notify target");
	if (!db_changes(st))
		return kith_err_set(err, KITH_ENOTFOUND, "id",
				    "no notification target %lld",
				    (long long)id);
	return KITH_OK;
done:
	return rc;
}

int store_outbox_add(struct store *st, int64_t ws, int64_t target_id,
		     const char *body, kith_time now, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, ID_SQL(st,
		       "INSERT INTO outbox(id, workspace_id, target_id,"
		       " body, next_at) VALUES (",
		       "outbox", "NULL", "?1",
		       ", ?1, ?2, ?3, ?4)"));
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, target_id);
	bind_text(s, 3, body);
	db_bind_int64(s, 4, now);
	EXEC(s, "queue notification");
	return KITH_OK;
done:
	return rc;
}

void store_outbox_free(struct outbox_item *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		outbox_item_clear(&o[i]);
	free(o);
}

int store_outbox_due(struct outbox_item **out, size_t *n, struct store *st,
		     kith_time now, size_t limit, size_t per_ws,
		     struct kith_err *err)
{
	struct outbox_item *o = NULL;
	size_t cnt = 0;
	db_stmt *s;
	int rc, more;

	/* Round-robin over workspaces: every workspace's oldest first, then
	 * every workspace's second... so one tenant's backlog cannot fill
	 * the batch. */
	STMT(s, "SELECT id, target_id, url, json, body, attempts, workspace_id"
		" FROM (SELECT o.id, o.target_id, t.url, t.json, o.body,"
		" o.attempts, o.workspace_id, o.next_at, row_number() OVER"
		" (PARTITION BY o.workspace_id ORDER BY o.next_at, o.id) AS k"
		" FROM outbox o JOIN notify_target t"
		" ON t.workspace_id = o.workspace_id AND t.id = o.target_id"
		" WHERE o.sent_at IS NULL AND o.next_at <= ?1) AS q"
		" WHERE k <= ?3 ORDER BY k, next_at, id LIMIT ?2");
	db_bind_int64(s, 1, now);
	db_bind_int64(s, 2, (int64_t)limit);
	db_bind_int64(s, 3, (int64_t)(per_ws ? per_ws : limit));
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(o, cnt, err);
		o[cnt].id = db_column_int64(s, 0);
		o[cnt].target_id = db_column_int64(s, 1);
		o[cnt].url = col_str(s, 2);
		o[cnt].json = db_column_int(s, 3);
		o[cnt].body = col_str(s, 4);
		o[cnt].attempts = db_column_int(s, 5);
		o[cnt].workspace_id = db_column_int64(s, 6);
		cnt++;
	}
	*out = o;
	*n = cnt;
	return KITH_OK;
done:
	store_outbox_free(o, cnt);
	return rc;
}

int store_outbox_done(struct store *st, int64_t ws, int64_t id, bool sent,
		      kith_time now, kith_time next_at, const char *error,
		      struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "UPDATE outbox SET attempts = attempts + 1,"
		" sent_at = CASE WHEN ?2 <> 0 THEN ?3 END, next_at = ?4,"
		" last_error = ?5 WHERE id = ?1 AND workspace_id = ?6");
	db_bind_int64(s, 1, id);
	db_bind_int(s, 2, sent);
	db_bind_int64(s, 3, now);
	db_bind_int64(s, 4, next_at);
	bind_text(s, 5, error);
	db_bind_int64(s, 6, ws);
	EXEC(s, "notification result");
	return KITH_OK;
done:
	return rc;
}

int store_meeting_put(struct store *st, int64_t ws, struct meeting *m,
		      struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	/* Keyed by user too: one member's import never takes over
	 * another's meeting, and two who attend the same one keep a row
	 * each (L8). */
	STMT(s, ID_SQL(st,
		       "INSERT INTO meeting(id, workspace_id, user_id,"
		       " uid, start, \"end\", summary, video, state)"
		       " VALUES (",
		       "meeting", "NULL", "?1",
		       ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT"
		       " (workspace_id, user_id, uid, start) DO UPDATE"
		       " SET \"end\" = excluded.\"end\", summary ="
		       " excluded.summary, video = excluded.video"));
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, m->user_id);
	bind_text(s, 3, m->uid);
	db_bind_int64(s, 4, m->start);
	db_bind_int64(s, 5, m->end);
	bind_text(s, 6, m->summary);
	db_bind_int(s, 7, m->video);
	bind_text(s, 8, m->state ? m->state : "none");
	EXEC(s, "add meeting");
	STMT(s, "SELECT id, state FROM meeting WHERE workspace_id = ? AND"
		" uid = ? AND start = ? AND user_id = ?");
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, m->uid);
	db_bind_int64(s, 3, m->start);
	db_bind_int64(s, 4, m->user_id);
	STEP(s, more);
	if (more) {
		m->id = db_column_int64(s, 0);
		free(m->state);
		m->state = col_str(s, 1);
	}
	db_reset(s);
	for (size_t i = 0; i < m->n_contacts; i++) {
		STMT(s, "INSERT INTO meeting_contact(workspace_id,"
			" meeting_id, contact_id) VALUES (?, ?, ?)"
			" ON CONFLICT DO NOTHING");
		db_bind_int64(s, 1, ws);
		db_bind_int64(s, 2, m->id);
		db_bind_int64(s, 3, m->contacts[i]);
		EXEC(s, "add meeting");
	}
	return KITH_OK;
done:
	return rc;
}

void store_meetings_free(struct meeting *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		meeting_clear(&m[i]);
	free(m);
}

int store_meeting_list(struct meeting **out, size_t *n, struct store *st,
		       int64_t ws, int64_t user_id, const char *state,
		       struct kith_err *err)
{
	struct meeting *m = NULL;
	size_t cnt = 0;
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT id, user_id, uid, start, \"end\", summary, video, state,"
		" touch_id FROM meeting WHERE workspace_id = ?1"
		" AND (CAST(?2 AS TEXT) IS NULL OR state = ?2) AND (?3 = 0 OR user_id = ?3)"
		" ORDER BY start, id");
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, state);
	db_bind_int64(s, 3, user_id);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(m, cnt, err);
		m[cnt].id = db_column_int64(s, 0);
		m[cnt].user_id = db_column_int64(s, 1);
		m[cnt].uid = col_str(s, 2);
		m[cnt].start = db_column_int64(s, 3);
		m[cnt].end = db_column_int64(s, 4);
		m[cnt].summary = col_str(s, 5);
		m[cnt].video = db_column_int(s, 6);
		m[cnt].state = col_str(s, 7);
		m[cnt].touch_id = db_column_int64(s, 8);
		cnt++;
	}
	db_reset(s);
	for (size_t i = 0; i < cnt; i++) {
		STMT(s, "SELECT contact_id FROM meeting_contact WHERE"
			" workspace_id = ? AND meeting_id = ? ORDER BY"
			" contact_id");
		db_bind_int64(s, 1, ws);
		db_bind_int64(s, 2, m[i].id);
		rc = sq_collect_ids(&m[i].contacts, &m[i].n_contacts, st, s, 0,
				    err);
		if (rc)
			goto done;
	}
	*out = m;
	*n = cnt;
	return KITH_OK;
done:
	store_meetings_free(m, cnt);
	return rc;
}

int store_meeting_state(struct store *st, int64_t ws, int64_t user_id,
			int64_t id, const char *state, int64_t touch_id,
			struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "UPDATE meeting SET state = ?1, touch_id = ?2 WHERE id = ?3 AND"
		" workspace_id = ?4 AND (?5 = 0 OR user_id = ?5)");
	bind_text(s, 1, state);
	bind_id(s, 2, touch_id);
	db_bind_int64(s, 3, id);
	db_bind_int64(s, 4, ws);
	db_bind_int64(s, 5, user_id);
	EXEC(s, "meeting state");
	if (!db_changes(st))
		return kith_err_set(err, KITH_ENOTFOUND, "id",
				    "no meeting %lld", (long long)id);
	return KITH_OK;
done:
	return rc;
}

int store_user_in_meeting(kith_time *until, struct store *st, int64_t ws,
			  int64_t user_id, kith_time now, struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT max(\"end\") FROM meeting WHERE workspace_id = ?3 AND"
		" user_id = ?1 AND start <= ?2 AND \"end\" > ?2");
	db_bind_int64(s, 1, user_id);
	db_bind_int64(s, 2, now);
	db_bind_int64(s, 3, ws);
	STEP(s, more);
	*until = more ? col_time(s, 0) : KITH_NO_TIME;
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}
