/** How often acks and silences are re-read: the collector once a second, a dashboard twice (rules-part.ts, acksPollMs). */
import {afterEach, describe, expect, it, vi} from 'vitest';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {MemoryAlertStorage} from '../../src/rules/alert-storage.js';
import {acksPollMs, RulesPart} from '../../src/rules/rules-part.js';

/** Reads of acks and of silences by a rules part polling every `pollMs`, over `ms` of (fake) time after its start. */
async function readsOver(pollMs: number, ms: number): Promise<{acks: number; silences: number}> {
	const storage = new MemoryAlertStorage();
	const reads = {acks: 0, silences: 0};
	const loadAcks = storage.loadAcks.bind(storage);
	const loadSilences = storage.loadSilences.bind(storage);
	storage.loadAcks = async () => {
		reads.acks += 1;
		return loadAcks();
	};
	storage.loadSilences = async () => {
		reads.silences += 1;
		return loadSilences();
	};
	const part = new RulesPart(
		{
			store: new MetricsStore(),
			notify: () => undefined,
			record: () => undefined,
			unwrittenTransitions: () => 0,
			storage: () => storage,
			isWriter: () => true,
			readOnly: () => false,
			projectStatuses: async (ids) => ids.map(() => undefined),
		},
		{rules: [], pollMs},
	);
	await part.start();
	reads.acks = 0;
	reads.silences = 0;
	await vi.advanceTimersByTimeAsync(ms);
	await part.stop();
	return reads;
}

describe('acks and silences poll', () => {
	afterEach(() => {
		vi.useRealTimers();
	});

	it('the --headless collector reads them once a second, a dashboard every 500 ms', async () => {
		expect(acksPollMs(true)).toBe(1000);
		expect(acksPollMs(false)).toBe(500);
		vi.useFakeTimers();
		expect(await readsOver(acksPollMs(true), 10_000)).toEqual({acks: 10, silences: 10});
		expect(await readsOver(acksPollMs(false), 10_000)).toEqual({acks: 20, silences: 20});
	});
});
