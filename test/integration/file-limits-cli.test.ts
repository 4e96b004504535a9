/**
The built CLI on hostile config and rule files (issue 10: a YAML alias bomb given to `rules check` or `--config`
ended in a stack trace, exit 1). Each refusal is one `file:line: (file): problem` line and exit 2, never a stack.
*/
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';
import {requireBuild} from '../faults/harness.js';
import {ALIAS_BOMB} from '../helpers/hostile-yaml.js';

const dir = mkdtempSync(join(tmpdir(), 'mycotop-file-cli-'));
const file = (name: string, text: string) => {
	const path = join(dir, name);
	writeFileSync(path, text);
	return path;
};

const CASES: ReadonlyArray<[string, string, RegExp]> = [
	['alias bomb', ALIAS_BOMB, /:4: \(file\): aliases expand too far/],
	['over 1 MiB', `# ${'x'.repeat(1024 * 1024)}\n`, /:0: \(file\): file is larger than the 1\.0 MiB allowed/],
	['deep nesting', `rules: ${'['.repeat(200_000)}${']'.repeat(200_000)}\n`, /:1: \(file\): nested more than 64 levels deep/],
	['501 rules', `rules:\n${'  - builtin: loss_plateau\n'.repeat(501)}`, /:2: rules: 501 rules, more than the 500 allowed/],
];

describe('hostile config and rule files', () => {
	beforeAll(() => requireBuild());

	for (const [name, text, message] of CASES) {
		it(`${name}: --once --config and rules check exit 2 with file:line, no stack trace`, async () => {
			const path = file(`${name.replace(/\W+/g, '-')}.yaml`, text);
			const runs = [
				['--config', await runCli(['--once', '--embedded', '--no-gpu', '--config', path])],
				['rules check', await runCli(['rules', 'check', path])],
				['alert command --config', await runCli(['rules', 'list', '--config', path])],
			] as const;
			for (const [how, run] of runs) {
				expect(run.code, how).toBe(2);
				expect(run.stderr, how).toContain(path);
				expect(run.stderr, how).toMatch(message);
				expect(run.stderr, how).not.toMatch(/\n\s+at |RangeError|ReferenceError|Invalid time value/);
			}
		}, 60_000);
	}
});
