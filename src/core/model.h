/*
 * model.h: the plain structs every layer passes around: contacts,
 * touchpoints, facts, dates, promises, gifts. No behaviour but free
 * functions; the store fills them, core computes over them, render
 * writes them. Strings are owned by the struct unless marked borrowed.
 */
#ifndef KITH_MODEL_H
#define KITH_MODEL_H

#include "../kith.h"

#include <stdbool.h>

#define KITH_NO_DAY INT32_MIN

enum channel {
	CH_IN_PERSON,
	CH_VIDEO,
	CH_CALL,
	CH_LETTER,
	CH_GIFT,
	CH_TEXT,
	CH_EMAIL,
	CH_SOCIAL,
	CH_COUNT
};

enum direction { DIR_OUT, DIR_IN, DIR_MUTUAL, DIR_COUNT };

enum tier { TIER_NONE, TIER_A, TIER_B, TIER_C, TIER_COUNT };

/* Whom a cadence rule covers: everyone, a tier, or a tag. */
enum cadence_scope {
	CADENCE_DEFAULT,
	CADENCE_TIER,
	CADENCE_TAG,
	CADENCE_COUNT
};

struct strlist {
	char **v;
	size_t n;
};

struct contact {
	int64_t id;
	char *name;
	struct strlist emails;
	struct strlist phones;
	struct strlist tags;
	struct strlist handles;	/* social handles, "@dana" */
	int64_t org_id;		/* 0: none */
	char *org_name;		/* filled on read; ignored on write */
	char *title;
	char *tz;		/* NULL: the workspace's */
	char *notes;
	enum tier tier;
	struct cadence every;	/* own; none: inherit from tags, tier */
	struct cadence meet_every;
	int32_t since;		/* client-since day, or KITH_NO_DAY */
	int64_t owner_id;	/* 0: none */
	kith_time snooze_until;	/* KITH_NO_TIME: not snoozed */
	kith_time created_at;
	kith_time updated_at;
	int64_t version;	/* bumped on every change: the ETag */

	/*
	 * What an address book knows (vCard, CSV, CardDAV). Each label list
	 * is empty or runs parallel to its values ("work", "mobile", an
	 * Apple custom label; "" for none). phone_keys is the E.164 form of
	 * each phone ("" when the country is unknown), derived by the use
	 * case for matching; never taken from input. card is the vCard the
	 * contact came from, kept opaque so that what kith does not model
	 * goes back out (render/vcard.h); uid is its UID. On an update a
	 * NULL uid or card keeps the stored one.
	 */
	char *uid;
	char *card;
	struct strlist email_labels;
	struct strlist phone_labels;
	struct strlist phone_keys;
	struct strlist addresses;	/* one line each */
	struct strlist address_labels;

	/* Summaries kept by the store on every write. */
	kith_time last_touch;	 /* KITH_NO_TIME: never */
	kith_time last_in_person; /* KITH_NO_TIME: never */
	struct cadence eff_every; /* resolved: own, tags, tier, default */
	struct cadence eff_meet;
	kith_time due_at;	/* next due for any touch; NO_TIME: none */
	kith_time meet_due_at;	/* next due face to face; NO_TIME: none */
	int64_t touch_count;
};

struct touchpoint {
	int64_t id;
	kith_time at;
	enum channel channel;
	enum direction direction;
	int minutes;		/* 0: not given */
	char *note;
	char *source;		/* "manual", "import", ... */
	int64_t *contacts;	/* participant contact ids */
	size_t n_contacts;
	int64_t *users;		/* participant user ids */
	size_t n_users;
	kith_time created_at;
};

struct fact {
	int64_t id;
	int64_t contact_id;
	char *text;
	kith_time created_at;
};

/* A date worth remembering. Yearly dates recur on their month and day. */
struct kdate {
	int64_t id;
	int64_t contact_id;
	char *kind;		/* "birthday", "anniversary", free words */
	int32_t day;		/* the date itself (year may be unknown) */
	bool year_known;
	bool yearly;
	kith_time created_at;
};

struct promise {
	int64_t id;
	int64_t contact_id;
	char *text;
	kith_time due;		/* KITH_NO_TIME: no due time */
	kith_time done_at;	/* KITH_NO_TIME: open */
	kith_time created_at;
	char *contact_name;	/* filled on list reads */
};

struct gift {
	int64_t id;
	int64_t contact_id;	/* 0 when given to an organization */
	int64_t org_id;
	char *text;
	int64_t value_cents;
	kith_time at;
};

struct revenue {
	int64_t id;
	int64_t contact_id;
	int64_t org_id;
	int64_t amount_cents;
	kith_time at;
	char *note;
};

enum role { ROLE_VIEWER, ROLE_MEMBER, ROLE_OWNER, ROLE_COUNT };

struct user {
	int64_t id;
	int64_t workspace_id;
	char *email;
	char *name;
	enum role role;
	char *password_hash;	/* argon2id string; NULL: cannot sign in */
	char *tz;		/* "" : the workspace's */
	kith_time created_at;
	kith_time focus_until;	/* KITH_NO_TIME: not focused */
	int32_t digest_day;	/* last morning digest sent; KITH_NO_DAY */
};

struct api_token {
	int64_t id;
	int64_t user_id;
	char *name;
	kith_time created_at;
	kith_time last_used_at;	/* KITH_NO_TIME: never */
	kith_time revoked_at;	/* KITH_NO_TIME: live */
	kith_time expires_at;	/* KITH_NO_TIME: never */
};

enum signal_type {
	SIG_WEBSITE_VISIT,
	SIG_MENTION,
	SIG_INBOUND_EMAIL,
	SIG_MISSED_CALL,
	SIG_FORM,
	SIG_COUNT
};

/* An inbound event that deserves a human answer. */
struct signal {
	int64_t id;
	char *ext_id;		/* the sender's id: deliveries dedupe on it */
	enum signal_type type;
	char *email, *name, *handle, *url, *text;
	kith_time at;
	kith_time received_at;
	int64_t contact_id;	/* 0: an unmatched lead */
	kith_time answered_at;	/* KITH_NO_TIME: waiting */
	char *contact_name;	/* filled on reads */
	int64_t owner_id;	/* the contact's owner, filled on reads */
	char *owner_tz;		/* the owner's zone ("" : workspace's) */
};

struct meeting {
	int64_t id;
	int64_t user_id;
	char *uid;
	kith_time start, end;
	char *summary;
	bool video;		/* a conference link: a video touch */
	char *state;		/* none, suggested, logged, dismissed */
	int64_t touch_id;
	int64_t *contacts;	/* attendees who are contacts */
	size_t n_contacts;
};

struct notify_target {
	int64_t id;
	int64_t user_id;
	char *url;
	bool json;
	kith_time created_at;
};

/* What a member is told: a signal, or a digest of held ones. */
struct alert {
	int64_t id;
	int64_t user_id;
	char *kind;		/* "signal", "digest" */
	int64_t signal_id;
	char *data;		/* the event's JSON */
	kith_time created_at;
};

struct outbox_item {
	int64_t id;
	int64_t workspace_id;
	int64_t target_id;
	char *url;
	bool json;
	char *body;
	int attempts;
};

struct organization {
	int64_t id;
	char *name;
	kith_time created_at;
};

/*
 * Names and parsers of the enums, one spelling each. A *_name or
 * channel_label returns a static string (never freed, never NULL): the
 * name the CLI and the JSON API use, "?" for a value out of range ("" for
 * tier_name, whose TIER_NONE is ""). A *_parse sets *out and returns
 * KITH_OK for an exact name (tier_parse also takes a, b, c, "none" and
 * ""), else KITH_EINPUT with err->field = field and the names it takes in
 * the message, leaving *out alone; s may be NULL (KITH_EINPUT). They
 * allocate nothing.
 */
const char *channel_name(enum channel ch);
/* Words for people: "In person", "Video"... */
const char *channel_label(enum channel ch);
int channel_parse(enum channel *out, const char *s, const char *field,
		  struct kith_err *err);
const char *direction_name(enum direction d);
int direction_parse(enum direction *out, const char *s, const char *field,
		    struct kith_err *err);
const char *role_name(enum role r);	/* "viewer", "member", "owner" */
int role_parse(enum role *out, const char *s, const char *field,
	       struct kith_err *err);
const char *tier_name(enum tier t);	/* "A", "B", "C", "" */
const char *signal_type_name(enum signal_type t);
int signal_type_parse(enum signal_type *out, const char *s, const char *field,
		      struct kith_err *err);
int tier_parse(enum tier *out, const char *s, const char *field,
	       struct kith_err *err);
/* "default", "tier", "tag"; "?" for a value out of range. */
const char *cadence_scope_name(enum cadence_scope s);
/* The inverse; anything else is KITH_EINPUT naming field. */
int cadence_scope_parse(enum cadence_scope *out, const char *s,
			const char *field, struct kith_err *err);

/* Append a copy of s (l owns it). 0, or -1 when out of memory (not a
 * kith status, and no err: the caller says KITH_ENOMEM); l is then as it
 * was, with possibly more room. */
int strlist_push(struct strlist *l, const char *s);
/* Does l hold s, ignoring ASCII case? */
bool strlist_has_ci(const struct strlist *l, const char *s);
/* Free every string and the array; l is left empty and reusable. */
void strlist_clear(struct strlist *l);

/* A contact with every field empty (tier none, no cadence); owns nothing. */
void contact_init(struct contact *c);
/*
 * The *_clear functions free every string and array the struct owns (the
 * store and the parsers hand out structs that own all their pointers);
 * none frees the struct itself, and each accepts NULL and a zeroed
 * struct. contact_clear leaves contact_init's empty contact and the
 * others zero the struct, so a second clear is harmless, except
 * fact_clear, kdate_clear, promise_clear, gift_clear and revenue_clear:
 * they leave the freed pointers in place, so clear those once.
 */
void contact_clear(struct contact *c);
void touchpoint_clear(struct touchpoint *t);
void fact_clear(struct fact *f);
void kdate_clear(struct kdate *d);
void promise_clear(struct promise *p);
void gift_clear(struct gift *g);
void revenue_clear(struct revenue *r);
void user_clear(struct user *u);
void api_token_clear(struct api_token *t);
void signal_clear(struct signal *s);
void meeting_clear(struct meeting *m);
void alert_clear(struct alert *a);
void outbox_item_clear(struct outbox_item *o);

#endif
