/**
The GPU health badge in a real terminal (tmux), at 80x24 and 120x40: the fake nvidia-smi plays the `health` scenario
(GPU 0 throttles for heat and recovers, GPU 1 sits at its power cap on an x8 link, has an Xid 48 and an uncorrectable
ECC error). Every line fits the width, the badge names what is wrong, and the host line (this machine's /proc) shows.
*/
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {existsSync} from 'node:fs';
import {resolve} from 'node:path';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {tmuxAvailable, TmuxPane} from './tmux.js';

const root = resolve(import.meta.dirname, '../..');
const cli = resolve(root, 'dist/bundle/cli.js');
const fakeSmi = resolve(root, 'test/fixtures/nvidia-smi/bin/nvidia-smi');
const canRun = redisAvailable() && tmuxAvailable();

describe.runIf(canRun)('the GPU health badge in tmux', () => {
	let redis: TestRedis;
	let pane: TmuxPane;

	beforeAll(async () => {
		if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build`);
		redis = await startRedis();
		pane = new TmuxPane(120, 40, {FAKE_NVIDIA_SMI_SCENARIO: 'health', TERM: 'tmux-256color'});
		pane.run(`node ${cli} --redis-url ${redis.url} --nvidia-smi ${fakeSmi} --gpu-interval 250; echo MYCOTOP-EXIT=$?`);
		await waitFor(() => pane.screen().some((l) => l.includes('2 GPUs')), 15_000, 'the first frame');
	});

	afterAll(async () => {
		pane?.close();
		await redis?.stop();
	});

	const gpuLines = () => pane.screen().filter((l) => /^ {1,2}\d H100/.test(l.slice(1)));

	it('120x40: the power cap, the link trained down, the Xid and the ECC error on GPU 1; GPU 0 recovered', async () => {
		await waitFor(() => gpuLines()[1]?.includes('XID 48') === true && gpuLines()[1]!.includes('ECC 1!'), 10_000, 'the Xid and ECC badge');
		expect(gpuLines()[1]).toMatch(/XID 48 \d+s ECC 1! LINK x8 gen5/);
		// The heat came and went (frames 2-4): after the recording's last frame no thermal reason is active, and the
		// corrected-ECC note has room again.
		await waitFor(() => !gpuLines()[0]!.includes('THERM'), 10_000, 'GPU 0 cool again');
		expect(gpuLines()[0]).toContain('ECC 3c');
		for (const l of pane.screen()) expect(l.length).toBeLessThanOrEqual(120);
		// The host line from this machine's /proc sits above the GPUs.
		await waitFor(() => pane.screen().some((l) => /host CPU \d+%/.test(l)), 5000, 'the host line');
		expect(pane.screen().find((l) => l.includes('host CPU'))).toMatch(/mem [\d.]+[KMGT]\/[\d.]+[KMGT]/);
	});

	it('80x24: the badge still shows, cut to the most serious parts, within the width', async () => {
		pane.resize(80, 24);
		await waitFor(() => pane.screen().length === 24 && (gpuLines()[1]?.includes('XID 48') ?? false), 5000, 'an 80x24 frame with the badge');
		for (const l of pane.screen()) expect(l.length).toBeLessThanOrEqual(80);
		expect(gpuLines()[1]).toMatch(/XID 48 \d+s ECC 1!/);
		expect(pane.screen().some((l) => /host CPU \d+%/.test(l))).toBe(true);
	});

	it('q quits cleanly', async () => {
		pane.keys('q');
		await waitFor(() => pane.screen().some((l) => l.includes('MYCOTOP-EXIT=0')), 10_000, 'the exit code');
	});
});
