/**
A long-lived child's output read at the shared schedule's passes (src/gpu/stream-on-passes.ts), with real children
(node scripts) and real timers: what the child prints is handed over at the next whole second, not as it comes; a
line caught half written is read again within a few tens of milliseconds; what it prints last before it exits is
not lost; a start that fails and a kill come back in `done`. And the Node internals it stands on are still there:
if a Node release moves them, the first test fails (and the collector would quietly read as it comes again).
*/
import {spawn} from 'node:child_process';
import {afterEach, describe, expect, it} from 'vitest';
import {phasePeriodicTimers} from '../../src/periodic.js';
import {pipeHandleOf, READ_AGAIN_MS, startStreamOnPasses} from '../../src/gpu/stream-on-passes.js';
import {startStream} from '../../src/gpu/nvidia-smi-runner.js';

afterEach(() => {
	phasePeriodicTimers(false);
});

/** Arguments that run `script` in a node child. */
function nodeScript(script: string): [string, string[]] {
	return [process.execPath, ['-e', script]];
}

interface Received {
	readonly text: string;
	/** Wall-clock ms within its second (0-999) when it was handed over. */
	readonly msIntoSecond: number;
}

function recorder(): {received: Received[]; onStdout: (chunk: string) => void; joined: () => string} {
	const received: Received[] = [];
	return {
		received,
		onStdout: (chunk) => received.push({text: chunk, msIntoSecond: Date.now() % 1000}),
		joined: () => received.map((r) => r.text).join(''),
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

	it('output is handed over on the whole second (the pass), in order, and the last lines before the exit are not lost', async () => {
		phasePeriodicTimers(true);
		const rec = recorder();
		// Prints at moments of its own, 0.37 s apart, for about 2.5 s, then a last line and exits.
		const [bin, args] = nodeScript(
			"let n = 0; const t = setInterval(() => { process.stdout.write('line ' + n++ + '\\n'); if (n === 7) { clearInterval(t); process.stdout.write('last\\n'); } }, 370);",
		);
		const stream = startStreamOnPasses(bin, args, rec.onStdout, () => undefined, () => true);
		expect(stream.onPasses).toBe(true);
		const outcome = await stream.done;
		expect(outcome.exitCode).toBe(0);
		expect(rec.joined()).toBe(`${Array.from({length: 7}, (_, i) => `line ${i}\n`).join('')}last\n`);
		// All but the reads at the exit came at a pass: within a few tens of ms after a whole second (a loaded VM: 150).
		const atPasses = rec.received.slice(0, -1);
		expect(atPasses.length).toBeGreaterThanOrEqual(2);
		for (const r of atPasses) expect(r.msIntoSecond).toBeLessThan(150);
		// Several lines came in one read: the process was not woken for each.
		expect(rec.received.length).toBeLessThan(8);
	});

	it('a line caught half written at a pass is read again soon, not at the next pass', async () => {
		phasePeriodicTimers(true);
		const rec = recorder();
		let partial = '';
		const onStdout = (chunk: string) => {
			rec.onStdout(chunk);
			partial = (partial + chunk).split('\n').pop()!;
		};
		// Half a line 30 ms before a whole second, the rest 60 ms after it.
		const [bin, args] = nodeScript(
			"const wait = (ms) => new Promise((r) => setTimeout(r, ms)); (async () => { await wait(1000 - (Date.now() % 1000) + 970); process.stdout.write('hal'); await wait(90); process.stdout.write('f\\n'); await wait(1200); })();",
		);
		const stream = startStreamOnPasses(bin, args, onStdout, () => undefined, () => partial === '');
		await stream.done;
		expect(rec.joined()).toBe('half\n');
		const rest = rec.received.find((r) => r.text.includes('f\n'))!;
		// The rest came 60 ms after the second: read again within READ_AGAIN_MS of it, well before the next pass.
		expect(rest.msIntoSecond).toBeGreaterThanOrEqual(50);
		expect(rest.msIntoSecond).toBeLessThan(60 + READ_AGAIN_MS + 150);
	});

	it('a child that cannot start, and one killed, come back in done', async () => {
		phasePeriodicTimers(true);
		const missing = startStreamOnPasses('/nonexistent/nvidia-smi', [], () => undefined, () => undefined, () => true);
		expect((await missing.done).spawnErrorCode).toBe('ENOENT');
		const [bin, args] = nodeScript('setInterval(() => {}, 1000)');
		const running = startStreamOnPasses(bin, args, () => undefined, () => undefined, () => true);
		running.kill();
		expect((await running.done).signal).toBe('SIGKILL');
	});

	it('startStream reads as it comes without the shared schedule, and on the passes with it', async () => {
		const [bin, args] = nodeScript("process.stdout.write('x\\n'); setTimeout(() => {}, 1500)");
		/** Start 300 ms into a second: read as it comes, the line is there 300-900 ms into it; on the passes, at the next. */
		const startAt300 = () => new Promise((resolve) => setTimeout(resolve, (1300 - (Date.now() % 1000)) % 1000));
		const plain = recorder();
		phasePeriodicTimers(false);
		await startAt300();
		await startStream(bin, args, plain.onStdout, () => undefined, undefined, () => true).done;
		expect(plain.joined()).toBe('x\n');
		expect(plain.received[0]!.msIntoSecond).toBeGreaterThanOrEqual(300);
		phasePeriodicTimers(true);
		const passes = recorder();
		await startAt300();
		await startStream(bin, args, passes.onStdout, () => undefined, undefined, () => true).done;
		expect(passes.joined()).toBe('x\n');
		expect(passes.received[0]!.msIntoSecond).toBeLessThan(150);
	});
});
