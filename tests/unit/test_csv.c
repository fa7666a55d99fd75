/* test_csv.c: the contacts CSV reader over tests/data/csv/ (Google,
 * Outlook, Apple-style, LinkedIn exports and one file per quirk), the
 * cards it makes, their mapping to contacts, and phone_e164. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/csv.h"
#include "input/phone.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define DATA "tests/data/csv/"

#define GERMAN_MAP                                                           \
	"Vorname=given,Nachname=family,E-Mail=email:work,Telefon=phone,"    \
	"Firma=org,Geburtstag=birthday"

static int parse(struct csv_file *f, const char *name, const char *map,
		 struct kith_err *e)
{
	char path[256];

	snprintf(path, sizeof(path), DATA "%s", name);
	memset(e, 0, sizeof(*e));
	return csv_parse_file(f, path, map, e);
}

static void join(char *buf, size_t n, const struct strlist *l)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < l->n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? "|" : "",
				      l->v[i]);
}

static void test_files(void **state)
{
	static const struct {
		const char *file, *map;
		enum csv_profile profile;
		char sep;
		size_t n_cards;
		int header_line;
		const char *unknown;
	} cases[] = {
		{ "google.csv", NULL, CSV_GOOGLE, ',', 2, 1, "" },
		{ "google_legacy.csv", NULL, CSV_GOOGLE, ',', 1, 1,
		  "Hobby" },
		{ "outlook.csv", NULL, CSV_OUTLOOK, ',', 2, 1,
		  "Gender|Priority|Private|Sensitivity|Spouse" },
		{ "outlook_utf16.csv", NULL, CSV_OUTLOOK, '\t', 1, 1, "" },
		{ "utf16be.csv", NULL, CSV_GENERIC, ',', 1, 1, "" },
		{ "outlook_1252.csv", NULL, CSV_GENERIC, ',', 1, 1, "" },
		{ "apple.csv", NULL, CSV_APPLE, ',', 1, 1, "" },
		{ "linkedin.csv", NULL, CSV_LINKEDIN, ',', 2, 4, "" },
		{ "q_semicolon_bom.csv", NULL, CSV_GENERIC, ';', 1, 1,
		  "Vorname|Nachname|Telefon" },
		{ "q_semicolon_map.csv", GERMAN_MAP, CSV_GENERIC, ';', 1, 1,
		  "" },
		{ "q_tab.csv", NULL, CSV_GENERIC, '\t', 1, 1, "" },
		{ "q_quotes.csv", NULL, CSV_GENERIC, ',', 2, 1, "" },
		{ "q_unknown.csv", NULL, CSV_GENERIC, ',', 2, 1,
		  "Shoe Size|Favourite Colour" },
		{ "q_unknown.csv", "Shoe Size=ignore", CSV_GENERIC, ',', 2, 1,
		  "Favourite Colour" },
		{ "q_lf_only.csv", NULL, CSV_GENERIC, ',', 1, 1, "" },
		{ "q_blank_rows.csv", NULL, CSV_GENERIC, ',', 2, 1, "" },
	};
	char buf[512];

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct csv_file f;
		struct kith_err e;

		if (parse(&f, cases[i].file, cases[i].map, &e))
			fail_msg("%s: %s", cases[i].file, e.msg);
		if (f.profile != cases[i].profile)
			fail_msg("%s: profile %s", cases[i].file,
				 csv_profile_name(f.profile));
		assert_int_equal(f.sep, cases[i].sep);
		assert_int_equal(f.n_cards, cases[i].n_cards);
		assert_int_equal(f.header_line, cases[i].header_line);
		join(buf, sizeof(buf), &f.unknown);
		assert_string_equal(buf, cases[i].unknown);
		csv_file_free(&f);
	}
}

static const struct vcard_prop *find(const struct vcard *c, const char *name,
				     int nth)
{
	for (size_t i = 0; i < c->n_props; i++)
		if (!strcmp(c->props[i].name, name) && nth-- == 0)
			return &c->props[i];
	return NULL;
}

static void test_props(void **state)
{
	static const struct {
		const char *file, *map;
		size_t card;
		const char *name;
		int nth;
		const char *type;	/* TYPE (or X-COLUMN) value, "" none */
		const char *value;	/* NULL: absent */
		int line;		/* the card's line; 0: not checked */
	} cases[] = {
		{ "google.csv", NULL, 0, "FN", 0, "", "Marcus Chen", 2 },
		{ "google.csv", NULL, 0, "N", 0, "", "Chen;Marcus;;;", 0 },
		{ "google.csv", NULL, 0, "NICKNAME", 0, "", "Marc", 0 },
		{ "google.csv", NULL, 0, "EMAIL", 0, "home",
		  "marcus.chen@gmail.example", 0 },
		{ "google.csv", NULL, 0, "EMAIL", 1, "work",
		  "mchen@brightline.example", 0 },
		{ "google.csv", NULL, 0, "TEL", 0, "mobile", "(415) 555-0134",
		  0 },
		{ "google.csv", NULL, 0, "ADR", 0, "home",
		  ";;2231 Fillmore St;San Francisco;CA;94115;US", 0 },
		{ "google.csv", NULL, 0, "BDAY", 0, "", "--03-15", 0 },
		{ "google.csv", NULL, 0, "X-ANNIVERSARY", 0, "", "2016-05-21",
		  0 },
		{ "google.csv", NULL, 0, "URL", 0, "profile",
		  "https://marcuschen.example", 0 },
		{ "google.csv", NULL, 0, "CATEGORIES", 0, "",
		  "myContacts,Friends", 0 },
		{ "google.csv", NULL, 0, "NOTE", 0, "",
		  "Climbing buddy\\nKnows everyone at the gym", 0 },
		{ "google.csv", NULL, 0, "ORG", 0, "", "Brightline", 0 },
		{ "google.csv", NULL, 0, "TITLE", 0, "", "Staff Engineer", 0 },
		/* " ::: " makes two properties with their own labels */
		{ "google.csv", NULL, 1, "FN", 0, "", "Dra. Sofía Herrera", 6 },
		{ "google.csv", NULL, 1, "EMAIL", 1, "",
		  "sofia.h@gmail.example", 0 },
		{ "google.csv", NULL, 1, "TEL", 1, "work", "+34 91 555 0101",
		  0 },
		{ "google_legacy.csv", NULL, 0, "FN", 0, "", "Ngozi Okafor", 0 },
		{ "google_legacy.csv", NULL, 0, "ORG", 0, "",
		  "Lagos Data Works;Research", 0 },
		{ "google_legacy.csv", NULL, 0, "EMAIL", 0, "work",
		  "ngozi@ldw.example", 0 },
		{ "google_legacy.csv", NULL, 0, "X-KITH-CSV", 0, "Hobby",
		  "Chess", 0 },
		{ "outlook.csv", NULL, 0, "N", 0, "", "Smith;John;;Mr.;", 0 },
		{ "outlook.csv", NULL, 0, "FN", 0, "", "Mr. John Smith", 0 },
		{ "outlook.csv", NULL, 0, "TITLE", 0, "", "Account Manager",
		  0 },
		{ "outlook.csv", NULL, 0, "ADR", 0, "work",
		  ";Suite 100;One Microsoft Way;Redmond;WA;98052;United States "
		  "of America",
		  0 },
		{ "outlook.csv", NULL, 0, "BDAY", 0, "", "1980-03-15", 0 },
		{ "outlook.csv", NULL, 0, "X-ANNIVERSARY", 0, "", "2005-06-10",
		  0 },
		{ "outlook.csv", NULL, 0, "TEL", 0, "work", "(425) 555-0100",
		  0 },
		{ "outlook.csv", NULL, 0, "NOTE", 0, "",
		  "Prefers calls after 3pm.\\nNo cold emails \xe2\x80\x94 ever.",
		  0 },
		{ "outlook.csv", NULL, 0, "X-KITH-CSV", 4, "Spouse", "Jane",
		  0 },
		{ "outlook.csv", NULL, 1, "BDAY", 0, "", NULL, 4 },
		{ "outlook.csv", NULL, 1, "FN", 0, "", "Zoë Ålander", 0 },
		{ "outlook_utf16.csv", NULL, 0, "ORG", 0, "", "山田商事", 0 },
		{ "outlook_utf16.csv", NULL, 0, "TEL", 0, "mobile",
		  "090-1234-5678", 0 },
		{ "utf16be.csv", NULL, 0, "FN", 0, "", "José", 0 },
		{ "outlook_1252.csv", NULL, 0, "NOTE", 0, "",
		  "\xe2\x80\x9cVIP\xe2\x80\x9d \xe2\x82\xac", 0 },
		{ "apple.csv", NULL, 0, "EMAIL", 1, "home", "asa@hem.example",
		  0 },
		{ "apple.csv", NULL, 0, "ADR", 1, "work",
		  ";;Kungsgatan 2\\, 111 43 Stockholm;;;;", 0 },
		{ "apple.csv", NULL, 0, "URL", 0, "homepage",
		  "https://nordlys.example", 0 },
		{ "linkedin.csv", NULL, 0, "URL", 0, "",
		  "https://www.linkedin.com/in/priyaraman", 5 },
		{ "linkedin.csv", NULL, 0, "X-LINKEDIN-CONNECTED-ON", 0, "",
		  "2024-03-15", 0 },
		{ "linkedin.csv", NULL, 1, "ORG", 0, "",
		  "Nowak & Syn\\, Sp. z o.o.", 6 },
		{ "linkedin.csv", NULL, 1, "EMAIL", 0, "", NULL, 0 },
		{ "q_semicolon_bom.csv", NULL, 0, "EMAIL", 0, "",
		  "j@example.de", 0 },
		{ "q_semicolon_bom.csv", NULL, 0, "X-KITH-CSV", 0, "Vorname",
		  "Jürgen", 0 },
		{ "q_semicolon_map.csv", GERMAN_MAP, 0, "N", 0, "",
		  "Müller;Jürgen;;;", 0 },
		{ "q_semicolon_map.csv", GERMAN_MAP, 0, "EMAIL", 0, "work",
		  "j@example.de", 0 },
		{ "q_semicolon_map.csv", GERMAN_MAP, 0, "BDAY", 0, "",
		  "1980-03-15", 0 },
		{ "q_tab.csv", NULL, 0, "TEL", 0, "", "+1 555 0100", 0 },
		{ "q_quotes.csv", NULL, 0, "FN", 0, "",
		  "Smith\\, Ann \"Annie\"", 2 },
		{ "q_quotes.csv", NULL, 0, "NOTE", 0, "",
		  "line one\\nline two\\, with comma", 0 },
		{ "q_quotes.csv", NULL, 1, "FN", 0, "", "Bob", 4 },
		{ "q_blank_rows.csv", NULL, 1, "FN", 0, "", "Bob", 6 },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct csv_file f;
		struct kith_err e;
		const struct vcard_prop *p;
		const char *type = "";

		if (parse(&f, cases[i].file, cases[i].map, &e))
			fail_msg("%s: %s", cases[i].file, e.msg);
		assert_true(cases[i].card < f.n_cards);
		if (cases[i].line)
			assert_int_equal(f.cards[cases[i].card].line,
					 cases[i].line);
		p = find(&f.cards[cases[i].card], cases[i].name, cases[i].nth);
		if (!cases[i].value) {
			assert_null(p);
			csv_file_free(&f);
			continue;
		}
		if (!p)
			fail_msg("case %zu: %s: no %s", i, cases[i].file,
				 cases[i].name);
		if (p->n_params)
			type = p->params[0].values[0];
		assert_string_equal(type, cases[i].type);
		assert_string_equal(p->value, cases[i].value);
		csv_file_free(&f);
	}
}

/* CSV cards map like vCards do: one mapping for both. */
static void test_contacts(void **state)
{
	static const struct {
		const char *file;
		size_t card;
		const char *name, *emails, *phones, *org, *title, *dates;
	} cases[] = {
		{ "google.csv", 0, "Marcus Chen",
		  "marcus.chen@gmail.example|mchen@brightline.example",
		  "(415) 555-0134", "Brightline", "Staff Engineer",
		  "birthday:0315;anniversary:20160521" },
		{ "outlook.csv", 0, "Mr. John Smith",
		  "john.smith@contoso.example", "(425) 555-0100|(425) 555-0199",
		  "Contoso Ltd.", "Account Manager",
		  "anniversary:20050610;birthday:19800315" },
		{ "linkedin.csv", 0, "Priya Raman", "priya@raman.example", "",
		  "Infosys", "Principal Architect", "" },
	};
	char buf[512];

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct csv_file f;
		struct vcard_contact vc;
		struct kith_err e;
		size_t o = 0;

		assert_int_equal(parse(&f, cases[i].file, NULL, &e), KITH_OK);
		if (vcard_to_contact(&vc, &f.cards[cases[i].card],
				     cases[i].file, &e))
			fail_msg("%s: %s", cases[i].file, e.msg);
		assert_string_equal(vc.c.name, cases[i].name);
		join(buf, sizeof(buf), &vc.c.emails);
		assert_string_equal(buf, cases[i].emails);
		join(buf, sizeof(buf), &vc.c.phones);
		assert_string_equal(buf, cases[i].phones);
		assert_string_equal(vc.c.org_name, cases[i].org);
		assert_string_equal(vc.c.title, cases[i].title);
		buf[0] = '\0';
		for (size_t k = 0; k < vc.n_dates; k++) {
			int y, m, d;

			kith_civil_from_days(vc.dates[k].day, &y, &m, &d);
			if (vc.dates[k].year_known)
				o += (size_t)snprintf(buf + o, sizeof(buf) - o,
						      "%s%s:%04d%02d%02d",
						      k ? ";" : "",
						      vc.dates[k].kind, y, m, d);
			else
				o += (size_t)snprintf(buf + o, sizeof(buf) - o,
						      "%s%s:%02d%02d",
						      k ? ";" : "",
						      vc.dates[k].kind, m, d);
		}
		assert_string_equal(buf, cases[i].dates);
		vcard_contact_clear(&vc);
		csv_file_free(&f);
	}
}

/* A value of 256 bytes or more beside its label column stays whole (the
 * label was read into the value's buffer), and values and labels cut by
 * their buffers end on whole characters. */
static void test_long_values(void **state)
{
	char csv[4096], url[400], *o = csv;
	struct csv_file f;
	struct vcard_contact vc;
	struct kith_err e = { 0 };
	const struct vcard_prop *p = NULL;

	(void)state;
	strcpy(url, "https://example.org/");
	for (int i = 0; i < 300; i++)
		url[20 + i] = (char)('a' + i % 26);
	url[320] = '\0';
	o += sprintf(o, "First Name,Last Name,Website 1 - Label,"
			"Website 1 - Value,E-mail 1 - Label,E-mail 1 - Value\n");
	o += sprintf(o, "Ana,Lee,Blog,%s,", url);
	for (int i = 0; i < 60; i++)
		o += sprintf(o, "\xe2\x82\xac");	/* a 180-byte label */
	o += sprintf(o, ",ana@example.org\n");
	assert_int_equal(csv_parse(&f, csv, (size_t)(o - csv), "in.csv", NULL,
				   &e),
			 KITH_OK);
	for (size_t i = 0; i < f.cards[0].n_props; i++)
		if (!strcmp(f.cards[0].props[i].name, "URL"))
			p = &f.cards[0].props[i];
	assert_non_null(p);
	assert_string_equal(p->value, url);
	assert_int_equal(vcard_to_contact(&vc, &f.cards[0], "in.csv", &e),
			 KITH_OK);
	assert_int_equal(vc.c.email_labels.n, 1);
	assert_true(kith_utf8_valid(vc.c.email_labels.v[0],
				    strlen(vc.c.email_labels.v[0])));
	assert_true(strlen(vc.c.email_labels.v[0]) > 0);
	vcard_contact_clear(&vc);
	csv_file_free(&f);
}

static void test_errors(void **state)
{
	static const struct {
		const char *file;	/* under DATA, or text when map is "@" */
		const char *map;
		int line;
		const char *field, *msg;
	} cases[] = {
		{ "q_bad_quote.csv", NULL, 3, "", "quoted field is not closed" },
		{ "q_bad_after_quote.csv", NULL, 2, "",
		  "text after a closing quote" },
		{ "q_bad_date.csv", NULL, 2, "Birthday",
		  "got \"1980-02-30\"" },
		{ "q_bad_width.csv", NULL, 2, "",
		  "a row of 4 fields under a header of 2" },
		{ "q_no_header.csv", NULL, 1, "", "no known column" },
		{ "q_unknown.csv", "Shoe Size=shoes", 0, "--map",
		  "unknown target \"shoes\"" },
		{ "q_unknown.csv", "Hat Size=notes", 1, "--map",
		  "no column \"Hat Size\"" },
		{ "q_unknown.csv", "Shoe Size", 0, "--map",
		  "expected Header=target" },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct csv_file f;
		struct kith_err e;
		char path[256];

		snprintf(path, sizeof(path), DATA "%s", cases[i].file);
		assert_int_equal(parse(&f, cases[i].file, cases[i].map, &e),
				 KITH_EINPUT);
		assert_string_equal(e.file, path);
		assert_int_equal(e.line, cases[i].line);
		assert_string_equal(e.field, cases[i].field);
		if (!strstr(e.msg, cases[i].msg))
			fail_msg("case %zu: \"%s\"", i, e.msg);
		assert_null(f.cards);
		assert_int_equal(f.unknown.n, 0);
	}
}

static void test_bytes(void **state)
{
	struct csv_file f;
	struct kith_err e = { 0 };
	/* UTF-16LE with a BOM and an odd byte count cannot convert */
	static const char odd[] = "\xff\xfeN\0a\0m";
	static const char nul[] = "Name,Email\nA\0,a@b\n";

	(void)state;
	assert_int_equal(csv_parse(&f, odd, sizeof(odd) - 1, "o.csv", NULL,
				   &e),
			 KITH_EINPUT);
	assert_non_null(strstr(e.msg, "not UTF-16LE"));
	assert_int_equal(csv_parse(&f, nul, sizeof(nul) - 1, "n.csv", NULL,
				   &e),
			 KITH_EINPUT);
	assert_non_null(strstr(e.msg, "NUL"));
	assert_int_equal(csv_parse(&f, "", CSV_MAX_FILE + 1, "b.csv", NULL,
				   &e),
			 KITH_EINPUT);
	assert_non_null(strstr(e.msg, "file larger"));
	assert_int_equal(csv_parse(&f, "", 0, "e.csv", NULL, &e), KITH_EINPUT);
	assert_non_null(strstr(e.msg, "no header"));
}

static void test_phone(void **state)
{
	static const struct {
		const char *raw, *region;
		enum kith_status want;
		const char *e164;
	} cases[] = {
		{ "(415) 555-0134", "US", KITH_OK, "+14155550134" },
		{ "1-415-555-0134", "us", KITH_OK, "+14155550134" },
		{ "011 44 20 7946 0958", "US", KITH_OK, "+442079460958" },
		{ "+44 20 7946 0958", NULL, KITH_OK, "+442079460958" },
		{ "020 7946 0958", "GB", KITH_OK, "+442079460958" },
		{ "0049 30 1234567", "DE", KITH_OK, "+49301234567" },
		{ "030 1234567", "DE", KITH_OK, "+49301234567" },
		{ "06 1234 5678", "IT", KITH_OK, "+390612345678" },
		{ "8 (495) 123-45-67", "RU", KITH_OK, "+74951234567" },
		{ "06 1 234 5678", "HU", KITH_OK, "+3612345678" },
		{ "tel:+1-555-010-0199;ext=12", NULL, KITH_OK, "+15550100199" },
		{ "+1 415 555 0134 x22", NULL, KITH_OK, "+14155550134" },
		{ "+33\xc2\xa0" "6 12 34 56 78", NULL, KITH_OK,
		  "+33612345678" },
		{ "090-1234-5678", "JP", KITH_OK, "+819012345678" },
		{ "090-1234-5678", NULL, KITH_ENOTFOUND, "" },
		{ "090-1234-5678", "XX", KITH_ENOTFOUND, "" },
		{ "555-0134", "US", KITH_EINPUT, "" },
		{ "1-800-FLOWERS", "US", KITH_EINPUT, "" },
		{ "12+34", NULL, KITH_EINPUT, "" },
		{ "+1234567890123456", NULL, KITH_EINPUT, "" },
		{ "+12", NULL, KITH_EINPUT, "" },
		{ "", "US", KITH_EINPUT, "" },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		char out[PHONE_E164_MAX];
		struct kith_err e = { 0 };
		int rc = phone_e164(out, cases[i].raw, cases[i].region, "TEL",
				    &e);

		if (rc != (int)cases[i].want)
			fail_msg("%s: rc %d (%s)", cases[i].raw, rc, e.msg);
		assert_string_equal(out, cases[i].e164);
		if (rc)
			assert_string_equal(e.field, "TEL");
	}
	assert_int_equal(phone_region_code("de"), 49);
	assert_int_equal(phone_region_code("ZZ"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_props),
		cmocka_unit_test(test_contacts),
		cmocka_unit_test(test_long_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_phone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
