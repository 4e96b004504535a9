/**
GPU readings for the rules, built from the GPU part's snapshots (src/gpu/gpu-snapshot.ts). GPU history is kept once,
in the GPU store: for a row the store produced, the rules read its rings directly (`gpuHistory`: every fresh reading,
times ascending; a reading nvidia-smi did not give, or only the last good value, is a gap), and the tracker keeps only
each GPU's identity (index, name, lost, memory total). A snapshot built elsewhere (tests, another source) has no store
behind it: then the tracker keeps a bounded series per GPU (by UUID) and reading, appended whenever a new frame
arrives, as before, so a silent sensor ages into "no data" either way.
*/
import {gpuHistory} from '../gpu/gpu-store.js';
import {type GpuSnapshot} from '../gpu/gpu-snapshot.js';
import {type GpuInput} from './rule-types.js';
import {type PointSeries, TimeRing} from './time-ring.js';

type Metric = 'temperatureC' | 'memoryUsedMb' | 'utilizationPercent';

interface Tracked {
	index: number;
	name: string;
	lost: boolean;
	temperatureC: PointSeries;
	memoryUsedMb: PointSeries;
	utilizationPercent: PointSeries;
	/** The tracker's own rings, only for rows without a GPU store behind them. */
	own: Record<Metric, TimeRing> | undefined;
	memoryTotalMb: number | undefined;
	slowdownTempC?: number;
	lastFrameMs: number;
	/** The store's health series (rows from a GpuStore only). */
	health: Pick<GpuInput, 'throttleThermal' | 'throttlePower' | 'linkDegraded' | 'xidTotal' | 'eccUncorrected'>;
}

/** The health series of a store-backed row, as the rules name them. */
function healthOf(live: NonNullable<ReturnType<typeof gpuHistory>>): Tracked['health'] {
	return {throttleThermal: live.throttleThermal, throttlePower: live.throttlePower, linkDegraded: live.linkDegraded, xidTotal: live.xidTotal, eccUncorrected: live.eccUncorrected};
}

export class GpuTracker {
	private readonly gpus = new Map<string, Tracked>();
	private lastFrameMs = -1;

	/**
	`history` (optional) seeds a GPU's own series the first time it is seen, for rows without a GPU store behind
	them, so a leak that began before mycotop started is still a slope.
	*/
	constructor(
		private readonly capacity = 1800,
		private readonly history?: (uuid: string, metric: Metric) => ReadonlyArray<{readonly timeMs: number; readonly value: number}>,
	) {}

	/** Feed one snapshot; returns the GPUs for the rules, or undefined when there is no telemetry. */
	update(snapshot: GpuSnapshot | undefined, now: number): GpuInput[] | undefined {
		if (snapshot === undefined || snapshot.state === 'disabled' || (snapshot.state === 'unavailable' && this.gpus.size === 0)) return undefined;
		const frame = snapshot.lastFrameMs ?? now;
		const fresh = frame !== this.lastFrameMs;
		this.lastFrameMs = frame;
		const seen = new Set<string>();
		for (const row of snapshot.gpus) {
			const id = row.uuid || `index-${row.index}`;
			seen.add(id);
			const live = gpuHistory(row);
			let t = this.gpus.get(id);
			if (t === undefined) {
				const own =
					live === undefined
						? {temperatureC: new TimeRing(this.capacity), memoryUsedMb: new TimeRing(this.capacity), utilizationPercent: new TimeRing(this.capacity)}
						: undefined;
				t = {
					index: row.index,
					name: row.name,
					lost: row.lost,
					temperatureC: live?.temperatureC ?? own!.temperatureC,
					memoryUsedMb: live?.memoryUsedMb ?? own!.memoryUsedMb,
					utilizationPercent: live?.utilizationPercent ?? own!.utilizationPercent,
					own,
					memoryTotalMb: undefined,
					lastFrameMs: -1,
					health: live === undefined ? {} : healthOf(live),
				};
				this.gpus.set(id, t);
				if (own !== undefined && this.history !== undefined) {
					for (const metric of ['temperatureC', 'memoryUsedMb', 'utilizationPercent'] as const)
						for (const p of this.history(id, metric)) if (Number.isFinite(p.value)) own[metric].push(p.timeMs, p.value);
					t.lastFrameMs = own.temperatureC.lastTime() ?? -1;
				}
			} else if (live !== undefined && t.own !== undefined) {
				// The same GPU now comes from a store: read its history from there on.
				t.temperatureC = live.temperatureC;
				t.memoryUsedMb = live.memoryUsedMb;
				t.utilizationPercent = live.utilizationPercent;
				t.health = healthOf(live);
				t.own = undefined;
			}
			t.index = row.index;
			t.name = row.name;
			t.lost = row.lost;
			if (row.memoryTotalMb.value !== undefined) t.memoryTotalMb = row.memoryTotalMb.value;
			const own = t.own;
			if (own === undefined || !fresh || row.lost || t.lastFrameMs === frame) continue;
			t.lastFrameMs = frame;
			const put = (ring: TimeRing, r: {value: number | undefined; stale?: boolean}) => {
				if (r.value !== undefined && !r.stale && Number.isFinite(r.value)) ring.push(frame, r.value);
			};
			put(own.temperatureC, row.temperatureC);
			put(own.memoryUsedMb, row.memoryUsedMb);
			put(own.utilizationPercent, row.utilizationPercent);
		}
		// A GPU that vanished from the frame altogether is lost too.
		for (const [id, t] of this.gpus) if (!seen.has(id)) t.lost = true;
		return [...this.gpus].map(([id, t]) => ({
			id,
			index: t.index,
			name: t.name,
			lost: t.lost,
			temperatureC: t.temperatureC,
			memoryUsedMb: t.memoryUsedMb,
			memoryTotalMb: t.memoryTotalMb,
			utilizationPercent: t.utilizationPercent,
			...(t.slowdownTempC !== undefined ? {slowdownTempC: t.slowdownTempC} : {}),
			...t.health,
		}));
	}
}
