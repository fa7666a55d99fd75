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

int app_book_load(struct app_ctx *ctx, struct book *out, struct kith_err *err);
/* KITH_ECONFLICT when the workspace already holds contacts or touches. */
int app_book_restore(struct app_ctx *ctx, struct book *b, const char *file,
		     struct kith_err *err);

#endif
