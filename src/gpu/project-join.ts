/**
GPU processes tied to projects, pure. A training message may name its trainer's process (`pid`, and `host` when it
runs elsewhere: contract/validate.ts); a GPU compute process belongs to a project when its pid is that pid, or when
one of its ancestors in /proc is (a torchrun or DataLoader worker under the process that reports), on this box. The
nearest claimed ancestor wins, so a run started by another run's process is its own. Claims not renewed for
CLAIM_TTL_MS are dropped (the trainer stopped reporting; its pid may be reused).
*/
import {type ProcessClaim} from '../store/project-processes.js';

/** A claim not renewed by a message for this long no longer ties anything (its pid may have been reused). */
export const CLAIM_TTL_MS = 30 * 60_000;

/**
A claimed pid whose process in /proc started more than this after the claim was last renewed is a reused pid (the
trainer that named it has gone; a process cannot send a message before it starts): it ties nothing. The slack covers
/proc's boot time in whole seconds and the wall clock stepping since boot.
*/
const REUSE_SLACK_MS = 60_000;

/** A pid a training message named: its project, and when a message last named it (the receive clock). */
export interface ClaimedPid {
	readonly projectId: string;
	readonly lastSeenMs: number;
}

/** The pid of init, every process's ancestor: never matched as an ancestor. */
const INIT_PID = 1;

/** How many ancestors of a GPU process are looked at (pid included): deeper trees are not followed. */
export const MAX_ANCESTRY_DEPTH = 32;

/** The short name of a host: up to the first dot, lower case. */
function shortHost(name: string): string {
	const dot = name.indexOf('.');
	return (dot < 0 ? name : name.slice(0, dot)).toLowerCase();
}

/**
Whether a message's `host` names this box: absent means yes; else equal ignoring case, or, when only one of the two
is qualified (`gpu1` and `gpu1.lab.example`), equal in their first label.
*/
export function sameHost(messageHost: string | undefined, boxHost: string): boolean {
	if (messageHost === undefined) return true;
	const a = messageHost.toLowerCase();
	const b = boxHost.toLowerCase();
	if (a === b) return true;
	return a.includes('.') !== b.includes('.') && shortHost(a) === shortHost(b);
}

/**
pid -> project for the claims on this box still alive at `nowMs`. When two projects claim one pid, the one that
named it last wins (ties: the smaller project id, so the answer does not depend on order).
*/
export function claimedPids(projects: Iterable<readonly [string, readonly ProcessClaim[]]>, boxHost: string, nowMs: number, ttlMs = CLAIM_TTL_MS): Map<number, ClaimedPid> {
	const best = new Map<number, {projectId: string; lastSeenMs: number}>();
	for (const [projectId, claims] of projects) {
		for (const claim of claims) {
			if (nowMs - claim.lastSeenMs > ttlMs || !sameHost(claim.host, boxHost)) continue;
			const held = best.get(claim.pid);
			if (held === undefined || claim.lastSeenMs > held.lastSeenMs || (claim.lastSeenMs === held.lastSeenMs && projectId < held.projectId))
				best.set(claim.pid, {projectId, lastSeenMs: claim.lastSeenMs});
		}
	}
	return best;
}

/** The claims of the store's projects (those whose messages named a pid). */
export function* projectClaimsIn(projects: ReadonlyMap<string, {readonly processes: readonly ProcessClaim[]}>): Generator<readonly [string, readonly ProcessClaim[]]> {
	for (const [projectId, series] of projects) if (series.processes.length > 0) yield [projectId, series.processes];
}

/**
The project of a process from its ancestry (`[pid, parent, ...]`, nearest first; init only as the process itself):
the nearest claimed one whose process did not start after its claim was last renewed (`startedMs`: when /proc says
the pid's process started, undefined when it cannot tell; then the claim stands).
*/
export function projectOfChain(chain: readonly number[], claims: ReadonlyMap<number, ClaimedPid>, startedMs?: (pid: number) => number | undefined): string | undefined {
	for (const [i, pid] of chain.slice(0, MAX_ANCESTRY_DEPTH).entries()) {
		// Init is everyone's ancestor: a claim of pid 1 (a trainer that is PID 1 of its container) ties it only exactly.
		if (i > 0 && pid === INIT_PID) continue;
		const claim = claims.get(pid);
		if (claim === undefined) continue;
		const started = startedMs?.(pid);
		if (started !== undefined && started > claim.lastSeenMs + REUSE_SLACK_MS) continue;
		return claim.projectId;
	}
	return undefined;
}

/**
pid -> project for each GPU process that belongs to one. `ancestry(pid)` gives `[pid, parent, ...]` (just `[pid]`
when /proc does not have the process, so only an exact pid match ties it then); `startedMs` (when given) drops
claims of reused pids (`projectOfChain`).
*/
export function joinProjects(
	processes: ReadonlyArray<{readonly pid: number}>,
	claims: ReadonlyMap<number, ClaimedPid>,
	ancestry: (pid: number) => readonly number[],
	startedMs?: (pid: number) => number | undefined,
): Map<number, string> {
	const out = new Map<number, string>();
	if (claims.size === 0) return out;
	for (const {pid} of processes) {
		if (out.has(pid)) continue;
		const project = projectOfChain(ancestry(pid), claims, startedMs);
		if (project !== undefined) out.set(pid, project);
	}
	return out;
}

/** The distinct projects of a GPU's processes, in the order of the processes (the most memory first). */
export function projectsOf(processes: ReadonlyArray<{readonly projectId?: string}>): string[] {
	const out: string[] = [];
	for (const p of processes) if (p.projectId !== undefined && !out.includes(p.projectId)) out.push(p.projectId);
	return out;
}
