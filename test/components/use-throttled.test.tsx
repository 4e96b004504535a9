/** The zoomed charts' data throttle: a new value at most once a period, the latest one when the period ends. */
import {describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import {Text} from 'ink';
import {useThrottled} from '../../hooks/use-throttled.js';
import {tick} from './fixtures.js';
import {waitFor} from '../helpers/redis-server.js';

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
		// Waited for, not slept for: the period's timer (800 ms) and a 900 ms sleep fire in the same turn when the event
		// loop is late (a loaded box), and the sleep's continuation then runs before the render the timer scheduled. The
		// clock is the test's: nothing but that timer can render 'd'.
		clock += 1000;
		await waitFor(() => view.lastFrame() === 'd', 5000, 'the latest value at the end of the period');
		view.unmount();
	});

	it('passes every value through with a period of 0', () => {
		const view = render(<Probe value="a" ms={0} now={() => 0} />);
		view.rerender(<Probe value="b" ms={0} now={() => 0} />);
		expect(view.lastFrame()).toBe('b');
		view.unmount();
	});
});
