/* api_book.c: the whole book over HTTP: import, the same JSON document
 * as `kith import` (export, in every format, is api_feed.c). */
#include "api.h"
#include "../app/book.h"
#include "../app/import.h"
#include "../input/book_json.h"
#include "../render/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A vCard or CSV body: the import use case, answered with its report.
 * Always 200: a dry run creates nothing, and the report says what was
 * created. */
static void import_cards(struct api *a, bool csv)
{
	struct import_opts o = { false, false, http_query(a->req, "map") };
	struct import_source src = { "body", a->req->body ? a->req->body : "",
				     a->req->body_len,
				     csv ? IMPORT_CSV : IMPORT_VCARD };
	struct import_report rep;
	int rc;

	if (!api_query_bool(a, "dry_run", &o.dry_run) ||
	    !api_query_bool(a, "skip_bad", &o.skip_bad))
		return;
	if (o.map && !csv) {
		http_error(a->resp, 422, "invalid", "map",
			   "map names the columns of a text/csv body");
		return;
	}
	import_report_init(&rep);
	rc = app_import(&a->ctx, &src, 1, &o, NULL, NULL, &rep, &a->err);
	if (rc == KITH_EINPUT && a->err.line) {
		/* "body:12:EMAIL": where in the body, as the CLI says it */
		char where[sizeof(a->err.field)];

		snprintf(where, sizeof(where), "%.12s:%d%s%.40s", a->err.file,
			 a->err.line, a->err.field[0] ? ":" : "",
			 a->err.field);
		snprintf(a->err.field, sizeof(a->err.field), "%s", where);
	} else if (rc == KITH_EINPUT && !a->err.field[0]) {
		snprintf(a->err.field, sizeof(a->err.field), "body");
	}
	if (rc)
		api_fail(a, rc);
	else
		http_json(a->resp, 200, kj_import_report(&rep, false));
	import_report_clear(&rep);
}

void h_import(struct api *a)
{
	struct book b;
	bool csv, flag;
	int rc;

	if (api_cards_type(http_header(a->req, "Content-Type"), &csv)) {
		import_cards(a, csv);
		return;
	}
	/* The options are a card import's; a book is restored whole. A
	 * malformed value is refused first, like any query parameter. */
	if (!api_query_bool(a, "dry_run", &flag) ||
	    !api_query_bool(a, "skip_bad", &flag))
		return;
	if (http_query(a->req, "dry_run") || http_query(a->req, "skip_bad") ||
	    http_query(a->req, "map")) {
		http_error(a->resp, 422, "invalid",
			   http_query(a->req, "map")	       ? "map"
			   : http_query(a->req, "dry_run") ? "dry_run"
							   : "skip_bad",
			   "dry_run, skip_bad and map are for text/vcard and "
			   "text/csv bodies; a JSON book is restored whole");
		return;
	}
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
