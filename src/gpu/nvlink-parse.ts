/**
Pure parsing of `nvidia-smi nvlink -gt d`: each GPU's NVLink data counters, cumulative KiB per link since the driver
loaded. The shape, as in public captures (an H800 and a V100-SXM3 among them):

  GPU 0: NVIDIA H800 (UUID: GPU-34bf77d1-...)
           Link 0: Data Tx: 5863784 KiB
           Link 0: Data Rx: 5863677 KiB

Older drivers label the counters `Tx0:` / `Rx0:` instead of `Data Tx:` / `Data Rx:`; both are read. A GPU without
NVLink lists no link lines. Anything else is skipped and counted. Per GPU the links are summed.
*/

export interface NvlinkCounters {
	readonly index: number;
	readonly uuid: string | undefined;
	/** Links with both counters read. */
	readonly links: number;
	readonly txKiB: number;
	readonly rxKiB: number;
}

/** Largest counter believed (KiB): 2^53 is exact in a double, far beyond any uptime's traffic. */
const MAX_KIB = 2 ** 53;

const GPU_LINE = /^GPU\s+(\d{1,3}):.*?(?:\(UUID:\s*([^)\s]{1,96})\s*\))?\s*$/;
const LINK_LINE = /^Link\s+(\d{1,3}):\s*(?:Data\s+)?(Tx|Rx)\d?:\s*(\d{1,20})\s*KiB\s*$/i;

/** The counters per GPU (GPUs without NVLink have `links: 0`), and how many lines were not understood. Pure. */
export function parseNvlinkCounters(text: string): {readonly gpus: NvlinkCounters[]; readonly skipped: number} {
	const gpus: NvlinkCounters[] = [];
	let current: {index: number; uuid: string | undefined; tx: Map<number, number>; rx: Map<number, number>} | undefined;
	let skipped = 0;
	const close = () => {
		if (current === undefined) return;
		let txKiB = 0;
		let rxKiB = 0;
		let links = 0;
		for (const [link, tx] of current.tx) {
			const rx = current.rx.get(link);
			if (rx === undefined) continue;
			links += 1;
			txKiB += tx;
			rxKiB += rx;
		}
		gpus.push({index: current.index, uuid: current.uuid, links, txKiB, rxKiB});
	};
	for (const raw of text.split('\n')) {
		const line = raw.trim();
		if (line === '') continue;
		const gpu = GPU_LINE.exec(line);
		if (gpu !== null) {
			close();
			current = {index: Number(gpu[1]), uuid: gpu[2], tx: new Map(), rx: new Map()};
			continue;
		}
		const link = LINK_LINE.exec(line);
		const value = link === null ? Number.NaN : Number(link[3]);
		if (link === null || current === undefined || !(value <= MAX_KIB)) {
			skipped += 1;
			continue;
		}
		(link[2]!.toLowerCase() === 'tx' ? current.tx : current.rx).set(Number(link[1]), value);
	}
	close();
	return {gpus, skipped};
}

/**
MB/s between two readings of one GPU's counters (KiB, 1024 bytes; MB, 10^6 bytes, as dmon counts), or undefined when
the counter went back (a driver reload), time did not advance, or the link set changed. Pure.
*/
export function nvlinkRate(before: {readonly kib: number; readonly timeMs: number; readonly links: number}, after: {readonly kib: number; readonly timeMs: number; readonly links: number}): number | undefined {
	const seconds = (after.timeMs - before.timeMs) / 1000;
	const delta = after.kib - before.kib;
	if (!(seconds > 0) || delta < 0 || after.links !== before.links) return undefined;
	return (delta * 1024) / 1e6 / seconds;
}
