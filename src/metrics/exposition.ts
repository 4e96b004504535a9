/**
The Prometheus exposition: a prom-client registry of mycotop's own (never prom-client's global default registry),
filled from a MetricsView on every scrape (families.ts, alert-series.ts), plus what only events can give:

- `mycotop_task_duration_seconds`, a histogram of the completions with a duration (bucket edges include the seed's
  SLA, 1800 s), and the completed and failed task counters: observed as each task event is stored (`observe`, an
  ingest listener), so they are cumulative and never count a completion twice (the history read back from Redis at
  start is not an event and is not counted: the counters start at 0 with the process, as Prometheus expects);
- `mycotop_metrics_scrape_errors_total`, the scrapes that failed (answered 500);
- prom-client's process and Node.js metrics (`process_*`, `nodejs_*`) unless turned off, less three gauges it names
  like counters, and less its event-loop-lag monitor (below).

The families mycotop fills from the view (families.ts) and ALERTS are written by text-format.ts, not prom-client: its
series identity joins labels as `name:value,` text, so crafted values could merge two label sets, and it spells NaN
`Nan`. prom-client's own text (the histogram, the counters, the process metrics) gets `NaN` spelt right too.

prom-client's event-loop-lag collector starts `monitorEventLoopDelay` at 10 ms resolution, which wakes the main thread
about 100 times a second whether or not anyone scrapes: an idle mycotop wakes about once a second (periodic.ts). Its
default collectors are registered one by one without it, and `nodejs_eventloop_lag_seconds` is measured at each
scrape instead (the delay of a setImmediate then, as prom-client measures it): no wake-up without a scrape.
*/
import {Counter, Gauge, Histogram, Registry} from 'prom-client';
import gc from 'prom-client/lib/metrics/gc.js';
import heapSizeAndUsed from 'prom-client/lib/metrics/heapSizeAndUsed.js';
import heapSpacesSizeAndUsed from 'prom-client/lib/metrics/heapSpacesSizeAndUsed.js';
import osMemoryHeap from 'prom-client/lib/metrics/osMemoryHeap.js';
import processCpuTotal from 'prom-client/lib/metrics/processCpuTotal.js';
import processHandles from 'prom-client/lib/metrics/processHandles.js';
import processMaxFileDescriptors from 'prom-client/lib/metrics/processMaxFileDescriptors.js';
import processOpenFileDescriptors from 'prom-client/lib/metrics/processOpenFileDescriptors.js';
import processRequests from 'prom-client/lib/metrics/processRequests.js';
import processResources from 'prom-client/lib/metrics/processResources.js';
import processStartTime from 'prom-client/lib/metrics/processStartTime.js';
import version from 'prom-client/lib/metrics/version.js';
import {DONE_STATUSES, FAILED_STATUSES, type BusEvent} from '../contract/events.js';
import {SLA_SECONDS} from '../contract/names.js';
import {FAMILIES, type MetricsView} from './families.js';
import {alertSeries} from './alert-series.js';
import {fixNanSpelling, formatFamily} from './text-format.js';

/** Bucket edges of the task duration histogram, in seconds: up to a day, with the SLA (1800 s) an edge. */
export const TASK_DURATION_BUCKETS: readonly number[] = [1, 5, 15, 30, 60, 120, 300, 600, 900, 1200, SLA_SECONDS, 2700, 3600, 7200, 14_400, 28_800, 86_400];

const ALERTS_METRIC = 'ALERTS';
const ALERTS_HELP = 'Alerts pending or firing, as Prometheus exports its own (value 1).';

/** prom-client's default collectors (collectDefaultMetrics's list, 15.1.3) less eventLoopLag. */
const DEFAULT_COLLECTORS = [processCpuTotal, processStartTime, osMemoryHeap, processOpenFileDescriptors, processMaxFileDescriptors, processResources, processHandles, processRequests, heapSizeAndUsed, heapSpacesSizeAndUsed, version, gc];

const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export interface ExpositionOptions {
	/** prom-client's process_* and nodejs_* metrics (default on; off in unit tests, which compare whole outputs). */
	readonly processMetrics?: boolean;
}

/** The event loop's delay now: until a setImmediate runs (prom-client's own measure, taken at the scrape). */
function eventLoopLagSeconds(): Promise<number> {
	const start = process.hrtime.bigint();
	return new Promise((resolve) => setImmediate(() => resolve(Number(process.hrtime.bigint() - start) / 1e9)));
}

export class Exposition {
	/** prom-client's metrics: the task histogram and counters, the scrape errors, the process and Node.js metrics. */
	readonly registry = new Registry();
	readonly contentType = this.registry.contentType;
	private readonly durations: Histogram;
	private readonly completed: Counter;
	private readonly failed: Counter;
	private readonly scrapeErrors: Counter;
	private readonly alertsOmitted: Gauge;

	constructor(options: ExpositionOptions = {}) {
		const registers = [this.registry];
		this.durations = new Histogram({
			name: 'mycotop_task_duration_seconds',
			help: 'Durations of the completed tasks that reported one (duration_seconds), since mycotop started.',
			buckets: [...TASK_DURATION_BUCKETS],
			registers,
		});
		this.completed = new Counter({name: 'mycotop_tasks_completed_total', help: 'Task completions received since mycotop started (with or without a duration).', registers});
		this.failed = new Counter({name: 'mycotop_tasks_failed_total', help: 'Tasks reported failed since mycotop started.', registers});
		this.scrapeErrors = new Counter({name: 'mycotop_metrics_scrape_errors_total', help: 'Scrapes of /metrics that failed (answered 500).', registers});
		this.alertsOmitted = new Gauge({name: 'mycotop_alerts_series_omitted', help: 'Pending or firing alerts left out of ALERTS by its series limit.', registers});
		if (options.processMetrics ?? true) {
			for (const collect of DEFAULT_COLLECTORS) collect(this.registry, {});
			new Gauge({
				name: 'nodejs_eventloop_lag_seconds',
				help: 'Lag of event loop in seconds (the delay of a setImmediate at the scrape).',
				registers,
				async collect() {
					this.set(await eventLoopLagSeconds());
				},
			});
			// prom-client names three gauges `_total`, which Prometheus keeps for counters (promtool check metrics refuses
			// them); the same figures stay exported without the suffix (nodejs_active_handles, ...).
			for (const name of MISNAMED_DEFAULT_GAUGES) this.registry.removeSingleMetric(name);
		}
	}

	/** An ingest listener: count a stored task event, and observe its duration. Never throws. */
	observe = (event: BusEvent): void => {
		if (event.kind !== 'task') return;
		if (DONE_STATUSES.has(event.status)) {
			this.completed.inc();
			const d = event.durationSeconds;
			if (d !== undefined && Number.isFinite(d) && d >= 0) this.durations.observe(d);
		} else if (FAILED_STATUSES.has(event.status)) this.failed.inc();
	};

	noteScrapeError(): void {
		this.scrapeErrors.inc();
	}

	/**
	The text exposition of `view` (Prometheus text format 0.0.4). Each metric is read and written in a slice of its own,
	with the event loop free between slices: at the default caps (about 9,000 series) a scrape is some 40 slices of a
	few milliseconds each, never one long stall of the dashboard or of the inputs.
	*/
	async render(view: MetricsView): Promise<string> {
		const parts: string[] = [];
		for (const family of FAMILIES) {
			parts.push(formatFamily(family.name, family.type, family.help, family.samples(view)));
			await new Promise((resolve) => setImmediate(resolve));
		}
		const {series, omitted} = alertSeries(view.snapshot.alerts, view.snapshot.host);
		parts.push(formatFamily(ALERTS_METRIC, 'gauge', ALERTS_HELP, series.map((labels) => ({labels, value: 1}))));
		this.alertsOmitted.set(omitted);
		for (const {name} of this.registry.getMetricsAsArray()) {
			parts.push(fixNanSpelling(await this.registry.getSingleMetricAsString(name)));
			await new Promise((resolve) => setImmediate(resolve));
		}
		return `${parts.join('\n\n')}\n`;
	}
}
