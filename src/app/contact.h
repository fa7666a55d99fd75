/*
 * contact.h: the writes of a contact, one function per use case: add,
 * update, merge, snooze. Each owns every rule of its write; the store
 * keeps only integrity (ids, versions, owners), and the CLI, the API and
 * a book restore parse their own input, call these, and render.
 *
 * Errors name the field by its JSON key ("emails", "tz", "tags", "name",
 * "org_id", "every", "until"...), the names the API and a book already
 * use; a front end that spells a field otherwise (the CLI's --email)
 * renames err->field and keeps the message. Every function runs inside
 * the caller's transaction and leaves it to the caller to roll back.
 */
#ifndef KITH_APP_CONTACT_H
#define KITH_APP_CONTACT_H

#include "app.h"

/*
 * Is s an address kith keeps? Exactly one '@' with text on both sides;
 * no space, tab or other control character; none of < > , ; (the marks
 * of a pasted "Name <a@b>, c@d" list). A dot in the domain is not
 * required: "root@localhost" and intranet names are real addresses, and
 * the CLI has always taken them. KITH_OK or KITH_EINPUT naming field
 * ("no valid address in \"...\""). Allocates nothing.
 */
int app_email_check(const char *s, const char *field, struct kith_err *err);

/*
 * The country (ISO 3166, "US") a national phone number of a contact in
 * zone tz is read in: tz's when tz is set (none for "UTC"), else the
 * workspace's zone's, else, when the workspace has no zone ("": the
 * server's), the server's. *out NULL when none is known. The phone keys
 * of app_contact_add/update and an import's matching both use it.
 * KITH_OK, or the store's failure reading the workspace.
 */
int app_phone_region(const char **out, struct app_ctx *ctx, const char *tz,
		     struct kith_err *err);

/* The largest vCard a contact keeps for write-back (input/vcard.h's
 * limit on one card). */
#define APP_CARD_MAX ((size_t)8 << 20)

/*
 * Add c to the workspace. The rules, in this order:
 *   name     non-empty                        ("a contact needs a name")
 *   emails   each passes app_email_check
 *   tz       NULL or a zone this machine knows
 *   tags     no empty tag
 *   phones   no empty number; phone_keys are derived here (E.164 in the
 *            country of tz, else of the workspace's zone), never taken
 *   email_labels, phone_labels, address_labels   none, or one per value;
 *            printable, at most 100 bytes
 *   addresses  printable, non-empty, at most 1,000 bytes
 *   uid      NULL or printable, 1 to 1,000 bytes
 *   card     NULL or at most APP_CARD_MAX bytes
 *   tier, every, meet_every   in range (a struct cannot hold a bad word,
 *            but it can hold a bad number)
 *   org_id   non-zero: an organization of this workspace; else org_name,
 *            when non-empty, finds or makes the organization
 * c->id 0 assigns a new id, else it is kept (a restore); created_at and
 * updated_at 0 mean ctx->now.
 *
 * Returns KITH_OK with c->id, c->org_id, c->created_at, c->version
 * written back; KITH_EINPUT with err->field the JSON key of the first
 * broken rule (or "owner" for an owner_id not in the workspace);
 * KITH_ECONFLICT when a kept id is taken; KITH_EIO; KITH_ENOMEM.
 * c stays the caller's, who frees it with contact_clear.
 */
int app_contact_add(struct app_ctx *ctx, struct contact *c,
		    struct kith_err *err);

/*
 * Replace the editable fields of contact c->id with c's: the rules of
 * app_contact_add, but an email, zone or organization already on the
 * stored record stands (a book restored before the rule was this strict
 * stays editable); only values that change are checked. expect_version
 * non-zero must match the stored version.
 *
 * Returns KITH_OK with c->version and c->updated_at written back;
 * KITH_ENOTFOUND (no contact c->id in the workspace); KITH_ECONFLICT
 * (field "version": changed since expect_version); KITH_EINPUT as for
 * app_contact_add; KITH_EIO; KITH_ENOMEM. c stays the caller's.
 */
int app_contact_update(struct app_ctx *ctx, struct contact *c,
		       int64_t expect_version, struct kith_err *err);

/*
 * Merge contact `from` into `into` (see store_contact_merge) and delete
 * `from`. Rule: two different contacts (KITH_EINPUT, field "from",
 * "cannot merge a contact into itself"). KITH_ENOTFOUND when either is
 * not in the workspace; KITH_EIO; KITH_ENOMEM. Hands nothing back.
 */
int app_contact_merge(struct app_ctx *ctx, int64_t from, int64_t into,
		      struct kith_err *err);

/*
 * Keep contact id off the agenda until `until`; KITH_NO_TIME wakes it.
 * Rule: until lies after ctx->now (KITH_EINPUT, field "until", "that time
 * has passed"). KITH_ENOTFOUND; KITH_EIO. Hands nothing back.
 */
int app_contact_snooze(struct app_ctx *ctx, int64_t id, kith_time until,
		       struct kith_err *err);

#endif
