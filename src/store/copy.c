/*
 * copy.c: store_copy, a whole book from a SQLite store into an empty
 * PostgreSQL one (kith migrate --to, issue 18). Generic over the schema:
 * both engines' migrations make the same tables with the same columns in
 * the same order (tests/cli/T510-pg-schema.sh), so every table of the
 * source is read column by column and written to its twin as it is.
 */
#include "sqlite_int.h"

#include <inttypes.h>

/* Rows per INSERT: one round trip carries this many, capped so a wide
 * table stays far below PostgreSQL's 65535 parameters. One row per
 * statement cost a round trip a row (measured on the demo book: most of
 * the copy's time). */
#define COPY_BATCH	100
#define COPY_MAX_PARAMS 30000

struct copy_table {
	char *name;
	char **cols;
	size_t ncols;
	char **parents; /* tables its foreign keys name */
	size_t nparents;
	bool placed;
};

static void copy_table_clear(struct copy_table *t)
{
	for (size_t i = 0; i < t->ncols; i++)
		free(t->cols[i]);
	for (size_t i = 0; i < t->nparents; i++)
		free(t->parents[i]);
	free(t->cols);
	free(t->parents);
	free(t->name);
}

void store_copy_tables_free(struct store_copy_table *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].name);
	free(t);
}

/* A growing string for the statements built from the schema's names. */
struct buf {
	char *s;
	size_t len, cap;
	bool nomem;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->nomem)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		char *g;

		while (cap < b->len + n + 1)
			cap *= 2;
		g = realloc(b->s, cap);
		if (!g) {
			b->nomem = true;
			return;
		}
		b->s = g;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* name as a quoted identifier: "user" and "end" are reserved words on
 * PostgreSQL, and a '"' inside is doubled. */
static void buf_ident(struct buf *b, const char *name)
{
	buf_add(b, "\"", 1);
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			buf_add(b, p, 1);
		buf_add(b, p, 1);
	}
	buf_add(b, "\"", 1);
}

/* The strings a one-column query returns, in order. */
static int read_names(char ***out, size_t *n, struct store *st, const char *sql,
		      const char *arg, struct kith_err *err)
{
	db_stmt s = {0};
	char **v = NULL;
	size_t k = 0;
	int rc, more;

	rc = db_prepare(&s, st, sql, err);
	if (rc)
		goto done;
	if (arg)
		db_bind_text(&s, 1, arg);
	for (;;) {
		STEP(&s, more);
		if (!more)
			break;
		PUSH(v, k, err);
		v[k] = col_str(&s, 0);
		if (!v[k++]) {
			rc = kith_err_nomem(err);
			goto done;
		}
	}
	*out = v;
	*n = k;
	v = NULL;
	k = 0;
done:
	for (size_t i = 0; i < k; i++)
		free(v[i]);
	free(v);
	db_finalize(&s);
	return rc;
}

/* One integer from a query with at most one text parameter. */
static int read_int(int64_t *out, struct store *st, const char *sql,
		    const char *arg, struct kith_err *err)
{
	db_stmt s = {0};
	int rc, more;

	rc = db_prepare(&s, st, sql, err);
	if (rc)
		goto done;
	if (arg)
		db_bind_text(&s, 1, arg);
	STEP(&s, more);
	*out = more ? db_column_int64(&s, 0) : 0;
done:
	db_finalize(&s);
	return rc;
}

/* The source's tables (sqlite_* are SQLite's own), each with the columns
 * a row is written through (not the generated ones: contact_email's
 * domain is computed on either engine) and the tables its foreign keys
 * point to. */
static int source_tables(struct copy_table **out, size_t *n,
			 struct store *src, struct kith_err *err)
{
	struct copy_table *v = NULL;
	char **names = NULL;
	size_t k = 0, nn = 0;
	int rc;

	rc = read_names(&names, &nn, src,
			"SELECT name FROM sqlite_schema WHERE type = 'table'"
			" ORDER BY rowid",
			NULL, err);
	if (rc)
		goto done;
	for (size_t i = 0; i < nn; i++) {
		if (!strncmp(names[i], "sqlite_", 7))
			continue;
		PUSH(v, k, err);
		v[k].name = names[i];
		names[i] = NULL;
		k++;
		rc = read_names(&v[k - 1].cols, &v[k - 1].ncols, src,
				"SELECT name FROM pragma_table_xinfo(?1)"
				" WHERE hidden NOT IN (2, 3) ORDER BY cid",
				v[k - 1].name, err);
		if (!rc)
			rc = read_names(&v[k - 1].parents, &v[k - 1].nparents,
					src,
					"SELECT DISTINCT \"table\" FROM"
					" pragma_foreign_key_list(?1)",
					v[k - 1].name, err);
		if (rc)
			goto done;
	}
	*out = v;
	*n = k;
	v = NULL;
	k = 0;
done:
	for (size_t i = 0; i < k; i++)
		copy_table_clear(&v[i]);
	free(v);
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	return rc;
}

/*
 * Order t parent first: a table comes after every table its foreign
 * keys name, since PostgreSQL checks each row's keys as it is inserted
 * (kith's constraints are not DEFERRABLE). A table that names itself
 * needs nothing more: its rows are copied in rowid order. O(n^2) over a
 * few dozen tables. KITH_EIO when the keys form a cycle.
 */
static int order_tables(struct copy_table *t, size_t n, struct kith_err *err)
{
	struct copy_table *sorted = malloc((n ? n : 1) * sizeof(*sorted));
	size_t k = 0;

	if (!sorted)
		return kith_err_nomem(err);
	while (k < n) {
		size_t before = k;

		for (size_t i = 0; i < n; i++) {
			bool ready = !t[i].placed;

			for (size_t p = 0; ready && p < t[i].nparents; p++) {
				if (!strcmp(t[i].parents[p], t[i].name))
					continue;
				for (size_t j = 0; j < n; j++)
					if (!t[j].placed &&
					    !strcmp(t[j].name, t[i].parents[p]))
						ready = false;
			}
			if (ready) {
				t[i].placed = true;
				sorted[k++] = t[i];
			}
		}
		if (k == before) {
			free(sorted);
			return kith_err_set(err, KITH_EIO, NULL,
					    "copy: the source's foreign keys "
					    "form a cycle; no order to copy "
					    "its tables in");
		}
	}
	memcpy(t, sorted, n * sizeof(*t));
	free(sorted);
	return KITH_OK;
}

/* The target's twin of t must have the same columns in the same order
 * (generated ones aside):
 * the schemas are equal at one version, so anything else is a bug worth
 * a clear stop rather than rows in the wrong columns. */
static int check_columns(struct store *dst, const struct copy_table *t,
			 struct kith_err *err)
{
	char **cols = NULL;
	size_t n = 0;
	int rc;

	rc = read_names(
	    &cols, &n, dst,
	    "SELECT column_name::text FROM information_schema.columns"
	    " WHERE table_schema = current_schema()"
	    " AND table_name = ?1 AND is_generated = 'NEVER'"
	    " ORDER BY ordinal_position",
	    t->name, err);
	if (rc)
		return rc;
	if (n == 0)
		rc = kith_err_set(err, KITH_EIO, NULL,
				  "copy: the target has no table %s", t->name);
	for (size_t i = 0; !rc && i < n; i++)
		if (i >= t->ncols || strcmp(cols[i], t->cols[i]))
			rc = kith_err_set(err, KITH_EIO, NULL,
					  "copy: table %s: the target's column "
					  "%zu is %s, the source's %s",
					  t->name, i + 1, cols[i],
					  i < t->ncols ? t->cols[i] : "none");
	if (!rc && n < t->ncols)
		rc = kith_err_set(err, KITH_EIO, NULL,
				  "copy: table %s: the target has no column %s",
				  t->name, t->cols[n]);
	for (size_t i = 0; i < n; i++)
		free(cols[i]);
	free(cols);
	return rc;
}

/* ALTER TABLE "t" ENABLE|DISABLE TRIGGER USER on every table. */
static int set_triggers(struct store *dst, const struct copy_table *t, size_t n,
			bool on, struct kith_err *err)
{
	int rc = KITH_OK;

	for (size_t i = 0; !rc && i < n; i++) {
		struct buf b = {0};

		buf_str(&b, "ALTER TABLE ");
		buf_ident(&b, t[i].name);
		buf_str(&b,
			on ? " ENABLE TRIGGER USER" : " DISABLE TRIGGER USER");
		rc = b.nomem ? kith_err_nomem(err) : sq_exec_sql(dst, b.s, err);
		free(b.s);
	}
	return rc;
}

/* INSERT INTO "t" ("a", "b") VALUES (?, ?), (?, ?)... for rows rows. */
static char *insert_sql(const struct copy_table *t, size_t rows)
{
	struct buf b = {0};

	buf_str(&b, "INSERT INTO ");
	buf_ident(&b, t->name);
	buf_str(&b, " (");
	for (size_t c = 0; c < t->ncols; c++) {
		if (c)
			buf_str(&b, ", ");
		buf_ident(&b, t->cols[c]);
	}
	buf_str(&b, ") VALUES ");
	for (size_t r = 0; r < rows; r++) {
		buf_str(&b, r ? ", (" : "(");
		for (size_t c = 0; c < t->ncols; c++)
			buf_str(&b, c ? ", ?" : "?");
		buf_str(&b, ")");
	}
	if (b.nomem) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

/* Bind column c of the source row to parameter i as SQLite typed it. An
 * INTEGER column holds integers and a TEXT one text (affinity), so the
 * value keeps its kind; a REAL goes as its text, for PostgreSQL to take
 * or refuse. A BLOB has no column to go to: kith stores none. */
static int bind_value(db_stmt *ins, int i, db_stmt *row, int c,
		      const struct copy_table *t, struct kith_err *err)
{
	switch (sqlite3_column_type(row->sq, c)) {
	case SQLITE_NULL:
		db_bind_null(ins, i);
		break;
	case SQLITE_INTEGER:
		db_bind_int64(ins, i, sqlite3_column_int64(row->sq, c));
		break;
	case SQLITE_BLOB:
		return kith_err_set(err, KITH_EIO, NULL,
				    "copy: table %s, column %s: a BLOB value, "
				    "which kith never stores",
				    t->name, t->cols[c]);
	default:
		db_bind_text(ins, i,
			     (const char *)sqlite3_column_text(row->sq, c));
		break;
	}
	return KITH_OK;
}

/* Copy the rows of t; their count into *rows. */
static int copy_rows(int64_t *rows, struct store *dst, struct store *src,
		     const struct copy_table *t, struct kith_err *err)
{
	struct store *st = src; /* STEP reads the source */
	db_stmt row = {0}, full = {0}, tail = {0};
	struct buf b = {0};
	char *sql = NULL;
	int64_t total = 0, done_rows = 0;
	size_t batch = COPY_MAX_PARAMS / (t->ncols ? t->ncols : 1), in = 0;
	int rc, more;

	*rows = 0;
	if (batch > COPY_BATCH)
		batch = COPY_BATCH;
	if (batch < 1)
		batch = 1;
	/* The count first, in the same snapshot, so the last statement can
	 * be made for exactly the rows left over. */
	buf_str(&b, "SELECT count(*) FROM ");
	buf_ident(&b, t->name);
	if (b.nomem) {
		rc = kith_err_nomem(err);
		goto done;
	}
	rc = read_int(&total, src, b.s, NULL, err);
	if (rc || total == 0)
		goto done;
	free(b.s);
	memset(&b, 0, sizeof(b));
	buf_str(&b, "SELECT ");
	for (size_t c = 0; c < t->ncols; c++) {
		if (c)
			buf_str(&b, ", ");
		buf_ident(&b, t->cols[c]);
	}
	buf_str(&b, " FROM ");
	buf_ident(&b, t->name);
	if (b.nomem) {
		rc = kith_err_nomem(err);
		goto done;
	}
	rc = db_prepare(&row, src, b.s, err);
	if (rc)
		goto done;
	if ((size_t)total >= batch) {
		sql = insert_sql(t, batch);
		rc = sql ? db_prepare(&full, dst, sql, err)
			 : kith_err_nomem(err);
		free(sql);
		if (rc)
			goto done;
	}
	if ((size_t)total % batch) {
		sql = insert_sql(t, (size_t)total % batch);
		rc = sql ? db_prepare(&tail, dst, sql, err)
			 : kith_err_nomem(err);
		free(sql);
		if (rc)
			goto done;
	}
	for (;;) {
		db_stmt *ins;

		STEP(&row, more);
		if (!more)
			break;
		if (done_rows >= total) {
			/* The snapshot holds: not reached. */
			rc = kith_err_set(err, KITH_EIO, NULL,
					  "copy: table %s grew while copied",
					  t->name);
			goto done;
		}
		ins = total - (done_rows - (int64_t)in) >= (int64_t)batch
			  ? &full
			  : &tail;
		for (size_t c = 0; c < t->ncols; c++) {
			rc = bind_value(ins, (int)(in * t->ncols + c + 1), &row,
					(int)c, t, err);
			if (rc)
				goto done;
		}
		done_rows++;
		if (++in == (ins == &full ? batch : (size_t)total % batch)) {
			rc = exec_stmt(dst, ins, err, t->name);
			if (rc)
				goto done;
			in = 0;
		}
	}
	if (done_rows != total)
		rc = kith_err_set(err, KITH_EIO, NULL,
				  "copy: table %s: %" PRId64
				  " rows read of %" PRId64,
				  t->name, done_rows, total);
	*rows = done_rows;
done:
	free(b.s);
	db_finalize(&row);
	db_finalize(&full);
	db_finalize(&tail);
	return rc;
}

/* The schema version sql reads from st must be this kith's. */
static int schema_current(struct store *st, const char *sql,
			  const char *which, struct kith_err *err)
{
	int64_t v = 0;
	int rc = read_int(&v, st, sql, NULL, err);

	if (!rc && (size_t)v != migrate_count())
		rc = kith_err_set(err, KITH_EIO, NULL,
				  "copy: the %s's schema is version %" PRId64
				  ", this kith's %zu",
				  which, v, migrate_count());
	return rc;
}

int store_copy(struct store_copy_table **out, size_t *n, struct store *dst,
	       struct store *src, struct kith_err *err)
{
	struct copy_table *t = NULL;
	struct store_copy_table *res = NULL;
	size_t nt = 0, nres = 0;
	bool src_tx = false, dst_tx = false;
	int64_t v = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!src->db)
		return kith_err_set(err, KITH_EINPUT, "source",
				    "copy: the source must be a SQLite "
				    "database");
	if (!dst->pg)
		return kith_err_set(err, KITH_EINPUT, "target",
				    "copy: the target must be a PostgreSQL "
				    "database");
	/* One snapshot of the source, whatever a server writes meanwhile. */
	rc = sq_exec_sql(src, "BEGIN", err);
	if (rc)
		goto done;
	src_tx = true;
	rc = schema_current(src, "PRAGMA user_version", "source", err);
	if (!rc)
		rc = schema_current(dst, "SELECT version FROM kith_schema",
				    "target", err);
	if (rc)
		goto done;
	rc = source_tables(&t, &nt, src, err);
	if (!rc)
		rc = order_tables(t, nt, err);
	if (rc)
		goto done;
	for (size_t i = 0; i < nt; i++) {
		rc = check_columns(dst, &t[i], err);
		if (rc)
			goto done;
	}
	rc = sq_exec_sql(dst, "BEGIN", err);
	if (rc)
		goto done;
	dst_tx = true;
	/* Triggers off for the copy: the CardDAV ones would bump counts
	 * and add tombstones the source already holds as they are. DISABLE
	 * TRIGGER USER needs only ownership of the tables
	 * (session_replication_role would need a superuser, and would
	 * switch the foreign keys off too); inside the transaction, nobody
	 * else ever sees them off. It also locks each table, so a second
	 * copy waits here and then finds rows. */
	rc = set_triggers(dst, t, nt, false, err);
	if (rc)
		goto done;
	rc = read_int(&v, dst, "SELECT count(*) FROM workspace", NULL, err);
	if (!rc && v)
		rc = kith_err_set(err, KITH_ECONFLICT, "target",
				  "copy: the target already holds %" PRId64
				  " workspace%s; copy only into an empty "
				  "database",
				  v, v == 1 ? "" : "s");
	if (rc)
		goto done;
	for (size_t i = 0; i < nt; i++) {
		struct buf b = {0};

		buf_str(&b, "SELECT count(*) FROM ");
		buf_ident(&b, t[i].name);
		rc = b.nomem ? kith_err_nomem(err)
			     : read_int(&v, dst, b.s, NULL, err);
		free(b.s);
		if (!rc && v)
			rc = kith_err_set(err, KITH_ECONFLICT, "target",
					  "copy: the target's table %s already "
					  "holds rows; copy only into an empty "
					  "database",
					  t[i].name);
		if (rc)
			goto done;
	}
	res = calloc(nt ? nt : 1, sizeof(*res));
	if (!res) {
		rc = kith_err_nomem(err);
		goto done;
	}
	for (size_t i = 0; i < nt; i++) {
		res[nres].name = strdup(t[i].name);
		if (!res[nres].name) {
			rc = kith_err_nomem(err);
			goto done;
		}
		rc = copy_rows(&res[nres++].rows, dst, src, &t[i], err);
		if (rc)
			goto done;
	}
	rc = set_triggers(dst, t, nt, true, err);
	if (!rc)
		rc = sq_exec_sql(dst, "COMMIT", err);
	if (rc)
		goto done;
	dst_tx = false;
	*out = res;
	*n = nres;
	res = NULL;
	nres = 0;
done:
	if (dst_tx)
		sq_exec_sql(dst, "ROLLBACK", NULL);
	if (src_tx)
		sq_exec_sql(src, "ROLLBACK", NULL);
	store_copy_tables_free(res, nres);
	for (size_t i = 0; i < nt; i++)
		copy_table_clear(&t[i]);
	free(t);
	return rc;
}
