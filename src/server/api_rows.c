/* api_rows.c: the cursor, the path's contact and the list answer the
 * book's handler rooms share (see api_rows.h). */
#include "api_rows.h"

bool api_cursor(struct api *a, int64_t *after, size_t *limit)
{
	long long cur = 0, lim = 50;

	if (!api_query_int(a, "cursor", 0, INT64_MAX, &cur) ||
	    !api_query_int(a, "limit", 1, 1000, &lim))
		return false;
	*after = cur;
	*limit = (size_t)lim;
	return true;
}

bool api_contact_here(struct api *a)
{
	struct contact c;
	int rc = store_contact_get_lean(&c, a->st, a->ctx.ws, a->id,
					 &a->err);

	if (rc) {
		api_fail(a, rc);
		return false;
	}
	contact_clear(&c);
	return true;
}

void api_rows(struct api *a, int rc, const void *rows, size_t n, size_t size,
	      api_row_fn row)
{
	json_t *items;

	if (rc) {
		api_fail(a, rc);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items,
				      row(a, (const char *)rows + i * size));
	api_list(a, items, NULL);
}
