/**
The benches' load generator (bench/publisher.ts): the mixed events it sends, and the training target bench:memory's
steady soak uses (the seeded projects, their steps going on one by one), checked through the contract's own parser so
the soak's events are stored, not rejected.
*/
import {describe, expect, it} from 'vitest';
import {mixedEvent, type TrainingTarget} from '../../bench/publisher.js';
import {parseMessage} from '../../src/contract/validate.js';

describe('mixedEvent', () => {
	it('sends 70 % training, 20 % task and 10 % agent events, each one the contract accepts', () => {
		const channels = new Map<string, number>();
		for (let i = 0; i < 1000; i++) {
			const [channel, raw] = mixedEvent(i, 1_765_000_000_000 + i);
			channels.set(channel, (channels.get(channel) ?? 0) + 1);
			expect(parseMessage(channel, raw, 1_765_000_001_000).ok, raw).toBe(true);
		}
		expect(Object.fromEntries(channels)).toEqual({'events:training:progress': 700, 'events:tasks:updates': 200, 'events:agents:status': 100});
	});

	it('with a target, sends the training events to its projects with each project\'s steps going on one by one', () => {
		const target: TrainingTarget = {prefix: 'mem-', projects: 3, nextStep: [10_001, 10_001, 10_001]};
		const steps = new Map<string, number[]>();
		for (let i = 0; i < 600; i++) {
			const [channel, raw] = mixedEvent(i, 1_765_000_000_000 + i, target);
			const parsed = parseMessage(channel, raw, 1_765_000_001_000);
			expect(parsed.ok, raw).toBe(true);
			if (channel !== 'events:training:progress') continue;
			const {projectId, step} = JSON.parse(raw) as {projectId: string; step: number};
			steps.set(projectId, [...(steps.get(projectId) ?? []), step]);
		}
		expect([...steps.keys()].sort()).toEqual(['mem-0', 'mem-1', 'mem-2']);
		for (const list of steps.values()) {
			expect(list[0]).toBe(10_001);
			expect(list.every((step, k) => step === 10_001 + k)).toBe(true);
		}
		expect([...steps.values()].reduce((n, list) => n + list.length, 0)).toBe(420);
		expect(target.nextStep).toEqual([0, 1, 2].map((p) => 10_001 + steps.get(`mem-${p}`)!.length));
	});
});
