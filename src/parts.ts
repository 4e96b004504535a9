/** Optional runtime parts (GPU sampler, rule engine), attached according to flags and config. */
import {accessSync, constants} from 'node:fs';
import {delimiter, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {type MycotopConfig} from './config/config.js';
import {type Flags} from './config/flags.js';
import {type Runtime} from './runtime.js';
import {attachGpu} from './gpu/gpu-part.js';
import {attachRules} from './rules/attach.js';

export function attachOptionalParts(runtime: Runtime, flags: Flags, config: MycotopConfig): void {
	// `gpu?.query` is the per-GPU state and history the GPU rules read.
	const gpu = attachGpu(runtime, {...flags, nvidiaSmi: flags.nvidiaSmi ?? demoNvidiaSmi(flags, config)}, config.gpu);
	attachRules(runtime, config, gpu?.query);
}

function executable(path: string): boolean {
	try {
		accessSync(path, constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

/** The first executable `name` on PATH, if any. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
	for (const dir of (env['PATH'] ?? '').split(delimiter)) {
		if (dir === '') continue;
		const candidate = join(dir, name);
		if (executable(candidate)) return candidate;
	}
	return undefined;
}

/**
With `--demo` on a machine without nvidia-smi (and no nvidia-smi configured), the simulated GPUs of the bundle's
demo-nvidia-smi.js, so the demo shows a full GPU pane; the real sampler runs on them unchanged. Otherwise undefined.
*/
export function demoNvidiaSmi(flags: Pick<Flags, 'demo'>, config: Pick<MycotopConfig, 'gpu'>, env: NodeJS.ProcessEnv = process.env): string | undefined {
	if (!flags.demo || config.gpu.nvidiaSmi !== undefined || findOnPath('nvidia-smi', env) !== undefined) return undefined;
	const shipped = fileURLToPath(new URL('demo-nvidia-smi.js', import.meta.url));
	return executable(shipped) ? shipped : undefined;
}
