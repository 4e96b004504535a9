/**
A history series' name with what the writer keeps per series for its hot path: the series' samples in the batch
that took its last sample (rollup-batch.ts) and its step rollup while the writer holds it (step-rollups.ts). An
event's samples then reach their buckets without a Map lookup by name each; a cache that belongs to another batch,
or to a step rollup let go, is simply looked up again by name.
*/
import {type SeriesSamples} from './rollup-batch.js';
import {type StepSeries} from './step-rollups.js';

export class SeriesKey {
	/** Which batch `samples` belongs to (RollupBatch.seq). */
	batchSeq = -1;
	samples: SeriesSamples | undefined = undefined;
	/** The step rollup held for this series, valid while its `heldAs` matches the holder's generation. */
	steps: StepSeries | undefined = undefined;

	constructor(readonly name: string) {}

	toString(): string {
		return this.name;
	}
}
