/**
The GPU pane's lines are one pre-styled string each (components/GpuPane.tsx, src/format/styled-text.ts). Each must be
the very frame the nested <Text>s drew (test/components/gpu-line-nested.tsx, the code as it was), colours on (chalk
level 3) and off, for random GPUs: unknown and stale readings, hot GPUs, health badges, PCIe, processes with and
without projects, lost GPUs, every column set, narrow and wide lines; and the host line for random /proc figures.
*/
import React from 'react';
import {afterEach, describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import {Box, Text} from 'ink';
import chalk from 'chalk';
import fc from 'fast-check';
import {GpuLine, HostLine} from '../../components/GpuPane.js';
import {styled} from '../../src/format/styled-text.js';
import {cellWidth} from '../../src/format/text-width.js';
import {type Reading} from '../../src/gpu/gpu-snapshot.js';
import {type HostView} from '../../src/host/host-sampler.js';
import {NestedGpuLine, NestedHostLine} from './gpu-line-nested.js';
import {gpuHealth, gpuRow, known, NOW, unknown} from './fixtures.js';

const level = chalk.level;
afterEach(() => {
	chalk.level = level;
});

function frame(node: React.ReactElement, width: number): string {
	const {lastFrame, unmount} = render(
		<Box width={width} flexDirection="column">
			{node}
		</Box>,
	);
	const out = lastFrame() ?? '';
	unmount();
	return out;
}

const reading = (min: number, max: number): fc.Arbitrary<Reading> =>
	fc.oneof(
		{weight: 6, arbitrary: fc.double({min, max, noNaN: true}).map((v) => known(v))},
		{weight: 1, arbitrary: fc.double({min, max, noNaN: true}).map((v) => known(v, true))},
		{weight: 1, arbitrary: fc.constant(unknown())},
	);

const rowArb = fc.record({
	index: fc.integer({min: 0, max: 15}),
	name: fc.constantFrom('NVIDIA H100 80GB HBM3', 'NVIDIA A100-SXM4-40GB', 'Tesla V100', '中文 GPU'),
	util: reading(0, 100),
	used: reading(0, 90_000),
	total: fc.oneof(fc.constant(known(81_920)), fc.constant(unknown())),
	temp: reading(20, 110),
	power: reading(0, 800),
	limit: reading(100, 800),
	throttle: fc.option(fc.constantFrom('power' as const, 'thermal' as const, 'hardware' as const), {nil: undefined}),
	xid: fc.option(fc.integer({min: 1, max: 120}), {nil: undefined}),
	pcie: fc.option(fc.tuple(reading(0, 30_000), reading(0, 30_000)), {nil: undefined}),
	processes: fc.array(fc.record({pid: fc.integer({min: 1, max: 99_999}), name: fc.constantFrom('python3', '/opt/conda/bin/python3 train.py', 'trainer'), usedMemoryMb: fc.integer({min: 1, max: 80_000}), project: fc.option(fc.constantFrom('alpha', 'beta-long-project-name', 'ünï'), {nil: undefined})}), {maxLength: 3}),
	lost: fc.boolean().map((b) => b && Math.random() < 0.2),
	history: fc.array(fc.integer({min: 0, max: 100}), {minLength: 0, maxLength: 60}),
});

describe('one pre-styled string per GPU line', () => {
	it('styled() is what a nested <Text color dimColor bold> draws', () => {
		fc.assert(
			fc.property(
				fc.constantFrom(0, 3),
				fc.array(fc.record({text: fc.constantFrom('', ' ', 'abc', '▁▂█', '中文', '61°C'), color: fc.constantFrom(undefined, '', 'green', 'gray', 'cyan', '#ff8800', 'ansi256(33)', 'rgb(1, 2, 3)', 'nocolour'), dimColor: fc.constantFrom(undefined, false, true), bold: fc.constantFrom(undefined, false, true)}), {maxLength: 5}),
				(lvl, pieces) => {
					chalk.level = lvl as 0 | 3;
					const nested = (
						<Text>
							{pieces.map((p, i) => (
								<Text key={i} color={p.color} dimColor={p.dimColor} bold={p.bold}>
									{p.text}
								</Text>
							))}
						</Text>
					);
					expect(frame(<Text>{pieces.map((p) => styled(p.text, p)).join('')}</Text>, 60)).toBe(frame(nested, 60));
				},
			),
			{numRuns: 300},
		);
	});

	it('a GPU line is the frame the nested <Text>s drew', () => {
		fc.assert(
			fc.property(fc.constantFrom(0, 3), rowArb, fc.integer({min: 20, max: 220}), fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), fc.constantFrom(' ', '›'), (lvl, r, width, withProcesses, withBadges, withProjects, withPcie, marker) => {
				chalk.level = lvl as 0 | 3;
				const row = gpuRow(r.index, {
					name: r.name,
					utilizationPercent: r.util,
					memoryUsedMb: r.used,
					memoryTotalMb: r.total,
					temperatureC: r.temp,
					powerDrawW: r.power,
					powerLimitW: r.limit,
					utilizationHistory: r.history,
					health: gpuHealth({
						throttles: r.throttle === undefined ? [] : [{name: r.throttle === 'power' ? 'PWR-CAP' : r.throttle === 'thermal' ? 'SW-THERM' : 'HW-SLOWDOWN', kind: r.throttle, sinceMs: NOW - 90_000}],
						...(r.xid === undefined ? {} : {xidCount: 1, lastXid: {xid: r.xid, timeMs: NOW - 120_000}}),
					}),
					...(r.pcie === undefined ? {} : {pcie: {rxMBps: r.pcie[0], txMBps: r.pcie[1], timeMs: NOW}}),
					processes: r.processes.map((p) => ({pid: p.pid, name: p.name, usedMemoryMb: p.usedMemoryMb, ...(p.project === undefined ? {} : {projectId: p.project})})),
					lost: r.lost,
					...(r.lost ? {lostReason: 'fell off the bus'} : {}),
				});
				const props = {row, width, marker, withProcesses, nowMs: NOW, withBadges, withProjects, withPcie};
				expect(frame(<GpuLine {...props} />, width + 1)).toBe(frame(<NestedGpuLine {...props} />, width + 1));
			}),
			{numRuns: 400},
		);
	});

	it('the host line is the frame the nested <Text>s drew', () => {
		const GiB = 1024 ** 3;
		fc.assert(
			fc.property(
				fc.constantFrom(0, 3),
				fc.integer({min: 20, max: 200}),
				fc.boolean(),
				fc.option(fc.double({min: 0, max: 100, noNaN: true}), {nil: undefined}),
				fc.array(fc.option(fc.double({min: 0, max: 100, noNaN: true}), {nil: undefined}), {maxLength: 70}),
				fc.option(fc.double({min: 0, max: 1, noNaN: true}), {nil: undefined}),
				fc.option(fc.double({min: 0, max: 100, noNaN: true}), {nil: undefined}),
				(lvl, width, dataloaderBound, cpuPercent, corePercents, memShare, fsUsed) => {
					chalk.level = lvl as 0 | 3;
					const view: HostView = {
						dataloaderBound,
						stats: {
							timeMs: NOW,
							...(cpuPercent === undefined ? {} : {cpuPercent}),
							corePercents,
							...(memShare === undefined ? {} : {memory: {usedBytes: memShare * 125 * GiB, totalBytes: 125 * GiB, percent: memShare * 100}}),
							load: {load1: 15.2, load5: 14, load15: 12},
							filesystems: fsUsed === undefined ? [] : [{path: '/data', totalBytes: 100, availableBytes: 100 - fsUsed, usedPercent: fsUsed}],
							disk: {readBytesPerSec: 11 * 1024 ** 2, writeBytesPerSec: 0, busiestPercent: 90, busiest: 'sda'},
							net: {rxBytesPerSec: 1024, txBytesPerSec: 1024},
							errors: [],
						},
					};
					expect(frame(<HostLine view={view} width={width} />, width + 1)).toBe(frame(<NestedHostLine view={view} width={width} />, width + 1));
					// Whatever its figures, the line takes its whole width (blanks after the text): its cells never change, so
					// what is drawn beside it never moves. A mark drawn after it lands there.
					const row = frame(
						<Box flexDirection="row">
							<HostLine view={view} width={width} />
							<Text>|</Text>
						</Box>,
						width + 1,
					);
					expect(cellWidth(row.split('\n')[0]!.replaceAll(/\u001B\[[0-9;]*m/g, '').split('|')[0]!)).toBe(width);
				},
			),
			{numRuns: 200},
		);
	});
});
