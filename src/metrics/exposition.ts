/**
The Prometheus exposition: a prom-client registry of mycotop's own (never prom-client's global default registry),
filled from a MetricsView on every scrape (families.ts, alert-series.ts), plus what only events can give:

- `mycotop_task_duration_seconds`, a histogram of the completions with a duration (bucket edges include the seed's
  SLA, 1800 s), and the completed and failed task counters: observed as each task event is stored (`observe`, an
  ingest listener), so they are cumulative and never count a completion twice (the history read back from Redis at
  start is not an event and is not counted: the counters start at 0 with the process, as Prometheus expects);
- `mycotop_metrics_scrape_errors_total`, the scrapes that failed (answered 500);
- prom-client's process and Node.js metrics (`process_*`, `nodejs_*`) unless turned off, less three gauges it names
  like counters.

prom-client escapes label values (backslash, double quote, line feed) and help texts.
*/
import {collectDefaultMetrics, Counter, Gauge, Histogram, Registry} from 'prom-client';
import {DONE_STATUSES, FAILED_STATUSES, type BusEvent} from '../contract/events.js';
import {SLA_SECONDS} from '../contract/names.js';
import {FAMILIES, type Family, type MetricsView} from './families.js';
import {alertSeries} from './alert-series.js';

/** Bucket edges of the task duration histogram, in seconds: up to a day, with the SLA (1800 s) an edge. */
export const TASK_DURATION_BUCKETS: readonly number[] = [1, 5, 15, 30, 60, 120, 300, 600, 900, 1200, SLA_SECONDS, 2700, 3600, 7200, 14_400, 28_800, 86_400];

const ALERTS_METRIC = 'ALERTS';

const ALERT_BASE_LABELS = ['alertname', 'alertstate', 'severity', 'host'];

const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export interface ExpositionOptions {
	/** prom-client's process_* and nodejs_* metrics (default on; off in unit tests, which compare whole outputs). */
	readonly processMetrics?: boolean;
}

type FamilyMetric = Gauge | Counter;

export class Exposition {
	readonly registry = new Registry();
	readonly contentType = this.registry.contentType;
	private readonly familyByName: ReadonlyMap<string, {readonly family: Family; readonly metric: FamilyMetric}>;
	private readonly durations: Histogram;
	private readonly completed: Counter;
	private readonly failed: Counter;
	private readonly scrapeErrors: Counter;
	private readonly alertsOmitted: Gauge;
	private alerts: Gauge | undefined;
	private alertLabelNames = '';

	constructor(options: ExpositionOptions = {}) {
		const registers = [this.registry];
		this.familyByName = new Map(
			FAMILIES.map((family) => {
				const config = {name: family.name, help: family.help, labelNames: [...family.labelNames], registers};
				return [family.name, {family, metric: family.type === 'counter' ? new Counter(config) : new Gauge(config)}] as const;
			}),
		);
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
			collectDefaultMetrics({register: this.registry});
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
	The text exposition of `view` (Prometheus text format 0.0.4, as prom-client's `registry.metrics()` writes it). Each
	metric is filled and written in a slice of its own, with the event loop free between slices: at the default caps
	(about 9,000 series) a scrape is some 40 slices of a few milliseconds each, never one long stall of the dashboard
	or of the inputs. A fill and its text are in one slice, so scrapes that overlap each read consistent metrics.
	*/
	async render(view: MetricsView): Promise<string> {
		this.fillAlerts(view);
		const parts: string[] = [];
		for (const {name} of this.registry.getMetricsAsArray()) {
			const family = this.familyByName.get(name);
			if (family !== undefined) this.fill(family.family, family.metric, view);
			parts.push(await this.registry.getSingleMetricAsString(name));
			await new Promise((resolve) => setImmediate(resolve));
		}
		return `${parts.join('\n\n')}\n`;
	}

	private fill(family: Family, metric: FamilyMetric, view: MetricsView): void {
		metric.reset();
		const samples = family.samples(view);
		// prom-client gives a metric without labels a 0 sample after reset: no figure is no sample, not 0.
		if (samples.length === 0 && family.labelNames.length === 0) metric.remove();
		for (const sample of samples) {
			if (metric instanceof Counter) metric.inc({...sample.labels}, sample.value);
			else metric.set({...sample.labels}, sample.value);
		}
	}

	/** ALERTS has the label names of whatever alerts exist: the gauge is made again when that set changes. */
	private fillAlerts(view: MetricsView): void {
		const {series, omitted} = alertSeries(view.snapshot.alerts, view.snapshot.host);
		// Never without label names: prom-client would then export an `ALERTS 0` sample when no alert is active.
		const names = [...new Set([...ALERT_BASE_LABELS, ...series.flatMap((labels) => Object.keys(labels))])].sort();
		const joined = names.join(',');
		if (this.alerts === undefined || joined !== this.alertLabelNames) {
			this.registry.removeSingleMetric(ALERTS_METRIC);
			this.alerts = new Gauge({name: ALERTS_METRIC, help: 'Alerts pending or firing, as Prometheus exports its own (value 1).', labelNames: names, registers: [this.registry]});
			this.alertLabelNames = joined;
		}
		this.alerts.reset();
		for (const labels of series) this.alerts.set({...labels}, 1);
		this.alertsOmitted.set(omitted);
	}
}
