/**
Each fault test records one row (fault, expected, observed) in its task's meta; `table-reporter.ts` prints them
as a table at the end of `npm run test:faults`.
*/
import {type TaskMeta} from 'vitest';

export interface FaultRow {
	fault: string;
	expected: string;
	observed: string;
}

declare module 'vitest' {
	interface TaskMeta {
		fault?: FaultRow;
	}
}

/** Start a row: the observed column reads "(did not finish)" until `observe` is called. */
export function faultRow(task: {meta: TaskMeta}, fault: string, expected: string): {observe(text: string): void; add(text: string): void} {
	const row: FaultRow = {fault, expected, observed: '(did not finish)'};
	task.meta.fault = row;
	let parts: string[] = [];
	return {
		observe(text: string) {
			parts = [text];
			row.observed = text;
		},
		add(text: string) {
			parts.push(text);
			row.observed = parts.join('; ');
		},
	};
}
