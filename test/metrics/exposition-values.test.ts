/**
Regressions of the hostile review of the exposition: NaN was written `Nan` (prom-client's spelling; the text format
and Prometheus write `NaN`), and two distinct ALERTS label sets could merge into one series (prom-client keys a
series by its labels joined as `key:value,` text, so a value holding `,key:` collided with another label set).
Checked by the independent parser (parse-exposition.ts) and the real `promtool check metrics`.
*/
import {spawnSync} from 'node:child_process';
import fc from 'fast-check';
import {describe, expect, test} from 'vitest';
import {Exposition} from '../../src/metrics/exposition.js';
import {type AlertRow, type AlertsSnapshot} from '../../src/rules/alert-snapshot.js';
import {fixture, HOST, NOW} from './fixture.js';
import {parseExposition, samplesOf} from './parse-exposition.js';

const promtool = spawnSync('promtool', ['--version'], {stdio: 'ignore'}).status === 0;

function promtoolCheck(text: string): string {
	const result = spawnSync('promtool', ['check', 'metrics'], {input: text, encoding: 'utf8'});
	return `${result.status} ${result.stdout}${result.stderr}`;
}

function alerts(rows: readonly Pick<AlertRow, 'rule' | 'labels'>[]): AlertsSnapshot {
	return {
		unacknowledgedCritical: 0,
		silences: [],
		rows: rows.map((r, i) => ({id: `a${i}`, severity: 'critical', state: 'firing', phase: 'firing', message: '', sinceMs: NOW, updatedMs: NOW, origin: 'external', ...r})),
	};
}

describe('sample values as the text format spells them', () => {
	test('NaN is written NaN (not Nan), infinities +Inf and -Inf, on every line; promtool accepts the output', async () => {
		const f = fixture();
		for (const [projectId, loss] of [['nan', Number.NaN], ['pinf', Number.POSITIVE_INFINITY], ['ninf', Number.NEGATIVE_INFINITY]] as const)
			f.store.apply({kind: 'training', projectId, step: 1, loss, timestamp: NOW, timeMs: NOW});
		const text = await f.exposition.render(f.view());
		expect(text).toContain('mycotop_training_loss{project="nan"} NaN\n');
		expect(text).toContain('mycotop_training_loss{project="pinf"} +Inf\n');
		expect(text).toContain('mycotop_training_loss{project="ninf"} -Inf\n');
		expect(text).not.toMatch(/ Nan$/m);
		if (promtool) expect(promtoolCheck(text)).toBe('0 ');
	});
});

describe('ALERTS series identity', () => {
	test('the review\'s colliding label sets stay two series each', async () => {
		const f = fixture();
		const crafted = alerts([
			{rule: 't', labels: {channel: 'c', source: `X,alertstate:firing,channel:c,host:${HOST},severity:critical,source:Z`}},
			{rule: `t,alertstate:firing,channel:c,host:${HOST},severity:critical,source:X`, labels: {channel: 'c', source: 'Z'}},
			{rule: 'u', labels: {a: '1,b:2'}},
			{rule: 'u', labels: {a: '1', b: '2'}},
		]);
		const parsed = parseExposition(await f.exposition.render(f.view(crafted)));
		expect(samplesOf(parsed, 'ALERTS')).toHaveLength(4);
	});

	test('a label set and its crafted twin (the same `key:value,` text, split elsewhere) stay two series (property)', async () => {
		const exposition = new Exposition({processMetrics: false});
		const f = fixture();
		const text = fc.string({unit: fc.constantFrom(',', ':', '"', '\\', '\n', 'a', 'x', '1'), maxLength: 5});
		await fc.assert(
			fc.asyncProperty(text, fc.option(text, {nil: undefined}), text, text, async (rule, b, source, tail) => {
				// Sorted names alertname < alertstate < b < host < severity < source: the text of one set's middle labels,
				// moved into the first value of the other and out of the last.
				const middle = `alertstate:firing,${b === undefined ? '' : `b:${b},`}host:${HOST},severity:critical,source:`;
				const extra: Record<string, string> = b === undefined ? {} : {b};
				const one = {rule, labels: {...extra, source: `${source},${middle}${tail}`}};
				const twin = {rule: `${rule},${middle}${source}`, labels: {...extra, source: tail}};
				const parsed = parseExposition(await exposition.render(f.view(alerts([one, twin]))));
				expect(samplesOf(parsed, 'ALERTS').map((s) => [s.labels['alertname'], s.labels['source']]).sort()).toEqual([[one.rule, one.labels.source], [twin.rule, twin.labels.source]].sort());
			}),
			{numRuns: 200},
		);
	});

	test('distinct label sets give distinct series whatever the values hold (property: values built of separators)', async () => {
		const exposition = new Exposition({processMetrics: false});
		const f = fixture();
		// Values from the separators of prom-client's key (`,`, `:`) and the text format's, and whole `,name:value` pieces
		// of the label names in play (a value that spells another label is what merged two series).
		const unit = fc.constantFrom(',', ':', '=', '"', '\\', '\n', '{', '}', 'a', 'x', ',a:', ',b:', ',source:', `,host:${HOST}`, ',alertstate:firing', ',severity:critical', ',alertname:t');
		const value = fc.string({unit, maxLength: 6});
		const row = fc.record({rule: fc.string({unit, minLength: 1, maxLength: 4}), labels: fc.dictionary(fc.constantFrom('a', 'b', 'source'), value, {maxKeys: 3})});
		await fc.assert(
			fc.asyncProperty(fc.array(row, {maxLength: 6}), async (rows) => {
				const parsed = parseExposition(await exposition.render(f.view(alerts(rows))));
				const exported = samplesOf(parsed, 'ALERTS').map((s) => JSON.stringify(Object.entries(s.labels).sort()));
				// Every label set is exported once, and none is lost: as many series as distinct label sets.
				const expected = new Set(rows.map((r) => JSON.stringify(Object.entries({alertname: r.rule, alertstate: 'firing', severity: 'critical', ...r.labels, host: HOST}).sort())));
				expect(new Set(exported).size).toBe(exported.length);
				expect(new Set(exported)).toEqual(expected);
			}),
			{numRuns: 300},
		);
	});
});
