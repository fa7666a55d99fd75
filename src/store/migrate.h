/* migrate.h: numbered schema migrations; store_open runs the missing ones
 * in one transaction each and records the version in PRAGMA user_version. */
#ifndef KITH_MIGRATE_H
#define KITH_MIGRATE_H

#include <stddef.h>

/* How many migrations exist; the newest schema version. */
size_t migrate_count(void);
/* SQL of migration `version` (1-based), or NULL. */
const char *migrate_sql(size_t version);
/* The same migration for PostgreSQL 15 (migrate_pg.c), or NULL: several
 * statements, to run in one transaction, after which the runner sets
 * kith_schema.version (a one-row table migration 1 creates) to
 * `version`, as SQLite's sets PRAGMA user_version. */
const char *migrate_pg_sql(size_t version);

/*
 * A contact's five lists as one text, the value of contact.lists for
 * the contact (ws, id), given as SQL expressions: emails, phones,
 * handles, tags, addresses, in that order, joined by char(29); each list
 * is its elements joined by char(31), an element's label (and a phone's
 * E.164 key) after char(30). The inputs refuse control characters, so
 * none can be in the text. One expression for the store, which keeps
 * the column (sqlite_contact.c), kith doctor's check of it, and
 * migration 22's backfill.
 */
#define CONTACT_LIST_SQL(x, table, order, ws, id)                            \
	"coalesce((SELECT group_concat(x, '\x1f') FROM (SELECT " x " AS x"   \
	" FROM " table " l WHERE l.workspace_id = " ws " AND l.contact_id = " \
	id " ORDER BY " order ") AS l), '')"
#define CONTACT_LISTS_SQL(ws, id)                                            \
	CONTACT_LIST_SQL("email || '\x1e' || label", "contact_email", "pos", \
			 ws, id)                                             \
	" || '\x1d' || "                                                     \
	CONTACT_LIST_SQL("phone || '\x1e' || label || '\x1e' ||"             \
			 " coalesce(e164, '')", "contact_phone", "pos", ws,  \
			 id)                                                 \
	" || '\x1d' || "                                                     \
	CONTACT_LIST_SQL("handle", "contact_handle", "pos", ws, id)          \
	" || '\x1d' || "                                                     \
	CONTACT_LIST_SQL("tag", "contact_tag", "tag", ws, id)                \
	" || '\x1d' || "                                                     \
	CONTACT_LIST_SQL("address || '\x1e' || label", "contact_address",    \
			 "pos", ws, id)
/* Migration 22, the same text on both engines: a contact's lists kept
 * on its row, so that reading a contact reads one row, not five lists. */
#define MIGRATE_22_SQL                                                       \
	"ALTER TABLE contact ADD COLUMN lists TEXT;"                         \
	"UPDATE contact SET lists = "                                        \
	CONTACT_LISTS_SQL("contact.workspace_id", "contact.id") ";"

/* Migration 23, the same text on both engines: promise_open ends in
 * id, the promise page's tie-break ((due, id) > (?, ?) ORDER BY due,
 * id), as 16 made the group indexes end. Neither engine had id in it
 * (SQLite's rowid is not the id since 19), so both read every promise
 * due at the first page's time and sorted them: on the 1M agenda book
 * 547 index entries and a sort for a page of 32, 10 ms under EXPLAIN
 * ANALYZE on PostgreSQL, against 24 buffers and 0.3 ms. */
#define MIGRATE_23_SQL                                                       \
	"DROP INDEX promise_open;"                                           \
	"CREATE INDEX promise_open ON promise(workspace_id, due, id)"        \
	" WHERE done_at IS NULL;"

/* SQLite only, after every batch of migrations, in its transaction:
 * statistics for each index that leads with workspace_id and has none,
 * so the planner knows a workspace holds many rows. */
const char *migrate_stats_sql(void);

#endif
