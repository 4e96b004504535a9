import {describe, expect, it} from 'vitest';
import {MAX_BYTES_PER_EVAL, MAX_KEYS_PER_EVAL, RollupBatch} from '../../src/history/rollup-batch.js';

const DAY = 86_400_000;

/** A backfill: `series` series x `samples` samples spread over 89 days (a deterministic spread). */
function backfill(series: number, samples: number, now: number): RollupBatch {
	const batch = new RollupBatch();
	for (let s = 0; s < series; s++) for (let i = 0; i < samples; i++) batch.sample(`agent:a${s}:load`, now - Math.floor((((i * 7919 + s * 104_729) % samples) / samples) * 89 * DAY), i);
	return batch;
}

function argBytes(command: readonly unknown[]): number {
	return command.slice(2).reduce<number>((n, a) => n + (Buffer.isBuffer(a) ? a.length : String(a).length), 0);
}

describe('the history merge of one batch is split into bounded EVALs', () => {
	it('a backfill of 100 series x 2,000 samples over 89 days: every EVAL within the key and byte bounds, every key sent once', () => {
		const now = Date.UTC(2026, 11, 6, 12);
		const commands = backfill(100, 2000, now).toCommands(now);
		expect(commands.length).toBeGreaterThan(1);
		const seen = new Set<string>();
		let index = 0;
		for (const command of commands) {
			const numkeys = command[2] as number;
			// KEYS[1] is the series index, then the chunk keys.
			expect(numkeys - 1).toBeLessThanOrEqual(MAX_KEYS_PER_EVAL);
			// The script's text is the same in each; the rest (keys, records) is bounded (a key or record set may pass it by one).
			expect(argBytes(command) - (command[1] as string).length).toBeLessThan(MAX_BYTES_PER_EVAL + 16 * 1024);
			for (const key of command.slice(4, 3 + numkeys) as string[]) {
				expect(seen.has(key)).toBe(false);
				seen.add(key);
			}
			index += Number(command[3 + numkeys + 2]);
		}
		expect(seen.size).toBeGreaterThan(5000);
		expect(index).toBe(100);
	});

	it('a small batch is one EVAL', () => {
		const now = Date.UTC(2026, 11, 6, 12);
		const batch = new RollupBatch();
		for (let i = 0; i < 100; i++) batch.sample('gpu:box:0:util', now - i * 1000, i);
		expect(batch.toCommands(now)).toHaveLength(1);
	});
});
