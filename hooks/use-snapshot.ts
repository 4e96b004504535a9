import {useSyncExternalStore} from 'react';
import {type Snapshot} from '../src/store/snapshot.js';

/** Where components read snapshots from: the runtime's publisher (or a fixed one in tests). */
export interface SnapshotSource {
	readonly getSnapshot: () => Snapshot;
	readonly subscribe: (listener: () => void) => () => void;
}

/** The current snapshot; re-renders only when the publisher publishes (at most 10 Hz). */
export function useSnapshot(source: SnapshotSource): Snapshot {
	return useSyncExternalStore(source.subscribe, source.getSnapshot, source.getSnapshot);
}
