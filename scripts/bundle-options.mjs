// The esbuild options every bundle shares: the folder bundle and the benchmarks' (bundle.mjs) and the single files
// (dist.mjs).
import {inkPatchesPlugin} from './ink-patches.mjs';

/** What every bundle shares: ESM for Node 20, React's production build, Ink's patches (recorded in `applied`). */
export function bundleOptions(applied) {
	return {
		bundle: true,
		splitting: true,
		format: 'esm',
		platform: 'node',
		target: 'node20',
		// Ink loads react-devtools-core only when DEV=true; it is not a dependency.
		external: ['react-devtools-core'],
		define: {'process.env.NODE_ENV': '"production"'},
		// CommonJS dependencies (ioredis, react) call require(); give the ESM bundle one.
		banner: {js: "import {createRequire as __mycotopRequire} from 'node:module'; const require = __mycotopRequire(import.meta.url);"},
		plugins: [inkPatchesPlugin(applied)],
		logLevel: 'warning',
	};
}

/** Throws unless every patched file went through the plugin (`applied`, from bundleOptions). */
export function assertPatchesApplied(applied, what) {
	const expected = ['ink/build/measure-text.js', 'ink/build/wrap-text.js', 'ink/build/output.js', 'ink/build/sanitize-ansi.js', 'ink/build/render-node-to-output.js', 'ink/build/log-update.js', 'ink/build/ink.js', 'ink/build/render.js', 'string-width/index.js'];
	const missing = expected.filter((file) => ![...applied].some((a) => a.replaceAll('\\', '/') === file));
	if (missing.length > 0) throw new Error(`${what}: patches not applied to ${missing.join(', ')}`);
}
