/**
What the built-in rules share: a rule is a name, a channel (group) and a recommendation, written once, with a
`sound` variant and, where the seed's differs, a `seed` one. A variant is either data in the user rules' YAML format
(a plain threshold on a catalog series, compiled by threshold-rule.ts like the user's) or a detector in code (spike,
plateau, leak, burn rate, correlation, ...). Helpers for the detectors: per project (cached, stale after 5 min),
per GPU (stale or lost: nodata, said once here).
*/
import {type Severity} from '../alert-state.js';
import {type AlertGroup, type GpuInput, type Rule, type RuleContext, type RuleSample, type RuleVariant} from '../rule-types.js';
import {type PointSeries} from '../time-ring.js';
import {gpuLabels} from '../labels.js';
import {thresholdSpec, userRule} from '../threshold-rule.js';

export type Emit = (sample: RuleSample) => void;

/** What both variants of a built-in rule share. */
export interface RuleHead {
	readonly name: string;
	readonly group: AlertGroup;
	readonly recommendation?: string;
}

/** A variant written as code: a detector. */
export interface CodeVariant {
	readonly severity: Severity;
	readonly forMs?: number;
	readonly keepFiringForMs?: number;
	readonly description: string;
	/** Where the variants differ in recommendation (the SLA rule's), the variant's own. */
	readonly recommendation?: string;
	readonly evaluate: (ctx: RuleContext, emit: Emit) => void;
}

/**
A variant written as data, in the user rules' YAML format (series, condition, recovery, for, keep_firing_for,
severity, message, resolved_message, stale_after) plus `description`; name, channel and recommendation come from the rule's head.
*/
export interface DataVariant {
	readonly series: string;
	readonly condition: string;
	readonly recovery?: string | number;
	readonly for?: string;
	readonly keep_firing_for?: string;
	readonly severity: Severity;
	readonly message: string;
	/** What a resolved alert says (see UserRuleSpec.resolvedMessage); default `message`, or the forecast rules' own. */
	readonly resolved_message?: string;
	/** A duration, or `gpu`: alerting.staleAfter, and at once for a GPU that fell off the bus. */
	readonly stale_after?: string;
	readonly description: string;
	readonly recommendation?: string;
}

/** A built-in rule: the sound default and the seed's version when it differs. */
export interface BuiltinEntry {
	readonly sound: Rule;
	readonly seed?: Rule;
}

function isData(v: CodeVariant | DataVariant): v is DataVariant {
	return 'condition' in v;
}

/** One variant as a Rule. Data goes through the same compiler as the user's rules. */
function variantRule(head: RuleHead, variant: RuleVariant, v: CodeVariant | DataVariant): Rule {
	const recommendation = v.recommendation ?? head.recommendation;
	if (isData(v)) {
		const spec = thresholdSpec({alert: head.name, channel: head.group, ...v, ...(recommendation !== undefined ? {recommendation} : {}), variant});
		if (spec === undefined) throw new Error(`built-in rule ${head.name} (${variant}): not a valid rule entry`);
		return userRule(spec);
	}
	return {
		name: head.name,
		group: head.group,
		severity: v.severity,
		forMs: v.forMs ?? 0,
		keepFiringForMs: v.keepFiringForMs ?? 0,
		description: v.description,
		...(recommendation !== undefined ? {recommendation} : {}),
		evaluate: v.evaluate,
		variant,
	};
}

/** A built-in rule from its head and variants. */
export function builtin(head: RuleHead, sound: CodeVariant | DataVariant, seed?: CodeVariant | DataVariant): BuiltinEntry {
	return {sound: variantRule(head, 'sound', sound), ...(seed !== undefined ? {seed: variantRule(head, 'seed', seed)} : {})};
}

export const fmt = (v: number, digits = 2) => (Number.isFinite(v) ? Number(v.toFixed(digits)).toString() : String(v));

/** The newest `n` finite values of the last n + 16 (a few non-finite points do not shorten the window), oldest first. */
export function finiteTail(series: PointSeries, n: number): number[] {
	const raw = series.tailValues(n + 16);
	let allFinite = true;
	for (const v of raw) {
		if (!Number.isFinite(v)) {
			allFinite = false;
			break;
		}
	}
	// Trimmed in place: the training rules read up to 1,000 values per project per tick, and this was three copies.
	const kept = allFinite ? raw : raw.filter((v) => Number.isFinite(v));
	if (kept.length > n) {
		// A loop, not copyWithin: Array.prototype.copyWithin is a generic builtin, about seven times slower here.
		const drop = kept.length - n;
		for (let i = 0; i < n; i++) kept[i] = kept[i + drop]!;
		kept.length = n;
	}
	return kept;
}

function staleSample(labels: Record<string, string>): RuleSample {
	return {labels, breach: false, value: Number.NaN, message: 'no data', stale: true};
}

/**
A training series without a new point for this long is stale: it is not evaluated (a finished run is not an
incident, and no new alert starts on it), and an alert already firing on it goes to nodata instead of resolving.
*/
export const TRAINING_STALE_MS = 5 * 60_000;

/**
Per-project evaluation, cached per series: a training rule's result only changes when a point arrives, so an
unchanged series re-emits its last samples instead of recomputing windows of up to thousands of points.
*/
export function projectRule(body: (project: string, loss: PointSeries, emit: Emit, ctx: RuleContext) => void): (ctx: RuleContext, emit: Emit) => void {
	const cache = new WeakMap<PointSeries, {t: number; n: number; v: number; samples: RuleSample[]}>();
	return (ctx, emit) => {
		for (const p of ctx.input.projects) {
			const last = p.loss.lastTime();
			if (last === undefined) continue;
			if (ctx.input.nowMs - last > TRAINING_STALE_MS) {
				// Every training rule's instance is the project: the engine turns this into nodata for a live alert.
				emit(staleSample({project: p.id}));
				continue;
			}
			const n = p.loss.length;
			const v = p.loss.lastValue()!;
			const hit = cache.get(p.loss);
			if (hit !== undefined && hit.t === last && hit.n === n && Object.is(hit.v, v)) {
				for (const sample of hit.samples) emit(sample);
				continue;
			}
			const samples: RuleSample[] = [];
			body(p.id, p.loss, (sample) => samples.push(sample), ctx);
			cache.set(p.loss, {t: last, n, v, samples});
			for (const sample of samples) emit(sample);
		}
	};
}

function isStale(series: PointSeries, ctx: RuleContext): boolean {
	const last = series.lastTime();
	return last === undefined || ctx.input.nowMs - last > ctx.staleAfterMs;
}

/**
Per GPU with samples in the series the rule reads. A lost GPU, or one whose series has no fresh sample, gets the
stale sample (its alerts go to nodata) and `body` is not called.
*/
export function forGpus(ctx: RuleContext, emit: Emit, reads: (g: GpuInput) => PointSeries, body: (gpu: GpuInput, labels: Readonly<{gpu: string; uuid: string}>) => void): void {
	for (const g of ctx.input.gpus ?? []) {
		const series = reads(g);
		if (series.length === 0) continue;
		const labels = gpuLabels(g.index, g.id);
		if (g.lost || isStale(series, ctx)) emit(staleSample(labels));
		else body(g, labels);
	}
}
