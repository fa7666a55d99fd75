/*
 * score.h: the relationship formulas: channel richness, health,
 * human-touch balance and loyalty. Pure: no I/O, no clock; "now" and
 * "today" are parameters. Every constant here is documented with worked
 * examples in docs/FORMULAS.md and pinned by tests/unit/test_score.c.
 *
 * Contract of every function here: none can fail, so none returns a
 * status; none allocates; arrays passed in are borrowed and only read
 * (NULL with a count of 0 is fine), and out structs are the caller's,
 * written whole (score_balance_add adds to what *b holds: start from a
 * zeroed struct).
 */
#ifndef KITH_SCORE_H
#define KITH_SCORE_H

#include "model.h"

/* Richness of a channel, 1.0 for in person down to 0.15 for social. */
double score_richness(enum channel ch);
/* In person or video: the "face to face" of DESIGN.md. */
bool score_face_to_face(enum channel ch);
/* Richness >= 0.5: in person, video, call, letter, gift. */
bool score_human(enum channel ch);

/* The window most scores look back over. */
#define SCORE_WINDOW_DAYS 365
/* Default cadence for contacts with none of their own, tags or tier. */
#define SCORE_DEFAULT_EVERY_DAYS 90

/* One touch as the scores see it. */
struct score_touch {
	kith_time at;
	enum channel channel;
	enum direction direction;
};

/* One promise as the scores see it. */
struct score_promise {
	kith_time due;		/* KITH_NO_TIME: no due time */
	kith_time done_at;	/* KITH_NO_TIME: open */
};

struct health {
	int score;		/* 0..100: the sum of the rounded parts */
	double recency;		/* 0..40 */
	double richness;	/* 0..25 */
	double reciprocity;	/* 0..20 */
	double responsiveness;	/* 0..15 */
	int touches;		/* touches in the window */
	int score_30d_ago;
	int trend;		/* score - score_30d_ago */
	bool going_cold;
};

/*
 * Health of one relationship at `now` from its touches (any order) and
 * promises. `every` is the effective cadence (none: the default). Fills
 * the trend from the same formula evaluated 30 days earlier.
 */
void score_health(struct health *out, const struct score_touch *t, size_t nt,
		  const struct score_promise *p, size_t np,
		  struct cadence every, kith_time now);

struct balance {
	int total;			/* touches in the window */
	int by_channel[CH_COUNT];
	int human;			/* score_human() touches */
	int face_to_face;
	double human_share;		/* 0..1; 0 when total is 0 */
	double face_share;
	bool digital_only;		/* >= 2 touches, none human */
};

/* Add one touch to a balance if it falls in the window before now. */
void score_balance_add(struct balance *b, const struct score_touch *t,
		       kith_time now);
/* Finish shares and flags after the last add. */
void score_balance_finish(struct balance *b);

struct loyalty {
	double tenure_years;	/* 0 when no client-since date */
	int64_t lifetime_cents;
	kith_time last_gift;	/* KITH_NO_TIME: never */
	bool loyal;		/* tenure >= LOYAL_YEARS */
	bool thank_you_due;	/* loyal and no gift in THANKS_DAYS */
	double multiplier;	/* 1.0 .. 1.5: the agenda's loyalty weight */
};

#define SCORE_LOYAL_YEARS 3.0
#define SCORE_THANKS_DAYS 365

/* Tenure in years from a client-since day to today (0 if none/future). */
double score_tenure_years(int32_t since, int32_t today);
/* 1 + 0.05 per year of tenure, at most 1.5. */
double score_loyalty_multiplier(double tenure_years);
void score_loyalty(struct loyalty *out, int32_t since, int64_t lifetime_cents,
		   kith_time last_gift, int32_t today, kith_time now);

#endif
