/* meetings.c: calendar meetings as focus time and suggested touches. */
#include "meetings.h"
#include "../input/ical.h"

#include <stdlib.h>
#include <string.h>

#define WINDOW (90 * (kith_time)KITH_DAY)

int app_meetings_parse(struct meetings_parsed *out, struct app_ctx *ctx,
		       const char *text, size_t len, const char *file,
		       struct kith_err *err)
{
	return ical_parse(&out->ev, &out->n, text, len, file,
			  ctx->now - WINDOW, ctx->now + WINDOW, err);
}

int app_meetings_import(struct meetings_result *out, struct app_ctx *ctx,
			int64_t user_id, const char *text, size_t len,
			const char *file, struct kith_err *err)
{
	struct meetings_parsed p = { 0 };
	int rc = app_meetings_parse(&p, ctx, text, len, file, err);

	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	return app_meetings_store(out, ctx, user_id, &p, err);
}

int app_meetings_store(struct meetings_result *out, struct app_ctx *ctx,
		       int64_t user_id, struct meetings_parsed *p,
		       struct kith_err *err)
{
	struct ical_event *ev = p->ev;
	size_t n = p->n;
	int rc = KITH_OK;

	memset(out, 0, sizeof(*out));
	p->ev = NULL;
	p->n = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		struct meeting m = { 0 };

		m.user_id = user_id;
		m.uid = ev[i].uid;
		m.start = ev[i].start;
		m.end = ev[i].end;
		m.summary = ev[i].summary;
		m.video = ev[i].video;
		m.contacts = calloc(ev[i].attendees.n + 1, sizeof(*m.contacts));
		if (!m.contacts) {
			rc = kith_err_nomem(err);
			break;
		}
		for (size_t k = 0; !rc && k < ev[i].attendees.n; k++) {
			int64_t *ids = NULL;
			size_t nid = 0;

			/* Attendees by exact address only: a calendar says
			 * who was there, not who works nearby. */
			rc = store_contact_find(&ids, &nid, ctx->st, ctx->ws,
						ev[i].attendees.v[k], 0, err);
			if (!rc && nid == 1 && strchr(ev[i].attendees.v[k], '@'))
				m.contacts[m.n_contacts++] = ids[0];
			free(ids);
		}
		m.state = strdup(m.n_contacts && m.end <= ctx->now ? "suggested"
								   : "none");
		if (!rc)
			rc = store_meeting_put(ctx->st, ctx->ws, &m, err);
		/* A meeting already logged or dismissed keeps its state. */
		out->events++;
		if (m.n_contacts)
			out->with_contacts++;
		if (!rc && m.state && !strcmp(m.state, "suggested"))
			out->suggested++;
		free(m.contacts);
		free(m.state);
	}
	ical_events_free(ev, n);
	return rc;
}

int app_meeting_confirm(int64_t *touch_id, struct app_ctx *ctx, int64_t user_id,
			int64_t id, struct kith_err *err)
{
	struct meeting *m = NULL, *hit = NULL;
	struct touchpoint t = { 0 };
	size_t n = 0;
	int rc;

	rc = store_meeting_list(&m, &n, ctx->st, ctx->ws, user_id, NULL, err);
	for (size_t i = 0; !rc && i < n; i++)
		if (m[i].id == id)
			hit = &m[i];
	if (!rc && !hit)
		rc = kith_err_set(err, KITH_ENOTFOUND, "id", "no meeting %lld",
				  (long long)id);
	if (!rc && strcmp(hit->state, "suggested"))
		rc = kith_err_set(err, KITH_ECONFLICT, "id",
				  "meeting %lld is %s, not a suggestion",
				  (long long)id, hit->state);
	if (rc)
		goto done;
	t.at = hit->start;
	t.channel = hit->video ? CH_VIDEO : CH_IN_PERSON;
	t.direction = DIR_MUTUAL;
	t.minutes = (int)((hit->end - hit->start) / 60);
	t.note = hit->summary;
	t.source = (char *)"calendar";
	t.contacts = hit->contacts;
	t.n_contacts = hit->n_contacts;
	t.users = &hit->user_id;
	t.n_users = 1;
	t.created_at = ctx->now;
	rc = store_touch_add(ctx->st, ctx->ws, &t, err);
	if (!rc)
		rc = store_meeting_state(ctx->st, ctx->ws, user_id, id,
					 "logged", t.id, err);
	if (!rc)
		*touch_id = t.id;
done:
	store_meetings_free(m, n);
	return rc;
}
