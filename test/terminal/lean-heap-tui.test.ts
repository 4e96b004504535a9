/**
The dashboard runs with the lean heap (src/lean-heap.ts) whatever starts it: the real CLI in a real terminal (tmux)
reads 40,000 points of history from a private redis-server (the burst of surviving allocation that grows V8's young
generation) and draws them; bench:memory's probe (dist/bench/memory-probe.js, loaded with --import) reports its
heap from inside. With MYCOTOP_HEAP=v8 the same start grows the young generation, so the check has teeth.
*/
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {pathToFileURL} from 'node:url';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {tmuxAvailable, TmuxPane} from './tmux.js';

const root = resolve(import.meta.dirname, '../..');
const cli = resolve(root, 'dist/bundle/cli.js');
const probe = resolve(root, 'dist/bench/memory-probe.js');
const canRun = redisAvailable() && tmuxAvailable();

const PROJECTS = 4;
const POINTS = 5000;

async function seed(redis: TestRedis): Promise<void> {
	const client = redis.client();
	const t = Date.now();
	for (let p = 0; p < PROJECTS; p++) {
		for (const series of ['loss', 'wer']) {
			const entries: string[] = [];
			for (let i = 0; i < POINTS; i++) entries.push(JSON.stringify({step: POINTS - i, value: 0.5 + 1 / (POINTS - i), timestamp: new Date(t - i * 1000).toISOString()}));
			await client.rpush(`metrics:training:heap-${p}:${series}`, ...entries);
		}
	}
	client.disconnect();
}

/** Start the dashboard with the probe, wait for the history on screen and a few probe lines; the largest young generation seen. */
async function youngGeneration(redis: TestRedis, env: Record<string, string>): Promise<number> {
	const dir = mkdtempSync(join(tmpdir(), 'mycotop-heap-'));
	const file = join(dir, 'probe.jsonl');
	const pane = new TmuxPane(120, 40, {TERM: 'tmux-256color', MYCOTOP_MEMORY_PROBE: file, ...env});
	try {
		pane.run(`exec node --import ${pathToFileURL(probe).href} ${cli} --redis-url ${redis.url} --no-gpu`);
		await waitFor(() => pane.screen().join('\n').includes(`heap-${PROJECTS - 1}`), 30_000, 'the dashboard with the history');
		await waitFor(() => existsSync(file) && readFileSync(file, 'utf8').split('\n').length > 3, 15_000, 'probe lines');
		const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as {spaces: {new_space: {size: number}}});
		return Math.max(...lines.map((l) => l.spaces.new_space.size));
	} finally {
		pane.close();
		rmSync(dir, {recursive: true, force: true});
	}
}

describe.runIf(canRun)(`the dashboard's heap (Node ${process.version})`, () => {
	let redis: TestRedis;

	beforeAll(async () => {
		for (const file of [cli, probe]) if (!existsSync(file)) throw new Error(`${file} is missing: npm run build`);
		redis = await startRedis();
		await seed(redis);
	}, 60_000);

	afterAll(async () => {
		await redis?.stop();
	});

	it('keeps the young generation small while it reads the history; V8 own sizing grows it', async () => {
		const lean = await youngGeneration(redis, {});
		const v8Own = await youngGeneration(redis, {MYCOTOP_HEAP: 'v8'});
		expect(v8Own).toBeGreaterThan(lean);
		expect(lean).toBeLessThanOrEqual(16);
	}, 120_000);
});
