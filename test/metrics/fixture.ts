/** A fixture store for the exposition tests: events through the real ingest path, the recorded `health` GPUs, alerts. */
import {type BusStatus} from '../../src/bus/bus-manager.js';
import {INPUT_CHANNELS} from '../../src/contract/names.js';
import {parseGpuLine, type ParsedGpuRow} from '../../src/gpu/csv-parse.js';
import {type GpuSnapshot} from '../../src/gpu/gpu-snapshot.js';
import {GpuStore} from '../../src/gpu/gpu-store.js';
import {Ingest} from '../../src/ingest/ingest.js';
import {Exposition} from '../../src/metrics/exposition.js';
import {type MetricsView} from '../../src/metrics/families.js';
import {type AlertRow, type AlertsSnapshot} from '../../src/rules/alert-snapshot.js';
import {MetricsStore, type StoreLimits} from '../../src/store/metrics-store.js';
import {buildSnapshot} from '../../src/store/snapshot.js';
import {recording} from '../gpu/fixtures.js';

export const NOW = Date.UTC(2026, 8, 30, 12, 0, 0);
export const HOST = 'box-1';

function frames(scenario: string): ParsedGpuRow[][] {
	const rec = recording(scenario);
	const out: ParsedGpuRow[][] = [];
	let ts: string | undefined;
	for (const line of rec.lines) {
		const r = parseGpuLine(line, rec.fields);
		if (r.kind !== 'row') continue;
		if (r.row.timestamp !== ts) {
			out.push([]);
			ts = r.row.timestamp;
		}
		out[out.length - 1]!.push(r.row);
	}
	return out;
}

function gpuFixture(): {snapshot: GpuSnapshot; last: ParsedGpuRow[]} {
	const store = new GpuStore();
	const f = frames('health');
	f.forEach((frame, i) => store.applyFrame(frame, NOW - (f.length - i) * 1000));
	store.setStatus({state: 'ok'});
	return {snapshot: store.snapshot(), last: f[f.length - 1]!};
}

export const BUS: BusStatus = {
	kind: 'redis',
	url: 'redis://127.0.0.1:6390',
	connection: {kind: 'connected', sinceMs: NOW - 5000},
	role: 'writer',
	hostWriter: true,
	reconnects: 2,
	takeovers: 0,
	summary: '',
};

function row(partial: Partial<AlertRow> & Pick<AlertRow, 'rule'>): AlertRow {
	return {id: `${partial.rule}:${JSON.stringify(partial.labels ?? {})}`, severity: 'warning', state: 'firing', message: '', labels: {}, sinceMs: NOW, updatedMs: NOW, origin: 'rules', ...partial};
}

const ALERTS: AlertsSnapshot = {
	unacknowledgedCritical: 0,
	silences: [],
	rows: [
		row({rule: 'high_temperature', severity: 'critical', phase: 'firing', labels: {gpu: '0', uuid: 'GPU-a'}}),
		row({rule: 'high_temperature', severity: 'warning', phase: 'pending', state: 'pending', labels: {gpu: '1', uuid: 'GPU-b'}}),
		row({rule: 'loss_plateau', phase: 'recovering', labels: {project: 'p"1'}}),
		row({rule: 'gpu_lost', phase: 'nodata', state: 'nodata', labels: {gpu: '5'}}),
		row({rule: 'old', phase: 'resolved', state: 'resolved'}),
		row({rule: 'acked', phase: 'firing', state: 'acknowledged', severity: 'critical'}),
		// Hostile label names: invalid characters, a leading digit, reserved and Prometheus-set names.
		row({rule: 'weird', phase: 'firing', labels: {'gpu-id': 'x', '1st': 'y', __meta: 'z', alertname: 'spoof', alertstate: 'pending', severity: 'info', 'é': 'accent'}}),
		// Another agent's alert: no phase; the same labels twice (two messages) give one series.
		row({rule: 'disk_full', origin: 'external', state: 'firing', labels: {channel: 'events:alerts:system', source: 'disk-agent'}}),
		row({rule: 'disk_full', origin: 'external', state: 'firing', labels: {channel: 'events:alerts:system', source: 'disk-agent'}, sinceMs: NOW - 1000}),
		row({rule: 'disk_full', origin: 'external', state: 'resolved', labels: {channel: 'events:alerts:system', source: 'other'}}),
	],
};

export interface Fixture {
	readonly store: MetricsStore;
	readonly exposition: Exposition;
	readonly ingest: Ingest;
	readonly gpu: ReturnType<typeof gpuFixture>;
	view(alerts?: AlertsSnapshot): MetricsView;
}

export function fixture(limits: Partial<StoreLimits> = {}, processMetrics = false): Fixture {
	const store = new MetricsStore(limits, () => NOW);
	const exposition = new Exposition({processMetrics});
	const ingest = new Ingest(store, {onEvent: () => {}}, {onStored: exposition.observe}, () => receiveClock);
	const gpu = gpuFixture();
	return {
		store,
		exposition,
		ingest,
		gpu,
		view: (alerts = ALERTS) => ({
			snapshot: buildSnapshot({store, host: HOST, instanceId: 'test', bus: () => BUS, writer: () => undefined, gpu: () => gpu.snapshot, alerts: () => alerts}, NOW),
			smoothing: 0.6,
			version: '9.9.9',
		}),
	};
}

/** The ingest's receive clock: NOW, or the time `send` was told the message arrived. */
let receiveClock = NOW;

/** Hand `message` to the fixture's ingest, received at `receivedMs` (the receive clock; NOW by default). */
export function send(f: Fixture, channel: string, message: Record<string, unknown>, receivedMs = NOW): void {
	receiveClock = receivedMs;
	try {
		f.ingest.handle(channel, JSON.stringify({timestamp: NOW - 60_000, ...message}));
	} finally {
		receiveClock = NOW;
	}
}

/** A project id the validators accept that needs escaping or quoting everywhere: quotes, braces, commas, `=`, emoji. */
export const HOSTILE_PROJECT = 'q"u{o}t,e=😀#x';

export function populate(f: Fixture): void {
	const losses = [3, 2.5, 2.2, 1.9, 1.7];
	losses.forEach((loss, i) => send(f, INPUT_CHANNELS.trainingProgress, {projectId: 'asr', step: 100 * (i + 1), loss, wer: 0.3 - i * 0.01}));
	send(f, INPUT_CHANNELS.trainingProgress, {projectId: HOSTILE_PROJECT, step: 7, loss: 0.5});
	// A diverged run: NaN is valid JSON only as a string; the validator takes "NaN".
	send(f, INPUT_CHANNELS.trainingProgress, {projectId: 'diverged', step: 3, loss: 'NaN'});
	for (const [taskId, duration] of [['t1', 10], ['t2', 1800], ['t3', 1801]] as const)
		send(f, INPUT_CHANNELS.taskUpdates, {taskId, status: 'completed', agent: 'trainer', duration_seconds: duration});
	send(f, INPUT_CHANNELS.taskUpdates, {taskId: 't4', status: 'completed', agent: 'trainer'});
	send(f, INPUT_CHANNELS.taskUpdates, {taskId: 't5', status: 'failed', agent: 'trainer', duration_seconds: 5});
	send(f, INPUT_CHANNELS.agentStatus, {agentType: 'trainer', status: 'busy', taskCount: 3});
	send(f, INPUT_CHANNELS.agentStatus, {agentType: 'evaluator', status: 'idle', taskCount: 0});
	f.ingest.handle(INPUT_CHANNELS.trainingProgress, '{not json');
}
