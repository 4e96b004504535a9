/**
The whole dashboard (the real App: header, every pane, the host line, StyledRows tables, footer) drawn by the patched
Ink (scripts/ink-patches.mjs: the clip skip, the row pieces) frame for frame as stock Ink draws it, through changing
snapshots (GPU readings that keep their cells, wide and emoji ids, tables that fit and tables that do not), pane
focus, zoom and the help overlay toggled, and terminal resizes. test/unit/ink-app-driver.tsx is bundled twice.
*/
import {join, resolve} from 'node:path';
import fc from 'fast-check';
import {beforeAll, describe, expect, it} from 'vitest';
import {bundleStockAndPatched} from '../helpers/ink-bundles.js';
import type {AppSession} from './ink-app-driver.js';
import {agent, alert, completion, gpuRow, gpuSnapshot, known, makeSnapshot, NOW, project} from '../components/fixtures.js';
import {type Snapshot} from '../../src/store/snapshot.js';

type Driver = {start(first: Snapshot, columns: number, rows: number, ascii: boolean): AppSession};
const root = resolve(import.meta.dirname, '../..');
let stock: Driver;
let patched: Driver;
/** The same bundles evaluated again under FORCE_COLOR=0 (NO_COLOR, as src/cli.ts sets it): chalk at level 0. */
let stockPlain: Driver;
let patchedPlain: Driver;

beforeAll(async () => {
	process.env['FORCE_COLOR'] = '3';
	const urls = await bundleStockAndPatched(join(root, 'test/unit/ink-app-driver.tsx'), 'the app driver');
	patched = (await import(urls.patched)) as Driver;
	stock = (await import(urls.stock)) as Driver;
	process.env['FORCE_COLOR'] = '0';
	patchedPlain = (await import(`${urls.patched}?plain`)) as Driver;
	stockPlain = (await import(`${urls.stock}?plain`)) as Driver;
}, 120_000);

const GiB = 1024 ** 3;
const ids = ['bert', 'proj-12', '中文项目', '训练-🚀-run', 'a-very-long-project-name-that-is-cut', 'ünï', '⚠️warn', 'x'];

/** Frame i of a scenario: GPU readings move every frame; the rest moves when `events` says so. */
function snapshotAt(i: number, seed: number, events: boolean, counts: {projects: number; agents: number; completions: number; alerts: number; gpus: number}): Snapshot {
	const e = events ? i : 0;
	const at = NOW + i * 1000;
	const gpus = Array.from({length: counts.gpus}, (_, g) =>
		gpuRow(g, {
			utilizationPercent: known((i * 13 + g * 29 + seed) % 101),
			temperatureC: known(55 + ((i + g * 3) % 45)),
			powerDrawW: known(250 + ((i * 7 + g) % 450)),
			memoryUsedMb: known(2_000 + ((i * 101 + g * 997) % 79_000)),
		}),
	);
	const training = Array.from({length: counts.projects}, (_, k) => project(`${ids[(k + seed) % ids.length]}${k}`, Array.from({length: 30 + e}, (_, j) => 2 / (1 + j + k)), k % 2 ? [0.5, 0.4] : []));
	const agents = Array.from({length: counts.agents}, (_, a) => agent(`${ids[(a + seed + 1) % ids.length]}-${a}`, (e + a) % 3 === 0 ? 'idle' : 'busy', (e + a) % 5, 10 + e, 300 + a));
	const completions = Array.from({length: counts.completions}, (_, c) => completion(`${ids[(c + e) % ids.length]}-t${c + e}`, `agent-${c % 4}`, 60 + ((c * 97 + e) % 2400), c * 45_000));
	const alerts = Array.from({length: counts.alerts}, (_, a) => alert(`rule_${a}:${a}`, {severity: a % 4 === 0 ? 'critical' : 'warning', message: a % 3 === 0 ? `value ${(e + a) % 90} over` : `GPU ${a} 显存不足 🔥 and a long tail of words after it`, labels: {gpu: String(a % 8)}}));
	const hostView = {
		dataloaderBound: i % 2 === 0,
		stats: {
			timeMs: at,
			cpuPercent: (i * 17) % 100,
			corePercents: Array.from({length: 16}, (_, c) => (i * 7 + c * 13) % 100),
			memory: {usedBytes: (20 + (i % 50)) * GiB, totalBytes: 125 * GiB, percent: 16 + (i % 40)},
			swap: {usedBytes: 1 * GiB, totalBytes: 8 * GiB, percent: 12.5},
			load: {load1: 1 + (i % 20), load5: 14, load15: 12},
			filesystems: [{path: '/data', totalBytes: 100, availableBytes: 10, usedPercent: 90}],
			disk: {readBytesPerSec: (i % 30) * 1024 ** 2, writeBytesPerSec: 0, busiestPercent: i % 100, busiest: 'sda'},
			net: {rxBytesPerSec: 1024 * (i % 1000), txBytesPerSec: 1024},
			errors: [],
		},
	};
	return {...makeSnapshot({training, gpu: gpuSnapshot(gpus, {lastFrameMs: at}), agents, completions, alerts, takenAtMs: at}), hostView} as Snapshot;
}

const op = fc.oneof(
	{weight: 6, arbitrary: fc.boolean().map((events) => ({events}))},
	{weight: 2, arbitrary: fc.constantFrom('z', '?', '\t', '1', '2', '3', '4', '5', 'j', 'k').map((key) => ({key}))},
	{weight: 1, arbitrary: fc.record({columns: fc.integer({min: 70, max: 180}), rows: fc.integer({min: 16, max: 50})})},
);

const globalStock = () => stock;
const globalPatched = () => patched;

describe('the dashboard drawn by the patched Ink', () => {
	it("is stock Ink's frame after every snapshot, key and resize", async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.integer({min: 70, max: 180}),
				fc.integer({min: 16, max: 50}),
				fc.boolean(),
				fc.nat(20),
				fc.record({projects: fc.nat(8), agents: fc.nat(14), completions: fc.nat(30), alerts: fc.nat(14), gpus: fc.integer({min: 1, max: 8})}),
				fc.array(op, {minLength: 1, maxLength: 12}),
				fc.boolean(),
				async (columns, rows, ascii, seed, counts, ops, plain) => {
					let i = 0;
					const [stock, patched] = plain ? [stockPlain, patchedPlain] : [globalStock(), globalPatched()];
					const a = stock.start(snapshotAt(0, seed, true, counts), columns, rows, ascii);
					const b = patched.start(snapshotAt(0, seed, true, counts), columns, rows, ascii);
					try {
						for (const o of ops) {
							let want: string;
							let got: string;
							if ('events' in o) {
								i++;
								want = await a.publish(snapshotAt(i, seed, o.events, counts));
								got = await b.publish(snapshotAt(i, seed, o.events, counts));
							} else if ('key' in o) {
								want = await a.key(o.key);
								got = await b.key(o.key);
							} else {
								want = await a.resize(o.columns, o.rows);
								got = await b.resize(o.columns, o.rows);
							}
							// A whole frame (the header's name is on it), not an empty write.
							expect(want).toContain('mycotop');
							// Colours on, or every colour dropped (the selection and focus markers stay).
							expect(want.includes('\u001B['), 'colours').toBe(!plain);
							expect(got, JSON.stringify(o)).toBe(want);
						}
					} finally {
						a.stop();
						b.stop();
					}
				},
			),
			{numRuns: 80},
		);
	}, 300_000);
});
