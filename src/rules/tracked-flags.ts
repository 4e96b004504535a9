/**
Which series of a list the engine holds an instance of, as one flag per series index: a rule reads the engine's keys
once per evaluation (RuleContext.tracked) instead of asking the instance map about every quiet series (200 rules over
1,000 series asked it about 33,000 series a tick).

Exact only while the list's keys are distinct: a sample changes the instance under its own key alone, so the flags
read before a series is reached say what asking then would. Where two series share a key (a sample of one may create
or cancel the other's instance), keyIndex says so and the rule asks per series as before.
*/
import {type LabelledSeries} from './rule-types.js';

/** Per list (the catalog hands back the same list while the input's shape holds): each key's index, or null (keys repeat). */
const KEY_INDEX = new WeakMap<readonly LabelledSeries[], ReadonlyMap<string, number> | null>();

/** Each series' index by its key; undefined when two series of the list share a key. */
export function keyIndex(list: readonly LabelledSeries[]): ReadonlyMap<string, number> | undefined {
	let index = KEY_INDEX.get(list);
	if (index === undefined) {
		const built = new Map<string, number>();
		for (let i = 0; i < list.length; i++) built.set(list[i]!.key, i);
		index = built.size === list.length ? built : null;
		KEY_INDEX.set(list, index);
	}
	return index ?? undefined;
}

/** One rule's flags, reused across evaluations. */
export class TrackedFlags {
	private flags = new Uint8Array(0);

	/** 1 at the index of every series whose key `tracked` holds, else 0; undefined when the list's keys repeat (see above). */
	mark(list: readonly LabelledSeries[], tracked: {keys(): Iterable<string>}): Uint8Array | undefined {
		const index = keyIndex(list);
		if (index === undefined) return undefined;
		if (this.flags.length < list.length) this.flags = new Uint8Array(list.length);
		else this.flags.fill(0, 0, list.length);
		const flags = this.flags;
		for (const key of tracked.keys()) {
			const i = index.get(key);
			if (i !== undefined) flags[i] = 1;
		}
		return flags;
	}
}
