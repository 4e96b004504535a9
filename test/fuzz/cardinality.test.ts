/** 100,000 distinct project ids: memory stays bounded and the refusals are counted and shown. */
import {readFileSync} from 'node:fs';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {INPUT_CHANNELS} from '../../src/contract/names.js';
import {DEFAULT_LIMITS} from '../../src/store/metrics-store.js';
import {formatCount} from '../../src/format/units.js';
import {CLI, requireBuild, rssMb, TmuxPane, tmuxAvailable} from '../faults/harness.js';
import {faultRow} from '../faults/fault-table.js';

const DISTINCT = 100_000;

/** The node process in a tmux pane (the pane's shell may have exec'd it, or run it as a child). */
function nodePid(panePid: number): number {
	if (readFileSync(`/proc/${panePid}/comm`, 'utf8').trim().startsWith('node')) return panePid;
	const children = readFileSync(`/proc/${panePid}/task/${panePid}/children`, 'utf8').trim().split(/\s+/).map(Number);
	const child = children.find((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('node'));
	if (child === undefined) throw new Error('no node process in the pane');
	return child;
}

describe.runIf(redisAvailable() && tmuxAvailable())('cardinality: 100,000 distinct project ids', () => {
	let redis: TestRedis;
	let pane: TmuxPane | undefined;

	beforeAll(async () => {
		requireBuild();
		redis = await startRedis();
	});
	afterAll(async () => {
		pane?.kill();
		await redis?.stop();
	});

	it('keeps RSS under 200 MB and shows the refusals in the header', {timeout: 120_000}, async ({task}) => {
		const row = faultRow(task, 'R7 100,000 distinct project ids into the TUI', 'RSS < 200 MB; new ids beyond 1,000 refused, counted and shown in the header');
		pane = new TmuxPane(`${process.execPath} ${CLI} --no-gpu --redis-url ${redis.url}`, 140, 40);
		const admin = redis.client();
		await waitFor(async () => Number(((await admin.call('PUBSUB', 'NUMSUB', INPUT_CHANNELS.trainingProgress)) as [string, number])[1]) === 1, 10_000, 'TUI subscribed');
		const pid = nodePid(pane.pid());
		let peakRss = rssMb(pid);
		let delivered = 0;
		for (let i = 0; i < DISTINCT; i += 1000) {
			const pipeline = admin.pipeline();
			for (let j = i; j < i + 1000; j++) pipeline.publish(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: `project-${j}`, step: 1, loss: 0.5}));
			for (const [error, receivers] of (await pipeline.exec()) ?? []) if (error === null && receivers === 1) delivered += 1;
			await waitFor(async () => !/omem=[1-9]\d{5,}/.test(String(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub'))), 20_000, 'TUI keeping up');
			peakRss = Math.max(peakRss, rssMb(pid));
		}
		expect(delivered).toBe(DISTINCT);
		const refused = DISTINCT - DEFAULT_LIMITS.maxProjects;
		const shown = new RegExp(`refused\\s+${formatCount(refused).replace('.', '\\.')}`);
		await waitFor(() => shown.test(pane!.capture()), 30_000, `header showing refused ${formatCount(refused)}`);
		// Let the writer, the snapshot and GC settle, then measure again.
		await new Promise((resolve) => setTimeout(resolve, 2000));
		peakRss = Math.max(peakRss, rssMb(pid));
		const written = (await admin.keys('metrics:training:*:loss')).length;
		row.observe(`peak RSS ${peakRss.toFixed(0)} MB; header shows "refused ${formatCount(refused)}"; ${written} projects written to Redis`);
		expect(peakRss).toBeLessThan(200);
		expect(written).toBe(DEFAULT_LIMITS.maxProjects);
		pane.keys('q');
	});
});
