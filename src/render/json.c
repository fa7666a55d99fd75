/* json.c: one JSON spelling for each resource, for CLI, backup and API. */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *kj_time(kith_time t)
{
	char buf[32];

	if (t == KITH_NO_TIME)
		return json_null();
	return json_string(kith_time_iso(t, buf, sizeof(buf)));
}

json_t *kj_day(int32_t day)
{
	char buf[16];

	if (day == KITH_NO_DAY)
		return json_null();
	return json_string(kith_date_iso(day, buf, sizeof(buf)));
}

json_t *kj_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *kj_money(int64_t cents)
{
	if (cents % 100 == 0)
		return json_integer(cents / 100);
	return json_real((double)cents / 100.0);
}

static json_t *kj_cad(struct cadence c)
{
	char buf[16];

	if (kith_cadence_none(c))
		return json_null();
	return json_string(kith_cadence_str(c, buf, sizeof(buf)));
}

static json_t *kj_strlist(const struct strlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

static json_t *kj_ids(const int64_t *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

json_t *kj_id(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

json_t *kj_contact(const struct contact *c, bool with_summary)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "name", kj_str(c->name));
	json_object_set_new(o, "emails", kj_strlist(&c->emails));
	json_object_set_new(o, "phones", kj_strlist(&c->phones));
	json_object_set_new(o, "handles", kj_strlist(&c->handles));
	json_object_set_new(o, "tags", kj_strlist(&c->tags));
	json_object_set_new(o, "org_id", kj_id(c->org_id));
	if (with_summary)
		json_object_set_new(o, "org", kj_str(c->org_name));
	json_object_set_new(o, "title", kj_str(c->title));
	json_object_set_new(o, "tz", kj_str(c->tz));
	json_object_set_new(o, "notes", kj_str(c->notes));
	json_object_set_new(o, "tier", c->tier == TIER_NONE
						? json_null()
						: json_string(tier_name(c->tier)));
	json_object_set_new(o, "every", kj_cad(c->every));
	json_object_set_new(o, "meet_every", kj_cad(c->meet_every));
	json_object_set_new(o, "since", kj_day(c->since));
	json_object_set_new(o, "owner_id", kj_id(c->owner_id));
	json_object_set_new(o, "snooze_until", kj_time(c->snooze_until));
	json_object_set_new(o, "created_at", kj_time(c->created_at));
	json_object_set_new(o, "updated_at", kj_time(c->updated_at));
	json_object_set_new(o, "version", json_integer(c->version));
	/* What an address book brought, only when it brought something, so
	 * a book without it reads and writes as before. */
	if (c->email_labels.n)
		json_object_set_new(o, "email_labels",
				    kj_strlist(&c->email_labels));
	if (c->phone_labels.n)
		json_object_set_new(o, "phone_labels",
				    kj_strlist(&c->phone_labels));
	if (c->addresses.n)
		json_object_set_new(o, "addresses", kj_strlist(&c->addresses));
	if (c->address_labels.n)
		json_object_set_new(o, "address_labels",
				    kj_strlist(&c->address_labels));
	if (c->uid)
		json_object_set_new(o, "uid", json_string(c->uid));
	/* The card is a backup's, not the API's: it can be large (a photo)
	 * and no client edits it. */
	if (c->card && !with_summary)
		json_object_set_new(o, "card", json_string(c->card));
	if (with_summary) {
		json_t *s = json_object();

		json_object_set_new(s, "last_touch", kj_time(c->last_touch));
		json_object_set_new(s, "last_in_person",
				    kj_time(c->last_in_person));
		json_object_set_new(s, "touch_count",
				    json_integer(c->touch_count));
		json_object_set_new(s, "effective_every",
				    kj_cad(c->eff_every));
		json_object_set_new(s, "effective_meet_every",
				    kj_cad(c->eff_meet));
		json_object_set_new(s, "due_at", kj_time(c->due_at));
		json_object_set_new(s, "meet_due_at",
				    kj_time(c->meet_due_at));
		json_object_set_new(o, "summary", s);
	}
	return o;
}

/* ---- kj_contact without jansson ---- */

/* A growing text; oom sticks once an allocation failed. */
struct jw {
	char *p;
	size_t len, cap;
	bool oom;
};

static void jw_raw(struct jw *w, const char *s, size_t n)
{
	if (w->oom)
		return;
	if (w->len + n + 1 > w->cap) {
		size_t cap = w->cap ? w->cap : 1024;
		char *p;

		while (w->len + n + 1 > cap)
			cap *= 2;
		p = realloc(w->p, cap);
		if (!p) {
			w->oom = true;
			return;
		}
		w->p = p;
		w->cap = cap;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
	w->p[w->len] = '\0';
}

static void jw_lit(struct jw *w, const char *s)
{
	jw_raw(w, s, strlen(s));
}

/* s as a JSON string the way jansson's dump_string writes it without
 * JSON_ENSURE_ASCII: backslash, quote and bytes below 0x20 escaped
 * (\b \f \n \r \t, else \u00XX in capitals), the rest as it is. s is
 * valid UTF-8 (the caller checked); NULL is null. */
static void jw_str(struct jw *w, const char *s)
{
	const char *run;

	if (!s) {
		jw_lit(w, "null");
		return;
	}
	jw_raw(w, "\"", 1);
	for (run = s; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		const char *e;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		jw_raw(w, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04X", c);
			e = esc;
		}
		jw_lit(w, e);
	}
	jw_raw(w, run, (size_t)(s - run));
	jw_raw(w, "\"", 1);
}

/* "key": (after a comma unless it is the first). */
static void jw_key(struct jw *w, const char *key)
{
	if (w->len && w->p[w->len - 1] != '{')
		jw_raw(w, ",", 1);
	jw_raw(w, "\"", 1);
	jw_lit(w, key);
	jw_raw(w, "\":", 2);
}

static void jw_int(struct jw *w, long long v)
{
	char buf[24];

	jw_raw(w, buf, kith_int_fmt(buf, v));
}

static void jw_strlist(struct jw *w, const struct strlist *l)
{
	jw_raw(w, "[", 1);
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			jw_raw(w, ",", 1);
		jw_str(w, l->v[i]);
	}
	jw_raw(w, "]", 1);
}

static void jw_time(struct jw *w, kith_time t)
{
	char buf[32];

	if (t == KITH_NO_TIME)
		jw_lit(w, "null");
	else
		jw_str(w, kith_time_iso(t, buf, sizeof(buf)));
}

static void jw_cad(struct jw *w, struct cadence c)
{
	char buf[16];

	if (kith_cadence_none(c))
		jw_lit(w, "null");
	else
		jw_str(w, kith_cadence_str(c, buf, sizeof(buf)));
}

static void jw_id(struct jw *w, int64_t id)
{
	if (id)
		jw_int(w, id);
	else
		jw_lit(w, "null");
}

static bool utf8_ok(const char *s)
{
	return !s || kith_utf8_valid(s, strlen(s));
}

static bool strlist_utf8_ok(const struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (!utf8_ok(l->v[i]))
			return false;
	return true;
}

int kj_contact_dump(char **out, size_t *len, const struct contact *c,
		    bool with_summary)
{
	struct jw w = { 0 };
	char day[16];

	*out = NULL;
	*len = 0;
	/* jansson leaves out a member whose string is not UTF-8: so that
	 * this stays the same bytes, such a contact goes to kj_contact. */
	if (!utf8_ok(c->name) || !utf8_ok(c->title) || !utf8_ok(c->tz) ||
	    !utf8_ok(c->notes) || !utf8_ok(c->uid) ||
	    (with_summary && !utf8_ok(c->org_name)) ||
	    (!with_summary && !utf8_ok(c->card)) ||
	    !strlist_utf8_ok(&c->emails) || !strlist_utf8_ok(&c->phones) ||
	    !strlist_utf8_ok(&c->handles) || !strlist_utf8_ok(&c->tags) ||
	    !strlist_utf8_ok(&c->email_labels) ||
	    !strlist_utf8_ok(&c->phone_labels) ||
	    !strlist_utf8_ok(&c->addresses) ||
	    !strlist_utf8_ok(&c->address_labels))
		return KITH_EINPUT;
	jw_raw(&w, "{", 1);
	jw_key(&w, "id");
	jw_int(&w, c->id);
	jw_key(&w, "name");
	jw_str(&w, c->name);
	jw_key(&w, "emails");
	jw_strlist(&w, &c->emails);
	jw_key(&w, "phones");
	jw_strlist(&w, &c->phones);
	jw_key(&w, "handles");
	jw_strlist(&w, &c->handles);
	jw_key(&w, "tags");
	jw_strlist(&w, &c->tags);
	jw_key(&w, "org_id");
	jw_id(&w, c->org_id);
	if (with_summary) {
		jw_key(&w, "org");
		jw_str(&w, c->org_name);
	}
	jw_key(&w, "title");
	jw_str(&w, c->title);
	jw_key(&w, "tz");
	jw_str(&w, c->tz);
	jw_key(&w, "notes");
	jw_str(&w, c->notes);
	jw_key(&w, "tier");
	jw_str(&w, c->tier == TIER_NONE ? NULL : tier_name(c->tier));
	jw_key(&w, "every");
	jw_cad(&w, c->every);
	jw_key(&w, "meet_every");
	jw_cad(&w, c->meet_every);
	jw_key(&w, "since");
	jw_str(&w, c->since == KITH_NO_DAY
			   ? NULL
			   : kith_date_iso(c->since, day, sizeof(day)));
	jw_key(&w, "owner_id");
	jw_id(&w, c->owner_id);
	jw_key(&w, "snooze_until");
	jw_time(&w, c->snooze_until);
	jw_key(&w, "created_at");
	jw_time(&w, c->created_at);
	jw_key(&w, "updated_at");
	jw_time(&w, c->updated_at);
	jw_key(&w, "version");
	jw_int(&w, c->version);
	if (c->email_labels.n) {
		jw_key(&w, "email_labels");
		jw_strlist(&w, &c->email_labels);
	}
	if (c->phone_labels.n) {
		jw_key(&w, "phone_labels");
		jw_strlist(&w, &c->phone_labels);
	}
	if (c->addresses.n) {
		jw_key(&w, "addresses");
		jw_strlist(&w, &c->addresses);
	}
	if (c->address_labels.n) {
		jw_key(&w, "address_labels");
		jw_strlist(&w, &c->address_labels);
	}
	if (c->uid) {
		jw_key(&w, "uid");
		jw_str(&w, c->uid);
	}
	if (c->card && !with_summary) {
		jw_key(&w, "card");
		jw_str(&w, c->card);
	}
	if (with_summary) {
		jw_key(&w, "summary");
		jw_raw(&w, "{", 1);
		jw_key(&w, "last_touch");
		jw_time(&w, c->last_touch);
		jw_key(&w, "last_in_person");
		jw_time(&w, c->last_in_person);
		jw_key(&w, "touch_count");
		jw_int(&w, c->touch_count);
		jw_key(&w, "effective_every");
		jw_cad(&w, c->eff_every);
		jw_key(&w, "effective_meet_every");
		jw_cad(&w, c->eff_meet);
		jw_key(&w, "due_at");
		jw_time(&w, c->due_at);
		jw_key(&w, "meet_due_at");
		jw_time(&w, c->meet_due_at);
		jw_raw(&w, "}", 1);
	}
	jw_raw(&w, "}", 1);
	if (w.oom) {
		free(w.p);
		return KITH_ENOMEM;
	}
	*out = w.p;
	*len = w.len;
	return KITH_OK;
}

json_t *kj_org(const struct organization *org)
{
	return json_pack("{s:I, s:s, s:o}", "id", (json_int_t)org->id, "name",
			 org->name, "created_at", kj_time(org->created_at));
}

json_t *kj_touch(const struct touchpoint *t)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(t->id));
	json_object_set_new(o, "at", kj_time(t->at));
	json_object_set_new(o, "channel", json_string(channel_name(t->channel)));
	json_object_set_new(o, "direction",
			    json_string(direction_name(t->direction)));
	json_object_set_new(o, "minutes",
			    t->minutes ? json_integer(t->minutes) : json_null());
	json_object_set_new(o, "note", kj_str(t->note));
	json_object_set_new(o, "source", kj_str(t->source));
	json_object_set_new(o, "contacts", kj_ids(t->contacts, t->n_contacts));
	json_object_set_new(o, "users", kj_ids(t->users, t->n_users));
	json_object_set_new(o, "created_at", kj_time(t->created_at));
	return o;
}

json_t *kj_fact(const struct fact *f)
{
	return json_pack("{s:I, s:I, s:s, s:o}", "id", (json_int_t)f->id,
			 "contact_id", (json_int_t)f->contact_id, "text",
			 f->text, "created_at", kj_time(f->created_at));
}

json_t *kj_kdate(const struct kdate *d)
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
			 kj_time(d->created_at));
}

json_t *kj_promise(const struct promise *p, kith_time now)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(p->id));
	json_object_set_new(o, "contact_id", json_integer(p->contact_id));
	if (now != KITH_NO_TIME && p->contact_name)
		json_object_set_new(o, "contact_name", kj_str(p->contact_name));
	json_object_set_new(o, "text", kj_str(p->text));
	json_object_set_new(o, "due", kj_time(p->due));
	json_object_set_new(o, "done_at", kj_time(p->done_at));
	json_object_set_new(o, "created_at", kj_time(p->created_at));
	if (now != KITH_NO_TIME)
		json_object_set_new(o, "overdue",
				    json_boolean(p->done_at == KITH_NO_TIME &&
						 p->due != KITH_NO_TIME &&
						 p->due < now));
	return o;
}

json_t *kj_gift(const struct gift *g)
{
	return json_pack("{s:I, s:o, s:o, s:s, s:o, s:o}", "id",
			 (json_int_t)g->id, "contact_id", kj_id(g->contact_id),
			 "org_id", kj_id(g->org_id), "text", g->text, "value",
			 kj_money(g->value_cents), "at", kj_time(g->at));
}

json_t *kj_revenue(const struct revenue *r)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}", "id",
			 (json_int_t)r->id, "contact_id", kj_id(r->contact_id),
			 "org_id", kj_id(r->org_id), "amount",
			 kj_money(r->amount_cents), "at", kj_time(r->at),
			 "note", kj_str(r->note));
}

json_t *kj_cadence_rule(const char *scope, const char *key,
			  struct cadence every, struct cadence meet)
{
	return json_pack("{s:s, s:s, s:o, s:o}", "scope", scope, "key",
			 key ? key : "", "every", kj_cad(every), "meet_every",
			 kj_cad(meet));
}

json_t *kj_signal(const struct signal *g, double response_minutes)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(g->id));
	json_object_set_new(o, "ext_id", kj_str(g->ext_id));
	json_object_set_new(o, "type", json_string(signal_type_name(g->type)));
	json_object_set_new(o, "at", kj_time(g->at));
	json_object_set_new(o, "received_at", kj_time(g->received_at));
	json_object_set_new(o, "contact",
			    g->contact_id
				    ? json_pack("{s:I, s:s}", "id",
						(json_int_t)g->contact_id,
						"name",
						g->contact_name ? g->contact_name
								: "")
				    : json_null());
	json_object_set_new(o, "owner_id", kj_id(g->owner_id));
	json_object_set_new(o, "answered_at", kj_time(g->answered_at));
	json_object_set_new(o, "response_minutes",
			    response_minutes < 0
				    ? json_null()
				    : json_real((double)(int64_t)(response_minutes *
								  10.0 + 0.5) /
						10.0));
	json_object_set_new(o, "email", kj_str(g->email));
	json_object_set_new(o, "name", kj_str(g->name));
	json_object_set_new(o, "handle", kj_str(g->handle));
	json_object_set_new(o, "url", kj_str(g->url));
	json_object_set_new(o, "text", kj_str(g->text));
	return o;
}

json_t *kj_meeting(const struct meeting *m)
{
	return json_pack("{s:I, s:I, s:s, s:o, s:o, s:o, s:b, s:s, s:o, s:o}",
			 "id", (json_int_t)m->id, "user_id",
			 (json_int_t)m->user_id, "uid", m->uid, "start",
			 kj_time(m->start), "end", kj_time(m->end),
			 "summary", kj_str(m->summary), "video", m->video,
			 "state", m->state ? m->state : "none", "touch_id",
			 kj_id(m->touch_id), "contacts",
			 kj_ids(m->contacts, m->n_contacts));
}

char *kj_book_dump(const struct book *b)
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
			a, kj_cadence_rule(
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
	BOOK_ARRAY("organizations", b->orgs, b->n_orgs, kj_org(&b->orgs[i_]));
	BOOK_ARRAY("contacts", b->contacts, b->n_contacts,
		   kj_contact(&b->contacts[i_], false));
	BOOK_ARRAY("touchpoints", b->touches, b->n_touches,
		   kj_touch(&b->touches[i_]));
	BOOK_ARRAY("facts", b->facts, b->n_facts, kj_fact(&b->facts[i_]));
	BOOK_ARRAY("dates", b->dates, b->n_dates, kj_kdate(&b->dates[i_]));
	BOOK_ARRAY("promises", b->promises, b->n_promises,
		   kj_promise(&b->promises[i_], KITH_NO_TIME));
	BOOK_ARRAY("gifts", b->gifts, b->n_gifts, kj_gift(&b->gifts[i_]));
	BOOK_ARRAY("revenue", b->revenue, b->n_revenue,
		   kj_revenue(&b->revenue[i_]));
#undef BOOK_ARRAY
	out = json_dumps(o, KITH_JSON_FLAGS);
	json_decref(o);
	return out;
}

int kj_print(json_t *j)
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
