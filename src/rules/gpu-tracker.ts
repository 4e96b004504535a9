/**
GPU readings for the rules, built from the GPU part's snapshots (src/gpu/gpu-snapshot.ts): one bounded series per
GPU (by UUID) and reading, appended whenever a new frame arrives. Readings that nvidia-smi did not give, or that
are only the last good value (`stale`), are not appended, so a silent sensor ages into "no data".
*/
import {type GpuSnapshot} from '../gpu/gpu-snapshot.js';
import {type GpuInput} from './rule-types.js';
import {TimeRing} from './time-ring.js';

interface Tracked {
	index: number;
	name: string;
	lost: boolean;
	readonly temperatureC: TimeRing;
	readonly memoryUsedMb: TimeRing;
	readonly utilizationPercent: TimeRing;
	memoryTotalMb: number | undefined;
	slowdownTempC?: number;
	lastFrameMs: number;
}

export class GpuTracker {
	private readonly gpus = new Map<string, Tracked>();
	private lastFrameMs = -1;

	/**
	`history` (optional) seeds a GPU's series the first time it is seen, e.g. from the GPU store's own history,
	so a leak that began before mycotop started is still a slope.
	*/
	constructor(
		private readonly capacity = 1800,
		private readonly history?: (uuid: string, metric: 'temperatureC' | 'memoryUsedMb' | 'utilizationPercent') => ReadonlyArray<{readonly timeMs: number; readonly value: number}>,
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
			let t = this.gpus.get(id);
			if (t === undefined) {
				t = {
					index: row.index,
					name: row.name,
					lost: row.lost,
					temperatureC: new TimeRing(this.capacity),
					memoryUsedMb: new TimeRing(this.capacity),
					utilizationPercent: new TimeRing(this.capacity),
					memoryTotalMb: undefined,
					lastFrameMs: -1,
				};
				this.gpus.set(id, t);
				if (this.history !== undefined) {
					for (const metric of ['temperatureC', 'memoryUsedMb', 'utilizationPercent'] as const)
						for (const p of this.history(id, metric)) if (Number.isFinite(p.value)) t[metric].push(p.timeMs, p.value);
					t.lastFrameMs = t.temperatureC.lastTime() ?? -1;
				}
			}
			t.index = row.index;
			t.name = row.name;
			t.lost = row.lost;
			if (row.memoryTotalMb.value !== undefined) t.memoryTotalMb = row.memoryTotalMb.value;
			if (!fresh || row.lost || t.lastFrameMs === frame) continue;
			t.lastFrameMs = frame;
			const put = (ring: TimeRing, r: {value: number | undefined; stale?: boolean}) => {
				if (r.value !== undefined && !r.stale && Number.isFinite(r.value)) ring.push(frame, r.value);
			};
			put(t.temperatureC, row.temperatureC);
			put(t.memoryUsedMb, row.memoryUsedMb);
			put(t.utilizationPercent, row.utilizationPercent);
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
		}));
	}
}
