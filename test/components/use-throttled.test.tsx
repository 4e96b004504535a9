/** The zoomed charts' data throttle: a new value at most once a period, the latest one when the period ends. */
import {describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import {Text} from 'ink';
import {useThrottled} from '../../hooks/use-throttled.js';
import {tick} from './fixtures.js';

function Probe({value, ms, now}: {readonly value: string; readonly ms: number; readonly now: () => number}) {
	return <Text>{useThrottled(value, ms, now)}</Text>;
}

describe('useThrottled', () => {
	it('takes a value at once when the period has passed, holds the next ones, then shows the latest', async () => {
		let clock = 10_000;
		const now = () => clock;
		const view = render(<Probe value="a" ms={1000} now={now} />);
		expect(view.lastFrame()).toBe('a');
		clock += 100;
		view.rerender(<Probe value="b" ms={1000} now={now} />);
		// The first change after mount: its period (from the start) has passed long ago.
		expect(view.lastFrame()).toBe('b');
		clock += 100;
		view.rerender(<Probe value="c" ms={1000} now={now} />);
		clock += 100;
		view.rerender(<Probe value="d" ms={1000} now={now} />);
		await tick();
		expect(view.lastFrame()).toBe('b');
		// The timer ends the period and shows the latest value held.
		clock += 1000;
		await new Promise((r) => setTimeout(r, 900));
		expect(view.lastFrame()).toBe('d');
		view.unmount();
	});

	it('passes every value through with a period of 0', () => {
		const view = render(<Probe value="a" ms={0} now={() => 0} />);
		view.rerender(<Probe value="b" ms={0} now={() => 0} />);
		expect(view.lastFrame()).toBe('b');
		view.unmount();
	});
});
