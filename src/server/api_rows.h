/*
 * api_rows.h: what the book's handler rooms (api_contacts.c,
 * api_touches.c, api_views.c) share: the keyset cursor, the path's
 * contact, and the one shape of a list answer. Private to server/; the
 * route table and the handlers' prototypes stay in api.h.
 */
#ifndef KITH_API_ROWS_H
#define KITH_API_ROWS_H

#include "api.h"

/* ?cursor= (the last id of the previous page, opaque to clients; 0 when
 * absent) and ?limit= (1-1000, 50 when absent). false after answering
 * 422 naming the parameter. */
bool api_cursor(struct api *a, int64_t *after, size_t *limit);

/* true when contact a->id is in this workspace; else false after
 * answering its error (404). */
bool api_contact_here(struct api *a);

/* One row of a list answer: a new JSON value for row, or NULL (out of
 * memory: the row is left out). a is the request, for rows that show
 * times relative to its clock. */
typedef json_t *(*api_row_fn)(struct api *a, const void *row);

/*
 * The answer of a store list call that returned rc with n rows of size
 * bytes at rows: on rc the error (api_fail), else {"items": [row(r)...],
 * "next_cursor": null}. The rows stay the caller's (free them after,
 * whatever rc was).
 */
void api_rows(struct api *a, int rc, const void *rows, size_t n, size_t size,
	      api_row_fn row);

#endif
