/**
The bin's launcher lines (scripts/launcher.mjs): run as a program they cap glibc's malloc arenas and become node
(no process stays behind), they respect a MALLOC_ARENA_MAX the user set, pass every argument through unchanged, and
run by `node FILE` they are a no-op. The built bin must start with them.
*/
import {spawnSync} from 'node:child_process';
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {HEADLESS_NODE_FLAGS, LAUNCHER, withLauncher} from '../../scripts/launcher.mjs';

const dir = mkdtempSync(join(tmpdir(), 'mycotop-launcher-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** An ES module behind the launcher that reports what node got: its pid, the cap, its arguments. */
const script = join(dir, 'report.mjs');
writeFileSync(
	script,
	withLauncher(
		"#!/usr/bin/env node\nimport {getHeapSpaceStatistics} from 'node:v8';\nprocess.stdout.write(JSON.stringify({pid: process.pid, cap: process.env.MALLOC_ARENA_MAX ?? null, args: process.argv.slice(2), execArgv: process.execArgv, newSpace: (({space_size, space_available_size}) => Math.max(space_size, space_available_size))(getHeapSpaceStatistics().find((s) => s.space_name === 'new_space'))}));\n",
	),
);
chmodSync(script, 0o755);

/** PATH and HOME only: the environment of the test runner must not decide the cap. */
const bareEnv = {PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/'};

interface Report {
	readonly pid: number;
	readonly cap: string | null;
	readonly args: string[];
	readonly execArgv: string[];
	readonly newSpace: number;
}

function run(command: string, args: readonly string[], env: Record<string, string>): {pid: number; report: Report} {
	const child = spawnSync(command, args, {env, encoding: 'utf8'});
	expect(child.status, child.stderr).toBe(0);
	return {pid: child.pid ?? -1, report: JSON.parse(child.stdout) as Report};
}

describe('the bin launcher', () => {
	it('run as a program: node gets MALLOC_ARENA_MAX=2 and the arguments unchanged, in the same process (exec)', () => {
		const args = ['--refresh', '500', 'two words', '', '$HOME', '"quoted"', '--', '*'];
		const {pid, report} = run(script, args, bareEnv);
		expect(report.cap).toBe('2');
		expect(report.args).toEqual(args);
		expect(report.pid).toBe(pid);
	});

	it('with --headless, node gets the collector\'s young generation and single-threaded GC flags; the arguments stay as given', () => {
		const args = ['--redis-url', 'redis://x', '--headless', 'two words', ''];
		const {pid, report} = run(script, args, bareEnv);
		expect(report.execArgv).toEqual(HEADLESS_NODE_FLAGS);
		// V8 took the semi-space size (Node 20-24 start the new space at it; Node 26 at 512 KB with the room to grow to it).
		expect(report.newSpace).toBeGreaterThanOrEqual(7 * 1024 * 1024);
		expect(report.args).toEqual(args);
		expect(report.pid).toBe(pid);
		expect(report.cap).toBe('2');
	});

	it('without --headless, or with MYCOTOP_HEAP=v8, node gets no flags', () => {
		expect(run(script, ['--refresh', '500', '--headlessly', 'headless'], bareEnv).report.execArgv).toEqual([]);
		expect(run(script, ['--headless'], {...bareEnv, MYCOTOP_HEAP: 'v8'}).report.execArgv).toEqual([]);
	});

	it('keeps a MALLOC_ARENA_MAX the user set', () => {
		expect(run(script, [], {...bareEnv, MALLOC_ARENA_MAX: '8'}).report.cap).toBe('8');
	});

	it('run by node itself: the same module, nothing set', () => {
		const {report} = run(process.execPath, [script, 'a'], bareEnv);
		expect(report.cap).toBeNull();
		expect(report.args).toEqual(['a']);
	});

	it('refuses an entry without node hashbang (a bin sh could not run)', () => {
		expect(() => withLauncher('console.log(1);\n')).toThrow(/hashbang|does not start/);
		for (const start of ['(', '[', '`']) expect(() => withLauncher(`#!/usr/bin/env node\n${start}1);\n`)).toThrow(/continue the launcher/);
	});

	it('the built bin (npm run build) starts with it', () => {
		expect(readFileSync('dist/bundle/cli.js', 'utf8').startsWith(LAUNCHER)).toBe(true);
	});
});
