/*
 * tzif.c: TZif files (RFC 8536) and POSIX TZ rules, read once per zone.
 *
 * Why not libc: it knows one zone at a time, through $TZ, so converting
 * in a tenant's zone meant setenv+tzset under a process-wide lock that
 * every request took (and setenv raced getenv in libcurl and libical).
 * Why not libical's icaltimezone: its built-in zones are loaded and
 * extended lazily under one global mutex (icaltimezone_builtin_lock),
 * and that code has a history of races (libical issues 319, 441/468,
 * and 1029 still open in 2025). Here a zone is parsed once into an
 * immutable struct and published in a fixed table of atomic pointers: a
 * lookup is a hash and a few loads, a conversion a binary search, and
 * no thread ever waits for another. Zones are never freed (there are
 * about 600; the table holds 4096).
 */
#include "tzif.h"
#include "kith.h"

#include <ctype.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZONEINFO       "/usr/share/zoneinfo"
#define TZIF_MAX_BYTES (1 << 20)
#define CACHE_SLOTS    4096 /* a power of two */

/* A POSIX TZ date: Jn (1..365, no Feb 29), n (0..365), or Mm.w.d. */
struct rule_date {
	char kind; /* 'J', 'N' or 'M' */
	int m, w, d, n;
	int32_t secs; /* local time of day of the change */
};

struct posix_rule {
	int ok;
	int has_dst;
	int32_t std_off, dst_off; /* seconds east of UTC */
	char std_abbr[16], dst_abbr[16];
	struct rule_date start, end;
};

struct ttype {
	int32_t off;
	uint8_t isdst;
	uint8_t abbr; /* index into abbrs */
};

struct tzif_zone {
	char key[80]; /* what the cache knows it by */
	size_t n;     /* transitions */
	int64_t *at;
	uint8_t *idx;
	size_t ntypes;
	struct ttype *types;
	char *abbrs;
	size_t nabbrs;
	struct posix_rule rule; /* after the last transition */
};

static _Atomic(struct tzif_zone *) cache[CACHE_SLOTS];

static struct tzif_zone utc_zone = {
    .key = "UTC",
    .rule = {.ok = 1, .std_abbr = "UTC"},
};

/* ---- POSIX TZ strings ("CST6CDT,M3.2.0,M11.1.0") ---- */

static const char *posix_abbr(const char *p, char out[16])
{
	size_t n = 0;

	if (*p == '<') {
		for (p++; *p && *p != '>'; p++)
			if (n < 15)
				out[n++] = *p;
		if (*p != '>')
			return NULL;
		p++;
	} else {
		for (; isalpha((unsigned char)*p); p++)
			if (n < 15)
				out[n++] = *p;
	}
	out[n] = '\0';
	return n >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]], hours up to 167 (RFC 8536 extension). */
static const char *posix_hms(const char *p, int32_t *out)
{
	int sign = 1, part[3] = {0, 0, 0};

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (int i = 0; i < 3; i++) {
		int v = 0, digits = 0;

		if (i && *p != ':')
			break;
		if (i)
			p++;
		while (isdigit((unsigned char)*p) && digits < 3) {
			v = v * 10 + (*p++ - '0');
			digits++;
		}
		if (!digits)
			return NULL;
		part[i] = v;
	}
	if (part[0] > 167 || part[1] > 59 || part[2] > 59)
		return NULL;
	*out = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
	return p;
}

static const char *posix_num(const char *p, int lo, int hi, int *out)
{
	int v = 0, digits = 0;

	while (isdigit((unsigned char)*p) && digits < 4) {
		v = v * 10 + (*p++ - '0');
		digits++;
	}
	if (!digits || v < lo || v > hi)
		return NULL;
	*out = v;
	return p;
}

static const char *posix_date(const char *p, struct rule_date *r)
{
	r->secs = 7200;
	if (*p == 'M') {
		r->kind = 'M';
		p = posix_num(p + 1, 1, 12, &r->m);
		if (p && *p == '.')
			p = posix_num(p + 1, 1, 5, &r->w);
		else
			p = NULL;
		if (p && *p == '.')
			p = posix_num(p + 1, 0, 6, &r->d);
		else
			p = NULL;
	} else if (*p == 'J') {
		r->kind = 'J';
		p = posix_num(p + 1, 1, 365, &r->n);
	} else {
		r->kind = 'N';
		p = posix_num(p, 0, 365, &r->n);
	}
	if (p && *p == '/')
		p = posix_hms(p + 1, &r->secs);
	return p;
}

static int posix_parse(const char *s, struct posix_rule *r)
{
	const char *p = s;
	int32_t v;

	memset(r, 0, sizeof(*r));
	p = posix_abbr(p, r->std_abbr);
	if (!p || !(p = posix_hms(p, &v)))
		return -1;
	r->std_off = -v; /* POSIX counts west of Greenwich */
	if (!*p) {
		r->ok = 1;
		return 0;
	}
	p = posix_abbr(p, r->dst_abbr);
	if (!p)
		return -1;
	r->has_dst = 1;
	r->dst_off = r->std_off + 3600;
	if (*p && *p != ',') {
		if (!(p = posix_hms(p, &v)))
			return -1;
		r->dst_off = -v;
	}
	if (!*p) {
		/* No rule: POSIX leaves it to the system; tzcode uses the
		 * US rules, and so does glibc. */
		p = "M3.2.0,M11.1.0";
	} else if (*p == ',') {
		p++;
	} else {
		return -1;
	}
	p = posix_date(p, &r->start);
	if (!p || *p != ',')
		return -1;
	p = posix_date(p + 1, &r->end);
	if (!p || *p)
		return -1;
	r->ok = 1;
	return 0;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The UTC instant of a rule's change in year y; off is the offset in
 * force just before it (the rule's time is local time of that offset). */
static int64_t rule_time(const struct rule_date *r, int y, int32_t off)
{
	int64_t day = kith_days_from_civil(y, 1, 1);

	if (r->kind == 'J') {
		day += r->n - 1 + (is_leap(y) && r->n >= 60);
	} else if (r->kind == 'N') {
		day += r->n;
	} else {
		int64_t first = kith_days_from_civil(y, r->m, 1);
		int wd = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01: Thu */

		day = first + (r->d - wd + 7) % 7 + (int64_t)(r->w - 1) * 7;
		while (day >= first + kith_days_in_month(y, r->m))
			day -= 7;
	}
	return day * KITH_DAY + r->secs - off;
}

static void rule_at(const struct posix_rule *r, int64_t t,
		    struct tzif_info *out)
{
	int64_t local = t + r->std_off, days, start, end;
	int y, m, d, dst;

	out->utoff = r->std_off;
	out->isdst = 0;
	out->abbr = r->std_abbr;
	if (!r->has_dst)
		return;
	days = local / KITH_DAY - (local % KITH_DAY < 0);
	if (days < INT32_MIN || days > INT32_MAX)
		return;
	kith_civil_from_days((int32_t)days, &y, &m, &d);
	start = rule_time(&r->start, y, r->std_off);
	end = rule_time(&r->end, y, r->dst_off);
	if (start < end)
		dst = t >= start && t < end;
	else /* southern hemisphere: summer spans the new year */
		dst = !(t >= end && t < start);
	if (dst) {
		out->utoff = r->dst_off;
		out->isdst = 1;
		out->abbr = r->dst_abbr;
	}
}

/* ---- TZif ---- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void zone_free(struct tzif_zone *z)
{
	if (!z || z == &utc_zone)
		return;
	free(z->at);
	free(z->idx);
	free(z->types);
	free(z->abbrs);
	free(z);
}

/* Parse buf[0..len) into z; 0, or -1 when it is not a sound TZif. */
static int tzif_parse(struct tzif_zone *z, const unsigned char *b, size_t len)
{
	size_t cnt[6], tsize = 4, need;
	const unsigned char *p;

	if (len < 44 || memcmp(b, "TZif", 4))
		return -1;
	for (int i = 0; i < 6; i++)
		cnt[i] = be32(b + 20 + 4 * i);
	/* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
	p = b + 44;
	need = cnt[3] * 5 + cnt[4] * 6 + cnt[5] + cnt[2] * 8 + cnt[1] + cnt[0];
	if (cnt[3] > len || cnt[4] > 256 || cnt[5] > len || cnt[2] > len ||
	    need > len - 44)
		return -1;
	if (b[4] >= '2') {
		/* Skip the 32-bit block: the 64-bit one follows. */
		p += need;
		if ((size_t)(b + len - p) < 44 || memcmp(p, "TZif", 4))
			return -1;
		for (int i = 0; i < 6; i++)
			cnt[i] = be32(p + 20 + 4 * i);
		p += 44;
		tsize = 8;
		need = cnt[3] * 9 + cnt[4] * 6 + cnt[5] + cnt[2] * 12 + cnt[1] +
		       cnt[0];
		if (cnt[3] > len || cnt[4] > 256 || cnt[5] > len ||
		    cnt[2] > len || need > (size_t)(b + len - p))
			return -1;
	}
	if (!cnt[4])
		return -1;
	z->n = cnt[3];
	z->ntypes = cnt[4];
	z->nabbrs = cnt[5] + 1;
	z->at = malloc((z->n ? z->n : 1) * sizeof(*z->at));
	z->idx = malloc(z->n ? z->n : 1);
	z->types = malloc(z->ntypes * sizeof(*z->types));
	z->abbrs = malloc(z->nabbrs);
	if (!z->at || !z->idx || !z->types || !z->abbrs)
		return -1;
	for (size_t i = 0; i < z->n; i++, p += tsize) {
		if (tsize == 8)
			z->at[i] =
			    (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
		else
			z->at[i] = (int32_t)be32(p);
		if (i && z->at[i] <= z->at[i - 1])
			return -1;
	}
	for (size_t i = 0; i < z->n; i++, p++) {
		if (*p >= z->ntypes)
			return -1;
		z->idx[i] = *p;
	}
	for (size_t i = 0; i < z->ntypes; i++, p += 6) {
		z->types[i].off = (int32_t)be32(p);
		z->types[i].isdst = p[4] != 0;
		z->types[i].abbr = p[5];
		if (p[5] >= z->nabbrs)
			return -1;
		if (z->types[i].off < -25 * 3600 || z->types[i].off > 26 * 3600)
			return -1;
	}
	memcpy(z->abbrs, p, cnt[5]);
	z->abbrs[cnt[5]] = '\0';
	p += cnt[5] + cnt[2] * (tsize + 4) + cnt[1] + cnt[0];
	/* The footer: "\n" POSIX-TZ "\n", for times after the last
	 * transition. An empty one (or a version 1 file) has none. */
	if (tsize == 8 && p < b + len && *p == '\n') {
		const unsigned char *e =
		    memchr(p + 1, '\n', (size_t)(b + len - p - 1));
		char rule[128];

		if (e && e > p + 1 && (size_t)(e - p - 1) < sizeof(rule)) {
			memcpy(rule, p + 1, (size_t)(e - p - 1));
			rule[e - p - 1] = '\0';
			if (posix_parse(rule, &z->rule))
				memset(&z->rule, 0, sizeof(z->rule));
		}
	}
	return 0;
}

/* Read path into a new zone; NULL if it is not a regular TZif file.
 * O_NONBLOCK and the S_ISREG check keep a FIFO or a device (the
 * /dev/stdin of review M7) from blocking the caller. */
static struct tzif_zone *zone_load_file(const char *path, const char *key)
{
	struct tzif_zone *z = NULL;
	unsigned char *buf = NULL;
	struct stat sb;
	ssize_t got = 0;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size < 44 ||
	    sb.st_size > TZIF_MAX_BYTES)
		goto fail;
	buf = malloc((size_t)sb.st_size);
	z = calloc(1, sizeof(*z));
	if (!buf || !z)
		goto fail;
	while (got < sb.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)(sb.st_size - got));

		if (r <= 0)
			goto fail;
		got += r;
	}
	snprintf(z->key, sizeof(z->key), "%s", key);
	if (tzif_parse(z, buf, (size_t)got))
		goto fail;
	free(buf);
	close(fd);
	return z;
fail:
	free(buf);
	zone_free(z);
	close(fd);
	return NULL;
}

static struct tzif_zone *zone_load(const char *key)
{
	char path[160];

	switch (key[0]) {
	case 'z': /* a zoneinfo name */
		snprintf(path, sizeof(path), ZONEINFO "/%s", key + 2);
		return zone_load_file(path, key);
	case 'f': /* a file the operator named in $TZ */
		return zone_load_file(key + 2, key);
	case 'p': { /* a POSIX TZ string from $TZ */
		struct tzif_zone *z = calloc(1, sizeof(*z));

		if (!z)
			return NULL;
		snprintf(z->key, sizeof(z->key), "%s", key);
		if (posix_parse(key + 2, &z->rule)) {
			free(z);
			return NULL;
		}
		return z;
	}
	}
	return NULL;
}

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The cached zone of key, loaded and published on first use. */
static const struct tzif_zone *cache_get(const char *key)
{
	uint32_t h = fnv1a(key);

	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		_Atomic(struct tzif_zone *) *slot =
		    &cache[(h + i) & (CACHE_SLOTS - 1)];
		struct tzif_zone *z =
		    atomic_load_explicit(slot, memory_order_acquire);
		struct tzif_zone *fresh, *seen = NULL;

		if (z) {
			if (!strcmp(z->key, key))
				return z;
			continue;
		}
		fresh = zone_load(key);
		if (!fresh)
			return NULL; /* no such zone: nothing cached */
		if (atomic_compare_exchange_strong_explicit(
			slot, &seen, fresh, memory_order_acq_rel,
			memory_order_acquire))
			return fresh;
		/* Another thread filled the slot first. */
		zone_free(fresh);
		if (!strcmp(seen->key, key))
			return seen;
	}
	return NULL;
}

int tzif_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (!n || n > 64 || name[0] == '/' || name[0] == '-' ||
	    name[n - 1] == '/' || strstr(name, "..") || strstr(name, "//"))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) &&
		    !strchr("/_+-", name[i]))
			return 0;
	return 1;
}

/* $TZ as libc reads it: unset is /etc/localtime, "" and ":" UTC, a
 * leading ':' dropped, an absolute path a file, else a zone name or a
 * POSIX rule. Read per call (it is a getenv); kith itself never sets it. */
static const struct tzif_zone *default_zone(void)
{
	const char *tz = getenv("TZ");
	const struct tzif_zone *z = NULL;
	char key[80];

	if (!tz)
		tz = "/etc/localtime";
	if (*tz == ':')
		tz++;
	if (!*tz || strlen(tz) > 70)
		return &utc_zone;
	if (tz[0] == '/') {
		snprintf(key, sizeof(key), "f:%s", tz);
		z = cache_get(key);
	} else {
		if (tzif_name_ok(tz)) {
			snprintf(key, sizeof(key), "z:%s", tz);
			z = cache_get(key);
		}
		if (!z) {
			snprintf(key, sizeof(key), "p:%s", tz);
			z = cache_get(key);
		}
	}
	return z ? z : &utc_zone;
}

const struct tzif_zone *tzif_get(const char *name)
{
	char key[80];

	if (!name || !*name)
		return default_zone();
	if (!tzif_name_ok(name))
		return NULL;
	snprintf(key, sizeof(key), "z:%s", name);
	return cache_get(key);
}

void tzif_at(const struct tzif_zone *z, int64_t t, struct tzif_info *out)
{
	size_t lo = 0, hi;
	const struct ttype *ty;

	if (!z)
		z = &utc_zone;
	if (!z->n || t >= z->at[z->n - 1]) {
		if (z->rule.ok) {
			rule_at(&z->rule, t, out);
			return;
		}
		if (!z->n) {
			ty = &z->types[0];
			goto found;
		}
	}
	if (t < z->at[0]) {
		ty = &z->types[0];
		goto found;
	}
	/* The last transition at or before t. */
	hi = z->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (z->at[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	ty = &z->types[z->idx[lo]];
found:
	out->utoff = ty->off;
	out->isdst = ty->isdst;
	out->abbr = z->abbrs + ty->abbr;
}

/* ---- zone to country ---- */

/* zone.tab's rows (country, zone), read once; sorted by zone. */
struct zone_country {
	char cc[3];
	char *zone;
};
static struct zone_country *zone_countries;
static size_t n_zone_countries;
static pthread_once_t zone_countries_once = PTHREAD_ONCE_INIT;

static int zone_country_cmp(const void *a, const void *b)
{
	return strcmp(((const struct zone_country *)a)->zone,
		      ((const struct zone_country *)b)->zone);
}

static void zone_countries_load(void)
{
	FILE *f = fopen(ZONEINFO "/zone.tab", "r");
	char line[512];
	size_t cap = 0;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *cc, *coord, *zone, *save;
		struct zone_country *grown;

		if (line[0] == '#')
			continue;
		cc = strtok_r(line, "\t\n", &save);
		coord = cc ? strtok_r(NULL, "\t\n", &save) : NULL;
		zone = coord ? strtok_r(NULL, "\t\n", &save) : NULL;
		if (!zone || strlen(cc) != 2)
			continue;
		if (n_zone_countries == cap) {
			grown = realloc(zone_countries,
					(cap = cap * 2 + 64) * sizeof(*grown));
			if (!grown)
				break;
			zone_countries = grown;
		}
		memcpy(zone_countries[n_zone_countries].cc, cc, 3);
		if (!(zone_countries[n_zone_countries].zone = strdup(zone)))
			break;
		n_zone_countries++;
	}
	fclose(f);
	qsort(zone_countries, n_zone_countries, sizeof(*zone_countries),
	      zone_country_cmp);
}

const char *tzif_country(const char *zone)
{
	struct zone_country key = { .zone = (char *)zone }, *hit;

	if (!zone || !*zone)
		return NULL;
	pthread_once(&zone_countries_once, zone_countries_load);
	if (!n_zone_countries)
		return NULL;
	hit = bsearch(&key, zone_countries, n_zone_countries,
		      sizeof(*zone_countries), zone_country_cmp);
	return hit ? hit->cc : NULL;
}

/* /etc/localtime's zone, read once: an import asks for every card. */
static char localtime_zone[512];
static pthread_once_t localtime_once = PTHREAD_ONCE_INIT;

static void localtime_read(void)
{
	char link[512];
	ssize_t n = readlink("/etc/localtime", link, sizeof(link) - 1);
	const char *z;

	if (n <= 0)
		return;
	link[n] = '\0';
	z = strstr(link, "zoneinfo/");
	if (z)
		snprintf(localtime_zone, sizeof(localtime_zone), "%s", z + 9);
}

const char *tzif_local_country(void)
{
	const char *tz = getenv("TZ"), *z;
	char link[512];
	ssize_t n;

	if (tz && *tz == ':')
		tz++;
	if (tz && *tz && tz[0] != '/')
		return tzif_country(tz);
	if (!tz || !*tz) {
		pthread_once(&localtime_once, localtime_read);
		return tzif_country(localtime_zone);
	}
	n = readlink(tz, link, sizeof(link) - 1);
	if (n <= 0)
		return NULL;
	link[n] = '\0';
	z = strstr(link, "zoneinfo/");
	return z ? tzif_country(z + 9) : NULL;
}
