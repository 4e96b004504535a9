/**
Every YAML file mycotop reads (the config, rule files, rule test files) goes through here, bounded: a file over
YAML_LIMITS.maxBytes is refused unread; more than maxAliases aliases, aliases that expand past maxExpandedNodes (a
"billion laughs" bomb) or into themselves, and nesting deeper than maxDepth are refused with the line they start
on, and nothing the yaml package throws (a RangeError from a stack overflow, a ReferenceError from its alias guard) escapes as a stack trace. A refusal is
distinct from a mistake in the file: callers exit 2 for it whatever their own code for a mistake is.
*/
import {closeSync, openSync, readSync, statSync} from 'node:fs';
import {isAlias, isCollection, isPair, LineCounter, parseDocument, Parser, type CST, type Document} from 'yaml';

type CstToken = CST.Token;

export const YAML_LIMITS = {
	/** Larger files are refused before they are read: a config or a rule file is a few KiB. */
	maxBytes: 1024 * 1024,
	/**
	Aliases (`*name`) in one file. Reuse is ordinary (a rule file of 500 rules with `for: *f` and `labels: *team` in
	each has 1,000); each alias costs the yaml package a scan of the anchors and aliases before it (quadratic), so
	5,000 is about 12 million steps (under half a second on the 2-core VM; 10,000 took 1.6 s), where a MiB of
	aliases would take minutes.
	*/
	maxAliases: 5000,
	/**
	Nodes the document stands for once every alias is expanded (each scalar and collection 1, an alias the size of
	what it names): what anything walking the loaded value may visit. An alias-free MiB is under 600,000 nodes;
	a billion-laughs bomb of nine levels is 9^9, refused at the seventh level by a linear pass over the document.
	*/
	maxExpandedNodes: 2_000_000,
	/** Collections inside collections, counted from the document's root. */
	maxDepth: 64,
	/**
	Entries in one mapping or list. The yaml package checks a mapping's keys for duplicates pair by pair: 60,000
	keys in one mapping (under 1 MiB) took 29 s; at 2,000 a whole MiB of such mappings (38 of them) takes about 4 s on the 2-core VM. A rule list
	is capped at 500 anyway.
	*/
	maxItems: 2000,
} as const;

export interface YamlProblem {
	/** 1-based; 0 when the problem is the file as a whole (missing, unreadable, too large). */
	readonly line: number;
	readonly message: string;
	/** A limit refused the file (too large, alias bomb, too deep): exit 2 whatever the command. */
	readonly refused: boolean;
}

export type YamlLoad =
	| {readonly ok: true; readonly doc: Document; readonly counter: LineCounter; readonly value: unknown}
	| {readonly ok: false; readonly problems: readonly YamlProblem[]};

function mib(bytes: number): string {
	return `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 1)} MiB`;
}

/** The refusal for a file of `bytes` bytes, or undefined when it is within the cap. */
function sizeProblem(bytes: number): YamlProblem | undefined {
	if (bytes <= YAML_LIMITS.maxBytes) return undefined;
	return {line: 0, message: `file is ${mib(bytes)}, more than the ${mib(YAML_LIMITS.maxBytes)} allowed`, refused: true};
}

/**
The first collection nested deeper than `limit` or with more than `maxItems` entries, from the parser's concrete syntax tree, before anything
recursive sees the document: the yaml package composes documents recursively, and a few hundred thousand `[`
exhaust the stack there; near the stack's end V8 can even abort the process outright (a RegExp compiled at that
depth reports "out of memory"), which no try/catch survives. The parser itself keeps an explicit stack, and so
does this walk. Returns the refusal, or undefined.
*/
function shapeProblem(text: string, limit = YAML_LIMITS.maxDepth, maxItems = YAML_LIMITS.maxItems): YamlProblem | undefined {
	for (const token of new Parser().parse(text)) {
		if (token.type !== 'document') continue;
		const stack: Array<[CstToken | null | undefined, number]> = [[token.value, 1]];
		while (stack.length > 0) {
			const [node, depth] = stack.pop()!;
			if (node === null || node === undefined || !('items' in node)) continue;
			if (depth > limit) return {line: lineAt(text, node.offset), message: `nested more than ${limit} levels deep`, refused: true};
			if (node.items.length > maxItems)
				return {line: lineAt(text, node.offset), message: `${node.items.length} entries in one ${node.type === 'block-seq' ? 'list' : node.type === 'block-map' ? 'mapping' : 'collection'}, more than the ${maxItems} allowed`, refused: true};
			for (const item of node.items as ReadonlyArray<{key?: CstToken | null; value?: CstToken}>) stack.push([item.key, depth + 1], [item.value, depth + 1]);
		}
	}
	return undefined;
}

/** 1-based line of a character offset. */
function lineAt(text: string, offset: number): number {
	let line = 1;
	for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line += 1;
	return line;
}

/**
Count the document's aliases and the nodes it stands for once they are expanded, in one pass in document order (an
alias names the latest anchor of its name before it; sizes are memoized per anchored node, so a bomb costs its own
size, not its expansion). An alias inside the node it names expands without end. Returns the refusal, or undefined.
*/
function aliasProblem(doc: Document, counter: LineCounter): YamlProblem | undefined {
	const anchors = new Map<string, unknown>();
	const sizes = new Map<unknown, number>();
	const open = new Set<unknown>();
	let aliases = 0;
	/** The alias at fault (too many, or inside its own anchor); none for an expansion past the budget. */
	let problem: {alias?: {range?: readonly number[] | null}; message: string} | undefined;
	const size = (node: unknown): number => {
		if (problem !== undefined) return 0;
		if (isAlias(node)) {
			aliases += 1;
			if (aliases > YAML_LIMITS.maxAliases) problem = {alias: node, message: `more than ${YAML_LIMITS.maxAliases} aliases`};
			const target = anchors.get(node.source);
			if (target === undefined) return 1; // the yaml package reports an unresolved alias itself
			if (open.has(target)) problem = {alias: node, message: `*${node.source} is inside the node it names and expands without end`};
			return sizes.get(target) ?? 1;
		}
		if (node === null || typeof node !== 'object') return 1;
		const anchor = (node as {anchor?: string}).anchor;
		if (anchor !== undefined) anchors.set(anchor, node);
		let total = 1;
		if (isCollection(node)) {
			open.add(node);
			for (const item of node.items as unknown[]) {
				total += isPair(item) ? size(item.key) + size(item.value) : size(item);
				if (problem !== undefined) break;
			}
			open.delete(node);
		}
		if (total > YAML_LIMITS.maxExpandedNodes && problem === undefined)
			problem = {message: `more than ${YAML_LIMITS.maxExpandedNodes.toLocaleString('en-US')} nodes once expanded: a YAML alias bomb?`};
		if (anchor !== undefined) sizes.set(node, total);
		return total;
	};
	size(doc.contents);
	if (problem === undefined) return undefined;
	const at = problem.alias?.range?.[0];
	// An expansion past the budget starts at the first alias (the bomb's first level); the others at their alias.
	const line = at === undefined ? firstAliasLine(doc, counter) : counter.linePos(at).line;
	return {line, message: `aliases expand too far (${problem.message})`, refused: true};
}

function firstAliasLine(doc: Document, counter: LineCounter): number {
	let line = 1;
	let found = false;
	// Breadth first with an index, not shift(): a 1 MiB file can hold hundreds of thousands of nodes.
	const queue: unknown[] = [doc.contents];
	for (let i = 0; i < queue.length && !found; i++) {
		const node = queue[i];
		if (isAlias(node)) {
			const start = node.range?.[0];
			if (start !== undefined) line = counter.linePos(start).line;
			found = true;
		} else if (isCollection(node)) {
			for (const item of node.items as unknown[]) {
				if (isPair(item)) queue.push(item.key, item.value);
				else queue.push(item);
			}
		}
	}
	return line;
}

/** Parse YAML text within the limits. Pure. */
export function parseYaml(text: string): YamlLoad {
	const size = sizeProblem(Buffer.byteLength(text, 'utf8'));
	if (size !== undefined) return {ok: false, problems: [size]};
	const counter = new LineCounter();
	let doc: Document;
	try {
		const deep = shapeProblem(text);
		if (deep !== undefined) return {ok: false, problems: [deep]};
		doc = parseDocument(text, {lineCounter: counter, prettyErrors: false});
	} catch (error) {
		return {ok: false, problems: [unexpected(error)]};
	}
	if (doc.errors.length > 0) {
		return {
			ok: false,
			problems: distinctProblems(
				doc.errors.map((e) => {
					const overflow = /Maximum call stack/i.test(e.message);
					return {
						// prettyErrors is off, so the position is the offset: the line comes from the counter.
						line: e.linePos?.[0]?.line ?? (e.pos === undefined ? 1 : counter.linePos(e.pos[0]).line),
						message: overflow ? `nested more than ${YAML_LIMITS.maxDepth} levels deep` : e.message.split('\n')[0]!,
						refused: overflow,
					};
				}),
			),
		};
	}
	const aliases = aliasProblem(doc, counter);
	if (aliases !== undefined) return {ok: false, problems: [aliases]};
	try {
		// The package's own guard (expansions weighted by the aliases inside what they expand) stays as a backstop:
		// what aliasProblem passed expands to fewer nodes than it counts.
		return {ok: true, doc, counter, value: doc.toJS({maxAliasCount: YAML_LIMITS.maxExpandedNodes})};
	} catch (error) {
		if (error instanceof ReferenceError && /alias/i.test(error.message))
			return {ok: false, problems: [{line: firstAliasLine(doc, counter), message: `aliases expand too far (a YAML alias bomb?)`, refused: true}]};
		return {ok: false, problems: [unexpected(error)]};
	}
}

/** Syntax problems reported at most this many at a time: a file that is not YAML at all reads as dozens. */
export const MAX_YAML_PROBLEMS = 10;

/**
The parser's problems as a user reads them: each line and message once (the parser reports one fault again for every
node it breaks), in line order (it reports some out of order), and past MAX_YAML_PROBLEMS + 1 the first
MAX_YAML_PROBLEMS and one line counting the rest, on the line where the rest begins. A refusal (a limit the file broke)
is always shown, never counted away. Pure.
*/
export function distinctProblems(problems: readonly YamlProblem[]): YamlProblem[] {
	const seen = new Set<string>();
	const distinct: YamlProblem[] = [];
	for (const problem of problems) {
		const key = `${problem.line}\u0000${problem.message}`;
		if (seen.has(key)) continue;
		seen.add(key);
		distinct.push(problem);
	}
	// Array.prototype.sort is stable: problems of one line keep the parser's order.
	distinct.sort((a, b) => a.line - b.line);
	if (distinct.length <= MAX_YAML_PROBLEMS + 1) return distinct;
	const rest = distinct.slice(MAX_YAML_PROBLEMS);
	const hidden = rest.filter((p) => !p.refused);
	const summary: YamlProblem = {line: hidden[0]!.line, message: `and ${hidden.length} more YAML problem${hidden.length === 1 ? '' : 's'} from this line on`, refused: false};
	return [...distinct.slice(0, MAX_YAML_PROBLEMS), ...rest.filter((p) => p.refused), summary];
}

function unexpected(error: unknown): YamlProblem {
	const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
	return {line: 1, message: /Maximum call stack/i.test(message) ? `nested more than ${YAML_LIMITS.maxDepth} levels deep` : `cannot read as YAML: ${message}`, refused: true};
}

/**
Read at most maxBytes + 1 bytes of a file: enough to know it is too large, and bounded for a path that is not a
regular file (a FIFO, /dev/zero) where the size on disk says nothing.
*/
function readBounded(path: string): Buffer {
	// Opening a named pipe blocks until something writes to it, and a socket cannot be read: refuse both up front.
	const kind = statSync(path);
	if (kind.isFIFO() || kind.isSocket()) throw new Error(`${path}: not a regular file (a ${kind.isFIFO() ? 'named pipe' : 'socket'})`);
	const fd = openSync(path, 'r');
	try {
		const buffer = Buffer.alloc(YAML_LIMITS.maxBytes + 1);
		let length = 0;
		for (;;) {
			const n = readSync(fd, buffer, length, buffer.length - length, null);
			if (n === 0) break;
			length += n;
			if (length === buffer.length) break;
		}
		return buffer.subarray(0, length);
	} finally {
		closeSync(fd);
	}
}

/** Read and parse a YAML file within the limits; a file over the size cap is refused unparsed. */
export function readYamlFile(path: string): YamlLoad {
	let text: string;
	try {
		const bytes = readBounded(path);
		if (bytes.length > YAML_LIMITS.maxBytes) return {ok: false, problems: [{...sizeProblem(bytes.length)!, message: `file is larger than the ${mib(YAML_LIMITS.maxBytes)} allowed`}]};
		text = bytes.toString('utf8');
	} catch (error) {
		return {ok: false, problems: [{line: 0, message: error instanceof Error ? error.message : String(error), refused: false}]};
	}
	return parseYaml(text);
}
