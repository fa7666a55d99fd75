/*
 * book.h: a whole workspace as plain arrays: what a JSON backup holds.
 * Filled by app_book_load or book_parse_json; written by kj_book_dump or
 * app_book_restore. book_clear frees everything it holds.
 */
#ifndef KITH_BOOK_H
#define KITH_BOOK_H

#include "model.h"

struct book_cadence {
	enum cadence_scope scope;
	char *key;
	struct cadence every, meet;
};

struct book {
	char *ws_name;
	char *ws_tz;
	int work_start_min, work_end_min, response_target_min;
	struct book_cadence *cadences;
	size_t n_cadences;
	struct organization *orgs;
	size_t n_orgs;
	struct contact *contacts;
	size_t n_contacts;
	struct touchpoint *touches;
	size_t n_touches;
	struct fact *facts;
	size_t n_facts;
	struct kdate *dates;
	size_t n_dates;
	struct promise *promises;
	size_t n_promises;
	struct gift *gifts;
	size_t n_gifts;
	struct revenue *revenue;
	size_t n_revenue;
};

/* Free every array and string b owns and zero it; NULL is fine, and a
 * cleared book may be cleared again. Not the struct itself. */
void book_clear(struct book *b);

#endif
