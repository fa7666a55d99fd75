/*
 * contact_json.h: read a contact object as the API takes it (POST and
 * PATCH /contacts) into a struct contact: types and lengths only, field
 * by field, naming the JSON key. The rules of a contact (emails, zone,
 * tags, the organization) are app_contact_add's (app/contact.h); a book
 * backup's contacts are read by book_json.h, ids and stamps included.
 * So a new field on a contact is read here, not in a handler.
 */
#ifndef KITH_CONTACT_JSON_H
#define KITH_CONTACT_JSON_H

#include "json_body.h"

/* The keys a contact object may hold, NULL-terminated: the editable
 * fields, and the ones the API shows (id, version, summary...) so a
 * client may send back what it read; those are ignored. */
extern const char *const contact_json_keys[];

/*
 * Apply the fields present in o to c (create and PATCH alike): a string
 * "" or null clears an optional one, a list replaces the list, "org"
 * names an organization (and clears org_id). KITH_OK, or KITH_EINPUT
 * naming the key (c then holds the fields read so far: the caller
 * frees it with contact_clear either way); KITH_ENOMEM.
 */
int contact_json_apply(struct contact *c, json_t *o, struct kith_err *err);

#endif
