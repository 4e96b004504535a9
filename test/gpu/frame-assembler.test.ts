import {expect, test} from 'vitest';
import {FrameAssembler, LineSplitter} from '../../src/gpu/frame-assembler.js';
import {type ParsedGpuRow} from '../../src/gpu/csv-parse.js';

const row = (index: number, uuid = `GPU-${index}000`): ParsedGpuRow => ({
	timestamp: undefined,
	index,
	uuid,
	name: 'x',
	busId: undefined,
	readings: {},
	pstate: undefined,
	persistenceMode: undefined,
	migEnabled: undefined,
});

test('a frame closes when every known GPU reported', () => {
	const a = new FrameAssembler(() => 3);
	expect(a.push(row(0))).toEqual([]);
	expect(a.push(row(1))).toEqual([]);
	const frames = a.push(row(2));
	expect(frames).toHaveLength(1);
	expect(frames[0]!.map((r) => r.index)).toEqual([0, 1, 2]);
	expect(a.pending).toBe(0);
});

test('an index wrap closes a short frame (a lost GPU)', () => {
	const a = new FrameAssembler(() => 3);
	a.push(row(0));
	a.push(row(2));
	const frames = a.push(row(0));
	expect(frames.map((f) => f.map((r) => r.index))).toEqual([[0, 2]]);
	expect(a.pending).toBe(1);
});

test('a repeated UUID closes the frame too; flush returns a partial frame', () => {
	const a = new FrameAssembler(() => 8);
	a.push(row(3, 'GPU-same'));
	expect(a.push(row(4, 'GPU-same')).map((f) => f.length)).toEqual([1]);
	expect(a.flush()!.map((r) => r.index)).toEqual([4]);
	expect(a.flush()).toBeUndefined();
});

test('unknown GPU count (0) makes one-row frames rather than waiting forever', () => {
	const a = new FrameAssembler(() => 0);
	expect(a.push(row(0))).toHaveLength(1);
});

test('LineSplitter joins partial chunks and strips CR', () => {
	const s = new LineSplitter(10);
	expect(s.push('ab')).toEqual([]);
	expect(s.push('c\r\nde')).toEqual(['abc']);
	expect(s.push('f\n')).toEqual(['def']);
	expect(s.push('0123456789ABC')).toEqual([]);
	expect(s.end()).toEqual([]);
	expect(s.push('xy')).toEqual([]);
	expect(s.end()).toEqual(['xy']);
});
