/**
bench:history-slowlog: the longest single Redis command of a history backfill, on a private redis-server.

One writer batch holding a backfill (100 series x 2,000 samples stamped over the last 89 days: ~5,300 chunk keys) is
sent as the writer sends it: the batch's merge EVALs (rollup-batch.ts) in one MULTI/EXEC. SLOWLOG (every command
logged) gives each EVAL's time inside Redis; the wall time of the whole MULTI/EXEC is what other clients wait.
*/
import {startRedis} from '../test/helpers/redis-server.js';
import {RollupBatch} from '../src/history/rollup-batch.js';

const DAY = 86_400_000;
const server = await startRedis();
const client = server.client();
await client.config('SET', 'slowlog-log-slower-than', '0');
await client.config('SET', 'slowlog-max-len', '100000');
await client.slowlog('RESET');
const now = Date.now();
const batch = new RollupBatch();
let seed = 1;
const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
for (let s = 0; s < 100; s++) for (let i = 0; i < 2000; i++) batch.sample(`agent:a${s}:load`, now - Math.floor(random() * 89 * DAY), i);
const commands = batch.toCommands(now);
const multi = client.multi();
for (const command of commands) multi.call('EVAL', ...command.slice(1));
const started = performance.now();
await multi.exec();
const wallMs = performance.now() - started;
const log = (await client.slowlog('GET', 100_000)) as Array<[number, number, number, string[]]>;
const evals = log.filter((entry) => String(entry[3][0]).toUpperCase() === 'EVAL').map((entry) => entry[2] / 1000);
console.log(
	`bench:history-slowlog: ${commands.length} EVALs, ${(await client.dbsize()) - 1} chunk keys; longest EVAL ${Math.max(...evals).toFixed(1)} ms, ` +
		`all EVALs ${evals.reduce((a, b) => a + b, 0).toFixed(0)} ms, MULTI/EXEC wall ${wallMs.toFixed(0)} ms`,
);
client.disconnect();
await server.stop();
