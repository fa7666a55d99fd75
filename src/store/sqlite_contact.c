/*
 * sqlite_contact.c: the SQLite engine of store.h: contacts: rows, lists,
 * find, delete, merge.
 * Shared plumbing and the statement macros: sqlite_int.h.
 */
#include "migrate.h"
#include "sqlite_int.h"

/*
 * The LIKE pattern "contains q": q's own %, _ and \ escaped with \, for
 * LIKE ... ESCAPE '\'. Without it q=% or q=_ matched every contact.
 * Caller frees; NULL on no memory.
 */
static char *like_contains(const char *q)
{
	char *out = malloc(strlen(q) * 2 + 3), *o = out;

	if (!out)
		return NULL;
	*o++ = '%';
	for (; *q; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			*o++ = '\\';
		*o++ = *q;
	}
	*o++ = '%';
	*o = '\0';
	return out;
}

/* ---- contacts: rows ---- */

/*
 * Rewrite one of a contact's lists. a and b run parallel to l (labels,
 * E.164 keys) and may be NULL or shorter: a missing entry is bound as
 * "" for a (a label) and NULL for b (a key).
 */
static int write_list(struct store *st, int64_t ws, int64_t id,
		      const struct strlist *l, const struct strlist *a,
		      const struct strlist *b, const char *del_sql,
		      const char *ins_sql, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, del_sql);
	db_bind_int64(s, 1, id);
	db_bind_int64(s, 2, ws);
	EXEC(s, "write contact");
	for (size_t i = 0; i < l->n; i++) {
		STMT(s, ins_sql);
		db_bind_int64(s, 1, ws);
		db_bind_int64(s, 2, id);
		db_bind_int64(s, 3, (int64_t)i);
		bind_text(s, 4, l->v[i]);
		if (a)
			bind_text(s, 5, i < a->n && a->v[i] ? a->v[i] : "");
		if (b)
			bind_text(s, 6, i < b->n && b->v[i] && *b->v[i]
						? b->v[i]
						: NULL);
		EXEC(s, "write contact");
	}
	return KITH_OK;
done:
	return rc;
}

static const char sql_email_del[] =
	"DELETE FROM contact_email WHERE contact_id = ?1 AND workspace_id = ?2";
static const char sql_email_ins[] =
	"INSERT INTO contact_email(workspace_id, contact_id, pos, email,"
	" label) VALUES (?, ?, ?, ?, ?)";
static const char sql_phone_del[] =
	"DELETE FROM contact_phone WHERE contact_id = ?1 AND workspace_id = ?2";
static const char sql_phone_ins[] =
	"INSERT INTO contact_phone(workspace_id, contact_id, pos, phone,"
	" label, e164) VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_address_del[] =
	"DELETE FROM contact_address WHERE contact_id = ?1 AND workspace_id = ?2";
static const char sql_address_ins[] =
	"INSERT INTO contact_address(workspace_id, contact_id, pos, address,"
	" label) VALUES (?, ?, ?, ?, ?)";
static const char sql_handle_del[] =
	"DELETE FROM contact_handle WHERE contact_id = ?1 AND workspace_id = ?2";
static const char sql_handle_ins[] =
	"INSERT INTO contact_handle(workspace_id, contact_id, pos, handle)"
	" VALUES (?, ?, ?, ?)";
static const char sql_tag_del[] =
	"DELETE FROM contact_tag WHERE contact_id = ?1 AND workspace_id = ?2";
/* pos is bound and ignored: tags are a set. */
static const char sql_tag_ins[] =
	"INSERT INTO contact_tag(workspace_id, contact_id, tag)"
	" SELECT ?1, ?2, ?4 WHERE ?3 IS NOT NULL ON CONFLICT DO NOTHING";

/*
 * contact.lists (CONTACT_LISTS_SQL, migrate.h), kept on the row by every
 * writer of a list (write_lists, the merge) so that reading a contact
 * reads one row.
 */
static int lists_refresh(struct store *st, int64_t ws, int64_t id,
			 struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "UPDATE contact SET lists = " CONTACT_LISTS_SQL("?1", "?2")
		" WHERE workspace_id = ?1 AND id = ?2");
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, id);
	EXEC(s, "write contact");
	return KITH_OK;
done:
	return rc;
}

int store_lists_check(int64_t *bad, int64_t *first_id, struct store *st,
		      struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	*bad = *first_id = 0;
	STMT(s, "SELECT count(*), min(c.id) FROM contact c WHERE c.lists IS"
		" NULL OR c.lists <> "
		CONTACT_LISTS_SQL("c.workspace_id", "c.id"));
	STEP(s, more);
	if (more) {
		*bad = db_column_int64(s, 0);
		*first_id = db_column_int64(s, 1);
	}
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

int sq_lists_repair(int64_t *fixed, struct store *st, int64_t ws,
		    struct kith_err *err)
{
	db_stmt *s;
	int rc;

	*fixed = 0;
	/* A row whose kept lists were wrong read wrong: its version moves
	 * (and with it the CardDAV ETag, by trigger) so that clients read
	 * it again. A row with none read its tables, so it read right. */
	STMT(s, "UPDATE contact SET version = CASE WHEN lists IS NULL THEN"
		" version ELSE version + 1 END, lists = " CONTACT_LISTS_SQL(
		     "contact.workspace_id", "contact.id")
		" WHERE workspace_id = ?1 AND (lists IS NULL OR lists <> "
		CONTACT_LISTS_SQL("contact.workspace_id", "contact.id") ")");
	db_bind_int64(s, 1, ws);
	EXEC(s, "repair kept lists");
	*fixed = db_changes(st);
	return KITH_OK;
done:
	return rc;
}

static int write_lists(struct store *st, int64_t ws, const struct contact *c,
		       struct kith_err *err)
{
	int rc;

	rc = write_list(st, ws, c->id, &c->emails, &c->email_labels, NULL,
			sql_email_del, sql_email_ins, err);
	if (!rc)
		rc = write_list(st, ws, c->id, &c->phones, &c->phone_labels,
				&c->phone_keys, sql_phone_del, sql_phone_ins,
				err);
	if (!rc)
		rc = write_list(st, ws, c->id, &c->addresses,
				&c->address_labels, NULL, sql_address_del,
				sql_address_ins, err);
	if (!rc)
		rc = write_list(st, ws, c->id, &c->handles, NULL, NULL,
				sql_handle_del, sql_handle_ins, err);
	if (!rc)
		rc = write_list(st, ws, c->id, &c->tags, NULL, NULL,
				sql_tag_del, sql_tag_ins, err);
	if (!rc)
		rc = lists_refresh(st, ws, c->id, err);
	return rc;
}

/*
 * Is org an organization of ws? Every write that stores an org_id asks:
 * organization ids are global and sequential, and a contact pointing at
 * another workspace's organization showed that organization's name
 * (review H2: through a book import). 0 (none) passes.
 */
int sq_org_check(struct store *st, int64_t ws, int64_t org,
		     struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	if (!org)
		return KITH_OK;
	STMT(s, "SELECT 1 FROM organization WHERE id = ? AND workspace_id = ?");
	db_bind_int64(s, 1, org);
	db_bind_int64(s, 2, ws);
	STEP(s, more);
	db_reset(s);
	if (!more)
		return kith_err_set(err, KITH_EINPUT, "org_id",
				    "no organization %lld in this workspace",
				    (long long)(org < 0 ? -org : org));
	return KITH_OK;
done:
	return rc;
}

static int resolve_org(struct store *st, int64_t ws, struct contact *c,
		       kith_time now, struct kith_err *err)
{
	if (c->org_id)
		return sq_org_check(st, ws, c->org_id, err);
	if (!c->org_name || !*c->org_name)
		return KITH_OK;
	return store_org_ensure(&c->org_id, st, ws, c->org_name, now, err);
}

static int check_owner(struct store *st, int64_t ws, int64_t owner,
		       struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	if (!owner)
		return KITH_OK;
	STMT(s, "SELECT 1 FROM \"user\" WHERE id = ? AND workspace_id = ?");
	db_bind_int64(s, 1, owner);
	db_bind_int64(s, 2, ws);
	STEP(s, more);
	db_reset(s);
	if (!more)
		return kith_err_set(err, KITH_EINPUT, "owner",
				    "no user %lld in this workspace",
				    (long long)owner);
	return KITH_OK;
done:
	return rc;
}

int store_contact_add(struct store *st, int64_t ws, struct contact *c,
		      kith_time now, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	rc = resolve_org(st, ws, c, now, err);
	if (!rc)
		rc = check_owner(st, ws, c->owner_id, err);
	if (rc)
		return rc;
	if (!c->created_at)
		c->created_at = now;
	if (!c->updated_at)
		c->updated_at = c->created_at;
	if (!c->version)
		c->version = 1;
	STMT(s, ID_SQL(st,
		       "INSERT INTO contact(id, workspace_id, name,"
		       " org_id, title, tz, notes, tier, every,"
		       " meet_every, since, owner_id, snooze_until,"
		       " created_at, updated_at, version, any_anchor,"
		       " meet_anchor, uid, card) VALUES (",
		       "contact", "?1", "?2",
		       ", ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
		       " ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)"
		       " RETURNING id"));
	bind_id(s, 1, c->id);
	db_bind_int64(s, 2, ws);
	bind_text(s, 3, c->name);
	bind_id(s, 4, c->org_id);
	bind_text(s, 5, c->title);
	bind_text(s, 6, c->tz);
	bind_text(s, 7, c->notes);
	bind_text(s, 8, tier_name(c->tier));
	db_bind_int(s, 9, kith_cadence_code(c->every));
	db_bind_int(s, 10, kith_cadence_code(c->meet_every));
	bind_day(s, 11, c->since);
	bind_id(s, 12, c->owner_id);
	bind_time(s, 13, c->snooze_until);
	db_bind_int64(s, 14, c->created_at);
	db_bind_int64(s, 15, c->updated_at);
	db_bind_int64(s, 16, c->version);
	db_bind_int64(s, 17, c->created_at);
	db_bind_int64(s, 18, c->created_at);
	bind_text(s, 19, c->uid);
	bind_text(s, 20, c->card);
	EXEC(s, "add contact");
	c->id = db_last_id(st);
	rc = write_lists(st, ws, c, err);
	if (!rc)
		rc = sq_contact_refresh(st, ws, c->id, err);
done:
	return rc;
}

int store_contact_update(struct store *st, int64_t ws, struct contact *c,
			 int64_t expect_version, kith_time now,
			 struct kith_err *err)
{
	db_stmt *s;
	int64_t version;
	int rc, more;

	STMT(s, "SELECT version FROM contact WHERE id = ? AND workspace_id = ?");
	db_bind_int64(s, 1, c->id);
	db_bind_int64(s, 2, ws);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "contact",
				    "no contact %lld", (long long)c->id);
	version = db_column_int64(s, 0);
	db_reset(s);
	if (expect_version && expect_version != version)
		return kith_err_set(err, KITH_ECONFLICT, "version",
				    "contact %lld changed since version %lld "
				    "(now %lld)",
				    (long long)c->id, (long long)expect_version,
				    (long long)version);
	rc = resolve_org(st, ws, c, now, err);
	if (rc)
		return rc;
	rc = check_owner(st, ws, c->owner_id, err);
	if (rc)
		return rc;
	STMT(s, "UPDATE contact SET name = ?, org_id = ?, title = ?, tz = ?,"
		" notes = ?, tier = ?, every = ?, meet_every = ?, since = ?,"
		" owner_id = ?, snooze_until = ?, updated_at = ?,"
		" uid = coalesce(?15, uid), card = coalesce(?16, card),"
		" version = version + 1 WHERE id = ?13 AND workspace_id = ?14");
	bind_text(s, 1, c->name);
	bind_id(s, 2, c->org_id);
	bind_text(s, 3, c->title);
	bind_text(s, 4, c->tz);
	bind_text(s, 5, c->notes);
	bind_text(s, 6, tier_name(c->tier));
	db_bind_int(s, 7, kith_cadence_code(c->every));
	db_bind_int(s, 8, kith_cadence_code(c->meet_every));
	bind_day(s, 9, c->since);
	bind_id(s, 10, c->owner_id);
	bind_time(s, 11, c->snooze_until);
	db_bind_int64(s, 12, now);
	db_bind_int64(s, 13, c->id);
	db_bind_int64(s, 14, ws);
	bind_text(s, 15, c->uid);
	bind_text(s, 16, c->card);
	EXEC(s, "update contact");
	c->version = version + 1;
	c->updated_at = now;
	rc = write_lists(st, ws, c, err);
	if (!rc)
		rc = sq_contact_refresh(st, ws, c->id, err);
done:
	return rc;
}

int store_contact_snooze(struct store *st, int64_t ws, int64_t id,
			 kith_time until, kith_time now, struct kith_err *err)
{
	db_stmt *s;
	int rc;

	STMT(s, "UPDATE contact SET snooze_until = ?, updated_at = ?,"
		" version = version + 1 WHERE id = ? AND workspace_id = ?");
	bind_time(s, 1, until);
	db_bind_int64(s, 2, now);
	db_bind_int64(s, 3, id);
	db_bind_int64(s, 4, ws);
	EXEC(s, "snooze");
	if (!db_changes(st))
		return kith_err_set(err, KITH_ENOTFOUND, "contact",
				    "no contact %lld", (long long)id);
	return KITH_OK;
done:
	return rc;
}

/*
 * The lists of a page of contacts (c[0..n), ids ascending), one statement
 * per list for the whole page: a per-contact query for each of five lists
 * made the export and `kith list` pay five statement runs a contact. ids
 * is the page's ids as a JSON array; json_each hands them to IN, so a
 * sparse page (a search) seeks only its own contacts. Each row is
 * (contact_id, column 0 into l, columns 1 and 2 into the parallel lists a
 * and b when given; NULL read as ""), ordered by contact_id and then the
 * list's own order, and merged into the page in one pass.
 */
struct list_spec {
	const char *sql, *sql_pg;
	size_t l, a, b; /* offsets of strlists in struct contact; 0: none */
};

#define PAGE_LIST(name, cols, table, order)                                  \
	static const char name##_sq[] = "SELECT contact_id, " cols " FROM "  \
		table " WHERE workspace_id = ?2 AND"                         \
		IDS_IN_SQ("contact_id")                                      \
		" ORDER BY contact_id, " order;                              \
	static const char name##_pg[] = "SELECT contact_id, " cols " FROM "  \
		table " WHERE workspace_id = ?2 AND"                         \
		IDS_IN_PG("contact_id")                                      \
		" ORDER BY contact_id, " order;

PAGE_LIST(sql_page_email, "email, label", "contact_email", "pos")
PAGE_LIST(sql_page_phone, "phone, label, e164", "contact_phone", "pos")
PAGE_LIST(sql_page_address, "address, label", "contact_address", "pos")
PAGE_LIST(sql_page_handle, "handle", "contact_handle", "pos")
PAGE_LIST(sql_page_tag, "tag", "contact_tag", "tag")

#define LIST_AT(c, off) ((struct strlist *)((char *)(c) + (off)))

static const struct list_spec page_lists[] = {
	{ sql_page_email_sq, sql_page_email_pg,
	  offsetof(struct contact, emails),
	  offsetof(struct contact, email_labels), 0 },
	{ sql_page_phone_sq, sql_page_phone_pg,
	  offsetof(struct contact, phones),
	  offsetof(struct contact, phone_labels),
	  offsetof(struct contact, phone_keys) },
	{ sql_page_address_sq, sql_page_address_pg,
	  offsetof(struct contact, addresses),
	  offsetof(struct contact, address_labels), 0 },
	{ sql_page_handle_sq, sql_page_handle_pg,
	  offsetof(struct contact, handles), 0, 0 },
	{ sql_page_tag_sq, sql_page_tag_pg, offsetof(struct contact, tags), 0,
	  0 },
};

static int read_page_list(struct store *st, int64_t ws,
			  const struct list_spec *ls, const char *ids,
			  struct contact *c, size_t n, struct kith_err *err)
{
	size_t off[3] = { ls->l, ls->a, ls->b }, k = 0;
	db_stmt *s;
	int rc, more;

	STMT(s, db_sql(st, ls->sql, ls->sql_pg));
	db_bind_text(s, 1, ids);
	db_bind_int64(s, 2, ws);
	for (;;) {
		int64_t cid;

		STEP(s, more);
		if (!more)
			break;
		cid = db_column_int64(s, 0);
		while (k < n && c[k].id < cid)
			k++;
		if (k == n || c[k].id != cid)
			continue;
		for (int j = 0; j < 3; j++) {
			const char *v;

			if (!off[j])
				continue;
			v = db_column_text(s, j + 1);
			if (strlist_push(LIST_AT(&c[k], off[j]), v ? v : "")) {
				db_reset(s);
				rc = kith_err_nomem(err);
				goto done;
			}
		}
	}
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

#define CONTACT_COLS                                                         \
	"c.id, c.name, c.org_id, o.name, c.title, c.tz, c.notes, c.tier,"    \
	" c.every, c.meet_every, c.since, c.owner_id, c.snooze_until,"       \
	" c.created_at, c.updated_at, c.version, c.last_touch,"             \
	" c.last_in_person, c.eff_every, c.eff_meet, c.due_at,"             \
	" c.meet_due_at, c.touch_count, c.uid"
#define CONTACT_FROM                                                         \
	" FROM contact c LEFT JOIN organization o ON o.id = c.org_id"       \
	" AND o.workspace_id = c.workspace_id"

static void contact_read_row(db_stmt *s, struct contact *c)
{
	const char *tier = db_column_text(s, 7);

	contact_init(c);
	c->id = db_column_int64(s, 0);
	c->name = col_str(s, 1);
	c->org_id = db_column_int64(s, 2);
	c->org_name = col_str(s, 3);
	c->title = col_str(s, 4);
	c->tz = col_str(s, 5);
	c->notes = col_str(s, 6);
	tier_parse(&c->tier, tier ? tier : "", NULL, NULL);
	c->every = kith_cadence_decode(db_column_int(s, 8));
	c->meet_every = kith_cadence_decode(db_column_int(s, 9));
	c->since = col_day(s, 10);
	c->owner_id = db_column_int64(s, 11);
	c->snooze_until = col_time(s, 12);
	c->created_at = db_column_int64(s, 13);
	c->updated_at = db_column_int64(s, 14);
	c->version = db_column_int64(s, 15);
	c->last_touch = col_time(s, 16);
	c->last_in_person = col_time(s, 17);
	c->eff_every = kith_cadence_decode(db_column_int(s, 18));
	c->eff_meet = kith_cadence_decode(db_column_int(s, 19));
	c->due_at = col_time(s, 20);
	c->meet_due_at = col_time(s, 21);
	c->touch_count = db_column_int64(s, 22);
	c->uid = col_str(s, 23);
}

/* A label list with nothing in it says no more than an empty one. */
static void labels_tidy(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] && *l->v[i])
			return;
	strlist_clear(l);
}

static void contact_tidy(struct contact *c)
{
	labels_tidy(&c->email_labels);
	labels_tidy(&c->phone_labels);
	labels_tidy(&c->phone_keys);
	labels_tidy(&c->address_labels);
}

static int contact_read_lists(struct store *st, int64_t ws,
			      struct contact *c, size_t n, struct kith_err *err)
{
	int64_t *id = malloc((n ? n : 1) * sizeof(*id));
	char *ids = NULL;
	int rc = KITH_OK;

	for (size_t i = 0; id && i < n; i++)
		id[i] = c[i].id;
	ids = id ? sq_ids_param(st, id, n) : NULL;
	free(id);
	if (!ids)
		return kith_err_nomem(err);
	for (size_t i = 0; !rc && i < sizeof(page_lists) / sizeof(*page_lists);
	     i++)
		rc = read_page_list(st, ws, &page_lists[i], ids, c, n, err);
	for (size_t i = 0; !rc && i < n; i++)
		contact_tidy(&c[i]);
	free(ids);
	return rc;
}

/*
 * Split joined[0..len), a group_concat(x, char(31)), back into a list;
 * each element may carry parallel fields after char(30) (a label, a
 * key), which go to a and b when given.
 */
static int split_list(struct strlist *l, struct strlist *a, struct strlist *b,
		      const char *joined, size_t len)
{
	const char *p = joined, *stop = joined + len;

	while (p < stop) {
		const char *end = memchr(p, '\x1f', (size_t)(stop - p));
		size_t n = end ? (size_t)(end - p) : (size_t)(stop - p);
		struct strlist *to[3] = { l, a, b };
		const char *f = p;

		for (int k = 0; k < 3; k++) {
			const char *rs = memchr(f, '\x1e', n - (size_t)(f - p));
			size_t flen = rs ? (size_t)(rs - f)
					 : n - (size_t)(f - p);
			char *one;

			if (k && !to[k])
				break;
			if (!(one = strndup(f, flen)) ||
			    strlist_push(to[k], one)) {
				free(one);
				return -1;
			}
			free(one);
			if (!rs)
				f = p + n; /* later fields are "" */
			else
				f = rs + 1;
		}
		p = end ? end + 1 : stop;
	}
	return 0;
}

/* Empty a contact's lists, to read them again. */
static void contact_lists_clear(struct contact *c)
{
	struct strlist *l[] = { &c->emails,	    &c->email_labels,
				&c->phones,	    &c->phone_labels,
				&c->phone_keys,	    &c->handles,
				&c->tags,	    &c->addresses,
				&c->address_labels };

	for (size_t i = 0; i < sizeof(l) / sizeof(*l); i++)
		strlist_clear(l[i]);
}

/*
 * A contact's lists as contact.lists keeps them (CONTACT_LISTS_SQL):
 * emails, phones, handles, tags and addresses, each a split_list text,
 * joined by char(29).
 */
static int lists_parse(struct contact *c, const char *lists)
{
	struct strlist *part[5][3] = {
		{ &c->emails, &c->email_labels, NULL },
		{ &c->phones, &c->phone_labels, &c->phone_keys },
		{ &c->handles, NULL, NULL },
		{ &c->tags, NULL, NULL },
		{ &c->addresses, &c->address_labels, NULL },
	};
	const char *p = lists;

	for (int i = 0; i < 5; i++) {
		const char *end = strchr(p, '\x1d');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (split_list(part[i][0], part[i][1], part[i][2], p, n))
			return -1;
		p += n + (end ? 1 : 0);
	}
	return 0;
}

static int contact_get(struct contact *out, struct store *st, int64_t ws,
		       int64_t id, bool with_card, struct kith_err *err)
{
	db_stmt *s;
	bool kept;
	int rc, more;

	contact_init(out);
	/* The row carries its lists (contact.lists): the API's most
	 * frequent read is one row read, where five sub-selects cost
	 * PostgreSQL half its time on it. */
	STMT(s, "SELECT " CONTACT_COLS ", c.lists,"
		" CASE WHEN ?3 <> 0 THEN c.card END"
		CONTACT_FROM " WHERE c.id = ?1 AND c.workspace_id = ?2");
	db_bind_int64(s, 1, id);
	db_bind_int64(s, 2, ws);
	db_bind_int(s, 3, with_card);
	STEP(s, more);
	if (!more)
		return kith_err_set(err, KITH_ENOTFOUND, "contact",
				    "no contact %lld", (long long)id);
	contact_read_row(s, out);
	out->card = col_str(s, 25);
	rc = KITH_OK;
	kept = !db_column_null(s, 24);
	if (kept) {
		rc = lists_parse(out, db_column_text(s, 24))
			     ? kith_err_nomem(err)
			     : KITH_OK;
		if (!rc)
			contact_tidy(out);
	}
	db_reset(s);
	/* Not kept yet (a row no writer has been through since): from
	 * the lists' own tables. */
	if (!rc && !kept)
		rc = contact_read_lists(st, ws, out, 1, err);
	if (rc)
		contact_clear(out);
done:
	return rc;
}

int store_contact_get(struct contact *out, struct store *st, int64_t ws,
		      int64_t id, struct kith_err *err)
{
	return contact_get(out, st, ws, id, true, err);
}

int store_contact_get_lean(struct contact *out, struct store *st, int64_t ws,
			   int64_t id, struct kith_err *err)
{
	/* Without the card the CASE never reads it: an imported contact's
	 * photo is not dragged out of its overflow pages, copied and freed
	 * for a reply that does not show it. */
	return contact_get(out, st, ws, id, false, err);
}

void store_contacts_free(struct contact *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		contact_clear(&c[i]);
	free(c);
}

int store_contact_count(int64_t *out, struct store *st, int64_t ws,
			struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	STMT(s, "SELECT count(*) FROM contact WHERE workspace_id = ?");
	db_bind_int64(s, 1, ws);
	STEP(s, more);
	*out = more ? db_column_int64(s, 0) : 0;
	db_reset(s);
	return KITH_OK;
done:
	return rc;
}

/* SQLite's LIKE folds ASCII case; on PostgreSQL that is ILIKE, and on
 * text compared byte-wise: the nocase collation cannot do LIKE. */
#define SQ_LIKE " LIKE "
#define PG_LIKE " COLLATE \"C\" ILIKE "
#define CONTACT_SEARCH_SQL(LIKE) \
	"SELECT " CONTACT_COLS ", CASE WHEN ?8 <> 0 THEN c.card END," \
	" c.lists" \
	CONTACT_FROM " WHERE c.workspace_id = ?1 AND c.id > ?2" \
	" AND (CAST(?3 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM contact_tag t" \
	"  WHERE t.workspace_id = ?1 AND t.contact_id = c.id" \
	"  AND t.tag = ?3))" \
	" AND (CAST(?4 AS TEXT) IS NULL OR c.tier = ?4)" \
	" AND (CAST(?5 AS BIGINT) IS NULL OR c.owner_id = ?5)" \
	" AND (CAST(?6 AS TEXT) IS NULL OR c.name" LIKE "?6 ESCAPE '\\'" \
	"  OR c.title" LIKE "?6 ESCAPE '\\'" \
	"  OR c.notes" LIKE "?6 ESCAPE '\\' OR o.name" LIKE "?6 ESCAPE '\\'" \
	"  OR EXISTS (SELECT 1 FROM contact_email e" \
	"   WHERE e.workspace_id = ?1 AND e.contact_id = c.id" \
	"   AND e.email" LIKE "?6 ESCAPE '\\')" \
	"  OR EXISTS (SELECT 1 FROM contact_tag t" \
	"   WHERE t.workspace_id = ?1 AND t.contact_id = c.id" \
	"   AND t.tag" LIKE "?6 ESCAPE '\\')" \
	"  OR EXISTS (SELECT 1 FROM contact_phone p" \
	"   WHERE p.workspace_id = ?1 AND p.contact_id = c.id" \
	"   AND p.phone" LIKE "?6 ESCAPE '\\')" \
	"  OR EXISTS (SELECT 1 FROM fact x" \
	"   WHERE x.workspace_id = ?1 AND x.contact_id = c.id" \
	"   AND x.text" LIKE "?6 ESCAPE '\\'))" \
	" ORDER BY c.id LIMIT ?7"
static const char sql_contact_search_sq[] = CONTACT_SEARCH_SQL(SQ_LIKE);
static const char sql_contact_search_pg[] = CONTACT_SEARCH_SQL(PG_LIKE);

int store_contact_list(struct contact **out, size_t *n, struct store *st,
		       int64_t ws, const struct contact_filter *f,
		       struct kith_err *err)
{
	struct contact *c = NULL;
	size_t cnt = 0, unkept = 0;
	db_stmt *s;
	char *like = NULL;
	int rc, more;

	*out = NULL;
	*n = 0;
	if (f->q && *f->q) {
		like = like_contains(f->q);
		if (!like)
			return kith_err_nomem(err);
	}
	/* One statement for every filter: an unset filter binds NULL and
	 * drops out, so the plan stays the cached one. */
	/* The card (a backup's) comes with the row; without with_card the
	 * CASE never reads it, so a list for the API does not drag a photo
	 * of every contact through memory. */
	STMT(s, db_sql(st, sql_contact_search_sq, sql_contact_search_pg));
	db_bind_int64(s, 1, ws);
	db_bind_int64(s, 2, f->after_id);
	bind_text(s, 3, f->tag);
	if (f->tier != TIER_NONE)
		bind_text(s, 4, tier_name(f->tier));
	bind_id(s, 5, f->owner_id);
	bind_text(s, 6, like);
	db_bind_int64(s, 7, f->limit ? (int64_t)f->limit : INT64_MAX);
	db_bind_int(s, 8, f->with_card);
	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		PUSH(c, cnt, err);
		contact_read_row(s, &c[cnt++]);
		if ((!db_column_null(s, 24) &&
		     !(c[cnt - 1].card = col_str(s, 24))) ||
		    (!db_column_null(s, 25) &&
		     lists_parse(&c[cnt - 1], db_column_text(s, 25)))) {
			db_reset(s);
			rc = kith_err_nomem(err);
			goto done;
		}
		if (db_column_null(s, 25))
			unkept++;
		else
			contact_tidy(&c[cnt - 1]);
	}
	db_reset(s);
	/* A row no writer has kept the lists of yet: the page's lists from
	 * their tables, as they were read before contact.lists. */
	if (unkept) {
		for (size_t i = 0; i < cnt; i++)
			contact_lists_clear(&c[i]);
		rc = contact_read_lists(st, ws, c, cnt, err);
		if (rc)
			goto done;
	}
	free(like);
	*out = c;
	*n = cnt;
	return KITH_OK;
done:
	free(like);
	store_contacts_free(c, cnt);
	return rc;
}

char *sq_ids_param(struct store *st, const int64_t *ids, size_t n)
{
	char *text = malloc(n * 21 + 3), *o = text;

	if (!text)
		return NULL;
	*o++ = st->db ? '[' : '{';
	for (size_t i = 0; i < n; i++)
		o += sprintf(o, "%s%lld", i ? "," : "", (long long)ids[i]);
	*o++ = st->db ? ']' : '}';
	*o = '\0';
	return text;
}

int sq_collect_ids(int64_t **ids, size_t *n, struct store *st, db_stmt *s,
		   int64_t exclude, struct kith_err *err)
{
	int64_t *v = NULL;
	size_t cnt = 0;
	int rc, more;

	for (;;) {
		STEP(s, more);
		if (!more)
			break;
		int64_t id = db_column_int64(s, 0);
		if (id == exclude)
			continue;
		PUSH(v, cnt, err);
		v[cnt++] = id;
	}
	db_reset(s);
	*ids = v;
	*n = cnt;
	return KITH_OK;
done:
	free(v);
	return rc;
}

int store_contact_find(int64_t **ids, size_t *n, struct store *st, int64_t ws,
		       const char *who, int64_t exclude, struct kith_err *err)
{
	db_stmt *s;
	const char *p;
	char *like = NULL;
	int rc;

	*ids = NULL;
	*n = 0;
	for (p = who; *p >= '0' && *p <= '9'; p++)
		;
	if (*who && !*p && p - who < 19) {
		STMT(s, "SELECT id FROM contact WHERE id = ? AND"
			" workspace_id = ?");
		db_bind_int64(s, 1, strtoll(who, NULL, 10));
		db_bind_int64(s, 2, ws);
		rc = sq_collect_ids(ids, n, st, s, exclude, err);
		if (rc || *n)
			return rc;
	}
	if (strchr(who, '@')) {
		STMT(s, "SELECT DISTINCT contact_id FROM contact_email WHERE"
			" workspace_id = ? AND email = ? ORDER BY contact_id");
		db_bind_int64(s, 1, ws);
		bind_text(s, 2, who);
		rc = sq_collect_ids(ids, n, st, s, exclude, err);
		if (rc || *n)
			return rc;
	}
	STMT(s, "SELECT id FROM contact WHERE workspace_id = ? AND"
		" name = ? COLLATE NOCASE ORDER BY id");
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, who);
	rc = sq_collect_ids(ids, n, st, s, exclude, err);
	if (rc || *n)
		return rc;
	like = like_contains(who);
	if (!like)
		return kith_err_nomem(err);
	STMT(s, db_sql(st,
		       "SELECT id FROM contact WHERE workspace_id = ? AND"
		       " name" SQ_LIKE "? ESCAPE '\\' ORDER BY id LIMIT 50",
		       "SELECT id FROM contact WHERE workspace_id = ? AND"
		       " name" PG_LIKE "? ESCAPE '\\' ORDER BY id LIMIT 50"));
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, like);
	rc = sq_collect_ids(ids, n, st, s, exclude, err);
done:
	free(like);
	return rc;
}

int store_contact_match(int64_t **ids, size_t *n, struct store *st, int64_t ws,
			enum contact_key key, const char *value,
			struct kith_err *err)
{
	static const char *const sql[] = {
		[CONTACT_KEY_UID] = "SELECT id FROM contact WHERE"
				    " workspace_id = ? AND uid = ?"
				    " ORDER BY id LIMIT 50",
		/* COLLATE NOCASE on the comparison picks the index of
		 * migration 9. */
		[CONTACT_KEY_EMAIL] = "SELECT DISTINCT contact_id FROM"
				      " contact_email WHERE workspace_id = ?"
				      " AND email = ? COLLATE NOCASE"
				      " ORDER BY contact_id LIMIT 50",
		[CONTACT_KEY_PHONE] = "SELECT DISTINCT contact_id FROM"
				      " contact_phone WHERE workspace_id = ?"
				      " AND e164 = ? ORDER BY contact_id"
				      " LIMIT 50",
	};
	db_stmt *s;
	int rc;

	*ids = NULL;
	*n = 0;
	if ((unsigned)key > CONTACT_KEY_PHONE || !value || !*value)
		return KITH_OK;
	STMT(s, sql[key]);
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, value);
	rc = sq_collect_ids(ids, n, st, s, 0, err);
done:
	return rc;
}

int store_contact_match_card(int64_t **ids, size_t *n, struct store *st,
			     int64_t ws, const char *name, const char *card,
			     struct kith_err *err)
{
	db_stmt *s;
	int rc;

	*ids = NULL;
	*n = 0;
	if (!name || !card)
		return KITH_OK;
	/* contact_name finds the few of that name; the card is compared
	 * on those rows only. */
	STMT(s, "SELECT id FROM contact WHERE workspace_id = ? AND"
		" name = ? COLLATE NOCASE AND card = ? ORDER BY id LIMIT 50");
	db_bind_int64(s, 1, ws);
	bind_text(s, 2, name);
	bind_text(s, 3, card);
	rc = sq_collect_ids(ids, n, st, s, 0, err);
done:
	return rc;
}

/* Statements run with (ws, id) to remove a contact and what hangs on it. */
static const char *const contact_delete_sql[] = {
	"DELETE FROM fact WHERE workspace_id = ?1 AND contact_id = ?2",
	"DELETE FROM kdate WHERE workspace_id = ?1 AND contact_id = ?2",
	/* Their signals become leads again rather than vanish. */
	"UPDATE signal SET contact_id = NULL WHERE workspace_id = ?1"
	" AND contact_id = ?2",
	"DELETE FROM meeting_contact WHERE workspace_id = ?1"
	" AND contact_id = ?2",
	"DELETE FROM promise WHERE workspace_id = ?1 AND contact_id = ?2",
	"DELETE FROM gift WHERE workspace_id = ?1 AND contact_id = ?2",
	"DELETE FROM revenue WHERE workspace_id = ?1 AND contact_id = ?2",
	"DELETE FROM contact_email WHERE workspace_id = ?1"
	" AND contact_id = ?2",
	"DELETE FROM contact_phone WHERE workspace_id = ?1"
	" AND contact_id = ?2",
	"DELETE FROM contact_address WHERE workspace_id = ?1"
	" AND contact_id = ?2",
	"DELETE FROM contact_handle WHERE workspace_id = ?1"
	" AND contact_id = ?2",
	"DELETE FROM contact_tag WHERE workspace_id = ?1"
	" AND contact_id = ?2",
	/* Touches of this contact alone go; shared ones lose a participant. */
	"DELETE FROM touch_user WHERE touch_id IN (SELECT touch_id FROM"
	" touch_contact tc WHERE tc.workspace_id = ?1 AND tc.contact_id = ?2"
	" AND NOT EXISTS (SELECT 1 FROM touch_contact o WHERE"
	" o.workspace_id = ?1 AND o.touch_id = tc.touch_id"
	" AND o.contact_id <> ?2)) AND workspace_id = ?1",
	"CREATE TEMP TABLE IF NOT EXISTS doomed(id BIGINT PRIMARY KEY)",
	"DELETE FROM doomed",
	"INSERT INTO doomed SELECT touch_id FROM touch_contact tc"
	" WHERE tc.workspace_id = ?1 AND tc.contact_id = ?2 AND NOT EXISTS"
	" (SELECT 1 FROM touch_contact o WHERE o.workspace_id = ?1"
	" AND o.touch_id = tc.touch_id AND o.contact_id <> ?2)",
	"DELETE FROM touch_contact WHERE workspace_id = ?1 AND contact_id = ?2",
	"DELETE FROM touchpoint WHERE workspace_id = ?1 AND id IN"
	" (SELECT id FROM doomed)",
	"DELETE FROM contact WHERE workspace_id = ?1 AND id = ?2",
};

int store_contact_delete(struct store *st, int64_t ws, int64_t id,
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
		return kith_err_set(err, KITH_ENOTFOUND, "contact",
				    "no contact %lld", (long long)id);
	for (size_t i = 0;
	     i < sizeof(contact_delete_sql) / sizeof(*contact_delete_sql);
	     i++) {
		/* Not cached: the temp table's statements would pin it. */
		db_stmt d;

		rc = db_prepare(&d, st, contact_delete_sql[i], err);
		if (rc)
			return rc;
		if (db_param_count(&d) >= 1)
			db_bind_int64(&d, 1, ws);
		if (db_param_count(&d) >= 2)
			db_bind_int64(&d, 2, id);
		rc = db_step(&d) == DB_FAIL ? db_fail(st, err, "delete contact")
					    : KITH_OK;
		db_finalize(&d);
		if (rc)
			return rc;
	}
	return KITH_OK;
done:
	return rc;
}

/* Statements run with (ws, from, into) to hand a contact's rows over. */
static const char *const merge_sql[] = {
	"UPDATE fact SET contact_id = ?3 WHERE workspace_id = ?1"
	" AND contact_id = ?2",
	"UPDATE signal SET contact_id = ?3 WHERE workspace_id = ?1"
	" AND contact_id = ?2",
	"INSERT INTO meeting_contact(workspace_id, meeting_id,"
	" contact_id) SELECT workspace_id, meeting_id, ?3 FROM meeting_contact"
	" WHERE workspace_id = ?1 AND contact_id = ?2 ON CONFLICT DO NOTHING",
	"UPDATE kdate SET contact_id = ?3 WHERE workspace_id = ?1"
	" AND contact_id = ?2",
	"UPDATE promise SET contact_id = ?3 WHERE workspace_id = ?1"
	" AND contact_id = ?2",
	"UPDATE gift SET contact_id = ?3 WHERE workspace_id = ?1"
	" AND contact_id = ?2",
	"UPDATE revenue SET contact_id = ?3 WHERE workspace_id = ?1"
	" AND contact_id = ?2",
	/* A touch both took part in keeps one row for the survivor. */
	"INSERT INTO touch_contact(workspace_id, contact_id, at,"
	" touch_id) SELECT workspace_id, ?3, at, touch_id FROM touch_contact"
	" WHERE workspace_id = ?1 AND contact_id = ?2 ON CONFLICT DO NOTHING",
	"DELETE FROM touch_contact WHERE workspace_id = ?1 AND contact_id = ?2",
	"INSERT INTO contact_tag(workspace_id, contact_id, tag)"
	" SELECT workspace_id, ?3, tag FROM contact_tag WHERE workspace_id = ?1"
	" AND contact_id = ?2 ON CONFLICT DO NOTHING",
	"INSERT INTO contact_email(workspace_id, contact_id, pos, email, label)"
	" SELECT ?1, ?3, (SELECT coalesce(max(pos), -1) FROM contact_email"
	" WHERE workspace_id = ?1 AND contact_id = ?3) + row_number() OVER"
	" (ORDER BY pos), email, label FROM contact_email WHERE"
	" workspace_id = ?1 AND contact_id = ?2 AND email NOT IN (SELECT email"
	" FROM contact_email WHERE workspace_id = ?1 AND contact_id = ?3)",
	/* A phone is the same phone when its E.164 form is. */
	"INSERT INTO contact_phone(workspace_id, contact_id, pos, phone, label,"
	" e164) SELECT ?1, ?3, (SELECT coalesce(max(pos), -1) FROM"
	" contact_phone WHERE workspace_id = ?1 AND contact_id = ?3) +"
	" row_number() OVER (ORDER BY pos), phone, label, e164 FROM"
	" contact_phone p WHERE workspace_id = ?1 AND contact_id = ?2"
	" AND NOT EXISTS (SELECT 1 FROM contact_phone q WHERE"
	" q.workspace_id = ?1 AND q.contact_id = ?3 AND (q.phone = p.phone"
	" OR q.e164 = p.e164))",
	"INSERT INTO contact_address(workspace_id, contact_id, pos, address,"
	" label) SELECT ?1, ?3, (SELECT coalesce(max(pos), -1) FROM"
	" contact_address WHERE workspace_id = ?1 AND contact_id = ?3) +"
	" row_number() OVER (ORDER BY pos), address, label FROM"
	" contact_address WHERE workspace_id = ?1 AND contact_id = ?2"
	" AND address NOT IN (SELECT address FROM contact_address WHERE"
	" workspace_id = ?1 AND contact_id = ?3)",
	"INSERT INTO contact_handle(workspace_id, contact_id, pos, handle)"
	" SELECT ?1, ?3, (SELECT coalesce(max(pos), -1) FROM contact_handle"
	" WHERE workspace_id = ?1 AND contact_id = ?3) + row_number() OVER"
	" (ORDER BY pos), handle FROM contact_handle WHERE workspace_id = ?1"
	" AND contact_id = ?2 AND handle NOT IN (SELECT handle FROM"
	" contact_handle WHERE workspace_id = ?1 AND contact_id = ?3)",
	/* Empty fields of the survivor take the other's values. */
	"UPDATE contact SET"
	" org_id = coalesce(org_id, (SELECT o.org_id FROM contact o"
	"  WHERE o.workspace_id = ?1 AND o.id = ?2)),"
	" title = coalesce(title, (SELECT o.title FROM contact o"
	"  WHERE o.workspace_id = ?1 AND o.id = ?2)),"
	" tz = coalesce(tz, (SELECT o.tz FROM contact o"
	"  WHERE o.workspace_id = ?1 AND o.id = ?2)),"
	" notes = coalesce(notes, (SELECT o.notes FROM contact o"
	"  WHERE o.workspace_id = ?1 AND o.id = ?2)),"
	" uid = coalesce(uid, (SELECT o.uid FROM contact o"
	"  WHERE o.workspace_id = ?1 AND o.id = ?2)),"
	" card = coalesce(card, (SELECT o.card FROM contact o"
	"  WHERE o.workspace_id = ?1 AND o.id = ?2)),"
	" tier = CASE WHEN tier = '' THEN (SELECT tier FROM contact"
	"  WHERE workspace_id = ?1 AND id = ?2) ELSE tier END,"
	" every = CASE WHEN every = 0 THEN (SELECT every FROM contact"
	"  WHERE workspace_id = ?1 AND id = ?2) ELSE every END,"
	" meet_every = CASE WHEN meet_every = 0 THEN (SELECT meet_every"
	"  FROM contact WHERE workspace_id = ?1 AND id = ?2)"
	"  ELSE meet_every END,"
	/* The longer relationship is the true one. */
	" since = CASE WHEN since IS NULL THEN (SELECT since FROM contact"
	"  WHERE workspace_id = ?1 AND id = ?2) ELSE min(since,"
	"  coalesce((SELECT since FROM contact WHERE workspace_id = ?1"
	"  AND id = ?2), since)) END,"
	" owner_id = coalesce(owner_id, (SELECT owner_id FROM contact"
	"  WHERE workspace_id = ?1 AND id = ?2)),"
	" created_at = min(created_at, (SELECT created_at FROM contact"
	"  WHERE workspace_id = ?1 AND id = ?2)),"
	" version = version + 1"
	" WHERE workspace_id = ?1 AND id = ?3",
};

int store_contact_merge(struct store *st, int64_t ws, int64_t from,
			int64_t into, kith_time now, struct kith_err *err)
{
	db_stmt *s;
	int rc, more;

	if (from == into)
		return kith_err_set(err, KITH_EINPUT, "contact",
				    "cannot merge a contact into itself");
	for (int k = 0; k < 2; k++) {
		STMT(s, "SELECT 1 FROM contact WHERE id = ? AND"
			" workspace_id = ?");
		db_bind_int64(s, 1, k ? into : from);
		db_bind_int64(s, 2, ws);
		STEP(s, more);
		db_reset(s);
		if (!more)
			return kith_err_set(err, KITH_ENOTFOUND, "contact",
					    "no contact %lld",
					    (long long)(k ? into : from));
	}
	for (size_t i = 0; i < sizeof(merge_sql) / sizeof(*merge_sql); i++) {
		STMT(s, merge_sql[i]);
		db_bind_int64(s, 1, ws);
		db_bind_int64(s, 2, from);
		db_bind_int64(s, 3, into);
		EXEC(s, "merge");
	}
	rc = store_contact_delete(st, ws, from, err);
	if (!rc)
		rc = lists_refresh(st, ws, into, err);
	if (rc)
		return rc;
	STMT(s, "UPDATE contact SET updated_at = ? WHERE id = ? AND"
		" workspace_id = ?");
	db_bind_int64(s, 1, now);
	db_bind_int64(s, 2, into);
	db_bind_int64(s, 3, ws);
	EXEC(s, "merge");
	return sq_contact_refresh(st, ws, into, err);
done:
	return rc;
}
