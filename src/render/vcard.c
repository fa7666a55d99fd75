/* vcard.c (render): the vCard 3.0/4.0 writer: folding, escaping, and a
 * contact written back over the card it came from. */
#include "vcard.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vcard_out_add(struct vcard_out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		size_t c = o->cap ? o->cap : 4096;
		char *b;

		while (c < o->len + n + 1)
			c *= 2;
		b = realloc(o->buf, c);
		if (!b)
			return KITH_ENOMEM;
		o->buf = b;
		o->cap = c;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
	return KITH_OK;
}

static int out_add(struct vcard_out *o, const char *s, size_t n)
{
	return vcard_out_add(o, s, n);
}

static int out_str(struct vcard_out *o, const char *s)
{
	return out_add(o, s, strlen(s));
}

void vcard_out_free(struct vcard_out *o)
{
	if (!o)
		return;
	free(o->buf);
	memset(o, 0, sizeof(*o));
}

/* RFC 6350 3.2: at most 75 octets a line; a fold never cuts a UTF-8
 * sequence (RFC 6350 says SHOULD NOT; Google's importer breaks on it). */
static int out_folded(struct vcard_out *o, const char *s, size_t n)
{
	size_t room = 75;

	while (n > room) {
		size_t cut = room;

		while (cut > 1 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
		if (out_add(o, s, cut) || out_add(o, "\r\n ", 3))
			return KITH_ENOMEM;
		s += cut;
		n -= cut;
		room = 74; /* the leading space is an octet too */
	}
	if (out_add(o, s, n) || out_add(o, "\r\n", 2))
		return KITH_ENOMEM;
	return KITH_OK;
}

int vcard_text_escape(struct vcard_out *out, const char *s)
{
	for (; *s; s++) {
		const char *rep = NULL;

		switch (*s) {
		case '\\':
			rep = "\\\\";
			break;
		case ',':
			rep = "\\,";
			break;
		case ';':
			rep = "\\;";
			break;
		case '\n':
			rep = "\\n";
			break;
		case '\r':
			if (s[1] == '\n')
				continue;
			rep = "\\n";
			break;
		default:
			break;
		}
		if (rep ? out_str(out, rep) : out_add(out, s, 1))
			return KITH_ENOMEM;
	}
	return KITH_OK;
}

/* ---- binary between 3.0 and 4.0 ---- */

static const struct {
	const char *type, *mime;
} media[] = {
    {"JPEG", "image/jpeg"}, {"JPG", "image/jpeg"}, {"PNG", "image/png"},
    {"GIF", "image/gif"},   {"BMP", "image/bmp"},  {"WEBP", "image/webp"},
};

/* A data: URI's payload becomes ENCODING=b only if it is base64; else
 * it stays a URI, which a 3.0 reader keeps as text. */
static int b64_only(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '+' && *s != '/' &&
		    *s != '=' && *s != '-' && *s != '_')
			return 0;
	return 1;
}

/*
 * The media subtype of a data: URI (s up to its ";base64,") as a 3.0
 * TYPE, upper-cased, into type[size]: "" without a '/'. False when it is
 * not a restricted name (RFC 6838: letters, digits, "!#$&-^_.+") or does
 * not fit: such a URI stays a URI, since a TYPE cut short or made of
 * other bytes would not read back as what it was.
 */
static bool media_type(char *type, size_t size, const char *s,
		       const char *end)
{
	const char *slash = memchr(s, '/', (size_t)(end - s));
	size_t n = 0;

	type[0] = '\0';
	if (!slash)
		return true;
	for (const char *c = slash + 1; c < end; c++) {
		if (!isalnum((unsigned char)*c) && !strchr("!#$&-^_.+", *c))
			return false;
		if (n + 1 >= size)
			return false;
		type[n++] = (char)toupper((unsigned char)*c);
	}
	type[n] = '\0';
	return true;
}

/*
 * Write p as one folded line. For 4.0, ENCODING=b becomes a data: URI;
 * for 3.0 a data: URI with base64 becomes ENCODING=b (what 3.0 readers
 * such as Outlook and older iOS understand).
 */
static int write_prop(struct vcard_out *o, const struct vcard_prop *p,
		      enum vcard_version v, char **line, size_t *cap)
{
	struct vcard_prop q = *p;
	struct vcard_param params[VCARD_MAX_PARAMS + 1];
	const char *vals[2], *comma;
	char *val = NULL, type[32];
	size_t len = 0, np = 0;
	int rc;

	/* A 3.0 data: URI's payload, found once: it may be a photo's
	 * hundreds of kilobytes. */
	comma = v == VCARD_30 && p->value_len > 5 &&
			!strncasecmp(p->value, "data:", 5)
		    ? strstr(p->value, ";base64,")
		    : NULL;
	if (v == VCARD_40 && vcard_param_has(p, "ENCODING", "b")) {
		const char *mime = "application/octet-stream";
		const struct vcard_param *t = vcard_param_get(p, "TYPE");

		for (size_t k = 0; t && k < t->n_values; k++)
			for (size_t m = 0; m < sizeof(media) / sizeof(*media);
			     m++)
				if (!strcasecmp(t->values[k], media[m].type))
					mime = media[m].mime;
		for (size_t i = 0; i < p->n_params; i++)
			if (strcmp(p->params[i].name, "ENCODING") &&
			    strcmp(p->params[i].name, "TYPE"))
				params[np++] = p->params[i];
		size_t n = strlen(mime) + p->value_len + 16;
		val = malloc(n);
		if (!val)
			return KITH_ENOMEM;
		q.value_len = (size_t)snprintf(val, n, "data:%s;base64,%s",
					       mime, p->value);
		q.value = val;
		q.params = params;
		q.n_params = np;
	} else if (comma && b64_only(comma + 8) &&
		   media_type(type, sizeof(type), p->value, comma)) {
		for (size_t i = 0; i < p->n_params && np < VCARD_MAX_PARAMS - 1;
		     i++)
			if (strcmp(p->params[i].name, "VALUE") &&
			    strcmp(p->params[i].name, "MEDIATYPE"))
				params[np++] = p->params[i];
		params[np].name = "ENCODING";
		vals[0] = "b";
		params[np].values = vals;
		params[np++].n_values = 1;
		if (type[0]) {
			params[np].name = "TYPE";
			vals[1] = type;
			params[np].values = vals + 1;
			params[np++].n_values = 1;
		}
		q.value = comma + 8;
		q.value_len = p->value_len - (size_t)(q.value - p->value);
		q.params = params;
		q.n_params = np;
	}
	rc = vcard_prop_line(line, &len, cap, &q);
	if (!rc)
		rc = out_folded(o, *line, len);
	free(val);
	return rc;
}

static int write_head(struct vcard_out *o, enum vcard_version v)
{
	return out_str(o, v == VCARD_40 ? "BEGIN:VCARD\r\nVERSION:4.0\r\n"
					: "BEGIN:VCARD\r\nVERSION:3.0\r\n");
}

int vcard_write_card(struct vcard_out *out, const struct vcard *card,
		     enum vcard_version v)
{
	char *line = NULL;
	size_t cap = 0;
	int rc;

	rc = write_head(out, v);
	for (size_t i = 0; !rc && i < card->n_props; i++)
		rc = write_prop(out, &card->props[i], v, &line, &cap);
	if (!rc)
		rc = out_str(out, "END:VCARD\r\n");
	free(line);
	return rc;
}

/* ---- a contact over its card ---- */

enum action { KEEP, DROP, REPLACE };

struct wctx {
	struct vcard_out *o;
	enum vcard_version v;
	char *line;
	size_t cap;
	struct vcard_out esc; /* scratch for escaped values */
};

static char *unesc(const struct vcard_prop *p)
{
	char *d = malloc(p->value_len + 1);
	size_t n, s = 0;

	if (!d)
		return NULL;
	n = vcard_text_unescape(d, p->value, p->value_len);
	while (n && isspace((unsigned char)d[n - 1]))
		d[--n] = '\0';
	while (s < n && isspace((unsigned char)d[s]))
		s++;
	memmove(d, d + s, n - s + 1);
	return d;
}

/* Phone numbers compare by their digits and '+' only. */
static int phone_eq(const char *a, const char *b)
{
	for (;;) {
		while (*a && !isdigit((unsigned char)*a) && *a != '+')
			a++;
		while (*b && !isdigit((unsigned char)*b) && *b != '+')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if (*a++ != *b++)
			return 0;
	}
}

static int list_find(const struct strlist *l, const char *v, int phone)
{
	for (size_t i = 0; i < l->n; i++)
		if (phone ? phone_eq(l->v[i], v) : !strcasecmp(l->v[i], v))
			return (int)i;
	return -1;
}

static const struct kdate *date_of(const struct vcard_contact *vc,
				   const char *kind)
{
	for (size_t i = 0; i < vc->n_dates; i++)
		if (vc->dates[i].kind && !strcmp(vc->dates[i].kind, kind))
			return &vc->dates[i];
	return NULL;
}

/* Write a property with a value from the model (escaped unless raw). */
static int fresh(struct wctx *w, const char *group, const char *name,
		 const struct vcard_param *params, size_t np, const char *value,
		 int raw)
{
	struct vcard_prop p = {0};
	int rc;

	w->esc.len = 0;
	rc = raw ? out_str(&w->esc, value) : vcard_text_escape(&w->esc, value);
	if (!rc && !w->esc.buf)
		rc = out_add(&w->esc, "", 0);
	if (rc)
		return rc;
	p.group = group;
	p.name = name;
	p.params = params;
	p.n_params = np;
	p.value = w->esc.buf;
	p.value_len = w->esc.len;
	return write_prop(w->o, &p, w->v, &w->line, &w->cap);
}

static void date_text(char *buf, size_t n, const struct kdate *d,
		      enum vcard_version v)
{
	int y, m, dd;

	kith_civil_from_days(d->day, &y, &m, &dd);
	if (d->year_known)
		snprintf(buf, n, "%04d-%02d-%02d", y, m, dd);
	else if (v == VCARD_40)
		snprintf(buf, n, "--%02d%02d", m, dd);
	else
		snprintf(buf, n, "1604-%02d-%02d", m, dd);
}

static int fresh_date(struct wctx *w, const char *group, const char *name,
		      const struct kdate *d)
{
	static const char *const omit[] = {"1604"};
	struct vcard_param pa = {"X-APPLE-OMIT-YEAR", omit, 1};
	char buf[32];

	date_text(buf, sizeof(buf), d, w->v);
	return fresh(w, group, name, &pa,
		     !d->year_known && w->v == VCARD_30 ? 1 : 0, buf, 1);
}

/* TYPE for a label kith keeps ("work", "mobile"); custom words go in
 * as they are, which 3.0 and 4.0 both allow (x-name/iana-token). */
static int fresh_labelled(struct wctx *w, const char *name, const char *value,
			  const char *label)
{
	struct vcard_param pa;
	const char *vals[1];

	if (!label || !*label)
		return fresh(w, NULL, name, NULL, 0, value, 0);
	vals[0] = !strcmp(label, "mobile") ? "cell" : label;
	pa.name = "TYPE";
	pa.values = vals;
	pa.n_values = 1;
	return fresh(w, NULL, name, &pa, 1, value, 0);
}

static int same_date(const struct vcard_prop *p, const struct kdate *d)
{
	struct kdate got = {0};
	struct kith_err e = {0};
	bool is_text;

	if (vcard_date_parse(&got, &is_text, p, &e) || is_text)
		return 0;
	return got.day == d->day && got.year_known == d->year_known;
}

static int str_eq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

int vcard_write_contact(struct vcard_out *out, const struct vcard_contact *vc,
			enum vcard_version v, struct kith_err *err)
{
	struct vcard_file f = {0};
	struct wctx w = {out, v, NULL, 0, {0}};
	const struct vcard *card = NULL;
	enum action *act = NULL;
	char *notes_joined = NULL;
	unsigned char *email_done = NULL, *phone_done = NULL, *date_done = NULL,
		      *addr_done = NULL;
	char kbuf[128];
	int groups = 0;
	int rc = KITH_OK, had_fn = 0, had_n = 0, had_org = 0, had_title = 0,
	    had_note = 0, had_uid = 0, had_tz = 0;

	if (vc->c.card && *vc->c.card) {
		rc = vcard_parse_stored(&f, vc->c.card, err);
		if (rc == KITH_EINPUT) {
			rc =
			    kith_err_set(err, KITH_EINPUT, "card",
					 "the stored card is not one vCard: %s",
					 err && err->msg[0] ? err->msg : "");
			goto done;
		}
		if (rc)
			goto done;
		card = &f.cards[0];
	}
	email_done = calloc(vc->c.emails.n + 1, 1);
	phone_done = calloc(vc->c.phones.n + 1, 1);
	date_done = calloc(vc->n_dates + 1, 1);
	addr_done = calloc(vc->c.addresses.n + 1, 1);
	act = calloc(card ? card->n_props + 1 : 1, sizeof(*act));
	if (!email_done || !phone_done || !date_done || !addr_done || !act)
		goto nomem;

	/* Decide each stored property: kept, dropped, or rewritten. */
	for (size_t i = 0; card && i < card->n_props; i++) {
		const struct vcard_prop *p = &card->props[i];
		const char *n = p->name,
			   *kind = vcard_date_kind(kbuf, sizeof(kbuf), card, p);
		char *t;
		int k;

		act[i] = KEEP;
		if (!strcmp(n, "EMAIL") || !strcmp(n, "TEL")) {
			int tel = n[0] == 'T';
			const char *val;

			t = unesc(p);
			if (!t)
				goto nomem;
			val = t;
			if (!strncasecmp(val,
					 tel ? "tel:" : "mailto:", tel ? 4 : 7))
				val += tel ? 4 : 7;
			k = list_find(tel ? &vc->c.phones : &vc->c.emails, val,
				      tel);
			free(t);
			if (k < 0)
				act[i] = DROP;
			else
				(tel ? phone_done : email_done)[k] = 1;
		} else if (!strcmp(n, "ADR")) {
			char line[1024];
			size_t k2;

			if (vcard_adr_line(line, sizeof(line), p))
				goto nomem;
			if (!*line)
				continue;
			/* the first unclaimed address with this line */
			for (k2 = 0; k2 < vc->c.addresses.n; k2++)
				if (!addr_done[k2] &&
				    !strcmp(vc->c.addresses.v[k2], line))
					break;
			if (k2 == vc->c.addresses.n)
				act[i] = DROP;
			else
				addr_done[k2] = 1;
		} else if (!strcmp(n, "FN") && !had_fn) {
			had_fn = 1;
			t = unesc(p);
			if (!t)
				goto nomem;
			act[i] = str_eq(t, vc->c.name) ? KEEP : REPLACE;
			free(t);
		} else if (!strcmp(n, "N")) {
			had_n = 1;
		} else if (!strcmp(n, "ORG") && !had_org) {
			char *first;

			had_org = 1;
			t = unesc(p);
			if (!t)
				goto nomem;
			/* compare the organisation, not its units */
			first = t;
			for (char *c = t; *c; c++)
				if (*c == ';') {
					*c = '\0';
					break;
				}
			act[i] = !vc->c.org_name		 ? DROP
				 : str_eq(first, vc->c.org_name) ? KEEP
								 : REPLACE;
			free(t);
		} else if (!strcmp(n, "TITLE") && !had_title) {
			had_title = 1;
			t = unesc(p);
			if (!t)
				goto nomem;
			act[i] = !vc->c.title		  ? DROP
				 : str_eq(t, vc->c.title) ? KEEP
							  : REPLACE;
			free(t);
		} else if (!strcmp(n, "UID") && !had_uid) {
			had_uid = 1;
			t = unesc(p);
			if (!t)
				goto nomem;
			act[i] =
			    !vc->c.uid || str_eq(t, vc->c.uid) ? KEEP : REPLACE;
			free(t);
		} else if (!strcmp(n, "TZ") && !had_tz) {
			t = unesc(p);
			if (!t)
				goto nomem;
			if (kith_tz_valid(t)) {
				had_tz = 1;
				act[i] = !vc->c.tz	       ? DROP
					 : str_eq(t, vc->c.tz) ? KEEP
							       : REPLACE;
			}
			free(t);
		} else if (!strcmp(n, "NOTE")) {
			size_t a;

			t = unesc(p);
			if (!t)
				goto nomem;
			if (!*t) {
				free(t);
				continue;
			}
			/* the mapping joined every NOTE with "\n" */
			a = notes_joined ? strlen(notes_joined) : 0;
			{
				char *nj =
				    realloc(notes_joined, a + strlen(t) + 2);
				if (!nj) {
					free(t);
					goto nomem;
				}
				if (a)
					nj[a++] = '\n';
				strcpy(nj + a, t);
				notes_joined = nj;
			}
			free(t);
			had_note = 1;
		} else if (kind && p->value_len) {
			const struct kdate *d = date_of(vc, kind);
			size_t di = d ? (size_t)(d - vc->dates) : 0;

			/* the mapping took the first date of a kind */
			if (d && date_done[di])
				continue;
			if (d)
				date_done[di] = 1;
			act[i] = !d ? DROP : same_date(p, d) ? KEEP : REPLACE;
		}
	}
	/* NOTEs: all kept if the joined text is the contact's, else the
	 * first rewritten and the rest dropped. */
	if (had_note) {
		int same = str_eq(notes_joined, vc->c.notes), first = 1;

		for (size_t i = 0; i < card->n_props; i++) {
			if (strcmp(card->props[i].name, "NOTE") || same)
				continue;
			act[i] = first && vc->c.notes ? REPLACE : DROP;
			first = 0;
		}
	}
	/* A group whose EMAIL or TEL went takes its Apple label along. */
	for (size_t i = 0; card && i < card->n_props; i++) {
		const struct vcard_prop *p = &card->props[i];

		if (act[i] != DROP || !p->group)
			continue;
		for (size_t j = 0; j < card->n_props; j++)
			if (card->props[j].group &&
			    !strcasecmp(card->props[j].group, p->group) &&
			    !strncmp(card->props[j].name, "X-AB", 4))
				act[j] = DROP;
	}

	rc = write_head(out, v);
	if (rc)
		goto nomem;
	if (!had_fn && vc->c.name)
		rc = fresh(&w, NULL, "FN", NULL, 0, vc->c.name, 0);
	if (!rc && !had_n && vc->c.name) {
		/* 3.0 requires N; without one, the last word is the family
		 * name, which is wrong for some cultures but only where the
		 * card never said. */
		struct vcard_out nv = {0};
		const char *fam = vc->family, *giv = vc->given;
		char *copy = NULL;

		if (!fam && !giv) {
			char *sp;

			copy = strdup(vc->c.name);
			if (!copy)
				goto nomem;
			sp = strrchr(copy, ' ');
			if (sp) {
				*sp = '\0';
				fam = sp + 1;
				giv = copy;
			} else {
				fam = copy;
			}
		}
		rc = vcard_text_escape(&nv, fam ? fam : "");
		if (!rc)
			rc = out_str(&nv, ";");
		if (!rc)
			rc = vcard_text_escape(&nv, giv ? giv : "");
		if (!rc)
			rc = out_str(&nv, ";;;");
		if (!rc)
			rc = fresh(&w, NULL, "N", NULL, 0, nv.buf, 1);
		vcard_out_free(&nv);
		free(copy);
	}
	for (size_t i = 0; !rc && card && i < card->n_props; i++) {
		const struct vcard_prop *p = &card->props[i];
		const char *n = p->name, *kind;

		if (act[i] == DROP)
			continue;
		if (act[i] == KEEP) {
			rc = write_prop(out, p, v, &w.line, &w.cap);
			continue;
		}
		if (!strcmp(n, "FN"))
			rc = fresh(&w, p->group, n, p->params, p->n_params,
				   vc->c.name ? vc->c.name : "", 0);
		else if (!strcmp(n, "ORG"))
			rc = fresh(&w, p->group, n, p->params, p->n_params,
				   vc->c.org_name, 0);
		else if (!strcmp(n, "TITLE"))
			rc = fresh(&w, p->group, n, p->params, p->n_params,
				   vc->c.title, 0);
		else if (!strcmp(n, "UID"))
			rc = fresh(&w, p->group, n, p->params, p->n_params,
				   vc->c.uid, 0);
		else if (!strcmp(n, "TZ"))
			rc = fresh(&w, p->group, n, p->params, p->n_params,
				   vc->c.tz, 0);
		else if (!strcmp(n, "NOTE"))
			rc = fresh(&w, p->group, n, p->params, p->n_params,
				   vc->c.notes, 0);
		else if ((kind = vcard_date_kind(kbuf, sizeof(kbuf), card, p)))
			rc = fresh_date(&w, p->group, n, date_of(vc, kind));
	}
	/* What the contact has and the card did not. */
	if (!rc && !had_org && vc->c.org_name)
		rc = fresh(&w, NULL, "ORG", NULL, 0, vc->c.org_name, 0);
	if (!rc && !had_title && vc->c.title)
		rc = fresh(&w, NULL, "TITLE", NULL, 0, vc->c.title, 0);
	for (size_t i = 0; !rc && i < vc->c.emails.n; i++)
		if (!email_done[i])
			rc = fresh_labelled(&w, "EMAIL", vc->c.emails.v[i],
					    i < vc->c.email_labels.n
						? vc->c.email_labels.v[i]
						: NULL);
	for (size_t i = 0; !rc && i < vc->c.phones.n; i++)
		if (!phone_done[i])
			rc = fresh_labelled(&w, "TEL", vc->c.phones.v[i],
					    i < vc->c.phone_labels.n
						? vc->c.phone_labels.v[i]
						: NULL);
	/* An address kith holds as one line goes into the street part: a
	 * reader shows it whole, and the mapping reads the same line back. */
	for (size_t i = 0; !rc && i < vc->c.addresses.n; i++) {
		struct vcard_out av = {0};
		const char *l = i < vc->c.address_labels.n
				    ? vc->c.address_labels.v[i]
				    : NULL;
		struct vcard_param pa;
		const char *vals[1];

		if (addr_done[i])
			continue;
		rc = out_str(&av, ";;");
		if (!rc)
			rc = vcard_text_escape(&av, vc->c.addresses.v[i]);
		if (!rc)
			rc = out_str(&av, ";;;;");
		if (!rc) {
			vals[0] = l;
			pa.name = "TYPE";
			pa.values = vals;
			pa.n_values = 1;
			rc = fresh(&w, NULL, "ADR", l && *l ? &pa : NULL,
				   l && *l ? 1 : 0, av.buf, 1);
		}
		vcard_out_free(&av);
	}
	for (size_t i = 0; !rc && i < vc->n_dates; i++) {
		const struct kdate *d = &vc->dates[i];
		char group[32];

		if (date_done[i] || !d->kind)
			continue;
		if (!strcmp(d->kind, "birthday")) {
			rc = fresh_date(&w, NULL, "BDAY", d);
			continue;
		}
		if (!strcmp(d->kind, "anniversary") && v == VCARD_40) {
			rc = fresh_date(&w, NULL, "ANNIVERSARY", d);
			continue;
		}
		/* 3.0 has no ANNIVERSARY; Apple's labelled date is what
		 * iOS, macOS and DAVx5 read back. */
		snprintf(group, sizeof(group), "kith%d", ++groups);
		rc = fresh_date(&w, group, "X-ABDATE", d);
		if (!rc)
			rc = fresh(&w, group, "X-ABLABEL", NULL, 0,
				   !strcmp(d->kind, "anniversary")
				       ? "_$!<Anniversary>!$_"
				       : d->kind,
				   0);
	}
	if (!rc && !had_note && vc->c.notes && *vc->c.notes)
		rc = fresh(&w, NULL, "NOTE", NULL, 0, vc->c.notes, 0);
	if (!rc && !had_tz && vc->c.tz)
		rc = fresh(&w, NULL, "TZ", NULL, 0, vc->c.tz, 0);
	if (!rc && !had_uid && vc->c.uid)
		rc = fresh(&w, NULL, "UID", NULL, 0, vc->c.uid, 0);
	if (!rc)
		rc = out_str(out, "END:VCARD\r\n");
	if (rc)
		goto nomem;
	goto done;
nomem:
	rc = kith_err_nomem(err);
done:
	free(act);
	free(email_done);
	free(phone_done);
	free(date_done);
	free(addr_done);
	free(notes_joined);
	free(w.line);
	vcard_out_free(&w.esc);
	vcard_file_free(&f);
	return rc;
}
