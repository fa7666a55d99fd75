/* api_account.c: signing in and out, the signed-in user, members, API
 * tokens and workspace settings. */
#include "api.h"
#include "../secret.h"
#include "../render/json.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_DAYS 30

void h_session_create(struct api *a)
{
	static const char *const keys[] = { "email", "password", NULL };
	struct ratelimit *rl = api_login_limit();
	char acct[300], addr[100], token[SECRET_TOKEN_MAX];
	char hash[SECRET_TOKEN_HASH_MAX], csrf[65], cookie[200];
	const char *email, *password;
	struct user u = { 0 };
	int wait = 0, rc;

	if (!api_only(a, keys))
		return;
	rc = body_str(a->body, "email", true, 254, &email, &a->err);
	if (!rc)
		rc = body_str(a->body, "password", true, SECRET_PASSWORD_MAX,
			      &password, &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	snprintf(acct, sizeof(acct), "acct:%s", email);
	for (char *p = acct; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	snprintf(addr, sizeof(addr), "addr:%s", a->req->remote);
	if (ratelimit_blocked(rl, acct, a->ctx.now, &wait) ||
	    ratelimit_blocked(rl, addr, a->ctx.now, &wait)) {
		http_error(a->resp, 429, "rate_limited", NULL,
			   "too many failed sign-ins; try again in %d seconds",
			   wait);
		a->resp->retry_after = wait;
		return;
	}
	rc = store_user_by_email(a->st, email, &u, &a->err);
	/* Same answer, and the same time spent, whether the email or the
	 * password was wrong: an unknown account checks a dummy hash. */
	if (rc == KITH_ENOTFOUND || (!rc && !u.password_hash))
		secret_password_verify(api_dummy_hash(), password);
	if (rc == KITH_ENOTFOUND || (!rc && !u.password_hash) ||
	    (!rc && !secret_password_verify(u.password_hash, password))) {
		ratelimit_fail(rl, acct, a->ctx.now);
		ratelimit_fail(rl, addr, a->ctx.now);
		user_clear(&u);
		http_error(a->resp, 401, "unauthorized", NULL,
			   "wrong email or password");
		return;
	}
	if (rc) {
		api_fail(a, rc);
		return;
	}
	ratelimit_clear(rl, acct);
	secret_token_new(token, sizeof(token), SECRET_PREFIX_SESSION);
	secret_token_hash(hash, token);
	rc = store_session_add(a->st, hash, u.workspace_id, u.id, a->ctx.now,
			       a->ctx.now + SESSION_DAYS * (kith_time)KITH_DAY,
			       &a->err);
	if (rc) {
		user_clear(&u);
		api_fail(a, rc);
		return;
	}
	api_csrf_for(csrf, token);
	snprintf(cookie, sizeof(cookie),
		 "kith_session=%s; Path=/; HttpOnly; SameSite=Lax; "
		 "Max-Age=%d",
		 token, SESSION_DAYS * KITH_DAY);
	a->resp->set_cookie = strdup(cookie);
	http_json(a->resp, 200,
		  json_pack("{s:o, s:s}", "user", api_user_json(&u),
			    "csrf_token", csrf));
	user_clear(&u);
}

void h_session_delete(struct api *a)
{
	char hash[SECRET_TOKEN_HASH_MAX];
	int rc;

	if (a->session_token) {
		secret_token_hash(hash, a->session_token);
		rc = store_session_delete(a->st, hash, &a->err);
		if (rc) {
			api_fail(a, rc);
			return;
		}
	}
	a->resp->set_cookie = strdup("kith_session=; Path=/; HttpOnly; "
				     "SameSite=Lax; Max-Age=0");
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
	int rc = store_workspace_get(a->st, a->ctx.ws, &w, &a->err);

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

	if (store_user_list(a->st, a->ctx.ws, &u, &n, &a->err)) {
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

void h_users_create(struct api *a)
{
	static const char *const keys[] = { "email", "name", "role",
					    "password", NULL };
	const char *email, *role = NULL, *pw = NULL;
	struct user u = { 0 };
	int rc;

	if (!api_only(a, keys))
		return;
	u.workspace_id = a->ctx.ws;
	u.role = ROLE_MEMBER;
	u.created_at = a->ctx.now;
	rc = body_str(a->body, "email", true, 254, &email, &a->err);
	if (!rc && (!strchr(email, '@') || email[0] == '@'))
		rc = kith_err_set(&a->err, KITH_EINPUT, "email",
				  "no valid address in \"%s\"", email);
	if (!rc)
		rc = body_strdup(a->body, "name", false, 200, &u.name, &a->err);
	if (!rc)
		rc = body_str(a->body, "role", false, 16, &role, &a->err);
	if (!rc && role)
		rc = role_parse(&u.role, role, "role", &a->err);
	if (!rc)
		rc = body_str(a->body, "password", false, SECRET_PASSWORD_MAX,
			      &pw, &a->err);
	if (!rc && pw)
		rc = set_password(&u, pw, &a->err);
	u.email = strdup(email ? email : "");
	if (!rc)
		rc = store_user_add(a->st, &u, &a->err);
	if (rc)
		api_fail(a, rc);
	else
		http_json(a->resp, 201, api_user_json(&u));
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
	rc = store_owner_count(a->st, a->ctx.ws, &owners, &a->err);
	if (!rc && owners <= 1)
		rc = kith_err_set(&a->err, KITH_ECONFLICT, "role",
				  "the workspace needs an owner; make "
				  "someone else owner first");
	return rc;
}

void h_user_get(struct api *a)
{
	struct user u;
	int rc = store_user_get(a->st, a->ctx.ws, a->id, &u, &a->err);

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
					    "tz", NULL };
	const char *role = NULL, *pw = NULL;
	struct user u;
	enum role r;
	json_t *cur;
	int rc = store_user_get(a->st, a->ctx.ws, a->id, &u, &a->err);

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
	r = u.role;
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
		rc = body_strdup(a->body, "name", false, 200, &u.name, &a->err);
	}
	if (!rc && json_object_get(a->body, "tz")) {
		free(u.tz);
		u.tz = NULL;
		rc = body_strdup(a->body, "tz", false, 64, &u.tz, &a->err);
		if (!rc && u.tz && *u.tz && !kith_tz_valid(u.tz))
			rc = kith_err_set(&a->err, KITH_EINPUT, "tz",
					  "unknown time zone \"%s\"", u.tz);
	}
	if (!rc)
		rc = body_str(a->body, "role", false, 16, &role, &a->err);
	if (!rc && role)
		rc = role_parse(&r, role, "role", &a->err);
	if (!rc)
		rc = keep_an_owner(a, &u, r);
	u.role = r;
	if (!rc)
		rc = body_str(a->body, "password", false, SECRET_PASSWORD_MAX,
			      &pw, &a->err);
	if (!rc && pw)
		rc = set_password(&u, pw, &a->err);
	if (!rc)
		rc = store_user_update(a->st, a->ctx.ws, &u, &a->err);
	if (rc)
		api_fail(a, rc);
	else
		http_json(a->resp, 200, api_user_json(&u));
	user_clear(&u);
}

void h_user_delete(struct api *a)
{
	struct user u;
	json_t *cur;
	int rc = store_user_get(a->st, a->ctx.ws, a->id, &u, &a->err);

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
	a->resp->status = 204;
}

static json_t *token_json(const struct api_token *t)
{
	return json_pack("{s:I, s:I, s:s, s:o, s:o, s:o}", "id",
			 (json_int_t)t->id, "user_id", (json_int_t)t->user_id,
			 "name", t->name, "created_at", kj_time(t->created_at),
			 "last_used_at", kj_time(t->last_used_at),
			 "revoked_at", kj_time(t->revoked_at));
}

void h_tokens_list(struct api *a)
{
	struct api_token *t = NULL;
	size_t n = 0;
	json_t *items;

	if (store_token_list(a->st, a->ctx.ws, 0, &t, &n, &a->err)) {
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
	static const char *const keys[] = { "name", NULL };
	char token[SECRET_TOKEN_MAX], hash[SECRET_TOKEN_HASH_MAX];
	struct api_token t = { 0 };
	const char *name = "api";
	json_t *j;
	int rc;

	if (!api_only(a, keys))
		return;
	rc = body_str(a->body, "name", false, 100, &name, &a->err);
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
	rc = store_token_add(a->st, a->ctx.ws, a->user.id, t.name, hash,
			     a->ctx.now, &t.id, &a->err);
	if (rc) {
		api_fail(a, rc);
		return;
	}
	j = token_json(&t);
	/* Shown this once; the database keeps only its hash. */
	json_object_set_new(j, "secret", json_string(token));
	http_json(a->resp, 201, j);
}

void h_token_delete(struct api *a)
{
	int rc = store_token_revoke(a->st, a->ctx.ws, 0, a->id, a->ctx.now,
				    &a->err);

	if (rc) {
		api_fail(a, rc);
		return;
	}
	a->resp->status = 204;
}

void h_settings_get(struct api *a)
{
	struct workspace w = { 0 };
	int rc = store_workspace_get(a->st, a->ctx.ws, &w, &a->err);

	if (rc) {
		api_fail(a, rc);
		return;
	}
	http_json(a->resp, 200, workspace_json(&w));
	workspace_clear(&w);
}

static int parse_hhmm(const char *s, int *out, const char *field,
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
	int rc = store_workspace_get(a->st, a->ctx.ws, &w, &a->err);

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
		rc = body_str(a->body, "name", true, 200, &s, &a->err);
		if (!rc) {
			free(w.name);
			w.name = strdup(s);
		}
	}
	if (!rc && json_object_get(a->body, "tz")) {
		rc = body_str(a->body, "tz", false, 64, &s, &a->err);
		if (!rc && s && *s && !kith_tz_valid(s))
			rc = kith_err_set(&a->err, KITH_EINPUT, "tz",
					  "unknown time zone \"%s\"", s);
		if (!rc) {
			free(w.tz);
			w.tz = strdup(s ? s : "");
		}
	}
	if (!rc && json_object_get(a->body, "work_start")) {
		rc = body_str(a->body, "work_start", true, 8, &s, &a->err);
		if (!rc)
			rc = parse_hhmm(s, &w.work_start_min, "work_start",
					&a->err);
	}
	if (!rc && json_object_get(a->body, "work_end")) {
		rc = body_str(a->body, "work_end", true, 8, &s, &a->err);
		if (!rc)
			rc = parse_hhmm(s, &w.work_end_min, "work_end",
					&a->err);
	}
	if (!rc && w.work_end_min <= w.work_start_min)
		rc = kith_err_set(&a->err, KITH_EINPUT, "work_end",
				  "working hours must end after they start");
	if (!rc && json_object_get(a->body, "response_target_minutes")) {
		rc = body_int(a->body, "response_target_minutes", true, 1,
			      10080, &target, &a->err);
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
