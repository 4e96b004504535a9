/**
A command receiver's arguments are secrets: a program that echoes one (or one word of one) on stderr shows `***`
in the excerpt, and the config-wide redaction removes them too. Arguments may name environment variables
(`${VAR}`), expanded like URLs. Real processes.
*/
import {describe, expect, it} from 'vitest';
import {parseConfig} from '../../src/config/config.js';
import {commandSecrets, receiverSecrets} from '../../src/notify/notify-config.js';
import {runCommand} from '../../src/notify/command-runner.js';
import {secretsRedactor} from '../../src/notify/secrets.js';
import {outcomeText} from '../../src/notify/retry-policy.js';

const ECHO = 'echo "auth failed for $1" >&2; exit 1';

describe('command argv secrets', () => {
	it('never shows an argument echoed on stderr, whole or a word of it', async () => {
		for (const secret of ['Bearer sk-live-abcdefghijklmnop', 'hunter2hunter2secretpassword']) {
			const outcome = await runCommand({argv: ['sh', '-c', ECHO, 'x', secret], stdin: '{}'}, 5000);
			expect(outcome).toMatchObject({kind: 'exit', code: 1});
			const text = outcomeText(outcome);
			expect(text).toContain('auth failed for');
			expect(text).not.toMatch(/abcdefghijklmnop|hunter2hunter2/);
		}
	});

	it('takes every argument after the program, and its words of 8 characters or more', () => {
		expect(commandSecrets(['/bin/mail', '--to', 'Bearer sk-live-abcdefghijklmnop', ''])).toEqual(['--to', 'Bearer sk-live-abcdefghijklmnop', 'sk-live-abcdefghijklmnop']);
	});

	it('expands ${VAR} in argv, says which variable is missing, and redacts the expanded argument', () => {
		const yaml = 'notify:\n  receivers:\n    - name: mail\n      command: {argv: [/bin/notify-send, "--token=${MAIL_TOKEN}"]}\n';
		const parsed = parseConfig(yaml, 'c.yaml', {MAIL_TOKEN: 'tok-99887766554433'});
		if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
		const notify = parsed.config.notify!;
		const mail = notify.receivers.get('mail');
		expect(mail?.type === 'command' && [mail.program, ...mail.args.map((a) => a.reveal())]).toEqual(['/bin/notify-send', '--token=tok-99887766554433']);
		expect(JSON.stringify(mail)).not.toContain('tok-99887766554433');
		const redact = secretsRedactor(receiverSecrets(notify).map((s) => s.reveal()));
		expect(redact('rejected --token=tok-99887766554433')).not.toContain('tok-99887766554433');
		const missing = parseConfig(yaml, 'c.yaml', {});
		expect(missing.ok).toBe(false);
		expect(JSON.stringify(missing.ok ? [] : missing.issues)).toMatch(/environment variable MAIL_TOKEN is not set/);
	});
});

describe('command stderr excerpt (hostile review, eighteenth session)', () => {
	const TOKEN = 'sk-live-0123456789abcdefghijklmnopqrstuvwxyz';

	it('never shows the tail of an argument whose echo straddles where the kept stderr begins', async () => {
		// The token is echoed, then whitespace (collapsed to one space in the excerpt) and the error line, so long that
		// the 16 KiB of stderr kept from the end begin `k` characters before the token's end.
		for (const k of [5, 12, 30]) {
			const newlines = 16 * 1024 - 'FATAL: smtp down\n'.length - k;
			const script = `process.stderr.write('auth with ' + process.argv[1] + '\\n'.repeat(${newlines}) + 'FATAL: smtp down\\n'); process.exit(3)`;
			const outcome = await runCommand({argv: [process.execPath, '-e', script, TOKEN], stdin: '{}'}, 5000);
			const text = outcomeText(outcome);
			expect(text).toMatch(/FATAL: smtp down$/);
			expect(text, `${k}: ${text}`).not.toContain(TOKEN.slice(-k));
		}
	});

	it('shows the end of a long stderr, where a program writes its error', async () => {
		const script = "for (let i = 0; i < 40; i++) console.error('progress line ' + i); console.error('FATAL: smtp 554 relay denied'); process.exit(1)";
		const outcome = await runCommand({argv: [process.execPath, '-e', script], stdin: '{}'}, 5000);
		const text = outcomeText(outcome);
		expect(text).toMatch(/FATAL: smtp 554 relay denied$/);
		expect(text).toMatch(/^exit status 1: …/);
	});

	it('redacts a short argument (a 7-character password) as the README promises', async () => {
		// (The inline script's own words of 8 characters or more are redacted too: its message is kept short.)
		const outcome = await runCommand({argv: [process.execPath, '-e', "console.error('bad pass: ' + process.argv[1]); process.exit(1)", 'hunter2'], stdin: '{}'}, 5000);
		expect(outcomeText(outcome)).toBe('exit status 1: bad pass: ***');
	});
});
