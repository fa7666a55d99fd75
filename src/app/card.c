/* card.c: a contact as one vCard and back (CardDAV's GET and PUT). */
#include "card.h"
#include "contact.h"
#include "export.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int app_card_render(struct vcard_out *out, struct app_ctx *ctx, int64_t id,
		    const char *uid_fallback, enum vcard_version v,
		    struct kith_err *err)
{
	struct contact c;
	struct kdate *dates = NULL;
	struct vcard_contact vc;
	size_t n = 0;
	int rc;

	vcard_contact_init(&vc);
	rc = store_contact_get(&c, ctx->st, ctx->ws, id, err);
	if (rc)
		return rc;
	rc = store_date_list(&dates, &n, ctx->st, ctx->ws, id, err);
	if (!rc)
		rc = app_vcard_contact(&vc, &c, dates, n, err);
	if (!rc && !vc.c.uid && uid_fallback) {
		vc.c.uid = strdup(uid_fallback);
		if (!vc.c.uid)
			rc = kith_err_nomem(err);
	}
	if (!rc)
		rc = vcard_write_contact(out, &vc, v, err);
	vcard_contact_clear(&vc);
	store_dates_free(dates, n);
	contact_clear(&c);
	return rc;
}

/* Does the card say it is a group (Apple's 3.0 extension, or 4.0)? */
static bool card_is_group(const struct vcard *card)
{
	for (size_t i = 0; i < card->n_props; i++) {
		const struct vcard_prop *p = &card->props[i];

		if ((!strcmp(p->name, "X-ADDRESSBOOKSERVER-KIND") ||
		     !strcmp(p->name, "KIND")) &&
		    !strcasecmp(p->value, "group"))
			return true;
	}
	return false;
}

int card_parse_one(struct vcard_contact *out, bool *is_group, const char *text,
		   size_t len, struct kith_err *err)
{
	struct vcard_file f = {0};
	int rc;

	vcard_contact_init(out);
	*is_group = false;
	rc = vcard_parse(&f, text, len, "card", err);
	if (rc)
		return rc;
	if (f.n_cards != 1) {
		rc = kith_err_set(err, KITH_EINPUT, "card",
				  "expected one vCard, got %zu", f.n_cards);
		goto done;
	}
	if (card_is_group(&f.cards[0])) {
		*is_group = true;
		goto done;
	}
	rc = vcard_to_contact(out, &f.cards[0], "card", err);
done:
	vcard_file_free(&f);
	return rc;
}

/* Move list b into a (a's old strings freed). */
static void list_move(struct strlist *a, struct strlist *b)
{
	strlist_clear(a);
	*a = *b;
	memset(b, 0, sizeof(*b));
}

/* Move string *b into *a (a's old one freed). */
static void str_move(char **a, char **b)
{
	free(*a);
	*a = *b;
	*b = NULL;
}

/* The card's fields over c: what an address book owns. */
static void card_overlay(struct contact *c, struct vcard_contact *vc)
{
	str_move(&c->name, &vc->c.name);
	list_move(&c->emails, &vc->c.emails);
	list_move(&c->email_labels, &vc->c.email_labels);
	list_move(&c->phones, &vc->c.phones);
	list_move(&c->phone_labels, &vc->c.phone_labels);
	strlist_clear(&c->phone_keys); /* the use case derives them */
	list_move(&c->addresses, &vc->c.addresses);
	list_move(&c->address_labels, &vc->c.address_labels);
	str_move(&c->org_name, &vc->c.org_name);
	c->org_id = 0; /* org_name finds or makes it */
	str_move(&c->title, &vc->c.title);
	str_move(&c->notes, &vc->c.notes);
	/* A card without TZ leaves kith's zone: phones rarely send one. */
	if (vc->c.tz)
		str_move(&c->tz, &vc->c.tz);
	if (vc->c.uid)
		str_move(&c->uid, &vc->c.uid);
	str_move(&c->card, &vc->c.card);
}

static bool same_dates(const struct kdate *a, size_t na, const struct kdate *b,
		       size_t nb, const char *kind)
{
	size_t ca = 0, cb = 0;

	for (size_t i = 0; i < na; i++) {
		if (strcmp(a[i].kind, kind))
			continue;
		ca++;
		for (size_t j = 0; j < nb; j++)
			if (!strcmp(b[j].kind, kind) && b[j].day == a[i].day &&
			    b[j].year_known == a[i].year_known)
				goto found;
		return false;
	found:;
	}
	for (size_t j = 0; j < nb; j++)
		cb += !strcmp(b[j].kind, kind);
	return ca == cb;
}

/* Make contact id's dates those of the card, kind by kind. */
static int card_dates(struct app_ctx *ctx, int64_t id, const struct kdate *want,
		      size_t n_want, struct kith_err *err)
{
	struct kdate *have = NULL;
	size_t n_have = 0;
	int rc;

	rc = store_date_list(&have, &n_have, ctx->st, ctx->ws, id, err);
	if (rc)
		return rc;
	for (size_t pass = 0; pass < 2 && !rc; pass++) {
		const struct kdate *v = pass ? want : have;
		size_t n = pass ? n_want : n_have;

		for (size_t i = 0; i < n && !rc; i++) {
			bool seen = false;

			/* Each kind once: skip one handled earlier. */
			for (size_t j = 0; j < i && !seen; j++)
				seen = !strcmp(v[j].kind, v[i].kind);
			for (size_t j = 0; pass && j < n_have && !seen; j++)
				seen = !strcmp(have[j].kind, v[i].kind);
			if (seen ||
			    same_dates(have, n_have, want, n_want, v[i].kind))
				continue;
			rc = store_date_delete_kind(ctx->st, ctx->ws, id,
						    v[i].kind, err);
			for (size_t j = 0; j < n_want && !rc; j++) {
				struct kdate d = want[j];

				if (strcmp(d.kind, v[i].kind))
					continue;
				d.id = 0;
				d.contact_id = id;
				d.created_at = ctx->now;
				rc = store_date_add(ctx->st, ctx->ws, &d, err);
			}
		}
	}
	store_dates_free(have, n_have);
	return rc;
}

int app_card_write(int64_t *out_id, struct app_ctx *ctx, int64_t id,
		   struct vcard_contact *vc, struct kith_err *err)
{
	struct contact c;
	int rc;

	if (id) {
		rc = store_contact_get(&c, ctx->st, ctx->ws, id, err);
		if (rc)
			return rc;
	} else {
		contact_init(&c);
	}
	card_overlay(&c, vc);
	rc = id ? app_contact_update(ctx, &c, 0, err)
		: app_contact_add(ctx, &c, err);
	if (!rc)
		rc = card_dates(ctx, c.id, vc->dates, vc->n_dates, err);
	if (!rc && out_id)
		*out_id = c.id;
	contact_clear(&c);
	return rc;
}
