/* json.c: one JSON spelling for each resource, for CLI, backup and API. */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *json_time(kith_time t)
{
	char buf[32];

	if (t == KITH_NO_TIME)
		return json_null();
	return json_string(kith_time_iso(t, buf, sizeof(buf)));
}

json_t *json_day(int32_t day)
{
	char buf[16];

	if (day == KITH_NO_DAY)
		return json_null();
	return json_string(kith_date_iso(day, buf, sizeof(buf)));
}

json_t *json_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *json_money(int64_t cents)
{
	if (cents % 100 == 0)
		return json_integer(cents / 100);
	return json_real((double)cents / 100.0);
}

static json_t *json_cad(struct cadence c)
{
	char buf[16];

	if (kith_cadence_none(c))
		return json_null();
	return json_string(kith_cadence_str(c, buf, sizeof(buf)));
}

static json_t *json_strlist(const struct strlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

static json_t *json_ids(const int64_t *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static json_t *json_id(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

json_t *json_contact(const struct contact *c, bool with_summary)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "name", json_str(c->name));
	json_object_set_new(o, "emails", json_strlist(&c->emails));
	json_object_set_new(o, "phones", json_strlist(&c->phones));
	json_object_set_new(o, "handles", json_strlist(&c->handles));
	json_object_set_new(o, "tags", json_strlist(&c->tags));
	json_object_set_new(o, "org_id", json_id(c->org_id));
	if (with_summary)
		json_object_set_new(o, "org", json_str(c->org_name));
	json_object_set_new(o, "title", json_str(c->title));
	json_object_set_new(o, "tz", json_str(c->tz));
	json_object_set_new(o, "notes", json_str(c->notes));
	json_object_set_new(o, "tier", c->tier == TIER_NONE
						? json_null()
						: json_string(tier_name(c->tier)));
	json_object_set_new(o, "every", json_cad(c->every));
	json_object_set_new(o, "meet_every", json_cad(c->meet_every));
	json_object_set_new(o, "since", json_day(c->since));
	json_object_set_new(o, "owner_id", json_id(c->owner_id));
	json_object_set_new(o, "snooze_until", json_time(c->snooze_until));
	json_object_set_new(o, "created_at", json_time(c->created_at));
	json_object_set_new(o, "updated_at", json_time(c->updated_at));
	json_object_set_new(o, "version", json_integer(c->version));
	if (with_summary) {
		json_t *s = json_object();

		json_object_set_new(s, "last_touch", json_time(c->last_touch));
		json_object_set_new(s, "last_in_person",
				    json_time(c->last_in_person));
		json_object_set_new(s, "touch_count",
				    json_integer(c->touch_count));
		json_object_set_new(s, "effective_every",
				    json_cad(c->eff_every));
		json_object_set_new(s, "effective_meet_every",
				    json_cad(c->eff_meet));
		json_object_set_new(s, "due_at", json_time(c->due_at));
		json_object_set_new(s, "meet_due_at",
				    json_time(c->meet_due_at));
		json_object_set_new(o, "summary", s);
	}
	return o;
}

json_t *json_org(const struct organization *org)
{
	return json_pack("{s:I, s:s, s:o}", "id", (json_int_t)org->id, "name",
			 org->name, "created_at", json_time(org->created_at));
}

json_t *json_touch(const struct touchpoint *t)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(t->id));
	json_object_set_new(o, "at", json_time(t->at));
	json_object_set_new(o, "channel", json_string(channel_name(t->channel)));
	json_object_set_new(o, "direction",
			    json_string(direction_name(t->direction)));
	json_object_set_new(o, "minutes",
			    t->minutes ? json_integer(t->minutes) : json_null());
	json_object_set_new(o, "note", json_str(t->note));
	json_object_set_new(o, "source", json_str(t->source));
	json_object_set_new(o, "contacts", json_ids(t->contacts, t->n_contacts));
	json_object_set_new(o, "users", json_ids(t->users, t->n_users));
	json_object_set_new(o, "created_at", json_time(t->created_at));
	return o;
}

json_t *json_fact(const struct fact *f)
{
	return json_pack("{s:I, s:I, s:s, s:o}", "id", (json_int_t)f->id,
			 "contact_id", (json_int_t)f->contact_id, "text",
			 f->text, "created_at", json_time(f->created_at));
}

json_t *json_kdate(const struct kdate *d)
{
	char buf[16];
	int y, m, dd;

	kith_civil_from_days(d->day, &y, &m, &dd);
	if (d->year_known)
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, dd);
	else
		snprintf(buf, sizeof(buf), "--%02d-%02d", m, dd);
	return json_pack("{s:I, s:I, s:s, s:s, s:b, s:o}", "id",
			 (json_int_t)d->id, "contact_id",
			 (json_int_t)d->contact_id, "kind", d->kind, "date", buf,
			 "yearly", d->yearly, "created_at",
			 json_time(d->created_at));
}

json_t *json_promise(const struct promise *p, kith_time now)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(p->id));
	json_object_set_new(o, "contact_id", json_integer(p->contact_id));
	if (now != KITH_NO_TIME && p->contact_name)
		json_object_set_new(o, "contact_name", json_str(p->contact_name));
	json_object_set_new(o, "text", json_str(p->text));
	json_object_set_new(o, "due", json_time(p->due));
	json_object_set_new(o, "done_at", json_time(p->done_at));
	json_object_set_new(o, "created_at", json_time(p->created_at));
	if (now != KITH_NO_TIME)
		json_object_set_new(o, "overdue",
				    json_boolean(p->done_at == KITH_NO_TIME &&
						 p->due != KITH_NO_TIME &&
						 p->due < now));
	return o;
}

json_t *json_gift(const struct gift *g)
{
	return json_pack("{s:I, s:o, s:o, s:s, s:o, s:o}", "id",
			 (json_int_t)g->id, "contact_id", json_id(g->contact_id),
			 "org_id", json_id(g->org_id), "text", g->text, "value",
			 json_money(g->value_cents), "at", json_time(g->at));
}

json_t *json_revenue(const struct revenue *r)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}", "id",
			 (json_int_t)r->id, "contact_id", json_id(r->contact_id),
			 "org_id", json_id(r->org_id), "amount",
			 json_money(r->amount_cents), "at", json_time(r->at),
			 "note", json_str(r->note));
}

json_t *json_cadence_rule(const char *scope, const char *key,
			  struct cadence every, struct cadence meet)
{
	return json_pack("{s:s, s:s, s:o, s:o}", "scope", scope, "key",
			 key ? key : "", "every", json_cad(every), "meet_every",
			 json_cad(meet));
}

json_t *json_signal(const struct signal *g, double response_minutes)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(g->id));
	json_object_set_new(o, "ext_id", json_str(g->ext_id));
	json_object_set_new(o, "type", json_string(signal_type_name(g->type)));
	json_object_set_new(o, "at", json_time(g->at));
	json_object_set_new(o, "received_at", json_time(g->received_at));
	json_object_set_new(o, "contact",
			    g->contact_id
				    ? json_pack("{s:I, s:s}", "id",
						(json_int_t)g->contact_id,
						"name",
						g->contact_name ? g->contact_name
								: "")
				    : json_null());
	json_object_set_new(o, "owner_id", json_id(g->owner_id));
	json_object_set_new(o, "answered_at", json_time(g->answered_at));
	json_object_set_new(o, "response_minutes",
			    response_minutes < 0
				    ? json_null()
				    : json_real((double)(int64_t)(response_minutes *
								  10.0 + 0.5) /
						10.0));
	json_object_set_new(o, "email", json_str(g->email));
	json_object_set_new(o, "name", json_str(g->name));
	json_object_set_new(o, "handle", json_str(g->handle));
	json_object_set_new(o, "url", json_str(g->url));
	json_object_set_new(o, "text", json_str(g->text));
	return o;
}

json_t *json_meeting(const struct meeting *m)
{
	return json_pack("{s:I, s:I, s:s, s:o, s:o, s:o, s:b, s:s, s:o, s:o}",
			 "id", (json_int_t)m->id, "user_id",
			 (json_int_t)m->user_id, "uid", m->uid, "start",
			 json_time(m->start), "end", json_time(m->end),
			 "summary", json_str(m->summary), "video", m->video,
			 "state", m->state ? m->state : "none", "touch_id",
			 json_id(m->touch_id), "contacts",
			 json_ids(m->contacts, m->n_contacts));
}

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

json_t *json_signal_stats(const struct signal_user_stats *per, size_t n,
			  const struct respond_stats *all, int target,
			  const struct signal_week *weeks)
{
	json_t *users = json_array(), *o;

	for (size_t i = 0; i < n; i++) {
		json_t *u = stats_json(&per[i].s);

		json_object_set_new(u, "user_id", json_id(per[i].user_id));
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

static json_t *json_days_or_null(int64_t d)
{
	return d < 0 ? json_null() : json_integer(d);
}

json_t *json_agenda(const struct agenda_list *l, const struct workspace *w,
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
				  "tz", json_str(l->rows[i].tz), "rank",
				  (double)((int64_t)(it->rank * 1000.0 + 0.5)) /
					  1000.0,
				  "reasons", reasons, "days_since_touch",
				  json_days_or_null(it->days_since_touch),
				  "days_since_in_person",
				  json_days_or_null(it->days_since_in_person),
				  "due_at", json_time(it->due_at));
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

json_t *json_health(const struct health *h)
{
	return json_pack("{s:i, s:{s:f, s:f, s:f, s:f}, s:i, s:i, s:i, s:b}",
			 "score", h->score, "components", "recency",
			 h->recency, "richness", h->richness, "reciprocity",
			 h->reciprocity, "responsiveness", h->responsiveness,
			 "touches_365d", h->touches, "score_30d_ago",
			 h->score_30d_ago, "trend", h->trend, "going_cold",
			 h->going_cold);
}

static json_t *json_balance(const struct balance *b)
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

static json_t *json_loyalty(const struct loyalty *l)
{
	return json_pack("{s:f, s:o, s:o, s:b, s:b, s:f}", "tenure_years",
			 (double)((int64_t)(l->tenure_years * 10.0)) / 10.0,
			 "lifetime_value", json_money(l->lifetime_cents),
			 "last_gift", json_time(l->last_gift), "loyal",
			 l->loyal, "thank_you_due", l->thank_you_due,
			 "multiplier", l->multiplier);
}

json_t *json_brief(const struct brief *b, kith_time now)
{
	json_t *o = json_object(), *a, *last;

	if (!o)
		return NULL;
	json_object_set_new(o, "contact", json_contact(&b->contact, true));
	json_object_set_new(o, "local_time", json_string(b->local_time));
	json_object_set_new(o, "tz", json_string(b->zone));
	json_object_set_new(o, "working_hours", json_boolean(b->working_hours));
	a = json_array();
	for (size_t i = 0; i < b->n_facts; i++)
		json_array_append_new(a, json_fact(&b->facts[i]));
	json_object_set_new(o, "facts", a);
	a = json_array();
	for (size_t i = 0; i < b->n_dates; i++) {
		json_t *d = json_kdate(&b->dates[i].date);

		json_object_set_new(d, "in_days",
				    json_days_or_null(b->dates[i].in_days));
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
				    json_time(b->last_by_channel[ch]));
	json_object_set_new(o, "last_by_channel", last);
	a = json_array();
	for (size_t i = 0; i < b->n_recent; i++)
		json_array_append_new(a, json_touch(&b->recent[i]));
	json_object_set_new(o, "recent_touches", a);
	a = json_array();
	for (size_t i = 0; i < b->n_promises; i++)
		json_array_append_new(a, json_promise(&b->promises[i], now));
	json_object_set_new(o, "promises", a);
	a = json_array();
	for (size_t i = 0; i < b->n_gifts; i++)
		json_array_append_new(a, json_gift(&b->gifts[i]));
	json_object_set_new(o, "gifts", a);
	a = json_array();
	for (size_t i = 0; i < b->n_people; i++)
		json_array_append_new(a, json_string(b->people[i]));
	json_object_set_new(o, "seen_with", a);
	json_object_set_new(o, "health", json_health(&b->health));
	json_object_set_new(o, "balance", json_balance(&b->balance));
	json_object_set_new(o, "loyalty", json_loyalty(&b->loyalty));
	return o;
}

json_t *json_report(const struct report *r)
{
	json_t *o = json_object(), *a, *cold, *digital, *thanks;
	static const char *const bucket[5] = { "0-19", "20-39", "40-59",
					       "60-79", "80-100" };

	if (!o)
		return NULL;
	json_object_set_new(o, "contacts", json_integer(r->contacts));
	json_object_set_new(o, "balance", json_balance(&r->balance));
	a = json_array();
	for (size_t i = 0; i < r->n_users; i++) {
		json_t *b = json_balance(&r->users[i].balance);

		json_object_set_new(b, "user_id",
				    json_integer(r->users[i].user_id));
		json_object_set_new(b, "email", json_str(r->users[i].email));
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
					     json_money(p->loyalty.lifetime_cents),
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

char *book_to_json(const struct book *b)
{
	json_t *o = json_object(), *ws, *a;
	char *out;

	if (!o)
		return NULL;
	json_object_set_new(o, "format", json_string("kith-book"));
	json_object_set_new(o, "version", json_integer(1));
	ws = json_pack("{s:s, s:s, s:i, s:i, s:i}", "name",
		       b->ws_name ? b->ws_name : "", "tz",
		       b->ws_tz ? b->ws_tz : "", "work_start_minutes",
		       b->work_start_min, "work_end_minutes", b->work_end_min,
		       "response_target_minutes", b->response_target_min);
	json_object_set_new(o, "workspace", ws);
	a = json_array();
	for (size_t i = 0; i < b->n_cadences; i++)
		json_array_append_new(
			a, json_cadence_rule(
				   cadence_scope_name(b->cadences[i].scope),
				   b->cadences[i].key,
					     b->cadences[i].every,
					     b->cadences[i].meet));
	json_object_set_new(o, "cadences", a);
#define BOOK_ARRAY(key, arr, n, fn)                                          \
	do {                                                                 \
		json_t *arr_ = json_array();                                 \
		for (size_t i_ = 0; i_ < (n); i_++)                           \
			json_array_append_new(arr_, fn);                     \
		json_object_set_new(o, key, arr_);                           \
	} while (0)
	BOOK_ARRAY("organizations", b->orgs, b->n_orgs, json_org(&b->orgs[i_]));
	BOOK_ARRAY("contacts", b->contacts, b->n_contacts,
		   json_contact(&b->contacts[i_], false));
	BOOK_ARRAY("touchpoints", b->touches, b->n_touches,
		   json_touch(&b->touches[i_]));
	BOOK_ARRAY("facts", b->facts, b->n_facts, json_fact(&b->facts[i_]));
	BOOK_ARRAY("dates", b->dates, b->n_dates, json_kdate(&b->dates[i_]));
	BOOK_ARRAY("promises", b->promises, b->n_promises,
		   json_promise(&b->promises[i_], KITH_NO_TIME));
	BOOK_ARRAY("gifts", b->gifts, b->n_gifts, json_gift(&b->gifts[i_]));
	BOOK_ARRAY("revenue", b->revenue, b->n_revenue,
		   json_revenue(&b->revenue[i_]));
#undef BOOK_ARRAY
	out = json_dumps(o, KITH_JSON_FLAGS);
	json_decref(o);
	return out;
}

int json_print(json_t *j)
{
	char *s;

	if (!j)
		return KITH_ENOMEM;
	s = json_dumps(j, KITH_JSON_FLAGS | JSON_ENCODE_ANY);
	json_decref(j);
	if (!s)
		return KITH_ENOMEM;
	fputs(s, stdout);
	fputc('\n', stdout);
	free(s);
	return KITH_OK;
}
