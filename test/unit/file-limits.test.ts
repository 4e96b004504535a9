/**
Config and rule files are read within limits (src/config/yaml-file.ts): an alias bomb, a file over 1 MiB, nesting
deeper than 64 and more than 500 rules each give `file:line: problem` and a refusal, never a throw.
*/
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {formatIssue, loadConfig, parseConfig} from '../../src/config/config.js';
import {distinctProblems, MAX_YAML_PROBLEMS, parseYaml, YAML_LIMITS} from '../../src/config/yaml-file.js';
import {loadRuleList, runRuleTests} from '../../src/rules/rule-test.js';
import {MAX_RULES, validateRules} from '../../src/rules/user-rules.js';
import {ALIAS_BOMB} from '../helpers/hostile-yaml.js';
import {CLI} from '../helpers/cli.js';


const dir = mkdtempSync(join(tmpdir(), 'mycotop-limits-'));
function file(name: string, text: string): string {
	const path = join(dir, name);
	writeFileSync(path, text);
	return path;
}

const deepFlow = (n: number) => `rules: ${'['.repeat(n)}${']'.repeat(n)}\n`;
const deepBlock = (n: number) => Array.from({length: n}, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' x\n';
const manyRules = (n: number) => `rules:\n${Array.from({length: n}, (_, i) => `  - alert: r${i}\n    series: gpu_temperature_celsius\n    condition: value > 80\n`).join('')}`;

describe('YAML limits', () => {
	it('an alias bomb is refused with the line of its first alias', () => {
		const loaded = parseYaml(ALIAS_BOMB);
		expect(loaded.ok).toBe(false);
		if (loaded.ok) return;
		expect(loaded.problems[0]).toMatchObject({line: 4, refused: true});
		expect(loaded.problems[0]!.message).toMatch(/alias/);
		const config = parseConfig(ALIAS_BOMB, 'bomb.yaml');
		expect(config.ok).toBe(false);
		if (!config.ok) expect(formatIssue(config.issues[0]!)).toMatch(/^bomb\.yaml:4: \(file\): aliases expand too far/);
	});

	it('ordinary aliases still work', () => {
		const loaded = parseYaml('base: &b {ascii: true}\nui: *b\n');
		expect(loaded.ok && loaded.value).toEqual({base: {ascii: true}, ui: {ascii: true}});
	});

	it('nesting deeper than the limit is refused, flow or block, at any depth up to 100,000', () => {
		expect(parseYaml(deepFlow(YAML_LIMITS.maxDepth - 2)).ok).toBe(true);
		for (const n of [YAML_LIMITS.maxDepth + 1, 1000, 100_000]) {
			const loaded = parseYaml(deepFlow(n));
			expect(loaded.ok, `flow ${n}`).toBe(false);
			if (!loaded.ok) expect(loaded.problems[0]).toMatchObject({refused: true, message: `nested more than ${YAML_LIMITS.maxDepth} levels deep`});
		}
		const block = parseYaml(deepBlock(200));
		expect(block.ok).toBe(false);
		if (!block.ok) expect(block.problems[0]).toMatchObject({refused: true, line: 65});
	});

	it('a mapping or list with more than 2,000 entries is refused (the yaml package checks keys pair by pair)', () => {
		const keys = (n: number) => `ui:\n  ascii: true\nbig:\n${Array.from({length: n}, (_, i) => `  k${i}: ${i}`).join('\n')}\n`;
		expect(parseYaml(keys(YAML_LIMITS.maxItems)).ok).toBe(true);
		const loaded = parseYaml(keys(60_000));
		expect(!loaded.ok && loaded.problems[0]).toEqual({line: 4, message: '60000 entries in one mapping, more than the 2000 allowed', refused: true});
		const list = parseYaml(`a: [${Array(YAML_LIMITS.maxItems + 1).fill('1').join(',')}]`);
		expect(!list.ok && list.problems[0]).toMatchObject({line: 1, refused: true});
	});

	it('a file over 1 MiB is refused before it is parsed', () => {
		const big = `# ${'x'.repeat(YAML_LIMITS.maxBytes)}\n`;
		const loaded = parseYaml(big);
		expect(!loaded.ok && loaded.problems[0]).toMatchObject({line: 0, refused: true});
		const path = file('big.yaml', big);
		const config = loadConfig(path);
		expect(config.ok).toBe(false);
		if (!config.ok) expect(formatIssue(config.issues[0]!)).toBe(`${path}:0: (file): file is larger than the 1.0 MiB allowed`);
		const rules = loadRuleList(path);
		expect(rules.refused).toBe(true);
		expect(rules.errors[0]).toBe(`${path}:0: (file): file is larger than the 1.0 MiB allowed`);
	});

	it('more than 500 rules are refused whole, in a config, a rule file and a rule test', () => {
		expect(validateRules(Array(MAX_RULES).fill({builtin: 'loss_plateau'})).some(([, m]) => /allowed/.test(m))).toBe(false);
		const text = manyRules(MAX_RULES + 1);
		const config = parseConfig(text, 'many.yaml');
		expect(config.ok).toBe(false);
		if (!config.ok) expect(config.issues.map(formatIssue)).toEqual([`many.yaml:2: rules: ${MAX_RULES + 1} rules, more than the ${MAX_RULES} allowed`]);
		const path = file('many.yaml', text);
		const list = loadRuleList(path);
		expect(list).toMatchObject({refused: true, rules: []});
		expect(list.errors).toEqual([`${path}:2: rules: ${MAX_RULES + 1} rules, more than the ${MAX_RULES} allowed`]);
		const test = file('many.test.yaml', `rule_files: [many.yaml]\ntests: []\n`);
		expect(runRuleTests(test)).toMatchObject({ok: false, refused: true});
	});

	it('a rule file or test with an alias bomb or deep nesting is refused, not thrown', () => {
		const bomb = file('bomb.yaml', ALIAS_BOMB);
		expect(() => loadRuleList(bomb)).not.toThrow();
		expect(loadRuleList(bomb)).toMatchObject({refused: true});
		expect(loadRuleList(bomb).errors[0]).toMatch(new RegExp(`^${bomb}:4: \\(file\\): aliases expand too far`));
		const deep = file('deep.yaml', deepFlow(5000));
		expect(loadRuleList(deep)).toMatchObject({refused: true});
		expect(runRuleTests(deep)).toMatchObject({ok: false, refused: true});
		expect(runRuleTests(bomb)).toMatchObject({ok: false, refused: true});
	});

	it('durations past 365d are refused in the config and in rules', () => {
		const config = parseConfig('alerting:\n  repeatInterval: 366d\nrules:\n  - builtin: loss_plateau\n    for: 99999999d\n', 'c.yaml');
		expect(config.ok).toBe(false);
		if (!config.ok) {
			expect(config.issues.map(formatIssue)).toEqual([
				'c.yaml:2: alerting.repeatInterval: expected a duration like 1s, 5m (or milliseconds), at most 365d, got "366d"',
				'c.yaml:5: rules.0.for: expected a duration like 30s, 5m, 1h (or milliseconds), at most 365d, got "99999999d"',
			]);
		}
		expect(parseConfig('alerting:\n  repeatInterval: 365d\n', 'c.yaml').ok).toBe(true);
	});
});

describe('files that answer garbage', () => {
	it('a YAML syntax error is reported at its own line, not at line 1', () => {
		const tab = parseYaml('rules:\n  - alert: x\n\t  series: y\n');
		expect(tab.ok).toBe(false);
		if (!tab.ok) expect(tab.problems[0]!.line).toBe(3);
		const flow = parseYaml('ui:\n  refreshMs: 500\ngpu:\n  intervalMs: 1000\nrules: [\n');
		expect(flow.ok).toBe(false);
		if (!flow.ok) expect(flow.problems[0]!.line).toBeGreaterThan(1);
	});

	it('a named pipe as --config or a rule file is refused at once (it used to block forever in open)', () => {
		const fifo = join(dir, 'fifo');
		execFileSync('mkfifo', [fifo]);
		// Exit codes as for a directory or a missing file: 1 from `rules check` (a file it cannot read), 2 for --config.
		for (const [args, status] of [[['rules', 'check', fifo], 1], [['--once', '--embedded', '--no-gpu', '--config', fifo], 2]] as const) {
			const run = spawnSync(process.execPath, [CLI, ...args], {timeout: 10_000, encoding: 'utf8'});
			expect(run.signal, `${args.join(' ')} hung`).toBeNull();
			expect(run.status).toBe(status);
			expect(run.stderr + run.stdout).toMatch(/not a regular file/);
			expect(run.stderr).not.toMatch(/\n\s+at /);
		}
	});
});

describe('YAML syntax problems as reported', () => {
	const problem = (line: number, message: string, refused = false) => ({line, message, refused});

	it('the parser reports one fault several times: each line and message is kept once, in order', () => {
		const loaded = parseYaml('redis: [unclosed\n  url: {{{ \n: : :\n\t- bad\n');
		expect(loaded.ok).toBe(false);
		if (loaded.ok) return;
		const keys = loaded.problems.map((p) => `${p.line} ${p.message}`);
		expect(new Set(keys).size).toBe(keys.length);
		expect(keys).toContain('3 Flow map in block collection must be sufficiently indented and end with a }');
	});

	it('distinctProblems: duplicates dropped, line order (stable), past eleven the first ten and a count of the rest', () => {
		expect(distinctProblems([problem(2, 'a'), problem(1, 'b'), problem(2, 'a'), problem(2, 'c')])).toEqual([problem(1, 'b'), problem(2, 'a'), problem(2, 'c')]);
		const many = Array.from({length: MAX_YAML_PROBLEMS + 3}, (_, i) => problem(i + 1, `m${i}`));
		// Given out of order and twice over: shown in line order, the rest counted from the line where it begins.
		const shown = distinctProblems([...many].reverse().concat(many));
		expect(shown).toHaveLength(MAX_YAML_PROBLEMS + 1);
		expect(shown.slice(0, MAX_YAML_PROBLEMS)).toEqual(many.slice(0, MAX_YAML_PROBLEMS));
		expect(shown.at(-1)).toEqual(problem(MAX_YAML_PROBLEMS + 1, 'and 3 more YAML problems from this line on'));
		// One more than ten: shown, not replaced by a count of one.
		const eleven = many.slice(0, MAX_YAML_PROBLEMS + 1);
		expect(distinctProblems(eleven)).toEqual(eleven);
		// A refusal among the rest is shown with its reason, never counted away.
		const refusal = problem(99, 'nested more than 64 levels deep', true);
		const withRefusal = distinctProblems([...many, refusal]);
		expect(withRefusal).toContainEqual(refusal);
		expect(withRefusal.at(-1)).toEqual(problem(MAX_YAML_PROBLEMS + 1, 'and 3 more YAML problems from this line on'));
	});
});
