/*
 * dav_xml.h: read the XML bodies WebDAV and CardDAV clients send
 * (PROPFIND, PROPPATCH, MKCOL, the addressbook-multiget, -query and
 * sync-collection REPORTs) into a plain struct. Parsing is libxml2's,
 * with no network, no DTD (a body with a DOCTYPE is refused before
 * libxml2 sees it, so no entity is ever defined, let alone expanded),
 * and limits on size, depth and counts. No SQL, no HTTP: server/dav.c
 * answers what this reads.
 */
#ifndef KITH_INPUT_DAV_XML_H
#define KITH_INPUT_DAV_XML_H

#include <stdbool.h>
#include <stddef.h>

#include "../kith.h"

#define DAV_NS	   "DAV:"
#define CARDDAV_NS "urn:ietf:params:xml:ns:carddav"
#define CS_NS	   "http://calendarserver.org/ns/"

#define DAV_XML_MAX_BODY    ((size_t)1 << 20) /* bytes */
#define DAV_XML_MAX_DEPTH   32		      /* element nesting */
#define DAV_XML_MAX_PROPS   256		      /* properties asked for */
#define DAV_XML_MAX_HREFS   20000	      /* hrefs of one multiget */
#define DAV_XML_MAX_FILTERS 64		      /* prop-filters of one query */

enum dav_body_kind {
	DAV_BODY_NONE, /* empty body */
	DAV_BODY_PROPFIND,
	DAV_BODY_PROPPATCH,
	DAV_BODY_MKCOL,	   /* extended MKCOL (RFC 5689) */
	DAV_BODY_MULTIGET, /* CARDDAV:addressbook-multiget */
	DAV_BODY_QUERY,	   /* CARDDAV:addressbook-query */
	DAV_BODY_SYNC,	   /* DAV:sync-collection */
	DAV_BODY_OTHER,	   /* a report this server does not know */
};

enum dav_propfind_mode { DAV_PROPS, DAV_ALLPROP, DAV_PROPNAME };

/* A property by namespace and local name; both point into the arena. */
struct dav_name {
	const char *ns; /* "" when the element had none */
	const char *name;
};

/* One CARDDAV:prop-filter: a test on one vCard property. */
struct dav_filter {
	const char *prop;  /* "EMAIL", "FN", "UID", ... upper-case */
	const char *text;  /* text-match, or NULL for a presence test */
	const char *match; /* equals, contains, starts-with, ends-with */
	bool negate;	   /* negate-condition="yes" */
	bool not_defined;  /* is-not-defined */
	bool allof;	   /* test="allof": text-match and param-filter
			    * both (default: either) */
	/* Its first CARDDAV:param-filter (RFC 6352 10.5.2), or param NULL:
	 * a test on one parameter of the property. */
	const char *param;	 /* "TYPE", upper-case */
	const char *param_text;	 /* text-match, or NULL: presence */
	const char *param_match; /* as match */
	bool param_negate;
	bool param_not_defined;
};

struct dav_body {
	enum dav_body_kind kind;
	enum dav_propfind_mode mode;
	struct dav_name *props; /* asked for (PROPFIND, REPORT prop) or set
				 * and removed (PROPPATCH) */
	size_t n_props;
	bool address_data;   /* CARDDAV:address-data asked for */
	int address_version; /* 30, 40, or 0 when not said */
	const char **hrefs;  /* multiget: as sent, still percent-encoded */
	size_t n_hrefs;
	const char *sync_token; /* sync-collection: "" for a first sync */
	bool sync_infinite;	/* sync-level infinite (we answer level 1) */
	long limit;		/* DAV:limit/nresults, 0: none */
	struct dav_filter *filters; /* addressbook-query */
	size_t n_filters;
	bool filter_allof; /* test="allof" (default anyof) */
	/* MKCOL and PROPPATCH: the values set. resourcetype: 0 not set,
	 * 1 set without CARDDAV:addressbook, 2 with it. */
	int resourcetype;
	const char *displayname; /* NULL: not set */
	const char *other;	 /* DAV_BODY_OTHER: the root element's name */
	void *arena;		 /* everything above lives here */
};

/*
 * Parse body[0..len) into *out (dav_body_free). An empty body (len 0, or
 * white space only) is DAV_BODY_NONE, which for PROPFIND means allprop.
 * KITH_EINPUT when the body is over DAV_XML_MAX_BODY, has a DOCTYPE, is
 * not well-formed, nests deeper than DAV_XML_MAX_DEPTH or asks for more
 * than the limits; err says what. KITH_ENOMEM. On error *out is empty.
 */
int dav_xml_parse(struct dav_body *out, const char *body, size_t len,
		  struct kith_err *err);
void dav_body_free(struct dav_body *b);

/* Once per process, before threads parse (libxml2's own set-up). */
void dav_xml_init(void);

/* ---- writing ---- */

/* A growable output buffer for the 207 bodies. */
struct dav_buf {
	char *s;
	size_t len, cap;
	bool failed; /* an allocation failed: the text is cut */
};

void dav_buf_add(struct dav_buf *b, const char *s, size_t n);
void dav_buf_str(struct dav_buf *b, const char *s);
void dav_buf_printf(struct dav_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* s escaped for XML text and attribute values (& < > " '); bytes that
 * XML 1.0 cannot carry (controls but tab, CR, LF; U+FFFE, U+FFFF; bad
 * UTF-8) become U+FFFD so the answer always parses. */
void dav_buf_xml(struct dav_buf *b, const char *s, size_t n);
void dav_buf_free(struct dav_buf *b);

#endif
