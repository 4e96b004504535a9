/**
Pure parsing of `nvidia-smi dmon -s t` output: PCIe receive and transmit throughput per GPU, one line per GPU per
sample. The shape, as captured on an A100 (github.com/rpaut03l/TS-02-03, appendix A.4) and in other public
transcripts:

  # gpu   rxpci   txpci
  # Idx    MB/s    MB/s
      0      11       1
      1       3       4

Header lines start with `#` (dmon reprints them every so often); the first names the columns, so the parser
finds `gpu`, `rxpci` and `txpci` by name rather than by place. A value the GPU cannot give is `-` (older boards,
before Maxwell, have no PCIe counters); `N/A`-style sentinels are read as csv-parse.ts reads them. A line that
is not a sample (an Xid line, an error) is skipped with the reason.
*/
import {sanitizeText} from '../contract/sanitize.js';
import {parseReading, type Parsed} from './csv-parse.js';

/** The most a PCIe (or NVLink) link moves, MB/s: far beyond PCIe 6.0 x16 (~128 GB/s), so only garbage is refused. */
const THROUGHPUT_RANGE: readonly [number, number] = [0, 1_000_000];

export interface DmonColumns {
	readonly gpu: number;
	readonly rx: number;
	readonly tx: number;
}

export type DmonLine =
	| {readonly kind: 'header'; readonly columns?: DmonColumns}
	| {readonly kind: 'sample'; readonly index: number; readonly rxMBps: Parsed; readonly txMBps: Parsed}
	| {readonly kind: 'skip'; readonly reason: string};

/** The column order of the default `-s t` output, used until a header says otherwise. */
const DEFAULT_DMON_COLUMNS: DmonColumns = {gpu: 0, rx: 1, tx: 2};

/** A value as dmon prints it: a number in MB/s, `-` (or an en dash) for "not available", or a sentinel. */
export function parseThroughput(token: string): Parsed {
	const text = token.trim();
	if (text === '-' || text === '–' || text === '—') return {reason: 'not available'};
	return parseReading(text, THROUGHPUT_RANGE);
}

/** One line of dmon output, given the columns the last header named. Pure. */
export function parseDmonLine(line: string, columns: DmonColumns = DEFAULT_DMON_COLUMNS): DmonLine {
	const text = line.trim();
	if (text === '') return {kind: 'skip', reason: 'empty'};
	if (text.startsWith('#')) {
		const names = text.slice(1).trim().toLowerCase().split(/\s+/);
		const gpu = names.indexOf('gpu');
		const rx = names.indexOf('rxpci');
		const tx = names.indexOf('txpci');
		// The units line ("# Idx MB/s MB/s") names no column: keep the ones we have.
		return gpu >= 0 && rx >= 0 && tx >= 0 ? {kind: 'header', columns: {gpu, rx, tx}} : {kind: 'header'};
	}
	const tokens = text.split(/\s+/);
	const width = Math.max(columns.gpu, columns.rx, columns.tx) + 1;
	const index = Number(tokens[columns.gpu]);
	if (tokens.length < width || !/^\d{1,3}$/.test(tokens[columns.gpu] ?? '') || index > 63)
		return {kind: 'skip', reason: `not a dmon sample: "${sanitizeText(text, {maxLength: 60})}"`};
	return {kind: 'sample', index, rxMBps: parseThroughput(tokens[columns.rx]!), txMBps: parseThroughput(tokens[columns.tx]!)};
}

/** Parses a stream line by line, keeping the columns the latest header named. */
export class DmonParser {
	private columns: DmonColumns = DEFAULT_DMON_COLUMNS;
	/** A header naming rx and tx was seen: the output is PCIe throughput. */
	sawHeader = false;

	line(line: string): DmonLine {
		const parsed = parseDmonLine(line, this.columns);
		if (parsed.kind === 'header' && parsed.columns !== undefined) {
			this.columns = parsed.columns;
			this.sawHeader = true;
		}
		return parsed;
	}
}
