/**
The journal: notable events (alert transitions, GPU state changes) that the headless log writes as JSON lines and
the TUI can show. A tiny synchronous pub/sub; records are plain JSON-safe objects with a `type`.
*/
export type JournalRecord = {readonly type: string} & Record<string, unknown>;

class Journal {
	private readonly listeners = new Set<(record: JournalRecord) => void>();

	subscribe(listener: (record: JournalRecord) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	record(record: JournalRecord): void {
		for (const listener of this.listeners) listener(record);
	}
}

export const journal = new Journal();
