/**
Prometheus text format 0.0.4, written out for the families mycotop fills itself (families.ts, ALERTS). Pure.

prom-client is not used for these: it keys a series by its labels joined as `name:value,` text, so a value holding
`,name:` could make two distinct label sets one series (an external alert's crafted labels merged with another's),
and it writes NaN as `Nan`. Here a series is keyed by its labels as JSON (no value can forge another set), and values
are spelt as the format and Prometheus spell them: `NaN`, `+Inf`, `-Inf`.
*/
import {type SampleLabels} from './families.js';

export interface TextSample {
	readonly labels: SampleLabels;
	readonly value: number;
}

/** A sample value as the text format writes it. */
function formatValue(value: number): string {
	if (Number.isNaN(value)) return 'NaN';
	if (value === Number.POSITIVE_INFINITY) return '+Inf';
	if (value === Number.NEGATIVE_INFINITY) return '-Inf';
	return String(value);
}

/** A label value escaped: backslash, double quote, line feed. */
function escapeLabelValue(value: string): string {
	return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A help text escaped: backslash, line feed. */
function escapeHelp(help: string): string {
	return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/**
Post-processing for text written by prom-client (process, Node.js and histogram metrics): its `Nan` becomes `NaN` on
sample lines (a sample line ends in its value; a label value cannot end one, being quoted and its line feeds escaped).
*/
export function fixNanSpelling(text: string): string {
	return text.replace(/^([^#\n][^\n]*) Nan$/gm, '$1 NaN');
}

/** The identity of a label set: the same names and values, whatever the order. */
function seriesKey(labels: SampleLabels): string {
	return JSON.stringify(Object.keys(labels).sort().map((name) => [name, labels[name]]));
}

/**
One metric family: `# HELP`, `# TYPE` and a line per distinct label set (no line break at the end). Samples with the
same label set are one series, as in prom-client: a counter's add up, a gauge's last one wins.
*/
export function formatFamily(name: string, type: 'gauge' | 'counter', help: string, samples: readonly TextSample[]): string {
	const series = new Map<string, TextSample>();
	for (const sample of samples) {
		const key = seriesKey(sample.labels);
		const seen = series.get(key);
		series.set(key, type === 'counter' && seen !== undefined ? {labels: sample.labels, value: seen.value + sample.value} : sample);
	}
	const lines = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`];
	for (const {labels, value} of series.values()) {
		const pairs = Object.entries(labels).map(([label, v]) => `${label}="${escapeLabelValue(v)}"`);
		lines.push(`${name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${formatValue(value)}`);
	}
	return lines.join('\n');
}
