/**
The one order for ids on screen and in reports (projects, agents, GPU uuids, rules, Redis nodes): letters compare
without regard to ASCII case, then the ids' UTF-16 code units decide, so the order is total (0 only for equal ids)
and the same on every box.

Not `localeCompare`: its order follows the process locale (two boxes of one fleet could list the same projects
differently), and its first call maps ICU's collation data into the process, about 2 MB of resident memory the
dashboard otherwise never needs (measured in the ninth session: 43.3 -> 45.4 MB in a bare node). It also allocates
nothing, which matters for the sorts made every frame.
*/

/** An ASCII capital as its small letter; every other code unit as it is. */
function folded(code: number): number {
	return code >= 65 && code <= 90 ? code + 32 : code;
}

/** Negative when `a` comes first, positive when `b` does, 0 only when they are the same string. */
export function compareIds(a: string, b: string): number {
	const shared = Math.min(a.length, b.length);
	for (let i = 0; i < shared; i++) {
		const x = folded(a.charCodeAt(i));
		const y = folded(b.charCodeAt(i));
		if (x !== y) return x - y;
	}
	if (a.length !== b.length) return a.length - b.length;
	return a < b ? -1 : a > b ? 1 : 0;
}
