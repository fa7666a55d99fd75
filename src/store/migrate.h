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
 * Migration 22, the same text on both engines: a contact's lists kept on
 * its row (contact.lists; sqlite_contact.c's LISTS_SQL keeps them after),
 * so that reading a contact reads one row, not five lists. Backfilled
 * with the expression the store keeps them with.
 */
#define MIGRATE_22_LIST(x, table, order)                                     \
	"coalesce((SELECT group_concat(x, '\x1f') FROM (SELECT " x " AS x"   \
	" FROM " table " l WHERE l.workspace_id = contact.workspace_id"      \
	" AND l.contact_id = contact.id ORDER BY " order ") AS l), '')"
#define MIGRATE_22_SQL                                                       \
	"ALTER TABLE contact ADD COLUMN lists TEXT;"                         \
	"UPDATE contact SET lists = "                                        \
	MIGRATE_22_LIST("email || '\x1e' || label", "contact_email", "pos")  \
	" || '\x1d' || "                                                     \
	MIGRATE_22_LIST("phone || '\x1e' || label || '\x1e' ||"              \
			" coalesce(e164, '')", "contact_phone", "pos")       \
	" || '\x1d' || " MIGRATE_22_LIST("handle", "contact_handle", "pos")  \
	" || '\x1d' || " MIGRATE_22_LIST("tag", "contact_tag", "tag")        \
	" || '\x1d' || "                                                     \
	MIGRATE_22_LIST("address || '\x1e' || label", "contact_address",     \
			"pos") ";"

/* SQLite only, after every batch of migrations, in its transaction:
 * statistics for each index that leads with workspace_id and has none,
 * so the planner knows a workspace holds many rows. */
const char *migrate_stats_sql(void);

#endif
