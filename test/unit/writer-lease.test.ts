/** WriterLease.tick: a call made while a round is in flight waits for that round's answer. */
import {describe, expect, it} from 'vitest';
import type {Redis} from 'ioredis';
import {WriterLease} from '../../src/bus/writer-lease.js';

describe('WriterLease.tick', () => {
	it("gives a second caller the in-flight round's answer instead of returning undecided", async () => {
		let answer: (value: string) => void = () => {};
		let calls = 0;
		const redis = {
			status: 'ready',
			set: () => {
				calls += 1;
				return new Promise<string>((resolve) => (answer = resolve));
			},
		} as unknown as Redis;
		const lease = new WriterLease(redis, 'me', {clock: () => 0});
		const periodic = lease.tick();
		// The retake after an outage asks while the periodic round still waits for Redis.
		let retakeDone = false;
		const retake = lease.tick().then(() => (retakeDone = true));
		await new Promise((resolve) => setImmediate(resolve));
		expect(retakeDone).toBe(false);
		expect(calls).toBe(1);
		answer('OK');
		await Promise.all([periodic, retake]);
		expect(retakeDone).toBe(true);
		expect(lease.role).toBe('writer');
	});
});
