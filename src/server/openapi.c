/*
 * openapi.c: the OpenAPI 3.1 document, generated from the route table
 * the router itself uses, so a route cannot exist undocumented. The
 * request schemas below name every field each body accepts (the
 * handlers refuse any other).
 */
#include "api.h"
#include "../render/json.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	const char *fields;	/* name:type, comma-separated; * required */
} schemas[] = {
	{ "Credentials", "*email:string,*password:string" },
	{ "Contact",
	  "*name:string,emails:array,phones:array,handles:array,tags:array,"
	  "org:string,org_id:integer,title:string,tz:string,notes:string,"
	  "tier:string,every:string,meet_every:string,since:string,"
	  "owner_id:integer,snooze_until:string" },
	{ "Merge", "*from:integer" },
	{ "Snooze", "until:string,for:string" },
	{ "Touchpoint",
	  "contacts:array,*channel:string,at:string,minutes:integer,"
	  "note:string,direction:string,users:array,source:string" },
	{ "Fact", "*text:string" },
	{ "Date", "*kind:string,*date:string,yearly:boolean" },
	{ "Promise", "*text:string,due:string" },
	{ "Gift", "*text:string,value:number,at:string" },
	{ "Organization", "*name:string" },
	{ "CadenceRule",
	  "*scope:string,key:string,every:string,meet_every:string" },
	{ "Book", "*format:string,*version:integer,workspace:object,"
		  "cadences:array,organizations:array,contacts:array,"
		  "touchpoints:array,facts:array,dates:array,promises:array,"
		  "gifts:array,revenue:array" },
	{ "NewUser", "*email:string,name:string,role:string,password:string" },
	{ "UserPatch", "name:string,role:string,password:string,tz:string" },
	{ "NewToken", "name:string" },
	{ "Settings", "name:string,tz:string,work_start:string,"
		      "work_end:string,response_target_minutes:integer" },
	{ "Signal", "id:string,*type:string,email:string,name:string,"
		    "handle:string,url:string,text:string,at:string" },
	{ "Attach", "contact_id:integer,contact:object" },
	{ "Focus", "until:string,for:string" },
	{ "NotifyTarget", "*url:string,json:boolean" },
	{ "Ics", "*ics:string" },
};

static json_t *schema_json(const char *fields)
{
	json_t *props = json_object(), *req = json_array();
	const char *p = fields;

	while (*p) {
		char name[48], type[16];
		size_t len = strcspn(p, ",");
		const char *colon = memchr(p, ':', len);
		bool required = *p == '*';
		const char *start = p + required;

		snprintf(name, sizeof(name), "%.*s", (int)(colon - start),
			 start);
		snprintf(type, sizeof(type), "%.*s",
			 (int)(len - (size_t)(colon + 1 - p)), colon + 1);
		json_object_set_new(props, name, json_pack("{s:s}", "type",
							   type));
		if (required)
			json_array_append_new(req, json_string(name));
		p += len + (p[len] == ',');
	}
	return json_pack("{s:s, s:o, s:o, s:b}", "type", "object",
			 "properties", props, "required", req,
			 "additionalProperties", 0);
}

static json_t *error_response(const char *what)
{
	return json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", what,
			 "content", "application/json", "schema", "$ref",
			 "#/components/schemas/Error");
}

static json_t *operation(const struct route *r)
{
	json_t *op = json_object(), *params = json_array(), *resp;
	char opid[128], code[8];
	const char *q;

	snprintf(opid, sizeof(opid), "%s %s", r->method, r->pattern);
	json_object_set_new(op, "summary", json_string(r->summary));
	json_object_set_new(op, "operationId", json_string(opid));
	json_object_set_new(op, "tags", json_pack("[s]", r->tag));
	if (strstr(r->pattern, "{id}"))
		json_array_append_new(
			params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name",
					  "id", "in", "path", "required", 1,
					  "schema", "type", "integer"));
	if (strstr(r->pattern, "{secret}"))
		json_array_append_new(
			params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name",
					  "secret", "in", "path", "required", 1,
					  "schema", "type", "string"));
	if (strstr(r->pattern, "{name}"))
		json_array_append_new(
			params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name",
					  "name", "in", "path", "required", 1,
					  "schema", "type", "string"));
	for (q = r->query; q && *q;) {
		size_t len = strcspn(q, ",");
		char name[40];

		snprintf(name, sizeof(name), "%.*s", (int)len, q);
		json_array_append_new(params,
				      json_pack("{s:s, s:s, s:{s:s}}", "name",
						name, "in", "query", "schema",
						"type", "string"));
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

		snprintf(ref, sizeof(ref), "#/components/schemas/%s", r->body);
		json_object_set_new(
			op, "requestBody",
			json_pack("{s:b, s:{s:{s:{s:s}}}}", "required", 1,
				  "content", "application/json", "schema",
				  "$ref", ref));
	}
	resp = json_object();
	snprintf(code, sizeof(code), "%d", r->created);
	json_object_set_new(resp, code,
			    r->created == 204
				    ? json_pack("{s:s}", "description", "done")
				    : json_pack("{s:s, s:{s:{}}}",
						"description", "the result",
						"content",
						"application/json"));
	json_object_set_new(resp, "400", error_response("malformed JSON"));
	json_object_set_new(resp, "401", error_response("not signed in"));
	json_object_set_new(resp, "403",
			    error_response("role or CSRF token forbids it"));
	json_object_set_new(resp, "404", error_response("no such resource"));
	json_object_set_new(resp, "422", error_response("invalid field"));
	if (r->limit)
		json_object_set_new(resp, "413",
				    error_response("body over the limit"));
	if (!strcmp(r->method, "PATCH") || !strcmp(r->method, "DELETE"))
		json_object_set_new(resp, "412",
				    error_response("stale If-Match"));
	json_object_set_new(op, "responses", resp);
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
	for (size_t i = 0; i < sizeof(schemas) / sizeof(*schemas); i++)
		json_object_set_new(comp, schemas[i].name,
				    schema_json(schemas[i].fields));
	json_object_set_new(
		comp, "Error",
		json_pack("{s:s, s:{s:{s:s, s:{s:{s:s}, s:{s:s}, s:{s:[s,s]}}}}}",
			  "type", "object", "properties", "error", "type",
			  "object", "properties", "code", "type", "string",
			  "message", "type", "string", "field", "type",
			  "string", "null"));
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
