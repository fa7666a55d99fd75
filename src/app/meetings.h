/*
 * meetings.h: a calendar's meetings become focus time (alerts wait while
 * the owner is in one) and, once past, suggested touchpoints with the
 * contacts who attended, confirmed in one step.
 */
#ifndef KITH_MEETINGS_H
#define KITH_MEETINGS_H

#include "app.h"

struct ical_event;

struct meetings_result {
	size_t events;		/* occurrences read in the window */
	size_t with_contacts;	/* of which a contact attended */
	size_t suggested;	/* past ones now waiting to be confirmed */
};

/* A calendar read but not yet stored: parsing needs no lock, so the
 * server parses first and takes the write lock only to store. */
struct meetings_parsed {
	struct ical_event *ev;
	size_t n;
};

/* Read an .ics text (borrowed): occurrences from 90 days back to 90 days
 * ahead of ctx->now (recurrences expanded), within ical.h's limits. No
 * store. ical_parse's statuses: KITH_EINPUT with err at file:line and
 * the property, KITH_ENOMEM; on KITH_OK *out holds the events, which
 * app_meetings_store takes (on error *out is empty). */
int app_meetings_parse(struct meetings_parsed *out, struct app_ctx *ctx,
		       const char *text, size_t len, const char *file,
		       struct kith_err *err);
/* Store what app_meetings_parse read, for user_id, and count it in *out.
 * Takes p's events whatever the status (p is left empty). KITH_EIO,
 * KITH_ENOMEM from the store. */
int app_meetings_store(struct meetings_result *out, struct app_ctx *ctx,
		       int64_t user_id, struct meetings_parsed *p,
		       struct kith_err *err);
/* Both in one: import an .ics text for user_id. Re-importing is
 * idempotent. The statuses of both. */
int app_meetings_import(struct meetings_result *out, struct app_ctx *ctx,
			int64_t user_id, const char *text, size_t len,
			const char *file, struct kith_err *err);
/* Log the suggested meeting id of user_id (0: any user, the CLI) as a
 * touchpoint (in person, or video for a conference link); *touch_id gets
 * the new touch. KITH_ENOTFOUND (field "id": no such meeting of that
 * user), KITH_ECONFLICT (field "id": not a suggestion, e.g. already
 * confirmed), or store_touch_add's statuses. */
int app_meeting_confirm(int64_t *touch_id, struct app_ctx *ctx, int64_t user_id,
			int64_t id, struct kith_err *err);

#endif
