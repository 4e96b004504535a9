/**
Rules that ask the same question of the same series share one computation per evaluation (RuleContext's
conditionValues), and message templates are compiled once. Pinned: sharing never mixes up two different questions
(another function, another window), and compiled templates render exactly what the one-shot renderer does.
*/
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {compileRules, renderTemplate} from '../../src/rules/user-rules.js';
import {compileTemplate} from '../../src/rules/threshold-rule.js';
import {SeriesWorld} from '../../src/rules/world.js';
import {drive, fill, kinds} from './helpers.js';

describe('shared condition values', () => {
	it('gives each rule its own function and window over the same series', () => {
		const world = new SeriesWorld();
		// 60 s at 50 °C, then 30 s at 100 °C: avg(30s) crosses 90 long before avg(2m) does.
		fill(world, 'gpu_temperature_celsius', {gpu: '0', uuid: 'GPU-0'}, 0, 60_000, 1000, () => 50);
		fill(world, 'gpu_temperature_celsius', {gpu: '0', uuid: 'GPU-0'}, 61_000, 90_000, 1000, () => 100);
		const rules = compileRules([
			{alert: 'short', series: 'gpu_temperature_celsius', condition: 'avg(30s) > 90'},
			{alert: 'short_twin', series: 'gpu_temperature_celsius', condition: 'avg(30s) > 90'},
			{alert: 'long', series: 'gpu_temperature_celsius', condition: 'avg(2m) > 90'},
			{alert: 'peak', series: 'gpu_temperature_celsius', condition: 'max(2m) > 90'},
		]).filter((r) => r.variant === 'user');
		const run = drive(world, rules, {staleAfterMs: 600_000}).until(90_000);
		expect(kinds(run.transitions, 'peak')).toEqual(['firing@61']);
		expect(kinds(run.transitions, 'short')).toEqual(kinds(run.transitions, 'short_twin'));
		expect(kinds(run.transitions, 'short')).toEqual(['firing@85']);
		expect(kinds(run.transitions, 'long')).toEqual([]);
	});
});

describe('compiled message templates', () => {
	it('render placeholders, labels, rounding and missing labels', () => {
		const t = compileTemplate('GPU {{gpu}} at {{ value | round 1 }} °C ({{$labels.uuid}}, {{$value}}, {{nope}})');
		expect(t({gpu: '3', uuid: 'GPU-x'}, 81.26)).toBe('GPU 3 at 81.3 °C (GPU-x, 81.26, )');
		expect(t({gpu: '3'}, Number.NaN)).toBe('GPU 3 at NaN °C (, NaN, )');
		expect(compileTemplate('no placeholders')({}, 1)).toBe('no placeholders');
	});

	it('equal the one-shot renderer for any template and value', () => {
		const piece = fc.oneof(fc.string({maxLength: 5}), fc.constantFrom('{{value}}', '{{ value | round 2 }}', '{{gpu}}', '{{$labels.project}}', '{{$value}}', '{{', '}}'));
		fc.assert(
			fc.property(fc.array(piece, {maxLength: 8}), fc.oneof(fc.double(), fc.integer()), fc.dictionary(fc.constantFrom('gpu', 'project'), fc.string({maxLength: 4})), (pieces, value, labels) => {
				const template = pieces.join('');
				const expected = template.replace(/\{\{\s*\$?(?:labels\.)?([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*round\s+(\d)\s*)?\}\}/g, (_, name: string, digits: string | undefined) =>
					name === 'value' ? (Number.isFinite(value) ? String(Number(value.toFixed(digits === undefined ? 3 : Number(digits)))) : String(value)) : (labels[name] ?? ''),
				);
				expect(renderTemplate(template, labels, value)).toBe(expected);
			}),
		);
	});

	it('render each value the same when its text is remembered (many rules, one value; the cache starting over)', () => {
		const t = compileTemplate('{{value}} {{value | round 1}} {{value | round 0}}');
		const want = (v: number) => [3, 1, 0].map((d) => String(Number(v.toFixed(d)))).join(' ');
		fc.assert(
			fc.property(fc.array(fc.oneof(fc.double({noNaN: true, noDefaultInfinity: true}), fc.constantFrom(0, -0, 1.0005, -0.0004, 2.5, 1e21, -1e-7)), {minLength: 1, maxLength: 50}), (values) => {
				// Each value three times, as rules reading the same series render it.
				for (let round = 0; round < 3; round++) for (const v of values) expect(t({}, v)).toBe(want(v));
			}),
		);
		// More distinct values than the cache holds, twice over.
		for (let round = 0; round < 2; round++) for (let i = 0; i < 10_000; i++) expect(t({}, i / 7)).toBe(want(i / 7));
	});
});
