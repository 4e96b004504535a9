import {useRef} from 'react';

/** The same array as last render when every element is the same object (so it can be a memo dependency). */
export function useStableList<T>(list: readonly T[]): readonly T[] {
	const ref = useRef(list);
	const prev = ref.current;
	if (prev.length !== list.length || prev.some((item, i) => item !== list[i])) ref.current = list;
	return ref.current;
}
