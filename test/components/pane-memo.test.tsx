/**
The memoised panes (samePaneProps) and the clocks they are given (pane-clock.ts) against the plain computation: a
dashboard that lived through a random run of snapshots shows, after each one, exactly the frame a fresh dashboard
draws for that snapshot alone; and each pane drawn against the gated clock is the pane drawn against the real one.
*/
import React from 'react';
import {afterEach, describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {render} from 'ink-testing-library';
import {App} from '../../components/App.js';
import {AlertLog} from '../../components/AlertLog.js';
import {TasksPane} from '../../components/TasksPane.js';
import {TrainingPane} from '../../components/TrainingPane.js';
import {alertsClock, tasksClock, trainingClock} from '../../src/format/pane-clock.js';
import {type Snapshot} from '../../src/store/snapshot.js';
import {type AlertRow} from '../../src/rules/alert-snapshot.js';
import {type ReceiverState} from '../../src/notify/notify-types.js';
import {compareIds} from '../../src/format/id-order.js';
import {agent, alert, completion, FakeTerminal, gpuRow, gpuSnapshot, known, makeSnapshot, NOW, project, tick, TestSource} from './fixtures.js';

let cleanups: Array<() => void> = [];
afterEach(() => {
	for (const c of cleanups) c();
	cleanups = [];
});

/** A project, sometimes with an ETA (the training pane then needs the clock). */
const projectArb = fc.record({name: fc.constantFrom('alpha', 'beta', 'gamma'), points: fc.integer({min: 1, max: 30}), shift: fc.integer({min: 0, max: 2}), eta: fc.option(fc.integer({min: 0, max: 7_200_000}), {nil: undefined}), wer: fc.boolean()});
const completionArb = fc.record({id: fc.integer({min: 0, max: 5}), agent: fc.constantFrom('a1', 'a2'), seconds: fc.integer({min: 1, max: 4000}), agoMs: fc.integer({min: 0, max: 7_200_000})});
const alertArb = fc.record({
	n: fc.integer({min: 0, max: 4}),
	severity: fc.constantFrom('warning' as const, 'critical' as const),
	state: fc.constantFrom('firing' as const, 'resolved' as const),
	ackAgoMs: fc.option(fc.integer({min: 0, max: 600_000}), {nil: undefined}),
	gpu: fc.constantFrom('0', '1'),
});
const snapshotArb = fc.record({
	projects: fc.uniqueArray(projectArb, {maxLength: 3, selector: (p) => p.name}),
	completions: fc.uniqueArray(completionArb, {maxLength: 4, selector: (c) => c.id}),
	agents: fc.array(fc.record({name: fc.constantFrom('a1', 'a2', 'a3'), busy: fc.boolean(), tasks: fc.integer({min: 0, max: 3})}), {maxLength: 3}),
	alerts: fc.option(fc.uniqueArray(alertArb, {maxLength: 3, selector: (a) => a.n}), {nil: undefined}),
	gpuUtil: fc.option(fc.integer({min: 0, max: 100}), {nil: undefined}),
	second: fc.integer({min: 0, max: 3}),
});
type Spec = typeof snapshotArb extends fc.Arbitrary<infer T> ? T : never;

/** A snapshot built from scratch (new objects everywhere, as buildSnapshot makes them) for a spec, at second `at`. */
function snapshotOf(spec: Spec, at: number): Snapshot {
	const now = NOW + at * 1000;
	const training = spec.projects.map((p) => {
		const loss = Array.from({length: p.points}, (_, i) => 2 / (i + 1 + p.shift) + 0.1);
		const summary = project(p.name, loss, p.wer ? loss.map((v) => v / 3) : []);
		return p.eta === undefined ? summary : {...summary, eta: {target: 0.1, inMs: p.eta, atMs: NOW + p.eta}};
	});
	const alerts = spec.alerts?.map(
		(a): AlertRow =>
			alert(`rule_${a.n}:${a.gpu}`, {severity: a.severity, state: a.state, labels: {gpu: a.gpu}, ...(a.ackAgoMs === undefined ? {} : {acknowledgedBy: 'ops', acknowledgedMs: NOW - a.ackAgoMs})}),
	);
	return makeSnapshot({
		training: [...training].sort((a, b) => compareIds(a.projectId, b.projectId)),
		completions: spec.completions.map((c) => completion(`task-${c.id}`, c.agent, c.seconds, c.agoMs)),
		agents: spec.agents.map((a, i) => agent(`${a.name}-${i}`, a.busy ? 'busy' : 'idle', a.tasks)),
		...(alerts === undefined ? {} : {alerts}),
		...(spec.gpuUtil === undefined ? {} : {gpu: gpuSnapshot([gpuRow(0, {utilizationPercent: known(spec.gpuUtil)})], {lastFrameMs: now})}),
		takenAtMs: now,
	});
}

async function freshFrame(snapshot: Snapshot): Promise<string> {
	const instance = render(<App source={new TestSource(snapshot)} terminal={new FakeTerminal(120, 40)} />);
	await tick(5);
	const frame = instance.lastFrame() ?? '';
	instance.unmount();
	return frame;
}

describe('memoised panes', () => {
	it('a dashboard that lived through random snapshots draws each one as a fresh dashboard does', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(fc.tuple(snapshotArb, fc.boolean()), {minLength: 2, maxLength: 6}), async (steps) => {
				// Each step is a new spec, or (the common case on a quiet box) the previous spec rebuilt a second later.
				let spec = steps[0]![0];
				let at = 0;
				const first = snapshotOf(spec, at);
				const source = new TestSource(first);
				const live = render(<App source={source} terminal={new FakeTerminal(120, 40)} />);
				cleanups.push(() => live.unmount());
				await tick(5);
				expect(live.lastFrame()).toBe(await freshFrame(first));
				for (const [next, keep] of steps.slice(1)) {
					if (!keep) spec = next;
					at += 1 + next.second;
					const snapshot = snapshotOf(spec, at);
					source.publish(snapshot);
					await tick(5);
					expect(live.lastFrame()).toBe(await freshFrame(snapshot));
				}
				live.unmount();
			}),
			{numRuns: 25},
		);
	}, 120_000);

	it('a pane given its gated clock draws what it draws against the real clock', () => {
		const receiverArb = fc.option(fc.uniqueArray(fc.record({name: fc.constantFrom('slack', 'pager'), lastErrorAgoMs: fc.option(fc.integer({min: 0, max: 600_000}), {nil: undefined}), queued: fc.integer({min: 0, max: 3})}), {maxLength: 2, selector: (r) => r.name}), {nil: undefined});
		const silenceArb = fc.uniqueArray(fc.record({id: fc.constantFrom('s1', 's2'), leftMs: fc.integer({min: 1, max: 7_200_000})}), {maxLength: 2, selector: (s) => s.id});
		fc.assert(
			fc.property(snapshotArb, receiverArb, silenceArb, fc.integer({min: 0, max: 100_000}), fc.boolean(), (spec, receiverSpecs, silenceSpecs, laterMs, zoomed) => {
				const snapshot = snapshotOf(spec, 0);
				const now = NOW + laterMs;
				const frame = (node: React.ReactElement) => {
					const {lastFrame, unmount} = render(node);
					const out = lastFrame() ?? '';
					unmount();
					return out;
				};
				const rows = snapshot.alerts?.rows ?? [];
				const receivers: ReceiverState[] | undefined = receiverSpecs?.map((r) => ({name: r.name, type: 'webhook', queued: r.queued, ...(r.lastErrorAgoMs === undefined ? {} : {lastError: 'HTTP 500', lastErrorMs: now - r.lastErrorAgoMs})}));
				const silences = silenceSpecs.map((s) => ({id: s.id, matcher: 'rule_1', endsMs: now + s.leftMs, author: 'ops', comment: ''}));
				const alertLog = (nowMs: number) => <AlertLog rows={rows} silences={silences} receivers={receivers} nowMs={nowMs} zoomed={zoomed} rulesRunning width={120} height={12} focused selectedIndex={0} />;
				expect(frame(alertLog(alertsClock(rows, silences, receivers, now)))).toBe(frame(alertLog(now)));
				const tasks = (nowMs: number) => <TasksPane tasks={snapshot.tasks} completions={snapshot.tasks.recent} nowMs={nowMs} width={80} height={10} focused={false} selectedIndex={0} />;
				expect(frame(tasks(tasksClock(snapshot.tasks.recent, now)))).toBe(frame(tasks(now)));
				for (const height of [4, 10]) {
					const training = (nowMs: number) => <TrainingPane projects={snapshot.training} total={snapshot.training.length} smoothing={0.6} nowMs={nowMs} width={120} height={height} focused selectedIndex={0} />;
					expect(frame(training(trainingClock(snapshot.training, now)))).toBe(frame(training(now)));
				}
			}),
			{numRuns: 60},
		);
	});
});
