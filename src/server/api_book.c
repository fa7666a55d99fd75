/* api_book.c: the whole book over HTTP: import, the same JSON document
 * as `kith import` (export, in every format, is api_feed.c). */
#include "api.h"
#include "../app/book.h"
#include "../input/book_json.h"
#include "../render/json.h"

#include <stdlib.h>
#include <string.h>

void h_import(struct api *a)
{
	struct book b;
	int rc;

	/* The body was parsed once to check it; the book reader wants text
	 * so its errors name paths the same way as `kith import`. */
	rc = book_parse_json(&b, a->req->body, a->req->body_len, "body",
			     &a->err);
	if (!rc) {
		rc = app_book_restore(&a->ctx, &b, "body", &a->err);
		if (!rc)
			http_json(a->resp, 201,
				  json_pack("{s:I, s:I, s:I}", "contacts",
					    (json_int_t)b.n_contacts,
					    "touchpoints",
					    (json_int_t)b.n_touches,
					    "organizations",
					    (json_int_t)b.n_orgs));
		book_clear(&b);
	}
	if (rc)
		api_fail(a, rc);
}
