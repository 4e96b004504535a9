/**
The notification sent-record: the writer's claim path, by which exactly one instance delivers each notification.
One string key per receiver + group key + content hash (NOTIFY_KEYS.sent), written only here:

  claim      one Lua script, atomic in Redis: only the instance that holds the writer lease may claim, and only
             when no record exists (or its own claim does: a retry renews it). The claim expires after `claimMs`
             (a send's timeout and then some), so a claim left by a writer killed mid-send lapses and the next
             writer sends. Answers: 'claimed', 'sent' (delivered before: drop it), 'busy' (another instance's
             live claim: wait), 'not-writer' (hold it).
  settle     after the answer: "sent" (or "abandoned": a 4xx or given up), kept for the route's repeat interval
             (settledKeepMs), so a new writer that computed the same notification does not send it again; the
             deliberate repeat of an unchanged group is another notification (its hash names its repeat interval).

The one window that can deliver twice: the receiver has accepted the request but the writer dies (or loses Redis
for longer than the claim) before `settle` lands. The next writer cannot tell "sent, not recorded" from "claimed,
never sent", and sends again once the claim has expired, rather than risk losing the notification. The README
says so, with the numbers.

On the embedded bus (no Redis) a memory table does the same for the one process.
*/
import {createHash} from 'node:crypto';
import {NOTIFY_KEYS, ourKeys} from '../contract/names.js';

export type ClaimAnswer = 'claimed' | 'sent' | 'busy' | 'not-writer';

/** What identifies one notification to one receiver. */
export interface SentRecordId {
	readonly receiver: string;
	readonly groupKey: string;
	readonly contentHash: string;
}

export interface SentRecords {
	claim(id: SentRecordId, claimMs: number): Promise<ClaimAnswer>;
	/** Record the outcome for `keepMs` (see settledKeepMs). */
	settle(id: SentRecordId, outcome: 'sent' | 'abandoned', keepMs: number): Promise<void>;
	/** Whether each record says it is done (sent or abandoned), for instances that hold notifications as viewers (one MGET). */
	done(ids: readonly SentRecordId[]): Promise<boolean[]>;
}

/**
How long a settled record is kept: the route's repeat interval. A notification's content hash names the repeat
interval it falls in (src/notify/grouping.ts), so the deliberate repeat of an unchanged group has a hash of its own
and never meets this record, however late this one was settled; the record only has to outlive the interval its
hash names, which ends at most one repeat interval after the settle, so that an instance that computes the same
message in it (a viewer, a new writer after a handover or a restart) does not send it again.
*/
export function settledKeepMs(repeatIntervalMs: number): number {
	const interval = Number.isFinite(repeatIntervalMs) && repeatIntervalMs > 0 ? repeatIntervalMs : 4 * 3_600_000;
	return Math.max(1000, Math.round(interval));
}

/** The record's key: a digest, so no receiver name or label value from outside is part of a key name. */
export function sentRecordKey(id: SentRecordId): string {
	const digest = createHash('sha256').update(`${id.receiver}\u0000${id.groupKey}\u0000${id.contentHash}`).digest('hex').slice(0, 40);
	return NOTIFY_KEYS.sent(digest);
}

/** What a record's value says: its state and the instance that wrote it. */
function parseRecord(value: string | null | undefined): {state: 'claimed' | 'sent' | 'abandoned'; instance: string} | undefined {
	if (value === null || value === undefined) return undefined;
	const [state, instance = ''] = value.split(' ');
	return state === 'claimed' || state === 'sent' || state === 'abandoned' ? {state, instance} : undefined;
}

/** The answer to a claim from the record found (undefined: none, so this one claimed it). Pure, unit-tested. */
export function claimAnswer(found: string | undefined, instanceId: string): ClaimAnswer {
	const record = parseRecord(found);
	if (record === undefined) return 'claimed';
	if (record.state !== 'claimed') return 'sent';
	return record.instance === instanceId ? 'claimed' : 'busy';
}

// KEYS: lease, record. ARGV: instance, claim value, claim ms. Returns '' (claimed), 'not-writer', or the record found
// (a claim of ours is renewed and answered as claimed by claimAnswer).
const CLAIM_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'not-writer' end
local found = redis.call('GET', KEYS[2])
if found then
	if string.sub(found, 1, 8 + string.len(ARGV[1])) == 'claimed ' .. ARGV[1] then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
	return found
end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return ''`;

// The same claim without the lease (KEYS: record), for a Redis Cluster, where the lease and the record live in
// different hash slots and one script may not touch both: the lease is read just before (see redisSentRecords).
const CLAIM_RECORD_SCRIPT = `
local found = redis.call('GET', KEYS[1])
if found then
	if string.sub(found, 1, 8 + string.len(ARGV[1])) == 'claimed ' .. ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
	return found
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return ''`;

/** The part of an ioredis client the sent-record uses. */
export interface SentRecordClient {
	eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
	set(key: string, value: string, px: 'PX', ms: number): Promise<unknown>;
	mget(keys: string[]): Promise<Array<string | null>>;
	get(key: string): Promise<string | null>;
}

/**
The sent-record in Redis, fenced by the writer lease (`leaseKey`, default the shared keys' lease). `perSlot` (a Redis
Cluster): the lease is read, then the record claimed by a one-key script, and `done` reads each record alone: the
fence is then not atomic (a lease lost between the two calls lets this instance claim once more), which the README
states.
*/
export function redisSentRecords(
	client: SentRecordClient,
	instanceId: string,
	now: () => number = Date.now,
	leaseKey: string = ourKeys.writerLease,
	perSlot = false,
): SentRecords {
	const claimFenced = async (key: string, value: string, ms: number): Promise<unknown> => {
		if (!perSlot) return client.eval(CLAIM_SCRIPT, 2, leaseKey, key, instanceId, value, ms);
		if ((await client.get(leaseKey)) !== instanceId) return 'not-writer';
		return client.eval(CLAIM_RECORD_SCRIPT, 1, key, instanceId, value, ms);
	};
	return {
		async claim(id, claimMs) {
			const found = await claimFenced(sentRecordKey(id), `claimed ${instanceId} ${now()}`, Math.max(1, Math.round(claimMs)));
			if (found === 'not-writer') return 'not-writer';
			return claimAnswer(typeof found === 'string' && found !== '' ? found : undefined, instanceId);
		},
		async settle(id, outcome, keepMs) {
			await client.set(sentRecordKey(id), `${outcome} ${instanceId} ${now()}`, 'PX', Math.max(1, Math.round(keepMs)));
		},
		async done(ids) {
			if (ids.length === 0) return [];
			const keys = ids.map(sentRecordKey);
			const values = perSlot ? await Promise.all(keys.map((key) => client.get(key))) : await client.mget(keys);
			return values.map((v) => isDone(v));
		},
	};
}

function isDone(value: string | null | undefined): boolean {
	const record = parseRecord(value);
	return record !== undefined && record.state !== 'claimed';
}

/** The embedded bus's sent-record: one process, so a map (expired claims are taken over like Redis's). */
export function memorySentRecords(instanceId: string, isWriter: () => boolean, now: () => number = Date.now): SentRecords {
	const records = new Map<string, {value: string; untilMs: number}>();
	const live = (key: string) => {
		const r = records.get(key);
		if (r !== undefined && r.untilMs <= now()) records.delete(key);
		return records.get(key)?.value;
	};
	return {
		async claim(id, claimMs) {
			if (!isWriter()) return 'not-writer';
			const key = sentRecordKey(id);
			const answer = claimAnswer(live(key), instanceId);
			if (answer === 'claimed') records.set(key, {value: `claimed ${instanceId} ${now()}`, untilMs: now() + claimMs});
			return answer;
		},
		async settle(id, outcome, keepMs) {
			records.set(sentRecordKey(id), {value: `${outcome} ${instanceId} ${now()}`, untilMs: now() + keepMs});
		},
		async done(ids) {
			return ids.map((id) => isDone(live(sentRecordKey(id))));
		},
	};
}
