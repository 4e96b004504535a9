/**
The host sampler: every interval it reads `/proc/stat`, `/proc/loadavg`, `/proc/meminfo`, `/proc/diskstats`,
`/proc/net/dev` (five small files, no process spawned), and statfs of the configured paths every FS_EVERY_MS (the
readings between carry the last one: a filesystem's space moves slowly, and each statfs goes through libuv's thread pool,
one more wake-up of the process each time), and keeps the figures of the newest two readings (host-figures.ts). A file that cannot be read is named in `errors`, its figures unknown; on a
system without `/proc` (macOS) every figure is unknown and the reason says so. Nothing here throws.
*/
import {readFileSync} from 'node:fs';
import {statfs} from 'node:fs/promises';
import {join} from 'node:path';
import {dataloaderBound, hostStats, type FsSpace, type HostReading, type HostStats} from './host-figures.js';
import {timeToCapacity} from '../analysis/forecasts.js';
import {FrameCoveredTimer} from '../gpu/frame-ticks.js';
import {TimeRing} from '../store/ring-buffer.js';
import {parseDiskstats, parseLoadavg, parseMeminfo, parseNetDev, parseProcStat} from './proc-parse.js';

export interface HostSamplerOptions {
	/** Default 1000 ms. */
	readonly intervalMs?: number;
	/** Filesystems whose space is shown (statfs). Default: the working directory's. */
	readonly paths?: readonly string[];
	/** Where `/proc` is (tests point it at recorded text). */
	readonly procRoot?: string;
	/** statfs (tests count the calls). Default node:fs/promises'. */
	readonly statfs?: StatfsOf;
	readonly now?: () => number;
	/** The GPUs' mean utilization now (the dataloader hint); undefined without GPU telemetry. */
	readonly gpuPercent?: () => number | undefined;
	/** After each reading. */
	readonly onSample?: (stats: HostStats) => void;
}

/** What the pane, `--once` and the host keys read. */
export interface HostView {
	readonly stats: HostStats | undefined;
	/** GPUs idle while the CPU is saturated, for the last few readings. */
	readonly dataloaderBound: boolean;
}

const MAX_FILE = 4 * 1024 * 1024;
/** The configured filesystems' space is read at most this often (ms); the readings between carry the last one. */
export const FS_EVERY_MS = 5000;
/**
A reading this much short of FS_EVERY_MS still reads statfs: readings a second apart come a millisecond early or late
(timers, frames), and one early by a millisecond would otherwise push the read to the sixth second.
*/
const FS_EARLY_MS = 250;

/** What a filesystem's space is read with (node:fs/promises' statfs in use). */
export type StatfsOf = (path: string) => Promise<{readonly blocks: number; readonly bsize: number; readonly bavail: number}>;
/** A filesystem's time to full is fitted again at most this often (ms), and counted down in between. */
const FORECAST_EVERY_MS = 10_000;

/** A fitted time to full, and when it was fitted. */
export interface HeldForecast {
	readonly atMs: number;
	readonly inMs: number | undefined;
}

/**
The time to full at `nowMs`: the held fit counted down while it is younger than FORECAST_EVERY_MS (as the GPUs'
memory forecast, gpu-store.ts), else `fit()` again (its window copied and fitted: 360 points, one per statfs, which is why
not every second). A full filesystem is 0 at once, whatever is held. Pure apart from calling `fit`.
*/
export function countedDownForecast(held: HeldForecast | undefined, nowMs: number, full: boolean, fit: () => number | undefined): {held: HeldForecast; inMs: number | undefined} {
	const fresh = held === undefined || nowMs - held.atMs >= FORECAST_EVERY_MS || nowMs < held.atMs;
	const next = fresh ? {atMs: nowMs, inMs: fit()} : held;
	if (full) return {held: next, inMs: 0};
	return {held: next, inMs: next.inMs === undefined ? undefined : Math.max(0, next.inMs - (nowMs - next.atMs))};
}
/** Readings kept for the dataloader hint. */
const HINT_WINDOW = 8;

/**
Read synchronously: procfs text is generated in memory (no disk I/O to wait for), and a synchronous read costs about
half the CPU of fs/promises' open-read-close through the thread pool. statfs stays asynchronous (a hung network mount).
*/
function text(path: string, errors: string[]): string | undefined {
	try {
		const content = readFileSync(path, {encoding: 'utf8'});
		return content.length > MAX_FILE ? content.slice(0, MAX_FILE) : content;
	} catch (error) {
		errors.push(`${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
		return undefined;
	}
}

async function space(path: string, statfsOf: StatfsOf): Promise<FsSpace> {
	try {
		const s = await statfsOf(path);
		return {path, totalBytes: s.blocks * s.bsize, availableBytes: s.bavail * s.bsize};
	} catch (error) {
		return {path, reason: (error as NodeJS.ErrnoException).code ?? 'statfs failed'};
	}
}

/** One reading of everything. Never throws. */
export async function readHost(procRoot: string, paths: readonly string[], timeMs: number, statfsOf: StatfsOf = statfs): Promise<HostReading> {
	const errors: string[] = [];
	const stat = text(join(procRoot, 'stat'), errors);
	const load = text(join(procRoot, 'loadavg'), errors);
	const mem = text(join(procRoot, 'meminfo'), errors);
	const disks = text(join(procRoot, 'diskstats'), errors);
	const net = text(join(procRoot, 'net', 'dev'), errors);
	const filesystems = paths.length === 0 ? [] : await Promise.all(paths.map((p) => space(p, statfsOf)));
	const parsedStat = stat === undefined ? undefined : parseProcStat(stat);
	if (parsedStat !== undefined && parsedStat.total === undefined) errors.push(`${join(procRoot, 'stat')}: no cpu line`);
	return {
		timeMs,
		stat: parsedStat,
		load: load === undefined ? undefined : parseLoadavg(load),
		mem: mem === undefined ? undefined : parseMeminfo(mem),
		disks: disks === undefined ? undefined : parseDiskstats(disks),
		net: net === undefined ? undefined : parseNetDev(net),
		filesystems,
		errors,
	};
}

export class HostSampler {
	private previous: HostReading | undefined;
	private current: HostStats | undefined;
	private recent: Array<{cpuPercent: number | undefined; gpuPercent: number | undefined}> = [];
	/** Used bytes per filesystem, for the disk-full forecast: one point per statfs (FS_EVERY_MS), 30 min in 360. */
	private readonly fsUsed = new Map<string, TimeRing>();
	/** The last statfs reading of the configured filesystems, and when it was made. */
	private fsReading: {atMs: number; filesystems: readonly FsSpace[]} | undefined;
	/** Each filesystem's last fit (countedDownForecast). */
	private readonly fsForecasts = new Map<string, HeldForecast>();
	/** Its own readings, standing back while another part's tick (frameTick) asks for them. */
	private readonly timer: FrameCoveredTimer;
	private busy = false;
	private running = false;
	readonly stats = {readings: 0};
	private readonly now: () => number;

	constructor(private readonly options: HostSamplerOptions = {}) {
		this.now = options.now ?? Date.now;
		this.timer = new FrameCoveredTimer(this.intervalMs, () => void this.sample());
	}

	get intervalMs(): number {
		return Math.max(250, this.options.intervalMs ?? 1000);
	}

	/** Read twice, `gapMs` apart (rates need two readings), then every interval. */
	async start(gapMs = 100): Promise<void> {
		if (this.running) return;
		this.running = true;
		await this.sample();
		await new Promise((resolve) => setTimeout(resolve, gapMs));
		await this.sample();
		if (!this.running) return;
		this.timer.start();
	}

	/**
	A reading now, on another part's tick of the same period (the GPU frame): the host figures then go in the frame's
	transaction, and the process wakes once a second instead of twice. The sampler's own timer (a job on the shared
	whole-second schedule) reads nothing while such ticks come, and reads again on its own once they stop
	(FrameCoveredTimer). Settles when the reading has been handed on (onSample), or at once when none is made.
	*/
	frameTick(): Promise<void> {
		if (!this.running) return Promise.resolve();
		this.timer.frame();
		return this.sample();
	}

	stop(): void {
		this.running = false;
		this.timer.stop();
	}

	/** One reading now (also what the timer calls); a reading still in flight is not stacked. */
	async sample(): Promise<void> {
		if (this.busy) return;
		this.busy = true;
		try {
			const nowMs = this.now();
			const fsDue = this.fsReading === undefined || nowMs - this.fsReading.atMs >= FS_EVERY_MS - FS_EARLY_MS || nowMs < this.fsReading.atMs;
			const read = await readHost(this.options.procRoot ?? '/proc', fsDue ? (this.options.paths ?? [process.cwd()]) : [], nowMs, this.options.statfs);
			if (fsDue) this.fsReading = {atMs: nowMs, filesystems: read.filesystems};
			const reading = fsDue ? read : {...read, filesystems: [...this.fsReading!.filesystems]};
			this.current = this.withForecasts(hostStats(this.previous, reading), fsDue);
			this.previous = reading;
			this.stats.readings += 1;
			this.recent.push({cpuPercent: this.current.cpuPercent, gpuPercent: this.options.gpuPercent?.()});
			if (this.recent.length > HINT_WINDOW) this.recent = this.recent.slice(-HINT_WINDOW);
			this.options.onSample?.(this.current);
		} finally {
			this.busy = false;
		}
	}

	/**
	Each filesystem's time to full at its last 30 minutes' growth (src/analysis/forecasts.ts), when there is one. Only a
	fresh statfs reading (`fresh`) goes in the growth series; the carried ones between would repeat it at later times.
	*/
	private withForecasts(stats: HostStats, fresh: boolean): HostStats {
		const filesystems = stats.filesystems.map((fs) => {
			if (fs.totalBytes === undefined || fs.availableBytes === undefined) return fs;
			let ring = this.fsUsed.get(fs.path);
			if (ring === undefined) {
				ring = new TimeRing(1800);
				this.fsUsed.set(fs.path, ring);
			}
			const used = fs.totalBytes - fs.availableBytes;
			const total = fs.totalBytes;
			if (fresh) ring.push(stats.timeMs, used);
			const series = ring;
			const {held, inMs} = countedDownForecast(this.fsForecasts.get(fs.path), stats.timeMs, used >= total, () => {
				const w = series.since(stats.timeMs - 30 * 60_000);
				return timeToCapacity(w.times, w.values, total, stats.timeMs)?.inMs;
			});
			this.fsForecasts.set(fs.path, held);
			return inMs === undefined ? fs : {...fs, fullInMs: inMs};
		});
		return {...stats, filesystems};
	}

	/** Each configured filesystem's bytes used over the last 30 minutes, with its size: the rules' disk forecast. */
	diskSeries(): Array<{path: string; usedBytes: TimeRing; totalBytes: number | undefined}> {
		return [...this.fsUsed].map(([path, usedBytes]) => ({path, usedBytes, totalBytes: this.current?.filesystems.find((fs) => fs.path === path)?.totalBytes}));
	}

	view(): HostView {
		return {stats: this.current, dataloaderBound: dataloaderBound(this.recent)};
	}
}
