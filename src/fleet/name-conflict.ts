/**
Two boxes started with the same `--host` name: one of them holds the host lease and writes the name's keys, the
other writes nothing and would be missing from the fleet without a word. The one left out finds out by comparing
its own GPUs with the UUIDs written under its name (`metrics:gpu:{host}:state`): none of its GPUs there means another
box writes them. A second instance on the same box (a dashboard beside the headless service) sees its own GPUs
there and is no conflict. Pure.
*/
import {stateUuids} from './gpu-from-hash.js';

/** Why this box's name is taken by another box, or undefined when it is not (or nothing tells yet). */
export function nameConflict(host: string, ourUuids: readonly string[], writtenState: Readonly<Record<string, string>>): string | undefined {
	const theirs = stateUuids(writtenState);
	if (ourUuids.length === 0 || theirs.length === 0) return undefined;
	if (ourUuids.some((uuid) => theirs.includes(uuid))) return undefined;
	return `another box writes the keys of host "${host}" (its GPUs are not this box's): this box is not in the fleet; give it its own --host`;
}
