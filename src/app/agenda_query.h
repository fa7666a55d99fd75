/*
 * agenda_query.h: today's agenda read from the store's indexes.
 *
 * app_agenda reads each component's index in order (oldest anchor per
 * cadence, oldest overdue promise, dates in the window) and stops once
 * no unseen contact can beat the current top `limit` (threshold
 * algorithm; the bound is AGENDA_MAX_WEIGHT). Its cost follows the
 * number of cadences and `limit`, not the size of the book or its
 * history. app_agenda_full ranks every contact the slow way; the bench
 * and the tests check that both give the same list.
 */
#ifndef KITH_AGENDA_QUERY_H
#define KITH_AGENDA_QUERY_H

#include "app.h"

struct agenda_list {
	struct agenda_item *items;	/* most urgent first */
	struct agenda_row *rows;	/* rows[i] backs items[i]'s strings */
	size_t n;
	size_t scored;		/* contacts read and scored: the cost */
	size_t full;		/* of which read with their events */
};

/* Free what l holds and zero it (not l itself); a zeroed or freed list
 * is fine. */
void agenda_list_free(struct agenda_list *l);

/*
 * The top `limit` items (0: 50), with going-cold reasons added, read in
 * one read snapshot. *out is the caller's (agenda_list_free), its items'
 * strings borrowed from its rows. KITH_ENOMEM or the store's KITH_EIO
 * leave *out empty (nothing to free).
 */
int app_agenda(struct agenda_list *out, struct app_ctx *ctx, size_t limit,
	       struct kith_err *err);
/* The same by scoring every contact; no going-cold reasons. Same
 * statuses and ownership. */
int app_agenda_full(struct agenda_list *out, struct app_ctx *ctx, size_t limit,
		    struct kith_err *err);

#endif
