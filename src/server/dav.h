/*
 * dav.h: CardDAV (RFC 6352 over WebDAV, RFC 4918; sync by RFC 6578) in
 * kith serve. Each user sees their workspace's contacts as one address
 * book:
 *
 *   /.well-known/carddav                    301 to /dav/
 *   /  and  /dav/                           PROPFIND: the principal
 *   /dav/principals/<user id>/              the principal
 *   /dav/addressbooks/<user id>/            the address-book home
 *   /dav/addressbooks/<user id>/contacts/   the address book
 *   /dav/addressbooks/<user id>/contacts/<name>   one card
 *
 * A card's name is the one the client PUT it under (kept per contact),
 * else its percent-encoded UID plus ".vcf", else "kith-<id>.vcf". Its
 * ETag is the workspace change count of its last change, so it changes
 * exactly when a write could have changed the card. Authentication is
 * HTTP Basic over the same accounts (email and password, or an API
 * token as the password), checked before any body is read; roles and
 * tenancy are the API's. api.c sends DAV's requests here.
 */
#ifndef KITH_DAV_H
#define KITH_DAV_H

#include "http.h"

/* Largest card a PUT may send. */
#define DAV_CARD_MAX ((size_t)8 << 20)

/* Is this request CardDAV's (a /dav/ path, the well-known URL, or a
 * DAV method on the bare server URL "/")? */
bool dav_owns(const char *method, const char *path);
/* The body limit for a DAV request. */
size_t dav_body_limit(const char *method, const char *path);
/* Who asks, before the body: 401 (with a Basic challenge) or 429
 * filled in resp and false when they may not go on. */
bool dav_admit(struct store *st, struct http_request *req,
	       struct http_response *resp);
/* Answer a DAV request. */
void dav_handle(struct store *st, struct http_request *req,
		struct http_response *resp);
/* Once before serving (libxml2). */
void dav_init(void);

#endif
