/**
`mycotop completion bash|zsh`: the scripts the built CLI prints, loaded into a real bash (and zsh where installed),
complete what the flag tables hold. Bash's completion function is run the way bash runs it on TAB (COMP_WORDS,
COMP_CWORD set, COMPREPLY read back). Expected words come from the tables themselves (flagTable, SUBCOMMANDS), so
a flag added to a table must complete without anyone editing the scripts.
*/
import {beforeAll, describe, expect, it} from 'vitest';
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {flagTable} from '../../src/config/flags.js';
import {completionSpec, SUBCOMMANDS} from '../../src/commands.js';
import {completionScript, type CompletionSpec} from '../../src/config/completion.js';
import {CLI, runCli} from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'mycotop-completion-'));
const globalFlags = flagTable().map((f) => `--${f.name}`);
const commandFlags = completionSpec().commandFlags.map((f) => `--${f.name}`);

/** The words bash would offer on TAB after `words` (the last one being completed), in `cwd`. */
function bashComplete(script: string, words: readonly string[], cwd = work): string[] {
	const file = join(work, `script-${Math.random().toString(36).slice(2)}.bash`);
	writeFileSync(file, script);
	const quoted = words.map((w) => `'${w.replaceAll("'", "'\\''")}'`).join(' ');
	const program = `source ${file}; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _mycotop; printf '%s\\n' "\${COMPREPLY[@]}"`;
	const out = execFileSync('bash', ['-c', program], {cwd, encoding: 'utf8'});
	return out.split('\n').filter((w) => w !== '').sort();
}

const starting = (words: readonly string[], prefix: string) => words.filter((w) => w.startsWith(prefix)).sort();

describe('bash', () => {
	let script: string;
	beforeAll(async () => {
		const r = await runCli(['completion', 'bash']);
		expect(r.code, r.stderr).toBe(0);
		script = r.stdout;
	});

	it('source <(mycotop completion bash) registers the completion', () => {
		const out = execFileSync('bash', ['-c', `source <("${process.execPath}" "${CLI}" completion bash); complete -p mycotop`], {encoding: 'utf8'});
		expect(out.trim()).toBe('complete -o filenames -F _mycotop mycotop');
	});

	it('completes every global flag from its prefix, and the commands as the first word', () => {
		expect(bashComplete(script, ['mycotop', '--'])).toEqual([...globalFlags].sort());
		expect(bashComplete(script, ['mycotop', '--re'])).toEqual(starting(globalFlags, '--re'));
		expect(bashComplete(script, ['mycotop', '--once', '--j'])).toEqual(['--json']);
		expect(bashComplete(script, ['mycotop', ''])).toEqual([...SUBCOMMANDS].sort());
		expect(bashComplete(script, ['mycotop', 'co'])).toEqual(starting([...SUBCOMMANDS], 'co'));
		// A command is only a command as the first word, as main.ts dispatches.
		expect(bashComplete(script, ['mycotop', '--once', 'a'])).toEqual([]);
	});

	it('completes flag values: choices, file names, nothing for free text', () => {
		mkdirSync(join(work, 'conf'), {recursive: true});
		writeFileSync(join(work, 'conf', 'mycotop.yaml'), '');
		expect(bashComplete(script, ['mycotop', '--charts', ''])).toEqual(['block', 'braille']);
		expect(bashComplete(script, ['mycotop', '--config', 'conf/my'])).toEqual(['conf/mycotop.yaml']);
		expect(bashComplete(script, ['mycotop', '--refresh', ''])).toEqual([]);
		expect(bashComplete(script, ['mycotop', 'ack', '--for', ''])).toEqual([]);
	});

	it('a file name with a space or a glob character completes as one word, as it is', () => {
		const d = join(work, 'odd');
		mkdirSync(d, {recursive: true});
		writeFileSync(join(d, 'my config.yaml'), '');
		writeFileSync(join(d, 'rules*.yaml'), '');
		writeFileSync(join(d, 'rules-x.yaml'), '');
		expect(bashComplete(script, ['mycotop', '--config', 'my'], d)).toEqual(['my config.yaml']);
		expect(bashComplete(script, ['mycotop', 'init', 'my'], d)).toEqual(['my config.yaml']);
		expect(bashComplete(script, ['mycotop', 'rules', 'check', 'rules*'], d)).toEqual(['rules*.yaml']);
	});

	it('after a command: its options, its words, then file names where a file goes', () => {
		writeFileSync(join(work, 'rules-a.yaml'), '');
		writeFileSync(join(work, 'rules-b.yaml'), '');
		expect(bashComplete(script, ['mycotop', 'init', '--'])).toEqual([...commandFlags].sort());
		expect(bashComplete(script, ['mycotop', 'init', '--f'])).toEqual(starting(commandFlags, '--f'));
		expect(bashComplete(script, ['mycotop', 'rules', ''])).toEqual(['check', 'list', 'test']);
		// The value of --config is skipped when finding the command's word.
		expect(bashComplete(script, ['mycotop', 'rules', '--config', 'x.yaml', 'c'])).toEqual(['check']);
		expect(bashComplete(script, ['mycotop', 'rules', 'check', 'rules-'])).toEqual(['rules-a.yaml', 'rules-b.yaml']);
		expect(bashComplete(script, ['mycotop', 'rules', 'list', 'rules-'])).toEqual([]);
		expect(bashComplete(script, ['mycotop', 'init', 'rules-'])).toEqual(['rules-a.yaml', 'rules-b.yaml']);
		expect(bashComplete(script, ['mycotop', 'completion', ''])).toEqual(['bash', 'zsh']);
	});

	it('is generated from the tables: a new flag or command completes, a name that is not a plain word is refused', () => {
		const spec = completionSpec();
		const more: CompletionSpec = {...spec, flags: [...spec.flags, {name: 'frobnicate', value: 'FILE', help: 'x'}], commands: [...spec.commands, {name: 'grow', words: ['tall']}]};
		const generated = completionScript('bash', more);
		expect(bashComplete(generated, ['mycotop', '--frob'])).toEqual(['--frobnicate']);
		expect(bashComplete(generated, ['mycotop', '--frobnicate', 'conf/'])).toEqual(['conf/mycotop.yaml']);
		expect(bashComplete(generated, ['mycotop', 'grow', ''])).toEqual(['tall']);
		expect(() => completionScript('bash', {...spec, flags: [{name: 'x"; rm -rf ~; "', help: ''}]})).toThrow(/not a plain word/);
	});

	it('an unknown shell is a usage error', async () => {
		const r = await runCli(['completion', 'fish']);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain('completion takes one shell: bash or zsh');
	});
});

const zsh = spawnSync('zsh', ['--version']).status === 0;

describe.runIf(zsh)('zsh', () => {
	let file: string;
	beforeAll(async () => {
		const r = await runCli(['completion', 'zsh']);
		expect(r.code, r.stderr).toBe(0);
		file = join(work, '_mycotop');
		writeFileSync(file, r.stdout);
	});

	it('parses, and sourcing it after compinit registers _mycotop for mycotop', () => {
		expect(spawnSync('zsh', ['-n', file]).status).toBe(0);
		const out = execFileSync('zsh', ['-f', '-c', `autoload -U compinit; compinit -u -d ${join(work, 'zcompdump')}; source ${file}; print -r -- $_comps[mycotop]`], {encoding: 'utf8'});
		expect(out.trim()).toBe('_mycotop');
	});

	/** What zsh offers on TAB after `line`, in a real interactive zsh (test/helpers/zsh-complete.zsh). */
	function zshComplete(line: string): string[] {
		const out = join(work, `zsh-${Math.random().toString(36).slice(2)}.out`);
		execFileSync('zsh', ['-f', join(import.meta.dirname, '../helpers/zsh-complete.zsh'), file, out, line], {timeout: 20_000});
		return existsSync(out) ? [...new Set(readFileSync(out, 'utf8').split('\n').filter((w) => w !== ''))].sort() : [];
	}

	it('completes flag prefixes, commands, their words and flag values in a real zsh', () => {
		mkdirSync(join(work, 'zconf'), {recursive: true});
		writeFileSync(join(work, 'zconf', 'mycotop.yaml'), '');
		expect(zshComplete('mycotop --re')).toEqual(starting(globalFlags, '--re'));
		expect(zshComplete('mycotop ')).toEqual([...SUBCOMMANDS].sort());
		expect(zshComplete('mycotop rules ')).toEqual(['check', 'list', 'test']);
		expect(zshComplete('mycotop --charts ')).toEqual(['block', 'braille']);
		expect(zshComplete('mycotop init --f')).toEqual(starting(commandFlags, '--f'));
		expect(zshComplete(`mycotop --config ${join(work, 'zconf')}/my`)).toEqual(['mycotop.yaml']);
	});

	it('holds every global flag and command option, with the values each takes', async () => {
		const text = (await runCli(['completion', 'zsh'])).stdout;
		for (const flag of [...globalFlags, ...commandFlags]) expect(text).toContain(`'${flag}[`);
		expect(text).toContain(":MODE:(braille block)'");
		expect(text).toContain(':FILE:_files');
		expect(text).toContain(`'1:command:(${[...SUBCOMMANDS].join(' ')})'`);
	});
});
