import {useEffect, useRef, useState} from 'react';

/**
`value`, changing at most once every `ms` (the latest value is shown when the period ends); `ms` 0 passes every
value through at once. The zoomed charts redraw their data once a second however fast snapshots come.
*/
export function useThrottled<T>(value: T, ms: number, now: () => number = Date.now): T {
	const [shown, setShown] = useState(value);
	const last = useRef(0);
	useEffect(() => {
		if (ms <= 0) return;
		const wait = last.current + ms - now();
		const take = () => {
			last.current = now();
			setShown(() => value);
		};
		if (wait <= 0) {
			take();
			return;
		}
		const timer = setTimeout(take, wait);
		return () => clearTimeout(timer);
	}, [value, ms, now]);
	return ms <= 0 ? value : shown;
}
