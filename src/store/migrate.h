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

/* SQLite only, after every batch of migrations, in its transaction:
 * statistics for each index that leads with workspace_id and has none,
 * so the planner knows a workspace holds many rows. */
const char *migrate_stats_sql(void);

#endif
