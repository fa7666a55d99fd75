/* book_json.c: the JSON backup reader; strict, with paths in errors. */
#include "book_json.h"
#include "json_body.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Strings in a backup are as long as the user made them. */
#define ANY_LEN SIZE_MAX

/* body_int for the narrower int fields. */
static int get_int(int *out, json_t *o, const char *k, int lo, int hi,
		   struct kith_err *err)
{
	int64_t v = *out;
	int rc = body_int(&v, o, k, false, lo, hi, err);

	if (!rc)
		*out = (int)v;
	return rc;
}

static const char *const contact_keys[] = {
	"id",	    "name",	"emails",     "phones",	    "handles",
	"tags",	    "org_id",	"org",	      "title",	    "tz",
	"notes",    "tier",	"every",      "meet_every", "since",
	"owner_id", "snooze_until", "created_at", "updated_at", "version",
	"summary",  "email_labels", "phone_labels", "addresses",
	"address_labels", "uid", "card", NULL
};

static int read_contact(json_t *o, struct contact *c, struct kith_err *err)
{
	const char *tier = NULL;
	int rc;

	contact_init(c);
	c->version = 1;
	rc = body_only(o, contact_keys, err);
	if (!rc)
		rc = body_id(&c->id, o, "id", true, err);
	if (!rc)
		rc = body_strdup(&c->name, o, "name", true, ANY_LEN, err);
	if (!rc)
		rc = body_strlist(&c->emails, o, "emails", err);
	if (!rc)
		rc = body_strlist(&c->phones, o, "phones", err);
	if (!rc)
		rc = body_strlist(&c->handles, o, "handles", err);
	if (!rc)
		rc = body_strlist(&c->tags, o, "tags", err);
	if (!rc)
		rc = body_strlist(&c->email_labels, o, "email_labels", err);
	if (!rc)
		rc = body_strlist(&c->phone_labels, o, "phone_labels", err);
	if (!rc)
		rc = body_strlist(&c->addresses, o, "addresses", err);
	if (!rc)
		rc = body_strlist(&c->address_labels, o, "address_labels", err);
	if (!rc)
		rc = body_strdup(&c->uid, o, "uid", false, ANY_LEN, err);
	if (!rc)
		rc = body_strdup(&c->card, o, "card", false, ANY_LEN, err);
	if (!rc)
		rc = body_id(&c->org_id, o, "org_id", false, err);
	if (!rc)
		rc = body_strdup(&c->title, o, "title", false, ANY_LEN, err);
	if (!rc)
		rc = body_strdup(&c->tz, o, "tz", false, ANY_LEN, err);
	if (!rc)
		rc = body_strdup(&c->notes, o, "notes", false, ANY_LEN, err);
	if (!rc)
		rc = body_str(&tier, o, "tier", false, ANY_LEN, err);
	if (!rc && tier && tier_parse(&c->tier, tier, "tier", err))
		rc = body_error(err, "tier", "%s", err->msg);
	if (!rc)
		rc = body_cadence(&c->every, o, "every", err);
	if (!rc)
		rc = body_cadence(&c->meet_every, o, "meet_every", err);
	if (!rc)
		rc = body_date(&c->since, o, "since", false, err);
	if (!rc)
		rc = body_id(&c->owner_id, o, "owner_id", false, err);
	if (!rc)
		rc = body_time(&c->snooze_until, o, "snooze_until", false, err);
	if (!rc)
		rc = body_time(&c->created_at, o, "created_at", false, err);
	if (!rc)
		rc = body_time(&c->updated_at, o, "updated_at", false, err);
	if (!rc)
		rc = body_int(&c->version, o, "version", false, 1, 1 << 30,
			      err);
	if (c->created_at == KITH_NO_TIME)
		c->created_at = 0;
	if (c->updated_at == KITH_NO_TIME)
		c->updated_at = 0;
	return rc;
}

static const char *const touch_keys[] = {
	"id",	    "at",	"channel", "direction", "minutes", "note",
	"source",   "contacts", "users",   "created_at", NULL
};

static int read_touch(json_t *o, struct touchpoint *t, struct kith_err *err)
{
	const char *ch = NULL, *dir = NULL;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = body_only(o, touch_keys, err);
	if (!rc)
		rc = body_id(&t->id, o, "id", true, err);
	if (!rc)
		rc = body_time(&t->at, o, "at", true, err);
	if (!rc)
		rc = body_str(&ch, o, "channel", true, ANY_LEN, err);
	if (!rc && channel_parse(&t->channel, ch, "channel", err))
		rc = body_error(err, "channel", "%s", err->msg);
	if (!rc)
		rc = body_str(&dir, o, "direction", false, ANY_LEN, err);
	if (!rc && dir && direction_parse(&t->direction, dir, "direction", err))
		rc = body_error(err, "direction", "%s", err->msg);
	if (!rc)
		rc = get_int(&t->minutes, o, "minutes", 0, 100000, err);
	if (!rc)
		rc = body_strdup(&t->note, o, "note", false, ANY_LEN, err);
	if (!rc)
		rc = body_strdup(&t->source, o, "source", false, ANY_LEN, err);
	if (!rc)
		rc = body_ids(&t->contacts, &t->n_contacts, o, "contacts", err);
	if (!rc && !t->n_contacts)
		rc = body_error(err, "contacts", "a touchpoint needs a contact");
	if (!rc && t->n_contacts > KITH_TOUCH_MAX_PEOPLE)
		rc = body_error(err, "contacts", "at most %d contacts",
				KITH_TOUCH_MAX_PEOPLE);
	if (!rc)
		rc = body_ids(&t->users, &t->n_users, o, "users", err);
	if (!rc)
		rc = body_time(&t->created_at, o, "created_at", false, err);
	/* A row without its stamp was made when it happened (0 would have
	 * the use case stamp it with the time of the restore). */
	if (t->created_at == KITH_NO_TIME)
		t->created_at = t->at;
	return rc;
}

static int read_fact(json_t *o, struct fact *f, struct kith_err *err)
{
	static const char *const keys[] = { "id", "contact_id", "text",
					    "created_at", NULL };
	int rc;

	memset(f, 0, sizeof(*f));
	rc = body_only(o, keys, err);
	if (!rc)
		rc = body_id(&f->id, o, "id", true, err);
	if (!rc)
		rc = body_id(&f->contact_id, o, "contact_id", true, err);
	if (!rc)
		rc = body_strdup(&f->text, o, "text", true, ANY_LEN, err);
	if (!rc)
		rc = body_time(&f->created_at, o, "created_at", false, err);
	if (f->created_at == KITH_NO_TIME)
		f->created_at = 0;
	return rc;
}

int book_parse_kdate(struct kdate *d, const char *s, const char *field,
		     struct kith_err *err)
{
	char buf[16];

	if (s && !strncmp(s, "--", 2) && strlen(s) == 7) {
		/* A leap year holds Feb 29; the year is marked unknown. */
		snprintf(buf, sizeof(buf), "2000-%s", s + 2);
		d->year_known = false;
		if (!kith_date_parse(&d->day, buf, field, err))
			return KITH_OK;
		/* Quote what was typed, not the year we lent it. */
		if (isdigit((unsigned char)s[2]) &&
		    isdigit((unsigned char)s[3]) && s[4] == '-' &&
		    isdigit((unsigned char)s[5]) && isdigit((unsigned char)s[6]))
			return kith_err_set(err, KITH_EINPUT, field,
					    "no such date: \"%s\"", s);
		return kith_err_set(err, KITH_EINPUT, field,
				    "expected a date YYYY-MM-DD or --MM-DD, "
				    "got \"%s\"", s);
	}
	d->year_known = true;
	return kith_date_parse(&d->day, s, field, err);
}

static int read_kdate(json_t *o, struct kdate *d, struct kith_err *err)
{
	static const char *const keys[] = { "id",     "contact_id", "kind",
					    "date",   "yearly",     "created_at",
					    "in_days", "years",	    NULL };
	const char *date = NULL;
	int rc;

	memset(d, 0, sizeof(*d));
	d->yearly = true;
	rc = body_only(o, keys, err);
	if (!rc)
		rc = body_id(&d->id, o, "id", true, err);
	if (!rc)
		rc = body_id(&d->contact_id, o, "contact_id", true, err);
	if (!rc)
		rc = body_strdup(&d->kind, o, "kind", true, ANY_LEN, err);
	if (!rc)
		rc = body_str(&date, o, "date", true, ANY_LEN, err);
	if (!rc && book_parse_kdate(d, date, "date", err))
		rc = body_error(err, "date", "%s", err->msg);
	if (!rc)
		rc = body_bool(&d->yearly, o, "yearly", false, err);
	if (!rc)
		rc = body_time(&d->created_at, o, "created_at", false, err);
	if (d->created_at == KITH_NO_TIME)
		d->created_at = 0;
	return rc;
}

static int read_promise(json_t *o, struct promise *p, struct kith_err *err)
{
	static const char *const keys[] = { "id",	  "contact_id",
					    "contact_name", "text",
					    "due",	  "done_at",
					    "created_at",	  "overdue",
					    NULL };
	int rc;

	memset(p, 0, sizeof(*p));
	rc = body_only(o, keys, err);
	if (!rc)
		rc = body_id(&p->id, o, "id", true, err);
	if (!rc)
		rc = body_id(&p->contact_id, o, "contact_id", true, err);
	if (!rc)
		rc = body_strdup(&p->text, o, "text", true, ANY_LEN, err);
	if (!rc)
		rc = body_time(&p->due, o, "due", false, err);
	if (!rc)
		rc = body_time(&p->done_at, o, "done_at", false, err);
	if (!rc)
		rc = body_time(&p->created_at, o, "created_at", false, err);
	if (p->created_at == KITH_NO_TIME)
		p->created_at = 0;
	return rc;
}

static int read_gift(json_t *o, struct gift *g, struct kith_err *err)
{
	static const char *const keys[] = { "id",    "contact_id", "org_id",
					    "text",  "value",	   "at",
					    NULL };
	int rc;

	memset(g, 0, sizeof(*g));
	rc = body_only(o, keys, err);
	if (!rc)
		rc = body_id(&g->id, o, "id", true, err);
	if (!rc)
		rc = body_id(&g->contact_id, o, "contact_id", false, err);
	if (!rc)
		rc = body_id(&g->org_id, o, "org_id", false, err);
	if (!rc)
		rc = body_strdup(&g->text, o, "text", true, ANY_LEN, err);
	if (!rc)
		rc = body_money(&g->value_cents, o, "value", err);
	if (!rc)
		rc = body_time(&g->at, o, "at", true, err);
	return rc;
}

static int read_revenue(json_t *o, struct revenue *v, struct kith_err *err)
{
	static const char *const keys[] = { "id",     "contact_id", "org_id",
					    "amount", "at",	    "note",
					    NULL };
	int rc;

	memset(v, 0, sizeof(*v));
	rc = body_only(o, keys, err);
	if (!rc)
		rc = body_id(&v->id, o, "id", true, err);
	if (!rc)
		rc = body_id(&v->contact_id, o, "contact_id", false, err);
	if (!rc)
		rc = body_id(&v->org_id, o, "org_id", false, err);
	if (!rc)
		rc = body_money(&v->amount_cents, o, "amount", err);
	if (!rc)
		rc = body_time(&v->at, o, "at", true, err);
	if (!rc)
		rc = body_strdup(&v->note, o, "note", false, ANY_LEN, err);
	return rc;
}

static int read_org(json_t *o, struct organization *org,
		    struct kith_err *err)
{
	static const char *const keys[] = { "id", "name", "created_at", NULL };
	int rc;

	memset(org, 0, sizeof(*org));
	rc = body_only(o, keys, err);
	if (!rc)
		rc = body_id(&org->id, o, "id", true, err);
	if (!rc)
		rc = body_strdup(&org->name, o, "name", true, ANY_LEN, err);
	if (!rc)
		rc = body_time(&org->created_at, o, "created_at", false, err);
	if (org->created_at == KITH_NO_TIME)
		org->created_at = 0;
	return rc;
}

static int read_cadence(json_t *o, struct book_cadence *c,
			struct kith_err *err)
{
	static const char *const keys[] = { "scope", "key", "every",
					    "meet_every", NULL };
	const char *scope = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	rc = body_only(o, keys, err);
	if (!rc)
		rc = body_str(&scope, o, "scope", true, ANY_LEN, err);
	if (!rc && cadence_scope_parse(&c->scope, scope, "scope", NULL))
		rc = body_error(err, "scope", "expected default, tier or tag");
	if (!rc)
		rc = body_strdup(&c->key, o, "key", false, ANY_LEN, err);
	if (!rc && !c->key) {
		c->key = strdup("");
		if (!c->key)
			rc = kith_err_nomem(err);
	}
	if (!rc)
		rc = body_cadence(&c->every, o, "every", err);
	if (!rc)
		rc = body_cadence(&c->meet, o, "meet_every", err);
	return rc;
}

/* Read array `key` of root into *arr with fn per element; errors inside
 * element i name "key[i]." before the field. */
#define READ_ARRAY(key, arr, n, fn)                                          \
	do {                                                                 \
		json_t *a_ = json_object_get(root, key), *e_;                \
		size_t i_;                                                   \
		if (!a_)                                                     \
			break;                                               \
		if (!json_is_array(a_)) {                                    \
			rc = body_error(err, key, "expected an array");      \
			goto done;                                           \
		}                                                            \
		if (json_array_size(a_) > KITH_BOOK_MAX_ITEMS) {             \
			rc = body_error(err, key, "at most %d items",        \
					KITH_BOOK_MAX_ITEMS);                \
			goto done;                                           \
		}                                                            \
		(arr) = calloc(json_array_size(a_) + 1, sizeof(*(arr)));     \
		if (!(arr)) {                                                \
			rc = kith_err_nomem(err);                            \
			goto done;                                           \
		}                                                            \
		json_array_foreach(a_, i_, e_) {                             \
			body_prefix("%s[%zu]", key, i_);                     \
			if (!json_is_object(e_)) {                           \
				rc = body_error(err, "",                     \
						"expected an object");       \
				goto done;                                   \
			}                                                    \
			(n)++;                                               \
			rc = fn(e_, &(arr)[i_], err);                        \
			if (rc)                                              \
				goto done;                                   \
		}                                                            \
		body_prefix_clear();                                         \
	} while (0)

int book_parse_json(struct book *out, const char *text, size_t len,
		    const char *file, struct kith_err *err)
{
	static const char *const root_keys[] = {
		"format",     "version",     "workspace", "cadences",
		"organizations", "contacts", "touchpoints", "facts",
		"dates",      "promises",    "gifts",	  "revenue",
		NULL
	};
	static const char *const ws_keys[] = {
		"name", "tz", "work_start_minutes", "work_end_minutes",
		"response_target_minutes", NULL
	};
	json_t *root = NULL, *ws, *fmt;
	int rc;

	memset(out, 0, sizeof(*out));
	out->work_start_min = 540;
	out->work_end_min = 1080;
	out->response_target_min = 30;
	rc = body_parse_at(&root, text, len, file, err);
	if (rc)
		goto done;
	fmt = json_object_get(root, "format");
	if (!json_is_string(fmt) ||
	    strcmp(json_string_value(fmt), "kith-book")) {
		rc = body_error(err, "format", "not a kith book (expected "
					       "\"format\": \"kith-book\")");
		goto done;
	}
	if (json_integer_value(json_object_get(root, "version")) != 1) {
		rc = body_error(err, "version", "unsupported book version");
		goto done;
	}
	rc = body_only(root, root_keys, err);
	if (rc)
		goto done;
	ws = json_object_get(root, "workspace");
	if (ws) {
		body_prefix("workspace");
		if (!json_is_object(ws)) {
			rc = body_error(err, "", "expected an object");
			goto done;
		}
		rc = body_only(ws, ws_keys, err);
		if (!rc)
			rc = body_strdup(&out->ws_name, ws, "name", false,
					 ANY_LEN, err);
		if (!rc)
			rc = body_strdup(&out->ws_tz, ws, "tz", false, ANY_LEN,
					 err);
		/* "" is the server's zone; anything else must be a zone name
		 * (a path such as /dev/stdin once hung every request). */
		if (!rc && out->ws_tz && *out->ws_tz &&
		    !kith_tz_valid(out->ws_tz))
			rc = body_error(err, "tz",
					"unknown time zone \"%.64s\"",
					out->ws_tz);
		if (!rc)
			rc = get_int(&out->work_start_min, ws,
				     "work_start_minutes", 0, 1440, err);
		if (!rc)
			rc = get_int(&out->work_end_min, ws, "work_end_minutes",
				     0, 1440, err);
		if (!rc)
			rc = get_int(&out->response_target_min, ws,
				     "response_target_minutes", 1, 100000, err);
		if (rc)
			goto done;
		body_prefix_clear();
	}
	READ_ARRAY("cadences", out->cadences, out->n_cadences, read_cadence);
	READ_ARRAY("organizations", out->orgs, out->n_orgs, read_org);
	READ_ARRAY("contacts", out->contacts, out->n_contacts, read_contact);
	READ_ARRAY("touchpoints", out->touches, out->n_touches, read_touch);
	READ_ARRAY("facts", out->facts, out->n_facts, read_fact);
	READ_ARRAY("dates", out->dates, out->n_dates, read_kdate);
	READ_ARRAY("promises", out->promises, out->n_promises, read_promise);
	READ_ARRAY("gifts", out->gifts, out->n_gifts, read_gift);
	READ_ARRAY("revenue", out->revenue, out->n_revenue, read_revenue);
done:
	/* The prefix is per thread; leave none behind for the next caller. */
	body_prefix_clear();
	json_decref(root);
	if (rc == KITH_ESYNTAX) {
		/* The CLI has one status for bad input files: exit 2. */
		rc = KITH_EINPUT;
		if (err)
			err->status = KITH_EINPUT;
	} else if (rc == KITH_EINPUT) {
		kith_err_at(err, file, 0);
	}
	if (rc)
		book_clear(out);
	return rc;
}
