/* vcard.c: the vCard 2.1/3.0/4.0 reader (see vcard.h for the neutral
 * form) and the mapping of one card to kith's contact. One pass over the
 * bytes; everything a card holds goes into an arena. */
#include "vcard.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ---- */

#define ARENA_CHUNK ((size_t)64 << 10)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	char data[];
};

struct vcard_arena {
	struct arena_chunk *head; /* newest first */
	size_t next;		  /* size of the next chunk; 0: default */
};

static void *arena_alloc(struct vcard_arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t off;

	n = (n + 7) & ~(size_t)7;
	if (c) {
		off = c->used;
		if (c->cap - off >= n) {
			c->used = off + n;
			return c->data + off;
		}
	}
	/* Chunks double up to 1 MiB, so a whole file costs few mallocs and
	 * a one-card parse (the writer reads back a stored card) a small
	 * one; a big PHOTO gets a chunk of its own. */
	size_t cap = a->next ? a->next : ARENA_CHUNK;
	if (cap < ((size_t)1 << 20))
		a->next = cap * 2;
	if (n > cap)
		cap = n;
	c = malloc(sizeof(*c) + cap);
	if (!c)
		return NULL;
	c->cap = cap;
	c->used = n;
	c->next = a->head;
	a->head = c;
	return c->data;
}

static char *arena_strndup(struct vcard_arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* Free every chunk but the newest, and empty that one: the streaming
 * parse reuses it for the next card, so a file of small cards costs one
 * chunk in all. */
static void arena_reset(struct vcard_arena *a)
{
	struct arena_chunk *c = a->head, *next;

	if (!c)
		return;
	for (struct arena_chunk *o = c->next; o; o = next) {
		next = o->next;
		free(o);
	}
	c->next = NULL;
	c->used = 0;
}

static void arena_free(struct vcard_arena *a)
{
	struct arena_chunk *c, *next;

	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

struct vcard_arena *vcard_arena_new(void)
{
	return calloc(1, sizeof(struct vcard_arena));
}

void *vcard_arena_alloc(struct vcard_arena *a, size_t n)
{
	return arena_alloc(a, n);
}

void vcard_arena_free(struct vcard_arena *a)
{
	arena_free(a);
}

/* ---- parser state ---- */

struct pv { /* one parameter value before merging */
	const char *name;
	const char *value;
};

#define MAX_PV 256

struct parser {
	const char *p, *end; /* unread bytes */
	const char *file;
	int line; /* physical line number of p */
	struct vcard_arena *arena;
	struct kith_err *err;

	char *lbuf; /* the logical line being assembled */
	size_t llen, lcap;
	char *vbuf; /* decoded value scratch */
	size_t vcap;

	struct vcard_prop *props; /* the card being read */
	size_t nprops, pcap;
	struct pv pv[MAX_PV];

	vcard_bad_fn bad; /* --skip-bad: told of each bad card */

	char cs_name[40]; /* one cached iconv descriptor */
	iconv_t cd;
	iconv_t cd1252; /* for values that are not UTF-8 */
};

static int perr(struct parser *ps, int line, const char *field, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));

static int perr(struct parser *ps, int line, const char *field, const char *fmt,
		...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kith_err_set(ps->err, KITH_EINPUT, field, "%s", msg);
	kith_err_at(ps->err, ps->file ? ps->file : "", line);
	return KITH_EINPUT;
}

static int grow(char **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 256;
	char *b;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	b = realloc(*buf, n);
	if (!b)
		return -1;
	*buf = b;
	*cap = n;
	return 0;
}

static int lbuf_add(struct parser *ps, const char *s, size_t n)
{
	if (grow(&ps->lbuf, &ps->lcap, ps->llen + n + 1))
		return -1;
	memcpy(ps->lbuf + ps->llen, s, n);
	ps->llen += n;
	ps->lbuf[ps->llen] = '\0';
	return 0;
}

/* The next physical line, without its CR/LF; NULL at the end. */
static const char *phys_peek(const struct parser *ps, size_t *n,
			     const char **next)
{
	const char *s = ps->p, *nl;
	size_t len;

	if (s >= ps->end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(ps->end - s));
	len = nl ? (size_t)(nl - s) : (size_t)(ps->end - s);
	*next = nl ? nl + 1 : ps->end;
	if (len && s[len - 1] == '\r')
		len--;
	*n = len;
	return s;
}

static int ci_has(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	int first = tolower((unsigned char)needle[0]);

	/* the first byte before a call: every line of a file asks twice */
	for (size_t i = 0; i + k <= n; i++)
		if (tolower((unsigned char)s[i]) == first &&
		    !strncasecmp(s + i, needle, k))
			return 1;
	return 0;
}

/* Length of the part before the first ':' outside quotes: name and
 * parameters. n when there is no ':'. */
static size_t header_len(const char *s, size_t n)
{
	int q = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			q = !q;
		else if (s[i] == ':' && !q)
			return i;
	}
	return n;
}

static int is_b64(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '+' && c != '/' && c != '=' &&
		    c != ' ' && c != '\t')
			return 0;
	}
	return 1;
}

/*
 * Assemble the next logical line into lbuf: unfold, join QP soft line
 * breaks (kept as "=\n" for the decoder) and 2.1's unindented base64
 * lines. Returns 1 with a line, 0 at the end, -1 on no memory.
 */
static int logical_line(struct parser *ps, int *start_line)
{
	const char *s, *next;
	size_t n, h;

	s = phys_peek(ps, &n, &next);
	if (!s)
		return 0;
	ps->llen = 0;
	*start_line = ps->line;
	if (lbuf_add(ps, s, n))
		return -1;
	ps->p = next;
	ps->line++;
	for (;;) {
		s = phys_peek(ps, &n, &next);
		h = header_len(ps->lbuf, ps->llen);
		/* Quoted-printable soft line break: '=' ends the line and the
		 * next one continues it, unindented (Android, Nokia) or
		 * indented like a fold (one space or tab dropped, so the
		 * '=' still ends a line for the decoder). */
		if (s && h < ps->llen && ps->llen > h + 1 &&
		    ps->lbuf[ps->llen - 1] == '=' &&
		    ci_has(ps->lbuf, h, "QUOTED-PRINTABLE")) {
			size_t skip = n && (s[0] == ' ' || s[0] == '\t');

			if (lbuf_add(ps, "\n", 1) ||
			    lbuf_add(ps, s + skip, n - skip))
				return -1;
			ps->p = next;
			ps->line++;
			continue;
		}
		if (s && n && (s[0] == ' ' || s[0] == '\t')) {
			if (lbuf_add(ps, s + 1, n - 1))
				return -1;
			ps->p = next;
			ps->line++;
			continue;
		}
		/* 2.1 base64 runs on over unindented lines until a blank one
		 * (vCard 2.1 section 2.1.3); Outlook indents them instead. */
		if (s && h < ps->llen && ci_has(ps->lbuf, h, "BASE64")) {
			if (n == 0) {
				ps->p = next;
				ps->line++;
				break;
			}
			if (memchr(s, ':', n) || !is_b64(s, n))
				break;
			if (lbuf_add(ps, s, n))
				return -1;
			ps->p = next;
			ps->line++;
			continue;
		}
		break;
	}
	return 1;
}

/* ---- values ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = toupper(c);
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 2045 6.7: "=XX" bytes, "=" at a line end a soft break; a malformed
 * "=" is kept as it is, as every decoder in the wild does. */
static size_t qp_decode(char *dst, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '=') {
			dst[o++] = s[i];
			continue;
		}
		if (i + 1 < n && s[i + 1] == '\n') {
			i++;
			continue;
		}
		if (i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
			i += 2;
			continue;
		}
		if (i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
		    hexval((unsigned char)s[i + 2]) >= 0) {
			dst[o++] = (char)(hexval((unsigned char)s[i + 1]) << 4 |
					  hexval((unsigned char)s[i + 2]));
			i += 2;
			continue;
		}
		dst[o++] = '=';
	}
	return o;
}

static int utf8_name(const char *cs)
{
	return !strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "UTF8") ||
	       !strcasecmp(cs, "US-ASCII") || !strcasecmp(cs, "ASCII");
}

/* Convert in[0..n) with cd into vbuf (after offset 0); *out_n set. */
static int convert(struct parser *ps, iconv_t cd, const char *in, size_t n,
		   size_t *out_n)
{
	size_t cap = n * 4 + 16;
	char *ip = (char *)in, *op;
	size_t il = n, ol;

	if (grow(&ps->vbuf, &ps->vcap, cap))
		return KITH_ENOMEM;
	iconv(cd, NULL, NULL, NULL, NULL);
	op = ps->vbuf;
	ol = ps->vcap;
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1)
		return KITH_EINPUT;
	if (iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1)
		return KITH_EINPUT;
	*out_n = (size_t)(op - ps->vbuf);
	return KITH_OK;
}

/* in[0..n) read as Windows-1252, the reading of bytes that are not
 * UTF-8 and name no CHARSET, into ps->vbuf (*out_n bytes). */
static int from_1252(struct parser *ps, const char *in, size_t n,
		     size_t *out_n)
{
	if (ps->cd1252 == (iconv_t)-1)
		ps->cd1252 = iconv_open("UTF-8", "WINDOWS-1252");
	if (ps->cd1252 == (iconv_t)-1)
		return KITH_EINPUT;
	return convert(ps, ps->cd1252, in, n, out_n);
}

/* A parameter's name or value (n bytes) that is not UTF-8 is read as
 * Windows-1252, as a value is: stored raw it would reach the book, JSON
 * and the cards kith writes, which its own reader then refuses. */
static int param_utf8(struct parser *ps, int line, const char *field,
		      char **text, size_t n)
{
	size_t on;

	if (kith_utf8_valid(*text, n))
		return KITH_OK;
	if (from_1252(ps, *text, n, &on))
		return perr(ps, line, field,
			    "a parameter in bytes that are neither UTF-8 nor "
			    "Windows-1252");
	if (memchr(ps->vbuf, '\0', on))
		return perr(ps, line, field, "NUL byte in a parameter");
	*text = arena_strndup(ps->arena, ps->vbuf, on);
	return *text ? KITH_OK : kith_err_nomem(ps->err);
}

static iconv_t cd_for(struct parser *ps, const char *cs)
{
	if (ps->cd != (iconv_t)-1 && !strcasecmp(ps->cs_name, cs))
		return ps->cd;
	if (ps->cd != (iconv_t)-1)
		iconv_close(ps->cd);
	ps->cd = iconv_open("UTF-8", cs);
	snprintf(ps->cs_name, sizeof(ps->cs_name), "%s", cs);
	return ps->cd;
}

/* ---- one content line ---- */

static int name_char(int c)
{
	return isalnum(c) || c == '-' || c == '_';
}

/* Decode RFC 6868 carets in place. */
static size_t caret_decode(char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '^' && i + 1 < n &&
		    (s[i + 1] == 'n' || s[i + 1] == 'N' || s[i + 1] == '\'' ||
		     s[i + 1] == '^')) {
			char c = s[++i];

			s[o++] = c == '\'' ? '"' : c == '^' ? '^' : '\n';
			continue;
		}
		s[o++] = s[i];
	}
	return o;
}

static char *upper_dup(struct vcard_arena *a, const char *s, size_t n)
{
	char *d = arena_strndup(a, s, n);

	if (d)
		for (size_t i = 0; i < n; i++)
			d[i] = (char)toupper((unsigned char)d[i]);
	return d;
}

static int add_prop(struct parser *ps, const struct vcard_prop *p, int line)
{
	if (ps->nprops == ps->pcap) {
		size_t nc = ps->pcap ? ps->pcap * 2 : 32;
		struct vcard_prop *np = realloc(ps->props, nc * sizeof(*np));

		if (!np)
			return kith_err_nomem(ps->err);
		ps->props = np;
		ps->pcap = nc;
	}
	if (ps->nprops >= VCARD_MAX_PROPS)
		return perr(ps, line, p->name,
			    "more than %d properties in one card",
			    VCARD_MAX_PROPS);
	ps->props[ps->nprops++] = *p;
	return KITH_OK;
}

/* Parse lbuf as "[group.]NAME*(;param):value" into *out. */
static int parse_content(struct parser *ps, int line, struct vcard_prop *out)
{
	char *s = ps->lbuf, *end = ps->lbuf + ps->llen, *q = s, *dot = NULL;
	struct vcard_arena *a = ps->arena;
	size_t npv = 0, nparams = 0, vn;
	const char *charset = NULL, *nameend;
	char field[64];
	int qp = 0, b64 = 0, rc;
	struct vcard_param *params = NULL;

	memset(out, 0, sizeof(*out));
	out->line = line;
	/* A NUL would cut a name or parameter short when read back. */
	if (memchr(s, '\0', ps->llen))
		return perr(ps, line, "", "NUL byte in the line");
	while (q < end && (name_char((unsigned char)*q) || *q == '.')) {
		if (*q == '.')
			dot = q;
		q++;
	}
	nameend = q;
	snprintf(field, sizeof(field), "%.*s", (int)(nameend - s), s);
	for (char *f = field; *f; f++)
		*f = (char)toupper((unsigned char)*f);
	if (q == s || (q < end && *q != ';' && *q != ':') || q == end)
		return perr(ps, line, field[0] ? field : "",
			    "expected NAME:value or NAME;PARAM=x:value");
	if (dot) {
		if (dot == s || dot + 1 == nameend)
			return perr(ps, line, field, "empty group or name");
		out->group = arena_strndup(a, s, (size_t)(dot - s));
		out->name = upper_dup(a, dot + 1, (size_t)(nameend - dot - 1));
	} else {
		out->name = upper_dup(a, s, (size_t)(nameend - s));
	}
	if (!out->name || (dot && !out->group))
		return kith_err_nomem(ps->err);

	while (q < end && *q == ';') {
		char *pn = ++q, *pname;
		size_t pnl;

		while (q < end && *q != '=' && *q != ';' && *q != ':')
			q++;
		pnl = (size_t)(q - pn);
		/* "TEL;;HOME" happens; an empty parameter means nothing */
		while (pnl && isspace((unsigned char)pn[pnl - 1]))
			pnl--;
		if (q >= end)
			break;
		if (*q != '=') {
			char *v;

			if (!pnl)
				continue;
			if (npv == MAX_PV)
				return perr(ps, line, field,
					    "too many parameters");
			v = arena_strndup(a, pn, pnl);
			if (!v)
				return kith_err_nomem(ps->err);
			rc = param_utf8(ps, line, field, &v, pnl);
			if (rc)
				return rc;
			/* 2.1 names only the value; the parameter follows
			 * from it (vCard 2.1 section 2.4). */
			if (!strcasecmp(v, "QUOTED-PRINTABLE")) {
				qp = 1;
				continue;
			}
			if (!strcasecmp(v, "BASE64") || !strcasecmp(v, "B")) {
				b64 = 1;
				continue;
			}
			if (!strcasecmp(v, "8BIT") || !strcasecmp(v, "7BIT"))
				continue;
			ps->pv[npv].name = "TYPE";
			ps->pv[npv++].value = v;
			continue;
		}
		if (!pnl)
			return perr(ps, line, field, "parameter without name");
		pname = upper_dup(a, pn, pnl);
		if (!pname)
			return kith_err_nomem(ps->err);
		rc = param_utf8(ps, line, field, &pname, pnl);
		if (rc)
			return rc;
		q++;
		for (;;) {
			char *vs, *v;
			size_t vl;

			if (q < end && *q == '"') {
				vs = ++q;
				while (q < end && *q != '"')
					q++;
				if (q >= end)
					return perr(ps, line, field,
						    "unterminated quoted "
						    "parameter value");
				vl = (size_t)(q - vs);
				q++;
			} else {
				vs = q;
				while (q < end && *q != ',' && *q != ';' &&
				       *q != ':')
					q++;
				vl = (size_t)(q - vs);
			}
			v = arena_strndup(a, vs, vl);
			if (!v)
				return kith_err_nomem(ps->err);
			vl = caret_decode(v, vl);
			v[vl] = '\0';
			rc = param_utf8(ps, line, field, &v, vl);
			if (rc)
				return rc;
			if (!strcmp(pname, "ENCODING")) {
				if (!strcasecmp(v, "QUOTED-PRINTABLE"))
					qp = 1;
				else if (!strcasecmp(v, "B") ||
					 !strcasecmp(v, "BASE64"))
					b64 = 1;
				else if (strcasecmp(v, "8BIT") &&
					 strcasecmp(v, "7BIT"))
					return perr(ps, line, field,
						    "unknown ENCODING \"%s\"",
						    v);
			} else if (!strcmp(pname, "CHARSET")) {
				charset = v;
			} else {
				if (npv == MAX_PV)
					return perr(ps, line, field,
						    "too many parameters");
				ps->pv[npv].name = pname;
				ps->pv[npv++].value = v;
			}
			if (q < end && *q == ',') {
				q++;
				continue;
			}
			break;
		}
		if (q < end && *q != ';' && *q != ':')
			return perr(ps, line, field,
				    "expected ';' or ':' after a parameter");
	}
	if (q >= end || *q != ':')
		return perr(ps, line, field, "no ':' before the value");
	q++;
	if (b64) {
		if (npv == MAX_PV)
			return perr(ps, line, field, "too many parameters");
		ps->pv[npv].name = "ENCODING";
		ps->pv[npv++].value = "b";
	}

	/* Merge parameters by name, first appearance first. */
	if (npv) {
		const char **vals;
		size_t k = 0;

		params = arena_alloc(a, npv * sizeof(*params));
		vals = arena_alloc(a, npv * sizeof(*vals));
		if (!params || !vals)
			return kith_err_nomem(ps->err);
		for (size_t i = 0; i < npv; i++) {
			size_t j;

			for (j = 0; j < nparams; j++)
				if (!strcmp(params[j].name, ps->pv[i].name))
					break;
			if (j < nparams)
				continue;
			params[nparams].name = ps->pv[i].name;
			params[nparams].values = vals + k;
			for (size_t m = i; m < npv; m++)
				if (!strcmp(ps->pv[m].name, ps->pv[i].name))
					vals[k++] = ps->pv[m].value;
			params[nparams].n_values =
			    (size_t)(vals + k - params[nparams].values);
			nparams++;
		}
		if (nparams > VCARD_MAX_PARAMS)
			return perr(ps, line, field, "more than %d parameters",
				    VCARD_MAX_PARAMS);
	}
	out->params = params;
	out->n_params = nparams;

	/* The value. */
	vn = (size_t)(end - q);
	if (memchr(q, '\0', vn))
		return perr(ps, line, field, "NUL byte in the value");
	if (b64) {
		char *d = arena_alloc(a, vn + 1);
		size_t o = 0;

		if (!d)
			return kith_err_nomem(ps->err);
		for (size_t i = 0; i < vn; i++) {
			unsigned char c = (unsigned char)q[i];

			if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
				continue;
			if (!isalnum(c) && c != '+' && c != '/' && c != '=' &&
			    c != '-' && c != '_')
				return perr(ps, line, field,
					    "not base64: byte 0x%02x", c);
			d[o++] = (char)c;
		}
		d[o] = '\0';
		out->value = d;
		out->value_len = o;
		return KITH_OK;
	}
	const char *v = q;
	if (qp) {
		if (grow(&ps->vbuf, &ps->vcap, vn + 1))
			return kith_err_nomem(ps->err);
		vn = qp_decode(ps->vbuf, q, vn);
		/* The decoder writes into vbuf, which convert reallocs and
		 * writes into: move the bytes out first. */
		{
			char *tmp = arena_strndup(a, ps->vbuf, vn);

			if (!tmp)
				return kith_err_nomem(ps->err);
			v = tmp;
		}
		if (memchr(v, '\0', vn))
			return perr(ps, line, field, "NUL byte in the value");
	}
	if (charset && !utf8_name(charset)) {
		iconv_t cd = cd_for(ps, charset);

		if (cd == (iconv_t)-1)
			return perr(ps, line, field, "unknown CHARSET \"%s\"",
				    charset);
		rc = convert(ps, cd, v, vn, &vn);
		if (rc == KITH_ENOMEM)
			return kith_err_nomem(ps->err);
		if (rc)
			return perr(ps, line, field, "bytes that are not %s",
				    charset);
		v = ps->vbuf;
	} else if (!kith_utf8_valid(v, vn)) {
		if (from_1252(ps, v, vn, &vn))
			return perr(ps, line, field,
				    "bytes that are neither UTF-8 nor "
				    "Windows-1252");
		v = ps->vbuf;
	}
	if (memchr(v, '\0', vn))
		return perr(ps, line, field, "NUL byte in the value");
	{
		/* A decoded line break becomes "\n": one escaped line. */
		size_t breaks = 0, o = 0;
		char *d;

		for (size_t i = 0; i < vn; i++)
			breaks += v[i] == '\n' || v[i] == '\r';
		d = arena_alloc(a, vn + breaks + 1);
		if (!d)
			return kith_err_nomem(ps->err);
		for (size_t i = 0; i < vn; i++) {
			if (v[i] == '\r' || v[i] == '\n') {
				if (v[i] == '\r' && i + 1 < vn &&
				    v[i + 1] == '\n')
					i++;
				d[o++] = '\\';
				d[o++] = 'n';
				continue;
			}
			d[o++] = v[i];
		}
		d[o] = '\0';
		out->value = d;
		out->value_len = o;
	}
	return KITH_OK;
}

/* ---- cards ---- */

static int value_is(const struct vcard_prop *p, const char *want)
{
	size_t n = p->value_len;
	const char *v = p->value;

	while (n && isspace((unsigned char)v[n - 1]))
		n--;
	while (n && isspace((unsigned char)*v)) {
		v++;
		n--;
	}
	return n == strlen(want) && !strncasecmp(v, want, n);
}

/* Is the logical line "BEGIN:VCARD" or "END:VCARD" (what)? */
static int line_is(const struct parser *ps, const char *what)
{
	size_t n = ps->llen, k = strlen(what);
	const char *l = ps->lbuf;

	while (n && isspace((unsigned char)l[n - 1]))
		n--;
	return n == k && !strncasecmp(l, what, k);
}

static void card_start_at(struct parser *ps, struct vcard *card, int line)
{
	memset(card, 0, sizeof(*card));
	card->line = line;
	card->version = VCARD_30;
	ps->nprops = 0;
}

static int run(struct parser *ps, vcard_card_fn fn, void *ctx, int reset)
{
	struct vcard card;
	int in_card = 0, line = 0, rc;
	const char *card_start = NULL;

	memset(&card, 0, sizeof(card));
	if (ps->end - ps->p >= 3 && !memcmp(ps->p, "\xef\xbb\xbf", 3))
		ps->p += 3;
	for (;;) {
		struct vcard_prop prop;
		const char *line_start = ps->p;

		rc = logical_line(ps, &line);
		if (rc < 0)
			return kith_err_nomem(ps->err);
		if (rc == 0)
			break;
		if (in_card && (size_t)(ps->p - card_start) > VCARD_MAX_CARD) {
			rc = perr(ps, card.line, "",
				  "card larger than %zu bytes", VCARD_MAX_CARD);
			goto bad;
		}
		if (ps->llen == 0 ||
		    (!in_card && strspn(ps->lbuf, " \t") == ps->llen))
			continue;
		rc = parse_content(ps, line, &prop);
		if (rc)
			goto bad;
		if (!in_card) {
			if (strcmp(prop.name, "BEGIN") ||
			    !value_is(&prop, "VCARD")) {
				rc = perr(ps, line, prop.name,
					  "expected BEGIN:VCARD");
				goto bad;
			}
			in_card = 1;
			card_start = line_start;
			card_start_at(ps, &card, line);
			continue;
		}
		if (!strcmp(prop.name, "BEGIN")) {
			rc = perr(ps, line, "BEGIN",
				  "a card inside a card (2.1 AGENT) is not "
				  "supported");
			goto bad;
		}
		if (!strcmp(prop.name, "VERSION")) {
			if (value_is(&prop, "2.1"))
				card.version = VCARD_21;
			else if (value_is(&prop, "3.0"))
				card.version = VCARD_30;
			else if (value_is(&prop, "4.0"))
				card.version = VCARD_40;
			else {
				rc = perr(ps, line, "VERSION",
					  "expected 2.1, 3.0 or 4.0, got "
					  "\"%.40s\"",
					  prop.value);
				goto bad;
			}
			continue;
		}
		if (!strcmp(prop.name, "END")) {
			struct vcard_prop *props = NULL;

			if (!value_is(&prop, "VCARD")) {
				rc =
				    perr(ps, line, "END", "expected END:VCARD");
				goto bad;
			}
			if (ps->nprops) {
				props = arena_alloc(
				    ps->arena, ps->nprops * sizeof(*props));
				if (!props)
					return kith_err_nomem(ps->err);
				memcpy(props, ps->props,
				       ps->nprops * sizeof(*props));
			}
			card.props = props;
			card.n_props = ps->nprops;
			rc = fn(&card, ctx, ps->err);
			if (rc)
				return rc;
			if (reset)
				arena_reset(ps->arena);
			in_card = 0;
			continue;
		}
		rc = add_prop(ps, &prop, line);
		if (rc)
			goto bad;
		continue;
	bad:
		/* --skip-bad: report the card and go on after it. */
		if (rc != KITH_EINPUT || !ps->bad)
			return rc;
		rc = ps->bad(ps->err, ctx);
		if (rc)
			return rc;
		if (reset)
			arena_reset(ps->arena);
		if (!in_card)
			continue; /* a stray line outside the cards */
		in_card = 0;
		/* The line that failed may begin the next card (one without
		 * END before it); else skip to this card's END. */
		do {
			if (line_is(ps, "BEGIN:VCARD") && line != card.line) {
				in_card = 1;
				card_start = ps->p;
				card_start_at(ps, &card, line);
				break;
			}
			if (line_is(ps, "END:VCARD"))
				break;
			rc = logical_line(ps, &line);
			if (rc < 0)
				return kith_err_nomem(ps->err);
		} while (rc > 0);
	}
	if (in_card) {
		rc = perr(ps, card.line, "END", "card has no END:VCARD");
		if (ps->bad)
			return ps->bad(ps->err, ctx);
		return rc;
	}
	return KITH_OK;
}

static int parser_init(struct parser *ps, const char *text, size_t len,
		       const char *file, struct kith_err *err)
{
	memset(ps, 0, sizeof(*ps));
	ps->p = text ? text : "";
	ps->end = ps->p + (text ? len : 0);
	ps->file = file ? file : "";
	ps->line = 1;
	ps->err = err;
	ps->cd = (iconv_t)-1;
	ps->cd1252 = (iconv_t)-1;
	if (len > VCARD_MAX_FILE) {
		kith_err_set(err, KITH_EINPUT, NULL,
			     "file larger than %zu bytes", VCARD_MAX_FILE);
		kith_err_at(err, ps->file, 0);
		return KITH_EINPUT;
	}
	ps->arena = calloc(1, sizeof(*ps->arena));
	if (!ps->arena)
		return kith_err_nomem(err);
	/* A small text needs a small first chunk: about twice its size. */
	ps->arena->next = len * 2 < ARENA_CHUNK
			      ? (len * 2 + 1024) & ~(size_t)1023
			      : ARENA_CHUNK;
	return KITH_OK;
}

static void parser_done(struct parser *ps, int keep_arena)
{
	if (!keep_arena)
		arena_free(ps->arena);
	free(ps->lbuf);
	free(ps->vbuf);
	free(ps->props);
	if (ps->cd != (iconv_t)-1)
		iconv_close(ps->cd);
	if (ps->cd1252 != (iconv_t)-1)
		iconv_close(ps->cd1252);
}

struct collect {
	struct vcard *cards;
	size_t n, cap;
};

static int collect_card(const struct vcard *card, void *ctx,
			struct kith_err *err)
{
	struct collect *c = ctx;

	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 16;
		struct vcard *nv = realloc(c->cards, nc * sizeof(*nv));

		if (!nv)
			return kith_err_nomem(err);
		c->cards = nv;
		c->cap = nc;
	}
	c->cards[c->n++] = *card;
	return KITH_OK;
}

int vcard_parse(struct vcard_file *out, const char *text, size_t len,
		const char *file, struct kith_err *err)
{
	struct parser ps;
	struct collect c = {0};
	int rc;

	memset(out, 0, sizeof(*out));
	rc = parser_init(&ps, text, len, file, err);
	if (rc)
		return rc;
	rc = run(&ps, collect_card, &c, 0);
	if (rc) {
		free(c.cards);
		parser_done(&ps, 0);
		return rc;
	}
	out->cards = c.cards;
	out->n_cards = c.n;
	out->arena = ps.arena;
	parser_done(&ps, 1);
	return KITH_OK;
}

int vcard_parse_each(const char *text, size_t len, const char *file,
		     vcard_card_fn fn, void *ctx, struct kith_err *err)
{
	struct parser ps;
	int rc;

	rc = parser_init(&ps, text, len, file, err);
	if (rc)
		return rc;
	rc = run(&ps, fn, ctx, 1);
	parser_done(&ps, 0);
	return rc;
}

int vcard_parse_each_skip(const char *text, size_t len, const char *file,
			  vcard_card_fn fn, vcard_bad_fn bad, void *ctx,
			  struct kith_err *err)
{
	struct parser ps;
	int rc;

	rc = parser_init(&ps, text, len, file, err);
	if (rc)
		return rc;
	ps.bad = bad;
	rc = run(&ps, fn, ctx, 1);
	parser_done(&ps, 0);
	return rc;
}

int vcard_parse_file(struct vcard_file *out, const char *path,
		     struct kith_err *err)
{
	FILE *f;
	char *buf = NULL;
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
		kith_err_set(err, KITH_EIO, NULL, "cannot read: %s",
			     strerror(errno));
		kith_err_at(err, path, 0);
		return KITH_EIO;
	}
	if ((size_t)sz > VCARD_MAX_FILE) {
		fclose(f);
		kith_err_set(err, KITH_EINPUT, NULL,
			     "file larger than %zu bytes", VCARD_MAX_FILE);
		kith_err_at(err, path, 0);
		return KITH_EINPUT;
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
	rc = vcard_parse(out, buf, (size_t)sz, path, err);
	free(buf);
	return rc;
}

/* ---- a stored card read back ---- */

/*
 * One line of a stored card in the form vcard_prop_line writes
 * ("[group.]NAME(;PNAME=v1,"v 2")*:value", names upper-case, parameters
 * merged, the value one escaped UTF-8 line) into *out, cut in place in
 * s[0..e) (e is where the line ended, already a NUL). Returns 1 for
 * anything the reader would read differently (a fold, a lower-case name,
 * a repeated or nameless parameter, ENCODING, CHARSET, QUOTED-PRINTABLE
 * or BASE64 in the header, BEGIN, END or VERSION, a CR, bytes that are
 * not UTF-8), -1 on no memory.
 */
static int lean_line(struct vcard_arena *a, char *s, char *e, int line,
		     struct vcard_prop *out)
{
	struct vcard_param pa[VCARD_MAX_PARAMS];
	const char *vals[MAX_PV];
	char *q = s, *dot = NULL, *ns, sep;
	size_t np = 0, nv = 0, h = header_len(s, (size_t)(e - s));
	const char **av;
	struct vcard_param *ap;

	while (q < e && (name_char((unsigned char)*q) || *q == '.')) {
		if (*q == '.')
			dot = q;
		q++;
	}
	if (q == s || q == e || (*q != ';' && *q != ':'))
		return 1;
	if (dot && (dot == s || dot + 1 == q))
		return 1;
	ns = dot ? dot + 1 : s;
	for (char *c = ns; c < q; c++)
		if (islower((unsigned char)*c))
			return 1;
	if (ci_has(s, h, "QUOTED-PRINTABLE") || ci_has(s, h, "BASE64"))
		return 1;
	sep = *q;
	*q = '\0';
	if (!strcmp(ns, "BEGIN") || !strcmp(ns, "END") ||
	    !strcmp(ns, "VERSION"))
		return 1;
	memset(out, 0, sizeof(*out));
	out->line = line;
	out->name = ns;
	if (dot) {
		*dot = '\0';
		out->group = s;
	}
	while (sep == ';') {
		char *pn = ++q;

		while (q < e && name_char((unsigned char)*q)) {
			if (islower((unsigned char)*q))
				return 1;
			q++;
		}
		if (q == pn || q >= e || *q != '=' || np == VCARD_MAX_PARAMS)
			return 1;
		*q++ = '\0';
		if (!strcmp(pn, "ENCODING") || !strcmp(pn, "CHARSET"))
			return 1;
		for (size_t i = 0; i < np; i++)
			if (!strcmp(pa[i].name, pn))
				return 1;
		pa[np].name = pn;
		pa[np].values = vals + nv;
		for (;;) {
			char *vs;
			size_t vl;

			if (nv == MAX_PV)
				return 1;
			if (q < e && *q == '"') {
				vs = ++q;
				q = memchr(q, '"', (size_t)(e - q));
				if (!q)
					return 1;
				vl = (size_t)(q - vs);
				*q++ = '\0';
				if (q >= e)
					return 1;
				sep = *q;
			} else {
				vs = q;
				while (q < e && *q != ',' && *q != ';' &&
				       *q != ':')
					q++;
				if (q >= e)
					return 1;
				vl = (size_t)(q - vs);
				sep = *q;
				*q = '\0';
			}
			vl = caret_decode(vs, vl);
			vs[vl] = '\0';
			/* the full reader reads other bytes as 1252 */
			if (!kith_utf8_valid(vs, vl))
				return 1;
			vals[nv++] = vs;
			if (sep != ',')
				break;
			q++;
		}
		if (sep != ';' && sep != ':')
			return 1;
		pa[np].n_values = (size_t)(vals + nv - pa[np].values);
		np++;
	}
	q++; /* the ':' */
	if (memchr(q, '\r', (size_t)(e - q)) ||
	    !kith_utf8_valid(q, (size_t)(e - q)))
		return 1;
	out->value = q;
	out->value_len = (size_t)(e - q);
	if (!np)
		return 0;
	ap = arena_alloc(a, np * sizeof(*ap));
	av = arena_alloc(a, nv * sizeof(*av));
	if (!ap || !av)
		return -1;
	memcpy(av, vals, nv * sizeof(*av));
	for (size_t i = 0; i < np; i++) {
		ap[i] = pa[i];
		ap[i].values = av + (pa[i].values - vals);
	}
	out->params = ap;
	out->n_params = np;
	return 0;
}

int vcard_stored_lean(struct vcard_file *out, const char *blob,
		      struct kith_err *err)
{
	size_t len = strlen(blob), nl = 1, n = 0;
	struct vcard_prop *props;
	struct vcard *card;
	char *buf, *s;
	int rc = 1;

	memset(out, 0, sizeof(*out));
	if (!len || len > VCARD_MAX_CARD / 2)
		return 1;
	for (const char *c = blob; (c = strchr(c, '\n')); c++)
		nl++;
	if (nl > VCARD_MAX_PROPS)
		return 1;
	out->arena = calloc(1, sizeof(*out->arena));
	card = calloc(1, sizeof(*card));
	if (!out->arena || !card)
		goto nomem;
	/* one chunk for the copy, the properties and their parameters */
	out->arena->next = (len * 2 + nl * sizeof(*props) + 1024) &
			   ~(size_t)1023;
	buf = arena_strndup(out->arena, blob, len);
	props = arena_alloc(out->arena, nl * sizeof(*props));
	if (!buf || !props)
		goto nomem;
	for (s = buf; s;) {
		char *nx = strchr(s, '\n'), *e = nx ? nx : s + strlen(s);

		/* a CR ends a line only before LF: the last line's CR is
		 * a byte of it (the wrapper's CRLF follows it) */
		if (nx && e > s && e[-1] == '\r')
			e--;
		*e = '\0';
		/* BEGIN:VCARD and VERSION:3.0 are lines 1 and 2 */
		rc = lean_line(out->arena, s, e, (int)n + 3, &props[n]);
		if (rc < 0)
			goto nomem;
		if (rc)
			goto done;
		n++;
		s = nx ? nx + 1 : NULL;
	}
	card->version = VCARD_30;
	card->line = 1;
	card->props = props;
	card->n_props = n;
	out->cards = card;
	out->n_cards = 1;
	return KITH_OK;
nomem:
	rc = kith_err_nomem(err);
done:
	free(card);
	arena_free(out->arena);
	memset(out, 0, sizeof(*out));
	return rc;
}

int vcard_parse_stored(struct vcard_file *out, const char *blob,
		       struct kith_err *err)
{
	static const char head[] = "BEGIN:VCARD\r\nVERSION:3.0\r\n",
			  tail[] = "\r\nEND:VCARD\r\n";
	size_t len = strlen(blob);
	char *wrap;
	int rc = vcard_stored_lean(out, blob, err);

	if (rc <= 0)
		return rc;
	wrap = malloc(sizeof(head) + len + sizeof(tail));
	if (!wrap)
		return kith_err_nomem(err);
	memcpy(wrap, head, sizeof(head) - 1);
	memcpy(wrap + sizeof(head) - 1, blob, len);
	memcpy(wrap + sizeof(head) - 1 + len, tail, sizeof(tail));
	rc = vcard_parse(out, wrap, sizeof(head) - 1 + len + sizeof(tail) - 1,
			 "card", err);
	free(wrap);
	if (!rc && out->n_cards != 1) {
		vcard_file_free(out);
		rc = kith_err_set(err, KITH_EINPUT, "card", "not one card");
	}
	return rc;
}

void vcard_file_free(struct vcard_file *f)
{
	if (!f)
		return;
	free(f->cards);
	arena_free(f->arena);
	memset(f, 0, sizeof(*f));
}

/* ---- reading values ---- */

const struct vcard_param *vcard_param_get(const struct vcard_prop *p,
					  const char *name)
{
	for (size_t i = 0; i < p->n_params; i++)
		if (!strcmp(p->params[i].name, name))
			return &p->params[i];
	return NULL;
}

bool vcard_param_has(const struct vcard_prop *p, const char *name,
		     const char *value)
{
	const struct vcard_param *pa = vcard_param_get(p, name);

	if (!pa)
		return false;
	for (size_t i = 0; i < pa->n_values; i++)
		if (!strcasecmp(pa->values[i], value))
			return true;
	return false;
}

size_t vcard_text_unescape(char *dst, const char *src, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (src[i] == '\\' && i + 1 < n) {
			char c = src[++i];

			dst[o++] = (c == 'n' || c == 'N') ? '\n' : c;
			continue;
		}
		dst[o++] = src[i];
	}
	dst[o] = '\0';
	return o;
}

size_t vcard_value_split(const char *src, size_t n, bool list, char *buf,
			 vcard_piece_fn fn, void *ctx)
{
	size_t comp = 0, idx = 0, start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && src[i] == '\\') {
			i++;
			continue;
		}
		if (i == n || src[i] == ';' || (list && src[i] == ',')) {
			size_t len =
			    vcard_text_unescape(buf, src + start, i - start);

			fn(comp, idx, buf, len, ctx);
			start = i + 1;
			if (i < n && src[i] == ',') {
				idx++;
			} else {
				comp++;
				idx = 0;
			}
		}
	}
	return comp;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int vcard_date_parse(struct kdate *out, bool *is_text,
		     const struct vcard_prop *p, struct kith_err *err)
{
	char buf[64];
	const char *s = buf;
	size_t n;
	int y = 0, m = 0, d = 0, year_known = 1;

	*is_text = false;
	if (vcard_param_has(p, "VALUE", "text")) {
		*is_text = true;
		return KITH_OK;
	}
	n = p->value_len < sizeof(buf) - 1 ? p->value_len : sizeof(buf) - 1;
	n = vcard_text_unescape(buf, p->value, n);
	while (n && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	while (*s && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	/* A date-time: the date is what a birthday needs. */
	{
		const char *t = strchr(s, 'T');

		if (t)
			n = (size_t)(t - s);
	}
	if (n == 6 && !strncmp(s, "--", 2) && !digits(s + 2, 2, &m) &&
	    !digits(s + 4, 2, &d)) {
		year_known = 0;
	} else if (n == 7 && !strncmp(s, "--", 2) && s[4] == '-' &&
		   !digits(s + 2, 2, &m) && !digits(s + 5, 2, &d)) {
		year_known = 0;
	} else if (n == 10 && s[4] == '-' && s[7] == '-' && !digits(s, 4, &y) &&
		   !digits(s + 5, 2, &m) && !digits(s + 8, 2, &d)) {
	} else if (n == 8 && !digits(s, 4, &y) && !digits(s + 4, 2, &m) &&
		   !digits(s + 6, 2, &d)) {
	} else {
		return kith_err_set(err, KITH_EINPUT, p->name,
				    "expected a date like 1980-03-15, 19800315 "
				    "or --03-15, got \"%s\"",
				    s);
	}
	/* Apple writes a year-less date as year 1604, with or without
	 * X-APPLE-OMIT-YEAR (iOS 12 drops the parameter); Nextcloud and
	 * sabre/vobject read it the same way. */
	if (year_known &&
	    (y == 1604 || vcard_param_get(p, "X-APPLE-OMIT-YEAR")))
		year_known = 0;
	if (!year_known)
		y = 2000; /* a leap year holds Feb 29 */
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > kith_days_in_month(y, m))
		return kith_err_set(err, KITH_EINPUT, p->name,
				    "no such date: \"%s\"", s);
	out->day = kith_days_from_civil(y, m, d);
	out->year_known = year_known;
	out->yearly = true;
	return KITH_OK;
}

/* ---- writing one line (shared with render/vcard.c) ---- */

static int buf_add(char **buf, size_t *len, size_t *cap, const char *s,
		   size_t n)
{
	if (grow(buf, cap, *len + n + 1))
		return -1;
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

static int param_value_add(char **buf, size_t *len, size_t *cap, const char *v)
{
	size_t n = strlen(v);
	int quote = n == 0 || strpbrk(v, ",;:\"\n") != NULL;

	if (quote && buf_add(buf, len, cap, "\"", 1))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *rep = NULL;

		if (v[i] == '"')
			rep = "^'";
		else if (v[i] == '\n')
			rep = "^n";
		else if (v[i] == '^' && i + 1 < n &&
			 (v[i + 1] == 'n' || v[i + 1] == 'N' ||
			  v[i + 1] == '\'' || v[i + 1] == '^'))
			rep = "^^";
		if (rep ? buf_add(buf, len, cap, rep, 2)
			: buf_add(buf, len, cap, v + i, 1))
			return -1;
	}
	if (quote && buf_add(buf, len, cap, "\"", 1))
		return -1;
	return 0;
}

int vcard_prop_line(char **buf, size_t *len, size_t *cap,
		    const struct vcard_prop *p)
{
	if (p->group && (buf_add(buf, len, cap, p->group, strlen(p->group)) ||
			 buf_add(buf, len, cap, ".", 1)))
		return KITH_ENOMEM;
	if (buf_add(buf, len, cap, p->name, strlen(p->name)))
		return KITH_ENOMEM;
	for (size_t i = 0; i < p->n_params; i++) {
		const struct vcard_param *pa = &p->params[i];

		if (buf_add(buf, len, cap, ";", 1) ||
		    buf_add(buf, len, cap, pa->name, strlen(pa->name)) ||
		    buf_add(buf, len, cap, "=", 1))
			return KITH_ENOMEM;
		for (size_t k = 0; k < pa->n_values; k++)
			if ((k && buf_add(buf, len, cap, ",", 1)) ||
			    param_value_add(buf, len, cap, pa->values[k]))
				return KITH_ENOMEM;
	}
	if (buf_add(buf, len, cap, ":", 1) ||
	    buf_add(buf, len, cap, p->value, p->value_len))
		return KITH_ENOMEM;
	return KITH_OK;
}

/* ---- mapping ---- */

void vcard_contact_init(struct vcard_contact *vc)
{
	memset(vc, 0, sizeof(*vc));
	contact_init(&vc->c);
}

void vcard_contact_clear(struct vcard_contact *vc)
{
	if (!vc)
		return;
	contact_clear(&vc->c);
	free(vc->given);
	free(vc->family);
	for (size_t i = 0; i < vc->n_dates; i++)
		kdate_clear(&vc->dates[i]);
	free(vc->dates);
	vcard_contact_init(vc);
}

/* The unescaped, trimmed text of a value; malloc'd. */
static char *text_dup(const char *v, size_t n)
{
	char *d = malloc(n + 1);
	size_t len, s = 0;

	if (!d)
		return NULL;
	len = vcard_text_unescape(d, v, n);
	while (len && isspace((unsigned char)d[len - 1]))
		d[--len] = '\0';
	while (s < len && isspace((unsigned char)d[s]))
		s++;
	if (s)
		memmove(d, d + s, len - s + 1);
	return d;
}

/* Apple's "_$!<Mobile>!$_" is a built-in label; anything else is the
 * user's own words. */
static void label_clean(char *s)
{
	size_t n = strlen(s);

	if (n > 8 && !strncmp(s, "_$!<", 4) && !strcmp(s + n - 4, ">!$_")) {
		memmove(s, s + 4, n - 8);
		s[n - 8] = '\0';
		for (char *c = s; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	}
}

void vcard_prop_label(char *out, size_t cap, const struct vcard *card,
		      const struct vcard_prop *p)
{
	const struct vcard_param *t;
	size_t o = 0;

	out[0] = '\0';
	if (p->group)
		for (size_t i = 0; i < card->n_props; i++) {
			const struct vcard_prop *q = &card->props[i];

			if (q->group && !strcasecmp(q->group, p->group) &&
			    !strcmp(q->name, "X-ABLABEL")) {
				size_t n = q->value_len < cap - 1 ? q->value_len
								  : cap - 1;

				vcard_text_unescape(out, q->value, n);
				label_clean(out);
				out[kith_utf8_cut(out, strlen(out))] = '\0';
				return;
			}
		}
	t = vcard_param_get(p, "TYPE");
	for (size_t i = 0; t && i < t->n_values; i++) {
		const char *v = t->values[i];
		static const char *const skip[] = {"INTERNET", "PREF",	"VOICE",
						   "X400",     "X.400", NULL};
		int sk = 0;

		for (int k = 0; skip[k]; k++)
			sk |= !strcasecmp(v, skip[k]);
		if (sk)
			continue;
		if (!strcasecmp(v, "CELL"))
			v = "mobile";
		if (o && o + 1 < cap)
			out[o++] = ' ';
		for (; *v && o + 1 < cap; v++)
			out[o++] = (char)tolower((unsigned char)*v);
		out[o] = '\0';
	}
	/* A label cut at cap keeps whole characters. */
	out[kith_utf8_cut(out, o)] = '\0';
}

const char *vcard_date_kind(char *buf, size_t cap, const struct vcard *card,
			    const struct vcard_prop *p)
{
	const char *n = p->name;

	if (!strcmp(n, "BDAY"))
		return "birthday";
	if (!strcmp(n, "ANNIVERSARY") || !strcmp(n, "X-ANNIVERSARY") ||
	    !strcmp(n, "X-MS-ANNIVERSARY") ||
	    !strcmp(n, "X-EVOLUTION-ANNIVERSARY"))
		return "anniversary";
	if (strcmp(n, "X-ABDATE"))
		return NULL;
	/* Apple's other dates carry their kind as a label */
	vcard_prop_label(buf, cap, card, p);
	return buf[0] ? buf : NULL;
}

struct split_ctx {
	char *comp[8]; /* first piece of each of 7 components */
	int nomem;
};

static void split_take(size_t comp, size_t idx, const char *s, size_t len,
		       void *ctx)
{
	struct split_ctx *sc = ctx;

	if (comp >= 8 || len == 0)
		return;
	if (!sc->comp[comp]) {
		sc->comp[comp] = strndup(s, len);
		if (!sc->comp[comp])
			sc->nomem = 1;
	} else if (idx) {
		/* ADR street lists, ORG units: join with ", " */
		size_t ol = strlen(sc->comp[comp]);
		char *n = realloc(sc->comp[comp], ol + len + 3);

		if (!n) {
			sc->nomem = 1;
			return;
		}
		memcpy(n + ol, ", ", 2);
		memcpy(n + ol + 2, s, len);
		n[ol + 2 + len] = '\0';
		sc->comp[comp] = n;
	}
}

static void split_free(struct split_ctx *sc)
{
	for (int i = 0; i < 8; i++)
		free(sc->comp[i]);
}

static int split(struct split_ctx *sc, const struct vcard_prop *p, bool list)
{
	char *buf = malloc(p->value_len + 1);

	memset(sc, 0, sizeof(*sc));
	if (!buf)
		return -1;
	vcard_value_split(p->value, p->value_len, list, buf, split_take, sc);
	free(buf);
	return sc->nomem ? -1 : 0;
}

int vcard_adr_line(char *line, size_t cap, const struct vcard_prop *p)
{
	struct split_ctx sc;
	size_t o = 0;
	/* street, extended, locality, "region code", country */
	static const int order[] = {2, 1, 3, 4, 5, 6, 0};

	line[0] = '\0';
	if (split(&sc, p, true)) {
		split_free(&sc);
		return KITH_ENOMEM;
	}
	for (int i = 0; i < 7; i++) {
		const char *c = sc.comp[order[i]];

		if (!c)
			continue;
		/* the postal code follows the region after a space */
		o += (size_t)snprintf(
		    line + o, cap - o, "%s%s",
		    o ? (order[i] == 5 && sc.comp[4] ? " " : ", ") : "", c);
		if (o >= cap)
			o = cap - 1;
	}
	split_free(&sc);
	line[kith_utf8_cut(line, o)] = '\0';
	/* One line: a street on two lines (Outlook's "Street\nSuite 4")
	 * is joined with ", "; other control characters become spaces. */
	if (strpbrk(line, "\r\n\t\v\f")) {
		char *copy = strdup(line);
		size_t w = 0;

		if (!copy)
			return KITH_ENOMEM;
		for (const char *c = copy; *c && w + 2 < cap; c++) {
			if (*c == '\r')
				continue;
			if (*c == '\n') {
				if (w && line[w - 1] != ' ' && line[w - 1] != ',')
					line[w++] = ',';
				line[w++] = ' ';
				continue;
			}
			line[w++] = (unsigned char)*c < 0x20 ? ' ' : *c;
		}
		line[w] = '\0';
		free(copy);
	}
	return KITH_OK;
}

static int push_labelled(struct strlist *vals, struct strlist *labels,
			 const char *v, const char *label)
{
	if (strlist_has_ci(vals, v))
		return 0;
	if (strlist_push(vals, v) || strlist_push(labels, label))
		return -1;
	return 0;
}

static int add_date(struct vcard_contact *vc, const char *kind,
		    const struct kdate *d)
{
	struct kdate *nd;

	for (size_t i = 0; i < vc->n_dates; i++)
		if (!strcmp(vc->dates[i].kind, kind))
			return 0; /* the first one wins */
	nd = realloc(vc->dates, (vc->n_dates + 1) * sizeof(*nd));
	if (!nd)
		return -1;
	vc->dates = nd;
	nd[vc->n_dates] = *d;
	nd[vc->n_dates].kind = strdup(kind);
	if (!nd[vc->n_dates].kind)
		return -1;
	vc->n_dates++;
	return 0;
}

static const char *strip_prefix(const char *v, const char *pre)
{
	size_t n = strlen(pre);

	return strncasecmp(v, pre, n) ? v : v + n;
}

static int map_prop(struct vcard_contact *vc, const struct vcard *card,
		    const struct vcard_prop *p, struct kith_err *err)
{
	char label[128];
	char *t = NULL;
	int rc = KITH_OK;
	const char *n = p->name;

	if (!strcmp(n, "FN")) {
		if (vc->c.name)
			return KITH_OK;
		t = text_dup(p->value, p->value_len);
		if (!t)
			return kith_err_nomem(err);
		if (*t) {
			vc->c.name = t;
			t = NULL;
		}
	} else if (!strcmp(n, "N")) {
		struct split_ctx sc;

		if (vc->family || vc->given)
			return KITH_OK;
		if (split(&sc, p, false)) {
			split_free(&sc);
			return kith_err_nomem(err);
		}
		vc->family = sc.comp[0];
		vc->given = sc.comp[1];
		sc.comp[0] = sc.comp[1] = NULL;
		split_free(&sc);
	} else if (!strcmp(n, "EMAIL")) {
		const char *v;

		t = text_dup(p->value, p->value_len);
		if (!t)
			return kith_err_nomem(err);
		v = strip_prefix(t, "mailto:");
		if (*v && !strchr(v, '@'))
			rc = kith_err_set(err, KITH_EINPUT, "EMAIL",
					  "no '@' in \"%.200s\"", v);
		else if (*v) {
			vcard_prop_label(label, sizeof(label), card, p);
			if (push_labelled(&vc->c.emails, &vc->c.email_labels, v,
					  label))
				rc = kith_err_nomem(err);
		}
	} else if (!strcmp(n, "TEL")) {
		const char *v;

		t = text_dup(p->value, p->value_len);
		if (!t)
			return kith_err_nomem(err);
		v = strip_prefix(t, "tel:");
		if (*v) {
			vcard_prop_label(label, sizeof(label), card, p);
			if (push_labelled(&vc->c.phones, &vc->c.phone_labels, v,
					  label))
				rc = kith_err_nomem(err);
		}
	} else if (!strcmp(n, "ADR")) {
		char line[1024];

		if (vcard_adr_line(line, sizeof(line), p))
			return kith_err_nomem(err);
		if (*line) {
			vcard_prop_label(label, sizeof(label), card, p);
			if (strlist_push(&vc->c.addresses, line) ||
			    strlist_push(&vc->c.address_labels, label))
				rc = kith_err_nomem(err);
		}
	} else if (!strcmp(n, "ORG")) {
		struct split_ctx sc;

		if (vc->c.org_name)
			return KITH_OK;
		if (split(&sc, p, false)) {
			split_free(&sc);
			return kith_err_nomem(err);
		}
		vc->c.org_name = sc.comp[0];
		sc.comp[0] = NULL;
		split_free(&sc);
	} else if (!strcmp(n, "TITLE")) {
		if (vc->c.title)
			return KITH_OK;
		t = text_dup(p->value, p->value_len);
		if (!t)
			return kith_err_nomem(err);
		if (*t) {
			vc->c.title = t;
			t = NULL;
		}
	} else if (!strcmp(n, "TZ")) {
		/* 3.0's "-05:00" says less than a zone name; it stays in
		 * the card. */
		t = text_dup(p->value, p->value_len);
		if (!t)
			return kith_err_nomem(err);
		if (!vc->c.tz && kith_tz_valid(t)) {
			vc->c.tz = t;
			t = NULL;
		}
	} else if (!strcmp(n, "NOTE")) {
		t = text_dup(p->value, p->value_len);
		if (!t)
			return kith_err_nomem(err);
		if (*t && !vc->c.notes) {
			vc->c.notes = t;
			t = NULL;
		} else if (*t) {
			size_t a = strlen(vc->c.notes), b = strlen(t);
			char *nn = realloc(vc->c.notes, a + b + 2);

			if (!nn) {
				free(t);
				return kith_err_nomem(err);
			}
			nn[a] = '\n';
			memcpy(nn + a + 1, t, b + 1);
			vc->c.notes = nn;
		}
	} else if (!strcmp(n, "UID")) {
		if (vc->c.uid)
			return KITH_OK;
		t = text_dup(p->value, p->value_len);
		if (!t)
			return kith_err_nomem(err);
		if (*t) {
			vc->c.uid = t;
			t = NULL;
		}
	} else if (vcard_date_kind(label, sizeof(label), card, p)) {
		struct kdate d = {0};
		bool is_text;
		const char *kind =
		    vcard_date_kind(label, sizeof(label), card, p);

		if (p->value_len == 0)
			return KITH_OK;
		rc = vcard_date_parse(&d, &is_text, p, err);
		if (!rc && !is_text && add_date(vc, kind, &d))
			rc = kith_err_nomem(err);
	}
	free(t);
	return rc;
}

static int name_fallback(struct vcard_contact *vc)
{
	if (vc->c.name)
		return 0;
	if (vc->given || vc->family) {
		/* Whole: a buffer of fixed size cut a long name inside a
		 * UTF-8 sequence, and the card written from it did not read
		 * back (found by fuzz_vcard). */
		const char *g = vc->given ? vc->given : "";
		const char *f = vc->family ? vc->family : "";
		size_t n = strlen(g) + strlen(f) + 2;

		vc->c.name = malloc(n);
		if (vc->c.name)
			snprintf(vc->c.name, n, "%s%s%s", g,
				 vc->given && vc->family ? " " : "", f);
	} else if (vc->c.org_name) {
		vc->c.name = strdup(vc->c.org_name);
	} else if (vc->c.emails.n) {
		vc->c.name = strdup(vc->c.emails.v[0]);
	} else if (vc->c.phones.n) {
		vc->c.name = strdup(vc->c.phones.v[0]);
	} else {
		return 1;
	}
	return vc->c.name ? 0 : -1;
}

int vcard_to_contact(struct vcard_contact *out, const struct vcard *card,
		     const char *file, struct kith_err *err)
{
	size_t len = 0, cap = 0;
	int rc = KITH_OK, line = card->line;

	vcard_contact_init(out);
	for (size_t i = 0; i < card->n_props && !rc; i++) {
		const struct vcard_prop *p = &card->props[i];

		rc = map_prop(out, card, p, err);
		if (rc) {
			line = p->line;
			break;
		}
		if (!strcmp(p->name, "PRODID") || !strcmp(p->name, "REV"))
			continue;
		if ((len && buf_add(&out->c.card, &len, &cap, "\r\n", 2)) ||
		    vcard_prop_line(&out->c.card, &len, &cap, p))
			rc = kith_err_nomem(err);
	}
	if (!rc) {
		int f = name_fallback(out);

		if (f < 0)
			rc = kith_err_nomem(err);
		else if (f > 0)
			rc = kith_err_set(err, KITH_EINPUT, "FN",
					  "a card with no FN, N, ORG, EMAIL "
					  "or TEL");
	}
	if (rc) {
		if (rc == KITH_EINPUT)
			kith_err_at(err, file ? file : "", line);
		vcard_contact_clear(out);
	}
	return rc;
}
