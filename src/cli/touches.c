/* touches.c: kith log, fact, date, promise, promises, done, gift, revenue,
 * cadence: what happened, what matters, what was promised. */
#include "cli.h"
#include "../app/touch.h"
#include "../render/json.h"

#include <stdlib.h>
#include <string.h>

/* "2026-11-20 09:30" in the user's zone, for confirmations. */
static const char *local_words(kith_time t, const char *tz, char *buf,
			       size_t n)
{
	struct tm tm;

	if (kith_time_local(&tm, t, tz))
		return kith_time_iso(t, buf, n);
	strftime(buf, n, "%a %d %b %Y %H:%M", &tm);
	return buf;
}

/* Options of kith log into t; the rules are app_touch_log's. */
static int log_options(struct cli *cl, struct touchpoint *t)
{
	static const struct cli_opt opts[] = {
		{ "via", true },  { "at", true },	 { "minutes", true },
		{ "note", true }, { "direction", true }, { NULL, false },
	};
	long minutes;
	int rc;

	t->direction = APP_DIR_DEFAULT;
	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 1, 1);
	if (!rc && !cli_get(cl, "via"))
		rc = kith_err_set(&cl->err, KITH_EINPUT, "--via",
				  "how did you meet? --via in_person, video, "
				  "call, letter, gift, text, email or social");
	if (!rc)
		rc = channel_parse(&t->channel, cli_get(cl, "via"), "--via",
				   &cl->err);
	if (!rc)
		rc = cli_time(&t->at, cl, "at", cl->app.now, 0, NULL);
	if (!rc)
		rc = cli_int(&minutes, cl, "minutes", 0, 100000, 0);
	if (rc)
		return rc;
	t->minutes = (int)minutes;
	if (cli_get(cl, "direction"))
		rc = direction_parse(&t->direction, cli_get(cl, "direction"),
				     "--direction", &cl->err);
	if (rc)
		return rc;
	t->note = kith_strdup(cli_get(cl, "note"));
	return cli_get(cl, "note") && !t->note ? kith_err_nomem(&cl->err)
					       : KITH_OK;
}

/*
 * The contacts of "dana, Sam Ortiz" into t->contacts, in order, and the
 * words that named them into *words (pointing into *list, which the
 * caller frees with *words).
 */
static int log_contacts(struct cli *cl, struct touchpoint *t, char **list,
			const char ***words)
{
	size_t cap = strlen(cl->pos[0]) / 2 + 2;
	char *save = NULL, *tok;
	int rc;

	*list = strdup(cl->pos[0]);
	*words = calloc(cap, sizeof(**words));
	t->contacts = calloc(cap, sizeof(*t->contacts));
	if (!*list || !*words || !t->contacts)
		return kith_err_nomem(&cl->err);
	for (tok = strtok_r(*list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		rc = cli_contact(&t->contacts[t->n_contacts], cl, tok, "WHO");
		if (rc)
			return rc;
		(*words)[t->n_contacts++] = tok;
	}
	return KITH_OK;
}

static void print_touch(struct cli *cl, const struct touchpoint *t)
{
	char names[600] = "", buf[64];

	if (cl->json) {
		kj_print(kj_touch(t));
		return;
	}
	for (size_t i = 0; i < t->n_contacts; i++) {
		struct contact c;

		if (store_contact_get(&c, cl->app.st, cl->app.ws,
				      t->contacts[i], NULL))
			continue;
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
			 "%s%s", i ? ", " : "", c.name);
		contact_clear(&c);
	}
	printf("Logged %s with %s%s%s, %s (#%lld)\n", channel_label(t->channel),
	       term_bold(), names, term_reset(),
	       local_words(t->at, NULL, buf, sizeof(buf)), (long long)t->id);
}

int cmd_log(struct cli *cl)
{
	static const struct cli_field fields[] = {
		{ "contacts", "WHO" },	   { "channel", "--via" },
		{ "direction", "--direction" }, { "minutes", "--minutes" },
		{ NULL, NULL },
	};
	struct touchpoint t = { 0 };
	const char **words = NULL;
	char *list = NULL;
	size_t which;
	int rc;

	rc = log_options(cl, &t);
	if (!rc)
		rc = log_contacts(cl, &t, &list, &words);
	if (!rc) {
		rc = app_touch_log(&which, &cl->app, &t, 0, &cl->err);
		/* Quote the name as typed, not the id it found. */
		if (rc && which < t.n_contacts)
			kith_err_set(&cl->err, KITH_EINPUT, "WHO",
				     "\"%s\" is named twice", words[which]);
		cli_fields(cl, rc, fields);
	}
	if (!rc)
		print_touch(cl, &t);
	free(words);
	free(list);
	touchpoint_clear(&t);
	return rc;
}

int cmd_fact(struct cli *cl)
{
	static const struct cli_field fields[] = { { "text", "TEXT" },
						   { NULL, NULL } };
	struct fact f = { 0 };
	int rc;

	rc = cli_start(&f.contact_id, cl, NULL, 2, 2);
	if (rc)
		return rc;
	f.text = strdup(cl->pos[1]);
	rc = f.text ? app_fact_add(&cl->app, &f, &cl->err)
		    : kith_err_nomem(&cl->err);
	rc = cli_fields(cl, rc, fields);
	if (!rc && cl->json)
		kj_print(kj_fact(&f));
	else if (!rc)
		printf("Remembered (#%lld): %s\n", (long long)f.id, f.text);
	fact_clear(&f);
	return rc;
}

int cmd_date(struct cli *cl)
{
	static const struct cli_opt opts[] = { { "once", false },
					       { NULL, false } };
	static const struct cli_field fields[] = {
		{ "kind", "KIND" }, { "date", "DATE" }, { NULL, NULL }
	};
	struct kdate d = { 0 };
	int rc;

	rc = cli_start(&d.contact_id, cl, opts, 3, 3);
	if (rc)
		return rc;
	d.yearly = !cli_has(cl, "once");
	d.kind = strdup(cl->pos[1]);
	rc = d.kind ? app_date_add(&cl->app, &d, cl->pos[2], &cl->err)
		    : kith_err_nomem(&cl->err);
	rc = cli_fields(cl, rc, fields);
	if (!rc && cl->json)
		kj_print(kj_kdate(&d));
	else if (!rc)
		printf("Remembered %s %s (#%lld)\n", d.kind, cl->pos[2],
		       (long long)d.id);
	kdate_clear(&d);
	return rc;
}

int cmd_promise(struct cli *cl)
{
	static const struct cli_opt opts[] = { { "due", true },
					       { NULL, false } };
	static const struct cli_field fields[] = { { "text", "TEXT" },
						   { NULL, NULL } };
	struct promise p = { 0 };
	struct contact c;
	char buf[64];
	int rc;

	rc = cli_start(&p.contact_id, cl, opts, 2, 2);
	if (!rc)
		rc = store_contact_get(&c, cl->app.st, cl->app.ws, p.contact_id,
				       &cl->err);
	if (rc)
		return rc;
	/* "Due the 28th" means the end of the 28th where they are. */
	rc = cli_time(&p.due, cl, "due", KITH_NO_TIME, 1, c.tz);
	p.done_at = KITH_NO_TIME;
	p.text = strdup(cl->pos[1]);
	if (!rc)
		rc = p.text ? app_promise_add(&cl->app, &p, &cl->err)
			    : kith_err_nomem(&cl->err);
	rc = cli_fields(cl, rc, fields);
	if (!rc && cl->json)
		kj_print(kj_promise(&p, cl->app.now));
	else if (!rc)
		printf("Promised %s: %s%s%s (#%lld)\n", c.name, p.text,
		       p.due == KITH_NO_TIME ? "" : ", due ",
		       p.due == KITH_NO_TIME
			       ? ""
			       : local_words(p.due, c.tz, buf, sizeof(buf)),
		       (long long)p.id);
	contact_clear(&c);
	promise_clear(&p);
	return rc;
}

int cmd_promises(struct cli *cl)
{
	static const struct cli_opt opts[] = { { "all", false },
					       { NULL, false } };
	struct promise *p = NULL;
	size_t n = 0;
	char buf[64];
	int rc;

	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 0, 0);
	if (!rc)
		rc = store_promise_list(&p, &n, cl->app.st, cl->app.ws, 0,
					cli_has(cl, "all"), &cl->err);
	if (rc)
		return rc;
	if (cl->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, kj_promise(&p[i],
							      cl->app.now));
		kj_print(a);
	} else if (n == 0) {
		printf("No open promises. Make one: kith promise dana "
		       "\"send laptop specs\" --due 2026-11-28\n");
	}
	for (size_t i = 0; !cl->json && i < n; i++) {
		bool overdue = p[i].done_at == KITH_NO_TIME &&
			       p[i].due != KITH_NO_TIME && p[i].due < cl->app.now;
		const char *when =
			p[i].done_at != KITH_NO_TIME ? "kept"
			: p[i].due == KITH_NO_TIME
				? "no due date"
				: kith_time_relative(p[i].due, cl->app.now, buf,
						     sizeof(buf));

		printf("%s%5lld%s  ", term_dim(), (long long)p[i].id,
		       term_reset());
		term_pad(stdout, p[i].contact_name, 22);
		printf("  ");
		term_pad(stdout, p[i].text, 34);
		printf("  %s%s%s%s\n", overdue ? term_red() : term_dim(),
		       overdue ? "overdue, due " : "", when, term_reset());
	}
	store_promises_free(p, n);
	return KITH_OK;
}

int cmd_done(struct cli *cl)
{
	static const struct cli_field fields[] = { { "id", "ID" },
						   { NULL, NULL } };
	struct promise p = { 0 };
	long id;
	char *end;
	int rc;

	rc = cli_parse(cl, NULL);
	if (!rc)
		rc = cli_want(cl, 1, 1);
	if (rc)
		return rc;
	id = strtol(cl->pos[0], &end, 10);
	if (*end || id <= 0)
		return kith_err_set(&cl->err, KITH_EINPUT, "ID",
				    "expected a promise id (see kith "
				    "promises), got \"%s\"",
				    cl->pos[0]);
	rc = cli_fields(cl, app_promise_done(&p, &cl->app, id, &cl->err),
			fields);
	if (!rc && cl->json)
		kj_print(kj_promise(&p, cl->app.now));
	else if (!rc)
		printf("Kept: %s (%s)\n", p.text, p.contact_name);
	promise_clear(&p);
	return rc;
}

int cmd_gift(struct cli *cl)
{
	static const struct cli_opt opts[] = {
		{ "value", true }, { "at", true }, { NULL, false }
	};
	static const struct cli_field fields[] = {
		{ "text", "TEXT" }, { "value", "--value" }, { NULL, NULL }
	};
	struct gift g = { 0 };
	int rc;

	rc = cli_start(&g.contact_id, cl, opts, 2, 2);
	if (!rc && cli_get(cl, "value"))
		rc = cli_money(&g.value_cents, cl, cli_get(cl, "value"),
			       "--value");
	if (!rc)
		rc = cli_time(&g.at, cl, "at", cl->app.now, 0, NULL);
	if (rc)
		return rc;
	g.text = strdup(cl->pos[1]);
	rc = g.text ? app_gift_add(&cl->app, &g, &cl->err)
		    : kith_err_nomem(&cl->err);
	rc = cli_fields(cl, rc, fields);
	if (!rc && cl->json)
		kj_print(kj_gift(&g));
	else if (!rc)
		printf("Gift recorded (#%lld): %s\n", (long long)g.id, g.text);
	gift_clear(&g);
	return rc;
}

int cmd_revenue(struct cli *cl)
{
	static const struct cli_opt opts[] = {
		{ "at", true }, { "note", true }, { NULL, false }
	};
	static const struct cli_field fields[] = { { "amount", "AMOUNT" },
						   { NULL, NULL } };
	struct revenue r = { 0 };
	int rc;

	rc = cli_start(&r.contact_id, cl, opts, 2, 2);
	if (!rc)
		rc = cli_money(&r.amount_cents, cl, cl->pos[1], "AMOUNT");
	if (!rc)
		rc = cli_time(&r.at, cl, "at", cl->app.now, 0, NULL);
	if (rc)
		return rc;
	r.note = kith_strdup(cli_get(cl, "note"));
	rc = cli_fields(cl, app_revenue_add(&cl->app, &r, &cl->err), fields);
	if (!rc && cl->json)
		kj_print(kj_revenue(&r));
	else if (!rc)
		printf("Revenue recorded (#%lld)\n", (long long)r.id);
	revenue_clear(&r);
	return rc;
}

int cmd_cadence(struct cli *cl)
{
	static const struct cli_opt opts[] = {
		{ "tag", true },   { "tier", true },	   { "default", false },
		{ "every", true }, { "meet-every", true }, { NULL, false },
	};
	static const struct cli_field fields[] = {
		{ "scope", "--tag" },	{ "key", "--tier" },
		{ "every", "--every" }, { "meet_every", "--meet-every" },
		{ NULL, NULL },
	};
	struct cadence_rule *rules = NULL;
	struct cadence every, meet;
	enum cadence_scope scope;
	size_t n = 0;
	char a[48], b[48];
	int rc, scopes;

	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 0, 0);
	if (rc)
		return rc;
	scopes = cli_has(cl, "tag") + cli_has(cl, "tier") +
		 cli_has(cl, "default");
	if (scopes > 1)
		return kith_err_set(&cl->err, KITH_EINPUT, "--tag",
				    "give one of --tag, --tier or --default");
	if (scopes == 1) {
		if (!cli_has(cl, "every") && !cli_has(cl, "meet-every"))
			return kith_err_set(&cl->err, KITH_EINPUT, "--every",
					    "say how often: --every and/or "
					    "--meet-every");
		scope = cli_has(cl, "tag")    ? CADENCE_TAG
			: cli_has(cl, "tier") ? CADENCE_TIER
					      : CADENCE_DEFAULT;
		if (cli_has(cl, "every"))
			rc = kith_cadence_parse(&every, cli_get(cl, "every"),
						"--every", &cl->err);
		if (!rc && cli_has(cl, "meet-every"))
			rc = kith_cadence_parse(&meet,
						cli_get(cl, "meet-every"),
						"--meet-every", &cl->err);
		if (!rc)
			rc = app_cadence_set(
				NULL, &cl->app, scope,
				cli_get(cl, scope == CADENCE_TAG ? "tag"
								 : "tier"),
				cli_has(cl, "every") ? &every : NULL,
				cli_has(cl, "meet-every") ? &meet : NULL,
				&cl->err);
		if (rc)
			return cli_fields(cl, rc, fields);
	} else if (cli_has(cl, "every") || cli_has(cl, "meet-every")) {
		return kith_err_set(&cl->err, KITH_EINPUT, "--tag",
				    "for whom? --tag TAG, --tier A|B|C or "
				    "--default (a contact's own: kith edit "
				    "WHO --every)");
	}
	rc = store_cadence_list(&rules, &n, cl->app.st, cl->app.ws, &cl->err);
	if (rc)
		return rc;
	if (cl->json) {
		json_t *arr = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(
				arr, kj_cadence_rule(cadence_scope_name(rules[i].scope),
						       rules[i].key,
						       rules[i].every,
						       rules[i].meet));
		kj_print(arr);
	} else {
		for (size_t i = 0; i < n; i++) {
			char label[80];

			snprintf(label, sizeof(label), "%s %s",
				 cadence_scope_name(rules[i].scope), rules[i].key);
			printf("  ");
			term_pad(stdout, label, 20);
			printf("%s", kith_cadence_none(rules[i].every)
					     ? "-"
					     : kith_cadence_words(rules[i].every,
								  a, sizeof(a)));
			if (!kith_cadence_none(rules[i].meet))
				printf("; face to face %s",
				       kith_cadence_words(rules[i].meet, b,
							  sizeof(b)));
			printf("\n");
		}
	}
	store_cadences_free(rules, n);
	return KITH_OK;
}
