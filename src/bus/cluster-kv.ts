/**
The Kv interface over a Redis Cluster (ioredis Cluster). A transaction may only touch keys of one hash slot, and
the seed's key names carry no hash tags (and must not: other agents read them by name), so a writer batch is cut by
slot (planBySlot): one MULTI/EXEC per slot, sent together (ioredis routes each to the master of its slot), the
history merge EVALs cut per slot as well (rollup-slots.ts). Atomicity is therefore per slot: a crash or a failover
between the parts can leave some slots' part of a batch applied and others not.

What keeps a batch from being applied twice across slots: every slot's part carries a copy of the batch's marker under
a key of our own that hashes to that slot (`mycotop:writer:slot_batch:{TAG}:INSTANCE`), and the marker itself
(`mycotop:writer:last_batch:INSTANCE`) goes last, in its own slot's part, after every other part was applied. A
stored marker thus means the whole batch; a batch sent again (`resend`) skips the slots whose copy holds its id.

SCAN visits every master (each holds only its slots' keys).
*/
import calculateSlot from 'cluster-key-slot';
import type {Cluster, Redis} from 'ioredis';
import {asCluster, isClusterClient} from './redis-client.js';
import {type ExecOptions, type Kv, type KvCommand, type ServerProbe} from './kv.js';
import {PartialExecError, RedisKv} from './redis-kv.js';
import {EncodedEntries} from './resp-encode.js';
import {ROLLUP_SCRIPT} from '../history/rollup-script.js';
import {splitRollupBySlot} from '../history/rollup-slots.js';
import type {RollupCommand} from '../history/rollup-batch.js';

const SLOTS = 16_384;
let slotTags: string[] | undefined;

/**
A short string whose hash slot is `slot` (to name a key of our own in that slot, in braces). The table is built once,
on first use in cluster mode: about 170,000 CRC16s of 1 to 4 characters.
*/
export function slotTag(slot: number): string {
	if (slotTags === undefined) {
		const table = new Array<string | undefined>(SLOTS);
		let missing = SLOTS;
		for (let i = 0; missing > 0; i++) {
			const tag = i.toString(36);
			const s = calculateSlot(tag);
			if (table[s] === undefined) {
				table[s] = tag;
				missing -= 1;
			}
		}
		slotTags = table as string[];
	}
	return slotTags[slot]!;
}

/** The key of a batch marker's copy in `slot`: the braces come first, so they are the key's hash tag. */
export function slotMarkerKey(slot: number, instanceId: string): string {
	return `mycotop:writer:slot_batch:{${slotTag(slot)}}:${instanceId}`;
}

/** The keys a command names (EVAL: its KEYS; everything else the writer sends: the one key). */
function keysOf(command: KvCommand): string[] {
	if (command[0] !== 'EVAL') return [command[1]];
	const n = Number(command[2]);
	return command.slice(3, 3 + n).map(String);
}

export interface SlotPart {
	readonly slot: number;
	readonly commands: KvCommand[];
	/** Per command: its index in what the writer sent (an EVAL cut per slot maps each part to the one EVAL). */
	readonly origins: number[];
}

/**
The batch cut per hash slot, in first-seen order, the marker's slot last (its part carries the marker after its
commands). Merge EVALs are cut per slot first. A command whose keys span slots (an EVAL other than the merge) is an
error: Redis would refuse it (CROSSSLOT). Pure.
*/
export function planBySlot(commands: readonly KvCommand[], marker: KvCommand | undefined, slotOf: (key: string) => number = calculateSlot): SlotPart[] {
	const parts = new Map<number, SlotPart>();
	const add = (command: KvCommand, origin: number) => {
		const slots = new Set(keysOf(command).map(slotOf));
		if (slots.size !== 1) throw new Error(`CROSSSLOT a ${command[0]} names keys of ${slots.size} hash slots (not possible on a Redis Cluster)`);
		const slot = [...slots][0]!;
		let part = parts.get(slot);
		if (part === undefined) {
			part = {slot, commands: [], origins: []};
			parts.set(slot, part);
		}
		part.commands.push(command);
		part.origins.push(origin);
	};
	commands.forEach((command, i) => {
		if (command[0] === 'EVAL' && command[1] === ROLLUP_SCRIPT) for (const piece of splitRollupBySlot(command as unknown as RollupCommand, slotOf)) add(piece as unknown as KvCommand, i);
		else add(command, i);
	});
	if (marker === undefined) return [...parts.values()];
	const markerSlot = slotOf(marker[1]);
	const last = parts.get(markerSlot) ?? {slot: markerSlot, commands: [], origins: []};
	parts.delete(markerSlot);
	last.commands.push(marker);
	last.origins.push(commands.length);
	return [...parts.values(), last];
}

/** ioredis arguments for a command (encoded list entries back to strings: a cluster transaction is built by ioredis). */
function argsOf(command: KvCommand): [string, ...Array<string | number | Buffer>] {
	const [name, ...rest] = command;
	return [name.toLowerCase(), ...rest.flatMap((part) => (part instanceof EncodedEntries ? part.texts() : [part]))];
}

export class ClusterKv implements Kv, ServerProbe {
	constructor(
		private readonly cluster: Cluster,
		private readonly instanceId: string,
	) {}

	/** INFO of one node (ioredis picks one): the Redis health line describes that node. */
	async info(): Promise<string> {
		return this.cluster.info();
	}

	async slowlogLen(): Promise<number> {
		return Number(await this.cluster.call('SLOWLOG', 'LEN'));
	}

	async ping(): Promise<void> {
		await this.cluster.ping();
	}

	/**
	One transaction per slot (see the module comment): every part but the marker's is sent at once, each with its
	marker copy; the marker's part goes after they were all applied, and `after` (the watermark) after that. A refused
	command inside an applied part is reported (PartialExecError, with its index in what the writer sent: the
	commands, the marker, then `after`) after every part ran.
	*/
	async exec(commands: readonly KvCommand[], options?: ExecOptions): Promise<void> {
		const marker = options?.marker;
		const plan = planBySlot(commands, marker);
		if (plan.length === 0) return;
		const markerPart = marker === undefined ? undefined : plan.pop();
		const id = marker === undefined ? undefined : String(marker[2]);
		const failures: Array<{index: number; error: Error}> = [];
		const run = async (part: SlotPart, copy: boolean) => {
			const copyKey = copy && id !== undefined ? slotMarkerKey(part.slot, this.instanceId) : undefined;
			if (copyKey !== undefined && options?.resend === true && (await this.cluster.get(copyKey)) === id) return;
			const sent = copyKey === undefined ? part.commands : [...part.commands, ['SET', copyKey, id!, 'EX', 86_400] as KvCommand];
			for (const {index, error} of await this.transaction(sent)) if (index < part.origins.length) failures.push({index: part.origins[index]!, error});
		};
		const settled = await Promise.allSettled(plan.map((part) => run(part, true)));
		for (const result of settled) if (result.status === 'rejected') throw result.reason;
		if (markerPart !== undefined) await run(markerPart, false);
		// Then what must follow the whole batch (the input watermark): a failure here leaves it at an older position.
		const offset = commands.length + (marker === undefined ? 0 : 1);
		const after = planBySlot(options?.after ?? [], undefined).map((part) => ({...part, origins: part.origins.map((o) => o + offset)}));
		for (const result of await Promise.allSettled(after.map((part) => run(part, false)))) if (result.status === 'rejected') throw result.reason;
		if (failures.length > 0) throw new PartialExecError(failures.sort((a, b) => a.index - b.index));
	}

	/** One MULTI/EXEC on the slot's master (one command alone is sent as it is); the commands Redis refused inside it. */
	private async transaction(commands: readonly KvCommand[]): Promise<Array<{index: number; error: Error}>> {
		if (commands.length === 1) {
			const [name, ...args] = argsOf(commands[0]!);
			await this.cluster.call(name, ...args);
			return [];
		}
		const replies = await this.cluster.multi(commands.map(argsOf)).exec();
		if (replies === null) throw new Error('transaction aborted');
		return replies.flatMap(([error], index) => (error instanceof Error ? [{index, error}] : []));
	}

	/** SCAN on every master, merged (a key lives on the master of its slot only). */
	async scan(pattern: string, limit = 100_000): Promise<string[]> {
		const found = new Set<string>();
		for (const node of this.cluster.nodes('master')) {
			let cursor = '0';
			do {
				const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
				for (const key of batch) found.add(key);
				cursor = next;
			} while (cursor !== '0' && found.size < limit);
			if (found.size >= limit) break;
		}
		return [...found].slice(0, limit);
	}

	lrange(key: string, start: number, stop: number): Promise<string[]> {
		return this.cluster.lrange(key, start, stop);
	}

	hgetall(key: string): Promise<Record<string, string>> {
		return this.cluster.hgetall(key);
	}

	smembers(key: string): Promise<string[]> {
		return this.cluster.smembers(key);
	}

	get(key: string): Promise<string | null> {
		return this.cluster.get(key);
	}

	getBuffer(key: string): Promise<Buffer | null> {
		return this.cluster.getBuffer(key);
	}
}

/** The Kv over a client made by createRedisClient: per-slot transactions on a Cluster, MULTI/EXEC on one server. */
export function kvForClient(client: Redis, instanceId: string): Kv & ServerProbe {
	return isClusterClient(client) ? new ClusterKv(asCluster(client), instanceId) : new RedisKv(client);
}
