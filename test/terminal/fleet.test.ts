/**
The hosts pane in a real terminal (tmux), with 64 simulated hosts of 8 GPUs each: their registry entries, summaries
and per-GPU keys written into a real redis-server as the hosts' writers write them (the same field builders), and a
TUI viewer with no GPUs of its own. At 120x40 and 80x24 every line fits; the pane scrolls to the last host, and Enter
shows that host's 8 GPUs in the GPU pane.
*/
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {tmuxAvailable, TmuxPane} from './tmux.js';
import {ourKeys} from '../../src/contract/names.js';
import {summaryFields} from '../../src/fleet/host-summary.js';
import {gpuCurrentFields, gpuKeyOf, hostStateFields} from '../../src/gpu/redis-entries.js';
import {gpuRow} from '../components/fixtures.js';
import {cellWidth} from '../../src/format/text-width.js';

const root = resolve(import.meta.dirname, '../..');
const cli = resolve(root, 'dist/bundle/cli.js');
const HOSTS = Array.from({length: 64}, (_, i) => `sim-${String(i).padStart(2, '0')}`);

describe.runIf(redisAvailable() && tmuxAvailable())('64 simulated hosts x 8 GPUs in tmux', () => {
	let redis: TestRedis;
	let pane: TmuxPane;
	let dir: string;

	beforeAll(async () => {
		if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build`);
		redis = await startRedis();
		const client = redis.client();
		const now = Date.now();
		const iso = new Date(now).toISOString();
		const batch = client.multi();
		for (const [h, host] of HOSTS.entries()) {
			const rows = Array.from({length: 8}, (_, i) => gpuRow(i, {uuid: `GPU-${host}-${i}`, name: 'NVIDIA H100 80GB HBM3', temperatureC: {value: 50 + ((h + i) % 40)}}));
			batch.zadd(ourKeys.hosts, now - (h === 5 ? 15 * 60_000 : 0), host);
			batch.hset(ourKeys.hostSummary(host), summaryFields({gpuState: 'ok', rows, firingAlerts: h % 10 === 0 ? 1 : 0, version: '0.1.0', intervalMs: 1000, nowMs: now}));
			batch.hset(gpuKeyOf.host(host), hostStateFields('ok', undefined, rows, iso));
			for (const row of rows) batch.hset(gpuKeyOf.current(host, row.uuid), gpuCurrentFields(row, iso));
		}
		await batch.exec();
		client.disconnect();
		dir = mkdtempSync(join(tmpdir(), 'mycotop-fleet-tmux-'));
		// The simulated hosts write once: long thresholds keep them fresh (sim-05, 15 minutes old, is stale).
		writeFileSync(join(dir, 'config.yaml'), 'fleet:\n  staleAfter: 10m\n  lostAfter: 1h\nhost:\n  enabled: false\n');
		pane = new TmuxPane(120, 40, {TERM: 'tmux-256color'});
		pane.run(`node ${cli} --redis-url ${redis.url} --config ${join(dir, 'config.yaml')} --no-gpu --host viewer; echo MYCOTOP-EXIT=$?`);
		await waitFor(() => pane.screen().some((l) => l.includes('6 Hosts')), 20_000, 'the hosts pane');
	}, 60_000);

	afterAll(async () => {
		pane?.close();
		await redis?.stop();
		if (dir !== undefined) rmSync(dir, {recursive: true, force: true});
	});

	const fits = (columns: number) => {
		const screen = pane.screen();
		for (const line of screen) expect(cellWidth(line), line).toBeLessThanOrEqual(columns);
		return screen;
	};

	it('120x40: the counts, the column heads and the first hosts, within the width', async () => {
		await waitFor(() => pane.screen().some((l) => /6 Hosts +64 hosts · 512 GPUs · 1 stale · 1-\d+ of 64/.test(l)), 10_000, 'the title with counts');
		const screen = fits(120);
		expect(screen.some((l) => /host +GPU +util/.test(l))).toBe(true);
		expect(screen.some((l) => /sim-00 +8 .*1! fresh/.test(l))).toBe(true);
		expect(screen.some((l) => /sim-05 +8 .* stale 15m/.test(l))).toBe(true);
	});

	it('scrolls to the last host and shows its 8 GPUs in the GPU pane', async () => {
		pane.keys('6');
		for (let i = 0; i < 7; i++) pane.keys('PageDown', false);
		await waitFor(() => pane.screen().some((l) => l.startsWith('›') && l.includes('sim-63')), 10_000, 'sim-63 selected');
		expect(pane.screen().some((l) => /64-64 of 64|\d+-64 of 64/.test(l))).toBe(true);
		pane.keys('Enter', false);
		await waitFor(() => pane.screen().some((l) => l.includes('GPUs of sim-63') && l.includes('8 GPUs')), 10_000, "sim-63's GPUs");
		expect(pane.screen().filter((l) => /^ {1,2}\d H100/.test(l.slice(1)))).toHaveLength(8);
		fits(120);
	});

	it('80x24: still within the width and height, the selection in view', async () => {
		pane.resize(80, 24);
		// tmux rewraps the old frame at once; the redrawn 80-column one has the GPU pane's and the hosts pane's titles.
		const redrawn = (screen: string[]) => screen.length === 24 && screen.some((l) => l.includes('GPUs of sim-63')) && screen.some((l) => l.includes('6 Hosts')) && screen.some((l) => l.startsWith('›') && l.includes('sim-63'));
		await waitFor(() => redrawn(pane.screen()), 10_000, 'an 80x24 frame');
		fits(80);
		pane.keys('b');
		await waitFor(() => !pane.screen().some((l) => l.includes('GPUs of')), 10_000, 'back to this box');
		expect(pane.screen().some((l) => /^.2 GPUs(?! of)/.test(l))).toBe(true);
		pane.keys('q');
		await waitFor(() => pane.screen().some((l) => l.includes('MYCOTOP-EXIT=0')), 10_000, 'the exit');
	});
});
