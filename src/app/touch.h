/*
 * touch.h: the writes of what happened with people: log a touch, and
 * the facts, dates, promises, gifts, revenue and cadence rules that hang
 * on them. One function per use case, each owning every rule of its
 * write (the store keeps only integrity: ids, references, the
 * workspace); the CLI, the API and a book restore parse their own input,
 * call these, and render what they hand back.
 *
 * Errors name the field by its JSON key ("contacts", "channel", "text",
 * "date", "scope", "key", "every"...); a front end that spells a field
 * otherwise (the CLI's WHO, --via) renames err->field and keeps the
 * message. Every function runs inside the caller's transaction.
 */
#ifndef KITH_APP_TOUCH_H
#define KITH_APP_TOUCH_H

#include "app.h"

/* The most contacts one touch may name: a meeting, not a mailing list
 * (and the bound that keeps the duplicate check and the summaries'
 * refresh of one request small). */
#define APP_TOUCH_MAX_CONTACTS 100

/* t->direction when the user gave none: the channel decides. */
#define APP_DIR_DEFAULT DIR_COUNT

/*
 * Log touch t. The rules, in this order:
 *   contacts   at least one, at most APP_TOUCH_MAX_CONTACTS, none twice
 *              (O(n log n); *which, when not NULL, is set to the index
 *              in t->contacts of the second naming, so a front end can
 *              quote what the user typed; else to t->n_contacts)
 *   channel    a channel of the model
 *   direction  APP_DIR_DEFAULT: mutual for in person, video and call
 *              (a conversation goes both ways), out for the rest (a
 *              letter or an email is sent); else a direction of the model
 *   minutes    0 to 100000
 * and the defaults: t->at KITH_NO_TIME is ctx->now; t->source NULL is
 * "manual"; t->created_at 0 is ctx->now; with t->n_users 0 and by_user
 * non-zero, by_user (the member who logs it) took part. A restore
 * passes by_user 0 and its rows' own stamps.
 *
 * Returns KITH_OK with t->id and the defaults written into t;
 * KITH_EINPUT with err->field "contacts", "channel", "direction",
 * "minutes" or "users" (a user not of the workspace); KITH_ENOTFOUND
 * when a contact is not in the workspace; KITH_ECONFLICT when a kept
 * t->id is taken; KITH_EIO; KITH_ENOMEM. t stays the caller's (free it
 * with touchpoint_clear); strings and arrays the call puts in it are
 * malloc'd like the rest.
 */
int app_touch_log(size_t *which, struct app_ctx *ctx, struct touchpoint *t,
		  int64_t by_user, struct kith_err *err);

/*
 * Remember fact f about f->contact_id. Rule: text non-empty (field
 * "text", "what should kith remember?"). created_at 0 is ctx->now.
 * KITH_OK with f->id set; KITH_EINPUT; KITH_ENOTFOUND (contact);
 * KITH_EIO; KITH_ENOMEM. f stays the caller's (fact_clear).
 */
int app_fact_add(struct app_ctx *ctx, struct fact *f, struct kith_err *err);

/*
 * Remember date d of d->contact_id. With text non-NULL, d->day and
 * d->year_known are first parsed from it ("1980-05-02", or "--11-25"
 * without a year); NULL keeps d's (a restore). The rules, in this order:
 * kind non-empty (field "kind"); text a possible date (field "date":
 * 2023-02-30 is "no such date"); a one-off date (!d->yearly) has its
 * year (field "date"). created_at 0 is ctx->now.
 * KITH_OK with d->id set; KITH_EINPUT; KITH_ENOTFOUND; KITH_EIO;
 * KITH_ENOMEM. d stays the caller's (kdate_clear).
 */
int app_date_add(struct app_ctx *ctx, struct kdate *d, const char *text,
		 struct kith_err *err);

/*
 * Record promise p to p->contact_id, due p->due (KITH_NO_TIME: none).
 * Rule: text non-empty (field "text", "what did you promise?").
 * p->done_at is kept: KITH_NO_TIME for an open promise (a restore may
 * bring a kept one). created_at 0 is ctx->now.
 * KITH_OK with p->id set; KITH_EINPUT; KITH_ENOTFOUND; KITH_EIO;
 * KITH_ENOMEM. p stays the caller's (promise_clear).
 */
int app_promise_add(struct app_ctx *ctx, struct promise *p,
		    struct kith_err *err);

/*
 * Mark promise id kept at ctx->now and fill *out with it (done_at set).
 * Rule: not kept already (KITH_ECONFLICT, field "id", "promise N was
 * already kept"). KITH_ENOTFOUND (no such promise here); KITH_EIO;
 * KITH_ENOMEM. *out belongs to the caller (promise_clear) whenever the
 * call returns KITH_OK or KITH_ECONFLICT; otherwise it is zeroed.
 */
int app_promise_done(struct promise *out, struct app_ctx *ctx, int64_t id,
		     struct kith_err *err);

/*
 * Record gift g (to g->contact_id, or g->org_id). Rules: text non-empty
 * (field "text", "what was the gift?"); value_cents not negative (field
 * "value"). g->at KITH_NO_TIME is ctx->now.
 * KITH_OK with g->id set; KITH_EINPUT; KITH_ENOTFOUND; KITH_EIO;
 * KITH_ENOMEM. g stays the caller's (gift_clear).
 */
int app_gift_add(struct app_ctx *ctx, struct gift *g, struct kith_err *err);

/*
 * Record revenue r (from r->contact_id, or r->org_id). Rule:
 * amount_cents not negative (field "amount"). r->at KITH_NO_TIME is
 * ctx->now. KITH_OK with r->id set; KITH_EINPUT; KITH_ENOTFOUND;
 * KITH_EIO; KITH_ENOMEM. r stays the caller's (revenue_clear).
 */
int app_revenue_add(struct app_ctx *ctx, struct revenue *r,
		    struct kith_err *err);

/*
 * Set the cadence rule of (scope, key). every and meet NULL keep that
 * half of the rule as it is (a new rule: none); both NULL is KITH_EINPUT
 * (field "every", "say how often"). Both halves none removes a tag rule.
 * The rules, in this order:
 *   scope  a scope of the model; CADENCE_TAG with a non-empty key
 *          (field "scope", "expected tag (with a key), tier or default")
 *   key    for CADENCE_TIER, A, B or C in any case (field "key"); for
 *          CADENCE_DEFAULT, ignored ("")
 *   every, meet   in a parser's limits (fields "every", "meet_every")
 * On KITH_OK *out (may be NULL) is the rule as stored, its key
 * malloc'd: the caller frees it with free(out->key). KITH_EINPUT;
 * KITH_EIO; KITH_ENOMEM.
 */
int app_cadence_set(struct cadence_rule *out, struct app_ctx *ctx,
		    enum cadence_scope scope, const char *key,
		    const struct cadence *every, const struct cadence *meet,
		    struct kith_err *err);

#endif
