/*
 * app.h: the use cases the CLI and the server share. An app_ctx is one
 * open store, one workspace and one "now"; every function here is a
 * whole user action over the store and the pure core, with no printing.
 *
 * Shared contract of app/ (each header adds its own statuses): a
 * function taking struct kith_err returns KITH_OK or the status it set
 * in err: KITH_EINPUT (err->field names the input), KITH_ENOTFOUND,
 * KITH_ECONFLICT, or the store's KITH_EIO and KITH_ENOMEM passed up
 * unmasked. Inputs are borrowed. It runs in the caller's transaction
 * (app_signals_tick, which opens its own, says so) and leaves the
 * rollback to the caller.
 *
 * Parameter order (store.h's, libgit2's): results first, then ctx, the
 * inputs, and err last: app_resolve(&id, ctx, who, 0, "contact", err).
 * A struct a use case both reads and writes back (app_contact_add's c,
 * app_touch_log's t) is an input and follows ctx.
 */
#ifndef KITH_APP_H
#define KITH_APP_H

#include "../store/store.h"

struct app_ctx {
	struct store *st;
	int64_t ws;		/* the workspace acted in */
	kith_time now;
	int32_t today;		/* local day number of now ($TZ) */
};

/*
 * Open the database at path and pick the workspace named ws_name (NULL:
 * the only one; one named "My book" is created in an empty database).
 * With several workspaces and none named: KITH_EINPUT listing them
 * (field "--workspace"); else store_open's status (KITH_EIO, KITH_ENOMEM).
 * On success ctx owns the open store (app_close); on failure ctx->st is
 * NULL and nothing needs closing.
 */
int app_open(struct app_ctx *ctx, const char *path, const char *ws_name,
	     kith_time now, struct kith_err *err);
/* app_open, but with begin set the user action's transaction is opened
 * first, so a workspace it creates is undone if the action fails. */
int app_open_tx(struct app_ctx *ctx, const char *path, const char *ws_name,
		kith_time now, bool begin, struct kith_err *err);
/* Close ctx's store (NULL and a closed ctx are fine); an open
 * transaction is rolled back by the store. */
void app_close(struct app_ctx *ctx);

/*
 * The one contact a user means by `who` (see store_contact_find). None:
 * KITH_ENOTFOUND; several: KITH_ECONFLICT whose message lists them.
 * `field` names the argument in the message; an empty or NULL who is
 * KITH_EINPUT. *id is set only on KITH_OK. Allocates nothing it keeps.
 */
int app_resolve(int64_t *id, struct app_ctx *ctx, const char *who,
		int64_t exclude, const char *field, struct kith_err *err);

#endif
