/* views.c: kith due, brief, health, report: what the book says today. */
#include "cli.h"
#include "../app/agenda_query.h"
#include "../app/insight.h"
#include "../render/json_views.h"

#include <stdlib.h>
#include <string.h>

static const char *reason_color(enum reason_kind k)
{
	switch (k) {
	case REASON_SIGNAL:
	case REASON_PROMISE_OVERDUE:
		return term_red();
	case REASON_OVERDUE:
	case REASON_NEVER_TOUCHED:
	case REASON_GOING_COLD:
		return term_yellow();
	case REASON_IN_PERSON_OVERDUE:
	case REASON_NEVER_IN_PERSON:
		return term_blue();
	case REASON_DATE_SOON:
	case REASON_THANK_YOU_DUE:
		return term_green();
	case REASON_COUNT:
		break;
	}
	return "";
}

static void day_heading(kith_time now, char *buf, size_t n)
{
	struct tm tm;

	if (kith_time_local(&tm, now, NULL))
		snprintf(buf, n, "Today");
	else
		strftime(buf, n, "%A %d %B %Y", &tm);
}

int cmd_due(struct cli *cl)
{
	static const struct cli_opt opts[] = { { "limit", true },
					       { NULL, false } };
	struct agenda_list l;
	char head[64];
	long limit;
	int rc;

	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 0, 0);
	if (!rc)
		rc = cli_int(&limit, cl, "limit", 1, 10000, 50);
	if (!rc)
		rc = app_agenda(&l, &cl->app, (size_t)limit, &cl->err);
	if (rc)
		return rc;
	if (cl->json) {
		struct workspace w = { 0 };

		store_workspace_get(&w, cl->app.st, cl->app.ws, NULL);
		kj_print(kj_agenda(&l, &w, cl->app.now));
		workspace_clear(&w);
		agenda_list_free(&l);
		return KITH_OK;
	}
	day_heading(cl->app.now, head, sizeof(head));
	if (l.n == 0) {
		int64_t count = 0;

		store_contact_count(&count, cl->app.st, cl->app.ws, NULL);
		printf("%s%s%s\n", term_bold(), head, term_reset());
		if (count == 0)
			printf("Your book is empty. Add someone: kith add "
			       "\"Dana Whitfield\" --tier A, or try kith "
			       "demo.\n");
		else
			printf("Nobody is due today. Good work.\n");
		agenda_list_free(&l);
		return KITH_OK;
	}
	printf("%s%s%s  %s%zu to reach%s\n\n", term_bold(), head,
	       term_reset(), term_dim(), l.n, term_reset());
	for (size_t i = 0; i < l.n; i++) {
		const struct agenda_item *it = &l.items[i];
		char when[64] = "";
		struct tm tm;

		if (l.rows[i].tz && !kith_time_local(&tm, cl->app.now,
						     l.rows[i].tz))
			strftime(when, sizeof(when), "%H:%M their time", &tm);
		const char *tier = tier_name(l.rows[i].in.tier);

		/* Columns aligned, but no trailing blanks. */
		printf("%3zu  %s", i + 1, term_bold());
		if (*tier || *when)
			term_pad(stdout, it->name, 28);
		else
			term_name(stdout, it->name);
		printf("%s", term_reset());
		if (*when)
			printf(" %s%-2s%s %s%s%s", term_dim(), tier,
			       term_reset(), term_dim(), when, term_reset());
		else if (*tier)
			printf(" %s%s%s", term_dim(), tier, term_reset());
		printf("\n");
		for (int r = 0; r < it->n_reasons; r++)
			printf("       %s•%s %s\n",
			       reason_color(it->reasons[r].kind), term_reset(),
			       it->reasons[r].text);
	}
	agenda_list_free(&l);
	return KITH_OK;
}

static void section(const char *title)
{
	printf("\n%s%s%s\n", term_bold(), title, term_reset());
}

static void print_health_line(const struct health *h)
{
	const char *col = h->score >= 70   ? term_green()
			  : h->score >= 40 ? term_yellow()
					   : term_red();

	printf("%s%d%s/100  %srecency %.1f/40 · richness %.1f/25 · "
	       "reciprocity %.1f/20 · responsiveness %.1f/15%s",
	       col, h->score, term_reset(), term_dim(), h->recency,
	       h->richness, h->reciprocity, h->responsiveness, term_reset());
	if (h->trend)
		printf("  %s%+d in 30 days%s", h->trend < 0 ? term_red() : "",
		       h->trend, term_reset());
	if (h->going_cold)
		printf("  %sgoing cold%s", term_yellow(), term_reset());
	printf("\n");
}

int cmd_brief(struct cli *cl)
{
	struct brief b;
	char buf[64];
	int64_t id;
	int rc;

	rc = cli_start(&id, cl, NULL, 1, 1);
	if (!rc)
		rc = app_brief(&b, &cl->app, id, &cl->err);
	if (rc)
		return rc;
	if (cl->json) {
		kj_print(kj_brief(&b, cl->app.now));
		brief_clear(&b);
		return KITH_OK;
	}
	printf("%s%s%s", term_bold(), b.contact.name, term_reset());
	if (b.contact.title || b.contact.org_name)
		printf(" · %s%s%s", b.contact.title ? b.contact.title : "",
		       b.contact.title && b.contact.org_name ? ", " : "",
		       b.contact.org_name ? b.contact.org_name : "");
	if (b.contact.tier != TIER_NONE)
		printf(" · tier %s", tier_name(b.contact.tier));
	printf("\n");
	if (b.local_time[0])
		printf("%s%s in %s, %s%s\n", term_dim(), b.local_time, b.zone,
		       b.working_hours ? "inside working hours"
				       : "outside working hours",
		       term_reset());
	else
		printf("%sno time zone known: kith edit %lld --tz ZONE, or the "
		       "workspace's%s\n",
		       term_dim(), (long long)b.contact.id, term_reset());
	if (b.loyalty.tenure_years > 0)
		printf("%sclient for %.1f years%s\n", term_dim(),
		       b.loyalty.tenure_years, term_reset());
	if (b.loyalty.lifetime_cents)
		printf("%slifetime value %lld%s\n", term_dim(),
		       (long long)(b.loyalty.lifetime_cents / 100),
		       term_reset());
	printf("health ");
	print_health_line(&b.health);

	section("Remember");
	if (!b.n_facts)
		printf("  nothing yet (kith fact %s \"...\")\n",
		       b.contact.name);
	for (size_t i = 0; i < b.n_facts; i++)
		printf("  • %s\n", b.facts[i].text);
	if (b.n_people) {
		printf("  • seen with ");
		for (size_t i = 0; i < b.n_people; i++)
			printf("%s%s", i ? ", " : "", b.people[i]);
		printf("\n");
	}

	if (b.n_dates) {
		section("Dates");
		for (size_t i = 0; i < b.n_dates; i++) {
			const struct brief_date *d = &b.dates[i];

			printf("  %-14s %s", d->date.kind,
			       kith_date_iso(d->date.day, buf, sizeof(buf)) +
				       (d->date.year_known ? 0 : 5));
			if (d->in_days == 0)
				printf("  %stoday%s", term_green(), term_reset());
			else if (d->in_days > 0)
				printf("  %sin %d days%s", d->in_days <= 7
								   ? term_green()
								   : term_dim(),
				       d->in_days, term_reset());
			if (d->years)
				printf(" (%d)", d->years);
			printf("\n");
		}
	}

	section("Open promises");
	if (!b.n_promises)
		printf("  none\n");
	for (size_t i = 0; i < b.n_promises; i++) {
		const struct promise *p = &b.promises[i];
		bool late = p->due != KITH_NO_TIME && p->due < cl->app.now;

		printf("  #%lld %s", (long long)p->id, p->text);
		if (p->due != KITH_NO_TIME)
			printf("  %s%s%s%s", late ? term_red() : term_dim(),
			       late ? "overdue, due " : "due ",
			       kith_time_relative(p->due, cl->app.now, buf,
						  sizeof(buf)),
			       term_reset());
		printf("\n");
	}

	section("Last touch by channel");
	for (int ch = 0; ch < CH_COUNT; ch++) {
		if (b.last_by_channel[ch] == KITH_NO_TIME)
			continue;
		printf("  %-10s %s\n", channel_label((enum channel)ch),
		       kith_time_relative(b.last_by_channel[ch], cl->app.now,
					  buf, sizeof(buf)));
	}
	if (b.last_by_channel[CH_IN_PERSON] == KITH_NO_TIME)
		printf("  %snever met in person%s\n", term_yellow(),
		       term_reset());

	if (b.n_recent) {
		section("Recently");
		for (size_t i = 0; i < b.n_recent; i++) {
			const struct touchpoint *t = &b.recent[i];

			printf("  %-14s ", kith_time_relative(t->at, cl->app.now,
							     buf, sizeof(buf)));
			if (t->note)
				printf("%-9s %s\n", channel_label(t->channel),
				       t->note);
			else
				printf("%s\n", channel_label(t->channel));
		}
	}
	if (b.loyalty.thank_you_due)
		printf("\n%sThank-you due:%s a loyal client with no gift in a "
		       "year.\n",
		       term_green(), term_reset());
	brief_clear(&b);
	return KITH_OK;
}

static void print_distribution(const struct report *r)
{
	static const char *const bucket[5] = { " 0-19", "20-39", "40-59",
					       "60-79", "80-100" };
	int max = 1;

	for (int i = 0; i < 5; i++)
		if (r->health_buckets[i] > max)
			max = r->health_buckets[i];
	for (int i = 0; i < 5; i++) {
		int w = r->health_buckets[i] * 30 / max;

		printf("  %-6s %s", bucket[i], term_green());
		for (int k = 0; k < w; k++)
			fputs("█", stdout);
		printf("%s %d\n", term_reset(), r->health_buckets[i]);
	}
	printf("  mean %.1f over %d contacts\n", r->health_mean, r->contacts);
}

int cmd_health(struct cli *cl)
{
	struct health h;
	struct report r;
	int64_t id;
	int rc;

	rc = cli_parse(cl, NULL);
	if (!rc)
		rc = cli_want(cl, 0, 1);
	if (rc)
		return rc;
	if (cl->npos == 1) {
		rc = cli_contact(&id, cl, cl->pos[0], "WHO");
		if (!rc)
			rc = app_health(&h, &cl->app, id, &cl->err);
		if (rc)
			return rc;
		if (cl->json) {
			json_t *j = kj_health(&h);

			json_object_set_new(j, "contact_id", json_integer(id));
			kj_print(j);
		} else {
			print_health_line(&h);
		}
		return KITH_OK;
	}
	rc = app_report(&r, &cl->app, &cl->err);
	if (rc)
		return rc;
	if (cl->json) {
		json_t *j = kj_report(&r), *out;

		out = json_pack("{s:O, s:O, s:O}", "contacts",
				json_object_get(j, "contacts"), "distribution",
				json_object_get(j, "health_distribution"),
				"mean", json_object_get(j, "health_mean"));
		json_decref(j);
		kj_print(out);
	} else {
		print_distribution(&r);
	}
	report_clear(&r);
	return KITH_OK;
}

int cmd_report(struct cli *cl)
{
	struct report r;
	int total[CH_COUNT] = { 0 }, sum = 0, rc;
	bool any;

	rc = cli_parse(cl, NULL);
	if (!rc)
		rc = cli_want(cl, 0, 0);
	if (!rc)
		rc = app_report(&r, &cl->app, &cl->err);
	if (rc)
		return rc;
	if (cl->json) {
		kj_print(kj_report(&r));
		report_clear(&r);
		return KITH_OK;
	}
	for (int m = 0; m < 12; m++)
		for (int ch = 0; ch < CH_COUNT; ch++) {
			total[ch] += r.by_month[m][ch];
			sum += r.by_month[m][ch];
		}
	section("Channel mix, last 12 months");
	for (int ch = 0; ch < CH_COUNT; ch++) {
		int w = sum ? total[ch] * 40 / sum : 0;

		printf("  %-10s ", channel_label((enum channel)ch));
		printf("%s", score_human((enum channel)ch) ? term_green()
							   : term_blue());
		for (int k = 0; k < w; k++)
			fputs("█", stdout);
		printf("%s %d\n", term_reset(), total[ch]);
	}
	section("Human-touch balance");
	printf("  %.0f%% human (in person, video, call, letter, gift), "
	       "%.0f%% face to face, over %d touches in the last year\n",
	       r.balance.human_share * 100.0, r.balance.face_share * 100.0,
	       r.balance.total);
	any = false;
	for (size_t i = 0; i < r.n_people; i++)
		if (r.people[i].balance.digital_only) {
			printf("  %sdigital only:%s %s\n", term_yellow(),
			       term_reset(), r.people[i].name);
			any = true;
		}
	section("Health");
	print_distribution(&r);
	section("Loyalty");
	any = false;
	for (size_t i = 0; i < r.n_people; i++) {
		const struct report_contact *p = &r.people[i];

		if (!p->loyalty.loyal)
			continue;
		any = true;
		printf("  ");
		term_pad(stdout, p->name, 26);
		printf(" %4.1f years  health %3d", p->loyalty.tenure_years,
		       p->health.score);
		if (p->loyalty.lifetime_cents)
			printf("  value %lld",
			       (long long)(p->loyalty.lifetime_cents / 100));
		if (p->loyalty.thank_you_due)
			printf("  %sthank-you due%s", term_green(),
			       term_reset());
		printf("\n");
	}
	if (!any)
		printf("  no client of 3 years or more yet\n");
	section("Going cold");
	any = false;
	for (size_t i = 0; i < r.n_people; i++) {
		const struct report_contact *p = &r.people[i];

		if (!p->health.going_cold)
			continue;
		any = true;
		printf("  ");
		term_pad(stdout, p->name, 26);
		printf(" health %d, %+d in 30 days\n", p->health.score,
		       p->health.trend);
	}
	if (!any)
		printf("  nobody\n");
	report_clear(&r);
	return KITH_OK;
}
