/**
The metrics part: the Prometheus endpoint as a runtime part, built by the composition root when `--metrics-listen`
(or the config's `metrics.listen`) asks for it. It starts after the other parts and stops first. Each scrape reads
the store and the parts' in-memory state (metrics-view.ts: no Redis call, no nvidia-smi call) and renders it.
Binding failures (a port in use) and failed scrapes are journal records (`{"type":"metrics",...}` lines in
--headless), never a crash; the endpoint's state (`endpoint()`: the bound address, or down and why) is also in the
header's connection summary (endpoint-state.ts, read by the runtime), for the TUI.
*/
import {type BusStatus} from '../bus/bus-manager.js';
import {type MycotopConfig} from '../config/config.js';
import {type Flags} from '../config/flags.js';
import {type IngestListeners} from '../ingest/ingest.js';
import {type GpuSnapshot} from '../gpu/gpu-snapshot.js';
import {journal} from '../journal.js';
import {type MetricsSourcePart} from '../parts.js';
import {type AlertsSnapshot} from '../rules/alert-snapshot.js';
import {type MetricsStore} from '../store/metrics-store.js';
import {type WriterStats} from '../writer/seed-writer.js';
import {packageVersion} from '../version.js';
import {Exposition} from './exposition.js';
import {bindFailureReason, type MetricsEndpointState} from './endpoint-state.js';
import {type MetricsView} from './families.js';
import {listenUrl, type ListenAddress} from './listen-address.js';
import {metricsAddressFrom} from './metrics-address.js';
import {MetricsServer} from './metrics-server.js';
import {readiness} from './readiness.js';
import {metricsSnapshot} from './metrics-view.js';

/** What the part reads of the runtime (read at each scrape: the GPU and rules parts are set after this part is built). */
export interface MetricsCore {
	readonly host: string;
	readonly store: MetricsStore;
	readonly bus: {status(): BusStatus};
	readonly writer: {readonly stats: WriterStats};
	readonly gpu: {readonly gpu: () => GpuSnapshot} | undefined;
	readonly rules: {readonly alerts: () => AlertsSnapshot} | undefined;
}

export interface MetricsPartOptions {
	readonly address: ListenAddress;
	readonly exposition: Exposition;
	/** The smoothed loss's EMA weight (ui.smoothing). */
	readonly smoothing: number;
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

export class MetricsPart implements MetricsSourcePart {
	private readonly server: MetricsServer;
	private readonly version = packageVersion();
	/** The address bound (the OS's port for port 0), once listening. */
	bound: ListenAddress | undefined;
	private state: MetricsEndpointState = {kind: 'starting'};

	constructor(
		private readonly core: MetricsCore,
		private readonly options: MetricsPartOptions,
	) {
		const {exposition} = options;
		this.server = new MetricsServer({
			metrics: () => exposition.render(this.view()),
			contentType: exposition.contentType,
			readiness: () => readiness(core.bus.status(), core.gpu?.gpu()),
			onScrapeError: (error) => {
				exposition.noteScrapeError();
				journal.record({type: 'metrics', scrapeError: message(error).slice(0, 200)});
			},
		});
	}

	/** What a scrape reads now. */
	view(now = Date.now()): MetricsView {
		const {core} = this;
		const snapshot = metricsSnapshot(
			{
				store: core.store,
				host: core.host,
				bus: () => core.bus.status(),
				writer: () => core.writer.stats,
				gpu: () => core.gpu?.gpu(),
				alerts: () => core.rules?.alerts(),
			},
			now,
		);
		return {snapshot, smoothing: this.options.smoothing, version: this.version};
	}

	async start(): Promise<void> {
		const {address} = this.options;
		try {
			this.bound = await this.server.listen(address);
			this.state = {kind: 'listening', bound: this.bound};
			journal.record({type: 'metrics', listening: `${listenUrl(this.bound)}/metrics`});
		} catch (error) {
			this.state = {kind: 'failed', address, reason: bindFailureReason(error)};
			journal.record({type: 'metrics', error: `cannot listen on ${listenUrl(address)}: ${message(error)}`});
		}
	}

	/** Where the endpoint listens, or why it does not. */
	endpoint = (): MetricsEndpointState => this.state;

	async stop(): Promise<void> {
		await this.server.close();
	}
}

/** The metrics part's pieces for the composition root: an ingest listener (task events) and the part itself. */
export interface MetricsSetup {
	/** `base` with the exposition's task observer added (the runtime's ingest listeners). */
	readonly listeners: (base: IngestListeners | undefined) => IngestListeners;
	readonly part: (core: MetricsCore) => MetricsPart;
}

/** The metrics setup when `--metrics-listen` or `metrics.listen` asks for the endpoint (the flag wins); else undefined. */
export function metricsSetupFrom(flags: Pick<Flags, 'metricsListen'>, config: Pick<MycotopConfig, 'metrics' | 'ui'>): MetricsSetup | undefined {
	const address = metricsAddressFrom(flags, config);
	if (address === undefined) return undefined;
	const exposition = new Exposition();
	return {
		listeners: (base) => ({
			...base,
			onStored: (event) => {
				base?.onStored?.(event);
				exposition.observe(event);
			},
		}),
		part: (core) => new MetricsPart(core, {address, exposition, smoothing: config.ui.smoothing ?? 0.6}),
	};
}
