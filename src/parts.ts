/** Optional runtime parts (GPU sampler, rule engine), attached according to flags and config. */
import {type MycotopConfig} from './config/config.js';
import {type Flags} from './config/flags.js';
import {type Runtime} from './runtime.js';

export function attachOptionalParts(_runtime: Runtime, _flags: Flags, _config: MycotopConfig): void {
	// GPU telemetry and rules attach here.
}
