/**
Who holds its subscriber reads at a trickle (src/bus/coalesced-reads.ts): BusManager sets RedisLink.holdReads from
its own role, against a real redis-server. The writer holds; a standby (viewer) and a read-only instance never do
(a standby that lagged the writer would, on taking the lease, store again what the old writer had stored:
test/faults/handover-trickle.test.ts); the standby that takes over starts holding, the one that lets go stops.
*/
import {afterEach, describe, expect, it} from 'vitest';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {BusManager, holdsReadsAs, type InstanceRole} from '../../src/bus/bus-manager.js';
import {SUBSCRIBED_CHANNELS} from '../../src/contract/names.js';

describe('holdsReadsAs', () => {
	it('the writer only', () => {
		const roles: InstanceRole[] = ['writer', 'viewer', 'read-only', 'standalone'];
		expect(roles.filter(holdsReadsAs)).toEqual(['writer']);
	});
});

describe.runIf(redisAvailable())('read holding follows the role', () => {
	let redis: TestRedis | undefined;
	const buses: BusManager[] = [];

	afterEach(async () => {
		for (const bus of buses.splice(0).reverse()) await bus.stop();
		await redis?.stop();
	});

	function started(name: string, readOnly = false): BusManager {
		const bus = new BusManager({redisUrl: redis!.url, readOnly, instanceId: name, channels: SUBSCRIBED_CHANNELS, onMessage: () => {}, leaseRenewMs: 50});
		buses.push(bus);
		bus.start();
		return bus;
	}

	const holding = (bus: BusManager) => ({role: bus.role, holdReads: bus.link!.holdReads});

	it('the writer holds, a standby and a read-only instance never; a handover moves the holding with the lease', async () => {
		redis = await startRedis();
		const first = started('first');
		// Standalone until Redis answers, then the writer: it holds from then on.
		expect(holding(first)).toEqual({role: 'standalone', holdReads: false});
		await waitFor(() => first.role === 'writer', 5000, 'first takes the lease');
		expect(holding(first)).toEqual({role: 'writer', holdReads: true});

		const standby = started('standby');
		const readOnly = started('read-only', true);
		await waitFor(() => standby.kind === 'redis' && readOnly.kind === 'redis', 5000, 'both on Redis');
		// Several of the standby's lease ticks: it asks, is refused, and does not hold.
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(holding(standby)).toEqual({role: 'viewer', holdReads: false});
		expect(holding(readOnly)).toEqual({role: 'read-only', holdReads: false});

		// The writer lets go (stop releases the lease): the standby takes it and holds.
		await buses.shift()!.stop();
		await waitFor(() => standby.role === 'writer', 5000, 'the standby takes over');
		expect(holding(standby)).toEqual({role: 'writer', holdReads: true});
		expect(holding(readOnly)).toEqual({role: 'read-only', holdReads: false});
	});
});
