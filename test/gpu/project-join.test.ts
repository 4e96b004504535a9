/**
GPU processes tied to projects: the optional `pid` / `host` of training messages (validated, counted when bad), the
claims the store keeps, the host rule, and the ancestry walk over a fake /proc tree (test/fixtures/proc/projects).
*/
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {parseMessage} from '../../src/contract/validate.js';
import {INPUT_CHANNELS} from '../../src/contract/names.js';
import {MAX_PID} from '../../src/contract/limits.js';
import {Ingest} from '../../src/ingest/ingest.js';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {addClaim, MAX_CLAIMS_PER_PROJECT, type ProcessClaim} from '../../src/store/project-processes.js';
import {CLAIM_TTL_MS, claimedPids, joinProjects, MAX_ANCESTRY_DEPTH, projectClaimsIn, projectOfChain, projectsOf, sameHost} from '../../src/gpu/project-join.js';
import {ProcessReader} from '../../src/gpu/proc-join.js';

const TREE = join(import.meta.dirname, '..', 'fixtures', 'proc', 'projects');
const NOW = Date.UTC(2026, 11, 6, 12);
/** pid -> project claims last renewed at NOW. */
const claimsOf = (pairs: ReadonlyArray<readonly [number, string]>) => new Map(pairs.map(([pid, projectId]) => [pid, {projectId, lastSeenMs: NOW}]));
const training = (extra: Record<string, unknown>) => JSON.stringify({projectId: 'asr', step: 1, loss: 0.5, timestamp: NOW, ...extra});

describe('pid and host on training messages', () => {
	it('are optional, kept when valid (a number or plain digits; a key-safe host)', () => {
		const parse = (extra: Record<string, unknown>) => parseMessage(INPUT_CHANNELS.trainingProgress, training(extra), NOW);
		expect(parse({})).toMatchObject({ok: true, event: {projectId: 'asr'}});
		expect((parse({}) as {event: object}).event).not.toHaveProperty('pid');
		expect(parse({pid: 4000})).toMatchObject({ok: true, event: {pid: 4000}});
		expect(parse({pid: '4000', host: 'gpu1.lab'})).toMatchObject({ok: true, event: {pid: 4000, host: 'gpu1.lab'}});
		expect(parse({pid: MAX_PID})).toMatchObject({ok: true, event: {pid: MAX_PID}});
		expect(parse({pid: null, host: null})).toMatchObject({ok: true});
		expect(parse({host: 'ノード-1'})).toMatchObject({ok: true, event: {host: 'ノード-1'}});
	});

	it.each([
		[0],
		[-1],
		[1.5],
		[MAX_PID + 1],
		[1e300],
		['0x10'],
		['1e3'],
		[' 12'],
		['12 '],
		['+12'],
		['-12'],
		['007'],
		[''],
		[true],
		[[4000]],
		[{pid: 1}],
		['NaN'],
		['Infinity'],
	])('pid %j is rejected with its reason', (pid) => {
		expect(parseMessage(INPUT_CHANNELS.trainingProgress, training({pid}), NOW)).toEqual({ok: false, reason: 'training: invalid pid'});
	});

	it('bare NaN / Infinity (Python json.dumps) as pid are rejected too', () => {
		const raw = `{"projectId":"asr","step":1,"loss":0.5,"timestamp":${NOW},"pid":NaN}`;
		expect(parseMessage(INPUT_CHANNELS.trainingProgress, raw, NOW)).toEqual({ok: false, reason: 'training: invalid pid'});
	});

	it.each([['a:b'], [''], [' gpu1'], ['gpu 1'], ['gpu*'], ['..'], ['x'.repeat(129)], ['a\u202eb'], ['\u001b[31mred'], [12], [{}], [['h']]])(
		'host %j is rejected with its reason',
		(host) => {
			expect(parseMessage(INPUT_CHANNELS.trainingProgress, training({pid: 12, host}), NOW)).toEqual({ok: false, reason: 'training: invalid host'});
		},
	);

	it('a bad one is counted as rejected with the reason, never thrown, and the stream goes on', () => {
		const store = new MetricsStore({}, () => NOW);
		const written: unknown[] = [];
		const ingest = new Ingest(store, {onEvent: (e) => written.push(e)}, {}, () => NOW);
		ingest.handle(INPUT_CHANNELS.trainingProgress, training({pid: -3}));
		ingest.handle(INPUT_CHANNELS.trainingProgress, training({pid: 7, host: 'a:b'}));
		ingest.handle(INPUT_CHANNELS.trainingProgress, training({pid: 4000}));
		expect(store.counters).toMatchObject({received: 3, rejected: 2, stored: 1});
		expect(store.counters.rejectReasons.get('training: invalid pid')).toBe(1);
		expect(store.counters.rejectReasons.get('training: invalid host')).toBe(1);
		expect(written).toHaveLength(1);
		expect(store.projects.get('asr')!.processes).toEqual([{pid: 4000, firstSeenMs: NOW, lastSeenMs: NOW}]);
	});

	it('property: any JSON value as pid or host is accepted or rejected with a reason, never thrown', () => {
		fc.assert(
			fc.property(fc.jsonValue(), fc.jsonValue(), (pid, host) => {
				const result = parseMessage(INPUT_CHANNELS.trainingProgress, training({pid, host}), NOW);
				if (result.ok) {
					const event = result.event as {pid?: number; host?: string};
					if (event.pid !== undefined) expect(Number.isSafeInteger(event.pid) && event.pid >= 1 && event.pid <= MAX_PID).toBe(true);
					if (event.host !== undefined) expect(event.host).not.toMatch(/[:\s*?[\]/\\]/);
				} else expect(result.reason).toMatch(/^training: invalid (pid|host)$/);
			}),
		);
	});
});

describe('claims kept per project', () => {
	it('newest first, renewed in place, at most 8 distinct (pid, host) pairs', () => {
		let claims: readonly ProcessClaim[] = [];
		claims = addClaim(claims, 1, undefined, 10);
		claims = addClaim(claims, 2, 'b', 20);
		claims = addClaim(claims, 1, undefined, 30);
		expect(claims).toEqual([
			{pid: 1, firstSeenMs: 10, lastSeenMs: 30},
			{pid: 2, host: 'b', firstSeenMs: 20, lastSeenMs: 20},
		]);
		for (let pid = 100; pid < 120; pid++) claims = addClaim(claims, pid, undefined, pid);
		expect(claims).toHaveLength(MAX_CLAIMS_PER_PROJECT);
		expect(claims[0]!.pid).toBe(119);
	});
});

describe('the host rule', () => {
	it.each([
		[undefined, 'gpu1', true],
		['gpu1', 'gpu1', true],
		['GPU1', 'gpu1', true],
		['gpu1.lab.example', 'gpu1', true],
		['gpu1', 'gpu1.lab.example', true],
		['gpu1.a.example', 'gpu1.b.example', false],
		['gpu2', 'gpu1', false],
		['gpu10', 'gpu1', false],
	])('message host %j on box %j: %j', (message, box, same) => {
		expect(sameHost(message, box)).toBe(same);
	});
});

describe('claimed pids', () => {
	const claim = (pid: number, lastSeenMs: number, host?: string): ProcessClaim => ({pid, lastSeenMs, firstSeenMs: lastSeenMs, ...(host !== undefined ? {host} : {})});

	it('only this box, only claims renewed within the TTL; the newest claim of a shared pid wins', () => {
		const got = claimedPids(
			[
				['a', [claim(10, NOW), claim(11, NOW, 'elsewhere'), claim(12, NOW - CLAIM_TTL_MS - 1)]],
				['b', [claim(20, NOW, 'box')]],
				['c', [claim(10, NOW - 1000)]],
			],
			'box',
			NOW,
		);
		expect(Object.fromEntries([...got].map(([pid, c]) => [pid, c.projectId]))).toEqual({10: 'a', 20: 'b'});
		expect(got.get(10)!.lastSeenMs).toBe(NOW);
	});

	it('the store projects that named a pid', () => {
		const store = new MetricsStore({}, () => NOW);
		store.apply({kind: 'training', projectId: 'a', step: 1, loss: 1, timestamp: NOW, timeMs: NOW, pid: 5}, NOW);
		store.apply({kind: 'training', projectId: 'b', step: 1, loss: 1, timestamp: NOW, timeMs: NOW}, NOW);
		expect([...projectClaimsIn(store.projects)].map(([id]) => id)).toEqual(['a']);
	});
});

describe('the join over a fake /proc tree', () => {
	const reader = new ProcessReader(TREE, join(TREE, 'no-passwd'));
	const ancestry = (pid: number) => reader.ancestry(pid, MAX_ANCESTRY_DEPTH);

	it('walks ppid up to init, and stops at a loop or a pid /proc lacks', () => {
		expect(ancestry(4100)).toEqual([4100, 4000, 3900, 1]);
		expect(ancestry(4400)).toEqual([4400, 4401]);
		expect(ancestry(999_999)).toEqual([999_999]);
		expect(reader.ancestry(4100, 2)).toEqual([4100, 4000]);
	});

	it('a worker belongs to the project its launcher claims; an exact pid too; the nearest claim wins; unclaimed stays free', () => {
		const claims = claimsOf([
			[4000, 'asr-large'],
			[4200, 'tts'],
			[3900, 'shell-project'],
		]);
		const apps = [{pid: 4100}, {pid: 4101}, {pid: 4200}, {pid: 4300}, {pid: 999_999}];
		expect(Object.fromEntries(joinProjects(apps, claims, ancestry))).toEqual({4100: 'asr-large', 4101: 'asr-large', 4200: 'tts'});
	});

	it('a pid /proc does not have joins only by an exact match (a GPU process in another PID namespace)', () => {
		expect(Object.fromEntries(joinProjects([{pid: 999_999}], claimsOf([[999_999, 'x']]), ancestry))).toEqual({999_999: 'x'});
	});

	it('the depth bound: an ancestor beyond MAX_ANCESTRY_DEPTH does not tie', () => {
		const deep = Array.from({length: 100}, (_, i) => 1000 + i);
		expect(projectOfChain(deep, claimsOf([[1000 + MAX_ANCESTRY_DEPTH - 1, 'near']]))).toBe('near');
		expect(projectOfChain(deep, claimsOf([[1000 + MAX_ANCESTRY_DEPTH, 'far']]))).toBeUndefined();
	});

	it('projectsOf: distinct, in process order', () => {
		expect(projectsOf([{projectId: 'b'}, {}, {projectId: 'a'}, {projectId: 'b'}])).toEqual(['b', 'a']);
	});
});
