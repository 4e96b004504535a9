/**
A reader of the Prometheus text format (0.0.4) for the tests: samples with their labels unescaped, as Prometheus's
own parser reads them (`\\`, `\"`, `\n` in label values). Written from the format's description, independently of
prom-client, so a wrong escape in the exposition shows as a wrong value here.
*/
export interface ParsedSample {
	readonly name: string;
	readonly labels: Record<string, string>;
	readonly value: number;
}

export interface ParsedExposition {
	readonly samples: ParsedSample[];
	/** # TYPE lines: metric family name -> type. */
	readonly types: Map<string, string>;
	readonly helps: Map<string, string>;
}

function parseValue(text: string): number {
	if (/^[+-]?inf$/i.test(text)) return text.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
	if (/^nan$/i.test(text)) return Number.NaN;
	const v = Number(text);
	if (text === '' || Number.isNaN(v)) throw new Error(`bad sample value ${JSON.stringify(text)}`);
	return v;
}

export function parseExposition(text: string): ParsedExposition {
	const samples: ParsedSample[] = [];
	const types = new Map<string, string>();
	const helps = new Map<string, string>();
	for (const line of text.split('\n')) {
		if (line === '') continue;
		const meta = /^# (TYPE|HELP) (\S+) ?(.*)$/.exec(line);
		if (meta !== null) {
			(meta[1] === 'TYPE' ? types : helps).set(meta[2]!, meta[3]!);
			continue;
		}
		if (line.startsWith('#')) continue;
		let i = 0;
		while (i < line.length && /[a-zA-Z0-9_:]/.test(line[i]!)) i++;
		const name = line.slice(0, i);
		const labels: Record<string, string> = {};
		if (line[i] === '{') {
			i++;
			while (line[i] !== '}') {
				const start = i;
				while (line[i] !== '=') i++;
				const label = line.slice(start, i);
				i++;
				if (line[i] !== '"') throw new Error(`expected a quote in ${line}`);
				i++;
				let value = '';
				while (line[i] !== '"') {
					if (i >= line.length) throw new Error(`unterminated label value in ${line}`);
					if (line[i] === '\\') {
						const next = line[i + 1];
						if (next === 'n') value += '\n';
						else if (next === '\\' || next === '"') value += next;
						else throw new Error(`bad escape \\${next} in ${line}`);
						i += 2;
					} else value += line[i++];
				}
				i++;
				labels[label] = value;
				if (line[i] === ',') i++;
			}
			i++;
		}
		samples.push({name, labels, value: parseValue(line.slice(i).trim().split(' ')[0]!)});
	}
	return {samples, types, helps};
}

/** The samples of one metric whose labels include `match`. */
export function samplesOf(parsed: ParsedExposition, name: string, match: Record<string, string> = {}): ParsedSample[] {
	return parsed.samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

/** The single value of one metric with labels including `match` (throws unless exactly one sample matches). */
export function valueOf(parsed: ParsedExposition, name: string, match: Record<string, string> = {}): number {
	const found = samplesOf(parsed, name, match);
	if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(match)}`);
	return found[0]!.value;
}
