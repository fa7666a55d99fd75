/* fuzz_json_body.c: libFuzzer target for the request-body reader. Any
 * input must parse or fail with KITH_ESYNTAX; on a parsed body every
 * getter, on every key, must answer KITH_OK or KITH_EINPUT with what its
 * header promises, and never crash or leak. */
#include "input/json_body.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The keys the seed bodies use, and one nobody does. */
static const char *const keys[] = {
	"name",	    "note",	"text",	    "kind",	"channel", "id",
	"org_id",   "n",	"minutes",  "b",	"yearly",  "at",
	"due",	    "since",	"d",	    "every",	"meet_every",
	"v",	    "value",	"amount",   "tags",	"emails",  "contacts",
	"users",    "items",	"",	    "absent",	NULL
};

static void check(int ok)
{
	if (!ok)
		abort();
}

/* A getter answered: fine, refused as bad input, or out of memory. A
 * refusal names a field that ends with the key. */
static void check_rc(int rc, const struct kith_err *err, const char *key)
{
	size_t fl, kl;

	if (rc == KITH_OK || rc == KITH_ENOMEM)
		return;
	check(rc == KITH_EINPUT && err->status == KITH_EINPUT);
	check(err->msg[0] != '\0');
	fl = strlen(err->field);
	kl = strlen(key);
	check(fl + 1 >= sizeof(err->field) ||
	      (fl >= kl && !strcmp(err->field + fl - kl, key)));
}

static void getters(json_t *o)
{
	for (size_t i = 0; keys[i]; i++) {
		const char *k = keys[i];
		struct kith_err err = { 0 };
		struct strlist l = { 0 };
		struct cadence c = { .days = 7 };
		const char *s = NULL;
		char *dup = NULL;
		int64_t v = -5, cents = -5, *ids = NULL;
		kith_time t;
		int32_t day;
		size_t n;
		bool b = true;
		int rc;

		rc = body_str(&s, o, k, false, 16, &err);
		check_rc(rc, &err, k);
		check(rc || !s ||
		      (strlen(s) <= 16 && kith_utf8_valid(s, strlen(s))));
		rc = body_str(&s, o, k, true, 0, &err);
		check_rc(rc, &err, k);
		check(rc || *s);
		rc = body_strdup(&dup, o, k, false, 0, &err);
		check_rc(rc, &err, k);
		check(!rc || !dup);
		free(dup);
		rc = body_int(&v, o, k, false, -3, 100000, &err);
		check_rc(rc, &err, k);
		check(v == -5 || (v >= -3 && v <= 100000));
		rc = body_id(&v, o, k, false, &err);
		check_rc(rc, &err, k);
		check(v >= 0);
		check_rc(body_bool(&b, o, k, true, &err), &err, k);
		rc = body_time(&t, o, k, false, &err);
		check_rc(rc, &err, k);
		check(!rc || t == KITH_NO_TIME);
		rc = body_date(&day, o, k, false, &err);
		check_rc(rc, &err, k);
		check(!rc || day == KITH_NO_DAY);
		rc = body_cadence(&c, o, k, &err);
		check_rc(rc, &err, k);
		check(c.days >= 0 && c.days <= 36500 * 7 && c.months >= 0 &&
		      c.months <= 1200);
		rc = body_money(&cents, o, k, &err);
		check_rc(rc, &err, k);
		check(cents == -5 || llabs(cents) <= 1000000000000000LL);
		check(strlist_push(&l, "seed") == 0);
		rc = body_strlist(&l, o, k, &err);
		check_rc(rc, &err, k);
		check(!rc || l.n == 1);
		strlist_clear(&l);
		rc = body_ids(&ids, &n, o, k, &err);
		check_rc(rc, &err, k);
		check(!n == !ids);
		for (size_t j = 0; j < n; j++)
			check(ids[j] > 0);
		free(ids);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kith_err err = { 0 };
	json_t *o, *items, *e;
	size_t i;
	int rc;

	rc = body_parse(&o, (const char *)data, size, &err);
	if (rc) {
		check(!o);
		check(rc == KITH_ESYNTAX || rc == KITH_ENOMEM);
		check((int)err.status == rc && err.msg[0]);
		return 0;
	}
	check(json_is_object(o));
	check_rc(body_only(o, keys, &err), &err, "");
	getters(o);
	/* Nested elements, as a handler walks a list in a body. */
	items = json_object_get(o, "items");
	json_array_foreach(items, i, e) {
		if (!json_is_object(e))
			continue;
		body_prefix("items[%zu]", i);
		check_rc(body_only(e, keys, &err), &err, "");
		getters(e);
	}
	body_prefix_clear();
	json_decref(o);
	return 0;
}
