import {useCallback, useRef, useSyncExternalStore} from 'react';
import {type Snapshot} from '../src/store/snapshot.js';

/** Where components read snapshots from: the runtime's publisher (or a fixed one in tests). */
export interface SnapshotSource {
	readonly getSnapshot: () => Snapshot;
	readonly subscribe: (listener: () => void) => () => void;
}

const noop = () => {};

/**
The current snapshot; re-renders only when the publisher publishes (at most 10 Hz). While `paused`, it stops
listening and keeps returning the snapshot it showed when the pause began.
*/
export function useSnapshot(source: SnapshotSource, paused = false): Snapshot {
	const subscribe = useCallback((listener: () => void) => (paused ? noop : source.subscribe(listener)), [source, paused]);
	const live = useSyncExternalStore(subscribe, source.getSnapshot, source.getSnapshot);
	const shown = useRef<Snapshot>(live);
	if (!paused) shown.current = live;
	return shown.current;
}
