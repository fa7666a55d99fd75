/*
 * demo.h: seed a believable book into a workspace: a small studio's
 * dozen clients for newcomers (`kith demo`), or a big synthetic book for
 * `make bench`. Everything goes through store.h; no SQL here. What the
 * book means (who is due, who is going cold) is left to the agenda and
 * the scores: the demo only writes history that makes them say it.
 */
#ifndef KITH_DEMO_H
#define KITH_DEMO_H

#include "app.h"

/*
 * The small demo: a dozen contacts of a small design and consulting
 * studio, with organizations, time zones, tiers, tags, facts, dates,
 * promises, gifts, revenue and three years of touches on all eight
 * channels. Every time is relative to ctx->now and every date to
 * ctx->today, so `kith due` looks current whenever it runs. Among them:
 *
 *   Maggie Okafor     loyal (9 years), thanked with a gift 40 days ago,
 *                     a promise due in 3 days
 *   Daniel Whitfield  loyal (7 years), never thanked, a promise 5 days
 *                     overdue ("the laptop"), no face to face in 120 days
 *   Rebecca Stone     going cold: weekly once, unanswered emails this
 *                     year, nothing for 152 days
 *   Omar Haddad       digital-only: email, text, social for a year
 *   Minji Kim         never met in person; birthday in 3 days
 *   Tom Reyes         a prospect added 20 days ago, never touched
 *
 * Tag cadences for prospect, partner and family are set unless the
 * workspace already has a rule for that tag. Runs inside the caller's
 * transaction (store_begin before, store_commit after); on failure the
 * caller rolls back. Meant for an empty workspace: run twice, it adds
 * the people twice. Returns KITH_OK or the store's status (KITH_EIO,
 * KITH_ENOMEM) with err filled.
 */
int demo_seed_small(struct app_ctx *ctx, struct kith_err *err);

/* Called with rows written so far and rows planned (contacts plus
 * touches); may be NULL. */
typedef void (*demo_progress_fn)(void *pctx, uint64_t done, uint64_t total);

/*
 * A big synthetic book for benchmarks: n_contacts contacts and exactly
 * n_touches touchpoints over the last three years, deterministic (a
 * fixed-seed splitmix64; the same arguments and ctx->now give the same
 * book). Tiers A ~10%, B ~30%, C ~40%, none 20%; own cadences on ~14%
 * (7d..180d, a few 1m and 3m); tags with tag cadences; channels weighted
 * (email most, in person fewer); birthdays on ~30%; open promises on ~3%
 * (about a fifth overdue); gifts, facts and revenue on some. ~3% of the
 * touches have two participants; 2-3% of contacts are never touched.
 * Touches go through store_touch_add, so summaries are kept as for any
 * other write.
 *
 * Transactions: the caller opens one (store_begin) before the call and
 * commits the one left open after it. Inside, the work is committed in
 * batches of about 50,000 rows (store_commit then store_begin), because
 * one transaction of ten million rows grows the WAL past any use; so on
 * failure only the last batch is rolled back by the caller, and the
 * workspace keeps the batches before it. progress is called after each
 * batch and once at the end. Ends with store_analyze, since the agenda's
 * plans need statistics after a bulk load.
 *
 * Order: contacts go in by groups of up to 100,000 (or a million planned
 * touches); each group's touches are then written oldest first, so the
 * touch-time index is swept in order instead of hit at random. Cost:
 * four statements per touch (three more per extra participant), about
 * fifteen per contact. Measured on 2 cores, 1,000,000 contacts and
 * 10,000,000 touches: about 6 minutes (contact by contact it was 8.7,
 * falling from 60k to 15k rows/s once the indexes outgrew the cache).
 * Allocates 24 bytes per planned touch of a group (24 MB) and 8 bytes
 * per twelve contacts for the organization ids.
 *
 * Returns KITH_OK, KITH_EINPUT (touches but no contacts), KITH_ENOMEM,
 * or the store's status with err filled.
 */
int demo_seed_big(struct app_ctx *ctx, uint64_t n_contacts, uint64_t n_touches,
		  demo_progress_fn progress, void *pctx, struct kith_err *err);

#endif
