/** Seeded pseudo-random numbers for the demo, the fuzz corpus and the alert benchmark: the same seed, the same run. */

/** mulberry32: small, fast, good enough for simulation and fuzzing. */
export function seededRandom(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

/** A standard normal sample (Box-Muller) from a uniform source. */
export function gaussian(random: () => number): number {
	const u = Math.max(random(), 1e-12);
	return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
