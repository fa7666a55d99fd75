/*
 * insight.h: the views built on the scores: one contact's health, the
 * brief before a call, and the workspace report. Reads the store, calls
 * the pure core; prints nothing.
 */
#ifndef KITH_INSIGHT_H
#define KITH_INSIGHT_H

#include "app.h"

/* Health of one contact at ctx->now into *out (the caller's; owns
 * nothing). KITH_ENOTFOUND (no contact id), KITH_EIO, KITH_ENOMEM. */
int app_health(struct health *out, struct app_ctx *ctx, int64_t id,
	       struct kith_err *err);

struct brief_date {
	struct kdate date;
	int in_days;		/* until the next occurrence; -1: past */
	int years;		/* turning N; 0 unknown */
};

struct brief {
	struct contact contact;
	struct fact *facts;
	size_t n_facts;
	struct brief_date *dates;	/* upcoming first */
	size_t n_dates;
	struct touchpoint *recent;	/* newest first, at most 5 */
	size_t n_recent;
	kith_time last_by_channel[CH_COUNT];	/* KITH_NO_TIME: never */
	struct promise *promises;	/* open, overdue first */
	size_t n_promises;
	struct gift *gifts;
	size_t n_gifts;
	struct health health;
	struct loyalty loyalty;
	struct balance balance;
	/* Their clock: local time, and whether inside working hours. */
	char local_time[32];		/* "Fri 09:15" */
	char zone[64];			/* their zone, or the workspace's */
	bool working_hours;
	char **people;			/* names of other participants seen */
	size_t n_people;
};

/* Everything to read before a call with contact id, into *out: the
 * caller's, freed with brief_clear. KITH_ENOTFOUND (no contact id),
 * KITH_EIO, KITH_ENOMEM; on failure *out is already cleared. */
int app_brief(struct brief *out, struct app_ctx *ctx, int64_t id,
	      struct kith_err *err);
/* Free what b holds (not b); a cleared brief may be cleared again. */
void brief_clear(struct brief *b);

struct report_contact {
	int64_t id;
	char *name;
	enum tier tier;
	struct health health;
	struct loyalty loyalty;
	struct balance balance;
};

struct report_user {
	int64_t user_id;
	char *email;
	struct balance balance;	/* touches they took part in */
};

struct report {
	int contacts;
	struct balance balance;		/* the workspace over the window */
	int by_month[12][CH_COUNT];	/* channel mix, oldest month first */
	int month_year[12], month_num[12];
	int health_buckets[5];		/* 0-19, 20-39, 40-59, 60-79, 80-100 */
	double health_mean;
	struct report_contact *people;	/* every contact, by id */
	size_t n_people;
	struct report_user *users;	/* every member, by id */
	size_t n_users;
};

/* The workspace report at ctx->now into *out: the caller's,
 * freed with report_clear. KITH_EIO, KITH_ENOMEM; on failure *out is
 * already cleared. */
int app_report(struct report *out, struct app_ctx *ctx, struct kith_err *err);
/* Free what r holds (not r); a cleared report may be cleared again. */
void report_clear(struct report *r);

#endif
