/*
 * dav.c: CardDAV in kith serve (see dav.h for the URL layout). Bodies
 * are read by input/dav_xml.c; cards are written and read through
 * app/card.c, so a card PUT obeys every rule of app_contact_add/update;
 * the change log (ETags, sync tokens, tombstones) is the store's.
 */
#include "dav.h"
#include "../app/card.h"
#include "../input/dav_xml.h"
#include "../secret.h"
#include "api.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SYNC_PREFIX "urn:kith:sync:"
#define DAV_ALLOW                                                              \
	"OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT, MKCOL"
/* RFC 5689 3: a server that takes an extended MKCOL says so. */
#define DAV_CLASSES "1, 3, addressbook, extended-mkcol"
#define VCARD_TYPE  "text/vcard; charset=utf-8"
#define XML_TYPE    "application/xml; charset=utf-8"
#define MULTISTATUS_OPEN                                                       \
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"                         \
	"<d:multistatus xmlns:d=\"DAV:\" xmlns:card=\"" CARDDAV_NS             \
	"\" xmlns:cs=\"" CS_NS "\">"
#define QUOTA_TOTAL ((int64_t)1 << 30)

/* ---- paths ---- */

enum dav_kind {
	K_NONE,
	K_WELLKNOWN,  /* /.well-known/carddav */
	K_SERVER,     /* / */
	K_ROOT,	      /* /dav/ */
	K_PRINCIPALS, /* /dav/principals/ */
	K_PRINCIPAL,  /* /dav/principals/<id>/ */
	K_HOMES,      /* /dav/addressbooks/ */
	K_HOME,	      /* /dav/addressbooks/<id>/ */
	K_BOOK,	      /* /dav/addressbooks/<id>/<book>/ */
	K_CARD,	      /* /dav/addressbooks/<id>/<book>/<name> */
	K_INBOOK,     /* .../<book>/<name>/: a collection in the book */
	/* Once the book is looked up: */
	K_OTHER,  /* /dav/addressbooks/<id>/<book>/: no such book (yet) */
	K_NOBOOK, /* a card or collection in a book that is not there */
};

/* The default book's segment; the others are the names clients gave
 * them in MKCOL. */
#define DEFAULT_BOOK  "contacts"
#define BOOK_SLUG_MAX 100

struct dav_path {
	enum dav_kind kind;
	int64_t user;	  /* the <id> of the path */
	const char *name; /* K_CARD: the card's name, decoded (points
			   * into the path) */
	char slug[BOOK_SLUG_MAX + 1]; /* K_BOOK, K_CARD, K_INBOOK: the
				       * book's segment, decoded */
};

/* "/x/y": is s the segment seg followed by '/' or the end? Returns the
 * rest after it (without the '/'), or NULL. */
static const char *seg(const char *s, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(s, name, n))
		return NULL;
	if (s[n] == '/')
		return s + n + 1;
	if (!s[n])
		return s + n;
	return NULL;
}

/* A user id segment: digits, then '/' or the end; the rest after it. */
static const char *id_seg(const char *s, int64_t *id)
{
	char *end;
	long long v;

	if (!isdigit((unsigned char)*s))
		return NULL;
	v = strtoll(s, &end, 10);
	if (v <= 0 || (*end && *end != '/'))
		return NULL;
	*id = v;
	return *end ? end + 1 : end;
}

/* libmicrohttpd has already percent-decoded the path; a card's name is
 * everything after contacts/, so a decoded '/' in it stays in the name. */
static void path_parse(struct dav_path *p, const char *path)
{
	const char *r;

	memset(p, 0, sizeof(*p));
	if (!strcmp(path, "/")) {
		p->kind = K_SERVER;
		return;
	}
	if ((r = seg(path, "/.well-known/carddav")) && !*r) {
		p->kind = K_WELLKNOWN;
		return;
	}
	if (!(r = seg(path, "/dav")))
		return;
	if (!*r) {
		p->kind = K_ROOT;
		return;
	}
	if ((path = seg(r, "principals"))) {
		if (!*path)
			p->kind = K_PRINCIPALS;
		else if ((r = id_seg(path, &p->user)) && !*r)
			p->kind = K_PRINCIPAL;
		return;
	}
	if (!(path = seg(r, "addressbooks")))
		return;
	if (!*path) {
		p->kind = K_HOMES;
		return;
	}
	if (!(r = id_seg(path, &p->user)))
		return;
	if (!*r) {
		p->kind = K_HOME;
		return;
	}
	{
		const char *slash = strchr(r, '/');
		size_t n = slash ? (size_t)(slash - r) : strlen(r);

		if (!n || n > BOOK_SLUG_MAX)
			return;
		memcpy(p->slug, r, n);
		p->slug[n] = '\0';
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)p->slug[i] < 0x20 ||
			    p->slug[i] == 0x7f)
				return;
		path = slash ? slash + 1 : r + n;
	}
	{
		size_t n = strlen(path);

		if (!n) {
			p->kind = K_BOOK;
		} else if (path[n - 1] != '/') {
			p->kind = K_CARD;
			p->name = path;
		} else {
			p->kind = K_INBOOK;
		}
	}
}

bool dav_owns(const char *method, const char *path)
{
	if (!strcmp(path, "/"))
		return !strcmp(method, "PROPFIND") ||
		       !strcmp(method, "OPTIONS") || !strcmp(method, "REPORT");
	return !strncmp(path, "/dav/", 5) || !strcmp(path, "/dav") ||
	       !strncmp(path, "/.well-known/carddav", 20);
}

size_t dav_body_limit(const char *method, const char *path)
{
	(void)path;
	return !strcmp(method, "PUT") ? DAV_CARD_MAX : DAV_XML_MAX_BODY;
}

/* ---- names and hrefs ---- */

/* Percent-encode s onto b: RFC 3986's unreserved characters, '@' and
 * the sub-delimiters pchar allows stay; everything else (space, '%',
 * '/', '?', '#', non-ASCII) is %XX. */
static void buf_pct(struct dav_buf *b, const char *s)
{
	static const char keep[] = "-._~@!$'()*+,;=:";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || (c < 0x80 && strchr(keep, c)))
			dav_buf_add(b, s, 1);
		else
			dav_buf_printf(b, "%%%02X", c);
	}
}

/* Decode %XX in s[0..n) into a new string; NULL for a bad escape or
 * %00 or no memory. */
static char *pct_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		if (i + 2 >= n + 0 || !isxdigit((unsigned char)s[i + 1]) ||
		    !isxdigit((unsigned char)s[i + 2]))
			goto bad;
		{
			char h[3] = {s[i + 1], s[i + 2], 0};
			long v = strtol(h, NULL, 16);

			if (!v)
				goto bad;
			*o++ = (char)v;
		}
		i += 2;
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

/* The name a live item is served under, into a new string. */
static char *item_name(const struct dav_item *it)
{
	char *s = NULL;

	if (it->href)
		return strdup(it->href);
	if (it->uid) {
		if (asprintf(&s, "%s.vcf", it->uid) < 0)
			return NULL;
		return s;
	}
	if (asprintf(&s, "kith-%lld.vcf", (long long)it->contact_id) < 0)
		return NULL;
	return s;
}

/* What a name may mean besides a stored href: the UID it was derived
 * from (name minus ".vcf"), or kith-<id>.vcf's id. uid is a new string
 * or NULL. */
static void name_keys(const char *name, char **uid, int64_t *id)
{
	size_t n = strlen(name);
	long long v;
	int used = 0;

	*uid = NULL;
	*id = 0;
	if (n > 4 && !strcmp(name + n - 4, ".vcf"))
		*uid = strndup(name, n - 4);
	if (sscanf(name, "kith-%lld.vcf%n", &v, &used) == 1 &&
	    (size_t)used == n && v > 0)
		*id = v;
}

/* ---- the request ---- */

struct dav {
	struct store *st;
	struct http_request *req;
	struct http_response *resp;
	struct dav_path path;
	struct user user;
	struct app_ctx ctx;
	struct kith_err err;
	char principal[64]; /* /dav/principals/<id>/ */
	char home[64];	    /* /dav/addressbooks/<id>/ */
	char book[400];	    /* .../contacts/ or .../<book>/, encoded */
	int64_t book_id;    /* 0: the default book */
	struct dav_book bk; /* book_id > 0: its row */
	bool minimal;	    /* Prefer: return=minimal */
	bool writer;	    /* member or owner */
	int64_t seq;	    /* the book's sync token (lazy) */
	int64_t floor;	    /* ... and the oldest token still good */
	bool have_seq;
};

static void set_body(struct http_response *resp, int status, const char *type,
		     char *body, size_t len)
{
	if (!resp->persistent)
		free(resp->body);
	resp->persistent = false;
	resp->body = body;
	resp->len = len;
	resp->status = status;
	resp->content_type = type;
	resp->etag[0] = '\0';
}

static void text(struct http_response *resp, int status, const char *msg)
{
	char *s = NULL;

	if (asprintf(&s, "%s\n", msg) < 0)
		s = NULL;
	set_body(resp, status, "text/plain; charset=utf-8", s,
		 s ? strlen(s) : 0);
}

/* A DAV:error body naming the precondition (e.g. "d:valid-sync-token")
 * and, for people, the message. */
static void fail_xml(struct http_response *resp, int status, const char *cond,
		     const char *msg)
{
	struct dav_buf b = {0};

	dav_buf_str(&b,
		    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		    "<d:error xmlns:d=\"DAV:\" xmlns:card=\"" CARDDAV_NS "\">");
	if (cond)
		dav_buf_printf(&b, "<%s/>", cond);
	dav_buf_str(&b, "<d:responsedescription>");
	dav_buf_xml(&b, msg, strlen(msg));
	dav_buf_str(&b, "</d:responsedescription></d:error>\n");
	if (b.failed) {
		dav_buf_free(&b);
		text(resp, 500, "out of memory");
		return;
	}
	set_body(resp, status, XML_TYPE, b.s, b.len);
}

static void fail_kith(struct dav *d, int rc)
{
	switch ((enum kith_status)rc) {
	case KITH_OK:
		return;
	case KITH_EINPUT:
	case KITH_ESYNTAX:
		fail_xml(d->resp, 400, NULL, d->err.msg);
		return;
	case KITH_ENOTFOUND:
		text(d->resp, 404, d->err.msg);
		return;
	case KITH_ECONFLICT:
		text(d->resp, 409, d->err.msg);
		return;
	case KITH_EBUSY:
		text(d->resp, 503, "busy: try again");
		d->resp->retry_after = 2;
		return;
	case KITH_EFULL:
		text(d->resp, 507, "disk full: nothing was written");
		return;
	case KITH_EREADONLY:
		text(d->resp, 503, "read-only: nothing was written");
		return;
	case KITH_EIO:
	case KITH_ENOMEM:
		break;
	}
	{
		char m[400];

		http_log_str(m, sizeof(m), d->err.msg);
		fprintf(stderr, "kith: dav %s: %s\n", d->req->method, m);
	}
	text(d->resp, 500, "internal error");
}

/* Book book's sync token (and the floor below which a token is too
 * old), 0 when it cannot be read. */
static int64_t book_token(struct dav *d, int64_t book, int64_t *floor)
{
	int64_t tok = 0, fl = 0;

	if (book == d->book_id && d->have_seq) {
		tok = d->seq;
		fl = d->floor;
	} else if (!store_dav_book_seq(&tok, &fl, d->st, d->ctx.ws, book,
				       NULL) &&
		   book == d->book_id) {
		d->seq = tok;
		d->floor = fl;
		d->have_seq = true;
	}
	if (floor)
		*floor = fl;
	return tok;
}

/* The href of a book: the home, its segment encoded, '/'. */
static void book_href(char *out, size_t n, const struct dav *d,
		      const char *slug)
{
	struct dav_buf b = {0};

	buf_pct(&b, slug);
	snprintf(out, n, "%s%s/", d->home, b.failed || !b.s ? "" : b.s);
	dav_buf_free(&b);
}

/* ---- authentication ---- */

/* Verified passwords, briefly: argon2id costs ~0.1 s, and a client
 * sends the same Basic credentials with every request. An entry holds
 * the hash of (email, password) and of the stored password hash it was
 * checked against, so a changed password ends it at once. */
#define AUTH_CACHE 256
#define AUTH_TTL   300
static pthread_mutex_t auth_lock = PTHREAD_MUTEX_INITIALIZER;
static struct auth_entry {
	char key[SECRET_TOKEN_HASH_MAX];
	char pw[SECRET_TOKEN_HASH_MAX];
	int64_t user_id, ws;
	kith_time until;
} auth_cache[AUTH_CACHE];

static size_t auth_slot(const char *key)
{
	size_t h = 5381;

	for (const char *p = key; *p; p++)
		h = h * 33 + (unsigned char)*p;
	return h % AUTH_CACHE;
}

static bool auth_cached(const char *key, kith_time now, int64_t *user,
			int64_t *ws, char pw[SECRET_TOKEN_HASH_MAX])
{
	struct auth_entry *e = &auth_cache[auth_slot(key)];
	bool hit;

	pthread_mutex_lock(&auth_lock);
	hit = e->until > now && secret_equal(e->key, key);
	if (hit) {
		*user = e->user_id;
		*ws = e->ws;
		memcpy(pw, e->pw, SECRET_TOKEN_HASH_MAX);
	}
	pthread_mutex_unlock(&auth_lock);
	return hit;
}

static void auth_remember(const char *key, const struct user *u, kith_time now)
{
	struct auth_entry *e = &auth_cache[auth_slot(key)];

	pthread_mutex_lock(&auth_lock);
	memcpy(e->key, key, SECRET_TOKEN_HASH_MAX);
	secret_token_hash(e->pw, u->password_hash);
	e->user_id = u->id;
	e->ws = u->workspace_id;
	e->until = now + AUTH_TTL;
	pthread_mutex_unlock(&auth_lock);
}

static void challenge(struct http_response *resp, const char *msg)
{
	text(resp, 401, msg);
	http_header_add(resp, "WWW-Authenticate",
			"Basic realm=\"kith\", charset=\"UTF-8\"");
}

static void audit(struct http_request *req, const char *event,
		  const struct user *u)
{
	char addr[80];

	http_log_str(addr, sizeof(addr), req->remote);
	fprintf(stderr, "kith: security %s user=%lld ws=%lld addr=%s dav\n",
		event, u ? (long long)u->id : 0LL,
		u ? (long long)u->workspace_id : 0LL, addr);
}

static kith_time acct_delay(int n)
{
	return n < 5 ? 0 : n >= 11 ? 60 : (kith_time)1 << (n - 5);
}

static bool throttled(struct http_request *req, struct http_response *resp,
		      int wait)
{
	audit(req, "signin_throttled", NULL);
	text(resp, 429, "too many failed sign-ins; try again later");
	resp->retry_after = wait > 0 ? wait : 1;
	return false;
}

/* Email and password against the accounts, with the sign-in limiter
 * of POST /api/v1/session. */
static bool auth_password(struct store *st, struct http_request *req,
			  struct http_response *resp, const char *email,
			  const char *password, kith_time now, struct user *out)
{
	char key[SECRET_TOKEN_HASH_MAX], pw[SECRET_TOKEN_HASH_MAX];
	char acct[300], addr[100], *buf = NULL;
	int64_t uid, ws;
	kith_time last;
	int wait = 0, n, rc;

	/* The sign-in form's bounds: longer is no account of ours. */
	if (strlen(email) > 254 || strlen(password) > SECRET_PASSWORD_MAX) {
		challenge(resp, "wrong email or password");
		return false;
	}
	if (asprintf(&buf, "dav\n%s\n%s", email, password) < 0) {
		text(resp, 503, "out of memory");
		return false;
	}
	for (char *p = buf + 4; *p && *p != '\n'; p++)
		*p = (char)tolower((unsigned char)*p);
	secret_token_hash(key, buf);
	sodium_memzero(buf, strlen(buf));
	free(buf);
	if (auth_cached(key, now, &uid, &ws, pw)) {
		char cur[SECRET_TOKEN_HASH_MAX];

		if (!store_user_get(out, st, ws, uid, NULL) &&
		    out->password_hash) {
			secret_token_hash(cur, out->password_hash);
			if (secret_equal(cur, pw))
				return true;
		}
		user_clear(out);
	}
	/* The sign-in form takes emails up to 254 bytes: so does this. */
	snprintf(acct, sizeof(acct), "acct:%.254s", email);
	for (char *p = acct; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	snprintf(addr, sizeof(addr), "addr:%s", req->remote);
	if (ratelimit_blocked(api_signin_limit(), addr, now, &wait))
		return throttled(req, resp, wait);
	ratelimit_fail(api_signin_limit(), addr, now);
	if (ratelimit_blocked(api_addr_limit(), addr, now, &wait))
		return throttled(req, resp, wait);
	n = ratelimit_recent(api_login_limit(), acct, now, &last);
	if (n && last + acct_delay(n) > now)
		return throttled(req, resp, (int)(last + acct_delay(n) - now));
	rc = store_user_by_email(out, st, email, NULL);
	if (rc || !out->password_hash) {
		secret_password_verify(api_dummy_hash(), password);
	} else if (secret_password_verify(out->password_hash, password)) {
		ratelimit_clear(api_login_limit(), acct);
		auth_remember(key, out, now);
		return true;
	}
	ratelimit_fail(api_login_limit(), acct, now);
	ratelimit_fail(api_addr_limit(), addr, now);
	audit(req, "signin_failed", rc ? NULL : out);
	user_clear(out);
	challenge(resp, "wrong email or password");
	return false;
}

static bool auth_token(struct store *st, struct http_response *resp,
		       const char *token, kith_time now, struct user *out)
{
	char hash[SECRET_TOKEN_HASH_MAX];

	secret_token_hash(hash, token);
	if (!store_token_user(out, st, hash, now, NULL)) {
		api_note_token_use(hash, now);
		return true;
	}
	challenge(resp, "unknown or revoked token");
	return false;
}

/* Who sends this request: Basic (email and password, or any name and
 * an API token) or Bearer; 401 with a challenge otherwise. Runs inside
 * the caller's read snapshot. */
static bool dav_auth(struct store *st, struct http_request *req,
		     struct http_response *resp, kith_time now,
		     struct user *out)
{
	const char *h = http_header(req, "Authorization");
	unsigned char raw[1200];
	size_t len = 0;
	char *colon;
	bool ok;

	memset(out, 0, sizeof(*out));
	if (h && !strncasecmp(h, "Bearer ", 7))
		return auth_token(st, resp, h + 7, now, out);
	if (!h || strncasecmp(h, "Basic ", 6)) {
		challenge(resp, "sign in with your kith email and password "
				"(or an API token as the password)");
		return false;
	}
	h += 6;
	while (*h == ' ')
		h++;
	if (sodium_base642bin(raw, sizeof(raw) - 1, h, strlen(h), " ", &len,
			      NULL, sodium_base64_VARIANT_ORIGINAL) ||
	    memchr(raw, 0, len)) {
		challenge(resp, "malformed Basic credentials");
		return false;
	}
	raw[len] = '\0';
	colon = strchr((char *)raw, ':');
	if (!colon) {
		challenge(resp, "malformed Basic credentials");
		return false;
	}
	*colon = '\0';
	if (!strncmp(colon + 1, SECRET_PREFIX_TOKEN,
		     strlen(SECRET_PREFIX_TOKEN)))
		ok = auth_token(st, resp, colon + 1, now, out);
	else
		ok = auth_password(st, req, resp, (char *)raw, colon + 1, now,
				   out);
	sodium_memzero(raw, sizeof(raw));
	return ok;
}

/* Requests that need no account: OPTIONS and the well-known redirect
 * say nothing about anyone. */
static bool public_request(const struct http_request *req,
			   const struct dav_path *p)
{
	return !strcmp(req->method, "OPTIONS") || p->kind == K_WELLKNOWN;
}

bool dav_admit(struct store *st, struct http_request *req,
	       struct http_response *resp)
{
	struct dav_path p;
	struct user u;
	kith_time now;
	bool ok;

	path_parse(&p, req->path);
	if (public_request(req, &p))
		return true;
	if (kith_now(&now, NULL))
		return true; /* dav_handle reports it */
	store_read_begin(st);
	ok = dav_auth(st, req, resp, now, &u);
	store_read_end(st);
	/* Only writers send bodies worth buffering: a viewer's card PUT is
	 * refused later anyway, and its body capped like any other. */
	if (ok && u.role < ROLE_MEMBER)
		req->limit = DAV_XML_MAX_BODY;
	user_clear(&u);
	return ok;
}

void dav_init(void)
{
	dav_xml_init();
}

/* ---- properties ---- */

enum res {
	R_SERVER,
	R_ROOT,
	R_PRINCIPALS,
	R_PRINCIPAL,
	R_HOME,
	R_BOOK,
	R_CARD
};

struct target {
	enum res res;
	const char *href;	     /* as written (encoded) */
	const struct dav_item *item; /* R_CARD */
	int version;		     /* address-data: 30 or 40 */
	int64_t book;		     /* R_BOOK: 0, the default, or its id */
	const char *book_name;	     /* R_BOOK, book > 0: displayname */
};

static void etag_of(char out[32], int64_t seq)
{
	snprintf(out, 32, "\"%lld\"", (long long)seq);
}

static void http_date(char out[40], kith_time t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* The card text of it into out. */
static int card_text(struct dav *d, const struct dav_item *it, int version,
		     struct vcard_out *out)
{
	char fb[40];

	if (it->card_id) {
		char *s = NULL;
		int rc = store_dav_card_get(&s, d->st, d->ctx.ws, it->card_id,
					    &d->err);
		size_t n;

		if (rc)
			return rc;
		n = strlen(s);
		if (out->len + n + 1 > out->cap) {
			char *b = realloc(out->buf, out->len + n + 1);

			if (!b) {
				free(s);
				return kith_err_nomem(&d->err);
			}
			out->buf = b;
			out->cap = out->len + n + 1;
		}
		memcpy(out->buf + out->len, s, n + 1);
		out->len += n;
		free(s);
		return KITH_OK;
	}
	snprintf(fb, sizeof(fb), "kith-%lld", (long long)it->contact_id);
	return app_card_render(out, &d->ctx, it->contact_id, fb,
			       version == 40 ? VCARD_40 : VCARD_30, &d->err);
}

static void workspace_name(struct dav *d, struct dav_buf *b)
{
	struct workspace w = {0};

	if (!store_workspace_get(&w, d->st, d->ctx.ws, NULL) && w.name)
		dav_buf_xml(b, w.name, strlen(w.name));
	else
		dav_buf_str(b, "Contacts");
	workspace_clear(&w);
}

static void privileges(struct dav *d, struct dav_buf *b, bool writable)
{
	dav_buf_str(b, "<d:privilege><d:read/></d:privilege>"
		       "<d:privilege><d:read-current-user-privilege-set/>"
		       "</d:privilege>");
	if (writable && d->writer)
		dav_buf_str(b, "<d:privilege><d:write/></d:privilege>"
			       "<d:privilege><d:write-content/></d:privilege>"
			       "<d:privilege><d:bind/></d:privilege>"
			       "<d:privilege><d:unbind/></d:privilege>");
}

/*
 * Write property (ns, name) of t as an element onto b; false when t has
 * no such property. rc receives a failure to read a card (then the
 * property counts as missing).
 */
static bool prop_value(struct dav *d, const struct target *t, const char *ns,
		       const char *name, struct dav_buf *b, int *rc)
{
	enum res r = t->res;
	bool dav = !strcmp(ns, DAV_NS), card = !strcmp(ns, CARDDAV_NS);
	bool coll = r != R_CARD;
	char tmp[64];

#define IS(x) (!strcmp(name, x))
	if (dav && IS("resourcetype")) {
		dav_buf_str(b, "<d:resourcetype>");
		if (r == R_PRINCIPAL)
			dav_buf_str(b, "<d:principal/>");
		else if (coll)
			dav_buf_str(b, "<d:collection/>");
		if (r == R_BOOK)
			dav_buf_str(b, "<card:addressbook/>");
		dav_buf_str(b, "</d:resourcetype>");
		return true;
	}
	if (dav && IS("displayname") && r != R_CARD) {
		dav_buf_str(b, "<d:displayname>");
		if (r == R_BOOK && t->book_name)
			dav_buf_xml(b, t->book_name, strlen(t->book_name));
		else if (r == R_BOOK)
			workspace_name(d, b);
		else if (r == R_PRINCIPAL)
			dav_buf_xml(b,
				    d->user.name && *d->user.name
					? d->user.name
					: d->user.email,
				    strlen(d->user.name && *d->user.name
					       ? d->user.name
					       : d->user.email));
		else
			dav_buf_str(b, "kith");
		dav_buf_str(b, "</d:displayname>");
		return true;
	}
	if (dav && IS("current-user-principal")) {
		dav_buf_printf(b,
			       "<d:current-user-principal><d:href>%s"
			       "</d:href></d:current-user-principal>",
			       d->principal);
		return true;
	}
	if (dav && IS("principal-URL") &&
	    (r == R_PRINCIPAL || r == R_ROOT || r == R_SERVER)) {
		dav_buf_printf(b,
			       "<d:principal-URL><d:href>%s</d:href>"
			       "</d:principal-URL>",
			       d->principal);
		return true;
	}
	if (dav && IS("principal-collection-set")) {
		dav_buf_str(b, "<d:principal-collection-set><d:href>"
			       "/dav/principals/</d:href>"
			       "</d:principal-collection-set>");
		return true;
	}
	if (card && IS("addressbook-home-set") &&
	    (r == R_PRINCIPAL || r == R_ROOT || r == R_SERVER)) {
		dav_buf_printf(b,
			       "<card:addressbook-home-set><d:href>%s"
			       "</d:href></card:addressbook-home-set>",
			       d->home);
		return true;
	}
	if (dav && IS("owner") && (r == R_HOME || r == R_BOOK || r == R_CARD)) {
		dav_buf_printf(b, "<d:owner><d:href>%s</d:href></d:owner>",
			       d->principal);
		return true;
	}
	if (dav && IS("current-user-privilege-set")) {
		dav_buf_str(b, "<d:current-user-privilege-set>");
		privileges(d, b, r == R_BOOK || r == R_CARD);
		dav_buf_str(b, "</d:current-user-privilege-set>");
		return true;
	}
	if (dav && IS("supported-report-set") && (r == R_BOOK || r == R_HOME)) {
		dav_buf_str(b, "<d:supported-report-set>");
		if (r == R_BOOK)
			dav_buf_str(b,
				    "<d:supported-report><d:report>"
				    "<card:addressbook-multiget/></d:report>"
				    "</d:supported-report><d:supported-report>"
				    "<d:report><card:addressbook-query/>"
				    "</d:report></d:supported-report>"
				    "<d:supported-report><d:report>"
				    "<d:sync-collection/></d:report>"
				    "</d:supported-report>");
		dav_buf_str(b, "</d:supported-report-set>");
		return true;
	}
	if (((dav && IS("sync-token")) ||
	     (!strcmp(ns, CS_NS) && IS("getctag"))) &&
	    r == R_BOOK) {
		dav_buf_printf(b, "<%s>" SYNC_PREFIX "%lld</%s>",
			       dav ? "d:sync-token" : "cs:getctag",
			       (long long)book_token(d, t->book, NULL),
			       dav ? "d:sync-token" : "cs:getctag");
		return true;
	}
	if (card && IS("supported-address-data") && r == R_BOOK) {
		dav_buf_str(b, "<card:supported-address-data>"
			       "<card:address-data-type content-type="
			       "\"text/vcard\" version=\"3.0\"/>"
			       "<card:address-data-type content-type="
			       "\"text/vcard\" version=\"4.0\"/>"
			       "</card:supported-address-data>");
		return true;
	}
	if (card && IS("addressbook-description") && r == R_BOOK) {
		dav_buf_str(b, "<card:addressbook-description>kith: ");
		workspace_name(d, b);
		if (t->book_name) {
			dav_buf_str(b, ": ");
			dav_buf_xml(b, t->book_name, strlen(t->book_name));
		}
		dav_buf_str(b, "</card:addressbook-description>");
		return true;
	}
	if (card && IS("max-resource-size") && r == R_BOOK) {
		dav_buf_printf(b,
			       "<card:max-resource-size>%zu"
			       "</card:max-resource-size>",
			       DAV_CARD_MAX);
		return true;
	}
	if (dav && (IS("quota-used-bytes") || IS("quota-available-bytes")) &&
	    (r == R_BOOK || r == R_HOME)) {
		int64_t items = 0, bytes = 0;

		store_dav_usage(&items, &bytes, d->st, d->ctx.ws, NULL);
		if (IS("quota-used-bytes"))
			dav_buf_printf(b,
				       "<d:quota-used-bytes>%lld"
				       "</d:quota-used-bytes>",
				       (long long)bytes);
		else
			dav_buf_printf(b,
				       "<d:quota-available-bytes>%lld"
				       "</d:quota-available-bytes>",
				       (long long)(bytes < QUOTA_TOTAL
						       ? QUOTA_TOTAL - bytes
						       : 0));
		return true;
	}
	if (dav && IS("getetag") && (r == R_CARD || r == R_BOOK)) {
		etag_of(tmp, r == R_CARD ? t->item->seq
					 : book_token(d, t->book, NULL));
		dav_buf_str(b, "<d:getetag>");
		dav_buf_xml(b, tmp, strlen(tmp));
		dav_buf_str(b, "</d:getetag>");
		return true;
	}
	if (dav && IS("getcontentlength") && r == R_CARD) {
		struct vcard_out out = {0};

		/* The length of what GET sends (same version rule). */
		*rc = card_text(d, t->item, t->version, &out);
		if (*rc) {
			vcard_out_free(&out);
			return false;
		}
		dav_buf_printf(
		    b, "<d:getcontentlength>%zu</d:getcontentlength>", out.len);
		vcard_out_free(&out);
		return true;
	}
	if (dav && IS("getcontenttype") && r == R_CARD) {
		dav_buf_str(b, "<d:getcontenttype>" VCARD_TYPE
			       "</d:getcontenttype>");
		return true;
	}
	if (dav && IS("getlastmodified") && r == R_CARD && t->item->updated) {
		char date[40];

		http_date(date, t->item->updated);
		dav_buf_printf(b, "<d:getlastmodified>%s</d:getlastmodified>",
			       date);
		return true;
	}
	if (card && IS("address-data") && r == R_CARD) {
		struct vcard_out out = {0};

		*rc = card_text(d, t->item, t->version, &out);
		if (*rc) {
			vcard_out_free(&out);
			return false;
		}
		dav_buf_str(b, "<card:address-data>");
		dav_buf_xml(b, out.buf ? out.buf : "", out.len);
		dav_buf_str(b, "</card:address-data>");
		vcard_out_free(&out);
		return true;
	}
#undef IS
	return false;
}

/* The properties allprop and propname name, per resource. */
static const struct dav_name allprops[] = {
    {DAV_NS, "resourcetype"},	 {DAV_NS, "displayname"},
    {DAV_NS, "getetag"},	 {DAV_NS, "getcontenttype"},
    {DAV_NS, "getlastmodified"}, {DAV_NS, "sync-token"},
    {CS_NS, "getctag"},		 {DAV_NS, "getcontentlength"},
};
static const struct dav_name propnames[] = {
    {DAV_NS, "resourcetype"},
    {DAV_NS, "displayname"},
    {DAV_NS, "current-user-principal"},
    {DAV_NS, "principal-URL"},
    {DAV_NS, "principal-collection-set"},
    {CARDDAV_NS, "addressbook-home-set"},
    {DAV_NS, "owner"},
    {DAV_NS, "current-user-privilege-set"},
    {DAV_NS, "supported-report-set"},
    {DAV_NS, "sync-token"},
    {CS_NS, "getctag"},
    {CARDDAV_NS, "supported-address-data"},
    {CARDDAV_NS, "addressbook-description"},
    {CARDDAV_NS, "max-resource-size"},
    {DAV_NS, "quota-used-bytes"},
    {DAV_NS, "quota-available-bytes"},
    {DAV_NS, "getetag"},
    {DAV_NS, "getcontenttype"},
    {DAV_NS, "getcontentlength"},
    {DAV_NS, "getlastmodified"},
    {CARDDAV_NS, "address-data"},
};

/* <x:name/> with the right namespace prefix. */
static void empty_elem(struct dav_buf *b, const struct dav_name *p)
{
	const char *pre = !strcmp(p->ns, DAV_NS)       ? "d:"
			  : !strcmp(p->ns, CARDDAV_NS) ? "card:"
			  : !strcmp(p->ns, CS_NS)      ? "cs:"
						       : NULL;

	if (pre) {
		dav_buf_printf(b, "<%s", pre);
		dav_buf_xml(b, p->name, strlen(p->name));
		dav_buf_str(b, "/>");
		return;
	}
	dav_buf_str(b, "<x:");
	dav_buf_xml(b, p->name, strlen(p->name));
	dav_buf_str(b, " xmlns:x=\"");
	dav_buf_xml(b, p->ns, strlen(p->ns));
	dav_buf_str(b, "\"/>");
}

static void response_open(struct dav_buf *b, const char *href)
{
	dav_buf_str(b, "<d:response><d:href>");
	dav_buf_xml(b, href, strlen(href));
	dav_buf_str(b, "</d:href>");
}

/* One d:response for t: the props asked for (or allprop/propname). */
static int respond_props(struct dav *d, struct dav_buf *b,
			 const struct target *t, const struct dav_body *body)
{
	const struct dav_name *props = body->props;
	size_t n = body->n_props;
	bool *missing = NULL;
	size_t n_missing = 0;
	int rc = KITH_OK;

	if (body->kind == DAV_BODY_NONE || body->mode == DAV_ALLPROP) {
		props = allprops;
		n = sizeof(allprops) / sizeof(*allprops);
	}
	response_open(b, t->href);
	if (body->kind != DAV_BODY_NONE && body->mode == DAV_PROPNAME) {
		struct dav_buf tmp = {0};

		dav_buf_str(b, "<d:propstat><d:prop>");
		for (size_t i = 0; i < sizeof(propnames) / sizeof(*propnames);
		     i++) {
			int r2 = KITH_OK;

			tmp.len = 0;
			/* A card's content properties: named without
			 * rendering the card. */
			if (!strcmp(propnames[i].name, "address-data") ||
			    (t->res == R_CARD &&
			     !strcmp(propnames[i].name, "getcontentlength")) ||
			    prop_value(d, t, propnames[i].ns, propnames[i].name,
				       &tmp, &r2))
				empty_elem(b, &propnames[i]);
		}
		dav_buf_free(&tmp);
		dav_buf_str(b, "</d:prop><d:status>HTTP/1.1 200 OK</d:status>"
			       "</d:propstat></d:response>");
		return KITH_OK;
	}
	missing = calloc(n + 1, sizeof(*missing));
	if (!missing)
		return kith_err_nomem(&d->err);
	dav_buf_str(b, "<d:propstat><d:prop>");
	for (size_t i = 0; i < n; i++) {
		if (prop_value(d, t, props[i].ns, props[i].name, b, &rc))
			continue;
		if (rc)
			goto done;
		missing[i] = true;
		n_missing++;
	}
	dav_buf_str(b, "</d:prop><d:status>HTTP/1.1 200 OK</d:status>"
		       "</d:propstat>");
	/* Allprop lists what exists; a prop asked for by name and missing
	 * gets its 404, unless the client prefers a minimal answer. */
	if (n_missing && !d->minimal && props == body->props) {
		dav_buf_str(b, "<d:propstat><d:prop>");
		for (size_t i = 0; i < n; i++)
			if (missing[i])
				empty_elem(b, &props[i]);
		dav_buf_str(b, "</d:prop><d:status>HTTP/1.1 404 Not Found"
			       "</d:status></d:propstat>");
	}
	dav_buf_str(b, "</d:response>");
done:
	free(missing);
	return rc;
}

static void respond_status(struct dav_buf *b, const char *href,
			   const char *status)
{
	response_open(b, href);
	dav_buf_printf(b, "<d:status>HTTP/1.1 %s</d:status></d:response>",
		       status);
}

static void multistatus_end(struct dav *d, struct dav_buf *b)
{
	dav_buf_str(b, "</d:multistatus>\n");
	if (b->failed) {
		dav_buf_free(b);
		text(d->resp, 500, "out of memory");
		return;
	}
	set_body(d->resp, 207, XML_TYPE, b->s, b->len);
	memset(b, 0, sizeof(*b));
}

/* The href of a live item, into a new string. */
static char *item_href(struct dav *d, const struct dav_item *it)
{
	struct dav_buf b = {0};
	char *name = item_name(it);

	if (!name)
		return NULL;
	dav_buf_str(&b, d->book);
	buf_pct(&b, name);
	free(name);
	if (b.failed) {
		dav_buf_free(&b);
		return NULL;
	}
	return b.s;
}

/* The requested address-data version: the body's, else Accept's. */
static int want_version(struct dav *d, const struct dav_body *body)
{
	const char *acc = http_header(d->req, "Accept");

	if (body && body->address_version)
		return body->address_version;
	return acc && strstr(acc, "version=4.0") ? 40 : 30;
}

/* ---- methods ---- */

static void do_options(struct dav *d)
{
	http_header_add(d->resp, "DAV", DAV_CLASSES);
	http_header_add(d->resp, "Allow", DAV_ALLOW);
	text(d->resp, 200, "");
	d->resp->len = 0;
}

/* The live item the path's card name means; KITH_ENOTFOUND if none. */
static int find_card(struct dav *d, const char *name, struct dav_item *out)
{
	char *uid;
	int64_t id;
	int rc;

	name_keys(name, &uid, &id);
	rc = store_dav_find(out, d->st, d->ctx.ws, d->book_id, name, uid, id,
			    &d->err);
	free(uid);
	return rc;
}

static void do_propfind(struct dav *d)
{
	struct dav_body body;
	struct dav_buf b = {0};
	struct dav_item item = {0};
	struct dav_item *items = NULL;
	size_t n_items = 0;
	struct dav_book *books = NULL;
	size_t n_books = 0;
	const char *depth = http_header(d->req, "Depth");
	bool deep = !depth || strcmp(depth, "0");
	struct target t = {0};
	int rc;

	rc = dav_xml_parse(&body, d->req->body, d->req->body_len, &d->err);
	if (rc) {
		fail_kith(d, rc);
		return;
	}
	if (body.kind != DAV_BODY_NONE && body.kind != DAV_BODY_PROPFIND) {
		fail_xml(d->resp, 400, NULL, "expected a DAV:propfind body");
		goto done;
	}
	t.version = want_version(d, &body);
	dav_buf_str(&b, MULTISTATUS_OPEN);
	switch (d->path.kind) {
	case K_SERVER:
		t.res = R_SERVER, t.href = "/";
		break;
	case K_ROOT:
		t.res = R_ROOT, t.href = "/dav/";
		break;
	case K_PRINCIPALS:
		t.res = R_PRINCIPALS, t.href = "/dav/principals/";
		break;
	case K_PRINCIPAL:
		t.res = R_PRINCIPAL, t.href = d->principal;
		break;
	case K_HOMES:
		t.res = R_HOME, t.href = d->home;
		break;
	case K_HOME:
		t.res = R_HOME, t.href = d->home;
		break;
	case K_BOOK:
		t.res = R_BOOK, t.href = d->book;
		t.book = d->book_id, t.book_name = d->bk.name;
		break;
	case K_CARD:
		rc = find_card(d, d->path.name, &item);
		if (rc) {
			fail_kith(d, rc);
			goto done;
		}
		t.res = R_CARD;
		t.item = &item;
		t.href = NULL;
		break;
	case K_NONE:
	case K_WELLKNOWN:
	case K_OTHER:
	case K_NOBOOK:
	case K_INBOOK:
		text(d->resp, 404, "no such resource");
		goto done;
	}
	if (t.res == R_CARD) {
		char *href = item_href(d, &item);

		if (!href) {
			fail_kith(d, kith_err_nomem(&d->err));
			goto done;
		}
		t.href = href;
		rc = respond_props(d, &b, &t, &body);
		free(href);
	} else {
		rc = respond_props(d, &b, &t, &body);
	}
	if (!rc && deep && d->path.kind == K_PRINCIPALS) {
		t.res = R_PRINCIPAL, t.href = d->principal;
		rc = respond_props(d, &b, &t, &body);
	}
	if (!rc && deep &&
	    (d->path.kind == K_HOME || d->path.kind == K_HOMES)) {
		char href[400];

		t.res = R_BOOK, t.href = d->book;
		t.book = 0, t.book_name = NULL;
		rc = respond_props(d, &b, &t, &body);
		if (!rc)
			rc = store_dav_books(&books, &n_books, d->st, d->ctx.ws,
					     &d->err);
		for (size_t i = 0; !rc && i < n_books; i++) {
			book_href(href, sizeof(href), d, books[i].slug);
			t.href = href;
			t.book = books[i].id, t.book_name = books[i].name;
			rc = respond_props(d, &b, &t, &body);
		}
	}
	if (!rc && deep && d->path.kind == K_BOOK) {
		rc = store_dav_list(&items, &n_items, d->st, d->ctx.ws,
				    d->book_id, -1, &d->err);
		for (size_t i = 0; !rc && i < n_items; i++) {
			char *href = item_href(d, &items[i]);

			if (!href) {
				rc = kith_err_nomem(&d->err);
				break;
			}
			t.res = R_CARD;
			t.item = &items[i];
			t.href = href;
			rc = respond_props(d, &b, &t, &body);
			free(href);
		}
	}
	if (rc) {
		fail_kith(d, rc);
		goto done;
	}
	multistatus_end(d, &b);
done:
	dav_buf_free(&b);
	store_dav_items_free(items, n_items);
	store_dav_books_free(books, n_books);
	dav_item_clear(&item);
	dav_body_free(&body);
}

/* The card name an href of a REPORT means (decoded), or NULL when it is
 * not a card of this book. */
static char *href_name(struct dav *d, const char *href)
{
	const char *p = href;
	size_t bl = strlen(d->book);
	char *dec;

	/* An absolute URI: drop scheme and authority. */
	if (!strncasecmp(p, "http://", 7) || !strncasecmp(p, "https://", 8)) {
		p = strchr(p + 8, '/');
		if (!p)
			return NULL;
	}
	dec = pct_decode(p, strlen(p));
	if (!dec)
		return NULL;
	if (strncmp(dec, d->book, bl) || !dec[bl] ||
	    dec[strlen(dec) - 1] == '/') {
		free(dec);
		return NULL;
	}
	memmove(dec, dec + bl, strlen(dec + bl) + 1);
	return dec;
}

static int report_multiget(struct dav *d, const struct dav_body *body,
			   struct dav_buf *b)
{
	struct target t = {.res = R_CARD};
	int rc = KITH_OK;

	t.version = want_version(d, body);
	for (size_t i = 0; i < body->n_hrefs && !rc; i++) {
		struct dav_item it;
		char *name = href_name(d, body->hrefs[i]);

		if (!name || find_card(d, name, &it)) {
			respond_status(b, body->hrefs[i], "404 Not Found");
			free(name);
			continue;
		}
		free(name);
		t.item = &it;
		t.href = body->hrefs[i];
		rc = respond_props(d, b, &t, body);
		dav_item_clear(&it);
	}
	return rc;
}

/* Does v[0..vn) pass a text-match (match type, text, negate)? */
static bool text_hit(const char *v, size_t vn, const char *match,
		     const char *text, bool negate)
{
	size_t tn = strlen(text);
	bool hit;

	if (!strcmp(match, "equals"))
		hit = vn == tn && !strncasecmp(v, text, tn);
	else if (!strcmp(match, "starts-with"))
		hit = vn >= tn && !strncasecmp(v, text, tn);
	else if (!strcmp(match, "ends-with"))
		hit = vn >= tn && !strcasecmp(v + vn - tn, text);
	else
		hit = strcasestr(v, text) != NULL;
	return negate ? !hit : hit;
}

/* Does property p pass fl's param-filter (RFC 6352 10.5.2)? */
static bool param_hit(const struct vcard_prop *p, const struct dav_filter *fl)
{
	const struct vcard_param *pa = vcard_param_get(p, fl->param);

	if (fl->param_not_defined)
		return !pa;
	if (!pa)
		return false;
	if (!fl->param_text)
		return true;
	for (size_t i = 0; i < pa->n_values; i++)
		if (text_hit(pa->values[i], strlen(pa->values[i]),
			     fl->param_match, fl->param_text, fl->param_negate))
			return true;
	return false;
}

/* Does the card text pass body's prop-filters? */
static bool card_matches(const struct dav_body *body, const char *text,
			 size_t len)
{
	struct vcard_file f = {0};
	bool any = false, all = true;

	if (!body->n_filters)
		return true;
	if (vcard_parse(&f, text, len, "card", NULL) || f.n_cards != 1) {
		vcard_file_free(&f);
		return false;
	}
	for (size_t k = 0; k < body->n_filters; k++) {
		const struct dav_filter *fl = &body->filters[k];
		const struct vcard *c = &f.cards[0];
		bool defined = false, hit = false;

		for (size_t i = 0; i < c->n_props && !hit; i++) {
			const struct vcard_prop *p = &c->props[i];
			int tests = 0, hits = 0;

			if (strcasecmp(p->name, fl->prop))
				continue;
			defined = true;
			if (fl->text) {
				char *v = malloc(p->value_len + 1);
				size_t vn;

				if (!v)
					continue;
				vn = vcard_text_unescape(v, p->value,
							 p->value_len);
				v[vn] = '\0';
				tests++;
				hits += text_hit(v, vn, fl->match, fl->text,
						 fl->negate);
				free(v);
			}
			if (fl->param) {
				tests++;
				hits += param_hit(p, fl);
			}
			/* The prop-filter's test joins its text-match and
			 * param-filter; none: the property is there. */
			hit = !tests || (fl->allof ? hits == tests : hits > 0);
		}
		if (fl->not_defined)
			hit = !defined;
		any = any || hit;
		all = all && hit;
	}
	vcard_file_free(&f);
	return body->filter_allof ? all : any;
}

static int report_query(struct dav *d, const struct dav_body *body,
			struct dav_buf *b)
{
	struct dav_item *items = NULL;
	size_t n = 0, sent = 0;
	struct target t = {.res = R_CARD};
	int rc;

	t.version = want_version(d, body);
	rc = store_dav_list(&items, &n, d->st, d->ctx.ws, d->book_id, -1,
			    &d->err);
	for (size_t i = 0; !rc && i < n; i++) {
		struct vcard_out out = {0};
		char *href;

		if (body->n_filters) {
			rc = card_text(d, &items[i], 30, &out);
			if (!rc && !card_matches(body, out.buf ? out.buf : "",
						 out.len)) {
				vcard_out_free(&out);
				continue;
			}
			vcard_out_free(&out);
			if (rc)
				break;
		}
		if (body->limit && sent == (size_t)body->limit) {
			/* RFC 6352 8.6.1: truncated, said with a 507 for
			 * the request URI. */
			respond_status(b, d->book, "507 Insufficient Storage");
			break;
		}
		href = item_href(d, &items[i]);
		if (!href) {
			rc = kith_err_nomem(&d->err);
			break;
		}
		t.item = &items[i];
		t.href = href;
		rc = respond_props(d, b, &t, body);
		free(href);
		sent++;
	}
	store_dav_items_free(items, n);
	return rc;
}

/* sync-collection (RFC 6578): the changes after the token. Returns a
 * status other than 207 (with resp filled) through *status. */
static int report_sync(struct dav *d, const struct dav_body *body,
		       struct dav_buf *b, int *status)
{
	struct dav_item *items = NULL;
	char **names = NULL;
	size_t n = 0, sent = 0;
	int64_t since = -1, fl = 0, token = book_token(d, d->book_id, &fl);
	struct target t = {.res = R_CARD};
	bool cut = false;
	int rc;

	*status = 207;
	t.version = want_version(d, body);
	if (*body->sync_token) {
		const char *s = body->sync_token;
		char *end;
		long long v;

		if (strncmp(s, SYNC_PREFIX, strlen(SYNC_PREFIX)) ||
		    !isdigit((unsigned char)s[strlen(SYNC_PREFIX)]))
			goto bad_token;
		v = strtoll(s + strlen(SYNC_PREFIX), &end, 10);
		/* Newer than the book (a book deleted and made again at
		 * this URL), or older than a pruned tombstone: a delete
		 * may be missing, so the client starts over. */
		if (*end || v < fl || v > token)
			goto bad_token;
		since = v;
	}
	rc = store_dav_list(&items, &n, d->st, d->ctx.ws, d->book_id,
			    since < 0 ? -1 : since, &d->err);
	if (rc)
		return rc;
	names = calloc(n + 1, sizeof(*names));
	if (!names) {
		rc = kith_err_nomem(&d->err);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		names[i] = item_name(&items[i]);
		if (!names[i]) {
			rc = kith_err_nomem(&d->err);
			goto done;
		}
	}
	for (size_t i = 0; i < n && !rc; i++) {
		char *href;

		if (items[i].gone) {
			bool live = false;

			/* A name deleted and used again since: its live
			 * entry says all. */
			for (size_t j = 0; j < n && !live; j++)
				live = !items[j].gone &&
				       !strcmp(names[j], names[i]);
			if (live)
				continue;
		}
		if (body->limit && sent == (size_t)body->limit) {
			cut = true;
			break;
		}
		href = item_href(d, &items[i]);
		if (!href) {
			rc = kith_err_nomem(&d->err);
			break;
		}
		if (items[i].gone) {
			respond_status(b, href, "404 Not Found");
		} else {
			t.item = &items[i];
			t.href = href;
			rc = respond_props(d, b, &t, body);
		}
		free(href);
		token = items[i].seq;
		sent++;
	}
	if (rc)
		goto done;
	if (cut)
		respond_status(b, d->book, "507 Insufficient Storage");
	else
		token = book_token(d, d->book_id, NULL);
	dav_buf_printf(b, "<d:sync-token>" SYNC_PREFIX "%lld</d:sync-token>",
		       (long long)token);
done:
	if (names)
		for (size_t i = 0; i < n; i++)
			free(names[i]);
	free(names);
	store_dav_items_free(items, n);
	return rc;
bad_token:
	fail_xml(d->resp, 403, "d:valid-sync-token",
		 "unknown or expired sync token: sync again from the start");
	*status = 403;
	return KITH_OK;
}

static void do_report(struct dav *d)
{
	struct dav_body body;
	struct dav_buf b = {0};
	int rc, status = 207;

	rc = dav_xml_parse(&body, d->req->body, d->req->body_len, &d->err);
	if (rc) {
		fail_kith(d, rc);
		return;
	}
	if (d->path.kind != K_BOOK) {
		fail_xml(d->resp, 403, "d:supported-report",
			 "reports run on the address book collection");
		goto done;
	}
	dav_buf_str(&b, MULTISTATUS_OPEN);
	switch (body.kind) {
	case DAV_BODY_MULTIGET:
		rc = report_multiget(d, &body, &b);
		break;
	case DAV_BODY_QUERY:
		rc = report_query(d, &body, &b);
		break;
	case DAV_BODY_SYNC:
		rc = report_sync(d, &body, &b, &status);
		break;
	case DAV_BODY_NONE:
	case DAV_BODY_PROPFIND:
	case DAV_BODY_PROPPATCH:
	case DAV_BODY_MKCOL:
	case DAV_BODY_OTHER:
		fail_xml(d->resp, 403, "d:supported-report",
			 "supported reports: addressbook-multiget, "
			 "addressbook-query, sync-collection");
		goto done;
	}
	if (rc)
		fail_kith(d, rc);
	else if (status == 207)
		multistatus_end(d, &b);
done:
	dav_buf_free(&b);
	dav_body_free(&body);
}

/* Do the If-Match/If-None-Match of a write hold for the resource (exists,
 * etag)? 412 filled in and false when not. */
static bool preconditions(struct dav *d, bool exists, const char *etag)
{
	const char *im = http_header(d->req, "If-Match");
	const char *inm = http_header(d->req, "If-None-Match");

	if (im && !(exists && (strstr(im, "*") || strstr(im, etag)))) {
		fail_xml(d->resp, 412, NULL,
			 exists ? "the card changed since you read it "
				  "(If-Match)"
				: "no such card (If-Match)");
		return false;
	}
	if (inm && exists && (strstr(inm, "*") || strstr(inm, etag))) {
		fail_xml(d->resp, 412, NULL,
			 "a card already exists at this name "
			 "(If-None-Match)");
		return false;
	}
	return true;
}

static void do_get(struct dav *d)
{
	struct dav_item it = {0};
	struct vcard_out out = {0};
	const char *inm = http_header(d->req, "If-None-Match");
	char etag[32];
	int rc;

	if (d->path.kind != K_CARD) {
		if (d->path.kind == K_NONE || d->path.kind == K_OTHER ||
		    d->path.kind == K_NOBOOK || d->path.kind == K_INBOOK) {
			text(d->resp, 404, "no such resource");
			return;
		}
		text(d->resp, 200,
		     "kith CardDAV: point a CardDAV client (iOS, macOS, "
		     "DAVx5, Thunderbird, vdirsyncer) at this server's URL "
		     "and sign in with your kith email and password.");
		return;
	}
	rc = find_card(d, d->path.name, &it);
	if (!rc) {
		etag_of(etag, it.seq);
		if (inm && (strstr(inm, etag) || !strcmp(inm, "*"))) {
			snprintf(d->resp->etag, sizeof(d->resp->etag), "%s",
				 etag);
			d->resp->status = 304;
			goto done;
		}
		rc = card_text(d, &it, want_version(d, NULL), &out);
	}
	if (rc) {
		fail_kith(d, rc);
		goto done;
	}
	set_body(d->resp, 200, VCARD_TYPE, out.buf ? out.buf : strdup(""),
		 out.len);
	out.buf = NULL;
	snprintf(d->resp->etag, sizeof(d->resp->etag), "%s", etag);
	if (it.updated) {
		char date[40];

		http_date(date, it.updated);
		http_header_add(d->resp, "Last-Modified", date);
	}
done:
	vcard_out_free(&out);
	dav_item_clear(&it);
}

static bool content_type_ok(struct dav *d)
{
	const char *ct = http_header(d->req, "Content-Type");

	return !ct || !strncasecmp(ct, "text/vcard", 10) ||
	       !strncasecmp(ct, "text/x-vcard", 12) ||
	       !strncasecmp(ct, "text/directory", 14);
}

static bool forbid_viewer(struct dav *d)
{
	if (d->writer)
		return false;
	fail_xml(d->resp, 403, "d:need-privileges",
		 "your role (viewer) reads this address book and cannot "
		 "change it");
	return true;
}

/* Begin the write; 503 filled in and false when the lock is busy. */
static bool lock(struct dav *d)
{
	int rc = store_begin(d->st, &d->err);

	if (rc)
		fail_kith(d, rc);
	return rc == KITH_OK;
}

/* Commit (status < 300) or roll back, and report a failed commit. */
static void unlock(struct dav *d)
{
	if (d->resp->status >= 300) {
		store_rollback(d->st);
		return;
	}
	{
		int rc = store_commit(d->st, &d->err);

		if (rc) {
			http_header_add(d->resp, "X-Kith-Commit", "failed");
			d->resp->etag[0] = '\0';
			fail_kith(d, rc);
		}
	}
}

/* A card kith refuses (RFC 6352 6.3.2.1), naming the property. */
static void bad_card(struct dav *d)
{
	char msg[700];

	snprintf(msg, sizeof(msg), "%s%s%s", d->err.field,
		 d->err.field[0] ? ": " : "", d->err.msg);
	fail_xml(d->resp, 403, "card:valid-address-data", msg);
}

static void do_put(struct dav *d)
{
	struct vcard_contact vc;
	struct dav_item it = {0}, by_uid = {0}, after = {0};
	bool group = false, exists, locked = false, moving = false;
	int64_t id = 0;
	char etag[32] = "";
	int rc;

	vcard_contact_init(&vc);
	if (d->path.kind == K_NOBOOK) {
		text(d->resp, 409, "no such address book");
		return;
	}
	if (d->path.kind != K_CARD) {
		text(d->resp, 405,
		     "PUT a card into the address book: "
		     "/dav/addressbooks/<id>/contacts/<name>");
		http_header_add(d->resp, "Allow", DAV_ALLOW);
		return;
	}
	if (forbid_viewer(d))
		return;
	if (!content_type_ok(d)) {
		fail_xml(d->resp, 415, "card:supported-address-data",
			 "send text/vcard");
		return;
	}
	/* Parse before the lock: no one waits for our parsing. */
	rc = card_parse_one(&vc, &group, d->req->body ? d->req->body : "",
			    d->req->body_len, &d->err);
	if (rc == KITH_EINPUT) {
		bad_card(d);
		goto done;
	}
	if (rc) {
		fail_kith(d, rc);
		goto done;
	}
	store_read_close(d->st);
	if (!lock(d))
		goto done;
	locked = true;
	rc = find_card(d, d->path.name, &it);
	if (rc && rc != KITH_ENOTFOUND) {
		fail_kith(d, rc);
		goto done;
	}
	exists = rc == KITH_OK;
	rc = KITH_OK;
	/* A new name with a '/' names a card in a collection that is not
	 * there (RFC 4918 9.7.1); an old one is a UID that had a '/'. */
	if (!exists && strchr(d->path.name, '/')) {
		text(d->resp, 409,
		     "no such collection: an address book holds "
		     "cards only");
		goto done;
	}
	if (exists)
		etag_of(etag, it.seq);
	if (!preconditions(d, exists, etag))
		goto done;
	/* A card kith already has under another name (a client that lost
	 * its cache uploads again): the same contact, renamed. In another
	 * book: a phone moving it between books (PUT here, then DELETE
	 * there, which finds nothing): the contact moves with its history,
	 * and its old book reports it gone. */
	if (!exists && !group && vc.c.uid) {
		if (!store_dav_by_uid(&by_uid, d->st, d->ctx.ws, d->book_id,
				      vc.c.uid, NULL)) {
			id = by_uid.contact_id;
		} else if (!store_dav_by_uid(&by_uid, d->st, d->ctx.ws, -1,
					     vc.c.uid, NULL)) {
			id = by_uid.contact_id;
			moving = true;
		}
	}
	if (exists && it.contact_id)
		id = it.contact_id;
	if (group) {
		if (exists && it.contact_id)
			rc = store_contact_delete(d->st, d->ctx.ws,
						  it.contact_id, &d->err);
		if (!rc)
			rc = store_dav_card_put(NULL, d->st, d->ctx.ws,
						d->book_id, d->path.name, NULL,
						d->req->body, &d->err);
	} else {
		if (exists && it.card_id)
			rc = store_dav_card_delete(d->st, d->ctx.ws, it.card_id,
						   &d->err);
		if (!rc)
			rc = app_card_write(&id, &d->ctx, id, &vc, &d->err);
		if (!rc && moving)
			rc = store_dav_book_move(d->st, d->ctx.ws, d->book_id,
						 id, d->path.name, &d->err);
		/* Does the name find this contact now? Else keep it. */
		else if (!rc) {
			int f = find_card(d, d->path.name, &after);

			if (f == KITH_ENOTFOUND ||
			    (!f && after.contact_id != id))
				rc = store_dav_href_set(d->st, d->ctx.ws,
							d->book_id, id,
							d->path.name, &d->err);
			else
				rc = f;
		}
	}
	if (rc == KITH_EINPUT) {
		bad_card(d);
		goto done;
	}
	if (rc) {
		fail_kith(d, rc);
		goto done;
	}
	dav_item_clear(&after);
	rc = find_card(d, d->path.name, &after);
	if (rc) {
		fail_kith(d, rc);
		goto done;
	}
	text(d->resp, exists ? 204 : 201, "");
	d->resp->len = 0;
	etag_of(d->resp->etag, after.seq);
done:
	if (locked)
		unlock(d);
	dav_item_clear(&it);
	dav_item_clear(&by_uid);
	dav_item_clear(&after);
	vcard_contact_clear(&vc);
}

/* DELETE of a book a client made: its contacts are kith's contacts, so
 * they move to the default book (nothing is lost; a phone that synced
 * both books sees them leave one and arrive in the other). */
static void do_delete_book(struct dav *d)
{
	char etag[32];
	int rc;

	if (forbid_viewer(d))
		return;
	store_read_close(d->st);
	if (!lock(d))
		return;
	d->have_seq = false;
	etag_of(etag, book_token(d, d->book_id, NULL));
	if (!preconditions(d, true, etag))
		goto done;
	rc = store_dav_book_delete(d->st, d->ctx.ws, d->book_id, &d->err);
	if (rc) {
		fail_kith(d, rc);
		goto done;
	}
	text(d->resp, 204, "");
	d->resp->len = 0;
done:
	unlock(d);
}

static void do_delete(struct dav *d)
{
	struct dav_item it = {0};
	char etag[32];
	int rc;

	if (d->path.kind == K_BOOK && d->book_id) {
		do_delete_book(d);
		return;
	}
	if (d->path.kind == K_OTHER || d->path.kind == K_NOBOOK) {
		text(d->resp, 404, "no such resource");
		return;
	}
	if (d->path.kind != K_CARD) {
		fail_xml(d->resp, 403, "d:need-privileges",
			 "the default address book cannot be deleted");
		return;
	}
	if (forbid_viewer(d))
		return;
	store_read_close(d->st);
	if (!lock(d))
		return;
	rc = find_card(d, d->path.name, &it);
	if (rc) {
		fail_kith(d, rc);
		goto done;
	}
	etag_of(etag, it.seq);
	if (!preconditions(d, true, etag))
		goto done;
	rc =
	    it.contact_id
		? store_contact_delete(d->st, d->ctx.ws, it.contact_id, &d->err)
		: store_dav_card_delete(d->st, d->ctx.ws, it.card_id, &d->err);
	if (rc) {
		fail_kith(d, rc);
		goto done;
	}
	text(d->resp, 204, "");
	d->resp->len = 0;
done:
	unlock(d);
	dav_item_clear(&it);
}

static void do_mkcol(struct dav *d)
{
	struct dav_body body;
	const char *ct = http_header(d->req, "Content-Type");
	int64_t id = 0;
	int rc;

	/* RFC 4918 9.3.1: a body MKCOL does not understand is 415. An XML
	 * body is understood whatever its Content-Type says: vdirsyncer
	 * sends its extended MKCOL as application/octet-stream. */
	rc = dav_xml_parse(&body, d->req->body, d->req->body_len, &d->err);
	if (rc == KITH_EINPUT && (!ct || !strstr(ct, "xml"))) {
		text(d->resp, 415,
		     "MKCOL takes an XML body (RFC 5689) or none");
		return;
	}
	if (rc) {
		fail_kith(d, rc);
		return;
	}
	if (d->path.kind == K_INBOOK) {
		/* RFC 6352 5.2: an address book holds address objects only. */
		fail_xml(d->resp, 403, "d:resource-must-be-null",
			 "an address book holds cards, not collections");
		goto done;
	}
	if (d->path.kind == K_NOBOOK) {
		/* RFC 4918 9.3.1: the parent is not there. */
		text(d->resp, 409, "no such address book");
		goto done;
	}
	if (d->path.kind != K_OTHER) {
		text(d->resp, 405, "this collection exists already");
		http_header_add(d->resp, "Allow", DAV_ALLOW);
		goto done;
	}
	/* The home holds address books only: a plain MKCOL would make a
	 * plain collection, which the home cannot hold (RFC 5689 3: an
	 * extended MKCOL names the resource type). */
	if (body.kind != DAV_BODY_MKCOL || body.resourcetype != 2) {
		fail_xml(d->resp, 403, "d:valid-resourcetype",
			 "the address-book home holds address books only: "
			 "send an extended MKCOL (RFC 5689) whose resourcetype "
			 "is DAV:collection and CARDDAV:addressbook");
		goto done;
	}
	if (forbid_viewer(d))
		goto done;
	store_read_close(d->st);
	if (!lock(d))
		goto done;
	rc = store_dav_book_add(&id, d->st, d->ctx.ws, d->path.slug,
				body.displayname && *body.displayname
				    ? body.displayname
				    : d->path.slug,
				&d->err);
	if (rc)
		fail_kith(d, rc);
	else {
		text(d->resp, 201, "");
		d->resp->len = 0;
	}
	unlock(d);
done:
	dav_body_free(&body);
}

static void do_proppatch(struct dav *d)
{
	struct dav_body body;
	struct dav_buf b = {0};
	const char *href = d->path.kind == K_BOOK	 ? d->book
			   : d->path.kind == K_HOME	 ? d->home
			   : d->path.kind == K_PRINCIPAL ? d->principal
							 : NULL;
	int rc = dav_xml_parse(&body, d->req->body, d->req->body_len, &d->err);

	if (rc) {
		fail_kith(d, rc);
		return;
	}
	if (!href) {
		text(d->resp, 404, "no such collection");
		goto done;
	}
	if (body.kind != DAV_BODY_PROPPATCH) {
		fail_xml(d->resp, 400, NULL,
			 "expected a DAV:propertyupdate body");
		goto done;
	}
	/* A book a client made takes a new displayname (alone: RFC 4918
	 * 9.2 makes a PROPPATCH all or nothing). */
	if (d->path.kind == K_BOOK && d->book_id && body.n_props == 1 &&
	    body.displayname && *body.displayname &&
	    !strcmp(body.props[0].ns, DAV_NS) &&
	    !strcmp(body.props[0].name, "displayname")) {
		if (forbid_viewer(d))
			goto done;
		store_read_close(d->st);
		if (!lock(d))
			goto done;
		rc = store_dav_book_rename(d->st, d->ctx.ws, d->book_id,
					   body.displayname, &d->err);
		if (rc) {
			fail_kith(d, rc);
		} else {
			dav_buf_str(&b, MULTISTATUS_OPEN);
			response_open(&b, href);
			dav_buf_str(&b,
				    "<d:propstat><d:prop><d:displayname/>"
				    "</d:prop><d:status>HTTP/1.1 200 OK"
				    "</d:status></d:propstat></d:response>");
			multistatus_end(d, &b);
		}
		unlock(d);
		goto done;
	}
	/* The names here are kith's (the workspace's, the user's): change
	 * them in kith. Each property is refused on its own (RFC 4918
	 * 9.2.1). */
	dav_buf_str(&b, MULTISTATUS_OPEN);
	response_open(&b, href);
	dav_buf_str(&b, "<d:propstat><d:prop>");
	for (size_t i = 0; i < body.n_props; i++)
		empty_elem(&b, &body.props[i]);
	dav_buf_str(&b, "</d:prop><d:status>HTTP/1.1 403 Forbidden</d:status>"
			"</d:propstat></d:response>");
	multistatus_end(d, &b);
done:
	dav_buf_free(&b);
	dav_body_free(&body);
}

/* One run of the method; a write takes and ends its transaction
 * (lock, unlock) inside. */
static void dispatch(struct dav *d)
{
	struct http_request *req = d->req;

	d->resp->status = 0;
	if (!strcmp(req->method, "PROPFIND"))
		do_propfind(d);
	else if (!strcmp(req->method, "REPORT"))
		do_report(d);
	else if (!strcmp(req->method, "GET") || !strcmp(req->method, "HEAD"))
		do_get(d);
	else if (!strcmp(req->method, "PUT"))
		do_put(d);
	else if (!strcmp(req->method, "DELETE"))
		do_delete(d);
	else if (!strcmp(req->method, "MKCOL"))
		do_mkcol(d);
	else if (!strcmp(req->method, "PROPPATCH"))
		do_proppatch(d);
	else {
		text(d->resp, 405, "method not allowed here");
		http_header_add(d->resp, "Allow", DAV_ALLOW);
	}
}

void dav_handle(struct store *st, struct http_request *req,
		struct http_response *resp)
{
	struct dav d = {0};
	const char *prefer;

	d.st = st;
	d.req = req;
	d.resp = resp;
	resp->status = 0;
	path_parse(&d.path, req->path);
	http_header_add(resp, "DAV", DAV_CLASSES);
	if (d.path.kind == K_WELLKNOWN) {
		/* RFC 6764 5: to the context path; its PROPFIND names the
		 * principal. Relative: right behind any proxy. */
		text(resp, 301, "moved to /dav/");
		http_header_add(resp, "Location", "/dav/");
		return;
	}
	if (!strcmp(req->method, "OPTIONS")) {
		do_options(&d);
		return;
	}
	if (kith_now(&d.ctx.now, &d.err)) {
		fail_kith(&d, KITH_EIO);
		return;
	}
	store_read_begin(st);
	if (!dav_auth(st, req, resp, d.ctx.now, &d.user))
		goto done;
	d.ctx.st = st;
	d.ctx.ws = d.user.workspace_id;
	store_set_tenant(st, d.ctx.ws);
	d.ctx.today = kith_time_day(d.ctx.now, NULL);
	d.writer = d.user.role >= ROLE_MEMBER;
	snprintf(d.principal, sizeof(d.principal), "/dav/principals/%lld/",
		 (long long)d.user.id);
	snprintf(d.home, sizeof(d.home), "/dav/addressbooks/%lld/",
		 (long long)d.user.id);
	snprintf(d.book, sizeof(d.book), "%s" DEFAULT_BOOK "/", d.home);
	prefer = http_header(req, "Prefer");
	d.minimal = (prefer && strstr(prefer, "return=minimal")) ||
		    (http_header(req, "Brief") &&
		     !strcasecmp(http_header(req, "Brief"), "t"));
	/* Another user's paths are not there at all (tenancy: 404). */
	if (d.path.user && d.path.user != d.user.id) {
		text(resp, 404, "no such resource");
		goto done;
	}
	if (d.path.kind == K_NONE) {
		text(resp, 404, "no such resource");
		goto done;
	}
	if ((d.path.kind == K_BOOK || d.path.kind == K_CARD ||
	     d.path.kind == K_INBOOK) &&
	    strcmp(d.path.slug, DEFAULT_BOOK)) {
		int rc = store_dav_book_find(&d.bk, st, d.ctx.ws, d.path.slug,
					     &d.err);

		if (rc == KITH_ENOTFOUND)
			d.path.kind =
			    d.path.kind == K_BOOK ? K_OTHER : K_NOBOOK;
		else if (rc) {
			fail_kith(&d, rc);
			goto done;
		}
		d.book_id = d.bk.id;
		book_href(d.book, sizeof(d.book), &d, d.path.slug);
	}
	for (int attempt = 1;; attempt++) {
		dispatch(&d);
		/* Another writer won (PostgreSQL's serialization failure or
		 * deadlock) or the connection went: the write rolled back
		 * whole (unlock), so it runs again from the request as
		 * received, in a fresh transaction. Past the last attempt
		 * the 503 stands. */
		if (resp->status < 500 || !store_retryable(st) ||
		    attempt >= KITH_RETRY_MAX)
			break;
		{
			char detail[300];

			http_log_str(detail, sizeof(detail), d.err.msg);
			fprintf(stderr, "kith: dav %s: retry %d of %d: %s\n",
				req->method, attempt + 1, KITH_RETRY_MAX,
				detail);
		}
		store_rollback(st);
		if (!resp->persistent)
			free(resp->body);
		free(resp->set_cookie);
		free(resp->headers);
		memset(resp, 0, sizeof(*resp));
		http_header_add(resp, "DAV", DAV_CLASSES);
		memset(&d.err, 0, sizeof(d.err));
		d.have_seq = false;
		kith_retry_pause(attempt);
	}
done:
	store_read_end(st);
	{
		struct kith_err serr = {0};

		if (store_settle(st, &serr))
			fprintf(stderr, "kith: dav %s: %s\n", req->method,
				serr.msg);
	}
	if (!resp->status)
		text(resp, 500, "no response");
	dav_book_clear(&d.bk);
	user_clear(&d.user);
}

/* ---- the URL to paste ---- */

/* "http://host:port/" as this request reached the server: its Host
 * (when it is a plain host[:port]) and scheme. */
static void base_url(char *out, size_t n, struct http_request *req)
{
	const char *host = http_header(req, "Host");

	if (!host || !*host || strlen(host) > 200 ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789.-:[]") != strlen(host))
		host = "localhost";
	snprintf(out, n, "%s://%s/", req->secure ? "https" : "http", host);
}

void h_carddav(struct api *a)
{
	char url[300], book[400];

	base_url(url, sizeof(url), a->req);
	snprintf(book, sizeof(book), "%sdav/addressbooks/%lld/contacts/", url,
		 (long long)a->user.id);
	http_json(a->resp, 200,
		  json_pack("{s:s, s:s, s:s}", "url", url, "username",
			    a->user.email, "addressbook", book));
}
