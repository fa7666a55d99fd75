/* contacts.c: kith init, add, edit, show, list, search, delete, merge,
 * snooze: the people in the book. */
#include "cli.h"
#include "../app/contact.h"
#include "../render/json.h"

#include <stdlib.h>
#include <string.h>

int cmd_init(struct cli *c)
{
	struct workspace w = { 0 };
	char shown[1024];
	int rc;

	rc = cli_parse(c, NULL);
	if (!rc)
		rc = cli_want(c, 0, 0);
	if (!rc)
		rc = store_workspace_get(&w, c->app.st, c->app.ws, &c->err);
	if (rc)
		return rc;
	store_path_display(shown, sizeof(shown), c->db_path);
	if (c->json)
		kj_print(json_pack("{s:s, s:{s:I, s:s}, s:i}", "db",
				     shown, "workspace", "id",
				     (json_int_t)w.id, "name", w.name,
				     "schema_version",
				     store_schema_version(c->app.st)));
	else
		printf("Database ready: %s (workspace \"%s\")\n", shown,
		       w.name);
	workspace_clear(&w);
	return KITH_OK;
}

static const struct cli_opt contact_opts[] = {
	{ "name", true },	  { "email", true },	{ "remove-email", true },
	{ "phone", true },	  { "remove-phone", true },
	{ "handle", true },	  { "org", true },	{ "title", true },
	{ "tz", true },		  { "tier", true },	{ "every", true },
	{ "meet-every", true },	  { "tag", true },	{ "untag", true },
	{ "since", true },	  { "notes", true },	{ NULL, false },
};

static int set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v && *v ? strdup(v) : NULL;
	return v && *v && !*dst ? -1 : 0;
}

static int remove_ci(struct strlist *l, const char *v)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcasecmp(l->v[i], v))
			continue;
		free(l->v[i]);
		memmove(&l->v[i], &l->v[i + 1],
			(l->n - i - 1) * sizeof(*l->v));
		l->n--;
		return 1;
	}
	return 0;
}

/* The use case names fields by their JSON keys; these are the options
 * the user typed for them. */
static const struct cli_field contact_fields[] = {
	{ "name", "--name" },	{ "emails", "--email" },
	{ "tz", "--tz" },	{ "tags", "--tag" },
	{ "tier", "--tier" },	{ "every", "--every" },
	{ "meet_every", "--meet-every" }, { "org_id", "--org" },
	{ NULL, NULL },
};

/* Apply every contact option given to c (for add and edit alike): the
 * words become values here; the rules are app_contact_add/update's. */
static int apply_opts(struct cli *cl, struct contact *c)
{
	int rc = KITH_OK;

	for (int i = 0; !rc && i < cl->nopts; i++) {
		const char *n = cl->opts[i].name, *v = cl->opts[i].value;

		if (!strcmp(n, "name")) {
			rc = set_str(&c->name, v);
		} else if (!strcmp(n, "email")) {
			if (!strlist_has_ci(&c->emails, v))
				rc = strlist_push(&c->emails, v);
		} else if (!strcmp(n, "remove-email")) {
			remove_ci(&c->emails, v);
		} else if (!strcmp(n, "phone")) {
			if (!strlist_has_ci(&c->phones, v))
				rc = strlist_push(&c->phones, v);
		} else if (!strcmp(n, "remove-phone")) {
			remove_ci(&c->phones, v);
		} else if (!strcmp(n, "handle")) {
			if (!strlist_has_ci(&c->handles, v))
				rc = strlist_push(&c->handles, v);
		} else if (!strcmp(n, "org")) {
			c->org_id = 0;
			rc = set_str(&c->org_name, v);
		} else if (!strcmp(n, "title")) {
			rc = set_str(&c->title, v);
		} else if (!strcmp(n, "notes")) {
			rc = set_str(&c->notes, v);
		} else if (!strcmp(n, "tz")) {
			rc = set_str(&c->tz, v);
		} else if (!strcmp(n, "tier")) {
			rc = tier_parse(&c->tier, v, "--tier", &cl->err);
			if (rc)
				return rc;
		} else if (!strcmp(n, "every")) {
			rc = kith_cadence_parse(&c->every, v, "--every",
						&cl->err);
			if (rc)
				return rc;
		} else if (!strcmp(n, "meet-every")) {
			rc = kith_cadence_parse(&c->meet_every, v,
						"--meet-every", &cl->err);
			if (rc)
				return rc;
		} else if (!strcmp(n, "tag")) {
			if (!strlist_has_ci(&c->tags, v))
				rc = strlist_push(&c->tags, v);
		} else if (!strcmp(n, "untag")) {
			remove_ci(&c->tags, v);
		} else if (!strcmp(n, "since")) {
			if (!*v)
				c->since = KITH_NO_DAY;
			else
				rc = kith_date_parse(&c->since, v, "--since",
						     &cl->err);
			if (rc)
				return rc;
		}
		if (rc < 0)
			return kith_err_nomem(&cl->err);
	}
	return rc;
}

static void print_contact_line(const struct contact *c, kith_time now)
{
	char rel[48] = "never";

	if (c->last_touch != KITH_NO_TIME)
		kith_time_relative(c->last_touch, now, rel, sizeof(rel));
	printf("%s%5lld%s  ", term_dim(), (long long)c->id, term_reset());
	printf("%s", term_bold());
	term_pad(stdout, c->name, 24);
	printf("%s  ", term_reset());
	term_pad(stdout, tier_name(c->tier), 4);
	term_pad(stdout, c->org_name ? c->org_name : "", 22);
	printf("  %s%s%s\n", term_dim(), rel, term_reset());
}

int cmd_add(struct cli *cl)
{
	struct contact c;
	int rc;

	contact_init(&c);
	rc = cli_parse(cl, contact_opts);
	if (!rc)
		rc = cli_want(cl, 1, 1);
	if (rc)
		return rc;
	/* The word NAME is required, not only a name: --name cannot
	 * stand in for an empty one. */
	if (!*cl->pos[0])
		return kith_err_set(&cl->err, KITH_EINPUT, "NAME",
				    "a contact needs a name");
	c.name = strdup(cl->pos[0]);
	rc = c.name ? apply_opts(cl, &c) : kith_err_nomem(&cl->err);
	if (!rc)
		rc = cli_fields(cl, app_contact_add(&cl->app, &c, &cl->err),
				contact_fields);
	if (!rc) {
		struct contact full;

		rc = store_contact_get(&full, cl->app.st, cl->app.ws, c.id,
				       &cl->err);
		if (!rc && cl->json)
			kj_print(kj_contact(&full, true));
		else if (!rc)
			printf("Added %s%s%s (#%lld)\n", term_bold(), full.name,
			       term_reset(), (long long)full.id);
		contact_clear(&full);
	}
	contact_clear(&c);
	return rc;
}

int cmd_edit(struct cli *cl)
{
	struct contact c;
	int64_t id;
	int rc;

	contact_init(&c);
	rc = cli_parse(cl, contact_opts);
	if (!rc)
		rc = cli_want(cl, 1, 1);
	if (!rc && cl->nopts == 0)
		rc = kith_err_set(&cl->err, KITH_EINPUT, NULL,
				  "nothing to change (see kith edit --help)");
	if (!rc)
		rc = cli_contact(&id, cl, cl->pos[0], "WHO");
	if (!rc)
		rc = store_contact_get(&c, cl->app.st, cl->app.ws, id,
				       &cl->err);
	if (rc)
		return rc;
	rc = apply_opts(cl, &c);
	if (!rc)
		rc = cli_fields(cl,
				app_contact_update(&cl->app, &c, c.version,
						   &cl->err),
				contact_fields);
	if (!rc) {
		struct contact full;

		rc = store_contact_get(&full, cl->app.st, cl->app.ws, id,
				       &cl->err);
		if (!rc && cl->json)
			kj_print(kj_contact(&full, true));
		else if (!rc)
			printf("Updated %s%s%s (#%lld)\n", term_bold(),
			       full.name, term_reset(), (long long)full.id);
		contact_clear(&full);
	}
	contact_clear(&c);
	return rc;
}

static void print_list(const char *label, const struct strlist *l)
{
	if (!l->n)
		return;
	printf("  %s%-10s%s", term_dim(), label, term_reset());
	for (size_t i = 0; i < l->n; i++)
		printf("%s%s", i ? ", " : "", l->v[i]);
	printf("\n");
}

int cmd_show(struct cli *cl)
{
	struct contact c;
	char buf[64], cad[48];
	int64_t id;
	int rc;

	rc = cli_start(&id, cl, NULL, 1, 1);
	if (!rc)
		rc = store_contact_get(&c, cl->app.st, cl->app.ws, id,
				       &cl->err);
	if (rc)
		return rc;
	if (cl->json) {
		kj_print(kj_contact(&c, true));
		contact_clear(&c);
		return KITH_OK;
	}
	printf("%s%s%s  %s#%lld%s\n", term_bold(), c.name, term_reset(),
	       term_dim(), (long long)c.id, term_reset());
	if (c.title || c.org_name)
		printf("  %s%s%s\n", c.title ? c.title : "",
		       c.title && c.org_name ? ", " : "",
		       c.org_name ? c.org_name : "");
	print_list("email", &c.emails);
	print_list("phone", &c.phones);
	print_list("handle", &c.handles);
	print_list("tags", &c.tags);
	if (c.tier != TIER_NONE)
		printf("  %s%-10s%s%s\n", term_dim(), "tier", term_reset(),
		       tier_name(c.tier));
	if (c.tz)
		printf("  %s%-10s%s%s\n", term_dim(), "time zone", term_reset(),
		       c.tz);
	if (c.since != KITH_NO_DAY)
		printf("  %s%-10s%s%s\n", term_dim(), "client", term_reset(),
		       kith_date_iso(c.since, buf, sizeof(buf)));
	printf("  %s%-10s%s%s", term_dim(), "cadence", term_reset(),
	       kith_cadence_words(c.eff_every, cad, sizeof(cad)));
	if (!kith_cadence_none(c.eff_meet))
		printf("; face to face %s",
		       kith_cadence_words(c.eff_meet, cad, sizeof(cad)));
	printf("\n");
	printf("  %s%-10s%s%s", term_dim(), "last", term_reset(),
	       c.last_touch == KITH_NO_TIME
		       ? "never"
		       : kith_time_relative(c.last_touch, cl->app.now, buf,
					    sizeof(buf)));
	if (c.last_in_person != KITH_NO_TIME)
		printf("; in person %s",
		       kith_time_relative(c.last_in_person, cl->app.now, buf,
					  sizeof(buf)));
	printf(" (%lld touches)\n", (long long)c.touch_count);
	if (c.due_at != KITH_NO_TIME)
		printf("  %s%-10s%s%s\n", term_dim(), "due", term_reset(),
		       kith_time_relative(c.due_at, cl->app.now, buf,
					  sizeof(buf)));
	if (c.snooze_until != KITH_NO_TIME && c.snooze_until > cl->app.now)
		printf("  %s%-10s%s%s\n", term_dim(), "snoozed", term_reset(),
		       kith_time_relative(c.snooze_until, cl->app.now, buf,
					  sizeof(buf)));
	if (c.notes)
		printf("  %s%-10s%s%s\n", term_dim(), "notes", term_reset(),
		       c.notes);
	contact_clear(&c);
	return KITH_OK;
}

static int list_contacts(struct cli *cl, const struct contact_filter *f)
{
	struct contact *cs = NULL;
	size_t n = 0;
	int rc;

	rc = store_contact_list(&cs, &n, cl->app.st, cl->app.ws, f, &cl->err);
	if (rc)
		return rc;
	if (cl->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, kj_contact(&cs[i], true));
		kj_print(a);
	} else if (n == 0) {
		printf("No contacts%s. Add one: kith add \"Dana Whitfield\" "
		       "--email dana@harbor.example\n",
		       f->q || f->tag || f->tier ? " match" : " yet");
	} else {
		for (size_t i = 0; i < n; i++)
			print_contact_line(&cs[i], cl->app.now);
	}
	store_contacts_free(cs, n);
	return KITH_OK;
}

int cmd_list(struct cli *cl)
{
	static const struct cli_opt opts[] = {
		{ "tag", true }, { "tier", true }, { "limit", true },
		{ NULL, false }
	};
	struct contact_filter f = { 0 };
	long limit;
	int rc;

	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 0, 0);
	if (!rc)
		rc = cli_int(&limit, cl, "limit", 1, 1000000, 0);
	if (!rc && cli_get(cl, "tier"))
		rc = tier_parse(&f.tier, cli_get(cl, "tier"), "--tier",
				&cl->err);
	if (rc)
		return rc;
	f.tag = cli_get(cl, "tag");
	f.limit = (size_t)limit;
	return list_contacts(cl, &f);
}

int cmd_search(struct cli *cl)
{
	struct contact_filter f = { 0 };
	char q[512] = "";
	int rc;

	rc = cli_parse(cl, NULL);
	if (!rc)
		rc = cli_want(cl, 1, CLI_MAX_ARGS);
	if (rc)
		return rc;
	for (int i = 0; i < cl->npos; i++)
		snprintf(q + strlen(q), sizeof(q) - strlen(q), "%s%s",
			 i ? " " : "", cl->pos[i]);
	f.q = q;
	return list_contacts(cl, &f);
}

int cmd_delete(struct cli *cl)
{
	struct contact c;
	int64_t id;
	int rc;

	rc = cli_start(&id, cl, NULL, 1, 1);
	if (!rc)
		rc = store_contact_get(&c, cl->app.st, cl->app.ws, id,
				       &cl->err);
	if (rc)
		return rc;
	rc = store_contact_delete(cl->app.st, cl->app.ws, id, &cl->err);
	if (!rc && cl->json)
		kj_print(json_pack("{s:I, s:b}", "id", (json_int_t)id,
				     "deleted", 1));
	else if (!rc)
		printf("Deleted %s (#%lld)\n", c.name, (long long)id);
	contact_clear(&c);
	return rc;
}

int cmd_merge(struct cli *cl)
{
	struct contact c;
	int64_t from, into;
	int rc;

	rc = cli_parse(cl, NULL);
	if (!rc)
		rc = cli_want(cl, 2, 2);
	if (!rc)
		rc = cli_contact(&from, cl, cl->pos[0], "FROM");
	/* "merge 'Dana W' dana": the survivor is never the one merged. */
	if (!rc)
		rc = app_resolve(&into, &cl->app, cl->pos[1], from, "INTO",
				 &cl->err);
	/* Nothing else matches: say so if INTO names FROM itself. */
	if (rc == KITH_ENOTFOUND) {
		struct kith_err e2 = { 0 };
		int64_t self;

		if (!app_resolve(&self, &cl->app, cl->pos[1], 0, "INTO", &e2) &&
		    self == from)
			rc = kith_err_set(&cl->err, KITH_EINPUT, "INTO",
					  "\"%s\" names the same contact as "
					  "FROM (#%lld); merge two different "
					  "records",
					  cl->pos[1], (long long)from);
	}
	if (!rc)
		rc = app_contact_merge(&cl->app, from, into, &cl->err);
	if (!rc)
		rc = store_contact_get(&c, cl->app.st, cl->app.ws, into,
				       &cl->err);
	if (rc)
		return rc;
	if (cl->json)
		kj_print(kj_contact(&c, true));
	else
		printf("Merged #%lld into %s%s%s (#%lld): %lld touches\n",
		       (long long)from, term_bold(), c.name, term_reset(),
		       (long long)into, (long long)c.touch_count);
	contact_clear(&c);
	return KITH_OK;
}

int cmd_snooze(struct cli *cl)
{
	static const struct cli_opt opts[] = {
		{ "for", true }, { "until", true }, { "off", false },
		{ NULL, false }
	};
	kith_time until = KITH_NO_TIME;
	struct contact c;
	char buf[64];
	int64_t id, dur;
	int rc, ways;

	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 1, 1);
	if (rc)
		return rc;
	ways = cli_has(cl, "for") + cli_has(cl, "until") + cli_has(cl, "off");
	if (ways != 1)
		return kith_err_set(&cl->err, KITH_EINPUT, "--for",
				    "give one of --for, --until or --off");
	rc = cli_contact(&id, cl, cl->pos[0], "WHO");
	if (!rc && cli_has(cl, "for")) {
		rc = kith_duration_parse(&dur, cli_get(cl, "for"), "--for",
					 &cl->err);
		until = cl->app.now + dur;
	} else if (!rc && cli_has(cl, "until")) {
		rc = cli_time(&until, cl, "until", KITH_NO_TIME, 0, NULL);
	}
	if (!rc)
		rc = app_contact_snooze(&cl->app, id, until, &cl->err);
	if (rc && !strcmp(cl->err.field, "until"))
		snprintf(cl->err.field, sizeof(cl->err.field), "--%s",
			 cli_has(cl, "for") ? "for" : "until");
	if (!rc)
		rc = store_contact_get(&c, cl->app.st, cl->app.ws, id,
				       &cl->err);
	if (rc)
		return rc;
	if (cl->json)
		kj_print(kj_contact(&c, true));
	else if (until == KITH_NO_TIME)
		printf("%s is back on the agenda\n", c.name);
	else {
		struct tm tm;

		/* The day it ends where the user is, not in UTC. */
		if (kith_time_local(&tm, until, NULL))
			kith_time_iso(until, buf, sizeof(buf));
		else
			strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
		printf("Snoozed %s until %.10s\n", c.name, buf);
	}
	contact_clear(&c);
	return KITH_OK;
}
