// validate.mjs DOC.json: the document is valid OpenAPI 3.1 (the
// official JSON schema, via @seriousme/openapi-schema-validator), every
// $ref resolves, and every schema in it compiles under ajv. TAP out.
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const doc = JSON.parse(readFileSync(process.argv[2], "utf8"));
let n = 0, failed = 0;
function ok(cond, name, detail) {
	n++;
	if (cond) console.log(`ok ${n} - ${name}`);
	else {
		failed++;
		console.log(`not ok ${n} - ${name}`);
		if (detail) console.log("#   " + JSON.stringify(detail).slice(0, 2000));
	}
}

const v = new Validator();
const res = await v.validate(doc);
ok(res.valid, "the document is valid OpenAPI " + doc.openapi, res.errors);
ok(doc.openapi.startsWith("3.1"), "it is OpenAPI 3.1");

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: "doc", components: doc.components });
let bad = [];
const ops = [];
for (const [path, item] of Object.entries(doc.paths))
	for (const [m, op] of Object.entries(item)) ops.push([m, path, op]);
const fix = (s) => JSON.parse(JSON.stringify(s).replaceAll('"#/components', '"doc#/components'));
for (const [m, path, op] of ops) {
	for (const p of op.parameters || []) {
		try { ajv.compile(fix(p.schema)); } catch (e) { bad.push(`${m} ${path} ${p.name}: ${e.message}`); }
	}
	for (const [code, r] of Object.entries(op.responses)) {
		const s = r.content?.["application/json"]?.schema;
		if (s) try { ajv.compile(fix(s)); } catch (e) { bad.push(`${m} ${path} ${code}: ${e.message}`); }
	}
}
ok(bad.length === 0, "every parameter and response schema compiles, every $ref resolves", bad);

// What the contract asks the document to state.
const missing = [];
for (const [m, path, op] of ops) {
	const codes = Object.keys(op.responses);
	if (!codes.some((c) => c.startsWith("2"))) missing.push(`${m} ${path}: no 2xx`);
	if (!codes.some((c) => c.startsWith("4")) && path !== "/api/v1/openapi.json")
		missing.push(`${m} ${path}: no 4xx`);
	for (const p of op.parameters || [])
		if (!p.schema || !p.schema.type && !p.schema.oneOf) missing.push(`${m} ${path} ${p.name}: untyped`);
	const rb = op.requestBody?.content?.["application/json"]?.schema?.$ref;
	if (rb) {
		const s = doc.components.schemas[rb.split("/").pop()];
		if (!s || s.additionalProperties !== false) missing.push(`${m} ${path}: body schema ${rb} is open`);
	}
}
ok(missing.length === 0, `all ${ops.length} operations state typed parameters, a 2xx, their 4xx and closed bodies`, missing);
const en = (name, field) => doc.components.schemas[name]?.properties?.[field]?.enum || [];
ok(en("Touchpoint", "channel").includes("in_person") && en("Touchpoint", "channel").length === 8, "channels are an enum", en("Touchpoint", "channel"));
ok(en("Contact", "tier").includes("A"), "tiers are an enum");
ok(en("NewUser", "role").includes("owner"), "roles are an enum");
ok(en("Signal", "type").includes("website_visit"), "signal kinds are an enum");
ok(en("CadenceRule", "scope").includes("tag"), "cadence scopes are an enum");
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
