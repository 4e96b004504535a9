/**
bench:task-figures: what one read of the last hour's task figures and of the SLA budget costs with the completion
ring full (10,000 completions), the store's way (the ring's columns and its durations kept sorted) beside the way it
was until the twelfth session (the records copied out of the ring, the window's durations sorted, the budget scanned
over the copy). The rules, the tasks rule, the snapshot, the writer's aggregates and the budget forecast each read
them every second; at 40 completions a second (200 events/s, a fifth of them tasks) the ring is full after about four
minutes. Three shapes: every completion in the last hour (a busy box), half of them, one in twenty (a quiet box whose
ring reaches back a day). The figures of both ways are compared first: they must be equal.

  npm run bench:task-figures [-- --rounds 7 --reads 200]
*/
import {isDeepStrictEqual} from 'node:util';
import {parseArgs} from 'node:util';
import {taskAggregates} from '../src/analysis/task-aggregates.js';
import {DEFAULT_SLA, slaBudget, slaBudgetOfColumns} from '../src/analysis/sla-budget.js';
import {CompletionRing} from '../src/store/completion-ring.js';

const {values} = parseArgs({options: {rounds: {type: 'string', default: '7'}, reads: {type: 'string', default: '200'}}});
const rounds = Math.max(1, Number(values.rounds));
const reads = Math.max(1, Number(values.reads));
const CAPACITY = 10_000;
const NOW = Date.now();

/** A full ring whose completions are `spacingMs` apart, the newest now; durations 600-2,399 s, a few untimed. */
function fullRing(spacingMs: number): CompletionRing {
	const ring = new CompletionRing(CAPACITY);
	for (let i = 0; i < CAPACITY + 2000; i++) {
		const age = CAPACITY + 2000 - 1 - i;
		ring.push({taskId: `t${i}`, agent: `agent-${i % 10}`, durationSeconds: i % 97 === 0 ? Number.NaN : 600 + ((i * 7919) % 1800), timeMs: NOW - age * spacingMs});
	}
	return ring;
}

const shapes = [
	{name: 'all in the last hour', spacingMs: 300},
	{name: 'half in the last hour', spacingMs: 720},
	{name: 'one in twenty', spacingMs: 7200},
] as const;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timeReads(read: (now: number) => unknown): number {
	const t0 = performance.now();
	for (let i = 0; i < reads; i++) read(NOW + i);
	return ((performance.now() - t0) / reads) * 1000;
}

console.log(`bench:task-figures: ${CAPACITY.toLocaleString('en-US')} completions kept, ${reads} reads a round, ${rounds} rounds, Node ${process.version}`);
console.log('| shape | copy and sort (before), µs per read | ring columns (now), µs per read | ratio |');
console.log('|---|---|---|---|');
for (const shape of shapes) {
	const ring = fullRing(shape.spacingMs);
	// As the snapshot read them until this change: the records copied out of the ring newest first, once for both.
	const before = (now: number) => {
		const records = ring.newestWhere((c) => c.timeMs >= now - DEFAULT_SLA.windowMs);
		return [taskAggregates(records, now), slaBudget(records, now, DEFAULT_SLA)];
	};
	const after = (now: number) => [ring.aggregates(now), slaBudgetOfColumns(ring.columns(), now, DEFAULT_SLA)];
	if (!isDeepStrictEqual(before(NOW), after(NOW))) throw new Error(`${shape.name}: the two ways disagree`);
	timeReads(before);
	timeReads(after);
	const b: number[] = [];
	const a: number[] = [];
	for (let r = 0; r < rounds; r++) {
		b.push(timeReads(before));
		a.push(timeReads(after));
	}
	console.log(`| ${shape.name} | ${median(b).toFixed(0)} (${b.map((x) => x.toFixed(0)).join(', ')}) | ${median(a).toFixed(0)} (${a.map((x) => x.toFixed(0)).join(', ')}) | ${(median(b) / median(a)).toFixed(1)}x |`);
}
