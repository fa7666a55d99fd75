/* api_account.c: signing in and out, the signed-in user, members, API
 * tokens and workspace settings. */
#include "api.h"
#include "../secret.h"
#include "../render/json.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The account's delay after n recent failures: none for the first
 * four, then 1, 2, 4 ... seconds, never more than a minute. A growing
 * delay and not a lock (review L3): a stranger who knows an address
 * can slow its owner's sign-in by a minute at most, not shut them out;
 * guessing stays at about one try a minute per account. */
static kith_time acct_delay(int n)
{
	return n < 5 ? 0 : n >= 11 ? 60 : (kith_time)1 << (n - 5);
}

static void too_many(struct api *a, int wait, const char *what)
{
	http_error(a->resp, 429, "rate_limited", NULL,
		   "too many %s; try again in %d seconds", what, wait);
	a->resp->retry_after = wait > 0 ? wait : 1;
}

/* lock_late: everything up to api_lock runs with no lock held, the
 * argon2 check included, so sign-ins do not hold up every tenant's
 * writes (review L3). */
void h_session_create(struct api *a)
{
	static const char *const keys[] = { "email", "password", NULL };
	char acct[300], addr[100], token[SECRET_TOKEN_MAX];
	char hash[SECRET_TOKEN_HASH_MAX], csrf[65], cookie[200];
	const char *email, *password;
	struct user u = { 0 };
	kith_time last;
	int wait = 0, n, rc;

	if (!api_only(a, keys))
		return;
	rc = body_str(&email, a->body, "email", true, 254, &a->err);
	if (!rc)
		rc = body_str(&password, a->body, "password", true,
			      SECRET_PASSWORD_MAX, &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	snprintf(acct, sizeof(acct), "acct:%s", email);
	for (char *p = acct; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	/* The client's address: X-Forwarded-For's behind a trusted proxy. */
	snprintf(addr, sizeof(addr), "addr:%s", a->req->remote);
	if (ratelimit_blocked(api_signin_limit(), addr, a->ctx.now, &wait)) {
		api_audit(a, "signin_throttled", 0, 0, "per address, all");
		too_many(a, wait, "sign-ins from your address");
		return;
	}
	/* Every attempt counts here, successful ones too. */
	ratelimit_fail(api_signin_limit(), addr, a->ctx.now);
	if (ratelimit_blocked(api_addr_limit(), addr, a->ctx.now, &wait)) {
		api_audit(a, "signin_throttled", 0, 0, "per address, failed");
		too_many(a, wait, "failed sign-ins from your address");
		return;
	}
	n = ratelimit_recent(api_login_limit(), acct, a->ctx.now, &last);
	if (n && last + acct_delay(n) > a->ctx.now) {
		api_audit(a, "signin_throttled", 0, 0, "per account");
		too_many(a, (int)(last + acct_delay(n) - a->ctx.now),
			 "failed sign-ins for this account");
		return;
	}
	rc = store_user_by_email(&u, a->st, email, &a->err);
	/* The snapshot is not needed for the slow part, and is not kept
	 * through it. */
	store_read_close(a->st);
	/* Same answer, and the same time spent, whether the email or the
	 * password was wrong: an unknown account checks a dummy hash. */
	if (rc == KITH_ENOTFOUND || (!rc && !u.password_hash))
		secret_password_verify(api_dummy_hash(), password);
	if (rc == KITH_ENOTFOUND || (!rc && !u.password_hash) ||
	    (!rc && !secret_password_verify(u.password_hash, password))) {
		ratelimit_fail(api_login_limit(), acct, a->ctx.now);
		ratelimit_fail(api_addr_limit(), addr, a->ctx.now);
		api_audit(a, "signin_failed", rc ? 0 : u.id,
			  rc ? 0 : u.workspace_id, NULL);
		user_clear(&u);
		http_error(a->resp, 401, "unauthorized", NULL,
			   "wrong email or password");
		return;
	}
	if (rc) {
		api_fail(a, rc);
		return;
	}
	ratelimit_clear(api_login_limit(), acct);
	secret_token_new(token, sizeof(token), SECRET_PREFIX_SESSION);
	secret_token_hash(hash, token);
	rc = api_lock(a);
	if (!rc)
		rc = store_session_add(a->st, hash, u.workspace_id, u.id,
				       a->ctx.now,
				       a->ctx.now + API_SESSION_MAX,
				       a->ctx.now + API_SESSION_IDLE, &a->err);
	if (rc) {
		user_clear(&u);
		api_fail(a, rc);
		return;
	}
	api_audit(a, "signin_ok", u.id, u.workspace_id, NULL);
	api_csrf_for(csrf, token);
	/* Max-Age is the absolute cap; the idle limit is the server's. */
	snprintf(cookie, sizeof(cookie),
		 "%s=%s; Path=/;%s HttpOnly; SameSite=Lax; Max-Age=%d",
		 api_cookie_name(a->req), token,
		 a->req->secure ? " Secure;" : "", API_SESSION_MAX);
	a->resp->set_cookie = strdup(cookie);
	http_json(a->resp, 200,
		  json_pack("{s:o, s:s}", "user", api_user_json(&u),
			    "csrf_token", csrf));
	user_clear(&u);
}

void h_session_delete(struct api *a)
{
	char hash[SECRET_TOKEN_HASH_MAX], cookie[120];
	int rc;

	if (a->session_token) {
		secret_token_hash(hash, a->session_token);
		rc = store_session_delete(a->st, hash, &a->err);
		if (rc) {
			api_fail(a, rc);
			return;
		}
	}
	api_audit(a, "signout", a->user.id, a->ctx.ws, NULL);
	api_wake_user(a, a->user.id);
	snprintf(cookie, sizeof(cookie),
		 "%s=; Path=/;%s HttpOnly; SameSite=Lax; Max-Age=0",
		 api_cookie_name(a->req), a->req->secure ? " Secure;" : "");
	a->resp->set_cookie = strdup(cookie);
	a->resp->status = 204;
}

static json_t *workspace_json(const struct workspace *w)
{
	char s[24], e[24];

	snprintf(s, sizeof(s), "%02d:%02d", w->work_start_min / 60,
		 w->work_start_min % 60);
	snprintf(e, sizeof(e), "%02d:%02d", w->work_end_min / 60,
		 w->work_end_min % 60);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:i}", "id",
			 (json_int_t)w->id, "name", w->name, "tz",
			 w->tz ? w->tz : "", "work_start", s, "work_end", e,
			 "response_target_minutes", w->response_target_min);
}

void h_me(struct api *a)
{
	struct workspace w = { 0 };
	char csrf[65];
	json_t *j;
	int rc = store_workspace_get(&w, a->st, a->ctx.ws, &a->err);

	if (rc) {
		api_fail(a, rc);
		return;
	}
	j = json_pack("{s:o, s:o}", "user", api_user_json(&a->user),
		      "workspace", workspace_json(&w));
	if (a->session_token) {
		api_csrf_for(csrf, a->session_token);
		json_object_set_new(j, "csrf_token", json_string(csrf));
	} else {
		json_object_set_new(j, "csrf_token", json_null());
	}
	workspace_clear(&w);
	http_json(a->resp, 200, j);
}

void h_users_list(struct api *a)
{
	struct user *u = NULL;
	size_t n = 0;
	json_t *items;

	if (store_user_list(&u, &n, a->st, a->ctx.ws, &a->err)) {
		api_fail(a, a->err.status);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, api_user_json(&u[i]));
	store_users_free(u, n);
	api_list(a, items, NULL);
}

static int set_password(struct user *u, const char *password,
			struct kith_err *err)
{
	char hash[SECRET_HASH_MAX];
	int rc = secret_password_hash(hash, password, err);

	if (rc)
		return rc;
	free(u->password_hash);
	u->password_hash = strdup(hash);
	return u->password_hash ? KITH_OK : kith_err_nomem(err);
}

/*
 * An email is unique across workspaces (it names the workspace at
 * sign-in). Saying "X already has an account" told any owner which
 * addresses use kith anywhere (review L11). Now only the caller's own
 * workspace is named: 409 when the address is already a member here,
 * and otherwise one generic 422 that says nothing of why. This still
 * lets an owner tell "free" (201) from "unavailable" (422); closing
 * that and the squatting of a future colleague's address needs an
 * invite that the address's owner confirms by email, which kith does
 * not send yet.
 */
static int email_taken(struct api *a, const char *email)
{
	struct user other = { 0 };
	int rc = store_user_by_email(&other, a->st, email, &a->err);
	bool here = !rc && other.workspace_id == a->ctx.ws;

	user_clear(&other);
	memset(&a->err, 0, sizeof(a->err));
	if (here)
		return kith_err_set(&a->err, KITH_ECONFLICT, "email",
				    "%s is already a member of this workspace",
				    email);
	return kith_err_set(&a->err, KITH_EINPUT, "email",
			    "cannot add this address");
}

void h_users_create(struct api *a)
{
	static const char *const keys[] = { "email", "name", "role",
					    "password", NULL };
	const char *email = NULL, *role = NULL, *pw = NULL;
	struct user u = { 0 };
	int rc;

	if (!api_only(a, keys))
		return;
	u.workspace_id = a->ctx.ws;
	u.role = ROLE_MEMBER;
	u.created_at = a->ctx.now;
	rc = body_str(&email, a->body, "email", true, 254, &a->err);
	if (!rc && (!strchr(email, '@') || email[0] == '@'))
		rc = kith_err_set(&a->err, KITH_EINPUT, "email",
				  "no valid address in \"%s\"", email);
	if (!rc)
		rc = body_strdup(&u.name, a->body, "name", false, 200, &a->err);
	if (!rc)
		rc = body_str(&role, a->body, "role", false, 16, &a->err);
	if (!rc && role)
		rc = role_parse(&u.role, role, "role", &a->err);
	if (!rc)
		rc = body_str(&pw, a->body, "password", false,
			      SECRET_PASSWORD_MAX, &a->err);
	if (!rc && pw)
		rc = secret_password_policy(pw, "password", &a->err);
	if (!rc && pw)
		rc = set_password(&u, pw, &a->err);
	/* Only a validated email is copied (review M10: it was read
	 * uninitialised when the body had none). */
	if (!rc) {
		u.email = strdup(email);
		if (!u.email)
			rc = kith_err_nomem(&a->err);
	}
	if (!rc)
		rc = store_user_add(a->st, &u, &a->err);
	if (rc == KITH_ECONFLICT)
		rc = email_taken(a, u.email);
	if (rc) {
		api_fail(a, rc);
	} else {
		char d[80];

		snprintf(d, sizeof(d), "new_user=%lld role=%s",
			 (long long)u.id, role_name(u.role));
		api_audit(a, "user_add", a->user.id, a->ctx.ws, d);
		http_json(a->resp, 201, api_user_json(&u));
	}
	user_clear(&u);
}

/* Owners may not leave the workspace ownerless. */
static int keep_an_owner(struct api *a, const struct user *before,
			 enum role after)
{
	int64_t owners = 0;
	int rc;

	if (before->role != ROLE_OWNER || after == ROLE_OWNER)
		return KITH_OK;
	rc = store_owner_count(&owners, a->st, a->ctx.ws, &a->err);
	if (!rc && owners <= 1)
		rc = kith_err_set(&a->err, KITH_ECONFLICT, "role",
				  "the workspace needs an owner; make "
				  "someone else owner first");
	return rc;
}

void h_user_get(struct api *a)
{
	struct user u;
	int rc = store_user_get(&u, a->st, a->ctx.ws, a->id, &a->err);

	if (rc) {
		api_fail(a, rc);
		return;
	}
	http_json(a->resp, 200, api_user_json(&u));
	user_clear(&u);
}

void h_user_patch(struct api *a)
{
	static const char *const keys[] = { "name", "role", "password",
					    "current_password", "tz", NULL };
	const char *role = NULL, *pw = NULL, *cur_pw = NULL;
	char keep[SECRET_TOKEN_HASH_MAX];
	struct user u;
	enum role r, was;
	int64_t ended = 0;
	json_t *cur;
	int rc = store_user_get(&u, a->st, a->ctx.ws, a->id, &a->err);

	if (rc) {
		api_fail(a, rc);
		return;
	}
	cur = api_user_json(&u);
	if (!api_only(a, keys) || !api_if_match(a, cur)) {
		json_decref(cur);
		user_clear(&u);
		return;
	}
	json_decref(cur);
	r = was = u.role;
	if (a->user.role != ROLE_OWNER &&
	    (u.id != a->user.id || json_object_get(a->body, "role"))) {
		http_error(a->resp, 403, "forbidden", NULL,
			   "only owners change other members or roles");
		user_clear(&u);
		return;
	}
	if (json_object_get(a->body, "name")) {
		free(u.name);
		u.name = NULL;
		rc = body_strdup(&u.name, a->body, "name", false, 200, &a->err);
	}
	if (!rc && json_object_get(a->body, "tz")) {
		free(u.tz);
		u.tz = NULL;
		rc = body_strdup(&u.tz, a->body, "tz", false, 64, &a->err);
		if (!rc && u.tz && *u.tz && !kith_tz_valid(u.tz))
			rc = kith_err_set(&a->err, KITH_EINPUT, "tz",
					  "unknown time zone \"%s\"", u.tz);
	}
	if (!rc)
		rc = body_str(&role, a->body, "role", false, 16, &a->err);
	if (!rc && role)
		rc = role_parse(&r, role, "role", &a->err);
	if (!rc)
		rc = keep_an_owner(a, &u, r);
	u.role = r;
	if (!rc)
		rc = body_str(&pw, a->body, "password", false,
			      SECRET_PASSWORD_MAX, &a->err);
	/* Review M8: a new password meets the policy, and whoever sets it
	 * proves they are still the signed-in person with their own current
	 * password: yours for your own, an owner's for a member's reset (so
	 * a borrowed session or token cannot take over an account). */
	if (!rc && pw)
		rc = secret_password_policy(pw, "password", &a->err);
	if (!rc && pw)
		rc = body_str(&cur_pw, a->body, "current_password", true,
			      SECRET_PASSWORD_MAX, &a->err);
	if (!rc && pw &&
	    !secret_password_verify(a->user.password_hash, cur_pw)) {
		api_audit(a, "password_change_refused", a->user.id, a->ctx.ws,
			  "wrong current_password");
		http_error(a->resp, 403, "forbidden", "current_password",
			   "your current password is not right");
		user_clear(&u);
		return;
	}
	if (!rc && pw)
		rc = set_password(&u, pw, &a->err);
	if (!rc)
		rc = store_user_update(a->st, a->ctx.ws, &u, &a->err);
	/* A new password ends the user's other sessions (ASVS 3.3.3); the
	 * one making the change stays signed in. API tokens survive: they
	 * are separate credentials for scripts, listed and revoked by
	 * owners on their own (DELETE /tokens/{id}). */
	if (!rc && pw) {
		bool self = u.id == a->user.id && a->session_token;

		if (self)
			secret_token_hash(keep, a->session_token);
		rc = store_session_delete_user(&ended, a->st, a->ctx.ws,
					       u.id, self ? keep : NULL,
					       &a->err);
	}
	if (rc) {
		api_fail(a, rc);
		user_clear(&u);
		return;
	}
	if (pw) {
		char d[80];

		snprintf(d, sizeof(d), "target=%lld sessions_ended=%lld",
			 (long long)u.id, (long long)ended);
		api_audit(a, "password_change", a->user.id, a->ctx.ws, d);
	}
	if (r != was) {
		char d[80];

		snprintf(d, sizeof(d), "target=%lld from=%s to=%s",
			 (long long)u.id, role_name(was), role_name(r));
		api_audit(a, "role_change", a->user.id, a->ctx.ws, d);
	}
	if (pw || r != was)
		api_wake_user(a, u.id);
	http_json(a->resp, 200, api_user_json(&u));
	user_clear(&u);
}

void h_user_delete(struct api *a)
{
	struct user u;
	json_t *cur;
	int rc = store_user_get(&u, a->st, a->ctx.ws, a->id, &a->err);

	if (rc) {
		api_fail(a, rc);
		return;
	}
	cur = api_user_json(&u);
	if (!api_if_match(a, cur)) {
		json_decref(cur);
		user_clear(&u);
		return;
	}
	json_decref(cur);
	rc = keep_an_owner(a, &u, ROLE_VIEWER);
	if (!rc)
		rc = store_user_delete(a->st, a->ctx.ws, a->id, &a->err);
	user_clear(&u);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	{
		char d[40];

		snprintf(d, sizeof(d), "target=%lld", (long long)a->id);
		api_audit(a, "user_delete", a->user.id, a->ctx.ws, d);
	}
	api_wake_user(a, a->id);
	a->resp->status = 204;
}

static json_t *token_json(const struct api_token *t)
{
	return json_pack("{s:I, s:I, s:s, s:o, s:o, s:o, s:o}", "id",
			 (json_int_t)t->id, "user_id", (json_int_t)t->user_id,
			 "name", t->name, "created_at", kj_time(t->created_at),
			 "last_used_at", kj_time(t->last_used_at),
			 "revoked_at", kj_time(t->revoked_at), "expires_at",
			 kj_time(t->expires_at));
}

void h_tokens_list(struct api *a)
{
	struct api_token *t = NULL;
	size_t n = 0;
	json_t *items;

	if (store_token_list(&t, &n, a->st, a->ctx.ws, 0, &a->err)) {
		api_fail(a, a->err.status);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, token_json(&t[i]));
	store_tokens_free(t, n);
	api_list(a, items, NULL);
}

void h_tokens_create(struct api *a)
{
	static const char *const keys[] = { "name", "expires_days", NULL };
	char token[SECRET_TOKEN_MAX], hash[SECRET_TOKEN_HASH_MAX], d[160];
	struct api_token t = { 0 };
	const char *name = "api";
	int64_t days = 0;
	json_t *j;
	int rc;

	if (!api_only(a, keys))
		return;
	rc = body_str(&name, a->body, "name", false, 100, &a->err);
	/* Optional expiry in days (review M9); absent: never. */
	if (!rc && json_object_get(a->body, "expires_days"))
		rc = body_int(&days, a->body, "expires_days", true, 1, 3650,
			      &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	secret_token_new(token, sizeof(token), SECRET_PREFIX_TOKEN);
	secret_token_hash(hash, token);
	t.name = (char *)(name ? name : "api");
	t.user_id = a->user.id;
	t.created_at = a->ctx.now;
	t.last_used_at = t.revoked_at = KITH_NO_TIME;
	t.expires_at = days ? a->ctx.now + days * KITH_DAY : KITH_NO_TIME;
	rc = store_token_add(&t.id, a->st, a->ctx.ws, a->user.id, t.name, hash,
			     a->ctx.now, t.expires_at, &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	snprintf(d, sizeof(d), "token=%lld expires_days=%lld name=%s",
		 (long long)t.id, (long long)days, t.name);
	api_audit(a, "token_create", a->user.id, a->ctx.ws, d);
	j = token_json(&t);
	/* Shown this once; the database keeps only its hash. */
	json_object_set_new(j, "secret", json_string(token));
	http_json(a->resp, 201, j);
}

void h_token_delete(struct api *a)
{
	struct api_token *t = NULL;
	int64_t owner = 0;
	size_t n = 0;
	char d[40];
	int rc = store_token_list(&t, &n, a->st, a->ctx.ws, 0, &a->err);

	for (size_t i = 0; !rc && i < n; i++)
		if (t[i].id == a->id)
			owner = t[i].user_id;
	store_tokens_free(t, n);
	if (!rc)
		rc = store_token_revoke(a->st, a->ctx.ws, 0, a->id, a->ctx.now,
					&a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	snprintf(d, sizeof(d), "token=%lld", (long long)a->id);
	api_audit(a, "token_revoke", a->user.id, a->ctx.ws, d);
	/* The token's holder may have a stream open with it. */
	if (owner)
		api_wake_user(a, owner);
	a->resp->status = 204;
}

void h_settings_get(struct api *a)
{
	struct workspace w = { 0 };
	int rc = store_workspace_get(&w, a->st, a->ctx.ws, &a->err);

	if (rc) {
		api_fail(a, rc);
		return;
	}
	http_json(a->resp, 200, workspace_json(&w));
	workspace_clear(&w);
}

static int parse_hhmm(int *out, const char *s, const char *field,
		      struct kith_err *err)
{
	int h, m;
	char tail;

	if (!s || sscanf(s, "%2d:%2d%c", &h, &m, &tail) != 2 || h < 0 ||
	    h > 24 || m < 0 || m > 59 || (h == 24 && m))
		return kith_err_set(err, KITH_EINPUT, field,
				    "expected a time of day like 09:00");
	*out = h * 60 + m;
	return KITH_OK;
}

void h_settings_patch(struct api *a)
{
	static const char *const keys[] = { "name", "tz", "work_start",
					    "work_end",
					    "response_target_minutes", NULL };
	struct workspace w = { 0 };
	const char *s = NULL;
	int64_t target;
	json_t *cur;
	int rc = store_workspace_get(&w, a->st, a->ctx.ws, &a->err);

	if (rc) {
		api_fail(a, rc);
		return;
	}
	cur = workspace_json(&w);
	if (!api_only(a, keys) || !api_if_match(a, cur)) {
		json_decref(cur);
		workspace_clear(&w);
		return;
	}
	json_decref(cur);
	if (json_object_get(a->body, "name")) {
		rc = body_str(&s, a->body, "name", true, 200, &a->err);
		if (!rc) {
			free(w.name);
			w.name = strdup(s);
		}
	}
	if (!rc && json_object_get(a->body, "tz")) {
		rc = body_str(&s, a->body, "tz", false, 64, &a->err);
		if (!rc && s && *s && !kith_tz_valid(s))
			rc = kith_err_set(&a->err, KITH_EINPUT, "tz",
					  "unknown time zone \"%s\"", s);
		if (!rc) {
			free(w.tz);
			w.tz = strdup(s ? s : "");
		}
	}
	if (!rc && json_object_get(a->body, "work_start")) {
		rc = body_str(&s, a->body, "work_start", true, 8, &a->err);
		if (!rc)
			rc = parse_hhmm(&w.work_start_min, s, "work_start",
					&a->err);
	}
	if (!rc && json_object_get(a->body, "work_end")) {
		rc = body_str(&s, a->body, "work_end", true, 8, &a->err);
		if (!rc)
			rc = parse_hhmm(&w.work_end_min, s, "work_end",
					&a->err);
	}
	if (!rc && w.work_end_min <= w.work_start_min)
		rc = kith_err_set(&a->err, KITH_EINPUT, "work_end",
				  "working hours must end after they start");
	if (!rc && json_object_get(a->body, "response_target_minutes")) {
		rc = body_int(&target, a->body, "response_target_minutes", true,
			      1, 10080, &a->err);
		w.response_target_min = (int)target;
	}
	if (!rc)
		rc = store_workspace_update(a->st, &w, &a->err);
	if (rc)
		api_fail(a, rc);
	else
		http_json(a->resp, 200, workspace_json(&w));
	workspace_clear(&w);
}
