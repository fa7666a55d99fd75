/* contact_json.c: a contact object as the API takes it (see
 * contact_json.h). */
#include "contact_json.h"

#include <stdlib.h>
#include <string.h>

const char *const contact_json_keys[] = {
	"name",	 "emails",   "phones",	 "handles", "tags",
	"org",	 "org_id",   "title",	 "tz",	    "notes",
	"tier",	 "every",    "meet_every", "since",   "owner_id",
	"snooze_until", "id", "version", "created_at", "updated_at",
	"summary", "email_labels", "phone_labels", "addresses",
	"address_labels", "uid", NULL
};

static int set_opt_str(char **dst, json_t *b, const char *key,
		       struct kith_err *err)
{
	char *v = NULL;
	int rc;

	if (!json_object_get(b, key))
		return KITH_OK;
	rc = body_strdup(&v, b, key, false, 4096, err);
	if (rc)
		return rc;
	free(*dst);
	*dst = v && *v ? v : NULL;
	if (v && !*v)
		free(v);
	return KITH_OK;
}

static int set_list(json_t *b, const char *key, struct strlist *l,
		    struct kith_err *err)
{
	if (!json_object_get(b, key))
		return KITH_OK;
	strlist_clear(l);
	return body_strlist(l, b, key, err);
}

int contact_json_apply(struct contact *c, json_t *b, struct kith_err *err)
{
	const char *s;
	int rc = KITH_OK;

	if (json_object_get(b, "name")) {
		rc = body_str(&s, b, "name", true, 500, err);
		if (rc)
			return rc;
		free(c->name);
		c->name = strdup(s);
		if (!c->name)
			return kith_err_nomem(err);
	}
	rc = set_list(b, "emails", &c->emails, err);
	if (!rc)
		rc = set_list(b, "phones", &c->phones, err);
	if (!rc)
		rc = set_list(b, "handles", &c->handles, err);
	if (!rc)
		rc = set_list(b, "tags", &c->tags, err);
	if (!rc)
		rc = set_list(b, "email_labels", &c->email_labels, err);
	if (!rc)
		rc = set_list(b, "phone_labels", &c->phone_labels, err);
	if (!rc)
		rc = set_list(b, "addresses", &c->addresses, err);
	if (!rc)
		rc = set_list(b, "address_labels", &c->address_labels, err);
	if (!rc)
		rc = set_opt_str(&c->uid, b, "uid", err);
	if (!rc && json_object_get(b, "org")) {
		c->org_id = 0;
		rc = set_opt_str(&c->org_name, b, "org", err);
	}
	if (!rc && json_object_get(b, "org_id"))
		rc = body_id(&c->org_id, b, "org_id", false, err);
	if (!rc)
		rc = set_opt_str(&c->title, b, "title", err);
	if (!rc)
		rc = set_opt_str(&c->notes, b, "notes", err);
	if (!rc)
		rc = set_opt_str(&c->tz, b, "tz", err);
	if (!rc && json_object_get(b, "tier")) {
		rc = body_str(&s, b, "tier", false, 8, err);
		if (!rc)
			rc = tier_parse(&c->tier, s ? s : "", "tier", err);
	}
	if (!rc && json_object_get(b, "every"))
		rc = body_cadence(&c->every, b, "every", err);
	if (!rc && json_object_get(b, "meet_every"))
		rc = body_cadence(&c->meet_every, b, "meet_every", err);
	if (!rc && json_object_get(b, "since"))
		rc = body_date(&c->since, b, "since", false, err);
	if (!rc && json_object_get(b, "owner_id"))
		rc = body_id(&c->owner_id, b, "owner_id", false, err);
	if (!rc && json_object_get(b, "snooze_until"))
		rc = body_time(&c->snooze_until, b, "snooze_until", false, err);
	return rc;
}
