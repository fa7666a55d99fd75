/*
 * dav_xml.c: WebDAV/CardDAV request bodies through libxml2's tree API,
 * and the escaping the answers need. libxml2 2.9 has no XML_PARSE_NO_XXE;
 * kith never passes XML_PARSE_NOENT or XML_PARSE_DTDLOAD, and refuses a
 * DOCTYPE outright, so neither internal nor external entities exist.
 */
#include "dav_xml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Every string handed out is one allocation on this list. */
struct arena {
	char **v;
	size_t n, cap;
};

static char *arena_strdup(struct arena *a, const char *s)
{
	char *c;

	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 32;
		char **v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		a->v = v;
		a->cap = cap;
	}
	c = strdup(s ? s : "");
	if (c)
		a->v[a->n++] = c;
	return c;
}

static void arena_free(struct arena *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	free(a);
}

void dav_body_free(struct dav_body *b)
{
	if (!b)
		return;
	free(b->props);
	free(b->hrefs);
	free(b->filters);
	arena_free(b->arena);
	memset(b, 0, sizeof(*b));
}

/* libxml2's messages go nowhere: a client's bad XML is its own 400. */
static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

void dav_xml_init(void)
{
	xmlInitParser();
	xmlSetGenericErrorFunc(NULL, quiet);
}

static bool is(const xmlNode *n, const char *ns, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       !strcmp((const char *)n->ns->href, ns) &&
	       !strcmp((const char *)n->name, name);
}

static const xmlNode *child(const xmlNode *n, const char *ns, const char *name)
{
	for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (is(c, ns, name))
			return c;
	return NULL;
}

static int depth_ok(const xmlNode *n, int depth)
{
	if (depth > DAV_XML_MAX_DEPTH)
		return 0;
	for (const xmlNode *c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !depth_ok(c, depth + 1))
			return 0;
	return 1;
}

struct reader {
	struct dav_body *b;
	struct arena *a;
	struct kith_err *err;
	size_t cap_props, cap_hrefs, cap_filters;
};

static int nomem(struct reader *r)
{
	return kith_err_nomem(r->err);
}

/* The text inside n, trimmed, into the arena. */
static const char *text_of(struct reader *r, const xmlNode *n)
{
	xmlChar *t = xmlNodeGetContent(n);
	const char *s, *e, *out;
	char *tmp;

	if (!t)
		return arena_strdup(r->a, "");
	s = (const char *)t;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
			 e[-1] == '\n'))
		e--;
	tmp = strndup(s, (size_t)(e - s));
	xmlFree(t);
	if (!tmp)
		return NULL;
	out = arena_strdup(r->a, tmp);
	free(tmp);
	return out;
}

static int add_prop(struct reader *r, const xmlNode *n)
{
	struct dav_body *b = r->b;
	struct dav_name *p;

	if (b->n_props == DAV_XML_MAX_PROPS)
		return kith_err_set(r->err, KITH_EINPUT, "prop",
				    "more than %d properties asked for",
				    DAV_XML_MAX_PROPS);
	if (b->n_props == r->cap_props) {
		size_t cap = r->cap_props ? r->cap_props * 2 : 16;

		p = realloc(b->props, cap * sizeof(*p));
		if (!p)
			return nomem(r);
		b->props = p;
		r->cap_props = cap;
	}
	p = &b->props[b->n_props];
	p->ns = arena_strdup(
	    r->a, n->ns && n->ns->href ? (const char *)n->ns->href : "");
	p->name = arena_strdup(r->a, (const char *)n->name);
	if (!p->ns || !p->name)
		return nomem(r);
	b->n_props++;
	if (is(n, DAV_NS, "resourcetype"))
		b->resourcetype = child(n, CARDDAV_NS, "addressbook") ? 2 : 1;
	if (is(n, DAV_NS, "displayname")) {
		b->displayname = text_of(r, n);
		if (!b->displayname)
			return nomem(r);
	}
	if (is(n, CARDDAV_NS, "address-data")) {
		xmlChar *v = xmlGetProp(n, (const xmlChar *)"version");

		b->address_data = true;
		if (v && !strcmp((const char *)v, "4.0"))
			b->address_version = 40;
		else if (v && !strcmp((const char *)v, "3.0"))
			b->address_version = 30;
		xmlFree(v);
	}
	return KITH_OK;
}

/* The children of a DAV:prop element. */
static int read_prop(struct reader *r, const xmlNode *prop)
{
	int rc = KITH_OK;

	for (const xmlNode *c = prop ? prop->children : NULL; c && !rc;
	     c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			rc = add_prop(r, c);
	return rc;
}

static int read_hrefs(struct reader *r, const xmlNode *root)
{
	struct dav_body *b = r->b;

	for (const xmlNode *c = root->children; c; c = c->next) {
		const char *h;

		if (!is(c, DAV_NS, "href"))
			continue;
		if (b->n_hrefs == DAV_XML_MAX_HREFS)
			return kith_err_set(r->err, KITH_EINPUT, "href",
					    "more than %d hrefs in one report",
					    DAV_XML_MAX_HREFS);
		if (b->n_hrefs == r->cap_hrefs) {
			size_t cap = r->cap_hrefs ? r->cap_hrefs * 2 : 64;
			const char **v = realloc(b->hrefs, cap * sizeof(*v));

			if (!v)
				return nomem(r);
			b->hrefs = v;
			r->cap_hrefs = cap;
		}
		h = text_of(r, c);
		if (!h)
			return nomem(r);
		b->hrefs[b->n_hrefs++] = h;
	}
	return KITH_OK;
}

/* A CARDDAV:param-filter into f (its name upper-cased). */
static int read_param_filter(struct reader *r, struct dav_filter *f,
			     const xmlNode *pf)
{
	xmlChar *name = xmlGetProp(pf, (const xmlChar *)"name");
	const xmlNode *tm;

	f->param = arena_strdup(r->a, name ? (const char *)name : "");
	xmlFree(name);
	if (!f->param)
		return nomem(r);
	for (char *p = (char *)f->param; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	f->param_not_defined = child(pf, CARDDAV_NS, "is-not-defined");
	tm = child(pf, CARDDAV_NS, "text-match");
	if (tm) {
		xmlChar *m = xmlGetProp(tm, (const xmlChar *)"match-type");
		xmlChar *neg =
		    xmlGetProp(tm, (const xmlChar *)"negate-condition");

		f->param_match =
		    arena_strdup(r->a, m ? (const char *)m : "contains");
		f->param_negate = neg && !strcmp((const char *)neg, "yes");
		xmlFree(m);
		xmlFree(neg);
		f->param_text = text_of(r, tm);
		if (!f->param_match || !f->param_text)
			return nomem(r);
	}
	return KITH_OK;
}

static int read_filters(struct reader *r, const xmlNode *filter)
{
	struct dav_body *b = r->b;
	int rc;
	xmlChar *test = xmlGetProp(filter, (const xmlChar *)"test");

	b->filter_allof = test && !strcmp((const char *)test, "allof");
	xmlFree(test);
	for (const xmlNode *c = filter->children; c; c = c->next) {
		struct dav_filter *f;
		const xmlNode *tm, *pf;
		xmlChar *name, *ptest;

		if (!is(c, CARDDAV_NS, "prop-filter"))
			continue;
		if (b->n_filters == DAV_XML_MAX_FILTERS)
			return kith_err_set(r->err, KITH_EINPUT, "prop-filter",
					    "more than %d prop-filters",
					    DAV_XML_MAX_FILTERS);
		if (b->n_filters == r->cap_filters) {
			size_t cap = r->cap_filters ? r->cap_filters * 2 : 8;

			f = realloc(b->filters, cap * sizeof(*f));
			if (!f)
				return nomem(r);
			b->filters = f;
			r->cap_filters = cap;
		}
		f = &b->filters[b->n_filters];
		memset(f, 0, sizeof(*f));
		name = xmlGetProp(c, (const xmlChar *)"name");
		f->prop = arena_strdup(r->a, (const char *)name);
		xmlFree(name);
		if (!f->prop)
			return nomem(r);
		for (char *p = (char *)f->prop; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		f->not_defined = child(c, CARDDAV_NS, "is-not-defined");
		ptest = xmlGetProp(c, (const xmlChar *)"test");
		f->allof = ptest && !strcmp((const char *)ptest, "allof");
		xmlFree(ptest);
		if ((pf = child(c, CARDDAV_NS, "param-filter")) &&
		    (rc = read_param_filter(r, f, pf)))
			return rc;
		tm = child(c, CARDDAV_NS, "text-match");
		if (tm) {
			xmlChar *m =
			    xmlGetProp(tm, (const xmlChar *)"match-type");
			xmlChar *neg =
			    xmlGetProp(tm, (const xmlChar *)"negate-condition");

			f->match = arena_strdup(r->a, m ? (const char *)m
							: "contains");
			f->negate = neg && !strcmp((const char *)neg, "yes");
			xmlFree(m);
			xmlFree(neg);
			f->text = text_of(r, tm);
			if (!f->match || !f->text)
				return nomem(r);
		}
		b->n_filters++;
	}
	return KITH_OK;
}

/* Is there anything but white space in s[0..n)? */
static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(" \t\r\n", s[i]))
			return false;
	return true;
}

static bool has_doctype(const char *s, size_t n)
{
	for (size_t i = 0; i + 2 <= n; i++)
		if (s[i] == '<' && s[i + 1] == '!' &&
		    (i + 9 > n || strncmp(s + i, "<![CDATA[", 9)) &&
		    (i + 4 > n || strncmp(s + i, "<!--", 4)))
			return true;
	return false;
}

int dav_xml_parse(struct dav_body *out, const char *body, size_t len,
		  struct kith_err *err)
{
	struct reader r = {.b = out, .err = err};
	xmlDoc *doc = NULL;
	const xmlNode *root, *n;
	int rc = KITH_OK;

	memset(out, 0, sizeof(*out));
	if (!body || blank(body, len))
		return KITH_OK;
	if (len > DAV_XML_MAX_BODY)
		return kith_err_set(err, KITH_EINPUT, "body",
				    "the XML body is over %zu bytes",
				    DAV_XML_MAX_BODY);
	/* No DTD and so no entities: a DAV body needs none, and refusing
	 * "<!" (CDATA and comments aside) rules out every entity trick
	 * before libxml2 runs. */
	if (has_doctype(body, len))
		return kith_err_set(err, KITH_EINPUT, "body",
				    "a DOCTYPE or entity in a DAV body is "
				    "not accepted");
	r.a = calloc(1, sizeof(*r.a));
	if (!r.a)
		return kith_err_nomem(err);
	out->arena = r.a;
	doc = xmlReadMemory(body, (int)len, NULL, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
				XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root) {
		rc = kith_err_set(err, KITH_EINPUT, "body",
				  "the body is not well-formed XML");
		goto done;
	}
	if (!depth_ok(root, 1)) {
		rc = kith_err_set(err, KITH_EINPUT, "body",
				  "XML nested deeper than %d",
				  DAV_XML_MAX_DEPTH);
		goto done;
	}
	if (is(root, DAV_NS, "propfind")) {
		out->kind = DAV_BODY_PROPFIND;
		if (child(root, DAV_NS, "allprop"))
			out->mode = DAV_ALLPROP;
		else if (child(root, DAV_NS, "propname"))
			out->mode = DAV_PROPNAME;
		else if ((n = child(root, DAV_NS, "prop")))
			rc = read_prop(&r, n);
		else
			out->mode = DAV_ALLPROP;
	} else if (is(root, DAV_NS, "propertyupdate")) {
		out->kind = DAV_BODY_PROPPATCH;
		for (const xmlNode *c = root->children; c && !rc; c = c->next)
			if (is(c, DAV_NS, "set") || is(c, DAV_NS, "remove"))
				rc = read_prop(&r, child(c, DAV_NS, "prop"));
	} else if (is(root, DAV_NS, "mkcol") || is(root, CARDDAV_NS, "mkcol")) {
		out->kind = DAV_BODY_MKCOL;
		n = child(root, DAV_NS, "set");
		rc = read_prop(&r, child(n, DAV_NS, "prop"));
	} else if (is(root, CARDDAV_NS, "addressbook-multiget")) {
		out->kind = DAV_BODY_MULTIGET;
		rc = read_prop(&r, child(root, DAV_NS, "prop"));
		if (!rc)
			rc = read_hrefs(&r, root);
	} else if (is(root, CARDDAV_NS, "addressbook-query")) {
		out->kind = DAV_BODY_QUERY;
		rc = read_prop(&r, child(root, DAV_NS, "prop"));
		if (!rc && (n = child(root, CARDDAV_NS, "filter")))
			rc = read_filters(&r, n);
		if (!rc && (n = child(root, CARDDAV_NS, "limit")) &&
		    (n = child(n, CARDDAV_NS, "nresults"))) {
			const char *t = text_of(&r, n);

			out->limit = t ? strtol(t, NULL, 10) : 0;
			if (out->limit < 0)
				out->limit = 0;
		}
	} else if (is(root, DAV_NS, "sync-collection")) {
		out->kind = DAV_BODY_SYNC;
		n = child(root, DAV_NS, "sync-token");
		out->sync_token = n ? text_of(&r, n) : arena_strdup(r.a, "");
		if (!out->sync_token) {
			rc = kith_err_nomem(err);
			goto done;
		}
		n = child(root, DAV_NS, "sync-level");
		if (n) {
			xmlChar *t = xmlNodeGetContent(n);

			out->sync_infinite =
			    t && strstr((const char *)t, "infinite");
			xmlFree(t);
		}
		if ((n = child(root, DAV_NS, "limit")) &&
		    (n = child(n, DAV_NS, "nresults"))) {
			const char *t = text_of(&r, n);

			out->limit = t ? strtol(t, NULL, 10) : 0;
			if (out->limit < 0)
				out->limit = 0;
		}
		rc = read_prop(&r, child(root, DAV_NS, "prop"));
	} else {
		out->kind = DAV_BODY_OTHER;
		out->other = arena_strdup(r.a, (const char *)root->name);
		if (!out->other)
			rc = kith_err_nomem(err);
	}
done:
	xmlFreeDoc(doc);
	if (rc)
		dav_body_free(out);
	return rc;
}

/* ---- writing ---- */

void dav_buf_add(struct dav_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *t;

		while (cap < b->len + n + 1)
			cap *= 2;
		t = realloc(b->s, cap);
		if (!t) {
			b->failed = true;
			return;
		}
		b->s = t;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void dav_buf_str(struct dav_buf *b, const char *s)
{
	dav_buf_add(b, s, strlen(s));
}

void dav_buf_printf(struct dav_buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	dav_buf_add(b, tmp,
		    (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void dav_buf_xml(struct dav_buf *b, const char *s, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;
		size_t len = 1;

		if (c == '&')
			rep = "&amp;";
		else if (c == '<')
			rep = "&lt;";
		else if (c == '>')
			rep = "&gt;";
		else if (c == '"')
			rep = "&quot;";
		else if (c == '\'')
			rep = "&apos;";
		else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			rep = "\xef\xbf\xbd";
		else if (c >= 0x80) {
			len = c >> 5 == 6    ? 2
			      : c >> 4 == 14 ? 3
			      : c >> 3 == 30 ? 4
					     : 0;
			if (!len || i + len > n ||
			    !kith_utf8_valid(s + i, len)) {
				rep = "\xef\xbf\xbd";
				len = 1;
			} else if (len == 3 && c == 0xef &&
				   (unsigned char)s[i + 1] == 0xbf &&
				   (unsigned char)s[i + 2] >= 0xbe) {
				/* U+FFFE and U+FFFF: valid UTF-8, but no
				 * XML 1.0 Char (its section 2.2). */
				rep = "\xef\xbf\xbd";
			}
		}
		if (rep) {
			dav_buf_add(b, s + start, i - start);
			dav_buf_str(b, rep);
			start = i + len;
		}
		i += len;
	}
	dav_buf_add(b, s + start, n - start);
}

void dav_buf_free(struct dav_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}
