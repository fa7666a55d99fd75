/* static.c: the embedded web app: files by path, the app shell for any
 * other page path (the app routes in the browser), ETags for revalidation. */
#include "api.h"
#include "assets.h"

#include <stdio.h>
#include <string.h>

const struct asset *asset_find(const char *path)
{
	if (!strcmp(path, "/"))
		path = "/index.html";
	for (size_t i = 0; i < n_assets; i++)
		if (!strcmp(assets[i].path, path))
			return &assets[i];
	return NULL;
}

/* The app's own files only; no inline script, no framing by others. */
#define CSP "default-src 'self'; img-src 'self' data:; " \
	    "style-src 'self'; script-src 'self'; frame-ancestors 'none'; " \
	    "base-uri 'none'; form-action 'self'"

void static_serve(struct http_request *req, struct http_response *resp)
{
	const struct asset *a;
	const char *inm, *base;
	uint64_t h = 0xcbf29ce484222325ull;

	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
		http_error(resp, 405, "method_not_allowed", NULL,
			   "%s is not allowed on %s", req->method, req->path);
		snprintf(resp->allow, sizeof(resp->allow), "GET, HEAD");
		return;
	}
	a = asset_find(req->path);
	/* Page paths (/contacts/12) are the app's: hand it the shell. The
	 * last segment is the whole path when it has no '/' (api_handle
	 * refuses those, but this must not depend on it). */
	base = strrchr(req->path, '/');
	if (!base)
		base = req->path;
	if (!a && !strchr(base, '.'))
		a = asset_find("/index.html");
	if (!a) {
		http_error(resp, 404, "not_found", NULL, "no file %s",
			   req->path);
		return;
	}
	for (size_t i = 0; i < a->len; i++) {
		h ^= a->data[i];
		h *= 0x100000001b3ull;
	}
	snprintf(resp->etag, sizeof(resp->etag), "\"%016llx\"",
		 (unsigned long long)h);
	resp->content_type = a->type;
	resp->cache = "no-cache";
	if (strstr(a->type, "text/html"))
		resp->csp = CSP;
	inm = http_header(req, "If-None-Match");
	if (inm && !strcmp(inm, resp->etag)) {
		resp->status = 304;
		return;
	}
	resp->persistent = true;
	resp->body = (char *)a->data;
	resp->len = a->len;
	resp->status = 200;
}
