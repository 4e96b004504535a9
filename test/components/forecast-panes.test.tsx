/** The forecast elements and PCIe throughput in the panes (ink-testing-library): the SLA budget line, the ETA, the ↓↑ column. */
import React from 'react';
import {describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import {stripVTControlCharacters as strip} from 'node:util';
import {TasksPane} from '../../components/TasksPane.js';
import {TrainingPane} from '../../components/TrainingPane.js';
import {GpuPane} from '../../components/GpuPane.js';
import {ASCII_THEME, ThemeProvider} from '../../components/theme.js';
import {type SlaBudget} from '../../src/analysis/sla-budget.js';
import {cellWidth} from '../../src/format/text-width.js';
import {completion, gpuHealth, gpuRow, gpuSnapshot, known, makeSnapshot, NOW, project, unknown} from './fixtures.js';

const frameOf = (node: React.ReactElement) => {
	const {lastFrame, unmount} = render(node);
	const text = strip(lastFrame() ?? '');
	unmount();
	return text;
};
const lines = (text: string) => text.split('\n');
const H = 3_600_000;

const budget = (overrides: Partial<SlaBudget> = {}): SlaBudget => ({objective: 0.9, windowMs: 24 * H, burnWindowMs: H, total: 400, late: 12, remaining: 0.62, burnRate: 2.4, spentInMs: 5 * H, oldestMs: NOW - 24 * H, ...overrides});

describe('TasksPane: the SLA error budget', () => {
	const pane = (b: SlaBudget | undefined, width = 90, height = 10) => {
		const completions = [completion('t1', 'ml-eng', 600, 1000), completion('t2', 'data-eng', 2400, 2000)];
		const snapshot = makeSnapshot({completions});
		const tasks = b === undefined ? snapshot.tasks : {...snapshot.tasks, budget: b};
		return frameOf(<TasksPane tasks={tasks} completions={snapshot.tasks.recent} nowMs={NOW} width={width} height={height} focused={false} selectedIndex={0} />);
	};

	it('a line under the SLA: left, burn rate, when it is spent; the table keeps the rest', () => {
		const text = pane(budget());
		expect(text).toContain('SLA budget 62% left · burn 2.4x · spent in ~5h');
		const rows = lines(text);
		expect(rows.findIndex((l) => l.includes('budget 62%'))).toBe(rows.findIndex((l) => /SLA \d/.test(l)) + 1);
		expect(rows.filter((l) => /t[12] /.test(l))).toHaveLength(2);
	});

	it('spent, not burning, and no budget at all (no line: no task in the window)', () => {
		expect(pane(budget({remaining: -0.4, burnRate: 3, spentInMs: undefined}))).toContain('SLA budget spent (-40%) · burn 3x');
		expect(pane(budget({remaining: 0.97, burnRate: 0.2, spentInMs: undefined}))).toMatch(/SLA budget 97% left · burn 0\.2x\s*│?\s*$/m);
		expect(pane(undefined)).not.toContain('budget');
	});

	it('a short pane keeps three completion rows: the budget moves to the end of the SLA line, short, within the width', () => {
		for (const height of [5, 6, 7]) {
			const short = pane(budget(), 80, height);
			const sla = lines(short).find((l) => /SLA \d/.test(l))!;
			expect(sla).toMatch(/1 over budget 62% ~5h/);
			expect(cellWidth(sla)).toBeLessThanOrEqual(80);
			expect(short).not.toContain('budget 62% left');
			expect(short).toContain('t1');
		}
		expect(pane(budget({remaining: -0.4, spentInMs: undefined}), 80, 5)).toContain('1 over budget spent');
		expect(pane(budget(), 90, 8)).toContain('SLA budget 62% left');
	});

	it('at 40 columns the line is cut in display cells, never wrapped', () => {
		const text = pane(budget(), 40);
		const line = lines(text).find((l) => l.includes('budget'))!;
		expect(cellWidth(line)).toBeLessThanOrEqual(40);
		expect(line).toContain('…');
	});
});

describe('TrainingPane: the ETA to the target loss', () => {
	const falling = Array.from({length: 40}, (_, i) => 3 - i * 0.05);
	const withEta = (id: string, inMs: number, steps?: number) => ({...project(id, falling), eta: {target: 0.5, inMs, atMs: NOW + inMs, ...(steps !== undefined ? {steps} : {})}});
	const base = {focused: true, selectedIndex: 0, smoothing: 0.6, nowMs: NOW};

	it('two lines per project: the full ETA on the second line, after the smoothed sparkline', () => {
		const text = frameOf(<TrainingPane {...base} width={100} height={10} projects={[withEta('bert', 3 * H + 20 * 60_000, 12_345), project('gpt', falling)]} total={2} />);
		const at = lines(text).findIndex((l) => l.includes('bert'));
		expect(lines(text)[at + 1]).toMatch(/ema [▁▂▃▄▅▆▇█]+ ETA ~3h20m to loss 0\.500 \(~12k steps\)/);
		expect(text.match(/ETA/g)).toHaveLength(1);
	});

	it('one line per project: the short ETA at the end, sparklines still aligned; reached says so', () => {
		const projects = [withEta('a', 45 * 60_000), withEta('b', 0), project('c', falling), project('d', falling), project('e', falling), project('f', falling)];
		const text = frameOf(<TrainingPane {...base} width={100} height={7} projects={projects} total={6} />);
		const row = (id: string) => lines(text).find((l) => new RegExp(`^.${id} `).test(l))!;
		expect(row('a')).toMatch(/ETA ~45m/);
		expect(row('b')).toMatch(/at target/);
		expect(row('c')).not.toMatch(/ETA|target/);
		const sparkStart = (l: string) => l.search(/[▁▂▃▄▅▆▇█]/);
		expect(new Set(['a', 'b', 'c'].map((id) => sparkStart(row(id)))).size).toBe(1);
		for (const l of lines(text)) expect(cellWidth(l)).toBeLessThanOrEqual(100);
	});

	it('counts down against the snapshot\'s clock', () => {
		const text = frameOf(<TrainingPane {...base} nowMs={NOW + H} width={100} height={10} projects={[withEta('bert', 3 * H)]} total={1} />);
		expect(text).toContain('ETA ~2h to loss 0.500');
	});
});

describe('GpuPane: PCIe throughput', () => {
	const pcie = (rx: number | undefined, tx: number | undefined, stale = false) => ({rxMBps: rx === undefined ? unknown('not available') : known(rx, stale), txMBps: tx === undefined ? unknown('not available') : known(tx, stale), timeMs: NOW});
	const base = {width: 120, height: 8, focused: false, selectedIndex: 0};

	it('a ↓rx↑tx column per GPU, aligned; unknown ?; no column when nothing is sampled', () => {
		const rows = [gpuRow(0, {pcie: pcie(14_890, 402)}), gpuRow(1, {pcie: pcie(undefined, undefined)}), gpuRow(2)];
		const text = frameOf(<GpuPane {...base} gpu={gpuSnapshot(rows, {lastFrameMs: NOW})} rows={rows} />);
		const row = (i: number) => lines(text).find((l) => new RegExp(`^\\W*${i} `).test(l.replace(/^│/, '')))!;
		expect(row(0)).toContain('↓15G↑402M');
		expect(row(1)).toContain('↓?↑?');
		expect(row(0).indexOf('↓')).toBe(row(1).indexOf('↓'));
		const without = frameOf(<GpuPane {...base} gpu={gpuSnapshot([gpuRow(0)], {lastFrameMs: NOW})} rows={[gpuRow(0)]} />);
		expect(without).not.toContain('↓');
	});

	it('at 80 columns it fits beside the history; a health badge takes its place; --ascii spells the arrows', () => {
		const rows = [gpuRow(0, {pcie: pcie(1212, 310)})];
		const at80 = frameOf(<GpuPane {...base} width={80} gpu={gpuSnapshot(rows, {lastFrameMs: NOW})} rows={rows} />);
		expect(at80).toContain('↓1.2G↑310M');
		for (const l of lines(at80)) expect(cellWidth(l)).toBeLessThanOrEqual(80);
		const hot = [gpuRow(0, {pcie: pcie(1212, 310), health: gpuHealth({throttles: [{name: 'HW-THERM', kind: 'thermal', sinceMs: NOW - 180_000}]})})];
		expect(frameOf(<GpuPane {...base} width={80} gpu={gpuSnapshot(hot, {lastFrameMs: NOW})} rows={hot} />)).not.toContain('↓');
		const ascii = frameOf(
			<ThemeProvider theme={ASCII_THEME}>
				<GpuPane {...base} gpu={gpuSnapshot(rows, {lastFrameMs: NOW})} rows={rows} />
			</ThemeProvider>,
		);
		expect(ascii).toContain('v1.2G^310M');
	});
});
