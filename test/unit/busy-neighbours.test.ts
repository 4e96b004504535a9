/**
The benches' busy-machine warning (bench/busy-neighbours.ts): the decision on readings made up here, and once on the
real /proc with a busy loop that is not the test's descendant (it is orphaned to init, as a forgotten dashboard is).
*/
import {spawnSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {busyNeighbours, busyWarning, parseStat, warnBusyNeighbours, type ProcReading} from '../../bench/busy-neighbours.js';

const reading = (pid: number, ppid: number, name: string, ticks: number): ProcReading => ({pid, ppid, name, ticks});

describe('busyNeighbours', () => {
	it('reads /proc/PID/stat, a name with spaces and parentheses included', () => {
		const line = '4242 (my (odd) name) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 1 0 999 1000 100';
		expect(parseStat(line)).toEqual({pid: 4242, ppid: 17, name: 'my (odd) name', ticks: 325});
		expect(parseStat('garbage')).toBeUndefined();
		expect(parseStat('12 (x) S')).toBeUndefined();
	});

	it('names processes over the threshold, busiest first, leaving out the bench and its descendants and processes seen once', () => {
		const before = [reading(1, 0, 'init', 0), reading(10, 1, 'bench', 0), reading(11, 10, 'redis-server', 0), reading(12, 11, 'grandchild', 0), reading(20, 1, 'btop', 0), reading(21, 1, 'node', 0), reading(22, 1, 'quiet', 0), reading(30, 1, 'gone', 0)];
		const after = [reading(1, 0, 'init', 1), reading(10, 1, 'bench', 500), reading(11, 10, 'redis-server', 400), reading(12, 11, 'grandchild', 300), reading(20, 1, 'btop', 4), reading(21, 1, 'node', 30), reading(22, 1, 'quiet', 1), reading(40, 1, 'new', 900)];
		// 2 s at 100 ticks a second: 4 ticks = 2 %, 30 ticks = 15 %, 1 tick = 0.5 % (not over 0.5).
		const busy = busyNeighbours(before, after, 10, 2, 100);
		expect(busy).toEqual([
			{pid: 21, name: 'node', percent: 15},
			{pid: 20, name: 'btop', percent: 2},
		]);
		// A pid reused by another program between the readings is not compared.
		expect(busyNeighbours([reading(50, 1, 'old', 0)], [reading(50, 1, 'other', 500)], 10, 2, 100)).toEqual([]);
		expect(busyWarning('bench:x', [])).toBeUndefined();
		expect(busyWarning('bench:x', busy)).toBe('*** bench:x: other processes are busy on this machine and will move the figures: node (pid 21) 15.0 %, btop (pid 20) 2.0 % ***');
	});

	it.runIf(process.platform === 'linux')('on the real /proc: a busy loop orphaned to init is named, the test process itself is not', async () => {
		// sh starts the loop in the background and exits: the loop's parent becomes init (or a subreaper), not this test.
		const started = spawnSync('sh', ['-c', 'sh -c "while :; do :; done" >/dev/null 2>&1 & echo $!'], {encoding: 'utf8'});
		const pid = Number(started.stdout.trim());
		expect(Number.isInteger(pid) && pid > 0).toBe(true);
		try {
			const original = process.stderr.write.bind(process.stderr);
			let written = '';
			process.stderr.write = ((chunk: string) => {
				written += chunk;
				return true;
			}) as typeof process.stderr.write;
			let busy;
			try {
				busy = await warnBusyNeighbours('bench:test', 1);
			} finally {
				process.stderr.write = original;
			}
			const loop = busy.find((p) => p.pid === pid);
			expect(loop, `the loop (pid ${pid}) among ${JSON.stringify(busy)}`).toBeDefined();
			expect(loop!.percent).toBeGreaterThan(5);
			expect(busy.some((p) => p.pid === process.pid)).toBe(false);
			expect(written).toContain(`(pid ${pid})`);
		} finally {
			process.kill(pid, 'SIGKILL');
		}
	});
});
