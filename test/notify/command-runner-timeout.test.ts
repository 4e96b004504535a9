/**
The command receiver's timeout holds whatever the program does with its stdio: a child it leaves behind holding
stderr and a child that does not are killed with it (its process group), and the answer comes at the timeout, not when the child ends.
Real processes.
*/
import {readFileSync, rmSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {CommandRunner, runCommand} from '../../src/notify/command-runner.js';

/** Whether a process runs (a zombie, dead but not yet reaped by whoever adopted it, does not). */
function running(pid: number): boolean {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return !/^\d+ \(.*\) [ZX]/.test(stat);
	} catch {
		return false;
	}
}

describe('command runner timeout', () => {
	it('answers at the timeout when a child of the program holds stderr', async () => {
		const started = Date.now();
		// The program writes its background child's pid, then waits; the child holds stderr open for 30 s.
		const outcome = await runCommand({argv: ['sh', '-c', 'sleep 30 & echo $! >&2; sleep 30'], stdin: '{}'}, 1000);
		expect(outcome).toEqual({kind: 'timeout', afterMs: 1000});
		expect(Date.now() - started).toBeLessThan(2500);
	}, 40_000);

	it('kills the whole process group at the timeout', async () => {
		const file = `/tmp/mycotop-cmd-${process.pid}-${Date.now()}`;
		const started = Date.now();
		await runCommand({argv: ['sh', '-c', `sleep 30 >/dev/null 2>&1 & echo $! > ${file}; sleep 30`], stdin: '{}'}, 1000);
		expect(Date.now() - started).toBeLessThan(2500);
		const pid = Number(readFileSync(file, 'utf8').trim());
		rmSync(file);
		expect(pid).toBeGreaterThan(0);
		await new Promise((r) => setTimeout(r, 200));
		expect(running(pid)).toBe(false);
	}, 40_000);

	it('answers with the exit status when the program exits but leaves a child holding stderr', async () => {
		const started = Date.now();
		const outcome = await runCommand({argv: ['sh', '-c', 'sleep 5 & echo went wrong >&2; exit 3'], stdin: '{}'}, 3000);
		expect(outcome).toMatchObject({kind: 'exit', code: 3, excerpt: 'went wrong'});
		expect(Date.now() - started).toBeLessThan(1500);
	}, 20_000);

	it('keeps the end of a huge stderr, and a program that never reads a big stdin is no failure', async () => {
		const big = await runCommand({argv: ['sh', '-c', 'head -c 5000000 /dev/zero | tr "\\0" x >&2; echo END >&2; exit 3'], stdin: '{}'}, 10_000);
		expect(big).toMatchObject({kind: 'exit', code: 3});
		// The excerpt is the end of stderr, where the error is: "…xxx…xEND".
		expect(big.kind === 'exit' && /^…x+END$/.test(big.excerpt)).toBe(true);
		const unread = await runCommand({argv: ['sh', '-c', 'exit 0'], stdin: 'x'.repeat(2_000_000)}, 5000);
		expect(unread).toMatchObject({kind: 'exit', code: 0});
	}, 20_000);
});

describe('command runner stop (hostile review, eighteenth session)', () => {
	it('kills every running program and its children when mycotop stops, and answers at once', async () => {
		const file = `/tmp/mycotop-cmd-stop-${process.pid}-${Date.now()}`;
		const runner = new CommandRunner();
		const started = Date.now();
		const attempt = runner.run({argv: ['sh', '-c', `sleep 97 >/dev/null 2>&1 & echo $! > ${file}; sleep 97`], stdin: '{}'}, 60_000);
		await new Promise((r) => setTimeout(r, 300));
		expect(runner.running).toBe(1);
		runner.stop();
		const outcome = await attempt;
		expect(outcome).toEqual({kind: 'network', reason: 'stopped with mycotop'});
		expect(Date.now() - started).toBeLessThan(2500);
		const pid = Number(readFileSync(file, 'utf8').trim());
		rmSync(file);
		await new Promise((r) => setTimeout(r, 200));
		expect(running(pid)).toBe(false);
		expect(runner.running).toBe(0);
		// A stopped runner starts nothing more.
		expect(await runner.run({argv: ['true'], stdin: '{}'}, 1000)).toEqual({kind: 'network', reason: 'stopped with mycotop'});
	}, 20_000);
});
