/**
The processes a project's training messages named (the optional `pid` and `host` fields): the newest few per project,
each with when it was first and last named (by the receive clock). The GPU part reads them to tie GPU processes to
projects (src/gpu/project-join.ts). Pure.
*/

export interface ProcessClaim {
	readonly pid: number;
	/** As the message said it; absent means "the box that receives the message". */
	readonly host?: string;
	readonly firstSeenMs: number;
	readonly lastSeenMs: number;
}

/** Distinct (pid, host) pairs kept per project: a run's ranks may each report their own pid. */
export const MAX_CLAIMS_PER_PROJECT = 8;

/** The claims after a message naming `pid` on `host` at `nowMs`: that pair moves to the front; the oldest fall off. */
export function addClaim(claims: readonly ProcessClaim[], pid: number, host: string | undefined, nowMs: number): readonly ProcessClaim[] {
	const index = claims.findIndex((c) => c.pid === pid && c.host === host);
	const first = index >= 0 ? claims[index]!.firstSeenMs : nowMs;
	const claim: ProcessClaim = {pid, ...(host !== undefined ? {host} : {}), firstSeenMs: first, lastSeenMs: nowMs};
	const rest = claims.filter((_, i) => i !== index);
	return [claim, ...rest].slice(0, MAX_CLAIMS_PER_PROJECT);
}
