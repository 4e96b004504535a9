/**
When each host was last seen by this viewer's own clock, so that boxes whose clocks disagree with ours are judged
right: a registry score is the writing box's clock, which may be minutes ahead or behind. A host counts as seen when
its score changes between two reads (it wrote again), at our time of that read. A host read for the first time has
no earlier read to compare with: its score is taken as it is, but never later than our now (a box whose clock is
ahead is not kept fresh by it once it stops writing). Pure.
*/
export interface SeenEntry {
	/** The registry score last read (the box's clock). */
	readonly score: number;
	/** When, by our clock, the host was last seen to write. */
	readonly seenAtMs: number;
}

/** The seen times after a read at `nowMs`; only the members read are kept (the map is bounded by the read). */
export function observeScores(
	previous: ReadonlyMap<string, SeenEntry>,
	entries: ReadonlyArray<{readonly member: string; readonly score: number}>,
	nowMs: number,
): Map<string, SeenEntry> {
	const next = new Map<string, SeenEntry>();
	for (const {member, score} of entries) {
		if (!Number.isFinite(score)) continue;
		const before = previous.get(member);
		if (before === undefined) next.set(member, {score, seenAtMs: Math.min(score, nowMs)});
		else next.set(member, before.score === score ? before : {score, seenAtMs: nowMs});
	}
	return next;
}
