/* api_mail.c: the mailboxes routes, over app/imap.c as kith mail uses it.
 * The password comes in the body of POST and never leaves again: no
 * answer, log or list carries it. */
#include "api.h"
#include "../app/imap.h"
#include "../input/json_body.h"
#include "../render/json_mail.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void h_mailbox_list(struct api *a)
{
	struct mailbox *m = NULL;
	size_t n = 0;
	json_t *items;

	if (store_mailbox_list(&m, &n, a->st, a->ctx.ws, &a->err)) {
		api_fail(a, a->err.status);
		return;
	}
	items = json_array();
	for (size_t i = 0; items && i < n; i++)
		json_array_append_new(items, kj_mailbox(&m[i]));
	store_mailboxes_free(m, n);
	api_list(a, items, NULL);
}

void h_mailbox_add(struct api *a)
{
	static const char *const keys[] = { "url", "password", "address",
					    NULL };
	const struct mail_key *key = mail_server_key();
	struct mailbox *mb = NULL;
	size_t n = 0;
	char *url = NULL, *password = NULL, *address = NULL;
	int rc;

	if (!api_only(a, keys))
		return;
	rc = body_strdup(&url, a->body, "url", true, 2000, &a->err);
	/* No password: another folder of an account here takes its. */
	if (!rc)
		rc = body_strdup(&password, a->body, "password", false, 1024,
				 &a->err);
	if (!rc)
		rc = body_strdup(&address, a->body, "address", false, 254,
				 &a->err);
	if (!rc && !key)
		rc = kith_err_set(&a->err, KITH_EIO, NULL,
				  "this server holds no mail key");
	/* No CA file from the API: a path on the server is the operator's
	 * to name (kith mail add --cacert). */
	if (!rc)
		rc = app_mailbox_add_folders(&mb, &n, &a->ctx, key, url, NULL,
					     password, address, NULL,
					     a->user.id, &a->err);
	if (password) {
		sodium_memzero(password, strlen(password));
		free(password);
	}
	if (rc)
		api_fail(a, rc);
	else
		http_json(a->resp, 201, kj_mailbox(&mb[0]));
	app_mailboxes_free(mb, n);
	free(url);
	free(address);
}

void h_mailbox_delete(struct api *a)
{
	int rc = store_mailbox_delete(a->st, a->ctx.ws, a->id, &a->err);

	if (rc) {
		api_fail(a, rc);
		return;
	}
	a->resp->status = 204;
}
