/**
The Prometheus exposition from a fixture store (fixture.ts): events through the real ingest path (validation
included), the GPU store fed the recorded `health` scenario, an alert log with hostile labels. The output is read
back by an independent parser (parse-exposition.ts) and checked by the real `promtool check metrics`.
*/
import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, test} from 'vitest';
import {INPUT_CHANNELS} from '../../src/contract/names.js';
import {debiasedEma} from '../../src/analysis/smoothing.js';
import {Exposition, TASK_DURATION_BUCKETS} from '../../src/metrics/exposition.js';
import {FAMILIES} from '../../src/metrics/families.js';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {buildSnapshot} from '../../src/store/snapshot.js';
import {metricsSnapshot} from '../../src/metrics/metrics-view.js';
import {BUS, fixture, HOST, HOSTILE_PROJECT, NOW, populate, send} from './fixture.js';
import {parseExposition, samplesOf, valueOf} from './parse-exposition.js';

describe('the exposition from a fixture store', () => {
	test('GPU readings per GPU with host, gpu, uuid, name labels, in base units', async () => {
		const f = fixture();
		populate(f);
		const parsed = parseExposition(await f.exposition.render(f.view()));
		for (const gpu of f.gpu.last) {
			const labels = {host: HOST, gpu: String(gpu.index), uuid: gpu.uuid};
			const r = gpu.readings;
			expect(samplesOf(parsed, 'mycotop_gpu_utilization_ratio', labels)[0]!.labels['name']).toBe(f.gpu.snapshot.gpus.find((g) => g.uuid === gpu.uuid)!.name);
			expect(valueOf(parsed, 'mycotop_gpu_utilization_ratio', labels)).toBeCloseTo(r.utilizationPercent!.value! / 100, 12);
			expect(valueOf(parsed, 'mycotop_gpu_memory_used_bytes', labels)).toBe(r.memoryUsedMb!.value! * 1024 * 1024);
			expect(valueOf(parsed, 'mycotop_gpu_memory_total_bytes', labels)).toBe(r.memoryTotalMb!.value! * 1024 * 1024);
			expect(valueOf(parsed, 'mycotop_gpu_temperature_celsius', labels)).toBe(r.temperatureC!.value);
			expect(valueOf(parsed, 'mycotop_gpu_power_draw_watts', labels)).toBe(r.powerDrawW!.value);
			expect(valueOf(parsed, 'mycotop_gpu_throttle_active', {...labels, reason: 'sw_power_cap'})).toBe(r.throttleSwPowerCap!.value);
			expect(valueOf(parsed, 'mycotop_gpu_throttle_active', {...labels, reason: 'hw_thermal_slowdown'})).toBe(r.throttleHwThermal!.value);
			expect(valueOf(parsed, 'mycotop_gpu_ecc_errors', {...labels, type: 'uncorrected', scope: 'volatile'})).toBe(r.eccUncorrectedVolatile!.value);
			expect(valueOf(parsed, 'mycotop_gpu_ecc_errors', {...labels, type: 'corrected', scope: 'aggregate'})).toBe(r.eccCorrectedAggregate!.value);
			expect(valueOf(parsed, 'mycotop_gpu_lost', labels)).toBe(0);
			expect(valueOf(parsed, 'mycotop_gpu_energy_joules_total', labels)).toBeGreaterThan(0);
		}
		// The story of the `health` scenario: GPU 1 sits at its power cap at the end.
		expect(valueOf(parsed, 'mycotop_gpu_throttle_active', {gpu: '1', reason: 'sw_power_cap'})).toBe(1);
		expect(valueOf(parsed, 'mycotop_gpu_sampler_state', {state: 'ok'})).toBe(1);
		expect(valueOf(parsed, 'mycotop_gpu_sampler_state', {state: 'starting'})).toBe(0);
		expect(parsed.types.get('mycotop_gpu_energy_joules_total')).toBe('counter');
	});

	test('a stale or unknown reading has no sample (no repeated old value)', async () => {
		const f = fixture();
		const gpus = f.gpu.snapshot.gpus.map((g, i) => (i === 0 ? {...g, temperatureC: {value: 70, reason: 'not available', stale: true}, powerDrawW: {value: undefined, reason: 'not supported'}} : g));
		const view = f.view();
		const parsed = parseExposition(await f.exposition.render({...view, snapshot: {...view.snapshot, gpu: {...f.gpu.snapshot, gpus}}}));
		expect(samplesOf(parsed, 'mycotop_gpu_temperature_celsius', {gpu: '0'})).toEqual([]);
		expect(samplesOf(parsed, 'mycotop_gpu_power_draw_watts', {gpu: '0'})).toEqual([]);
		expect(samplesOf(parsed, 'mycotop_gpu_temperature_celsius', {gpu: '1'})).toHaveLength(1);
	});

	test('training, tasks, agents and mycotop health', async () => {
		const f = fixture();
		populate(f);
		const parsed = parseExposition(await f.exposition.render(f.view()));
		expect(valueOf(parsed, 'mycotop_training_loss', {project: 'asr'})).toBe(1.7);
		expect(valueOf(parsed, 'mycotop_training_step', {project: 'asr'})).toBe(500);
		expect(valueOf(parsed, 'mycotop_training_wer', {project: 'asr'})).toBeCloseTo(0.26, 12);
		expect(valueOf(parsed, 'mycotop_training_loss_smoothed', {project: 'asr'})).toBeCloseTo(debiasedEma([3, 2.5, 2.2, 1.9, 1.7], 0.6).at(-1)!, 12);
		expect(valueOf(parsed, 'mycotop_training_loss', {project: 'diverged'})).toBeNaN();
		expect(samplesOf(parsed, 'mycotop_training_wer', {project: 'diverged'})).toEqual([]);
		expect(valueOf(parsed, 'mycotop_training_last_update_timestamp_seconds', {project: 'asr'})).toBe((NOW - 60_000) / 1000);

		// 4 completions in the last hour (one without duration), 2 of 3 timed ones within 1800 s.
		expect(valueOf(parsed, 'mycotop_tasks_completed_last_hour')).toBe(4);
		expect(valueOf(parsed, 'mycotop_tasks_sla_compliance_ratio')).toBeCloseTo(2 / 3, 12);
		expect(valueOf(parsed, 'mycotop_tasks_sla_violations_last_hour')).toBe(1);
		expect(valueOf(parsed, 'mycotop_tasks_sla_target_seconds')).toBe(1800);
		expect(valueOf(parsed, 'mycotop_tasks_completed_total')).toBe(4);
		expect(valueOf(parsed, 'mycotop_tasks_failed_total')).toBe(1);
		// The histogram: the SLA is a bucket edge; 1800 s is within it (le), 1801 s is not.
		expect(TASK_DURATION_BUCKETS).toContain(1800);
		expect(valueOf(parsed, 'mycotop_task_duration_seconds_bucket', {le: '1800'})).toBe(2);
		expect(valueOf(parsed, 'mycotop_task_duration_seconds_bucket', {le: '15'})).toBe(1);
		expect(valueOf(parsed, 'mycotop_task_duration_seconds_bucket', {le: '+Inf'})).toBe(3);
		expect(valueOf(parsed, 'mycotop_task_duration_seconds_count')).toBe(3);
		expect(valueOf(parsed, 'mycotop_task_duration_seconds_sum')).toBe(3611);
		expect(parsed.types.get('mycotop_task_duration_seconds')).toBe('histogram');

		expect(valueOf(parsed, 'mycotop_agent_busy', {agent: 'trainer'})).toBe(1);
		expect(valueOf(parsed, 'mycotop_agent_busy', {agent: 'evaluator'})).toBe(0);
		expect(valueOf(parsed, 'mycotop_agent_tasks', {agent: 'trainer'})).toBe(3);

		expect(valueOf(parsed, 'mycotop_messages_received_total')).toBe(f.store.counters.received);
		expect(valueOf(parsed, 'mycotop_messages_rejected_total')).toBe(1);
		expect(valueOf(parsed, 'mycotop_messages_stored_total')).toBe(f.store.counters.stored);
		expect(valueOf(parsed, 'mycotop_redis_connection_state', {state: 'connected'})).toBe(1);
		expect(samplesOf(parsed, 'mycotop_redis_connection_state').filter((s) => s.value === 1)).toHaveLength(1);
		expect(valueOf(parsed, 'mycotop_redis_up')).toBe(1);
		expect(valueOf(parsed, 'mycotop_redis_reconnects_total')).toBe(2);
		expect(valueOf(parsed, 'mycotop_lease_role', {role: 'writer'})).toBe(1);
		expect(valueOf(parsed, 'mycotop_lease_role', {role: 'viewer'})).toBe(0);
		expect(valueOf(parsed, 'mycotop_build_info', {version: '9.9.9', node_version: process.version})).toBe(1);
		for (const name of ['mycotop_messages_received_total', 'mycotop_writer_entries_dropped_total', 'mycotop_redis_reconnects_total']) expect(parsed.types.get(name)).toBe('counter');
	});

	test('hostile ids: quotes, braces, emoji through validation; backslash and newline escaped when a store holds them', async () => {
		const f = fixture();
		populate(f);
		// Validation refuses `\` and line breaks in ids; a store given one anyway (hydration, a future path) must still
		// produce a valid exposition.
		const raw = 'back\\slash\nnew"line';
		f.store.apply({kind: 'training', projectId: raw, step: 1, loss: 1, timestamp: NOW, timeMs: NOW});
		const text = await f.exposition.render(f.view());
		expect(text).toContain(`mycotop_training_loss{project="back\\\\slash\\nnew\\"line"} 1`);
		expect(text).toContain(`mycotop_training_loss{project="q\\"u{o}t,e=😀#x"} 0.5`);
		const parsed = parseExposition(text);
		expect(valueOf(parsed, 'mycotop_training_loss', {project: raw})).toBe(1);
		expect(valueOf(parsed, 'mycotop_training_loss', {project: HOSTILE_PROJECT})).toBe(0.5);
		// No line of the output is broken by a value: every non-comment line is one sample.
		for (const line of text.split('\n')) if (line !== '' && !line.startsWith('#')) expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? \S+$/);
	});

	test('any string as a label value reads back unchanged (property)', async () => {
		const f = fixture();
		const exposition = new Exposition({processMetrics: false});
		await fc.assert(
			fc.asyncProperty(fc.string({unit: 'binary', minLength: 1, maxLength: 40}), async (id) => {
				const store = new MetricsStore({}, () => NOW);
				store.apply({kind: 'agent', agentType: id, status: 'busy', taskCount: 2, timeMs: NOW});
				const view = f.view();
				const snapshot = buildSnapshot({store, host: HOST, instanceId: 't', bus: () => BUS}, NOW);
				const parsed = parseExposition(await exposition.render({...view, snapshot}));
				expect(samplesOf(parsed, 'mycotop_agent_tasks')).toEqual([{name: 'mycotop_agent_tasks', labels: {agent: id}, value: 2}]);
			}),
			{numRuns: 200},
		);
	});

	test('cardinality is bounded by the store limits; refusals are counted by limit', async () => {
		const f = fixture({maxProjects: 5, maxAgents: 3});
		for (let i = 0; i < 12; i++) send(f, INPUT_CHANNELS.trainingProgress, {projectId: `p${i}`, step: 1, loss: 1});
		for (let i = 0; i < 7; i++) send(f, INPUT_CHANNELS.agentStatus, {agentType: `a${i}`, status: 'busy', taskCount: 1});
		const parsed = parseExposition(await f.exposition.render(f.view()));
		expect(samplesOf(parsed, 'mycotop_training_loss')).toHaveLength(5);
		expect(samplesOf(parsed, 'mycotop_agent_tasks')).toHaveLength(3);
		expect(valueOf(parsed, 'mycotop_messages_refused_total', {limit: 'projects'})).toBe(7);
		expect(valueOf(parsed, 'mycotop_messages_refused_total', {limit: 'agents'})).toBe(4);
	});

	test('ALERTS as Prometheus exports them', async () => {
		const f = fixture();
		const parsed = parseExposition(await f.exposition.render(f.view()));
		const alerts = samplesOf(parsed, 'ALERTS');
		expect(alerts.every((s) => s.value === 1)).toBe(true);
		expect(parsed.types.get('ALERTS')).toBe('gauge');
		expect(samplesOf(parsed, 'ALERTS', {alertname: 'high_temperature', gpu: '0'})[0]!.labels).toEqual({alertname: 'high_temperature', alertstate: 'firing', severity: 'critical', gpu: '0', uuid: 'GPU-a', host: HOST});
		expect(samplesOf(parsed, 'ALERTS', {alertname: 'high_temperature', gpu: '1'})[0]!.labels['alertstate']).toBe('pending');
		// keep_firing_for (recovering) and acknowledged alerts are firing; nodata and resolved are not exported.
		expect(valueOf(parsed, 'ALERTS', {alertname: 'loss_plateau', alertstate: 'firing', project: 'p"1'})).toBe(1);
		expect(valueOf(parsed, 'ALERTS', {alertname: 'acked', alertstate: 'firing'})).toBe(1);
		expect(samplesOf(parsed, 'ALERTS', {alertname: 'gpu_lost'})).toEqual([]);
		expect(samplesOf(parsed, 'ALERTS', {alertname: 'old'})).toEqual([]);
		// Label names made valid; reserved and Prometheus-set names dropped, never overriding.
		expect(samplesOf(parsed, 'ALERTS', {alertname: 'weird'})[0]!.labels).toEqual({alertname: 'weird', alertstate: 'firing', severity: 'warning', gpu_id: 'x', _1st: 'y', _: 'accent', host: HOST});
		// Two messages of another agent with the same labels: one series; the resolved one: none.
		expect(samplesOf(parsed, 'ALERTS', {alertname: 'disk_full'})).toHaveLength(1);
		expect(valueOf(parsed, 'mycotop_alerts_series_omitted')).toBe(0);
		// The label set follows the alerts: with none, ALERTS has no series (and the output stays valid).
		const none = parseExposition(await f.exposition.render(f.view({rows: [], silences: [], unacknowledgedCritical: 0})));
		expect(samplesOf(none, 'ALERTS')).toEqual([]);
	});

	test("the scrape's light view of the store gives the same exposition as the UI's full snapshot", async () => {
		const f = fixture();
		populate(f);
		const full = f.view();
		const light = metricsSnapshot({store: f.store, host: HOST, bus: () => BUS, writer: () => undefined, gpu: () => f.gpu.snapshot, alerts: () => full.snapshot.alerts}, NOW);
		// The same lines (the UI's snapshot sorts projects and agents by name; the light view keeps the store's order).
		const lines = async (text: Promise<string>) => (await text).split('\n').sort();
		expect(await lines(f.exposition.render({...full, snapshot: light}))).toEqual(await lines(f.exposition.render(full)));
		// A project that changes is read again (the light view caches by the project's version).
		send(f, INPUT_CHANNELS.trainingProgress, {projectId: 'asr', step: 600, loss: 0.9});
		const again = metricsSnapshot({store: f.store, host: HOST, bus: () => BUS, writer: () => undefined, gpu: () => f.gpu.snapshot, alerts: () => full.snapshot.alerts}, NOW);
		expect(valueOf(parseExposition(await f.exposition.render({...full, snapshot: again})), 'mycotop_training_loss', {project: 'asr'})).toBe(0.9);
	});

	test('every family is in the output with its type and help, and named by the conventions', async () => {
		const f = fixture();
		populate(f);
		const parsed = parseExposition(await f.exposition.render(f.view()));
		for (const family of FAMILIES) {
			expect(parsed.types.get(family.name), family.name).toBe(family.type);
			expect(family.name).toMatch(/^mycotop_[a-z0-9_]+$/);
			expect(family.name.endsWith('_total')).toBe(family.type === 'counter');
			expect(family.help.length).toBeGreaterThan(10);
		}
	});
});

const promtool = spawnSync('promtool', ['--version'], {stdio: 'ignore'}).status === 0;
if (!promtool) {
	const message = 'promtool not on PATH (Debian/Ubuntu: sudo apt-get install -y prometheus; .ci/run installs it)';
	if ((process.env['CI_ORIGINAL'] ?? process.env['CI']) === 'true') throw new Error(`CI=true and ${message}`);
	process.stderr.write(`\n*** SKIPPING promtool check metrics: ${message} ***\n\n`);
}

describe.skipIf(!promtool)('promtool check metrics', () => {
	test('the whole output (process metrics, hostile ids, NaN, ALERTS) passes promtool check metrics', async () => {
		const f = fixture();
		populate(f);
		f.store.apply({kind: 'training', projectId: 'back\\slash\nnew"line', step: 1, loss: Number.POSITIVE_INFINITY, timestamp: NOW, timeMs: NOW});
		const exposition = new Exposition();
		exposition.observe({kind: 'task', taskId: 't', status: 'done', agent: 'a', durationSeconds: 42, timestamp: NOW, timeMs: NOW});
		const text = await exposition.render(f.view());
		expect(text).toContain('process_cpu_seconds_total');
		const result = spawnSync('promtool', ['check', 'metrics'], {input: text, encoding: 'utf8'});
		expect(result.stdout + result.stderr).toBe('');
		expect(result.status).toBe(0);
	});

	test('promtool notices a broken exposition (the check is not a no-op)', () => {
		const result = spawnSync('promtool', ['check', 'metrics'], {input: '# TYPE x gauge\nx_total{a="1"} 1\nbad line here\n', encoding: 'utf8'});
		expect(result.status).not.toBe(0);
	});
});

describe('the README', () => {
	test('documents every metric mycotop exports (its section "Prometheus and Grafana")', async () => {
		const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
		const section = readme.slice(readme.indexOf('## Prometheus and Grafana'), readme.indexOf('## Security'));
		const f = fixture();
		populate(f);
		const parsed = parseExposition(await f.exposition.render(f.view()));
		expect(parsed.types.size).toBeGreaterThan(40);
		for (const name of parsed.types.keys()) expect(section, name).toContain(`\`${name}\``);
	});
});
