/**
GPU health as pure decisions over the readings nvidia-smi gives: which clock event (throttle) reasons are active and
since when, whether the PCIe link trained down, what the ECC counters say, and the Xid events seen in the loop
output. The store keeps the state (since-times, Xid counts); everything here is a function of its inputs.
*/
import {type Reading} from './gpu-snapshot.js';
import {type HealthMetric} from './query-fields.js';

/** The clock event reasons mycotop asks for, as short badge names (the order the badge lists them in). */
const THROTTLE_REASONS = [
	{metric: 'throttleHwThermal', name: 'HW-THERM', kind: 'thermal', help: 'hardware thermal slowdown (the GPU or its memory is too hot)'},
	{metric: 'throttleSwThermal', name: 'SW-THERM', kind: 'thermal', help: 'software thermal slowdown (the driver lowers clocks to hold the temperature target)'},
	{metric: 'throttleHwPowerBrake', name: 'PWR-BRAKE', kind: 'power', help: 'hardware power brake (an external signal, e.g. the power supply)'},
	{metric: 'throttleSwPowerCap', name: 'PWR-CAP', kind: 'power', help: 'software power cap (the draw reached power.limit)'},
	{metric: 'throttleHwSlowdown', name: 'HW-SLOW', kind: 'hardware', help: 'hardware slowdown (thermal or power brake)'},
	{metric: 'throttleSyncBoost', name: 'SYNC', kind: 'other', help: 'sync boost (clocks held to the slowest GPU of a sync-boost group)'},
] as const satisfies ReadonlyArray<{metric: HealthMetric; name: string; kind: string; help: string}>;

export type ThrottleMetric = (typeof THROTTLE_REASONS)[number]['metric'];

export interface ActiveThrottle {
	readonly name: string;
	readonly kind: 'thermal' | 'power' | 'hardware' | 'other';
	readonly sinceMs: number;
}

/**
The next since-times of the throttle reasons: a reason that turns active starts at `nowMs`, one that stays keeps its
start, one that stops is removed; an unknown reading (sentinel, not queried) keeps what was known. Pure.
*/
export function nextThrottleSince(
	previous: Readonly<Partial<Record<ThrottleMetric, number>>>,
	readings: Readonly<Partial<Record<HealthMetric, Reading>>>,
	nowMs: number,
): Partial<Record<ThrottleMetric, number>> {
	const next: Partial<Record<ThrottleMetric, number>> = {};
	for (const {metric} of THROTTLE_REASONS) {
		const reading = readings[metric];
		const fresh = reading !== undefined && !reading.stale ? reading.value : undefined;
		const before = previous[metric];
		if (fresh === undefined) {
			if (before !== undefined) next[metric] = before;
		} else if (fresh >= 1) next[metric] = before ?? nowMs;
	}
	return next;
}

/** The active reasons, in badge order. Pure. */
export function activeThrottles(since: Readonly<Partial<Record<ThrottleMetric, number>>>): ActiveThrottle[] {
	const out: ActiveThrottle[] = [];
	for (let i = 0; i < THROTTLE_REASONS.length; i++) {
		const reason = THROTTLE_REASONS[i]!;
		const at = since[reason.metric];
		if (at !== undefined) out.push({name: reason.name, kind: reason.kind, sinceMs: at});
	}
	return out;
}

/** 1 while any thermal reason is active, 0 while none is, undefined when no reason is known. Pure. */
export function throttleFlag(readings: Readonly<Partial<Record<HealthMetric, Reading>>>, kind: 'thermal' | 'power'): number | undefined {
	let known = false;
	for (let i = 0; i < THROTTLE_REASONS.length; i++) {
		const reason = THROTTLE_REASONS[i]!;
		if (reason.kind !== kind) continue;
		const reading = readings[reason.metric];
		if (reading === undefined || reading.stale || reading.value === undefined) continue;
		known = true;
		if (reading.value >= 1) return 1;
	}
	return known ? 0 : undefined;
}

/** A busy GPU's link should run at its top generation; an idle one lowers it to save power, which is normal. */
const BUSY_PERCENT = 50;

export interface LinkState {
	/** "x16 gen5" style text of the current link, undefined when unknown. */
	readonly current?: string;
	readonly max?: string;
	/** Undefined when the readings do not tell. */
	readonly degraded: boolean | undefined;
	/** Why it is degraded ("x8 of x16", "gen3 of gen5 while busy"). */
	readonly reason?: string;
}

function fresh(reading: Reading | undefined): number | undefined {
	return reading === undefined || reading.stale ? undefined : reading.value;
}

/**
The PCIe link against its maximum. A width below the maximum is degraded (a link trained down: a riser, a dirty
slot); a generation below the maximum only counts while the GPU is busy (>= 50 % utilization), since GPUs lower the
link generation when idle. Pure.
*/
export function linkState(readings: Readonly<Partial<Record<HealthMetric, Reading>>>, utilizationPercent: number | undefined): LinkState {
	const genCur = fresh(readings.pcieGenCurrent);
	const genMax = fresh(readings.pcieGenMax);
	const widthCur = fresh(readings.pcieWidthCurrent);
	const widthMax = fresh(readings.pcieWidthMax);
	const text = (width: number | undefined, gen: number | undefined) =>
		width === undefined && gen === undefined ? undefined : [width !== undefined ? `x${width}` : undefined, gen !== undefined ? `gen${gen}` : undefined].filter(Boolean).join(' ');
	const current = text(widthCur, genCur);
	const max = text(widthMax, genMax);
	const base = {...(current !== undefined ? {current} : {}), ...(max !== undefined ? {max} : {})};
	const reasons: string[] = [];
	if (widthCur !== undefined && widthMax !== undefined && widthCur < widthMax) reasons.push(`x${widthCur} of x${widthMax}`);
	const busy = utilizationPercent !== undefined && utilizationPercent >= BUSY_PERCENT;
	if (genCur !== undefined && genMax !== undefined && genCur < genMax && busy) reasons.push(`gen${genCur} of gen${genMax} while busy`);
	if (reasons.length > 0) return {...base, degraded: true, reason: reasons.join(', ')};
	const widthKnown = widthCur !== undefined && widthMax !== undefined;
	const genKnown = genCur !== undefined && genMax !== undefined && utilizationPercent !== undefined;
	return {...base, degraded: widthKnown || genKnown ? false : undefined};
}

export interface EccState {
	readonly correctedVolatile?: number;
	readonly uncorrectedVolatile?: number;
	readonly correctedAggregate?: number;
	readonly uncorrectedAggregate?: number;
	/** A retired page or a remapped row waits for a GPU reset. */
	readonly pending: boolean;
	/** 'error' when an uncorrectable error happened since the driver loaded or a repair is pending; 'corrected' when only corrected ones; 'ok'; 'unknown' when ECC is off or not supported. */
	readonly level: 'error' | 'corrected' | 'ok' | 'unknown';
}

/** The ECC counters and pending repairs as one state. A stale counter still counts (errors do not go away). Pure. */
export function eccState(readings: Readonly<Partial<Record<HealthMetric, Reading>>>): EccState {
	const v = (m: HealthMetric) => readings[m]?.value;
	const correctedVolatile = v('eccCorrectedVolatile');
	const uncorrectedVolatile = v('eccUncorrectedVolatile');
	const correctedAggregate = v('eccCorrectedAggregate');
	const uncorrectedAggregate = v('eccUncorrectedAggregate');
	const pending = v('retiredPagesPending') === 1 || v('remappedRowsPending') === 1;
	const counts = {
		...(correctedVolatile !== undefined ? {correctedVolatile} : {}),
		...(uncorrectedVolatile !== undefined ? {uncorrectedVolatile} : {}),
		...(correctedAggregate !== undefined ? {correctedAggregate} : {}),
		...(uncorrectedAggregate !== undefined ? {uncorrectedAggregate} : {}),
	};
	const anyKnown = Object.keys(counts).length > 0 || readings.retiredPagesPending?.value !== undefined || readings.remappedRowsPending?.value !== undefined;
	let level: EccState['level'] = 'unknown';
	if ((uncorrectedVolatile ?? 0) > 0 || pending) level = 'error';
	else if ((correctedVolatile ?? 0) > 0) level = 'corrected';
	else if (anyKnown) level = 'ok';
	return {...counts, pending, level};
}

export interface XidEvent {
	readonly xid: number;
	readonly timeMs: number;
	/** The PCI address printed in the line (`0000:18:00`), when there is one. */
	readonly pci?: string;
}

/** Control characters other than a tab, DEL, and U+FFFD (bytes that were not UTF-8). */
const NOT_TEXT = /[\u0000-\u0008\u000a-\u001f\u007f\ufffd]/;

/**
An Xid event line from the loop output (`Xid (PCI:0000:18:00): 79, pid=..., GPU has fallen off the bus.`, as the
kernel's NVRM lines read), or undefined for any other line. Pure.
*/
export function parseXidLine(line: string, timeMs: number): XidEvent | undefined {
	// Not text (control characters other than a tab, or bytes that were not UTF-8): noise that may hold "Xid" and a
	// number by chance, never the kernel's line.
	if (NOT_TEXT.test(line)) return undefined;
	const m = /\bXid\s*\((?:PCI:)?\s*([0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2})(?:\.[0-9A-Fa-f])?\)\s*:\s*(\d{1,4})\b/.exec(line);
	if (m !== null) return {xid: Number(m[2]), timeMs, pci: m[1]!.toLowerCase()};
	const bare = /\bXid\b[^0-9]{0,8}(\d{1,4})\b/.exec(line);
	return bare === null ? undefined : {xid: Number(bare[1]), timeMs};
}

/** Domain, bus and device of a PCI address (`00000000:18:00.0` or `0000:18:00`), for matching. Pure. */
export function pciKey(address: string): string | undefined {
	const m = /([0-9A-Fa-f]{4,8}):([0-9A-Fa-f]{2}):([0-9A-Fa-f]{2})/.exec(address);
	if (m === null) return undefined;
	return `${parseInt(m[1]!, 16).toString(16)}:${m[2]!.toLowerCase()}:${m[3]!.toLowerCase()}`;
}

/** "45s", "12m", "3h" for how long something has been so. Pure. */
export function shortDuration(ms: number): string {
	const s = Math.max(0, Math.floor(ms / 1000));
	if (s < 60) return `${s}s`;
	if (s < 3600) return `${Math.floor(s / 60)}m`;
	if (s < 86_400) return `${Math.floor(s / 3600)}h`;
	return `${Math.floor(s / 86_400)}d`;
}

export interface GpuHealth {
	/** The health readings (unknown ones with their reason), keyed as in HEALTH_FIELDS. */
	readonly readings: Readonly<Partial<Record<HealthMetric, Reading>>>;
	readonly throttles: readonly ActiveThrottle[];
	readonly link: LinkState;
	readonly ecc: EccState;
	/** Xid lines attributed to this GPU since mycotop started, and the newest. */
	readonly xidCount: number;
	readonly lastXid?: XidEvent;
}

/** The health badge parts, most serious first: `XID 79 2m`, `ECC!`, `LINK x8/16`, `HW-THERM 3m`, `PWR-CAP 12m`. Pure. */
export function healthBadges(health: GpuHealth | undefined, nowMs: number): Array<{text: string; tone: 'critical' | 'warn' | 'muted'}> {
	if (health === undefined) return [];
	const out: Array<{text: string; tone: 'critical' | 'warn' | 'muted'}> = [];
	if (health.lastXid !== undefined) out.push({text: `XID ${health.lastXid.xid} ${shortDuration(nowMs - health.lastXid.timeMs)}`, tone: 'critical'});
	if (health.ecc.level === 'error') out.push({text: health.ecc.pending && (health.ecc.uncorrectedVolatile ?? 0) === 0 ? 'ECC pending' : `ECC ${health.ecc.uncorrectedVolatile ?? 0}!`, tone: 'critical'});
	if (health.link.degraded === true) out.push({text: `LINK ${health.link.current ?? '?'}`, tone: 'warn'});
	for (const t of health.throttles) {
		if (t.kind === 'other') continue;
		out.push({text: `${t.name} ${shortDuration(nowMs - t.sinceMs)}`, tone: t.name === 'PWR-CAP' ? 'muted' : 'warn'});
	}
	if (health.ecc.level === 'corrected') out.push({text: `ECC ${health.ecc.correctedVolatile ?? 0}c`, tone: 'muted'});
	return out;
}

/** The badge as one line of plain text (`--once`). Pure. */
export function healthText(health: GpuHealth | undefined, nowMs: number): string {
	return healthBadges(health, nowMs)
		.map((b) => b.text)
		.join(' ');
}
