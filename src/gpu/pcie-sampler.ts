/**
PCIe throughput: a second long-lived child, `nvidia-smi dmon -s t -d <seconds>`, beside the `--query-gpu -lms` one
(whose fields have no throughput). Probed at start with `dmon -s t -c 1` (a probe that times out is tried again later, as a stopped child is): when that fails, or prints no
`rxpci`/`txpci` header (an nvidia-smi without dmon, or without the `t` group), the extra is named as unsupported
(GpuStore.setUnsupportedExtra: in droppedFields and the state's reason) and no child runs. A child that exits is
restarted after 30 s (doubling to 10 min); meanwhile the last values stay, marked stale. A child that stays alive
but prints no sample for 3 intervals (at least 15 s: nvidia-smi stuck in the driver; looked for every second) is killed
and treated the same.
Nothing here throws.
*/
import {sanitizeText} from '../contract/sanitize.js';
import {DmonParser} from './dmon-parse.js';
import {LineSplitter} from './frame-assembler.js';
import {type GpuStore} from './gpu-store.js';
import {type PcieState} from './gpu-snapshot.js';
import {runOneShot, startStream, type StreamHandle} from './nvidia-smi-runner.js';
import {every, type Periodic} from '../periodic.js';

/** How often a running child is looked at for silence (ms): on the shared whole-second schedule. */
const SILENCE_CHECK_MS = 1000;

/** The name the extra goes by in droppedFields. */
const PCIE_EXTRA = 'pcie throughput';

export interface PcieSamplerOptions {
	readonly bin: string;
	/** The GPU interval; dmon counts whole seconds (at least 1). */
	readonly intervalMs: number;
	readonly gpus?: readonly number[];
	readonly env?: NodeJS.ProcessEnv;
	readonly now?: () => number;
	/** The probe's timeout. Default 5 s (nvidia-smi can take over a second to initialise). */
	readonly probeTimeoutMs?: number;
	/** First delay before a stopped child is restarted. Default 30 s (doubling, at most 10 min). */
	readonly restartMs?: number;
	/** After each sample (touch the store). */
	readonly onSample?: () => void;
	/** A child alive but without a sample this long is killed (and restarted). Default 3 intervals, at least 15 s. */
	readonly silenceMs?: number;
	/** Read the `dmon` child's output on the shared schedule's passes, once a second (stream-on-passes.ts). */
	readonly readOnPasses?: boolean;
}


export interface PcieStats {
	samples: number;
	skippedLines: number;
	starts: number;
	lastSkipped: string | undefined;
}

/** dmon's arguments: the `t` group every `seconds`, for the selected GPUs. Pure. */
export function dmonArgs(seconds: number, gpus: readonly number[] | undefined, count?: number): string[] {
	return ['dmon', '-s', 't', ...(count !== undefined ? ['-c', String(count)] : ['-d', String(seconds)]), ...(gpus !== undefined && gpus.length > 0 ? ['-i', gpus.join(',')] : [])];
}

/** Why a probe's output shows no PCIe throughput: its first line of text, or how it ended. Pure. */
export function probeProblem(result: {ok: boolean; timedOut?: boolean; exitCode?: number; spawnErrorCode?: string; stdout: string; stderr: string}, sawHeader: boolean): string | undefined {
	if (result.ok && sawHeader) return undefined;
	if (result.timedOut === true) return 'dmon -s t did not answer';
	if (result.spawnErrorCode !== undefined) return `dmon -s t: cannot start nvidia-smi (${result.spawnErrorCode})`;
	const said = `${result.stdout}\n${result.stderr}`.split('\n').map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
	const text = said === undefined ? undefined : sanitizeText(said, {maxLength: 60});
	if (result.ok) return `dmon -s t: no rxpci/txpci columns${text === undefined ? '' : ` (${text})`}`;
	return `dmon -s t: ${text ?? 'failed'}${result.exitCode !== undefined ? ` (exit ${result.exitCode})` : ''}`;
}

export class PcieSampler {
	readonly stats: PcieStats = {samples: 0, skippedLines: 0, starts: 0, lastSkipped: undefined};
	private stateValue: PcieState = 'starting';
	private running = false;
	private child: StreamHandle | undefined;
	private timer: NodeJS.Timeout | undefined;
	/** The silence check while a child runs: a job on the shared whole-second schedule (spawn). */
	private watchdog: Periodic | undefined;
	private restarts = 0;
	private readonly now: () => number;

	constructor(
		private readonly store: GpuStore,
		private readonly options: PcieSamplerOptions,
	) {
		this.now = options.now ?? Date.now;
	}

	get state(): PcieState {
		return this.stateValue;
	}

	private set state(state: PcieState) {
		this.stateValue = state;
		this.store.setPcieState(state);
	}

	private get seconds(): number {
		return Math.max(1, Math.round(this.options.intervalMs / 1000));
	}

	/** Probe once, then run the child when the driver gives the throughput. */
	async start(): Promise<void> {
		if (this.running) return;
		this.running = true;
		await this.probe();
	}

	private async probe(): Promise<void> {
		const parser = new DmonParser();
		const result = await runOneShot(this.options.bin, dmonArgs(this.seconds, this.options.gpus, 1), this.options.probeTimeoutMs ?? 5000, this.options.env);
		for (const line of result.stdout.split('\n')) parser.line(line);
		if (!this.running) return;
		if (result.timedOut === true) {
			// A slow answer (a driver still starting, a busy box) is a bad moment, not a verdict: ask again later.
			this.state = 'stopped';
			this.options.onSample?.();
			this.later(() => void this.probe());
			return;
		}
		const problem = probeProblem(result, parser.sawHeader);
		if (problem !== undefined) {
			this.state = 'unsupported';
			this.store.setUnsupportedExtra(PCIE_EXTRA, problem);
			this.options.onSample?.();
			return;
		}
		this.spawn();
	}

	private spawn(): void {
		if (!this.running) return;
		const parser = new DmonParser();
		const splitter = new LineSplitter();
		this.stats.starts += 1;
		this.state = 'ok';
		let silentFor: number | undefined;
		const silenceMs = this.options.silenceMs ?? Math.max(15_000, 3 * this.seconds * 1000);
		// The last sample's time (performance.now()); a look every SILENCE_CHECK_MS on the shared whole-second schedule,
		// where the process is awake anyway (re-arming a timeout per line made a timer object a line: 8 a second on 8 GPUs).
		let lastSampleAt = performance.now();
		const arm = () => {
			this.watchdog?.stop();
			this.watchdog = every(SILENCE_CHECK_MS, () => {
				if (this.child !== child || performance.now() - lastSampleAt < silenceMs) return;
				this.watchdog?.stop();
				this.watchdog = undefined;
				silentFor = silenceMs;
				// Stale now: a child stuck in the kernel may not die at once (its exit restarts it).
				this.state = 'stopped';
				this.store.staleLinkThroughput(`dmon silent for ${Math.round(silenceMs / 1000)} s`);
				this.options.onSample?.();
				child.kill();
			});
		};
		const onLine = (line: string) => {
			const parsed = parser.line(line);
			if (parsed.kind === 'sample') {
				lastSampleAt = performance.now();
				this.stats.samples += 1;
				this.restarts = 0;
				this.store.setLinkThroughput(parsed.index, parsed.rxMBps, parsed.txMBps, this.now());
				this.options.onSample?.();
			} else if (parsed.kind === 'skip' && parsed.reason !== 'empty') {
				this.stats.skippedLines += 1;
				this.stats.lastSkipped = parsed.reason;
			}
		};
		const child = startStream(this.options.bin, dmonArgs(this.seconds, this.options.gpus), (chunk) => splitter.push(chunk).forEach(onLine), () => undefined, this.options.env, this.options.readOnPasses === true ? () => (this.child === child && splitter.partial ? 'line' : 'nothing') : undefined);
		this.child = child;
		arm();
		void child.done.then((outcome) => {
			if (this.child !== child) return;
			this.child = undefined;
			this.watchdog?.stop();
			this.watchdog = undefined;
			if (!this.running) return;
			this.state = 'stopped';
			const why = silentFor !== undefined ? `dmon silent for ${Math.round(silentFor / 1000)} s` : outcome.exitCode !== undefined ? `dmon exited (${outcome.exitCode})` : outcome.signal !== undefined ? `dmon killed (${outcome.signal})` : 'dmon stopped';
			this.store.staleLinkThroughput(why);
			this.options.onSample?.();
			this.later(() => this.spawn());
		});
	}

	/** Run `next` after the restart delay (30 s, doubling per try, at most 10 min). */
	private later(next: () => void): void {
		const delay = Math.min(600_000, (this.options.restartMs ?? 30_000) * 2 ** this.restarts);
		this.restarts += 1;
		this.timer = setTimeout(next, delay);
		this.timer.unref();
	}

	stop(): void {
		this.running = false;
		this.state = 'off';
		if (this.timer !== undefined) clearTimeout(this.timer);
		this.timer = undefined;
		this.watchdog?.stop();
		this.watchdog = undefined;
		this.child?.kill();
		this.child = undefined;
	}
}
