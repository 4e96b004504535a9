/** The health fields: their parse formats and sentinels, the field-family fallback, and the pure health decisions. */
import {describe, expect, test} from 'vitest';
import {parseGpuLine, parseToken} from '../../src/gpu/csv-parse.js';
import {
	activeThrottles,
	eccState,
	healthBadges,
	healthText,
	linkState,
	nextThrottleSince,
	parseXidLine,
	pciKey,
	shortDuration,
	throttleFlag,
	type GpuHealth,
} from '../../src/gpu/gpu-health.js';
import {type Reading} from '../../src/gpu/gpu-snapshot.js';
import {droppedBetween, FULL_GPU_FIELDS, HEALTH_FIELDS, METRIC_BY_FIELD, reduceFields} from '../../src/gpu/query-fields.js';
import {recording} from './fixtures.js';

const SENTINELS = ['[N/A]', 'N/A', '[Not Supported]', '[Unknown Error]', '[Insufficient Permissions]', 'ERR!'];

describe('parse formats of the health fields', () => {
	test('clock event reasons: Active / Not Active as 1 / 0, any case; anything else unknown', () => {
		expect(parseToken('Active', 'active', [0, 1])).toEqual({value: 1});
		expect(parseToken(' Not Active ', 'active', [0, 1])).toEqual({value: 0});
		expect(parseToken('not active', 'active', [0, 1])).toEqual({value: 0});
		expect(parseToken('Yes', 'active', [0, 1]).reason).toBe('unparseable "Yes"');
		expect(parseToken('1', 'active', [0, 1]).reason).toBe('unparseable "1"');
	});

	test('pending retired pages / remapped rows: Yes / No as 1 / 0', () => {
		expect(parseToken('Yes', 'yesno', [0, 1])).toEqual({value: 1});
		expect(parseToken('No', 'yesno', [0, 1])).toEqual({value: 0});
		expect(parseToken('Active', 'yesno', [0, 1]).value).toBeUndefined();
	});

	test.each(SENTINELS)('%s is unknown for every kind, never 0', (token) => {
		for (const kind of ['number', 'active', 'yesno'] as const) {
			const parsed = parseToken(token, kind, [0, 1e15]);
			expect(parsed.value).toBeUndefined();
			expect(parsed.reason).toBeDefined();
		}
	});

	test('counters, link gen/width, clocks and energy: numbers in range; out of range is unknown', () => {
		expect(parseToken('0', 'number', [0, 1e15])).toEqual({value: 0});
		expect(parseToken('912945678', 'number', [0, 1e18])).toEqual({value: 912945678});
		expect(parseToken('17', 'number', [1, 16]).reason).toBe('out of range (17)');
		expect(parseToken('0', 'number', [1, 64]).reason).toBe('out of range (0)');
		expect(parseToken('-3', 'number', [0, 1e15]).reason).toBe('out of range (-3)');
	});

	test('a recorded row with every health field (health scenario) parses to the metrics', () => {
		const rec = recording('health');
		const first = parseGpuLine(rec.lines[0]!, rec.fields);
		expect(first.kind).toBe('row');
		if (first.kind !== 'row') return;
		expect(first.row.readings).toMatchObject({
			throttleSwPowerCap: {value: 0},
			eccCorrectedVolatile: {value: 3},
			retiredPagesPending: {value: 0},
			pcieGenCurrent: {value: 5},
			pcieWidthMax: {value: 16},
			smClockMaxMhz: {value: 1980},
			memoryClockMhz: {value: 2619},
			energyMj: {value: 1_200_600_000},
		});
		const hot = parseGpuLine(rec.lines[2]!, rec.fields);
		expect(hot.kind === 'row' && hot.row.readings.throttleHwThermal).toEqual({value: 1});
	});

	test('the legacy clocks_throttle_reasons.* names read into the same metrics (old-driver recording)', () => {
		const rec = recording('old-driver');
		expect(METRIC_BY_FIELD.get('clocks_throttle_reasons.sw_power_cap')).toBe('throttleSwPowerCap');
		const parsed = parseGpuLine(rec.lines[0]!, rec.fields);
		expect(parsed.kind === 'row' && parsed.row.readings.throttleSwThermal).toEqual({value: 0});
		expect(parsed.kind === 'row' && parsed.row.readings.remappedRowsPending).toBeUndefined();
	});
});

describe('fields the driver lacks', () => {
	test('a refused clock event reason swaps the family to the legacy names (one retry), which are not "dropped"', () => {
		const next = reduceFields(FULL_GPU_FIELDS, HEALTH_FIELDS.throttleHwThermal)!;
		expect(next.filter((f) => f.startsWith('clocks_event_reasons.'))).toEqual([]);
		expect(next.filter((f) => f.startsWith('clocks_throttle_reasons.'))).toHaveLength(6);
		expect(next.at(-1)).toBe('name');
		expect(droppedBetween(FULL_GPU_FIELDS, next)).toEqual([]);
	});

	test('a refused legacy name drops the whole family at once, and says so', () => {
		const legacy = reduceFields(FULL_GPU_FIELDS, HEALTH_FIELDS.throttleSwPowerCap)!;
		const none = reduceFields(legacy, 'clocks_throttle_reasons.sync_boost')!;
		expect(none.some((f) => f.includes('reasons.'))).toBe(false);
		expect(droppedBetween(legacy, none)).toHaveLength(6);
	});

	test('any other health field is dropped alone', () => {
		expect(reduceFields(FULL_GPU_FIELDS, 'remapped_rows.pending')).toEqual(FULL_GPU_FIELDS.filter((f) => f !== 'remapped_rows.pending'));
	});
});

const R = (value: number | undefined, extra: Partial<Reading> = {}): Reading => ({value, ...extra});

describe('throttle reasons: which are active and since when', () => {
	test('a reason keeps its start while active, ends when not, and an unknown reading keeps what was known', () => {
		let since = nextThrottleSince({}, {throttleSwPowerCap: R(1), throttleHwThermal: R(0)}, 1000);
		expect(since).toEqual({throttleSwPowerCap: 1000});
		since = nextThrottleSince(since, {throttleSwPowerCap: R(1), throttleHwThermal: R(1)}, 2000);
		expect(since).toEqual({throttleSwPowerCap: 1000, throttleHwThermal: 2000});
		since = nextThrottleSince(since, {throttleSwPowerCap: R(undefined, {reason: 'not available'}), throttleHwThermal: R(1, {stale: true, reason: 'x'})}, 3000);
		expect(since).toEqual({throttleSwPowerCap: 1000, throttleHwThermal: 2000});
		since = nextThrottleSince(since, {throttleSwPowerCap: R(0), throttleHwThermal: R(0)}, 4000);
		expect(since).toEqual({});
		expect(activeThrottles({throttleSwPowerCap: 1, throttleHwThermal: 2})).toEqual([
			{name: 'HW-THERM', kind: 'thermal', sinceMs: 2},
			{name: 'PWR-CAP', kind: 'power', sinceMs: 1},
		]);
	});

	test('thermal / power flags: 1 if any such reason is active, 0 if known and none, undefined if unknown', () => {
		expect(throttleFlag({throttleSwThermal: R(1), throttleHwThermal: R(0)}, 'thermal')).toBe(1);
		expect(throttleFlag({throttleSwThermal: R(0), throttleHwThermal: R(0)}, 'thermal')).toBe(0);
		expect(throttleFlag({throttleHwPowerBrake: R(1)}, 'power')).toBe(1);
		expect(throttleFlag({throttleSwThermal: R(undefined, {reason: 'not supported'})}, 'thermal')).toBeUndefined();
		expect(throttleFlag({throttleSwThermal: R(1, {stale: true})}, 'thermal')).toBeUndefined();
	});
});

describe('PCIe link state', () => {
	const link = (genCur: number, genMax: number, wCur: number, wMax: number) => ({pcieGenCurrent: R(genCur), pcieGenMax: R(genMax), pcieWidthCurrent: R(wCur), pcieWidthMax: R(wMax)});

	test('a width trained down is degraded, busy or idle', () => {
		expect(linkState(link(5, 5, 8, 16), 0)).toEqual({current: 'x8 gen5', max: 'x16 gen5', degraded: true, reason: 'x8 of x16'});
		expect(linkState(link(5, 5, 4, 16), undefined).degraded).toBe(true);
	});

	test('a lower generation is normal when idle (power saving) and degraded while busy', () => {
		expect(linkState(link(1, 5, 16, 16), 0)).toMatchObject({degraded: false});
		expect(linkState(link(3, 5, 16, 16), 97)).toMatchObject({degraded: true, reason: 'gen3 of gen5 while busy'});
	});

	test('unknown readings do not make a verdict', () => {
		expect(linkState({}, 90)).toEqual({degraded: undefined});
		expect(linkState({pcieWidthCurrent: R(undefined, {reason: 'not supported'}), pcieWidthMax: R(16)}, 90).degraded).toBeUndefined();
	});
});

describe('ECC', () => {
	test('uncorrectable or pending is an error; corrected only is a note; [N/A] (ECC off) is unknown', () => {
		expect(eccState({eccUncorrectedVolatile: R(2), eccCorrectedVolatile: R(0)})).toMatchObject({level: 'error', uncorrectedVolatile: 2});
		expect(eccState({eccUncorrectedVolatile: R(0), remappedRowsPending: R(1)})).toMatchObject({level: 'error', pending: true});
		expect(eccState({eccUncorrectedVolatile: R(0), eccCorrectedVolatile: R(5)}).level).toBe('corrected');
		expect(eccState({eccUncorrectedVolatile: R(0), eccCorrectedVolatile: R(0), retiredPagesPending: R(0)}).level).toBe('ok');
		expect(eccState({eccUncorrectedVolatile: R(undefined, {reason: 'not available'})}).level).toBe('unknown');
	});
});

describe('Xid lines', () => {
	test('the kernel NVRM form, with and without the prefix, names the Xid and the PCI address', () => {
		expect(parseXidLine('NVRM: Xid (PCI:0000:2a:00): 48, pid=51234, name=python3, An uncorrectable double bit error', 5)).toEqual({xid: 48, timeMs: 5, pci: '0000:2a:00'});
		expect(parseXidLine('Xid (PCI:0000:18:00): 13, pid=48211, name=python3, Graphics Exception: ESR 0x504648=0x2000f', 7)).toEqual({xid: 13, timeMs: 7, pci: '0000:18:00'});
		expect(parseXidLine('[ 1234.5] NVRM: Xid (0000:3B:00.0): 79, GPU has fallen off the bus.', 9)).toEqual({xid: 79, timeMs: 9, pci: '0000:3b:00'});
	});

	test('an Xid without an address still counts; other lines are not Xids', () => {
		expect(parseXidLine('Xid 31 happened', 1)).toEqual({xid: 31, timeMs: 1});
		expect(parseXidLine('Single-bit ECC error detected on GPU 00000000:2A:00.0, volatile count 1', 1)).toBeUndefined();
		expect(parseXidLine('Unable to determine the device handle for GPU5: 0000:90:00.0: Unknown Error', 1)).toBeUndefined();
	});

	test('binary garbage that happens to hold "Xid" and a number is not an Xid (a child printing noise: seen by hand, cat /dev/urandom as the -lms child)', () => {
		const noise = Buffer.from([0x8f, 0x00, 0xc3, 0x28, 0x1b, 0x5b, 0x32, 0x4a]).toString('utf8');
		expect(parseXidLine(`${noise}Xid 4${noise}`, 1)).toBeUndefined();
		expect(parseXidLine(`\u0007\u0001 NVRM: Xid (PCI:0000:2a:00): 48, \ufffd`, 1)).toBeUndefined();
		// Text with a tab or a stray non-ASCII letter is still read.
		expect(parseXidLine('NVRM: Xid (PCI:0000:2a:00): 48,\tpid=1, name=pythön', 1)).toEqual({xid: 48, timeMs: 1, pci: '0000:2a:00'});
	});

	test('PCI addresses in both widths match', () => {
		expect(pciKey('00000000:2A:00.0')).toBe(pciKey('0000:2a:00'));
		expect(pciKey('00000000:2A:00.0')).not.toBe(pciKey('0000:2b:00'));
		expect(pciKey('nothing')).toBeUndefined();
	});
});

describe('the badge', () => {
	const base: GpuHealth = {readings: {}, throttles: [], link: {degraded: false}, ecc: {pending: false, level: 'ok'}, xidCount: 0};

	test('healthy: no badge', () => {
		expect(healthBadges(base, 0)).toEqual([]);
		expect(healthBadges(undefined, 0)).toEqual([]);
	});

	test('most serious first, with how long each throttle has been active', () => {
		const health: GpuHealth = {
			...base,
			throttles: [
				{name: 'HW-THERM', kind: 'thermal', sinceMs: 0},
				{name: 'PWR-CAP', kind: 'power', sinceMs: 60_000},
				{name: 'SYNC', kind: 'other', sinceMs: 0},
			],
			link: {degraded: true, current: 'x8 gen5', reason: 'x8 of x16'},
			ecc: {pending: true, uncorrectedVolatile: 1, level: 'error'},
			xidCount: 2,
			lastXid: {xid: 48, timeMs: 150_000},
		};
		expect(healthText(health, 180_000)).toBe('XID 48 30s ECC 1! LINK x8 gen5 HW-THERM 3m PWR-CAP 2m');
		expect(healthBadges(health, 180_000).map((b) => b.tone)).toEqual(['critical', 'critical', 'warn', 'warn', 'muted']);
		expect(healthText({...base, ecc: {pending: false, correctedVolatile: 3, level: 'corrected'}}, 0)).toBe('ECC 3c');
	});

	test('durations', () => {
		expect([0, 59_999, 60_000, 3_599_999, 3_600_000, 86_400_000].map(shortDuration)).toEqual(['0s', '59s', '1m', '59m', '1h', '1d']);
	});
});
