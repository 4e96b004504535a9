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
	const view = new DataView(records.buffer, records.byteOffset, length);
	// About twice the records' size: a record's 17 bytes of numbers become up to 24 digits each, plus 48 of framing.
	let out = new Uint8Array(Math.max(256, length * 2 + 64));
	let at = 0;
	const ensure = (bytes: number): void => {
		if (at + bytes <= out.length) return;
		const grown = new Uint8Array(Math.max(out.length * 2, at + bytes));
		grown.set(out.subarray(0, at));
		out = grown;
	};
	const ascii = (text: string): void => {
		for (let k = 0; k < text.length; k++) out[at++] = text.charCodeAt(k);
	};
	/** How many characters String(n) has, for a non-negative safe integer (its digits); else its text's length. */
	const countLength = (n: number): number => {
		if (!(Number.isSafeInteger(n) && n >= 0 && !Object.is(n, -0))) return String(n).length;
		let length = 1;
		for (let bound = 10; n >= bound; bound *= 10) length += 1;
		return length;
	};
	/** String(n) written without making the string when n is a non-negative safe integer (a step, epoch ms, a length). */
	const digits = (n: number): void => {
		if (!(Number.isSafeInteger(n) && n >= 0 && !Object.is(n, -0))) {
			ascii(String(n));
			return;
		}
		const end = at + countLength(n);
		for (let i = end - 1, rest = n; i >= at; i--, rest = Math.floor(rest / 10)) out[i] = 48 + (rest % 10);
		at = end;
	};
	let read = 0;
	while (read < length) {
		const kind = records[read]!;
		read += 1;
		if (kind === 2) {
			const bytes = view.getUint32(read, true);
			read += 4;
			ensure(bytes + 16);
			out[at++] = 0x24;
			digits(bytes);
			out[at++] = 13;
			out[at++] = 10;
			out.set(records.subarray(read, read + bytes), at);
			at += bytes;
			read += bytes;
			out[at++] = 13;
			out[at++] = 10;
			continue;
		}
		const step = view.getFloat64(read, true);
		const value = view.getFloat64(read + 8, true);
		read += 16;
		const finite = Number.isFinite(value);
		const valueText = String(value);
		let time = 0;
		let timeStart = 0;
		let timeBytes = 0;
		if (kind === 0) {
			time = view.getFloat64(read, true);
			read += 8;
			timeBytes = countLength(time);
		} else {
			timeBytes = view.getUint32(read, true) + 2;
			timeStart = read + 4;
			read = timeStart + timeBytes - 2;
		}
		// {"step":  ,"value":  ,"timestamp":  }; a value that is not finite is quoted.
		const entryBytes = 8 + countLength(step) + 9 + valueText.length + (finite ? 0 : 2) + 13 + timeBytes + 1;
		ensure(entryBytes + 16);
		out[at++] = 0x24;
		digits(entryBytes);
		out[at++] = 13;
		out[at++] = 10;
		ascii('{"step":');
		digits(step);
		ascii(',"value":');
		if (!finite) out[at++] = 0x22;
		ascii(valueText);
		if (!finite) out[at++] = 0x22;
		ascii(',"timestamp":');
		if (kind === 0) digits(time);
		else {
			out[at++] = 0x22;
			for (let k = timeStart, end = timeStart + timeBytes - 2; k < end; k++) out[at++] = records[k]!;
			out[at++] = 0x22;
		}
		out[at++] = 0x7d;
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
