// Bundles a compiled benchmark (dist/bench/NAME.js) the way the CLI is bundled (scripts/bundle.mjs): React's
// production build and the Ink patches of ink-patches.mjs, so a benchmark that renders the App measures the code
// that ships. Usage: node scripts/bundle-bench.mjs NAME  ->  dist/bench-bundle/NAME.js
import {rmSync} from 'node:fs';
import {build} from 'esbuild';
import {inkPatchesPlugin} from './ink-patches.mjs';

const name = process.argv[2];
if (!name || !/^[a-z-]+$/.test(name)) throw new Error('usage: node scripts/bundle-bench.mjs NAME');
rmSync('dist/bench-bundle', {recursive: true, force: true});
const applied = new Set();
await build({
	entryPoints: {[name]: `dist/bench/${name}.js`},
	outdir: 'dist/bench-bundle',
	bundle: true,
	// Ink imports its devtools lazily: split, that import stays in a chunk nobody loads.
	splitting: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	external: ['react-devtools-core'],
	define: {'process.env.NODE_ENV': '"production"'},
	banner: {js: "import {createRequire as __mycotopRequire} from 'node:module'; const require = __mycotopRequire(import.meta.url);"},
	plugins: [inkPatchesPlugin(applied)],
	logLevel: 'warning',
});
if (applied.size === 0) throw new Error('bundle-bench: no Ink patch applied');
