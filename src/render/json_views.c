/* json_views.c: the JSON of the app's results (agenda, brief, health,
 * report, signal stats), built from json.c's resource shapes. */
#include "json_views.h"

#include <stdio.h>
#include <time.h>

static json_t *stats_json(const struct respond_stats *s)
{
	/* No answered signal yet: no median to speak of. */
	return json_pack("{s:o, s:o, s:I, s:I, s:I}", "median_minutes",
			 s->n ? json_real(s->median_minutes) : json_null(),
			 "p90_minutes",
			 s->n ? json_real(s->p90_minutes) : json_null(),
			 "breaches", (json_int_t)s->breaches, "answered",
			 (json_int_t)s->n, "waiting", (json_int_t)s->waiting);
}

json_t *kj_signal_stats(const struct signal_user_stats *per, size_t n,
			  const struct respond_stats *all, int target,
			  const struct signal_week *weeks)
{
	json_t *users = json_array(), *o;

	for (size_t i = 0; i < n; i++) {
		json_t *u = stats_json(&per[i].s);

		json_object_set_new(u, "user_id", kj_id(per[i].user_id));
		json_array_append_new(users, u);
	}
	o = json_pack("{s:i, s:o, s:o}", "target_minutes", target,
		      "workspace", stats_json(all), "users", users);
	if (o && weeks) {
		json_t *a = json_array();

		for (size_t i = 0; i < SIGNAL_WEEKS; i++) {
			json_t *s = stats_json(&weeks[i].s);
			char day[16];

			json_object_set_new(
				s, "week",
				json_string(kith_date_iso(
					(int32_t)(weeks[i].start / KITH_DAY),
					day, sizeof(day))));
			json_array_append_new(a, s);
		}
		json_object_set_new(o, "weekly", a);
	}
	return o;
}

static json_t *kj_days_or_null(int64_t d)
{
	return d < 0 ? json_null() : json_integer(d);
}

json_t *kj_agenda(const struct agenda_list *l, const struct workspace *w,
		    kith_time now)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < l->n; i++) {
		const char *tz = l->rows[i].tz && *l->rows[i].tz ? l->rows[i].tz
				 : w && w->tz && *w->tz	  ? w->tz
							  : NULL;
		json_t *item;
		struct tm tm;
		const struct agenda_item *it = &l->items[i];
		json_t *reasons = json_array();

		for (int r = 0; r < it->n_reasons; r++)
			json_array_append_new(
				reasons,
				json_pack("{s:s, s:s}", "kind",
					  reason_kind_name(it->reasons[r].kind),
					  "text", it->reasons[r].text));
		item = json_pack("{s:{s:I, s:s, s:o, s:o}, s:f, s:o, s:o, s:o,"
				  " s:o}",
				  "contact", "id", (json_int_t)it->id, "name",
				  it->name, "tier",
				  l->rows[i].in.tier == TIER_NONE
					  ? json_null()
					  : json_string(
						    tier_name(l->rows[i].in.tier)),
				  "tz", kj_str(l->rows[i].tz), "rank",
				  (double)((int64_t)(it->rank * 1000.0 + 0.5)) /
					  1000.0,
				  "reasons", reasons, "days_since_touch",
				  kj_days_or_null(it->days_since_touch),
				  "days_since_in_person",
				  kj_days_or_null(it->days_since_in_person),
				  "due_at", kj_time(it->due_at));
		if (w && !kith_time_local(&tm, now, tz)) {
			char hm[16];
			int mins = tm.tm_hour * 60 + tm.tm_min;

			strftime(hm, sizeof(hm), "%a %H:%M", &tm);
			json_object_set_new(item, "local_time", json_string(hm));
			json_object_set_new(
				item, "working_hours",
				json_boolean(tm.tm_wday >= 1 && tm.tm_wday <= 5 &&
					     mins >= w->work_start_min &&
					     mins < w->work_end_min));
		}
		json_array_append_new(a, item);
	}
	return a;
}

json_t *kj_health(const struct health *h)
{
	return json_pack("{s:i, s:{s:f, s:f, s:f, s:f}, s:i, s:i, s:i, s:b}",
			 "score", h->score, "components", "recency",
			 h->recency, "richness", h->richness, "reciprocity",
			 h->reciprocity, "responsiveness", h->responsiveness,
			 "touches_365d", h->touches, "score_30d_ago",
			 h->score_30d_ago, "trend", h->trend, "going_cold",
			 h->going_cold);
}

static json_t *kj_balance(const struct balance *b)
{
	json_t *by = json_object();

	for (int ch = 0; ch < CH_COUNT; ch++)
		json_object_set_new(by, channel_name((enum channel)ch),
				    json_integer(b->by_channel[ch]));
	return json_pack("{s:i, s:i, s:i, s:f, s:f, s:b, s:o}", "touches",
			 b->total, "human", b->human, "face_to_face",
			 b->face_to_face, "human_share", b->human_share,
			 "face_share", b->face_share, "digital_only",
			 b->digital_only, "by_channel", by);
}

static json_t *kj_loyalty(const struct loyalty *l)
{
	return json_pack("{s:f, s:o, s:o, s:b, s:b, s:f}", "tenure_years",
			 (double)((int64_t)(l->tenure_years * 10.0)) / 10.0,
			 "lifetime_value", kj_money(l->lifetime_cents),
			 "last_gift", kj_time(l->last_gift), "loyal",
			 l->loyal, "thank_you_due", l->thank_you_due,
			 "multiplier", l->multiplier);
}

json_t *kj_brief(const struct brief *b, kith_time now)
{
	json_t *o = json_object(), *a, *last;

	if (!o)
		return NULL;
	json_object_set_new(o, "contact", kj_contact(&b->contact, true));
	json_object_set_new(o, "local_time", json_string(b->local_time));
	json_object_set_new(o, "tz", json_string(b->zone));
	json_object_set_new(o, "working_hours", json_boolean(b->working_hours));
	a = json_array();
	for (size_t i = 0; i < b->n_facts; i++)
		json_array_append_new(a, kj_fact(&b->facts[i]));
	json_object_set_new(o, "facts", a);
	a = json_array();
	for (size_t i = 0; i < b->n_dates; i++) {
		json_t *d = kj_kdate(&b->dates[i].date);

		json_object_set_new(d, "in_days",
				    kj_days_or_null(b->dates[i].in_days));
		json_object_set_new(d, "years",
				    b->dates[i].years
					    ? json_integer(b->dates[i].years)
					    : json_null());
		json_array_append_new(a, d);
	}
	json_object_set_new(o, "dates", a);
	last = json_object();
	for (int ch = 0; ch < CH_COUNT; ch++)
		json_object_set_new(last, channel_name((enum channel)ch),
				    kj_time(b->last_by_channel[ch]));
	json_object_set_new(o, "last_by_channel", last);
	a = json_array();
	for (size_t i = 0; i < b->n_recent; i++)
		json_array_append_new(a, kj_touch(&b->recent[i]));
	json_object_set_new(o, "recent_touches", a);
	a = json_array();
	for (size_t i = 0; i < b->n_promises; i++)
		json_array_append_new(a, kj_promise(&b->promises[i], now));
	json_object_set_new(o, "promises", a);
	a = json_array();
	for (size_t i = 0; i < b->n_gifts; i++)
		json_array_append_new(a, kj_gift(&b->gifts[i]));
	json_object_set_new(o, "gifts", a);
	a = json_array();
	for (size_t i = 0; i < b->n_people; i++)
		json_array_append_new(a, json_string(b->people[i]));
	json_object_set_new(o, "seen_with", a);
	json_object_set_new(o, "health", kj_health(&b->health));
	json_object_set_new(o, "balance", kj_balance(&b->balance));
	json_object_set_new(o, "loyalty", kj_loyalty(&b->loyalty));
	return o;
}

json_t *kj_report(const struct report *r)
{
	json_t *o = json_object(), *a, *cold, *digital, *thanks;
	static const char *const bucket[5] = { "0-19", "20-39", "40-59",
					       "60-79", "80-100" };

	if (!o)
		return NULL;
	json_object_set_new(o, "contacts", json_integer(r->contacts));
	json_object_set_new(o, "balance", kj_balance(&r->balance));
	a = json_array();
	for (size_t i = 0; i < r->n_users; i++) {
		json_t *b = kj_balance(&r->users[i].balance);

		json_object_set_new(b, "user_id",
				    json_integer(r->users[i].user_id));
		json_object_set_new(b, "email", kj_str(r->users[i].email));
		json_array_append_new(a, b);
	}
	json_object_set_new(o, "balance_by_user", a);
	a = json_array();
	for (int m = 0; m < 12; m++) {
		json_t *row = json_object();
		char month[16];

		snprintf(month, sizeof(month), "%04d-%02d", r->month_year[m],
			 r->month_num[m]);
		json_object_set_new(row, "month", json_string(month));
		for (int ch = 0; ch < CH_COUNT; ch++)
			json_object_set_new(row,
					    channel_name((enum channel)ch),
					    json_integer(r->by_month[m][ch]));
		json_array_append_new(a, row);
	}
	json_object_set_new(o, "channel_mix", a);
	a = json_object();
	for (int i = 0; i < 5; i++)
		json_object_set_new(a, bucket[i],
				    json_integer(r->health_buckets[i]));
	json_object_set_new(o, "health_distribution", a);
	json_object_set_new(o, "health_mean",
			    json_real((double)((int64_t)(r->health_mean * 10.0 +
							 0.5)) /
				      10.0));
	a = json_array();
	cold = json_array();
	digital = json_array();
	thanks = json_array();
	for (size_t i = 0; i < r->n_people; i++) {
		const struct report_contact *p = &r->people[i];
		json_t *who = json_pack("{s:I, s:s}", "id", (json_int_t)p->id,
					"name", p->name);

		if (p->loyalty.loyal)
			json_array_append_new(
				a, json_pack("{s:I, s:s, s:f, s:o, s:i, s:b}",
					     "id", (json_int_t)p->id, "name",
					     p->name, "tenure_years",
					     (double)((int64_t)(p->loyalty
									.tenure_years *
								10.0)) /
						     10.0,
					     "lifetime_value",
					     kj_money(p->loyalty.lifetime_cents),
					     "health", p->health.score,
					     "thank_you_due",
					     p->loyalty.thank_you_due));
		if (p->health.going_cold)
			json_array_append(cold, who);
		if (p->balance.digital_only)
			json_array_append(digital, who);
		if (p->loyalty.thank_you_due)
			json_array_append(thanks, who);
		json_decref(who);
	}
	json_object_set_new(o, "loyal", a);
	json_object_set_new(o, "thank_you_due", thanks);
	json_object_set_new(o, "going_cold", cold);
	json_object_set_new(o, "digital_only", digital);
	return o;
}

json_t *kj_import_report(const struct import_report *r, bool with_file)
{
	json_t *items = json_array(), *unknown = json_array(), *o;

	for (size_t i = 0; items && i < r->unknown.n; i++)
		json_array_append_new(unknown, json_string(r->unknown.v[i]));
	for (size_t i = 0; items && i < r->n_items; i++) {
		const struct import_item *it = &r->items[i];
		json_t *j = json_pack(
			"{s:i, s:s?, s:s, s:o, s:s?, s:s?}", "line", it->line,
			"name", it->name, "action",
			import_action_name(it->action), "contact_id",
			it->contact_id ? json_integer(it->contact_id)
				       : json_null(),
			"matched_by", it->matched_by, "reason", it->reason);

		if (j && with_file)
			json_object_set_new(j, "file", json_string(it->file));
		if (!j || json_array_append_new(items, j)) {
			json_decref(items);
			items = NULL;
		}
	}
	if (!items || !unknown) {
		json_decref(items);
		json_decref(unknown);
		return NULL;
	}
	o = json_pack("{s:I, s:I, s:I, s:I, s:b, s:s?, s:o, s:o}", "created",
		      (json_int_t)r->created, "merged", (json_int_t)r->merged,
		      "unchanged", (json_int_t)r->unchanged, "skipped",
		      (json_int_t)r->skipped, "dry_run", r->dry_run,
		      "profile", r->profile, "unknown_columns", unknown,
		      "items", items);
	return o;
}
