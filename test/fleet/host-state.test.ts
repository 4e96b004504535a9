/**
The fleet's pure decisions: a host's state from its age (fresh, stale, lost, gone), the thresholds' order, the
summary hash both ways with hostile values, another box's GPU hash read back, the --host name rule, and the fleet
view built from a registry read.
*/
import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {fleetThresholds, hostState, MAX_THRESHOLD_MS, type HostState} from '../../src/fleet/host-state.js';
import {parseSummary, summaryFields} from '../../src/fleet/host-summary.js';
import {checkHostName, defaultHostName} from '../../src/fleet/host-name.js';
import {fleetHosts, viewedGpu, type FleetSnapshot} from '../../src/fleet/fleet-view.js';
import {gpuRowFromHash, historyValues, remoteGpuSnapshot, stateUuids} from '../../src/fleet/gpu-from-hash.js';
import {fleetThresholdsFrom} from '../../src/fleet/fleet-config.js';
import {parseFlags} from '../../src/config/flags.js';
import {gpuCurrentFields, hostStateFields} from '../../src/gpu/redis-entries.js';
import {type GpuRow, type Reading} from '../../src/gpu/gpu-snapshot.js';

const T = {staleAfterMs: 3000, lostAfterMs: 60_000, expireAfterMs: 86_400_000};
const NOW = Date.UTC(2026, 11, 6, 12);

describe('hostState', () => {
	it('fresh within the stale threshold, stale until the lost threshold, lost until the expiry, then gone', () => {
		expect(hostState(NOW, NOW, T)).toBe('fresh');
		expect(hostState(NOW - 3000, NOW, T)).toBe('fresh');
		expect(hostState(NOW - 3001, NOW, T)).toBe('stale');
		expect(hostState(NOW - 60_000, NOW, T)).toBe('stale');
		expect(hostState(NOW - 60_001, NOW, T)).toBe('lost');
		expect(hostState(NOW - 86_400_000, NOW, T)).toBe('lost');
		expect(hostState(NOW - 86_400_001, NOW, T)).toBeUndefined();
	});

	it('a clock ahead of ours counts as just seen; a slow box is judged by 3 of its own intervals', () => {
		expect(hostState(NOW + 120_000, NOW, T)).toBe('fresh');
		expect(hostState(NOW - 10_000, NOW, T, 5000)).toBe('fresh');
		expect(hostState(NOW - 16_000, NOW, T, 5000)).toBe('stale');
		expect(hostState(Number.NaN, NOW, T)).toBe('lost');
	});

	it('the state never goes back as a host gets older (property)', () => {
		const rank: Record<HostState | 'gone', number> = {fresh: 0, stale: 1, lost: 2, gone: 3};
		fc.assert(
			fc.property(fc.integer({min: 0, max: 2 * 86_400_000}), fc.integer({min: 0, max: 2 * 86_400_000}), fc.integer({min: 250, max: 60_000}), (a, b, interval) => {
				const t = fleetThresholds(interval);
				const [young, old] = a <= b ? [a, b] : [b, a];
				const s1 = hostState(NOW - young, NOW, t) ?? 'gone';
				const s2 = hostState(NOW - old, NOW, t) ?? 'gone';
				expect(rank[s1]).toBeLessThanOrEqual(rank[s2]);
			}),
		);
	});

	it('thresholds default to 3 intervals (at least 3 s), 60 s and 24 h, and stay ordered whatever is configured', () => {
		expect(fleetThresholds(1000)).toEqual({staleAfterMs: 3000, lostAfterMs: 60_000, expireAfterMs: 86_400_000});
		expect(fleetThresholds(30_000).staleAfterMs).toBe(90_000);
		expect(fleetThresholds(30_000).lostAfterMs).toBe(270_000);
		fc.assert(
			fc.property(fc.integer({min: 1, max: 3_600_000}), fc.option(fc.double()), fc.option(fc.double()), fc.option(fc.double()), (interval, stale, lost, expire) => {
				const t = fleetThresholds(interval, {
					...(stale !== null ? {staleAfterMs: stale} : {}),
					...(lost !== null ? {lostAfterMs: lost} : {}),
					...(expire !== null ? {expireAfterMs: expire} : {}),
				});
				expect(t.staleAfterMs).toBeGreaterThanOrEqual(1);
				expect(t.lostAfterMs).toBeGreaterThan(t.staleAfterMs);
				expect(t.expireAfterMs).toBeGreaterThan(t.lostAfterMs);
				expect(t.expireAfterMs).toBeLessThanOrEqual(MAX_THRESHOLD_MS + 2);
			}),
		);
	});

	it('the config section sets them (durations)', () => {
		expect(fleetThresholdsFrom({staleAfter: '1s', lostAfter: '4s', expireAfter: '1h'}, 250)).toEqual({staleAfterMs: 1000, lostAfterMs: 4000, expireAfterMs: 3_600_000});
		expect(fleetThresholdsFrom(undefined, 1000)).toEqual(fleetThresholds(1000));
	});
});

function reading(value: number | undefined, extra: Partial<Reading> = {}): Reading {
	return {value, ...extra};
}

function row(index: number, util: number | undefined, partial: Partial<GpuRow> = {}): GpuRow {
	return {
		index,
		uuid: `GPU-${index}`,
		name: 'NVIDIA H100 80GB HBM3',
		utilizationPercent: reading(util),
		memoryUtilizationPercent: reading(10),
		memoryUsedMb: reading(1000 * (index + 1)),
		memoryTotalMb: reading(81_559),
		temperatureC: reading(50 + index),
		powerDrawW: reading(300),
		powerLimitW: reading(700),
		fanPercent: reading(undefined, {reason: '[N/A]'}),
		smClockMhz: reading(1980),
		pstate: 'P0',
		utilizationHistory: [],
		lost: false,
		processes: [],
		...partial,
	};
}

describe('the summary hash', () => {
	it('sums and means over known, fresh readings of GPUs that are not lost; unknown is empty, never 0', () => {
		const fields = summaryFields({gpuState: 'ok', rows: [row(0, 80), row(1, 40), row(2, undefined), row(3, 100, {lost: true})], firingAlerts: 2, version: '1.2.3', intervalMs: 1000, nowMs: NOW});
		expect(fields).toMatchObject({gpu_count: '4', util_mean: '60', util_max: '80', memory_used_mb: '6000', temperature_max_c: '52', power_w: '900', alerts_firing: '2', last_seen_ms: String(NOW)});
		const none = summaryFields({gpuState: 'unavailable', rows: [], firingAlerts: 0, version: '1', intervalMs: 1000, nowMs: NOW});
		expect(none['util_mean']).toBe('');
		expect(parseSummary(none).utilMeanPercent).toBeUndefined();
	});

	it('round-trips', () => {
		const fields = summaryFields({gpuState: 'ok', rows: [row(0, 55.5), row(1, 12)], firingAlerts: 0, version: '0.1.0', intervalMs: 500, nowMs: NOW});
		expect(parseSummary(fields)).toEqual({
			gpuCount: 2,
			utilMeanPercent: 33.8,
			utilMaxPercent: 55.5,
			memoryUsedMb: 3000,
			memoryTotalMb: 163_118,
			hottestC: 51,
			powerW: 600,
			firingAlerts: 0,
			gpuState: 'ok',
			version: '0.1.0',
			intervalMs: 500,
			lastSeenMs: NOW,
		});
	});

	it('a hostile hash: out of range, NaN, Infinity, hex, exponents and control characters are unknown and counted', () => {
		const parsed = parseSummary({
			gpu_count: '1e9',
			util_mean: 'NaN',
			util_max: '101',
			memory_used_mb: 'Infinity',
			memory_total_mb: '0x10',
			temperature_max_c: '-400',
			power_w: ' 300',
			alerts_firing: '-1',
			interval_ms: '99999999999999999999',
			last_seen_ms: '1',
			gpu_state: 'ok\u001b[2J\u0007',
			version: '🚀'.repeat(100),
		});
		expect(parsed.gpuCount).toBeUndefined();
		expect(parsed.utilMeanPercent).toBeUndefined();
		expect(parsed.utilMaxPercent).toBeUndefined();
		expect(parsed.memoryUsedMb).toBeUndefined();
		expect(parsed.hottestC).toBeUndefined();
		expect(parsed.powerW).toBeUndefined();
		expect(parsed.firingAlerts).toBeUndefined();
		expect(parsed.lastSeenMs).toBeUndefined();
		expect(parsed.malformed).toHaveLength(10);
		expect(parsed.gpuState).not.toMatch(/[\u0000-\u001f]/);
		expect([...(parsed.version ?? '')].length).toBeLessThanOrEqual(32);
	});

	it('any hash parses without throwing and every figure it keeps is finite (property)', () => {
		fc.assert(
			fc.property(fc.dictionary(fc.constantFrom('gpu_count', 'util_mean', 'util_max', 'memory_used_mb', 'power_w', 'temperature_max_c', 'last_seen_ms', 'x'), fc.string()), (hash) => {
				const s = parseSummary(hash);
				for (const v of [s.gpuCount, s.utilMeanPercent, s.utilMaxPercent, s.memoryUsedMb, s.powerW, s.hottestC, s.lastSeenMs]) if (v !== undefined) expect(Number.isFinite(v)).toBe(true);
			}),
		);
	});
});

describe('--host', () => {
	it('takes names of A-Z a-z 0-9 . _ - and refuses separators, globs, spaces, wide characters and the empty name', () => {
		expect(checkHostName('gpu-node-07.lab')).toEqual({ok: true, host: 'gpu-node-07.lab'});
		for (const bad of ['a:b', 'a*', 'a b', '', 'x'.repeat(129), '..', 'box/1', 'bôx', '🚀', 'a\u0000b', 'a@b']) expect(checkHostName(bad).ok, bad).toBe(false);
		expect(parseFlags(['--host', 'node-1'])).toMatchObject({ok: true, flags: {host: 'node-1'}});
		const refused = parseFlags(['--host', 'a:b']);
		expect(refused.ok).toBe(false);
		expect(!refused.ok && refused.error).toMatch(/^--host: /);
	});

	it('the default is the OS host name as the host-scoped keys write it', () => {
		expect(defaultHostName('box.example.org')).toBe('box.example.org');
		expect(defaultHostName('bôx 1')).toBe('b_x_1');
		expect(defaultHostName('..')).toBe('_');
	});
});

describe('the fleet view', () => {
	const summary = parseSummary(summaryFields({gpuState: 'ok', rows: [row(0, 50)], firingAlerts: 0, version: '1', intervalMs: 1000, nowMs: NOW}));

	it('sorts by name, marks this box, drops expired members and counts invalid names', () => {
		const read = {
			entries: [
				{member: 'zeta', score: NOW - 1000},
				{member: 'alpha', score: NOW - 10_000},
				{member: 'gone', score: NOW - 2 * 86_400_000},
				{member: 'bad:name', score: NOW},
				{member: 'mid', score: NOW - 120_000},
			],
			summaries: new Map([['zeta', summary]]),
		};
		const view = fleetHosts(read, NOW, T, 'zeta');
		expect(view.hosts.map((h) => [h.host, h.state, h.self])).toEqual([
			['alpha', 'stale', false],
			['mid', 'lost', false],
			['zeta', 'fresh', true],
		]);
		expect(view.invalidNames).toBe(1);
		expect(view.hosts[0]!.summary).toBeUndefined();
	});

	it("another box's GPUs: starting until read, marked when the box is not fresh", () => {
		const base: FleetSnapshot = {hosts: [{host: 'b', state: 'lost', lastSeenMs: NOW - 120_000, self: false, summary}], thresholds: T, readAtMs: NOW, truncated: false, invalidNames: 0, malformed: 0};
		expect(viewedGpu(base, 'b').state).toBe('starting');
		const gpu = remoteGpuSnapshot(hostStateFields('ok', undefined, [row(0, 50)], new Date(NOW).toISOString()), [row(0, 50)]);
		const viewed = viewedGpu({...base, viewed: {host: 'b', gpu, readAtMs: NOW}}, 'b');
		expect(viewed.state).toBe('degraded');
		expect(viewed.reason).toMatch(/b is lost/);
	});

	it("another box's GPUs once it is no longer in the registry (gone, or past the 512 read): marked, not shown as live", () => {
		const gpu = remoteGpuSnapshot(hostStateFields('ok', undefined, [row(0, 50)], new Date(NOW).toISOString()), [row(0, 50)]);
		const fleet: FleetSnapshot = {hosts: [], thresholds: T, readAtMs: NOW, truncated: false, invalidNames: 0, malformed: 0, viewed: {host: 'b', gpu, readAtMs: NOW}};
		const viewed = viewedGpu(fleet, 'b');
		expect(viewed.state).toBe('degraded');
		expect(viewed.reason).toMatch(/b is not in the registry/);
	});
});

describe("another box's GPU keys read back", () => {
	it('a current hash written by the sampler reads back as the same figures', () => {
		const original = row(3, 77, {temperatureC: reading(81, {reason: '[Unknown Error]', stale: true}), processes: [{pid: 42, name: 'python3', usedMemoryMb: 1234}]});
		const back = gpuRowFromHash('GPU-3', gpuCurrentFields(original, new Date(NOW).toISOString()), [10, 20]);
		expect(back).toMatchObject({index: 3, name: original.name, utilizationPercent: {value: 77}, memoryUsedMb: {value: 4000}, temperatureC: {value: 81, stale: true}, lost: false, utilizationHistory: [10, 20]});
		expect(back!.fanPercent).toEqual({value: undefined, reason: '[N/A]'});
		expect(back!.processes).toEqual([{pid: 42, name: 'python3', usedMemoryMb: 1234}]);
	});

	it('hostile hashes: numbers out of range are unknown, names are terminal-safe, JSON garbage is no process', () => {
		const back = gpuRowFromHash('GPU-x', {index: '-5', name: 'evil\u001b]0;pwned\u0007', utilization_percent: '1e3', memory_used_mb: 'NaN', processes: '[{"pid":-1},{"pid":1.5},"x",{"pid":7,"name":{}}]', lost: 'true'});
		expect(back!.utilizationPercent.value).toBeUndefined();
		expect(back!.memoryUsedMb.value).toBeUndefined();
		expect(back!.name).not.toMatch(/[\u0000-\u001f]/);
		expect(back!.processes).toEqual([{pid: 7, name: '?', usedMemoryMb: undefined}]);
		expect(back!.lost).toBe(true);
		expect(gpuRowFromHash('GPU-y', {})).toBeUndefined();
		expect(historyValues(['{"value":50}', 'garbage', '{"value":1e9}', '{"value":20}'])).toEqual([20, 50]);
		expect(stateUuids({uuids: `${'a,'.repeat(100)}${'x'.repeat(200)}`})).toHaveLength(64);
		expect(remoteGpuSnapshot({state: 'weird'}, []).state).toBe('unavailable');
		expect(remoteGpuSnapshot({}, []).reason).toMatch(/no GPU state/);
	});
});
