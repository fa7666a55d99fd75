// generate.mjs BASE DOC.json: requests generated from the document's own
// schemas, for every operation it lists. Valid ones (required fields only,
// then every field; each query parameter) must get the operation's
// documented success status; invalid ones (a required field missing, a
// wrong type, a value out of its enum, an extra field, a string or number
// out of its bounds, a bad format, a path id that is not one, a query
// parameter of the wrong type) must get a 4xx the operation documents.
// Every answer must be a status the document lists for the operation, with
// a body matching the schema given for it, and never a 5xx.
//
// Semantics a schema cannot carry (a time zone, an address, ids of rows
// that exist) come from HINTS by field name: the schema says "string", the
// hint picks a string the server will take. Fixtures are made through the
// API itself. Env: OWNER_EMAIL, OWNER_PASSWORD (signed in by cookie, so
// every write also carries the CSRF token), EMPTY_EMAIL, EMPTY_PASSWORD
// (the owner of an empty workspace, for POST /api/v1/import). TAP out,
// one line per operation and kind, details of each failure after it.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const [base, docPath] = process.argv.slice(2);
const doc = JSON.parse(readFileSync(docPath, "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: "doc", components: doc.components });
const compiled = new Map();
function validator(schema) {
	const key = JSON.stringify(schema);
	if (!compiled.has(key))
		compiled.set(key, ajv.compile(JSON.parse(key.replaceAll('"#/components', '"doc#/components'))));
	return compiled.get(key);
}
const deref = (s) => (s && s.$ref ? doc.components.schemas[s.$ref.split("/").pop()] : s);

let n = 0, failed = 0, requests = 0;
function ok(cond, name, details = []) {
	n++;
	console.log(`${cond ? "ok" : "not ok"} ${n} - ${name}`);
	if (!cond) {
		failed++;
		for (const d of details.slice(0, 12)) console.log("#   " + d.slice(0, 400));
	}
}

// ---- HTTP ----
async function call(method, path, { body, raw, query, headers = {}, auth } = {}) {
	const a = auth === undefined ? owner : auth;
	const h = { ...headers };
	if (a) {
		h.cookie = a.cookie;
		if (method !== "GET") h["x-csrf-token"] = a.csrf;
	}
	let payload;
	if (raw !== undefined) {
		payload = raw;
		h["content-type"] ??= "application/json";
	} else if (body !== undefined) {
		payload = JSON.stringify(body);
		h["content-type"] = "application/json";
	}
	const qs = query ? "?" + new URLSearchParams(query).toString() : "";
	const ctl = new AbortController();
	const timer = setTimeout(() => ctl.abort(), 10000);
	requests++;
	try {
		const r = await fetch(base + path + qs, { method, headers: h, body: payload, signal: ctl.signal });
		const type = r.headers.get("content-type") || "";
		let text = "";
		if (type.startsWith("text/event-stream")) ctl.abort();
		else text = await r.text();
		let json;
		try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
		return { status: r.status, type, text, json, headers: r.headers };
	} finally {
		clearTimeout(timer);
	}
}

async function signIn(email, password) {
	const r = await call("POST", "/api/v1/session", { body: { email, password }, auth: null });
	if (r.status !== 200) throw new Error(`sign in ${email}: ${r.status} ${r.text}`);
	const cookie = r.headers.get("set-cookie").split(";")[0];
	return { cookie, csrf: r.json.csrf_token, user: r.json.user };
}

// Does the answer match the operation's documentation? Returns problems.
function conforms(op, r) {
	const doc_r = op.responses[String(r.status)];
	if (!doc_r) return [`status ${r.status} is not documented: ${r.text.slice(0, 200)}`];
	const bad = [];
	if (r.status >= 500) bad.push(`5xx: ${r.text.slice(0, 200)}`);
	const content = doc_r.content || {};
	if (!Object.keys(content).length) {
		if (r.text) bad.push(`status ${r.status} documents no body, got ${r.text.slice(0, 100)}`);
		return bad;
	}
	if (content["text/event-stream"]) {
		if (!r.type.startsWith("text/event-stream")) bad.push(`expected an event stream, got ${r.type}`);
		return bad;
	}
	// A documented media type other than JSON (a calendar, a vCard
	// file): the type must be one the operation lists.
	const media = r.type.split(";")[0].trim();
	if (media !== "application/json" && content[media]) return bad;
	const schema = content["application/json"]?.schema;
	if (!r.type.startsWith("application/json")) bad.push(`content-type ${r.type}, documented application/json`);
	else if (schema) {
		const v = validator(schema);
		if (!v(r.json)) bad.push(`body does not match its schema: ${ajv.errorsText(v.errors)}; body ${r.text.slice(0, 200)}`);
	}
	return bad;
}

// ---- values from schemas ----
const now = Date.now();
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
let uniq = 0;
const HINTS = {
	email: () => `gen${++uniq}@example.org`,
	emails: () => [`dana${++uniq}@harbor.example`],
	tz: () => "Europe/Paris",
	url: () => "https://example.org/hook",
	password: () => "correct horse battery staple",
	// A password change needs the caller's own current password.
	current_password: () => process.env.OWNER_PASSWORD,
	work_start: () => "09:00",
	work_end: () => "17:00",
	for: () => "2d",
	key: () => "vip",
	owner_id: () => owner.user.id,
	org_id: () => fix.org,
	contact_id: () => fix.contact,
	contacts: () => [fix.contact2],
	users: () => [owner.user.id],
	from: () => fix.fresh.contact,
	ics: () => ics(1, "full"),
	id: () => `ext-${++uniq}`,
	text: () => "Loves sailing",
	name: () => `Name ${++uniq}`,
	until: () => iso(now + 3 * 86400e3),
	snooze_until: () => iso(now + 3 * 86400e3),
	due: () => iso(now + 7 * 86400e3),
	at: () => iso(now - 3600e3),
	since: () => "2020-01-15",
	// Two days on, so GET /api/v1/dates has items to check.
	date: () => "1990-" + iso(now + 2 * 86400e3).slice(5, 10),
	tag: () => "vip",
	q: () => "Dana",
	owner: () => owner.user.id,
};

function schemaOf(s) {
	s = deref(s);
	if (s && s.oneOf) return deref(s.oneOf.find((x) => x.type !== "null"));
	return s;
}

function gen(s, name) {
	s = schemaOf(s);
	if (!s || (!s.type && !s.enum && !s.properties)) return undefined; // "any": read-only
	if (HINTS[name]) return HINTS[name]();
	if (s.enum) return s.enum.find((v) => v !== null && v !== "");
	const t = Array.isArray(s.type) ? s.type.find((x) => x !== "null") : s.type;
	switch (t) {
	case "string":
		if (s.format === "date-time") return iso(now);
		if (s.format === "date") return "2024-05-01";
		if (s.pattern) return "30d";
		return "x".repeat(Math.max(s.minLength || 1, 1));
	case "integer": return s.minimum ?? 1;
	case "number": return 12.5;
	case "boolean": return true;
	case "array": return [gen(s.items || { type: "string" }, name + "[]")].filter((v) => v !== undefined);
	case "object": return s.properties ? body(s, false) : {};
	}
	return undefined;
}

// A body: required fields only, or every field; then what allOf/anyOf
// add (the fields a conditional or a choice asks for).
function body(s, full) {
	s = deref(s);
	const o = {};
	const props = s.properties || {};
	for (const [k, p] of Object.entries(props)) {
		if (!full && !(s.required || []).includes(k)) continue;
		const v = gen(p, k);
		if (v !== undefined) o[k] = v;
	}
	for (const rule of s.allOf || []) {
		const cond = Object.entries(rule.if?.properties || {}).every(([k, c]) => o[k] === c.const);
		if (cond) for (const k of rule.then?.required || []) if (!(k in o)) o[k] = gen(props[k], k);
	}
	if (s.anyOf && !s.anyOf.some((alt) => (alt.required || []).every((k) => k in o)))
		for (const k of s.anyOf[0].required) o[k] = gen(props[k], k);
	return o;
}

// Invalid variants of a valid body: [label, body] pairs.
function invalidBodies(s, valid) {
	s = deref(s);
	const out = [];
	const props = s.properties || {};
	for (const k of s.required || []) {
		const b = { ...valid };
		delete b[k];
		out.push([`without required ${k}`, b]);
	}
	out.push(["with an extra field", { ...valid, zz_extra: 1 }]);
	for (const [k, p0] of Object.entries(props)) {
		const p = deref(p0);
		const alt = p.oneOf ? p.oneOf.map(deref) : [p];
		const types = alt.flatMap((a) => (Array.isArray(a.type) ? a.type : a.type ? [a.type] : []));
		if (!types.length && !p.enum) continue; // any
		// The wrong type: one no alternative allows.
		const wrong = !types.includes("object") ? { zz: 1 } : !types.includes("string") ? "zz" : 12;
		out.push([`${k} of the wrong type`, { ...valid, [k]: wrong }]);
		if (!types.includes("null")) out.push([`${k} null, not nullable`, { ...valid, [k]: null }]);
		const s1 = alt.find((a) => a.type === "string" || (Array.isArray(a.type) && a.type.includes("string"))) || p;
		if (p.enum) out.push([`${k} out of its enum`, { ...valid, [k]: "zz-not-in-enum" }]);
		if (s1.minLength >= 1) out.push([`${k} below minLength`, { ...valid, [k]: "x".repeat(s1.minLength - 1) }]);
		if (s1.maxLength !== undefined && s1.maxLength < 2e6)
			out.push([`${k} above maxLength`, { ...valid, [k]: "x".repeat(s1.maxLength + 1) }]);
		if (s1.format === "date-time" || s1.format === "date") out.push([`${k} not a ${s1.format}`, { ...valid, [k]: "not-a-time" }]);
		if (s1.pattern) out.push([`${k} not matching ${s1.pattern}`, { ...valid, [k]: "zz%" }]);
		const num = alt.find((a) => a.type === "integer" || a.type === "number" || (Array.isArray(a.type) && (a.type.includes("integer") || a.type.includes("number"))));
		if (num && num.minimum !== undefined) out.push([`${k} below minimum`, { ...valid, [k]: num.minimum - 1 }]);
		if (num && num.maximum !== undefined) out.push([`${k} above maximum`, { ...valid, [k]: num.maximum + 1 }]);
		if (num && (num.type === "integer" || num.type?.includes?.("integer"))) out.push([`${k} not an integer`, { ...valid, [k]: 1.5 }]);
		if (types.includes("array")) {
			const items = deref(p.items || alt.find((a) => a.items)?.items);
			if (items?.type === "integer") out.push([`${k} with a bad element`, { ...valid, [k]: [0] }]);
			if (items?.type === "string") out.push([`${k} with a bad element`, { ...valid, [k]: [5] }]);
		}
	}
	if (s.anyOf) {
		const b = { ...valid };
		for (const alt of s.anyOf) for (const k of alt.required) delete b[k];
		out.push(["with none of its alternatives", b]);
	}
	for (const rule of s.allOf || []) {
		const cond = Object.entries(rule.if?.properties || {});
		const b = { ...valid };
		for (const [k, c] of cond) b[k] = c.const;
		for (const k of rule.then?.required || []) delete b[k];
		out.push([`${cond.map(([k, c]) => `${k}=${c.const}`).join()} without ${rule.then?.required}`, b]);
	}
	return out;
}

function invalidQuery(p) {
	const s = schemaOf(p.schema);
	const out = [];
	if (s.type === "integer") {
		out.push(["not an integer", "abc"], ["a number then junk", "5x"]);
		if (s.minimum !== undefined) out.push(["below minimum", String(s.minimum - 1)]);
		if (s.maximum !== undefined) out.push(["above maximum", String(s.maximum + 1)]);
	}
	if (s.type === "boolean") out.push(["not a boolean", "maybe"]);
	if (s.enum) out.push(["out of its enum", "zz"]);
	return out;
}

function validQuery(p) {
	const s = schemaOf(p.schema);
	if (HINTS[p.name]) return String(HINTS[p.name]());
	if (s.enum) return s.enum[0];
	if (s.type === "integer") return String(Math.max(s.minimum ?? 1, 1));
	if (s.type === "boolean") return "true";
	return "x";
}

// ---- fixtures, made through the API ----
function ics(count, tag) {
	const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//kith gen//EN"];
	const stamp = (ms) => iso(ms).replace(/[-:]/g, "");
	for (let i = 0; i < count; i++) {
		const start = now - (i + 1) * 7200e3;
		lines.push("BEGIN:VEVENT", `UID:${tag}-${i}-${++uniq}@gen`, `DTSTAMP:${stamp(now - 86400e3)}`,
			`DTSTART:${stamp(start)}`, `DTEND:${stamp(start + 1800e3)}`, `SUMMARY:Call ${i}`,
			"ATTENDEE;CN=Dana Harbor:mailto:dana@harbor.example", "END:VEVENT");
	}
	lines.push("END:VCALENDAR");
	return lines.join("\r\n") + "\r\n";
}

const owner = await signIn(process.env.OWNER_EMAIL, process.env.OWNER_PASSWORD);
const empty = await signIn(process.env.EMPTY_EMAIL, process.env.EMPTY_PASSWORD);
const fix = {};
async function made(method, path, b) {
	const r = await call(method, path, { body: b });
	if (r.status >= 300) throw new Error(`fixture ${method} ${path}: ${r.status} ${r.text}`);
	return r.json;
}
fix.org = (await made("POST", "/api/v1/organizations", { name: "Harbor" })).id;
fix.contact = (await made("POST", "/api/v1/contacts", { name: "Dana Harbor", emails: ["dana@harbor.example"] })).id;
fix.contact2 = (await made("POST", "/api/v1/contacts", { name: "Sam" })).id;
const hookPath = (await made("GET", "/api/v1/webhook")).path;
await made("POST", "/api/v1/meetings/import", { ics: ics(60, "fixture") });
const suggested = (await made("GET", "/api/v1/meetings", undefined)).items.filter((m) => m.state === "suggested").map((m) => m.id);

// Ids for one request, made fresh where the operation uses them up.
const fresh = {
	async contact() { return (await made("POST", "/api/v1/contacts", { name: `C${++uniq}` })).id; },
	async user() { return (await made("POST", "/api/v1/users", { email: `m${++uniq}@example.org`, role: "member" })).id; },
	async token() { return (await made("POST", "/api/v1/tokens", { name: `t${++uniq}` })).id; },
	async promise() { return (await made("POST", `/api/v1/contacts/${fix.contact}/promises`, { text: "send the deck" })).id; },
	async signal() {
		const r = await call("POST", hookPath, { body: { type: "website_visit", email: `lead${++uniq}@example.org`, url: "https://example.org/pricing" }, auth: null });
		if (r.status !== 202) throw new Error(`fixture signal: ${r.status} ${r.text}`);
		const list = await made("GET", "/api/v1/signals");
		return Math.max(...list.items.map((g) => g.id));
	},
	async notify() { return (await made("POST", "/api/v1/notify", { url: `https://example.org/n${++uniq}` })).id; },
	async meeting() { return suggested.shift(); },
	async mailbox() { return (await made("POST", "/api/v1/mailboxes", { url: `imaps://ana${++uniq}@mail.example/INBOX`, password: "app-password-1" })).id; },
	async org() { return (await made("POST", "/api/v1/organizations", { name: `Org ${++uniq}` })).id; },
};
fix.fresh = {};

async function pathFor(path, method, valid) {
	let p = path;
	if (p.includes("{secret}")) p = p.replace("/hooks/{secret}", hookPath);
	// The feed's token, read again: POST /api/v1/feed/rotate may have
	// replaced it since.
	if (p.includes("{token}")) p = (await made("GET", "/api/v1/feed")).path;
	if (p.includes("{name}")) p = p.replace("{name}", "overview");
	if (!p.includes("{id}")) return p;
	const kind = p.split("/")[3];
	const uses = method !== "GET";
	let id;
	switch (kind) {
	case "contacts": id = valid && uses ? await fresh.contact() : fix.contact; break;
	case "users": id = valid && uses ? await fresh.user() : owner.user.id; break;
	case "tokens": id = await fresh.token(); break;
	case "promises": id = await fresh.promise(); break;
	case "signals": id = await fresh.signal(); break;
	case "notify": id = await fresh.notify(); break;
	case "meetings": id = valid ? await fresh.meeting() : suggested[0]; break;
	case "mailboxes": id = await fresh.mailbox(); break;
	case "organizations": id = valid && uses ? await fresh.org() : fix.org; break;
	default: throw new Error(`no fixture for ${path}`);
	}
	return p.replace("{id}", String(id));
}

// ---- every operation ----
const ops = [];
for (const [path, item] of Object.entries(doc.paths))
	for (const [m, op] of Object.entries(item)) ops.push([m.toUpperCase(), path, op]);
// Sign-out last: it ends the session the others use.
ops.sort((a, b) => (a[0] === "DELETE" && a[1] === "/api/v1/session") - (b[0] === "DELETE" && b[1] === "/api/v1/session"));

let nValid = 0, nInvalid = 0;
for (const [method, path, op] of ops) {
	const name = `${method} ${path}`;
	const success = Object.keys(op.responses).filter((c) => c.startsWith("2")).map(Number);
	// A required body has a schema to build from; an optional one is
	// "none, or {}" (routes that take no body).
	const reqSchema = op.requestBody?.required ? op.requestBody.content["application/json"].schema : undefined;
	const emptyOk = op.requestBody && !op.requestBody.required;
	const auth = path === "/api/v1/import" ? empty : owner;
	const special = {
		"POST /api/v1/session": () => ({ email: process.env.OWNER_EMAIL, password: process.env.OWNER_PASSWORD }),
		"POST /api/v1/mailboxes": () => ({ url: `imaps://ana${++uniq}@mail.example/INBOX`, password: "app-password-1", address: "ana@mail.example" }),
		// A name no other organization has (names are unique).
		"PATCH /api/v1/organizations/{id}": () => ({ name: `Renamed ${++uniq}` }),
	};
	const problems = [], refusals = [];
	const params = op.parameters || [];

	// Valid: the body with required fields only and with every field; then
	// each query parameter on its own.
	const variants = [];
	if (reqSchema) {
		if (special[name]) variants.push(["", special[name]()]);
		else if (path === "/api/v1/import") variants.push(["", { format: "kith-book", version: 1 }]);
		else {
			fix.fresh.contact = await fresh.contact();
			variants.push(["required fields", body(reqSchema, false)]);
			fix.fresh.contact = await fresh.contact();
			variants.push(["every field", body(reqSchema, true)]);
		}
	} else {
		variants.push(["", undefined]);
		if (emptyOk) variants.push(["{}", {}]);
	}
	const queries = [undefined, ...params.filter((p) => p.in === "query").map((p) => ({ [p.name]: validQuery(p) }))];
	for (const [label, b] of variants)
		for (const q of queries) {
			const p = await pathFor(path, method, true);
			// Each sign-out needs a session of its own.
			if (name === "DELETE /api/v1/session") Object.assign(owner, await signIn(process.env.OWNER_EMAIL, process.env.OWNER_PASSWORD));
			const r = await call(method, p, { body: b, query: q, auth: path.startsWith("/hooks/") || path.startsWith("/feeds/") ? null : auth });
			nValid++;
			const what = `${label}${q ? " ?" + new URLSearchParams(q) : ""}`;
			if (!success.includes(r.status)) problems.push(`valid ${what} ${JSON.stringify(b)?.slice(0, 150)}: got ${r.status} ${r.text.slice(0, 200)}`);
			for (const c of conforms(op, r)) problems.push(`valid ${what}: ${c}`);
			if (path === "/api/v1/import") break;
		}
	ok(!problems.length, `${name}: ${variants.length * queries.length} valid requests get ${success.join("/")} and documented bodies`, problems);

	// Invalid: every way the generator knows to break the schema.
	const invalid = [];
	if (reqSchema) {
		const valid = special[name] ? special[name]() : path === "/api/v1/import" ? { format: "kith-book", version: 1 } : body(reqSchema, true);
		for (const [l, b] of invalidBodies(reqSchema, valid)) invalid.push([l, { body: b }]);
		invalid.push(["a body that is not JSON", { raw: "{nope" }]);
		invalid.push(["a JSON array for a body", { raw: "[]" }]);
		invalid.push(["no body at all", { raw: "" }]);
		invalid.push(["a body that is not application/json", { raw: JSON.stringify(valid), headers: { "content-type": "text/plain" } }]);
	}
	if (emptyOk) {
		invalid.push(["a body where none is taken", { body: { zz_extra: 1 } }]);
		invalid.push(["a JSON array where no body is taken", { raw: "[]" }]);
		invalid.push(["a body that is not application/json", { raw: "{}", headers: { "content-type": "text/plain" } }]);
	}
	for (const p of params.filter((x) => x.in === "query"))
		for (const [l, v] of invalidQuery(p)) invalid.push([`?${p.name} ${l}`, { query: { [p.name]: v } }]);
	if (path.includes("{id}")) for (const v of ["0", "-1", "abc", "99999999"]) invalid.push([`id ${v}`, { id: v }]);
	if (path.includes("{name}")) invalid.push(["an unknown report", { name: "nope" }]);
	if (path.includes("{secret}")) invalid.push(["a wrong secret", { secret: "kith_hook_nope" }]);
	if (path.includes("{token}")) invalid.push(["a wrong token", { token: "kith_feed_nope" }]);
	for (const [label, o] of invalid) {
		let p = await pathFor(path, method, false);
		if (o.id) p = path.replace("{id}", o.id);
		if (o.name) p = path.replace("{name}", o.name);
		if (o.secret) p = path.replace("{secret}", o.secret);
		if (o.token) p = path.replace("{token}", o.token);
		let b = o.body;
		if (!o.body && !o.raw && reqSchema) b = body(reqSchema, true);
		if (special[name] && !o.body && !o.raw) b = special[name]();
		const r = await call(method, p, { body: b, raw: o.raw, query: o.query, headers: o.headers, auth: path.startsWith("/hooks/") || path.startsWith("/feeds/") ? null : auth });
		nInvalid++;
		if (r.status < 400 || r.status >= 500) refusals.push(`${label} ${JSON.stringify(b ?? o.raw)?.slice(0, 150)}: got ${r.status} ${r.text.slice(0, 150)}`);
		for (const c of conforms(op, r)) refusals.push(`${label}: ${c}`);
	}
	if (invalid.length)
		ok(!refusals.length, `${name}: ${invalid.length} invalid requests get a documented 4xx`, refusals);
}

// A path that exists with a method it does not take: 405 with Allow.
{
	const r = await call("PUT", `/api/v1/contacts/${fix.contact}`);
	ok(r.status === 405 && /GET/.test(r.headers.get("allow") || "") && /PATCH/.test(r.headers.get("allow") || ""),
		"a 405 carries Allow naming the path's methods", [`${r.status} allow=${r.headers.get("allow")}`]);
}
console.log(`# ${ops.length} operations, ${nValid} valid and ${nInvalid} invalid generated requests, ${requests} requests in all`);
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
