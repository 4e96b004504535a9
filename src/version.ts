import {createRequire} from 'node:module';

const require = createRequire(import.meta.url);

/** Replaced by the version at bundle time in the single-file builds (scripts/dist.mjs), which have no package.json. */
declare const __MYCOTOP_VERSION__: string | undefined;

/** The package version: the bundled one, else read from package.json (two levels up from dist/src or src). */
export function packageVersion(): string {
	if (typeof __MYCOTOP_VERSION__ === 'string') return __MYCOTOP_VERSION__;
	for (const candidate of ['../../package.json', '../package.json']) {
		try {
			const pkg = require(candidate) as {name?: string; version?: string};
			if (pkg.name === 'mycotop' && pkg.version) return pkg.version;
		} catch {
			// try the next location
		}
	}
	return '0.0.0';
}
