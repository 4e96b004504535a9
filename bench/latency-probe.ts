/**
A preload for bench:fleet-load (`node --import <this file> dist/bundle/cli.js ...`): measures, inside the measured
mycotop process, how old each bench event is when mycotop's ingest parses it. mycotop's ingest (`Ingest.handle`)
parses a message with `JSON.parse` and then validates and stores it synchronously in the same call, so the moment of
the parse is the moment the event reaches the store, to within microseconds; that moment includes every wait before
it (Redis's delivery, the socket, and above all the event loop being busy drawing a frame or reading the fleet).

The wrapper only looks at strings that carry the bench publisher's `"sentAt":` stamp (epoch ms, the publisher's
`performance.timeOrigin + performance.now()`, same machine and clock), and records (arrival, sentAt) pairs: the stamp
identifies the event, so a message parsed twice (an instance that becomes the writer replays its last messages,
src/ingest/replay-ring.ts) can be told apart by the reader. SIGUSR2 writes every pair recorded since the last SIGUSR2 to `$MYCOTOP_BENCH_LATENCY_OUT.<n>` (n = 1, 2, ...; little-endian
float64 pairs, written to a temporary name and renamed, so a file that exists is complete) and starts afresh.
mycotop itself does not handle SIGUSR2.
*/
import {renameSync, writeFileSync} from 'node:fs';

const out = process.env['MYCOTOP_BENCH_LATENCY_OUT'];
const STAMP = '"sentAt":';

if (out !== undefined && out !== '') {
	const now = () => performance.timeOrigin + performance.now();
	let pairs = new Float64Array(1 << 16);
	let length = 0;
	let dumps = 0;
	const record = (arrival: number, sentAt: number) => {
		if (length + 2 > pairs.length) {
			const bigger = new Float64Array(pairs.length * 2);
			bigger.set(pairs);
			pairs = bigger;
		}
		pairs[length++] = arrival;
		pairs[length++] = sentAt;
	};
	const parse = JSON.parse.bind(JSON);
	JSON.parse = (text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown): unknown => {
		const value: unknown = parse(text, reviver);
		if (typeof text === 'string' && text.length < 4096) {
			const at = text.indexOf(STAMP);
			if (at !== -1) {
				const sentAt = Number.parseFloat(text.slice(at + STAMP.length, at + STAMP.length + 32));
				const arrival = now();
				if (Number.isFinite(sentAt)) record(arrival, sentAt);
			}
		}
		return value;
	};
	process.on('SIGUSR2', () => {
		dumps += 1;
		const file = `${out}.${dumps}`;
		writeFileSync(`${file}.tmp`, Buffer.from(pairs.buffer, 0, length * 8));
		renameSync(`${file}.tmp`, file);
		length = 0;
	});
}
