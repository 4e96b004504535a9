/**
The sent-record's content hash is the same on every instance for the same message, whatever each instance sent
before: a re-fire after a restart, or on a second instance, is a new episode (a new hash) and is delivered.
*/
import {describe, expect, it} from 'vitest';
import {parseConfig} from '../../src/config/config.js';
import {type NotifyConfig} from '../../src/notify/notify-config.js';
import {EMPTY_GROUPING, groupingStep, type GroupingInput, type GroupingState} from '../../src/notify/grouping.js';
import {type Notification, type NotifyAlert} from '../../src/notify/notify-types.js';
import {alertId} from '../../src/rules/labels.js';
import {memorySentRecords, settledKeepMs} from '../../src/writer/sent-records.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;

function config(): NotifyConfig {
	const parsed = parseConfig(`notify:\n  receivers:\n    - name: team\n      slack: {url: "http://127.0.0.1:1/slack"}\n`, 'c.yaml', {});
	if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
	return parsed.config.notify!;
}
const CFG = config();

/** The alert `hot{gpu=1}` in an episode that started at `startMs`. */
function hot(status: 'firing' | 'resolved', startMs: number, atMs: number): NotifyAlert {
	const labels = {gpu: '1'};
	return {id: alertId('hot', labels), rule: 'hot', severity: 'warning', labels: {...labels, alertname: 'hot', severity: 'warning'}, annotations: {}, status, startsAtMs: startMs, ...(status === 'resolved' ? {endsAtMs: atMs} : {})};
}

/** One instance's grouping, stepped every second. */
class Instance {
	state: GroupingState = EMPTY_GROUPING;
	out: Array<{at: number; n: Notification}> = [];
	run(from: number, to: number, input: Partial<GroupingInput> = {}): void {
		for (let t = from; t <= to; t += S) {
			const r = groupingStep(this.state, {alerts: [], ...(t === from ? input : {})}, t, CFG);
			this.state = r.state;
			for (const n of r.notifications) this.out.push({at: t, n});
		}
	}
	/** Fires at `base`, resolves 61 s later, steps on to base + 12 min. */
	cycle(base: number): void {
		this.run(base, base + 60 * S, {alerts: [hot('firing', base, base)]});
		this.run(base + 61 * S, base + 12 * M, {alerts: [hot('resolved', base, base + 61 * S)]});
	}
}

const idOf = (n: Notification) => ({receiver: n.receiver, groupKey: n.groupKey, contentHash: n.contentHash});

describe('content hash across restarts and instances', () => {
	it('a re-fire after a restart (a fresh grouping, the record still in Redis) is claimed and sent', async () => {
		const records = memorySentRecords('i1', () => true);
		const before = new Instance();
		before.cycle(0);
		const first = before.out[0]!.n;
		expect(await records.claim(idOf(first), 15_000)).toBe('claimed');
		await records.settle(idOf(first), 'sent', settledKeepMs(first.repeatIntervalMs));
		// The process restarts: a new grouping state; the record lives on for most of the repeat interval.
		const after = new Instance();
		after.run(20 * M, 21 * M, {alerts: [hot('firing', 20 * M, 20 * M)]});
		const refire = after.out[0]!.n;
		expect(refire.reason).toBe('new');
		expect(await records.claim(idOf(refire), 15_000)).toBe('claimed');
	});

	it('an instance started after the first episode names the later ones as the first instance does', () => {
		const a = new Instance();
		const b = new Instance();
		a.cycle(0);
		for (const base of [15 * M, 30 * M]) {
			a.cycle(base);
			b.cycle(base);
		}
		const hashes = (i: Instance) => i.out.slice(-4).map((o) => [o.at, o.n.status, o.n.contentHash]);
		expect(hashes(b)).toEqual(hashes(a));
	});

	it('instances whose starts of one episode differ by an evaluation agree, unless a minute boundary falls between them', () => {
		const hashOf = (startMs: number) => {
			const i = new Instance();
			i.run(startMs, startMs + 40 * S, {alerts: [hot('firing', startMs, startMs)]});
			return i.out[0]!.n.contentHash;
		};
		expect(hashOf(10 * M + 200)).toBe(hashOf(10 * M + 1100));
		// The documented case: 09:59.6 and 10:00.4 round to different minutes (the README says what is then sent twice).
		expect(hashOf(10 * M - 400)).not.toBe(hashOf(10 * M + 400));
	});

	it('the repeat of an unchanged group is a message of its own: the record of the one it repeats does not swallow it', async () => {
		let now = 0;
		const records = memorySentRecords('i1', () => true, () => now);
		const a = new Instance();
		a.run(0, 0, {alerts: [hot('firing', 0, 0)]});
		for (let t = 30 * S; t <= 4 * H + 10 * M; t += 30 * S) a.run(t, t);
		const [first, repeat] = a.out;
		expect(repeat!.n.reason).toBe('repeat');
		expect(repeat!.n.contentHash).not.toBe(first!.n.contentHash);
		// The first was delivered an hour late: its record outlives the repeat's time.
		now = first!.at + H;
		await records.claim(idOf(first!.n), 15_000);
		await records.settle(idOf(first!.n), 'sent', settledKeepMs(first!.n.repeatIntervalMs));
		now = repeat!.at;
		expect(await records.claim(idOf(repeat!.n), 15_000)).toBe('claimed');
	});

	it('after a restart, the first message about a group already announced is the one last sent before it (so it is recognised)', () => {
		const before = new Instance();
		before.run(0, 0, {alerts: [hot('firing', 0, 0)]});
		for (let t = 30 * S; t <= 9 * H; t += 30 * S) before.run(t, t);
		expect(before.out.map((o) => o.n.reason)).toEqual(['new', 'repeat', 'repeat']);
		// Restarted at 2 h, 5 h and 8 h 10 min: the alert is adopted (no transition), its group sent once more.
		for (const [restart, last] of [[2 * H, 0], [5 * H, 1], [8 * H + 10 * M, 2]] as const) {
			const after = new Instance();
			after.run(restart, restart + M, {adopted: [hot('firing', 0, 0)]});
			expect(after.out.map((o) => o.n.contentHash)).toEqual([before.out[last]!.n.contentHash]);
		}
	});

	it('an ack that lapses gives a message of its own, not the unacknowledged one sent before the ack', () => {
		const a = new Instance();
		const ack = {by: 'ana', atMs: 2 * M, untilMs: 8 * M};
		a.run(0, 0, {alerts: [hot('firing', 0, 0)]});
		a.run(1 * S, 2 * M, {acks: new Map()});
		a.run(2 * M + S, 8 * M, {acks: new Map([[hot('firing', 0, 0).id, ack]])});
		a.run(8 * M + S, 12 * M, {acks: new Map()});
		const hashes = a.out.map((o) => o.n.contentHash);
		expect(hashes.length).toBe(3);
		expect(new Set(hashes).size).toBe(3);
	});
});
