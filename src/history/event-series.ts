/**
Which history samples an event makes (the series names of history-source.ts), as a pure function over a sink, so
the writer's hot path allocates nothing per event but the batch's buckets:

  training      training:{project}:loss (and :wer when sent), by time and by step; NaN/Inf counted, not dropped
  task done     tasks:throughput (1 per completion: a bucket's count and sum are its completions),
                tasks:sla (1 within the 30-minute SLA, else 0: a bucket's mean is its compliance, 0..1) and
                tasks:duration (seconds), the last two when the completion has a duration
  agent status  agent:{id}:load (its current task count)

GPU series (gpu:{host}:{index}:util|mem|temp|power) come from the GPU part's frames (gpu/gpu-part.ts).
*/
import {type BusEvent, DONE_STATUSES} from '../contract/events.js';
import {SLA_SECONDS} from '../contract/names.js';
import {seriesName} from './history-source.js';
import {SeriesKey} from './series-key.js';

/** Where samples go; a series is a SeriesKey (its name, `String(key)`, with the writer's per-series caches). */
export interface SampleSink {
	sample(series: SeriesKey, timeMs: number, value: number): void;
	stepSample(series: SeriesKey, step: number, value: number): void;
}

/** Series keys per project and per agent, built once (bounded: cleared past 10,000 ids); the task series are one each. */
export class SeriesNames {
	private readonly projects = new Map<string, {loss: SeriesKey; wer: SeriesKey}>();
	private readonly agents = new Map<string, SeriesKey>();
	readonly tasks = {
		throughput: new SeriesKey(seriesName('tasks', 'throughput')),
		sla: new SeriesKey(seriesName('tasks', 'sla')),
		duration: new SeriesKey(seriesName('tasks', 'duration')),
	} as const;

	training(projectId: string): {loss: SeriesKey; wer: SeriesKey} {
		let names = this.projects.get(projectId);
		if (names === undefined) {
			if (this.projects.size >= 10_000) this.projects.clear();
			names = {loss: new SeriesKey(seriesName('training', projectId, 'loss')), wer: new SeriesKey(seriesName('training', projectId, 'wer'))};
			this.projects.set(projectId, names);
		}
		return names;
	}

	agentLoad(agentType: string): SeriesKey {
		let name = this.agents.get(agentType);
		if (name === undefined) {
			if (this.agents.size >= 10_000) this.agents.clear();
			name = new SeriesKey(seriesName('agent', agentType, 'load'));
			this.agents.set(agentType, name);
		}
		return name;
	}
}

/** The event's samples, into `sink`. Events that make none (errors, alerts, workflow steps, unfinished tasks) add nothing. */
export function sampleEvent(event: BusEvent, names: SeriesNames, sink: SampleSink): void {
	switch (event.kind) {
		case 'training': {
			const series = names.training(event.projectId);
			sink.sample(series.loss, event.timeMs, event.loss);
			sink.stepSample(series.loss, event.step, event.loss);
			if (event.wer !== undefined) {
				sink.sample(series.wer, event.timeMs, event.wer);
				sink.stepSample(series.wer, event.step, event.wer);
			}
			return;
		}
		case 'task':
			if (!DONE_STATUSES.has(event.status)) return;
			sink.sample(names.tasks.throughput, event.timeMs, 1);
			if (event.durationSeconds !== undefined) {
				sink.sample(names.tasks.sla, event.timeMs, event.durationSeconds <= SLA_SECONDS ? 1 : 0);
				sink.sample(names.tasks.duration, event.timeMs, event.durationSeconds);
			}
			return;
		case 'agent':
			sink.sample(names.agentLoad(event.agentType), event.timeMs, event.taskCount);
			return;
		default:
			return;
	}
}
