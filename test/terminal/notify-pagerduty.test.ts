/**
PagerDuty end to end in a real terminal (tmux): mycotop's TUI is the writer, with a PagerDuty receiver pointing at a
local fake Events API. A NaN loss fires the critical non_finite_loss alert (trigger, and the terminal bell with
--bell); `a`, a duration and a comment, Enter in the alert pane acknowledges it (acknowledge, and the ack's age,
expiry and comment on screen); finite losses resolve it (resolve). The fake endpoint receives the three with one
dedup_key; the frame, zoomed to show the receivers, holds no secret.
*/
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {existsSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {startFakeReceiver, type FakeReceiver} from '../helpers/fake-receiver.js';
import {tmuxAvailable, TmuxPane} from './tmux.js';

const root = resolve(import.meta.dirname, '../..');
const cli = resolve(root, 'dist/bundle/cli.js');
const PD_KEY = 'PdTmuxRoutingKey0123456789abcdef';
const canRun = redisAvailable() && tmuxAvailable();

describe.runIf(canRun)('PagerDuty from the TUI', () => {
	let redis: TestRedis;
	let pane: TmuxPane;
	let pd: FakeReceiver;
	const events = () => pd.requests.map((r) => JSON.parse(r.body) as {event_action: string; dedup_key: string; routing_key: string});

	beforeAll(async () => {
		if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build`);
		redis = await startRedis();
		pd = await startFakeReceiver('/v2/enqueue');
		pd.script([], {status: 202, body: '{"status":"success","message":"Event processed"}'});
		const config = join(mkdtempSync(join(tmpdir(), 'mycotop-pd-')), 'config.yaml');
		writeFileSync(
			config,
			`notify:\n  receivers:\n    - name: oncall\n      pagerduty: {routing_key: '\${PD_KEY}', url: '${pd.url}'}\n  route:\n    receiver: oncall\n    group_wait: 0s\n    group_interval: 1s\n`,
		);
		pane = new TmuxPane(160, 40, {PD_KEY, TERM: 'tmux-256color'});
		pane.record();
		pane.run(`node ${cli} --redis-url ${redis.url} --no-gpu --bell --config ${config}; echo MYCOTOP-EXIT=$?`);
		await waitFor(() => pane.screen().some((l) => l.includes('1 Training')), 15_000, 'the first frame');
		await waitFor(() => pane.screen()[0]!.includes('[writer]'), 15_000, 'the writer lease');
	});

	afterAll(async () => {
		pane?.close();
		await pd?.close();
		await redis?.stop();
	});

	it('sends trigger, acknowledge and resolve with one dedup_key; rings once; shows the ack', async () => {
		const client = redis.client();
		expect(pane.raw()).not.toContain('\u0007');
		await client.publish('events:training:progress', JSON.stringify({projectId: 'pd-e2e', step: 1, loss: 'NaN', timestamp: new Date().toISOString()}));
		await waitFor(() => events().length === 1, 15_000, 'the trigger');
		expect(events()[0]).toMatchObject({event_action: 'trigger', routing_key: PD_KEY});
		await waitFor(() => pane.raw().includes('\u0007'), 5000, 'the bell');

		pane.keys('5');
		pane.keys('/rule:non_finite');
		pane.keys('Enter', false);
		await waitFor(() => pane.screen().some((l) => l.includes('non_finite_loss') && l.includes('firing')), 10_000, 'the alert in the pane');
		pane.keys('a');
		await waitFor(() => pane.screen().some((l) => l.includes('acknowledge non_finite_loss: 2h, a comment, or 2h: comment')), 5000, 'the ack prompt');
		pane.keys('2h: rolling back');
		pane.keys('Enter', false);
		await waitFor(() => events().length === 2, 15_000, 'the acknowledge');
		expect(events()[1]).toMatchObject({event_action: 'acknowledge'});
		// The line is cut at the pane's width: the comment's first word is enough.
		await waitFor(() => pane.screen().some((l) => /acknowledged.*\(ack \S+ \d+s ago until \d\d:\d\d:\d\d: rolling/.test(l)), 10_000, "the ack's age, expiry and comment");

		await new Promise((r) => setTimeout(r, 3000));
		const timestamp = new Date().toISOString();
		for (let step = 2; step <= 7; step++) await client.publish('events:training:progress', JSON.stringify({projectId: 'pd-e2e', step, loss: 1, timestamp}));
		await waitFor(() => events().length === 3, 20_000, 'the resolve');
		expect(events().map((e) => e.event_action)).toEqual(['trigger', 'acknowledge', 'resolve']);
		expect(new Set(events().map((e) => e.dedup_key)).size).toBe(1);

		// The receivers' lines (zoomed alert pane), and no secret anywhere in the frame.
		pane.keys('z');
		await waitFor(() => pane.screen().some((l) => l.includes('oncall (pagerduty)')), 5000, 'the receiver line');
		expect(pane.screen().join('\n')).toMatch(/oncall \(pagerduty\) {2}ok, last sent \d+s ago/);
		expect(pane.screen().join('\n')).not.toContain(PD_KEY);
		expect(pane.raw()).not.toContain(PD_KEY);
		expect(pane.raw().split('\u0007').length - 1).toBe(1);
	}, 90_000);
});
