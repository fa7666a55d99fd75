/* contact.c: the rules of adding, editing, merging and snoozing a
 * contact, shared by every front end. */
#include "contact.h"
#include "../input/phone.h"
#include "../tzif.h"

#include <stdlib.h>
#include <string.h>

int app_email_check(const char *s, const char *field, struct kith_err *err)
{
	const char *at = s ? strchr(s, '@') : NULL;
	bool bad = !at || at == s || !at[1] || strchr(at + 1, '@') ||
		   strpbrk(s, "<>,;");

	for (const unsigned char *p = (const unsigned char *)s; !bad && *p;
	     p++)
		bad = *p <= ' ' || *p == 0x7f;
	if (bad)
		return kith_err_set(err, KITH_EINPUT, field,
				    "no valid address in \"%s\"", s ? s : "");
	return KITH_OK;
}

/* A cadence a parser could have made: days or months, in its limits. */
static int check_cadence(struct cadence c, const char *field,
			 struct kith_err *err)
{
	if (c.days < 0 || c.months < 0 || c.days > 36500 * 7 ||
	    c.months > 1200 || (c.days && c.months))
		return kith_err_set(err, KITH_EINPUT, field,
				    "expected a cadence like 30, 30d, 6w, 3m "
				    "or 1y");
	return KITH_OK;
}

/* An org_id from a client must name an organization of this workspace:
 * another workspace's id is as unknown as one that never existed. */
static int org_here(struct app_ctx *ctx, int64_t org_id,
		    struct kith_err *err)
{
	struct organization *o = NULL;
	size_t n = 0;
	bool found = false;
	int rc;

	rc = store_org_list(&o, &n, ctx->st, ctx->ws, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < n && !found; i++)
		found = o[i].id == org_id;
	store_orgs_free(o, n);
	if (!found)
		return kith_err_set(err, KITH_EINPUT, "org_id",
				    "no organization %lld in this workspace",
				    (long long)org_id);
	return KITH_OK;
}

/* Printable text of at most max bytes: labels, addresses, a UID. */
static int check_text(const char *s, size_t max, const char *field,
		      const char *what, struct kith_err *err)
{
	size_t n = strlen(s);

	if (n > max)
		return kith_err_set(err, KITH_EINPUT, field,
				    "%s longer than %zu bytes", what, max);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < ' ' || *p == 0x7f)
			return kith_err_set(err, KITH_EINPUT, field,
					    "control character in %s", what);
	return KITH_OK;
}

/* Labels run beside their values: none at all, or one per value. */
static int check_labels(const struct strlist *labels,
			const struct strlist *values, const char *field,
			const char *per, struct kith_err *err)
{
	int rc = KITH_OK;

	if (labels->n && labels->n != values->n)
		return kith_err_set(err, KITH_EINPUT, field,
				    "%zu labels for %zu %s (one each, \"\" "
				    "for none)",
				    labels->n, values->n, per);
	for (size_t i = 0; !rc && i < labels->n; i++)
		rc = check_text(labels->v[i], 100, field, "a label", err);
	return rc;
}

static int check_book_fields(const struct contact *c, struct kith_err *err)
{
	int rc;

	rc = check_labels(&c->email_labels, &c->emails, "email_labels",
			  "emails", err);
	if (!rc)
		rc = check_labels(&c->phone_labels, &c->phones, "phone_labels",
				  "phones", err);
	if (!rc)
		rc = check_labels(&c->address_labels, &c->addresses,
				  "address_labels", "addresses", err);
	for (size_t i = 0; !rc && i < c->addresses.n; i++)
		rc = !*c->addresses.v[i]
			     ? kith_err_set(err, KITH_EINPUT, "addresses",
					    "empty address")
			     : check_text(c->addresses.v[i], 1000,
					  "addresses", "an address", err);
	for (size_t i = 0; !rc && i < c->phones.n; i++)
		if (!*c->phones.v[i])
			rc = kith_err_set(err, KITH_EINPUT, "phones",
					  "empty phone number");
	if (!rc && c->uid)
		rc = !*c->uid ? kith_err_set(err, KITH_EINPUT, "uid",
					     "empty uid")
			      : check_text(c->uid, 1000, "uid", "the uid",
					   err);
	if (!rc && c->card && strlen(c->card) > APP_CARD_MAX)
		rc = kith_err_set(err, KITH_EINPUT, "card",
				  "card longer than %zu bytes",
				  (size_t)APP_CARD_MAX);
	return rc;
}

/*
 * Derive each phone's E.164 key, reading a national number in the
 * country of the contact's zone, else the workspace's. The keys are the
 * use case's, never the input's: what a client sends is replaced.
 */
int app_phone_region(const char **out, struct app_ctx *ctx, const char *tz,
		     struct kith_err *err)
{
	struct workspace w = { 0 };
	int rc;

	*out = tzif_country(tz);
	if (*out || tz)
		return KITH_OK;
	rc = store_workspace_get(&w, ctx->st, ctx->ws, err);
	if (rc)
		return rc;
	*out = w.tz && *w.tz ? tzif_country(w.tz) : tzif_local_country();
	workspace_clear(&w);
	return KITH_OK;
}

static int phone_keys_fill(struct app_ctx *ctx, struct contact *c,
			   struct kith_err *err)
{
	const char *region = NULL;
	int rc = KITH_OK;

	strlist_clear(&c->phone_keys);
	if (!c->phones.n)
		return KITH_OK;
	rc = app_phone_region(&region, ctx, c->tz, err);
	for (size_t i = 0; !rc && i < c->phones.n; i++) {
		char key[PHONE_E164_MAX] = "";

		/* Not a number it can read: kept as typed, matched as typed. */
		if (phone_e164(key, c->phones.v[i], region, "phones", NULL))
			key[0] = '\0';
		if (strlist_push(&c->phone_keys, key))
			rc = kith_err_nomem(err);
	}
	return rc;
}

/* The rules of add and update; old is the stored record (NULL: add),
 * whose values stand unchecked. */
static int check_contact(struct app_ctx *ctx, struct contact *c,
			 const struct contact *old, struct kith_err *err)
{
	int rc = KITH_OK;

	if (!c->name || !*c->name)
		return kith_err_set(err, KITH_EINPUT, "name",
				    "a contact needs a name");
	for (size_t i = 0; !rc && i < c->emails.n; i++)
		if (!old || !strlist_has_ci(&old->emails, c->emails.v[i]))
			rc = app_email_check(c->emails.v[i], "emails", err);
	if (!rc && c->tz && (!old || !old->tz || strcmp(old->tz, c->tz)) &&
	    !kith_tz_valid(c->tz))
		rc = kith_err_set(err, KITH_EINPUT, "tz",
				  "unknown time zone \"%s\" (e.g. "
				  "America/Chicago)",
				  c->tz);
	for (size_t i = 0; !rc && i < c->tags.n; i++)
		if (!*c->tags.v[i])
			rc = kith_err_set(err, KITH_EINPUT, "tags",
					  "empty tag");
	if (!rc && c->tier >= TIER_COUNT)
		rc = kith_err_set(err, KITH_EINPUT, "tier",
				  "unknown tier (A, B, C or none)");
	if (!rc)
		rc = check_cadence(c->every, "every", err);
	if (!rc)
		rc = check_cadence(c->meet_every, "meet_every", err);
	if (!rc)
		rc = check_book_fields(c, err);
	if (!rc)
		rc = phone_keys_fill(ctx, c, err);
	if (rc)
		return rc;
	if (c->org_id && (!old || c->org_id != old->org_id))
		return org_here(ctx, c->org_id, err);
	if (!c->org_id && c->org_name && *c->org_name)
		return store_org_ensure(&c->org_id, ctx->st, ctx->ws,
					c->org_name, ctx->now, err);
	return KITH_OK;
}

int app_contact_add(struct app_ctx *ctx, struct contact *c,
		    struct kith_err *err)
{
	int rc = check_contact(ctx, c, NULL, err);

	if (!rc)
		rc = store_contact_add(ctx->st, ctx->ws, c, ctx->now, err);
	return rc;
}

int app_contact_update(struct app_ctx *ctx, struct contact *c,
		       int64_t expect_version, struct kith_err *err)
{
	struct contact old;
	int rc;

	rc = store_contact_get(&old, ctx->st, ctx->ws, c->id, err);
	if (rc)
		return rc;
	rc = check_contact(ctx, c, &old, err);
	if (!rc)
		rc = store_contact_update(ctx->st, ctx->ws, c, expect_version,
					  ctx->now, err);
	contact_clear(&old);
	return rc;
}

int app_contact_merge(struct app_ctx *ctx, int64_t from, int64_t into,
		      struct kith_err *err)
{
	if (from == into)
		return kith_err_set(err, KITH_EINPUT, "from",
				    "cannot merge a contact into itself");
	return store_contact_merge(ctx->st, ctx->ws, from, into, ctx->now,
				   err);
}

int app_contact_snooze(struct app_ctx *ctx, int64_t id, kith_time until,
		       struct kith_err *err)
{
	if (until != KITH_NO_TIME && until <= ctx->now)
		return kith_err_set(err, KITH_EINPUT, "until",
				    "that time has passed");
	return store_contact_snooze(ctx->st, ctx->ws, id, until, ctx->now,
				    err);
}
