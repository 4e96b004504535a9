/** Built-in threshold rules as data: compiled by the user rules' compiler, with the same names, texts and staleness. */
import {describe, expect, it} from 'vitest';
import {BUILTIN_RULES, builtinRule} from '../../src/rules/builtin-rules.js';
import {renderTemplate} from '../../src/rules/user-rules.js';
import {SeriesCatalog} from '../../src/rules/series-catalog.js';
import {TimeRing} from '../../src/rules/time-ring.js';
import {type GpuInput, type RuleInput, type RuleSample} from '../../src/rules/rule-types.js';
import {gpuRuleInput} from './helpers.js';

function gpuInput(now: number, lost: boolean, temp: number): RuleInput {
	const ring = (v: number) => {
		const r = new TimeRing(16);
		r.push(now - 1000, v);
		return r;
	};
	const gpu: GpuInput = {id: 'GPU-a', index: 0, name: 'x', lost, temperatureC: ring(temp), memoryUsedMb: ring(79_000), memoryTotalMb: 80_000, utilizationPercent: ring(50)};
	return gpuRuleInput(now, [gpu]);
}

function samples(name: string, input: RuleInput): RuleSample[] {
	const catalog = new SeriesCatalog();
	catalog.update(input);
	const out: RuleSample[] = [];
	builtinRule(name, 'seed')!.evaluate({input, series: catalog, staleAfterMs: 15_000}, (s) => out.push(s));
	return out;
}

describe('built-in rules as data', () => {
	it('every variant keeps its head: name, channel, variant, description, recommendation', () => {
		for (const entry of BUILTIN_RULES) {
			expect(entry.sound.variant).toBe('sound');
			if (entry.seed) {
				expect(entry.seed.variant).toBe('seed');
				expect([entry.seed.name, entry.seed.group]).toEqual([entry.sound.name, entry.sound.group]);
			}
			expect(entry.sound.description.length).toBeGreaterThan(0);
		}
		expect(builtinRule('sla_breach', 'seed')!.recommendation).toBe('Tasks taking too long to complete');
		expect(builtinRule('sla_breach')!.recommendation).toBe('Tasks taking too long to complete: the error budget is burning');
	});

	it('renders {{value | round N}} as the code rules formatted their numbers', () => {
		expect(renderTemplate('GPU {{gpu}} at {{value | round 0}} °C, {{ $value | round 1 }}%, {{value}}', {gpu: '3'}, 86.456)).toBe('GPU 3 at 86 °C, 86.5%, 86.456');
		expect(renderTemplate('{{value | round 2}}', {}, Number.NaN)).toBe('NaN');
	});

	it('a seed GPU threshold fires with the same message, and goes to nodata at once for a lost GPU', () => {
		const now = 1_000_000;
		const [hot] = samples('high_temperature', gpuInput(now, false, 86.4));
		expect(hot).toMatchObject({breach: true, labels: {gpu: '0', uuid: 'GPU-a'}});
		expect(typeof hot!.message === 'function' ? hot!.message() : hot!.message).toBe('GPU 0 temperature 86 °C > 85 °C');
		const [lost] = samples('high_temperature', gpuInput(now, true, 86.4));
		expect(lost).toMatchObject({stale: true, breach: false});
		const [memory] = samples('memory_exhaustion', gpuInput(now, false, 50));
		expect(typeof memory!.message === 'function' ? memory!.message() : memory!.message).toBe('GPU 0 memory at 98.8%');
	});
});
