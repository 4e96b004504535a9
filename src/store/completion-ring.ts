/**
The store's task completions: a ring of the newest (10,000 by default) that also keeps their times and durations as
columns and their finite durations in ascending order as they come and go, so the last hour's figures
(`taskAggregates`) need neither a copy nor a sort each time they are read (the rules, the snapshot and the writer's
aggregates each read them every second).
*/
import {type Completion, type SortedCompletionColumns, taskAggregatesOfColumns, type TaskAggregates} from '../analysis/task-aggregates.js';
import {SortedDurations} from '../analysis/sorted-durations.js';
import {ObjectRing} from './ring-buffer.js';

export class CompletionRing extends ObjectRing<Completion> {
	private readonly kept = new SortedDurations();
	/** Times and durations by slot: the Nth completion pushed is in slot N % capacity, as in the ring. */
	private times = new Float64Array(64);
	private durations = new Float64Array(64);
	private pushed = 0;

	override push(item: Completion): Completion | undefined {
		const evicted = super.push(item);
		if (evicted !== undefined && Number.isFinite(evicted.durationSeconds)) this.kept.remove(evicted.durationSeconds);
		if (Number.isFinite(item.durationSeconds)) this.kept.add(item.durationSeconds);
		const slot = this.pushed % this.capacity;
		if (slot >= this.times.length) {
			const size = Math.min(this.capacity, this.times.length * 2);
			const times = new Float64Array(size);
			const durations = new Float64Array(size);
			times.set(this.times);
			durations.set(this.durations);
			this.times = times;
			this.durations = durations;
		}
		this.times[slot] = item.timeMs;
		this.durations[slot] = item.durationSeconds;
		this.pushed += 1;
		return evicted;
	}

	/** The columns the figures are computed from (views: valid until the next push). */
	columns(): SortedCompletionColumns {
		return {times: this.times, durations: this.durations, length: this.length, sorted: this.kept.sorted()};
	}

	/** The finite durations of the completions stamped after `afterMs`, newest first (the tasks pane's histogram). */
	timedDurationsAfter(afterMs: number): number[] {
		const out: number[] = [];
		for (let i = 1; i <= this.length; i++) {
			const slot = (this.pushed - i) % this.capacity;
			const d = this.durations[slot]!;
			if (this.times[slot]! > afterMs && Number.isFinite(d)) out.push(d);
		}
		return out;
	}

	/**
	The last hour's figures over every completion kept, as `taskAggregates(this.toArray(), now, slaSeconds)` gives them;
	`timedOnly`: completions without a duration are not counted (the rules' input).
	*/
	aggregates(now: number, slaSeconds?: number, timedOnly = false): TaskAggregates {
		return taskAggregatesOfColumns(this.columns(), now, slaSeconds, timedOnly);
	}
}
