/**
mycotop in a real terminal (tmux): against a private redis-server and the fake nvidia-smi, published events
appear on screen, no frame is taller than rows - 1 and none clears the whole screen, a resize leaves a clean
frame, and `q` restores the terminal (main screen back, cursor visible).
*/
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {existsSync} from 'node:fs';
import {resolve} from 'node:path';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {frameHeights, tmuxAvailable, TmuxPane} from './tmux.js';

const root = resolve(import.meta.dirname, '../..');
const cli = resolve(root, 'dist/bundle/cli.js');
const fakeSmi = resolve(root, 'test/fixtures/nvidia-smi/bin/nvidia-smi');
const inCi = (process.env['CI_ORIGINAL'] ?? process.env['CI']) === 'true';
const canRun = redisAvailable() && (tmuxAvailable() || (inCi ? (() => { throw new Error('CI=true and tmux is missing: apt-get install -y tmux'); })() : false));
if (!tmuxAvailable()) process.stderr.write('\n*** SKIPPING terminal tests: tmux is not installed (apt-get install -y tmux) ***\n');

describe.runIf(canRun)('mycotop in tmux', () => {
	let redis: TestRedis;
	let pane: TmuxPane;

	beforeAll(async () => {
		if (!existsSync(cli)) throw new Error(`${cli} is missing: run npx tsc -p tsconfig.json (npm test builds first)`);
		redis = await startRedis();
		pane = new TmuxPane(100, 30, {FAKE_NVIDIA_SMI_SCENARIO: 'eight-gpu', TERM: 'tmux-256color'});
		pane.run('clear; echo BEFORE-MYCOTOP-MARKER');
		// The echoed output alone (a line equal to the marker), not the typed command that contains it: recording must
		// start after `clear` ran, or its ESC[3J lands in the recording.
		await waitFor(() => pane.screen().some((l) => l.trim() === 'BEFORE-MYCOTOP-MARKER'), 5000, 'the shell');
		pane.record();
		pane.run(`node ${cli} --redis-url ${redis.url} --nvidia-smi ${fakeSmi} --gpu-interval 250; echo MYCOTOP-EXIT=$?`);
		await waitFor(() => pane.screen().some((l) => l.includes('1 Training')), 15_000, 'the first frame');
	});

	afterAll(async () => {
		pane?.close();
		await redis?.stop();
	});

	it('shows the header, the 8 fake GPUs and the panes on the alternate screen', async () => {
		await waitFor(() => pane.screen().filter((l) => /^ {1,2}\d H100/.test(l.slice(1))).length === 8, 10_000, '8 GPU lines');
		const screen = pane.screen();
		expect(screen[0]).toMatch(/^mycotop \S+ \[writer\] redis up Redis redis:\/\/127\.0\.0\.1:\d+/);
		expect(pane.format('#{alternate_on}')).toBe('1');
		for (const title of ['1 Training', '2 GPUs', '3 Tasks', '4 Agents', '5 Alerts']) expect(screen.join('\n')).toContain(title);
	});

	it('published events appear on screen', async () => {
		const client = redis.client();
		for (let step = 1; step <= 12; step++) {
			await client.publish('events:training:progress', JSON.stringify({projectId: 'e2e-proj', step, loss: 2 - step * 0.1, timestamp: new Date().toISOString()}));
		}
		await client.publish('events:training:progress', JSON.stringify({projectId: 'e2e-nan', step: 1, loss: 'NaN', timestamp: new Date().toISOString()}));
		await client.publish('events:agents:status', JSON.stringify({agentType: 'e2e-agent', status: 'busy', taskCount: 2}));
		await client.publish('events:tasks:updates', JSON.stringify({taskId: 'e2e-task', status: 'done', agent: 'e2e-agent', duration_seconds: 2400, timestamp: new Date().toISOString()}));
		await waitFor(() => {
			const text = pane.screen().join('\n');
			return text.includes('e2e-proj') && text.includes('e2e-agent') && text.includes('e2e-task');
		}, 10_000, 'the published events on screen');
		const text = pane.screen().join('\n');
		expect(text).toMatch(/e2e-proj .* 0\.800/);
		expect(text).toMatch(/e2e-nan .*NaN/);
		expect(text).toMatch(/e2e-task .*40m00s/);
	});

	it('a on a selected alert acknowledges it in Redis', async () => {
		// The NaN loss published above fires the built-in non_finite_loss rule (critical, no pending time).
		await waitFor(() => pane.screen().some((l) => l.includes('non_finite_loss') && l.includes('firing')), 15_000, 'the non_finite_loss alert');
		pane.keys('5');
		pane.keys('/rule:non_finite');
		pane.keys('Enter', false);
		await waitFor(() => pane.screen()[0]!.includes('filter "rule:non_finite"'), 5000, 'the filter');
		pane.keys('a');
		pane.keys('Enter', false);
		const client = redis.client();
		await waitFor(async () => (await client.hkeys('mycotop:alerts:acks')).some((k) => k.includes('non_finite_loss')), 10_000, 'the ack in Redis');
		await waitFor(() => pane.screen().some((l) => l.includes('non_finite_loss') && l.includes('acknowledged')), 10_000, 'the acknowledged state on screen');
		pane.keys('/');
		pane.keys('C-u', false);
		pane.keys('Enter', false);
		pane.keys('1');
		await waitFor(() => !pane.screen()[0]!.includes('filter "'), 5000, 'the filter cleared');
	});

	it('keys work in the real terminal: zoom and back, help overlay', async () => {
		pane.keys('3');
		pane.keys('z');
		await waitFor(() => !pane.screen().join('\n').includes('1 Training'), 5000, 'zoom');
		pane.keys('z');
		pane.keys('?');
		await waitFor(() => pane.screen().join('\n').includes('pause / resume the display'), 5000, 'help');
		pane.keys('?');
		await waitFor(() => pane.screen().join('\n').includes('1 Training'), 5000, 'help closed');
	});

	it('no frame is taller than rows - 1 and none clears the screen', () => {
		const heights = frameHeights(pane.raw());
		expect(heights.length).toBeGreaterThan(3);
		expect(Math.max(...heights)).toBeLessThanOrEqual(29);
		// Ink's clear path (ESC[2J / ESC[3J) flickers and wipes tmux scrollback.
		expect(pane.raw()).not.toMatch(/\u001B\[[23]J/);
		expect(pane.screen()[29]).toBe('');
	});

	it('a resize leaves a clean frame', async () => {
		const clean = (columns: number, rows: number) => {
			const screen = pane.screen();
			if (screen.length !== rows) return false;
			const text = screen.join('\n');
			return (
				screen[0]!.startsWith('mycotop') &&
				screen[rows - 2]!.includes('? help  q quit') &&
				screen[rows - 1] === '' &&
				screen.every((l) => l.length <= columns) &&
				['1 Training', '2 GPUs', '3 Tasks', '4 Agents', '5 Alerts'].every((t) => text.split(t).length === 2)
			);
		};
		for (const [columns, rows] of [
			[80, 24],
			[160, 45],
			[90, 26],
		] as const) {
			pane.resize(columns, rows);
			await waitFor(() => clean(columns, rows), 5000, `a clean ${columns}x${rows} frame`);
		}
		pane.resize(60, 20);
		await waitFor(() => pane.screen().join('\n').includes('terminal too small: 60x20'), 5000, 'the too-small message');
		pane.resize(100, 30);
		await waitFor(() => clean(100, 30), 5000, 'a clean frame after growing back');
		expect(pane.raw()).not.toMatch(/\u001B\[[23]J/);
	});

	it('q quits and restores the terminal: main screen back, cursor visible', async () => {
		pane.keys('q');
		await waitFor(() => pane.format('#{alternate_on}') === '0', 10_000, 'the main screen');
		await waitFor(() => pane.screen().some((l) => l.includes('BEFORE-MYCOTOP-MARKER')), 5000, 'the shell screen');
		expect(pane.format('#{cursor_flag}')).toBe('1');
		await waitFor(() => pane.screen().some((l) => l.includes('MYCOTOP-EXIT=0')), 10_000, 'exit status 0');
	});
});
