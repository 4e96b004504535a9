/**
`/readyz`: whether a scrape now would show a working mycotop. Ready when Redis is connected (or none is configured:
`--embedded`) and the GPU sampler knows its first answer: a frame, or why there is none (unavailable, disabled).
Pure: the reason names states, never an error text (which could carry an address or a credential).
*/
import {type BusStatus} from '../bus/bus-manager.js';
import {type GpuSnapshot} from '../gpu/gpu-snapshot.js';

export type Readiness = {readonly ready: true} | {readonly ready: false; readonly reason: string};

export function readiness(bus: Pick<BusStatus, 'url' | 'connection'>, gpu: Pick<GpuSnapshot, 'state'> | undefined): Readiness {
	const reasons: string[] = [];
	if (bus.url !== undefined && bus.connection?.kind !== 'connected') reasons.push(`redis ${bus.connection?.kind ?? 'connecting'}`);
	if (gpu?.state === 'starting') reasons.push('gpu sampler starting (no frame yet)');
	return reasons.length === 0 ? {ready: true} : {ready: false, reason: reasons.join('; ')};
}
