import {describe, expect, it} from 'vitest';
import {EncodedEntries} from '../../src/bus/resp-encode.js';
import {PendingBatch} from '../../src/writer/pending-batch.js';
import {completionEntry, figure, stepEntry, timestampJson, trainingCurrentFields} from '../../src/writer/seed-entries.js';

const ts = '2026-11-29T12:00:00.000Z';
/** The `metrics:training:{id}:loss` entry as the projection builds it (seed-projection.ts). */
const lossEntry = (event: {readonly step: number; readonly loss: number; readonly timestamp: string | number}) => stepEntry(event.step, event.loss, timestampJson(event.timestamp));

describe('seed entry shapes', () => {
	it('writes {step, value, timestamp} for loss, NaN as a string', () => {
		const base = {kind: 'training', projectId: 'p', step: 3, timestamp: ts, timeMs: 0} as const;
		expect(JSON.parse(lossEntry({...base, loss: 1.5}))).toEqual({step: 3, value: 1.5, timestamp: ts});
		expect(JSON.parse(lossEntry({...base, loss: Number.NaN}))).toEqual({step: 3, value: 'NaN', timestamp: ts});
		expect(trainingCurrentFields({...base, loss: 1.5, wer: 0.2})).toEqual({loss: '1.5', wer: '0.2', last_updated: ts});
		expect(trainingCurrentFields({...base, loss: 1.5})).toEqual({loss: '1.5', last_updated: ts});
	});

	it('writes {taskId, agent, duration, timestamp} for completions', () => {
		expect(JSON.parse(completionEntry({kind: 'task', taskId: 't', status: 'done', agent: 'a', durationSeconds: 90, timestamp: ts, timeMs: 0}))).toEqual({
			taskId: 't',
			agent: 'a',
			duration: 90,
			timestamp: ts,
		});
	});

	it('builds entries byte for byte as JSON.stringify would (the seed writes them that way)', () => {
		const tasks = [
			{taskId: 't-1', agent: 'agent-1', durationSeconds: 90, timestamp: ts},
			{taskId: 'täsk "quoted" \\ back', agent: 'エージェント', durationSeconds: 0.125, timestamp: ts},
			{taskId: 't', agent: 'a', durationSeconds: undefined, timestamp: 1_764_400_000_000},
			{taskId: 't', agent: 'a', durationSeconds: -0, timestamp: 'not iso \u0007'},
		];
		for (const t of tasks) {
			const event = {kind: 'task', status: 'done', timeMs: 0, ...t} as const;
			expect(completionEntry(event)).toBe(JSON.stringify({taskId: t.taskId, agent: t.agent, duration: t.durationSeconds, timestamp: t.timestamp}));
		}
		for (const [loss, timestamp] of [[2.8414709848078967, ts], [1e-7, 1_764_400_000_000], [123456789012, 'ünïcode']] as const) {
			const event = {kind: 'training', projectId: 'p', step: 7, loss, timestamp, timeMs: 0} as const;
			expect(lossEntry(event)).toBe(JSON.stringify({step: 7, value: loss, timestamp}));
		}
	});

	it('leaves duration out when the task sent none, as the seed does', () => {
		expect(JSON.parse(completionEntry({kind: 'task', taskId: 't', status: 'done', agent: 'a', timestamp: ts, timeMs: 0}))).toEqual({taskId: 't', agent: 'a', timestamp: ts});
	});

	it('formats figures without NaN', () => {
		expect(figure(Number.NaN)).toBe('0');
		expect(figure(12)).toBe('12');
		expect(figure(1 / 3)).toBe('0.33');
	});
});

describe('PendingBatch', () => {
	it('coalesces list entries into one LPUSH (newest ends first), LTRIM and EXPIRE per key', () => {
		const batch = new PendingBatch(10);
		batch.push('k', 'a', 60);
		batch.push('k', 'b', 60);
		batch.hset('h', {x: '1'});
		batch.hset('h', {x: '2', y: '3'});
		batch.setMember('s', 'm', true);
		batch.setMember('s', 'm', false);
		batch.setMember('s', 'n', true);
		// List entries travel encoded (EncodedEntries); as text they are the values pushed, oldest first.
		const commands = batch.toCommands().map((command) => command.flatMap((part) => (part instanceof EncodedEntries ? part.texts() : [part])));
		expect(commands).toEqual([
			['LPUSH', 'k', 'a', 'b'],
			['LTRIM', 'k', 0, 9999],
			['EXPIRE', 'k', 60],
			['HSET', 'h', 'x', '2', 'y', '3'],
			['SADD', 's', 'n'],
			['SREM', 's', 'm'],
		]);
	});

	it('is bounded: refuses entries beyond its capacity', () => {
		const batch = new PendingBatch(2);
		expect(batch.push('k', 'a', 1)).toBe(true);
		expect(batch.push('k', 'b', 1)).toBe(true);
		expect(batch.push('k', 'c', 1)).toBe(false);
		expect(batch.entryCount).toBe(2);
	});
});
