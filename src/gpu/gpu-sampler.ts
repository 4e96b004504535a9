/**
The GPU sampler: one long-lived `nvidia-smi --query-gpu=... -lms <interval>` child whose rows become frames in the
GpuStore, a `--query-compute-apps` one-shot every few seconds, and the failure handling around them:

- start: a one-shot query with the full field set (the first frame at once, and the driver's verdict); a field the
  driver does not know is dropped (or the minimal set is used) and the query retried;
- stream: rows are framed; stray lines (Xid/ECC text) are skipped; a GPU missing from a frame is lost;
- hang: no complete frame within 3 intervals (looked for every second) kills the child and falls back to one-shot
  queries with a timeout; the stream is tried again later (30 s, doubling per hang, at most 10 min);
- any failure (no binary, driver not loaded, version mismatch, no GPUs, ...) is a visible state retried with backoff;
  the last values stay visible, marked stale. Nothing here throws.
*/
import {journal, type JournalRecord} from '../journal.js';
import {every, type Periodic} from '../periodic.js';
import {parseAppsOutput, parseGpuLine, type ParsedApp, type ParsedGpuRow} from './csv-parse.js';
import {backoffMs, classifyFailure, isHung, type Failure} from './failure.js';
import {FrameAssembler, LineSplitter} from './frame-assembler.js';
import {type GpuStatus, type GpuStore} from './gpu-store.js';
import {runOneShot, startStream, type StreamHandle} from './nvidia-smi-runner.js';
import {appsQueryArgs, droppedBetween, FULL_GPU_FIELDS, gpuQueryArgs, MINIMAL_GPU_FIELDS, reduceFields} from './query-fields.js';
import {parseXidLine} from './gpu-health.js';
import {ProcessReader} from './proc-join.js';
import {appsQueryDue, APPS_MAX_AGE_MS, type AppsQueryMemo} from './apps-schedule.js';
import {joinProjects, MAX_ANCESTRY_DEPTH, type ClaimedPid} from './project-join.js';

export interface SamplerOptions {
	readonly bin: string;
	readonly intervalMs: number;
	readonly gpus?: readonly number[];
	/**
	How often the process list is looked at; 0 turns it off. Default 5000. nvidia-smi is asked again only when
	apps-schedule.ts says so (a GPU's used memory moved, or the list is `processesMaxAgeMs` old); otherwise the known
	processes' host side is re-read from /proc.
	*/
	readonly processesEveryMs?: number;
	/** The oldest a process list gets before nvidia-smi is asked again. Default 60 s (APPS_MAX_AGE_MS). */
	readonly processesMaxAgeMs?: number;
	/** Timeout of one-shot queries. Default 3 intervals, within [2 s, 10 s]. */
	readonly oneshotTimeoutMs?: number;
	/** Intervals without a complete frame before the child counts as hung. Default 3. */
	readonly hangFactor?: number;
	/** First delay before streaming is tried again after a hang. Default 30 s (doubles per hang, max 10 min). */
	readonly streamRetryMs?: number;
	readonly backoffBaseMs?: number;
	readonly backoffMaxMs?: number;
	/** Where /proc is, for joining GPU processes to host processes (tests). Default /proc. */
	readonly procRoot?: string;
	/** Join GPU processes to /proc (default true; off for the demo's simulated GPUs, whose pids are made up). */
	readonly joinProcesses?: boolean;
	/** Read the `-lms` child's output on the shared schedule's passes, once a second (stream-on-passes.ts). */
	readonly readOnPasses?: boolean;
	/** pid -> project of the training messages that name a process on this box (project-join.ts `claimedPids`). */
	readonly projectClaims?: () => ReadonlyMap<number, ClaimedPid>;
	/** Extra environment for the child (merged over process.env). */
	readonly env?: NodeJS.ProcessEnv;
	readonly now?: () => number;
	/** After each frame (write to Redis, touch the store). */
	readonly onFrame?: (nowMs: number) => void;
	/** Each of the older frames read together with a newer one, stored without the frame's work (onFrame): its time. */
	readonly onFrameStored?: (atMs: number) => void;
	/** After any other visible change (state, processes). */
	readonly onChange?: () => void;
	readonly journal?: (record: JournalRecord) => void;
}

export interface SamplerStats {
	frames: number;
	rows: number;
	skippedLines: number;
	streamStarts: number;
	oneshots: number;
	hangs: number;
	appsQueries: number;
	/** Looks at the process list answered from the last list and /proc, without starting nvidia-smi. */
	appsRefreshes: number;
	/** Xid event lines seen in the loop output. */
	xidLines: number;
	lastSkipped: string | undefined;
}

/**
The times to store `count` frames read together at `nowMs`: the last at `nowMs`, the ones before it an interval
apart, or spread evenly after the frame stored before them (`lastMs`) when that would put one at or before it
(times only move forward). Pure.
*/
export function frameTimes(nowMs: number, count: number, intervalMs: number, lastMs?: number): number[] {
	const spaced = Array.from({length: count}, (_, i) => nowMs - (count - 1 - i) * intervalMs);
	if (lastMs === undefined || spaced[0]! > lastMs || lastMs >= nowMs) return spaced;
	return Array.from({length: count}, (_, i) => (i === count - 1 ? nowMs : lastMs + Math.round(((nowMs - lastMs) * (i + 1)) / count)));
}

/** The visible state while frames arrive. Pure. */
export function deriveStatus(input: {mode: 'stream' | 'oneshot'; lostCount: number; knownCount: number; droppedFields: readonly string[]}): GpuStatus {
	const reasons: string[] = [];
	if (input.mode === 'oneshot') reasons.push('nvidia-smi stopped streaming: polling with one-shot queries');
	if (input.lostCount > 0) reasons.push(`${input.lostCount} of ${input.knownCount} GPU${input.knownCount === 1 ? '' : 's'} lost`);
	// Missing extras (MIG mode on a pre-MIG driver) are a note; a missing core field (the seed's) degrades.
	const coreMissing = input.droppedFields.some((f) => MINIMAL_GPU_FIELDS.includes(f));
	const degraded = reasons.length > 0 || coreMissing;
	if (input.droppedFields.length > 0) reasons.push(`not supported by the driver: ${input.droppedFields.join(', ')}`);
	return {
		state: degraded ? 'degraded' : 'ok',
		...(reasons.length > 0 ? {reason: reasons.join('; ')} : {}),
		mode: input.mode,
		droppedFields: input.droppedFields,
	};
}

const TAIL_MAX = 4096;
/** How often a stream is looked at for a hang (ms): on the shared whole-second schedule (armWatchdog). */
const HANG_CHECK_MS = 1000;

function appendTail(tail: string, text: string): string {
	const next = tail + text;
	return next.length > TAIL_MAX ? next.slice(next.length - TAIL_MAX) : next;
}

type QueryResult = {readonly rows: ParsedGpuRow[]} | {readonly failure: Failure};

export class GpuSampler {
	readonly stats: SamplerStats = {frames: 0, rows: 0, skippedLines: 0, streamStarts: 0, oneshots: 0, hangs: 0, appsQueries: 0, appsRefreshes: 0, xidLines: 0, lastSkipped: undefined};
	private fields: readonly string[] = FULL_GPU_FIELDS;
	private readonly dropped: string[] = [];
	private running = false;
	private mode: 'stream' | 'oneshot' = 'stream';
	private stream: StreamHandle | undefined;
	private failures = 0;
	/**
	For the hang check, on the monotonic clock (performance.now(): a wall clock stepped forward must not look like a
	silent stream): when the current stream started, and its last frame (undefined until its first: the start's grace).
	*/
	private streamFrameAt: number | undefined;
	/** The time the last frame was stored at (wall clock). */
	private lastFrameMs: number | undefined;
	private streamStartedAt = 0;
	private nextStreamTryMs = 0;
	private readonly timers = new Set<NodeJS.Timeout>();
	/** The hang check while a stream runs (a job on the shared schedule: armWatchdog). */
	private watchdog: Periodic | undefined;
	private settleTimer: NodeJS.Timeout | undefined;
	private appsTimer: Periodic | undefined;
	/** The last process list nvidia-smi gave, and what it was asked against (apps-schedule.ts). */
	private lastApps: readonly ParsedApp[] | undefined;
	private appsMemo: AppsQueryMemo | undefined;
	private oneshotBusy = false;
	private processReader: ProcessReader | undefined;
	private appsBusy = false;
	private splitter = new LineSplitter();
	private readonly assembler: FrameAssembler;
	private outTail = '';
	private errTail = '';
	private settled: (() => void) | undefined;
	private readonly now: () => number;
	private readonly record: (record: JournalRecord) => void;

	constructor(
		private readonly store: GpuStore,
		private readonly options: SamplerOptions,
	) {
		this.now = options.now ?? Date.now;
		this.record = options.journal ?? ((r) => journal.record(r));
		this.assembler = new FrameAssembler(() => this.store.knownCount);
	}

	get interval(): number {
		return this.options.intervalMs;
	}

	get streamPid(): number | undefined {
		return this.stream?.pid;
	}

	get currentFields(): readonly string[] {
		return this.fields;
	}

	private get oneshotTimeout(): number {
		return this.options.oneshotTimeoutMs ?? Math.min(10_000, Math.max(2000, 3 * this.options.intervalMs));
	}

	/** Start sampling; resolves after the first frame, the first failure, or `waitMs`, whichever comes first. */
	async start(waitMs = Math.max(1000, 2 * this.options.intervalMs)): Promise<void> {
		if (this.running) return;
		this.running = true;
		const first = new Promise<void>((resolve) => {
			this.settled = resolve;
		});
		void this.connect();
		const appsEveryMs = this.options.processesEveryMs ?? 5000;
		// On the shared schedule (periodic.ts): every 5 s on a whole second, where the process is awake anyway.
		if (appsEveryMs > 0) this.appsTimer = every(appsEveryMs, () => void this.pollApps());
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([first, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
		clearTimeout(timer);
	}

	async stop(): Promise<void> {
		this.running = false;
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		this.watchdog?.stop();
		this.watchdog = undefined;
		clearTimeout(this.settleTimer);
		this.appsTimer?.stop();
		this.appsTimer = undefined;
		const stream = this.stream;
		this.stream = undefined;
		if (stream !== undefined) {
			stream.kill();
			await Promise.race([stream.done, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
		}
		this.settle();
	}

	private settle(): void {
		this.settled?.();
		this.settled = undefined;
	}

	private later(fn: () => void, ms: number): void {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			if (this.running) fn();
		}, ms);
		timer.unref();
		this.timers.add(timer);
	}

	private setStatus(status: GpuStatus): void {
		const before = this.store.status();
		if (!this.store.setStatus(status)) return;
		if (before.state !== status.state || before.reason !== status.reason)
			this.record({type: 'gpu', event: 'state', state: status.state, ...(status.reason !== undefined ? {reason: status.reason} : {}), timeMs: this.now()});
		this.options.onChange?.();
	}

	private liveStatus(): GpuStatus {
		return deriveStatus({mode: this.mode, lostCount: this.store.lostCount(), knownCount: this.store.knownCount, droppedFields: this.dropped});
	}

	/** One bounded `--query-gpu` run with the current fields. */
	private async queryOnce(): Promise<QueryResult> {
		if (this.oneshotBusy) return {failure: {kind: 'hung', reason: 'the previous nvidia-smi query has not returned'}};
		this.oneshotBusy = true;
		this.stats.oneshots += 1;
		const fields = this.fields;
		try {
			const result = await runOneShot(this.options.bin, gpuQueryArgs(fields, this.options.gpus), this.oneshotTimeout, this.options.env);
			const rows: ParsedGpuRow[] = [];
			if (!result.timedOut) {
				for (const line of result.stdout.split('\n')) {
					const parsed = parseGpuLine(line, fields);
					if (parsed.kind === 'row') rows.push(parsed.row);
				}
			}
			// Rows win: one bad GPU can fail the exit code while the others still print.
			if (rows.length > 0) return {rows};
			return {failure: classifyFailure(result)};
		} finally {
			this.oneshotBusy = false;
		}
	}

	private async connect(): Promise<void> {
		if (!this.running) return;
		this.mode = 'stream';
		const result = await this.queryOnce();
		if (!this.running) return;
		if ('rows' in result) {
			this.applyRows(result.rows);
			this.startStreaming();
			void this.pollApps();
			return;
		}
		this.onFailure(result.failure, () => void this.connect());
	}

	private onFailure(failure: Failure, retry: () => void): void {
		if (failure.kind === 'bad-field') {
			const next = reduceFields(this.fields, failure.field);
			if (next !== undefined) {
				const removed = this.fields.filter((f) => !next.includes(f));
				// A throttle reason asked for under its legacy name is renamed, not dropped.
				const dropped = droppedBetween(this.fields, next);
				this.dropped.push(...dropped.filter((f) => !this.dropped.includes(f)));
				this.fields = next;
				this.record({type: 'gpu', event: 'fields-reduced', dropped: removed, reason: failure.reason, timeMs: this.now()});
				this.later(retry, 0);
				return;
			}
		}
		this.failures += 1;
		const wait = backoffMs(this.failures - 1, this.options.backoffBaseMs ?? 1000, this.options.backoffMaxMs ?? 60_000);
		this.store.markAllStale(failure.reason);
		this.setStatus({state: 'unavailable', reason: failure.reason, mode: this.mode, droppedFields: [...this.dropped], retryAtMs: this.now() + wait});
		this.settle();
		this.later(retry, wait);
	}

	private startStreaming(): void {
		if (!this.running) return;
		this.mode = 'stream';
		const splitter = new LineSplitter();
		this.splitter = splitter;
		this.assembler.reset();
		this.outTail = '';
		this.errTail = '';
		const fields = this.fields;
		const handle = startStream(
			this.options.bin,
			gpuQueryArgs(fields, this.options.gpus, this.options.intervalMs),
			(chunk) => this.onStdout(chunk, fields),
			(chunk) => {
				this.errTail = appendTail(this.errTail, chunk);
			},
			this.options.env,
			// A stream let go (a hang's SIGKILL not yet answered by its exit, a stop) holds nothing worth reading again for.
			this.options.readOnPasses === true ? () => (this.stream !== handle ? 'nothing' : splitter.partial ? 'line' : this.assembler.pending > 0 ? 'rows' : 'nothing') : undefined,
		);
		this.stream = handle;
		this.streamStartedAt = performance.now();
		this.streamFrameAt = undefined;
		this.stats.streamStarts += 1;
		this.setStatus(this.liveStatus());
		this.armWatchdog();
		void handle.done.then((outcome) => {
			if (this.stream !== handle) return;
			this.stream = undefined;
			this.watchdog?.stop();
			this.watchdog = undefined;
			clearTimeout(this.settleTimer);
			if (!this.running) return;
			const pending = this.assembler.flush();
			if (pending !== undefined) this.applyRows(pending);
			const failure = classifyFailure({...outcome, stdout: this.outTail, stderr: this.errTail});
			this.record({type: 'gpu', event: 'stream-exit', exitCode: outcome.exitCode ?? null, reason: failure.reason, timeMs: this.now()});
			this.onFailure(failure, () => void this.connect());
		});
	}

	private onStdout(chunk: string, fields: readonly string[]): void {
		const frames: ParsedGpuRow[][] = [];
		for (const line of this.splitter.push(chunk)) {
			const parsed = parseGpuLine(line, fields);
			if (parsed.kind === 'skip') {
				if (line.trim() !== '') {
					this.noteXid(line);
					this.stats.skippedLines += 1;
					this.stats.lastSkipped = parsed.reason;
					this.outTail = appendTail(this.outTail, `${line}\n`);
				}
				continue;
			}
			this.stats.rows += 1;
			frames.push(...this.assembler.push(parsed.row));
		}
		if (frames.length === 1) this.applyRows(frames[0]!);
		else if (frames.length > 1) {
			// Read together (after a stall of the event loop, or two frames in one pass): each stored at its own time (the
			// rings, the energy), the newest now; only the newest goes on to the frame's work (its writes, the host reading,
			// the fleet line), as one frame would: the older ones' figures are already past.
			const times = frameTimes(this.now(), frames.length, this.options.intervalMs, this.lastFrameMs);
			frames.forEach((frame, i) => this.applyRows(frame, times[i], i === frames.length - 1));
		}
		clearTimeout(this.settleTimer);
		if (this.assembler.pending > 0) {
			// A frame with fewer rows than GPUs: close it after a quiet spell (a lost GPU), well before the next one.
			this.settleTimer = setTimeout(() => {
				// Read on the passes, the rest of the frame may be waiting unread: read it first (stream-on-passes.ts).
				this.stream?.readNow?.();
				const frame = this.assembler.flush();
				if (frame !== undefined && this.running) this.applyRows(frame);
			}, Math.max(20, Math.min(250, Math.floor(this.options.intervalMs / 3))));
			this.settleTimer.unref();
		}
	}

	/** An Xid line between frames: counted on its GPU (journalled), shown in the pane, read by the gpu_xid rule. */
	private noteXid(line: string): void {
		const event = parseXidLine(line, this.now());
		if (event === undefined) return;
		this.stats.xidLines += 1;
		const uuid = this.store.recordXid(event);
		this.record({type: 'gpu', event: 'xid', xid: event.xid, ...(event.pci !== undefined ? {pci: event.pci} : {}), uuid: uuid ?? null, timeMs: event.timeMs});
		this.options.onChange?.();
	}

	private applyRows(rows: readonly ParsedGpuRow[], atMs?: number, frameWork = true): void {
		const nowMs = atMs ?? this.now();
		this.lastFrameMs = nowMs;
		const changes = this.store.applyFrame(rows, nowMs);
		if (this.stream !== undefined) this.streamFrameAt = performance.now();
		this.failures = 0;
		this.stats.frames += 1;
		for (const lost of changes.lost) this.record({type: 'gpu', event: 'lost', uuid: lost.uuid, index: lost.index, reason: lost.reason, timeMs: nowMs});
		for (const uuid of changes.recovered) this.record({type: 'gpu', event: 'recovered', uuid, timeMs: nowMs});
		this.setStatus(this.liveStatus());
		this.settle();
		if (frameWork) this.options.onFrame?.(nowMs);
		else this.options.onFrameStored?.(nowMs);
	}

	/**
	The hang watchdog while a stream runs: a look every HANG_CHECK_MS, a job on the shared whole-second schedule
	(periodic.ts), where the rules and the leases wake the process anyway; frames only note their time. A hang is
	noticed within HANG_CHECK_MS after the allowance (three intervals without a frame; until the stream's first frame,
	the longer of that and the one-shot timeout), measured on the monotonic clock. (It was a timeout pushed back with
	`refresh()` by every frame, which still woke the process every few seconds: Node moves a refreshed timeout's own due
	time but leaves libuv's timer at the old one, see frame-ticks.ts.)
	*/
	private armWatchdog(): void {
		this.watchdog?.stop();
		this.watchdog = every(HANG_CHECK_MS, () => this.checkHang());
	}

	private checkHang(): void {
		if (this.stream === undefined || !this.running) return;
		if (!isHung(performance.now(), this.streamFrameAt, this.streamStartedAt, this.options.intervalMs, this.options.hangFactor ?? 3, this.oneshotTimeout)) return;
		this.stats.hangs += 1;
		const handle = this.stream;
		this.stream = undefined;
		this.watchdog?.stop();
		this.watchdog = undefined;
		clearTimeout(this.settleTimer);
		handle.kill();
		const retryIn = Math.min(600_000, (this.options.streamRetryMs ?? 30_000) * 2 ** Math.min(this.stats.hangs - 1, 10));
		this.nextStreamTryMs = this.now() + retryIn;
		this.record({type: 'gpu', event: 'hang', pid: handle.pid ?? null, retryStreamInMs: retryIn, timeMs: this.now()});
		this.mode = 'oneshot';
		this.store.markAllStale('no sample: nvidia-smi stopped answering');
		this.setStatus(this.liveStatus());
		void this.poll();
	}

	/** One-shot mode after a hang: a bounded query per interval; streaming is tried again later. */
	private async poll(): Promise<void> {
		if (!this.running || this.mode !== 'oneshot') return;
		if (this.now() >= this.nextStreamTryMs) {
			this.startStreaming();
			return;
		}
		const started = this.now();
		const result = await this.queryOnce();
		if (!this.running || this.mode !== 'oneshot') return;
		if ('rows' in result) {
			this.applyRows(result.rows);
			this.later(() => void this.poll(), Math.max(0, this.options.intervalMs - (this.now() - started)));
			return;
		}
		this.onFailure(result.failure, () => void this.poll());
	}

	/** Each GPU's used memory now (MiB, NaN when unknown), for appsQueryDue. */
	private memoryByGpu(): Map<string, number> {
		const out = new Map<string, number>();
		for (const row of this.store.rows()) out.set(row.uuid, row.memoryUsedMb.value ?? Number.NaN);
		return out;
	}

	private async pollApps(): Promise<void> {
		if (!this.running || this.appsBusy || this.store.knownCount === 0) return;
		const state = this.store.status().state;
		if (state !== 'ok' && state !== 'degraded') return;
		const memory = this.memoryByGpu();
		const now = this.now();
		if (this.lastApps !== undefined && !appsQueryDue(this.appsMemo, memory, now, this.options.processesMaxAgeMs ?? APPS_MAX_AGE_MS)) {
			this.stats.appsRefreshes += 1;
			this.applyApps(this.lastApps);
			return;
		}
		this.appsBusy = true;
		this.stats.appsQueries += 1;
		try {
			const result = await runOneShot(this.options.bin, appsQueryArgs(this.options.gpus), this.oneshotTimeout, this.options.env);
			if (!this.running || !result.ok) return;
			const apps = parseAppsOutput(result.stdout);
			this.lastApps = apps;
			this.appsMemo = {atMs: now, memoryMb: memory};
			this.applyApps(apps);
		} finally {
			this.appsBusy = false;
		}
	}

	/** The process list into the store, joined to this /proc (CPU %, RSS) and to the projects that claim its pids. */
	private applyApps(apps: readonly ParsedApp[]): void {
		const before = this.store.version;
		this.processReader ??= new ProcessReader(this.options.procRoot);
		const reader = this.processReader;
		const host = this.options.joinProcesses === false ? undefined : reader.read(apps, this.now());
		// Ancestors only of processes /proc confirmed (same program): a stranger's parents would tie a wrong project.
		const claims = this.options.projectClaims?.();
		// The pids of the walked chains: this /proc's view of them is the GPU processes' own (not another namespace's).
		const walked = new Set<number>();
		const ancestry = (pid: number): readonly number[] => {
			if (!host?.has(pid)) return [pid];
			const chain = reader.ancestry(pid, MAX_ANCESTRY_DEPTH);
			for (const p of chain) walked.add(p);
			return chain;
		};
		// A claimed pid whose process started after the claim's last message was reused: it ties nothing.
		const startedMs = (pid: number) => (walked.has(pid) ? reader.startedMs(pid) : undefined);
		const projects = claims === undefined || this.options.joinProcesses === false ? undefined : joinProjects(apps, claims, ancestry, startedMs);
		this.store.setProcesses(apps, host, projects, this.now());
		if (this.store.version !== before) this.options.onChange?.();
	}
}
