/**
Regex label matchers are RE2, matched in linear time (re2js), as in Alertmanager (regressions: a stored silence
with the matcher `alertname=~"(["` made every instance throw `SyntaxError: Invalid regular expression` from
silencedBy, and exit, on every start; the silence `project=~(a+)+`, accepted by the CLI, froze the event loop on a
40-character project id). A pattern RE2 refuses is refused where it is given (CLI: exit 2; config: file:line),
and a stored one skips its silence with the reason.
*/
import {spawnSync} from 'node:child_process';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';
import {describe, expect, it} from 'vitest';
import {decodeSilence, silencedBy, silenceWriteProblem, type Silence} from '../../src/rules/ack-silence.js';
import {MemoryAlertStorage, skippedText} from '../../src/rules/alert-storage.js';
import {matchersMatch, parseMatcher, parseSelector, type Matcher} from '../../src/rules/labels.js';
import {formatIssue, parseConfig} from '../../src/config/config.js';
import {runCommand} from '../../src/commands.js';

const NOW = Date.UTC(2026, 0, 1);
const regex = (name: string, value: string, isEqual = true): Matcher => ({name, value, isRegex: true, isEqual});
const stored = (value: string) =>
	JSON.stringify({id: 'badre', matchers: [{name: 'alertname', value, isRegex: true, isEqual: true}], startsMs: NOW - 1000, endsMs: NOW + 3_600_000, createdBy: 'a', comment: 'c'});
const silence = (matchers: Matcher[]): Silence => ({id: 's', matchers, startsMs: NOW - 1000, endsMs: NOW + 3_600_000, createdBy: 'a', comment: 'c'});

describe('a stored silence whose regex RE2 refuses', () => {
	it('is not a silence: decodeSilence gives the reason (reported as skipped), never a matcher that throws later', () => {
		const reason = decodeSilence(stored('(['));
		expect(typeof reason).toBe('string');
		expect(reason).toBe('matcher alertname=~"([": bad regular expression: missing closing ]: `[`');
		expect(skippedText('silence', [{field: 'badre', reason: reason as string}])).toBe(`1 stored silence skipped: badre (${reason as string})`);
		// JavaScript syntax RE2 does not have: backreferences, lookaround.
		for (const value of ['(a)\\1', '(?=x)x', '(?!x).', '(?<=a)b'])
			expect(decodeSilence(stored(value)), value).toMatch(/^matcher alertname=~".*": bad regular expression: .*\(RE2 syntax, as in Alertmanager: no backreferences or lookaround\)$/);
		expect(decodeSilence(stored('a{1001}'))).toMatch(/invalid repeat count/);
		expect(decodeSilence(stored('(?:a?){600}'))).toMatch(/too large \(1202 RE2 instructions, at most 1000\)$/);
		// A good one still decodes, RE2-only syntax included.
		expect(decodeSilence(stored('(?i)NON_finite_.*'))).toMatchObject({id: 'badre', matchers: [{name: 'alertname', value: '(?i)NON_finite_.*', isRegex: true}]});
	});

	it('built in code, it matches nothing (=~ and !~) and silencedBy does not throw; it cannot be stored', async () => {
		const bad = silence([regex('alertname', '([')]);
		expect(() => silencedBy([bad], 'low_throughput', {}, NOW)).not.toThrow();
		expect(silencedBy([bad], 'low_throughput', {}, NOW)).toBeUndefined();
		expect(silencedBy([silence([regex('alertname', '([', false)])], 'low_throughput', {}, NOW)).toBeUndefined();
		expect(silenceWriteProblem(bad, NOW)).toBe('matcher alertname=~"([": bad regular expression: missing closing ]: `[`');
		await expect(new MemoryAlertStorage().putSilence(bad)).rejects.toThrow(/^silence not stored: matcher alertname=~"\(\[": bad regular expression/);
	});
});

describe('regex matching: RE2, anchored, linear time', () => {
	it('matches the whole value, as Alertmanager does', () => {
		const m = (value: string, actual: string, isEqual = true) => matchersMatch([regex('gpu', value, isEqual)], {gpu: actual});
		expect(m('0|1', '1')).toBe(true);
		expect(m('0|1', '10')).toBe(false);
		expect(m('a|ab', 'ab')).toBe(true);
		expect(m('gpu.*', 'xgpu0')).toBe(false);
		expect(m('', '')).toBe(true);
		expect(matchersMatch([regex('missing', '')], {})).toBe(true); // a missing label is ""
		expect(m('(?i)GPU[0-9]+', 'gpu12')).toBe(true); // RE2 flags, which JavaScript refused
		expect(m('0|1', '2', false)).toBe(true);
		expect(m('0|1', '1', false)).toBe(false);
	});

	it('(a+)+ against a 40-character project id returns in well under 2 s (JavaScript RegExp: forever)', async () => {
		// In a child process, so that a backtracking matcher fails this test instead of freezing the test run.
		const dir = mkdtempSync(join(tmpdir(), 'mycotop-re2-'));
		await build({
			entryPoints: [fileURLToPath(new URL('../../src/rules/ack-silence.ts', import.meta.url))],
			outfile: join(dir, 'ack-silence.mjs'),
			bundle: true,
			format: 'esm',
			platform: 'node',
			logLevel: 'silent',
		});
		const probe = `
			import {silencedBy} from './ack-silence.mjs';
			const s = {id: 's', matchers: [{name: 'alertname', value: 'non_finite_loss', isRegex: false, isEqual: true}, {name: 'project', value: '(a+)+', isRegex: true, isEqual: true}], startsMs: 0, endsMs: 1e12, createdBy: 'a', comment: 'c'};
			const t0 = performance.now();
			const miss = silencedBy([s], 'non_finite_loss', {project: 'a'.repeat(40) + '!'}, 1);
			const ms = performance.now() - t0;
			const hit = silencedBy([s], 'non_finite_loss', {project: 'a'.repeat(40)}, 1);
			console.log(JSON.stringify({ms, miss: miss?.id ?? null, hit: hit?.id ?? null}));`;
		writeFileSync(join(dir, 'probe.mjs'), probe);
		const run = spawnSync(process.execPath, [join(dir, 'probe.mjs')], {encoding: 'utf8', timeout: 10_000, killSignal: 'SIGKILL'});
		expect(run.signal, 'the matcher did not return within 10 s').toBeNull();
		expect(run.status, run.stderr).toBe(0);
		const out = JSON.parse(run.stdout) as {ms: number; miss: string | null; hit: string | null};
		expect(out).toMatchObject({miss: null, hit: 's'});
		// The first match also compiles the pattern: 7-31 ms on a loaded 2-core machine (6 busy loops), so 100 ms had a 3x
		// margin only. A backtracking matcher takes 2^40 steps here (hours): 2 s still tells the two apart.
		expect(out.ms).toBeLessThan(2000);
	});
});

describe('where a pattern is given', () => {
	it('parseMatcher refuses what RE2 refuses, with the reason; parseSelector passes it on', () => {
		expect(parseMatcher('project=~([')).toBe('bad regular expression in matcher "project=~([": missing closing ]: `[`');
		expect(parseMatcher('project=~(a)\\1')).toBe(
			'bad regular expression in matcher "project=~(a)\\1": invalid escape sequence: `\\1` (RE2 syntax, as in Alertmanager: no backreferences or lookaround)',
		);
		expect(parseMatcher(`project=~${'a'.repeat(257)}`)).toMatch(/: longer than 256 characters$/);
		expect(parseMatcher('project=~(a+)+')).toEqual(regex('project', '(a+)+'));
		expect(parseSelector('training_loss{project!~"(?=p)"}')).toMatch(/^bad regular expression in matcher "project!~"\(\?=p\)"": invalid or unsupported Perl syntax/);
	});

	it('mycotop silence: exit 2 with the reason, nothing stored', async () => {
		for (const [pattern, reason] of [
			['([', 'missing closing ]'],
			['(a)\\1', 'no backreferences or lookaround'],
			['(?<!x)y', 'no backreferences or lookaround'],
		] as const) {
			const lines: string[] = [];
			// A closed port: should the matcher be accepted, the command fails to connect (exit 1), it writes nowhere.
			const code = await runCommand(['silence', 'non_finite_loss', `project=~${pattern}`, '--for', '2h', '--comment', 'x', '--redis-url', 'redis://127.0.0.1:1'], {REDIS_URL: ''}, {
				out: (s) => lines.push(s),
				err: (s) => lines.push(s),
			});
			expect(code, pattern).toBe(2);
			expect(lines.join('\n'), pattern).toContain(`bad regular expression in matcher "project=~${pattern}": `);
			expect(lines.join('\n'), pattern).toContain(reason);
		}
	});

	it('a config rule: file:line: field: reason', () => {
		const yaml = [
			'rules:', //                                                   1
			'  - alert: a', //                                             2
			`    series: 'training_loss{project=~"(a)\\1"}'`, //          3
			'    condition: value > 5', //                                 4
			'  - alert: b', //                                             5
			'    series: training_loss{project!~"(?=x)y"}', //            6
			'    condition: value > 5', //                                 7
			'  - alert: c', //                                             8
			'    series: training_loss{project=~"(?i)p-.*"}', //          9
			'    condition: value > 5', //                                 10
		].join('\n');
		const r = parseConfig(yaml, 'c.yaml');
		expect(r.ok).toBe(false);
		const out = r.ok ? [] : r.issues.map(formatIssue);
		expect(out).toEqual([
			'c.yaml:3: rules.0.series: bad regular expression in matcher "project=~"(a)\\1"": invalid escape sequence: `\\1` (RE2 syntax, as in Alertmanager: no backreferences or lookaround)',
			'c.yaml:6: rules.1.series: bad regular expression in matcher "project!~"(?=x)y"": invalid or unsupported Perl syntax: `(?=` (RE2 syntax, as in Alertmanager: no backreferences or lookaround)',
		]);
	});
});
