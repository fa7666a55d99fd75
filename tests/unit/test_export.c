/*
 * test_export.c: app/export.c over a real SQLite file. Every card of
 * the vCard corpus goes in through the write path (vcard_to_contact,
 * app_contact_add, its dates) and back out through app_export; what
 * comes out, parsed, has every property, parameter and group the card
 * had. The CSV export read back by input/csv.c gives the same names,
 * e-mails and phones; the iCalendar export parses with libical into
 * the events the book implies. Also the feed token's rules.
 *
 * With arguments it is a helper for the shell suites instead:
 *   test_export --ics FILE   parse FILE with libical; print one line per
 *                            VEVENT "UID|DTSTART|RRULE|SUMMARY", sorted;
 *                            exit 1 when libical flags an error.
 *   test_export --vcf FILE   read FILE with input/vcard.c and map each
 *   test_export --csv FILE   card (input/csv.c for --csv); print
 *                            "VERSION|NAME|EMAILS|PHONES|ADDRESSES|DATES"
 *                            per card (CSV: the profile first).
 */
#include "unit.h"

#include "app/contact.h"
#include "app/export.h"
#include "input/csv.h"
#include "input/vcard.h"
#include "render/ics.h"
#include "render/vcard.h"
#include "secret.h"

#include <libical/ical.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW ((kith_time)1795186800) /* 2026-11-20T15:00:00Z */
#define N(a) (sizeof(a) / sizeof((a)[0]))
#define DATA "tests/data/vcard/"

static const char *const files[] = {
	"ios.vcf",	       "macos.vcf",	     "google.vcf",
	"outlook.vcf",	       "thunderbird.vcf",    "android.vcf",
	"davx5.vcf",	       "q_fold_utf8.vcf",    "q_lf_only.vcf",
	"q_bom.vcf",	       "q_qp_softbreak.vcf", "q_base64_21.vcf",
	"q_charset_latin1.vcf", "q_charset_1252.vcf", "q_charset_sjis.vcf",
	"q_param_quoting.vcf", "q_escapes.vcf",	     "q_structured.vcf",
	"q_group.vcf",	       "q_photo_uri.vcf",    "q_bday_noyear.vcf",
	"q_anniversary.vcf",   "q_x_props.vcf",
};

struct fx {
	char dir[64];
	char path[96];
	struct app_ctx app;
	struct kith_err err;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/kith-export-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/k.db", f->dir);
	assert_int_equal(app_open(&f->app, f->path, NULL, NOW, &f->err), 0);
	assert_int_equal(store_begin(f->app.st, &f->err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	store_rollback(f->app.st);
	app_close(&f->app);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static int buf_sink(void *p, const char *buf, size_t len,
		    struct kith_err *err)
{
	(void)err;
	return vcard_out_add(p, buf, len);
}

/* Store the mapped card vc as a contact with its dates; returns its id. */
static int64_t store_card(struct fx *f, struct vcard_contact *vc)
{
	struct contact c = vc->c;

	if (app_contact_add(&f->app, &c, &f->err))
		fail_msg("%s: %s", vc->c.name, f->err.msg);
	/* the use case derived the phone keys into c: those are ours */
	strlist_clear(&c.phone_keys);
	for (size_t i = 0; i < vc->n_dates; i++) {
		struct kdate d = vc->dates[i];

		d.id = 0;
		d.contact_id = c.id;
		assert_int_equal(store_date_add(f->app.st, f->app.ws, &d,
						&f->err),
				 KITH_OK);
	}
	/* the contact's lists were lent: vc still owns them */
	return c.id;
}

static void params_str(char *buf, size_t n, const struct vcard_prop *p)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->n_params; i++) {
		o += (size_t)snprintf(buf + o, n - o, "%s%s=", i ? ";" : "",
				      p->params[i].name);
		for (size_t k = 0; k < p->params[i].n_values; k++)
			o += (size_t)snprintf(buf + o, n - o, "%s%s",
					      k ? "," : "",
					      p->params[i].values[k]);
	}
}

static bool has_prop(const struct vcard *c, const char *name)
{
	for (size_t i = 0; i < c->n_props; i++)
		if (!strcmp(c->props[i].name, name))
			return true;
	return false;
}

/* a's properties (PRODID and REV aside) are b's, in order. */
static void assert_same_props(const struct vcard *a, const struct vcard *b,
			      const char *file)
{
	size_t j = 0;

	for (size_t i = 0; i < a->n_props; i++) {
		const struct vcard_prop *p = &a->props[i], *q;
		char pa[2048], pb[2048];

		if (!strcmp(p->name, "PRODID") || !strcmp(p->name, "REV"))
			continue;
		if (j >= b->n_props)
			fail_msg("%s: %s is missing after the store", file,
				 p->name);
		q = &b->props[j++];
		params_str(pa, sizeof(pa), p);
		params_str(pb, sizeof(pb), q);
		if (strcmp(p->name, q->name) || !p->group != !q->group ||
		    (p->group && strcmp(p->group, q->group)) ||
		    strcmp(p->value, q->value) || strcmp(pa, pb))
			fail_msg("%s: %s%s%s;%s:%.60s came back as "
				 "%s%s%s;%s:%.60s",
				 file, p->group ? p->group : "",
				 p->group ? "." : "", p->name, pa, p->value,
				 q->group ? q->group : "", q->group ? "." : "",
				 q->name, pb, q->value);
	}
	assert_int_equal(j, b->n_props);
}

/* Import then export of every card of the corpus, through the store,
 * keeps every property, parameter and group (the promise). */
static void test_vcard_through_store(void **state)
{
	struct fx *f = *state;

	for (size_t i = 0; i < N(files); i++) {
		struct vcard_file in, out;
		struct vcard_out o = { 0 };
		struct export_opts eo = { 0 };
		struct vcard_contact *vcs;
		char path[128];
		int64_t ws;

		/* one workspace per file: the export is that file */
		assert_int_equal(store_workspace_create(&ws, f->app.st,
							files[i], NOW, &f->err),
				 0);
		f->app.ws = ws;
		snprintf(path, sizeof(path), DATA "%s", files[i]);
		assert_int_equal(vcard_parse_file(&in, path, &f->err), 0);
		vcs = calloc(in.n_cards, sizeof(*vcs));
		for (size_t c = 0; c < in.n_cards; c++) {
			assert_int_equal(vcard_to_contact(&vcs[c], &in.cards[c],
							  files[i], &f->err),
					 0);
			store_card(f, &vcs[c]);
		}
		eo.format = EXPORT_VCARD;
		for (int v = 0; v < 2; v++) {
			eo.version = v ? VCARD_40 : VCARD_30;
			assert_int_equal(app_export(&f->app, &eo, buf_sink, &o,
						    &f->err),
					 KITH_OK);
			if (vcard_parse(&out, o.buf, o.len, "export", &f->err))
				fail_msg("%s: %s", files[i], f->err.msg);
			assert_int_equal(out.n_cards, in.n_cards);
			for (size_t c = 0; c < in.n_cards; c++) {
				assert_int_equal(out.cards[c].version,
						 eo.version);
				/* cards the writer gives an FN or N */
				if (!has_prop(&in.cards[c], "FN") ||
				    !has_prop(&in.cards[c], "N"))
					continue;
				/* the version changes how inline binary is
				 * spelled: compare in the card's own */
				if ((in.cards[c].version == VCARD_40) !=
				    (eo.version == VCARD_40))
					continue;
				assert_same_props(&in.cards[c], &out.cards[c],
						  files[i]);
			}
			vcard_file_free(&out);
			vcard_out_free(&o);
		}
		for (size_t c = 0; c < in.n_cards; c++)
			vcard_contact_clear(&vcs[c]);
		free(vcs);
		vcard_file_free(&in);
	}
}

/* A contact made in kith (no card): addresses, labels and a year-less
 * birthday go out, and read back the same. */
static void test_vcard_new_contact(void **state)
{
	struct fx *f = *state;
	struct contact c;
	struct kdate d = { 0 };
	struct vcard_out o = { 0 };
	struct export_opts eo = { EXPORT_VCARD, VCARD_40, NULL, 0 };
	struct vcard_file g;
	struct vcard_contact back;

	contact_init(&c);
	c.name = strdup("Zoë Ağaoğlu");
	strlist_push(&c.emails, "zoe@example.org");
	strlist_push(&c.email_labels, "work");
	strlist_push(&c.addresses, "Kemeraltı Cd. 12, İzmir");
	strlist_push(&c.address_labels, "home");
	assert_int_equal(app_contact_add(&f->app, &c, &f->err), 0);
	d.contact_id = c.id;
	d.kind = "birthday";
	d.day = kith_days_from_civil(2000, 2, 29);
	d.yearly = true;
	assert_int_equal(store_date_add(f->app.st, f->app.ws, &d, &f->err), 0);
	assert_int_equal(app_export(&f->app, &eo, buf_sink, &o, &f->err), 0);
	assert_non_null(strstr(o.buf, "\r\nBDAY:--0229\r\n"));
	assert_non_null(strstr(o.buf, "\r\nADR;TYPE=home:;;Kemeraltı Cd. 12\\, "
				      "İzmir;;;;\r\n"));
	assert_int_equal(vcard_parse(&g, o.buf, o.len, "x", &f->err), 0);
	assert_int_equal(vcard_to_contact(&back, &g.cards[0], "x", &f->err), 0);
	assert_string_equal(back.c.name, "Zoë Ağaoğlu");
	assert_int_equal(back.c.addresses.n, 1);
	assert_string_equal(back.c.addresses.v[0], "Kemeraltı Cd. 12, İzmir");
	assert_string_equal(back.c.address_labels.v[0], "home");
	assert_string_equal(back.c.email_labels.v[0], "work");
	assert_int_equal(back.n_dates, 1);
	assert_false(back.dates[0].year_known);
	vcard_contact_clear(&back);
	vcard_file_free(&g);
	vcard_out_free(&o);
	contact_clear(&c);
}

static void join(char *buf, size_t n, const struct strlist *l)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < l->n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? "|" : "",
				      l->v[i]);
}

/* CSV out, read back by input/csv.c: the same names, e-mails, phones,
 * labels, addresses and tags, in Google's profile. */
static void test_csv_roundtrip(void **state)
{
	struct fx *f = *state;
	struct vcard_out o = { 0 };
	struct export_opts eo = { EXPORT_CSV, VCARD_30, NULL, 0 };
	struct contact_filter cf = { 0 };
	struct contact *all = NULL;
	struct csv_file csv;
	size_t n = 0;
	static const char *const names[] = {
		"Dana Whitfield", "Zoë", "O'Brien, \"Sean\" Jr", "김민지",
		"Line\nBreak Name"
	};

	for (size_t i = 0; i < N(names); i++) {
		struct contact c;
		char e[64];

		contact_init(&c);
		c.name = strdup(names[i]);
		snprintf(e, sizeof(e), "p%zu@example.org", i);
		strlist_push(&c.emails, e);
		strlist_push(&c.email_labels, i % 2 ? "work" : "");
		if (i == 0) {
			strlist_push(&c.emails, "dana@home.example");
			strlist_push(&c.email_labels, "home");
			strlist_push(&c.phones, "+1 415 555 0134");
			strlist_push(&c.phone_labels, "mobile");
			strlist_push(&c.tags, "client");
			strlist_push(&c.tags, "friend");
			strlist_push(&c.addresses, "1 Main St, Springfield");
			strlist_push(&c.address_labels, "work");
			c.notes = strdup("likes \"long\" walks,\nand tea");
			c.title = strdup("CTO");
		}
		assert_int_equal(app_contact_add(&f->app, &c, &f->err), 0);
		contact_clear(&c);
	}
	assert_int_equal(app_export(&f->app, &eo, buf_sink, &o, &f->err), 0);
	assert_memory_equal(o.buf, "\xEF\xBB\xBF" "First Name,Last Name,", 24);
	if (csv_parse(&csv, o.buf, o.len, "out.csv", NULL, &f->err))
		fail_msg("%s\n%s", f->err.msg, o.buf);
	assert_int_equal(csv.profile, CSV_GOOGLE);
	assert_int_equal(csv.unknown.n, 0);
	assert_int_equal(store_contact_list(&all, &n, f->app.st, f->app.ws, &cf,
					    &f->err),
			 0);
	assert_int_equal(csv.n_cards, n);
	for (size_t i = 0; i < n; i++) {
		struct vcard_contact vc;
		char a[512], b[512];

		assert_int_equal(vcard_to_contact(&vc, &csv.cards[i], "out.csv",
						  &f->err),
				 0);
		assert_string_equal(vc.c.name, all[i].name);
		join(a, sizeof(a), &vc.c.emails);
		join(b, sizeof(b), &all[i].emails);
		assert_string_equal(a, b);
		join(a, sizeof(a), &vc.c.phones);
		join(b, sizeof(b), &all[i].phones);
		assert_string_equal(a, b);
		join(a, sizeof(a), &vc.c.addresses);
		join(b, sizeof(b), &all[i].addresses);
		assert_string_equal(a, b);
		if (all[i].notes)
			assert_string_equal(vc.c.notes, all[i].notes);
		if (i == 0) {
			join(a, sizeof(a), &vc.c.email_labels);
			assert_string_equal(a, "|home");
			join(a, sizeof(a), &vc.c.phone_labels);
			assert_string_equal(a, "mobile");
		}
		vcard_contact_clear(&vc);
	}
	store_contacts_free(all, n);
	csv_file_free(&csv);
	vcard_out_free(&o);
}

/* Each VEVENT as "UID|DTSTART|RRULE|SUMMARY". */
static size_t ics_lines(icalcomponent *cal, char lines[][400], size_t cap)
{
	size_t n = 0;

	for (icalcomponent *e =
		 icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     e && n < cap;
	     e = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		icalproperty *r =
		    icalcomponent_get_first_property(e, ICAL_RRULE_PROPERTY);
		struct icalrecurrencetype rr;
		char *rule = NULL;

		if (r) {
			rr = icalproperty_get_rrule(r);
			rule = icalrecurrencetype_as_string_r(&rr);
		}

		snprintf(lines[n++], 400, "%s|%s|%s|%s",
			 icalcomponent_get_uid(e),
			 icaltime_as_ical_string(icalcomponent_get_dtstart(e)),
			 rule ? rule : "", icalcomponent_get_summary(e));
		icalmemory_free_buffer(rule);
	}
	return n;
}

static bool has_error(icalcomponent *c)
{
	if (icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY))
		return true;
	for (icalcomponent *k =
		 icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
	     k; k = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		if (has_error(k))
			return true;
	return false;
}

static bool has_line(char lines[][400], size_t n, const char *want)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(lines[i], want))
			return true;
	return false;
}

/* The calendar parses with libical into one event per date and per
 * promise with a due time, plus "Due today" for the feed's user. */
static void test_ics(void **state)
{
	struct fx *f = *state;
	struct vcard_out o = { 0 }, again = { 0 };
	struct export_opts eo = { EXPORT_ICS, VCARD_30, "UTC", 0 };
	struct contact c;
	struct kdate d = { 0 };
	struct promise p = { 0 };
	icalcomponent *cal;
	char lines[16][400];
	size_t n;

	contact_init(&c);
	c.name = strdup("Dana, \"the\" Whitfield");
	c.every.days = 1; /* so she is due */
	c.created_at = NOW - 10 * KITH_DAY;
	assert_int_equal(app_contact_add(&f->app, &c, &f->err), 0);
	d.contact_id = c.id;
	d.yearly = true;
	d.created_at = NOW - KITH_DAY;
	d.kind = "birthday";
	d.day = kith_days_from_civil(1985, 3, 15);
	d.year_known = true;
	assert_int_equal(store_date_add(f->app.st, f->app.ws, &d, &f->err), 0);
	d.id = 0;
	d.kind = "anniversary";
	d.day = kith_days_from_civil(2000, 2, 29);
	d.year_known = false;
	assert_int_equal(store_date_add(f->app.st, f->app.ws, &d, &f->err), 0);
	p.contact_id = c.id;
	p.text = "send the deck";
	p.due = NOW + 2 * KITH_DAY;
	p.done_at = KITH_NO_TIME;
	p.created_at = NOW - KITH_DAY;
	assert_int_equal(store_promise_add(f->app.st, f->app.ws, &p, &f->err),
			 0);
	p.id = 0;
	p.text = "no due time";
	p.due = KITH_NO_TIME;
	assert_int_equal(store_promise_add(f->app.st, f->app.ws, &p, &f->err),
			 0);

	eo.agenda_user = 7;
	assert_int_equal(app_export(&f->app, &eo, buf_sink, &o, &f->err), 0);
	cal = icalparser_parse_string(o.buf);
	assert_non_null(cal);
	assert_false(has_error(cal));
	n = ics_lines(cal, lines, 16);
	if (n != 4)
		fail_msg("%zu events:\n%s", n, o.buf);
	assert_true(has_line(lines, n, "kith-date-1@ws1.kith|19850315|"
				       "FREQ=YEARLY|Birthday: Dana, \"the\" "
				       "Whitfield"));
	/* year-less: 1972; Feb 29: the month's last day in other years */
	assert_true(has_line(lines, n, "|19720229|FREQ=YEARLY;BYMONTHDAY=-1;"
				       "BYMONTH=2|Anniversary: Dana"));
	assert_true(has_line(lines, n, "kith-promise-1@ws1.kith|20261122||"
				       "Promise to Dana, \"the\" Whitfield: "
				       "send the deck"));
	assert_true(has_line(lines, n, "kith-due-20261120-7@ws1.kith|20261120||"
				       "Due today: 1 contact"));
	assert_non_null(strstr(o.buf, "X-WR-CALNAME:kith: My book\r\n"));
	icalcomponent_free(cal);
	/* stable: the same book gives the same bytes (UIDs, DTSTAMPs) */
	assert_int_equal(app_export(&f->app, &eo, buf_sink, &again, &f->err),
			 0);
	assert_int_equal(o.len, again.len);
	assert_memory_equal(o.buf, again.buf, o.len);
	vcard_out_free(&o);
	vcard_out_free(&again);
	contact_clear(&c);
}

/* More contacts than one page: every one comes out once, in order
 * (the keyset cursor must not be the moved contact's zeroed id). */
static void test_pages(void **state)
{
	struct fx *f = *state;
	struct vcard_out o = { 0 };
	struct export_opts eo = { EXPORT_VCARD, VCARD_30, NULL, 0 };
	size_t n = 2 * EXPORT_PAGE + 1, got = 0;
	const char *p;

	for (size_t i = 0; i < n; i++) {
		struct contact c;
		char name[32];

		contact_init(&c);
		snprintf(name, sizeof(name), "Person %05zu", i);
		c.name = strdup(name);
		assert_int_equal(app_contact_add(&f->app, &c, &f->err), 0);
		contact_clear(&c);
	}
	assert_int_equal(app_export(&f->app, &eo, buf_sink, &o, &f->err), 0);
	for (p = o.buf; (p = strstr(p, "\r\nFN:Person ")); p++) {
		char want[32];

		snprintf(want, sizeof(want), "\r\nFN:Person %05zu\r\n", got++);
		assert_memory_equal(p, want, strlen(want));
	}
	assert_int_equal(got, n);
	vcard_out_free(&o);
}

/* The feed token: made once, kept, replaced by rotate; found by hash. */
static void test_feed_token(void **state)
{
	struct fx *f = *state;
	struct user u = { 0 }, found = { 0 };
	char *t1 = NULL, *t2 = NULL, *t3 = NULL, *secret = NULL, *url;
	char hash[SECRET_TOKEN_HASH_MAX];

	u.workspace_id = f->app.ws;
	u.email = "ana@example.org";
	u.role = ROLE_OWNER;
	assert_int_equal(store_user_add(f->app.st, &u, &f->err), 0);
	assert_int_equal(app_feed_token(&t1, &f->app, u.id, false, &f->err), 0);
	assert_int_equal(strlen(t1), strlen("kith_feed_") + 43);
	assert_int_equal(app_feed_token(&t2, &f->app, u.id, false, &f->err), 0);
	assert_string_equal(t1, t2);
	free(t2);
	t2 = NULL;
	assert_int_equal(app_feed_token(&t3, &f->app, u.id, true, &f->err), 0);
	assert_string_not_equal(t1, t3);
	secret_token_hash(hash, t1);
	assert_int_equal(store_feed_find(&found, &secret, f->app.st, hash,
					 &f->err),
			 KITH_ENOTFOUND);
	secret_token_hash(hash, t3);
	assert_int_equal(store_feed_find(&found, &secret, f->app.st, hash,
					 &f->err),
			 KITH_OK);
	assert_int_equal(found.id, u.id);
	assert_string_equal(secret, t3);
	/* no such user in this workspace */
	assert_int_equal(app_feed_token(&t2, &f->app, u.id + 100, false,
					&f->err),
			 KITH_ENOTFOUND);
	url = app_feed_url("https://kith.example/", t3);
	assert_true(!strncmp(url, "https://kith.example/feeds/kith_feed_", 37));
	assert_string_equal(url + strlen(url) - 4, ".ics");
	free(url);
	free(t1);
	free(t3);
	free(secret);
	user_clear(&found);
}

/* --ics FILE: the shell suites' libical reader. */
static int ics_main(const char *path)
{
	FILE *fp = fopen(path, "rb");
	static char lines[20000][400];
	size_t len, n;
	icalcomponent *cal;
	char *text;
	long size;
	int bad;

	if (!fp)
		return 2;
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	rewind(fp);
	text = malloc((size_t)size + 1);
	len = text ? fread(text, 1, (size_t)size, fp) : 0;
	fclose(fp);
	if (!text)
		return 2;
	text[len] = '\0';
	cal = icalparser_parse_string(text);
	free(text);
	if (!cal || icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT) {
		fprintf(stderr, "%s: not an iCalendar\n", path);
		return 1;
	}
	bad = has_error(cal);
	n = ics_lines(cal, lines, N(lines));
	qsort(lines, n, sizeof(lines[0]),
	      (int (*)(const void *, const void *))strcmp);
	for (size_t i = 0; i < n; i++)
		printf("%s\n", lines[i]);
	icalcomponent_free(cal);
	if (bad)
		fprintf(stderr, "%s: libical found errors\n", path);
	return bad;
}

static void card_line(const struct vcard *card)
{
	struct vcard_contact vc;
	struct kith_err e = { 0 };
	char em[2048], ph[2048], ad[2048];

	if (vcard_to_contact(&vc, card, "in", &e)) {
		printf("error: %s\n", e.msg);
		return;
	}
	join(em, sizeof(em), &vc.c.emails);
	join(ph, sizeof(ph), &vc.c.phones);
	join(ad, sizeof(ad), &vc.c.addresses);
	printf("%d|%s|%s|%s|%s|", card->version, vc.c.name, em, ph, ad);
	for (size_t i = 0; i < vc.n_dates; i++) {
		int y, m, d;

		kith_civil_from_days(vc.dates[i].day, &y, &m, &d);
		if (vc.dates[i].year_known)
			printf("%s%s=%04d-%02d-%02d", i ? "," : "",
			       vc.dates[i].kind, y, m, d);
		else
			printf("%s%s=--%02d-%02d", i ? "," : "",
			       vc.dates[i].kind, m, d);
	}
	printf("\n");
	vcard_contact_clear(&vc);
}

static int cards_main(const char *mode, const char *path)
{
	struct kith_err e = { 0 };

	if (!strcmp(mode, "--vcf")) {
		struct vcard_file f;

		if (vcard_parse_file(&f, path, &e)) {
			fprintf(stderr, "%s\n", e.msg);
			return 1;
		}
		for (size_t i = 0; i < f.n_cards; i++)
			card_line(&f.cards[i]);
		vcard_file_free(&f);
	} else {
		struct csv_file f;

		if (csv_parse_file(&f, path, NULL, &e)) {
			fprintf(stderr, "%s\n", e.msg);
			return 1;
		}
		printf("profile %s, %zu unknown columns\n",
		       csv_profile_name(f.profile), f.unknown.n);
		for (size_t i = 0; i < f.n_cards; i++)
			card_line(&f.cards[i]);
		csv_file_free(&f);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vcard_through_store, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vcard_new_contact, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_csv_roundtrip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feed_token, setup,
						teardown),
	};

	if (argc == 3 && !strcmp(argv[1], "--ics"))
		return ics_main(argv[2]);
	if (argc == 3 && (!strcmp(argv[1], "--vcf") || !strcmp(argv[1], "--csv")))
		return cards_main(argv[1], argv[2]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
