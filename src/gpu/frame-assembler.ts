/**
Turns the stream of rows from `nvidia-smi -lms` into frames (one row per GPU per interval). A frame closes when it
holds a row for every GPU known so far, when the index sequence wraps (or a GPU repeats), or when the caller flushes
it after a quiet spell. So a lost GPU gives a frame with fewer rows instead of hanging the assembler.
*/
import {type ParsedGpuRow} from './csv-parse.js';

export class FrameAssembler {
	private rows: ParsedGpuRow[] = [];

	/** `expected`: how many GPUs a complete frame has (the GPUs seen so far). */
	constructor(private readonly expected: () => number) {}

	get pending(): number {
		return this.rows.length;
	}

	/** Add a row; returns the frames it completed (none, one, or the previous one and this one). */
	push(row: ParsedGpuRow): ParsedGpuRow[][] {
		const out: ParsedGpuRow[][] = [];
		const last = this.rows[this.rows.length - 1];
		if (last !== undefined && (row.index <= last.index || this.rows.some((r) => r.uuid === row.uuid))) {
			out.push(this.rows);
			this.rows = [];
		}
		this.rows.push(row);
		if (this.rows.length >= Math.max(1, this.expected())) {
			out.push(this.rows);
			this.rows = [];
		}
		return out;
	}

	/** Close a partial frame (after a quiet spell); undefined when nothing is pending. */
	flush(): ParsedGpuRow[] | undefined {
		if (this.rows.length === 0) return undefined;
		const frame = this.rows;
		this.rows = [];
		return frame;
	}

	reset(): void {
		this.rows = [];
	}
}

/** Splits stream chunks into lines; a runaway line without a newline is cut at `maxLine` characters. */
export class LineSplitter {
	private rest = '';

	constructor(private readonly maxLine = 65_536) {}

	/** Whether a line has begun and not ended yet. */
	get partial(): boolean {
		return this.rest !== '';
	}

	push(chunk: string): string[] {
		const text = this.rest + chunk;
		const lines = text.split('\n');
		this.rest = lines.pop() ?? '';
		if (this.rest.length > this.maxLine) this.rest = '';
		return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
	}

	end(): string[] {
		const rest = this.rest;
		this.rest = '';
		return rest === '' ? [] : [rest];
	}
}
