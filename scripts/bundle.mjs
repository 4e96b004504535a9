// Bundles the compiled CLI (dist/src/cli.js) into dist/bundle/: one file per entry and lazily loaded chunk instead
// of ~300 modules. Start-up to the first frame drops from ~0.95 s to ~0.5 s on the 2-core VM (BENCHMARKS.md), and
// React runs its production build (NODE_ENV is fixed at bundle time).
import {build} from 'esbuild';

await build({
	entryPoints: ['dist/src/cli.js'],
	outdir: 'dist/bundle',
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
	logLevel: 'warning',
});
