/* signals.c: kith webhook, signals, focus, notify and meetings: a person
 * answers inbound interest fast, and meetings stay uninterrupted. */
#include "cli.h"
#include "../app/export.h"
#include "../app/meetings.h"
#include "../app/notify.h"
#include "../app/signals.h"
#include "../render/json_views.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The user a command acts as: --user EMAIL, else the only owner. */
static int acting_user(struct user *out, struct cli *cl)
{
	const char *email = cli_get(cl, "user");
	struct user *u = NULL;
	size_t n = 0, owners = 0;
	int rc;

	if (email) {
		rc = store_user_by_email(out, cl->app.st, email, &cl->err);
		if (!rc && out->workspace_id != cl->app.ws) {
			user_clear(out);
			rc = KITH_ENOTFOUND;
		}
		if (rc == KITH_ENOTFOUND)
			return kith_err_set(&cl->err, KITH_ENOTFOUND, "--user",
					    "no user %s in this workspace",
					    email);
		return rc;
	}
	rc = store_user_list(&u, &n, cl->app.st, cl->app.ws, &cl->err);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (u[i].role == ROLE_OWNER && !owners++) {
			*out = u[i];
			memset(&u[i], 0, sizeof(u[i]));
		}
	store_users_free(u, n);
	if (owners == 1)
		return KITH_OK;
	if (owners)
		user_clear(out);
	return kith_err_set(&cl->err, KITH_EINPUT, "--user",
			    owners ? "several owners: name one with --user EMAIL"
				   : "no owner yet: kith user add EMAIL --role "
				     "owner --password-stdin");
}

int cmd_webhook(struct cli *cl)
{
	static const struct cli_opt opts[] = { { "base", true },
					       { NULL, false } };
	const char *base = cli_get(cl, "base");
	char *secret = NULL;
	int rc;

	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 0, 1);
	if (rc)
		return rc;
	base = cli_get(cl, "base");
	if (!base)
		base = getenv("KITH_URL");
	if (!base)
		base = "http://127.0.0.1:8080";
	if (cl->npos && strcmp(cl->pos[0], "show") && strcmp(cl->pos[0], "rotate"))
		return kith_err_set(&cl->err, KITH_EINPUT, "SUBCOMMAND",
				    "expected show or rotate");
	rc = app_hook_secret(&secret, &cl->app,
			     cl->npos && !strcmp(cl->pos[0], "rotate"),
			     &cl->err);
	if (rc)
		return rc;
	if (cl->json)
		kj_print(json_pack("{s:s+++}", "url", base,
				     base[strlen(base) - 1] == '/' ? "" : "/",
				     "hooks/", secret));
	else
		printf("%s%shooks/%s\n", base,
		       base[strlen(base) - 1] == '/' ? "" : "/", secret);
	free(secret);
	return KITH_OK;
}

/* kith feed [--rotate] [--user EMAIL] [--base-url URL]: the user's
 * secret calendar feed URL, made on first use. */
int cmd_feed(struct cli *cl)
{
	static const struct cli_opt opts[] = { { "rotate", false },
					       { "user", true },
					       { "base-url", true },
					       { NULL, false } };
	struct user u = { 0 };
	const char *base;
	char *token = NULL, *url = NULL;
	int rc;

	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 0, 0);
	if (!rc)
		rc = acting_user(&u, cl);
	if (rc)
		return rc;
	/* Where `kith serve` listens by default, unless told. */
	base = cli_get(cl, "base-url");
	if (!base)
		base = getenv("KITH_URL");
	if (!base)
		base = "http://127.0.0.1:8080";
	if (strncmp(base, "http://", 7) && strncmp(base, "https://", 8))
		rc = kith_err_set(&cl->err, KITH_EINPUT, "--base-url",
				  "expected http:// or https://, got \"%s\"",
				  base);
	if (!rc)
		rc = app_feed_token(&token, &cl->app, u.id,
				    cli_has(cl, "rotate"), &cl->err);
	if (!rc && !(url = app_feed_url(base, token)))
		rc = kith_err_nomem(&cl->err);
	if (!rc && cl->json)
		kj_print(json_pack("{s:s, s:s}", "user", u.email, "url", url));
	else if (!rc)
		printf("%s\n", url);
	free(url);
	free(token);
	user_clear(&u);
	return rc;
}

static int signals_stats(struct cli *cl)
{
	struct signal_user_stats *per = NULL;
	struct signal_week weeks[SIGNAL_WEEKS];
	struct respond_stats all;
	size_t n = 0;
	int target, rc;

	rc = app_signal_report(&per, &n, &all, &target, weeks, &cl->app,
			       &cl->err);
	if (rc)
		return rc;
	if (cl->json) {
		kj_print(kj_signal_stats(per, n, &all, target, weeks));
	} else {
		printf("Response time in working minutes (target %d):\n",
		       target);
		printf("  workspace  median %.0f, p90 %.0f, %zu breach%s, "
		       "%zu answered, %zu waiting\n",
		       all.median_minutes, all.p90_minutes, all.breaches,
		       all.breaches == 1 ? "" : "es", all.n, all.waiting);
		for (size_t i = 0; i < n; i++) {
			struct user u;
			char who[80] = "no owner";

			if (per[i].user_id &&
			    !store_user_get(&u, cl->app.st, cl->app.ws,
					    per[i].user_id, NULL)) {
				snprintf(who, sizeof(who), "%s", u.email);
				user_clear(&u);
			}
			printf("  %-24s median %.0f, p90 %.0f, %zu breach%s\n",
			       who, per[i].s.median_minutes,
			       per[i].s.p90_minutes, per[i].s.breaches,
			       per[i].s.breaches == 1 ? "" : "es");
		}
	}
	free(per);
	return KITH_OK;
}

static int signals_attach(struct cli *cl, bool create)
{
	struct signal g;
	int64_t id, cid = 0;
	char *end;
	int rc;

	id = strtoll(cl->pos[1], &end, 10);
	if (*end || id <= 0)
		return kith_err_set(&cl->err, KITH_EINPUT, "ID",
				    "expected a signal id, got \"%s\"",
				    cl->pos[1]);
	rc = store_signal_get(&g, cl->app.st, cl->app.ws, id, &cl->err);
	if (rc)
		return rc;
	if (create) {
		struct contact c;
		const char *name = cli_get(cl, "name") ? cli_get(cl, "name")
			: g.name			 ? g.name
			: g.email			 ? g.email
							 : g.handle;

		contact_init(&c);
		c.name = name ? strdup(name) : NULL;
		if (!c.name)
			rc = kith_err_set(&cl->err, KITH_EINPUT, "--name",
					  "the lead has no name: give --name");
		if (!rc && g.email)
			strlist_push(&c.emails, g.email);
		if (!rc && g.handle)
			strlist_push(&c.handles, g.handle);
		if (!rc)
			rc = app_signal_attach(&cl->app, id, &c, &cid,
					       &cl->err);
		contact_clear(&c);
	} else {
		rc = cli_contact(&cid, cl, cl->pos[2], "WHO");
		if (!rc)
			rc = app_signal_attach(&cl->app, id, NULL, &cid,
					       &cl->err);
	}
	signal_clear(&g);
	if (!rc)
		rc = store_signal_get(&g, cl->app.st, cl->app.ws, id, &cl->err);
	if (rc)
		return rc;
	if (cl->json)
		kj_print(kj_signal(&g, app_signal_response(&cl->app, &g)));
	else
		printf("Signal %lld now belongs to %s (#%lld)\n",
		       (long long)id, g.contact_name, (long long)cid);
	signal_clear(&g);
	return KITH_OK;
}

int cmd_signals(struct cli *cl)
{
	static const struct cli_opt opts[] = {
		{ "stats", false }, { "waiting", false }, { "name", true },
		{ NULL, false }
	};
	struct signal *g = NULL;
	size_t n = 0;
	int rc;

	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 0, 3);
	if (rc)
		return rc;
	if (cl->npos == 3 && !strcmp(cl->pos[0], "attach"))
		return signals_attach(cl, false);
	if (cl->npos == 2 && !strcmp(cl->pos[0], "new"))
		return signals_attach(cl, true);
	if (cl->npos)
		return kith_err_set(&cl->err, KITH_EINPUT, "SUBCOMMAND",
				    "expected attach ID WHO or new ID");
	if (cli_has(cl, "stats"))
		return signals_stats(cl);
	rc = store_signal_list(&g, &n, cl->app.st, cl->app.ws,
			       cli_has(cl, "waiting"), 0, 0, &cl->err);
	if (rc)
		return rc;
	if (cl->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(
				a, kj_signal(&g[i], app_signal_response(
							      &cl->app, &g[i])));
		kj_print(a);
	} else if (!n) {
		printf("No signals yet. Point your site's webhook at the URL "
		       "of kith webhook show.\n");
	}
	for (size_t i = 0; !cl->json && i < n; i++) {
		char age[48], what[200];
		double mins = app_signal_response(&cl->app, &g[i]);
		const char *who = g[i].contact_name ? g[i].contact_name
				  : g[i].email	    ? g[i].email
				  : g[i].name	    ? g[i].name
						    : "(unknown)";

		kith_time_relative(g[i].at, cl->app.now, age, sizeof(age));
		snprintf(what, sizeof(what), "%s%s%s",
			 signal_type_name(g[i].type), g[i].url ? " " : "",
			 g[i].url ? g[i].url : "");
		printf("%s%5lld%s  %s%-9s%s ", term_dim(), (long long)g[i].id,
		       term_reset(),
		       mins < 0 ? term_red() : term_dim(),
		       mins < 0 ? "waiting" : "answered", term_reset());
		term_pad(stdout, who, 24);
		printf("  ");
		term_pad(stdout, what, 40);
		printf("  %s", age);
		if (mins >= 0)
			printf(" (%.0f min)", mins);
		if (!g[i].contact_id) {
			printf("  %slead%s", term_yellow(), term_reset());
		} else if (g[i].owner_id) {
			struct user o;

			if (!store_user_get(&o, cl->app.st, cl->app.ws,
					    g[i].owner_id, NULL)) {
				printf("  %sowner ", term_dim());
				term_puts(stdout, o.email);
				printf("%s", term_reset());
				user_clear(&o);
			}
		}
		printf("\n");
	}
	store_signals_free(g, n);
	return KITH_OK;
}

int cmd_focus(struct cli *cl)
{
	static const struct cli_opt opts[] = {
		{ "for", true }, { "until", true }, { "off", false },
		{ "user", true }, { NULL, false }
	};
	kith_time until = KITH_NO_TIME;
	struct user u = { 0 };
	bool focused;
	char buf[64];
	int64_t secs;
	int rc, ways;

	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 0, 0);
	if (!rc)
		rc = acting_user(&u, cl);
	if (rc)
		return rc;
	ways = cli_has(cl, "for") + cli_has(cl, "until") + cli_has(cl, "off");
	if (ways > 1) {
		user_clear(&u);
		return kith_err_set(&cl->err, KITH_EINPUT, "--for",
				    "give one of --for, --until or --off");
	}
	if (cli_has(cl, "for")) {
		rc = kith_duration_parse(&secs, cli_get(cl, "for"), "--for",
					 &cl->err);
		until = cl->app.now + secs;
	} else if (cli_has(cl, "until")) {
		rc = cli_time(&until, cl, "until", KITH_NO_TIME, 0, NULL);
		if (!rc && until <= cl->app.now)
			rc = kith_err_set(&cl->err, KITH_EINPUT, "--until",
					  "that time has passed");
	} else if (cli_has(cl, "off")) {
		until = cl->app.now;
	}
	if (!rc && ways)
		rc = store_user_focus(cl->app.st, cl->app.ws, u.id, until,
				      &cl->err);
	if (!rc) {
		u.focus_until = ways ? until : u.focus_until;
		rc = app_user_focus(&focused, &until, &cl->app, &u, &cl->err);
	}
	if (!rc && cl->json)
		kj_print(json_pack("{s:s, s:b, s:o}", "user", u.email,
				     "focused", focused, "until",
				     kj_time(until)));
	else if (!rc && focused)
		printf("Alerts for %s are held until %s; they come as one "
		       "digest then.\n",
		       u.email, kith_time_iso(until, buf, sizeof(buf)));
	else if (!rc)
		printf("Focus is off for %s: alerts come as they happen.\n",
		       u.email);
	user_clear(&u);
	return rc;
}

/* kith notify test: a line per target, the failures on stderr. */
static void say_sent(void *arg, const struct notify_target *t,
		     const struct kith_err *e)
{
	(void)arg;
	if (e->status)
		fprintf(stderr, "kith notify: %s: %s\n", t->url, e->msg);
	else
		printf("Sent to %s\n", t->url);
}

int cmd_notify(struct cli *cl)
{
	static const struct cli_opt opts[] = {
		{ "json", false }, { "user", true }, { NULL, false }
	};
	struct notify_target *t = NULL, nt = { 0 };
	struct user u = { 0 };
	size_t n = 0;
	int rc;

	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 1, 2);
	if (!rc)
		rc = acting_user(&u, cl);
	if (rc)
		return rc;
	if (!strcmp(cl->pos[0], "add") && cl->npos == 2) {
		if (strncmp(cl->pos[1], "http://", 7) &&
		    strncmp(cl->pos[1], "https://", 8)) {
			rc = kith_err_set(&cl->err, KITH_EINPUT, "URL",
					  "expected an http:// or https:// URL");
			goto done;
		}
		nt.user_id = u.id;
		nt.url = (char *)cl->pos[1];
		/* `--json` is taken out of argv as the global flag wherever
		 * it stands: here it marks the target. */
		nt.json = cli_has(cl, "json") || cl->json;
		nt.created_at = cl->app.now;
		rc = store_notify_add(cl->app.st, cl->app.ws, &nt, &cl->err);
		if (!rc)
			printf("Alerts for %s also go to %s%s (#%lld)\n",
			       u.email, nt.url, nt.json ? " as JSON" : "",
			       (long long)nt.id);
	} else if (!strcmp(cl->pos[0], "list")) {
		rc = store_notify_list(&t, &n, cl->app.st, cl->app.ws, u.id,
				       &cl->err);
		for (size_t i = 0; !rc && i < n; i++)
			printf("%5lld  %s%s\n", (long long)t[i].id, t[i].url,
			       t[i].json ? "  (json)" : "");
		if (!rc && !n)
			printf("No notification URLs. Add one: kith notify add "
			       "https://ntfy.example/you\n");
	} else if (!strcmp(cl->pos[0], "remove") && cl->npos == 2) {
		rc = store_notify_delete(cl->app.st, cl->app.ws,
					 strtoll(cl->pos[1], NULL, 10),
					 &cl->err);
		if (!rc)
			printf("Removed\n");
	} else if (!strcmp(cl->pos[0], "test")) {
		char *text = NULL;

		/* Now, from here: no server or cron needed to check it. */
		rc = notify_init(&cl->err);
		if (!rc)
			rc = app_digest_text(&text, &cl->app, &u, &cl->err);
		if (!rc)
			rc = notify_send_user(&cl->app, &u, "morning", text,
					      5000, say_sent, NULL, &cl->err);
		free(text);
	} else {
		rc = kith_err_set(&cl->err, KITH_EINPUT, "SUBCOMMAND",
				  "expected add URL, list, remove ID or test");
	}
done:
	store_notify_free(t, n);
	user_clear(&u);
	return rc;
}

static int read_all(char **out, size_t *len, struct cli *cl, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return kith_err_set(&cl->err, KITH_EINPUT, "FILE",
				    "cannot read %s: %s", path,
				    strerror(errno));
	for (;;) {
		if (n + 65536 > cap) {
			char *b = realloc(buf, cap = cap * 2 + 65536);

			if (!b) {
				free(buf);
				fclose(f);
				return kith_err_nomem(&cl->err);
			}
			buf = b;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);

		n += got;
		if (!got)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return KITH_OK;
}

int cmd_meetings(struct cli *cl)
{
	static const struct cli_opt opts[] = { { "user", true },
					       { NULL, false } };
	struct meeting *m = NULL;
	struct user u = { 0 };
	size_t n = 0;
	char buf[64];
	int rc;

	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 0, 2);
	if (rc)
		return rc;
	if (cl->npos == 2 && !strcmp(cl->pos[0], "import")) {
		struct meetings_result r;
		char *text = NULL;
		size_t len = 0;

		rc = acting_user(&u, cl);
		if (!rc)
			rc = read_all(&text, &len, cl, cl->pos[1]);
		if (!rc)
			rc = app_meetings_import(&r, &cl->app, u.id, text, len,
						 cl->pos[1], &cl->err);
		if (!rc && cl->json)
			kj_print(json_pack("{s:I, s:I, s:I}", "events",
					     (json_int_t)r.events,
					     "with_contacts",
					     (json_int_t)r.with_contacts,
					     "suggested",
					     (json_int_t)r.suggested));
		else if (!rc)
			printf("Imported %zu meetings (%zu with contacts); "
			       "%zu past ones to confirm: kith meetings\n",
			       r.events, r.with_contacts, r.suggested);
		free(text);
		user_clear(&u);
		return rc;
	}
	if (cl->npos == 2 && (!strcmp(cl->pos[0], "confirm") ||
			      !strcmp(cl->pos[0], "dismiss"))) {
		int64_t id = strtoll(cl->pos[1], NULL, 10), touch = 0;

		if (!strcmp(cl->pos[0], "confirm"))
			rc = app_meeting_confirm(&touch, &cl->app, 0, id,
						 &cl->err);
		else
			rc = store_meeting_state(cl->app.st, cl->app.ws, 0,
						 id, "dismissed", 0, &cl->err);
		if (!rc && touch)
			printf("Logged meeting %lld as touchpoint #%lld\n",
			       (long long)id, (long long)touch);
		else if (!rc)
			printf("Dismissed meeting %lld\n", (long long)id);
		return rc;
	}
	if (cl->npos)
		return kith_err_set(&cl->err, KITH_EINPUT, "SUBCOMMAND",
				    "expected import FILE.ics, confirm ID or "
				    "dismiss ID");
	rc = store_meeting_list(&m, &n, cl->app.st, cl->app.ws, 0, "suggested",
				&cl->err);
	if (rc)
		return rc;
	if (cl->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, kj_meeting(&m[i]));
		kj_print(a);
	} else if (!n) {
		printf("No meetings to confirm. Import a calendar: kith "
		       "meetings import week.ics\n");
	}
	for (size_t i = 0; !cl->json && i < n; i++) {
		printf("%5lld  %s  %-8s ", (long long)m[i].id,
		       kith_time_relative(m[i].start, cl->app.now, buf,
					  sizeof(buf)),
		       m[i].video ? "video" : "in person");
		/* A calendar's summary is someone else's text. */
		term_puts(stdout, m[i].summary ? m[i].summary : "");
		/* Names, not ids: who the touch would be logged with. */
		for (size_t j = 0; j < m[i].n_contacts; j++) {
			struct contact ct = { 0 };

			fputs(j ? ", " : " (", stdout);
			if (store_contact_get(&ct, cl->app.st, cl->app.ws,
					      m[i].contacts[j],
					      NULL) == KITH_OK &&
			    ct.name)
				term_puts(stdout, ct.name);
			else
				printf("contact %lld",
				       (long long)m[i].contacts[j]);
			contact_clear(&ct);
		}
		puts(m[i].n_contacts ? ")" : "");
	}
	store_meetings_free(m, n);
	return KITH_OK;
}
