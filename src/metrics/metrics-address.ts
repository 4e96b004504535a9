/**
Whether, and where, the Prometheus endpoint listens: `--metrics-listen`, else the config's `metrics.listen`. Apart from
the part itself (metrics-part.ts) so the composition root can ask without loading the part and prom-client.
*/
import {type MycotopConfig} from '../config/config.js';
import {type Flags} from '../config/flags.js';
import {parseListenAddress, type ListenAddress} from './listen-address.js';

/** The address the endpoint listens on (the flag wins over the config); undefined when neither asks for it. */
export function metricsAddressFrom(flags: Pick<Flags, 'metricsListen'>, config: Pick<MycotopConfig, 'metrics'>): ListenAddress | undefined {
	const fromConfig = config.metrics?.listen === undefined ? undefined : parseListenAddress(String(config.metrics.listen));
	return flags.metricsListen ?? (fromConfig?.ok ? fromConfig.address : undefined);
}
