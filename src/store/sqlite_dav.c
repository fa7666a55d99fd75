/*
 * sqlite_dav.c: the SQLite engine of store.h: the CardDAV change log
 * (counted by migration 11's and 13's triggers), address books,
 * resource names, raw cards.
 * Shared plumbing and the statement macros: sqlite_int.h.
 */
#include "sqlite_int.h"

void dav_item_clear(struct dav_item *it)
{
	if (!it)
		return;
	free(it->href);
	free(it->uid);
	memset(it, 0, sizeof(*it));
}

void store_dav_items_free(struct dav_item *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dav_item_clear(&v[i]);
	free(v);
}

int store_dav_seq(int64_t *out, struct store *st, int64_t ws,
		  struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT dav_seq FROM workspace WHERE id = ?");
	db_bind_int64(s, 1, ws);
	STEP(s, more);
	*out = more ? db_column_int64(s, 0) : 0;
	db_reset(s);
	rc = KITH_OK;
done:
	return rc;
}

int store_dav_book_seq(int64_t *token, int64_t *floor, struct store *st,
		       int64_t ws, int64_t book, struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	/* Each max() reads one end of an index. */
	STMT(s, "SELECT max(max(coalesce((SELECT max(dav_seq) FROM contact"
		" WHERE workspace_id = ?1 AND dav_book = ?2), 0),"
		" coalesce((SELECT max(seq) FROM dav_card WHERE workspace_id"
		" = ?1 AND book = ?2), 0), coalesce((SELECT max(seq) FROM"
		" dav_tombstone WHERE workspace_id = ?1 AND book = ?2), 0)),"
		" coalesce((SELECT created_seq FROM dav_book WHERE id = ?2"
		" AND workspace_id = ?1), 0), dav_floor), max(dav_floor,"
		" coalesce((SELECT created_seq FROM dav_book WHERE id = ?2"
		" AND workspace_id = ?1), 0)) FROM workspace WHERE id = ?1");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, book);
	STEP(s, more);
	*token = more ? db_column_int64(s, 0) : 0;
	*floor = more ? db_column_int64(s, 1) : 0;
	db_reset(s);
	rc = KITH_OK;
done:
	return rc;
}

void dav_book_clear(struct dav_book *b)
{
	if (!b)
		return;
	free(b->slug);
	free(b->name);
	memset(b, 0, sizeof(*b));
}

void store_dav_books_free(struct dav_book *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dav_book_clear(&v[i]);
	free(v);
}

int store_dav_books(struct dav_book **out, size_t *n, struct store *st,
		    int64_t ws, struct kith_err *err)
{
	struct dav_book *v = NULL;
	size_t cnt = 0;
	db_stmt *s;
	int rc = KITH_OK, more;

	*out = NULL;
	*n = 0;
	STMT(s, "SELECT id, slug, name FROM dav_book WHERE workspace_id = ?"
		" ORDER BY id");
	db_bind_int64(s, 1, ws);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(v, cnt, err);
		v[cnt].id = db_column_int64(s, 0);
		v[cnt].slug = col_str(s, 1);
		v[cnt].name = col_str(s, 2);
		cnt++;
		if (!v[cnt - 1].slug || !v[cnt - 1].name) {
			rc = kith_err_nomem(err);
			db_reset(s);
			goto done;
		}
	}
	db_reset(s);
	*out = v;
	*n = cnt;
	return KITH_OK;
done:
	store_dav_books_free(v, cnt);
	return rc;
}

int store_dav_book_find(struct dav_book *out, struct store *st, int64_t ws,
			const char *slug, struct kith_err *err)
{
	db_stmt *s;
	int rc = KITH_OK, more;

	memset(out, 0, sizeof(*out));
	STMT(s, "SELECT id, name FROM dav_book WHERE workspace_id = ?"
		" AND slug = ?");
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, slug);
	STEP(s, more);
	if (more) {
		out->id = db_column_int64(s, 0);
		out->name = col_str(s, 1);
		out->slug = strdup(slug);
		if (!out->name || !out->slug)
			rc = kith_err_nomem(err);
	} else {
		rc = kith_err_set(err, KITH_ENOTFOUND, "book",
				  "no address book \"%s\"", slug);
	}
	db_reset(s);
done:
	if (rc)
		dav_book_clear(out);
	return rc;
}

int store_dav_book_add(int64_t *id, struct store *st, int64_t ws,
		       const char *slug, const char *name, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	/* A new book's token is a count of its own: one step past every
	 * count so far. */
	STMT(s, "UPDATE workspace SET dav_seq = dav_seq + 1 WHERE id = ?");
	db_bind_int64(s, 1, ws);
	EXEC(s, "count a new address book");
	STMT(s, ID_SQL(st,
		       "INSERT INTO dav_book(id, workspace_id, slug,"
		       " name, created_seq) SELECT ",
		       "dav_book", "NULL", "?1",
		       ", ?1, ?2, ?3, dav_seq FROM workspace WHERE id ="
		       " ?1 RETURNING id"));
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, slug);
	bind_text(s, 3, name);
	EXEC(s, "add an address book");
	*id = db_last_id(st);
done:
	return rc;
}

int store_dav_book_rename(struct store *st, int64_t ws, int64_t id,
			  const char *name, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "UPDATE dav_book SET name = ? WHERE workspace_id = ?"
		" AND id = ?");
	bind_text(s, 1, name);
	db_bind_int64(s, 2, ws);
	db_bind_int64(s, 3, id);
	EXEC(s, "rename an address book");
	if (!db_changes(st))
		rc = kith_err_set(err, KITH_ENOTFOUND, "book",
				  "no address book %lld", (long long)id);
done:
	return rc;
}

int store_dav_book_delete(struct store *st, int64_t ws, int64_t id,
			  struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "DELETE FROM dav_book WHERE workspace_id = ? AND id = ?");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, id);
	EXEC(s, "delete an address book");
	if (!db_changes(st)) {
		rc = kith_err_set(err, KITH_ENOTFOUND, "book",
				  "no address book %lld", (long long)id);
		goto done;
	}
	/* The contacts stay kith's: back to the default book, under their
	 * names unless the default book has the name already. */
	STMT(s, "UPDATE contact SET dav_book = 0, dav_href = CASE WHEN EXISTS"
		" (SELECT 1 FROM contact o WHERE o.workspace_id = ?1 AND"
		" o.dav_book = 0 AND o.dav_href = contact.dav_href) THEN NULL"
		" ELSE dav_href END WHERE workspace_id = ?1 AND dav_book = ?2");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, id);
	EXEC(s, "move contacts to the default book");
	STMT(s, "UPDATE dav_card SET book = 0, href = CASE WHEN EXISTS"
		" (SELECT 1 FROM dav_card o WHERE o.workspace_id = ?1 AND"
		" o.book = 0 AND o.href = dav_card.href) OR EXISTS (SELECT 1"
		" FROM contact c WHERE c.workspace_id = ?1 AND c.dav_book = 0"
		" AND c.dav_href = dav_card.href) THEN 'kith-card-' || id ||"
		" '.vcf' ELSE href END WHERE workspace_id = ?1 AND book = ?2");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, id);
	EXEC(s, "move cards to the default book");
	STMT(s,
	     "DELETE FROM dav_tombstone WHERE workspace_id = ? AND book = ?");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, id);
	EXEC(s, "drop a book's tombstones");
done:
	return rc;
}

/* Rows of (contact_id, card_id, href, uid, seq, updated) appended to
 * *v. */
static int read_items(struct store *st, db_stmt *s, bool gone,
		      struct dav_item **v, size_t *n, struct kith_err *err)
{
	int rc = KITH_OK, more;

	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(*v, *n, err);
		(*v)[*n].contact_id = db_column_int64(s, 0);
		(*v)[*n].card_id = db_column_int64(s, 1);
		(*v)[*n].href = col_str(s, 2);
		(*v)[*n].uid = col_str(s, 3);
		(*v)[*n].seq = db_column_int64(s, 4);
		(*v)[*n].gone = gone;
		(*v)[*n].updated = db_column_int64(s, 5);
		(*n)++;
	}
	db_reset(s);
done:
	return rc;
}

static int by_seq(const void *a, const void *b)
{
	const struct dav_item *x = a, *y = b;

	return (x->seq > y->seq) - (x->seq < y->seq);
}

int store_dav_list(struct dav_item **out, size_t *n, struct store *st,
		   int64_t ws, int64_t book, int64_t since,
		   struct kith_err *err)
{
	struct dav_item *v = NULL;
	size_t cnt = 0;
	db_stmt *s;
	int rc;

	*out = NULL;
	*n = 0;
	/* since < 0 binds -1: every live row has dav_seq >= 0. */
	STMT(s, "SELECT id, 0, dav_href, uid, dav_seq, updated_at FROM contact"
		" WHERE workspace_id = ?1 AND dav_book = ?3 AND dav_seq > ?2"
		" ORDER BY dav_seq");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, since < 0 ? -1 : since);
	db_bind_int64(s, 3, book);
	rc = read_items(st, s, false, &v, &cnt, err);
	if (rc)
		goto done;
	STMT(s, "SELECT 0, id, href, uid, seq, 0 FROM dav_card"
		" WHERE workspace_id = ?1 AND book = ?3 AND seq > ?2"
		" ORDER BY seq");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, since < 0 ? -1 : since);
	db_bind_int64(s, 3, book);
	rc = read_items(st, s, false, &v, &cnt, err);
	if (rc)
		goto done;
	if (since >= 0) {
		STMT(s, "SELECT contact_id, 0, href, uid, seq, 0 FROM"
			" dav_tombstone WHERE workspace_id = ?1 AND book = ?3"
			" AND seq > ?2 ORDER BY seq");
		db_bind_int64(s, 1, ws);
		db_bind_int64(s, 2, since);
		db_bind_int64(s, 3, book);
		rc = read_items(st, s, true, &v, &cnt, err);
		if (rc)
			goto done;
	}
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), by_seq);
	*out = v;
	*n = cnt;
	return KITH_OK;
done:
	store_dav_items_free(v, cnt);
	return rc;
}

/* One row of (contact_id, card_id, href, uid, seq, updated) into *out. */
static int find_one(struct store *st, db_stmt *s, struct dav_item *out,
		    bool *found, struct kith_err *err)
{
	int rc = KITH_OK, more;

	STEP(s, more);
	*found = more;
	if (more) {
		out->contact_id = db_column_int64(s, 0);
		out->card_id = db_column_int64(s, 1);
		out->href = col_str(s, 2);
		out->uid = col_str(s, 3);
		out->seq = db_column_int64(s, 4);
		out->updated = db_column_int64(s, 5);
	}
	db_reset(s);
done:
	return rc;
}

int store_dav_find(struct dav_item *out, struct store *st, int64_t ws,
		   int64_t book, const char *name, const char *uid, int64_t id,
		   struct kith_err *err)
{
	db_stmt *s;
	bool found = false;
	int rc;

	memset(out, 0, sizeof(*out));
	STMT(s, "SELECT id, 0, dav_href, uid, dav_seq, updated_at FROM contact"
		" WHERE workspace_id = ? AND dav_book = ? AND dav_href = ?");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, book);
	bind_text(s, 3, name);
	rc = find_one(st, s, out, &found, err);
	if (rc || found)
		goto done;
	STMT(s, "SELECT 0, id, href, uid, seq, 0 FROM dav_card"
		" WHERE workspace_id = ? AND book = ? AND href = ?");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, book);
	bind_text(s, 3, name);
	rc = find_one(st, s, out, &found, err);
	if (rc || found)
		goto done;
	if (uid) {
		STMT(s, "SELECT id, 0, dav_href, uid, dav_seq, updated_at FROM "
			"contact"
			" WHERE workspace_id = ? AND uid = ? AND dav_book = ?"
			" AND dav_href IS NULL ORDER BY id LIMIT 1");
		db_bind_int64(s, 1, ws);
		bind_text(s, 2, uid);
		db_bind_int64(s, 3, book);
		rc = find_one(st, s, out, &found, err);
		if (rc || found)
			goto done;
	}
	if (id) {
		STMT(s, "SELECT id, 0, dav_href, uid, dav_seq, updated_at FROM "
			"contact"
			" WHERE workspace_id = ? AND id = ? AND dav_book = ?"
			" AND dav_href IS NULL AND uid IS NULL");
		db_bind_int64(s, 1, ws);
		db_bind_int64(s, 2, id);
		db_bind_int64(s, 3, book);
		rc = find_one(st, s, out, &found, err);
		if (rc || found)
			goto done;
	}
	rc = kith_err_set(err, KITH_ENOTFOUND, "href", "no card \"%s\"", name);
done:
	if (rc)
		dav_item_clear(out);
	return rc;
}

int store_dav_by_uid(struct dav_item *out, struct store *st, int64_t ws,
		     int64_t book, const char *uid, struct kith_err *err)
{
	db_stmt *s;
	bool found = false;
	int rc;

	memset(out, 0, sizeof(*out));
	STMT(s, "SELECT id, 0, dav_href, uid, dav_seq, updated_at FROM contact"
		" WHERE workspace_id = ?1 AND uid = ?2 AND (?3 < 0 OR"
		" dav_book = ?3) ORDER BY id LIMIT 1");
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, uid);
	db_bind_int64(s, 3, book);
	rc = find_one(st, s, out, &found, err);
	if (!rc && !found)
		rc = kith_err_set(err, KITH_ENOTFOUND, "uid",
				  "no contact with UID \"%s\"", uid);
done:
	if (rc)
		dav_item_clear(out);
	return rc;
}

int store_dav_href_set(struct store *st, int64_t ws, int64_t book,
		       int64_t contact_id, const char *href,
		       struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "UPDATE contact SET dav_href = ?, dav_book = ?"
		" WHERE workspace_id = ? AND id = ?");
	bind_text(s, 1, href);
	db_bind_int64(s, 2, book);
	db_bind_int64(s, 3, ws);
	db_bind_int64(s, 4, contact_id);
	EXEC(s, "name a card");
	if (!db_changes(st))
		rc = kith_err_set(err, KITH_ENOTFOUND, "contact",
				  "no contact %lld", (long long)contact_id);
done:
	return rc;
}

int store_dav_book_move(struct store *st, int64_t ws, int64_t book,
			int64_t contact_id, const char *href,
			struct kith_err *err)
{
	db_stmt *s;
	int rc;

	/* The trigger on dav_book leaves no tombstone (see migration 13):
	 * this one is for a contact clients saw in its old book. */
	STMT(s, "UPDATE workspace SET dav_seq = dav_seq + 1 WHERE id = ?");
	db_bind_int64(s, 1, ws);
	EXEC(s, "count a move");
	STMT(s, "INSERT INTO dav_tombstone(workspace_id, seq, contact_id, uid,"
		" href, book) SELECT ?1, w.dav_seq, c.id, c.uid, c.dav_href,"
		" c.dav_book FROM contact c, workspace w WHERE w.id = ?1"
		" AND c.workspace_id = ?1 AND c.id = ?2 AND c.dav_book <> ?3");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, contact_id);
	db_bind_int64(s, 3, book);
	EXEC(s, "leave a tombstone in the old book");
	rc = store_dav_href_set(st, ws, book, contact_id, href, err);
done:
	return rc;
}

int store_dav_card_put(int64_t *id, struct store *st, int64_t ws, int64_t book,
		       const char *href, const char *uid, const char *card,
		       struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	STMT(s, ID_SQL(st,
		       "INSERT INTO dav_card(id, workspace_id, book,"
		       " href, uid, card) VALUES (",
		       "dav_card", "NULL", "?1",
		       ", ?1, ?5, ?2, ?3, ?4) ON CONFLICT"
		       " (workspace_id, book, href) DO UPDATE SET uid ="
		       " ?3, card = ?4"));
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, href);
	bind_text(s, 3, uid);
	bind_text(s, 4, card);
	db_bind_int64(s, 5, book);
	EXEC(s, "store a card");
	if (id) {
		STMT(s, "SELECT id FROM dav_card WHERE workspace_id = ?"
			" AND book = ? AND href = ?");
		db_bind_int64(s, 1, ws);
		db_bind_int64(s, 2, book);
		bind_text(s, 3, href);
		STEP(s, more);
		*id = more ? db_column_int64(s, 0) : 0;
		db_reset(s);
	}
done:
	return rc;
}

int store_dav_card_get(char **out, struct store *st, int64_t ws, int64_t id,
		       struct kith_err *err)
{
	db_stmt *s;
	int rc = KITH_OK, more;

	*out = NULL;
	STMT(s, "SELECT card FROM dav_card WHERE workspace_id = ? AND id = ?");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, id);
	STEP(s, more);
	if (more) {
		*out = col_str(s, 0);
		if (!*out)
			rc = kith_err_nomem(err);
	} else {
		rc = kith_err_set(err, KITH_ENOTFOUND, "href", "no card %lld",
				  (long long)id);
	}
	db_reset(s);
done:
	return rc;
}

int store_dav_card_delete(struct store *st, int64_t ws, int64_t id,
			  struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "DELETE FROM dav_card WHERE workspace_id = ? AND id = ?");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, id);
	EXEC(s, "delete a card");
	if (!db_changes(st))
		rc = kith_err_set(err, KITH_ENOTFOUND, "href", "no card %lld",
				  (long long)id);
done:
	return rc;
}

int store_dav_usage(int64_t *items, int64_t *bytes, struct store *st,
		    int64_t ws, struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	STMT(s,
	     "SELECT (SELECT count(*) FROM contact WHERE workspace_id = ?1)"
	     " + (SELECT count(*) FROM dav_card WHERE workspace_id = ?1),"
	     " coalesce((SELECT sum(length(card)) FROM contact"
	     " WHERE workspace_id = ?1), 0) + coalesce((SELECT"
	     " sum(length(card)) FROM dav_card WHERE workspace_id = ?1), 0)");
	db_bind_int64(s, 1, ws);
	STEP(s, more);
	*items = more ? db_column_int64(s, 0) : 0;
	*bytes = more ? db_column_int64(s, 1) : 0;
	db_reset(s);
	rc = KITH_OK;
done:
	return rc;
}

int store_date_delete_kind(struct store *st, int64_t ws, int64_t contact_id,
			   const char *kind, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "DELETE FROM kdate WHERE workspace_id = ? AND contact_id = ?"
		" AND kind = ?");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, contact_id);
	bind_text(s, 3, kind);
	EXEC(s, "delete dates");
done:
	return rc;
}
