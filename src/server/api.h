/*
 * api.h: the JSON API's route table and what its handlers share. One
 * table drives dispatch, roles, body limits, the slow-route list and the
 * OpenAPI document, so the document cannot drift from the router.
 */
#ifndef KITH_API_H
#define KITH_API_H

#include "../input/json_body.h"
#include "../render/json_views.h" /* every handler renders: json.h too */
#include "http.h"

/* Everything a handler needs for one request. */
struct api {
	struct store *st;
	struct http_request *req;
	struct http_response *resp;
	struct user user;		/* the signed-in user */
	struct app_ctx ctx;		/* st, the user's workspace, now */
	json_t *body;			/* parsed body, or NULL */
	int64_t id;			/* the {id} of the path, or 0 */
	const char *session_token;	/* set when signed in by cookie */
	int64_t *woken;			/* stream keys to wake (api_stream_key) */
	size_t n_woken;			/* after the commit */
	struct kith_err err;
	bool locked;			/* api_lock began the write */
	/* The token's user is a guess (the last answer this thread saw for
	 * it), its lookup sent ahead with the handler's first read; the
	 * guess is checked before the answer leaves (api_handle). */
	bool guessed;
	bool may_guess;			/* a read whose answer can wait */
	char token_hash[65];
};

enum route_auth { AUTH_PUBLIC, AUTH_VIEWER, AUTH_MEMBER, AUTH_OWNER };

/* A row of api_routes, written with named fields: what a row leaves out
 * is false, 0 or NULL (no body, not slow, public only when said). */
struct route {
	const char *method;
	const char *pattern;		/* "/api/v1/contacts/{id}" */
	enum route_auth auth;
	bool slow;			/* run on a worker thread */
	size_t limit;			/* body bytes; 0: no body */
	void (*fn)(struct api *a);
	const char *summary;
	const char *tag;		/* OpenAPI grouping */
	const char *query;		/* "q,tag,tier,limit,cursor" */
	const char *body;		/* request schema name, or NULL */
	int created;			/* success status (200, 201, 202, 204) */
	/* A write whose handler does its slow part (password hashing,
	 * parsing) first, in a read snapshot with no lock held, and then
	 * calls api_lock. Without it, api_handle takes the write lock
	 * before the handler runs. */
	bool lock_late;
	/* Also takes address-book files: text/vcard (text/x-vcard,
	 * text/directory) and text/csv bodies, handed over unparsed. */
	bool cards;
};

/* Is ct (a Content-Type header, NULL allowed) a vCard or CSV type a
 * .cards route takes? *csv says which. */
bool api_cards_type(const char *ct, bool *csv);

extern const struct route api_routes[];
extern const size_t api_n_routes;

/* The http layer's callbacks, as one struct for http_serve. */
extern const struct http_app api_app;
void api_tick(struct store *st);
/* Webhook deliveries per workspace: a burst of per_min, refilled at
 * per_min a minute, and per_day a UTC day (0: no limit). Before serving.
 * Defaults 600 and 20000. */
void api_signals_limits(long hook_per_min, long hook_per_day);
void api_handle(struct store *st, struct http_request *req,
		struct http_response *resp);
bool api_is_slow(const char *method, const char *path);
/* The http layer's admission check, once the headers are in and before
 * the body is read (review M5): the route's authentication, CSRF and
 * role, so a stranger's upload is refused with 401/403 unread; lowers
 * req->limit to the usual 1 MB for anyone but an owner. */
bool api_admit(struct store *st, struct http_request *req,
	       struct http_response *resp);
/* The session cookie's name for this request: "__Host-kith_session"
 * when it came over HTTPS (req->secure), else "kith_session". */
const char *api_cookie_name(const struct http_request *req);
size_t api_body_limit(const char *method, const char *path);
/* Once, before serving: libsodium, the login limiter. */
int api_init(struct kith_err *err);
/* Failed sign-ins per account and per address (secret.h). */
struct ratelimit *api_login_limit(void);
/* Every sign-in attempt per address, successful ones included. */
struct ratelimit *api_signin_limit(void);
/* Failed sign-ins per address (a hard limit: it blocks only the
 * address that fails). */
struct ratelimit *api_addr_limit(void);
/* How long a session lives: idle at most API_SESSION_IDLE seconds
 * (sliding), and never more than API_SESSION_MAX after sign-in. */
#define API_SESSION_IDLE (12 * 3600)
#define API_SESSION_MAX (30 * 86400)
/* From api_tick: write the batched session and token use (idle
 * deadlines, last_used_at) and purge dead sessions now and then. */
void api_account_tick(struct store *st);
/* A token authenticated (CardDAV Basic or Bearer): its last_used_at is
 * written with the next tick's batch, at most once a minute. */
void api_note_token_use(const char *hash, kith_time now);
/* A password hash no one knows the password of (timing parity). */
const char *api_dummy_hash(void);

/*
 * For lock_late routes: end the handler's read snapshot and begin the
 * write transaction (BEGIN IMMEDIATE, the global write lock), after the
 * slow part is done. Anything read before may have changed: re-read or
 * re-check what matters. KITH_OK, or an error status with a->err set
 * (the caller answers with api_fail). api_handle commits when the
 * handler answers < 400 and rolls back otherwise, only if api_lock
 * began a transaction; a handler that never calls it writes nothing.
 */
int api_lock(struct api *a);
/* Log one security event (sign-in, token, role, password ...): one
 * escaped line "kith: security EVENT user=U ws=W addr=A DETAIL". Never
 * pass a secret. */
void api_audit(struct api *a, const char *event, int64_t user_id,
	       int64_t ws, const char *detail);
/* An event stream's key (http_wake, and the streams-per-user limit):
 * its member by workspace and id, as ids are per workspace (migration
 * 19); distinct for every user id below 2^32. */
static inline int64_t api_stream_key(int64_t ws, int64_t user_id)
{
	return (int64_t)(((uint64_t)ws << 32) ^ (uint64_t)user_id);
}
/* Wake the streams of user_id (of a->ctx.ws) after the commit (they
 * re-check it). */
void api_wake_user(struct api *a, int64_t user_id);

/* Turn a failed call's err into the JSON error the API promises. */
void api_fail(struct api *a, int rc);
/* With If-Match present and not the ETag of current: 412, false. */
bool api_if_match(struct api *a, json_t *current);
/* {"items": items, "next_cursor": cursor|null}; steals items. */
void api_list(struct api *a, json_t *items, const char *next_cursor);
/* Reject body fields outside keys (422 naming the field). */
bool api_only(struct api *a, const char *const *keys);
/* Query parameter name as an integer in [lo, hi] into *out (untouched
 * when absent); anything else is a 422 naming it, and false. */
bool api_query_int(struct api *a, const char *name, long long lo,
		   long long hi, long long *out);
/* Query parameter name as true/1 or false/0 (else 422, false). */
bool api_query_bool(struct api *a, const char *name, bool *out);
/* Parse a positive id from a path parameter; 404 when it is not one. */
bool api_param_id(struct api *a, int i, int64_t *out);

/* Files of the web app (static.c), for paths outside /api/. */
void static_serve(struct http_request *req, struct http_response *resp);

/* Handlers, by file. */
/* api_contacts.c */
void h_contacts_list(struct api *a);
void h_contacts_create(struct api *a);
void h_contact_get(struct api *a);
void h_contact_patch(struct api *a);
void h_contact_delete(struct api *a);
void h_contact_merge(struct api *a);
void h_contact_snooze(struct api *a);
void h_orgs_list(struct api *a);
void h_orgs_create(struct api *a);
void h_org_patch(struct api *a);

/* api_touches.c */
void h_contact_touches(struct api *a);
void h_contact_touch_add(struct api *a);
void h_touches_list(struct api *a);
void h_touches_create(struct api *a);
void h_contact_facts(struct api *a);
void h_contact_fact_add(struct api *a);
void h_contact_dates(struct api *a);
void h_contact_date_add(struct api *a);
void h_contact_promises(struct api *a);
void h_promises_list(struct api *a);
void h_contact_promise_add(struct api *a);
void h_promise_done(struct api *a);
void h_contact_gifts(struct api *a);
void h_contact_gift_add(struct api *a);
void h_cadences_list(struct api *a);
void h_cadences_put(struct api *a);

/* api_views.c */
void h_contact_brief(struct api *a);
void h_contact_health(struct api *a);
void h_agenda(struct api *a);
void h_report(struct api *a);
void h_dates_upcoming(struct api *a);

/* api_book.c */
void h_import(struct api *a);

/* api_feed.c */
void h_export(struct api *a);
void h_feed(struct api *a);
void h_feed_get(struct api *a);
void h_feed_rotate(struct api *a);
/* The feed's rate limiters; from api_init. */
int api_feed_init(struct kith_err *err);

/* api_account.c */
void h_session_create(struct api *a);
void h_session_delete(struct api *a);
void h_me(struct api *a);
void h_users_list(struct api *a);
void h_users_create(struct api *a);
void h_user_get(struct api *a);
void h_user_patch(struct api *a);
void h_user_delete(struct api *a);
void h_tokens_list(struct api *a);
void h_tokens_create(struct api *a);
void h_token_delete(struct api *a);
void h_settings_get(struct api *a);
void h_settings_patch(struct api *a);

/* api_signals.c */
void h_hook(struct api *a);
void h_signals_list(struct api *a);
void h_signals_stats(struct api *a);
void h_signal_attach(struct api *a);
void h_events(struct api *a);
void h_focus_get(struct api *a);
void h_focus_put(struct api *a);
void h_webhook_get(struct api *a);
void h_webhook_rotate(struct api *a);
void h_notify_list(struct api *a);
void h_notify_add(struct api *a);
void h_notify_delete(struct api *a);
void h_mailbox_list(struct api *a);
void h_mailbox_add(struct api *a);
void h_mailbox_delete(struct api *a);
void h_notify_test(struct api *a);
void h_meetings_list(struct api *a);
void h_meetings_import(struct api *a);
void h_meeting_confirm(struct api *a);
void h_meeting_dismiss(struct api *a);

/* dav.c */
void h_carddav(struct api *a);

/* openapi.c */
void h_openapi(struct api *a);

/* JSON of a user as the API shows it (never the password hash). */
json_t *api_user_json(const struct user *u);
/* The CSRF token bound to a session token (derived, never stored). */
void api_csrf_for(char out[65], const char *session_token);

#endif
