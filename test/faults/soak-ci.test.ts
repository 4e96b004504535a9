/** R13, the CI variant of `npm run soak`: 60 s at 2,000 events/s (the full soak is 10 minutes). */
import {spawn} from 'node:child_process';
import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {redisAvailable} from '../helpers/redis-server.js';
import {faultRow} from './fault-table.js';
import {requireBuild, ROOT} from './harness.js';

describe.runIf(redisAvailable())('soak (60 s CI variant)', () => {
	beforeAll(() => requireBuild());

	it('keeps RSS flat, never stalls the event loop over 100 ms, accounts for every event', {timeout: 150_000}, async ({task}) => {
		const row = faultRow(
			task,
			'R13 soak: 60 s at 2,000 events/s (npm run soak: 10 min)',
			'RSS and heap flat (< 30 MB growth), event-loop delay < 100 ms, delivered = received = stored + rejected, every list entry written or counted',
		);
		const child = spawn(process.execPath, [join(ROOT, 'dist', 'bench', 'soak.js'), '60', '--json'], {stdio: ['ignore', 'pipe', 'pipe']});
		let out = '';
		let err = '';
		child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
		child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
		const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
		const last = out.trim().split('\n').at(-1) ?? '';
		expect(last.startsWith('{'), `soak printed no result (exit ${code}): ${err.slice(-2000)}`).toBe(true);
		const result = JSON.parse(last) as {ok: boolean; checks: Array<{name: string; ok: boolean; detail: string}>};
		row.observe(result.checks.map((c) => `${c.ok ? '' : 'FAILED '}${c.detail}`).join('; '));
		for (const check of result.checks) expect(check.ok, `${check.name}: ${check.detail}`).toBe(true);
		expect(code).toBe(0);
	});
});
