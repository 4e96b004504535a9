/**
bench:forecasts: what the SLA budget and the ETA to a target loss add to a snapshot. A store with 10,000 completions
(the ring's capacity) and P projects of 2,000 points; before every snapshot each project gets "new data" (its
version and last time move on by 100 ms, as at 10 snapshots a second with every project training), the worst case.
Alternating, R rounds of N snapshots each: forecasts off (no target, a budget window of 1 ms) against on (a 24 h
budget and a target for every project), milliseconds per snapshot.

  npm run bench:forecasts [-- --projects 100] [-- --rounds 5] [-- --snapshots 50]
*/
import {parseArgs} from 'node:util';
import {MetricsStore} from '../src/store/metrics-store.js';
import {buildSnapshot} from '../src/store/snapshot.js';
import {DEFAULT_SLA} from '../src/analysis/sla-budget.js';
import {type ForecastSettings} from '../src/analysis/forecast-settings.js';
import {type BusStatus} from '../src/bus/bus-manager.js';

const {values} = parseArgs({options: {projects: {type: 'string', default: '100'}, rounds: {type: 'string', default: '5'}, snapshots: {type: 'string', default: '50'}}});
const projects = Math.max(1, Number(values.projects));
const rounds = Math.max(1, Number(values.rounds));
const snapshots = Math.max(1, Number(values.snapshots));

const NOW = Date.now();
const store = new MetricsStore({}, () => NOW);
for (let i = 0; i < 10_000; i++)
	store.apply({kind: 'task', taskId: `t${i}`, status: 'done', agent: 'a', durationSeconds: i % 7 === 0 ? 2400 : 600, timestamp: String(NOW), timeMs: NOW - i * 8000}, NOW);
for (let p = 0; p < projects; p++)
	for (let i = 0; i < 2000; i++) store.apply({kind: 'training', projectId: `p${p}`, step: i, loss: 3 * Math.exp(-i / 900), timestamp: String(NOW), timeMs: NOW - (1999 - i) * 1000}, NOW);
const bus = {kind: 'embedded', role: 'writer', hostWriter: true, reconnects: 0, takeovers: 0, summary: ''} as unknown as BusStatus;

const variants: Record<'off' | 'on', ForecastSettings> = {
	off: {sla: {...DEFAULT_SLA, windowMs: 1}, training: {}},
	on: {sla: DEFAULT_SLA, training: {targetLoss: 0.1}},
};

let clock = 0;
function run(name: 'off' | 'on', n: number): number {
	const t0 = performance.now();
	for (let i = 0; i < n; i++) {
		clock += 100;
		for (const s of store.projects.values()) {
			s.version += 1;
			s.lastUpdatedMs += 100;
		}
		buildSnapshot({store, host: 'h', instanceId: 'h:1', bus: () => bus, forecasts: variants[name]}, NOW + clock);
	}
	return (performance.now() - t0) / n;
}

run('off', 10);
run('on', 10);
const results: Record<'off' | 'on', number[]> = {off: [], on: []};
for (let r = 0; r < rounds; r++) for (const name of ['off', 'on'] as const) results[name].push(run(name, snapshots));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`bench:forecasts: ${projects} projects x 2,000 points, 10,000 completions, every project new each snapshot`);
console.log('forecasts | ms per snapshot (each round)           | median');
for (const name of ['off', 'on'] as const) console.log(`${name.padEnd(9)} | ${results[name].map((x) => x.toFixed(2).padStart(6)).join(' ')} | ${median(results[name]).toFixed(2)}`);
