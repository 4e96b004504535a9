/**
RESP encoding of one command into a single Buffer, for the writer's large batches.

ioredis encodes a command by concatenating `$len\r\narg\r\n` strings into one rope and writing it as UTF-8; for a
batch of thousands of list entries, flattening and encoding that rope is the biggest single cost of the write
path (bench:ingest). Here each argument's bytes go once, straight into a buffer sized up front.

List entries are encoded the moment they are queued (EncodedEntries): a batch under load holds thousands of them
for tens of milliseconds, and held as JavaScript strings they survive the young-generation collections and get
copied by each one; held as bytes outside the heap, they cost the collector nothing. (Training entries are recorded
as packed numbers first and encoded when their transaction is built: writer/step-entries.ts, a subclass.)
*/

/**
Buffer's own string writers without `write()`'s argument juggling (a measurable cost once per list entry). They are
undocumented but present on every Node.js line since 0.x (20, 22 and 24 included); `write()` is the fallback.
*/
type StringWriter = (this: Buffer, text: string, offset: number, length: number) => number;
const proto = Buffer.prototype as unknown as {latin1Write?: StringWriter; utf8Write?: StringWriter};
const latin1Write: StringWriter = proto.latin1Write ?? function (this: Buffer, text, offset, length) {
	return this.write(text, offset, length, 'latin1');
};
const utf8Write: StringWriter = proto.utf8Write ?? function (this: Buffer, text, offset, length) {
	return this.write(text, offset, length, 'utf8');
};

/** Write `text` (whose UTF-8 length is `length`) at `offset`: a plain copy when it is ASCII (as its length tells). */
function writeText(buf: Buffer, text: string, offset: number, length: number): number {
	return length === text.length ? latin1Write.call(buf, text, offset, length) : utf8Write.call(buf, text, offset, length);
}

const DOLLAR = 0x24;
const STAR = 0x2a;
const CR = 13;
const LF = 10;

/** Write a non-negative integer's decimal digits at `offset`; returns the offset after them. No allocation. */
function writeCount(buf: Buffer, offset: number, n: number): number {
	// Lengths and most counts fit 31 bits: integer division then, not the double division and fmod above that.
	if (n <= 0x7fffffff) {
		const end = offset + countDigits(n);
		for (let i = end - 1, rest = n | 0; i >= offset; i--, rest = (rest / 10) | 0) buf[i] = 0x30 + (rest % 10);
		return end;
	}
	const digits = countDigits(n);
	for (let i = offset + digits - 1, rest = n; i >= offset; i--, rest = Math.floor(rest / 10)) buf[i] = 0x30 + (rest % 10);
	return offset + digits;
}

/** Write `text` (UTF-8 length `length`) as a RESP bulk string, `$len\r\ntext\r\n`, at `offset`; returns the offset after it. */
function writeBulk(buf: Buffer, offset: number, text: string, length: number): number {
	buf[offset++] = DOLLAR;
	offset = writeCount(buf, offset, length);
	buf[offset++] = CR;
	buf[offset++] = LF;
	offset += writeText(buf, text, offset, length);
	buf[offset++] = CR;
	buf[offset++] = LF;
	return offset;
}

/** `bytes` as a RESP bulk string at `offset`; returns the offset after it. */
function writeBytes(buf: Buffer, offset: number, bytes: Buffer): number {
	buf[offset++] = DOLLAR;
	offset = writeCount(buf, offset, bytes.length);
	buf[offset++] = CR;
	buf[offset++] = LF;
	offset += bytes.copy(buf, offset);
	buf[offset++] = CR;
	buf[offset++] = LF;
	return offset;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE_BRACE = 0x7d;
/** The step entry's fixed parts, as bytes (copied with a plain loop: a few bytes each). */
const STEP_HEAD = Buffer.from('{"step":', 'latin1');
const VALUE_HEAD = Buffer.from(',"value":', 'latin1');
const TIME_HEAD = Buffer.from(',"timestamp":', 'latin1');

/** A number whose `String(n)` is its plain decimal digits: a non-negative safe integer (not -0, which prints "0" too, but is kept out for clarity). */
const isCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0 && !Object.is(n, -0);

/** How many decimal digits `n` (a non-negative integer) has: comparisons, no division. */
function countDigits(n: number): number {
	let digits = 1;
	for (let bound = 10; n >= bound; bound *= 10) digits += 1;
	return digits;
}

/** Copy a few bytes to `offset`; returns the offset after them. */
function copyBytes(buf: Buffer, offset: number, bytes: Uint8Array): number {
	for (let k = 0; k < bytes.length; k++) buf[offset++] = bytes[k]!;
	return offset;
}

/** Write an ASCII text (a number's `String(n)`) at `offset`, one byte a code unit; returns the offset after it. */
function writeAscii(buf: Buffer, offset: number, text: string): number {
	for (let k = 0; k < text.length; k++) buf[offset++] = text.charCodeAt(k);
	return offset;
}

/**
Write `text` at `offset` when it is printable ASCII without `"` or `\\` (a JSON string's content as it is); returns the
offset after it, or -1 (bytes written past `offset` are then garbage the caller does not commit).
*/
function writePlainText(buf: Buffer, offset: number, text: string): number {
	for (let k = 0; k < text.length; k++) {
		const c = text.charCodeAt(k);
		if (c < 0x20 || c === QUOTE || c === BACKSLASH || c > 0x7e) return -1;
		buf[offset++] = c;
	}
	return offset;
}

/** List entries already encoded as RESP bulk strings (`$len\r\nentry\r\n` each), in the order pushed. */
export class EncodedEntries {
	/** Filled blocks, then the current one: a full block is never copied again. */
	private readonly blocks: Buffer[] = [];
	private block: Buffer;
	private used = 0;
	/** Bytes in the filled blocks. */
	private filled = 0;
	count = 0;

	constructor(firstBlockBytes = 256) {
		this.block = Buffer.allocUnsafe(firstBlockBytes);
	}

	/**
	Append one entry. `asciiLength`: the caller knows the text is ASCII (so its UTF-8 length is `text.length`), which
	spares measuring it: measuring an entry built by concatenation flattens it into one more string first.
	*/
	push(text: string, asciiLength?: number): void {
		const length = asciiLength ?? Buffer.byteLength(text);
		this.reserve(length + 15);
		this.used = writeBulk(this.block, this.used, text, length);
		this.count += 1;
	}

	/**
	Append the step list entry `{"step":S,"value":V,"timestamp":T}`, written straight into the block: the same bytes
	as `push(stepEntry(step, value, timestampJson(timestamp)))` (seed-entries.ts) without building the entry as a
	string and flattening it. S and V are `String(n)` (V quoted when not finite), T a number as `String(n)` or a string
	quoted. Returns false, having written nothing, when the timestamp string is not printable ASCII without `"` or
	`\\` (it would need escaping): the caller then pushes the escaped entry.
	*/
	pushStepEntry(step: number, value: number, timestamp: string | number): boolean {
		// Non-negative safe integers (steps, epoch-ms timestamps) are written as digits with no string made. Number
		// texts (always ASCII) are copied by a loop of charCodeAt: a call into Buffer's native writers costs more than
		// the copy of a few bytes (the runtime keeps String.prototype in V8's fast mode: string-prototype.ts).
		const stepText = isCount(step) ? undefined : String(step);
		const stepLength = stepText === undefined ? countDigits(step) : stepText.length;
		const finite = Number.isFinite(value);
		const valueText = String(value);
		const valueLength = finite ? valueText.length : valueText.length + 2;
		const timeIsString = typeof timestamp === 'string';
		const timeText = timeIsString ? timestamp : isCount(timestamp) ? undefined : String(timestamp);
		const timeLength = timeText === undefined ? countDigits(timestamp as number) : timeIsString ? timeText.length + 2 : timeText.length;
		const length = STEP_HEAD.length + stepLength + VALUE_HEAD.length + valueLength + TIME_HEAD.length + timeLength + 1;
		this.reserve(length + 15);
		const buf = this.block;
		let at = this.used;
		buf[at++] = DOLLAR;
		at = writeCount(buf, at, length);
		buf[at++] = CR;
		buf[at++] = LF;
		at = copyBytes(buf, at, STEP_HEAD);
		at = stepText === undefined ? writeCount(buf, at, step) : writeAscii(buf, at, stepText);
		at = copyBytes(buf, at, VALUE_HEAD);
		if (!finite) buf[at++] = QUOTE;
		at = writeAscii(buf, at, valueText);
		if (!finite) buf[at++] = QUOTE;
		at = copyBytes(buf, at, TIME_HEAD);
		if (timeText === undefined) at = writeCount(buf, at, timestamp as number);
		else if (!timeIsString) at = writeAscii(buf, at, timeText);
		else {
			buf[at++] = QUOTE;
			// Not committed (this.used unchanged) when the text is not printable ASCII without `"` or `\`: the caller escapes it.
			at = writePlainText(buf, at, timeText);
			if (at < 0) return false;
			buf[at++] = QUOTE;
		}
		buf[at++] = CLOSE_BRACE;
		buf[at++] = CR;
		buf[at++] = LF;
		this.used = at;
		this.count += 1;
		return true;
	}

	get byteLength(): number {
		return this.filled + this.used;
	}

	/**
	Append entries encoded elsewhere (whole RESP bulk strings, `count` already counted by the caller), after those
	pushed so far; `bytes` is kept, not copied.
	*/
	protected appendEncoded(bytes: Buffer): void {
		if (bytes.length === 0) return;
		if (this.used > 0) {
			this.blocks.push(this.block.subarray(0, this.used));
			this.filled += this.used;
			this.block = this.block.subarray(this.used);
			this.used = 0;
		}
		this.blocks.push(bytes);
		this.filled += bytes.length;
	}

	/** Copy the encoded entries into `target` at `offset`; returns the bytes copied. */
	copyTo(target: Buffer, offset: number): number {
		let at = offset;
		for (const block of this.blocks) at += block.copy(target, at);
		at += this.block.copy(target, at, 0, this.used);
		return at - offset;
	}

	/** The entries as strings again, in the order pushed (for the embedded key space). */
	texts(): string[] {
		const texts: string[] = [];
		for (const block of [...this.blocks, this.block.subarray(0, this.used)]) {
			let offset = 0;
			while (offset < block.length) {
				let length = 0;
				offset += 1; // $
				while (block[offset] !== CR) length = length * 10 + (block[offset++]! - 0x30);
				offset += 2;
				texts.push(block.toString('utf8', offset, offset + length));
				offset += length + 2;
			}
		}
		return texts;
	}

	private reserve(bytes: number): void {
		if (this.used + bytes <= this.block.length) return;
		if (this.used > 0) {
			this.blocks.push(this.block.subarray(0, this.used));
			this.filled += this.used;
		}
		// Blocks double up to 16 KB: a batch spread over many keys with a few entries each stays small.
		this.block = Buffer.allocUnsafe(Math.max(Math.min(16_384, this.block.length * 2), bytes));
		this.used = 0;
	}
}

export type CommandPart = string | number | EncodedEntries | Buffer;

/**
The RESP bytes of a command given as [name, ...arguments]: `*N\r\n` then `$len\r\npart\r\n` for each part
(EncodedEntries stand for their entries; a Buffer is one binary argument, copied as it is). Numbers are written as String(n): the form of the integers and plain
decimals the writer sends (not of 1e21 and beyond).
*/
export function encodeCommand(command: readonly CommandPart[]): Buffer {
	const texts: Array<string | EncodedEntries | Buffer> = new Array<string | EncodedEntries | Buffer>(command.length);
	const lengths: number[] = new Array<number>(command.length);
	// A `$` line is at most 1 + 10 digits + CRLF, plus CRLF after the bytes: 15 bytes of framing per part.
	let size = 16;
	let elements = 0;
	for (let i = 0; i < command.length; i++) {
		const part = command[i]!;
		if (part instanceof EncodedEntries) {
			texts[i] = part;
			lengths[i] = part.byteLength;
			size += part.byteLength;
			elements += part.count;
			continue;
		}
		if (Buffer.isBuffer(part)) {
			texts[i] = part;
			lengths[i] = part.length;
			size += part.length + 15;
			elements += 1;
			continue;
		}
		const text = typeof part === 'string' ? part : String(part);
		texts[i] = text;
		const length = Buffer.byteLength(text);
		lengths[i] = length;
		size += length + 15;
		elements += 1;
	}
	const buf = Buffer.allocUnsafe(size);
	buf[0] = STAR;
	let offset = writeCount(buf, 1, elements);
	buf[offset++] = CR;
	buf[offset++] = LF;
	for (let i = 0; i < texts.length; i++) {
		const text = texts[i]!;
		if (text instanceof EncodedEntries) offset += text.copyTo(buf, offset);
		else if (Buffer.isBuffer(text)) offset = writeBytes(buf, offset, text);
		else offset = writeBulk(buf, offset, text, lengths[i]!);
	}
	return buf.subarray(0, offset);
}
