/**
A vitest reporter used next to the default one. After the run it prints a table of every fault test's row (fault,
expected, observed) with its result, then, last of all, one line per failure (test, module or unhandled error), so
that the tail of a CI log names what failed, with a property's seed and counterexample (enough to reproduce it).
*/
import {type Reporter, type TestCase, type TestModule} from 'vitest/node';
import {type FaultRow} from './fault-table.js';

function wrap(text: string, width: number): string[] {
	const lines: string[] = [];
	for (const paragraph of text.split('\n')) {
		let line = '';
		for (const word of paragraph.split(' ')) {
			if (line.length > 0 && line.length + 1 + word.length > width) {
				lines.push(line);
				line = word;
			} else {
				line = line.length === 0 ? word : `${line} ${word}`;
			}
		}
		lines.push(line);
	}
	return lines;
}

/** Render rows as a plain-text table with wrapped cells. Pure. */
export function renderFaultTable(rows: ReadonlyArray<FaultRow & {result: string}>): string {
	const widths = [34, 44, 52, 6];
	const header = ['fault', 'expected', 'observed', 'result'];
	const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
	const line = (cells: string[]) => {
		const wrapped = cells.map((cell, i) => wrap(cell, widths[i]!));
		const height = Math.max(...wrapped.map((w) => w.length));
		const out: string[] = [];
		for (let r = 0; r < height; r++) out.push(`| ${wrapped.map((w, i) => (w[r] ?? '').padEnd(widths[i]!)).join(' | ')} |`);
		return out.join('\n');
	};
	return [rule, line(header), rule, ...rows.map((row) => `${line([row.fault, row.expected, row.observed, row.result])}\n${rule}`)].join('\n');
}

/** The first line of an error message, at most 160 characters. Pure. */
export function firstLine(message: string | undefined): string {
	const line = (message ?? '').split('\n').find((l) => l.trim().length > 0)?.trim() ?? '(no message)';
	return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

/** What the reporter reads of a failure: vitest's serialized error (fast-check puts the property's own error in cause). */
export interface FailureError {
	readonly message?: string;
	readonly cause?: unknown;
}

/**
The lines of a failure that let it be reproduced from a CI log alone: a property's seed and path, its counterexample,
what was expected and received, and the cause (fast-check 4 keeps the failing assertion in the error's cause, not in
its message); each at most 300 characters, at most 6 lines. Pure.
*/
export function reproductionLines(error: FailureError | undefined): string[] {
	const keep = /^(\{ seed:|Counterexample:|Caused by:|Expected:|Received:)/;
	const lines = (error?.message ?? '')
		.split('\n')
		.map((l) => l.trim())
		.filter((l) => keep.test(l));
	const cause = error?.cause;
	const causeMessage = typeof cause === 'object' && cause !== null && typeof (cause as {message?: unknown}).message === 'string' ? (cause as {message: string}).message : undefined;
	if (causeMessage !== undefined && !lines.some((l) => l.startsWith('Caused by:'))) lines.push(`Caused by: ${firstLine(causeMessage)}`);
	return lines.slice(0, 6).map((l) => (l.length > 300 ? `${l.slice(0, 299)}…` : l));
}

export default class FaultTableReporter implements Reporter {
	private readonly rows: Array<FaultRow & {result: string; order: string}> = [];
	private readonly failures: string[] = [];

	onTestCaseResult(testCase: TestCase): void {
		const result = testCase.result();
		if (result.state === 'failed') {
			const error = result.errors[0];
			this.failures.push([`${testCase.module.relativeModuleId} > ${testCase.fullName}: ${firstLine(error?.message)}`, ...reproductionLines(error).map((l) => `    ${l}`)].join('\n'));
		}
		const row = testCase.meta().fault;
		if (row === undefined) return;
		const state = testCase.result().state;
		this.rows.push({...row, result: state === 'passed' ? 'ok' : state === 'failed' ? 'FAIL' : state, order: testCase.fullName});
	}

	onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<{message?: string}>): void {
		this.printFaultTable();
		const failures = [
			...this.failures,
			...modules.flatMap((m) => m.errors().map((e) => `${m.relativeModuleId} (module): ${firstLine(e.message)}`)),
			// beforeAll/afterAll failures belong to their suite.
			...modules.flatMap((m) => [...m.children.allSuites()].flatMap((suite) => suite.errors().map((e) => `${m.relativeModuleId} > ${suite.fullName} (hook): ${firstLine(e.message)}`))),
			...unhandledErrors.map((e) => `unhandled error: ${firstLine(e.message)}`),
		];
		if (failures.length > 0) process.stdout.write(`\nFailures (${failures.length})\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
	}

	private printFaultTable(): void {
		if (this.rows.length === 0) return;
		// R1..R14 (the reference's matrix) first, in order; the rest after, by name.
		const rank = (fault: string) => Number(/^R(\d+)\b/.exec(fault)?.[1] ?? 100);
		this.rows.sort((a, b) => rank(a.fault) - rank(b.fault) || a.fault.localeCompare(b.fault));
		process.stdout.write(`\nFault matrix (${this.rows.length} faults)\n${renderFaultTable(this.rows)}\n`);
	}
}
