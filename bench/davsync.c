/*
 * davsync.c: a CardDAV client that syncs the way phones do (RFC 6578),
 * for bench/carddav.sh: vdirsyncer lists the whole collection on every
 * sync and spends seconds in Python, so it cannot show what a server
 * costs a client that uses sync-collection.
 *
 *   davsync URL USER PASS DIR
 *
 * One sync of the address book at URL into DIR (one file per card, and
 * DIR/.token): a PROPFIND Depth 0 of sync-token and getctag, a
 * sync-collection REPORT with the token of the last sync (none the first
 * time; again from scratch on 403 valid-sync-token; page after page on a
 * 507), then addressbook-multiget REPORTs of the changed hrefs in batches
 * of DAVSYNC_BATCH (default 10), each card written to its file; a 404 in
 * the sync removes the file. One connection, kept alive. Prints
 * "fetched N removed M requests R seconds S" and exits 0, or says what
 * failed and exits 1; S is the sync from its first request to its last
 * file written, without starting the process (a phone's sync service is
 * running already, and on a busy machine a process start alone is tens
 * of milliseconds). libcurl and libxml2, nothing of kith's.
 */
#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NS_DAV	"DAV:"
#define NS_CARD "urn:ietf:params:xml:ns:carddav"
#define HDR_NS                                                                 \
	"xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:carddav\" "         \
	"xmlns:cs=\"http://calendarserver.org/ns/\""

struct buf {
	char *s;
	size_t len, cap;
};

static CURL *curl;
static const char *url, *dir;
static long requests;

static void die(const char *what)
{
	fprintf(stderr, "davsync: %s\n", what);
	exit(1);
}

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = realloc(b->s, cap);
		if (!b->s)
			die("out of memory");
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	buf_add(ud, p, size * n);
	return size * n;
}

/* method body at url; the response body into *out; the status back. */
static long call(const char *method, const char *depth, const char *body,
		 struct buf *out)
{
	struct curl_slist *h = NULL;
	char dh[32];
	long status = 0;
	CURLcode rc;

	out->len = 0;
	h = curl_slist_append(h,
			      "Content-Type: application/xml; charset=utf-8");
	if (depth) {
		snprintf(dh, sizeof(dh), "Depth: %s", depth);
		h = curl_slist_append(h, dh);
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
	rc = curl_easy_perform(curl);
	curl_slist_free_all(h);
	if (rc != CURLE_OK)
		die(curl_easy_strerror(rc));
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	requests++;
	if (!out->s)
		buf_add(out, "", 0);
	return status;
}

static bool is(const xmlNode *n, const char *ns, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns &&
	       !strcmp((const char *)n->ns->href, ns) &&
	       !strcmp((const char *)n->name, name);
}

/* The first descendant of n (depth first) named (ns, name). */
static const xmlNode *find(const xmlNode *n, const char *ns, const char *name)
{
	for (const xmlNode *c = n ? n->children : NULL; c; c = c->next) {
		const xmlNode *f;

		if (is(c, ns, name))
			return c;
		if ((f = find(c, ns, name)))
			return f;
	}
	return NULL;
}

static xmlDoc *parse(const struct buf *b)
{
	xmlDoc *doc = xmlReadMemory(b->s, (int)b->len, NULL, NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR |
					XML_PARSE_NOWARNING | XML_PARSE_HUGE);

	if (!doc || !xmlDocGetRootElement(doc))
		die("the server's answer is not XML");
	return doc;
}

/* DIR/<the href's last segment>, as sent (percent-encoded). */
static void card_path(char *out, size_t n, const char *href)
{
	const char *s = strrchr(href, '/');

	s = s ? s + 1 : href;
	snprintf(out, n, "%s/%s%s", dir, *s == '.' ? "_" : "", s);
}

static char *read_token(void)
{
	char p[4096], t[1024] = "";
	FILE *f;

	snprintf(p, sizeof(p), "%s/.token", dir);
	f = fopen(p, "r");
	if (f) {
		if (!fgets(t, sizeof(t), f))
			t[0] = '\0';
		fclose(f);
	}
	t[strcspn(t, "\n")] = '\0';
	return strdup(t);
}

static void write_token(const char *t)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/.token", dir);
	f = fopen(p, "w");
	if (!f || fprintf(f, "%s\n", t) < 0 || fclose(f))
		die("cannot write the token");
}

static void xml_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			buf_str(b, "&amp;");
		else if (*s == '<')
			buf_str(b, "&lt;");
		else
			buf_add(b, s, 1);
	}
}

/* Fetch hrefs[0..n) with one multiget; write each card; count them. */
static long multiget(char **hrefs, size_t n, struct buf *resp)
{
	struct buf body = {0};
	xmlDoc *doc;
	long got = 0, st;

	buf_str(&body, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
		       "<c:addressbook-multiget " HDR_NS "><d:prop><d:getetag/>"
		       "<c:address-data/></d:prop>");
	for (size_t i = 0; i < n; i++) {
		buf_str(&body, "<d:href>");
		xml_escape(&body, hrefs[i]);
		buf_str(&body, "</d:href>");
	}
	buf_str(&body, "</c:addressbook-multiget>");
	st = call("REPORT", "0", body.s, resp);
	free(body.s);
	if (st != 207)
		die("multiget: not 207");
	doc = parse(resp);
	for (const xmlNode *r = xmlDocGetRootElement(doc)->children; r;
	     r = r->next) {
		const xmlNode *h, *a;
		xmlChar *href, *card;
		char path[4096];
		FILE *f;

		if (!is(r, NS_DAV, "response"))
			continue;
		h = find(r, NS_DAV, "href");
		a = find(r, NS_CARD, "address-data");
		if (!h || !a)
			continue;
		href = xmlNodeGetContent(h);
		card = xmlNodeGetContent(a);
		card_path(path, sizeof(path), (const char *)href);
		f = fopen(path, "w");
		if (!f || fputs((const char *)card, f) < 0 || fclose(f))
			die("cannot write a card");
		xmlFree(href);
		xmlFree(card);
		got++;
	}
	xmlFreeDoc(doc);
	return got;
}

int main(int argc, char **argv)
{
	struct buf resp = {0}, body = {0};
	char userpwd[512], *token, *next = NULL, **hrefs = NULL;
	size_t n_hrefs = 0, cap_hrefs = 0, batch = 10;
	long fetched = 0, removed = 0, st;
	bool more = true;
	const char *env = getenv("DAVSYNC_BATCH");
	struct timespec t0, t1;

	if (argc != 5) {
		fprintf(stderr, "usage: davsync URL USER PASS DIR\n");
		return 2;
	}
	url = argv[1];
	dir = argv[4];
	if (env && atoi(env) > 0)
		batch = (size_t)atoi(env);
	xmlInitParser();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	curl = curl_easy_init();
	if (!curl)
		die("no curl");
	snprintf(userpwd, sizeof(userpwd), "%s:%s", argv[2], argv[3]);
	curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd);
	curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	token = read_token();
	clock_gettime(CLOCK_MONOTONIC, &t0);

	/* 1. The collection's token and ctag, as a phone checks first. */
	st =
	    call("PROPFIND", "0",
		 "<?xml version=\"1.0\" encoding=\"utf-8\"?><d:propfind " HDR_NS
		 "><d:prop><d:sync-token/><cs:getctag/></d:prop></d:propfind>",
		 &resp);
	if (st != 207)
		die("PROPFIND: not 207");

	/* 2. The changes since the last token, page after page. */
	while (more) {
		xmlDoc *doc;

		more = false;
		body.len = 0;
		buf_str(&body, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
			       "<d:sync-collection " HDR_NS "><d:sync-token>");
		xml_escape(&body, token);
		buf_str(&body, "</d:sync-token><d:sync-level>1</d:sync-level>"
			       "<d:prop><d:getetag/></d:prop>"
			       "</d:sync-collection>");
		st = call("REPORT", "0", body.s, &resp);
		if (st == 403 && *token) { /* valid-sync-token: from scratch */
			free(token);
			token = strdup("");
			more = true;
			continue;
		}
		if (st != 207)
			die("sync-collection: not 207");
		doc = parse(&resp);
		for (const xmlNode *r = xmlDocGetRootElement(doc)->children; r;
		     r = r->next) {
			const xmlNode *h, *s;
			xmlChar *href, *status = NULL;

			if (is(r, NS_DAV, "sync-token")) {
				xmlChar *t = xmlNodeGetContent(r);

				free(next);
				next = strdup((const char *)t);
				xmlFree(t);
				continue;
			}
			if (!is(r, NS_DAV, "response"))
				continue;
			h = find(r, NS_DAV, "href");
			if (!h)
				continue;
			href = xmlNodeGetContent(h);
			/* A status straight in the response: 404 (gone) or
			 * 507 (more to come). */
			for (s = r->children; s && !is(s, NS_DAV, "status");
			     s = s->next)
				;
			if (s)
				status = xmlNodeGetContent(s);
			if (status && strstr((const char *)status, " 507")) {
				more = true;
			} else if (status &&
				   strstr((const char *)status, " 404")) {
				char path[4096];

				card_path(path, sizeof(path),
					  (const char *)href);
				if (!unlink(path))
					removed++;
			} else {
				if (n_hrefs == cap_hrefs) {
					cap_hrefs =
					    cap_hrefs ? cap_hrefs * 2 : 256;
					hrefs = realloc(
					    hrefs, cap_hrefs * sizeof(*hrefs));
					if (!hrefs)
						die("out of memory");
				}
				hrefs[n_hrefs++] = strdup((const char *)href);
			}
			xmlFree(status);
			xmlFree(href);
		}
		xmlFreeDoc(doc);
		if (!next)
			die("sync-collection: no token");
		free(token);
		token = next;
		next = NULL;
	}

	/* 3. The changed cards, a batch per multiget. */
	for (size_t i = 0; i < n_hrefs; i += batch)
		fetched +=
		    multiget(hrefs + i,
			     n_hrefs - i < batch ? n_hrefs - i : batch, &resp);
	write_token(token);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("fetched %ld removed %ld requests %ld seconds %.3f\n", fetched,
	       removed, requests,
	       (double)(t1.tv_sec - t0.tv_sec) +
		   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	for (size_t i = 0; i < n_hrefs; i++)
		free(hrefs[i]);
	free(hrefs);
	free(token);
	free(resp.s);
	free(body.s);
	curl_easy_cleanup(curl);
	curl_global_cleanup();
	xmlCleanupParser();
	return 0;
}
