// plain-json.mjs FILE: exit 0 when FILE is JSON that a proxy passes on
// unchanged in meaning: UTF-8 without overlong forms or encoded
// surrogates, strict syntax, no lone surrogate escape, no NUL escape,
// no duplicate key, nesting at most 64 deep. lib.sh (KITH_PRISM=1)
// sends other bodies straight to kith: prism parses bodies itself and
// would answer malformed ones with its own 400, re-encode broken bytes
// as U+FFFD and keep one of two duplicate keys, hiding what kith does.
import { readFileSync } from "node:fs";

const buf = readFileSync(process.argv[2]);
let text;
try {
	text = new TextDecoder("utf-8", { fatal: true }).decode(buf);
	JSON.parse(text);
} catch {
	process.exit(1);
}
if (/\\u0000/.test(text)) process.exit(1);
// Scan strings and structure: duplicate keys, depth, lone surrogates.
const stack = [];
let i = 0;
while (i < text.length) {
	const c = text[i];
	if (c === '"') {
		let j = i + 1, s = "";
		while (text[j] !== '"') {
			if (text[j] === "\\") { s += text.slice(j, j + 2); j += 2; } else s += text[j++];
		}
		const raw = text.slice(i, j + 1);
		const str = JSON.parse(raw);
		for (let k = 0; k < str.length; k++) {
			const u = str.charCodeAt(k);
			if (u >= 0xd800 && u <= 0xdbff) {
				const v = str.charCodeAt(k + 1);
				if (!(v >= 0xdc00 && v <= 0xdfff)) process.exit(1);
				k++;
			} else if (u >= 0xdc00 && u <= 0xdfff) process.exit(1);
		}
		let k2 = j + 1;
		while (/\s/.test(text[k2] || "")) k2++;
		const top = stack[stack.length - 1];
		if (text[k2] === ":" && top instanceof Set) {
			if (top.has(str)) process.exit(1);
			top.add(str);
		}
		i = j + 1;
		continue;
	}
	if (c === "{") stack.push(new Set());
	else if (c === "[") stack.push([]);
	else if (c === "}" || c === "]") stack.pop();
	if (stack.length > 64) process.exit(1);
	i++;
}
process.exit(0);
