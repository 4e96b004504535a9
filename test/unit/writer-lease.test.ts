/** WriterLease: tick() waits for a round in flight and says whether Redis answered; release() hands back what a late round took. */
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

	it('says whether Redis answered: held or refused is an answer, an error (LOADING, a timeout) is not', async () => {
		let reply: () => Promise<string | null> = async () => 'OK';
		const redis = {status: 'ready', set: () => reply(), eval: async () => 0} as unknown as Redis;
		const lease = new WriterLease(redis, 'me', {clock: () => 0});
		expect(await lease.tick()).toBe(true);
		expect(lease.role).toBe('writer');
		reply = async () => {
			throw new Error('LOADING Redis is loading the dataset in memory');
		};
		const other = new WriterLease(redis, 'other', {clock: () => 0});
		expect(await other.tick()).toBe(false);
		reply = async () => {
			throw new Error("READONLY You can't write against a read only replica.");
		};
		expect(await other.tick()).toBe(true);
		expect(other.role).toBe('viewer');
		reply = async () => null;
		expect(await other.tick()).toBe(true);
		expect(other.role).toBe('viewer');
		(redis as {status: string}).status = 'reconnecting';
		expect(await other.tick()).toBe(false);
	});

	it('release waits for a round in flight and hands back the lease that round took', async () => {
		let answer: (value: string) => void = () => {};
		const released: string[] = [];
		const redis = {
			status: 'ready',
			set: () => new Promise<string>((resolve) => (answer = resolve)),
			eval: async (_script: string, _n: number, key: string) => {
				released.push(key);
				return 1;
			},
		} as unknown as Redis;
		const lease = new WriterLease(redis, 'me', {clock: () => 0});
		const round = lease.tick();
		const release = lease.release();
		answer('OK');
		await Promise.all([round, release]);
		expect(released).toHaveLength(1);
		expect(lease.role).toBe('viewer');
		expect(await lease.tick()).toBe(false);
	});
});
