/*
 * db_pg.c: the PostgreSQL engine under db.h, on libpq.
 *
 * Statements are prepared once per connection (named s1, s2...) and
 * run with text parameters and text results: every value kith stores is
 * an integer or a string, so the text protocol costs one strtoll per
 * integer column and spares a type table. `?` and `?N` become `$N` the
 * way SQLite numbers them.
 *
 * A connection lost outside a transaction (the server restarted) is
 * reset once and the statement prepared anew; lost inside one, the
 * statement fails with SQLSTATE 08006 and the caller's transaction is
 * gone: every later statement fails the same way until pg_rollback, so
 * the rest of the transaction never runs on a fresh connection in
 * autocommit (half a write). After pg_rollback the next statement
 * connects again. The store reports these as busy (try again).
 *
 * pg_send queues a statement in libpq's pipeline mode: it goes out with
 * the next statement the connection runs, and all their answers come
 * back in one round trip (the request's token lookup beside its first
 * read; the agenda's four kinds of event for a batch of contacts).
 */
#include "db.h"

#include "../kith.h"

#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Statements sent ahead at most: a batch's four kinds of event. */
#define PG_QUEUE_MAX 8

/* The two types a parameter is prepared with (pg_type.h's numbers). */
#define INT8OID 20
#define TEXTOID 25

struct pg_conn {
	PGconn *conn;
	char *msg;		/* the last failure's message */
	char state[6];		/* its SQLSTATE, "" when none */
	int64_t changes;	/* rows the last write changed */
	unsigned names;		/* statements prepared so far */
	unsigned generation;	/* bumped by each reconnect */
	/* The transaction state when the running statement started: a
	 * connection lost then was lost inside a transaction or not. */
	PGTransactionStatusType was;
	/* Lost inside a transaction: statements fail until pg_rollback. */
	bool lost_in_tx;
	/* pg_send's, in the order sent, their answers not read yet. */
	struct pg_stmt *queued[PG_QUEUE_MAX];
	int nqueued;
};

struct pg_stmt {
	struct pg_conn *c;
	char *sql;		/* the text with $N placeholders */
	char name[16];
	unsigned generation;	/* the connection's, when prepared */
	int nparams;
	const char **vals;	/* per parameter: NULL, nums[i] or owned[i] */
	Oid *types;		/* as prepared: int8 or 0 (the server infers) */
	Oid *learned;		/* for a NULL the server could not type */
	bool *ints;		/* bound as an integer this run */
	bool prepared;
	char (*nums)[24];
	char **owned;
	PGresult *res;
	int row, rows;
	bool ran;
	bool failed;		/* sent ahead, and its answer was a failure */
};

bool pg_is_url(const char *path)
{
	return !strncmp(path, "postgresql://", 13) ||
	       !strncmp(path, "postgres://", 11);
}

static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static void conn_fail(struct pg_conn *c, const char *state, const char *msg)
{
	size_t n;

	free(c->msg);
	c->msg = strdup(msg && *msg ? msg : "unknown failure");
	if (c->msg) {
		n = strlen(c->msg);
		while (n && (c->msg[n - 1] == '\n' || c->msg[n - 1] == ' '))
			c->msg[--n] = '\0';
	}
	snprintf(c->state, sizeof(c->state), "%s", state ? state : "");
}

/* Record res's failure, if it is one; true when it is. */
static bool result_failed(struct pg_conn *c, PGresult *res)
{
	ExecStatusType t = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	const char *state, *primary;

	if (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK ||
	    t == PGRES_EMPTY_QUERY)
		return false;
	state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (PQstatus(c->conn) == CONNECTION_BAD) {
		/* libpq's own failures carry no SQLSTATE: 08006 says the
		 * server's answer never came (for a COMMIT: whether it
		 * committed is unknown). A server that said why (57P01,
		 * shut down) keeps its code. */
		if (!state)
			state = "08006";
		if (c->was != PQTRANS_IDLE)
			c->lost_in_tx = true;
	}
	/* The primary message alone: the full one starts "ERROR:  " (which
	 * log scanners take for a sanitizer report) and quotes the SQL
	 * text with a caret, which an API error must not carry. */
	primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	conn_fail(c, state ? state : "XX000",
		  primary ? primary
			  : res ? PQresultErrorMessage(res)
				: PQerrorMessage(c->conn));
	return true;
}

int pg_open(struct pg_conn **out, const char *url, struct kith_err *err)
{
	/* lock_timeout: a write waits for another's lock 5 s, as SQLite's
	 * busy timeout does, then fails with 55P03 (KITH_EBUSY, a 503),
	 * rather than hanging its request for as long as the other holds
	 * the lock. Given after the URL, so it wins over the URL's own
	 * options; PQreset reconnects with it too. */
	static const char *const keys[] = { "dbname", "options", NULL };
	const char *vals[] = { url, "-c lock_timeout=5000", NULL };
	struct pg_conn *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return kith_err_nomem(err);
	c->conn = PQconnectdbParams(keys, vals, 1);
	if (!c->conn || PQstatus(c->conn) != CONNECTION_OK) {
		/* libpq's message names host and port, never the password. */
		int rc = kith_err_set(err, KITH_EIO, "--db",
				      "cannot connect to PostgreSQL: %s",
				      c->conn ? PQerrorMessage(c->conn)
					      : "no memory");
		size_t n = strlen(err ? err->msg : "");

		while (err && n && err->msg[n - 1] == '\n')
			err->msg[--n] = '\0';
		pg_close(c);
		return rc;
	}
	PQsetNoticeProcessor(c->conn, quiet_notice, NULL);
	*out = c;
	return KITH_OK;
}

void pg_close(struct pg_conn *c)
{
	if (!c)
		return;
	if (c->conn)
		PQfinish(c->conn);
	free(c->msg);
	free(c);
}

static void collect(struct pg_conn *c, struct pg_stmt *with);

static bool is_queued(struct pg_conn *c, struct pg_stmt *s)
{
	for (int i = 0; i < c->nqueued; i++)
		if (c->queued[i] == s)
			return true;
	return false;
}

/* After a lost connection and outside a transaction: connect again. */
static bool reconnect(struct pg_conn *c)
{
	if (PQstatus(c->conn) != CONNECTION_BAD)
		return false;
	PQreset(c->conn);
	if (PQstatus(c->conn) != CONNECTION_OK)
		return false;
	c->generation++;
	return true;
}

/*
 * Before a statement runs: refuse it while a lost transaction waits
 * for pg_rollback; outside a transaction, connect again if the
 * connection is gone. Records the transaction state it starts in.
 */
static bool run_start(struct pg_conn *c)
{
	if (c->nqueued)
		collect(c, NULL);
	if (c->lost_in_tx) {
		conn_fail(c, "08003",
			  "the connection to PostgreSQL was lost inside a "
			  "transaction; it was rolled back");
		return false;
	}
	if (PQstatus(c->conn) == CONNECTION_BAD && !reconnect(c)) {
		conn_fail(c, "08001", PQerrorMessage(c->conn));
		return false;
	}
	c->was = PQtransactionStatus(c->conn);
	return true;
}

/* As sqlite3_changes: only a write's count; a SELECT leaves it be. */
static void note_changes(struct pg_conn *c, PGresult *res)
{
	const char *cmd = PQcmdStatus(res);

	if (!strncmp(cmd, "INSERT", 6) || !strncmp(cmd, "UPDATE", 6) ||
	    !strncmp(cmd, "DELETE", 6))
		c->changes = strtoll(PQcmdTuples(res), NULL, 10);
}

int pg_exec(struct pg_conn *c, const char *sql)
{
	bool idle;
	PGresult *res;

	if (!run_start(c))
		return DB_FAIL;
	db_sql_log(sql);
	idle = c->was == PQTRANS_IDLE;
	res = PQexec(c->conn, sql);

	if (res && PQresultStatus(res) == PGRES_FATAL_ERROR && idle &&
	    reconnect(c)) {
		PQclear(res);
		res = PQexec(c->conn, sql);
	}
	if (result_failed(c, res)) {
		PQclear(res);
		return DB_FAIL;
	}
	note_changes(c, res);
	PQclear(res);
	return DB_DONE;
}

/* SQLite's numbering: ?N is N, a bare ? is one more than the highest
 * so far. Quoted text, identifiers and comments are copied as they are. */
char *pg_translate(const char *sql, int *nparams)
{
	size_t n = strlen(sql);
	char *out = malloc(n * 4 + 1), *o = out;
	int high = 0;

	if (!out)
		return NULL;
	for (const char *p = sql; *p;) {
		if (*p == '\'' || *p == '"') {
			char q = *p;

			*o++ = *p++;
			while (*p) {
				if (*p == q && p[1] == q) {
					*o++ = *p++;
					*o++ = *p++;
				} else if (*p == q) {
					*o++ = *p++;
					break;
				} else {
					*o++ = *p++;
				}
			}
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				*o++ = *p++;
		} else if (*p == '?') {
			int num;

			p++;
			if (*p >= '0' && *p <= '9') {
				num = (int)strtol(p, (char **)&p, 10);
			} else {
				num = high + 1;
			}
			if (num > high)
				high = num;
			o += sprintf(o, "$%d", num);
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	*nparams = high;
	return out;
}

/*
 * Prepared at the first run, with the types of that run's bindings: an
 * integer is sent as int8, so `SELECT ?1, ?2` feeding an INSERT or a
 * bare `?3 IS NULL` has a type; text is left for the server to infer.
 * A later run that binds an integer where the first bound NULL or text
 * prepares it again under a new name.
 */
static bool stmt_prepare(struct pg_stmt *s)
{
	bool in_tx = PQtransactionStatus(s->c->conn) == PQTRANS_INTRANS;
	PGresult *res;
	bool ok;

	if (s->prepared && s->generation == s->c->generation) {
		char sql[40];

		snprintf(sql, sizeof(sql), "DEALLOCATE %s", s->name);
		PQclear(PQexec(s->c->conn, sql));
	}
	for (int i = 0; i < s->nparams; i++)
		s->types[i] = s->ints[i] ? INT8OID : s->learned[i];
	snprintf(s->name, sizeof(s->name), "s%u", ++s->c->names);
	/* A failed prepare would abort the caller's transaction. */
	if (in_tx)
		PQclear(PQexec(s->c->conn, "SAVEPOINT kith_prepare"));
	for (int tries = 0, last = 0;; tries++) {
		const char *state, *dollar;

		res = PQprepare(s->c->conn, s->name, s->sql, s->nparams,
				s->types);
		ok = !result_failed(s->c, res);
		PQclear(res);
		if (ok || tries > 2 * s->nparams)
			break;
		if (in_tx)
			PQclear(PQexec(s->c->conn,
				       "ROLLBACK TO SAVEPOINT kith_prepare"));
		/* `?3 IS NULL OR x = ?3` bound NULL leaves $3 untyped: try
		 * int8, then text if int8 does not fit its other use. */
		state = s->c->state;
		dollar = strchr(s->c->msg ? s->c->msg : "", '$');
		if ((!strcmp(state, "42P18") || !strcmp(state, "42P08")) &&
		    dollar) {
			last = atoi(dollar + 1);
			if (last < 1 || last > s->nparams ||
			    s->types[last - 1])
				break;
			/* Bound text now: text; bound NULL: int8 first. */
			s->types[last - 1] = s->learned[last - 1] =
				s->vals[last - 1] ? TEXTOID : INT8OID;
		} else if ((!strcmp(state, "42883") ||
			    !strcmp(state, "42804")) &&
			   last && s->learned[last - 1] == INT8OID) {
			s->types[last - 1] = s->learned[last - 1] = TEXTOID;
		} else {
			break;
		}
	}
	if (in_tx) {
		char *msg = s->c->msg ? strdup(s->c->msg) : NULL;
		char state[6];

		/* RELEASE must not overwrite the failure being reported. */
		memcpy(state, s->c->state, sizeof(state));
		PQclear(PQexec(s->c->conn, ok ? "RELEASE SAVEPOINT kith_prepare"
					      : "ROLLBACK TO SAVEPOINT "
						"kith_prepare"));
		if (!ok && msg)
			conn_fail(s->c, state, msg);
		free(msg);
	}
	s->prepared = ok;
	if (ok)
		s->generation = s->c->generation;
	return ok;
}

static bool stmt_stale(struct pg_stmt *s)
{
	if (!s->prepared || s->generation != s->c->generation)
		return true;
	for (int i = 0; i < s->nparams; i++)
		if (s->ints[i] && !s->types[i])
			return true;
	return false;
}

struct pg_stmt *pg_prepare(struct pg_conn *c, const char *sql)
{
	struct pg_stmt *s = calloc(1, sizeof(*s));

	if (!s || !(s->sql = pg_translate(sql, &s->nparams)))
		goto nomem;
	s->c = c;
	if (s->nparams) {
		size_t n = (size_t)s->nparams;

		s->vals = calloc(n, sizeof(*s->vals));
		s->nums = calloc(n, sizeof(*s->nums));
		s->owned = calloc(n, sizeof(*s->owned));
		s->types = calloc(n, sizeof(*s->types));
		s->ints = calloc(n, sizeof(*s->ints));
		s->learned = calloc(n, sizeof(*s->learned));
		if (!s->vals || !s->nums || !s->owned || !s->types ||
		    !s->ints || !s->learned)
			goto nomem;
	}
	return s;
nomem:
	conn_fail(c, "53200", "out of memory");
	pg_finalize(s);
	return NULL;
}

void pg_reset(struct pg_stmt *s)
{
	if (s->c && is_queued(s->c, s))
		collect(s->c, NULL);
	s->failed = false;
	PQclear(s->res);
	s->res = NULL;
	s->ran = false;
	s->row = s->rows = 0;
	for (int i = 0; i < s->nparams; i++) {
		free(s->owned[i]);
		s->owned[i] = NULL;
		s->vals[i] = NULL;
		s->ints[i] = false;
	}
}

void pg_finalize(struct pg_stmt *s)
{
	if (!s)
		return;
	if (s->vals)
		pg_reset(s);
	else
		PQclear(s->res);
	/* Deallocating costs a round trip; a connection's statements live
	 * as long as it does, except the uncached few. */
	if (s->c && s->prepared && s->generation == s->c->generation &&
	    PQstatus(s->c->conn) == CONNECTION_OK &&
	    PQtransactionStatus(s->c->conn) != PQTRANS_INERROR) {
		char sql[40];

		snprintf(sql, sizeof(sql), "DEALLOCATE %s", s->name);
		PQclear(PQexec(s->c->conn, sql));
	}
	free(s->vals);
	free(s->types);
	free(s->learned);
	free(s->ints);
	free(s->nums);
	free(s->owned);
	free(s->sql);
	free(s);
}

int pg_param_count(struct pg_stmt *s)
{
	return s->nparams;
}

void pg_bind_int64(struct pg_stmt *s, int i, int64_t v)
{
	if (i < 1 || i > s->nparams)
		return;
	free(s->owned[i - 1]);
	s->owned[i - 1] = NULL;
	snprintf(s->nums[i - 1], sizeof(s->nums[i - 1]), "%lld",
		 (long long)v);
	s->vals[i - 1] = s->nums[i - 1];
	s->ints[i - 1] = true;
}

void pg_bind_text(struct pg_stmt *s, int i, const char *v)
{
	if (i < 1 || i > s->nparams)
		return;
	free(s->owned[i - 1]);
	s->owned[i - 1] = strdup(v);
	s->ints[i - 1] = false;
	/* No memory reads as NULL: the write then fails its NOT NULL. */
	s->vals[i - 1] = s->owned[i - 1];
}

void pg_bind_null(struct pg_stmt *s, int i)
{
	if (i < 1 || i > s->nparams)
		return;
	free(s->owned[i - 1]);
	s->owned[i - 1] = NULL;
	s->vals[i - 1] = NULL;
	s->ints[i - 1] = false;
}

static PGresult *stmt_run(struct pg_stmt *s)
{
	return PQexecPrepared(s->c->conn, s->name, s->nparams, s->vals, NULL,
			      NULL, 0);
}

/* Can s go out in a pipeline: prepared on this connection, with the
 * types it was prepared with? (Else it runs on its own: the first run
 * may have to prepare, or prepare again.) */
static bool pipelinable(struct pg_stmt *s)
{
	return !stmt_stale(s) && PQstatus(s->c->conn) == CONNECTION_OK &&
	       !s->c->lost_in_tx;
}

/* The answers of one statement in a pipeline: the first result kept,
 * up to the NULL that ends them. */
static PGresult *pipeline_result(struct pg_conn *c)
{
	PGresult *first = NULL, *r;

	while ((r = PQgetResult(c->conn))) {
		if (!first)
			first = r;
		else
			PQclear(r);
		if (PQstatus(c->conn) == CONNECTION_BAD)
			break;
	}
	return first;
}

/* A queued statement's answer, read: its rows, or its failure. One the
 * pipeline skipped (an earlier one failed) is left not run, to run on
 * its own when stepped, and the first failure's message stays. */
static void queued_answer(struct pg_conn *c, struct pg_stmt *q)
{
	if (q->res && PQresultStatus(q->res) == PGRES_PIPELINE_ABORTED) {
		PQclear(q->res);
		q->res = NULL;
		q->ran = false;
	} else if (result_failed(c, q->res)) {
		PQclear(q->res);
		q->res = NULL;
		q->failed = true;
	} else {
		q->rows = PQntuples(q->res);
		q->row = -1;
	}
}

/* Read the queued statements' answers, sending with (NULL: nothing) in
 * the same round trip first. A with that cannot be sent, or whose
 * answer was not its own (the pipeline aborted by a queued one's
 * failure), is left not run, to run on its own as usual. */
static void collect(struct pg_conn *c, struct pg_stmt *with)
{
	struct pg_stmt *q[PG_QUEUE_MAX];
	int n = c->nqueued;
	PGresult *r;

	memcpy(q, c->queued, (size_t)n * sizeof(*q));
	c->nqueued = 0;
	if (with && PQsendQueryPrepared(c->conn, with->name, with->nparams,
					with->vals, NULL, NULL, 0) != 1)
		with = NULL;
	if (with)
		db_sql_log(with->sql);
	PQpipelineSync(c->conn);
	for (int i = 0; i < n; i++)
		q[i]->res = pipeline_result(c);
	if (with)
		with->res = pipeline_result(c);
	r = PQgetResult(c->conn);	/* the sync */
	PQclear(r);
	if (PQexitPipelineMode(c->conn) != 1 &&
	    PQstatus(c->conn) == CONNECTION_OK) {
		/* Out of step with the server: start afresh. */
		PQreset(c->conn);
		c->generation++;
	}
	for (int i = 0; i < n; i++)
		queued_answer(c, q[i]);
	if (with) {
		if (with->res &&
		    (PQresultStatus(with->res) == PGRES_TUPLES_OK ||
		     PQresultStatus(with->res) == PGRES_COMMAND_OK)) {
			with->ran = true;
			with->rows = PQntuples(with->res);
			with->row = -1;
			note_changes(c, with->res);
		} else {
			PQclear(with->res);
			with->res = NULL;
		}
	}
}

int pg_send(struct pg_stmt *s)
{
	struct pg_conn *c = s->c;

	/* Anything that cannot go now runs when stepped. */
	if (s->ran || c->nqueued == PG_QUEUE_MAX || !pipelinable(s))
		return DB_DONE;
	/* The first opens the pipeline, outside a transaction only: the
	 * statements up to its sync are one transaction of their own. */
	if (!c->nqueued &&
	    (PQtransactionStatus(c->conn) != PQTRANS_IDLE ||
	     PQenterPipelineMode(c->conn) != 1))
		return DB_DONE;
	if (PQsendQueryPrepared(c->conn, s->name, s->nparams, s->vals, NULL,
				NULL, 0) != 1) {
		if (c->nqueued)
			collect(c, NULL);
		else
			PQexitPipelineMode(c->conn);
		return DB_DONE;
	}
	db_sql_log(s->sql);
	c->was = PQTRANS_IDLE;	/* a connection lost now lost no transaction */
	s->ran = true;
	s->failed = false;
	c->queued[c->nqueued++] = s;
	return DB_DONE;
}

int pg_step(struct pg_stmt *s)
{
	struct pg_conn *c = s->c;

	if (c->nqueued)
		collect(c, !is_queued(c, s) && !s->ran && pipelinable(s) ? s
									 : NULL);
	if (s->failed)
		return DB_FAIL;
	if (!s->ran) {
		bool idle;

		s->ran = true;
		db_sql_log(s->sql);
		if (!run_start(c))
			return DB_FAIL;
		idle = c->was == PQTRANS_IDLE;
		/* The first use after a restart may fail at the prepare. */
		if (stmt_stale(s) && !stmt_prepare(s) &&
		    !(idle && reconnect(c) && stmt_prepare(s)))
			return DB_FAIL;
		s->res = stmt_run(s);
		if (s->res && PQresultStatus(s->res) == PGRES_FATAL_ERROR &&
		    idle && reconnect(c)) {
			PQclear(s->res);
			s->res = stmt_prepare(s) ? stmt_run(s) : NULL;
		}
		if (result_failed(c, s->res)) {
			PQclear(s->res);
			s->res = NULL;
			return DB_FAIL;
		}
		s->rows = PQntuples(s->res);
		s->row = -1;
		note_changes(c, s->res);
	}
	if (!s->res || s->row + 1 >= s->rows) {
		s->row = s->rows;
		return DB_DONE;
	}
	s->row++;
	return DB_ROW;
}

static const char *cell(struct pg_stmt *s, int i)
{
	if (!s->res || s->row < 0 || s->row >= s->rows ||
	    i >= PQnfields(s->res) || PQgetisnull(s->res, s->row, i))
		return NULL;
	return PQgetvalue(s->res, s->row, i);
}

int64_t pg_column_int64(struct pg_stmt *s, int i)
{
	const char *v = cell(s, i);

	if (!v)
		return 0;
	/* Booleans (EXISTS, comparisons) read as SQLite's 1 and 0. */
	if (v[0] == 't' && !v[1])
		return 1;
	if (v[0] == 'f' && !v[1])
		return 0;
	return strtoll(v, NULL, 10);
}

const char *pg_column_text(struct pg_stmt *s, int i)
{
	return cell(s, i);
}

bool pg_column_null(struct pg_stmt *s, int i)
{
	return cell(s, i) == NULL;
}

int64_t pg_changes(struct pg_conn *c)
{
	return c->changes;
}

const char *pg_errmsg(struct pg_conn *c)
{
	return c->msg ? c->msg : "no error";
}

const char *pg_sqlstate(struct pg_conn *c)
{
	return c->state;
}

bool pg_in_transaction(struct pg_conn *c)
{
	PGTransactionStatusType t = PQtransactionStatus(c->conn);

	return c->lost_in_tx || t == PQTRANS_INTRANS ||
	       t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

bool pg_session_lost(struct pg_conn *c)
{
	return c->lost_in_tx || PQstatus(c->conn) == CONNECTION_BAD;
}

int pg_rollback(struct pg_conn *c)
{
	/* The server rolled a lost transaction back when it went. */
	if (c->lost_in_tx) {
		c->lost_in_tx = false;
		return DB_DONE;
	}
	if (!pg_in_transaction(c))
		return DB_DONE;
	return pg_exec(c, "ROLLBACK");
}
