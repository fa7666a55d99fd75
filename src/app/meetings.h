/*
 * meetings.h: a calendar's meetings become focus time (alerts wait while
 * the owner is in one) and, once past, suggested touchpoints with the
 * contacts who attended, confirmed in one step.
 */
#ifndef KITH_MEETINGS_H
#define KITH_MEETINGS_H

#include "app.h"

struct meetings_result {
	size_t events;		/* occurrences read in the window */
	size_t with_contacts;	/* of which a contact attended */
	size_t suggested;	/* past ones now waiting to be confirmed */
};

/* Import an .ics text for user_id: occurrences from 90 days back to 90
 * days ahead of now (recurrences expanded). Re-importing is idempotent. */
int app_meetings_import(struct app_ctx *ctx, int64_t user_id,
			const char *text, size_t len, const char *file,
			struct meetings_result *out, struct kith_err *err);
/* Log the suggested meeting id as a touchpoint (in person, or video for a
 * conference link); *touch_id gets the new touch. */
int app_meeting_confirm(struct app_ctx *ctx, int64_t id, int64_t *touch_id,
			struct kith_err *err);

#endif
