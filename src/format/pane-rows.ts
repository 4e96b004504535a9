/** The rows each pane shows for a snapshot and a filter, and the ids the selection moves over. Pure. */
import {type Snapshot, type ProjectSummary, type AgentSummary} from '../store/snapshot.js';
import {type GpuRow} from '../gpu/gpu-snapshot.js';
import {type AlertRow, type AlertsSnapshot} from '../rules/alert-snapshot.js';
import {type Completion} from '../analysis/task-aggregates.js';
import {matchesFilter, matchesGpu, type Filter} from './filter.js';
import {type PaneId} from './layout.js';
import {type FleetHost} from '../fleet/fleet-view.js';

export interface PaneRows {
	readonly training: readonly ProjectSummary[];
	readonly gpu: readonly GpuRow[];
	readonly completions: readonly Completion[];
	readonly agents: readonly AgentSummary[];
	readonly alerts: readonly AlertRow[];
	/** Active silences, the one ending first at the top. */
	readonly silences: readonly Silence[];
	/** The fleet's hosts (by name; `host:` narrows them): empty unless the registry has another box than this one. */
	readonly hosts: readonly FleetHost[];
}

export type Silence = AlertsSnapshot['silences'][number];

/** Silences still in force at `nowMs`, the one ending first at the top. */
function activeSilences(snapshot: Snapshot): Silence[] {
	const now = snapshot.takenAtMs;
	return (snapshot.alerts?.silences ?? []).filter((s) => s.endsMs > now).sort((a, b) => a.endsMs - b.endsMs || (a.id < b.id ? -1 : 1));
}

/** The alert log's rows: the rule engine's when it runs, else other agents' alerts from events:alerts:*. */
function alertRows(snapshot: Snapshot): readonly AlertRow[] {
	if (snapshot.alerts !== undefined) return snapshot.alerts.rows;
	return snapshot.externalAlerts.map(
		(a, i): AlertRow => ({
			id: `external:${a.timeMs}:${i}`,
			rule: a.type,
			severity: a.severity === 'critical' || a.severity === 'warning' ? a.severity : 'info',
			state: 'firing',
			message: a.message,
			labels: {channel: a.channel},
			sinceMs: a.timeMs,
			updatedMs: a.timeMs,
			origin: 'external',
		}),
	);
}

/** Newest change first: the last transition (updatedMs), then the start of the episode; ties keep the engine's order. */
function newestFirst(rows: readonly AlertRow[]): AlertRow[] {
	return [...rows].sort((a, b) => b.updatedMs - a.updatedMs || b.sinceMs - a.sinceMs);
}

export function paneRows(snapshot: Snapshot, filter: Filter | undefined): PaneRows {
	return {
		training: snapshot.training.filter((p) => matchesFilter(filter, 'project', [p.projectId])),
		gpu: (snapshot.gpu?.gpus ?? []).filter((g) => matchesGpu(filter, g.index, g.name)),
		completions: snapshot.tasks.recent.filter((c) => matchesFilter(filter, 'agent', [c.agent, c.taskId])),
		agents: snapshot.agents.filter((a) => matchesFilter(filter, 'agent', [a.agent])),
		alerts: newestFirst(
			alertRows(snapshot).filter((a) => matchesFilter(filter, 'rule', [a.rule, a.message, ...Object.entries(a.labels).map(([k, v]) => `${k}=${v}`)])),
		),
		silences: activeSilences(snapshot),
		hosts: fleetRows(snapshot).filter((h) => filter?.kind !== 'host' || matchesFilter(filter, 'host', [h.host])),
	};
}

/** The hosts the hosts pane lists: none while the registry knows no box but this one (the pane is then not shown). */
function fleetRows(snapshot: Snapshot): readonly FleetHost[] {
	const hosts = snapshot.fleet?.hosts ?? [];
	// A name taken by another box (fleet.conflict) is shown in the pane's title, so the pane is shown for it too.
	return hosts.some((h) => h.host !== snapshot.host) || snapshot.fleet?.conflict !== undefined ? hosts : [];
}

/** The silence `x` expires: the one silencing the selected alert, else the first listed (the one ending first). */
export function silenceToExpire(rows: PaneRows, selected: AlertRow | undefined): Silence | undefined {
	const own = selected?.silencedBy === undefined ? undefined : rows.silences.find((s) => s.id === selected.silencedBy);
	return own ?? rows.silences[0];
}

/** The ids the selection of `pane` moves over, in display order. */
export function selectionIds(rows: PaneRows, pane: PaneId): string[] {
	switch (pane) {
		case 'training':
			return rows.training.map((p) => p.projectId);
		case 'gpu':
			return rows.gpu.map((g) => String(g.index));
		case 'tasks':
			return rows.completions.map(completionId);
		case 'agents':
			return rows.agents.map((a) => a.agent);
		case 'alerts':
			return rows.alerts.map((a) => a.id);
		case 'hosts':
			return rows.hosts.map((h) => h.host);
	}
}

function completionId(c: Completion): string {
	return `${c.taskId}@${c.timeMs}`;
}

/** The first row to show so that `selected` stays inside a window of `height` rows. */
export function windowStart(count: number, selected: number, height: number): number {
	if (height <= 0 || count <= height) return 0;
	return Math.max(0, Math.min(selected - height + 1, count - height));
}
