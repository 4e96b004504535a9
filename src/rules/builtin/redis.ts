/** Built-in rules on Redis's own health (src/redis-health): memory near its limit (data), slow round trips (a median). */
import {median} from '../stats.js';
import {builtin, fmt, type BuiltinEntry} from './common.js';

export const redisMemoryHigh: BuiltinEntry = builtin(
	{
		name: 'redis_memory_high',
		group: 'system',
		recommendation: 'Redis is near maxmemory: the agents\' writes will be refused or keys evicted; raise maxmemory, trim history, or check for a runaway key',
	},
	{
		series: 'redis_memory_percent',
		condition: 'value > 90',
		recovery: 'value < 85',
		for: '1m',
		severity: 'warning',
		stale_after: '1m',
		message: 'Redis memory at {{value | round 1}}% of its limit',
		description: 'used_memory above 90% of maxmemory (of the machine\'s memory when maxmemory is 0) for 1 min; clears below 85%',
	},
);

/** Latency needs enough PINGs (12 = 1 min at 5 s) and a median, so one slow PING (a fork, a GC pause here) never fires. */
const LATENCY = {windowMs: 2 * 60_000, minSamples: 12, breachMs: 50, clearMs: 20} as const;

export const redisLatencyHigh: BuiltinEntry = builtin(
	{
		name: 'redis_latency_high',
		group: 'system',
		recommendation: 'Commands wait on Redis: check SLOWLOG, big keys, persistence (fork) pauses, swap, and the network to the Redis host',
	},
	{
		severity: 'warning',
		forMs: 60_000,
		description: 'median PING round trip on mycotop\'s connection over 2 min (>= 12 PINGs) above 50 ms, for 1 min (one slow PING never fires); clears below 20 ms',
		evaluate: (ctx, emit) => {
			const series = ctx.input.redis?.latencyMs;
			if (series === undefined || series.length === 0) return;
			const last = series.lastTime()!;
			if (ctx.input.nowMs - last > 60_000) {
				emit({labels: {}, breach: false, value: Number.NaN, message: 'no data', stale: true});
				return;
			}
			const w = series.since(ctx.input.nowMs - LATENCY.windowMs).values;
			if (w.length < LATENCY.minSamples) return;
			const m = median(w);
			emit({labels: {}, breach: m > LATENCY.breachMs, clear: m < LATENCY.clearMs, value: m, message: () => `Redis round trip ${fmt(m, 1)} ms (2 min median)`});
		},
	},
);
