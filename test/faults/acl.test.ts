/**
Least privilege: the README's ACL lines for a viewer (read and subscribe only) and a writer, tested by running the
whole runtime (GPU sampler on the fake nvidia-smi, rules, demo, lossless streams) as each user.
*/
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, describe, expect} from 'vitest';
import {redisAvailable, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {redisTest as it} from '../helpers/redis-fixture.js';
import {parseFlags} from '../../src/config/flags.js';
import {EMPTY_CONFIG} from '../../src/config/config.js';
import {resolveOptions} from '../../src/main.js';
import {composeRuntime} from '../../src/compose.js';
import {type Runtime} from '../../src/runtime.js';
import {INPUT_CHANNELS, streamForChannel} from '../../src/contract/names.js';
import {faultRow} from './fault-table.js';
import {plainClient, ROOT} from './harness.js';

const FAKE_SMI = join(ROOT, 'test', 'fixtures', 'nvidia-smi', 'bin', 'nvidia-smi');

/** The ACL SETUSER lines exactly as the README documents them (so the documentation is what is tested). */
function readmeAclLines(): Map<string, string[]> {
	const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
	const lines = new Map<string, string[]>();
	for (const match of readme.matchAll(/^ACL SETUSER (mycotop-\w+) (.+)$/gm)) lines.set(match[1]!, match[2]!.trim().split(/\s+/));
	return lines;
}

type AclEntry = Map<string, unknown>;

async function aclLog(admin: ReturnType<typeof plainClient>): Promise<AclEntry[]> {
	const log = (await admin.call('ACL', 'LOG', '128')) as unknown[][];
	return log.map((entry) => {
		const fields = new Map<string, unknown>();
		for (let i = 0; i + 1 < entry.length; i += 2) fields.set(String(entry[i]), entry[i + 1]);
		return fields;
	});
}

async function startAs(url: string, extraFlags: string[]): Promise<Runtime> {
	// On the command line: --demo ignores REDIS_URL (the demo reaches a Redis only when told to explicitly).
	const parsed = parseFlags(['--redis-url', url, '--streams', '--nvidia-smi', FAKE_SMI, '--gpu-interval', '250', ...extraFlags]);
	if (!parsed.ok) throw new Error(parsed.error);
	const options = resolveOptions(parsed.flags, EMPTY_CONFIG, {});
	if (typeof options === 'string') throw new Error(options);
	const runtime = await composeRuntime(parsed.flags, EMPTY_CONFIG, options);
	await runtime.start(3000);
	return runtime;
}

describe.runIf(redisAvailable())('ACL: viewer and writer accounts', () => {
	let redis: TestRedis;
	let admin: ReturnType<typeof plainClient>;
	const runtimes: Runtime[] = [];
	const fakeEnv = process.env['FAKE_NVIDIA_SMI_SCENARIO'];

	it.beforeAll(async ({redis: fileRedis}) => {
		process.env['FAKE_NVIDIA_SMI_SCENARIO'] = 'eight-gpu';
		redis = fileRedis;
		admin = plainClient(redis.url);
		const lines = readmeAclLines();
		expect([...lines.keys()].sort()).toEqual(['mycotop-viewer', 'mycotop-writer']);
		for (const [user, rules] of lines) {
			const password = user === 'mycotop-viewer' ? 'viewer-pw' : 'writer-pw';
			await admin.call('ACL', 'SETUSER', user, ...rules.map((r) => (r.startsWith('>') ? `>${password}` : r)));
		}
	});
	afterAll(async () => {
		for (const runtime of runtimes) await runtime.stop(500);
		if (fakeEnv === undefined) delete process.env['FAKE_NVIDIA_SMI_SCENARIO'];
		else process.env['FAKE_NVIDIA_SMI_SCENARIO'] = fakeEnv;
		admin?.disconnect();
	});

	it('the viewer sees everything and never writes; the writer writes with no ACL refusal', async ({task}) => {
		const row = faultRow(
			task,
			'Least privilege: mycotop as the README\'s viewer, then as its writer (GPU, rules, demo, streams on)',
			'viewer: role viewer, events shown, no key written, its only refusal is the writer lease (SET); writer: seed keys written, ACL LOG has no refusal for it',
		);
		await admin.call('ACL', 'LOG', 'RESET');
		const viewer = await startAs(`redis://mycotop-viewer:viewer-pw@127.0.0.1:${redis.port}`, []);
		runtimes.push(viewer);
		await waitFor(() => viewer.bus.status().connection?.kind === 'connected', 5000, 'viewer connected');
		const client = plainClient(redis.url);
		for (let i = 0; i < 20; i++) {
			const message = JSON.stringify({projectId: 'acl', step: i, loss: 1 / (i + 1)});
			await client.xadd(streamForChannel(INPUT_CHANNELS.trainingProgress), '*', 'data', message);
			await client.publish('events:alerts:system', JSON.stringify({severity: 'warning', type: 'acl-test', message: 'from another agent'}));
		}
		await waitFor(() => viewer.store.projects.get('acl')?.loss.length === 20 && viewer.store.externalAlerts.length === 20, 5000, 'viewer shows the events');
		await new Promise((resolve) => setTimeout(resolve, 2500));
		const keysAfterViewer = (await admin.keys('*')).filter((k) => !k.startsWith('events:stream:')).sort();
		const viewerRefusals = (await aclLog(admin)).filter((e) => e.get('username') === 'mycotop-viewer');
		const viewerObjects = [...new Set(viewerRefusals.map((e) => `${String(e.get('reason'))}:${String(e.get('object'))}`))];
		const viewerStatus = viewer.bus.status();

		await admin.call('ACL', 'LOG', 'RESET');
		const writer = await startAs(`redis://mycotop-writer:writer-pw@127.0.0.1:${redis.port}`, ['--demo']);
		runtimes.push(writer);
		await waitFor(() => writer.bus.role === 'writer', 8000, 'writer lease');
		await waitFor(async () => (await admin.llen('metrics:training:acl:loss')) === 20, 8000, 'stream events written');
		await waitFor(async () => (await admin.exists('metrics:gpu:current')) === 1 && (await admin.exists('metrics:tasks:aggregated')) === 1, 8000, 'GPU and aggregates written');
		await new Promise((resolve) => setTimeout(resolve, 6000));
		const writerRefusals = (await aclLog(admin)).filter((e) => e.get('username') === 'mycotop-writer');
		const written = (await admin.keys('*')).filter((k) => !k.startsWith('events:stream:')).length;
		row.observe(
			`viewer: role ${viewerStatus.role}, 20 stream events + 20 alerts shown, keys written ${keysAfterViewer.length}, refusals [${viewerObjects.join(', ')}], header "${viewerStatus.summary.replace(/^Redis \S+ /, '')}"; ` +
				`writer: ${written} keys written, ${writerRefusals.length} refusals${writerRefusals.length > 0 ? ` (${writerRefusals.map((e) => String(e.get('object'))).join(', ')})` : ''}`,
		);
		expect(viewerStatus.role).toBe('viewer');
		expect(keysAfterViewer).toEqual([]);
		// Its only refused command is SET: the lease (SET NX PX), asked for once and then every 30 s.
		expect(viewerObjects).toEqual(['command:set']);
		expect(viewerRefusals.reduce((n, e) => n + Number(e.get('count')), 0)).toBeLessThanOrEqual(2);
		expect(viewerStatus.summary).toContain('lease refused by ACL');
		expect(writerRefusals.map((e) => `${String(e.get('reason'))}:${String(e.get('object'))}`)).toEqual([]);
		expect(written).toBeGreaterThan(10);
		client.disconnect();
	});
});
