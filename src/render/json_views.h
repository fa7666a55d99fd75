/*
 * json_views.h: the JSON of the app's results: the agenda, a brief,
 * health, the report and signal stats, for `--json` and the HTTP API.
 * Same rules as json.h: each returns a new reference the caller owns
 * (json_decref), NULL on no memory; arguments are borrowed and only read;
 * nothing else fails. It sits above app/, so no app/ file may include it.
 */
#ifndef KITH_RENDER_JSON_VIEWS_H
#define KITH_RENDER_JSON_VIEWS_H

#include "json.h"
#include "../app/agenda_query.h"
#include "../app/import.h"
#include "../app/insight.h"
#include "../app/signals.h"

/* {"target_minutes", "workspace": stats, "users": [{"user_id", stats}],
 * "weekly": [{"week": "2026-11-16", stats}]} with stats {median_minutes,
 * p90_minutes, breaches, answered, waiting}; weekly only with weeks
 * (SIGNAL_WEEKS of them, oldest first). */
json_t *kj_signal_stats(const struct signal_user_stats *per, size_t n,
			  const struct respond_stats *all, int target,
			  const struct signal_week *weeks);
/* The agenda's items; with w, each says the contact's local time and
 * whether the workspace's working hours hold there (weekdays). */
json_t *kj_agenda(const struct agenda_list *l, const struct workspace *w,
		    kith_time now);
json_t *kj_health(const struct health *h);
json_t *kj_brief(const struct brief *b, kith_time now);
json_t *kj_report(const struct report *r);
/* An import's report: {"created", "merged", "unchanged", "skipped",
 * "dry_run", "profile" (null for vCard), "unknown_columns": [...],
 * "items": [{"line", "name", "action", "contact_id", "matched_by",
 * "reason"}]} (null where an item has none); with_file each item also
 * names its "file" (an import of several files). */
json_t *kj_import_report(const struct import_report *r, bool with_file);

#endif
