/** useSnapshot's period (a zoomed chart's dashboard re-renders once a second, not per published snapshot). */
import {afterEach, describe, expect, it, vi} from 'vitest';
import {render} from 'ink-testing-library';
import {Text} from 'ink';
import {throttledListener, useSnapshot} from '../../hooks/use-snapshot.js';
import {makeSnapshot, NOW, tick, TestSource} from './fixtures.js';

afterEach(() => {
	vi.useRealTimers();
});

describe('throttledListener', () => {
	it('calls at once when the period has passed, then once at the end of a period however many notifications came', () => {
		vi.useFakeTimers();
		let calls = 0;
		const t = throttledListener(() => (calls += 1), 1000);
		t.notify();
		expect(calls).toBe(1);
		for (let i = 0; i < 9; i++) {
			vi.advanceTimersByTime(100);
			t.notify();
		}
		expect(calls).toBe(1);
		vi.advanceTimersByTime(100);
		expect(calls).toBe(2);
		vi.advanceTimersByTime(5000);
		expect(calls).toBe(2);
		t.notify();
		expect(calls).toBe(3);
		t.notify();
		t.stop();
		vi.advanceTimersByTime(5000);
		expect(calls).toBe(3);
	});
});

describe('throttledListener on a grid', () => {
	it('a notification a few milliseconds short of the period goes at once; one well short waits for the period', () => {
		vi.useFakeTimers();
		let calls = 0;
		const t = throttledListener(() => (calls += 1), 1000);
		t.notify();
		expect(calls).toBe(1);
		// Snapshots on the whole seconds, one 2 ms early: no timer of its own, no drift.
		vi.advanceTimersByTime(998);
		t.notify();
		expect(calls).toBe(2);
		expect(vi.getTimerCount()).toBe(0);
		vi.advanceTimersByTime(900);
		t.notify();
		expect(calls).toBe(2);
		expect(vi.getTimerCount()).toBe(1);
		vi.advanceTimersByTime(100);
		expect(calls).toBe(3);
	});
});

function Probe({source, everyMs, renders}: {readonly source: TestSource; readonly everyMs: number; readonly renders: {n: number}}) {
	renders.n += 1;
	return <Text>{String(useSnapshot(source, false, everyMs).takenAtMs - NOW)}</Text>;
}

describe('useSnapshot with a period', () => {
	it('re-renders at most once a period and shows the latest snapshot at its end', async () => {
		const source = new TestSource(makeSnapshot({takenAtMs: NOW}));
		const renders = {n: 0};
		const view = render(<Probe source={source} everyMs={300} renders={renders} />);
		await tick();
		const before = renders.n;
		for (let i = 1; i <= 10; i++) {
			source.publish(makeSnapshot({takenAtMs: NOW + i}));
			await tick(10);
		}
		// The first publish re-renders at once; the next nine (within 300 ms) wait for the period's end.
		expect(renders.n - before).toBeLessThanOrEqual(2);
		await tick(400);
		expect(view.lastFrame()).toBe('10');
		expect(renders.n - before).toBeLessThanOrEqual(3);
		view.unmount();
	});

	it('without a period, every published snapshot re-renders', async () => {
		const source = new TestSource(makeSnapshot({takenAtMs: NOW}));
		const renders = {n: 0};
		const view = render(<Probe source={source} everyMs={0} renders={renders} />);
		await tick();
		const before = renders.n;
		for (let i = 1; i <= 5; i++) {
			source.publish(makeSnapshot({takenAtMs: NOW + i}));
			await tick(10);
		}
		expect(renders.n - before).toBe(5);
		expect(view.lastFrame()).toBe('5');
		view.unmount();
	});
});
