import {useEffect, useReducer, useRef} from 'react';

/**
`value`, changing at most once every `ms`: a new value is taken in the same render when the period has passed
(no extra render), else held and taken by a timer when it ends; `ms` 0 passes every value through. The zoomed
charts take new data once a second however fast snapshots come.
*/
export function useThrottled<T>(value: T, ms: number, now: () => number = Date.now): T {
	const held = useRef<{value: T; at: number}>({value, at: Number.NEGATIVE_INFINITY});
	const [, wake] = useReducer((n: number) => n + 1, 0);
	const t = now();
	if (held.current.value !== value && (ms <= 0 || t - held.current.at >= ms)) held.current = {value, at: t};
	const pending = held.current.value !== value;
	const wait = held.current.at + ms - t;
	useEffect(() => {
		if (!pending) return;
		const timer = setTimeout(wake, Math.max(0, wait));
		return () => clearTimeout(timer);
	}, [pending, wait]);
	return held.current.value;
}
