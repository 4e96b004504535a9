// Bundles the compiled CLI (dist/src/cli.js) into dist/bundle/: one file per entry and lazily loaded chunk instead
// of ~300 modules. Start-up to the first frame drops from ~0.95 s to ~0.5 s on the 2-core VM (BENCHMARKS.md), React
// runs its production build (NODE_ENV is fixed at bundle time), and Ink gets the patches in ink-patches.mjs.
import {chmodSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {build} from 'esbuild';
import {assertAscii, assertPatchesApplied, bundleOptions} from './bundle-options.mjs';
import {withLauncher} from './launcher.mjs';

// Chunk names carry content hashes: start from an empty folder so no stale chunk ships.
rmSync('dist/bundle', {recursive: true, force: true});
const applied = new Set();
await build({
	...bundleOptions(applied),
	// The CLI, and the nvidia-smi stand-in that --demo runs on machines without a driver (src/demo/demo-nvidia-smi.ts).
	entryPoints: {'cli': 'dist/src/cli.js', 'demo-nvidia-smi': 'dist/src/demo/demo-nvidia-smi.js'},
	outdir: 'dist/bundle',
});
// The bin starts node with malloc's arenas capped (launcher.mjs).
writeFileSync('dist/bundle/cli.js', withLauncher(readFileSync('dist/bundle/cli.js', 'utf8')));
chmodSync('dist/bundle/cli.js', 0o755);
// The dashboard's own code: kept at one byte a character on V8's heap (see assertAscii).
assertAscii(readdirSync('dist/bundle').filter((f) => f.endsWith('.js')).map((f) => `dist/bundle/${f}`), 'bundle');
chmodSync('dist/bundle/demo-nvidia-smi.js', 0o755);
// The frame and chart benchmarks run what the TUI runs: the same patches and React's production build, in their own folder.
rmSync('dist/bench-bundle', {recursive: true, force: true});
await build({...bundleOptions(new Set()), entryPoints: {frame: 'dist/bench/frame.js', charts: 'dist/bench/charts.js'}, outdir: 'dist/bench-bundle'});
assertPatchesApplied(applied, 'bundle');
