/**
The subscriber's fast path for pub/sub messages.

ioredis decodes every frame through its general RESP3 decoder into an array of Buffers, then strings, then an
event: at tens of thousands of messages a second that is most of the subscriber's cost (bench:ingest). This
module sits in front of that decoder on the subscriber's socket:

- a `message` frame (RESP3 push `>3` or RESP2 array `*3`) is decoded here, straight from the socket's bytes, into
  (channel, payload) strings and handed to the handler;
- every other frame (HELLO/AUTH replies, subscribe confirmations, PING replies, errors) is handed to ioredis's
  decoder unchanged and whole, so its command queue, resubscribe, timeouts and error handling work as before;
- anything it does not understand (an unknown type byte, a malformed length) switches the fast path off for the
  rest of that connection and hands all bytes to ioredis from that frame on, so nothing is lost or reordered.

The frame functions are pure and take (buffer, position); the class holds the bytes of a frame split across
socket chunks.
*/

const CR = 13;
const LF = 10;
/** What follows the type byte of a message frame: three elements, the first `$7\r\nmessage\r\n`. */
const MESSAGE_PREFIX = Buffer.from('3\r\n$7\r\nmessage\r\n', 'latin1');

/** The frame is not complete in the buffer: wait for more bytes. */
export const INCOMPLETE = -1;
/** The bytes are not a frame this scanner understands. */
export const UNSUPPORTED = -2;

/** readLength's answers that are not a length (outside the ±2^31 a length may have). */
const LINE_INCOMPLETE = -(2 ** 40);
const LINE_BAD = -(2 ** 41);

/** Where a length line ends (after its CRLF); set by readLength (a module variable: no allocation per call). */
let lineEnd = 0;

/**
After frameEnd answered INCOMPLETE: a position the buffer must reach before the frame can be complete (the end of
a blob whose length is known), or 0 when nothing is known. Lets a large frame wait without being rescanned.
*/
let incompleteAt = 0;

/**
The signed integer of a RESP header line whose digits start at `pos` (after the type byte), ending in CRLF.
Sets `lineEnd` to the position after the CRLF. Returns LINE_INCOMPLETE when the line is not complete yet and
LINE_BAD when it is not a number (lengths above 2^31 are refused too).
*/
function readLength(buf: Uint8Array, pos: number, end: number): number {
	let i = pos;
	let negative = false;
	if (i < end && buf[i] === 0x2d) {
		negative = true;
		i += 1;
	}
	let n = 0;
	const first = i;
	while (i < end) {
		const c = buf[i]!;
		if (c === CR) break;
		if (c < 0x30 || c > 0x39 || i - first >= 10) return LINE_BAD;
		n = n * 10 + (c - 0x30);
		i += 1;
	}
	if (i + 1 >= end) return LINE_INCOMPLETE;
	if (i === first || buf[i + 1] !== LF || n > 0x7fffffff) return LINE_BAD;
	lineEnd = i + 2;
	return negative ? -n : n;
}

/** Position after the CRLF of a simple line (`+OK`, `-ERR ...`, `:1`, ...) starting at `pos`; INCOMPLETE if none yet. */
function simpleLineEnd(buf: Uint8Array, pos: number, end: number): number {
	for (let i = pos; i + 1 < end; i++) if (buf[i] === CR) return buf[i + 1] === LF ? i + 2 : UNSUPPORTED;
	return INCOMPLETE;
}

/**
The end (exclusive) of the RESP2/RESP3 frame that starts at `pos`, INCOMPLETE when more bytes are needed, or
UNSUPPORTED for bytes that are not a frame (streamed strings `$?` included: Redis does not send them).
*/
export function frameEnd(buf: Uint8Array, pos: number, end: number, depth = 0): number {
	if (depth === 0) incompleteAt = 0;
	if (pos >= end) return INCOMPLETE;
	if (depth > 8) return UNSUPPORTED;
	switch (buf[pos]) {
		case 0x2b: // + simple string
		case 0x2d: // - simple error
		case 0x3a: // : integer
		case 0x5f: // _ null
		case 0x2c: // , double
		case 0x23: // # boolean
		case 0x28: // ( big number
			return simpleLineEnd(buf, pos + 1, end);
		case 0x24: // $ blob string
		case 0x21: // ! blob error
		case 0x3d: {
			// = verbatim string
			const length = readLength(buf, pos + 1, end);
			if (length === LINE_INCOMPLETE) return INCOMPLETE;
			if (length < -1) return UNSUPPORTED;
			if (length === -1) return lineEnd; // RESP2 null bulk string
			const after = lineEnd + length + 2;
			if (after > end) {
				incompleteAt = after;
				return INCOMPLETE;
			}
			return buf[after - 2] === CR && buf[after - 1] === LF ? after : UNSUPPORTED;
		}
		case 0x2a: // * array
		case 0x3e: // > push
		case 0x7e: // ~ set
		case 0x25: // % map
		case 0x7c: {
			// | attribute (its own frame here: the reply it annotates follows it)
			let count = readLength(buf, pos + 1, end);
			if (count === LINE_INCOMPLETE) return INCOMPLETE;
			if (count < -1) return UNSUPPORTED;
			if (count === -1) return lineEnd; // RESP2 null array
			if (buf[pos] === 0x25 || buf[pos] === 0x7c) count *= 2;
			let at = lineEnd;
			for (let k = 0; k < count; k++) {
				at = frameEnd(buf, at, end, depth + 1);
				if (at < 0) return at;
			}
			return at;
		}
		default:
			return UNSUPPORTED;
	}
}

/** A decoded message frame's parts; positions into the buffer it was read from. */
export interface MessageFrame {
	channelStart: number;
	channelEnd: number;
	payloadStart: number;
	payloadEnd: number;
	/** End of the whole frame (exclusive). */
	end: number;
}

/** Reused by matchMessage: one frame's positions, read at once by the caller. */
const frame: MessageFrame = {channelStart: 0, channelEnd: 0, payloadStart: 0, payloadEnd: 0, end: 0};

/**
Read a `message` frame at `pos`: `>3` or `*3`, then `$7 message`, `$n channel`, `$m payload`. Returns the frame
(a shared object: read it before the next call), INCOMPLETE with `needed` set to the whole frame's length once
its headers are in, or null when the frame at `pos` is something else (or malformed: the general scanner decides).
`arrays: false` leaves `*3` arrays alone: under RESP3 messages only come as push frames, and an array is a reply.
*/
export function matchMessage(buf: Uint8Array, pos: number, end: number, needed: {bytes: number}, arrays = true): MessageFrame | typeof INCOMPLETE | null {
	needed.bytes = 0;
	const head = buf[pos];
	if (head !== 0x3e && (head !== 0x2a || !arrays)) return null;
	// `3\r\n` then `$7\r\nmessage\r\n`: a mismatch in the bytes present says "not a message"; running out says "wait".
	for (let k = 0; k < MESSAGE_PREFIX.length; k++) {
		if (pos + 1 + k >= end) return INCOMPLETE;
		if (buf[pos + 1 + k] !== MESSAGE_PREFIX[k]) return null;
	}
	let at = pos + 1 + MESSAGE_PREFIX.length;
	if (at >= end) return INCOMPLETE;
	if (buf[at] !== 0x24) return null;
	const channelLength = readLength(buf, at + 1, end);
	if (channelLength === LINE_INCOMPLETE) return INCOMPLETE;
	if (channelLength < 0) return null;
	const channelStart = lineEnd;
	const channelEnd = channelStart + channelLength;
	at = channelEnd + 2;
	if (at >= end) return INCOMPLETE;
	if (buf[channelEnd] !== CR || buf[channelEnd + 1] !== LF || buf[at] !== 0x24) return null;
	const payloadLength = readLength(buf, at + 1, end);
	if (payloadLength === LINE_INCOMPLETE) return INCOMPLETE;
	if (payloadLength < 0) return null;
	const payloadStart = lineEnd;
	const payloadEnd = payloadStart + payloadLength;
	if (payloadEnd + 2 > end) {
		needed.bytes = payloadEnd + 2 - pos;
		return INCOMPLETE;
	}
	if (buf[payloadEnd] !== CR || buf[payloadEnd + 1] !== LF) return null;
	frame.channelStart = channelStart;
	frame.channelEnd = channelEnd;
	frame.payloadStart = payloadStart;
	frame.payloadEnd = payloadEnd;
	frame.end = payloadEnd + 2;
	return frame;
}

export type RawListener = (chunk: Buffer) => void;

export interface FastPathStats {
	/** Messages decoded by the fast path. */
	messages: number;
	/** Frames handed to ioredis's decoder. */
	passedThrough: number;
	/** Set when the fast path met bytes it does not understand and handed the rest of the connection to ioredis. */
	disabled: boolean;
}

/**
One connection's fast path. `onData` replaces ioredis's socket listener; `passThrough` is that listener (ioredis's
decoder), given whole frames only.
*/
export class PubSubFastPath {
	private held: Buffer[] = [];
	private heldBytes = 0;
	/** Bytes the held frame needs before it is worth scanning again (0: unknown, scan on every chunk). */
	private neededBytes = 0;
	/** Whether neededBytes is the held frame's exact length (a message) or only a lower bound (a long blob). */
	private neededExact = false;
	private readonly needed = {bytes: 0};
	private readonly channelNames: Array<{bytes: Buffer; name: string}>;
	readonly stats: FastPathStats = {messages: 0, passedThrough: 0, disabled: false};

	constructor(
		private readonly onMessage: (channel: string, message: string) => void,
		private readonly passThrough: RawListener,
		channels: readonly string[],
		/** Whether `*3 message ...` arrays are messages (RESP2) or replies (RESP3, where messages are push frames). */
		private readonly arrayMessages: () => boolean = () => true,
		/** Where a throwing handler's error goes: by default rethrown on the next tick, as ioredis does. */
		private readonly onHandlerError: (error: unknown) => void = (error) =>
			process.nextTick(() => {
				throw error;
			}),
	) {
		this.channelNames = channels.map((name) => ({bytes: Buffer.from(name, 'utf8'), name}));
	}

	readonly onData = (chunk: Buffer): void => {
		if (this.stats.disabled) {
			this.passThrough(chunk);
			return;
		}
		let start = 0;
		if (this.heldBytes > 0) {
			start = this.completeHeld(chunk);
			if (start < 0) return;
			if (this.stats.disabled) {
				this.passThrough(chunk.subarray(start));
				return;
			}
		}
		this.consume(chunk, start);
	};

	/**
	Finish the frame held from earlier chunks with the first bytes of `chunk`, copying only that frame's bytes when
	its length is known. Returns where the chunk's own frames begin, or -1 when all of the chunk went into the held
	frame (or was scanned with it).
	*/
	private completeHeld(chunk: Buffer): number {
		const total = this.heldBytes + chunk.length;
		if (total < this.neededBytes) return this.holdMore(chunk);
		let exact = this.neededExact ? this.neededBytes : 0;
		if (exact === 0) {
			// The exact length is not known yet: look for it with a first slice of the chunk (a message's headers are short).
			const probe = Buffer.concat([...this.held, chunk.subarray(0, Math.min(chunk.length, 4096))]);
			exact = this.frameLength(probe);
			if (exact <= 0) {
				// Still unknown (a long frame that is not a message, or not RESP): scan everything from the held frame's start.
				const all = probe.length === total ? probe : Buffer.concat([...this.held, chunk], total);
				this.held = [];
				this.heldBytes = 0;
				this.neededBytes = 0;
				this.neededExact = false;
				this.consume(all, 0);
				return -1;
			}
			if (total < exact) {
				this.neededBytes = exact;
				this.neededExact = true;
				return this.holdMore(chunk);
			}
		}
		const take = exact - this.heldBytes;
		const frame = Buffer.concat([...this.held, chunk.subarray(0, take)], exact);
		this.held = [];
		this.heldBytes = 0;
		this.neededBytes = 0;
		this.neededExact = false;
		this.consume(frame, 0);
		return take;
	}

	/** Add a chunk to the held frame without copying it. */
	private holdMore(chunk: Buffer): number {
		this.held.push(chunk);
		this.heldBytes += chunk.length;
		return -1;
	}

	/** Length of the frame at the start of `buf`: > 0 when known, 0 when more bytes are needed, -1 when not RESP. */
	private frameLength(buf: Buffer): number {
		const match = matchMessage(buf, 0, buf.length, this.needed, this.arrayMessages());
		if (match === INCOMPLETE) return this.needed.bytes;
		if (match !== null) return match.end;
		const end = frameEnd(buf, 0, buf.length);
		return end === INCOMPLETE ? 0 : end === UNSUPPORTED ? -1 : end;
	}

	private consume(buf: Buffer, start: number): void {
		const end = buf.length;
		const arrays = this.arrayMessages();
		let pos = start;
		while (pos < end) {
			const match = matchMessage(buf, pos, end, this.needed, arrays);
			if (match === INCOMPLETE) {
				this.hold(buf, pos, this.needed.bytes, this.needed.bytes > 0);
				return;
			}
			if (match !== null) {
				const {channelStart, channelEnd, payloadStart, payloadEnd, end: next} = match;
				pos = next;
				this.stats.messages += 1;
				this.deliver(this.channelName(buf, channelStart, channelEnd), buf.toString('utf8', payloadStart, payloadEnd));
				continue;
			}
			const next = frameEnd(buf, pos, end);
			if (next === INCOMPLETE) {
				this.hold(buf, pos, Math.max(0, incompleteAt - pos), false);
				return;
			}
			if (next === UNSUPPORTED) {
				// Not a frame we understand: ioredis's decoder gets everything from here on, in order.
				this.stats.disabled = true;
				this.passThrough(buf.subarray(pos));
				return;
			}
			this.stats.passedThrough += 1;
			this.passThrough(buf.subarray(pos, next));
			pos = next;
		}
	}

	/**
	Keep the incomplete frame at `pos` for the next chunk. `neededBytes`: the length it needs at least (0: unknown);
	`exact`: that length is the frame's own (a message whose headers are in), not just a lower bound.
	*/
	private hold(buf: Buffer, pos: number, neededBytes: number, exact: boolean): void {
		const rest = buf.subarray(pos);
		this.held = [rest];
		this.heldBytes = rest.length;
		this.neededBytes = neededBytes;
		this.neededExact = exact;
	}

	/**
	Hand a message on. A handler that throws must not cost the rest of the socket read (later messages, PING replies
	ioredis waits for): as ioredis does, the error is rethrown on the next tick and decoding goes on.
	*/
	private deliver(channel: string, message: string): void {
		try {
			this.onMessage(channel, message);
		} catch (error) {
			this.onHandlerError(error);
		}
	}

	/** The subscribed channel's own string when the bytes name one (no allocation), else a decoded copy. */
	private channelName(buf: Buffer, start: number, end: number): string {
		const length = end - start;
		for (const channel of this.channelNames) {
			const bytes = channel.bytes;
			if (bytes.length !== length) continue;
			let same = true;
			for (let k = 0; k < length; k++) {
				if (buf[start + k] !== bytes[k]) {
					same = false;
					break;
				}
			}
			if (same) return channel.name;
		}
		return buf.toString('utf8', start, end);
	}
}
