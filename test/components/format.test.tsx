import {describe, expect, it} from 'vitest';
import {computeLayout, PANES, type PaneDemand, type PaneId} from '../../src/format/layout.js';
import {matchesFilter, matchesGpu, parseFilter} from '../../src/format/filter.js';
import {histogramLine} from '../../src/format/sparkline.js';
import {formatSpan, parseDuration, shortGpuName} from '../../src/format/units.js';
import {memoryText, gpuColumns, temperatureTone} from '../../src/format/gpu-view.js';
import {slaTone} from '../../src/format/tasks-view.js';
import {colorOf, PALETTE} from '../../src/format/theme.js';
import {paneRows, windowStart} from '../../src/format/pane-rows.js';
import {BINDINGS, keyName, resolveKey, type KeyContext} from '../../hooks/keymap.js';
import {dashboardReducer, INITIAL_STATE} from '../../hooks/use-dashboard-state.js';
import {known, makeSnapshot, unknown} from './fixtures.js';

const demands = (need: number, want = need): Record<PaneId, PaneDemand> =>
	Object.fromEntries(PANES.map((p) => [p, {need, want}])) as Record<PaneId, PaneDemand>;

describe('computeLayout', () => {
	it('is too small below 80x24', () => {
		expect(computeLayout(79, 40, demands(3)).kind).toBe('too-small');
		expect(computeLayout(120, 23, demands(3)).kind).toBe('too-small');
	});

	it('always fills exactly rows - 3 body lines (header and footer make rows - 1), whatever the demand', () => {
		for (const [c, r] of [
			[80, 24],
			[100, 30],
			[160, 50],
			[250, 70],
		]) {
			for (const need of [1, 5, 40]) {
				const layout = computeLayout(c!, r!, demands(need, need * 2));
				if (layout.kind !== 'panes') throw new Error('expected panes');
				expect(layout.rows.reduce((s, row) => s + row.height, 0)).toBe(r! - 3);
				for (const row of layout.rows) expect(row.cells.reduce((s, cell) => s + cell.width, 0)).toBe(c);
				expect(new Set(layout.rows.flatMap((row) => row.cells.map((cell) => cell.pane)))).toEqual(new Set(PANES));
			}
		}
	});

	it('stacks panes under 100 columns, pairs tasks and agents at 100, two columns from 160', () => {
		const mode = (c: number) => {
			const l = computeLayout(c, 40, demands(3));
			return l.kind === 'panes' ? [l.mode, l.rows.length] : [];
		};
		expect(mode(80)).toEqual(['stacked', 5]);
		expect(mode(100)).toEqual(['medium', 4]);
		expect(mode(200)).toEqual(['wide', 3]);
	});

	it('gives 8 GPUs their 9 lines at 100x30 with typical demands', () => {
		const d = {...demands(4, 8), gpu: {need: 9, want: 9}};
		const layout = computeLayout(100, 30, d);
		if (layout.kind !== 'panes') throw new Error('expected panes');
		expect(layout.rows.find((r) => r.cells[0]!.pane === 'gpu')!.height).toBeGreaterThanOrEqual(9);
	});

	it('zoom gives the focused pane the whole body', () => {
		const layout = computeLayout(100, 30, demands(3), 'alerts');
		expect(layout).toMatchObject({mode: 'zoomed', rows: [{height: 27, cells: [{pane: 'alerts', width: 100}]}]});
	});
});

describe('filter', () => {
	it('parses scoped and unscoped filters', () => {
		expect(parseFilter('  ')).toBeUndefined();
		expect(parseFilter('Bert')).toMatchObject({kind: 'any', needle: 'bert'});
		expect(parseFilter('agent:ML')).toMatchObject({kind: 'agent', needle: 'ml'});
		expect(parseFilter('foo:bar')).toMatchObject({kind: 'any', needle: 'foo:bar'});
	});

	it('a scoped filter narrows only its own kind', () => {
		const f = parseFilter('rule:sla');
		expect(matchesFilter(f, 'rule', ['sla_breach'])).toBe(true);
		expect(matchesFilter(f, 'rule', ['gpu_temp'])).toBe(false);
		expect(matchesFilter(f, 'project', ['bert'])).toBe(true);
	});

	it('GPU numbers match the index exactly', () => {
		expect(matchesGpu(parseFilter('gpu:1'), 1, 'H100')).toBe(true);
		expect(matchesGpu(parseFilter('gpu:1'), 11, 'H100')).toBe(false);
		expect(matchesGpu(parseFilter('gpu:a100'), 0, 'NVIDIA A100')).toBe(true);
	});
});

describe('small pure formatters', () => {
	it('histogramLine: one share of cells per bucket, heights relative to the largest, empty buckets dotted', () => {
		expect(histogramLine([0, 1, 4], 6)).toBe('··▂▂██');
		expect(histogramLine([1, 0], 4, true)).toBe('##..');
		expect(histogramLine([5], 0)).toBe('');
	});

	it('parseDuration and formatSpan', () => {
		expect(parseDuration('90m')).toBe(5_400_000);
		expect(parseDuration('1h30m')).toBe(5_400_000);
		expect(parseDuration('2h')).toBe(7_200_000);
		expect(parseDuration('1d')).toBe(86_400_000);
		expect(parseDuration('15')).toBe(900_000);
		for (const bad of ['', 'x', '0m', '-5m', 'h']) expect(parseDuration(bad)).toBeUndefined();
		expect(formatSpan(5_400_000)).toBe('1h30m');
		expect(formatSpan(45_000)).toBe('45s');
	});

	it('GPU names, memory text, temperature thresholds, column widths', () => {
		expect(shortGpuName('NVIDIA GeForce RTX 4090')).toBe('RTX 4090');
		expect(shortGpuName('Tesla V100-SXM2-16GB')).toBe('V100-SXM2-16GB');
		expect(memoryText(known(40_960), known(81_920))).toBe('40.0/80G');
		expect(memoryText(unknown(), known(81_920))).toBe('?/80G');
		expect(memoryText(known(512, true), known(1000))).toBe('512M*/1000M');
		expect([60, 75, 86, undefined].map((c) => colorOf(PALETTE, temperatureTone(c)))).toEqual(['green', 'yellow', 'red', undefined]);
		// The sparkline takes the room there is (up to the 240 samples a row carries).
		expect(gpuColumns(250).spark).toBeGreaterThan(120);
		expect(gpuColumns(400).spark).toBe(240);
		expect(gpuColumns(100).spark).toBeGreaterThanOrEqual(20);
	});

	it('SLA colours at 95 and 90 percent', () => {
		expect([100, 95, 92, 89.9].map((p) => PALETTE[slaTone(p)])).toEqual(['green', 'green', 'yellow', 'red']);
	});

	it('windowStart keeps the selection visible', () => {
		expect(windowStart(10, 0, 4)).toBe(0);
		expect(windowStart(10, 5, 4)).toBe(2);
		expect(windowStart(10, 9, 4)).toBe(6);
		expect(windowStart(3, 2, 4)).toBe(0);
	});
});

describe('keymap and reducer', () => {
	const noKey = {upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false};

	/** The key `name` with `focus` focused, over an empty snapshot, the rule engine running. */
	const key = (name: string, focus: KeyContext['state']['focus']): KeyContext => ({
		name,
		state: {...INITIAL_STATE, focus},
		rows: paneRows(makeSnapshot(), undefined),
		alerts: {available: true, canExpire: true},
	});

	it('normalises keys and resolves every binding; alert keys only in the alert log', () => {
		expect(keyName('', {...noKey, tab: true, shift: true})).toBe('shift-tab');
		expect(keyName('c', {...noKey, ctrl: true})).toBe('ctrl-c');
		for (const b of BINDINGS) for (const k of b.keys) if (b.scope !== 'chart') expect(resolveKey(key(k, 'alerts'))).toBeDefined();
		expect(resolveKey(key('a', 'training'))).toBeUndefined();
		expect(resolveKey(key('3', 'training'))).toEqual({type: 'focus', pane: 'tasks'});
	});

	it('the reducer: focus cycles, close unwinds prompt then help then zoom, moves clamp', () => {
		let s = dashboardReducer(INITIAL_STATE, {type: 'focus-prev'});
		expect(s.focus).toBe('alerts');
		s = dashboardReducer({...s, zoomed: true, help: true, prompt: {kind: 'filter', text: 'x'}}, {type: 'close'});
		expect([s.prompt, s.help, s.zoomed]).toEqual([undefined, true, true]);
		s = dashboardReducer(dashboardReducer(s, {type: 'close'}), {type: 'close'});
		expect([s.help, s.zoomed]).toEqual([false, false]);
		s = dashboardReducer(s, {type: 'move', ids: ['a', 'b', 'c'], delta: 10});
		expect(s.selected.alerts).toBe('c');
		s = dashboardReducer(s, {type: 'move', ids: ['a', 'b', 'c'], delta: -1});
		expect(s.selected.alerts).toBe('b');
	});
});
