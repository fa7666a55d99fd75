/* csv.c: contacts CSV (RFC 4180) into neutral vCard properties, with the
 * column sets of Google, Outlook, Apple-style and LinkedIn exports. */
#include "csv.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *csv_profile_name(enum csv_profile p)
{
	switch (p) {
	case CSV_GENERIC:
		return "generic";
	case CSV_GOOGLE:
		return "google";
	case CSV_OUTLOOK:
		return "outlook";
	case CSV_APPLE:
		return "apple";
	case CSV_LINKEDIN:
		return "linkedin";
	}
	return "generic";
}

/* ---- records ---- */

struct rec {
	size_t *off; /* field i is buf + off[i], NUL-terminated */
	size_t n, cap;
	char *buf;
	size_t blen, bcap;
	int line; /* where the record starts */
};

struct reader {
	const char *p, *end;
	int line;
	char sep;
	const char *file;
	struct kith_err *err;
};

static int rerr(const char *file, int line, const char *field,
		struct kith_err *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int rerr(const char *file, int line, const char *field,
		struct kith_err *err, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kith_err_set(err, KITH_EINPUT, field, "%s", msg);
	kith_err_at(err, file ? file : "", line);
	return KITH_EINPUT;
}

static int rec_byte(struct rec *r, char c)
{
	if (r->blen + 1 >= r->bcap) {
		size_t nc = r->bcap ? r->bcap * 2 : 1024;
		char *nb = realloc(r->buf, nc);

		if (!nb)
			return -1;
		r->buf = nb;
		r->bcap = nc;
	}
	r->buf[r->blen++] = c;
	return 0;
}

static int rec_field(struct rec *r, size_t off)
{
	if (rec_byte(r, '\0'))
		return -1;
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 32;
		size_t *no = realloc(r->off, nc * sizeof(*no));

		if (!no)
			return -1;
		r->off = no;
		r->cap = nc;
	}
	r->off[r->n++] = off;
	return 0;
}

#define F(r, i) ((r)->buf + (r)->off[i])

/* Read one record: KITH_OK with *got 1, or 0 at the end; else a status
 * (err filled). */
static int read_record(struct reader *rd, struct rec *r, int *got)
{
	const char *p = rd->p, *end = rd->end;

	*got = 0;
	r->n = 0;
	r->blen = 0;
	r->line = rd->line;
	if (p >= end)
		return KITH_OK;
	for (;;) {
		size_t off = r->blen;

		if (r->n >= CSV_MAX_COLUMNS)
			return rerr(rd->file, r->line, "", rd->err,
				    "more than %d columns", CSV_MAX_COLUMNS);
		if (p < end && *p == '"') {
			int qline = rd->line;

			p++;
			for (;;) {
				if (p >= end)
					return rerr(rd->file, qline, "",
						    rd->err,
						    "a quoted field is not "
						    "closed");
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						if (rec_byte(r, '"'))
							return KITH_ENOMEM;
						p += 2;
						continue;
					}
					p++;
					break;
				}
				if (*p == '\n')
					rd->line++;
				if (rec_byte(r, *p))
					return KITH_ENOMEM;
				p++;
			}
			/* Excel writes "a" , b: spaces may follow a quote */
			while (p < end && *p == ' ' && rd->sep != ' ')
				p++;
			if (p < end && *p != rd->sep && *p != '\r' &&
			    *p != '\n')
				return rerr(rd->file, rd->line, "", rd->err,
					    "text after a closing quote");
			if (p < end && *p == '\r' &&
			    !(p + 1 < end && p[1] == '\n'))
				p++; /* a lone CR ends a Mac line */
		} else {
			while (p < end && *p != rd->sep && *p != '\n') {
				if (rec_byte(r, *p))
					return KITH_ENOMEM;
				p++;
			}
			if (r->blen > off && r->buf[r->blen - 1] == '\r')
				r->blen--;
		}
		if (r->blen - off > CSV_MAX_FIELD)
			return rerr(rd->file, r->line, "", rd->err,
				    "a field longer than %zu bytes",
				    CSV_MAX_FIELD);
		if (rec_field(r, off))
			return KITH_ENOMEM;
		if (p < end && *p == rd->sep) {
			p++;
			continue;
		}
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n') {
			p++;
			rd->line++;
		}
		break;
	}
	rd->p = p;
	*got = 1;
	return KITH_OK;
}

static int rec_blank(const struct rec *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (const char *s = F(r, i); *s; s++)
			if (!isspace((unsigned char)*s))
				return 0;
	return 1;
}

/* ---- columns ---- */

enum target {
	T_UNKNOWN,
	T_IGNORE,
	T_NAME,
	T_GIVEN,
	T_MIDDLE,
	T_FAMILY,
	T_PREFIX,
	T_SUFFIX,
	T_NICK,
	T_EMAIL,
	T_PHONE,
	T_ORG,
	T_DEPT,
	T_TITLE,
	T_NOTES,
	T_BDAY,
	T_ANNIV,
	T_ADDRESS, /* one formatted cell */
	T_POBOX,
	T_EXT,
	T_STREET,
	T_CITY,
	T_REGION,
	T_POSTCODE,
	T_COUNTRY,
	T_URL,
	T_UID,
	T_TZ,
	T_CATEGORIES,
	T_CONNECTED,
	T_EMAIL_LABEL,
	T_PHONE_LABEL,
	T_ADDR_LABEL,
	T_URL_LABEL,
	T_EVENT,
	T_EVENT_LABEL,
};

struct col {
	enum target t;
	const char *label; /* fixed label, or NULL */
	int slot;	   /* ties Google's numbered and Outlook's
			    * Business/Home columns together */
};

static const struct {
	const char *name;
	enum target t;
	const char *label;
	int slot;
} known[] = {
    {"Name", T_NAME, NULL, 0},
    {"Full Name", T_NAME, NULL, 0},
    {"Display Name", T_NAME, NULL, 0},
    {"Given Name", T_GIVEN, NULL, 0},
    {"First Name", T_GIVEN, NULL, 0},
    {"Additional Name", T_MIDDLE, NULL, 0},
    {"Middle Name", T_MIDDLE, NULL, 0},
    {"Family Name", T_FAMILY, NULL, 0},
    {"Last Name", T_FAMILY, NULL, 0},
    {"Surname", T_FAMILY, NULL, 0},
    {"Name Prefix", T_PREFIX, NULL, 0},
    {"Prefix", T_PREFIX, NULL, 0},
    {"Name Suffix", T_SUFFIX, NULL, 0},
    {"Suffix", T_SUFFIX, NULL, 0},
    {"Nickname", T_NICK, NULL, 0},
    {"E-mail", T_EMAIL, NULL, 0},
    {"Email", T_EMAIL, NULL, 0},
    {"E-mail Address", T_EMAIL, NULL, 0},
    {"Email Address", T_EMAIL, NULL, 0},
    {"E-mail 2 Address", T_EMAIL, NULL, 0},
    {"E-mail 3 Address", T_EMAIL, NULL, 0},
    /* Outlook's derived columns: the address says it all */
    {"E-mail Display Name", T_IGNORE, NULL, 0},
    {"E-mail 2 Display Name", T_IGNORE, NULL, 0},
    {"E-mail 3 Display Name", T_IGNORE, NULL, 0},
    {"E-mail Type", T_IGNORE, NULL, 0},
    {"E-mail 2 Type", T_IGNORE, NULL, 0},
    {"E-mail 3 Type", T_IGNORE, NULL, 0},
    {"Phone", T_PHONE, NULL, 0},
    {"Telephone", T_PHONE, NULL, 0},
    {"Mobile", T_PHONE, "mobile", 0},
    {"Mobile Phone", T_PHONE, "mobile", 0},
    {"Home Phone", T_PHONE, "home", 0},
    {"Home Phone 2", T_PHONE, "home", 0},
    {"Business Phone", T_PHONE, "work", 0},
    {"Business Phone 2", T_PHONE, "work", 0},
    {"Business Fax", T_PHONE, "work fax", 0},
    {"Home Fax", T_PHONE, "home fax", 0},
    {"Other Fax", T_PHONE, "fax", 0},
    {"Other Phone", T_PHONE, "other", 0},
    {"Primary Phone", T_PHONE, NULL, 0},
    {"Company Main Phone", T_PHONE, "main", 0},
    {"Assistant's Phone", T_PHONE, "assistant", 0},
    {"Car Phone", T_PHONE, "car", 0},
    {"Pager", T_PHONE, "pager", 0},
    {"Company", T_ORG, NULL, 0},
    {"Organization", T_ORG, NULL, 0},
    {"Organisation", T_ORG, NULL, 0},
    {"Organization Name", T_ORG, NULL, 0},
    {"Department", T_DEPT, NULL, 0},
    {"Organization Department", T_DEPT, NULL, 0},
    {"Job Title", T_TITLE, NULL, 0},
    {"Position", T_TITLE, NULL, 0},
    {"Organization Title", T_TITLE, NULL, 0},
    {"Notes", T_NOTES, NULL, 0},
    {"Note", T_NOTES, NULL, 0},
    {"Birthday", T_BDAY, NULL, 0},
    {"Date of Birth", T_BDAY, NULL, 0},
    {"Anniversary", T_ANNIV, NULL, 0},
    {"Address", T_ADDRESS, NULL, 0},
    {"Street", T_STREET, NULL, 0},
    {"City", T_CITY, NULL, 0},
    {"State", T_REGION, NULL, 0},
    {"Region", T_REGION, NULL, 0},
    {"Postal Code", T_POSTCODE, NULL, 0},
    {"ZIP", T_POSTCODE, NULL, 0},
    {"Country", T_COUNTRY, NULL, 0},
    {"Business Street", T_STREET, "work", 101},
    {"Business Street 2", T_EXT, "work", 101},
    {"Business Street 3", T_EXT, "work", 101},
    {"Business City", T_CITY, "work", 101},
    {"Business State", T_REGION, "work", 101},
    {"Business Postal Code", T_POSTCODE, "work", 101},
    {"Business Country/Region", T_COUNTRY, "work", 101},
    {"Business Country", T_COUNTRY, "work", 101},
    {"Business PO Box", T_POBOX, "work", 101},
    {"Home Street", T_STREET, "home", 102},
    {"Home Street 2", T_EXT, "home", 102},
    {"Home Street 3", T_EXT, "home", 102},
    {"Home City", T_CITY, "home", 102},
    {"Home State", T_REGION, "home", 102},
    {"Home Postal Code", T_POSTCODE, "home", 102},
    {"Home Country/Region", T_COUNTRY, "home", 102},
    {"Home Country", T_COUNTRY, "home", 102},
    {"Home PO Box", T_POBOX, "home", 102},
    {"Other Street", T_STREET, "other", 103},
    {"Other Street 2", T_EXT, "other", 103},
    {"Other Street 3", T_EXT, "other", 103},
    {"Other City", T_CITY, "other", 103},
    {"Other State", T_REGION, "other", 103},
    {"Other Postal Code", T_POSTCODE, "other", 103},
    {"Other Country/Region", T_COUNTRY, "other", 103},
    {"Other PO Box", T_POBOX, "other", 103},
    {"Web Page", T_URL, NULL, 0},
    {"Personal Web Page", T_URL, "home", 0},
    {"Business Web Page", T_URL, "work", 0},
    {"Website", T_URL, NULL, 0},
    {"Web Site", T_URL, NULL, 0},
    {"URL", T_URL, NULL, 0},
    {"Profile URL", T_URL, NULL, 0},
    {"UID", T_UID, NULL, 0},
    {"Time Zone", T_TZ, NULL, 0},
    {"Timezone", T_TZ, NULL, 0},
    {"Categories", T_CATEGORIES, NULL, 0},
    {"Group Membership", T_CATEGORIES, NULL, 0},
    {"Labels", T_CATEGORIES, NULL, 0},
    {"Tags", T_CATEGORIES, NULL, 0},
    {"Connected On", T_CONNECTED, NULL, 0},
};

#define N_KNOWN (sizeof(known) / sizeof(known[0]))

static const struct {
	const char *name;
	enum target t;
} map_targets[] = {
    {"name", T_NAME},
    {"given", T_GIVEN},
    {"middle", T_MIDDLE},
    {"family", T_FAMILY},
    {"prefix", T_PREFIX},
    {"suffix", T_SUFFIX},
    {"nickname", T_NICK},
    {"email", T_EMAIL},
    {"phone", T_PHONE},
    {"org", T_ORG},
    {"department", T_DEPT},
    {"title", T_TITLE},
    {"notes", T_NOTES},
    {"note", T_NOTES},
    {"birthday", T_BDAY},
    {"anniversary", T_ANNIV},
    {"address", T_ADDRESS},
    {"street", T_STREET},
    {"city", T_CITY},
    {"region", T_REGION},
    {"postcode", T_POSTCODE},
    {"country", T_COUNTRY},
    {"url", T_URL},
    {"uid", T_UID},
    {"tz", T_TZ},
    {"categories", T_CATEGORIES},
    {"ignore", T_IGNORE},
};

/* Google's "E-mail 2 - Value", "Address 1 - City", "Event 1 - Label". */
static int google_col(const char *h, struct col *c)
{
	static const struct {
		const char *kind, *field;
		enum target t;
	} g[] = {
	    {"E-mail", "Value", T_EMAIL},
	    {"E-mail", "Type", T_EMAIL_LABEL},
	    {"E-mail", "Label", T_EMAIL_LABEL},
	    {"Phone", "Value", T_PHONE},
	    {"Phone", "Type", T_PHONE_LABEL},
	    {"Phone", "Label", T_PHONE_LABEL},
	    {"Address", "Formatted", T_ADDRESS},
	    {"Address", "Type", T_ADDR_LABEL},
	    {"Address", "Label", T_ADDR_LABEL},
	    {"Address", "Street", T_STREET},
	    {"Address", "City", T_CITY},
	    {"Address", "PO Box", T_POBOX},
	    {"Address", "Region", T_REGION},
	    {"Address", "Postal Code", T_POSTCODE},
	    {"Address", "Country", T_COUNTRY},
	    {"Address", "Extended Address", T_EXT},
	    {"Organization", "Name", T_ORG},
	    {"Organization", "Title", T_TITLE},
	    {"Organization", "Department", T_DEPT},
	    {"Organization", "Type", T_IGNORE},
	    {"Organization", "Label", T_IGNORE},
	    {"Website", "Value", T_URL},
	    {"Website", "Type", T_URL_LABEL},
	    {"Website", "Label", T_URL_LABEL},
	    {"Event", "Value", T_EVENT},
	    {"Event", "Type", T_EVENT_LABEL},
	    {"Event", "Label", T_EVENT_LABEL},
	};
	const char *dash = strstr(h, " - ");
	char kind[32];
	int n = 0, k;

	if (!dash)
		return 0;
	k = (int)(dash - h);
	while (k > 0 && isdigit((unsigned char)h[k - 1]))
		k--;
	if (k == (int)(dash - h) || k < 2 || h[k - 1] != ' ')
		return 0;
	n = atoi(h + k);
	if (k - 1 >= (int)sizeof(kind))
		return 0;
	memcpy(kind, h, (size_t)(k - 1));
	kind[k - 1] = '\0';
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++)
		if (!strcasecmp(kind, g[i].kind) &&
		    !strcasecmp(dash + 3, g[i].field)) {
			c->t = g[i].t;
			c->label = NULL;
			/* the slot only pairs a value with its label or its
			 * parts, so the kind's initial is enough beside n */
			c->slot = n * 16 + (int)(g[i].kind[0] & 15);
			return 1;
		}
	return 0;
}

/* Apple-style "Email (work)", "Phone (mobile)", "Address (home)". */
static int paren_col(const char *h, struct col *c, char *label, size_t cap)
{
	const char *open = strchr(h, '('), *close = strrchr(h, ')');
	char kind[32];
	size_t k;

	if (!open || !close || close < open || close[1])
		return 0;
	k = (size_t)(open - h);
	while (k && h[k - 1] == ' ')
		k--;
	if (!k || k >= sizeof(kind))
		return 0;
	memcpy(kind, h, k);
	kind[k] = '\0';
	snprintf(label, cap, "%.*s", (int)(close - open - 1), open + 1);
	label[kith_utf8_cut(label, strlen(label))] = '\0';
	for (char *s = label; *s; s++)
		*s = (char)tolower((unsigned char)*s);
	if (!strcasecmp(kind, "Email") || !strcasecmp(kind, "E-mail"))
		c->t = T_EMAIL;
	else if (!strcasecmp(kind, "Phone"))
		c->t = T_PHONE;
	else if (!strcasecmp(kind, "Address"))
		c->t = T_ADDRESS;
	else if (!strcasecmp(kind, "URL") || !strcasecmp(kind, "Website"))
		c->t = T_URL;
	else
		return 0;
	return 1;
}

/* ---- building cards ---- */

struct builder {
	struct vcard_arena *a;
	struct vcard_prop *props;
	size_t n, cap;
	struct vcard *cards;
	size_t n_cards, cards_cap;
	struct vcard_out_s {
		char *p;
		size_t len, cap;
	} esc;
};

static char *adup(struct vcard_arena *a, const char *s, size_t n)
{
	char *d = vcard_arena_alloc(a, n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static int esc_add(struct builder *b, const char *s, size_t n)
{
	if (b->esc.len + n + 1 > b->esc.cap) {
		size_t nc = b->esc.cap ? b->esc.cap : 256;
		char *np;

		while (nc < b->esc.len + n + 1)
			nc *= 2;
		np = realloc(b->esc.p, nc);
		if (!np)
			return -1;
		b->esc.p = np;
		b->esc.cap = nc;
	}
	memcpy(b->esc.p + b->esc.len, s, n);
	b->esc.len += n;
	b->esc.p[b->esc.len] = '\0';
	return 0;
}

/* Append text escaped for a vCard value (a component when comp). */
static int esc_text(struct builder *b, const char *s)
{
	for (; *s; s++) {
		const char *r = NULL;

		if (*s == '\\')
			r = "\\\\";
		else if (*s == ',')
			r = "\\,";
		else if (*s == ';')
			r = "\\;";
		else if (*s == '\n')
			r = "\\n";
		else if (*s == '\r')
			continue;
		if (r ? esc_add(b, r, 2) : esc_add(b, s, 1))
			return -1;
	}
	return 0;
}

/* Add a property whose value is b->esc; label (lower-case) as TYPE. */
static int add(struct builder *b, const char *name, const char *label,
	       const char *pname, int line)
{
	struct vcard_prop *p;
	struct vcard_param *pa = NULL;

	if (b->n == b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 32;
		struct vcard_prop *np = realloc(b->props, nc * sizeof(*np));

		if (!np)
			return -1;
		b->props = np;
		b->cap = nc;
	}
	if (b->n >= VCARD_MAX_PROPS)
		return -2;
	p = &b->props[b->n];
	memset(p, 0, sizeof(*p));
	p->name = name;
	p->line = line;
	if (label && *label) {
		const char **v = vcard_arena_alloc(b->a, sizeof(*v));

		pa = vcard_arena_alloc(b->a, sizeof(*pa));
		if (!pa || !v)
			return -1;
		*v = adup(b->a, label, strlen(label));
		if (!*v)
			return -1;
		pa->name = pname ? pname : "TYPE";
		pa->values = v;
		pa->n_values = 1;
		p->params = pa;
		p->n_params = 1;
	}
	p->value = adup(b->a, b->esc.p ? b->esc.p : "", b->esc.len);
	if (!p->value)
		return -1;
	p->value_len = b->esc.len;
	b->n++;
	return 0;
}

static void trim(char *s)
{
	size_t n = strlen(s), k = 0;

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (isspace((unsigned char)s[k]))
		k++;
	if (k)
		memmove(s, s + k, n - k + 1);
}

/* Google's labels: "* Home" is the preferred home; lower-case them. */
static void clean_label(char *dst, size_t cap, const char *s)
{
	size_t o = 0;

	while (*s == '*' || *s == ' ')
		s++;
	for (; *s && o + 1 < cap; s++)
		dst[o++] = (char)tolower((unsigned char)*s);
	dst[kith_utf8_cut(dst, o)] = '\0';
	trim(dst);
}

/* The i-th of Google's " ::: "-joined values of s into dst; 0 if none. */
static int nth_value(char *dst, size_t cap, const char *s, size_t i)
{
	const char *p = s, *q;

	for (size_t k = 0; k < i; k++) {
		q = strstr(p, " ::: ");
		if (!q)
			return 0;
		p = q + 5;
	}
	q = strstr(p, " ::: ");
	snprintf(dst, cap, "%.*s", (int)(q ? (size_t)(q - p) : strlen(p)), p);
	/* A value cut by cap keeps whole characters. */
	dst[kith_utf8_cut(dst, strlen(dst))] = '\0';
	trim(dst);
	return 1;
}

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
				     "jul", "aug", "sep", "oct", "nov", "dec"};

static int month_word(const char *s)
{
	for (int i = 0; i < 12; i++)
		if (!strncasecmp(s, months[i], 3))
			return i + 1;
	return 0;
}

/*
 * A date cell into "YYYY-MM-DD" or "--MM-DD"; *empty for Outlook's
 * "0/0/00". Slashes are month first (Outlook's US export) unless the
 * first number cannot be a month.
 */
static int csv_date(char *out, size_t cap, const char *s, int *empty)
{
	int y = 0, m = 0, d = 0, a, b2, c, n = 0;
	char w[16];

	*empty = 0;
	if (!strcmp(s, "0/0/00") || !strcmp(s, "00.00.00") || !*s) {
		*empty = 1;
		return 0;
	}
	if (sscanf(s, "--%2d-%2d%n", &m, &d, &n) == 2 && !s[n]) {
		y = 0;
	} else if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 &&
		   (!s[n] || s[n] == 'T' || s[n] == ' ')) {
	} else if (strlen(s) == 8 && strspn(s, "0123456789") == 8 &&
		   sscanf(s, "%4d%2d%2d", &y, &m, &d) == 3) {
	} else if (sscanf(s, "%d/%d/%d%n", &a, &b2, &c, &n) == 3 && !s[n]) {
		if (a > 12) {
			d = a;
			m = b2;
		} else {
			m = a;
			d = b2;
		}
		y = c < 100 ? (c < 30 ? 2000 + c : 1900 + c) : c;
	} else if (sscanf(s, "%d.%d.%d%n", &d, &m, &y, &n) == 3 && !s[n]) {
		if (y < 100)
			y = y < 30 ? 2000 + y : 1900 + y;
	} else if (sscanf(s, "%d %15s %d%n", &d, w, &y, &n) == 3 && !s[n] &&
		   (m = month_word(w))) {
	} else if (sscanf(s, "%15s %d, %d%n", w, &d, &y, &n) == 3 && !s[n] &&
		   (m = month_word(w))) {
	} else {
		return -1;
	}
	if (m < 1 || m > 12 || d < 1 || y < 0 || y > 9999 ||
	    d > kith_days_in_month(y ? y : 2000, m))
		return -1;
	if (y)
		snprintf(out, cap, "%04d-%02d-%02d", y, m, d);
	else
		snprintf(out, cap, "--%02d-%02d", m, d);
	return 0;
}

/* ---- the parse ---- */

struct addr {
	int slot;
	const char *label;
	const char *part[8]; /* pobox, ext, street, city, region, code,
			      * country, formatted */
};

static int comp_of(enum target t)
{
	switch (t) {
	case T_POBOX:
		return 0;
	case T_EXT:
		return 1;
	case T_STREET:
		return 2;
	case T_CITY:
		return 3;
	case T_REGION:
		return 4;
	case T_POSTCODE:
		return 5;
	case T_COUNTRY:
		return 6;
	case T_ADDRESS:
		return 7;
	default:
		return -1;
	}
}

/* The label column paired with column i's slot, or NULL. */
static const char *paired(const struct col *cols, const struct rec *r, size_t i,
			  enum target lt)
{
	for (size_t k = 0; k < r->n; k++)
		if (cols[k].t == lt && cols[k].slot == cols[i].slot)
			return F(r, k);
	return NULL;
}

struct ctx {
	const char *file;
	struct kith_err *err;
	struct col *cols;
	size_t ncols;
	char **headers;
	struct builder b;
	unsigned char *used; /* unknown column with a value */
};

static int row_to_card(struct ctx *x, const struct rec *r)
{
	struct builder *b = &x->b;
	const struct col *cols = x->cols;
	struct addr addrs[8];
	size_t naddr = 0;
	const char *parts[T_EVENT_LABEL + 1] = {0};
	/* lval apart from buf: a label read into buf's second half cut a
	 * value of 256 bytes or more (a long URL) and took its place. */
	char buf[512], lab[128], lval[256];
	int line = r->line, rc;
	struct vcard card;

	b->n = 0;
	/* the first cell of each single-valued kind */
	for (size_t i = 0; i < r->n && i < x->ncols; i++) {
		enum target t = cols[i].t;

		if (*F(r, i) && !parts[t])
			parts[t] = F(r, i);
	}
#define ADD(name, label, pname)                                                \
	do {                                                                   \
		rc = add(b, name, label, pname, line);                         \
		if (rc == -2)                                                  \
			return rerr(x->file, line, name, x->err,               \
				    "more than %d properties",                 \
				    VCARD_MAX_PROPS);                          \
		if (rc)                                                        \
			return kith_err_nomem(x->err);                         \
	} while (0)
#define ESC(s)                                                                 \
	do {                                                                   \
		if (esc_text(b, s))                                            \
			return kith_err_nomem(x->err);                         \
	} while (0)

	/* FN: the name, else given middle family, else org, else e-mail */
	b->esc.len = 0;
	if (parts[T_NAME]) {
		ESC(parts[T_NAME]);
	} else {
		const enum target order[] = {T_PREFIX, T_GIVEN, T_MIDDLE,
					     T_FAMILY, T_SUFFIX};
		size_t o = 0;

		buf[0] = '\0';
		for (size_t k = 0; k < 5; k++)
			if (parts[order[k]])
				o += (size_t)snprintf(
				    buf + o,
				    o < sizeof(buf) ? sizeof(buf) - o : 0,
				    "%s%s", o ? " " : "", parts[order[k]]);
		if (!buf[0] && parts[T_ORG])
			snprintf(buf, sizeof(buf), "%s", parts[T_ORG]);
		if (!buf[0] && parts[T_EMAIL])
			nth_value(buf, sizeof(buf), parts[T_EMAIL], 0);
		buf[kith_utf8_cut(buf, strlen(buf))] = '\0';
		ESC(buf);
	}
	if (b->esc.len)
		ADD("FN", NULL, NULL);
	if (parts[T_GIVEN] || parts[T_FAMILY] || parts[T_MIDDLE] ||
	    parts[T_PREFIX] || parts[T_SUFFIX]) {
		const enum target order[] = {T_FAMILY, T_GIVEN, T_MIDDLE,
					     T_PREFIX, T_SUFFIX};

		b->esc.len = 0;
		for (size_t k = 0; k < 5; k++) {
			if (k && esc_add(b, ";", 1))
				return kith_err_nomem(x->err);
			if (parts[order[k]])
				ESC(parts[order[k]]);
		}
		ADD("N", NULL, NULL);
	}
	if (parts[T_NICK]) {
		b->esc.len = 0;
		ESC(parts[T_NICK]);
		ADD("NICKNAME", NULL, NULL);
	}
	if (parts[T_ORG] || parts[T_DEPT]) {
		b->esc.len = 0;
		if (parts[T_ORG])
			ESC(parts[T_ORG]);
		if (parts[T_DEPT]) {
			if (esc_add(b, ";", 1))
				return kith_err_nomem(x->err);
			ESC(parts[T_DEPT]);
		}
		ADD("ORG", NULL, NULL);
	}
	if (parts[T_TITLE]) {
		b->esc.len = 0;
		ESC(parts[T_TITLE]);
		ADD("TITLE", NULL, NULL);
	}
	/* multi-valued columns, in column order */
	for (size_t i = 0; i < r->n && i < x->ncols; i++) {
		const char *v = F(r, i), *name = NULL;
		enum target t = cols[i].t, lt = T_UNKNOWN;

		if (!*v)
			continue;
		if (t == T_EMAIL) {
			name = "EMAIL";
			lt = T_EMAIL_LABEL;
		} else if (t == T_PHONE) {
			name = "TEL";
			lt = T_PHONE_LABEL;
		} else if (t == T_URL) {
			name = "URL";
			lt = T_URL_LABEL;
		}
		if (!name)
			continue;
		for (size_t k = 0; nth_value(buf, sizeof(buf), v, k); k++) {
			const char *lv = paired(cols, r, i, lt);

			lab[0] = '\0';
			if (cols[i].label)
				snprintf(lab, sizeof(lab), "%s", cols[i].label);
			else if (lv && nth_value(lval, sizeof(lval), lv, k))
				clean_label(lab, sizeof(lab), lval);
			if (!buf[0])
				continue;
			b->esc.len = 0;
			ESC(buf);
			ADD(name, lab, NULL);
		}
	}
	/* addresses: parts gathered per slot */
	for (size_t i = 0; i < r->n && i < x->ncols; i++) {
		int c = comp_of(cols[i].t);
		size_t k;

		if (c < 0 || !*F(r, i))
			continue;
		for (k = 0; k < naddr; k++)
			if (addrs[k].slot == cols[i].slot)
				break;
		if (k == naddr) {
			if (naddr == 8)
				continue;
			memset(&addrs[naddr], 0, sizeof(addrs[0]));
			addrs[naddr].slot = cols[i].slot;
			naddr++;
		}
		if (!addrs[k].part[c])
			addrs[k].part[c] = F(r, i);
		if (!addrs[k].label) {
			const char *lv = paired(cols, r, i, T_ADDR_LABEL);

			addrs[k].label = cols[i].label ? cols[i].label : lv;
		}
	}
	for (size_t k = 0; k < naddr; k++) {
		int any = 0;

		for (int c = 0; c < 7; c++)
			any |= addrs[k].part[c] != NULL;
		b->esc.len = 0;
		for (int c = 0; c < 7; c++) {
			const char *v = addrs[k].part[c];

			/* a formatted cell alone goes in as the street */
			if (c == 2 && !any)
				v = addrs[k].part[7];
			if (c && esc_add(b, ";", 1))
				return kith_err_nomem(x->err);
			if (v)
				ESC(v);
		}
		lab[0] = '\0';
		if (addrs[k].label)
			clean_label(lab, sizeof(lab), addrs[k].label);
		ADD("ADR", lab, NULL);
	}
	/* dates */
	for (size_t i = 0; i < r->n && i < x->ncols; i++) {
		enum target t = cols[i].t;
		const char *name;
		int empty;

		if (!*F(r, i) || (t != T_BDAY && t != T_ANNIV && t != T_EVENT &&
				  t != T_CONNECTED))
			continue;
		if (csv_date(buf, sizeof(buf), F(r, i), &empty))
			return rerr(x->file, line, x->headers[i], x->err,
				    "expected a date like 1980-03-15, "
				    "3/15/1980 or --03-15, got \"%.60s\"",
				    F(r, i));
		if (empty)
			continue;
		lab[0] = '\0';
		if (t == T_BDAY) {
			name = "BDAY";
		} else if (t == T_ANNIV) {
			name = "X-ANNIVERSARY";
		} else if (t == T_CONNECTED) {
			name = "X-LINKEDIN-CONNECTED-ON";
		} else {
			const char *lv = paired(cols, r, i, T_EVENT_LABEL);

			if (lv)
				clean_label(lab, sizeof(lab), lv);
			name = !strcmp(lab, "anniversary") ? "X-ANNIVERSARY"
			       : !strcmp(lab, "birthday")  ? "BDAY"
							   : "X-ABDATE";
			if (strcmp(name, "X-ABDATE"))
				lab[0] = '\0';
		}
		b->esc.len = 0;
		if (esc_add(b, buf, strlen(buf)))
			return kith_err_nomem(x->err);
		/* Apple's label for an other date: kept as X-ABLABEL's
		 * words through the TYPE parameter of the date */
		ADD(name, lab, NULL);
	}
	if (parts[T_CATEGORIES]) {
		b->esc.len = 0;
		for (size_t k = 0;
		     nth_value(buf, sizeof(buf), parts[T_CATEGORIES], k); k++) {
			char *s = buf;

			while (*s == '*' || *s == ' ')
				s++;
			if (!*s)
				continue;
			if (b->esc.len && esc_add(b, ",", 1))
				return kith_err_nomem(x->err);
			ESC(s);
		}
		if (b->esc.len)
			ADD("CATEGORIES", NULL, NULL);
	}
	for (size_t i = 0; i < r->n && i < x->ncols; i++)
		if (cols[i].t == T_NOTES && *F(r, i)) {
			b->esc.len = 0;
			ESC(F(r, i));
			ADD("NOTE", NULL, NULL);
		}
	if (parts[T_UID]) {
		b->esc.len = 0;
		ESC(parts[T_UID]);
		ADD("UID", NULL, NULL);
	}
	if (parts[T_TZ]) {
		b->esc.len = 0;
		ESC(parts[T_TZ]);
		ADD("TZ", NULL, NULL);
	}
	/* unknown columns: kept, and reported by the caller */
	for (size_t i = 0; i < r->n && i < x->ncols; i++) {
		if (cols[i].t != T_UNKNOWN || !*F(r, i))
			continue;
		x->used[i] = 1;
		b->esc.len = 0;
		ESC(F(r, i));
		ADD("X-KITH-CSV", x->headers[i], "X-COLUMN");
	}
	if (!b->n)
		return KITH_OK;
	memset(&card, 0, sizeof(card));
	card.version = VCARD_30;
	card.line = line;
	card.n_props = b->n;
	card.props = vcard_arena_alloc(b->a, b->n * sizeof(*b->props));
	if (!card.props)
		return kith_err_nomem(x->err);
	memcpy((void *)card.props, b->props, b->n * sizeof(*b->props));
	if (b->n_cards == b->cards_cap) {
		size_t nc = b->cards_cap ? b->cards_cap * 2 : 64;
		struct vcard *ncs = realloc(b->cards, nc * sizeof(*ncs));

		if (!ncs)
			return kith_err_nomem(x->err);
		b->cards = ncs;
		b->cards_cap = nc;
	}
	b->cards[b->n_cards++] = card;
	return KITH_OK;
#undef ADD
#undef ESC
}

/* Classify every header; map wins. */
static int classify(struct ctx *x, const struct rec *h, const char *map,
		    int header_line)
{
	char lab[64];
	int has_job_title = 0;

	for (size_t i = 0; i < h->n; i++)
		has_job_title |= !strcasecmp(F(h, i), "Job Title");
	for (size_t i = 0; i < h->n; i++) {
		const char *name = F(h, i);
		struct col *c = &x->cols[i];

		c->t = T_UNKNOWN;
		c->label = NULL;
		c->slot = 0;
		/* Outlook's "Title" is Mr./Dr. beside its "Job Title" */
		if (!strcasecmp(name, "Title")) {
			c->t = has_job_title ? T_PREFIX : T_TITLE;
			continue;
		}
		for (size_t k = 0; k < N_KNOWN; k++)
			if (!strcasecmp(name, known[k].name)) {
				c->t = known[k].t;
				c->label = known[k].label;
				c->slot = known[k].slot;
				break;
			}
		if (c->t != T_UNKNOWN)
			continue;
		if (google_col(name, c))
			continue;
		if (paren_col(name, c, lab, sizeof(lab))) {
			c->slot = 200 + (int)i; /* each its own address */
			c->label = adup(x->b.a, lab, strlen(lab));
			if (!c->label)
				return kith_err_nomem(x->err);
		}
	}
	/* --map "Header=target[:label],..." */
	for (const char *p = map; p && *p;) {
		const char *end = strchr(p, ','), *eq, *colon;
		char hdr[128], tgt[64], label[64];
		size_t n = end ? (size_t)(end - p) : strlen(p), i;
		int t = -1;

		eq = memchr(p, '=', n);
		if (!eq || eq == p)
			return rerr(x->file, 0, "--map", x->err,
				    "expected Header=target, got \"%.*s\"",
				    (int)n, p);
		snprintf(hdr, sizeof(hdr), "%.*s", (int)(eq - p), p);
		snprintf(tgt, sizeof(tgt), "%.*s", (int)(p + n - eq - 1),
			 eq + 1);
		trim(hdr);
		trim(tgt);
		label[0] = '\0';
		colon = strchr(tgt, ':');
		if (colon) {
			snprintf(label, sizeof(label), "%s", colon + 1);
			label[kith_utf8_cut(label, strlen(label))] = '\0';
			tgt[colon - tgt] = '\0';
		}
		for (size_t k = 0;
		     k < sizeof(map_targets) / sizeof(*map_targets); k++)
			if (!strcasecmp(tgt, map_targets[k].name))
				t = (int)map_targets[k].t;
		if (t < 0)
			return rerr(x->file, 0, "--map", x->err,
				    "unknown target \"%s\" (expected name, "
				    "given, family, email, phone, org, title, "
				    "notes, birthday, address, url, ignore...)",
				    tgt);
		for (i = 0; i < h->n; i++)
			if (!strcasecmp(F(h, i), hdr))
				break;
		if (i == h->n)
			return rerr(x->file, header_line, "--map", x->err,
				    "no column \"%s\" in the header", hdr);
		x->cols[i].t = (enum target)t;
		x->cols[i].slot = 300 + (int)i;
		x->cols[i].label = NULL;
		if (label[0]) {
			x->cols[i].label = adup(x->b.a, label, strlen(label));
			if (!x->cols[i].label)
				return kith_err_nomem(x->err);
		}
		p = end ? end + 1 : p + n;
	}
	return KITH_OK;
}

static int known_count(const struct rec *h)
{
	int n = 0;
	struct col c;
	char lab[64];

	for (size_t i = 0; i < h->n; i++) {
		const char *s = F(h, i);
		int hit = !strcasecmp(s, "Title");

		for (size_t k = 0; !hit && k < N_KNOWN; k++)
			hit = !strcasecmp(s, known[k].name);
		if (!hit)
			hit = google_col(s, &c) ||
			      paren_col(s, &c, lab, sizeof(lab));
		n += hit;
	}
	return n;
}

static enum csv_profile detect(const struct rec *h)
{
	int email_addr = 0, outlook = 0, apple = 0;
	struct col c;
	char lab[64];

	for (size_t i = 0; i < h->n; i++) {
		const char *s = F(h, i);

		if (!strcasecmp(s, "Connected On"))
			return CSV_LINKEDIN;
		if (!strcasecmp(s, "Group Membership") ||
		    !strcasecmp(s, "Given Name") || google_col(s, &c))
			return CSV_GOOGLE;
		email_addr |= !strcasecmp(s, "E-mail Address");
		outlook |= !strcasecmp(s, "Business Phone") ||
			   !strcasecmp(s, "Mobile Phone") ||
			   !strcasecmp(s, "Business Street") ||
			   !strcasecmp(s, "Home Phone");
		apple |= paren_col(s, &c, lab, sizeof(lab));
	}
	if (email_addr && outlook)
		return CSV_OUTLOOK;
	if (apple)
		return CSV_APPLE;
	return CSV_GENERIC;
}

/* Bytes to UTF-8: a BOM decides; else UTF-8 if valid, else 1252. */
static int to_utf8(char **conv, const char **text, size_t *len,
		   const char *file, struct kith_err *err)
{
	const unsigned char *u = (const unsigned char *)*text;
	const char *from = NULL;
	size_t skip = 0, cap, il, ol;
	iconv_t cd;
	char *ip, *op;

	*conv = NULL;
	if (*len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
		*text += 3;
		*len -= 3;
		return kith_utf8_valid(*text, *len)
			   ? KITH_OK
			   : rerr(file, 0, "", err,
				  "bytes that are not UTF-8 after a "
				  "UTF-8 byte order mark");
	}
	if (*len >= 2 && u[0] == 0xff && u[1] == 0xfe) {
		from = "UTF-16LE";
		skip = 2;
	} else if (*len >= 2 && u[0] == 0xfe && u[1] == 0xff) {
		from = "UTF-16BE";
		skip = 2;
	} else if (kith_utf8_valid(*text, *len)) {
		return KITH_OK;
	} else {
		from = "WINDOWS-1252";
	}
	cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1)
		return rerr(file, 0, "", err, "cannot convert from %s", from);
	il = *len - skip;
	cap = il * 3 + 4; /* 1252 and UTF-16 both stay within 3x */
	*conv = malloc(cap);
	if (!*conv) {
		iconv_close(cd);
		return kith_err_nomem(err);
	}
	ip = (char *)*text + skip;
	op = *conv;
	ol = cap;
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
		iconv_close(cd);
		free(*conv);
		*conv = NULL;
		return rerr(file, 0, "", err, "bytes that are not %s", from);
	}
	iconv_close(cd);
	*text = *conv;
	*len = (size_t)(op - *conv);
	if (memchr(*text, '\0', *len)) {
		free(*conv);
		*conv = NULL;
		return rerr(file, 0, "", err, "a NUL character");
	}
	return KITH_OK;
}

static int parse(struct csv_file *out, const char *text, size_t len,
		 const char *file, const char *map, vcard_bad_fn bad,
		 void *bad_ctx, struct kith_err *err)
{
	static const char seps[] = {',', ';', '\t'};
	struct ctx x = {0};
	struct rec r = {0};
	struct reader rd;
	char *conv = NULL;
	char best_sep = ',';
	int best = -1, best_fields = 0, rc, header_line = 0;
	size_t skip_records = 0;

	memset(out, 0, sizeof(*out));
	x.file = file ? file : "";
	x.err = err;
	if (len > CSV_MAX_FILE)
		return rerr(x.file, 0, "", err, "file larger than %zu bytes",
			    CSV_MAX_FILE);
	if (!text)
		text = "";
	rc = to_utf8(&conv, &text, &len, x.file, err);
	if (rc)
		return rc;
	if (memchr(text, '\0', len)) {
		rc = rerr(x.file, 0, "", err, "a NUL byte: not a text file");
		goto done;
	}

	/* The separator and the header: the record with most known
	 * columns among the first few, under each separator. LinkedIn
	 * puts a "Notes:" preamble first. */
	for (size_t s = 0; s < sizeof(seps); s++) {
		struct reader t = {text, text + len, 1, seps[s], x.file, err};

		for (size_t k = 0; k < CSV_PREAMBLE_LINES; k++) {
			int got, kc;

			rc = read_record(&t, &r, &got);
			if (rc == KITH_ENOMEM)
				goto done;
			if (rc || !got)
				break; /* a bad quote under a wrong sep */
			if (rec_blank(&r))
				continue;
			kc = known_count(&r);
			if (kc > best ||
			    (kc == best && kc == 0 && (int)r.n > best_fields)) {
				best = kc;
				best_fields = (int)r.n;
				best_sep = seps[s];
				skip_records = k;
			}
		}
	}
	rc = KITH_OK;
	if (best < 0) {
		rc = rerr(x.file, 1, "", err, "no header row");
		goto done;
	}
	/* Without a known word only --map can say what the columns are;
	 * then the first non-blank record is the header. */
	if (best < 1 && !map) {
		rc = rerr(x.file, 1, "", err,
			  "no known column in the header (Name, E-mail, "
			  "Phone...); name them with --map");
		goto done;
	}
	rd = (struct reader){text, text + len, 1, best_sep, x.file, err};
	for (size_t k = 0; k <= skip_records; k++) {
		int got;

		rc = read_record(&rd, &r, &got);
		if (rc)
			goto done;
	}
	header_line = r.line;
	x.b.a = vcard_arena_new();
	x.ncols = r.n;
	x.cols = calloc(r.n, sizeof(*x.cols));
	x.headers = calloc(r.n, sizeof(*x.headers));
	x.used = calloc(r.n, 1);
	if (!x.b.a || !x.cols || !x.headers || !x.used) {
		rc = kith_err_nomem(err);
		goto done;
	}
	for (size_t i = 0; i < r.n; i++) {
		char *h = adup(x.b.a, F(&r, i), strlen(F(&r, i)));

		if (!h) {
			rc = kith_err_nomem(err);
			goto done;
		}
		trim(h);
		x.headers[i] = h;
	}
	{
		/* classify reads the header through F(): point it at the
		 * trimmed copies */
		struct rec hr = r;

		rc = classify(&x, &hr, map, header_line);
		if (rc)
			goto done;
	}
	out->profile = detect(&r);
	for (;;) {
		int got;

		rc = read_record(&rd, &r, &got);
		if (rc)
			goto done;
		if (!got)
			break;
		if (rec_blank(&r))
			continue;
		if (r.n > x.ncols) {
			/* an empty trailing field is a trailing separator */
			size_t n = r.n;

			while (n > x.ncols && !*F(&r, n - 1))
				n--;
			if (n > x.ncols) {
				rc = rerr(x.file, r.line, "", err,
					  "a row of %zu fields under a header "
					  "of %zu",
					  r.n, x.ncols);
				if (bad && !(rc = bad(err, bad_ctx)))
					continue;
				goto done;
			}
			r.n = n;
		}
		rc = row_to_card(&x, &r);
		/* A bad row built no card: the reader is at the next one. */
		if (rc == KITH_EINPUT && bad)
			rc = bad(err, bad_ctx);
		if (rc)
			goto done;
	}
	for (size_t i = 0; i < x.ncols; i++)
		if (x.used[i] && strlist_push(&out->unknown, x.headers[i])) {
			rc = kith_err_nomem(err);
			goto done;
		}
	out->cards = x.b.cards;
	out->n_cards = x.b.n_cards;
	out->sep = best_sep;
	out->header_line = header_line;
	out->arena = x.b.a;
	x.b.cards = NULL;
	x.b.a = NULL;
done:
	if (rc) {
		strlist_clear(&out->unknown);
		memset(out, 0, sizeof(*out));
	}
	free(x.b.cards);
	free(x.b.props);
	free(x.b.esc.p);
	vcard_arena_free(x.b.a);
	free(x.cols);
	free(x.headers);
	free(x.used);
	free(r.off);
	free(r.buf);
	free(conv);
	return rc;
}

int csv_parse(struct csv_file *out, const char *text, size_t len,
	      const char *file, const char *map, struct kith_err *err)
{
	return parse(out, text, len, file, map, NULL, NULL, err);
}

int csv_parse_skip(struct csv_file *out, const char *text, size_t len,
		   const char *file, const char *map, vcard_bad_fn bad,
		   void *ctx, struct kith_err *err)
{
	return parse(out, text, len, file, map, bad, ctx, err);
}

int csv_parse_file(struct csv_file *out, const char *path, const char *map,
		   struct kith_err *err)
{
	FILE *f;
	char *buf;
	long sz;
	int rc;

	memset(out, 0, sizeof(*out));
	f = fopen(path, "rb");
	if (!f) {
		kith_err_set(err, KITH_EIO, NULL, "cannot open: %s",
			     strerror(errno));
		kith_err_at(err, path, 0);
		return KITH_EIO;
	}
	if (fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		kith_err_set(err, KITH_EIO, NULL, "cannot read");
		kith_err_at(err, path, 0);
		return KITH_EIO;
	}
	if ((size_t)sz > CSV_MAX_FILE) {
		fclose(f);
		return rerr(path, 0, "", err, "file larger than %zu bytes",
			    CSV_MAX_FILE);
	}
	buf = malloc((size_t)sz + 1);
	if (!buf) {
		fclose(f);
		return kith_err_nomem(err);
	}
	if (fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
		free(buf);
		fclose(f);
		kith_err_set(err, KITH_EIO, NULL, "cannot read");
		kith_err_at(err, path, 0);
		return KITH_EIO;
	}
	fclose(f);
	rc = csv_parse(out, buf, (size_t)sz, path, map, err);
	free(buf);
	return rc;
}

void csv_file_free(struct csv_file *f)
{
	if (!f)
		return;
	free(f->cards);
	strlist_clear(&f->unknown);
	vcard_arena_free(f->arena);
	memset(f, 0, sizeof(*f));
}
