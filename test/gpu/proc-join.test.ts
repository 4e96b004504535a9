/** GPU processes joined to /proc: the parsers on recorded text, the join in the sampler, and this very process. */
import {readFileSync} from 'node:fs';
import {userInfo} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {hostProcess, parseBootTime, parseCmdline, parsePasswd, parsePidStat, parsePidStatus, ProcessReader, sameProcess} from '../../src/gpu/proc-join.js';

const PIDS = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'proc', 'pids');
const file = (path: string) => readFileSync(join(PIDS, path), 'utf8');

describe('parsers', () => {
	it('stat: fields counted after the last ")", so a command name with spaces and parentheses cannot shift them', () => {
		expect(parsePidStat(file('3021/stat'))).toEqual({comm: 'python3 (train)', ppid: 1, cpuTicks: 369_000, startTicks: 500_000});
		expect(parsePidStat('12 (x) R 1 2')).toBeUndefined();
		expect(parsePidStat('garbage')).toBeUndefined();
	});

	it('status, cmdline (terminal-safe), passwd, btime', () => {
		expect(parsePidStatus(file('3021/status'))).toEqual({uid: 0, rssBytes: 6_000_000 * 1024});
		expect(parsePidStatus('Name:\tkthreadd\nUid:\t0\t0\t0\t0\n')).toEqual({uid: 0});
		const cmd = parseCmdline(file('3021/cmdline'))!;
		expect(cmd).toMatch(/^python3 -m torch\.distributed\.run finetune\.py --lr/);
		expect(cmd).not.toMatch(/[\u0000-\u001f\u007f]/);
		expect(parseCmdline('')).toBeUndefined();
		expect(parsePasswd('root:x:0:0:root:/root:/bin/bash\nbad line\nml:x:1000:1000::/home/ml:/bin/sh\n')).toEqual(new Map([[0, 'root'], [1000, 'ml']]));
		expect(parseBootTime(file('stat'))).toBe(1764979200);
	});

	it('CPU % from two readings, elapsed from boot time and start ticks, the user by uid (the number when unnamed)', () => {
		const now = (1764979200 + 5000 + 3600) * 1000; // an hour after the process started
		const first = hostProcess({stat: file('3021/stat'), status: file('3021/status')}, {nowMs: now, bootSeconds: 1764979200, users: new Map()});
		expect(first).toMatchObject({user: '0', rssBytes: 6_000_000 * 1024, elapsedMs: 3_600_000, cpuTicks: 369_000});
		expect(first.cpuPercent).toBeUndefined();
		const later = hostProcess({stat: file('3021/stat').replace(' 360000 9000 ', ' 360150 9050 ')}, {nowMs: now + 2000, bootSeconds: 1764979200, users: new Map([[0, 'root']]), previous: {cpuTicks: 369_000, timeMs: now}});
		// 200 ticks (2 s of CPU) in 2 s: one full core.
		expect(later.cpuPercent).toBe(100);
	});
});

describe('the same program, or no join', () => {
	it('nvidia-smi\'s program against comm (cut at 15) or argv[0]; a stranger behind the same pid is not joined', () => {
		expect(sameProcess('/usr/bin/python3', 'python3', '/usr/bin/python3')).toBe(true);
		expect(sameProcess('python3 -m torch.distributed.run finetune.py', 'pt_main_thread', 'python3')).toBe(true);
		expect(sameProcess('/opt/bin/a-very-long-program-name', 'a-very-long-pro', undefined)).toBe(true);
		expect(sameProcess('训练脚本🚀.py', 'beam.smp', '/usr/lib/erlang/erts-13.1.5/bin/beam.smp')).toBe(false);
		expect(sameProcess('python3', 'bash', '/bin/bash')).toBe(false);
		expect(sameProcess('', 'python3', 'python3')).toBe(false);
	});

	it('the reader skips a pid whose program differs', () => {
		const got = new ProcessReader(PIDS, join(PIDS, 'no-passwd')).read([{pid: 3021, name: 'beam.smp'}], 0);
		expect(got.size).toBe(0);
	});
});

describe('ProcessReader', () => {
	it('reads the recorded pid; an unknown pid (another PID namespace, or exited) is left out', () => {
		const reader = new ProcessReader(PIDS, join(PIDS, 'no-passwd'));
		const got = reader.read(
			[
				{pid: 3021, name: '/usr/bin/python3'},
				{pid: 999_999, name: 'python3'},
				{pid: -1, name: 'x'},
			],
			(1764979200 + 5000 + 60) * 1000,
		);
		expect([...got.keys()]).toEqual([3021]);
		expect(got.get(3021)).toMatchObject({user: '0', elapsedMs: 60_000, rssBytes: 6_000_000 * 1024});
	});

	it('this very process, against what Node says of itself', () => {
		const reader = new ProcessReader();
		reader.read([{pid: process.pid, name: process.execPath}], Date.now());
		let x = 0;
		const until = Date.now() + 200;
		while (Date.now() < until) x += Math.sqrt(x + 1); // burn some CPU
		const me = reader.read([{pid: process.pid, name: process.execPath}], Date.now()).get(process.pid)!;
		expect(me.user).toBe(userInfo().username);
		expect(me.command).toContain('node');
		expect(Math.abs(me.rssBytes! - process.memoryUsage().rss)).toBeLessThan(0.2 * process.memoryUsage().rss);
		expect(Math.abs(me.elapsedMs! - process.uptime() * 1000)).toBeLessThan(2000);
		expect(me.cpuPercent).toBeGreaterThan(20);
		expect(x).toBeGreaterThan(0);
	});
});
