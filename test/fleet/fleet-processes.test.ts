/**
The fleet end to end, with real processes: a real redis-server, 16 `mycotop --headless` processes, each with its own
`--host` and the fake nvidia-smi (8 H100s each, the eight-gpu recording), and viewers that are `mycotop --once --json`
processes and a TUI in tmux at 120x40. All 16 are listed; one is killed (SIGKILL: no goodbye) and goes stale, then
lost, and stays listed. Short thresholds come from the config's `fleet:` section.
*/
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {CLI, runCli, startCli, type RunningCli} from '../helpers/cli.js';
import {TmuxPane} from '../terminal/tmux.js';

const root = resolve(import.meta.dirname, '../..');
const fakeSmi = resolve(root, 'test/fixtures/nvidia-smi/bin/nvidia-smi');
const HOSTS = Array.from({length: 16}, (_, i) => `fleet-${String(i).padStart(2, '0')}`);
const VICTIM = 'fleet-07';

interface FleetJson {
	readonly hosts: ReadonlyArray<{host: string; state: string; self: boolean; summary?: {gpuCount?: number; utilMaxPercent?: number; gpuState?: string}}>;
	readonly thresholds: {staleAfterMs: number; lostAfterMs: number};
}

describe.runIf(redisAvailable() && existsSync(CLI))('16 boxes on one Redis', () => {
	let redis: TestRedis;
	let dir: string;
	let config: string;
	const boxes = new Map<string, RunningCli>();

	/** One viewer's --once --json: the fleet it read. */
	async function onceFleet(): Promise<FleetJson> {
		const out = await runCli(['--once', '--json', '--redis-url', redis.url, '--config', config, '--no-gpu', '--host', 'viewer'], {}, 30_000);
		expect(out.code, out.stderr).toBe(0);
		return (JSON.parse(out.stdout) as {fleet: FleetJson}).fleet;
	}

	beforeAll(async () => {
		redis = await startRedis();
		dir = mkdtempSync(join(tmpdir(), 'mycotop-fleet-'));
		config = join(dir, 'config.yaml');
		// Stale after 3 intervals without a write (6 s), lost after 20 s: a killed box is lost in seconds, not a minute.
		writeFileSync(config, 'fleet:\n  staleAfter: 3s\n  lostAfter: 20s\n  expireAfter: 1h\nhost:\n  enabled: false\n');
		for (const host of HOSTS) {
			boxes.set(
				host,
				startCli(['--headless', '--redis-url', redis.url, '--config', config, '--host', host, '--nvidia-smi', fakeSmi, '--gpu-interval', '2000'], {FAKE_NVIDIA_SMI_SCENARIO: 'eight-gpu'}),
			);
		}
	}, 60_000);

	afterAll(async () => {
		for (const box of boxes.values()) box.kill('SIGKILL');
		await Promise.all([...boxes.values()].map((b) => b.exited()));
		await redis?.stop();
		if (dir !== undefined) rmSync(dir, {recursive: true, force: true});
	});

	it('a viewer lists all 16, fresh, each with its 8 GPUs', async () => {
		let fleet: FleetJson | undefined;
		await waitFor(
			async () => {
				fleet = await onceFleet();
				return fleet.hosts.filter((h) => h.state === 'fresh').length === 16;
			},
			60_000,
			'16 fresh hosts in --once --json',
		);
		expect(fleet!.hosts.map((h) => h.host)).toEqual(HOSTS);
		expect(fleet!.thresholds).toMatchObject({staleAfterMs: 3000, lostAfterMs: 20_000});
		// A box registers before its GPUs answer (on a loaded machine the first nvidia-smi may time out and be retried):
		// wait for every box's 8 GPUs.
		await waitFor(
			async () => {
				fleet = await onceFleet();
				return fleet.hosts.filter((h) => h.state === 'fresh' && h.summary?.gpuCount === 8 && h.summary.utilMaxPercent !== undefined).length === 16;
			},
			150_000,
			'16 hosts with 8 GPUs each',
		);
		expect(fleet!.hosts.every((h) => !h.self)).toBe(true);
	}, 240_000);

	it('and the screen: the hosts pane of a TUI viewer at 120x40 says 16 hosts and shows a selected host’s GPUs', async () => {
		const pane = new TmuxPane(120, 40, {TERM: 'tmux-256color'});
		try {
			pane.run(`node ${CLI} --redis-url ${redis.url} --config ${config} --no-gpu --host viewer; echo MYCOTOP-EXIT=$?`);
			await waitFor(() => pane.screen().some((l) => l.includes('6 Hosts') && l.includes('16 hosts') && l.includes('128 GPUs')), 30_000, 'the hosts pane');
			for (const line of pane.screen()) expect(line.length).toBeLessThanOrEqual(120);
			// 6 focuses the hosts pane, j moves to the second host, Enter shows its GPUs in the GPU pane.
			pane.keys('6j');
			pane.keys('Enter', false);
			await waitFor(() => pane.screen().some((l) => l.includes('GPUs of fleet-01') && l.includes('8 GPUs')), 15_000, "fleet-01's GPUs");
			expect(pane.screen().filter((l) => /^ {1,2}\d H100/.test(l.slice(1))).length).toBe(8);
			pane.keys('q');
			await waitFor(() => pane.screen().some((l) => l.includes('MYCOTOP-EXIT=0')), 10_000, 'the exit');
		} finally {
			pane.close();
		}
	}, 90_000);

	it('a killed box goes stale, then lost, and stays listed', async () => {
		boxes.get(VICTIM)!.kill('SIGKILL');
		await boxes.get(VICTIM)!.exited();
		let fleet: FleetJson | undefined;
		await waitFor(
			async () => {
				fleet = await onceFleet();
				return fleet.hosts.find((h) => h.host === VICTIM)?.state === 'stale';
			},
			20_000,
			`${VICTIM} stale`,
		);
		expect(fleet!.hosts.find((h) => h.host === VICTIM)?.summary?.gpuCount).toBe(8);
		await waitFor(
			async () => {
				fleet = await onceFleet();
				return fleet.hosts.find((h) => h.host === VICTIM)?.state === 'lost';
			},
			40_000,
			`${VICTIM} lost`,
		);
		expect(fleet!.hosts).toHaveLength(16);
		expect(fleet!.hosts.filter((h) => h.host !== VICTIM).every((h) => h.state !== 'lost')).toBe(true);
		// Its last summary is still there: lost, not forgotten.
		expect(fleet!.hosts.find((h) => h.host === VICTIM)?.summary?.gpuCount).toBe(8);
		const text = await runCli(['--once', '--redis-url', redis.url, '--config', config, '--no-gpu', '--host', 'viewer'], {}, 30_000);
		expect(text.stdout).toMatch(/hosts: 16 hosts · 128 GPUs · 1 lost/);
		expect(text.stdout).toMatch(new RegExp(`${VICTIM}: lost \\d+s ago, 8 GPUs`));
	}, 90_000);
});
