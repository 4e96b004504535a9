/**
Identifiers from outside, in two strengths.

**Key ids** become part of a Redis key name (`keys.*` in names.ts): projectId, agentType / a task's `agent`,
workflowId, stepId. One rule, applied to live messages, stream entries and key names read back at hydration:

| in a key id | rule | why |
|---|---|---|
| `:` | rejected | the key separator: `a:step:b` + `c` and `a` + `b:step:c` would share a key |
| `*` `?` `[` `]` | rejected | glob characters of SCAN / KEYS / PSUBSCRIBE patterns |
| `/` `\` | rejected | path separators (`../../x`): ids are also used as file-like names by other agents |
| `.` or `..` as the whole id | rejected | path segments |
| whitespace (any Unicode space), C0/C1 controls, DEL | rejected | not terminal-safe, invisible in a key listing |
| bidi controls, zero-width characters, lone surrogates | rejected | not terminal-safe (Trojan Source) |
| empty, or longer than MAX_ID_LENGTH (128 UTF-16 units) | rejected | |
| everything else: letters of any script, CJK, emoji, digits, `.` `-` `_` `#` `@` `+` `=` ... | accepted unchanged | |

Rejecting (not escaping) keeps key names byte-identical to what the seed's other agents build from the same id,
and since no key id contains `:`, each key family's pattern splits a key back into its ids in exactly one way:
two distinct ids (or id pairs) can never map to one key.

**Text ids** (taskId, errorId, a task's status) are never part of a key: they only need to be terminal-safe,
non-empty, at most MAX_ID_LENGTH long, without whitespace and glob characters (they are shown and stored in JSON
entries). `:` `/` `.` are allowed in them.
*/
import {MAX_ID_LENGTH} from './limits.js';
import {isInvisibleFormat} from './sanitize.js';

/**
ASCII characters refused in key ids (`*` `/` `:` `?` `[` `\` `]`) and in text ids (the glob characters `*` `?`
`[` `]`), as bit masks over code - 0x20 (space and controls are refused by range before).
*/
const KEY_REFUSED = bits([0x2a, 0x2f, 0x3a, 0x3f, 0x5b, 0x5c, 0x5d]);
const TEXT_REFUSED = bits([0x2a, 0x3f, 0x5b, 0x5d]);

function bits(codes: readonly number[]): readonly [number, number, number] {
	const words: [number, number, number] = [0, 0, 0];
	for (const code of codes) words[(code - 0x20) >> 5]! |= 1 << ((code - 0x20) & 31);
	return words;
}

/** Unicode white space (what `\s` matches beyond ASCII): no-break, en/em, ideographic spaces and the like. */
const UNICODE_SPACE = /\s/u;

/**
True when the non-ASCII code unit at `i` (with its pair) may stand in an id: not a C1 control, bidi or zero-width
character, lone surrogate or white space. Well-formed surrogate pairs (emoji, rare CJK) are fine. Returns the
index of the next code unit, or -1.
*/
function nextWideUnit(value: string, i: number): number {
	const code = value.charCodeAt(i);
	if (code <= 0x9f || isInvisibleFormat(code)) return -1;
	if (code >= 0xd800 && code <= 0xdbff) {
		const low = value.charCodeAt(i + 1);
		return low >= 0xdc00 && low <= 0xdfff ? i + 2 : -1;
	}
	if (code >= 0xdc00 && code <= 0xdfff) return -1;
	return UNICODE_SPACE.test(value[i]!) ? -1 : i + 1;
}

function checkId(value: unknown, refused: readonly [number, number, number]): string | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
	if (typeof value !== 'string') return undefined;
	if (value.length === 0 || value.length > MAX_ID_LENGTH) return undefined;
	let i = 0;
	while (i < value.length) {
		const code = value.charCodeAt(i);
		// Printable ASCII except space and the refused characters is the common case: a couple of comparisons each.
		if (code > 0x20 && code < 0x7f) {
			if ((refused[(code - 0x20) >> 5]! & (1 << ((code - 0x20) & 31))) !== 0) return undefined;
			i += 1;
			continue;
		}
		if (code < 0x7f) return undefined; // space and C0 controls
		i = nextWideUnit(value, i); // DEL and beyond
		if (i < 0) return undefined;
	}
	return value;
}

/** A key-safe id (see the table above), or undefined. A finite number is read as its decimal text. */
export function keyId(value: unknown): string | undefined {
	const id = checkId(value, KEY_REFUSED);
	if (id === '.' || id === '..') return undefined;
	return id;
}

/** A terminal-safe id that is never part of a key name (taskId, errorId, status), or undefined. */
export function textId(value: unknown): string | undefined {
	return checkId(value, TEXT_REFUSED);
}

/** Thrown by the key builders when an id that did not pass `keyId` reaches them: a programming error, never data. */
export class UnsafeKeyIdError extends Error {
	constructor(id: string) {
		super(`not a key-safe id: ${JSON.stringify(id.slice(0, MAX_ID_LENGTH + 1))} (ids reach keys.* only through keyId())`);
		this.name = 'UnsafeKeyIdError';
	}
}

/**
The id as a key part. Every `keys.*` builder that takes an id passes it through here, so an unvalidated id is a
loud error in tests (the property test drives every channel through the writer) instead of a silent collision.
*/
export function keyPart(id: string): string {
	if (keyId(id) !== id) throw new UnsafeKeyIdError(id);
	return id;
}
