/**
The host part: the /proc sampler (host-sampler.ts) inside the runtime. Each reading touches the store (the host line
redraws) and, through the writer with the host lease, replaces `metrics:host:{host}:current` (our own key; the seed
names none for the host). Off with `host.enabled: false`.
*/
import {ourKeys} from '../contract/names.js';
import {keySegment} from '../gpu/redis-entries.js';
import {type HostSourcePart} from '../parts.js';
import {type HostStats} from './host-figures.js';
import {HostSampler, type HostSamplerOptions, type HostView} from './host-sampler.js';

export interface HostPartHost {
	readonly host: string;
	readonly store: {touch(): void};
	readonly writer: {
		enqueueHash(key: string, fields: Record<string, string>, scope?: 'shared' | 'host'): void;
		/** The same, allowed to wait up to `withinMs` for another write's transaction (write-batcher.ts). */
		enqueueHashWithin?(key: string, fields: Record<string, string>, withinMs: number, scope?: 'shared' | 'host'): void;
	};
}

function num(value: number, digits = 2): string {
	return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

/**
`metrics:host:{host}:current`: every known figure; unknown ones empty and named in `unknown` (never 0). Bytes and
bytes per second, percents 0-100. Pure.
*/
export function hostCurrentFields(view: HostView, timestampIso: string): Record<string, string> {
	const s: HostStats | undefined = view.stats;
	const fields: Record<string, string> = {last_updated: timestampIso, dataloader_bound: view.dataloaderBound ? 'true' : 'false'};
	const unknown: string[] = [];
	const put = (field: string, value: number | undefined) => {
		if (value === undefined || !Number.isFinite(value)) {
			fields[field] = '';
			unknown.push(field);
		} else fields[field] = num(value);
	};
	put('cpu_percent', s?.cpuPercent);
	fields['cores'] = String(s?.corePercents.length ?? 0);
	fields['core_percents'] = (s?.corePercents ?? []).map((c) => (c === undefined ? '' : String(Math.round(c)))).join(',');
	put('load1', s?.load?.load1);
	put('load5', s?.load?.load5);
	put('load15', s?.load?.load15);
	put('memory_used_bytes', s?.memory?.usedBytes);
	put('memory_total_bytes', s?.memory?.totalBytes);
	put('memory_percent', s?.memory?.percent);
	put('swap_used_bytes', s?.swap?.usedBytes);
	put('swap_total_bytes', s?.swap?.totalBytes);
	put('disk_read_bytes_per_sec', s?.disk?.readBytesPerSec);
	put('disk_write_bytes_per_sec', s?.disk?.writeBytesPerSec);
	put('disk_busiest_percent', s?.disk?.busiestPercent);
	put('net_rx_bytes_per_sec', s?.net?.rxBytesPerSec);
	put('net_tx_bytes_per_sec', s?.net?.txBytesPerSec);
	fields['filesystems'] = JSON.stringify(
		(s?.filesystems ?? []).map((f) => ({
			path: f.path,
			total_bytes: f.totalBytes ?? null,
			available_bytes: f.availableBytes ?? null,
			used_percent: f.usedPercent === undefined ? null : Number(f.usedPercent.toFixed(2)),
			...(f.reason !== undefined ? {reason: f.reason} : {}),
		})),
	);
	fields['unknown'] = unknown.join(',');
	fields['errors'] = (s?.errors ?? []).join(';');
	return fields;
}

export interface HostPartOptions extends HostSamplerOptions {
	readonly now?: () => number;
}

export function createHostPart(host: HostPartHost, options: HostPartOptions = {}): HostSourcePart & {readonly sampler: HostSampler} {
	const now = options.now ?? Date.now;
	const key = ourKeys.hostCurrent(keySegment(host.host));
	const sampler: HostSampler = new HostSampler({
		...options,
		onSample: (stats) => {
			options.onSample?.(stats);
			const fields = hostCurrentFields(sampler.view(), new Date(now()).toISOString());
			// Not urgent: it may wait (a second at most) to ride with the GPU frame's transaction.
			if (host.writer.enqueueHashWithin !== undefined) host.writer.enqueueHashWithin(key, fields, Math.min(1000, sampler.intervalMs), 'host');
			else host.writer.enqueueHash(key, fields, 'host');
			host.store.touch();
		},
	});
	return {start: () => sampler.start(), stop: () => sampler.stop(), hostView: () => sampler.view(), sampler};
}

/** The part's options from config (and the working directory); undefined when host sampling is off. Pure. */
export function hostOptionsFrom(config: {readonly enabled?: boolean; readonly intervalMs?: number; readonly paths?: readonly string[]} | undefined, cwd: string): HostSamplerOptions | undefined {
	if (config?.enabled === false) return undefined;
	return {intervalMs: config?.intervalMs ?? 1000, paths: config?.paths ?? [cwd]};
}
