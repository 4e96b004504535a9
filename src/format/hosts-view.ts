/**
The hosts pane's rows as text cells, and the `--once` lines: pure. Every column is measured in display cells
(text-width.ts); a row is exactly the width it is given.

  ›● gpu-node-07        8  85/100%   425G/637G   64°  4.1kW   2!  fresh 1s
   host (to fit)       GPUs util    mem          hottest power  firing  state, last seen
*/
import {type FleetHost, type FleetSnapshot} from '../fleet/fleet-view.js';
import {type HostSummary} from '../fleet/host-summary.js';
import {fitCells, padCells} from './text-width.js';
import {formatMb, formatSpan} from './units.js';
import {MAX_FLEET_HOSTS} from '../contract/limits.js';

/** Cells of each fixed column (the host name takes what is left, between HOST_MIN and HOST_MAX). */
export const HOST_COLUMNS = {gpus: 3, util: 8, memory: 11, temp: 5, power: 6, alerts: 4, seen: 10} as const;
const HOST_MIN = 8;
const HOST_MAX = 40;
/** Marker + the gaps between columns. */
const FIXED = 1 + 7 + Object.values(HOST_COLUMNS).reduce((s, w) => s + w, 0);

export function hostNameWidth(width: number): number {
	return Math.max(HOST_MIN, Math.min(HOST_MAX, width - FIXED - 1));
}

type HostTone = 'ok' | 'warn' | 'critical' | 'muted';

/** One cell group of a host row, with how it is coloured. */
export interface HostCell {
	readonly key: string;
	readonly text: string;
	readonly tone?: HostTone;
}

function number(value: number | undefined, digits = 0): string {
	return value === undefined ? '?' : value.toFixed(digits);
}

function powerText(watts: number | undefined): string {
	if (watts === undefined) return '?';
	return watts >= 1000 ? `${(watts / 1000).toFixed(1)}kW` : `${Math.round(watts)}W`;
}

function tempTone(c: number | undefined): HostTone | undefined {
	if (c === undefined) return undefined;
	return c > 85 ? 'critical' : c >= 75 ? 'warn' : undefined;
}

/** `fresh 1s`, `stale 12s`, `lost 5m`: the state and how long ago the host was last seen (by our clock). */
function seenText(host: Pick<FleetHost, 'state' | 'lastSeenMs'>, nowMs: number): string {
	return `${host.state} ${formatSpan(Math.max(0, nowMs - host.lastSeenMs))}`;
}

/** The cells of one host row for a pane `width` cells wide (the cells plus single spaces fill it exactly). */
export function hostCells(host: FleetHost, nowMs: number, width: number, degrees = '°'): HostCell[] {
	const s: HostSummary | undefined = host.summary;
	const muted = host.state !== 'fresh';
	const name = `${host.self ? '*' : ' '}${host.host}`;
	const utilText = s === undefined ? '?' : `${number(s.utilMeanPercent)}/${number(s.utilMaxPercent)}%`;
	const memText = s === undefined ? '?' : `${formatMb(s.memoryUsedMb)}/${formatMb(s.memoryTotalMb)}`;
	const alerts = s?.firingAlerts;
	return [
		{key: 'host', text: fitCells(name, hostNameWidth(width)), ...(muted ? {tone: 'muted' as const} : {})},
		{key: 'gpus', text: padCells(s?.gpuCount === undefined ? '?' : String(s.gpuCount), HOST_COLUMNS.gpus, 'right')},
		{key: 'util', text: fitCells(utilText, HOST_COLUMNS.util, '…', 'right')},
		{key: 'memory', text: fitCells(memText, HOST_COLUMNS.memory, '…', 'right')},
		{key: 'temp', text: padCells(`${number(s?.hottestC)}${s?.hottestC === undefined ? '' : degrees}`, HOST_COLUMNS.temp, 'right'), ...(tempTone(s?.hottestC) ? {tone: tempTone(s?.hottestC)!} : {})},
		{key: 'power', text: fitCells(powerText(s?.powerW), HOST_COLUMNS.power, '…', 'right')},
		{
			key: 'alerts',
			text: fitCells(alerts === undefined ? '?' : alerts > 0 ? `${alerts > 999 ? '>999' : alerts}!` : '0', HOST_COLUMNS.alerts, '…', 'right'),
			...(alerts !== undefined && alerts > 0 ? {tone: 'critical' as const} : {}),
		},
		{key: 'seen', text: fitCells(seenText(host, nowMs), HOST_COLUMNS.seen), tone: host.state === 'lost' ? 'critical' : host.state === 'stale' ? 'warn' : 'ok'},
	];
}

/** The pane title's counts: `16 hosts · 128 GPUs · 1 stale · 2 lost`, and a read error or limit when there is one. */
export function hostsInfo(fleet: FleetSnapshot): string {
	const parts = [`${fleet.hosts.length} host${fleet.hosts.length === 1 ? '' : 's'}`];
	const gpus = fleet.hosts.reduce((sum, h) => sum + (h.summary?.gpuCount ?? 0), 0);
	parts.push(`${gpus} GPUs`);
	const stale = fleet.hosts.filter((h) => h.state === 'stale').length;
	const lost = fleet.hosts.filter((h) => h.state === 'lost').length;
	if (stale > 0) parts.push(`${stale} stale`);
	if (lost > 0) parts.push(`${lost} lost`);
	if (fleet.truncated) parts.push(`only the ${MAX_FLEET_HOSTS} seen last read`);
	if ((fleet.farAhead ?? 0) > 0) parts.push(`${fleet.farAhead} with a time over 1h ahead of this clock, not read`);
	if (fleet.invalidNames + fleet.malformed > 0) parts.push(`${fleet.invalidNames + fleet.malformed} malformed`);
	if (fleet.error !== undefined) parts.push(`read failed: ${fleet.error}`);
	if (fleet.conflict !== undefined) parts.push(fleet.conflict);
	return parts.join(' · ');
}

/** `--once`'s lines for the fleet. */
export function hostsOnceLines(fleet: FleetSnapshot, nowMs: number): string[] {
	const lines = [`hosts: ${hostsInfo(fleet)} (stale after ${formatSpan(fleet.thresholds.staleAfterMs)}, lost after ${formatSpan(fleet.thresholds.lostAfterMs)})`];
	for (const h of fleet.hosts) {
		const s = h.summary;
		const figures =
			s === undefined
				? 'no summary'
				: `${s.gpuCount ?? '?'} GPUs (${s.gpuState ?? '?'}), util ${number(s.utilMeanPercent)}% mean ${number(s.utilMaxPercent)}% max, mem ${formatMb(s.memoryUsedMb)}/${formatMb(s.memoryTotalMb)}, hottest ${number(s.hottestC)} C, power ${powerText(s.powerW)}, ${s.firingAlerts ?? '?'} firing, v${s.version ?? '?'}`;
		lines.push(`  ${h.host}${h.self ? ' (this box)' : ''}: ${seenText(h, nowMs)} ago, ${figures}${s?.malformed ? ` [malformed: ${s.malformed.join(', ')}]` : ''}`);
	}
	return lines;
}
