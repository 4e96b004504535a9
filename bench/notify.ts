/**
bench:notify: the cost of the notification grouping step (src/notify/grouping.ts), which runs on the render
process's thread once per rule evaluation (every second), with the built-in inhibition rules.

For 100, 1,000 and 5,000 firing alerts (40 rules over 64 GPUs and 50 projects, every seventh critical; grouped by
alertname and gpu, so hundreds of groups), after the groups' first messages:
  - an idle step (no alert changed, acks passed in as every second): what every evaluation costs;
  - a step where one alert changed (inhibition is recomputed over every held alert);
  - the storm step: all of them arriving in one step.
Median and 95th percentile of the repetitions' wall time, and the mean CPU time of this process per step (less
disturbed by other processes on a shared machine), in ms.

  npm run bench:notify [-- --reps 200]
*/
import {parseArgs} from 'node:util';
import {compileNotify, type NotifyConfig} from '../src/notify/notify-config.js';
import {EMPTY_GROUPING, groupingStep, type GroupingState} from '../src/notify/grouping.js';
import {type NotifyAck, type NotifyAlert} from '../src/notify/notify-types.js';
import {alertId} from '../src/rules/labels.js';

const {values} = parseArgs({options: {reps: {type: 'string', default: '200'}}});
const reps = Math.max(10, Number(values.reps) || 200);

const compiled = compileNotify({receivers: [{name: 'team', slack: {url: 'http://127.0.0.1:1/slack'}}], route: {group_by: ['alertname', 'gpu']}}, {});
if (!compiled.ok) throw new Error('bench config');
const config: NotifyConfig = compiled.config;

function alerts(n: number): NotifyAlert[] {
	return Array.from({length: n}, (_, i) => {
		const labels = {gpu: String(i % 64), project: `p${i % 50}`};
		const rule = `rule_${i % 40}`;
		const severity = i % 7 === 0 ? 'critical' : 'warning';
		return {id: alertId(rule, labels), rule, severity, labels: {...labels, alertname: rule, severity}, annotations: {summary: `${rule} on ${labels.gpu}`}, status: 'firing', startsAtMs: 0};
	});
}

function cpuMs(since: NodeJS.CpuUsage): number {
	const d = process.cpuUsage(since);
	return (d.user + d.system) / 1000;
}

function quantiles(samples: number[]): string {
	const sorted = [...samples].sort((a, b) => a - b);
	const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
	return `median ${at(0.5).toFixed(2)} ms, p95 ${at(0.95).toFixed(2)} ms`;
}

console.log(`bench:notify, ${reps} repetitions, Node ${process.version}`);
for (const n of [100, 1000, 5000]) {
	const list = alerts(n);
	const acks = new Map<string, NotifyAck>(list.slice(0, 10).map((a) => [a.id, {by: 'ana@box', atMs: 1}]));
	const storm: number[] = [];
	let state: GroupingState = EMPTY_GROUPING;
	for (let r = 0; r < Math.min(reps, 20); r++) {
		const t0 = performance.now();
		state = groupingStep(EMPTY_GROUPING, {alerts: list, acks}, 0, config).state;
		storm.push(performance.now() - t0);
	}
	let t = 0;
	for (; t <= 40_000; t += 1000) state = groupingStep(state, {alerts: [], acks}, t, config).state;
	const idle: number[] = [];
	const change: number[] = [];
	let idleCpu = 0;
	let changeCpu = 0;
	for (let r = 0; r < reps; r++) {
		t += 1000;
		let c0 = process.cpuUsage();
		let t0 = performance.now();
		state = groupingStep(state, {alerts: [], acks}, t, config).state;
		idle.push(performance.now() - t0);
		idleCpu += cpuMs(c0);
		const changed = list[r % list.length]!;
		c0 = process.cpuUsage();
		t0 = performance.now();
		state = groupingStep(state, {alerts: [{...changed, severity: 'critical', labels: {...changed.labels, severity: 'critical'}}], acks}, t, config).state;
		change.push(performance.now() - t0);
		changeCpu += cpuMs(c0);
	}
	const mean = (total: number) => `CPU ${(total / reps).toFixed(2)} ms`;
	console.log(`${String(n).padStart(5)} alerts, ${state.groups.size} groups: idle step ${quantiles(idle)}, ${mean(idleCpu)}; one change ${quantiles(change)}, ${mean(changeCpu)}; storm step ${quantiles(storm)}`);
}
