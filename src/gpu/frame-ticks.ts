/**
Other parts' periodic work on the GPU frame's tick. The host sampler and the fleet line run at the GPU sampling
period; driven by the frames (with their own timers as the fallback), their writes go in the frame's transaction and
the process wakes once a period instead of three times.
*/

/**
The fallback timer of a part whose work the frames do. Without frames it calls `run` every `intervalMs`. Once a frame
comes (`frame()`, its caller having done the work) it stands back without waking the process at all: one timeout of
one and a half periods, pushed back by each frame (`refresh`, no wake-up, as the GPU sampler's hang watchdog), where
a timer that looked at the last frame's time woke every period to do nothing. Frames that stop hand
the work back within two periods: `run` one and a half periods after the last frame, then every period. Each wake-up
of an idle process costs about as much as a small task (about 0.01 % of a core per wake-up a second here).
*/
export class FrameCoveredTimer {
	private timer: NodeJS.Timeout | undefined;
	private covered = false;

	constructor(
		private readonly intervalMs: number,
		private readonly run: () => void,
	) {}

	/** Run every period on its own (until frames come). */
	start(): void {
		clearTimeout(this.timer);
		this.covered = false;
		this.timer = setInterval(() => this.run(), this.intervalMs);
		this.timer.unref();
	}

	/** A frame did the work: stand back until frames stop. Nothing while stopped. */
	frame(): void {
		if (this.timer === undefined) return;
		if (this.covered) {
			this.timer.refresh();
			return;
		}
		clearTimeout(this.timer);
		this.covered = true;
		this.timer = setTimeout(() => {
			this.start();
			this.run();
		}, 1.5 * this.intervalMs);
		this.timer.unref();
	}

	stop(): void {
		clearTimeout(this.timer);
		this.timer = undefined;
	}
}
