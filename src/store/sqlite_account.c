/*
 * sqlite_account.c: the SQLite engine of store.h: users, sessions, API
 * tokens.
 * Shared plumbing and the statement macros: sqlite_int.h.
 */
#include "sqlite_int.h"

/* ---- accounts ---- */

/* A session's or a token's user, the WHERE to follow. */
#define SESSION_USER                                                         \
	"SELECT u.id, u.workspace_id, u.email, u.name, u.role,"              \
	" u.password_hash, u.tz, u.created_at, u.focus_until,"               \
	" u.digest_day FROM session x JOIN \"user\" u ON"                    \
	" u.workspace_id = x.workspace_id AND u.id = x.user_id"
#define TOKEN_USER                                                           \
	"SELECT u.id, u.workspace_id, u.email, u.name, u.role,"              \
	" u.password_hash, u.tz, u.created_at, u.focus_until,"               \
	" u.digest_day FROM api_token t JOIN \"user\" u ON"                  \
	" u.workspace_id = t.workspace_id AND u.id = t.user_id"

void sq_user_read(db_stmt *s, struct user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = db_column_int64(s, 0);
	u->workspace_id = db_column_int64(s, 1);
	u->email = col_str(s, 2);
	u->name = col_str(s, 3);
	role_parse(&u->role, db_column_text(s, 4), NULL,
		   NULL);
	u->password_hash = col_str(s, 5);
	u->tz = col_str(s, 6);
	u->created_at = db_column_int64(s, 7);
	u->focus_until = col_time(s, 8);
	u->digest_day = col_day(s, 9);
}

int store_user_add(struct store *st, struct user *u, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, ID_SQL(st,
		       "INSERT INTO \"user\"(id, workspace_id, email,"
		       " name, role, password_hash, tz, created_at)"
		       " VALUES (",
		       "\"user\"", "NULL", "?1",
		       ", ?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO"
		       " NOTHING RETURNING id"));
	db_bind_int64(s, 1, u->workspace_id);
	bind_text(s, 2, u->email);
	bind_text(s, 3, u->name ? u->name : "");
	bind_text(s, 4, role_name(u->role));
	bind_text(s, 5, u->password_hash);
	bind_text(s, 6, u->tz ? u->tz : "");
	db_bind_int64(s, 7, u->created_at);
	/* Only the unique email indexes can refuse this row, and DO NOTHING
	 * says so by returning no id: a failed INSERT would abort the
	 * caller's PostgreSQL transaction, and the API then looks the
	 * address up in it. A busy lock or an I/O error stays its own
	 * status, not "already has an account". */
	rc = db_step(s);
	if (rc == DB_FAIL) {
		rc = db_fail(st, err, "add user");
		db_reset(s);
		return rc;
	}
	u->id = rc == DB_ROW ? db_column_int64(s, 0) : 0;
	db_reset(s);
	if (!u->id)
		return kith_err_set(err, KITH_ECONFLICT, "email",
				    "%s already has an account", u->email);
	/* An email signs in to one account across every workspace: the
	 * directory holds that rule (on Citus, the only place it can).
	 * Taken: the row just added goes, and the answer is the same. */
	STMT(s, "INSERT INTO directory_login(email, workspace_id, user_id)"
		" VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
	bind_text(s, 1, u->email);
	db_bind_int64(s, 2, u->workspace_id);
	db_bind_int64(s, 3, u->id);
	EXEC(s, "add user");
	if (!db_changes(st)) {
		STMT(s, "DELETE FROM \"user\" WHERE workspace_id = ? AND"
			" id = ?");
		db_bind_int64(s, 1, u->workspace_id);
		db_bind_int64(s, 2, u->id);
		EXEC(s, "add user");
		u->id = 0;
		return kith_err_set(err, KITH_ECONFLICT, "email",
				    "%s already has an account", u->email);
	}
	return KITH_OK;
done:
	return rc;
}

static int user_one(struct user *out, struct store *st, db_stmt *s,
		    struct kith_err *err)
{
	int rc, more;

	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "user", "no such user");
	sq_user_read(s, out);
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

int store_user_get(struct user *out, struct store *st, int64_t ws, int64_t id,
		   struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "SELECT " USER_COLS " FROM \"user\" WHERE id = ? AND"
		" workspace_id = ?");
	db_bind_int64(s, 1, id);
	db_bind_int64(s, 2, ws);
	return user_one(out, st, s, err);
done:
	return rc;
}

int store_user_by_email(struct user *out, struct store *st, const char *email,
			struct kith_err *err)
{
	db_stmt *s;
	int rc;

	s = sq_by_directory(&rc, st, DIR_BY_EMAIL, email,
			    "SELECT " USER_COLS " FROM \"user\" WHERE"
			    " workspace_id = ?2 AND email = ?1",
			    "SELECT " USER_COLS " FROM \"user\" WHERE email = ?1",
			    2, err);
	if (!s)
		return rc;
	bind_text(s, 1, email);
	return user_one(out, st, s, err);
}

void store_users_free(struct user *u, size_t n)
{
	for (size_t i = 0; i < n; i++)
		user_clear(&u[i]);
	free(u);
}

int store_user_list(struct user **out, size_t *n, struct store *st, int64_t ws,
		    struct kith_err *err)
{
	struct user *u = NULL;
	size_t cnt = 0;
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT " USER_COLS " FROM \"user\" WHERE workspace_id = ?"
		" ORDER BY id");
	db_bind_int64(s, 1, ws);
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

int store_user_update(struct store *st, int64_t ws, const struct user *u,
		      struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "UPDATE \"user\" SET name = ?, role = ?, password_hash = ?, tz = ?"
		" WHERE id = ? AND workspace_id = ?");
	bind_text(s, 1, u->name ? u->name : "");
	bind_text(s, 2, role_name(u->role));
	bind_text(s, 3, u->password_hash);
	bind_text(s, 4, u->tz ? u->tz : "");
	db_bind_int64(s, 5, u->id);
	db_bind_int64(s, 6, ws);
	EXEC(s, "update user");
	if (!db_changes(st))
		return kith_err_set(err, KITH_ENOTFOUND, "user", "no such user");
	return KITH_OK;
done:
	return rc;
}

int store_user_delete(struct store *st, int64_t ws, int64_t id,
		      struct kith_err *err)
{
	static const char *const sql[] = {
		"DELETE FROM directory_credential WHERE workspace_id = ?1"
		" AND user_id = ?2",
		"DELETE FROM directory_login WHERE workspace_id = ?1 AND"
		" user_id = ?2",
		"DELETE FROM session WHERE user_id = ?2 AND workspace_id = ?1",
		"DELETE FROM api_token WHERE user_id = ?2 AND workspace_id = ?1",
		"DELETE FROM touch_user WHERE user_id = ?2 AND workspace_id = ?1",
		"DELETE FROM alert WHERE user_id = ?2 AND workspace_id = ?1",
		"DELETE FROM outbox WHERE workspace_id = ?1 AND target_id IN"
		" (SELECT id FROM notify_target WHERE user_id = ?2"
		" AND workspace_id = ?1)",
		"DELETE FROM notify_target WHERE user_id = ?2"
		" AND workspace_id = ?1",
		/* Their calendar goes with them (L8): ids may be reused. */
		"DELETE FROM meeting_contact WHERE workspace_id = ?1 AND"
		" meeting_id IN (SELECT id FROM meeting WHERE user_id = ?2"
		" AND workspace_id = ?1)",
		"DELETE FROM meeting WHERE user_id = ?2 AND workspace_id = ?1",
		("UPDATE contact SET owner_id = NULL WHERE owner_id = ?2"
		 " AND workspace_id = ?1"),
		"DELETE FROM \"user\" WHERE id = ?2 AND workspace_id = ?1",
	};
	db_stmt *s;
	int rc;

	for (size_t i = 0; i < sizeof(sql) / sizeof(*sql); i++) {
		STMT(s, sql[i]);
		db_bind_int64(s, 1, ws);
		db_bind_int64(s, 2, id);
		EXEC(s, "delete user");
	}
	if (!db_changes(st))
		return kith_err_set(err, KITH_ENOTFOUND, "user", "no such user");
	return KITH_OK;
done:
	return rc;
}

int store_owner_count(int64_t *out, struct store *st, int64_t ws,
		      struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT count(*) FROM \"user\" WHERE workspace_id = ? AND"
		" role = 'owner'");
	db_bind_int64(s, 1, ws);
	STEP(s, more);
	*out = more ? db_column_int64(s, 0) : 0;
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

int store_session_add(struct store *st, const char *id_hash, int64_t ws,
		      int64_t user_id, kith_time now, kith_time expires,
		      kith_time idle_until, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "INSERT INTO session(id_hash, workspace_id, user_id,"
		" created_at, expires_at, idle_until) VALUES (?, ?, ?, ?, ?,"
		" min(?5, ?6))");
	bind_text(s, 1, id_hash);
	db_bind_int64(s, 2, ws);
	db_bind_int64(s, 3, user_id);
	db_bind_int64(s, 4, now);
	db_bind_int64(s, 5, expires);
	db_bind_int64(s, 6, idle_until);
	EXEC(s, "add session");
	return sq_directory_credential_add(st, id_hash, "session", ws,
					   user_id, err);
done:
	return rc;
}

int store_session_user(struct user *out, struct store *st, const char *id_hash,
		       kith_time now, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	s = sq_by_directory(&rc, st, DIR_BY_HASH, id_hash,
			    SESSION_USER
			    " WHERE x.workspace_id = ?3 AND x.id_hash = ?1"
			    " AND x.expires_at > ?2"
			    " AND coalesce(x.idle_until, x.expires_at) > ?2",
			    SESSION_USER
			    " WHERE x.id_hash = ?1 AND x.expires_at > ?2"
			    " AND coalesce(x.idle_until, x.expires_at) > ?2",
			    3, err);
	if (!s)
		return rc;
	bind_text(s, 1, id_hash);
	db_bind_int64(s, 2, now);
	return user_one(out, st, s, err);
}

int store_session_touch(struct store *st, const char *id_hash,
			kith_time idle_until, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	s = sq_by_directory(&rc, st, DIR_BY_HASH, id_hash,
			    "UPDATE session SET idle_until = min(expires_at, ?2)"
			    " WHERE workspace_id = ?3 AND id_hash = ?1"
			    " AND coalesce(idle_until, 0) < min(expires_at, ?2)",
			    "UPDATE session SET idle_until = min(expires_at, ?2)"
			    " WHERE id_hash = ?1"
			    " AND coalesce(idle_until, 0) < min(expires_at, ?2)",
			    3, err);
	if (!s)
		return rc;
	bind_text(s, 1, id_hash);
	db_bind_int64(s, 2, idle_until);
	EXEC(s, "touch session");
	return KITH_OK;
done:
	return rc;
}

int store_session_delete_user(int64_t *n, struct store *st, int64_t ws,
			      int64_t user_id, const char *keep_hash,
			      struct kith_err *err)
{
	/* The sessions, then their hashes in the directory. */
	static const char *const sql[] = {
		"DELETE FROM session WHERE workspace_id = ?1 AND user_id = ?2"
		" AND (CAST(?3 AS TEXT) IS NULL OR id_hash <> ?3)",
		"DELETE FROM directory_credential WHERE workspace_id = ?1"
		" AND user_id = ?2 AND kind = 'session'"
		" AND (CAST(?3 AS TEXT) IS NULL OR hash <> ?3)",
	};
	db_stmt *s;
	int rc;

	for (size_t i = 0; i < sizeof(sql) / sizeof(*sql); i++) {
		STMT(s, sql[i]);
		db_bind_int64(s, 1, ws);
		db_bind_int64(s, 2, user_id);
		if (keep_hash)
			bind_text(s, 3, keep_hash);
		else
			db_bind_null(s, 3);
		EXEC(s, "end sessions");
		if (n && i == 0)
			*n = db_changes(st);
	}
	return KITH_OK;
done:
	return rc;
}

int store_session_purge(struct store *st, kith_time now,
			struct kith_err *err)
{
	char **gone = NULL;
	size_t n = 0;
	db_stmt *s;
	int rc, more;

	/* Each ended session's hash leaves the directory too: read back
	 * first, dropped by its key after (on Citus the directory is a
	 * reference table, written by key, never joined to a shard). */
	STMT(s, "DELETE FROM session WHERE expires_at <= ?1"
		" OR coalesce(idle_until, expires_at) <= ?1 RETURNING id_hash");
	db_bind_int64(s, 1, now);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(gone, n, err);
		gone[n] = col_str(s, 0);
		if (!gone[n]) {
			db_reset(s);
			rc = kith_err_nomem(err);
			goto done;
		}
		n++;
	}
	db_reset(s);
	for (size_t i = 0; i < n; i++) {
		rc = sq_directory_credential_drop(st, gone[i], err);
		if (rc)
			goto done;
	}
	rc = KITH_OK;
done:
	for (size_t i = 0; i < n; i++)
		free(gone[i]);
	free(gone);
	return rc;
}

int store_session_delete(struct store *st, const char *id_hash,
			 struct kith_err *err)
{
	db_stmt *s;
	int rc;

	s = sq_by_directory(&rc, st, DIR_BY_HASH, id_hash,
			    "DELETE FROM session WHERE workspace_id = ?2 AND"
			    " id_hash = ?1",
			    "DELETE FROM session WHERE id_hash = ?1",
			    2, err);
	if (!s)
		return rc;
	bind_text(s, 1, id_hash);
	EXEC(s, "delete session");
	return sq_directory_credential_drop(st, id_hash, err);
done:
	return rc;
}

int store_token_add(int64_t *id, struct store *st, int64_t ws, int64_t user_id,
		    const char *name, const char *hash, kith_time now,
		    kith_time expires, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, ID_SQL(st,
		       "INSERT INTO api_token(id, workspace_id,"
		       " user_id, name, hash, created_at, expires_at)"
		       " SELECT ",
		       "api_token", "NULL", "?1",
		       ", ?1, ?2, ?3, ?4, ?5, ?6 FROM \"user\" WHERE id"
		       " = ?2 AND workspace_id = ?1 RETURNING id"));
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, user_id);
	bind_text(s, 3, name);
	bind_text(s, 4, hash);
	db_bind_int64(s, 5, now);
	if (expires == KITH_NO_TIME)
		db_bind_null(s, 6);
	else
		db_bind_int64(s, 6, expires);
	EXEC(s, "add token");
	if (!db_changes(st))
		return kith_err_set(err, KITH_ENOTFOUND, "user", "no such user");
	*id = db_last_id(st);
	return sq_directory_credential_add(st, hash, "token", ws, user_id,
					   err);
done:
	return rc;
}

/* The one-statement lookup of a token's user (single node), bound. */
static db_stmt *token_user_stmt(int *rc, struct store *st, const char *hash,
				kith_time now, struct kith_err *err)
{
	db_stmt *s = sq_by_directory(rc, st, DIR_BY_HASH, hash,
				     TOKEN_USER
				     " WHERE t.workspace_id = ?3 AND t.hash = ?1"
				     " AND t.revoked_at IS NULL AND"
				     " (t.expires_at IS NULL OR t.expires_at > ?2)",
				     TOKEN_USER
				     " WHERE t.hash = ?1 AND t.revoked_at IS NULL"
				     " AND (t.expires_at IS NULL OR t.expires_at > ?2)",
				     3, err);

	if (s) {
		bind_text(s, 1, hash);
		db_bind_int64(s, 2, now);
	}
	return s;
}

int store_token_user(struct user *out, struct store *st, const char *hash,
		     kith_time now, struct kith_err *err)
{
	int rc;
	db_stmt *s = token_user_stmt(&rc, st, hash, now, err);

	return s ? user_one(out, st, s, err) : rc;
}

bool store_sends_ahead(struct store *st)
{
	/* SQLite has no round trip to save; on Citus the lookup is two
	 * statements, the second bound to what the first finds. */
	return st->pg && !st->sharded;
}

int store_token_user_send(struct store *st, const char *hash, kith_time now,
			  struct kith_err *err)
{
	int rc;
	db_stmt *s = token_user_stmt(&rc, st, hash, now, err);

	if (!s)
		return rc;
	db_send(s);
	st->sent = s;
	return KITH_OK;
}

int store_token_user_recv(struct user *out, struct store *st,
			  struct kith_err *err)
{
	db_stmt *s = st->sent;

	st->sent = NULL;
	if (!s)
		return kith_err_set(err, KITH_EIO, NULL,
				    "internal: no token lookup was sent");
	return user_one(out, st, s, err);
}

int store_token_touch(struct store *st, const char *hash, kith_time now,
		      struct kith_err *err)
{
	db_stmt *s;
	int rc;

	s = sq_by_directory(&rc, st, DIR_BY_HASH, hash,
			    "UPDATE api_token SET last_used_at = ?2 WHERE"
			    " workspace_id = ?3 AND hash = ?1"
			    " AND (last_used_at IS NULL OR last_used_at < ?2 - 60)",
			    "UPDATE api_token SET last_used_at = ?2 WHERE hash = ?1"
			    " AND (last_used_at IS NULL OR last_used_at < ?2 - 60)",
			    3, err);
	if (!s)
		return rc;
	bind_text(s, 1, hash);
	db_bind_int64(s, 2, now);
	EXEC(s, "note token use");
	return KITH_OK;
done:
	return rc;
}

void store_tokens_free(struct api_token *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		api_token_clear(&t[i]);
	free(t);
}

int store_token_list(struct api_token **out, size_t *n, struct store *st,
		     int64_t ws, int64_t user_id, struct kith_err *err)
{
	struct api_token *t = NULL;
	size_t cnt = 0;
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT id, user_id, name, created_at, last_used_at,"
		" revoked_at, expires_at FROM api_token WHERE workspace_id = ?1"
		" AND (?2 = 0 OR user_id = ?2) ORDER BY id");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, user_id);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(t, cnt, err);
		t[cnt].id = db_column_int64(s, 0);
		t[cnt].user_id = db_column_int64(s, 1);
		t[cnt].name = col_str(s, 2);
		t[cnt].created_at = db_column_int64(s, 3);
		t[cnt].last_used_at = col_time(s, 4);
		t[cnt].revoked_at = col_time(s, 5);
		t[cnt].expires_at = col_time(s, 6);
		cnt++;
	}
	*out = t;
	*n = cnt;
	return KITH_OK;
done:
	store_tokens_free(t, cnt);
	return rc;
}

int store_token_revoke(struct store *st, int64_t ws, int64_t user_id,
		       int64_t id, kith_time now, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "UPDATE api_token SET revoked_at = coalesce(revoked_at, ?4)"
		" WHERE id = ?3 AND workspace_id = ?1"
		" AND (?2 = 0 OR user_id = ?2)");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, user_id);
	db_bind_int64(s, 3, id);
	db_bind_int64(s, 4, now);
	EXEC(s, "revoke token");
	if (!db_changes(st))
		return kith_err_set(err, KITH_ENOTFOUND, "token",
				    "no token %lld", (long long)id);
	return KITH_OK;
done:
	return rc;
}

/* ---- the calendar feed's secret ---- */

int store_feed_get(char **secret, struct store *st, int64_t ws, int64_t user_id,
		   struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	*secret = NULL;
	STMT(s, "SELECT feed_secret FROM \"user\" WHERE id = ? AND"
		" workspace_id = ?");
	db_bind_int64(s, 1, user_id);
	db_bind_int64(s, 2, ws);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "user",
				    "no such user");
	*secret = col_str(s, 0);
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

int store_feed_set(struct store *st, int64_t ws, int64_t user_id,
		   const char *secret, const char *hash, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "UPDATE \"user\" SET feed_secret = ?, feed_hash = ?"
		" WHERE id = ? AND workspace_id = ?");
	bind_text(s, 1, secret);
	bind_text(s, 2, hash);
	db_bind_int64(s, 3, user_id);
	db_bind_int64(s, 4, ws);
	EXEC(s, "set feed secret");
	if (!db_changes(st))
		return kith_err_set(err, KITH_ENOTFOUND, "user",
				    "no such user");
	/* The old URL leaves the directory with the old secret. */
	STMT(s, "DELETE FROM directory_credential WHERE workspace_id = ?1"
		" AND user_id = ?2 AND kind = 'feed'");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, user_id);
	EXEC(s, "set feed secret");
	return sq_directory_credential_add(st, hash, "feed", ws, user_id,
					   err);
done:
	return rc;
}

int store_feed_find(struct user *out, char **secret, struct store *st,
		    const char *hash, struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	s = sq_by_directory(&rc, st, DIR_BY_HASH, hash,
			    "SELECT " USER_COLS ", feed_secret FROM \"user\""
			    " WHERE workspace_id = ?2 AND feed_hash = ?1",
			    "SELECT " USER_COLS ", feed_secret FROM \"user\""
			    " WHERE feed_hash = ?1",
			    2, err);
	if (!s)
		return rc;
	bind_text(s, 1, hash);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "feed",
				    "no such feed");
	sq_user_read(s, out);
	*secret = col_str(s, 10);
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}
