/**
RESP encoding of one command into a single Buffer, for the writer's large batches.

ioredis encodes a command by concatenating `$len\r\narg\r\n` strings into one rope and writing it as UTF-8; for a
batch of thousands of list entries, flattening and encoding that rope is the biggest single cost of the write
path (bench:ingest). Here each argument's bytes go once, straight into a buffer sized up front.
*/

const DOLLAR = 0x24;
const STAR = 0x2a;
const CR = 13;
const LF = 10;

function writeCount(buf: Buffer, offset: number, n: number): number {
	if (n < 10) {
		buf[offset] = 0x30 + n;
		return offset + 1;
	}
	return offset + buf.write(String(n), offset, 'latin1');
}

/**
The RESP bytes of a command given as [name, ...arguments]: `*N\r\n` then `$len\r\npart\r\n` for each part. Numbers
are written as String(n): the form of the integers and plain decimals the writer sends (not of 1e21 and beyond).
*/
export function encodeCommand(command: readonly (string | number)[]): Buffer {
	const texts: string[] = new Array<string>(command.length);
	const lengths: number[] = new Array<number>(command.length);
	// A `$` line is at most 1 + 10 digits + CRLF, plus CRLF after the bytes: 15 bytes of framing per part.
	let size = 16;
	for (let i = 0; i < command.length; i++) {
		const part = command[i]!;
		const text = typeof part === 'string' ? part : String(part);
		texts[i] = text;
		const length = Buffer.byteLength(text);
		lengths[i] = length;
		size += length + 15;
	}
	const buf = Buffer.allocUnsafe(size);
	buf[0] = STAR;
	let offset = writeCount(buf, 1, texts.length);
	buf[offset++] = CR;
	buf[offset++] = LF;
	for (let i = 0; i < texts.length; i++) {
		buf[offset++] = DOLLAR;
		offset = writeCount(buf, offset, lengths[i]!);
		buf[offset++] = CR;
		buf[offset++] = LF;
		offset += buf.write(texts[i]!, offset, 'utf8');
		buf[offset++] = CR;
		buf[offset++] = LF;
	}
	return buf.subarray(0, offset);
}
