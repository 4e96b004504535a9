/**
Other parts' periodic work on the GPU frame's tick. The host sampler and the fleet line run at the GPU sampling
period; driven by the frames (with their own timers as the fallback), their writes go in the frame's transaction and
the process wakes once a period instead of three times.
*/
import {every, type Periodic} from '../periodic.js';

/**
The fallback timer of a part whose work the frames do. Without frames it calls `run` every `intervalMs`. While frames
come (`frame()`, its caller having done the work) it does nothing: its periodic job still runs, on the shared schedule
of periodic.ts (the whole seconds the rules and the leases already wake the process for), and returns at once while the
last frame is under one and a half periods old. Frames that stop hand the work back within two and a half periods.
Its first run is half a period to a period and a half after start. A period that is not on the whole-second grid
(periodic.ts: 300 ms, 1.5 s) keeps a timer of its own, so with such a GPU interval the host's and the fleet's
fallbacks wake the process each period.

(It was a timeout of one and a half periods pushed back by each frame with `Timeout.refresh()`, meant to cost no
wake-up. It cost one a period: Node keeps a refreshed timeout in its list and moves its own due time, but leaves
libuv's timer where the list's first due time was, so the process woke then to find nothing due. strace of the
collector: a timer wake-up with no I/O half a second after every frame; BENCHMARKS.md, fifteenth session.)
*/
export class FrameCoveredTimer {
	private job: Periodic | undefined;
	/** performance.now() of the last frame while running; undefined: none since start. */
	private lastFrameMs: number | undefined;
	/** performance.now() at start: the first run is at least half a period later (see tick). */
	private startedMs = 0;

	constructor(
		private readonly intervalMs: number,
		private readonly run: () => void,
	) {}

	/** Run every period on its own (until frames come). */
	start(): void {
		this.job?.stop();
		this.lastFrameMs = undefined;
		this.startedMs = performance.now();
		this.job = every(this.intervalMs, () => this.tick());
	}

	/** A frame did the work: stand back until frames stop. Nothing while stopped. */
	frame(): void {
		if (this.job === undefined) return;
		this.lastFrameMs = performance.now();
	}

	stop(): void {
		this.job?.stop();
		this.job = undefined;
	}

	private tick(): void {
		// On the shared schedule the first run comes at the next grid point, which may be a millisecond after start: the
		// host sampler's start-up readings were just taken, and rates over a few milliseconds are noise.
		if (performance.now() - this.startedMs < this.intervalMs / 2) return;
		if (this.lastFrameMs !== undefined && performance.now() - this.lastFrameMs < 1.5 * this.intervalMs) return;
		this.run();
	}
}
