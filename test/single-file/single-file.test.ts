/**
The single-file builds (scripts/dist.mjs) on a machine with nothing else: dist/mycotop.mjs and the executable
dist/mycotop are each copied alone into an empty folder and run there with no node_modules anywhere above it, no
node on PATH (the .mjs by the absolute path of the node running the tests), a private TMPDIR and HOME. They must
print their version and help, run the demo (its simulated GPUs too: the file runs itself as the nvidia-smi stand-in),
read a real redis-server with --once --json, write a config with `init` that they then load, pass exit codes
through, and leave nothing behind in TMPDIR. The builds are made here from dist/src (npm run build first), by the
node running the tests: under Node 22 or 24 (scripts/other-nodes.sh) the executable is that Node's.
*/
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {spawn, execFileSync} from 'node:child_process';
import {chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {tmuxAvailable, TmuxPane} from '../terminal/tmux.js';

const ROOT = join(import.meta.dirname, '../..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string}).version;
const seaSupported = process.platform === 'linux' && process.arch === 'x64';

interface Run {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** A folder holding only `file` (copied from dist/), plus a private TMPDIR and HOME beside it. */
interface Place {
	readonly dir: string;
	readonly tmp: string;
	readonly home: string;
	/** The command line that starts it (the file alone, or node and the file). */
	readonly command: readonly string[];
	run(args: readonly string[], timeoutMs?: number, env?: NodeJS.ProcessEnv): Promise<Run>;
}

const base = mkdtempSync(join(tmpdir(), 'mycotop-dist-test-'));

function place(kind: 'mjs' | 'sea'): Place {
	const root = mkdtempSync(join(base, `${kind}-`));
	const dir = join(root, 'app');
	const tmp = join(root, 'tmp');
	const home = join(root, 'home');
	for (const d of [dir, tmp, home]) mkdirSync(d);
	const file = kind === 'mjs' ? 'mycotop.mjs' : 'mycotop';
	copyFileSync(join(ROOT, 'dist', file), join(dir, file));
	const command = kind === 'mjs' ? [process.execPath, join(dir, file)] : [join(dir, file)];
	return {
		dir,
		tmp,
		home,
		command,
		run: (args, timeoutMs = 30_000, extraEnv = {}) =>
			new Promise((resolve) => {
				const env = {PATH: '/nonexistent', HOME: home, TMPDIR: tmp, NO_COLOR: '1', LANG: 'C.UTF-8', ...extraEnv};
				const child = spawn(command[0]!, [...command.slice(1), ...args], {cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe']});
				let stdout = '';
				let stderr = '';
				child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
				child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
				const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
				child.on('close', (code) => {
					clearTimeout(timer);
					resolve({code, stdout, stderr});
				});
			}),
	};
}

beforeAll(() => {
	execFileSync(process.execPath, ['scripts/dist.mjs', ...(seaSupported ? ['--sea'] : [])], {cwd: ROOT, stdio: 'pipe', timeout: 170_000});
}, 180_000);

afterAll(() => rmSync(base, {recursive: true, force: true}));

describe.each(seaSupported ? (['mjs', 'sea'] as const) : (['mjs'] as const))('the single file (%s), alone in an empty folder', (kind) => {
	let at: Place;
	beforeAll(() => {
		at = place(kind);
	});

	it('is the only file there, and prints its version and help', async () => {
		expect(readdirSync(at.dir)).toHaveLength(1);
		const version = await at.run(['--version']);
		expect(version).toMatchObject({code: 0, stdout: `${VERSION}\n`, stderr: ''});
		const help = await at.run(['--help']);
		expect(help.code).toBe(0);
		expect(help.stdout).toContain('--redis-url URL');
		expect(help.stdout).toContain('init');
	});

	it('loads no package from a node_modules above it or above its TMPDIR (a planted supports-color, bufferutil, utf-8-validate)', async () => {
		// A node_modules in a shared parent (/tmp for the executable's unpacked module, /opt for the .mjs) is another
		// user's: the optional packages the bundled debug and ws look for must not be looked for there.
		const planted = join(at.dir, '..', 'node_modules');
		const marker = join(at.dir, '..', 'planted-loaded');
		for (const name of ['supports-color', 'bufferutil', 'utf-8-validate']) {
			mkdirSync(join(planted, name), {recursive: true});
			writeFileSync(join(planted, name, 'index.js'), `require('node:fs').appendFileSync(${JSON.stringify(marker)}, ${JSON.stringify(`${name}\n`)});\nmodule.exports = {};\n`);
		}
		try {
			const help = await at.run(['--help']);
			expect(help.code, help.stderr).toBe(0);
			const demo = await at.run(['--demo', '--once', '--json'], 60_000, {DEBUG: 'ioredis:*'});
			expect(demo.code, demo.stderr).toBe(0);
			expect(existsSync(marker) ? readFileSync(marker, 'utf8') : '').toBe('');
		} finally {
			rmSync(planted, {recursive: true, force: true});
			rmSync(marker, {force: true});
		}
	});

	it.runIf(kind === 'sea')('the executable will not unpack into a TMPDIR others may write to without the sticky bit', async () => {
		const shared = join(at.tmp, 'shared');
		mkdirSync(shared);
		try {
			chmodSync(shared, 0o777);
			const r = await at.run(['--version'], 30_000, {TMPDIR: shared});
			expect(r.code).toBe(1);
			expect(r.stderr).toContain(`mycotop: will not unpack itself into ${shared} (others may write there and it has no sticky bit)`);
			expect(readdirSync(shared)).toEqual([]);
			chmodSync(shared, 0o1777);
			expect(await at.run(['--version'], 30_000, {TMPDIR: shared})).toMatchObject({code: 0, stdout: `${VERSION}\n`});
			if (process.getuid?.() === 0) {
				// Another user's folder, even a private one: its owner may rename what is in it.
				chmodSync(shared, 0o700);
				chownSync(shared, 54321, 54321);
				const foreign = await at.run(['--version'], 30_000, {TMPDIR: shared});
				expect(foreign.code).toBe(1);
				expect(foreign.stderr).toContain('(it belongs to user 54321)');
			}
		} finally {
			rmSync(shared, {recursive: true, force: true});
		}
	});

	it('passes exit codes through: an unknown flag is 2', async () => {
		const r = await at.run(['--frobnicate']);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain("unknown flag '--frobnicate'");
	});

	it.runIf(kind === 'sea')('the executable says so, exit 1, when it cannot unpack into TMPDIR', async () => {
		const r = await at.run(['--version'], 30_000, {TMPDIR: join(at.tmp, 'missing')});
		expect(r.code).toBe(1);
		expect(r.stderr).toContain(`mycotop: cannot unpack itself into ${join(at.tmp, 'missing')}`);
		expect(r.stderr).toContain('set TMPDIR to a writable folder');
		expect(r.stdout).toBe('');
	});

	it('SIGINT at any moment of the start ends it (never lost while the executable loads its module), and the module is not left in TMPDIR', async () => {
		for (const delayMs of [100, 200, 250, 300, 400, 600, 900]) {
			const env = {PATH: '/nonexistent', HOME: at.home, TMPDIR: at.tmp, NO_COLOR: '1', LANG: 'C.UTF-8'};
			const child = spawn(at.command[0]!, [...at.command.slice(1), '--demo', '--headless'], {cwd: at.dir, env, stdio: 'ignore'});
			const ended = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => child.on('close', (code, signal) => resolve({code, signal})));
			await new Promise((resolve) => setTimeout(resolve, delayMs));
			child.kill('SIGINT');
			const hung = setTimeout(() => child.kill('SIGKILL'), 8000);
			const end = await ended;
			clearTimeout(hung);
			// 0: mycotop's own SIGINT handler stopped it; 130 or SIGINT: it had none yet. SIGKILL: the signal was lost.
			expect([0, 130, 'SIGINT'], `SIGINT after ${delayMs} ms`).toContain(end.signal ?? end.code);
			expect(readdirSync(at.tmp).filter((name) => !name.startsWith('mycotop-demo-')), `after ${delayMs} ms`).toEqual([]);
			for (const name of readdirSync(at.tmp)) rmSync(join(at.tmp, name), {recursive: true, force: true});
		}
	}, 90_000);

	it('runs the demo with --once --json, simulated GPUs included, and leaves nothing in TMPDIR', async () => {
		const r = await at.run(['--demo', '--once', '--json'], 60_000);
		expect(r.code, r.stderr).toBe(0);
		const snap = JSON.parse(r.stdout);
		expect(snap.bus.kind).toBe('embedded');
		expect(snap.training).toHaveLength(4);
		// No nvidia-smi on PATH: the file ran itself as the demo's stand-in.
		expect(snap.gpu.state).toBe('ok');
		expect(snap.gpu.gpus.map((g: {name: string}) => g.name)).toEqual(Array(4).fill('NVIDIA H100 80GB HBM3'));
		expect(r.stderr).toBe('');
		expect(readdirSync(at.tmp)).toEqual([]);
	});

	it('`init` writes a config that it then loads', async () => {
		const r = await at.run(['init', 'mycotop.yaml']);
		expect(r.code, r.stderr).toBe(0);
		expect(readFileSync(join(at.dir, 'mycotop.yaml'), 'utf8')).toContain('redis:');
		const once = await at.run(['--config', 'mycotop.yaml', '--embedded', '--no-gpu', '--once']);
		expect(once.code, once.stderr).toBe(0);
		rmSync(join(at.dir, 'mycotop.yaml'));
	});

	it.runIf(tmuxAvailable())('draws the demo dashboard in a real terminal (Ink and its yoga inside the file) and quits on q', async () => {
		const pane = new TmuxPane(110, 32);
		try {
			const env = `env -i PATH=/nonexistent HOME=${at.home} TMPDIR=${at.tmp} TERM=tmux-256color LANG=C.UTF-8`;
			pane.run(`cd ${at.dir} && ${env} ${at.command.join(' ')} --demo; echo SINGLE-FILE-EXIT=$?`);
			await waitFor(() => pane.screen().some((l) => l.includes('1 Training')), 20_000, 'the first frame');
			await waitFor(() => pane.screen().filter((l) => l.includes('H100')).length >= 4, 15_000, 'the 4 simulated GPUs');
			pane.keys('q');
			await waitFor(() => pane.screen().some((l) => l.includes('SINGLE-FILE-EXIT=0')), 10_000, 'exit 0 after q');
			expect(readdirSync(at.tmp)).toEqual([]);
		} finally {
			pane.close();
		}
	});

	describe.runIf(redisAvailable())('against a real redis-server', () => {
		let redis: TestRedis;
		beforeAll(async () => {
			redis = await startRedis();
		});
		afterAll(async () => redis.stop());

		it('--once --json reads the history there, read-only', async () => {
			const client = redis.client();
			const entries = Array.from({length: 50}, (_, i) => JSON.stringify({step: i, value: 3 - i * 0.01, timestamp: new Date(Date.now() - (50 - i) * 1000).toISOString()}));
			await client.del('metrics:training:dist:loss');
			await client.lpush('metrics:training:dist:loss', ...entries);
			const r = await at.run(['--once', '--json', '--no-gpu', '--redis-url', redis.url]);
			expect(r.code, r.stderr).toBe(0);
			const snap = JSON.parse(r.stdout);
			expect(snap.bus).toMatchObject({kind: 'redis', role: 'read-only'});
			expect(snap.training.find((p: {projectId: string}) => p.projectId === 'dist')).toMatchObject({points: 50, lastStep: 49});
			expect(await client.exists('mycotop:writer:lease')).toBe(0);
			expect(readdirSync(at.tmp)).toEqual([]);
		});
	});
});
