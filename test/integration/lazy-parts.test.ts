/**
The optional parts are loaded only when asked for (src/compose.ts, optionalModules): a dashboard without
`--metrics-listen` never loads prom-client and the Prometheus part, and one without `notify:` receivers never loads the
senders, so their code is not parsed, compiled or kept on the heap (bench:memory). When asked for, they load and work:
the endpoint answers a scrape. Run on the built bundle, as a user runs it: a module hook logs every file it loads.
*/
import {spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, describe, expect, it} from 'vitest';
import {CLI} from '../helpers/cli.js';

const REGISTER = fileURLToPath(new URL('../fixtures/loaded-modules/register.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mycotop-lazy-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** In the bundle, esbuild marks each module's code with its path: these say prom-client, the part and the senders are there. */
const PROM_CLIENT = 'node_modules/prom-client/';
const METRICS_PART = 'dist/src/metrics/metrics-part.js';
const NOTIFY_SENDER = 'dist/src/notify/http-sender.js';

interface Run {
	readonly code: number | null;
	readonly stdout: string;
	/** Whether a file of the bundle the run loaded holds the marker. */
	readonly loaded: (marker: string) => boolean;
}

let runs = 0;
/** Run the bundle with the module hook; `untilLine` (on stdout) ends a long-running mode with SIGTERM after `onLine`. */
async function run(args: readonly string[], untilLine?: RegExp, onLine?: (line: string) => Promise<void>): Promise<Run> {
	const log = join(dir, `loaded-${runs++}.txt`);
	writeFileSync(log, '');
	const child = spawn(process.execPath, ['--import', REGISTER, CLI, ...args], {env: {...process.env, NO_COLOR: '1', LOADED_MODULES_LOG: log}, stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let acted = false;
	child.stdout.setEncoding('utf8').on('data', (d: string) => {
		stdout += d;
		const line = untilLine === undefined || acted ? undefined : stdout.split('\n').find((l) => untilLine.test(l));
		if (line === undefined) return;
		acted = true;
		void (onLine?.(line) ?? Promise.resolve()).finally(() => child.kill('SIGTERM'));
	});
	const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
	const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
	clearTimeout(timer);
	const files = readFileSync(log, 'utf8')
		.split('\n')
		.filter((url) => url.startsWith('file:') && url.includes('/dist/bundle/'));
	const texts = files.map((url) => readFileSync(fileURLToPath(url), 'utf8'));
	return {code, stdout, loaded: (marker) => texts.some((text) => text.includes(marker))};
}

describe('optional parts load only when asked for', () => {
	it('a run without --metrics-listen or notify receivers loads neither prom-client nor the senders', async () => {
		const r = await run(['--once', '--json', '--embedded', '--no-gpu']);
		expect(r.code).toBe(0);
		// The run did load the bundle (the hook saw it): the check below is about what it left out.
		expect(r.loaded('dist/src/compose.js')).toBe(true);
		expect(r.loaded(PROM_CLIENT)).toBe(false);
		expect(r.loaded(METRICS_PART)).toBe(false);
		expect(r.loaded(NOTIFY_SENDER)).toBe(false);
	}, 30_000);

	it('with --metrics-listen the part and prom-client load, and the endpoint answers a scrape', async () => {
		let scraped = '';
		const r = await run(['--headless', '--embedded', '--no-gpu', '--metrics-listen', '127.0.0.1:0'], /"listening":"http:/, async (line) => {
			const url = (JSON.parse(line) as {listening: string}).listening;
			scraped = await (await fetch(url)).text();
		});
		expect(r.loaded(PROM_CLIENT)).toBe(true);
		expect(r.loaded(METRICS_PART)).toBe(true);
		expect(r.loaded(NOTIFY_SENDER)).toBe(false);
		expect(scraped).toMatch(/^mycotop_\w+/m);
		expect(scraped).toContain('process_cpu_seconds_total');
	}, 30_000);

	it('with a notify receiver the senders load', async () => {
		const config = join(dir, 'notify.yaml');
		writeFileSync(config, ['notify:', '  receivers:', '    - name: hook', '      webhook:', '        url: http://127.0.0.1:9/hook', '  route:', '    receiver: hook', ''].join('\n'));
		const r = await run(['--once', '--json', '--embedded', '--no-gpu', '--config', config]);
		expect(r.code).toBe(0);
		expect(r.loaded(NOTIFY_SENDER)).toBe(true);
		expect(r.loaded(PROM_CLIENT)).toBe(false);
	}, 30_000);
});
