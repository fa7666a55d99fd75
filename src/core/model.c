/* model.c: names, parsing and freeing of the plain model structs. */
#include "model.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const channel_names[CH_COUNT] = {
	"in_person", "video", "call", "letter",
	"gift",	     "text",  "email", "social",
};

static const char *const channel_labels[CH_COUNT] = {
	"In person", "Video", "Call", "Letter",
	"Gift",	     "Text",  "Email", "Social",
};

const char *channel_name(enum channel ch)
{
	return ch < CH_COUNT ? channel_names[ch] : "?";
}

const char *channel_label(enum channel ch)
{
	return ch < CH_COUNT ? channel_labels[ch] : "?";
}

int channel_parse(enum channel *out, const char *s, const char *field,
		  struct kith_err *err)
{
	for (int i = 0; s && i < CH_COUNT; i++) {
		if (!strcmp(s, channel_names[i])) {
			*out = (enum channel)i;
			return KITH_OK;
		}
	}
	return kith_err_set(err, KITH_EINPUT, field,
			    "unknown channel \"%s\" (one of in_person, video, "
			    "call, letter, gift, text, email, social)",
			    s ? s : "");
}

static const char *const direction_names[DIR_COUNT] = { "out", "in",
							"mutual" };

const char *direction_name(enum direction d)
{
	return d < DIR_COUNT ? direction_names[d] : "?";
}

int direction_parse(enum direction *out, const char *s, const char *field,
		    struct kith_err *err)
{
	for (int i = 0; s && i < DIR_COUNT; i++) {
		if (!strcmp(s, direction_names[i])) {
			*out = (enum direction)i;
			return KITH_OK;
		}
	}
	return kith_err_set(err, KITH_EINPUT, field,
			    "unknown direction \"%s\" (one of out, in, mutual)",
			    s ? s : "");
}

static const char *const role_names[ROLE_COUNT] = { "viewer", "member",
						    "owner" };

const char *role_name(enum role r)
{
	return r < ROLE_COUNT ? role_names[r] : "?";
}

int role_parse(enum role *out, const char *s, const char *field,
	       struct kith_err *err)
{
	for (int i = 0; s && i < ROLE_COUNT; i++) {
		if (!strcmp(s, role_names[i])) {
			*out = (enum role)i;
			return KITH_OK;
		}
	}
	return kith_err_set(err, KITH_EINPUT, field,
			    "unknown role \"%s\" (owner, member or viewer)",
			    s ? s : "");
}

static const char *const signal_names[SIG_COUNT] = {
	"website_visit", "mention", "inbound_email", "missed_call", "form",
};

const char *signal_type_name(enum signal_type t)
{
	return t < SIG_COUNT ? signal_names[t] : "?";
}

int signal_type_parse(enum signal_type *out, const char *s, const char *field,
		      struct kith_err *err)
{
	for (int i = 0; s && i < SIG_COUNT; i++) {
		if (!strcmp(s, signal_names[i])) {
			*out = (enum signal_type)i;
			return KITH_OK;
		}
	}
	return kith_err_set(err, KITH_EINPUT, field,
			    "unknown signal type \"%s\" (website_visit, "
			    "mention, inbound_email, missed_call or form)",
			    s ? s : "");
}

const char *tier_name(enum tier t)
{
	static const char *const names[TIER_COUNT] = { "", "A", "B", "C" };
	return t < TIER_COUNT ? names[t] : "";
}

int tier_parse(enum tier *out, const char *s, const char *field,
	       struct kith_err *err)
{
	if (s && (!strcasecmp(s, "A") || !strcasecmp(s, "B") ||
		  !strcasecmp(s, "C"))) {
		*out = (enum tier)(TIER_A + (s[0] | 0x20) - 'a');
		return KITH_OK;
	}
	if (s && (!*s || !strcmp(s, "none"))) {
		*out = TIER_NONE;
		return KITH_OK;
	}
	return kith_err_set(err, KITH_EINPUT, field,
			    "unknown tier \"%s\" (A, B, C or none)",
			    s ? s : "");
}

static const char *const scope_names[CADENCE_COUNT] = { "default", "tier",
							"tag" };

const char *cadence_scope_name(enum cadence_scope s)
{
	return s < CADENCE_COUNT ? scope_names[s] : "?";
}

int cadence_scope_parse(enum cadence_scope *out, const char *s,
			const char *field, struct kith_err *err)
{
	for (int i = 0; s && i < CADENCE_COUNT; i++) {
		if (!strcmp(s, scope_names[i])) {
			*out = (enum cadence_scope)i;
			return KITH_OK;
		}
	}
	return kith_err_set(err, KITH_EINPUT, field,
			    "expected default, tier or tag, got \"%s\"",
			    s ? s : "");
}

int strlist_push(struct strlist *l, const char *s)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v)
		return -1;
	l->v = v;
	v[l->n] = strdup(s);
	if (!v[l->n])
		return -1;
	l->n++;
	return 0;
}

bool strlist_has_ci(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcasecmp(l->v[i], s))
			return true;
	return false;
}

void strlist_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void contact_init(struct contact *c)
{
	memset(c, 0, sizeof(*c));
	c->since = KITH_NO_DAY;
	c->snooze_until = KITH_NO_TIME;
	c->last_touch = KITH_NO_TIME;
	c->last_in_person = KITH_NO_TIME;
	c->due_at = KITH_NO_TIME;
	c->meet_due_at = KITH_NO_TIME;
}

void contact_clear(struct contact *c)
{
	if (!c)
		return;
	free(c->name);
	strlist_clear(&c->emails);
	strlist_clear(&c->phones);
	strlist_clear(&c->tags);
	strlist_clear(&c->handles);
	free(c->org_name);
	free(c->title);
	free(c->tz);
	free(c->notes);
	free(c->uid);
	free(c->card);
	strlist_clear(&c->email_labels);
	strlist_clear(&c->phone_labels);
	strlist_clear(&c->phone_keys);
	strlist_clear(&c->addresses);
	strlist_clear(&c->address_labels);
	contact_init(c);
}

void touchpoint_clear(struct touchpoint *t)
{
	if (!t)
		return;
	free(t->note);
	free(t->source);
	free(t->contacts);
	free(t->users);
	memset(t, 0, sizeof(*t));
}

void fact_clear(struct fact *f)
{
	if (f)
		free(f->text);
}

void kdate_clear(struct kdate *d)
{
	if (d)
		free(d->kind);
}

void promise_clear(struct promise *p)
{
	if (!p)
		return;
	free(p->text);
	free(p->contact_name);
}

void gift_clear(struct gift *g)
{
	if (g)
		free(g->text);
}

void revenue_clear(struct revenue *r)
{
	if (r)
		free(r->note);
}

#include "book.h"

void user_clear(struct user *u)
{
	if (!u)
		return;
	free(u->email);
	free(u->name);
	free(u->password_hash);
	free(u->tz);
	memset(u, 0, sizeof(*u));
}

void signal_clear(struct signal *s)
{
	if (!s)
		return;
	free(s->ext_id);
	free(s->email);
	free(s->name);
	free(s->handle);
	free(s->url);
	free(s->text);
	free(s->contact_name);
	free(s->owner_tz);
	memset(s, 0, sizeof(*s));
}

void meeting_clear(struct meeting *m)
{
	if (!m)
		return;
	free(m->uid);
	free(m->summary);
	free(m->state);
	free(m->contacts);
	memset(m, 0, sizeof(*m));
}

void alert_clear(struct alert *a)
{
	if (!a)
		return;
	free(a->kind);
	free(a->data);
	memset(a, 0, sizeof(*a));
}

void outbox_item_clear(struct outbox_item *o)
{
	if (!o)
		return;
	free(o->url);
	free(o->body);
	memset(o, 0, sizeof(*o));
}

void api_token_clear(struct api_token *t)
{
	if (!t)
		return;
	free(t->name);
	memset(t, 0, sizeof(*t));
}

void book_clear(struct book *b)
{
	if (!b)
		return;
	free(b->ws_name);
	free(b->ws_tz);
	for (size_t i = 0; i < b->n_cadences; i++)
		free(b->cadences[i].key);
	free(b->cadences);
	for (size_t i = 0; i < b->n_orgs; i++)
		free(b->orgs[i].name);
	free(b->orgs);
	for (size_t i = 0; i < b->n_contacts; i++)
		contact_clear(&b->contacts[i]);
	free(b->contacts);
	for (size_t i = 0; i < b->n_touches; i++)
		touchpoint_clear(&b->touches[i]);
	free(b->touches);
	for (size_t i = 0; i < b->n_facts; i++)
		fact_clear(&b->facts[i]);
	free(b->facts);
	for (size_t i = 0; i < b->n_dates; i++)
		kdate_clear(&b->dates[i]);
	free(b->dates);
	for (size_t i = 0; i < b->n_promises; i++)
		promise_clear(&b->promises[i]);
	free(b->promises);
	for (size_t i = 0; i < b->n_gifts; i++)
		gift_clear(&b->gifts[i]);
	free(b->gifts);
	for (size_t i = 0; i < b->n_revenue; i++)
		revenue_clear(&b->revenue[i]);
	free(b->revenue);
	memset(b, 0, sizeof(*b));
}
