/**
Energy per GPU, pure. From the driver's counter (`total_energy_consumption`, millijoules since the driver loaded) when
the GPU gives it; else integrated from power draw with the trapezoid rule and labelled an estimate. A counter that
goes back (the driver reloaded) restarts: the interval counts the new counter's value, a lower bound. A gap longer
than MAX_GAP_MS (the GPU was lost, mycotop was paused) is not bridged: neither energy nor GPU time is invented for it.
Totals since mycotop started and for the local day (reset at local midnight).
*/

/** Intervals longer than this are gaps: not integrated. */
const MAX_GAP_MS = 5 * 60_000;
const J_PER_KWH = 3_600_000;

type EnergySource = 'counter' | 'estimate';

export interface EnergyState {
	readonly lastTimeMs?: number;
	readonly lastCounterMj?: number;
	readonly lastPowerW?: number;
	/** Since mycotop started. */
	readonly joules: number;
	readonly seconds: number;
	/** The local day (`YYYY-MM-DD`) `todayJoules` belongs to. */
	readonly day?: string;
	readonly todayJoules: number;
	readonly todaySeconds: number;
	/** Where the last interval's energy came from. */
	readonly source?: EnergySource;
	/** Counter resets seen (driver reloads). */
	readonly resets: number;
}

export const EMPTY_ENERGY: EnergyState = {joules: 0, seconds: 0, todayJoules: 0, todaySeconds: 0, resets: 0};

/** The local calendar day of a time. */
export function localDay(timeMs: number): string {
	const d = new Date(timeMs);
	return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
The state after one sample: `counterMj` (the driver's counter, undefined when it gives none) and `powerW` (power draw,
undefined when unknown). Pure.
*/
export function addSample(state: EnergyState, timeMs: number, counterMj: number | undefined, powerW: number | undefined, day = localDay(timeMs)): EnergyState {
	const dt = state.lastTimeMs === undefined ? 0 : timeMs - state.lastTimeMs;
	let joules: number | undefined;
	let source: EnergySource | undefined;
	let resets = state.resets;
	if (dt > 0 && dt <= MAX_GAP_MS) {
		if (counterMj !== undefined && state.lastCounterMj !== undefined) {
			const delta = counterMj - state.lastCounterMj;
			if (delta < 0) resets += 1;
			joules = (delta >= 0 ? delta : counterMj) / 1000;
			source = 'counter';
		} else if (powerW !== undefined && state.lastPowerW !== undefined) {
			joules = ((state.lastPowerW + powerW) / 2) * (dt / 1000);
			source = 'estimate';
		}
	}
	const sameDay = state.day === day;
	const addJ = joules ?? 0;
	const addS = joules === undefined ? 0 : dt / 1000;
	return {
		lastTimeMs: timeMs,
		...(counterMj !== undefined ? {lastCounterMj: counterMj} : {}),
		...(powerW !== undefined ? {lastPowerW: powerW} : {}),
		joules: state.joules + addJ,
		seconds: state.seconds + addS,
		day,
		todayJoules: (sameDay ? state.todayJoules : 0) + addJ,
		todaySeconds: (sameDay ? state.todaySeconds : 0) + addS,
		...(source !== undefined ? {source} : state.source !== undefined ? {source: state.source} : {}),
		resets,
	};
}

/** What a GPU row shows of its energy. */
export interface GpuEnergy {
	readonly todayKwh: number;
	readonly sinceStartKwh: number;
	/** Hours of GPU time sampled today (intervals that were integrated). */
	readonly todayGpuHours: number;
	readonly source?: EnergySource;
	readonly resets: number;
}

export function gpuEnergy(state: EnergyState): GpuEnergy {
	return {
		todayKwh: state.todayJoules / J_PER_KWH,
		sinceStartKwh: state.joules / J_PER_KWH,
		todayGpuHours: state.todaySeconds / 3600,
		...(state.source !== undefined ? {source: state.source} : {}),
		resets: state.resets,
	};
}

/** Price and footprint settings (config `energy:`). */
export interface EnergyPricing {
	/** Price per kWh at the meter, in `currency`. */
	readonly pricePerKwh?: number;
	readonly currency?: string;
	/** Power usage effectiveness of the room (facility energy / IT energy), >= 1. Default 1. */
	readonly pue?: number;
	/** Grid carbon intensity, grams CO2e per kWh. */
	readonly gridGramsPerKwh?: number;
}

export interface BoxEnergy {
	readonly todayKwh: number;
	readonly sinceStartKwh: number;
	readonly todayGpuHours: number;
	/** 'counter' when every GPU's energy came from its counter, 'estimate' when none did, else 'mixed'. */
	readonly source: EnergySource | 'mixed' | 'none';
	/** With a price: today's cost at the meter (PUE included). */
	readonly todayCost?: number;
	readonly currency?: string;
	/** With a grid intensity: today's kg CO2e (PUE included). */
	readonly todayCo2eKg?: number;
}

/** The box's energy from its GPUs' and the pricing. Pure. */
export function boxEnergy(gpus: readonly GpuEnergy[], pricing: EnergyPricing = {}): BoxEnergy {
	const todayKwh = gpus.reduce((s, g) => s + g.todayKwh, 0);
	const sources = new Set(gpus.map((g) => g.source).filter((s) => s !== undefined));
	const source = sources.size === 0 ? 'none' : sources.size === 1 ? [...sources][0]! : 'mixed';
	const facilityKwh = todayKwh * Math.max(1, pricing.pue ?? 1);
	return {
		todayKwh,
		sinceStartKwh: gpus.reduce((s, g) => s + g.sinceStartKwh, 0),
		todayGpuHours: gpus.reduce((s, g) => s + g.todayGpuHours, 0),
		source,
		...(pricing.pricePerKwh !== undefined ? {todayCost: facilityKwh * pricing.pricePerKwh, ...(pricing.currency !== undefined ? {currency: pricing.currency} : {})} : {}),
		...(pricing.gridGramsPerKwh !== undefined ? {todayCo2eKg: (facilityKwh * pricing.gridGramsPerKwh) / 1000} : {}),
	};
}

/** `energy today: 12.4 kWh (estimate from power draw), 8.0 GPU-h, 3.72 EUR, 4.6 kg CO2e`. Pure. */
export function energyText(box: BoxEnergy): string {
	const how = box.source === 'counter' ? 'from the energy counters' : box.source === 'estimate' ? 'estimate from power draw' : box.source === 'mixed' ? 'counters and estimates' : 'no data';
	const parts = [`${box.todayKwh.toFixed(box.todayKwh < 10 ? 2 : 1)} kWh (${how})`, `${box.todayGpuHours.toFixed(1)} GPU-h`];
	if (box.todayCost !== undefined) parts.push(`${box.todayCost.toFixed(2)}${box.currency !== undefined ? ` ${box.currency}` : ''}`);
	if (box.todayCo2eKg !== undefined) parts.push(`${box.todayCo2eKg.toFixed(1)} kg CO2e`);
	return `energy today: ${parts.join(', ')}`;
}
