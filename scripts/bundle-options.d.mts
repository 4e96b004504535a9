import {type BuildOptions} from 'esbuild';
export function bundleOptions(applied: Set<string>): BuildOptions;
export function assertPatchesApplied(applied: Set<string>, what: string): void;
