/**
Issue 10 ("Trust the numbers"): bounded validation from the limits table, key-safe ids, and time that one message
cannot move. Each `it` names the failure it pins; each fails on the code before the fix.
*/
import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {parseMessage, timestampMs, type ParseResult} from '../../src/contract/validate.js';
import {INPUT_CHANNELS, keys} from '../../src/contract/names.js';
import {keyId, keyPart, textId, UnsafeKeyIdError} from '../../src/contract/ids.js';
import {isoTime} from '../../src/contract/time.js';
import {FUTURE_SKEW_MS, MAX_DURATION_SECONDS, MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS} from '../../src/contract/limits.js';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {Ingest} from '../../src/ingest/ingest.js';
import {buildSnapshot, snapshotToJson} from '../../src/store/snapshot.js';
import {formatCount, formatDuration, formatSpan} from '../../src/format/units.js';
import {completionEntry, workflowEntry} from '../../src/writer/seed-entries.js';
import {type BusEvent} from '../../src/contract/events.js';

const NOW = Date.parse('2026-11-29T12:00:00Z');
const NS = 1_795_953_600_123_456_789; // 2026-11-29T12:00:00.123Z from Python's time.time_ns()
const US = 1_795_953_600_123_456;
const {trainingProgress: TRAINING, taskUpdates: TASKS, agentStatus: AGENTS, errorsCritical: ERRORS, workflowSteps: WORKFLOW} = INPUT_CHANNELS;

const parse = (channel: string, body: Record<string, unknown>, now = NOW): ParseResult => parseMessage(channel, JSON.stringify(body), now);
const ok = (r: ParseResult): BusEvent => {
	if (!r.ok) throw new Error(`rejected: ${r.reason}`);
	return r.event;
};

/** One valid message per input channel, with the given timestamp. */
function everyChannel(timestamp: unknown): Array<[string, Record<string, unknown>]> {
	return [
		[TRAINING, {projectId: 'p', step: 1, loss: 1, timestamp}],
		[TASKS, {taskId: 't', status: 'done', agent: 'a', duration_seconds: 5, timestamp}],
		[AGENTS, {agentType: 'a', status: 'busy', taskCount: 1, timestamp}],
		[ERRORS, {errorId: 'e', message: 'm', timestamp}],
		[WORKFLOW, {workflowId: 'w', stepId: 's', duration: 3, timestamp}],
		['events:alerts:system', {severity: 'warning', type: 'x', message: 'm', timestamp}],
	];
}

describe('timestamps outside the JavaScript Date range (issue 10: RangeError: Invalid time value)', () => {
	// '1e308' (a string with an exponent) is not a plain decimal: an invalid timestamp rather than out of range (validate.test.ts).
	it.each([1e308, -1e15, 1e20, -1, 5, '5', '+010000-01-01T00:00:00Z', '1969-12-31T23:59:59Z'])(
		'%s: training and task messages are rejected with a reason; the other channels use the receive time',
		(timestamp) => {
			for (const [channel, body] of everyChannel(timestamp)) {
				const r = parse(channel, body);
				if (channel === TRAINING || channel === TASKS) {
					expect(r).toEqual({ok: false, reason: `${channel === TRAINING ? 'training' : 'task'}: timestamp out of range`});
				} else {
					expect(ok(r).timeMs).toBe(NOW);
				}
			}
		},
	);

	it('nanoseconds (time.time_ns()) and microseconds are recognised by magnitude, converted and counted', () => {
		for (const value of [NS, String(NS), US]) {
			for (const [channel, body] of everyChannel(value)) {
				const r = parse(channel, body);
				expect(r.ok && r.timeNote).toBe('unit-converted');
				expect(Math.abs(ok(r).timeMs - 1_795_953_600_123)).toBeLessThan(1);
			}
		}
		// The stored timestamp is the ISO form, which every reader of the seed's lists understands.
		const training = ok(parse(TRAINING, {projectId: 'p', step: 1, loss: 1, timestamp: NS}));
		expect(training.kind === 'training' && training.timestamp).toBe('2026-11-29T12:00:00.123Z');
	});

	it('milliseconds and zoned ISO strings are kept as sent; seconds are stored as ISO (new Date(seconds) is 1970)', () => {
		for (const timestamp of [NOW, '2026-11-29T11:00:00Z', '2026-11-29T13:00:00+02:00']) {
			const r = parse(TRAINING, {projectId: 'p', step: 1, loss: 1, timestamp});
			expect(r.ok && r.timeNote).toBeUndefined();
			expect(ok(r)).toMatchObject({timestamp, timeMs: timestampMs(timestamp)});
		}
		const seconds = parse(TRAINING, {projectId: 'p', step: 1, loss: 1, timestamp: NOW / 1000});
		expect(seconds.ok && seconds.timeNote).toBeUndefined();
		expect(ok(seconds)).toMatchObject({timestamp: '2026-11-29T12:00:00.000Z', timeMs: NOW});
		expect(timestampMs(NOW / 1000)).toBe(NOW);
		expect(timestampMs(1e308)).toBeUndefined();
		expect(timestampMs(NS)).toBeCloseTo(1_795_953_600_123, 0);
	});

	it('a timestamp beyond the future skew is clamped to the receive time and flagged; within the skew it is kept', () => {
		const within = ok(parse(TASKS, {taskId: 't', status: 'done', agent: 'a', timestamp: NOW + FUTURE_SKEW_MS - 1}));
		expect(within.timeMs).toBe(NOW + FUTURE_SKEW_MS - 1);
		for (const [channel, body] of everyChannel(Date.UTC(2031, 0, 1))) {
			const r = parse(channel, body);
			expect(r.ok && r.timeNote).toBe('future-clamped');
			expect(ok(r).timeMs).toBe(NOW);
		}
		const training = ok(parse(TRAINING, {projectId: 'p', step: 1, loss: 1, timestamp: '2031-01-01T00:00:00Z'}));
		expect(training.kind === 'training' && training.timestamp).toBe(new Date(NOW).toISOString());
	});

	it('no accepted event carries a time a Date cannot format (writer, dashboard payload, snapshot)', () => {
		fc.assert(
			fc.property(fc.oneof(fc.double(), fc.integer(), fc.string(), fc.bigInt({min: 0n, max: 10n ** 22n}).map(String)), (timestamp) => {
				for (const [channel, body] of everyChannel(timestamp)) {
					const r = parse(channel, body);
					if (!r.ok) continue;
					expect(r.event.timeMs).toBeGreaterThanOrEqual(MIN_TIMESTAMP_MS);
					expect(r.event.timeMs).toBeLessThanOrEqual(NOW + FUTURE_SKEW_MS);
					expect(() => new Date(r.event.timeMs).toISOString()).not.toThrow();
				}
			}),
		);
	});

	it('isoTime never throws and stays within the window', () => {
		expect(isoTime(1e308)).toBe(new Date(MAX_TIMESTAMP_MS).toISOString());
		expect(isoTime(Number.NaN)).toBe(new Date(MIN_TIMESTAMP_MS).toISOString());
		expect(workflowEntry(1, 1e308)).toContain('2100-01-01');
	});
});

describe('absurd magnitudes are rejected (issue 10: avg 9.25925925925926e+295h52m)', () => {
	it.each([
		[TASKS, {taskId: 't', status: 'done', agent: 'a', duration_seconds: 1e300}, 'task: invalid duration_seconds'],
		[TASKS, {taskId: 't', status: 'done', agent: 'a', duration_seconds: MAX_DURATION_SECONDS + 1}, 'task: invalid duration_seconds'],
		[AGENTS, {agentType: 'a', status: 'busy', taskCount: 1e300}, 'agent: invalid taskCount'],
		[WORKFLOW, {workflowId: 'w', stepId: 's', duration: 1e300}, 'workflow: invalid duration'],
		[TRAINING, {projectId: 'p', step: 1e300, loss: 1}, 'training: invalid step'],
		[TRAINING, {projectId: 'p', step: 1, loss: 1e300}, 'training: invalid loss'],
		[TRAINING, {projectId: 'p', step: 1, loss: '-1e300'}, 'training: invalid loss'],
		[TRAINING, {projectId: 'p', step: 1, loss: 1, wer: 1e300}, 'training: invalid wer'],
		[TRAINING, {projectId: 'p', step: 1, loss: 1, wer: -0.5}, 'training: invalid wer'],
	])('%s %j', (channel, body, reason) => {
		expect(parse(channel, body)).toEqual({ok: false, reason});
	});

	it('NaN and ±Infinity losses and WERs stay accepted (the NaN-loss rule depends on them)', () => {
		for (const loss of ['NaN', 'Infinity', '-Infinity', 'inf']) expect(parse(TRAINING, {projectId: 'p', step: 1, loss, wer: loss}).ok).toBe(true);
		expect(parse(TRAINING, {projectId: 'p', step: Date.now(), loss: 1e30}).ok).toBe(true);
	});

	it('message size is measured in UTF-8 bytes: 30,000 CJK characters (90 KB) are too large', () => {
		expect(parse(TRAINING, {projectId: 'p', step: 1, loss: 1, note: '训'.repeat(30_000)})).toEqual({ok: false, reason: 'payload too large'});
	});

	it('duration and count formatting never prints an exponent', () => {
		expect(formatDuration(1e300)).toBe('>999d');
		expect(formatDuration(1000 * 86_400)).toBe('>999d');
		expect(formatDuration(999 * 86_400)).toBe('999d00h');
		expect(formatDuration(5 * 86_400 + 3 * 3600)).toBe('5d03h');
		expect(formatDuration(99 * 3600 + 59 * 60)).toBe('99h59m');
		expect(formatDuration(3725)).toBe('1h02m');
		expect(formatSpan(1e300)).toBe('>999d');
		expect(formatCount(1e300)).toBe('>999M');
		expect(formatCount(5e-324)).toBe('0');
		expect(formatCount(1.5)).toBe('1.5');
	});
});

describe('key-safe ids (issue 10: ids containing the key separator collide)', () => {
	it('workflow a:step:b + c and a + b:step:c can no longer share a list', () => {
		expect(parse(WORKFLOW, {workflowId: 'a:step:b', stepId: 'c', duration: 1})).toEqual({ok: false, reason: 'workflow: invalid workflowId'});
		expect(parse(WORKFLOW, {workflowId: 'a', stepId: 'b:step:c', duration: 1})).toEqual({ok: false, reason: 'workflow: invalid stepId'});
	});

	it.each([
		[AGENTS, {agentType: 'x:workload', status: 'busy'}, 'agent: invalid agentType'],
		[TASKS, {taskId: 't', status: 'done', agent: 'x:workload'}, 'task: invalid agent'],
		[TRAINING, {projectId: '../../x', step: 1, loss: 1}, 'training: invalid projectId'],
		[TRAINING, {projectId: '..', step: 1, loss: 1}, 'training: invalid projectId'],
		[TRAINING, {projectId: '.', step: 1, loss: 1}, 'training: invalid projectId'],
		[TRAINING, {projectId: 'a\\b', step: 1, loss: 1}, 'training: invalid projectId'],
		[TRAINING, {projectId: 'a\u3000b', step: 1, loss: 1}, 'training: invalid projectId'],
		[TRAINING, {projectId: '训练\u0007', step: 1, loss: 1}, 'training: invalid projectId'],
		[TRAINING, {projectId: '训练:1', step: 1, loss: 1}, 'training: invalid projectId'],
	])('%s %j is rejected', (channel, body, reason) => {
		expect(parse(channel, body)).toEqual({ok: false, reason});
	});

	it('wide characters stay valid ids; ids that are not part of a key may hold : / and .', () => {
		// Zero-width joiners are refused (as everywhere on screen): emoji ZWJ sequences are not key ids.
		expect(keyId('😀👩\u200d💻')).toBeUndefined();
		for (const id of ['训练-2', '😀🚀', 'проект', 'über.3', 'lm.7b', 'run#9', '..x', 'x'.repeat(128)]) expect(keyId(id)).toBe(id);
		expect(keyId('x'.repeat(129))).toBeUndefined();
		expect(ok(parse(TASKS, {taskId: 'job:42/a.b', status: 'done', agent: '训练'}))).toMatchObject({taskId: 'job:42/a.b', agent: '训练'});
		expect(textId('has space')).toBeUndefined();
		expect(textId('glob*')).toBeUndefined();
	});

	it('key builders refuse an id that did not pass keyId, loudly', () => {
		expect(() => keys.agentWorkload('x:workload')).toThrow(UnsafeKeyIdError);
		expect(() => keys.workflowStepDurations('a', 'b:step:c')).toThrow(UnsafeKeyIdError);
		expect(() => keys.trainingLoss('../../x')).toThrow(UnsafeKeyIdError);
		expect(keys.agentWorkload('训练')).toBe('metrics:agent:训练:workload');
		expect(keyPart('ok')).toBe('ok');
	});

	it('distinct key-safe id pairs never build the same key', () => {
		const id = fc.string({unit: fc.constantFrom('a', 'b', ':', 's', 't', 'e', 'p', '.', '训', '😀'), minLength: 1, maxLength: 8}).filter((s) => keyId(s) !== undefined);
		fc.assert(
			fc.property(id, id, id, id, (a, b, c, d) => {
				fc.pre(a !== c || b !== d);
				expect(keys.workflowStepDurations(a, b)).not.toBe(keys.workflowStepDurations(c, d));
			}),
		);
		fc.assert(
			fc.property(id, id, (a, b) => {
				fc.pre(a !== b);
				const all = (x: string) => [keys.agentPerformance(x), keys.agentWorkload(x), keys.trainingLoss(x), keys.trainingWer(x), keys.trainingCurrent(x), keys.trainingAnalysis(x)];
				expect(all(a).filter((k) => all(b).includes(k))).toEqual([]);
			}),
		);
	});
});

describe('time that one message cannot move (issue 10: one future timestamp freezes completed_today)', () => {
	const done = (timestamp: unknown, taskId = 't') => JSON.stringify({taskId, status: 'done', agent: 'a', duration_seconds: 5, timestamp});

	it('a completion stamped years ahead is clamped and counted; later completions still count today', () => {
		let clock = NOW;
		const store = new MetricsStore({}, () => clock);
		const written: BusEvent[] = [];
		const ingest = new Ingest(store, {onEvent: (e) => written.push(e)}, {}, () => clock);
		ingest.handle(TASKS, done('2031-06-01T00:00:00Z', 'future'));
		for (let i = 0; i < 5; i++) {
			clock += 1000;
			ingest.handle(TASKS, done(new Date(clock).toISOString(), `t${i}`));
		}
		expect(store.completedToday).toBe(6);
		expect(store.counters.time.futureClamped).toBe(1);
		expect(store.completedDay).toBe(new Date(NOW).toLocaleDateString('sv-SE'));
		// What the writer gets is in the window, so its entry has a real time.
		expect(completionEntry(written[0] as never)).toContain(new Date(NOW).toISOString());
	});

	it('nanosecond and 1e308 messages on every channel: stored-or-rejected counts, and the snapshot serialises', () => {
		const store = new MetricsStore({}, () => NOW);
		const ingest = new Ingest(store, {onEvent: () => {}}, {}, () => NOW);
		for (const timestamp of [NS, 1e308, -1e15]) for (const [channel, body] of everyChannel(timestamp)) ingest.handle(channel, JSON.stringify(body));
		expect(store.counters.received).toBe(18);
		expect(store.counters.stored + store.counters.rejected).toBe(18);
		expect(store.counters.rejected).toBe(4); // training and task, twice each
		expect(store.counters.rejectReasons.get('training: timestamp out of range')).toBe(2);
		expect(store.counters.time.unitConverted).toBe(6);
		const snapshot = buildSnapshot({store, host: 'h', instanceId: 'i', bus: () => ({}) as never}, NOW);
		expect(() => snapshotToJson(snapshot)).not.toThrow();
		expect(snapshot.counters.time).toEqual({futureClamped: 0, unitConverted: 6, completionsStampedEarlier: 0});
	});
});
