/**
Training step entries held as packed records until their transaction is built, then encoded into RESP bulk strings
(`$len\r\n{"step":S,"value":V,"timestamp":T}\r\n` each), on the main thread or, for a big batch, in the encoding
worker (entry-encoder.ts). Formatting the numbers (`String(loss)` is a shortest round-trip conversion) and writing
the bytes was the writer's largest cost per training event in a burst (bench:ingest --only burst, CPU profile);
recording a step, a value and the timestamp's bytes costs a fraction of it.

A record is one kind byte, then:
- STEP_NUMBER_TIME: step f64, value f64, timestamp f64 (written as String(n));
- STEP_TEXT_TIME: step f64, value f64, a u32 length and the timestamp's bytes (printable ASCII without `"` or `\\`:
  the quoted JSON string is those bytes as they are);
- LITERAL: a u32 length and the whole entry's UTF-8 bytes (an entry whose timestamp needs escaping, or any other
  entry pushed to the same list: the order of a list's entries is the order pushed).

`encodeStepRecords` is self-contained (no import, no reference outside its body): the worker runs its source text
(Function.prototype.toString), so the bundle and the single-file builds need no second file. Its output is
byte-identical to `EncodedEntries.push(stepEntry(step, value, timestampJson(timestamp)))` (seed-entries.ts), the
reference it is tested against (test/unit/step-records.test.ts).
*/

/** Record kinds (encodeStepRecords writes them as the literals 0, 1 and 2: it may reference nothing outside itself). */
const STEP_NUMBER_TIME = 0;
const STEP_TEXT_TIME = 1;
const LITERAL = 2;

/**
The RESP bulk strings of the records in `records[0, length)`, in order, as a Uint8Array that owns its whole buffer
from offset 0 (so it can be transferred). Pure and self-contained: see the module comment.
*/
export function encodeStepRecords(records: Uint8Array, length: number): Uint8Array {
	// The helpers take the buffer and the offset and return the new offset: closures over a mutated `at` would keep it
	// in a context object instead of a register.
	const bytesOf = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
	const STEP_HEAD = bytesOf('{"step":');
	const VALUE_HEAD = bytesOf(',"value":');
	const TIME_HEAD = bytesOf(',"timestamp":');
	/** A non-negative safe integer: String(n) is its plain digits (-0 prints "0" too, but is kept out for clarity). */
	const isCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0 && !Object.is(n, -0);
	const countDigits = (n: number): number => {
		let count = 1;
		for (let bound = 10; n >= bound; bound *= 10) count += 1;
		return count;
	};
	const writeDigits = (buf: Uint8Array, at: number, n: number, count: number): number => {
		const end = at + count;
		for (let i = end - 1, rest = n; i >= at; i--, rest = Math.floor(rest / 10)) buf[i] = 48 + (rest % 10);
		return end;
	};
	const writeAscii = (buf: Uint8Array, at: number, text: string): number => {
		for (let k = 0; k < text.length; k++) buf[at++] = text.charCodeAt(k);
		return at;
	};
	const copy = (buf: Uint8Array, at: number, bytes: Uint8Array): number => {
		for (let k = 0; k < bytes.length; k++) buf[at++] = bytes[k]!;
		return at;
	};
	const view = new DataView(records.buffer, records.byteOffset, length);
	// About twice the records' size: a record's 17 bytes of numbers become up to 24 digits each, plus 48 of framing.
	let out = new Uint8Array(Math.max(256, length * 2 + 64));
	let at = 0;
	let read = 0;
	while (read < length) {
		const kind = records[read]!;
		read += 1;
		let entryBytes: number;
		let step = 0;
		let value = 0;
		let valueText = '';
		let time = 0;
		let textStart = 0;
		let timeBytes = 0;
		if (kind === 2) {
			entryBytes = view.getUint32(read, true);
			textStart = read + 4;
			read = textStart + entryBytes;
		} else {
			step = view.getFloat64(read, true);
			value = view.getFloat64(read + 8, true);
			read += 16;
			valueText = String(value);
			if (kind === 0) {
				time = view.getFloat64(read, true);
				read += 8;
				timeBytes = isCount(time) ? countDigits(time) : String(time).length;
			} else {
				timeBytes = view.getUint32(read, true) + 2;
				textStart = read + 4;
				read = textStart + timeBytes - 2;
			}
			// {"step":  ,"value":  ,"timestamp":  }; a value that is not finite is quoted.
			const stepBytes = isCount(step) ? countDigits(step) : String(step).length;
			entryBytes = 8 + stepBytes + 9 + valueText.length + (Number.isFinite(value) ? 0 : 2) + 13 + timeBytes + 1;
		}
		if (at + entryBytes + 16 > out.length) {
			const grown = new Uint8Array(Math.max(out.length * 2, at + entryBytes + 16));
			grown.set(out.subarray(0, at));
			out = grown;
		}
		out[at++] = 0x24;
		at = writeDigits(out, at, entryBytes, countDigits(entryBytes));
		out[at++] = 13;
		out[at++] = 10;
		if (kind === 2) {
			out.set(records.subarray(textStart, textStart + entryBytes), at);
			at += entryBytes;
		} else {
			at = copy(out, at, STEP_HEAD);
			at = isCount(step) ? writeDigits(out, at, step, countDigits(step)) : writeAscii(out, at, String(step));
			at = copy(out, at, VALUE_HEAD);
			const finite = Number.isFinite(value);
			if (!finite) out[at++] = 0x22;
			at = writeAscii(out, at, valueText);
			if (!finite) out[at++] = 0x22;
			at = copy(out, at, TIME_HEAD);
			if (kind === 0) at = isCount(time) ? writeDigits(out, at, time, countDigits(time)) : writeAscii(out, at, String(time));
			else {
				out[at++] = 0x22;
				for (let k = textStart, end = textStart + timeBytes - 2; k < end; k++) out[at++] = records[k]!;
				out[at++] = 0x22;
			}
			out[at++] = 0x7d;
		}
		out[at++] = 13;
		out[at++] = 10;
	}
	return out.subarray(0, at);
}

/**
A growable buffer of records (see the module comment). Its bytes come from Buffer.allocUnsafe (Node's pool while small,
never zero-filled): a zero-filled ArrayBuffer of its own for each list of each batch, grown by doubling, was a tenth
of the records' cost in a CPU profile. The worker gets a copy in an ArrayBuffer of its own (StepEntries.copyRecords).
*/
export class StepRecords {
	private bytes: Buffer;
	private view: DataView;
	/** Bytes used. */
	length = 0;

	constructor(firstBytes = 512) {
		this.bytes = Buffer.allocUnsafe(firstBytes);
		this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
	}

	/**
	A step entry; `timestamp` a number, or a string that is printable ASCII without `"` or `\\` (else false, nothing
	recorded: the caller records the escaped entry as a literal).
	*/
	pushStep(step: number, value: number, timestamp: string | number): boolean {
		if (typeof timestamp === 'number') {
			this.reserve(25);
			let at = this.length;
			this.bytes[at] = STEP_NUMBER_TIME;
			this.view.setFloat64(at + 1, step, true);
			this.view.setFloat64(at + 9, value, true);
			this.view.setFloat64(at + 17, timestamp, true);
			at += 25;
			this.length = at;
			return true;
		}
		this.reserve(21 + timestamp.length);
		const bytes = this.bytes;
		let at = this.length + 21;
		for (let k = 0; k < timestamp.length; k++) {
			const c = timestamp.charCodeAt(k);
			// Not committed (length unchanged): the caller escapes it.
			if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return false;
			bytes[at++] = c;
		}
		const start = this.length;
		bytes[start] = STEP_TEXT_TIME;
		this.view.setFloat64(start + 1, step, true);
		this.view.setFloat64(start + 9, value, true);
		this.view.setUint32(start + 17, timestamp.length, true);
		this.length = at;
		return true;
	}

	/** A whole entry, as it is (its UTF-8 bytes). */
	pushLiteral(text: string): void {
		const bytes = Buffer.byteLength(text);
		this.reserve(5 + bytes);
		this.bytes[this.length] = LITERAL;
		this.view.setUint32(this.length + 1, bytes, true);
		this.bytes.write(text, this.length + 5, bytes, 'utf8');
		this.length += 5 + bytes;
	}

	/** The records so far (a view: copy it, or encode it, before recording more). */
	records(): Uint8Array {
		return this.bytes.subarray(0, this.length);
	}

	/** Forget every record (the buffer is kept). */
	clear(): void {
		this.length = 0;
	}

	private reserve(bytes: number): void {
		if (this.length + bytes <= this.bytes.length) return;
		// Four times larger each time: a list of a burst's batch holds thousands of records.
		const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 4, this.length + bytes));
		grown.set(this.bytes.subarray(0, this.length));
		this.bytes = grown;
		this.view = new DataView(grown.buffer, grown.byteOffset, grown.length);
	}
}
