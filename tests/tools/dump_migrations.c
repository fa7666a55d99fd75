/*
 * dump_migrations: the schema migrations and kith_due, for
 * tests/cli/T510-pg-schema.sh to apply and compare across engines.
 *
 *   dump_migrations count          how many migrations (migrate_count)
 *   dump_migrations sqlite N       migrate_sql(N) on stdout
 *   dump_migrations pg N           migrate_pg_sql(N) on stdout
 *   dump_migrations due            for each "CODE ANCHOR" line of stdin
 *                                  (either may be NULL), what SQLite's
 *                                  kith_due(CODE, ANCHOR) returns
 *                                  (src/store/sqlite.c): a number or NULL
 *
 * Exit 2 on a bad argument or a missing migration.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kith.h"
#include "store/migrate.h"

/* sql_kith_due of src/store/sqlite.c, minus sqlite3_value: the code is
 * read as sqlite3_value_int reads an int64 (its low 32 bits). */
static int due_line(const char *line)
{
	char code[32], anchor[32];
	int32_t c;

	if (sscanf(line, "%31s %31s", code, anchor) != 2)
		return 2;
	/* NULL reads as 0 through sqlite3_value_int */
	c = (int32_t)(uint32_t)(uint64_t)strtoll(code, NULL, 10);
	if (c == 0 || !strcmp(anchor, "NULL")) {
		puts("NULL");
		return 0;
	}
	printf("%" PRId64 "\n",
	       (int64_t)kith_cadence_due(kith_cadence_decode(c),
					 strtoll(anchor, NULL, 10)));
	return 0;
}

int main(int argc, char **argv)
{
	char line[128];
	const char *sql;
	long v;

	if (argc == 2 && !strcmp(argv[1], "count")) {
		printf("%zu\n", migrate_count());
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "due")) {
		while (fgets(line, sizeof(line), stdin))
			if (due_line(line))
				return 2;
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: dump_migrations count|due|sqlite N|pg N\n");
		return 2;
	}
	v = strtol(argv[2], NULL, 10);
	if (v < 1)
		return 2;
	if (!strcmp(argv[1], "sqlite"))
		sql = migrate_sql((size_t)v);
	else if (!strcmp(argv[1], "pg"))
		sql = migrate_pg_sql((size_t)v);
	else
		return 2;
	if (!sql) {
		fprintf(stderr, "dump_migrations: no %s migration %ld\n",
			argv[1], v);
		return 2;
	}
	puts(sql);
	return 0;
}
