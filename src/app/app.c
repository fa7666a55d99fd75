/* app.c: opening a workspace and naming contacts, shared by CLI and server. */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_WORKSPACE "My book"

/* Make a workspace: inside the caller's transaction when there is one,
 * so a failed command does not leave a new workspace behind. */
static int create_workspace(struct app_ctx *ctx, const char *name,
			    struct kith_err *err)
{
	bool own = !store_in_transaction(ctx->st);
	int rc = own ? store_begin(ctx->st, err) : KITH_OK;

	if (!rc)
		rc = store_workspace_create(&ctx->ws, ctx->st, name, ctx->now,
					    err);
	if (own && !rc)
		rc = store_commit(ctx->st, err);
	else if (own)
		store_rollback(ctx->st);
	return rc;
}

static int pick_workspace(struct app_ctx *ctx, const char *name,
			  struct kith_err *err)
{
	struct workspace *w = NULL;
	size_t n = 0;
	int rc;

	rc = store_workspace_list(&w, &n, ctx->st, err);
	if (rc)
		return rc;
	if (name) {
		for (size_t i = 0; i < n; i++) {
			if (!strcasecmp(w[i].name, name)) {
				ctx->ws = w[i].id;
				goto done;
			}
		}
		/* A named workspace that does not exist yet is made, so the
		 * first command in it needs no separate step. */
		rc = create_workspace(ctx, name, err);
		goto done;
	}
	if (n == 1) {
		ctx->ws = w[0].id;
	} else if (n == 0) {
		rc = create_workspace(ctx, DEFAULT_WORKSPACE, err);
	} else {
		char list[400] = "";
		size_t off = 0;

		for (size_t i = 0; i < n && off < sizeof(list); i++)
			off += snprintf(list + off, sizeof(list) - off,
					"%s\"%s\"", i ? ", " : "", w[i].name);
		rc = kith_err_set(err, KITH_EINPUT, "--workspace",
				  "several workspaces; name one of %s", list);
	}
done:
	store_workspaces_free(w, n);
	if (!rc)
		store_set_tenant(ctx->st, ctx->ws);
	return rc;
}

int app_open(struct app_ctx *ctx, const char *path, const char *ws_name,
	     kith_time now, struct kith_err *err)
{
	return app_open_tx(ctx, path, ws_name, now, false, err);
}

int app_open_tx(struct app_ctx *ctx, const char *path, const char *ws_name,
		kith_time now, bool begin, struct kith_err *err)
{
	int rc;

	memset(ctx, 0, sizeof(*ctx));
	ctx->now = now;
	ctx->today = kith_time_day(now, NULL);
	rc = store_open(&ctx->st, path, err);
	if (!rc && begin)
		rc = store_begin(ctx->st, err);
	if (!rc)
		rc = pick_workspace(ctx, ws_name, err);
	if (rc) {
		store_close(ctx->st);
		ctx->st = NULL;
	}
	return rc;
}

void app_close(struct app_ctx *ctx)
{
	if (!ctx)
		return;
	store_close(ctx->st);
	ctx->st = NULL;
}

int app_resolve(int64_t *id, struct app_ctx *ctx, const char *who,
		int64_t exclude, const char *field, struct kith_err *err)
{
	int64_t *ids = NULL;
	size_t n = 0;
	char list[400] = "";
	size_t off = 0;
	int rc;

	if (!who || !*who)
		return kith_err_set(err, KITH_EINPUT, field,
				    "name a contact by id, email or name");
	rc = store_contact_find(&ids, &n, ctx->st, ctx->ws, who, exclude, err);
	if (rc)
		return rc;
	if (n == 1) {
		*id = ids[0];
		free(ids);
		return KITH_OK;
	}
	if (n == 0) {
		free(ids);
		return kith_err_set(err, KITH_ENOTFOUND, field,
				    "no contact matches \"%s\"", who);
	}
	for (size_t i = 0; i < n && i < 8 && off < sizeof(list); i++) {
		struct contact c;

		if (store_contact_get(&c, ctx->st, ctx->ws, ids[i], NULL))
			continue;
		off += snprintf(list + off, sizeof(list) - off, "%s%s (%lld)",
				i ? ", " : "", c.name, (long long)c.id);
		contact_clear(&c);
	}
	if (n > 8 && off < sizeof(list))
		snprintf(list + off, sizeof(list) - off, ", and %zu more",
			 n - 8);
	rc = kith_err_set(err, KITH_ECONFLICT, field,
			  "\"%s\" matches %zu contacts: %s", who, n, list);
	free(ids);
	return rc;
}
