/**
Property: whatever arrives on any input channel, the whole in-process pipeline holds. Generated messages (valid,
boundary and hostile: huge, negative and NaN numbers, numeric strings, µs/ns clocks, ids with separators, wide
characters, control characters, missing fields, wrong types) go through parseMessage -> store -> writer (onto
MemoryKv) -> rules engine -> snapshot -> the panes' text functions, and:

- nothing throws;
- every message is counted once: stored, rejected with a reason, or refused by a cardinality cap;
- every key written belongs to one of the contract's key families (a matcher built from names.ts's builders),
  and every id inside a key name passes keyId;
- every time the pipeline holds is inside the limits table's window, and what the writer stored is read back by
  hydration without a single reject (we never write what we would refuse to read), and by `new Date(timestamp)`,
  as the seed's readers do, to the same millisecond (no epoch seconds as numbers, no numeric strings).
*/
import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {MemoryKv} from '../../src/bus/kv.js';
import {ALERT_CHANNELS, INPUT_CHANNELS, keys, ourKeys} from '../../src/contract/names.js';
import {keyId} from '../../src/contract/ids.js';
import {FUTURE_SKEW_MS, MIN_TIMESTAMP_MS} from '../../src/contract/limits.js';
import {timestampMs} from '../../src/contract/time.js';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {Ingest} from '../../src/ingest/ingest.js';
import {hydrate} from '../../src/ingest/hydrate.js';
import {SeedWriter, type WriterTarget} from '../../src/writer/seed-writer.js';
import {RuleEngine} from '../../src/rules/engine.js';
import {defaultRules} from '../../src/rules/builtin-rules.js';
import {storeInput} from '../../src/rules/store-input.js';
import {buildSnapshot, snapshotToJson} from '../../src/store/snapshot.js';
import {type BusStatus} from '../../src/bus/bus-manager.js';
import {trainingView} from '../../src/format/training-view.js';
import {agentAverage, durationFigure, percentFigure, taskFigures} from '../../src/format/figures.js';
import {histogramCounts} from '../../src/format/tasks-view.js';
import {histogramLine, sparkline} from '../../src/format/sparkline.js';
import {paneRows} from '../../src/format/pane-rows.js';
import {fit, formatClock, formatCount, formatDuration, formatSpan, formatValue, toAscii} from '../../src/format/units.js';
import {INJECTIONS} from './generator.js';

const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);
const CHANNELS = [...Object.values(INPUT_CHANNELS), ...Object.values(ALERT_CHANNELS)];

// ---------------------------------------------------------------- the key families, from names.ts

const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Family {
	readonly name: string;
	readonly re: RegExp;
	/** Captured groups that are ids of keys.* (must pass keyId); ourKeys' host/uuid/instance parts are ours. */
	readonly idGroups: boolean;
}

/**
Every key the contract names: constant strings as they are, builders called with placeholders that become
capture groups. Built from the same objects the writer uses, so a new family needs no change here.
*/
function contractFamilies(): Family[] {
	const families: Family[] = [];
	const add = (source: Record<string, unknown>, idGroups: boolean) => {
		for (const [name, value] of Object.entries(source)) {
			if (typeof value === 'string') families.push({name, re: new RegExp(`^${escapeRe(value)}$`), idGroups: false});
			else if (typeof value === 'function') {
				const args = Array.from({length: value.length}, (_, i) => `PLACEHOLDER${i}X`);
				const sample = (value as (...a: string[]) => string)(...args);
				let pattern = escapeRe(sample);
				for (const arg of args) pattern = pattern.replace(arg, '([^:]+)');
				families.push({name, re: new RegExp(`^${pattern}$`), idGroups});
			}
		}
	};
	add(keys, true);
	add(ourKeys, false);
	return families;
}

const FAMILIES = contractFamilies();

/** The family `key` belongs to, or undefined (a key outside the contract, or an id no validator would pass). */
function familyOf(key: string): string | undefined {
	for (const family of FAMILIES) {
		const match = family.re.exec(key);
		if (match === null) continue;
		if (family.idGroups && match.slice(1).some((id) => keyId(id) !== id)) continue;
		return family.name;
	}
	return undefined;
}

// ---------------------------------------------------------------- generated messages

const GOOD_IDS = ['proj-a', 'p_1', 'über.3', '训练-2', 'проект', '😀🚀', 'lm.7b', 'run#9', 'x'.repeat(128), '..x'];
const HOSTILE_IDS = ['a:b', 'a:step:b', 'b:step:c', 'x:workload', '../../x', '..', '.', 'a/b', 'a\\b', 'a*', 'a?', '[a]', 'a b', 'a\u3000b', '', 'y'.repeat(129), 'a\u200db', '\ud800', ...INJECTIONS.slice(0, 8)];

const wrongType = fc.constantFrom<unknown>(null, true, false, {}, [], [1, 2], {nested: {x: 1}});
const anyString = fc.oneof(fc.string(), fc.string({unit: 'grapheme'}), fc.string({unit: 'binary'}));

const id = fc.oneof(
	{weight: 6, arbitrary: fc.constantFrom(...GOOD_IDS)},
	{weight: 3, arbitrary: fc.constantFrom(...HOSTILE_IDS)},
	{weight: 1, arbitrary: anyString},
	{weight: 1, arbitrary: fc.integer()},
	{weight: 1, arbitrary: wrongType},
);

const numberish = fc.oneof(
	{weight: 5, arbitrary: fc.double({min: 0, max: 100, noNaN: true})},
	{weight: 2, arbitrary: fc.integer({min: -10, max: 100_000})},
	{weight: 2, arbitrary: fc.constantFrom<unknown>(1e300, -1e300, 1e38, 1e39, -1e15, 31_536_000, 31_536_001, 1_000_000, 1_000_001, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, -0, 5e-324)},
	{weight: 2, arbitrary: fc.constantFrom<unknown>('NaN', 'Infinity', '-Infinity', 'inf', '12.5', ' 7 ', '1e308', '0x10', '', 'abc')},
	{weight: 1, arbitrary: fc.double()},
	{weight: 1, arbitrary: wrongType},
);

/** Timestamps of every unit and shape, around NOW, far away, and not times at all. */
const timestamp = fc.oneof(
	{weight: 3, arbitrary: fc.integer({min: -86_400_000, max: 60_000}).map((d) => NOW + d)},
	{weight: 2, arbitrary: fc.integer({min: -86_400, max: 60}).map((d) => NOW / 1000 + d)},
	{weight: 2, arbitrary: fc.integer({min: -86_400_000, max: 60_000}).map((d) => new Date(NOW + d).toISOString())},
	{weight: 2, arbitrary: fc.integer({min: -3_600_000, max: 60_000}).map((d) => (NOW + d) * 1e6)}, // ns, as a double
	{weight: 1, arbitrary: fc.integer({min: -3_600_000, max: 60_000}).map((d) => `${NOW + d}000000`)}, // ns, exact digits
	{weight: 1, arbitrary: fc.integer({min: -3_600_000, max: 60_000}).map((d) => (NOW + d) * 1000)}, // µs
	{weight: 2, arbitrary: fc.constantFrom<unknown>(1e308, -1e15, -1, 0, 5, 1e20, 1e19, '1e308', 'yesterday', '', '+275760-09-13T00:00:00Z', '+010000-01-01T00:00:00Z', '2031-01-01T00:00:00Z', Date.UTC(2031, 0, 1), Date.UTC(2099, 11, 31), '1969-12-31T23:59:59Z', '2026-11-29T13:00:00+02:00', '0x65A0B000', '+1700000000', '  1700000000  ', '1700000000e3', '2026-11-29 12:00:00Z')},
	{weight: 1, arbitrary: fc.double()},
	{weight: 1, arbitrary: anyString},
	{weight: 1, arbitrary: wrongType},
);

const optional = <T>(model: {[K in keyof T]: fc.Arbitrary<T[K]>}) => fc.record(model, {requiredKeys: []});

const bodies: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
	[INPUT_CHANNELS.trainingProgress]: optional({projectId: id, step: numberish, loss: numberish, wer: numberish, timestamp}),
	[INPUT_CHANNELS.taskUpdates]: optional({
		taskId: id,
		status: fc.oneof(fc.constantFrom<unknown>('done', 'DONE', 'completed', 'failed', 'running', 'error'), id),
		agent: id,
		duration_seconds: numberish,
		timestamp,
	}),
	[INPUT_CHANNELS.agentStatus]: optional({agentType: id, status: fc.oneof(fc.constantFrom<unknown>('busy', 'idle', 'BUSY'), wrongType), taskCount: numberish, timestamp}),
	[INPUT_CHANNELS.errorsCritical]: optional({errorId: id, message: fc.oneof(anyString, fc.constantFrom(...INJECTIONS)), timestamp}),
	[INPUT_CHANNELS.workflowSteps]: optional({workflowId: id, stepId: id, duration: numberish, duration_seconds: numberish, timestamp}),
};
const alertBody = optional({
	severity: fc.oneof(fc.constantFrom<unknown>('critical', 'warning', 'info'), anyString),
	type: anyString,
	message: fc.oneof(anyString, fc.constantFrom(...INJECTIONS)),
	source: fc.constantFrom<unknown>('other-agent', '', 42),
	timestamp,
});

/** The JSON text of a body, sometimes as Python's json.dumps would write NaN / Infinity (bare tokens). */
const encoded = (body: fc.Arbitrary<Record<string, unknown>>) =>
	fc.tuple(body, fc.boolean()).map(([b, bare]) => {
		const raw = JSON.stringify(b);
		return bare ? raw.replace(/"(NaN|Infinity|-Infinity)"/g, '$1') : raw;
	});

const message = fc.oneof(
	{weight: 10, arbitrary: fc.constantFrom(...CHANNELS).chain((channel) => encoded(bodies[channel] ?? alertBody).map((raw) => ({channel, raw})))},
	{
		weight: 1,
		arbitrary: fc.record({
			channel: fc.constantFrom(...CHANNELS),
			raw: fc.oneof(anyString, fc.constantFrom('[1,2]', 'null', '42', '"x"', '{"a":NaN}', '{', `{"x":${'['.repeat(5000)}${']'.repeat(5000)}}`)),
		}),
	},
);

// ---------------------------------------------------------------- the pipeline

function writerTarget(kv: MemoryKv, published: Array<[string, string]>): WriterTarget {
	return {
		kv: () => kv,
		canWrite: () => true,
		canWriteHost: () => true,
		shouldQueue: () => false,
		isReady: () => true,
		publish: (channel, text) => published.push([channel, text]),
		instanceId: 'property',
	};
}

const BUS: BusStatus = {kind: 'embedded', role: 'writer', summary: 'test'} as unknown as BusStatus;

/**
Everything a pane prints from a snapshot, through the format functions the panes use: `figures` (durations,
spans, counts, clock times) must read as figures, never as an exponent or NaN; `texts` (ids, values, sparklines)
only must not throw.
*/
function paneTexts(snapshot: ReturnType<typeof buildSnapshot>): {figures: string[]; texts: string[]} {
	const figures: string[] = [];
	const texts: string[] = [];
	const now = snapshot.takenAtMs;
	for (const ascii of [false, true]) {
		for (const p of snapshot.training) {
			const view = trainingView(p, 0.6, ascii);
			texts.push(fit(toAscii(p.projectId), 16), view.arrow, formatValue(p.lastLoss), formatValue(view.smoothedLast), formatValue(p.lastWer), sparkline(view.smoothed, 40, {ascii}));
			figures.push(formatCount(p.lastStep), formatClock(p.lastUpdatedMs), formatSpan(Math.max(0, now - p.lastUpdatedMs)));
		}
		const tasks = taskFigures(snapshot.tasks);
		figures.push(durationFigure(tasks.avgSeconds, ascii), durationFigure(tasks.p99Seconds, ascii), percentFigure(tasks.slaPercent, 1, ascii), formatCount(snapshot.tasks.completedToday));
		texts.push(histogramLine(histogramCounts(snapshot.tasks.lastHourDurations), 30, ascii));
		for (const c of snapshot.tasks.recent) {
			texts.push(fit(c.taskId, 12));
			figures.push(formatSpan(Math.max(0, now - c.timeMs)), formatClock(c.timeMs), ...(Number.isFinite(c.durationSeconds) ? [formatDuration(c.durationSeconds)] : []));
		}
		for (const a of snapshot.agents) {
			texts.push(fit(a.agent, 14));
			figures.push(durationFigure(agentAverage(a), ascii), formatCount(a.currentTasks), formatCount(a.completed));
		}
		for (const w of snapshot.workflows) {
			texts.push(fit(`${w.workflowId}/${w.stepId}`, 20));
			figures.push(formatDuration(w.avgSeconds));
		}
		for (const e of snapshot.criticalErrors) {
			figures.push(formatClock(e.timeMs));
			texts.push(fit(e.message ?? '', 30));
		}
		for (const a of snapshot.externalAlerts) {
			figures.push(formatClock(a.timeMs));
			texts.push(fit(a.message, 30));
		}
	}
	texts.push(JSON.stringify(Object.keys(paneRows(snapshot, undefined))));
	return {figures, texts};
}

/** Totals over all runs, so the test can show the generator reaches every outcome (not only rejects). */
const totals = {messages: 0, stored: 0, rejected: 0, refused: 0, futureClamped: 0, unitConverted: 0, keys: 0, families: new Set<string>()};

async function runPipeline(messages: ReadonlyArray<{channel: string; raw: string}>): Promise<void> {
	const clock = () => NOW;
	const kv = new MemoryKv();
	const published: Array<[string, string]> = [];
	const store = new MetricsStore({maxProjects: 20, maxAgents: 20, maxWorkflowSteps: 20}, clock);
	const writer = new SeedWriter(store, writerTarget(kv, published), {flushDelayMs: 60_000, now: clock});
	const outcomes = {stored: 0, rejected: 0, refused: 0};
	const reasons: string[] = [];
	const ingest = new Ingest(
		store,
		writer,
		{
			onStored: () => (outcomes.stored += 1),
			onReject: (_channel, reason) => {
				outcomes.rejected += 1;
				reasons.push(reason);
			},
			onRefuse: () => (outcomes.refused += 1),
		},
		clock,
	);
	for (const m of messages) ingest.handle(m.channel, m.raw);

	// Every message counted exactly once, and every reject with a reason.
	expect(outcomes.stored + outcomes.rejected + outcomes.refused).toBe(messages.length);
	expect(store.counters).toMatchObject({received: messages.length, stored: outcomes.stored, rejected: outcomes.rejected, refused: outcomes.refused});
	expect(reasons.every((r) => typeof r === 'string' && r.length > 0)).toBe(true);
	expect([...store.counters.rejectReasons.values()].reduce((a, b) => a + b, 0)).toBe(outcomes.rejected);

	// Every time held is inside the window.
	const times = [
		...[...store.projects.values()].flatMap((p) => [p.lastUpdatedMs, ...p.loss.tail(p.loss.length).map((pt) => pt.timeMs)]),
		...store.completions.newest(store.completions.length).map((c) => c.timeMs),
		...store.criticalErrors.newest(500).map((e) => e.timeMs),
		...store.externalAlerts.newest(500).map((e) => e.timeMs),
	].filter((t) => t !== 0);
	for (const t of times) {
		expect(t).toBeGreaterThanOrEqual(MIN_TIMESTAMP_MS);
		expect(t).toBeLessThanOrEqual(NOW + FUTURE_SKEW_MS);
	}

	// Writer: aggregates, analysis, dashboard payload, rankings, then one flush onto the key space.
	writer.queueAggregates();
	writer.queueAnalysis();
	writer.publishDashboard();
	writer.publishRankings();
	await writer.flush();
	for (const [, text] of published) expect(() => JSON.parse(text)).not.toThrow();

	const written = await kv.scan('*');
	expect(written.filter((k) => familyOf(k) === undefined)).toEqual([]);
	totals.messages += messages.length;
	totals.stored += outcomes.stored;
	totals.rejected += outcomes.rejected;
	totals.refused += outcomes.refused;
	totals.futureClamped += store.counters.time.futureClamped;
	totals.unitConverted += store.counters.time.unitConverted;
	totals.keys += written.length;
	for (const key of written) totals.families.add(familyOf(key)!);
	for (const key of written) {
		for (const entry of await kv.lrange(key, 0, -1)) {
			const parsed = JSON.parse(entry) as {timestamp?: unknown};
			if (!('timestamp' in parsed)) continue;
			const ms = timestampMs(parsed.timestamp);
			expect(ms, `${key}: ${entry}`).not.toBeUndefined();
			// What the seed's readers do: new Date(item.timestamp) (seconds as a number would read as 1970).
			expect(typeof parsed.timestamp === 'string' || typeof parsed.timestamp === 'number', `${key}: ${entry}`).toBe(true);
			expect(new Date(parsed.timestamp as string | number).getTime(), `${key}: ${entry}`).toBe(Math.floor(ms!));
		}
	}

	// Rules over the store: every built-in rule evaluates without throwing.
	const engine = new RuleEngine(defaultRules());
	for (let t = NOW; t <= NOW + 2000; t += 1000) engine.evaluate(storeInput(store, t, new Map(), undefined));

	// Snapshot, its JSON, and the panes' text.
	const snapshot = buildSnapshot({store, host: 'h', instanceId: 'i', bus: () => BUS, writer: () => writer.stats}, NOW);
	expect(() => snapshotToJson(snapshot)).not.toThrow();
	expect(paneTexts(snapshot).figures.filter((text) => /e[+-]\d|NaN|Infinity|Invalid/.test(text))).toEqual([]);

	// What we wrote, read back as a start would: nothing refused.
	const restarted = new MetricsStore({maxProjects: 20, maxAgents: 20, maxWorkflowSteps: 20}, clock);
	const report = await hydrate(kv, restarted, [], NOW);
	expect(report.rejected, JSON.stringify(Object.fromEntries(restarted.counters.rejectReasons))).toBe(0);
}

describe('pipeline property: any message on any channel', () => {
	it('never throws, counts every message as stored, rejected (with a reason) or refused, and writes only contract keys', {timeout: 120_000}, async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(message, {minLength: 1, maxLength: 40}), (messages) => runPipeline(messages)),
			{numRuns: 300},
		);
		// The generator reaches every outcome and most key families (a property over rejects only would prove little).
		expect(totals.stored).toBeGreaterThan(totals.messages / 5);
		expect(totals.rejected).toBeGreaterThan(totals.messages / 5);
		expect(totals.futureClamped).toBeGreaterThan(0);
		expect(totals.unitConverted).toBeGreaterThan(0);
		for (const family of ['trainingLoss', 'trainingWer', 'tasksCompletionTimes', 'agentWorkload', 'agentPerformance', 'workflowStepDurations', 'tasksCounters'])
			expect(totals.families, family).toContain(family);
	});

	it('the matcher itself refuses keys outside the families and ids no validator passes', () => {
		expect(familyOf('metrics:training:p:loss')).toBe('trainingLoss');
		expect(familyOf('metrics:workflow:w:step:s:durations')).toBe('workflowStepDurations');
		expect(familyOf('metrics:agent:x:workload:workload')).toBeUndefined();
		expect(familyOf('metrics:workflow:a:step:b:step:c:durations')).toBeUndefined();
		expect(familyOf('metrics:training:..:loss')).toBeUndefined();
		expect(familyOf('metrics:something:else')).toBeUndefined();
		expect(familyOf('metrics:tasks:counters')).toBe('tasksCounters');
	});
});
