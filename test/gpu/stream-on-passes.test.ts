/**
A long-lived child's output read at the shared schedule's passes (src/gpu/stream-on-passes.ts), with real children
(node scripts) and real timers: what the child prints is handed over inside a pass (its opener), not as it comes; a
line caught half written is read again within a few tens of milliseconds, before the next pass; what it prints last
before it exits is not lost; the environment given is merged over the process's; a start that fails and a kill come
back in `done`. And the Node internals it stands on are still there: if a Node release moves them, the first test
fails (and the collector would quietly read as it comes again).

Times are measured from the pass itself (an opener of the test's own, registered first, so it runs just before the
stream's read in the same pass), not from the wall clock's second: a loaded machine makes passes late, not reads
outside them.
*/
import {spawn} from 'node:child_process';
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {onEachPass, phasePeriodicTimers} from '../../src/periodic.js';
import {pipeHandleOf, READ_AGAIN_MS, READS_AGAIN, readsAgain, startStreamOnPasses} from '../../src/gpu/stream-on-passes.js';
import {startStream} from '../../src/gpu/nvidia-smi-runner.js';

const cleanups: Array<() => void> = [];

afterEach(() => {
	for (const cleanup of cleanups.splice(0)) cleanup();
	phasePeriodicTimers(false);
});

/** Arguments that run `script` in a node child. */
function nodeScript(script: string): [string, string[]] {
	return [process.execPath, ['-e', script]];
}

interface Received {
	readonly text: string;
	/** Passes begun before it was handed over. */
	readonly pass: number;
	/** Ms since the last pass began. */
	readonly sincePassMs: number;
}

/** The shared schedule on, and a recorder of chunks with the pass they came in (its opener registered first). */
function passRecorder(): {received: Received[]; onStdout: (chunk: string) => void; joined: () => string; passes: () => number} {
	phasePeriodicTimers(true);
	let passes = 0;
	let passAt = performance.now();
	cleanups.push(
		onEachPass(() => {
			passes += 1;
			passAt = performance.now();
		}),
	);
	const received: Received[] = [];
	return {
		received,
		onStdout: (chunk) => received.push({text: chunk, pass: passes, sincePassMs: performance.now() - passAt}),
		joined: () => received.map((r) => r.text).join(''),
		passes: () => passes,
	};
}

describe('stream on passes', () => {
	it('the pipe handle of a child\'s stdout still has readStop and its file descriptor on this Node', async () => {
		const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 200)'], {stdio: ['ignore', 'pipe', 'pipe']});
		const handle = pipeHandleOf(child.stdout);
		expect(handle).toBeDefined();
		expect(typeof handle!.readStop).toBe('function');
		expect(handle!.fd).toBeGreaterThan(2);
		await new Promise((resolve) => child.once('close', resolve));
	});

	it('output is handed over inside the passes, several lines a read, in order, and the last lines before the exit are not lost', async () => {
		const rec = passRecorder();
		// Prints at moments of its own, 0.37 s apart, for about 2.6 s, then a last line and exits.
		const [bin, args] = nodeScript(
			"let n = 0; const t = setInterval(() => { process.stdout.write('line ' + n++ + '\\n'); if (n === 7) { clearInterval(t); process.stdout.write('last\\n'); } }, 370);",
		);
		const stream = startStreamOnPasses(bin, args, rec.onStdout, () => undefined, () => 'nothing');
		expect(stream.onPasses).toBe(true);
		const outcome = await stream.done;
		expect(outcome.exitCode).toBe(0);
		expect(rec.joined()).toBe(`${Array.from({length: 7}, (_, i) => `line ${i}\n`).join('')}last\n`);
		// All but the read at the exit came in a pass, right after its start, one read a pass.
		const inPasses = rec.received.slice(0, -1);
		expect(inPasses.length).toBeGreaterThanOrEqual(2);
		for (const r of inPasses) expect(r.sincePassMs).toBeLessThan(20);
		expect(new Set(inPasses.map((r) => r.pass)).size).toBe(inPasses.length);
		// Seven lines in fewer reads: the process was not woken for each.
		expect(rec.received.length).toBeLessThan(8);
	});

	it('a line caught half written at a pass is read again soon, before the next pass', async () => {
		const rec = passRecorder();
		let pid: number | undefined;
		let signalled = false;
		const onStdout = (chunk: string) => {
			rec.onStdout(chunk);
			// Half a line came: let the child write the rest once this read is over (it waits for SIGUSR2).
			if (!signalled && !rec.joined().includes('\n') && pid !== undefined) {
				signalled = true;
				const child = pid;
				setImmediate(() => process.kill(child, 'SIGUSR2'));
			}
		};
		const [bin, args] = nodeScript("process.on('SIGUSR2', () => { process.stdout.write('f\\n'); setTimeout(() => {}, 1500); }); process.stdout.write('hal'); setTimeout(() => {}, 5000);");
		let partial = '';
		const stream = startStreamOnPasses(
			bin,
			args,
			(chunk) => {
				partial = (partial + chunk).split('\n').pop()!;
				onStdout(chunk);
			},
			() => undefined,
			() => (partial === '' ? 'nothing' : 'line'),
		);
		pid = stream.pid;
		await new Promise((resolve) => setTimeout(resolve, 2500));
		stream.kill();
		await stream.done;
		expect(rec.joined()).toBe('half\n');
		const half = rec.received.find((r) => r.text.includes('hal'))!;
		const rest = rec.received.find((r) => r.text.includes('f\n'))!;
		expect(half.sincePassMs).toBeLessThan(20);
		// Read again (a timer READ_AGAIN_MS after the pass, or later ones), not at the next pass.
		expect(rest.pass).toBe(half.pass);
		expect(rest.sincePassMs).toBeGreaterThanOrEqual(READ_AGAIN_MS - 2);
	});

	it('readNow hands over what waits in the pipe at once, between passes', async () => {
		const rec = passRecorder();
		const [bin, args] = nodeScript("process.stdout.write('now\\n'); setTimeout(() => {}, 3000)");
		const stream = startStreamOnPasses(bin, args, rec.onStdout, () => undefined, () => 'nothing');
		// Wait for the line to be written, then read it before any pass comes (a pass each whole second).
		await new Promise((resolve) => setTimeout(resolve, 150));
		const passes = rec.passes();
		if (rec.joined() === '') {
			stream.readNow!();
			expect(rec.joined()).toBe('now\n');
			expect(rec.received[0]!.pass).toBe(passes);
		}
		stream.kill();
		await stream.done;
		expect(rec.joined()).toBe('now\n');
	});

	it('reads again while half a line waits (at most READS_AGAIN times a pass), and for a frame short of rows only while reads bring more', () => {
		expect(readsAgain('nothing', true, 0)).toBe(false);
		expect(readsAgain('line', false, 0)).toBe(true);
		expect(readsAgain('line', false, READS_AGAIN - 1)).toBe(true);
		expect(readsAgain('line', true, READS_AGAIN)).toBe(false);
		// A GPU lost mid-run: every frame short of a row; one read that finds the pipe empty, then the quiet-spell flush.
		expect(readsAgain('rows', true, 0)).toBe(true);
		expect(readsAgain('rows', false, 1)).toBe(false);
	});

	it('the environment given is merged over the process\'s (PATH kept), as execa does for the other runs', async () => {
		const rec = passRecorder();
		const [bin, args] = nodeScript("process.stdout.write(JSON.stringify({path: process.env.PATH ?? '', given: process.env.MYCOTOP_TEST_GIVEN}) + '\\n')");
		await startStreamOnPasses(bin, args, rec.onStdout, () => undefined, () => 'nothing', {MYCOTOP_TEST_GIVEN: 'yes'}).done;
		const seen = JSON.parse(rec.joined()) as {path: string; given: string};
		expect(seen.given).toBe('yes');
		expect(seen.path).toBe(process.env['PATH'] ?? '');
	});

	it('a child that cannot start (missing, not executable), and one killed, come back in done', async () => {
		phasePeriodicTimers(true);
		const missing = startStreamOnPasses('/nonexistent/nvidia-smi', [], () => undefined, () => undefined, () => 'nothing');
		expect(missing.pid).toBeUndefined();
		expect((await missing.done).spawnErrorCode).toBe('ENOENT');
		const dir = mkdtempSync(join(tmpdir(), 'mycotop-stream-'));
		cleanups.push(() => rmSync(dir, {recursive: true, force: true}));
		const notExecutable = join(dir, 'nvidia-smi');
		writeFileSync(notExecutable, '#!/bin/sh\n');
		chmodSync(notExecutable, 0o644);
		expect((await startStreamOnPasses(notExecutable, [], () => undefined, () => undefined, () => 'nothing').done).spawnErrorCode).toBe('EACCES');
		const [bin, args] = nodeScript('setInterval(() => {}, 1000)');
		const running = startStreamOnPasses(bin, args, () => undefined, () => undefined, () => 'nothing');
		running.kill();
		expect((await running.done).signal).toBe('SIGKILL');
	});

	it('startStream reads on the passes with the shared schedule on, and as it comes without it', async () => {
		const [bin, args] = nodeScript("process.stdout.write('x\\n'); setTimeout(() => {}, 1500)");
		const passes = passRecorder();
		await startStream(bin, args, passes.onStdout, () => undefined, undefined, () => 'nothing').done;
		expect(passes.joined()).toBe('x\n');
		expect(passes.received[0]!.pass).toBeGreaterThan(0);
		expect(passes.received[0]!.sincePassMs).toBeLessThan(20);
		for (const cleanup of cleanups.splice(0)) cleanup();
		phasePeriodicTimers(false);
		const plain: string[] = [];
		await startStream(bin, args, (chunk) => plain.push(chunk), () => undefined, undefined, () => 'nothing').done;
		expect(plain.join('')).toBe('x\n');
	});
});
