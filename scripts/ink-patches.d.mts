export interface Patch {
	readonly file: RegExp;
	readonly version?: string;
	readonly find: string;
	readonly replace: string;
}
export const PATCHES: readonly Patch[];
export function patchSource(path: string, source: string, version?: string): string | undefined;
export function inkPatchesPlugin(applied?: Set<string>): unknown;
