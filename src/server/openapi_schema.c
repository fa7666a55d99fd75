/*
 * openapi_schema.c: what each operation of the route table takes and
 * answers, in the detail the handlers check: field types, bounds, enums
 * (from the model's own name tables), required fields, query parameter
 * types and the response bodies. openapi.c walks the route table and asks
 * here; a handler that changes what it accepts changes its line below.
 *
 * A schema is a comma-separated list of fields, each
 *   [*]name:type[/lo-hi][?]
 * '*' required, '?' null allowed, lo-hi bounds (minLength/maxLength for
 * strings, minimum/maximum for numbers, minItems/maxItems for ids;
 * either side may be empty). Types:
 * string int number bool object any id (integer >= 1) ids (array of id)
 * strs (array of string) time (ISO 8601 date-time) date (YYYY-MM-DD)
 * cadence ("30d", "6w", "3m", "1y" or days) hhmm ("09:00") @enum
 * $Schema [$Schema].
 */
#include "openapi_schema.h"

#include "../core/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Request bodies: the handlers refuse any other field (api_only), so
 * every one of these is additionalProperties: false. */
static const struct oa_schema request_schemas[] = {
	{ "Credentials", "*email:string/1-254,*password:string/1-1024" },
	{ "Contact",
	  "*name:string/1-500,emails:strs?,phones:strs?,handles:strs?,"
	  "tags:strs?,org:string/-4096?,org_id:id?,title:string/-4096?,"
	  "tz:string/-4096?,notes:string/-4096?,tier:@tier?,every:cadence?,"
	  "meet_every:cadence?,since:date?,owner_id:id?,snooze_until:time?,"
	  "email_labels:strs?,phone_labels:strs?,addresses:strs?,"
	  "address_labels:strs?,uid:string/-1000?,id:any,version:any,"
	  "created_at:any,updated_at:any,summary:any" },
	{ "ContactPatch",
	  "name:string/1-500,emails:strs?,phones:strs?,handles:strs?,"
	  "tags:strs?,org:string/-4096?,org_id:id?,title:string/-4096?,"
	  "tz:string/-4096?,notes:string/-4096?,tier:@tier?,every:cadence?,"
	  "meet_every:cadence?,since:date?,owner_id:id?,snooze_until:time?,"
	  "email_labels:strs?,phone_labels:strs?,addresses:strs?,"
	  "address_labels:strs?,uid:string/-1000?,id:any,version:any,"
	  "created_at:any,updated_at:any,summary:any" },
	{ "Merge", "*from:id" },
	{ "Snooze", "until:time?,for:string/-32?" },
	{ "Touchpoint",
	  "contacts:ids?,*channel:@channel,at:time?,minutes:int/0-100000?,"
	  "note:string/-100000?,direction:@direction?,users:ids?,"
	  "source:string/-32?" },
	/* POST /api/v1/touchpoints: no contact in the path, so at least one
	 * in the body. */
	{ "NewTouchpoints",
	  "*contacts:ids/1-,*channel:@channel,at:time?,minutes:int/0-100000?,"
	  "note:string/-100000?,direction:@direction?,users:ids?,"
	  "source:string/-32?" },
	{ "Fact", "*text:string/1-10000" },
	{ "Date", "*kind:string/1-100,*date:date,yearly:bool?" },
	{ "Promise", "*text:string/1-10000,due:time?" },
	{ "Gift", "*text:string/1-1000,value:number/-10000000000000?,at:time?" },
	{ "Organization", "*name:string/1-500" },
	{ "CadenceRule",
	  "*scope:@scope,key:string/-200?,every:cadence?,meet_every:cadence?" },
	{ "Book", "*format:@book_format,*version:int/1-1,workspace:object?,"
		  "cadences:array?,organizations:array?,contacts:array?,"
		  "touchpoints:array?,facts:array?,dates:array?,promises:array?,"
		  "gifts:array?,revenue:array?" },
	{ "NewUser", "*email:string/1-254,name:string/-200?,role:@role?,"
		     "password:string/12-1024?" },
	/* password needs current_password (the caller's own): the handler
	 * says so with a 422, a schema cannot. */
	{ "UserPatch", "name:string/-200?,role:@role?,password:string/12-1024?,"
		       "current_password:string/-1024?,tz:string/-64?" },
	{ "NewToken", "name:string/-100?,expires_days:int/1-3650?" },
	{ "Settings", "name:string/1-200,tz:string/-64?,work_start:hhmm,"
		      "work_end:hhmm,"
		      "response_target_minutes:int/1-10080" },
	{ "Signal", "id:string/-200?,*type:@signal,email:string/-254?,"
		    "name:string/-200?,handle:string/-200?,url:string/-2000?,"
		    "text:string/-4000?,at:time?" },
	{ "Attach", "contact_id:id?,contact:$NewLead?" },
	{ "NewLead", "name:string/-200?,emails:strs?,tags:strs?,tier:@tier?,"
		    "org:string/-4096?,title:string/-4096?" },
	{ "Focus", "until:time?,for:string/-16?" },
	{ "NotifyTarget", "*url:string/1-2000,json:bool?" },
	{ "Mailbox", "*url:string/1-2000,password:string/1-1024,"
		     "address:string/-254?" },
	{ "Ics", "*ics:string/1-8388608" },
	{ NULL, NULL }
};

/* What a field list cannot say: fields needed together or one of two,
 * in JSON Schema, merged into the schema of that name. */
static const struct {
	const char *name;
	const char *json;
} constraints[] = {
	/* h_cadences_put: a tag rule names its tag, a tier rule its tier. */
	{ "CadenceRule",
	  "{\"allOf\": ["
	  "{\"if\": {\"properties\": {\"scope\": {\"const\": \"tag\"}}},"
	  " \"then\": {\"required\": [\"key\"], \"properties\":"
	  " {\"key\": {\"type\": \"string\", \"minLength\": 1}}}},"
	  "{\"if\": {\"properties\": {\"scope\": {\"const\": \"tier\"}}},"
	  " \"then\": {\"required\": [\"key\"], \"properties\":"
	  " {\"key\": {\"enum\": [\"A\", \"B\", \"C\"]}}}}]}" },
	/* h_signal_attach: an existing contact, or a new one. */
	{ "Attach", "{\"anyOf\": [{\"required\": [\"contact_id\"]},"
		    " {\"required\": [\"contact\"]}]}" },
	/* h_focus_put: until (null ends focus) or for. */
	{ "Focus", "{\"anyOf\": [{\"required\": [\"until\"]},"
		   " {\"required\": [\"for\"]}]}" },
	{ NULL, NULL }
};

/* Response bodies: what the server promises to send. Fields may be
 * added in later versions, so these stay open (no additionalProperties). */
static const struct oa_schema response_schemas[] = {
	{ "ContactOut",
	  "*id:id,*name:string,*emails:strs,*phones:strs,*handles:strs,"
	  "*tags:strs,*org_id:id?,org:string?,*title:string?,*tz:string?,"
	  "*notes:string?,*tier:@tier?,*every:string?,*meet_every:string?,"
	  "*since:date?,*owner_id:id?,*snooze_until:time?,*created_at:time?,"
	  "*updated_at:time?,*version:int,summary:object,email_labels:strs,"
	  "phone_labels:strs,addresses:strs,address_labels:strs,uid:string" },
	{ "OrganizationOut", "*id:id,*name:string,*created_at:time?" },
	{ "TouchpointOut",
	  "*id:id,*at:time?,*channel:@channel,*direction:@direction,"
	  "*minutes:int?,*note:string?,*source:string?,*contacts:ids,"
	  "*users:ids,*created_at:time?" },
	{ "FactOut", "*id:id,*contact_id:id,*text:string,*created_at:time?" },
	{ "DateOut", "*id:id,*contact_id:id,*kind:string,*date:string,"
		     "*yearly:bool,*created_at:time?" },
	{ "PromiseOut", "*id:id,*contact_id:id,contact_name:string?,"
			"*text:string?,*due:time?,*done_at:time?,"
			"*created_at:time?,overdue:bool" },
	{ "GiftOut", "*id:id,*contact_id:id?,*org_id:id?,*text:string,"
		     "*value:number?,*at:time?" },
	{ "CadenceRuleOut", "*scope:@scope,*key:string,*every:string?,"
			    "*meet_every:string?" },
	{ "User", "*id:id,*email:string,*name:string,*role:@role,*tz:string,"
		  "*created_at:time?" },
	{ "Token", "*id:id,*user_id:id,*name:string,*created_at:time?,"
		   "*last_used_at:time?,*revoked_at:time?,*expires_at:time?,"
		   "secret:string" },
	{ "SignalOut", "*id:id,*type:@signal,*at:time?,*received_at:time?,"
		       "contact:object?" },
	{ "Meeting", "*id:id" },
	{ "NotifyTargetOut", "*id:id,*user_id:id,*url:string,*json:bool,"
			     "*created_at:time?" },
	{ "MailboxOut", "*id:id,*url:string,*address:string?,*user_id:id?,"
			"*last_sync:time?,*last_error:string?,*messages:int,"
			"*uidvalidity:int,*last_uid:int,*next_sync:time?,"
			"*failures:int,*created_at:time?" },
	{ "Session", "*user:$User,*csrf_token:string" },
	{ "Me", "*user:$User,*workspace:$Workspace,*csrf_token:string?" },
	{ "Workspace", "*id:id,*name:string,*tz:string,*work_start:hhmm,"
		       "*work_end:hhmm,*response_target_minutes:int" },
	{ "FocusOut", "*until:time?,*focused:bool,*reason:string?" },
	{ "HookAck", "*signal:$HookSignal" },
	{ "HookSignal", "*id:id,*contact_id:id?,*duplicate:bool" },
	{ "Imported", "*events:int,*with_contacts:int,*suggested:int" },
	{ "UpcomingDate", "*id:id,*contact_id:id,*kind:string,*date:string,"
			  "*yearly:bool,*created_at:time?,*in_days:int/0-366,"
			  "*years:int?,contact_name:string" },
	{ "AgendaItem", "*contact:object" },
	{ "Health", "*score:int/0-100,*components:object,*touches_365d:int,"
		    "*score_30d_ago:int,*trend:int,*going_cold:bool" },
	{ "BookOut", "*format:@book_format,*version:int/1-1,workspace:object,"
		     "cadences:array,organizations:array,contacts:array,"
		     "touchpoints:array,facts:array,dates:array,promises:array,"
		     "gifts:array,revenue:array" },
	{ "Restored", "*contacts:int,*touchpoints:int,*organizations:int" },
	/* POST /api/v1/import of a text/vcard or text/csv body (200). */
	{ "ImportReport",
	  "*created:int/0-,*merged:int/0-,*unchanged:int/0-,*skipped:int/0-,"
	  "*dry_run:bool,*profile:string?,*unknown_columns:strs,"
	  "*items:[$ImportItem]" },
	{ "ImportItem",
	  "*line:int/0-,*name:string?,*action:string,*contact_id:id?,"
	  "*matched_by:string?,*reason:string?" },
	{ "OpenAPI", "*openapi:string,*info:object,*paths:object,"
		     "*components:object" },
	{ "Path", "*path:string" },
	{ "CardDav", "*url:string,*username:string,*addressbook:string" },
	{ "FeedUrl", "*url:string,*path:string" },
	{ "Queued", "*queued:string" },
	{ "TouchId", "*touch_id:id" },
	{ NULL, NULL }
};

/* Query parameters, by name: the same name means the same everywhere. */
static const struct oa_schema query_params[] = {
	{ "q", "q:string" },
	{ "tag", "tag:string" },
	{ "tier", "tier:@tier" },
	{ "owner", "owner:id" },
	{ "going_cold", "going_cold:bool" },
	{ "digital_only", "digital_only:bool" },
	{ "all", "all:bool" },
	{ "waiting", "waiting:bool" },
	{ "limit", "limit:int/1-1000" },
	{ "cursor", "cursor:int/0-" },
	{ "within", "within:int/0-366" },
	{ "state", "state:string" },
	{ "dry_run", "dry_run:bool" },
	{ "skip_bad", "skip_bad:bool" },
	{ "map", "map:string" },
	{ "format", "format:@export_format" },
	{ "version", "version:@vcard_version" },
	{ NULL, NULL }
};

/* What each operation answers on success. "[X]": a page of X
 * ({"items", "next_cursor"}); "$X": one X; "{}": an object of its own
 * (reports, the brief, ...); NULL: no body (204) or not JSON. */
static const struct {
	const char *op;		/* "METHOD /pattern" */
	const char *body;
} responses[] = {
	{ "GET /api/v1/openapi.json", "$OpenAPI" },
	{ "GET /api/v1/dates", "[UpcomingDate]" },
	{ "GET /api/v1/agenda", "[AgendaItem]" },
	{ "GET /api/v1/contacts/{id}/health", "$Health" },
	{ "GET /api/v1/export", "$BookOut" },
	{ "POST /api/v1/import", "$Restored" },
	{ "POST /api/v1/session", "$Session" },
	{ "GET /api/v1/me", "$Me" },
	{ "GET /api/v1/settings", "$Workspace" },
	{ "PATCH /api/v1/settings", "$Workspace" },
	{ "GET /api/v1/me/focus", "$FocusOut" },
	{ "PUT /api/v1/me/focus", "$FocusOut" },
	{ "POST /hooks/{secret}", "$HookAck" },
	{ "POST /api/v1/meetings/import", "$Imported" },
	{ "GET /api/v1/contacts", "[ContactOut]" },
	{ "POST /api/v1/contacts", "$ContactOut" },
	{ "GET /api/v1/contacts/{id}", "$ContactOut" },
	{ "PATCH /api/v1/contacts/{id}", "$ContactOut" },
	{ "POST /api/v1/contacts/{id}/merge", "$ContactOut" },
	{ "POST /api/v1/contacts/{id}/snooze", "$ContactOut" },
	{ "GET /api/v1/contacts/{id}/touchpoints", "[TouchpointOut]" },
	{ "POST /api/v1/contacts/{id}/touchpoints", "$TouchpointOut" },
	{ "GET /api/v1/contacts/{id}/facts", "[FactOut]" },
	{ "POST /api/v1/contacts/{id}/facts", "$FactOut" },
	{ "GET /api/v1/contacts/{id}/dates", "[DateOut]" },
	{ "POST /api/v1/contacts/{id}/dates", "$DateOut" },
	{ "GET /api/v1/contacts/{id}/promises", "[PromiseOut]" },
	{ "POST /api/v1/contacts/{id}/promises", "$PromiseOut" },
	{ "GET /api/v1/contacts/{id}/gifts", "[GiftOut]" },
	{ "POST /api/v1/contacts/{id}/gifts", "$GiftOut" },
	{ "GET /api/v1/organizations", "[OrganizationOut]" },
	{ "POST /api/v1/organizations", "$OrganizationOut" },
	{ "PATCH /api/v1/organizations/{id}", "$OrganizationOut" },
	{ "GET /api/v1/touchpoints", "[TouchpointOut]" },
	{ "POST /api/v1/touchpoints", "$TouchpointOut" },
	{ "GET /api/v1/promises", "[PromiseOut]" },
	{ "POST /api/v1/promises/{id}/done", "$PromiseOut" },
	{ "GET /api/v1/cadences", "[CadenceRuleOut]" },
	{ "PUT /api/v1/cadences", "$CadenceRuleOut" },
	{ "GET /api/v1/users", "[User]" },
	{ "POST /api/v1/users", "$User" },
	{ "GET /api/v1/users/{id}", "$User" },
	{ "PATCH /api/v1/users/{id}", "$User" },
	{ "GET /api/v1/tokens", "[Token]" },
	{ "POST /api/v1/tokens", "$Token" },
	{ "GET /api/v1/signals", "[SignalOut]" },
	{ "POST /api/v1/signals/{id}/attach", "$SignalOut" },
	{ "GET /api/v1/carddav", "$CardDav" },
	{ "GET /api/v1/webhook", "$Path" },
	{ "GET /api/v1/feed", "$FeedUrl" },
	{ "POST /api/v1/feed/rotate", "$FeedUrl" },
	{ "POST /api/v1/webhook/rotate", "$Path" },
	{ "GET /api/v1/notify", "[NotifyTargetOut]" },
	{ "POST /api/v1/notify", "$NotifyTargetOut" },
	{ "POST /api/v1/notify/test", "$Queued" },
	{ "GET /api/v1/mailboxes", "[MailboxOut]" },
	{ "POST /api/v1/mailboxes", "$MailboxOut" },
	{ "GET /api/v1/meetings", "[Meeting]" },
	{ "POST /api/v1/meetings/{id}/confirm", "$TouchId" },
	{ NULL, NULL }
};

/* Path parameter {name} of /api/v1/reports/{name}: h_report's views. */
static const char *const report_names[] = { "overview", "balance",
					    "channels", "health",
					    "loyalty",	"going_cold", NULL };
/* What book_json reads (input/book_json.c). */
static const char *const book_formats[] = { "kith-book", NULL };
/* GET /api/v1/export?format= and &version= (api_feed.c). */
static const char *const export_formats[] = { "json", "vcard", "csv", "ics",
					      NULL };
static const char *const vcard_versions[] = { "3.0", "4.0", NULL };
/* Cadence rule scopes (h_cadences_put). */
static const char *const scope_names[] = { "tag", "tier", "default", NULL };

static json_t *enum_of(const char *name)
{
	json_t *e = json_array();
	const char *const *list = NULL;

	if (!strcmp(name, "channel")) {
		for (int i = 0; i < CH_COUNT; i++)
			json_array_append_new(
				e, json_string(channel_name((enum channel)i)));
	} else if (!strcmp(name, "direction")) {
		for (int i = 0; i < DIR_COUNT; i++)
			json_array_append_new(
				e,
				json_string(direction_name((enum direction)i)));
	} else if (!strcmp(name, "role")) {
		for (int i = 0; i < ROLE_COUNT; i++)
			json_array_append_new(
				e, json_string(role_name((enum role)i)));
	} else if (!strcmp(name, "signal")) {
		for (int i = 0; i < SIG_COUNT; i++)
			json_array_append_new(
				e, json_string(signal_type_name(
					   (enum signal_type)i)));
	} else if (!strcmp(name, "tier")) {
		/* tier_parse also takes "none" and "" for no tier. */
		for (int i = TIER_A; i < TIER_COUNT; i++)
			json_array_append_new(
				e, json_string(tier_name((enum tier)i)));
		json_array_append_new(e, json_string("none"));
	} else if (!strcmp(name, "scope")) {
		list = scope_names;
	} else if (!strcmp(name, "book_format")) {
		list = book_formats;
	} else if (!strcmp(name, "report")) {
		list = report_names;
	} else if (!strcmp(name, "export_format")) {
		list = export_formats;
	} else if (!strcmp(name, "vcard_version")) {
		list = vcard_versions;
	}
	for (size_t i = 0; list && list[i]; i++)
		json_array_append_new(e, json_string(list[i]));
	return e;
}

static void set_bounds(json_t *s, const char *lo_key, const char *hi_key,
		       const char *bounds, size_t len)
{
	const char *dash = memchr(bounds, '-', len);
	char *end;

	if (!dash)
		return;
	if (dash > bounds)
		json_object_set_new(s, lo_key,
				    json_integer(strtoll(bounds, &end, 10)));
	if ((size_t)(dash + 1 - bounds) < len)
		json_object_set_new(s, hi_key,
				    json_integer(strtoll(dash + 1, &end, 10)));
}

/* One field's type (with bounds), as a JSON schema. */
static json_t *type_schema(const char *type, size_t tlen, const char *bounds,
			   size_t blen, bool nullable)
{
	char t[48];
	json_t *s;
	const char *base = NULL;

	snprintf(t, sizeof(t), "%.*s", (int)tlen, type);
	if (t[0] == '$' || t[0] == '[') {
		char ref[96];
		bool list = t[0] == '[';

		snprintf(ref, sizeof(ref), "#/components/schemas/%.*s",
			 (int)(strlen(t) - 1 - 2 * list), t + 1 + list);
		s = json_pack("{s:s}", "$ref", ref);
		if (list)
			s = json_pack("{s:s, s:o}", "type", "array", "items",
				      s);
		if (nullable)
			s = json_pack("{s:[o, {s:s}]}", "oneOf", s, "type",
				      "null");
		return s;
	}
	if (!strcmp(t, "any"))
		return json_pack("{s:s}", "description",
				 "read-only; sent back as read, ignored");
	s = json_object();
	if (t[0] == '@') {
		json_t *e = enum_of(t + 1);

		if (nullable)
			json_array_append_new(e, json_null());
		json_object_set_new(s, "type",
				    nullable ? json_pack("[s,s]", "string",
							 "null")
					     : json_string("string"));
		json_object_set_new(s, "enum", e);
		return s;
	}
	if (!strcmp(t, "string")) {
		base = "string";
		set_bounds(s, "minLength", "maxLength", bounds, blen);
	} else if (!strcmp(t, "int") || !strcmp(t, "number")) {
		base = t[0] == 'i' ? "integer" : "number";
		set_bounds(s, "minimum", "maximum", bounds, blen);
		if (t[0] == 'n' && json_object_get(s, "maximum"))
			json_object_set_new(
				s, "minimum",
				json_integer(-json_integer_value(
					json_object_get(s, "maximum"))));
	} else if (!strcmp(t, "id")) {
		base = "integer";
		json_object_set_new(s, "minimum", json_integer(1));
	} else if (!strcmp(t, "bool")) {
		base = "boolean";
	} else if (!strcmp(t, "object")) {
		base = "object";
	} else if (!strcmp(t, "array")) {
		base = "array";
	} else if (!strcmp(t, "strs")) {
		base = "array";
		json_object_set_new(s, "items", json_pack("{s:s}", "type",
							  "string"));
	} else if (!strcmp(t, "ids")) {
		base = "array";
		json_object_set_new(s, "items",
				    json_pack("{s:s, s:i}", "type", "integer",
					      "minimum", 1));
		set_bounds(s, "minItems", "maxItems", bounds, blen);
	} else if (!strcmp(t, "time")) {
		base = "string";
		json_object_set_new(s, "format", json_string("date-time"));
	} else if (!strcmp(t, "hhmm")) {
		base = "string";
		json_object_set_new(s, "pattern",
				    json_string("^[0-9]{1,2}:[0-9]{2}$"));
	} else if (!strcmp(t, "date")) {
		base = "string";
		json_object_set_new(s, "format", json_string("date"));
	} else if (!strcmp(t, "cadence")) {
		/* A string such as "30d", "6w", "3m", "1y", or whole days. */
		json_object_set_new(
			s, "oneOf",
			json_pack("[{s:s, s:s}, {s:s, s:i, s:i}]", "type",
				  "string", "pattern", "^[0-9]{1,5}[dwmy]?$",
				  "type", "integer", "minimum", 0, "maximum",
				  36500));
		if (nullable)
			json_array_append_new(json_object_get(s, "oneOf"),
					      json_pack("{s:s}", "type",
							"null"));
		return s;
	} else {
		base = "string";
	}
	json_object_set_new(s, "type",
			    nullable ? json_pack("[s,s]", base, "null")
				     : json_string(base));
	return s;
}

/* Walk a field list; fn gets each field's name, requiredness and schema. */
static void fields_each(const char *fields,
			void (*fn)(void *ctx, const char *name, bool required,
				   json_t *schema),
			void *ctx)
{
	const char *p = fields;

	while (*p) {
		size_t len = strcspn(p, ",");
		const char *colon = memchr(p, ':', len);
		const char *type, *end = p + len, *slash;
		bool required = *p == '*', nullable = end[-1] == '?';
		char name[48];

		snprintf(name, sizeof(name), "%.*s",
			 (int)(colon - p - required), p + required);
		type = colon + 1;
		if (nullable)
			end--;
		slash = memchr(type, '/', (size_t)(end - type));
		fn(ctx, name, required,
		   type_schema(type, (size_t)((slash ? slash : end) - type),
			       slash ? slash + 1 : "",
			       slash ? (size_t)(end - slash - 1) : 0,
			       nullable));
		p += len + (p[len] == ',');
	}
}

struct object_ctx {
	json_t *props, *req;
};

static void object_add(void *ctx, const char *name, bool required,
		       json_t *schema)
{
	struct object_ctx *o = ctx;

	json_object_set_new(o->props, name, schema);
	if (required)
		json_array_append_new(o->req, json_string(name));
}

static json_t *object_schema(const char *fields, bool closed)
{
	struct object_ctx o = { json_object(), json_array() };
	json_t *s;

	fields_each(fields, object_add, &o);
	s = json_pack("{s:s, s:o}", "type", "object", "properties", o.props);
	if (json_array_size(o.req))
		json_object_set_new(s, "required", o.req);
	else
		json_decref(o.req);
	if (closed)
		json_object_set_new(s, "additionalProperties", json_false());
	return s;
}

void oa_components(json_t *schemas)
{
	for (size_t i = 0; request_schemas[i].name; i++)
		json_object_set_new(schemas, request_schemas[i].name,
				    object_schema(request_schemas[i].fields,
						  true));
	for (size_t i = 0; constraints[i].name; i++) {
		json_t *extra = json_loads(constraints[i].json, 0, NULL);

		/* A typo here is a programming error the tests catch: the
		 * document would lack the constraint. */
		if (extra)
			json_object_update(json_object_get(schemas,
							   constraints[i].name),
					   extra);
		json_decref(extra);
	}
	for (size_t i = 0; response_schemas[i].name; i++)
		if (!json_object_get(schemas, response_schemas[i].name))
			json_object_set_new(
				schemas, response_schemas[i].name,
				object_schema(response_schemas[i].fields,
					      false));
	json_object_set_new(
		schemas, "Error",
		json_pack("{s:s, s:[s], s:{s:{s:s, s:[s,s], s:b, "
			  "s:{s:{s:s}, s:{s:s}, s:{s:[s,s]}}}}}",
			  "type", "object", "required", "error", "properties",
			  "error", "type", "object", "required", "code",
			  "message", "additionalProperties", 0, "properties",
			  "code", "type", "string", "message", "type",
			  "string", "field", "type", "string", "null"));
}

static void param_add(void *ctx, const char *name, bool required,
		      json_t *schema)
{
	json_t **out = ctx;

	(void)required;
	*out = json_pack("{s:s, s:s, s:o}", "name", name, "in", "query",
			 "schema", schema);
}

json_t *oa_query_param(const char *name)
{
	json_t *p = NULL;

	for (size_t i = 0; query_params[i].name; i++)
		if (!strcmp(query_params[i].name, name)) {
			fields_each(query_params[i].fields, param_add, &p);
			return p;
		}
	return json_pack("{s:s, s:s, s:{s:s}}", "name", name, "in", "query",
			 "schema", "type", "string");
}

json_t *oa_path_param_schema(const char *pattern, const char *name)
{
	if (!strcmp(name, "id"))
		return json_pack("{s:s, s:i}", "type", "integer", "minimum", 1);
	if (!strcmp(name, "token"))
		return json_pack("{s:s, s:s}", "type", "string", "pattern",
				 "^[A-Za-z0-9_-]+$");
	if (!strcmp(name, "name") && strstr(pattern, "/reports/"))
		return json_pack("{s:s, s:o}", "type", "string", "enum",
				 enum_of("report"));
	return json_pack("{s:s, s:i}", "type", "string", "minLength", 1);
}

json_t *oa_success_schema(const char *method, const char *pattern)
{
	char op[128];

	snprintf(op, sizeof(op), "%s %s", method, pattern);
	for (size_t i = 0; responses[i].op; i++) {
		const char *b = responses[i].body;
		char ref[96];

		if (strcmp(responses[i].op, op))
			continue;
		if (b[0] == '{')
			return json_pack("{s:s}", "type", "object");
		snprintf(ref, sizeof(ref), "#/components/schemas/%.*s",
			 (int)strcspn(b + 1, "]"), b + 1);
		if (b[0] == '$')
			return json_pack("{s:s}", "$ref", ref);
		return json_pack(
			"{s:s, s:[s,s], s:b, s:{s:{s:s, s:{s:s}}, "
			"s:{s:[s,s]}}}",
			"type", "object", "required", "items", "next_cursor",
			"additionalProperties", 0, "properties", "items",
			"type", "array", "items", "$ref", ref, "next_cursor",
			"type", "string", "null");
	}
	return json_pack("{s:s}", "type", "object");
}

const char *oa_request_schema(const char *method, const char *pattern,
			      const char *body)
{
	/* One route-table name, two shapes: PATCH has no required name;
	 * a touchpoint outside a contact's path names its contacts. */
	if (body && !strcmp(body, "Contact") && !strcmp(method, "PATCH"))
		return "ContactPatch";
	if (body && !strcmp(body, "Touchpoint") &&
	    !strcmp(pattern, "/api/v1/touchpoints"))
		return "NewTouchpoints";
	return body;
}
