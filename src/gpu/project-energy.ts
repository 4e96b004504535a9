/**
Energy per project, pure. Each GPU's energy interval (energy.ts: the counter's delta, or the trapezoid of power draw)
is split **evenly** among the distinct projects whose processes were on that GPU at the last process poll, and so is
the interval's GPU time: two projects sharing a GPU get half each. Evenly, not by the processes' used memory: memory
says little about who keeps the SMs busy, and nvidia-smi gives no per-process memory on MIG or some drivers. An
interval on a GPU with no project (idle, or processes no training message names) is attributed to none: the box
total holds it, the projects' sums never exceed it.

Totals per project over its local day (reset at midnight, like the GPUs') and over its run: since mycotop first tied
it to a GPU (it restarts with mycotop).
*/
import {localDay, type EnergyPricing} from './energy.js';

const J_PER_KWH = 3_600_000;

/** One project's share of one interval. */
export interface EnergyShare {
	readonly projectId: string;
	readonly joules: number;
	readonly seconds: number;
}

/** Split one GPU interval evenly among its distinct projects (none: nothing attributed). Pure. */
export function splitInterval(joules: number, seconds: number, projects: readonly string[]): EnergyShare[] {
	const distinct = [...new Set(projects)];
	if (distinct.length === 0 || !(joules >= 0) || !(seconds >= 0) || !Number.isFinite(joules) || !Number.isFinite(seconds)) return [];
	const n = distinct.length;
	return distinct.map((projectId) => ({projectId, joules: joules / n, seconds: seconds / n}));
}

export interface ProjectEnergyState {
	readonly joules: number;
	readonly seconds: number;
	readonly day: string;
	readonly todayJoules: number;
	readonly todaySeconds: number;
	/** When mycotop first attributed energy to the project (the start of its run totals). */
	readonly sinceMs: number;
	/** Some of its energy was integrated from power draw (an estimate). */
	readonly estimated: boolean;
}

/** The project's state after its share of an interval that began at `startMs`, in local day `day`. Pure. */
export function addShare(state: ProjectEnergyState | undefined, share: EnergyShare, startMs: number, estimated: boolean, day = localDay(startMs)): ProjectEnergyState {
	const sameDay = state?.day === day;
	return {
		joules: (state?.joules ?? 0) + share.joules,
		seconds: (state?.seconds ?? 0) + share.seconds,
		day,
		todayJoules: (sameDay ? state.todayJoules : 0) + share.joules,
		todaySeconds: (sameDay ? state.todaySeconds : 0) + share.seconds,
		sinceMs: state?.sinceMs ?? startMs,
		estimated: (state?.estimated ?? false) || estimated,
	};
}

/**
A project's state read back from Redis (`stored`, an earlier instance's totals) joined with what this instance
attributed before the read-back arrived (`live`, Redis reached late): their sums, the run from the earlier start.
When `stored` is this instance's own figure (it wrote before it read: the same start), `live` already holds it. Pure.
*/
export function joinStored(live: ProjectEnergyState, stored: ProjectEnergyState): ProjectEnergyState {
	if (stored.sinceMs === live.sinceMs) return live;
	// Today's figures of the later local day (`YYYY-MM-DD` sorts as text); both when it is the same day.
	const day = stored.day > live.day ? stored.day : live.day;
	const today = (s: ProjectEnergyState, field: 'todayJoules' | 'todaySeconds') => (s.day === day ? s[field] : 0);
	return {
		joules: live.joules + stored.joules,
		seconds: live.seconds + stored.seconds,
		day,
		todayJoules: today(live, 'todayJoules') + today(stored, 'todayJoules'),
		todaySeconds: today(live, 'todaySeconds') + today(stored, 'todaySeconds'),
		sinceMs: Math.min(live.sinceMs, stored.sinceMs),
		estimated: live.estimated || stored.estimated,
	};
}

/** Energy that went to no project (GPU intervals without one) since this instance started, and over its local day. */
export interface UnattributedState {
	readonly joules: number;
	readonly day?: string;
	readonly todayJoules: number;
}

export const NO_UNATTRIBUTED: UnattributedState = {joules: 0, todayJoules: 0};

/** After an interval of `joules` that no project ran, in local day `day`. Pure. */
export function addUnattributed(state: UnattributedState, joules: number, day: string | undefined): UnattributedState {
	if (!(joules > 0) || !Number.isFinite(joules)) return state;
	return {joules: state.joules + joules, ...(day !== undefined ? {day} : {}), todayJoules: (state.day === day ? state.todayJoules : 0) + joules};
}

/** What the training pane, `--once` and Redis show of a project's energy. */
export interface ProjectEnergy {
	readonly projectId: string;
	readonly todayKwh: number;
	readonly todayGpuHours: number;
	readonly runKwh: number;
	readonly runGpuHours: number;
	/** Start of the run totals (ms since epoch). */
	readonly sinceMs: number;
	/** GPU indices its processes are on now (empty: none at the last poll). */
	readonly gpus: readonly number[];
	readonly estimated: boolean;
	readonly currency?: string;
	readonly todayCost?: number;
	readonly runCost?: number;
	readonly todayCo2eKg?: number;
	readonly runCo2eKg?: number;
}

/**
A project's figures at `nowDay` (a state from an earlier day has nothing today), with cost and CO2e at the meter
(kWh × PUE × price, × grid intensity) when the `energy:` config gives them. Pure.
*/
export function projectEnergy(projectId: string, state: ProjectEnergyState, nowDay: string, gpus: readonly number[], pricing: EnergyPricing = {}): ProjectEnergy {
	const today = state.day === nowDay;
	const todayKwh = today ? state.todayJoules / J_PER_KWH : 0;
	const runKwh = state.joules / J_PER_KWH;
	const pue = Math.max(1, pricing.pue ?? 1);
	const price = pricing.pricePerKwh;
	const grid = pricing.gridGramsPerKwh;
	return {
		projectId,
		todayKwh,
		todayGpuHours: today ? state.todaySeconds / 3600 : 0,
		runKwh,
		runGpuHours: state.seconds / 3600,
		sinceMs: state.sinceMs,
		gpus,
		estimated: state.estimated,
		...(price !== undefined ? {todayCost: todayKwh * pue * price, runCost: runKwh * pue * price, ...(pricing.currency !== undefined ? {currency: pricing.currency} : {})} : {}),
		...(grid !== undefined ? {todayCo2eKg: (todayKwh * pue * grid) / 1000, runCo2eKg: (runKwh * pue * grid) / 1000} : {}),
	};
}

/** `1.23 kWh` in at most 9 cells: two decimals under 10, one under 1000, none beyond, MWh from 99,999.5 kWh. Pure. */
export function kwhText(kwh: number): string {
	if (!Number.isFinite(kwh) || kwh < 0) return '? kWh';
	if (kwh < 9.995) return `${kwh.toFixed(2)} kWh`;
	if (kwh < 999.95) return `${kwh.toFixed(1)} kWh`;
	if (kwh < 99_999.5) return `${Math.round(kwh)} kWh`;
	if (kwh < 9_999_500) return `${Math.round(kwh / 1000)} MWh`;
	return '>9999 MWh';
}

/** `today 1.23 kWh, 0.50 GPU-h, 0.37 EUR, 0.2 kg CO2e; run 3.40 kWh, 1.4 GPU-h, 1.02 EUR since 05:12 (est.)`. Pure. */
export function projectEnergyText(p: ProjectEnergy): string {
	const money = (v: number | undefined) => (v === undefined ? [] : [`${v.toFixed(2)}${p.currency !== undefined ? ` ${p.currency}` : ''}`]);
	const co2 = (v: number | undefined) => (v === undefined ? [] : [`${v.toFixed(1)} kg CO2e`]);
	const today = [kwhText(p.todayKwh), `${p.todayGpuHours.toFixed(2)} GPU-h`, ...money(p.todayCost), ...co2(p.todayCo2eKg)];
	const run = [kwhText(p.runKwh), `${p.runGpuHours.toFixed(2)} GPU-h`, ...money(p.runCost), ...co2(p.runCo2eKg)];
	const on = p.gpus.length === 0 ? 'on no GPU now' : `on GPU ${p.gpus.join(', ')}`;
	return `today ${today.join(', ')}; run ${run.join(', ')} since ${new Date(p.sinceMs).toISOString()}; ${on}${p.estimated ? ' (estimate from power draw)' : ''}`;
}

/**
`--once`'s lines for the projects' energy: one per project, then what no project was tied to since this instance
started (counted interval by interval, not the box's minus the projects': those may hold energy read back from an
earlier run). Nothing when no GPU process was ever tied to a project. Pure.
*/
export function projectEnergyLines(gpu: {readonly projects?: readonly ProjectEnergy[]; readonly unattributed?: {readonly todayKwh: number; readonly sinceStartKwh: number}}): string[] {
	const projects = gpu.projects ?? [];
	if (projects.length === 0) return [];
	const lines = projects.map((p) => `  energy of project ${p.projectId}: ${projectEnergyText(p)}`);
	// Counted as it went to no project: the projects' figures read back at start hold energy this instance never saw.
	if (gpu.unattributed !== undefined) lines.push(`  energy tied to no project: today ${kwhText(gpu.unattributed.todayKwh)}, since start ${kwhText(gpu.unattributed.sinceStartKwh)}`);
	return lines;
}
