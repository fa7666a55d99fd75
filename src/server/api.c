/* api.c: the route table, dispatch, authentication and error mapping. */
#include "api.h"
#include "dav.h"
#include "../app/notify.h"
#include "../secret.h"
#include "../render/json.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KB ((size_t)1024)
#define MB (KB * KB)
#define BODY (1 * MB)		/* the usual route limit */
#define IMPORT (64 * MB)	/* a whole book */

/* Roles: viewers read, members write, owners manage people and tokens. */
const struct route api_routes[] = {
	{ .method = "GET", .pattern = "/api/v1/openapi.json",
	  .auth = AUTH_PUBLIC, .fn = h_openapi, .summary = "This document",
	  .tag = "meta", .created = 200 },
	/* Password hashing takes ~0.1 s: off the polling threads. */
	{ .method = "POST", .pattern = "/api/v1/session", .auth = AUTH_PUBLIC,
	  .slow = true, .limit = BODY, .fn = h_session_create,
	  .summary = "Sign in; sets the session cookie", .tag = "account",
	  .body = "Credentials", .created = 200, .lock_late = true },
	{ .method = "DELETE", .pattern = "/api/v1/session", .auth = AUTH_VIEWER,
	  .fn = h_session_delete, .summary = "Sign out", .tag = "account",
	  .created = 204 },
	{ .method = "GET", .pattern = "/api/v1/me", .auth = AUTH_VIEWER,
	  .fn = h_me, .summary = "The signed-in user, workspace and CSRF token",
	  .tag = "account", .created = 200 },
	{ .method = "GET", .pattern = "/api/v1/contacts", .auth = AUTH_VIEWER,
	  .fn = h_contacts_list, .summary = "List contacts", .tag = "contacts",
	  .query = "q,tag,tier,owner,going_cold,digital_only,limit,cursor",
	  .created = 200 },
	{ .method = "POST", .pattern = "/api/v1/contacts", .auth = AUTH_MEMBER,
	  .limit = BODY, .fn = h_contacts_create, .summary = "Create a contact",
	  .tag = "contacts", .body = "Contact", .created = 201 },
	{ .method = "GET", .pattern = "/api/v1/contacts/{id}",
	  .auth = AUTH_VIEWER, .fn = h_contact_get,
	  .summary = "One contact with its summary", .tag = "contacts",
	  .created = 200 },
	{ .method = "PATCH", .pattern = "/api/v1/contacts/{id}",
	  .auth = AUTH_MEMBER, .limit = BODY, .fn = h_contact_patch,
	  .summary = "Change a contact (If-Match honoured)", .tag = "contacts",
	  .body = "Contact", .created = 200 },
	{ .method = "DELETE", .pattern = "/api/v1/contacts/{id}",
	  .auth = AUTH_MEMBER, .fn = h_contact_delete,
	  .summary = "Delete a contact (If-Match honoured)", .tag = "contacts",
	  .created = 204 },
	{ .method = "POST", .pattern = "/api/v1/contacts/{id}/merge",
	  .auth = AUTH_MEMBER, .limit = BODY, .fn = h_contact_merge,
	  .summary = "Merge contact `from` into this one", .tag = "contacts",
	  .body = "Merge", .created = 200 },
	{ .method = "POST", .pattern = "/api/v1/contacts/{id}/snooze",
	  .auth = AUTH_MEMBER, .limit = BODY, .fn = h_contact_snooze,
	  .summary = "Snooze until a time, for a duration, or wake",
	  .tag = "contacts", .body = "Snooze", .created = 200 },
	{ .method = "GET", .pattern = "/api/v1/contacts/{id}/brief",
	  .auth = AUTH_VIEWER, .fn = h_contact_brief,
	  .summary = "The one-screen brief", .tag = "insight", .created = 200 },
	{ .method = "GET", .pattern = "/api/v1/contacts/{id}/health",
	  .auth = AUTH_VIEWER, .fn = h_contact_health,
	  .summary = "Health 0-100 with its components", .tag = "insight",
	  .created = 200 },
	{ .method = "GET", .pattern = "/api/v1/contacts/{id}/touchpoints",
	  .auth = AUTH_VIEWER, .fn = h_contact_touches,
	  .summary = "A contact's touchpoints, newest first",
	  .tag = "touchpoints", .query = "limit", .created = 200 },
	{ .method = "POST", .pattern = "/api/v1/contacts/{id}/touchpoints",
	  .auth = AUTH_MEMBER, .limit = BODY, .fn = h_contact_touch_add,
	  .summary = "Log a touchpoint with this contact", .tag = "touchpoints",
	  .body = "Touchpoint", .created = 201 },
	{ .method = "GET", .pattern = "/api/v1/contacts/{id}/facts",
	  .auth = AUTH_VIEWER, .fn = h_contact_facts,
	  .summary = "Personal facts", .tag = "memory", .created = 200 },
	{ .method = "POST", .pattern = "/api/v1/contacts/{id}/facts",
	  .auth = AUTH_MEMBER, .limit = BODY, .fn = h_contact_fact_add,
	  .summary = "Remember a fact", .tag = "memory", .body = "Fact",
	  .created = 201 },
	{ .method = "GET", .pattern = "/api/v1/contacts/{id}/dates",
	  .auth = AUTH_VIEWER, .fn = h_contact_dates,
	  .summary = "Dates to remember", .tag = "memory", .created = 200 },
	{ .method = "POST", .pattern = "/api/v1/contacts/{id}/dates",
	  .auth = AUTH_MEMBER, .limit = BODY, .fn = h_contact_date_add,
	  .summary = "Remember a date", .tag = "memory", .body = "Date",
	  .created = 201 },
	{ .method = "GET", .pattern = "/api/v1/contacts/{id}/promises",
	  .auth = AUTH_VIEWER, .fn = h_contact_promises,
	  .summary = "A contact's promises", .tag = "promises", .query = "all",
	  .created = 200 },
	{ .method = "POST", .pattern = "/api/v1/contacts/{id}/promises",
	  .auth = AUTH_MEMBER, .limit = BODY, .fn = h_contact_promise_add,
	  .summary = "Make a promise", .tag = "promises", .body = "Promise",
	  .created = 201 },
	{ .method = "GET", .pattern = "/api/v1/contacts/{id}/gifts",
	  .auth = AUTH_VIEWER, .fn = h_contact_gifts, .summary = "Gifts given",
	  .tag = "memory", .created = 200 },
	{ .method = "POST", .pattern = "/api/v1/contacts/{id}/gifts",
	  .auth = AUTH_MEMBER, .limit = BODY, .fn = h_contact_gift_add,
	  .summary = "Record a gift", .tag = "memory", .body = "Gift",
	  .created = 201 },
	{ .method = "GET", .pattern = "/api/v1/dates", .auth = AUTH_VIEWER,
	  .fn = h_dates_upcoming,
	  .summary = "Dates coming up across the workspace (within days, "
		     "default 14)",
	  .tag = "memory", .query = "within", .created = 200 },
	{ .method = "GET", .pattern = "/api/v1/organizations",
	  .auth = AUTH_VIEWER, .fn = h_orgs_list, .summary = "Organizations",
	  .tag = "contacts", .created = 200 },
	{ .method = "POST", .pattern = "/api/v1/organizations",
	  .auth = AUTH_MEMBER, .limit = BODY, .fn = h_orgs_create,
	  .summary = "Create an organization", .tag = "contacts",
	  .body = "Organization", .created = 201 },
	{ .method = "PATCH", .pattern = "/api/v1/organizations/{id}",
	  .auth = AUTH_MEMBER, .limit = BODY, .fn = h_org_patch,
	  .summary = "Rename an organization (its contacts' cards change "
		     "with it, CardDAV ETags too)",
	  .tag = "contacts", .body = "Organization", .created = 200 },
	{ .method = "GET", .pattern = "/api/v1/touchpoints",
	  .auth = AUTH_VIEWER, .fn = h_touches_list,
	  .summary = "Touchpoints, newest first", .tag = "touchpoints",
	  .query = "limit,cursor", .created = 200 },
	{ .method = "POST", .pattern = "/api/v1/touchpoints",
	  .auth = AUTH_MEMBER, .limit = BODY, .fn = h_touches_create,
	  .summary = "Log a touchpoint with one or more contacts",
	  .tag = "touchpoints", .body = "Touchpoint", .created = 201 },
	{ .method = "GET", .pattern = "/api/v1/promises", .auth = AUTH_VIEWER,
	  .fn = h_promises_list, .summary = "Open promises, overdue first",
	  .tag = "promises", .query = "all", .created = 200 },
	{ .method = "POST", .pattern = "/api/v1/promises/{id}/done",
	  .auth = AUTH_MEMBER, .fn = h_promise_done,
	  .summary = "Mark a promise kept", .tag = "promises", .created = 200 },
	{ .method = "GET", .pattern = "/api/v1/cadences", .auth = AUTH_VIEWER,
	  .fn = h_cadences_list,
	  .summary = "Cadence rules per tag, tier and default",
	  .tag = "cadences", .created = 200 },
	{ .method = "PUT", .pattern = "/api/v1/cadences", .auth = AUTH_MEMBER,
	  .limit = BODY, .fn = h_cadences_put, .summary = "Set a cadence rule",
	  .tag = "cadences", .body = "CadenceRule", .created = 200 },
	{ .method = "GET", .pattern = "/api/v1/agenda", .auth = AUTH_VIEWER,
	  .fn = h_agenda, .summary = "Who to reach today, as kith --json due",
	  .tag = "insight", .query = "limit", .created = 200 },
	{ .method = "GET", .pattern = "/api/v1/reports/{name}",
	  .auth = AUTH_VIEWER, .slow = true, .fn = h_report,
	  .summary = "A report: overview, channels, balance, health, loyalty, "
		     "going_cold",
	  .tag = "insight", .created = 200 },
	{ .method = "GET", .pattern = "/api/v1/export", .auth = AUTH_VIEWER,
	  .slow = true, .fn = h_export,
	  .summary = "The whole book: JSON (the backup), vCard (version 3.0 "
		     "or 4.0), CSV (Google/Outlook) or iCalendar (dates, "
		     "promises)",
	  .tag = "book", .query = "format,version", .created = 200 },
	/* The calendar feed: public; its token is the credential. */
	{ .method = "GET", .pattern = "/feeds/{token}.ics", .auth = AUTH_PUBLIC,
	  .slow = true, .fn = h_feed,
	  .summary = "A user's calendar feed: birthdays, anniversaries, "
		     "promises and who is due today (text/calendar)",
	  .tag = "feed", .created = 200 },
	{ .method = "GET", .pattern = "/api/v1/feed", .auth = AUTH_VIEWER,
	  .fn = h_feed_get,
	  .summary = "Your calendar feed URL (made on first use)",
	  .tag = "feed", .created = 200, .lock_late = true },
	{ .method = "POST", .pattern = "/api/v1/feed/rotate",
	  .auth = AUTH_VIEWER, .fn = h_feed_rotate,
	  .summary = "Replace your calendar feed URL; the old one stops "
		     "working",
	  .tag = "feed", .created = 200 },
	{ .method = "POST", .pattern = "/api/v1/import", .auth = AUTH_OWNER,
	  .slow = true, .limit = IMPORT, .fn = h_import,
	  .summary = "Restore a JSON book into this (empty) workspace (201); "
		     "or import contacts from a text/vcard or text/csv body "
		     "(200, the import report)",
	  .tag = "book", .body = "Book", .created = 201,
	  .query = "dry_run,skip_bad,map", .cards = true },
	{ .method = "GET", .pattern = "/api/v1/users", .auth = AUTH_VIEWER,
	  .fn = h_users_list, .summary = "Members of the workspace",
	  .tag = "account", .created = 200 },
	{ .method = "POST", .pattern = "/api/v1/users", .auth = AUTH_OWNER,
	  .slow = true, .limit = BODY, .fn = h_users_create,
	  .summary = "Invite a member", .tag = "account", .body = "NewUser",
	  .created = 201 },
	{ .method = "GET", .pattern = "/api/v1/users/{id}", .auth = AUTH_VIEWER,
	  .fn = h_user_get, .summary = "One member", .tag = "account",
	  .created = 200 },
	/* Anyone may change their own name, zone and password; owners
	 * also others' and roles (checked in the handler). */
	{ .method = "PATCH", .pattern = "/api/v1/users/{id}",
	  .auth = AUTH_VIEWER, .slow = true, .limit = BODY, .fn = h_user_patch,
	  .summary = "Change a member (owners) or yourself: name, tz, "
		     "password, role",
	  .tag = "account", .body = "UserPatch", .created = 200 },
	{ .method = "DELETE", .pattern = "/api/v1/users/{id}",
	  .auth = AUTH_OWNER, .fn = h_user_delete, .summary = "Remove a member",
	  .tag = "account", .created = 204 },
	{ .method = "GET", .pattern = "/api/v1/tokens", .auth = AUTH_OWNER,
	  .fn = h_tokens_list, .summary = "API tokens", .tag = "account",
	  .created = 200 },
	{ .method = "POST", .pattern = "/api/v1/tokens", .auth = AUTH_OWNER,
	  .limit = BODY, .fn = h_tokens_create,
	  .summary = "Create an API token; the secret is shown once",
	  .tag = "account", .body = "NewToken", .created = 201 },
	{ .method = "DELETE", .pattern = "/api/v1/tokens/{id}",
	  .auth = AUTH_OWNER, .fn = h_token_delete, .summary = "Revoke a token",
	  .tag = "account", .created = 204 },
	/* Signals: the webhook is public; its secret is the credential. */
	{ .method = "POST", .pattern = "/hooks/{secret}", .auth = AUTH_PUBLIC,
	  .limit = 64 * KB, .fn = h_hook,
	  .summary = "Deliver a signal (website_visit, mention, inbound_email, "
		     "missed_call, form)",
	  .tag = "signals", .body = "Signal", .created = 202,
	  .lock_late = true },
	{ .method = "GET", .pattern = "/api/v1/signals", .auth = AUTH_VIEWER,
	  .fn = h_signals_list, .summary = "Signals, waiting first",
	  .tag = "signals", .query = "waiting,cursor", .created = 200 },
	{ .method = "GET", .pattern = "/api/v1/signals/stats",
	  .auth = AUTH_VIEWER, .fn = h_signals_stats,
	  .summary = "Response times in working minutes, per owner and overall",
	  .tag = "signals", .created = 200 },
	{ .method = "POST", .pattern = "/api/v1/signals/{id}/attach",
	  .auth = AUTH_MEMBER, .limit = BODY, .fn = h_signal_attach,
	  .summary = "Attach a lead to a contact, or make it a new contact",
	  .tag = "signals", .body = "Attach", .created = 200 },
	{ .method = "GET", .pattern = "/api/v1/events", .auth = AUTH_VIEWER,
	  .fn = h_events,
	  .summary = "Live alerts (Server-Sent Events: signal, digest; resume "
		     "with Last-Event-ID)",
	  .tag = "signals", .created = 200 },
	{ .method = "GET", .pattern = "/api/v1/me/focus", .auth = AUTH_VIEWER,
	  .fn = h_focus_get,
	  .summary = "Whether alerts are held, and until when",
	  .tag = "signals", .created = 200 },
	{ .method = "PUT", .pattern = "/api/v1/me/focus", .auth = AUTH_VIEWER,
	  .limit = BODY, .fn = h_focus_put,
	  .summary = "Hold alerts until a time; null ends focus now",
	  .tag = "signals", .body = "Focus", .created = 200 },
	{ .method = "GET", .pattern = "/api/v1/webhook", .auth = AUTH_OWNER,
	  .fn = h_webhook_get, .summary = "The workspace's webhook path",
	  .tag = "signals", .created = 200, .lock_late = true },
	{ .method = "POST", .pattern = "/api/v1/webhook/rotate",
	  .auth = AUTH_OWNER, .fn = h_webhook_rotate,
	  .summary = "Replace the webhook secret", .tag = "signals",
	  .created = 200 },
	{ .method = "GET", .pattern = "/api/v1/notify", .auth = AUTH_VIEWER,
	  .fn = h_notify_list,
	  .summary = "Where your alerts go besides the web app",
	  .tag = "signals", .created = 200 },
	{ .method = "POST", .pattern = "/api/v1/notify", .auth = AUTH_VIEWER,
	  .limit = BODY, .fn = h_notify_add,
	  .summary = "Add a notification URL (plain POST, or JSON)",
	  .tag = "signals", .body = "NotifyTarget", .created = 201 },
	{ .method = "DELETE", .pattern = "/api/v1/notify/{id}",
	  .auth = AUTH_VIEWER, .fn = h_notify_delete,
	  .summary = "Remove a notification URL", .tag = "signals",
	  .created = 204 },
	{ .method = "POST", .pattern = "/api/v1/notify/test",
	  .auth = AUTH_VIEWER, .fn = h_notify_test,
	  .summary = "Send your morning digest now", .tag = "signals",
	  .created = 202 },
	/* Mailboxes belong to the workspace: the owner adds and removes
	 * them (a password in the body, never answered back). */
	{ .method = "GET", .pattern = "/api/v1/mailboxes", .auth = AUTH_OWNER,
	  .fn = h_mailbox_list,
	  .summary = "IMAP mailboxes and their sync state", .tag = "mail",
	  .created = 200 },
	{ .method = "POST", .pattern = "/api/v1/mailboxes", .auth = AUTH_OWNER,
	  .limit = BODY, .fn = h_mailbox_add,
	  .summary = "Add an IMAP mailbox (the password is sealed)",
	  .tag = "mail", .body = "Mailbox", .created = 201 },
	{ .method = "DELETE", .pattern = "/api/v1/mailboxes/{id}",
	  .auth = AUTH_OWNER, .fn = h_mailbox_delete,
	  .summary = "Remove a mailbox", .tag = "mail", .created = 204 },
	{ .method = "GET", .pattern = "/api/v1/meetings", .auth = AUTH_VIEWER,
	  .fn = h_meetings_list,
	  .summary = "Imported meetings (state=suggested: touches to confirm)",
	  .tag = "meetings", .query = "state", .created = 200 },
	{ .method = "POST", .pattern = "/api/v1/meetings/import",
	  .auth = AUTH_MEMBER, .slow = true, .limit = 8 * MB,
	  .fn = h_meetings_import,
	  .summary = "Import an iCalendar text ({\"ics\": ...})",
	  .tag = "meetings", .body = "Ics", .created = 201, .lock_late = true },
	{ .method = "POST", .pattern = "/api/v1/meetings/{id}/confirm",
	  .auth = AUTH_MEMBER, .fn = h_meeting_confirm,
	  .summary = "Log a suggested meeting as a touchpoint",
	  .tag = "meetings", .created = 201 },
	{ .method = "POST", .pattern = "/api/v1/meetings/{id}/dismiss",
	  .auth = AUTH_MEMBER, .fn = h_meeting_dismiss,
	  .summary = "Dismiss a suggested meeting", .tag = "meetings",
	  .created = 204 },
	{ .method = "GET", .pattern = "/api/v1/carddav", .auth = AUTH_VIEWER,
	  .fn = h_carddav,
	  .summary = "The CardDAV URL and user name to give a phone or "
		     "address book",
	  .tag = "account", .created = 200 },
	{ .method = "GET", .pattern = "/api/v1/settings", .auth = AUTH_VIEWER,
	  .fn = h_settings_get, .summary = "Workspace settings",
	  .tag = "account", .created = 200 },
	{ .method = "PATCH", .pattern = "/api/v1/settings", .auth = AUTH_OWNER,
	  .limit = BODY, .fn = h_settings_patch,
	  .summary = "Change time zone, working hours, response target",
	  .tag = "account", .body = "Settings", .created = 200 },
};

const size_t api_n_routes = sizeof(api_routes) / sizeof(api_routes[0]);

const struct http_app api_app = { api_handle, api_is_slow, api_body_limit,
				  api_tick, api_admit };

static struct ratelimit *login_limit;
static struct ratelimit *signin_limit;
static struct ratelimit *addr_limit;

/* Uses of sessions and tokens seen since the last tick: written in one
 * transaction by api_account_tick, so a read never needs the write lock
 * just to slide a session's idle deadline (review M9, L10). */
#define USES_MAX 512
static pthread_mutex_t uses_lock = PTHREAD_MUTEX_INITIALIZER;
static struct use {
	char hash[SECRET_TOKEN_HASH_MAX];
	bool token;
	kith_time at;
} uses[USES_MAX];
static size_t n_uses;

static void note_use(const char *hash, bool token, kith_time now);

void api_note_token_use(const char *hash, kith_time now)
{
	note_use(hash, true, now);
}

static void note_use(const char *hash, bool token, kith_time now)
{
	pthread_mutex_lock(&uses_lock);
	for (size_t i = 0; i < n_uses; i++)
		if (!strcmp(uses[i].hash, hash)) {
			uses[i].at = now;
			goto out;
		}
	/* Full: dropped; the next request notes it again. */
	if (n_uses < USES_MAX) {
		memcpy(uses[n_uses].hash, hash, SECRET_TOKEN_HASH_MAX);
		uses[n_uses].token = token;
		uses[n_uses].at = now;
		n_uses++;
	}
out:
	pthread_mutex_unlock(&uses_lock);
}

void api_account_tick(struct store *st)
{
	static struct use batch[USES_MAX];
	static unsigned ticks;
	struct kith_err err = { 0 };
	kith_time now;
	bool purge;
	size_t n;
	int rc;

	pthread_mutex_lock(&uses_lock);
	n = n_uses;
	memcpy(batch, uses, n * sizeof(*batch));
	n_uses = 0;
	pthread_mutex_unlock(&uses_lock);
	purge = ticks++ % 60 == 0;	/* about once a minute */

	if (kith_now(&now, &err))
		return;
	if (!n && !purge)
		return;
	if (store_begin(st, &err))
		goto fail;
	rc = KITH_OK;
	for (size_t i = 0; !rc && i < n; i++)
		rc = batch[i].token
			     ? store_token_touch(st, batch[i].hash, batch[i].at,
						 &err)
			     : store_session_touch(st, batch[i].hash,
						   batch[i].at +
							   API_SESSION_IDLE,
						   &err);
	if (!rc && purge)
		rc = store_session_purge(st, now, &err);
	if (rc) {
		store_rollback(st);
		goto fail;
	}
	if (!store_commit(st, &err))
		return;
fail:
	fprintf(stderr, "kith: sessions: %s\n", err.msg);
}
static char dummy_hash[SECRET_HASH_MAX];

const char *api_dummy_hash(void)
{
	return dummy_hash;
}

int api_init(struct kith_err *err)
{
	char pw[SECRET_TOKEN_MAX];
	int rc = secret_init(err);

	if (rc)
		return rc;
	dav_init();
	secret_token_new(pw, sizeof(pw), SECRET_PREFIX_TOKEN);
	rc = secret_password_hash(dummy_hash, pw, err);
	if (rc)
		return rc;
	/* Failures within a quarter hour, per account (a growing delay,
	 * never a lock: see h_session_create) and per address. */
	login_limit = ratelimit_new(16, 900, 16384);
	addr_limit = ratelimit_new(10, 900, 16384);
	/* Every attempt per address, so successful sign-ins (argon2 and a
	 * session row each) are bounded too. */
	signin_limit = ratelimit_new(100, 900, 16384);
	if (!login_limit || !signin_limit || !addr_limit)
		return kith_err_nomem(err);
	rc = api_feed_init(err);
	if (rc)
		return rc;
	return notify_init(err);
}

/* Match path against pattern; fills params (owned copies). */
static bool match(const char *pattern, const char *path,
		  struct http_request *req)
{
	const char *p = pattern, *s = path;
	int n = 0;

	while (*p && *s) {
		if (*p == '{') {
			const char *end = strchr(s, '/');
			size_t len = end ? (size_t)(end - s) : strlen(s);
			/* A literal after the parameter in the same segment
			 * ("{token}.ics") ends it and is matched below. */
			const char *close = strchr(p, '}') + 1;
			size_t suf = strcspn(close, "/");

			if (suf) {
				if (len <= suf ||
				    strncmp(s + len - suf, close, suf))
					goto no;
				len -= suf;
			}
			if (!len || n == 4)
				goto no;
			free(req->params[n]);
			req->params[n] = strndup(s, len);
			n++;
			s += len;
			p = strchr(p, '}') + 1;
			continue;
		}
		if (*p != *s)
			goto no;
		p++;
		s++;
	}
	/* A trailing slash is the same resource. */
	if (*s == '/' && !s[1])
		s++;
	if (*p || *s)
		goto no;
	/* Slots a longer pattern filled earlier are not this route's. */
	for (int i = n; i < 4; i++) {
		free(req->params[i]);
		req->params[i] = NULL;
	}
	req->n_params = n;
	return true;
no:
	for (int i = 0; i < n; i++) {
		free(req->params[i]);
		req->params[i] = NULL;
	}
	return false;
}

/* The route of the last request this thread looked up. api_body_limit,
 * api_is_slow and api_handle ask about the same request in turn, and
 * each scan matched every pattern of the table (the three were 5% of a
 * contact read's instructions). The route is a function of method and
 * path alone, so remembering it by their text is safe. */
static _Thread_local struct {
	char method[16];
	char path[256];
	const struct route *r;
	bool valid;
} last_route;

static const struct route *find_route(struct http_request *req,
				      bool *path_known)
{
	const char *method = req->method;
	const struct route *r = NULL;
	bool memo = strlen(req->method) < sizeof(last_route.method) &&
		    strlen(req->path) < sizeof(last_route.path);

	*path_known = false;
	if (memo && last_route.valid && last_route.r &&
	    !strcmp(last_route.method, req->method) &&
	    !strcmp(last_route.path, req->path) &&
	    match(last_route.r->pattern, req->path, req)) {
		*path_known = true;
		return last_route.r;
	}
	if (!strcmp(method, "HEAD"))
		method = "GET";
	for (size_t i = 0; i < api_n_routes; i++) {
		if (!match(api_routes[i].pattern, req->path, req))
			continue;
		*path_known = true;
		if (!strcmp(api_routes[i].method, method)) {
			r = &api_routes[i];
			break;
		}
	}
	if (memo) {
		strcpy(last_route.method, req->method);
		strcpy(last_route.path, req->path);
		last_route.r = r;
		last_route.valid = true;
	}
	return r;
}

/* The methods path answers to, for the Allow header of a 405 (RFC 9110
 * 15.5.6): "GET, HEAD, PATCH". */
static void allow_of(struct http_request *req, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < api_n_routes; i++) {
		const char *m = api_routes[i].method;

		if (!match(api_routes[i].pattern, req->path, req))
			continue;
		len += (size_t)snprintf(out + len, size - len, "%s%s",
					len ? ", " : "", m);
		if (!strcmp(m, "GET") && len < size)
			len += (size_t)snprintf(out + len, size - len,
						", HEAD");
		if (len >= size) {
			out[size - 1] = '\0';
			return;
		}
	}
}

static const struct route *route_for(const char *method, const char *path)
{
	struct http_request tmp = { 0 };
	bool known;
	const struct route *r;

	tmp.method = method;
	tmp.path = path;
	r = find_route(&tmp, &known);
	for (int i = 0; i < tmp.n_params; i++)
		free(tmp.params[i]);
	return r;
}

bool api_is_slow(const char *method, const char *path)
{
	const struct route *r;

	/* A multiget of every card renders them all: a worker's job, not
	 * a polling thread's (10,000 cards: about 0.2 s). */
	if (dav_owns(method, path))
		return !strcmp(method, "REPORT");
	r = route_for(method, path);

	return r && r->slow;
}

size_t api_body_limit(const char *method, const char *path)
{
	const struct route *r;

	if (dav_owns(method, path))
		return dav_body_limit(method, path);
	r = route_for(method, path);

	/* Unknown routes and routes without a body still read a little, so
	 * a stray body gets a clean 404 or 413 rather than a reset. */
	return r && r->limit ? r->limit : 64 * KB;
}

/* A fault's detail goes to the log, not the client: escaped, and a
 * webhook's secret masked (review L1, L2). */
static void log_fault(struct api *a, const char *msg)
{
	char path[400], method[40], detail[600];

	http_log_path(path, sizeof(path), a->req->path);
	http_log_str(method, sizeof(method), a->req->method);
	http_log_str(detail, sizeof(detail), msg);
	fprintf(stderr, "kith: %s %s: %s\n", method, path, detail);
}

void api_fail(struct api *a, int rc)
{
	const char *field = a->err.field[0] ? a->err.field : NULL;
	const char *msg = a->err.msg[0] ? a->err.msg : kith_status_name(rc);

	switch ((enum kith_status)rc) {
	case KITH_OK:
		return;
	case KITH_EINPUT:
		http_error(a->resp, 422, "invalid", field, "%s", msg);
		return;
	case KITH_ESYNTAX:
		http_error(a->resp, 400, "malformed", field, "%s", msg);
		return;
	case KITH_ENOTFOUND:
		http_error(a->resp, 404, "not_found", field, "%s", msg);
		return;
	case KITH_ECONFLICT:
		http_error(a->resp, 409, "conflict", field, "%s", msg);
		return;
	case KITH_EBUSY:
		/* The lock holder is another process (an import, a backup):
		 * the request did nothing and can simply be sent again. The
		 * operator still hears of it: writes are being turned away. */
		log_fault(a, msg);
		http_error(a->resp, 503, "busy", NULL, "%s", msg);
		a->resp->retry_after = 2;
		return;
	case KITH_EFULL:
		/* 507 Insufficient Storage (RFC 4918) says exactly this: the
		 * server cannot store what was sent. Unlike 503 it does not
		 * invite an automatic retry, which would not help until the
		 * operator frees space; reads keep answering 200. The
		 * client is not told the database's path; the log is. */
		log_fault(a, msg);
		http_error(a->resp, 507, "disk_full", NULL,
			   "the server's disk is full: nothing was written; "
			   "reads still work");
		return;
	case KITH_EREADONLY:
		/* Writes are unavailable until the operator makes the
		 * database writable again; the service itself is up. */
		log_fault(a, msg);
		http_error(a->resp, 503, "read_only", NULL,
			   "the server's database is read-only: nothing was "
			   "written; reads still work");
		return;
	case KITH_EIO:
	case KITH_ENOMEM:
		break;
	}
	log_fault(a, msg);
	http_error(a->resp, 500, "internal", NULL, "internal error");
}

bool api_if_match(struct api *a, json_t *current)
{
	const char *want = http_header(a->req, "If-Match");
	char etag[40];

	if (!want || !strcmp(want, "*"))
		return true;
	http_etag_of(etag, current);
	/* A weak validator W/"x" compares by its opaque part. */
	if (!strncmp(want, "W/", 2))
		want += 2;
	if (!strcmp(want, etag))
		return true;
	http_error(a->resp, 412, "precondition_failed", "If-Match",
		   "the resource changed since you read it (now %s); reload "
		   "and try again",
		   etag);
	return false;
}

void api_list(struct api *a, json_t *items, const char *next_cursor)
{
	http_json(a->resp, 200,
		  json_pack("{s:o, s:o}", "items", items, "next_cursor",
			    next_cursor ? json_string(next_cursor)
					: json_null()));
}

bool api_only(struct api *a, const char *const *keys)
{
	int rc = body_only(a->body, keys, &a->err);

	if (rc)
		api_fail(a, rc);
	return rc == KITH_OK;
}

bool api_param_id(struct api *a, int i, int64_t *out)
{
	const char *s = i < a->req->n_params ? a->req->params[i] : NULL;
	char *end;
	long long v;

	v = s ? strtoll(s, &end, 10) : 0;
	if (!s || *end || v <= 0 || !*s) {
		http_error(a->resp, 404, "not_found", "id", "no such resource");
		return false;
	}
	*out = v;
	return true;
}

void api_csrf_for(char out[65], const char *session_token)
{
	char buf[SECRET_TOKEN_MAX + 8];

	snprintf(buf, sizeof(buf), "csrf:%s", session_token);
	secret_token_hash(out, buf);
}

json_t *api_user_json(const struct user *u)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "id",
			 (json_int_t)u->id, "email", u->email, "name",
			 u->name ? u->name : "", "role", role_name(u->role),
			 "tz", u->tz ? u->tz : "", "created_at",
			 kj_time(u->created_at));
}

/* Who is asking: a bearer token, else the session cookie, into a->user
 * (and a->session_token); false with a 401 (or the store's error) in
 * a->resp when neither names a live credential. */
/*
 * The users of the last tokens this thread looked up, as guesses
 * (struct api's guessed). A guess is never trusted: its lookup goes out
 * with the handler's first read and api_handle compares the two before
 * answering, so a revoked token, a role changed or a user deleted, by
 * this process or any other, counts from the very next request. Fixed
 * buffers: nothing on the heap outlives a request.
 */
#define GUESS_N 8
#define GUESS_TEXT 640
struct guess {
	char hash[SECRET_TOKEN_HASH_MAX];
	struct user u;			/* strings point into text */
	char text[GUESS_TEXT];
};
static _Thread_local struct guess guesses[GUESS_N];
static _Thread_local unsigned guess_next;

static bool str_same(const char *x, const char *y)
{
	return x == y || (x && y && !strcmp(x, y));
}

static bool user_same(const struct user *x, const struct user *y)
{
	return x->id == y->id && x->workspace_id == y->workspace_id &&
	       x->role == y->role && x->created_at == y->created_at &&
	       x->focus_until == y->focus_until &&
	       x->digest_day == y->digest_day && str_same(x->email, y->email) &&
	       str_same(x->name, y->name) &&
	       str_same(x->password_hash, y->password_hash) &&
	       str_same(x->tz, y->tz);
}

/* Copy src's strings into buf (advancing *off); false when they do not
 * fit or, with dup, on no memory. */
static bool copy_str(char **dst, const char *src, char *buf, size_t *off,
		     bool dup)
{
	size_t n;

	if (!src) {
		*dst = NULL;
		return true;
	}
	if (dup)
		return (*dst = strdup(src)) != NULL;
	n = strlen(src) + 1;
	if (*off + n > GUESS_TEXT)
		return false;
	memcpy(buf + *off, src, n);
	*dst = buf + *off;
	*off += n;
	return true;
}

/* src into dst: into buf's room (dup false) or on the heap (dup). */
static bool user_copy(struct user *dst, const struct user *src, char *buf,
		      bool dup)
{
	size_t off = 0;

	*dst = *src;
	dst->email = dst->name = dst->password_hash = dst->tz = NULL;
	if (copy_str(&dst->email, src->email, buf, &off, dup) &&
	    copy_str(&dst->name, src->name, buf, &off, dup) &&
	    copy_str(&dst->password_hash, src->password_hash, buf, &off,
		     dup) &&
	    copy_str(&dst->tz, src->tz, buf, &off, dup))
		return true;
	if (dup)
		user_clear(dst);
	return false;
}

static struct guess *guess_find(const char *hash)
{
	for (int i = 0; i < GUESS_N; i++)
		if (guesses[i].hash[0] && !strcmp(guesses[i].hash, hash))
			return &guesses[i];
	return NULL;
}

static void guess_keep(const char *hash, const struct user *u)
{
	struct guess *g = guess_find(hash);

	if (!g)
		g = &guesses[guess_next++ % GUESS_N];
	if (!user_copy(&g->u, u, g->text, false)) {
		g->hash[0] = '\0';
		return;
	}
	memcpy(g->hash, hash, SECRET_TOKEN_HASH_MAX);
}

static void guess_drop(const char *hash)
{
	struct guess *g = guess_find(hash);

	if (g)
		g->hash[0] = '\0';
}

/* Sign in on the guess for this token and send its lookup ahead; false
 * (a->user untouched) when there is none, or it cannot be sent. */
static bool guess_user(struct api *a, const char *hash)
{
	struct guess *g = guess_find(hash);

	if (!g || !user_copy(&a->user, &g->u, NULL, true))
		return false;
	if (store_token_user_send(a->st, hash, a->ctx.now, &a->err)) {
		user_clear(&a->user);
		memset(&a->err, 0, sizeof(a->err));
		return false;
	}
	memcpy(a->token_hash, hash, SECRET_TOKEN_HASH_MAX);
	a->guessed = true;
	return true;
}

/* After the handler: was the guess right? The lookup's answer, read
 * now (it came back with the handler's first read), must name the same
 * user, unchanged. The use is noted only then. */
static bool guess_held(struct api *a)
{
	struct kith_err err = { 0 };
	struct user truth = { 0 };
	bool held;

	a->guessed = false;
	held = !store_token_user_recv(&truth, a->st, &err) &&
	       user_same(&truth, &a->user);
	if (held) {
		note_use(a->token_hash, true, a->ctx.now);
		guess_keep(a->token_hash, &truth);
	} else {
		guess_drop(a->token_hash);
	}
	user_clear(&truth);
	return held;
}

static bool credential_lookup(struct api *a, const struct route *r)
{
	const char *auth = http_header(a->req, "Authorization");
	const char *cookie = http_cookie(a->req, api_cookie_name(a->req));
	char hash[SECRET_TOKEN_HASH_MAX];
	int rc = KITH_ENOTFOUND;

	/* A lookup cut off by a database restart is looked up again, as
	 * the handler's work would be (api_handle). */
	for (int attempt = 1; auth || cookie; attempt++) {
		if (auth && !strncasecmp(auth, "Bearer ", 7)) {
			secret_token_hash(hash, auth + 7);
			if (a->may_guess && attempt == 1 && guess_user(a, hash))
				return true;
			rc = store_token_user(&a->user, a->st, hash,
					      a->ctx.now, &a->err);
			if (!rc)
				note_use(hash, true, a->ctx.now);
			if (!rc && a->may_guess)
				guess_keep(hash, &a->user);
		} else if (cookie) {
			secret_token_hash(hash, cookie);
			rc = store_session_user(&a->user, a->st, hash,
						a->ctx.now, &a->err);
			if (!rc) {
				a->session_token = cookie;
				note_use(hash, false, a->ctx.now);
			}
		}
		if (!rc || rc == KITH_ENOTFOUND || !store_retryable(a->st) ||
		    attempt >= KITH_RETRY_MAX)
			break;
		/* Heard as the handler's retries are (api_handle). */
		{
			char detail[300];

			http_log_str(detail, sizeof(detail), a->err.msg);
			fprintf(stderr,
				"kith: %s %s: retry %d of %d (credential): "
				"%s\n",
				r->method, r->pattern, attempt + 1,
				KITH_RETRY_MAX, detail);
		}
		memset(&a->err, 0, sizeof(a->err));
		kith_retry_pause(attempt);
	}
	if (rc == KITH_ENOTFOUND) {
		http_error(a->resp, 401, "unauthorized", NULL,
			   "sign in (POST /api/v1/session) or send "
			   "Authorization: Bearer <token>");
		return false;
	}
	if (rc) {
		api_fail(a, rc);
		return false;
	}
	return true;
}

/* May a->user do r with this request: the CSRF token of a write by
 * cookie, and the route's role; false with a 403 in a->resp. */
static bool authorize(struct api *a, const struct route *r)
{
	a->ctx.ws = a->user.workspace_id;
	store_set_tenant(a->st, a->ctx.ws);
	/* A cookie rides along on any request the browser makes, so a
	 * write by cookie must also prove it came from our page. */
	if (a->session_token && strcmp(r->method, "GET")) {
		const char *sent = http_header(a->req, "X-CSRF-Token");
		char want[65];

		api_csrf_for(want, a->session_token);
		if (!sent || !secret_equal(sent, want)) {
			http_error(a->resp, 403, "forbidden", "X-CSRF-Token",
				   "missing or wrong CSRF token (it comes with "
				   "the session and from GET /api/v1/me)");
			return false;
		}
	}
	if ((r->auth == AUTH_MEMBER && a->user.role < ROLE_MEMBER) ||
	    (r->auth == AUTH_OWNER && a->user.role < ROLE_OWNER)) {
		http_error(a->resp, 403, "forbidden", NULL,
			   "your role (%s) cannot do this",
			   role_name(a->user.role));
		return false;
	}
	return true;
}

/* A request api_admit let in, for api_handle: its user, so the
 * credential is looked up once per request. */
struct admitted {
	struct user user;
	const char *session_token;	/* the cookie header's: lives as
					 * long as the request */
};

static void admitted_free(void *p)
{
	struct admitted *ad = p;

	if (!ad)
		return;
	user_clear(&ad->user);
	free(ad);
}

/* Who is asking and may they: from what api_admit found when the headers
 * came in, else looked up now (in the caller's read snapshot, if any). */
static bool authenticate(struct api *a, const struct route *r)
{
	struct admitted *ad = a->req->app;

	if (a->req->app_free == admitted_free && ad) {
		/* api_admit checked the role and CSRF token for this very
		 * route (same method and path); the user is ours now. */
		a->user = ad->user;
		memset(&ad->user, 0, sizeof(ad->user));
		a->session_token = ad->session_token;
		a->ctx.ws = a->user.workspace_id;
		store_set_tenant(a->st, a->ctx.ws);
		return true;
	}
	return credential_lookup(a, r) && authorize(a, r);
}

/* Is s[0..n) an empty JSON object, "{}" give or take white space? */
static bool empty_object(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && strchr(" \t\r\n", s[i]))
		i++;
	if (i == n || s[i++] != '{')
		return false;
	while (i < n && strchr(" \t\r\n", s[i]))
		i++;
	if (i == n || s[i++] != '}')
		return false;
	while (i < n && strchr(" \t\r\n", s[i]))
		i++;
	return i == n;
}

bool api_cards_type(const char *ct, bool *csv)
{
	static const char *const types[] = { "text/vcard", "text/x-vcard",
					     "text/directory", "text/csv" };

	for (size_t i = 0; ct && i < sizeof(types) / sizeof(*types); i++) {
		size_t n = strlen(types[i]);

		if (!strncasecmp(ct, types[i], n) &&
		    (!ct[n] || ct[n] == ';' || ct[n] == ' ')) {
			*csv = i == 3;
			return true;
		}
	}
	return false;
}

static bool read_body(struct api *a, const struct route *r)
{
	const char *ct = http_header(a->req, "Content-Type");
	bool csv;
	int rc;

	if (!a->req->body_len && !r->body)
		return true;
	/* An address-book file is the handler's to read, whole. */
	if (r->cards && api_cards_type(ct, &csv))
		return true;
	if (!ct || strncasecmp(ct, "application/json", 16) ||
	    (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
		http_error(a->resp, 415, "unsupported_media_type",
			   "Content-Type", "send application/json");
		return false;
	}
	/* A route without a request schema takes no body, or {} (what a
	 * client that always sends JSON sends): the OpenAPI document says
	 * so, and a body it would refuse is not silently ignored. */
	if (!r->body) {
		if (empty_object(a->req->body, a->req->body_len))
			return true;
		http_error(a->resp, 422, "invalid", NULL,
			   "%s %s takes no body (or {})", r->method,
			   r->pattern);
		return false;
	}
	rc = body_parse(&a->body, a->req->body ? a->req->body : "",
			a->req->body_len, &a->err);
	if (rc) {
		api_fail(a, rc);
		return false;
	}
	return true;
}

/* The local day of now, worked out once a minute per thread. Once a
 * workaround for a process-wide zone lock (gone: kith.c converts with
 * tzif.c); kept because it still saves a conversion per request. */
static int32_t today_of(kith_time now)
{
	static _Thread_local kith_time minute = KITH_NO_TIME;
	static _Thread_local int32_t day;

	if (now / 60 != minute) {
		minute = now / 60;
		day = kith_time_day(now, NULL);
	}
	return day;
}

const char *api_cookie_name(const struct http_request *req)
{
	/* Over HTTPS only __Host-kith_session counts: the browser keeps it
	 * Secure and bound to this host, so a sibling subdomain or a plain
	 * http:// page cannot plant one. Plain http (127.0.0.1 in `make
	 * run`) cannot carry Secure cookies, hence the bare name there. */
	return req->secure ? "__Host-kith_session" : "kith_session";
}

/* Does the request announce a body (RFC 9112 6.3)? Without
 * Content-Length or Transfer-Encoding it has none, and there is nothing
 * to refuse unread. */
static bool body_announced(struct http_request *req)
{
	const char *cl = http_header(req, "Content-Length");

	return (cl && strspn(cl, "0") != strlen(cl)) ||
	       http_header(req, "Transfer-Encoding");
}

bool api_admit(struct store *st, struct http_request *req,
	       struct http_response *resp)
{
	struct api a = { 0 };
	struct admitted *ad;
	const struct route *r;
	bool known, ok;

	if (req->path[0] == '/' && dav_owns(req->method, req->path))
		return dav_admit(st, req, resp);
	if (req->path[0] != '/' ||
	    (strncmp(req->path, "/api/", 5) &&
	     strncmp(req->path, "/hooks/", 7) &&
	     strncmp(req->path, "/feeds/", 7)))
		return true;	/* api_handle answers these */
	r = find_route(req, &known);
	if (!r || r->auth == AUTH_PUBLIC)
		return true;
	/* A quick request without a body is authenticated by api_handle
	 * alone, inside the request's read snapshot: one lookup, one lock.
	 * A slow route's is still checked here, so a stranger never waits
	 * in the workers' queue for its 401. */
	if (!r->slow && !body_announced(req))
		return true;
	a.st = st;
	a.req = req;
	a.resp = resp;
	a.ctx.st = st;
	if (kith_now(&a.ctx.now, &a.err))
		return true;	/* api_handle reports it */
	store_read_begin(st);
	ok = credential_lookup(&a, r) && authorize(&a, r);
	store_read_end(st);
	if (!ok) {
		user_clear(&a.user);
		return false;
	}
	/* Big bodies are for owners only (imports): anyone else gets the
	 * usual limit, whatever the route allows. */
	if (req->limit > BODY && a.user.role < ROLE_OWNER)
		req->limit = BODY;
	/* The handler takes the user from here rather than looking the
	 * credential up again. A revocation committed while the body is
	 * still arriving does not stop this request, as one committed
	 * while a handler runs never did; the next request sees it. */
	ad = calloc(1, sizeof(*ad));
	if (ad) {
		ad->user = a.user;
		ad->session_token = a.session_token;
		req->app = ad;
		req->app_free = admitted_free;
	} else {
		user_clear(&a.user);	/* the handler looks it up */
	}
	return true;
}

/*
 * One run of a route's handler: for a write, in one transaction
 * (begun here, or by the handler through api_lock), committed when
 * the answer is a success and rolled back otherwise.
 */
static void run_once(struct api *a, const struct route *r, bool write)
{
	struct store *st = a->st;
	struct http_response *resp = a->resp;
	int rc;

	if (write && !r->lock_late) {
		rc = store_begin(st, &a->err);
		if (rc) {
			api_fail(a, rc);
			return;
		}
		a->locked = true;
	} else if (write) {
		/* The handler reads in a snapshot and calls api_lock. */
		store_read_begin(st);
	}
	resp->status = 0;
	r->fn(a);
	if (!resp->status)
		http_error(resp, 500, "internal", NULL, "no response");
	if (write && !a->locked) {
		store_read_end(st);
	} else if (write) {
		/* Any error undoes the whole request: nothing half-written. */
		if (resp->status >= 400) {
			store_rollback(st);
		} else {
			rc = store_commit(st, &a->err);
			if (rc)
				api_fail(a, rc);
			/* Streams read committed rows: wake them only now. */
			for (size_t i = 0; !rc && i < a->n_woken; i++)
				http_wake(a->woken[i]);
		}
	}
}

/* Back to where run_once starts: no answer, no transaction, the body
 * parsed anew (a handler may have taken parts of it). false with the
 * answer filled when the body no longer parses (it did the first time,
 * so only on no memory). */
static bool run_reset(struct api *a, const struct route *r)
{
	struct http_response *resp = a->resp;

	if (!resp->persistent)
		free(resp->body);
	free(resp->set_cookie);
	free(resp->headers);
	memset(resp, 0, sizeof(*resp));
	a->locked = false;
	a->n_woken = 0;
	memset(&a->err, 0, sizeof(a->err));
	json_decref(a->body);
	a->body = NULL;
	return read_body(a, r);
}

void api_handle(struct store *st, struct http_request *req,
		struct http_response *resp)
{
	struct api a = { 0 };
	const struct route *r;
	bool known, write = false;

	/* Only origin-form targets name a resource here: "*", "foo" or an
	 * empty path (a bare "?a=b") would reach code that assumes a '/'. */
	if (req->path[0] != '/') {
		http_error(resp, 400, "malformed", NULL,
			   "the request target must start with /");
		return;
	}
	if (dav_owns(req->method, req->path)) {
		dav_handle(st, req, resp);
		return;
	}
	if (strncmp(req->path, "/api/", 5) && strncmp(req->path, "/hooks/", 7) &&
	    strncmp(req->path, "/feeds/", 7)) {
		static_serve(req, resp);
		return;
	}
	a.st = st;
	a.req = req;
	a.resp = resp;
	a.ctx.st = st;
	if (kith_now(&a.ctx.now, &a.err)) {
		api_fail(&a, KITH_EIO);
		return;
	}
	a.ctx.today = today_of(a.ctx.now);
	r = find_route(req, &known);
	if (!r) {
		if (known) {
			http_error(resp, 405, "method_not_allowed", NULL,
				   "%s is not allowed on %s", req->method,
				   req->path);
			allow_of(req, resp->allow, sizeof(resp->allow));
		} else
			http_error(resp, 404, "not_found", NULL,
				   "no route %s", req->path);
		return;
	}
	/* A GET that is lock_late reads in a snapshot and may write (the
	 * webhook secret, made on first use): it runs as a write. */
	write = strcmp(r->method, "GET") != 0 || r->lock_late;
	/* A read sees one snapshot, the token lookup included: one lock
	 * for the whole request rather than one per statement. */
	if (!write)
		store_read_begin(st);
	/* A read by token may start on a guess of its user where that
	 * saves a round trip (PostgreSQL): checked after the handler. Not
	 * for the event stream, which is handed over before that. */
	a.may_guess = !write && store_sends_ahead(st) && r->fn != h_events;
guessed_wrong:
	if (r->auth != AUTH_PUBLIC && !authenticate(&a, r))
		goto done;
	if (!read_body(&a, r))
		goto done;
	if (strstr(r->pattern, "{id}") && !api_param_id(&a, 0, &a.id))
		goto done;
	for (int attempt = 1;; attempt++) {
		bool again;

		run_once(&a, r, write);
		/* Another writer won (PostgreSQL's serialization failure or
		 * deadlock) or the connection went: nothing was written, so
		 * the whole request runs again in a fresh transaction, on
		 * the body as received. A stream already handed over is
		 * never run twice. Past the last attempt, the last answer
		 * (503, busy) stands. */
		again = resp->status >= 500 && store_retryable(st) &&
			!resp->stream && attempt < KITH_RETRY_MAX;
		if (!again)
			break;
		/* The operator hears of contention: one line per retry. */
		{
			char detail[300];

			http_log_str(detail, sizeof(detail), a.err.msg);
			fprintf(stderr, "kith: %s %s: retry %d of %d: %s\n",
				r->method, r->pattern, attempt + 1,
				KITH_RETRY_MAX, detail);
		}
		/* run_once ended the write; a read has no snapshot open
		 * on PostgreSQL, the only engine that gets here. */
		if (write)
			store_rollback(st);
		if (!run_reset(&a, r))
			goto done;
		kith_retry_pause(attempt);
	}
done:
	/* Whatever the answer (a 403 too), a guess is checked before it
	 * leaves. Revoked, changed or gone: the answer is dropped unsent,
	 * and the request runs again on the token as it is now. */
	if (a.guessed && !guess_held(&a)) {
		user_clear(&a.user);
		a.may_guess = false;
		if (run_reset(&a, r)) {
			json_decref(a.body);
			a.body = NULL;
			goto guessed_wrong;
		}
	}
	if (!write)
		store_read_end(st);
	/* Every request leaves its connection idle, whatever went wrong:
	 * a transaction left open would serve stale reads and fail every
	 * later write on this thread. */
	{
		struct kith_err serr = { 0 };

		if (store_settle(st, &serr))
			fprintf(stderr, "kith: %s %s: %s\n", req->method,
				r->pattern, serr.msg);
	}
	free(a.woken);
	json_decref(a.body);
	user_clear(&a.user);
}

struct ratelimit *api_login_limit(void)
{
	return login_limit;
}

bool api_query_int(struct api *a, const char *name, long long lo,
		   long long hi, long long *out)
{
	const char *v = http_query(a->req, name);
	const char *c;
	char *end;
	long long n;

	if (!v)
		return true;
	/* Digits only (a leading - when lo < 0): strtoll alone reads
	 * " 5", "+5" and "1 OR 1=1" (review L6) as numbers. */
	c = v + (*v == '-' && lo < 0);
	if (!*c || strspn(c, "0123456789") != strlen(c))
		goto bad;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*end || errno || n < lo || n > hi)
		goto bad;
	*out = n;
	return true;
bad:
	http_error(a->resp, 422, "invalid", name,
		   "expected an integer from %lld to %lld", lo, hi);
	return false;
}

bool api_query_bool(struct api *a, const char *name, bool *out)
{
	const char *v = http_query(a->req, name);

	if (!v)
		return true;
	if (!strcmp(v, "true") || !strcmp(v, "1")) {
		*out = true;
		return true;
	}
	if (!strcmp(v, "false") || !strcmp(v, "0")) {
		*out = false;
		return true;
	}
	http_error(a->resp, 422, "invalid", name, "expected true or false");
	return false;
}

struct ratelimit *api_signin_limit(void)
{
	return signin_limit;
}

struct ratelimit *api_addr_limit(void)
{
	return addr_limit;
}

int api_lock(struct api *a)
{
	int rc;

	if (a->locked)
		return KITH_OK;
	store_read_close(a->st);
	rc = store_begin(a->st, &a->err);
	if (!rc)
		a->locked = true;
	return rc;
}

void api_audit(struct api *a, const char *event, int64_t user_id,
	       int64_t ws, const char *detail)
{
	char d[300], addr[80];

	http_log_str(d, sizeof(d), detail ? detail : "");
	http_log_str(addr, sizeof(addr), a->req->remote);
	fprintf(stderr, "kith: security %s user=%lld ws=%lld addr=%s%s%s\n",
		event, (long long)user_id, (long long)ws, addr, *d ? " " : "",
		d);
}

void api_wake_user(struct api *a, int64_t user_id)
{
	int64_t *w = realloc(a->woken, (a->n_woken + 1) * sizeof(*w));

	if (!w)
		return;	/* the 15 s keep-alive wake re-checks anyway */
	a->woken = w;
	a->woken[a->n_woken++] = api_stream_key(a->ctx.ws, user_id);
}
