/*
 * agenda_query.c: the top of today's agenda from the store's indexes.
 *
 * Every contact's rank is max(components) * weight with weight at most
 * AGENDA_MAX_WEIGHT, and each component has an index the store reads in
 * falling order of that component. Reading each index until even the
 * best unseen entry, at the largest weight, falls below the current
 * limit-th rank (Fagin's threshold algorithm) leaves out only contacts
 * that cannot enter the list, so the result equals a full ranking.
 * Measured on the 1M-contact book: see docs/BENCHMARKS.md.
 */
#include "agenda_query.h"
#include "respond.h"
#include "signals.h"

#include <stdlib.h>
#include <string.h>

struct entry {
	struct agenda_item item;
	struct agenda_row row;
};

struct topk {
	struct entry *heap;	/* min-heap: the worst kept item at [0] */
	size_t n, cap;
	int64_t *seen;		/* open addressing set of scored ids */
	size_t seen_cap, seen_n;
	size_t scored;		/* rows read: the cost, for tests */
	size_t full;		/* of which read with their events */
	bool signals_phase;	/* reading contacts with waiting signals */
};

/* a is worse than b: lower rank, or equal rank and higher id. */
static int worse(const struct entry *a, const struct entry *b)
{
	return agenda_item_cmp(&a->item, &b->item) > 0;
}

static void heap_swap(struct entry *a, struct entry *b)
{
	struct entry t = *a;

	*a = *b;
	*b = t;
}

static void sift_down(struct topk *t, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < t->n && worse(&t->heap[l], &t->heap[m]))
			m = l;
		if (r < t->n && worse(&t->heap[r], &t->heap[m]))
			m = r;
		if (m == i)
			return;
		heap_swap(&t->heap[i], &t->heap[m]);
		i = m;
	}
}

static void sift_up(struct topk *t, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (!worse(&t->heap[i], &t->heap[p]))
			return;
		heap_swap(&t->heap[i], &t->heap[p]);
		i = p;
	}
}

/* Offer a scored entry; takes ownership of its row either way. */
static void topk_offer(struct topk *t, struct entry *e)
{
	if (t->n < t->cap) {
		t->heap[t->n] = *e;
		sift_up(t, t->n++);
		return;
	}
	if (!worse(&t->heap[0], e)) {
		agenda_row_clear(&e->row);
		return;
	}
	agenda_row_clear(&t->heap[0].row);
	t->heap[0] = *e;
	sift_down(t, 0);
}

/* Rank an unseen contact must beat to get in; 0 while there is room. */
static double topk_floor(const struct topk *t)
{
	return t->n < t->cap ? 0.0 : t->heap[0].item.rank;
}

/* Mark id seen; returns 1 if it was new. */
static int seen_add(struct topk *t, int64_t id)
{
	size_t h;

	if (t->seen_n * 2 >= t->seen_cap) {
		size_t cap = t->seen_cap ? t->seen_cap * 2 : 256;
		int64_t *v = calloc(cap, sizeof(*v));

		if (!v)
			return -1;
		for (size_t i = 0; i < t->seen_cap; i++) {
			if (!t->seen[i])
				continue;
			h = (uint64_t)t->seen[i] * 0x9e3779b97f4a7c15ull % cap;
			while (v[h])
				h = (h + 1) % cap;
			v[h] = t->seen[i];
		}
		free(t->seen);
		t->seen = v;
		t->seen_cap = cap;
	}
	h = (uint64_t)id * 0x9e3779b97f4a7c15ull % t->seen_cap;
	while (t->seen[h]) {
		if (t->seen[h] == id)
			return 0;
		h = (h + 1) % t->seen_cap;
	}
	t->seen[h] = id;
	t->seen_n++;
	return 1;
}

/*
 * Candidates are read a batch at a time (the store reads a batch's rows,
 * then each kind of event for all of them, in one statement each: a
 * round trip each on PostgreSQL). A batch is gathered against the floor
 * of when it began; scoring it can only raise the floor, so a candidate
 * gathered or read too many is only work, never a wrong list. Measured
 * on the 100k-contact book (docs/BENCHMARKS.md): batches of 16, 32 and
 * 64 read the same 147 contacts; 64 ran the agenda fastest on
 * PostgreSQL (3.9 ms against 7.9 ms for 16) and alike on SQLite.
 */
#define BATCH 64

struct batch {
	int64_t ids[BATCH];
	size_t n;
};

/* Read and score the batch's candidates; empties it. */
static int batch_flush(struct app_ctx *ctx, struct topk *t, struct batch *b,
		       struct kith_err *err)
{
	struct agenda_row rows[BATCH], *full[BATCH];
	size_t n = b->n, nf = 0;
	double floor = topk_floor(t);
	int rc;

	b->n = 0;
	if (!n)
		return KITH_OK;
	rc = store_agenda_rows_base(rows, ctx->st, ctx->ws, b->ids, n, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		/* Gone since the index named it (PostgreSQL reads in no
		 * one snapshot): nothing to list. */
		if (!rows[i].in.id)
			continue;
		t->scored++;
		/* Most candidates are refused here, on their own columns:
		 * their events cannot lift them past the floor. (Contacts
		 * with a waiting signal are all read first, so none is
		 * refused here.) */
		if (t->n == t->cap && !t->signals_phase &&
		    agenda_bound(&rows[i].in, ctx->now, ctx->today) < floor) {
			agenda_row_clear(&rows[i]);
			continue;
		}
		full[nf++] = &rows[i];
	}
	rc = store_agenda_rows_events(ctx->st, ctx->ws, full, nf, ctx->now,
				      ctx->today, err);
	for (size_t i = 0; i < nf; i++) {
		struct entry e;

		e.row = *full[i];
		if (rc) {
			agenda_row_clear(&e.row);
			continue;
		}
		t->full++;
		if (agenda_score(&e.item, &e.row.in, ctx->now, ctx->today))
			topk_offer(t, &e);
		else
			agenda_row_clear(&e.row);
	}
	return rc;
}

/* Add a candidate (once: a contact seen before is skipped); reads the
 * batch when it is full. */
static int consider(struct app_ctx *ctx, struct topk *t, struct batch *b,
		    int64_t id, struct kith_err *err)
{
	int isnew = seen_add(t, id);

	if (isnew < 0)
		return kith_err_nomem(err);
	if (!isnew)
		return KITH_OK;
	b->ids[b->n++] = id;
	if (b->n == BATCH)
		return batch_flush(ctx, t, b, err);
	return KITH_OK;
}

/* May an entry whose component is comp still enter the list? */
static int may_enter(const struct topk *t, double comp)
{
	return comp > 0.0 && comp * AGENDA_MAX_WEIGHT >= topk_floor(t);
}

struct group {
	struct due_group key;
	struct cadence cad;
	double weight;		/* the most a contact of this tier weighs */
	struct due_row page[STORE_DUE_PAGE];
	size_t n, pos;
	int done;
};

static int group_fill(struct app_ctx *ctx, enum due_clock clock,
		      struct group *g, struct kith_err *err)
{
	kith_time after = INT64_MIN;
	int64_t after_id = 0;

	if (g->n) {
		after = g->page[g->n - 1].anchor;
		after_id = g->page[g->n - 1].id;
	}
	g->pos = 0;
	int rc = store_due_page(g->page, STORE_DUE_PAGE, &g->n, ctx->st,
				ctx->ws, clock, &g->key, after, after_id, err);
	if (!rc && g->n == 0)
		g->done = 1;
	return rc;
}

/* The best rank an unseen contact of this group can have. */
static double group_head(const struct group *g, kith_time now)
{
	if (g->done)
		return 0.0;
	return agenda_overdue_component(g->cad, g->page[g->pos].anchor, now) *
	       g->weight;
}

/* Merge the (cadence, tier) groups of one clock, best bound first. */
static int read_clock(struct app_ctx *ctx, struct topk *t,
		      enum due_clock clock, struct kith_err *err)
{
	struct due_group *keys = NULL;
	struct group *g = NULL;
	struct due_row **pages = NULL;
	size_t ng = 0, *counts = NULL;
	struct batch b = { .n = 0 };
	int rc;

	rc = store_due_groups(&keys, &ng, ctx->st, ctx->ws, clock, err);
	if (rc)
		return rc;
	g = calloc(ng ? ng : 1, sizeof(*g));
	pages = calloc(ng ? ng : 1, sizeof(*pages));
	counts = calloc(ng ? ng : 1, sizeof(*counts));
	if (!g || !pages || !counts) {
		rc = kith_err_nomem(err);
		goto done;
	}
	for (size_t i = 0; i < ng; i++) {
		g[i].key = keys[i];
		g[i].cad = kith_cadence_decode(keys[i].code);
		g[i].weight = agenda_tier_weight(keys[i].tier) *
			      score_loyalty_multiplier(10.0);
		pages[i] = g[i].page;
	}
	rc = store_due_first_pages(pages, counts, STORE_DUE_FIRST_PAGE, ctx->st,
				   ctx->ws, clock, keys, ng, err);
	if (rc)
		goto done;
	for (size_t i = 0; i < ng; i++) {
		g[i].n = counts[i];
		g[i].done = counts[i] == 0;
	}
	for (;;) {
		/* Tens of groups: a scan beats a heap at this size. */
		size_t best = 0;
		double bound = 0.0;

		for (size_t i = 0; i < ng; i++) {
			double h = group_head(&g[i], ctx->now);

			if (h > bound) {
				bound = h;
				best = i;
			}
		}
		/* The floor is the batch's, lower than or equal to the
		 * one after it is read: below it is below that too. */
		if (bound <= 0.0 || bound < topk_floor(t))
			break;
		rc = consider(ctx, t, &b, g[best].page[g[best].pos].id, err);
		if (rc)
			goto done;
		if (++g[best].pos == g[best].n) {
			rc = group_fill(ctx, clock, &g[best], err);
			if (rc)
				goto done;
		}
	}
	rc = batch_flush(ctx, t, &b, err);
done:
	free(counts);
	free(pages);
	free(g);
	free(keys);
	return rc;
}

static int read_promises(struct app_ctx *ctx, struct topk *t,
			 struct kith_err *err)
{
	struct promise_row page[STORE_DUE_PAGE];
	kith_time after = INT64_MIN;
	int64_t after_id = 0;
	struct batch b = { .n = 0 };
	size_t n;
	int rc;

	for (;;) {
		rc = store_promises_due_page(page, STORE_DUE_PAGE, &n, ctx->st,
					     ctx->ws, ctx->now, after, after_id,
					     err);
		if (rc)
			return rc;
		if (n == 0)
			return batch_flush(ctx, t, &b, err);
		for (size_t i = 0; i < n; i++) {
			if (!may_enter(t, agenda_promise_component(page[i].due,
								   ctx->now)))
				return batch_flush(ctx, t, &b, err);
			rc = consider(ctx, t, &b, page[i].contact_id, err);
			if (rc)
				return rc;
		}
		after = page[n - 1].due;
		after_id = page[n - 1].id;
	}
}

/* Waiting signals outrank everything; there are few, so read them all. */
static int read_signals(struct app_ctx *ctx, struct topk *t,
			struct kith_err *err)
{
	int64_t *ids = NULL;
	struct batch b = { .n = 0 };
	size_t n = 0;
	int rc;

	if (!may_enter(t, AGENDA_SIGNAL_COMPONENT))
		return KITH_OK;
	rc = store_signals_open(&ids, &n, ctx->st, ctx->ws, err);
	t->signals_phase = true;
	for (size_t i = 0; !rc && i < n; i++)
		rc = consider(ctx, t, &b, ids[i], err);
	if (!rc)
		rc = batch_flush(ctx, t, &b, err);
	t->signals_phase = false;
	free(ids);
	return rc;
}

static int read_dates(struct app_ctx *ctx, struct topk *t,
		      struct kith_err *err)
{
	int64_t *ids = NULL;
	struct batch b = { .n = 0 };
	size_t n = 0;
	int rc;

	/* A date's component is at most that of one due today. */
	if (!may_enter(t, agenda_date_component(0)))
		return KITH_OK;
	rc = store_dates_window(&ids, &n, ctx->st, ctx->ws, ctx->today,
				ctx->today + AGENDA_DATE_WINDOW, err);
	for (size_t i = 0; !rc && i < n; i++)
		rc = consider(ctx, t, &b, ids[i], err);
	if (!rc)
		rc = batch_flush(ctx, t, &b, err);
	free(ids);
	return rc;
}

static int cmp_entry(const void *a, const void *b)
{
	return agenda_item_cmp(&((const struct entry *)a)->item,
			       &((const struct entry *)b)->item);
}

/* Sort the kept entries and hand them out as the list. */
static int topk_finish(struct agenda_list *out, struct topk *t,
		       struct kith_err *err)
{
	qsort(t->heap, t->n, sizeof(*t->heap), cmp_entry);
	out->items = calloc(t->n ? t->n : 1, sizeof(*out->items));
	out->rows = calloc(t->n ? t->n : 1, sizeof(*out->rows));
	if (!out->items || !out->rows) {
		free(out->items);
		free(out->rows);
		out->items = NULL;
		out->rows = NULL;
		return kith_err_nomem(err);
	}
	for (size_t i = 0; i < t->n; i++) {
		out->rows[i] = t->heap[i].row;
		out->items[i] = t->heap[i].item;
		out->items[i].name = out->rows[i].name;
	}
	out->n = t->n;
	out->scored = t->scored;
	out->full = t->full;
	t->n = 0;
	return KITH_OK;
}

static void topk_free(struct topk *t)
{
	for (size_t i = 0; i < t->n; i++)
		agenda_row_clear(&t->heap[i].row);
	free(t->heap);
	free(t->seen);
}

void agenda_list_free(struct agenda_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		agenda_row_clear(&l->rows[i]);
	free(l->rows);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* The listed contacts' touches and promises, gathered by contact for
 * score_health: two reads for the whole list, not two a contact. */
struct health_in {
	int64_t id;
	size_t item;		/* its index in the list */
	struct score_touch *t;
	size_t nt;
	struct score_promise *p;
	size_t np;
};

struct health_acc {
	struct health_in *v;	/* by id */
	size_t n;
};

static int health_in_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct health_in *)a)->id;
	int64_t y = ((const struct health_in *)b)->id;

	return (x > y) - (x < y);
}

static struct health_in *health_find(struct health_acc *h, int64_t id)
{
	struct health_in key = { .id = id };

	return bsearch(&key, h->v, h->n, sizeof(*h->v), health_in_cmp);
}

/* Append one element to a growing array (doubling at powers of two). */
static void *grow_one(void *arr, size_t n, size_t size)
{
	if (n && (n & (n - 1)))
		return arr;
	return realloc(arr, (n ? 2 * n : 4) * size);
}

static int health_touch(void *p, int64_t contact_id,
			const struct score_touch *t)
{
	struct health_in *in = health_find(p, contact_id);
	struct score_touch *v;

	if (!in)
		return KITH_OK;
	v = grow_one(in->t, in->nt, sizeof(*v));
	if (!v)
		return KITH_ENOMEM;
	in->t = v;
	in->t[in->nt++] = *t;
	return KITH_OK;
}

static int health_promise(void *p, int64_t contact_id, kith_time due,
			  kith_time done_at)
{
	struct health_in *in = health_find(p, contact_id);
	struct score_promise *v;

	if (!in)
		return KITH_OK;
	v = grow_one(in->p, in->np, sizeof(*v));
	if (!v)
		return KITH_ENOMEM;
	in->p = v;
	in->p[in->np].due = due;
	in->p[in->np].done_at = done_at;
	in->np++;
	return KITH_OK;
}

static int note_health(struct app_ctx *ctx, struct agenda_list *l,
		       struct kith_err *err)
{
	struct health_acc h = { calloc(l->n ? l->n : 1, sizeof(*h.v)), l->n };
	int64_t *ids = malloc((l->n ? l->n : 1) * sizeof(*ids));
	int rc = KITH_OK;

	if (!h.v || !ids) {
		rc = kith_err_nomem(err);
		goto done;
	}
	for (size_t i = 0; i < l->n; i++) {
		ids[i] = l->items[i].id;
		h.v[i].id = ids[i];
		h.v[i].item = i;
	}
	qsort(h.v, h.n, sizeof(*h.v), health_in_cmp);
	rc = store_touch_scores_each(ctx->st, ctx->ws, ids, l->n, health_touch,
				     &h, err);
	if (!rc)
		rc = store_promise_times_each(ctx->st, ctx->ws, ids, l->n,
					      health_promise, &h, err);
	/* The visitors return a bare status: say it. */
	if (rc == KITH_ENOMEM)
		rc = kith_err_nomem(err);
	for (size_t k = 0; !rc && k < h.n; k++) {
		struct health_in *in = &h.v[k];
		struct health hl;

		score_health(&hl, in->t, in->nt, in->p, in->np,
			     l->rows[in->item].in.every, ctx->now);
		agenda_note_health(&l->items[in->item], &hl);
	}
done:
	for (size_t k = 0; h.v && k < h.n; k++) {
		free(h.v[k].t);
		free(h.v[k].p);
	}
	free(h.v);
	free(ids);
	return rc;
}

/*
 * Word each waiting email as "unanswered for 2 working days", counted in
 * its owner's hours as response times are. Only the listed items pay for
 * it (a zone conversion per working day waited, see respond.h): ranking
 * does not depend on it, so the candidates read and refused never do.
 */
static void note_unanswered(struct app_ctx *ctx, struct agenda_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct agenda_row *r = &l->rows[i];
		struct workhours wh;
		char tz[64];

		if (!r->in.signals_waiting ||
		    r->in.signal_type != SIG_INBOUND_EMAIL)
			continue;
		app_signal_hours(&wh, tz, sizeof(tz), ctx, r->owner_id);
		agenda_note_unanswered(&l->items[i], &r->in,
				       respond_work_minutes(r->in.signal_at,
							    ctx->now, &wh),
				       wh.end_min - wh.start_min, ctx->now);
	}
}

int app_agenda(struct agenda_list *out, struct app_ctx *ctx, size_t limit,
	       struct kith_err *err)
{
	struct topk t = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	t.cap = limit ? limit : 50;
	t.heap = calloc(t.cap, sizeof(*t.heap));
	if (!t.heap)
		return kith_err_nomem(err);
	store_read_begin(ctx->st);
	rc = read_signals(ctx, &t, err);
	if (!rc)
		rc = read_clock(ctx, &t, DUE_ANY, err);
	if (!rc)
		rc = read_clock(ctx, &t, DUE_MEET, err);
	if (!rc)
		rc = read_promises(ctx, &t, err);
	if (!rc)
		rc = read_dates(ctx, &t, err);
	if (!rc)
		rc = topk_finish(out, &t, err);
	if (!rc)
		rc = note_health(ctx, out, err);
	if (!rc)
		note_unanswered(ctx, out);
	store_read_end(ctx->st);
	if (rc)
		agenda_list_free(out);
	topk_free(&t);
	return rc;
}

struct full_ctx {
	struct app_ctx *ctx;
	struct topk *t;
};

static int full_visit(void *p, struct agenda_row *row)
{
	struct full_ctx *f = p;
	struct entry e;

	f->t->scored++;
	if (!agenda_score(&e.item, &row->in, f->ctx->now, f->ctx->today))
		return KITH_OK;
	/* The visitor's row dies after the call: keep a moved copy. */
	e.row = *row;
	memset(row, 0, sizeof(*row));
	e.item.name = e.row.name;
	topk_offer(f->t, &e);
	return KITH_OK;
}

int app_agenda_full(struct agenda_list *out, struct app_ctx *ctx, size_t limit,
		    struct kith_err *err)
{
	struct topk t = { 0 };
	struct full_ctx f = { ctx, &t };
	int rc;

	memset(out, 0, sizeof(*out));
	t.cap = limit ? limit : 50;
	t.heap = calloc(t.cap, sizeof(*t.heap));
	if (!t.heap)
		return kith_err_nomem(err);
	store_read_begin(ctx->st);
	rc = store_agenda_each(ctx->st, ctx->ws, ctx->now, ctx->today,
			       full_visit, &f, err);
	store_read_end(ctx->st);
	if (!rc)
		rc = topk_finish(out, &t, err);
	if (!rc)
		note_unanswered(ctx, out);
	topk_free(&t);
	return rc;
}
