// Bundles the compiled CLI (dist/src/cli.js) into dist/bundle/: one file per entry and lazily loaded chunk instead
// of ~300 modules. Start-up to the first frame drops from ~0.95 s to ~0.5 s on the 2-core VM (BENCHMARKS.md), React
// runs its production build (NODE_ENV is fixed at bundle time), and Ink gets the patches in ink-patches.mjs.
import {chmodSync, rmSync} from 'node:fs';
import {build} from 'esbuild';
import {inkPatchesPlugin} from './ink-patches.mjs';

/** What every bundle shares: ESM for Node 20, React's production build, Ink's patches (recorded in `applied`). */
function bundleOptions(applied) {
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

// Chunk names carry content hashes: start from an empty folder so no stale chunk ships.
rmSync('dist/bundle', {recursive: true, force: true});
const applied = new Set();
await build({
	...bundleOptions(applied),
	// The CLI, and the nvidia-smi stand-in that --demo runs on machines without a driver (src/demo/demo-nvidia-smi.ts).
	entryPoints: {'cli': 'dist/src/cli.js', 'demo-nvidia-smi': 'dist/src/demo/demo-nvidia-smi.js'},
	outdir: 'dist/bundle',
});
chmodSync('dist/bundle/cli.js', 0o755);
chmodSync('dist/bundle/demo-nvidia-smi.js', 0o755);
// The frame and chart benchmarks run what the TUI runs: the same patches and React's production build, in their own folder.
rmSync('dist/bench-bundle', {recursive: true, force: true});
await build({...bundleOptions(new Set()), entryPoints: {frame: 'dist/bench/frame.js', charts: 'dist/bench/charts.js'}, outdir: 'dist/bench-bundle'});
const expected = ['ink/build/measure-text.js', 'ink/build/wrap-text.js', 'ink/build/output.js', 'ink/build/sanitize-ansi.js', 'ink/build/render-node-to-output.js', 'string-width/index.js'];
const missing = expected.filter((file) => ![...applied].some((a) => a.replaceAll('\\', '/') === file));
if (missing.length > 0) throw new Error(`bundle: patches not applied to ${missing.join(', ')}`);
