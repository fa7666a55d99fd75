/*
 * card.h: one contact as one vCard and back, for CardDAV. A card goes
 * out as the contact's stored card with the model's fields written over
 * it (render/vcard.h), plus its dates; a card that comes in replaces
 * what an address book owns (name, emails, phones, addresses and their
 * labels, organization, title, notes, zone, UID, dates, the card blob)
 * and leaves what only kith knows (tier, tags, cadences, owner, history)
 * alone. The vcard_contact written is export's (app_vcard_contact), so a
 * phone and a file export see the same card.
 */
#ifndef KITH_APP_CARD_H
#define KITH_APP_CARD_H

#include "../render/vcard.h"
#include "app.h"

/*
 * Append contact id as a vCard of version v to out: the contact, its
 * dates, and uid_fallback when it has no UID. KITH_ENOTFOUND when id is
 * no contact of the workspace; KITH_EINPUT for a corrupt stored card;
 * the store's failures.
 */
int app_card_render(struct vcard_out *out, struct app_ctx *ctx, int64_t id,
		    const char *uid_fallback, enum vcard_version v,
		    struct kith_err *err);

/*
 * Parse text[0..len) as exactly one vCard into *out (vcard_contact_clear)
 * and say whether it is a group card (X-ADDRESSBOOKSERVER-KIND:group or
 * KIND:group), which kith keeps as it is rather than as a contact (then
 * *out is left empty). KITH_EINPUT: not one card, or a card
 * vcard_to_contact refuses (err says which line and property).
 */
int card_parse_one(struct vcard_contact *out, bool *is_group, const char *text,
		   size_t len, struct kith_err *err);

/*
 * Write vc as contact id (0: a new contact, its id in *out_id) through
 * app_contact_add/update, so every rule of those holds, then make the
 * contact's dates the card's (a kind whose dates differ is replaced).
 * vc's fields move into the contact (vc is emptied). Statuses of
 * app_contact_add/update.
 */
int app_card_write(int64_t *out_id, struct app_ctx *ctx, int64_t id,
		   struct vcard_contact *vc, struct kith_err *err);

#endif
