/** Snapshots and GPU rows built by hand for component tests, plus a source that can publish and a fake terminal. */
import {EventEmitter} from 'node:events';
import {type Snapshot, type ProjectSummary, type AgentSummary} from '../../src/store/snapshot.js';
import {analyzeTrend} from '../../src/analysis/training-trend.js';
import {taskAggregates, type Completion} from '../../src/analysis/task-aggregates.js';
import {loadBalance} from '../../src/analysis/load-balance.js';
import {type GpuRow, type GpuSnapshot, type Reading} from '../../src/gpu/gpu-snapshot.js';
import {type GpuHealth} from '../../src/gpu/gpu-health.js';
import {type AlertRow} from '../../src/rules/alert-snapshot.js';
import {type AlertActions} from '../../src/rules/alert-actions.js';
import {type SnapshotSource} from '../../hooks/use-snapshot.js';

export const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

export function project(projectId: string, loss: readonly number[], wer: readonly number[] = []): ProjectSummary {
	return {
		projectId,
		points: loss.length,
		lastLoss: loss.at(-1),
		lastWer: wer.at(-1),
		lastStep: loss.length * 10,
		lastUpdatedMs: NOW,
		lossTail: loss,
		werTail: wer,
		analysis: analyzeTrend(loss),
	};
}

export function agent(name: string, status: AgentSummary['status'], currentTasks: number, completed = 0, avg = 0): AgentSummary {
	return {agent: name, status, currentTasks, completed, failed: 0, avgDurationSeconds: avg, lastSeenMs: NOW};
}

export const known = (value: number, stale = false): Reading => ({value, stale});
export const unknown = (reason = 'not supported'): Reading => ({value: undefined, reason});

export function gpuRow(index: number, overrides: Partial<GpuRow> = {}): GpuRow {
	return {
		index,
		uuid: `GPU-${index}`,
		name: 'NVIDIA H100 80GB HBM3',
		utilizationPercent: known(50 + index),
		memoryUtilizationPercent: known(40),
		memoryUsedMb: known(40_960),
		memoryTotalMb: known(81_920),
		temperatureC: known(60),
		powerDrawW: known(300),
		powerLimitW: known(700),
		fanPercent: unknown(),
		smClockMhz: known(1980),
		pstate: 'P0',
		utilizationHistory: Array.from({length: 60}, (_, i) => (i * 7 + index * 11) % 100),
		lost: false,
		processes: [],
		...overrides,
	};
}

/** A GPU's health: healthy by default (no badge). */
export function gpuHealth(overrides: Partial<GpuHealth> = {}): GpuHealth {
	return {readings: {}, throttles: [], link: {current: 'x16 gen5', max: 'x16 gen5', degraded: false}, ecc: {pending: false, level: 'ok'}, xidCount: 0, ...overrides};
}

export function gpuSnapshot(gpus: readonly GpuRow[], overrides: Partial<GpuSnapshot> = {}): GpuSnapshot {
	return {state: 'ok', gpus, lastFrameMs: NOW, ...overrides};
}

export function alert(id: string, overrides: Partial<AlertRow> = {}): AlertRow {
	return {
		id,
		rule: id.split(':')[0]!,
		severity: 'warning',
		state: 'firing',
		message: `message of ${id}`,
		labels: {},
		sinceMs: NOW - 60_000,
		updatedMs: NOW - 60_000,
		origin: 'rules',
		...overrides,
	};
}

export function completion(taskId: string, agentName: string, durationSeconds: number, agoMs = 60_000): Completion {
	return {taskId, agent: agentName, durationSeconds, timeMs: NOW - agoMs};
}

export interface SnapshotParts {
	readonly training?: readonly ProjectSummary[];
	readonly agents?: readonly AgentSummary[];
	readonly completions?: readonly Completion[];
	readonly gpu?: GpuSnapshot;
	readonly alerts?: readonly AlertRow[];
	readonly rejected?: number;
	readonly takenAtMs?: number;
}

export function makeSnapshot(parts: SnapshotParts = {}): Snapshot {
	const completions = parts.completions ?? [];
	const agents = parts.agents ?? [];
	const alerts = parts.alerts;
	return {
		takenAtMs: parts.takenAtMs ?? NOW,
		host: 'gpu-box-1',
		instanceId: 'gpu-box-1:1:abcd',
		bus: {
			kind: 'redis',
			url: 'redis://monitor:***@127.0.0.1:6390',
			connection: {kind: 'connected', sinceMs: NOW - 5000},
			role: 'writer',
			hostWriter: true,
			reconnects: 0,
			takeovers: 0,
			summary: 'Redis redis://monitor:***@127.0.0.1:6390: connected',
		},
		counters: {received: 100, stored: 100, rejected: parts.rejected ?? 0, refused: 0, refusedBy: {}, rejectReasons: {}, recentRejects: []},
		writer: undefined,
		training: parts.training ?? [],
		tasks: {
			...taskAggregates(completions, NOW),
			completedToday: completions.length,
			recent: [...completions].sort((a, b) => b.timeMs - a.timeMs),
			// As the store's snapshot: the last hour's finite durations only.
			lastHourDurations: completions.filter((c) => c.timeMs > NOW - 3_600_000 && c.timeMs <= NOW).map((c) => c.durationSeconds).filter(Number.isFinite),
		},
		agents,
		loadBalance: loadBalance(agents.filter((a) => a.status === 'busy').map((a) => a.currentTasks)),
		workflows: [],
		criticalErrors: [],
		externalAlerts: [],
		gpu: parts.gpu,
		alerts:
			alerts === undefined
				? undefined
				: {rows: alerts, unacknowledgedCritical: alerts.filter((a) => a.severity === 'critical' && a.state === 'firing').length, silences: []},
	};
}

/** A snapshot source the test publishes to, as the runtime's SnapshotPublisher does. */
export class TestSource implements SnapshotSource {
	private listeners = new Set<() => void>();
	constructor(private current: Snapshot) {}
	getSnapshot = (): Snapshot => this.current;
	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};
	publish(next: Snapshot): void {
		this.current = next;
		for (const l of this.listeners) l();
	}
}

/** A terminal whose size the test sets. */
export class FakeTerminal extends EventEmitter {
	constructor(
		public columns: number,
		public rows: number,
	) {
		super();
	}
	resize(columns: number, rows: number): void {
		this.columns = columns;
		this.rows = rows;
		this.emit('resize');
	}
}

/** AlertActions that record the calls. */
export class RecordingActions implements AlertActions {
	readonly calls: Array<[string, ...unknown[]]> = [];
	async acknowledge(alertId: string, comment?: string, forMs?: number): Promise<void> {
		this.calls.push(comment === undefined && forMs === undefined ? ['acknowledge', alertId] : ['acknowledge', alertId, comment, forMs]);
	}
	async acknowledgeAll(alertIds: readonly string[]): Promise<void> {
		this.calls.push(['acknowledgeAll', [...alertIds]]);
	}
	async silence(rule: string, durationMs: number): Promise<void> {
		this.calls.push(['silence', rule, durationMs]);
	}
	async undo(): Promise<void> {
		this.calls.push(['undo']);
	}
}

/** Let React attach input handlers and flush updates (one tick is not always enough under React 19). */
export const tick = (ms = 20) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const KEYS = {
	tab: '\t',
	shiftTab: '\u001B[Z',
	enter: '\r',
	down: '\u001B[B',
	up: '\u001B[A',
	escape: '\u001B',
	backspace: '\u007F',
	ctrlC: '\u0003',
} as const;
