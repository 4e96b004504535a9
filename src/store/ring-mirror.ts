/**
A ring's points as arrays, oldest first, kept up to date instead of copied whole for each new point: the arrays are
views into buffers twice the ring's capacity; new points are written after the last view's end and points gone
from the ring's front are simply no longer in the view. When a buffer is full the window moves to fresh buffers
(a copy of the window once every `capacity` points), so a view handed out earlier never changes.
*/
import {type SeriesRing} from './ring-buffer.js';

export interface MirroredArrays {
	readonly xs: Float64Array;
	readonly values: Float64Array;
	readonly times: Float64Array;
	/** The serial number of the first point (the ring's firstSerial). */
	readonly first: number;
}

interface Buffers {
	xs: Float64Array;
	values: Float64Array;
	times: Float64Array;
}

function buffers(size: number): Buffers {
	return {xs: new Float64Array(size), values: new Float64Array(size), times: new Float64Array(size)};
}

export class RingMirror {
	private buf: Buffers = buffers(0);
	/** The serial number of buffer index 0, and the serials held: [startSerial + lo, startSerial + hi). */
	private startSerial = 0;
	private hi = 0;

	/** The ring's points now (only the new ones are read from the ring). */
	sync(ring: SeriesRing): MirroredArrays {
		const first = ring.firstSerial;
		const end = first + ring.length;
		const heldEnd = this.startSerial + this.hi;
		if (first < this.startSerial || heldEnd < first || end < heldEnd || end - this.startSerial > this.buf.xs.length) {
			// Not a continuation, or no room after the window: fresh buffers with room for as many points again.
			this.buf = buffers(Math.max(64, 2 * ring.length));
			this.startSerial = first;
			this.hi = 0;
		}
		const from = this.startSerial + this.hi;
		ring.copySerials(from, end, this.buf, this.hi);
		this.hi = end - this.startSerial;
		const lo = first - this.startSerial;
		return {xs: this.buf.xs.subarray(lo, this.hi), values: this.buf.values.subarray(lo, this.hi), times: this.buf.times.subarray(lo, this.hi), first};
	}
}
