/**
When to ask nvidia-smi for the compute processes again. Each `--query-compute-apps` is a process start (about 10-25
ms of our CPU to fork a Node process of ~80 MB, plus nvidia-smi's own start), which at one every 5 s was the largest
single cost of the headless collector. A process that starts or ends on a GPU moves that GPU's used memory by at
least its CUDA context (hundreds of MiB), so the list is asked for again only when some GPU's used memory moved by
`deltaMb` or more since the last list, when the set of GPUs changed, or when the last list is older than
`maxAgeMs`. Between lists, the host side of the known processes (CPU %, RSS, the project join) is re-read from
/proc, which costs no process start. Pure.
*/

/** What the last list was asked against: when, and each GPU's used memory (MiB; NaN when unknown) at the time. */
export interface AppsQueryMemo {
	readonly atMs: number;
	readonly memoryMb: ReadonlyMap<string, number>;
}

/** The oldest a process list may get before it is asked for again, whatever the memory does. */
export const APPS_MAX_AGE_MS = 60_000;
/** A used-memory move on one GPU that asks for the list again (smaller than any CUDA context). */
export const APPS_MEMORY_DELTA_MB = 64;

export function appsQueryDue(last: AppsQueryMemo | undefined, memoryNow: ReadonlyMap<string, number>, nowMs: number, maxAgeMs = APPS_MAX_AGE_MS, deltaMb = APPS_MEMORY_DELTA_MB): boolean {
	// A clock that went back counts as old: the list is asked for rather than trusted for an unknown time.
	if (last === undefined || nowMs - last.atMs >= maxAgeMs || nowMs < last.atMs) return true;
	if (memoryNow.size !== last.memoryMb.size) return true;
	for (const [uuid, mb] of memoryNow) {
		const was = last.memoryMb.get(uuid);
		if (was === undefined) return true;
		// Known against unknown (a reading came back or went away) asks again; two unknowns do not.
		if (Number.isNaN(mb) !== Number.isNaN(was)) return true;
		if (Math.abs(mb - was) >= deltaMb) return true;
	}
	return false;
}
