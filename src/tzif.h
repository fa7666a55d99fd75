/*
 * tzif.h: time zones without $TZ. Reads the zoneinfo database's TZif
 * files (RFC 8536: transitions, local time types, the POSIX TZ footer
 * rule for times after the last transition) into immutable zones that
 * are cached for the life of the process and shared by every thread
 * without a lock. kith.c's zone helpers are built on it; nothing else
 * should need it.
 */
#ifndef KITH_TZIF_H
#define KITH_TZIF_H

#include <stdint.h>

struct tzif_zone;

/* One instant's local time type. abbr lives as long as the process. */
struct tzif_info {
	int32_t utoff; /* seconds east of UTC */
	int isdst;
	const char *abbr;
};

/*
 * The zone named name ("Europe/London"), loaded once and then shared;
 * NULL or "" is the process's default zone ($TZ as libc reads it, else
 * /etc/localtime, else UTC). NULL when name is no zone of the zoneinfo
 * database (see tzif_name_ok) or its file is not TZif. Never freed.
 */
const struct tzif_zone *tzif_get(const char *name);
/* Is name shaped like a zone name: relative, no "..", only
 * [A-Za-z0-9/_+-], at most 64 bytes. Says nothing of the file. */
int tzif_name_ok(const char *name);
/* The local time type of zone z at UTC instant t. */
void tzif_at(const struct tzif_zone *z, int64_t t, struct tzif_info *out);

/*
 * The ISO 3166 country of zone ("Europe/Berlin" -> "DE"), from the
 * zoneinfo database's zone.tab (read once, shared); NULL for a zone that
 * is no country's ("UTC", "Etc/GMT+5") or when zone.tab is missing.
 * An import uses it to read a national phone number.
 */
const char *tzif_country(const char *zone);
/* The country of the process's default zone: $TZ when it names a zone
 * (a leading ':' dropped), else the zone /etc/localtime links to; NULL
 * when neither names a country's zone. */
const char *tzif_local_country(void);

#endif
