/**
Structural equality to a bounded depth, for memoised panes: a snapshot is rebuilt every second with new arrays and
objects even where nothing in them changed, so identity alone re-renders every pane. Two values are the same when
they are identical (Object.is: NaN equals NaN, +0 and -0 differ), or, while `depth` is left, both arrays of the same
length whose elements are the same, or both plain objects (of one prototype: Object's or none) with the same own
keys whose values are the same. Anything
else (class instances, Maps, functions) is compared by identity only. Pure; never throws on any input.
*/
export function sameValue(a: unknown, b: unknown, depth: number): boolean {
	if (Object.is(a, b)) return true;
	if (depth <= 0 || typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
	if (Array.isArray(a)) {
		if (!Array.isArray(b) || a.length !== b.length) return false;
		for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i], depth - 1)) return false;
		return true;
	}
	if (Array.isArray(b) || !isPlain(a) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
	const keysA = Object.keys(a);
	if (keysA.length !== Object.keys(b).length) return false;
	for (const key of keysA) {
		if (!Object.hasOwn(b, key) || !sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], depth - 1)) return false;
	}
	return true;
}

function isPlain(value: object): boolean {
	const proto = Object.getPrototypeOf(value) as unknown;
	return proto === Object.prototype || proto === null;
}

/**
How deep a pane's props are compared: props, then a list (rows), then a row, then a row's arrays (a loss tail,
labels), then their elements.
*/
const PANE_PROPS_DEPTH = 4;

/** React.memo's comparison for panes that are pure functions of their props (and the theme): equal props, no render. */
export function samePaneProps<P extends object>(prev: Readonly<P>, next: Readonly<P>): boolean {
	return sameValue(prev, next, PANE_PROPS_DEPTH);
}
