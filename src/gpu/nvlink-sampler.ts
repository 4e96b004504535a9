/**
NVLink throughput: `nvidia-smi nvlink -gt d` every 30 s (a one-shot with a timeout, one at a time, as the process
query), its cumulative per-link KiB counters summed per GPU, and the rate between two readings. An nvidia-smi that
refuses the command is named as unsupported (as the dmon extra is) and not asked again; a GPU without NVLink gets
no figure (no links is not "0 MB/s"), and a box where no GPU has a link is not asked again (each poll is a process
start, 10-25 ms of our CPU: the headless collector's budget). A counter that goes back (a driver reload) gives no rate for one reading.
A poll that times out leaves the last rates stale.
*/
import {sanitizeText} from '../contract/sanitize.js';
import {type Parsed} from './csv-parse.js';
import {type GpuStore} from './gpu-store.js';
import {nvlinkRate, parseNvlinkCounters} from './nvlink-parse.js';
import {runOneShot} from './nvidia-smi-runner.js';
import {every, type Periodic} from '../periodic.js';

const NVLINK_EXTRA = 'nvlink throughput';
/** Default poll period. */
const NVLINK_EVERY_MS = 30_000;

export interface NvlinkSamplerOptions {
	readonly bin: string;
	/** Poll period. Default 30 s (rates are averages over it). */
	readonly everyMs?: number;
	/** One poll's timeout. Default 3 s. */
	readonly timeoutMs?: number;
	readonly env?: NodeJS.ProcessEnv;
	readonly now?: () => number;
	readonly onSample?: () => void;
}

interface Previous {
	readonly tx: number;
	readonly rx: number;
	readonly links: number;
	readonly timeMs: number;
}

const inRange = (mbps: number | undefined): Parsed => (mbps === undefined ? {reason: 'counter went back or links changed'} : mbps > 1_000_000 ? {reason: `out of range (${Math.round(mbps)})`} : {value: mbps});

export class NvlinkSampler {
	readonly stats = {polls: 0, skippedLines: 0, noLinks: false};
	private timer: Periodic | undefined;
	private busy = false;
	private running = false;
	private readonly previous = new Map<number, Previous>();
	private readonly now: () => number;

	constructor(
		private readonly store: GpuStore,
		private readonly options: NvlinkSamplerOptions,
	) {
		this.now = options.now ?? Date.now;
	}

	start(): void {
		if (this.running) return;
		this.running = true;
		void this.poll();
		// On the shared schedule (periodic.ts): on a whole second, where the process is awake anyway.
		this.timer = every(this.options.everyMs ?? NVLINK_EVERY_MS, () => void this.poll());
	}

	stop(): void {
		this.running = false;
		this.timer?.stop();
		this.timer = undefined;
	}

	/** One reading (what the timer calls); one in flight at a time. */
	async poll(): Promise<void> {
		if (this.busy || !this.running) return;
		this.busy = true;
		try {
			const result = await runOneShot(this.options.bin, ['nvlink', '-gt', 'd'], this.options.timeoutMs ?? 3000, this.options.env);
			if (!this.running) return;
			this.stats.polls += 1;
			if (!result.ok) {
				// A timeout is a bad moment, not a verdict; a refusal is. The last rates no longer hold: stale.
				if (result.timedOut === true) {
					this.store.staleNvlinkThroughput('nvlink -gt d did not answer');
					this.options.onSample?.();
					return;
				}
				const said = `${result.stdout}\n${result.stderr}`.split('\n').map((l) => l.trim()).find((l) => l !== '');
				this.store.setUnsupportedExtra(NVLINK_EXTRA, `nvlink -gt d: ${said === undefined ? 'failed' : sanitizeText(said, {maxLength: 60})}${result.exitCode !== undefined ? ` (exit ${result.exitCode})` : ''}`);
				this.stop();
				this.options.onSample?.();
				return;
			}
			const timeMs = this.now();
			const parsed = parseNvlinkCounters(result.stdout);
			this.stats.skippedLines += parsed.skipped;
			if (parsed.gpus.length > 0 && parsed.gpus.every((gpu) => gpu.links === 0)) {
				// No GPU of this box has an NVLink: nothing to measure, now or later (links do not appear at run time).
				this.stats.noLinks = true;
				this.stop();
				return;
			}
			for (const gpu of parsed.gpus) {
				if (gpu.links === 0) continue;
				const before = this.previous.get(gpu.index);
				this.previous.set(gpu.index, {tx: gpu.txKiB, rx: gpu.rxKiB, links: gpu.links, timeMs});
				if (before === undefined) continue;
				const tx = nvlinkRate({kib: before.tx, timeMs: before.timeMs, links: before.links}, {kib: gpu.txKiB, timeMs, links: gpu.links});
				const rx = nvlinkRate({kib: before.rx, timeMs: before.timeMs, links: before.links}, {kib: gpu.rxKiB, timeMs, links: gpu.links});
				this.store.setNvlinkThroughput(gpu.index, inRange(rx), inRange(tx), timeMs);
			}
			this.options.onSample?.();
		} finally {
			this.busy = false;
		}
	}
}
