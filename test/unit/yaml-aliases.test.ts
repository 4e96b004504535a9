/**
Alias reuse is ordinary, an alias bomb is not (src/config/yaml-file.ts). A rule file of 101 rules whose `for:` is
`*f` used to be refused as "aliases expand too far" (the yaml package's guard at 100) though 500 rules are allowed;
the bound is now what the aliases expand to (nodes), counted in one linear pass, plus a cap on the aliases
themselves (the yaml package resolves each with a scan of those before it).
*/
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseYaml, YAML_LIMITS} from '../../src/config/yaml-file.js';
import {loadRuleList} from '../../src/rules/rule-test.js';
import {MAX_RULES} from '../../src/rules/user-rules.js';
import {ALIAS_BOMB} from '../helpers/hostile-yaml.js';

const dir = mkdtempSync(join(tmpdir(), 'mycotop-aliases-'));
function file(name: string, text: string): string {
	const path = join(dir, name);
	writeFileSync(path, text);
	return path;
}

/** `n` rules, each reusing the anchors `f` (for) and `s` (severity). */
const reusingRules = (n: number) =>
	`defaults:\n  for: &f 5m\n  severity: &s warning\nrules:\n${Array.from({length: n}, (_, i) => `  - alert: r${i}\n    series: gpu_temperature_celsius\n    condition: value > 80\n    for: *f\n    severity: *s\n`).join('')}`;

const timed = <T>(f: () => T): [T, number] => {
	const started = performance.now();
	const value = f();
	return [value, performance.now() - started];
};

describe('YAML aliases: reuse passes, bombs are refused quickly', () => {
	it('101 rules with `for: *f` load (they were refused as an alias bomb)', () => {
		const list = loadRuleList(file('101.yaml', reusingRules(101)));
		expect(list.errors).toEqual([]);
		expect(list.rules).toHaveLength(101);
	});

	it(`${MAX_RULES} rules reusing one anchor in every rule (two aliases each) load, with the alias resolved`, () => {
		const list = loadRuleList(file('500.yaml', reusingRules(MAX_RULES)));
		expect(list.errors).toEqual([]);
		expect(list.refused).toBeFalsy();
		expect(list.rules).toHaveLength(MAX_RULES);
		const loaded = parseYaml(reusingRules(MAX_RULES));
		expect(loaded.ok).toBe(true);
		if (loaded.ok) expect((loaded.value as {rules: Array<{for: string}>}).rules.every((r) => r.for === '5m')).toBe(true);
	});

	it('the billion-laughs bomb is still refused, at its first alias, in well under a second', () => {
		const [loaded, ms] = timed(() => parseYaml(ALIAS_BOMB));
		expect(loaded.ok).toBe(false);
		if (!loaded.ok) expect(loaded.problems[0]).toMatchObject({line: 4, refused: true, message: expect.stringMatching(/^aliases expand too far/)});
		expect(ms).toBeLessThan(1000);
		// Deeper and wider bombs cost the same linear pass.
		const wide = ['a: &a [x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x]', ...Array.from({length: 30}, (_, i) => `l${i}: &l${i} [${Array(16).fill(i === 0 ? '*a' : `*l${i - 1}`).join(',')}]`), ''].join('\n');
		const [bomb, wideMs] = timed(() => parseYaml(wide));
		expect(bomb.ok).toBe(false);
		if (!bomb.ok) expect(bomb.problems[0]!.message).toMatch(/^aliases expand too far \(more than 2,000,000 nodes/);
		expect(wideMs).toBeLessThan(1000);
	});

	it('one large anchor aliased until it expands past the node budget is refused', () => {
		const anchor = `[${Array.from({length: 1000}, () => `[${Array(50).fill(1).join(',')}]`).join(',')}]`; // 51,001 nodes
		expect(parseYaml(`a: &a ${anchor}\nl: [${Array(30).fill('*a').join(',')}]\n`).ok).toBe(true);
		const loaded = parseYaml(`a: &a ${anchor}\nl: [${Array(40).fill('*a').join(',')}]\n`);
		expect(loaded.ok).toBe(false);
		if (!loaded.ok) expect(loaded.problems[0]).toMatchObject({line: 2, refused: true});
	});

	it(`up to ${YAML_LIMITS.maxAliases} aliases load; one more is refused (each costs the yaml package a scan)`, () => {
		const aliases = (n: number) => `a: &a 1\nl:\n${Array.from({length: Math.ceil(n / 1000)}, (_, i) => `  - [${Array(Math.min(1000, n - i * 1000)).fill('*a').join(',')}]`).join('\n')}\n`;
		const [ok, ms] = timed(() => parseYaml(aliases(YAML_LIMITS.maxAliases)));
		expect(ok.ok).toBe(true);
		expect(ms).toBeLessThan(5000); // about 0.3 s alone on the 2-core VM
		const refused = parseYaml(aliases(YAML_LIMITS.maxAliases + 1));
		expect(!refused.ok && refused.problems[0]).toMatchObject({line: 3 + YAML_LIMITS.maxAliases / 1000, refused: true, message: `aliases expand too far (more than ${YAML_LIMITS.maxAliases} aliases)`});
	});

	it('an alias inside the node it names (endless once expanded) is refused, not loaded as a cycle', () => {
		const loaded = parseYaml('ui:\n  ascii: true\nloop: &a [1, *a]\n');
		expect(!loaded.ok && loaded.problems[0]).toMatchObject({line: 3, refused: true, message: 'aliases expand too far (*a is inside the node it names and expands without end)'});
	});
});
