/* server.c: kith serve, kith user and kith token: sharing one kith. */
#include "cli.h"
#include "../render/json.h"
#include "../server/api.h"
#include "../app/imap.h"
#include "../app/notify.h"
#include "../secret.h"

#include <sodium.h>
#include <sys/resource.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The server takes up to 4000 connections (http.c), one descriptor
 * each; the usual soft limit is 1024 (systemd's too), which would turn
 * clients away near a thousand. Raise it to what the server can use,
 * within the hard limit. */
static void serve_raise_nofile(void)
{
	struct rlimit rl;
	rlim_t want = 8192;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	setrlimit(RLIMIT_NOFILE, &rl);
}

int cmd_serve(struct cli *cl)
{
	static const struct cli_opt opts[] = {
		{ "listen", true }, { "threads", true }, { "quiet", false },
		{ "notify-allow", true }, { "hook-rate", true },
		{ "hook-daily", true }, { "trust-proxy", true },
		{ "per-ip-limit", true }, { "header-timeout", true },
		{ "max-streams", true }, { "mail-every", true },
		{ "mail-allow", true }, { "stop-grace", true },
		{ NULL, false }
	};
	static const char *proxies[CLI_MAX_ARGS];
	struct http_server_opts o = { 0 };
	const char *allow;
	long threads, per_min, per_day, per_ip, header_timeout, streams;
	long mail_every, grace;
	struct mail_key key;
	size_t n_proxies = 0;
	int rc;

	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 0, 0);
	if (!rc)
		rc = cli_int(&threads, cl, "threads", 0, 256, 0);
	/* On PostgreSQL each worker (one connection) sits out a round trip
	 * per statement, two for an API read: with one a core the cores
	 * idle meanwhile. Four a core: on 2 cores an API read went from
	 * ~4,000 to ~5,500 req/s (bench/pg.sh, docs/BENCHMARKS.md). */
	if (!rc && !threads && store_path_is_url(cl->db_path)) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		threads = 4 * (n > 0 ? (n < 64 ? n : 64) : 2);
	}
	if (!rc)
		rc = cli_int(&per_min, cl, "hook-rate", 0, 1000000, 600);
	if (!rc)
		rc = cli_int(&per_day, cl, "hook-daily", 0, 100000000, 20000);
	/* --notify-allow HOST[:PORT][,HOST[:PORT]...], repeatable: hosts
	 * notification URLs may reach although they are local or private. */
	for (int i = 0; !rc && i < cl->nopts; i++) {
		if (strcmp(cl->opts[i].name, "notify-allow"))
			continue;
		allow = cl->opts[i].value;
		while (!rc && allow && *allow) {
			size_t l = strcspn(allow, ",");
			char *one = strndup(allow, l);

			rc = one ? notify_allow_add(one, &cl->err)
				 : kith_err_nomem(&cl->err);
			free(one);
			allow += l + (allow[l] == ',');
		}
	}
	if (!rc)
		rc = cli_int(&per_ip, cl, "per-ip-limit", 1, 100000,
			     HTTP_PER_IP_DEFAULT);
	if (!rc)
		rc = cli_int(&header_timeout, cl, "header-timeout", 1, 3600,
			     HTTP_HEADER_TIMEOUT_DEFAULT);
	if (!rc)
		rc = cli_int(&grace, cl, "stop-grace", 0, 3600,
			     HTTP_STOP_GRACE_DEFAULT);
	if (!rc)
		rc = cli_int(&streams, cl, "max-streams", 1, 1000,
			     HTTP_STREAMS_PER_KEY_DEFAULT);
	/* --trust-proxy repeats: one address or CIDR each. */
	for (int i = 0; !rc && i < cl->nopts; i++) {
		if (strcmp(cl->opts[i].name, "trust-proxy"))
			continue;
		if (!http_cidr_valid(cl->opts[i].value))
			rc = kith_err_set(&cl->err, KITH_EINPUT,
					  "--trust-proxy",
					  "expected an address or CIDR like "
					  "10.0.0.0/8, got \"%s\"",
					  cl->opts[i].value);
		else
			proxies[n_proxies++] = cl->opts[i].value;
	}
	if (!rc)
		rc = cli_int(&mail_every, cl, "mail-every", 1, 86400,
			     IMAP_SYNC_EVERY);
	/* --mail-allow HOST[:PORT][,...], repeatable: mail servers on this
	 * host's or its network's addresses that mailboxes may reach. */
	for (int i = 0; !rc && i < cl->nopts; i++) {
		if (strcmp(cl->opts[i].name, "mail-allow"))
			continue;
		allow = cl->opts[i].value;
		while (!rc && allow && *allow) {
			size_t l = strcspn(allow, ",");
			char *one = strndup(allow, l);

			rc = one ? mail_allow_add(one, &cl->err)
				 : kith_err_nomem(&cl->err);
			free(one);
			allow += l + (allow[l] == ',');
		}
	}
	if (!rc)
		rc = api_init(&cl->err);
	/* The key that seals mailbox passwords lives beside the database,
	 * not in it; made on first start. */
	if (!rc)
		rc = mail_key_load(&key, cl->db_path, true, &cl->err);
	if (rc)
		return rc;
	notify_guard(true);
	mail_guard(true);
	api_signals_limits(per_min, per_day);
	o.db_path = cl->db_path;
	o.listen = cli_get(cl, "listen") ? cli_get(cl, "listen")
					 : "127.0.0.1:8080";
	o.threads = (unsigned)threads;
	o.quiet = cli_has(cl, "quiet");
	o.trust_proxy = proxies;
	o.n_trust_proxy = n_proxies;
	o.per_ip_limit = (unsigned)per_ip;
	o.header_timeout = (unsigned)header_timeout;
	o.streams_per_user = (unsigned)streams;
	o.stop_grace = grace ? (int)grace : -1;
	/* Each server thread opens its own connection; this one has done
	 * the migrations and is not needed while serving. */
	app_close(&cl->app);
	serve_raise_nofile();
	rc = notify_sender_start(o.db_path, &cl->err);
	if (rc)
		return rc;
	rc = mail_syncer_start(o.db_path, &key, (int)mail_every, &cl->err);
	sodium_memzero(&key, sizeof(key));
	if (rc) {
		notify_sender_stop();
		return rc;
	}
	rc = http_serve(&o, &api_app, &cl->err);
	mail_syncer_stop();
	notify_sender_stop();
	return rc;
}

static int read_password(struct cli *cl, char *buf, size_t n)
{
	size_t len;

	if (!fgets(buf, (int)n, stdin))
		return kith_err_set(&cl->err, KITH_EINPUT, "--password-stdin",
				    "no password on standard input");
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	if (!len)
		return kith_err_set(&cl->err, KITH_EINPUT, "--password-stdin",
				    "the password is empty");
	return KITH_OK;
}

static int find_user(struct cli *cl, const char *email, struct user *u)
{
	int rc = store_user_by_email(u, cl->app.st, email, &cl->err);

	if (!rc && u->workspace_id != cl->app.ws) {
		user_clear(u);
		rc = kith_err_set(&cl->err, KITH_ENOTFOUND, "EMAIL",
				  "%s belongs to another workspace (use "
				  "--workspace)",
				  email);
	} else if (rc == KITH_ENOTFOUND) {
		kith_err_set(&cl->err, KITH_ENOTFOUND, "EMAIL",
			     "no user %s (kith user add %s ...)", email, email);
	}
	return rc;
}

static int user_add(struct cli *cl)
{
	char pw[1100], hash[SECRET_HASH_MAX];
	struct user u = { 0 };
	const char *role = cli_get(cl, "role");
	int rc;

	if (cl->npos != 2)
		return kith_err_set(&cl->err, KITH_EINPUT, "EMAIL",
				    "usage: kith user add EMAIL --workspace "
				    "NAME [--role owner|member|viewer] "
				    "--password-stdin");
	if (!strchr(cl->pos[1], '@'))
		return kith_err_set(&cl->err, KITH_EINPUT, "EMAIL",
				    "no valid address in \"%s\"", cl->pos[1]);
	u.role = ROLE_MEMBER;
	if (role && (rc = role_parse(&u.role, role, "--role", &cl->err)))
		return rc;
	rc = secret_init(&cl->err);
	if (rc)
		return rc;
	if (cli_has(cl, "password-stdin")) {
		rc = read_password(cl, pw, sizeof(pw));
		/* A chosen password meets the policy (review M8).
		 * --demo-password lets scripts/run seed the documented
		 * demo account (demo@kith.example / kith-demo, README):
		 * a known password on a local demo, not a chosen one. */
		if (!rc && !cli_has(cl, "demo-password"))
			rc = secret_password_policy(pw, "--password-stdin",
						    &cl->err);
		if (!rc)
			rc = secret_password_hash(hash, pw, &cl->err);
		memset(pw, 0, sizeof(pw));
		if (rc)
			return rc;
		u.password_hash = strdup(hash);
	}
	u.workspace_id = cl->app.ws;
	u.email = strdup(cl->pos[1]);
	u.name = kith_strdup(cli_get(cl, "name"));
	u.created_at = cl->app.now;
	rc = store_user_add(cl->app.st, &u, &cl->err);
	if (!rc && cl->json)
		kj_print(api_user_json(&u));
	else if (!rc)
		printf("Added %s (%s)%s\n", u.email, role_name(u.role),
		       u.password_hash ? "" : "; no password yet, so no "
					      "sign-in");
	user_clear(&u);
	return rc;
}

int cmd_user(struct cli *cl)
{
	static const struct cli_opt opts[] = {
		{ "role", true }, { "name", true }, { "password-stdin", false },
		{ "demo-password", false }, { NULL, false }
	};
	struct user *u = NULL, one;
	size_t n = 0;
	int rc;

	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 1, 3);
	if (rc)
		return rc;
	if (!strcmp(cl->pos[0], "add"))
		return user_add(cl);
	if (!strcmp(cl->pos[0], "list")) {
		rc = store_user_list(&u, &n, cl->app.st, cl->app.ws, &cl->err);
		if (rc)
			return rc;
		if (cl->json) {
			json_t *a = json_array();

			for (size_t i = 0; i < n; i++)
				json_array_append_new(a, api_user_json(&u[i]));
			kj_print(a);
		}
		for (size_t i = 0; !cl->json && i < n; i++)
			printf("%5lld  %-32s %s\n", (long long)u[i].id,
			       u[i].email, role_name(u[i].role));
		if (!cl->json && !n)
			printf("No users. Add one: printf 'secret\\n' | kith "
			       "user add you@example.org --role owner "
			       "--password-stdin\n");
		store_users_free(u, n);
		return KITH_OK;
	}
	if (!strcmp(cl->pos[0], "remove") && cl->npos == 2) {
		rc = find_user(cl, cl->pos[1], &one);
		if (!rc)
			rc = store_user_delete(cl->app.st, cl->app.ws, one.id,
					       &cl->err);
		if (!rc)
			printf("Removed %s\n", one.email);
		user_clear(&one);
		return rc;
	}
	return kith_err_set(&cl->err, KITH_EINPUT, "SUBCOMMAND",
			    "expected add, list or remove");
}

/*
 * kith token create EMAIL without --workspace: an email names one user
 * in one workspace (sign-in looks it up so), so that workspace is meant.
 * Runs before the workspace is opened; sets c->ws_name when it could
 * tell, and otherwise leaves the usual choice (and its "several
 * workspaces" error) to app_open. Any failure here is left for the
 * command to meet again and report.
 */
int cmd_token_workspace(struct cli *c)
{
	static char name[256];
	struct store *st = NULL;
	struct workspace w = { 0 };
	struct user u = { 0 };
	const char *email = NULL;
	bool create = false;

	if (c->ws_name)
		return KITH_OK;
	for (int i = 0; i < c->argc; i++) {
		const char *a = c->argv[i];

		if (a[0] == '-') {
			i += !strcmp(a, "--name") || !strcmp(a, "--expires");
			continue;
		}
		if (!create && !strcmp(a, "create")) {
			create = true;
		} else if (create) {
			email = a;
			break;
		} else {
			return KITH_OK;
		}
	}
	if (!email || store_open(&st, c->db_path, NULL))
		return KITH_OK;
	if (!store_user_by_email(&u, st, email, NULL) &&
	    !store_workspace_get(&w, st, u.workspace_id, NULL) && w.name) {
		snprintf(name, sizeof(name), "%s", w.name);
		c->ws_name = name;
	}
	workspace_clear(&w);
	user_clear(&u);
	store_close(st);
	return KITH_OK;
}

int cmd_token(struct cli *cl)
{
	static const struct cli_opt opts[] = { { "name", true },
					       { "expires", true },
					       { NULL, false } };
	long days;
	char token[SECRET_TOKEN_MAX], hash[SECRET_TOKEN_HASH_MAX];
	struct api_token *t = NULL;
	struct user u;
	size_t n = 0;
	int64_t id;
	int rc;

	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 1, 2);
	/* --expires DAYS: the token stops working then (0: never). */
	if (!rc)
		rc = cli_int(&days, cl, "expires", 0, 3650, 0);
	if (!rc)
		rc = secret_init(&cl->err);
	if (rc)
		return rc;
	if (!strcmp(cl->pos[0], "create") && cl->npos == 2) {
		const char *name = cli_get(cl, "name");

		rc = find_user(cl, cl->pos[1], &u);
		if (rc)
			return rc;
		secret_token_new(token, sizeof(token), SECRET_PREFIX_TOKEN);
		secret_token_hash(hash, token);
		rc = store_token_add(&id, cl->app.st, cl->app.ws, u.id,
				     name ? name : "cli", hash, cl->app.now,
				     days ? cl->app.now + days * KITH_DAY
					  : KITH_NO_TIME,
				     &cl->err);
		if (!rc && cl->json)
			kj_print(json_pack("{s:I, s:s, s:s}", "id",
					     (json_int_t)id, "name",
					     name ? name : "cli", "secret",
					     token));
		else if (!rc)
			/* The secret alone on the last line, for scripts. */
			printf("Token %lld for %s; shown once, keep it "
			       "safe:\n%s\n",
			       (long long)id, u.email, token);
		user_clear(&u);
		return rc;
	}
	if (!strcmp(cl->pos[0], "list")) {
		rc = store_token_list(&t, &n, cl->app.st, cl->app.ws, 0,
				      &cl->err);
		for (size_t i = 0; !rc && i < n; i++) {
			char used[40] = "never used";

			/* The server writes a use at most once a minute
			 * per token, so this is at most a minute stale. */
			if (t[i].last_used_at != KITH_NO_TIME) {
				char iso[40];

				snprintf(used, sizeof(used), "used %s",
					 kith_time_iso(t[i].last_used_at, iso,
						       sizeof(iso)));
			}
			if (cl->json)
				continue;
			printf("%5lld  %-20s user %lld  %s%s\n",
			       (long long)t[i].id, t[i].name,
			       (long long)t[i].user_id, used,
			       t[i].revoked_at != KITH_NO_TIME ? "  revoked"
							       : "");
		}
		if (!rc && cl->json) {
			json_t *a = json_array();

			for (size_t i = 0; i < n; i++)
				json_array_append_new(
				    a,
				    json_pack("{s:I, s:I, s:s, s:o, s:o, s:o, s:o}",
					      "id", (json_int_t)t[i].id,
					      "user_id",
					      (json_int_t)t[i].user_id, "name",
					      t[i].name, "created_at",
					      kj_time(t[i].created_at),
					      "last_used_at",
					      kj_time(t[i].last_used_at),
					      "revoked_at",
					      kj_time(t[i].revoked_at),
					      "expires_at",
					      kj_time(t[i].expires_at)));
			kj_print(a);
		}
		store_tokens_free(t, n);
		return rc;
	}
	if (!strcmp(cl->pos[0], "revoke") && cl->npos == 2) {
		id = strtoll(cl->pos[1], NULL, 10);
		rc = store_token_revoke(cl->app.st, cl->app.ws, 0, id,
					cl->app.now, &cl->err);
		if (!rc)
			printf("Revoked token %lld\n", (long long)id);
		return rc;
	}
	return kith_err_set(&cl->err, KITH_EINPUT, "SUBCOMMAND",
			    "expected create EMAIL, list or revoke ID");
}
