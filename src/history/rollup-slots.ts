/**
The history merge (rollup-script.ts) on a Redis Cluster: one EVAL may only name keys of one hash slot, so a batch's
EVAL is cut into one EVAL per slot. The series index (KEYS[1]) and its entries go with the chunks of the index's
slot; every other slot gets an EVAL without index entries, whose KEYS[1] is that slot's first chunk key (the script
touches KEYS[1] only when it has index entries). Key names are not changed: no hash tags. Pure.
*/
import type {RollupCommand} from './rollup-batch.js';

interface ParsedRollup {
	readonly script: string;
	readonly index: string;
	readonly head: ReadonlyArray<string | number | Buffer>;
	readonly indexArgs: ReadonlyArray<string | number | Buffer>;
	readonly chunks: ReadonlyArray<{readonly key: string; readonly args: ReadonlyArray<string | number | Buffer>}>;
}

/** Read a merge EVAL back into its parts (the layout rollup-batch.ts writes); undefined when it is not one. */
function parseRollup(command: RollupCommand): ParsedRollup | undefined {
	const [, script, numKeys, ...rest] = command;
	const n = Number(numKeys);
	if (!Number.isInteger(n) || n < 1 || rest.length < n + 3) return undefined;
	const keys = rest.slice(0, n).map(String);
	const argv = rest.slice(n);
	const nIndex = Number(argv[2]);
	if (!Number.isInteger(nIndex) || nIndex < 0) return undefined;
	const head = argv.slice(0, 2);
	const indexArgs = argv.slice(3, 3 + 2 * nIndex);
	const nChunks = Number(argv[3 + 2 * nIndex]);
	const chunkArgs = argv.slice(4 + 2 * nIndex);
	if (nChunks !== n - 1 || chunkArgs.length !== 3 * nChunks) return undefined;
	const chunks = keys.slice(1).map((key, i) => ({key, args: chunkArgs.slice(3 * i, 3 * i + 3)}));
	return {script, index: keys[0]!, head, indexArgs, chunks};
}

/**
The merge EVAL cut per hash slot (`slotOf` gives a key's slot). A command that is not a merge EVAL, or whose keys
share one slot, is returned as it is. The index's part comes first.
*/
export function splitRollupBySlot(command: RollupCommand, slotOf: (key: string) => number): RollupCommand[] {
	const parsed = parseRollup(command);
	if (parsed === undefined) return [command];
	const indexSlot = slotOf(parsed.index);
	const bySlot = new Map<number, Array<ParsedRollup['chunks'][number]>>([[indexSlot, []]]);
	for (const chunk of parsed.chunks) {
		const slot = slotOf(chunk.key);
		const list = bySlot.get(slot);
		if (list === undefined) bySlot.set(slot, [chunk]);
		else list.push(chunk);
	}
	if (bySlot.size === 1) return [command];
	const out: RollupCommand[] = [];
	for (const [slot, chunks] of bySlot) {
		const withIndex = slot === indexSlot;
		if (withIndex && chunks.length === 0 && parsed.indexArgs.length === 0) continue;
		const first = withIndex ? parsed.index : chunks[0]!.key;
		const keys = [first, ...chunks.map((c) => c.key)];
		const indexArgs = withIndex ? parsed.indexArgs : [];
		out.push(['EVAL', parsed.script, keys.length, ...keys, ...parsed.head, indexArgs.length / 2, ...indexArgs, chunks.length, ...chunks.flatMap((c) => c.args)]);
	}
	return out;
}
