/**
`--headless`: the same pipeline without a UI (for systemd). Writes JSON lines to stdout: state changes, rejects
(rate-limited, with a count of what was suppressed), alerts and a stats line every 10 s. SIGINT/SIGTERM flush
pending writes, hand the lease over and exit 0.
*/
import {type MycotopConfig} from './config/config.js';
import {type Flags} from './config/flags.js';
import {type RuntimeOptions} from './runtime.js';
import {composeRuntime} from './compose.js';
import {snapshotToJson} from './store/snapshot.js';
import {journal} from './journal.js';
import {every} from './periodic.js';

/** Reject lines written per second at most; the rest are counted in the next stats line. */
const MAX_REJECT_LINES_PER_SECOND = 50;

export async function runHeadless(flags: Flags, config: MycotopConfig, options: RuntimeOptions): Promise<number> {
	const write = (record: Record<string, unknown>) => process.stdout.write(`${snapshotToJson({time: new Date().toISOString(), ...record})}\n`);
	// Rejects and refusals are written at most MAX_REJECT_LINES_PER_SECOND a second each; the rest are counted in
	// the next stats line (a flood of bad messages must not become a flood of log lines).
	const limiter = () => {
		let window = 0;
		let lines = 0;
		return () => {
			const second = Math.floor(Date.now() / 1000);
			if (second !== window) {
				window = second;
				lines = 0;
			}
			return lines++ < MAX_REJECT_LINES_PER_SECOND;
		};
	};
	const rejectAllowed = limiter();
	const refuseAllowed = limiter();
	let suppressed = 0;
	let suppressedRefusals = 0;
	const runtime = await composeRuntime(flags, config, {
		...options,
		listeners: {
			onReject: (channel, reason) => {
				if (rejectAllowed()) write({type: 'reject', channel, reason});
				else suppressed += 1;
			},
			onRefuse: (event) => {
				if (refuseAllowed()) write({type: 'refused', kind: event.kind, reason: 'cardinality limit'});
				else suppressedRefusals += 1;
			},
		},
	});
	let lastState = '';
	const reportState = () => {
		const bus = runtime.bus.status();
		const state = `${bus.kind}|${bus.connection?.kind ?? ''}|${bus.role}`;
		if (state === lastState) return;
		lastState = state;
		write({type: 'state', bus: bus.kind, connection: bus.connection?.kind ?? 'off', role: bus.role, summary: bus.summary});
	};
	const unsubscribeState = runtime.onBusChange(reportState);
	const unsubscribeJournal = journal.subscribe((record) => write(record));
	await runtime.start();
	reportState();
	if (runtime.hydrationReport) write({type: 'hydrated', ...runtime.hydrationReport});
	write({type: 'started', instance: runtime.instanceId, demo: options.demo, readOnly: options.readOnly});
	// A `writes` line as soon as what Redis refuses or what was dropped changes (checked every second), not only in the
	// next stats line: a writer that stopped writing says so at once.
	let lastWrites = '';
	const reportWrites = () => {
		const w = runtime.writer.stats;
		const line = {
			type: 'writes',
			refusing: w.refusingNow ?? runtime.bus.leaseRefusal()?.refusal ?? null,
			dropped: w.dropped,
			droppedByFamily: w.droppedByFamily,
			handedOver: w.handedOver,
			stepDropped: w.stepDropped,
			historyDropped: w.historyDropped,
		};
		const key = JSON.stringify(line);
		if (lastWrites !== '' && key !== lastWrites) write(line);
		lastWrites = key;
	};
	reportWrites();
	const writesTimer = every(1000, reportWrites, false);
	const stats = every(10_000, () => {
		const s = runtime.snapshot();
		write({type: 'stats', summary: s.bus.summary, counters: {...s.counters, recentRejects: undefined}, writer: s.writer, suppressedRejects: suppressed, suppressedRefusals});
		suppressed = 0;
		suppressedRefusals = 0;
	}, false);

	await new Promise<void>((resolve) => {
		const stop = (signal: string) => {
			write({type: 'stopping', signal});
			resolve();
		};
		process.once('SIGINT', () => stop('SIGINT'));
		process.once('SIGTERM', () => stop('SIGTERM'));
	});
	stats.stop();
	writesTimer.stop();
	unsubscribeState();
	await runtime.stop();
	const s = runtime.snapshot();
	write({
		type: 'stopped',
		written: s.writer?.entriesWritten ?? 0,
		pending: s.writer?.pendingEntries ?? 0,
		dropped: s.writer?.dropped ?? 0,
		droppedByFamily: s.writer?.droppedByFamily ?? {},
		handedOver: s.writer?.handedOver ?? 0,
		replayed: s.writer?.replayed ?? 0,
		historyDropped: s.writer?.historyDropped ?? 0,
	});
	unsubscribeJournal();
	await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
	return 0;
}
