/**
Periodic timers that share their wake-ups. A process that does a little work a second (the `--headless` collector:
one GPU frame, the lease renewals, the rules' tick and polls, the writer's retry check) spends much of its CPU waking
up, not working: each wake-up of an idle Node process costs about 0.01-0.02 % of a core per wake-up a second on the
2-core VM (bench:collector; BENCHMARKS.md, fifteenth session), and timers started at different moments wake it at different moments.

With phasing on, `every` does not start a timer of its own: its runs go in one schedule on a grid of the wall clock
(periods that divide a second run on their multiples, multiples of a second on whole seconds: 250 ms, 500 ms, 1 s,
2 s, 5 s all meet on whole seconds; other periods keep their own), and one timer
wakes the process for the next grid point and runs every job due by then, in one pass. (Timers started at one moment
do not stay in step on their own: Node restarts a repeating timer from the time its callback begins, so the
callbacks before it push it a millisecond or more later, and a timer one millisecond later is another wake-up.) A run
that comes late does not run twice: the next one is the next of its period's runs after now. The first run comes
within one period, on the grid, never later than a plain setInterval's. Off by default (tests with fake
timers count periods from the moment they start one); the long-running modes turn it on (main.ts).
*/

let phased = false;

interface Job {
	readonly ms: number;
	readonly fn: () => void;
	readonly unref: boolean;
	/** Runs after the other jobs due in the same pass (a frame that shows their results). */
	readonly last: boolean;
	/** Wall-clock ms of its next run (a multiple of its period). */
	dueMs: number;
}

const jobs = new Set<Job>();
let gate: NodeJS.Timeout | undefined;
let gateDueMs = Number.POSITIVE_INFINITY;
/** Work that runs first in each pass, before the jobs due (the nvidia-smi children's output read: stream-on-passes.ts). */
const passOpeners = new Set<() => void>();

/** Whether the shared schedule is on (passes happen while jobs are on it). */
export function periodicTimersPhased(): boolean {
	return phased;
}

/**
`open` first in each pass of the shared schedule from now on, before the jobs due run (so they see what it read),
with a pass at least every second meanwhile. The returned call stops it. Only with the schedule on.
*/
export function onEachPass(open: () => void): () => void {
	passOpeners.add(open);
	const pacer = every(1000, () => undefined);
	return () => {
		passOpeners.delete(open);
		pacer.stop();
	};
}

/** Put the periodic runs on the shared schedule from now on (before the runtime starts). */
export function phasePeriodicTimers(on: boolean): void {
	phased = on;
}

export interface Periodic {
	stop(): void;
}

/**
The grid a period's runs sit on: its own multiples when it divides a second (250 ms, 500 ms, 1 s), whole seconds
when it is a multiple of one (2 s, 5 s, 5 min), none (1 ms) otherwise (300 ms, 1.5 s keep their own period).
*/
function gridStep(ms: number): number {
	if (1000 % ms === 0) return ms;
	return ms % 1000 === 0 ? 1000 : 1;
}

/** The first run: the last grid point within one period from now (never later than a plain setInterval's). */
function firstDueMs(nowMs: number, ms: number): number {
	const step = gridStep(ms);
	return Math.max(nowMs + 1, Math.floor((nowMs + ms) / step) * step);
}

/** The run after one due at `dueMs`: a period later, skipping the runs that `nowMs` has already passed. */
function nextDueMs(dueMs: number, nowMs: number, ms: number): number {
	const next = dueMs + ms;
	return next > nowMs ? next : next + Math.ceil((nowMs - next + 1) / ms) * ms;
}

/**
`fn` every `ms`, on the shared schedule when phasing is on. `unref` (default true): it does not keep the process
alive, as `setInterval(...).unref()`. `last`: in a pass of the shared schedule, after the jobs without it (the
dashboard's snapshot tick, so the rules' tick of the same second is in its frame).
*/
export function every(ms: number, fn: () => void, unref = true, last = false): Periodic {
	if (!phased) {
		const timer = setInterval(fn, ms);
		if (unref) timer.unref();
		return {stop: () => clearInterval(timer)};
	}
	const job: Job = {ms, fn, unref, last, dueMs: firstDueMs(Date.now(), ms)};
	jobs.add(job);
	arm();
	return {
		stop: () => {
			jobs.delete(job);
			arm();
		},
	};
}

/** One timer for the earliest due job (ref'd while a job that keeps the process alive is on the schedule). */
function arm(): void {
	let earliest = Number.POSITIVE_INFINITY;
	let keepAlive = false;
	const nowMs = Date.now();
	for (const job of jobs) {
		// The wall clock stepped back (NTP, a VM resumed): the next run a period from now, not after the step.
		if (job.dueMs - nowMs > 2 * Math.max(job.ms, 1000)) job.dueMs = firstDueMs(nowMs, job.ms);
		earliest = Math.min(earliest, job.dueMs);
		keepAlive ||= !job.unref;
	}
	if (earliest !== gateDueMs) {
		clearTimeout(gate);
		gate = undefined;
		gateDueMs = earliest;
		if (earliest !== Number.POSITIVE_INFINITY) gate = setTimeout(runDue, Math.max(0, earliest - nowMs));
	}
	if (gate === undefined) return;
	if (keepAlive) gate.ref();
	else gate.unref();
}

function runDue(): void {
	gate = undefined;
	gateDueMs = Number.POSITIVE_INFINITY;
	for (const open of [...passOpeners]) runGuarded(open);
	// Everything due by now, and what falls due within the next millisecond (the timer's resolution). The clock is
	// read again for each job: one that ran long makes the later ones skip the runs it made them miss.
	const due = Date.now() + 1;
	const all = [...jobs];
	for (const job of [...all.filter((j) => !j.last), ...all.filter((j) => j.last)]) {
		if (job.dueMs > due || !jobs.has(job)) continue;
		job.dueMs = nextDueMs(job.dueMs, Date.now(), job.ms);
		runGuarded(job.fn);
	}
	arm();
}

/** `fn` in a pass: one that throws is an uncaught exception (as an interval's callback), after the pass goes on. */
function runGuarded(fn: () => void): void {
	try {
		fn();
	} catch (error) {
		queueMicrotask(() => {
			throw error;
		});
	}
}
