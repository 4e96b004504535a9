import {useCallback, useRef, useSyncExternalStore} from 'react';
import {type Snapshot} from '../src/store/snapshot.js';

/** Where components read snapshots from: the runtime's publisher (or a fixed one in tests). */
export interface SnapshotSource {
	readonly getSnapshot: () => Snapshot;
	readonly subscribe: (listener: () => void) => () => void;
}

const noop = () => {};

/**
`listener`, called at most once every `everyMs`: at once when the period since the last call has passed (or all but a
twentieth of it, at most 50 ms), else once when it ends (however many notifications came in between). `stop` cancels
a pending call. The slack: the snapshots come on the shared whole-second schedule (periodic.ts), a millisecond early or
late; without it one a millisecond early would wait out the rest of the period in a timer of its own (another
wake-up), and each such wait would push the next later.
*/
export function throttledListener(listener: () => void, everyMs: number, now: () => number = Date.now): {readonly notify: () => void; readonly stop: () => void} {
	let last = Number.NEGATIVE_INFINITY;
	let timer: NodeJS.Timeout | undefined;
	const slack = Math.min(50, everyMs / 20);
	const fire = () => {
		timer = undefined;
		last = now();
		listener();
	};
	return {
		notify: () => {
			if (timer !== undefined) return;
			const wait = last + everyMs - now();
			if (wait <= slack) fire();
			else timer = setTimeout(fire, wait);
		},
		stop: () => {
			if (timer !== undefined) clearTimeout(timer);
			timer = undefined;
		},
	};
}

/**
The current snapshot; re-renders only when the publisher publishes (at most 10 Hz), or, with `everyMs`, at most once
every `everyMs` (a zoomed chart takes data once a second: the snapshots in between would re-render the dashboard
for nothing). A render for another reason (a key) reads the latest snapshot. While `paused`, it stops listening and
keeps returning the snapshot it showed when the pause began.
*/
export function useSnapshot(source: SnapshotSource, paused = false, everyMs = 0): Snapshot {
	const subscribe = useCallback(
		(listener: () => void) => {
			if (paused) return noop;
			if (everyMs <= 0) return source.subscribe(listener);
			const throttled = throttledListener(listener, everyMs);
			const unsubscribe = source.subscribe(throttled.notify);
			return () => {
				throttled.stop();
				unsubscribe();
			};
		},
		[source, paused, everyMs],
	);
	const live = useSyncExternalStore(subscribe, source.getSnapshot, source.getSnapshot);
	const shown = useRef<Snapshot>(live);
	if (!paused) shown.current = live;
	return shown.current;
}
