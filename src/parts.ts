/** Optional runtime parts (GPU sampler, rule engine), attached according to flags and config. */
import {type MycotopConfig} from './config/config.js';
import {type Flags} from './config/flags.js';
import {type Runtime} from './runtime.js';
import {attachGpu} from './gpu/gpu-part.js';
import {attachRules} from './rules/attach.js';

export function attachOptionalParts(_runtime: Runtime, _flags: Flags, _config: MycotopConfig): void {
	// GPU telemetry and rules attach here. `gpu?.query` is the per-GPU state and history for the rules.
	const gpu = attachGpu(_runtime, _flags, _config.gpu);
	attachRules(_runtime, _config, gpu?.query);
}
