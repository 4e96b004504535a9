/**
The pane elements of GPU projects and energy per project (ink-testing-library): which project runs on which GPU in
the GPU pane (narrow and wide), the zoomed process lines, and the training pane's energy column and detail. Widths
are measured in display cells (a CJK or emoji project id counts 2 per character).
*/
import React from 'react';
import {describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import {stripVTControlCharacters as strip} from 'node:util';
import {GpuPane} from '../../components/GpuPane.js';
import {TrainingPane} from '../../components/TrainingPane.js';
import {ASCII_THEME, ThemeProvider} from '../../components/theme.js';
import {cellWidth, truncateCells} from '../../src/format/text-width.js';
import {projectLabel} from '../../src/format/gpu-view.js';
import {type ProjectEnergy} from '../../src/gpu/project-energy.js';
import {gpuRow, gpuSnapshot, project} from './fixtures.js';

const frameOf = (node: React.ReactElement) => {
	const {lastFrame, unmount} = render(node);
	const text = strip(lastFrame() ?? '');
	unmount();
	return text;
};
const lines = (text: string) => text.split('\n');
const widest = (text: string) => Math.max(...lines(text).map((l) => cellWidth(l)));

const procs = (gpu: number) =>
	gpu === 0
		? [{pid: 4100, name: 'python3', usedMemoryMb: 60_000, projectId: 'asr-large'}]
		: [
				{pid: 4101, name: 'python3', usedMemoryMb: 40_000, projectId: 'asr-large'},
				{pid: 4200, name: 'python3', usedMemoryMb: 20_000, projectId: '音声-tts🚀'},
				{pid: 4300, name: 'python3', usedMemoryMb: 500},
			];

describe('GPU pane: which project runs on which GPU', () => {
	const rows = [gpuRow(0, {processes: procs(0)}), gpuRow(1, {processes: procs(1)}), gpuRow(2, {processes: [{pid: 9, name: 'python3', usedMemoryMb: 100}]})];

	it.each([80, 120])('at %i columns each GPU line names its project(s), and no line is wider than the pane', (width) => {
		const text = frameOf(<GpuPane width={width} height={6} focused={false} selectedIndex={0} gpu={gpuSnapshot(rows)} rows={rows} />);
		const gpu0 = lines(text).find((l) => /^\s+0 H100/.test(l))!;
		const gpu1 = lines(text).find((l) => /^\s+1 H100/.test(l))!;
		expect(gpu0).toMatch(/asr-large\s*$/);
		// Two projects: the first (most memory) and "+1".
		expect(gpu1).toMatch(/asr-l\S*\+1\s*$/);
		expect(widest(text)).toBeLessThanOrEqual(width);
	});

	it('at 120 columns a GPU without a project keeps its biggest process in that column', () => {
		const text = frameOf(<GpuPane width={120} height={6} focused={false} selectedIndex={0} gpu={gpuSnapshot(rows)} rows={rows} />);
		expect(lines(text).find((l) => /^\s+2 H100/.test(l))).toMatch(/python3 100M\s*$/);
	});

	it('without any project the 80-column line is unchanged (no project column)', () => {
		const plain = [gpuRow(0, {processes: [{pid: 1, name: 'python3', usedMemoryMb: 100}]})];
		const text = frameOf(<GpuPane width={80} height={4} focused={false} selectedIndex={0} gpu={gpuSnapshot(plain)} rows={plain} />);
		expect(lines(text).find((l) => /^\s+0 H100/.test(l))).not.toMatch(/python3|asr/);
	});

	it('zoomed, each process line carries its project in brackets', () => {
		const text = frameOf(<GpuPane width={120} height={12} focused={false} selectedIndex={0} gpu={gpuSnapshot(rows)} rows={rows} zoomed />);
		expect(lines(text).find((l) => l.includes('4200'))).toContain('[音声-tts🚀]');
		expect(lines(text).find((l) => l.includes('4300'))).not.toContain('[');
		expect(widest(text)).toBeLessThanOrEqual(120);
	});

	it('projectLabel cuts in cells and keeps the count', () => {
		const cut = (t: string, w: number) => truncateCells(t, w, '…');
		expect(projectLabel(['asr-large'], 10, cut)).toBe('asr-large');
		expect(projectLabel(['asr-large', 'b', 'c'], 8, cut)).toBe('asr-l…+2');
		expect(cellWidth(projectLabel(['音声音声音声音声', 'x'], 7, cut))).toBeLessThanOrEqual(7);
		expect(projectLabel([], 10, cut)).toBe('');
	});
});

describe('training pane: energy per project', () => {
	const energy = (projectId: string, todayKwh: number, extra: Partial<ProjectEnergy> = {}): ProjectEnergy => ({
		projectId,
		todayKwh,
		todayGpuHours: 1.5,
		runKwh: todayKwh * 3,
		runGpuHours: 4.5,
		sinceMs: 0,
		gpus: [0],
		estimated: false,
		...extra,
	});
	const falling = Array.from({length: 40}, (_, i) => 3 - i * 0.05);

	it.each([80, 120])('at %i columns: today kWh after the step; GPU-hours, cost and the run on line 2; within the width', (width) => {
		const projects = [project('asr-large', falling), project('音声-tts🚀', falling, [0.4, 0.3]), project('no-gpu', falling)];
		const list = [energy('asr-large', 1.234, {todayCost: 0.37, currency: 'EUR'}), energy('音声-tts🚀', 12.5)];
		const text = frameOf(<TrainingPane width={width} height={8} focused={false} selectedIndex={0} smoothing={0.6} projects={projects} total={3} energy={list} />);
		const body = lines(text);
		expect(body.find((l) => l.includes('asr-large'))).toMatch(/@400\s+1\.23 kWh/);
		expect(body.find((l) => l.includes('音声'))).toMatch(/12\.5 kWh/);
		// A project no GPU process was tied to keeps an empty column.
		expect(body.find((l) => l.includes('no-gpu'))).not.toContain('kWh');
		const second = body[body.findIndex((l) => l.includes('asr-large')) + 1]!;
		expect(second).toContain('1.50 GPU-h 0.37 EUR · run 3.70 kWh');
		expect(widest(text)).toBeLessThanOrEqual(width);
	});

	it('without energy for any shown project the layout is as before', () => {
		const without = frameOf(<TrainingPane width={100} height={4} focused={false} selectedIndex={0} smoothing={0.6} projects={[project('bert', falling)]} total={1} />);
		const other = frameOf(<TrainingPane width={100} height={4} focused={false} selectedIndex={0} smoothing={0.6} projects={[project('bert', falling)]} total={1} energy={[energy('else', 1)]} />);
		expect(other).toBe(without);
		expect(without).not.toContain('kWh');
	});

	it('under --ascii the detail has no non-ASCII glyph', () => {
		const text = frameOf(
			<ThemeProvider theme={ASCII_THEME}>
				<TrainingPane width={120} height={4} focused={false} selectedIndex={0} smoothing={0.6} projects={[project('bert', falling)]} total={1} energy={[energy('bert', 2)]} />
			</ThemeProvider>,
		);
		expect(text).toContain('kWh');
		expect(text).toMatch(/^[\x00-\x7f]*$/);
	});
});
