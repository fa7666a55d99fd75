/*
 * openapi.c: the OpenAPI 3.1 document, generated from the route table
 * the router itself uses, so a route cannot exist undocumented. What
 * each operation takes and answers in detail is in openapi_schema.c.
 */
#include "api.h"
#include "../render/json.h"
#include "openapi_schema.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *error_response(const char *what)
{
	return json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", what,
			 "content", "application/json", "schema", "$ref",
			 "#/components/schemas/Error");
}

static void path_param(json_t *params, const struct route *r,
		       const char *name)
{
	char brace[24];

	snprintf(brace, sizeof(brace), "{%s}", name);
	if (strstr(r->pattern, brace))
		json_array_append_new(
			params,
			json_pack("{s:s, s:s, s:b, s:o}", "name", name, "in",
				  "path", "required", 1, "schema",
				  oa_path_param_schema(r->pattern, name)));
}

/* The success answer: JSON of the documented shape, an event stream,
 * or nothing (204). */
static json_t *success_response(const struct route *r)
{
	if (r->created == 204)
		return json_pack("{s:s}", "description", "done");
	if (!strcmp(r->pattern, "/api/v1/events"))
		return json_pack("{s:s, s:{s:{s:{s:s}}}}", "description",
				 "an event stream", "content",
				 "text/event-stream", "schema", "type",
				 "string");
	if (!strncmp(r->pattern, "/feeds/", 7))
		return json_pack("{s:s, s:{s:{s:{s:s}}}}", "description",
				 "an iCalendar (RFC 5545)", "content",
				 "text/calendar", "schema", "type", "string");
	/* ?format= picks the media type. */
	if (!strcmp(r->pattern, "/api/v1/export"))
		return json_pack(
			"{s:s, s:{s:{s:o}, s:{s:{s:s}}, s:{s:{s:s}}, "
			"s:{s:{s:s}}}}",
			"description", "the book in the format asked for",
			"content", "application/json", "schema",
			oa_success_schema(r->method, r->pattern), "text/vcard",
			"schema", "type", "string", "text/csv", "schema",
			"type", "string", "text/calendar", "schema", "type",
			"string");
	return json_pack("{s:s, s:{s:{s:o}}}", "description", "the result",
			 "content", "application/json", "schema",
			 oa_success_schema(r->method, r->pattern));
}

/*
 * Every status the operation can answer, from what the dispatcher does
 * before the handler (api_handle, http.c) and what the route declares:
 * 401/403 from authentication, CSRF and roles, 404 for ids, 413 for any
 * body over the route's limit, 400/415 for bodies, 412 for If-Match,
 * 409/422 from the handlers, 503 when the database cannot be opened or
 * written (busy, read-only), 507 for a write on a full disk.
 */
static json_t *responses_of(const struct route *r)
{
	json_t *resp = json_object();
	bool get = !strcmp(r->method, "GET"), public = r->auth == AUTH_PUBLIC;
	bool hook = !strncmp(r->pattern, "/hooks/", 7) ||
		    !strncmp(r->pattern, "/feeds/", 7);
	bool feed = !strncmp(r->pattern, "/feeds/", 7);
	char code[8];

	snprintf(code, sizeof(code), "%d", r->created);
	json_object_set_new(resp, code, success_response(r));
	if (r->cards)
		json_object_set_new(
			resp, "200",
			json_pack("{s:s, s:{s:{s:{s:s}}}}", "description",
				  "a text/vcard or text/csv body: the import "
				  "report (dry_run: what a real run does)",
				  "content", "application/json", "schema",
				  "$ref", "#/components/schemas/ImportReport"));
	if (r->limit)
		json_object_set_new(resp, "400",
				    error_response("malformed JSON"));
	if (!public || !strcmp(r->pattern, "/api/v1/session"))
		json_object_set_new(resp, "401",
				    error_response("not signed in, or the "
						   "credentials are wrong"));
	if (!public && (!get || r->auth != AUTH_VIEWER))
		json_object_set_new(resp, "403",
				    error_response("role or CSRF token "
						   "forbids it"));
	if ((!public || hook) && strcmp(r->pattern, "/api/v1/session"))
		json_object_set_new(resp, "404",
				    error_response("no such resource"));
	if (!get && !public)
		json_object_set_new(resp, "409",
				    error_response("conflicts with what "
						   "exists"));
	if (!strcmp(r->method, "PATCH") || !strcmp(r->method, "DELETE"))
		json_object_set_new(resp, "412",
				    error_response("stale If-Match"));
	json_object_set_new(resp, "413", error_response("body over the "
							"route's limit"));
	json_object_set_new(resp, "415",
			    error_response(r->cards
						   ? "a body that is not "
						     "application/json, "
						     "text/vcard or text/csv"
						   : "a body that is not "
						     "application/json"));
	json_object_set_new(resp, "422",
			    error_response("invalid field, parameter, or a "
					   "body where none is taken"));
	if (!strcmp(r->pattern, "/api/v1/session") &&
	    !strcmp(r->method, "POST"))
		json_object_set_new(resp, "429",
				    error_response("too many failed "
						   "sign-ins"));
	if (feed) {
		json_object_set_new(resp, "304",
				    json_pack("{s:s}", "description",
					      "unchanged since the ETag sent "
					      "in If-None-Match"));
		json_object_set_new(resp, "429",
				    error_response("too many unknown feeds "
						   "from the address, or "
						   "fetches of one feed"));
	}
	json_object_set_new(resp, "503",
			    error_response("the database cannot be opened, "
					   "or cannot be written now (busy, "
					   "read-only)"));
	if (strcmp(r->method, "GET"))
		json_object_set_new(resp, "507",
				    error_response("the server's disk is full: "
						   "nothing was written"));
	return resp;
}

static json_t *operation(const struct route *r)
{
	json_t *op = json_object(), *params = json_array();
	char opid[128];
	const char *q;

	snprintf(opid, sizeof(opid), "%s %s", r->method, r->pattern);
	json_object_set_new(op, "summary", json_string(r->summary));
	json_object_set_new(op, "operationId", json_string(opid));
	json_object_set_new(op, "tags", json_pack("[s]", r->tag));
	path_param(params, r, "id");
	path_param(params, r, "secret");
	path_param(params, r, "name");
	path_param(params, r, "token");
	for (q = r->query; q && *q;) {
		size_t len = strcspn(q, ",");
		char name[40];

		snprintf(name, sizeof(name), "%.*s", (int)len, q);
		json_array_append_new(params, oa_query_param(name));
		q += len + (q[len] == ',');
	}
	if (!strcmp(r->method, "PATCH") || !strcmp(r->method, "DELETE"))
		json_array_append_new(
			params, json_pack("{s:s, s:s, s:s, s:{s:s}}", "name",
					  "If-Match", "in", "header",
					  "description",
					  "the ETag read; 412 when stale",
					  "schema", "type", "string"));
	json_object_set_new(op, "parameters", params);
	if (r->body) {
		char ref[80];

		snprintf(ref, sizeof(ref), "#/components/schemas/%s",
			 oa_request_schema(r->method, r->pattern, r->body));
		json_object_set_new(
			op, "requestBody",
			json_pack("{s:b, s:{s:{s:{s:s}}}}", "required", 1,
				  "content", "application/json", "schema",
				  "$ref", ref));
		/* Address-book files go in as they are: vCard 2.1/3.0/4.0,
		 * contacts CSV (the same readers as kith import). */
		for (int i = 0; r->cards && i < 4; i++)
			json_object_set_new(
				json_object_get(json_object_get(op,
								"requestBody"),
						"content"),
				(const char *[]){ "text/vcard", "text/x-vcard",
						  "text/directory",
						  "text/csv" }[i],
				json_pack("{s:{s:s}}", "schema", "type",
					  "string"));
	} else if (strcmp(r->method, "GET")) {
		/* read_body: no body, or an empty object. */
		json_object_set_new(
			op, "requestBody",
			json_pack("{s:b, s:s, s:{s:{s:{s:s, s:i}}}}", "required",
				  0, "description", "none, or {}", "content",
				  "application/json", "schema", "type",
				  "object", "maxProperties", 0));
	}
	json_object_set_new(op, "responses", responses_of(r));
	if (r->auth == AUTH_PUBLIC)
		json_object_set_new(op, "security", json_array());
	return op;
}

static json_t *build_doc(void);

static pthread_once_t doc_once = PTHREAD_ONCE_INIT;
static char *doc_text;
static char doc_etag[40];

/* The document depends only on the route table: build it once. */
static void doc_init(void)
{
	json_t *doc = build_doc();

	doc_text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	http_etag_of(doc_etag, doc);
	json_decref(doc);
}

void h_openapi(struct api *a)
{
	pthread_once(&doc_once, doc_init);
	if (!doc_text) {
		api_fail(a, kith_err_nomem(&a->err));
		return;
	}
	a->resp->cache = "public, max-age=60";
	a->resp->persistent = true;
	a->resp->body = doc_text;
	a->resp->len = strlen(doc_text);
	a->resp->content_type = "application/json";
	memcpy(a->resp->etag, doc_etag, sizeof(doc_etag));
	a->resp->status = 200;
}

static json_t *build_doc(void)
{
	json_t *doc, *paths = json_object(), *comp = json_object();

	for (size_t i = 0; i < api_n_routes; i++) {
		const struct route *r = &api_routes[i];
		json_t *item = json_object_get(paths, r->pattern);
		char method[16];

		if (!item) {
			item = json_object();
			json_object_set_new(paths, r->pattern, item);
		}
		for (size_t k = 0; r->method[k] && k < sizeof(method) - 1;
		     k++) {
			method[k] = (char)(r->method[k] | 0x20);
			method[k + 1] = '\0';
		}
		json_object_set_new(item, method, operation(r));
	}
	oa_components(comp);
	doc = json_pack(
		"{s:s, s:{s:s, s:s, s:s}, s:o, s:{s:o, s:{s:{s:s, s:s}, "
		"s:{s:s, s:s, s:s}}}, s:[{s:[]}, {s:[]}]}",
		"openapi", "3.1.0", "info", "title", "kith API", "version",
		KITH_VERSION, "description",
		"The relationship book over HTTP. Sign in with POST "
		"/api/v1/session (cookie; writes then need X-CSRF-Token) or "
		"send Authorization: Bearer <token>. Errors are "
		"{\"error\":{\"code\",\"message\",\"field\"}}; lists are "
		"{\"items\",\"next_cursor\"}.",
		"paths", paths, "components", "schemas", comp,
		"securitySchemes", "bearer", "type", "http", "scheme", "bearer",
		"cookie", "type", "apiKey", "in", "cookie", "name",
		"kith_session", "security", "bearer", "cookie");
	return doc;
}
