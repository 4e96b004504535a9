/**
The subscriber's socket read in batches at a trickle.

At 200 events/s each message came in a socket read of its own: 200 wake-ups a second, each an epoll return, a read,
Node's stream machinery, the fast path and the ingest, with V8's code and the CPU's caches cold after the wait. That
cost the dashboard several times what the events' own work does (bench:tui, the 200 events/s window). After a small
read (the kernel had little waiting), reading stops for `holdMs` and the next read takes everything that came in the
meantime at once. Only at a trickle: above TRICKLE_BYTES_PER_SECOND (about 1,000 messages of 250 bytes a second,
measured over the last second: src/bus/read-rate.ts) nothing is held, so a busy stream keeps its sub-millisecond latency; and a large
read means a backlog, which is read on at once, so a burst is never held behind a timer while it is coming in.

Only the writer holds (RedisLink.holdReads, set by BusManager from the role). A standby that lagged up to `holdMs`
behind the writer would, on taking the lease, not find the old writer's watermark in its replay ring (or find the
newest messages not yet read) and write them a second time: a standby reads as soon as the kernel has data, as before.

What a hold costs: a message reaches the store at most `holdMs` later (the dashboard redraws once a second, the rules
evaluate once a second, the writer batches for 200 ms). The bytes wait in the kernel's socket buffer (and, beyond it,
Redis's output buffer for this client): `holdMs` of a trickle is a few KiB.

Node has no public call that stops reading a socket from the kernel (`pause()` keeps reading into the stream's buffer
up to its high-water mark, one wake-up per message as before), so this uses the socket handle's readStop/readStart,
present on TCP handles on every Node.js line (20, 22 and 24 included). A socket without them is left as it is.
*/
import {afterRead, judgedRateAt, startedRate} from './read-rate.js';

/** A read smaller than this (bytes) means the kernel had little waiting: reading is held. */
export const SMALL_READ_BYTES = 4096;

/** How long reading is held after a small read (ms). */
export const READ_HOLD_MS = 50;

/** Above this input rate (bytes a second, over the last second) nothing is held. */
export const TRICKLE_BYTES_PER_SECOND = 256 * 1024;

/** Whether a read of `bytes`, with the input at `bytesPerSecond`, is followed by a hold (pure, tested alone). */
export function holdsAfterRead(bytes: number, bytesPerSecond: number, smallBytes = SMALL_READ_BYTES, trickle = TRICKLE_BYTES_PER_SECOND): boolean {
	return bytes < smallBytes && bytesPerSecond < trickle;
}

/** The socket handle's calls that start and stop reading (libuv's uv_read_start / uv_read_stop). */
interface ReadHandle {
	readStart(): number;
	readStop(): number;
	/** Node's own flag: the stream wants data (false while it applies backpressure itself). */
	reading?: boolean;
}

interface ReadableSocket extends NodeJS.EventEmitter {
	readonly destroyed?: boolean;
	readonly encrypted?: boolean;
	readonly _handle?: Partial<ReadHandle> | null;
}

export interface ReadCoalescing {
	/** Reads that were followed by a hold. */
	readonly stats: {holds: number};
	/** Stop holding (reading goes on as Node does it) and remove the listener. */
	stop(): void;
}

/**
Hold `stream`'s reads as described above, while `enabled()` says so. Returns undefined (and changes nothing) for a
socket whose handle has no readStop/readStart, and for TLS sockets (their handle decrypts what it reads: left to Node).
*/
export function coalesceReads(stream: NodeJS.EventEmitter, holdMs = READ_HOLD_MS, smallBytes = SMALL_READ_BYTES, enabled: () => boolean = () => true): ReadCoalescing | undefined {
	const socket = stream as ReadableSocket;
	const handle = socket._handle;
	if (socket.encrypted === true || handle === undefined || handle === null) return undefined;
	if (typeof handle.readStop !== 'function' || typeof handle.readStart !== 'function') return undefined;
	const reads = handle as ReadHandle;
	const stats = {holds: 0};
	let timer: NodeJS.Timeout | undefined;
	let rate = startedRate(performance.now());
	const resume = () => {
		timer = undefined;
		// Not when the socket is gone or Node stopped reading itself (backpressure): it starts reading again when it wants to.
		if (socket.destroyed === true || socket._handle !== handle || reads.reading === false) return;
		reads.readStart();
	};
	const onData = (chunk: Buffer) => {
		const now = performance.now();
		rate = afterRead(rate, chunk.length, now);
		if (timer !== undefined || !enabled() || !holdsAfterRead(chunk.length, judgedRateAt(rate, now), smallBytes)) return;
		if (socket.destroyed === true || socket._handle !== handle || reads.readStop() !== 0) return;
		stats.holds += 1;
		timer = setTimeout(resume, holdMs);
		timer.unref();
	};
	stream.on('data', onData);
	return {
		stats,
		stop: () => {
			stream.removeListener('data', onData);
			if (timer !== undefined) {
				clearTimeout(timer);
				resume();
			}
		},
	};
}
