/** Acks with substance: a note typed after `a`, an expiry, old records still read, the age shown in the alert log. */
import {describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import {parseAckNote} from '../../src/rules/ack-note.js';
import {ackWriteProblem, decodeAck, liveAck} from '../../src/rules/ack-silence.js';
import {AlertLog} from '../../components/AlertLog.js';
import {type AlertRow} from '../../src/rules/alert-snapshot.js';
import {BELL_START, bellStep} from '../../src/notify/bell.js';
import {configAuthor} from '../../src/rules/attach.js';

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);

describe('parseAckNote', () => {
	it('reads a duration alone, a duration then a colon then the comment, or a comment alone', () => {
		expect(parseAckNote('')).toEqual({});
		expect(parseAckNote('  2h  ')).toEqual({forMs: 7_200_000});
		expect(parseAckNote('2h: restarting the loader')).toEqual({forMs: 7_200_000, comment: 'restarting the loader'});
		expect(parseAckNote('1h30m :x')).toEqual({forMs: 5_400_000, comment: 'x'});
		expect(parseAckNote('2h:')).toEqual({forMs: 7_200_000});
		expect(parseAckNote('looking at it')).toEqual({comment: 'looking at it'});
		expect(parseAckNote('2 GPUs are down')).toEqual({comment: '2 GPUs are down'});
		expect(parseAckNote('400d')).toMatch(/longer than the 365d maximum/);
		expect(parseAckNote('400d: for good')).toMatch(/longer than the 365d maximum/);
	});

	it('never reads a comment that begins like a duration as an expiry', () => {
		expect(parseAckNote('1m ago the loader died')).toEqual({comment: '1m ago the loader died'});
		expect(parseAckNote('3d printer jammed')).toEqual({comment: '3d printer jammed'});
		expect(parseAckNote('2h restarting the loader')).toEqual({comment: '2h restarting the loader'});
		expect(parseAckNote('note: 2h to go')).toEqual({comment: 'note: 2h to go'});
		expect(parseAckNote('10:30 restart')).toEqual({comment: '10:30 restart'});
	});
});

describe('ack expiry', () => {
	const ack = {alertId: 'gpu_hot:0', by: 'alice@box', atMs: NOW, severity: 'critical' as const, untilMs: NOW + 3_600_000};

	it('covers the alert until it expires, then not', () => {
		expect(liveAck(ack, NOW + 3_599_999)).toBe(ack);
		expect(liveAck(ack, NOW + 3_600_000)).toBeUndefined();
		const {untilMs: _none, ...forever} = ack;
		expect(liveAck(forever, NOW + 365 * 86_400_000)).toBe(forever);
	});

	it('stores and reads back the expiry; records written before it existed still read', () => {
		expect(decodeAck(JSON.stringify(ack))).toEqual(ack);
		expect(decodeAck(JSON.stringify({alertId: 'a', by: 'bob', atMs: NOW, severity: 'warning', comment: 'old'}))).toEqual({alertId: 'a', by: 'bob', atMs: NOW, severity: 'warning', comment: 'old'});
		expect(decodeAck(JSON.stringify({...ack, untilMs: 1e300}))).toMatch(/untilMs/);
		expect(ackWriteProblem({...ack, untilMs: NOW + 400 * 86_400_000})).toMatch(/at most 365d/);
		expect(ackWriteProblem(ack)).toBeUndefined();
	});
});

describe('AlertLog', () => {
	it("shows an ack's author, age, expiry and comment", () => {
		const row: AlertRow = {
			id: 'gpu_hot:0',
			rule: 'gpu_hot',
			severity: 'critical',
			state: 'acknowledged',
			message: 'GPU 0 at 91 C',
			labels: {gpu: '0'},
			sinceMs: NOW - 600_000,
			updatedMs: NOW - 600_000,
			origin: 'rules',
			acknowledgedBy: 'alice@box',
			acknowledgedMs: NOW - 5 * 60_000,
			ackComment: 'fan replaced',
			ackUntilMs: NOW + 2 * 3_600_000,
		};
		const {lastFrame, unmount} = render(<AlertLog rows={[row]} nowMs={NOW} rulesRunning width={200} height={6} focused={false} selectedIndex={0} />);
		const frame = lastFrame() ?? '';
		unmount();
		expect(frame).toMatch(/ack alice@box 5m ago until \d\d:\d\d:\d\d: fan replaced/);
	});

	it('shows what inhibits an alert, and the receivers in the title (one line each when zoomed)', () => {
		const row: AlertRow = {id: 'gpu_util_low:0', rule: 'gpu_util_low', severity: 'warning', state: 'firing', message: 'idle', labels: {gpu: '0'}, sinceMs: NOW, updatedMs: NOW, origin: 'rules', inhibitedBy: 'gpu_lost:0'};
		const receivers = [
			{name: 'team', type: 'slack' as const, queued: 0, lastSuccessMs: NOW - 120_000},
			{name: 'oncall', type: 'pagerduty' as const, queued: 2, lastError: 'HTTP 404: no_service', lastErrorMs: NOW - 60_000, misconfigured: true},
		];
		const draw = (zoomed: boolean) => {
			const {lastFrame, unmount} = render(<AlertLog rows={[row]} receivers={receivers} zoomed={zoomed} nowMs={NOW} rulesRunning width={200} height={10} focused={false} selectedIndex={0} />);
			const frame = lastFrame() ?? '';
			unmount();
			return frame;
		};
		const frame = draw(false);
		expect(frame).toContain('(inhibited by gpu_lost:0)');
		expect(frame).toContain('team ok, oncall misconfigured (2 queued)');
		const zoomed = draw(true);
		expect(zoomed).toContain('team (slack)  ok, last sent 2m ago');
		expect(zoomed).toContain('oncall (pagerduty)  MISCONFIGURED  failing since 1m: HTTP 404: no_service  2 queued');
	});
});

describe('bellStep', () => {
	const row = (id: string, severity: AlertRow['severity'], state: AlertRow['state']): AlertRow => ({id, rule: id, severity, state, message: '', labels: {}, sinceMs: NOW, updatedMs: NOW, origin: 'rules'});

	it('rings once for a critical alert that starts firing, not for those firing at start, warnings or acknowledged ones', () => {
		let s = bellStep(BELL_START, [row('old', 'critical', 'firing')]);
		expect(s.ring).toBe(false);
		s = bellStep(s.state, [row('old', 'critical', 'firing'), row('warn', 'warning', 'firing'), row('acked', 'critical', 'acknowledged')]);
		expect(s.ring).toBe(false);
		s = bellStep(s.state, [row('old', 'critical', 'firing'), row('new', 'critical', 'firing')]);
		expect(s.ring).toBe(true);
		s = bellStep(s.state, [row('old', 'critical', 'firing'), row('new', 'critical', 'firing')]);
		expect(s.ring).toBe(false);
	});
});

describe('configAuthor', () => {
	it('reads alerting.author, cleaned, else nothing', () => {
		expect(configAuthor({raw: {alerting: {author: 'alice'}}})).toBe('alice');
		expect(configAuthor({raw: {alerting: {author: 'bob\u001b[31m'}}})).toBe('bob');
		expect(configAuthor({raw: {}})).toBeUndefined();
	});
});
