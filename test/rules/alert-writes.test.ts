/**
The rules' writes through the writer: a transition's log entry (XADD) and the seed's alert hashes join one batch;
a batch whose EXEC outcome is unknown is not sent again once its batch id is found (no doubled log entry); what is
held back is counted as not in Redis's log; acks and silences are written whatever the lease.
*/
import {describe, expect, it} from 'vitest';
import {type Kv, type KvCommand, withMarker} from '../../src/bus/kv.js';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {SeedWriter} from '../../src/writer/seed-writer.js';
import {writerAlertWrites} from '../../src/rules/alert-writes.js';
import {type AlertTransition} from '../../src/rules/engine.js';

/** A Kv that applies every transaction, and answers the first one (or all, with `failAll`) with a lost connection. */
function flakyKv(options: {failAll?: boolean} = {}): Kv & {applied: KvCommand[][]; strings: Map<string, string>} {
	const applied: KvCommand[][] = [];
	const strings = new Map<string, string>();
	let calls = 0;
	return {
		applied,
		strings,
		async exec(batch, execOptions) {
			calls += 1;
			if (options.failAll) throw new Error('NOREPLICAS Not enough good replicas to write.');
			// As one server runs it: the commands, then the batch marker and what goes after it, in one transaction.
			const commands = withMarker(batch, execOptions);
			applied.push([...commands]);
			for (const c of commands) if (c[0] === 'SET') strings.set(c[1], String(c[2]));
			if (calls === 1) throw new Error('Connection is closed.');
		},
		scan: async () => [],
		getBuffer: async () => null,
		lrange: async () => [],
		hgetall: async () => ({}),
		smembers: async () => [],
		get: async (key) => strings.get(key) ?? null,
	};
}

function writerOn(kv: Kv, canWrite = true): SeedWriter {
	return new SeedWriter(new MetricsStore(), {
		kv: () => kv,
		canWrite: () => canWrite,
		canWriteHost: () => canWrite,
		shouldQueue: () => false,
		isReady: () => true,
		publish: () => {},
		instanceId: 'box:1:ab',
	});
}

const firing: AlertTransition = {
	id: 'loss_high{project="p"}',
	rule: 'loss_high',
	group: 'training',
	key: 'project="p"',
	labels: {project: 'p'},
	kind: 'firing',
	from: 'pending',
	to: 'firing',
	severity: 'warning',
	value: 9,
	message: 'high',
	timeMs: 1_000_000,
	activeAtMs: 1_000_000,
	firedAtMs: 1_000_000,
	send: true,
};

describe('alert writes through the writer', () => {
	it('one batch carries the log entry and the seed hashes; a retry after an unknown outcome does not double the entry', async () => {
		const kv = flakyKv();
		const writer = writerOn(kv);
		const writes = writerAlertWrites(writer, 'box:1:ab');
		writes.appendTransitions([firing]);
		await writer.flush();
		// The EXEC's answer was lost: the batch is held, and its entry counted as not (known to be) in Redis.
		expect(writes.unwrittenTransitions()).toBe(1);
		expect(await writer.drain(1000)).toBe(true);
		expect(writes.unwrittenTransitions()).toBe(0);
		const xadds = kv.applied.flat().filter((c) => c[0] === 'XADD');
		expect(xadds).toHaveLength(1);
		expect(xadds[0]!.slice(0, 6)).toEqual(['XADD', 'mycotop:alerts:log', 'MAXLEN', '~', 10_000, '*']);
		expect(JSON.parse(String(xadds[0]![7]))).toMatchObject({id: firing.id, kind: 'firing', instance: 'box:1:ab'});
		const batch = kv.applied[0]!;
		expect(batch).toContainEqual(['HSET', 'metrics:alerts:state', 'loss_high', '1000000']);
		expect(batch).toContainEqual(['HINCRBY', 'metrics:alerts:counters', 'loss_high', 1]);
		expect(writer.stats.retriesSkipped).toBe(1);
	});

	it('a refused batch keeps its transitions counted until written; a viewer writes none', async () => {
		const kv = flakyKv({failAll: true});
		const writer = writerOn(kv);
		const writes = writerAlertWrites(writer, 'box:1:ab');
		writes.appendTransitions([firing, {...firing, kind: 'resolved', to: 'inactive' as AlertTransition['to'], send: true}]);
		await writer.flush();
		expect(writes.unwrittenTransitions()).toBe(2);

		const viewerKv = flakyKv();
		const viewer = writerOn(viewerKv, false);
		writerAlertWrites(viewer, 'v').appendTransitions([firing]);
		await viewer.flush();
		expect(viewerKv.applied).toHaveLength(0);
	});

	it('acks and silences are written at once, whatever the lease', async () => {
		const kv = flakyKv();
		kv.applied.length = 0;
		const writes = writerAlertWrites(writerOn(kv, false), 'v');
		await expect(writes.putRecord('mycotop:alerts:acks', 'a', '{}')).rejects.toThrow('Connection is closed.');
		await writes.putRecord('mycotop:alerts:acks', 'a', '{}');
		await writes.deleteRecords('mycotop:alerts:acks', ['a', 'b']);
		expect(kv.applied.slice(1)).toEqual([[['HSET', 'mycotop:alerts:acks', 'a', '{}']], [['HDEL', 'mycotop:alerts:acks', 'a', 'b']]]);
	});
});
