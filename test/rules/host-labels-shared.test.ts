/**
With `host` set (production always sets it), a GPU sample's labels gain `host`. The engine keeps one labelled copy per
sample label object, so the rules that go pending on one series share one label object and one ids array, as they do
without `host` (before, every new instance copied the labels: about twice the time and memory in a storm of pending
alerts). A reviewer's reproduction.
*/
import {describe, expect, it} from 'vitest';
import {RuleEngine} from '../../src/rules/engine.js';
import {compileRules} from '../../src/rules/user-rules.js';
import {TimeRing} from '../../src/rules/time-ring.js';
import {gpuRuleInput} from './helpers.js';

describe('id cache under host', () => {
	it('rules pending on one GPU series share one label-set object (so one ids array)', () => {
		const entries = Array.from({length: 40}, (_, i) => ({alert: `r${i}`, series: 'gpu_temperature_celsius', condition: 'value > 0', for: '1h'}));
		const ring = new TimeRing(8);
		ring.push(0, 50);
		const gpus = [{id: 'GPU-a', index: 0, name: 'x', lost: false, temperatureC: ring, memoryUsedMb: new TimeRing(1), memoryTotalMb: 8, utilizationPercent: new TimeRing(1)}];
		const input = gpuRuleInput(0, gpus, 's');
		for (const host of [undefined, 'box']) {
			const engine = new RuleEngine(compileRules(entries).filter((r) => r.variant === 'user'), host === undefined ? {} : {host});
			engine.evaluate(input);
			const objects = new Set(engine.instances().map((x) => x.state.labels));
			expect({host, instances: engine.instanceCount, labelObjects: objects.size}).toEqual({host, instances: 40, labelObjects: 1});
		}
	});
});
