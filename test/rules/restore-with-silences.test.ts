/**
At start the rules part restores the alert log together with the acks and silences: a restored firing alert is
never shown (and so never adopted by the notify part, which decides from a row's silence what was sent about it)
before the silence that mutes it is known. Regression: the log was restored, then the acks and silences read, and
a notify tick in between adopted a silenced alert as unsilenced.
*/
import {describe, expect, it} from 'vitest';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {MemoryAlertStorage} from '../../src/rules/alert-storage.js';
import {RulesPart} from '../../src/rules/rules-part.js';
import {RuleEngine} from '../../src/rules/engine.js';
import {SeriesWorld} from '../../src/rules/world.js';
import {compileRules} from '../../src/rules/user-rules.js';
import {newSilence, type Silence} from '../../src/rules/ack-silence.js';
import {parseMatcher, type Matcher} from '../../src/rules/labels.js';

const S = 1000;
const RULES = compileRules([]);

describe('restore with silences', () => {
	it('a restored firing alert shows with its silence (and when it began) from the first moment it shows', async () => {
		const w = new SeriesWorld();
		for (let t = 0; t <= 40 * S; t += S) w.add('gpu_temperature_celsius', {gpu: '0'}, t, 88);
		const before = new RuleEngine(RULES);
		for (let t = 0; t <= 40 * S; t += S) {
			w.advance(t);
			before.evaluate(w.input(t));
		}
		const storage = new MemoryAlertStorage();
		storage.log.push(...before.transitions());
		const silence = newSilence([parseMatcher('alertname="high_temperature"') as Matcher], 20 * S, 3600 * S, 'ana@box', 'maintenance');
		storage.silences.set(silence.id, silence);
		// The silences arrive late: the log (and the acks) are read first.
		let release: () => void = () => undefined;
		const gate = new Promise<void>((r) => (release = r));
		storage.loadSilences = async () => {
			await gate;
			return new Map<string, Silence>([[silence.id, silence]]);
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
			{rules: RULES, now: () => 41 * S},
		);
		const polled = part.poll();
		for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
		expect(part.snapshot().rows.filter((r) => r.phase === 'firing')).toEqual([]);
		release();
		await polled;
		const rows = part.snapshot().rows.filter((r) => r.phase === 'firing');
		expect(rows.map((r) => [r.rule, r.state, r.silencedBy, r.silencedSinceMs])).toEqual([['high_temperature', 'silenced', silence.id, 20 * S]]);
	});
});
