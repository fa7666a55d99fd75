/*
 * demo.c: the demo books: a small studio's clients for newcomers and a
 * big deterministic book for benchmarks. Writes only through store.h.
 */
#include "demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared ---- */

/*
 * Set a tag's cadence unless the workspace already has a rule for that
 * tag: a demo seeded into a book someone configured must not undo it.
 */
static int ensure_tag_rule(struct app_ctx *ctx, const char *tag, int every,
			   int meet, struct kith_err *err)
{
	struct cadence_rule *rules = NULL, r = { 0 };
	size_t n = 0;
	int rc;

	rc = store_cadence_list(&rules, &n, ctx->st, ctx->ws, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (rules[i].scope == CADENCE_TAG &&
		    !strcmp(rules[i].key, tag)) {
			store_cadences_free(rules, n);
			return KITH_OK;
		}
	}
	store_cadences_free(rules, n);
	r.scope = CADENCE_TAG;
	r.key = (char *)tag;
	r.every.days = every;
	r.meet.days = meet;
	return store_cadence_set(ctx->st, ctx->ws, &r, ctx->now, err);
}

/* splitmix64 (Vigna): one 64-bit state, full period, good enough to look
 * random in a demo and the same on every machine. Never rand(): its
 * sequence differs between C libraries and the bench must not. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix64(r->s);
}

/* Uniform in [0, n); n > 0. The modulo bias is below 2^-40 here. */
static uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

/* Uniform in [lo, hi]. */
static int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)rng_below(r, (uint64_t)(hi - lo + 1));
}

static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) / 9007199254740992.0;
}

/* A stream of its own for each (purpose, index), so one contact's shape
 * can be recomputed without replaying everything drawn before it. */
static void rng_seed(struct rng *r, uint64_t purpose, uint64_t i)
{
	r->s = mix64(0x6b697468ULL ^ (purpose << 56) ^ mix64(i));
}

/* ---- the small demo ---- */

enum person {
	P_NONE = -1,	/* no second participant */
	P_MAGGIE,
	P_GRACE,
	P_DANIEL,
	P_MINJI,
	P_OMAR,
	P_REBECCA,
	P_PRIYA,
	P_HANNAH,
	P_LUCAS,
	P_KWAME,
	P_RUTH,
	P_TOM,
	P_COUNT
};

static const struct {
	const char *name, *org, *title, *email, *phone, *handle, *tz;
	enum tier tier;
	const char *tags[3];
	int since_days;		/* client since, days before today; 0: none */
	int created_days;	/* added to the book, days before now */
	const char *notes;
} people[P_COUNT] = {
	[P_MAGGIE] = { "Maggie Okafor", "Okafor Family Bakeries", "Owner",
		       "maggie@okaforbakeries.example", "+1 312 555 0142",
		       NULL, "America/Chicago", TIER_A, { "client" },
		       9 * 365 + 40, 1100,
		       "Our first client. Three bakeries in Chicago, a fourth "
		       "planned in Evanston." },
	[P_GRACE] = { "Grace Lin", "Okafor Family Bakeries",
		      "Operations Manager", "grace@okaforbakeries.example",
		      "+1 312 555 0177", NULL, "America/Chicago", TIER_C,
		      { "client" }, 0, 760, "Runs print and packaging orders." },
	[P_DANIEL] = { "Daniel Whitfield", "Whitfield & Crane Architects",
		       "Managing Director", "daniel@whitfieldcrane.example",
		       "+44 20 7946 0958", NULL, "Europe/London", TIER_A,
		       { "client" }, 7 * 365 + 100, 1100,
		       "Rebrand phase 2 signed; phase 3 (signage) next year." },
	[P_MINJI] = { "김민지 (Minji Kim)", "Hanbit Cosmetics",
		      "Brand Director", "minji.kim@hanbit.example",
		      "+82 2 555 0187", "@minji.makes", "Asia/Seoul", TIER_B,
		      { "client" }, 1040, 1040,
		      "Found us through the Design Weekly feature." },
	[P_OMAR] = { "عمر حداد (Omar Haddad)", "Cedar Logistics", "Founder",
		     "omar@cedarlogistics.example", "+971 4 555 0123",
		     "@omarhaddad", "Asia/Dubai", TIER_B, { "client" }, 912,
		     912, "Logo and fleet livery; mostly async over email." },
	[P_REBECCA] = { "Rebecca Stone", "Lakeshore Credit Union",
			"VP Marketing", "rstone@lakeshorecu.example",
			"+1 312 555 0199", NULL, "America/Chicago", TIER_A,
			{ "client" }, 6 * 365 + 20, 1100,
			"Annual campaigns since 2019-ish. New CMO this year." },
	[P_PRIYA] = { "Priya Raman", "Fernwood Health", "Head of Product",
		      "priya@fernwoodhealth.example", "+1 212 555 0136",
		      NULL, "America/New_York", TIER_B, { "client" }, 240, 300,
		      "Patient app redesign; started as a prospect last year." },
	[P_HANNAH] = { "Hannah Becker", "Kranich Software GmbH", "CTO",
		       "hannah.becker@kranich.example", "+49 30 555 0134",
		       NULL, "Europe/Berlin", TIER_B, { "client" }, 760, 770,
		       "Design system for their B2B suite." },
	[P_LUCAS] = { "Lucas Almeida", "Estúdio Verde", "Partner",
		      "lucas@estudioverde.example", "+351 21 555 0171",
		      "@lucas.verde", "Europe/Lisbon", TIER_C, { "partner" },
		      0, 800, "Sends us Lisbon clients; we send him motion work." },
	[P_KWAME] = { "Kwame Mensah", "Design Weekly", "Editor",
		      "kwame@designweekly.example", NULL, "@kwamewrites",
		      "Europe/London", TIER_NONE, { "press" }, 0, 900,
		      NULL },
	[P_RUTH] = { "Ruth Feldman", NULL, NULL, "ruth.feldman@mail.example",
		     "+1 617 555 0110", NULL, "America/New_York", TIER_NONE,
		     { "family" }, 0, 700, "Aunt Ruth. Calls beat emails." },
	[P_TOM] = { "Tom Reyes", "Reyes Coffee Roasters", "Owner",
		    "tom@reyescoffee.example", "+1 213 555 0163", NULL,
		    "America/Los_Angeles", TIER_NONE, { "prospect" }, 0, 20,
		    "Wants a rebrand before the second café opens." },
};

/* The touches worth a note; routine history comes from rhythms below. */
static const struct {
	enum person who, with;
	int days, hours;	/* before now */
	enum channel ch;
	enum direction dir;
	int minutes;
	const char *note;
} moments[] = {
	{ P_MAGGIE, P_NONE, 2, 3, CH_TEXT, DIR_IN, 0,
	  "Loved the menu sketches! Can we add the rye loaf?" },
	{ P_MAGGIE, P_NONE, 6, 5, CH_EMAIL, DIR_OUT, 0,
	  "Sent spring menu draft v2" },
	{ P_MAGGIE, P_GRACE, 20, 4, CH_IN_PERSON, DIR_MUTUAL, 75,
	  "Quarterly review at the Wicker Park bakery; Ada's science fair "
	  "project won second place" },
	{ P_MAGGIE, P_NONE, 40, 6, CH_GIFT, DIR_OUT, 0,
	  "Holiday hamper: chocolates and a card from the whole team" },
	{ P_MAGGIE, P_NONE, 55, 2, CH_CALL, DIR_MUTUAL, 25,
	  "Planning the spring menu refresh" },
	{ P_GRACE, P_NONE, 33, 7, CH_EMAIL, DIR_IN, 0,
	  "Invoice question about the packaging run" },
	{ P_DANIEL, P_NONE, 12, 8, CH_CALL, DIR_OUT, 20,
	  "Sophie starts a design course in September; asked which laptop "
	  "to buy. Promised specs" },
	{ P_DANIEL, P_NONE, 30, 9, CH_EMAIL, DIR_IN, 0,
	  "Signed off rebrand phase 2" },
	{ P_DANIEL, P_NONE, 47, 9, CH_VIDEO, DIR_MUTUAL, 45,
	  "Phase 2 kickoff with his partners" },
	{ P_DANIEL, P_NONE, 120, 10, CH_IN_PERSON, DIR_MUTUAL, 90,
	  "Lunch near King's Cross; talked about the new office" },
	{ P_MINJI, P_NONE, 4, 14, CH_EMAIL, DIR_IN, 0,
	  "Sent the autumn campaign brief" },
	{ P_MINJI, P_NONE, 15, 13, CH_VIDEO, DIR_MUTUAL, 40,
	  "Autumn campaign concepts; she loved option B" },
	{ P_OMAR, P_NONE, 3, 9, CH_TEXT, DIR_IN, 0,
	  "Can we push the logo review to next week?" },
	{ P_OMAR, P_NONE, 10, 8, CH_EMAIL, DIR_OUT, 0,
	  "Shared three logo options" },
	{ P_OMAR, P_NONE, 26, 11, CH_SOCIAL, DIR_IN, 0,
	  "Mentioned our packaging work on LinkedIn" },
	{ P_OMAR, P_NONE, 730, 6, CH_IN_PERSON, DIR_MUTUAL, 120,
	  "Visited Cedar Logistics in Jebel Ali: warehouse tour, fleet "
	  "livery sketches" },
	{ P_REBECCA, P_NONE, 152, 4, CH_EMAIL, DIR_OUT, 0,
	  "Following up on the fall plans" },
	{ P_REBECCA, P_NONE, 200, 5, CH_EMAIL, DIR_OUT, 0,
	  "Shared the case study draft" },
	{ P_REBECCA, P_NONE, 260, 3, CH_EMAIL, DIR_OUT, 0,
	  "Congratulations on the new branch; any news on the budget?" },
	{ P_REBECCA, P_NONE, 300, 6, CH_EMAIL, DIR_OUT, 0,
	  "Checking in on the Q3 campaign" },
	{ P_REBECCA, P_NONE, 340, 2, CH_CALL, DIR_OUT, 2,
	  "Left a voicemail about next year's plans" },
	{ P_REBECCA, P_NONE, 370, 4, CH_IN_PERSON, DIR_MUTUAL, 90,
	  "Annual review lunch; she hinted at a new CMO" },
	{ P_REBECCA, P_NONE, 374, 3, CH_CALL, DIR_IN, 15,
	  "She called to book the results walkthrough" },
	{ P_REBECCA, P_NONE, 376, 5, CH_VIDEO, DIR_MUTUAL, 50,
	  "Campaign results walkthrough with her team" },
	{ P_REBECCA, P_NONE, 379, 7, CH_EMAIL, DIR_IN, 0,
	  "Sent next year's brief, asked for ideas" },
	{ P_REBECCA, P_NONE, 383, 2, CH_CALL, DIR_MUTUAL, 20,
	  "Call about next year's budget" },
	{ P_REBECCA, P_NONE, 391, 5, CH_IN_PERSON, DIR_MUTUAL, 120,
	  "Campaign wrap party at their Loop branch" },
	{ P_REBECCA, P_NONE, 500, 6, CH_GIFT, DIR_OUT, 0,
	  "Architecture boat tour tickets for her and Emma" },
	{ P_PRIYA, P_NONE, 9, 4, CH_VIDEO, DIR_MUTUAL, 50,
	  "Roadmap workshop for the patient app" },
	{ P_PRIYA, P_NONE, 18, 6, CH_EMAIL, DIR_IN, 0,
	  "Feedback on the onboarding screens" },
	{ P_PRIYA, P_NONE, 150, 5, CH_IN_PERSON, DIR_MUTUAL, 180,
	  "Kickoff at their Brooklyn office" },
	{ P_HANNAH, P_NONE, 25, 10, CH_CALL, DIR_MUTUAL, 30,
	  "Sprint demo feedback" },
	{ P_HANNAH, P_NONE, 100, 12, CH_IN_PERSON, DIR_MUTUAL, 240,
	  "Workshop at their Kreuzberg office; lunch at Markthalle Neun" },
	{ P_LUCAS, P_KWAME, 70, 3, CH_IN_PERSON, DIR_MUTUAL, 45,
	  "Design Week panel in London; Lucas is sending two Lisbon "
	  "clients our way" },
	{ P_LUCAS, P_NONE, 95, 7, CH_SOCIAL, DIR_IN, 0,
	  "Shared our case study" },
	{ P_KWAME, P_NONE, 40, 5, CH_LETTER, DIR_OUT, 0,
	  "Handwritten thanks for the Design Weekly feature" },
	{ P_KWAME, P_NONE, 85, 4, CH_SOCIAL, DIR_IN, 0,
	  "Tagged us in his studio roundup" },
	{ P_RUTH, P_NONE, 23, 1, CH_CALL, DIR_MUTUAL, 35,
	  "Her garden, and the trip to Vermont in the summer" },
	{ P_RUTH, P_NONE, 60, 5, CH_LETTER, DIR_OUT, 0,
	  "Card with photos of the kids" },
	{ P_RUTH, P_NONE, 110, 3, CH_IN_PERSON, DIR_MUTUAL, 180,
	  "Sunday lunch at her place" },
};

/* Routine history: a touch every `step` days (give or take a quarter)
 * from `from` to `to` days ago, cycling through chans. */
static const struct {
	enum person who;
	int from, to, step;
	enum channel chans[5];
	int n_chans;
} rhythms[] = {
	{ P_MAGGIE, 1000, 70, 21,
	  { CH_IN_PERSON, CH_EMAIL, CH_CALL, CH_EMAIL, CH_VIDEO }, 5 },
	{ P_GRACE, 720, 90, 60, { CH_EMAIL, CH_CALL }, 2 },
	{ P_DANIEL, 1000, 135, 25,
	  { CH_VIDEO, CH_EMAIL, CH_CALL, CH_IN_PERSON, CH_EMAIL }, 5 },
	{ P_MINJI, 1030, 30, 30, { CH_VIDEO, CH_EMAIL, CH_EMAIL, CH_CALL },
	  4 },
	/* Omar: voices and faces until a year ago, then only screens. */
	{ P_OMAR, 900, 400, 30, { CH_CALL, CH_EMAIL, CH_VIDEO, CH_EMAIL }, 4 },
	{ P_OMAR, 355, 40, 28, { CH_EMAIL, CH_TEXT, CH_SOCIAL, CH_EMAIL }, 4 },
	/* Rebecca: every fortnight for two years, then the emails above. */
	{ P_REBECCA, 1090, 400, 14,
	  { CH_IN_PERSON, CH_CALL, CH_VIDEO, CH_EMAIL }, 4 },
	{ P_PRIYA, 290, 30, 20, { CH_EMAIL, CH_VIDEO, CH_CALL }, 3 },
	{ P_HANNAH, 760, 50, 35, { CH_EMAIL, CH_VIDEO, CH_CALL, CH_EMAIL },
	  4 },
	{ P_LUCAS, 790, 120, 45, { CH_EMAIL, CH_SOCIAL, CH_VIDEO }, 3 },
	{ P_KWAME, 890, 100, 60, { CH_EMAIL, CH_SOCIAL }, 2 },
	{ P_RUTH, 690, 120, 25, { CH_CALL, CH_TEXT, CH_CALL, CH_LETTER }, 4 },
};

static const char *const rhythm_notes[CH_COUNT][3] = {
	[CH_IN_PERSON] = { "Coffee and a project check-in", "Workshop",
			   "Lunch" },
	[CH_VIDEO] = { "Design review", "Status call on video",
		       "Walked through the mockups" },
	[CH_CALL] = { "Quick call about timelines", "Catch-up call",
		      "Call about the invoice" },
	[CH_LETTER] = { "Postcard", "Thank-you note", "Card" },
	[CH_GIFT] = { "Flowers", "Book", "Chocolates" },
	[CH_TEXT] = { "Running ten minutes late", "Quick question by text",
		      "Sent photos" },
	[CH_EMAIL] = { "Sent the revised drafts", "Scheduling",
		       "Shared the invoice" },
	[CH_SOCIAL] = { "Liked our post", "Commented on the launch",
			"Shared an article" },
};

static const struct {
	enum person who;
	int days;		/* before now */
	const char *text;
} facts[] = {
	{ P_MAGGIE, 400, "Two kids: Ada (14) and Tobi (11)" },
	{ P_MAGGIE, 300, "Flat white, no sugar" },
	{ P_MAGGIE, 120, "Runs half-marathons; Chicago Half in September" },
	{ P_GRACE, 200, "Cortado; allergic to nuts" },
	{ P_DANIEL, 12, "Asked about the laptop for Sophie's design course" },
	{ P_DANIEL, 500, "Tea, milk, one sugar" },
	{ P_DANIEL, 400, "Arsenal season ticket holder" },
	{ P_MINJI, 300, "Prefers video at 8:00 Seoul time (our evening)" },
	{ P_MINJI, 200, "Collects film cameras; shoots a Pentax K1000" },
	{ P_OMAR, 700, "Son Karim plays youth football" },
	{ P_OMAR, 600, "No lunch meetings during Ramadan" },
	{ P_REBECCA, 900, "Daughter Emma starts college in 2027" },
	{ P_REBECCA, 600, "Loves cheese curds from the farmers' market" },
	{ P_REBECCA, 370, "New CMO arriving; budget under review" },
	{ P_PRIYA, 150, "Oat latte; plays cricket on weekends" },
	{ P_HANNAH, 100, "Vegetarian; training for the Berlin Marathon" },
	{ P_LUCAS, 300, "Surfs at Carcavelos before work" },
	{ P_KWAME, 500, "Writing a book on West African modernist type" },
	{ P_RUTH, 300, "Grows prize tomatoes; Uncle Joe does the jam" },
	{ P_TOM, 20, "Referred by Maggie Okafor" },
};

/* Dates by distance from today, in leap years so Feb 29 always exists. */
static const struct {
	enum person who;
	const char *kind;
	int in_days;		/* from today to the next one */
	int year;		/* the year it first happened */
	bool year_known, yearly;
} dates[] = {
	{ P_MINJI, "birthday", 3, 1988, true, true },
	{ P_LUCAS, "birthday", 9, 1984, true, true },
	{ P_RUTH, "wedding anniversary", 12, 1980, true, true },
	{ P_REBECCA, "birthday", 25, 1976, true, true },
	{ P_HANNAH, "birthday", 40, 2000, false, true },
	{ P_MAGGIE, "birthday", 80, 1976, true, true },
	{ P_RUTH, "birthday", 150, 1948, true, true },
	{ P_DANIEL, "Sophie's design course starts", 200, 0, true, false },
};

struct small {
	struct app_ctx *ctx;
	struct kith_err *err;
	int64_t id[P_COUNT];
	int64_t org[P_COUNT];
};

static kith_time ago(const struct app_ctx *ctx, int days, int hours)
{
	return ctx->now - (kith_time)days * KITH_DAY - (kith_time)hours * 3600;
}

static int small_contact(struct small *s, enum person p)
{
	char *emails[1], *phones[1], *handles[1], *tags[3];
	struct contact c;
	int rc;

	contact_init(&c);
	/* Borrowed strings: the store only reads them, and c is never
	 * cleared, so nothing here is freed. */
	c.name = (char *)people[p].name;
	c.org_name = (char *)people[p].org;
	c.title = (char *)people[p].title;
	c.tz = (char *)people[p].tz;
	c.notes = (char *)people[p].notes;
	c.tier = people[p].tier;
	emails[0] = (char *)people[p].email;
	c.emails.v = emails;
	c.emails.n = 1;
	if (people[p].phone) {
		phones[0] = (char *)people[p].phone;
		c.phones.v = phones;
		c.phones.n = 1;
	}
	if (people[p].handle) {
		handles[0] = (char *)people[p].handle;
		c.handles.v = handles;
		c.handles.n = 1;
	}
	c.tags.v = tags;
	for (size_t i = 0; i < 3 && people[p].tags[i]; i++)
		tags[c.tags.n++] = (char *)people[p].tags[i];
	if (people[p].since_days)
		c.since = s->ctx->today - people[p].since_days;
	c.created_at = ago(s->ctx, people[p].created_days, 0);
	rc = store_contact_add(s->ctx->st, s->ctx->ws, &c, c.created_at,
			       s->err);
	s->id[p] = c.id;
	s->org[p] = c.org_id;
	return rc;
}

static int small_touch(struct small *s, enum person who, enum person with,
		       kith_time at, enum channel ch, enum direction dir,
		       int minutes, const char *note)
{
	struct touchpoint t = { 0 };
	int64_t ids[2];

	ids[0] = s->id[who];
	t.n_contacts = 1;
	if (with != P_NONE)
		ids[t.n_contacts++] = s->id[with];
	t.contacts = ids;
	t.at = at;
	t.channel = ch;
	t.direction = dir;
	t.minutes = minutes;
	t.note = (char *)note;
	t.source = ch == CH_EMAIL ? "email" : "manual";
	return store_touch_add(s->ctx->st, s->ctx->ws, &t, s->err);
}

static int small_rhythms(struct small *s)
{
	struct rng r;
	int rc = KITH_OK;

	rng_seed(&r, 1, 0);
	for (size_t i = 0; !rc && i < sizeof(rhythms) / sizeof(*rhythms);
	     i++) {
		int k = 0;

		for (int d = rhythms[i].from; !rc && d >= rhythms[i].to;
		     d -= rhythms[i].step, k++) {
			int jitter = (int)rng_range(&r, -rhythms[i].step / 4,
						    rhythms[i].step / 4);
			enum channel ch =
				rhythms[i].chans[k % rhythms[i].n_chans];
			/* Rich channels are conversations; among the rest,
			 * two of three are ours. */
			enum direction dir =
				ch == CH_IN_PERSON || ch == CH_VIDEO ||
						ch == CH_CALL
					? (k % 3 ? DIR_MUTUAL : DIR_IN)
				: k % 3 == 2 ? DIR_IN
					     : DIR_OUT;
			int day = d + jitter;
			int minutes = ch == CH_IN_PERSON ? 60
				      : ch == CH_VIDEO	 ? 40
				      : ch == CH_CALL	 ? 15
							 : 0;

			/* Jitter must not cross the rhythm's end: the
			 * stories above depend on the last dates. */
			if (day < rhythms[i].to)
				day = rhythms[i].to;
			rc = small_touch(s, rhythms[i].who, P_NONE,
					 ago(s->ctx, day, (int)rng_below(&r, 9)),
					 ch, dir, minutes,
					 rhythm_notes[ch][k % 3]);
		}
	}
	return rc;
}

static int small_touches(struct small *s)
{
	int rc = small_rhythms(s);

	for (size_t i = 0; !rc && i < sizeof(moments) / sizeof(*moments);
	     i++)
		rc = small_touch(s, moments[i].who, moments[i].with,
				 ago(s->ctx, moments[i].days, moments[i].hours),
				 moments[i].ch, moments[i].dir,
				 moments[i].minutes, moments[i].note);
	return rc;
}

static int small_facts_dates(struct small *s)
{
	int rc = KITH_OK;

	for (size_t i = 0; !rc && i < sizeof(facts) / sizeof(*facts); i++) {
		struct fact f = { 0 };

		f.contact_id = s->id[facts[i].who];
		f.text = (char *)facts[i].text;
		f.created_at = ago(s->ctx, facts[i].days, 0);
		rc = store_fact_add(s->ctx->st, s->ctx->ws, &f, s->err);
	}
	for (size_t i = 0; !rc && i < sizeof(dates) / sizeof(*dates); i++) {
		struct kdate d = { 0 };
		int32_t next = s->ctx->today + dates[i].in_days;
		int y, m, dd;

		kith_civil_from_days(next, &y, &m, &dd);
		d.contact_id = s->id[dates[i].who];
		d.kind = (char *)dates[i].kind;
		d.day = dates[i].yearly
				? kith_days_from_civil(dates[i].year, m, dd)
				: next;
		d.year_known = dates[i].year_known;
		d.yearly = dates[i].yearly;
		d.created_at = ago(s->ctx, 200, 0);
		rc = store_date_add(s->ctx->st, s->ctx->ws, &d, s->err);
	}
	return rc;
}

static int small_promises(struct small *s)
{
	const struct {
		enum person who;
		const char *text;
		int made, due, kept;	/* days from now: -12 is 12 ago */
	} promises[] = {
		{ P_DANIEL, "Send laptop specs for Sophie's design course",
		  -12, -5, 0 },
		{ P_MAGGIE, "Send the spring menu mockups", -6, 3, 0 },
		{ P_PRIYA, "Share the usability test plan", -60, -40, -42 },
	};
	int rc = KITH_OK;

	for (size_t i = 0; !rc && i < sizeof(promises) / sizeof(*promises);
	     i++) {
		struct promise p = { 0 };

		p.contact_id = s->id[promises[i].who];
		p.text = (char *)promises[i].text;
		p.created_at = ago(s->ctx, -promises[i].made, 0);
		/* Due at the end of a working day, not at this minute. */
		p.due = ago(s->ctx, -promises[i].due, 0) + 6 * 3600;
		p.done_at = promises[i].kept
				    ? ago(s->ctx, -promises[i].kept, 0)
				    : KITH_NO_TIME;
		rc = store_promise_add(s->ctx->st, s->ctx->ws, &p, s->err);
	}
	return rc;
}

static int small_money(struct small *s)
{
	/* Yearly invoices over each client's tenure, growing with it. */
	const struct {
		enum person who;
		int years;
		int64_t first_cents, raise_cents;
	} accounts[] = {
		{ P_MAGGIE, 9, 1200000, 150000 },
		{ P_DANIEL, 7, 2400000, 200000 },
		{ P_REBECCA, 6, 1800000, 100000 },
		{ P_OMAR, 3, 900000, 50000 },
		{ P_MINJI, 3, 1500000, 250000 },
		{ P_HANNAH, 2, 3200000, 0 },
		{ P_PRIYA, 1, 2750000, 0 },
	};
	const struct {
		enum person who;
		int days;
		const char *text;
		int64_t cents;
	} gifts[] = {
		{ P_MAGGIE, 40,
		  "Holiday hamper: chocolates and a card from the team", 8500 },
		{ P_REBECCA, 500, "Architecture boat tour tickets", 12000 },
	};
	int rc = KITH_OK;

	for (size_t i = 0; !rc && i < sizeof(accounts) / sizeof(*accounts);
	     i++) {
		for (int y = 0; !rc && y < accounts[i].years; y++) {
			struct revenue r = { 0 };
			char note[64];

			snprintf(note, sizeof(note), "Invoice %d of %d",
				 y + 1, accounts[i].years);
			r.contact_id = s->id[accounts[i].who];
			r.org_id = s->org[accounts[i].who];
			r.amount_cents = accounts[i].first_cents +
					 y * accounts[i].raise_cents;
			r.at = ago(s->ctx,
				   (accounts[i].years - y) * 365 - 200, 0);
			if (r.at > s->ctx->now)
				r.at = ago(s->ctx, 30, 0);
			r.note = note;
			rc = store_revenue_add(s->ctx->st, s->ctx->ws, &r,
					       s->err);
		}
	}
	for (size_t i = 0; !rc && i < sizeof(gifts) / sizeof(*gifts); i++) {
		struct gift g = { 0 };

		g.contact_id = s->id[gifts[i].who];
		g.text = (char *)gifts[i].text;
		g.value_cents = gifts[i].cents;
		g.at = ago(s->ctx, gifts[i].days, 6);
		rc = store_gift_add(s->ctx->st, s->ctx->ws, &g, s->err);
	}
	return rc;
}

int demo_seed_small(struct app_ctx *ctx, struct kith_err *err)
{
	struct small s = { .ctx = ctx, .err = err };
	int rc;

	/* Rules before people, so each contact resolves its cadence once. */
	rc = ensure_tag_rule(ctx, "prospect", 14, 0, err);
	if (!rc)
		rc = ensure_tag_rule(ctx, "partner", 60, 0, err);
	if (!rc)
		rc = ensure_tag_rule(ctx, "family", 21, 0, err);
	for (int p = 0; !rc && p < P_COUNT; p++)
		rc = small_contact(&s, (enum person)p);
	if (!rc)
		rc = small_touches(&s);
	if (!rc)
		rc = small_facts_dates(&s);
	if (!rc)
		rc = small_promises(&s);
	if (!rc)
		rc = small_money(&s);
	return rc;
}

/* ---- the big book ---- */

#define BIG_BATCH 50000		/* rows per transaction */
/* A group: contacts whose touches are written together in time order.
 * About a million touches (24 MB of plan) make each sweep of the touch
 * time index put tens of rows into every page it reads. */
#define BIG_GROUP_CONTACTS 100000
#define BIG_GROUP_TOUCHES 1000000
#define BIG_YEARS_DAYS 1095	/* history reaches three years back */

enum { RNG_SHAPE = 2, RNG_REST = 3 };

struct name_part {
	const char *text, *ascii;
};

static const struct name_part first_names[] = {
	{ "Maria", "maria" },	  { "James", "james" },
	{ "Aisha", "aisha" },	  { "Wei", "wei" },
	{ "Olivia", "olivia" },	  { "Mateo", "mateo" },
	{ "Priya", "priya" },	  { "Kenji", "kenji" },
	{ "Fatima", "fatima" },	  { "Lukas", "lukas" },
	{ "Chloé", "chloe" },	  { "Diego", "diego" },
	{ "Amara", "amara" },	  { "Noah", "noah" },
	{ "Sofia", "sofia" },	  { "Oluwaseun", "oluwaseun" },
	{ "Ingrid", "ingrid" },	  { "Rahul", "rahul" },
	{ "Hana", "hana" },	  { "Thomas", "thomas" },
	{ "Zeynep", "zeynep" },	  { "Liam", "liam" },
	{ "Mei", "mei" },	  { "Carlos", "carlos" },
	{ "Emma", "emma" },	  { "Yusuf", "yusuf" },
	{ "Anika", "anika" },	  { "Kwame", "kwame" },
	{ "Isabella", "isabella" }, { "Dmitri", "dmitri" },
	{ "서연", "seoyeon" },	  { "지훈", "jihoon" },
	{ "ليلى", "layla" },	  { "خالد", "khalid" },
	{ "Björn", "bjorn" },	  { "Ngozi", "ngozi" },
	{ "Hiroshi", "hiroshi" }, { "Grace", "grace" },
	{ "Rafael", "rafael" },	  { "Sarah", "sarah" },
};

static const struct name_part last_names[] = {
	{ "Garcia", "garcia" },	    { "Smith", "smith" },
	{ "Okafor", "okafor" },	    { "Chen", "chen" },
	{ "Müller", "muller" },	    { "Patel", "patel" },
	{ "Tanaka", "tanaka" },	    { "Haddad", "haddad" },
	{ "Rossi", "rossi" },	    { "Nguyen", "nguyen" },
	{ "Johansson", "johansson" }, { "Silva", "silva" },
	{ "Kowalski", "kowalski" }, { "Mensah", "mensah" },
	{ "Dubois", "dubois" },	    { "Kim", "kim" },
	{ "O'Brien", "obrien" },    { "Yilmaz", "yilmaz" },
	{ "Hernández", "hernandez" }, { "Ivanova", "ivanova" },
	{ "Brown", "brown" },	    { "Singh", "singh" },
	{ "Nakamura", "nakamura" }, { "Adeyemi", "adeyemi" },
	{ "Costa", "costa" },	    { "Schmidt", "schmidt" },
	{ "Lopez", "lopez" },	    { "Wang", "wang" },
	{ "박", "park" },	    { "이", "lee" },
	{ "المنصوري", "almansouri" }, { "Novak", "novak" },
	{ "Fischer", "fischer" },   { "Murphy", "murphy" },
	{ "Ahmed", "ahmed" },	    { "Andersen", "andersen" },
};

static const char *const org_words1[] = {
	"Northwind", "Bluebird", "Cedar", "Harbor", "Summit", "Lakeshore",
	"Ironwood", "Silverline", "Redwood", "Meridian", "Brightwater",
	"Kestrel", "Granite", "Juniper", "Copper", "Evergreen", "Lantern",
	"Atlas", "Willow", "Falcon", "Orchard", "Beacon", "Riverbend",
	"Sterling", "Mosaic", "Pioneer", "Aurora", "Foxglove", "Tidewater",
	"Highland",
};

static const char *const org_words2[] = {
	"Analytics", "Bakery", "Logistics", "Architects", "Health", "Foods",
	"Software", "Dental", "Media", "Capital", "Coffee", "Design",
	"Labs", "Legal", "Studios", "Outfitters", "Robotics", "Travel",
	"Energy", "Insurance", "Clinic", "Brewing", "Furniture", "Press",
};

static const char *const org_words3[] = {
	"", " & Co", " Group", " Partners", " Inc", " GmbH", " Ltd",
	" Collective",
};

static const char *const titles[] = {
	"Owner",	   "Founder",	      "CEO",
	"Managing Director", "Head of Marketing", "Operations Manager",
	"CTO",		   "Product Lead",    "Office Manager",
	"Creative Director", "Partner",	      "VP Sales",
	"Account Manager", "Head of Brand",   "CFO",
};

static const struct {
	const char *tz;
	int weight;
} zones[] = {
	{ "America/New_York", 22 },  { "America/Chicago", 14 },
	{ "America/Los_Angeles", 12 }, { "America/Denver", 4 },
	{ "Europe/London", 12 },     { "Europe/Berlin", 8 },
	{ "Europe/Paris", 5 },	     { "Europe/Lisbon", 2 },
	{ "Asia/Seoul", 4 },	     { "Asia/Tokyo", 4 },
	{ "Asia/Dubai", 3 },	     { "Asia/Kolkata", 4 },
	{ "Australia/Sydney", 3 },   { "America/Sao_Paulo", 3 },
};

/* Tag, share of contacts in percent, and its cadence rule (0: none). */
static const struct {
	const char *tag;
	int percent, every, meet;
} big_tags[] = {
	{ "client", 45, 0, 0 },	    { "prospect", 12, 14, 0 },
	{ "partner", 8, 45, 180 },  { "vendor", 5, 120, 0 },
	{ "friend", 5, 30, 0 },	    { "conference", 6, 0, 0 },
	{ "alumni", 4, 180, 0 },    { "investor", 2, 30, 90 },
	{ "press", 2, 60, 0 },	    { "family", 2, 21, 0 },
};

/* Channels in percent: email most, in person fewer (DESIGN.md order). */
static const int channel_weights[CH_COUNT] = {
	[CH_IN_PERSON] = 8, [CH_VIDEO] = 11, [CH_CALL] = 14, [CH_LETTER] = 2,
	[CH_GIFT] = 2,	    [CH_TEXT] = 14,  [CH_EMAIL] = 39, [CH_SOCIAL] = 10,
};

static const char *const big_notes[] = {
	"Sent the proposal",	   "Follow-up on the quote",
	"Asked about timelines",   "Quarterly check-in",
	"Coffee near their office", "Shared the invoice",
	"Intro to their new hire", "Talked about the kids",
	"Feedback on drafts",	   "Thank-you for the referral",
};

static const char *const big_facts[] = {
	"Flat white, no sugar",
	"Two kids; the eldest starts college next year",
	"Marathon runner",
	"Asked about the laptop for their daughter",
	"Vegetarian",
	"Prefers calls before 10:00",
	"Plays in a jazz band on Fridays",
	"Dog named Biscuit",
	"Allergic to shellfish",
	"Collects vinyl",
};

static const char *const big_promises[] = {
	"Send the proposal",
	"Share the case study",
	"Intro to our printer",
	"Send laptop specs",
	"Book the workshop date",
	"Review their pitch deck",
};

static const char *const big_gifts[] = {
	"Holiday hamper", "Bottle of wine", "Book on design", "Flowers",
	"Concert tickets", "Coffee subscription",
};

#define N_OF(a) (sizeof(a) / sizeof(*(a)))

struct plan_touch;

struct big {
	struct app_ctx *ctx;
	struct kith_err *err;
	int64_t *org_ids;	/* org index -> id, 0 until made */
	uint64_t n_orgs;
	uint64_t rows;		/* written in this transaction */
	uint64_t done, total;	/* for progress */
	demo_progress_fn progress;
	void *pctx;
	int64_t prev_id;	/* last contact of the group before */
	int64_t *group_ids;	/* ids of this group's contacts */
	struct plan_touch *plan;	/* this group's touches, unwritten */
	size_t n_plan, cap_plan;
};

/* Tier and touch weight of contact i: pure in i, so the quota pass and
 * the writing pass agree without storing a million shapes. */
static void big_shape(uint64_t i, enum tier *tier, uint64_t *weight)
{
	struct rng r;
	uint64_t u, base;

	rng_seed(&r, RNG_SHAPE, i);
	u = rng_below(&r, 100);
	if (u < 10) {
		*tier = TIER_A;
		base = 30;
	} else if (u < 40) {
		*tier = TIER_B;
		base = 14;
	} else if (u < 80) {
		*tier = TIER_C;
		base = 7;
	} else {
		*tier = TIER_NONE;
		base = 5;
	}
	*weight = base * (25 + rng_below(&r, 151));
	if (rng_below(&r, 100) < 3)
		*weight = 0;		/* added, never touched */
}

/* One row written; every BIG_BATCH rows, commit and open the next. */
static int big_row(struct big *b, uint64_t progress_rows)
{
	int rc;

	b->done += progress_rows;
	if (++b->rows < BIG_BATCH)
		return KITH_OK;
	b->rows = 0;
	rc = store_commit(b->ctx->st, b->err);
	if (!rc)
		rc = store_begin(b->ctx->st, b->err);
	if (!rc && b->progress)
		b->progress(b->pctx, b->done, b->total);
	return rc;
}

static void org_name(char *buf, size_t n, uint64_t k)
{
	uint64_t n1 = N_OF(org_words1), n2 = N_OF(org_words2),
		 n3 = N_OF(org_words3), round = k / (n1 * n2 * n3);

	if (round)
		snprintf(buf, n, "%s %s%s %llu", org_words1[k % n1],
			 org_words2[(k / n1) % n2],
			 org_words3[(k / (n1 * n2)) % n3],
			 (unsigned long long)round + 1);
	else
		snprintf(buf, n, "%s %s%s", org_words1[k % n1],
			 org_words2[(k / n1) % n2],
			 org_words3[(k / (n1 * n2)) % n3]);
}

/* "northwindanalytics7.example" from the organization's name parts. */
static void org_domain(char *buf, size_t n, uint64_t k)
{
	uint64_t n1 = N_OF(org_words1), n2 = N_OF(org_words2),
		 round = k / (n1 * n2 * N_OF(org_words3));
	size_t o = 0;

	o += (size_t)snprintf(buf, n, "%s%s", org_words1[k % n1],
			      org_words2[(k / n1) % n2]);
	if (round && o < n)
		o += (size_t)snprintf(buf + o, n - o, "%llu",
				      (unsigned long long)round + 1);
	if (o < n)
		snprintf(buf + o, n - o, ".example");
	for (char *p = buf; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
}

static int big_org(struct big *b, uint64_t k, int64_t *id)
{
	char name[96];
	int rc;

	if (b->org_ids[k]) {
		*id = b->org_ids[k];
		return KITH_OK;
	}
	org_name(name, sizeof(name), k);
	rc = store_org_ensure(id, b->ctx->st, b->ctx->ws, name, b->ctx->now,
			      b->err);
	if (!rc) {
		b->org_ids[k] = *id;
		rc = big_row(b, 0);
	}
	return rc;
}

static int tier_every_days(enum tier t)
{
	/* The workspace defaults (store_workspace_create); only used to
	 * place the last touch around the contact's rhythm. */
	switch (t) {
	case TIER_A:
		return 30;
	case TIER_B:
		return 60;
	case TIER_C:
		return 120;
	case TIER_NONE:
	case TIER_COUNT:
		break;
	}
	return 90;
}

static enum channel pick_channel(struct rng *r)
{
	int u = (int)rng_below(r, 100);

	for (int ch = 0; ch < CH_COUNT; ch++) {
		u -= channel_weights[ch];
		if (u < 0)
			return (enum channel)ch;
	}
	return CH_EMAIL;
}

/* A touch planned but not yet written: a group's are sorted by time
 * before they go to the store (see demo_seed_big). */
struct plan_touch {
	kith_time at;
	uint32_t who;		/* index of the contact in its group */
	uint32_t seq;		/* order of planning: ties stay deterministic */
	uint8_t channel, direction;
	uint8_t note;		/* 1 + index in big_notes; 0: none */
	uint8_t shared;		/* the contact before takes part too */
	uint16_t minutes;
};

static int plan_push(struct big *b, const struct plan_touch *t)
{
	if (b->n_plan == b->cap_plan) {
		size_t cap = b->cap_plan ? b->cap_plan * 2 : 65536;
		struct plan_touch *v = realloc(b->plan, cap * sizeof(*v));

		if (!v)
			return kith_err_nomem(b->err);
		b->plan = v;
		b->cap_plan = cap;
	}
	b->plan[b->n_plan] = *t;
	b->plan[b->n_plan].seq = (uint32_t)b->n_plan;
	b->n_plan++;
	return KITH_OK;
}

/* Plan k touches of group member `who` between its creation and about
 * its cadence ago, ascending. */
static int big_plan_touches(struct big *b, struct rng *r, uint32_t who,
			    kith_time created, int every_days, uint64_t k)
{
	kith_time start, end, span;
	uint64_t lag, u;
	int rc = KITH_OK;

	if (!k)
		return KITH_OK;
	/* Most contacts were last touched within about their cadence, some
	 * are overdue, a tenth have gone quiet for months. */
	u = rng_below(r, 100);
	if (u < 65)
		lag = rng_below(r, (uint64_t)every_days * 11 / 10 + 1);
	else if (u < 90)
		lag = (uint64_t)rng_range(r, every_days, 3 * every_days);
	else
		lag = (uint64_t)rng_range(r, 120, 500);
	start = created + (kith_time)rng_below(r, 7 * KITH_DAY);
	end = b->ctx->now - (kith_time)lag * KITH_DAY -
	      (kith_time)rng_below(r, KITH_DAY);
	if (end < start + KITH_DAY)
		end = start + (b->ctx->now - start) / 2;
	span = end - start;
	for (uint64_t j = 0; !rc && j < k; j++) {
		struct plan_touch t = { 0 };
		/* Slot j of k with a random place inside it: ascending
		 * without a sort. */
		double pos = ((double)j + rng_unit(r)) / (double)k;

		t.at = start + (kith_time)(pos * (double)span);
		t.who = who;
		t.channel = (uint8_t)pick_channel(r);
		u = rng_below(r, 100);
		if (t.channel == CH_IN_PERSON || t.channel == CH_VIDEO)
			t.direction = u < 75 ? DIR_MUTUAL
				      : u < 90 ? DIR_OUT
					       : DIR_IN;
		else
			t.direction = u < 55   ? DIR_OUT
				      : u < 92 ? DIR_IN
					       : DIR_MUTUAL;
		switch (t.channel) {
		case CH_IN_PERSON:
			t.minutes = (uint16_t)(rng_range(r, 3, 24) * 5);
			break;
		case CH_VIDEO:
			t.minutes = (uint16_t)(rng_range(r, 3, 12) * 5);
			break;
		case CH_CALL:
			t.minutes = (uint16_t)rng_range(r, 2, 45);
			break;
		default:
			break;
		}
		if (rng_below(r, 100) < 20)
			t.note = (uint8_t)(1 + rng_below(r, N_OF(big_notes)));
		t.shared = rng_below(r, 100) < 3;
		rc = plan_push(b, &t);
	}
	return rc;
}

static int plan_cmp(const void *pa, const void *pb)
{
	const struct plan_touch *x = pa, *y = pb;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Write the group's planned touches, oldest first. */
static int big_write_touches(struct big *b)
{
	int rc = KITH_OK;

	/* qsort's base must not be NULL, even for no elements. */
	if (b->n_plan > 1)
		qsort(b->plan, b->n_plan, sizeof(*b->plan), plan_cmp);
	for (size_t j = 0; !rc && j < b->n_plan; j++) {
		const struct plan_touch *p = &b->plan[j];
		struct touchpoint t = { 0 };
		int64_t ids[2];

		t.at = p->at;
		t.channel = (enum channel)p->channel;
		t.direction = (enum direction)p->direction;
		t.minutes = p->minutes;
		t.note = p->note ? (char *)big_notes[p->note - 1] : NULL;
		t.source = t.channel == CH_EMAIL ? "email" : "manual";
		ids[0] = b->group_ids[p->who];
		t.n_contacts = 1;
		if (p->shared) {
			int64_t other = p->who ? b->group_ids[p->who - 1]
					       : b->prev_id;

			if (other)
				ids[t.n_contacts++] = other;
		}
		t.contacts = ids;
		rc = store_touch_add(b->ctx->st, b->ctx->ws, &t, b->err);
		if (!rc)
			rc = big_row(b, 1);
	}
	b->n_plan = 0;
	return rc;
}

/* Facts, dates, promises, gifts and revenue for some contacts. */
static int big_extras(struct big *b, struct rng *r, int64_t id,
		      int64_t org_id, kith_time created, bool client)
{
	struct app_ctx *ctx = b->ctx;
	int rc = KITH_OK;

	if (rng_below(r, 100) < 8) {
		struct fact f = { 0 };

		f.contact_id = id;
		f.text = (char *)big_facts[rng_below(r, N_OF(big_facts))];
		f.created_at = created;
		rc = store_fact_add(ctx->st, ctx->ws, &f, b->err);
		if (!rc)
			rc = big_row(b, 0);
	}
	if (!rc && rng_below(r, 100) < 30) {
		struct kdate d = { 0 };
		int y = (int)rng_range(r, 1950, 2002);
		int m = (int)rng_range(r, 1, 12);

		d.contact_id = id;
		d.kind = "birthday";
		d.day = kith_days_from_civil(
			y, m, (int)rng_range(r, 1, kith_days_in_month(y, m)));
		d.year_known = rng_below(r, 100) < 60;
		d.yearly = true;
		d.created_at = created;
		rc = store_date_add(ctx->st, ctx->ws, &d, b->err);
		if (!rc)
			rc = big_row(b, 0);
	}
	if (!rc && rng_below(r, 100) < 4) {
		struct kdate d = { 0 };
		int y = (int)rng_range(r, 1975, 2020);

		d.contact_id = id;
		d.kind = "anniversary";
		d.day = kith_days_from_civil(y, (int)rng_range(r, 1, 12),
					     (int)rng_range(r, 1, 28));
		d.year_known = true;
		d.yearly = true;
		d.created_at = created;
		rc = store_date_add(ctx->st, ctx->ws, &d, b->err);
		if (!rc)
			rc = big_row(b, 0);
	}
	if (!rc && rng_below(r, 1000) < 45) {
		struct promise p = { 0 };
		uint64_t u = rng_below(r, 3);

		p.contact_id = id;
		p.text = (char *)big_promises[rng_below(r, N_OF(big_promises))];
		/* Two in three open, due from 10 days ago to 45 ahead (a
		 * fifth of them overdue); the rest kept on time. */
		p.due = ctx->now + (kith_time)rng_range(r, -10, 45) * KITH_DAY;
		p.created_at = p.due - (kith_time)rng_range(r, 3, 30) * KITH_DAY;
		if (p.created_at > ctx->now)
			p.created_at = ctx->now;
		if (p.created_at < created)
			p.created_at = created;
		p.done_at = KITH_NO_TIME;
		if (u == 0) {
			p.due -= 60 * (kith_time)KITH_DAY;
			p.created_at -= 60 * (kith_time)KITH_DAY;
			p.done_at = p.due - KITH_DAY;
		}
		rc = store_promise_add(ctx->st, ctx->ws, &p, b->err);
		if (!rc)
			rc = big_row(b, 0);
	}
	if (!rc && rng_below(r, 100) < 3) {
		struct gift g = { 0 };

		g.contact_id = id;
		g.text = (char *)big_gifts[rng_below(r, N_OF(big_gifts))];
		g.value_cents = rng_range(r, 20, 200) * 100;
		g.at = ctx->now - (kith_time)rng_below(r, 1000) * KITH_DAY;
		rc = store_gift_add(ctx->st, ctx->ws, &g, b->err);
		if (!rc)
			rc = big_row(b, 0);
	}
	if (!rc && client && rng_below(r, 100) < 20) {
		int n = (int)rng_range(r, 1, 3);

		for (int k = 0; !rc && k < n; k++) {
			struct revenue v = { 0 };

			v.contact_id = id;
			v.org_id = org_id;
			v.amount_cents = rng_range(r, 5, 400) * 10000;
			v.at = ctx->now -
			       (kith_time)rng_below(r, BIG_YEARS_DAYS) *
				       KITH_DAY;
			v.note = "Invoice";
			rc = store_revenue_add(ctx->st, ctx->ws, &v, b->err);
			if (!rc)
				rc = big_row(b, 0);
		}
	}
	return rc;
}

static int big_contact(struct big *b, uint64_t i, uint32_t who,
		       uint64_t n_touch)
{
	static const int own_days[] = { 7, 10, 14, 21, 30, 45, 60, 90, 120,
					180 };
	static const int meet_days[] = { 60, 90, 180, 365 };
	const struct name_part *fn, *ln;
	char name[128], email[160], domain[96], phone[32];
	char *emails[1], *phones[1], *tags[2];
	struct app_ctx *ctx = b->ctx;
	uint64_t weight, u;
	struct contact c;
	bool client = false;
	struct rng r;
	int every_days, rc;

	contact_init(&c);
	big_shape(i, &c.tier, &weight);
	rng_seed(&r, RNG_REST, i);
	fn = &first_names[rng_below(&r, N_OF(first_names))];
	ln = &last_names[rng_below(&r, N_OF(last_names))];
	snprintf(name, sizeof(name), "%s %s", fn->text, ln->text);
	c.name = name;
	c.title = (char *)titles[rng_below(&r, N_OF(titles))];
	u = rng_below(&r, 100);
	for (size_t z = 0; z < N_OF(zones); z++) {
		if (u < (uint64_t)zones[z].weight) {
			c.tz = (char *)zones[z].tz;
			break;
		}
		u -= (uint64_t)zones[z].weight;
	}
	if (rng_below(&r, 100) < 85) {
		uint64_t k = rng_below(&r, b->n_orgs);

		rc = big_org(b, k, &c.org_id);
		if (rc)
			return rc;
		org_domain(domain, sizeof(domain), k);
	} else {
		snprintf(domain, sizeof(domain), "mail.example");
	}
	/* The index keeps the address unique in the book. */
	snprintf(email, sizeof(email), "%s.%s%llu@%s", fn->ascii, ln->ascii,
		 (unsigned long long)i, domain);
	emails[0] = email;
	c.emails.v = emails;
	c.emails.n = 1;
	if (rng_below(&r, 100) < 50) {
		snprintf(phone, sizeof(phone), "+1 555 %07llu",
			 (unsigned long long)(rng_below(&r, 10000000)));
		phones[0] = phone;
		c.phones.v = phones;
		c.phones.n = 1;
	}
	c.tags.v = tags;
	for (int t = 0; t < 2; t++) {
		u = rng_below(&r, 100 * (t ? 3 : 1));
		for (size_t g = 0; g < N_OF(big_tags); g++) {
			if (u < (uint64_t)big_tags[g].percent) {
				if (c.tags.n && tags[0] == big_tags[g].tag)
					break;
				tags[c.tags.n++] = (char *)big_tags[g].tag;
				client |= !strcmp(big_tags[g].tag, "client");
				break;
			}
			u -= (uint64_t)big_tags[g].percent;
		}
	}
	every_days = tier_every_days(c.tier);
	u = rng_below(&r, 100);
	if (u < 12) {
		c.every.days = own_days[rng_below(&r, N_OF(own_days))];
		every_days = c.every.days;
	} else if (u < 14) {
		c.every.months = rng_below(&r, 2) ? 3 : 1;
		every_days = 30 * c.every.months;
	}
	if (rng_below(&r, 100) < 5)
		c.meet_every.days = meet_days[rng_below(&r, N_OF(meet_days))];
	c.created_at = ctx->now -
		       (kith_time)rng_range(&r, 14, BIG_YEARS_DAYS) * KITH_DAY -
		       (kith_time)rng_below(&r, KITH_DAY);
	if (client)
		c.since = kith_time_day(c.created_at, NULL) -
			  (int32_t)rng_below(&r, 8 * 365);
	rc = store_contact_add(ctx->st, ctx->ws, &c, c.created_at, b->err);
	if (!rc)
		rc = big_row(b, 1);
	if (!rc)
		rc = big_extras(b, &r, c.id, c.org_id, c.created_at, client);
	b->group_ids[who] = c.id;
	if (!rc)
		rc = big_plan_touches(b, &r, who, c.created_at, every_days,
				      n_touch);
	return rc;
}

int demo_seed_big(struct app_ctx *ctx, uint64_t n_contacts, uint64_t n_touches,
		  demo_progress_fn progress, void *pctx, struct kith_err *err)
{
	struct big b = { .ctx = ctx, .err = err, .progress = progress,
			 .pctx = pctx };
	uint64_t total_weight = 0, cum = 0, given = 0, i = 0;
	int rc = KITH_OK;

	if (!n_contacts && n_touches)
		return kith_err_set(err, KITH_EINPUT, "touches",
				    "%llu touches need at least one contact",
				    (unsigned long long)n_touches);
	for (size_t g = 0; g < N_OF(big_tags); g++) {
		if (!big_tags[g].every && !big_tags[g].meet)
			continue;
		rc = ensure_tag_rule(ctx, big_tags[g].tag, big_tags[g].every,
				     big_tags[g].meet, err);
		if (rc)
			return rc;
	}
	/* A dozen people per organization, like a book of small firms. */
	b.n_orgs = n_contacts / 12 + 1;
	b.org_ids = calloc(b.n_orgs, sizeof(*b.org_ids));
	b.group_ids = calloc(BIG_GROUP_CONTACTS, sizeof(*b.group_ids));
	if (!b.org_ids || !b.group_ids) {
		rc = kith_err_nomem(err);
		goto done;
	}
	b.total = n_contacts + n_touches;
	for (uint64_t k = 0; k < n_contacts; k++) {
		enum tier t;
		uint64_t w;

		big_shape(k, &t, &w);
		total_weight += w;
	}
	/*
	 * Contacts go in by groups; a group's touches are planned per
	 * contact, then written oldest first. Written contact by contact,
	 * each touch lands at a random place of the (workspace, at) index
	 * and, past a few million touches, every insert reads and writes a
	 * page that fell out of the cache: the rate fell from 60k to 15k
	 * rows/s. Sorted, a group sweeps that index once, in order, while
	 * its contacts' rows and timelines stay in cache.
	 */
	while (!rc && i < n_contacts) {
		uint32_t who = 0;

		while (!rc && i < n_contacts && who < BIG_GROUP_CONTACTS &&
		       b.n_plan < BIG_GROUP_TOUCHES) {
			enum tier t;
			uint64_t w, upto;

			/* Each contact takes its share of the running total,
			 * so the shares add up to n_touches exactly. With no
			 * weight at all, the first contact takes everything. */
			big_shape(i, &t, &w);
			cum += w;
			if (!total_weight)
				upto = n_touches;
			else
				upto = (uint64_t)((long double)n_touches * cum /
						  total_weight);
			if (i + 1 == n_contacts)
				upto = n_touches;
			rc = big_contact(&b, i, who, upto - given);
			given = upto;
			i++;
			who++;
		}
		if (!rc)
			rc = big_write_touches(&b);
		b.prev_id = who ? b.group_ids[who - 1] : b.prev_id;
	}
	if (!rc)
		rc = store_analyze(ctx->st, err);
	if (!rc && progress)
		progress(pctx, b.done, b.total);
done:
	free(b.plan);
	free(b.group_ids);
	free(b.org_ids);
	return rc;
}
