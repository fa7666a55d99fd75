/*
 * vcard.h (render): write vCard 3.0 (the default) or 4.0: whole parsed
 * cards, or a kith contact with the card it was imported from, so what
 * kith does not model (PHOTO, X- properties, groups, Apple labels,
 * parameters) goes back out. Lines are CRLF-ended and folded at 75
 * octets without splitting a UTF-8 sequence (RFC 6350 3.2). Reading is
 * input/vcard.h; choosing which contacts to write is the caller's.
 */
#ifndef KITH_RENDER_VCARD_H
#define KITH_RENDER_VCARD_H

#include "../input/vcard.h"

/* A growable output buffer; buf is NUL-terminated when len > 0. */
struct vcard_out {
	char *buf;
	size_t len, cap;
};

/* Append s[0..n) to o (the CSV and iCalendar writers share this
 * buffer); KITH_ENOMEM (o unchanged). Amortised O(n). */
int vcard_out_add(struct vcard_out *o, const char *s, size_t n);

/* Free o->buf and empty o; NULL allowed. */
void vcard_out_free(struct vcard_out *o);

/*
 * Append card to out as version v (VCARD_30 or VCARD_40; 2.1 is read,
 * never written): BEGIN, VERSION, every property in order, END. Values
 * are written as they were read (the neutral form is already escaped
 * 3.0 text); inline binary changes spelling between versions (3.0
 * ENCODING=b;TYPE=JPEG and 4.0 data:image/jpeg;base64,). KITH_ENOMEM.
 * Cost: linear in the card; one realloc per doubling of out.
 */
int vcard_write_card(struct vcard_out *out, const struct vcard *card,
		     enum vcard_version v);

/*
 * Append contact vc as version v. vc->card (the card it was imported
 * from, or NULL) is written back property by property, except that a
 * property kith models is written from the model: an EMAIL or TEL whose
 * value the contact no longer has is left out (with its group's
 * X-ABLABEL), a changed FN, ORG, TITLE, NOTE, BDAY or ANNIVERSARY gets
 * the contact's value (keeping its group and parameters when the value
 * is unchanged); values the card did not have are added at the end.
 * A year-less date is "--MMDD" in 4.0 and Apple's
 * "BDAY;X-APPLE-OMIT-YEAR=1604:1604-MM-DD" in 3.0.
 * KITH_EINPUT when vc->card is not a card this module wrote (corrupt
 * blob; err says so), KITH_ENOMEM.
 */
int vcard_write_contact(struct vcard_out *out, const struct vcard_contact *vc,
			enum vcard_version v, struct kith_err *err);

/* Escape text for a vCard value (\\ \, \; \n) onto out; KITH_ENOMEM. */
int vcard_text_escape(struct vcard_out *out, const char *s);

#endif
