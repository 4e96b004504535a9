/** `--once [--json]`: one snapshot of everything mycotop knows, then exit (for scripts). */
import {type MycotopConfig} from './config/config.js';
import {type Flags} from './config/flags.js';
import {type Runtime, type RuntimeOptions} from './runtime.js';
import {ourKeys} from './contract/names.js';
import {describeFamilyCounts, type FamilyCounts, KEY_FAMILIES} from './writer/key-family.js';
import {composeRuntime} from './compose.js';
import {snapshotToJson, type Snapshot} from './store/snapshot.js';
import {formatSpan, formatValue} from './format/units.js';
import {hostsOnceLines} from './format/hosts-view.js';
import {receiverStateText} from './notify/receiver-state.js';
import {durationFigure, loadVariance, percentFigure, taskFigures} from './format/figures.js';
import {gpuHealthLine, gpuLine} from './gpu/gpu-text.js';
import {energyText} from './gpu/energy.js';
import {projectEnergyLines} from './gpu/project-energy.js';
import {hostText} from './host/host-figures.js';
import {redisHealthText} from './redis-health/info-parse.js';
import {budgetText, etaText} from './format/forecast-text.js';

/** How long --once listens to live messages after hydration (and the demo's backfill). */
const ONCE_SETTLE_MS = 300;

/**
How long --once waits, at most, for GPU telemetry to be decided: a first frame, or a failure with its reason (a
hanging nvidia-smi is given up after its one-shot timeout, 3 s at the default interval). nvidia-smi can take a second
or more to start on a big box; reporting "starting, 0 GPUs" there would mislead a script.
*/
const ONCE_GPU_WAIT_MS = 5000;

export async function runOnce(flags: Flags, config: MycotopConfig, options: RuntimeOptions): Promise<number> {
	// Never take the writer lease for a one-shot read.
	const runtime = await composeRuntime(flags, config, {...options, readOnly: options.readOnly || !options.demo});
	await runtime.start();
	await new Promise((resolve) => setTimeout(resolve, ONCE_SETTLE_MS));
	const gpuDeadline = Date.now() + ONCE_GPU_WAIT_MS;
	// With telemetry, the first process list too (it ties GPU processes to projects), within the same bound.
	const listed = () => {
		const gpu = runtime.snapshot().gpu;
		return gpu === undefined || (gpu.state !== 'ok' && gpu.state !== 'degraded') || gpu.processesAtMs !== undefined;
	};
	while ((gpuUndecided(runtime.snapshot().gpu) || !listed()) && Date.now() < gpuDeadline) await new Promise((resolve) => setTimeout(resolve, 50));
	const reported = await reportedDrops(runtime);
	const snapshot = {...runtime.snapshot(), ...(reported === undefined ? {} : {writesDroppedInRedis: reported})};
	await runtime.stop(500);
	process.stdout.write(flags.json ? `${snapshotToJson(snapshot, 2)}\n` : `${onceText(snapshot)}\n`);
	const refused = refusalText(snapshot);
	if (refused === undefined) return 0;
	// What was printed is the embedded bus's empty picture, not the box's: a script must not take it for one.
	process.stderr.write(`mycotop: ${refused}\n`);
	return 1;
}

/**
What the writers (any instance, any host) reported as given up, from `mycotop:writes:dropped`: --once itself never
writes, so this is how a script on any machine learns that figures in Redis are short. Undefined off Redis or on error.
*/
async function reportedDrops(runtime: Runtime): Promise<FamilyCounts | undefined> {
	if (runtime.bus.kind !== 'redis') return undefined;
	try {
		const fields = await runtime.bus.kv().hgetall(ourKeys.writesDropped);
		const out: FamilyCounts = {};
		for (const family of KEY_FAMILIES) {
			const n = Number(fields[family]);
			if (Number.isSafeInteger(n) && n > 0) out[family] = n;
		}
		return out;
	} catch {
		return undefined;
	}
}

/** GPU telemetry not decided yet: no frame nor failure, or the PCIe throughput probe (dmon) without its first sample. */
function gpuUndecided(gpu: Snapshot['gpu']): boolean {
	if (gpu === undefined) return false;
	if (gpu.state === 'starting') return true;
	if (gpu.state !== 'ok' && gpu.state !== 'degraded') return false;
	return gpu.pcieThroughput === 'starting' || (gpu.pcieThroughput === 'ok' && !gpu.gpus.some((row) => row.pcie !== undefined));
}

/** Why --once exits 1: Redis refused the password or the ACL refused a command (NOAUTH, WRONGPASS, NOPERM). Pure. */
function refusalText(s: Snapshot): string | undefined {
	const connection = s.bus.connection;
	if (connection?.kind !== 'auth-failed') return undefined;
	const what = /^ACL refused/.test(connection.lastError) ? 'refused a command' : 'refused the credentials';
	return `Redis at ${s.bus.url ?? '(unknown)'} ${what}: ${connection.lastError}`;
}

/** A plain-text summary for `--once` without `--json`. Pure. */
export function onceText(s: Snapshot): string {
	const lines = [
		`mycotop on ${s.host} at ${new Date(s.takenAtMs).toISOString()}`,
		`bus: ${s.bus.summary} [${s.bus.role}]`,
		`messages: ${s.counters.received} received, ${s.counters.stored} stored, ${s.counters.rejected} rejected, ${s.counters.refused} refused; history at start: ${s.counters.hydrationRejected ?? 0} entries rejected`,
		'',
		'training:',
		...s.training.map((p) => `  ${p.projectId}: loss ${formatValue(p.lastLoss)} at step ${p.lastStep} (${p.analysis.trend}, ${p.points} points)${p.eta === undefined ? '' : `, ${etaText(p.eta, s.takenAtMs)}`}`),
		'',
		// Figures over an empty window print '-' ("no data"), never 0s or 100%: see format/figures.ts.
		`tasks: ${s.tasks.throughputPerHour}/h, avg ${durationFigure(taskFigures(s.tasks).avgSeconds, true)}, SLA ${percentFigure(taskFigures(s.tasks).slaPercent, 1, true)}, completed today ${s.tasks.completedToday}`,
		`SLA error budget: ${s.tasks.budget === undefined ? 'no data (no timed task in its window)' : budgetText(s.tasks.budget, true).text}`,
		`agents: ${s.agents.length}, load variance ${percentFigure(loadVariance(s.loadBalance), 1, true)}`,
		...s.agents.map((a) => `  ${a.agent}: ${a.status}, ${a.currentTasks} current, ${a.completed} completed`),
	];
	const reported = s.writesDroppedInRedis === undefined ? '' : describeFamilyCounts(s.writesDroppedInRedis);
	if (reported !== '') lines.push(`writes dropped (reported by the writers in mycotop:writes:dropped): ${reported}`);
	if (s.redisHealth !== undefined) lines.push(redisHealthText(s.redisHealth));
	if (s.hostView !== undefined) {
		const cores = s.hostView.stats?.corePercents ?? [];
		const perCore = cores.length > 1 ? ` (per core: ${cores.map((c) => (c === undefined ? '?' : Math.round(c))).join(' ')})` : '';
		lines.push('', `host: ${hostText(s.hostView.stats, s.hostView.dataloaderBound)}${perCore}`);
		for (const error of s.hostView.stats?.errors ?? []) lines.push(`  unreadable: ${error}`);
	}
	if (s.fleet !== undefined && (s.fleet.hosts.length > 0 || s.fleet.error !== undefined || s.fleet.conflict !== undefined)) lines.push('', ...hostsOnceLines(s.fleet, s.takenAtMs));
	if (s.gpu !== undefined) {
		const notFound = s.gpu.notFound !== undefined && s.gpu.notFound.length > 0 ? `; not found: GPU ${s.gpu.notFound.join(', ')}` : '';
		lines.push('', `gpu: ${s.gpu.state}${s.gpu.reason ? ` (${s.gpu.reason})` : ''}, ${s.gpu.gpus.length} GPUs${notFound}`);
	}
	if (s.gpu !== undefined)
		for (const row of s.gpu.gpus) {
			lines.push(gpuLine(row));
			const health = gpuHealthLine(row, s.takenAtMs);
			if (health !== undefined) lines.push(health);
		}
	if (s.gpu?.energy !== undefined && s.gpu.energy.source !== 'none') lines.push(`  ${energyText(s.gpu.energy)}`);
	if (s.gpu !== undefined) lines.push(...projectEnergyLines(s.gpu));
	if (s.gpu?.boxXids !== undefined) lines.push(`  Xid events on no known GPU: ${s.gpu.boxXids.count} (newest: Xid ${s.gpu.boxXids.recent.at(-1)?.xid ?? '?'})`);
	if (s.alerts !== undefined) {
		lines.push('', `alerts: ${s.alerts.rows.length} (${s.alerts.unacknowledgedCritical} critical unacknowledged)`);
		// The ids are what `mycotop ack ID` takes.
		lines.push(...s.alerts.rows.map((a) => `  ${a.id}  ${a.state} ${a.severity} ${a.rule}: ${a.message}${a.inhibitedBy ? ` (inhibited by ${a.inhibitedBy})` : ''}`));
		for (const e of s.alerts.errors ?? []) lines.push(`  rule ${e.rule} failing: ${e.message}`);
		if (s.alerts.unwrittenTransitions) lines.push(`  ${s.alerts.unwrittenTransitions} transitions not written to Redis's alert log`);
		if (s.alerts.receivers !== undefined && s.alerts.receivers.length > 0) {
			lines.push('', 'receivers:');
			for (const r of s.alerts.receivers) lines.push(`  ${receiverStateText(r, s.takenAtMs, formatSpan)}`);
		}
	}
	return lines.join('\n');
}
