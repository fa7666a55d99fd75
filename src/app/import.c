/* import.c: address-book files into the workspace through the contact
 * use cases; see import.h for the matching and merging rules. */
#include "import.h"
#include "contact.h"
#include "touch.h"
#include "../input/csv.h"
#include "../input/phone.h"
#include "../tzif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *import_action_name(enum import_action a)
{
	static const char *const names[] = { "created", "merged", "unchanged",
					     "skipped" };

	return (unsigned)a < 4 ? names[a] : "?";
}

void import_report_init(struct import_report *r)
{
	memset(r, 0, sizeof(*r));
}

void import_report_clear(struct import_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_items; i++) {
		free(r->items[i].file);
		free(r->items[i].name);
		free(r->items[i].reason);
	}
	free(r->items);
	strlist_clear(&r->unknown);
	import_report_init(r);
}

/* One import's state, shared by the readers' callbacks. */
struct run {
	struct app_ctx *ctx;
	const struct import_opts *o;
	struct import_report *rep;
	const char *file;
	const char *region; /* the workspace's country, or NULL */
	import_progress_fn progress;
	void *progress_ctx;
	uint64_t done, total;
};

/* A growable "added email a@b, phone ..." for a merge's reason. */
struct note {
	char *s;
	size_t len, cap;
	int nomem;
};

static void note_add(struct note *n, const char *what, const char *value)
{
	size_t need = strlen(what) + (value ? strlen(value) + 1 : 0) + 8;

	if (n->nomem)
		return;
	if (n->len + need > n->cap) {
		size_t nc = (n->cap ? n->cap * 2 : 64) + need;
		char *ns = realloc(n->s, nc);

		if (!ns) {
			n->nomem = 1;
			return;
		}
		n->s = ns;
		n->cap = nc;
	}
	n->len += (size_t)snprintf(n->s + n->len, n->cap - n->len, "%s%s%s%s",
				   n->len ? ", " : "added ", what,
				   value ? " " : "", value ? value : "");
}

static int item_push(struct run *r, int line, const char *name,
		     enum import_action a, int64_t id, const char *by,
		     const char *reason, struct kith_err *err)
{
	struct import_report *rep = r->rep;
	struct import_item *it;

	if (rep->n_items == rep->cap) {
		size_t nc = rep->cap ? rep->cap * 2 : 64;
		struct import_item *ni = realloc(rep->items, nc * sizeof(*ni));

		if (!ni)
			return kith_err_nomem(err);
		rep->items = ni;
		rep->cap = nc;
	}
	it = &rep->items[rep->n_items];
	memset(it, 0, sizeof(*it));
	it->line = line;
	it->action = a;
	it->contact_id = id;
	it->matched_by = by;
	if (!(it->file = strdup(r->file)) ||
	    (name && !(it->name = strdup(name))) ||
	    (reason && !(it->reason = strdup(reason)))) {
		free(it->file);
		free(it->name);
		return kith_err_nomem(err);
	}
	rep->n_items++;
	switch (a) {
	case IMPORT_CREATED:
		rep->created++;
		break;
	case IMPORT_MERGED:
		rep->merged++;
		break;
	case IMPORT_UNCHANGED:
		rep->unchanged++;
		break;
	case IMPORT_SKIPPED:
		rep->skipped++;
		break;
	}
	return KITH_OK;
}

static void tick(struct run *r)
{
	r->done++;
	if (r->progress && (r->done % 1000 == 0 || r->done == r->total))
		r->progress(r->progress_ctx, r->done,
			    r->total > r->done ? r->total : r->done);
}

/* A card the readers or the rules refused, under skip_bad. */
static int skip(struct run *r, const struct kith_err *bad, const char *name)
{
	struct kith_err e = { 0 };
	char buf[sizeof(bad->msg) + 256];

	kith_err_format(bad, buf, sizeof(buf));
	tick(r);
	return item_push(r, bad->line, name, IMPORT_SKIPPED, 0, NULL, buf,
			 &e) ? KITH_ENOMEM : KITH_OK;
}

static int on_bad(const struct kith_err *bad, void *p)
{
	return skip(p, bad, NULL);
}

/* Labels run parallel to their values once a value is added. */
static int labels_pad(struct strlist *labels, size_t n)
{
	while (labels->n < n)
		if (strlist_push(labels, ""))
			return -1;
	return 0;
}

static int set_str(char **dst, const char *src)
{
	char *d = strdup(src);

	if (!d)
		return -1;
	free(*dst);
	*dst = d;
	return 0;
}

/* Fill label i of labels from in when it is empty there. */
static int label_fill(struct strlist *labels, size_t i, const char *in,
		      struct note *n)
{
	if (!in || !*in || *labels->v[i])
		return 0;
	note_add(n, "label", in);
	return set_str(&labels->v[i], in);
}

/* Is s among l, ignoring ASCII case? Its index, or -1. */
static long find_ci(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcasecmp(l->v[i], s))
			return (long)i;
	return -1;
}

/*
 * Union the card's contact `in` (with its phone keys) into the stored
 * contact m: what m lacks is added, what m has stands. The note says
 * what was added; empty: nothing, and m is as it was read.
 */
static int union_into(struct contact *m, const struct contact *in,
		      const struct strlist *keys, struct note *n)
{
	const char *lab;

	if (labels_pad(&m->email_labels, m->emails.n) ||
	    labels_pad(&m->phone_labels, m->phones.n) ||
	    labels_pad(&m->phone_keys, m->phones.n) ||
	    labels_pad(&m->address_labels, m->addresses.n))
		return -1;
	for (size_t i = 0; i < in->emails.n; i++) {
		long j = find_ci(&m->emails, in->emails.v[i]);

		lab = i < in->email_labels.n ? in->email_labels.v[i] : "";
		if (j >= 0) {
			if (label_fill(&m->email_labels, (size_t)j, lab, n))
				return -1;
			continue;
		}
		note_add(n, "email", in->emails.v[i]);
		if (strlist_push(&m->emails, in->emails.v[i]) ||
		    strlist_push(&m->email_labels, lab))
			return -1;
	}
	for (size_t i = 0; i < in->phones.n; i++) {
		const char *k = keys->v[i];
		long j = -1;

		for (size_t q = 0; j < 0 && q < m->phones.n; q++)
			if (!strcmp(m->phones.v[q], in->phones.v[i]) ||
			    (*k && !strcmp(m->phone_keys.v[q], k)))
				j = (long)q;
		lab = i < in->phone_labels.n ? in->phone_labels.v[i] : "";
		if (j >= 0) {
			if (label_fill(&m->phone_labels, (size_t)j, lab, n))
				return -1;
			continue;
		}
		note_add(n, "phone", in->phones.v[i]);
		if (strlist_push(&m->phones, in->phones.v[i]) ||
		    strlist_push(&m->phone_labels, lab) ||
		    strlist_push(&m->phone_keys, k))
			return -1;
	}
	for (size_t i = 0; i < in->addresses.n; i++) {
		long j = find_ci(&m->addresses, in->addresses.v[i]);

		lab = i < in->address_labels.n ? in->address_labels.v[i] : "";
		if (j >= 0) {
			if (label_fill(&m->address_labels, (size_t)j, lab, n))
				return -1;
			continue;
		}
		note_add(n, "address", in->addresses.v[i]);
		if (strlist_push(&m->addresses, in->addresses.v[i]) ||
		    strlist_push(&m->address_labels, lab))
			return -1;
	}
#define TAKE(field, what)                                                    \
	do {                                                                 \
		if ((!m->field || !*m->field) && in->field && *in->field) {  \
			note_add(n, what, NULL);                             \
			if (set_str(&m->field, in->field))                   \
				return -1;                                   \
		}                                                            \
	} while (0)
	if (!m->org_id)
		TAKE(org_name, "organization");
	TAKE(title, "title");
	TAKE(notes, "notes");
	TAKE(tz, "time zone");
	TAKE(uid, "uid");
	TAKE(card, "vCard");
#undef TAKE
	return 0;
}

/* The phone keys of the card's phones, as app_contact_add will derive
 * them: in the country of its zone, else of the workspace. */
static int keys_of(struct run *r, const struct contact *c,
		   struct strlist *keys)
{
	const char *region = c->tz ? tzif_country(c->tz) : r->region;

	for (size_t i = 0; i < c->phones.n; i++) {
		char key[PHONE_E164_MAX] = "";

		if (phone_e164(key, c->phones.v[i], region, "phones", NULL))
			key[0] = '\0';
		if (strlist_push(keys, key))
			return -1;
	}
	return 0;
}

/* The contact the card already is: *id 0 when none. */
static int match(struct run *r, const struct contact *c,
		 const struct strlist *keys, int64_t *id, const char **by,
		 struct kith_err *err)
{
	struct app_ctx *ctx = r->ctx;
	int64_t *ids = NULL;
	size_t n = 0;
	int rc = KITH_OK;

	*id = 0;
	*by = NULL;
	if (c->uid) {
		rc = store_contact_match(&ids, &n, ctx->st, ctx->ws,
					 CONTACT_KEY_UID, c->uid, err);
		*by = "uid";
	}
	for (size_t i = 0; !rc && !n && i < c->emails.n; i++) {
		rc = store_contact_match(&ids, &n, ctx->st, ctx->ws,
					 CONTACT_KEY_EMAIL, c->emails.v[i],
					 err);
		*by = "email";
	}
	for (size_t i = 0; !rc && !n && i < keys->n; i++) {
		rc = store_contact_match(&ids, &n, ctx->st, ctx->ws,
					 CONTACT_KEY_PHONE, keys->v[i], err);
		*by = "phone";
	}
	/* No key matched (a card of a name and a birthday, a phone whose
	 * country is unknown): the very card imported before. */
	if (!rc && !n) {
		rc = store_contact_match_card(&ids, &n, ctx->st, ctx->ws,
					      c->name, c->card, err);
		*by = "card";
	}
	if (!rc && n)
		*id = ids[0];
	else
		*by = NULL;
	free(ids);
	return rc;
}

/* Add the card's dates the contact has no date of that kind for. */
static int dates_add(struct run *r, struct vcard_contact *vc, int64_t id,
		     const struct kdate *have, size_t n_have, struct note *n,
		     struct kith_err *err)
{
	int rc = KITH_OK;

	for (size_t i = 0; !rc && i < vc->n_dates; i++) {
		struct kdate *d = &vc->dates[i];
		bool dup = false;

		for (size_t k = 0; !dup && k < n_have; k++)
			dup = have[k].kind && !strcmp(have[k].kind, d->kind);
		if (dup)
			continue;
		if (n)
			note_add(n, d->kind, NULL);
		d->id = 0;
		d->contact_id = id;
		d->yearly = true;
		rc = app_date_add(r->ctx, d, NULL, err);
	}
	return rc;
}

/* Does the card bring a date kind the contact lacks? */
static bool dates_new(const struct vcard_contact *vc, const struct kdate *have,
		      size_t n_have)
{
	for (size_t i = 0; i < vc->n_dates; i++) {
		bool dup = false;

		for (size_t k = 0; !dup && k < n_have; k++)
			dup = have[k].kind &&
			      !strcmp(have[k].kind, vc->dates[i].kind);
		if (!dup)
			return true;
	}
	return false;
}

/* Write one mapped card: create, merge or leave. */
static int import_one(struct run *r, struct vcard_contact *vc, int line,
		      struct kith_err *err)
{
	struct app_ctx *ctx = r->ctx;
	struct strlist keys = { 0 };
	struct contact m;
	struct note n = { 0 };
	struct kdate *have = NULL;
	size_t n_have = 0;
	const char *by;
	int64_t id;
	int rc;

	contact_init(&m);
	if (keys_of(r, &vc->c, &keys)) {
		rc = kith_err_nomem(err);
		goto done;
	}
	rc = match(r, &vc->c, &keys, &id, &by, err);
	if (rc)
		goto done;
	if (!id) {
		rc = app_contact_add(ctx, &vc->c, err);
		if (!rc)
			rc = dates_add(r, vc, vc->c.id, NULL, 0, NULL, err);
		if (!rc)
			rc = item_push(r, line, vc->c.name, IMPORT_CREATED,
				       vc->c.id, NULL, NULL, err);
		goto done;
	}
	rc = store_contact_get(&m, ctx->st, ctx->ws, id, err);
	if (!rc)
		rc = store_date_list(&have, &n_have, ctx->st, ctx->ws, id, err);
	if (rc)
		goto done;
	if (union_into(&m, &vc->c, &keys, &n) || n.nomem) {
		rc = kith_err_nomem(err);
		goto done;
	}
	if (!n.len && !dates_new(vc, have, n_have)) {
		rc = item_push(r, line, vc->c.name, IMPORT_UNCHANGED, id, by,
			       NULL, err);
		goto done;
	}
	if (n.len)
		rc = app_contact_update(ctx, &m, m.version, err);
	if (!rc)
		rc = dates_add(r, vc, id, have, n_have, &n, err);
	if (!rc && n.nomem)
		rc = kith_err_nomem(err);
	if (!rc)
		rc = item_push(r, line, vc->c.name, IMPORT_MERGED, id, by, n.s,
			       err);
done:
	free(n.s);
	store_dates_free(have, n_have);
	contact_clear(&m);
	strlist_clear(&keys);
	return rc;
}

/* The use cases name fields by JSON key; a card names them as vCard
 * properties, so the message points at the line a user reads. */
static void field_as_property(struct kith_err *e)
{
	static const char *const map[][2] = {
		{ "name", "FN" },	 { "emails", "EMAIL" },
		{ "email_labels", "EMAIL" }, { "phones", "TEL" },
		{ "phone_labels", "TEL" }, { "addresses", "ADR" },
		{ "address_labels", "ADR" }, { "tz", "TZ" },
		{ "uid", "UID" },	 { "org_id", "ORG" },
		{ "kind", "BDAY" },	 { "date", "BDAY" },
		{ "title", "TITLE" },	 { "notes", "NOTE" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(*map); i++)
		if (!strcmp(e->field, map[i][0])) {
			snprintf(e->field, sizeof(e->field), "%s", map[i][1]);
			return;
		}
}

/* The FN of a card the mapping refused, for the report; NULL if none. */
static char *card_fn(const struct vcard *card)
{
	for (size_t i = 0; i < card->n_props; i++)
		if (!strcmp(card->props[i].name, "FN")) {
			char *s = malloc(card->props[i].value_len + 1);

			if (s)
				vcard_text_unescape(s, card->props[i].value,
						    card->props[i].value_len);
			return s;
		}
	return NULL;
}

static int on_card(const struct vcard *card, void *p, struct kith_err *err)
{
	struct run *r = p;
	struct vcard_contact vc;
	struct kith_err e = { 0 };
	int rc;

	rc = vcard_to_contact(&vc, card, r->file, &e);
	if (!rc) {
		if (r->o->skip_bad) {
			rc = store_savepoint(r->ctx->st, &e);
			if (rc) {
				vcard_contact_clear(&vc);
				*err = e;
				return rc;
			}
		}
		rc = import_one(r, &vc, card->line, &e);
		if (rc == KITH_EINPUT) {
			field_as_property(&e);
			kith_err_at(&e, r->file, card->line);
		}
		if (r->o->skip_bad) {
			if (rc)
				store_savepoint_undo(r->ctx->st);
			else
				store_savepoint_release(r->ctx->st);
		}
		if (!rc)
			tick(r);
	}
	if (rc == KITH_EINPUT && r->o->skip_bad) {
		char *fn = vc.c.name ? strdup(vc.c.name) : card_fn(card);

		rc = skip(r, &e, fn);
		free(fn);
	}
	vcard_contact_clear(&vc);
	if (rc && rc != KITH_ENOMEM)
		*err = e;
	else if (rc)
		kith_err_nomem(err);
	return rc;
}

static int by_line(const void *a, const void *b)
{
	const struct import_item *x = a, *y = b;

	return (x->line > y->line) - (x->line < y->line);
}

/* Roughly how many cards a vCard text holds, for the progress bar. */
static uint64_t count_cards(const char *t, size_t len)
{
	uint64_t n = 0;

	for (const char *p = t, *end = t + len;
	     (p = memchr(p, ':', (size_t)(end - p))); p++)
		if (p - t >= 5 && !strncasecmp(p - 5, "BEGIN", 5) &&
		    end - p > 5 && !strncasecmp(p + 1, "VCARD", 5))
			n++;
	return n;
}

static int import_source(struct run *r, const struct import_source *src,
			 struct kith_err *err)
{
	const struct import_opts *o = r->o;
	struct csv_file f = { 0 };
	size_t first = r->rep->n_items;
	int rc;

	r->file = src->name ? src->name : "";
	if (src->format == IMPORT_VCARD) {
		if (r->progress)
			r->total += count_cards(src->text, src->len);
		return o->skip_bad ? vcard_parse_each_skip(src->text, src->len,
							   r->file, on_card,
							   on_bad, r, err)
				   : vcard_parse_each(src->text, src->len,
						      r->file, on_card, r, err);
	}
	rc = o->skip_bad ? csv_parse_skip(&f, src->text, src->len, r->file,
					  o->map, on_bad, r, err)
			 : csv_parse(&f, src->text, src->len, r->file, o->map,
				     err);
	if (rc)
		return rc;
	r->rep->profile = csv_profile_name(f.profile);
	for (size_t i = 0; i < f.unknown.n; i++)
		if (!strlist_has_ci(&r->rep->unknown, f.unknown.v[i]) &&
		    strlist_push(&r->rep->unknown, f.unknown.v[i]))
			rc = kith_err_nomem(err);
	r->total += f.n_cards;
	for (size_t i = 0; !rc && i < f.n_cards; i++)
		rc = on_card(&f.cards[i], r, err);
	csv_file_free(&f);
	/* Bad rows were told while reading, before the cards: put each
	 * in its place. */
	if (!rc)
		qsort(r->rep->items + first, r->rep->n_items - first,
		      sizeof(*r->rep->items), by_line);
	return rc;
}

int app_import(struct app_ctx *ctx, const struct import_source *srcs,
	       size_t n, const struct import_opts *o,
	       import_progress_fn progress, void *progress_ctx,
	       struct import_report *rep, struct kith_err *err)
{
	struct run r = { ctx, o, rep, "", NULL, progress, progress_ctx, 0, 0 };
	int rc;

	rep->dry_run = o->dry_run;
	/* as app_contact_add reads a national number: see keys_of */
	rc = app_phone_region(&r.region, ctx, NULL, err);
	if (rc)
		return rc;
	rc = store_savepoint(ctx->st, err);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < n; i++)
		rc = import_source(&r, &srcs[i], err);
	if (progress && r.done && !rc)
		progress(progress_ctx, r.done, r.done);
	if (rc || o->dry_run)
		store_savepoint_undo(ctx->st);
	else
		store_savepoint_release(ctx->st);
	return rc;
}
