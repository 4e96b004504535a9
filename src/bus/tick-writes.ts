/**
The command connection's writes of one tick in one system call.

ioredis writes each command to its socket as it is sent. A collector's timers send several at the same moment: at
each half-second the rules read the acks and the silences (two HGETALLs), at each second the two writer leases are
renewed (two EVALs) and, every other second, the heartbeat PINGs. Each was a write of its own, and on a loopback or
LAN socket each write is a system call that also carries the packet through the kernel's network stack; Redis then
answers each in a reply of its own, one more wake-up and socket read for this process per command.

Corked for the rest of the tick (until process.nextTick), the socket takes everything sent in that tick in one
writev: the same bytes in the same order, on the same connection, so Redis answers them in the order sent as before,
in one reply packet when it read them in one. Nothing waits on a timer: the tick's own code finishes, then the
writes go out. A transaction (RedisKv.exec) corks the socket itself as well; corks nest, so it goes in the same writev.

Installed per socket (ioredis makes a new one at each reconnect): on the 'connect' of a client that has one stream
(a plain or Sentinel connection). A Cluster client has a connection per node and is left as it is.
*/

/** The part of a socket this needs (net.Socket and tls.TLSSocket both have it). */
export interface CorkableStream {
	write(...args: unknown[]): boolean;
	cork(): void;
	uncork(): void;
}

const installed = new WeakSet<object>();

/**
From now on, what is written to `stream` in one tick leaves in one write at the end of the tick. Returns false (and
changes nothing) when it was already in place or the stream cannot be corked.
*/
export function coalesceTickWrites(stream: CorkableStream, defer: (fn: () => void) => void = process.nextTick): boolean {
	if (installed.has(stream) || typeof stream.cork !== 'function' || typeof stream.uncork !== 'function' || typeof stream.write !== 'function') return false;
	installed.add(stream);
	const write = stream.write;
	let corked = false;
	const release = () => {
		corked = false;
		// Balances this tick's cork (end() and destroy() leave a corked count of 0: uncork is then a no-op).
		stream.uncork();
	};
	stream.write = function (this: CorkableStream, ...args: unknown[]): boolean {
		if (!corked) {
			corked = true;
			stream.cork();
			defer(release);
		}
		return write.apply(this, args);
	};
	return true;
}
