/*
 * sqlite_mail.c: the SQLite engine of store.h: mail messages by key,
 * correspondents not in the book, the user's own addresses, and IMAP
 * mailboxes with their sync state.
 * Shared plumbing and the statement macros: sqlite_int.h.
 */
#include "sqlite_int.h"

void mail_row_clear(struct mail_row *m)
{
	free(m->msg_key);
	free(m->sender);
	free(m->subject);
	free(m->parent);
	free(m->thread);
	memset(m, 0, sizeof(*m));
}

void mail_peer_clear(struct mail_peer *p)
{
	free(p->addr);
	free(p->name);
	memset(p, 0, sizeof(*p));
}

void mailbox_clear(struct mailbox *m)
{
	free(m->url);
	free(m->address);
	free(m->secret);
	free(m->ca_file);
	free(m->last_error);
	memset(m, 0, sizeof(*m));
}

int store_mail_add(bool *dup, struct store *st, int64_t ws, struct mail_row *m,
		   struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	STMT(s, ID_SQL(st,
		       "INSERT INTO mail_message(id, workspace_id,"
		       " msg_key, at, outbound, sender, subject,"
		       " parent, thread, touch_id, signal_id) VALUES (",
		       "mail_message", "NULL", "?1",
		       ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON"
		       " CONFLICT DO NOTHING RETURNING id"));
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, m->msg_key);
	db_bind_int64(s, 3, m->at);
	db_bind_int(s, 4, m->outbound);
	bind_text(s, 5, m->sender ? m->sender : "");
	bind_text(s, 6, m->subject);
	bind_text(s, 7, m->parent);
	bind_text(s, 8, m->thread);
	bind_id(s, 9, m->touch_id);
	bind_id(s, 10, m->signal_id);
	EXEC(s, "add mail message");
	*dup = db_changes(st) == 0;
	if (!*dup) {
		m->id = db_last_id(st);
		return KITH_OK;
	}
	STMT(s, "SELECT id, touch_id, signal_id FROM mail_message"
		" WHERE workspace_id = ? AND msg_key = ?");
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, m->msg_key);
	STEP(s, more);
	if (more) {
		m->id = db_column_int64(s, 0);
		m->touch_id = db_column_int64(s, 1);
		m->signal_id = db_column_int64(s, 2);
	}
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

int store_mail_link(struct store *st, int64_t ws, int64_t id,
		    int64_t touch_id, int64_t signal_id, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "UPDATE mail_message SET touch_id = ?3, signal_id = ?4"
		" WHERE workspace_id = ?1 AND id = ?2");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, id);
	bind_id(s, 3, touch_id);
	bind_id(s, 4, signal_id);
	EXEC(s, "link mail message");
	return KITH_OK;
done:
	return rc;
}

int store_mail_answer(size_t *n_answered, struct store *st, int64_t ws,
		      const char *const *keys, size_t n_keys, kith_time at,
		      struct kith_err *err)
{
	db_stmt *s;
	int rc;

	if (n_answered)
		*n_answered = 0;
	for (size_t i = 0; i < n_keys; i++) {
		STMT(s, "UPDATE signal SET answered_at = ?3 WHERE"
			" workspace_id = ?1 AND answered_at IS NULL AND"
			" at <= ?3 AND id = (SELECT signal_id FROM mail_message"
			" WHERE workspace_id = ?1 AND msg_key = ?2)");
		db_bind_int64(s, 1, ws);
		bind_text(s, 2, keys[i]);
		db_bind_int64(s, 3, at);
		EXEC(s, "answer mail signal");
		if (n_answered)
			*n_answered += (size_t)db_changes(st);
		/* An answer already recorded later than this reply was not
		 * the first: folders sync one after another, so a later
		 * message of the user's (a copy to self in INBOX) may have
		 * been read before the reply in Sent. Not counted again. */
		STMT(s, "UPDATE signal SET answered_at = ?3 WHERE"
			" workspace_id = ?1 AND answered_at > ?3 AND"
			" at <= ?3 AND id = (SELECT signal_id FROM mail_message"
			" WHERE workspace_id = ?1 AND msg_key = ?2)");
		db_bind_int64(s, 1, ws);
		bind_text(s, 2, keys[i]);
		db_bind_int64(s, 3, at);
		EXEC(s, "answer mail signal");
	}
	return KITH_OK;
done:
	return rc;
}

int store_mail_reply_at(kith_time *at, struct store *st, int64_t ws,
			const char *key, kith_time after, struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	*at = KITH_NO_TIME;
	STMT(s, "SELECT min(at) FROM mail_message WHERE workspace_id = ?"
		" AND parent = ? AND outbound = 1 AND at >= ?");
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, key);
	db_bind_int64(s, 3, after);
	STEP(s, more);
	if (more)
		*at = col_time(s, 0);
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

int store_signal_answer(struct store *st, int64_t ws, int64_t id,
			kith_time at, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "UPDATE signal SET answered_at = ?3 WHERE workspace_id = ?1"
		" AND id = ?2 AND answered_at IS NULL AND at <= ?3");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, id);
	db_bind_int64(s, 3, at);
	EXEC(s, "answer signal");
	return KITH_OK;
done:
	return rc;
}

int store_mail_peer_add(struct store *st, int64_t ws, const char *addr,
			const char *name, int n_in, int n_out, kith_time at,
			struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "INSERT INTO mail_peer(workspace_id, addr, name, n_in, n_out,"
		" last_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
		" ON CONFLICT (workspace_id, addr) DO UPDATE SET"
		" name = coalesce(excluded.name, mail_peer.name),"
		" n_in = mail_peer.n_in + excluded.n_in,"
		" n_out = mail_peer.n_out + excluded.n_out,"
		" last_at = max(mail_peer.last_at, excluded.last_at)");
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, addr);
	bind_text(s, 3, name);
	db_bind_int(s, 4, n_in);
	db_bind_int(s, 5, n_out);
	db_bind_int64(s, 6, at);
	EXEC(s, "count mail peer");
	return KITH_OK;
done:
	return rc;
}

int store_mail_peer_list(struct mail_peer **out, size_t *n, struct store *st,
			 int64_t ws, int64_t min_total, size_t limit,
			 struct kith_err *err)
{
	struct mail_peer *p = NULL;
	size_t cnt = 0;
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT addr, name, n_in, n_out, last_at FROM mail_peer p"
		" WHERE workspace_id = ?1 AND n_in + n_out >= ?2"
		" AND NOT EXISTS (SELECT 1 FROM contact_email e WHERE"
		" e.workspace_id = ?1 AND e.email = p.addr)"
		" ORDER BY n_in + n_out DESC, last_at DESC, addr LIMIT ?3");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, min_total);
	db_bind_int64(s, 3, (int64_t)limit);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(p, cnt, err);
		p[cnt].addr = col_str(s, 0);
		p[cnt].name = col_str(s, 1);
		p[cnt].n_in = db_column_int64(s, 2);
		p[cnt].n_out = db_column_int64(s, 3);
		p[cnt].last_at = db_column_int64(s, 4);
		cnt++;
	}
	*out = p;
	*n = cnt;
	return KITH_OK;
done:
	store_mail_peers_free(p, cnt);
	return rc;
}

void store_mail_peers_free(struct mail_peer *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mail_peer_clear(&p[i]);
	free(p);
}

void store_strings_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int strings_read(struct store *st, db_stmt *s, char ***out,
			size_t *n, struct kith_err *err)
{
	char **v = NULL;
	size_t cnt = 0;
	int rc, more;

	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(v, cnt, err);
		v[cnt] = col_str(s, 0);
		if (!v[cnt]) {
			rc = kith_err_nomem(err);
			db_reset(s);
			goto done;
		}
		cnt++;
	}
	*out = v;
	*n = cnt;
	return KITH_OK;
done:
	store_strings_free(v, cnt);
	return rc;
}

int store_mail_self(char ***out, size_t *n, struct store *st, int64_t ws,
		    struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "SELECT lower(email) FROM \"user\" WHERE workspace_id = ?1"
		" UNION SELECT lower(address) FROM mailbox WHERE"
		" workspace_id = ?1 AND address != ''"
		" UNION SELECT lower(addr) FROM mail_alias WHERE"
		" workspace_id = ?1");
	db_bind_int64(s, 1, ws);
	return strings_read(st, s, out, n, err);
done:
	return rc;
}

int store_mail_alias_add(struct store *st, int64_t ws, const char *addr,
			 struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "INSERT INTO mail_alias(workspace_id, addr)"
		" VALUES (?, lower(?)) ON CONFLICT DO NOTHING");
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, addr);
	EXEC(s, "add mail alias");
	return KITH_OK;
done:
	return rc;
}

int store_mail_alias_remove(struct store *st, int64_t ws, const char *addr,
			    struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "DELETE FROM mail_alias WHERE workspace_id = ? AND addr = ?");
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, addr);
	EXEC(s, "remove mail alias");
	if (!db_changes(st))
		return kith_err_set(err, KITH_ENOTFOUND, "address",
				    "%s is not one of your addresses", addr);
	return KITH_OK;
done:
	return rc;
}

int store_mail_alias_list(char ***out, size_t *n, struct store *st, int64_t ws,
			  struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "SELECT addr FROM mail_alias WHERE workspace_id = ?"
		" ORDER BY addr");
	db_bind_int64(s, 1, ws);
	return strings_read(st, s, out, n, err);
done:
	return rc;
}

#define MAILBOX_COLS                                                        \
	"id, workspace_id, user_id, url, address, secret, ca_file,"         \
	" uidvalidity, last_uid, messages, last_sync, last_error,"          \
	" next_sync, failures, created_at"

static void mailbox_read(db_stmt *s, struct mailbox *m)
{
	m->id = db_column_int64(s, 0);
	m->workspace_id = db_column_int64(s, 1);
	m->user_id = db_column_int64(s, 2);
	m->url = col_str(s, 3);
	m->address = col_str(s, 4);
	m->secret = col_str(s, 5);
	m->ca_file = col_str(s, 6);
	m->uidvalidity = db_column_int64(s, 7);
	m->last_uid = db_column_int64(s, 8);
	m->messages = db_column_int64(s, 9);
	m->last_sync = col_time(s, 10);
	m->last_error = col_str(s, 11);
	m->next_sync = db_column_int64(s, 12);
	m->failures = db_column_int(s, 13);
	m->created_at = db_column_int64(s, 14);
}

int store_mailbox_add(struct store *st, int64_t ws, struct mailbox *m,
		      struct kith_err *err)
{
	db_stmt *s;
	int rc;

	/* Never an id given before in the workspace, even one since
	 * removed: a sync still running for that mailbox must not write
	 * into this one. The workspace keeps the highest given
	 * (mailbox_seq, migration 19). */
	STMT(s, "UPDATE workspace SET mailbox_seq = max(mailbox_seq,"
		" (SELECT coalesce(max(id), 0) FROM mailbox WHERE"
		" workspace_id = ?1)) + 1 WHERE id = ?1 RETURNING mailbox_seq");
	db_bind_int64(s, 1, ws);
	EXEC(s, "add mailbox");
	m->id = db_last_id(st);
	STMT(s, "INSERT INTO mailbox(id, workspace_id, user_id, url, address,"
		" secret, ca_file, next_sync, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	db_bind_int64(s, 1, m->id);
	db_bind_int64(s, 2, ws);
	bind_id(s, 3, m->user_id);
	bind_text(s, 4, m->url);
	bind_text(s, 5, m->address ? m->address : "");
	bind_text(s, 6, m->secret);
	bind_text(s, 7, m->ca_file);
	db_bind_int64(s, 8, m->next_sync);
	db_bind_int64(s, 9, m->created_at);
	EXEC(s, "add mailbox");
	m->workspace_id = ws;
	return KITH_OK;
done:
	return rc;
}

static int mailboxes_read(struct store *st, db_stmt *s,
			  struct mailbox **out, size_t *n,
			  struct kith_err *err)
{
	struct mailbox *m = NULL;
	size_t cnt = 0;
	int rc, more;

	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(m, cnt, err);
		mailbox_read(s, &m[cnt]);
		cnt++;
	}
	*out = m;
	*n = cnt;
	return KITH_OK;
done:
	store_mailboxes_free(m, cnt);
	return rc;
}

int store_mailbox_list(struct mailbox **out, size_t *n, struct store *st,
		       int64_t ws, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "SELECT " MAILBOX_COLS " FROM mailbox WHERE workspace_id = ?"
		" ORDER BY id");
	db_bind_int64(s, 1, ws);
	return mailboxes_read(st, s, out, n, err);
done:
	return rc;
}

int store_mailbox_get(struct mailbox *out, struct store *st, int64_t ws,
		      int64_t id, struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT " MAILBOX_COLS " FROM mailbox WHERE workspace_id = ?"
		" AND id = ?");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, id);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "mailbox",
				    "no mailbox %lld", (long long)id);
	memset(out, 0, sizeof(*out));
	mailbox_read(s, out);
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

int store_mailbox_delete(struct store *st, int64_t ws, int64_t id,
			 struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "DELETE FROM mailbox WHERE workspace_id = ? AND id = ?");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, id);
	EXEC(s, "remove mailbox");
	if (!db_changes(st))
		return kith_err_set(err, KITH_ENOTFOUND, "mailbox",
				    "no mailbox %lld", (long long)id);
	return KITH_OK;
done:
	return rc;
}

int store_mailbox_due(struct mailbox **out, size_t *n, struct store *st,
		      kith_time now, size_t limit, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "SELECT " MAILBOX_COLS " FROM mailbox WHERE next_sync <= ?"
		" ORDER BY next_sync, id LIMIT ?");
	db_bind_int64(s, 1, now);
	db_bind_int64(s, 2, (int64_t)limit);
	return mailboxes_read(st, s, out, n, err);
done:
	return rc;
}

int store_mailbox_state(struct store *st, int64_t ws,
			const struct mailbox *m, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "UPDATE mailbox SET uidvalidity = ?3, last_uid = ?4,"
		" messages = ?5, last_sync = ?6, last_error = ?7,"
		" next_sync = ?8, failures = ?9"
		" WHERE workspace_id = ?1 AND id = ?2");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, m->id);
	db_bind_int64(s, 3, m->uidvalidity);
	db_bind_int64(s, 4, m->last_uid);
	db_bind_int64(s, 5, m->messages);
	bind_time(s, 6, m->last_sync);
	bind_text(s, 7, m->last_error);
	db_bind_int64(s, 8, m->next_sync);
	db_bind_int(s, 9, m->failures);
	EXEC(s, "save mailbox state");
	return KITH_OK;
done:
	return rc;
}

void store_mailboxes_free(struct mailbox *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mailbox_clear(&m[i]);
	free(m);
}
