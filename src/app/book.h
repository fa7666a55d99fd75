/*
 * book.h: the workspace as one struct book, both ways. Load reads every
 * row ordered by id (so an export is deterministic); restore writes a
 * book into an empty workspace keeping its ids, in the caller's
 * transaction, and names the failing element ("touchpoints[3].contacts").
 */
#ifndef KITH_APP_BOOK_H
#define KITH_APP_BOOK_H

#include "../core/book.h"
#include "app.h"

/* Read the whole workspace into *out, the caller's to book_clear. The
 * store's KITH_EIO or KITH_ENOMEM leave *out cleared. */
int app_book_load(struct book *out, struct app_ctx *ctx, struct kith_err *err);
/*
 * Write b (borrowed; read only) into the workspace. KITH_ECONFLICT when
 * it already holds contacts or touches; KITH_EINPUT for a book that
 * contradicts itself (a duplicate id, a reference to a missing contact
 * or organization), err placed at file:0 with the element as field
 * ("touchpoints[3].contacts"); or the store's KITH_EIO and KITH_ENOMEM.
 * On failure the rows it wrote are undone (a savepoint); the caller's
 * transaction stays open.
 */
int app_book_restore(struct app_ctx *ctx, struct book *b, const char *file,
		     struct kith_err *err);

#endif
