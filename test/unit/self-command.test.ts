/**
The single file runs itself as the demo's nvidia-smi through a generated /bin/sh script (single-file/self-command.ts).
Every path goes into that script quoted: any text (quotes, $, backticks, newlines, spaces, wide characters) must
reach the program as the very same argument, and the caller's arguments after it.
*/
import {describe, expect, it} from 'vitest';
import {execFileSync} from 'node:child_process';
import {chmodSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import fc from 'fast-check';
import {DEMO_NVIDIA_SMI_ROLE, roleScript, shellQuote} from '../../src/single-file/self-command.js';

describe('shellQuote', () => {
	it('any text without NUL comes back from /bin/sh unchanged', () => {
		fc.assert(
			fc.property(fc.string({unit: fc.oneof(fc.constantFrom("'", '"', '$', '`', '\\', '\n', '\t', ' ', '*', '!', '界', '😀'), fc.string({maxLength: 1})), maxLength: 40}).filter((s) => !s.includes('\0')), (text) => {
				expect(execFileSync('/bin/sh', ['-c', `printf '%s' ${shellQuote(text)}`], {encoding: 'utf8'})).toBe(text);
			}),
			{numRuns: 60},
		);
		for (const hostile of ["it's", '$(touch /tmp/pwned)', '`id`', 'a\nb', ' ', '', "'; rm -rf ~; '"])
			expect(execFileSync('/bin/sh', ['-c', `printf '%s' ${shellQuote(hostile)}`], {encoding: 'utf8'})).toBe(hostile);
	});
});

describe('roleScript', () => {
	it('runs the command with the role set and the caller\'s arguments after it', () => {
		const dir = mkdtempSync(join(tmpdir(), "mycotop-role '$x"));
		const program = join(dir, "print me's.js");
		writeFileSync(program, 'process.stdout.write(JSON.stringify([process.env.MYCOTOP_ROLE, ...process.argv.slice(2)]))');
		const script = join(dir, 'nvidia-smi');
		writeFileSync(script, roleScript([process.execPath, program], DEMO_NVIDIA_SMI_ROLE));
		chmodSync(script, 0o700);
		const out = execFileSync(script, ['--query-gpu=index,name', '-lms', '$HOME'], {encoding: 'utf8'});
		expect(JSON.parse(out)).toEqual(['demo-nvidia-smi', '--query-gpu=index,name', '-lms', '$HOME']);
	});
});
