// The single-file builds (README, "One file to deploy"), from the compiled sources in dist/src (npm run build first):
//   node scripts/dist.mjs          dist/mycotop.mjs: everything in one ESM file, run by a bare `node` (20, 22, 24)
//   node scripts/dist.mjs --sea    also dist/mycotop: a Node single executable application (linux-x64) that embeds
//                                  dist/mycotop.mjs as an asset and a small CommonJS loader (src/single-file/sea-main.ts)
// The executable is built from the running node, or from MYCOTOP_SEA_NODE=/path/to/node (the node whose
// --experimental-sea-config writes the blob is the one copied, so the two always match).
import {builtinModules} from 'node:module';
import {execFileSync} from 'node:child_process';
import {chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {build} from 'esbuild';
import postject from 'postject';
import {assertPatchesApplied, bundleOptions} from './bundle-options.mjs';

const OUT = 'dist/mycotop.mjs';
const SEA_OUT = 'dist/mycotop';
// The fuse Node's own binaries carry for SEA (postject's default is another one).
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
// Packages that look for these with require() inside try/catch and run fine without them: ws (Ink's devtools
// bridge) and debug (ioredis). They are not left to a require() at run time: that would search every node_modules
// above the file, and above the executable's unpacked module in $TMPDIR (/tmp/node_modules is anybody's), and run
// what it finds. Each becomes a module inside the bundle that fails as a missing package does. Any package still
// loaded from outside fails the build.
const OPTIONAL_REQUIRES = ['bufferutil', 'utf-8-validate', 'supports-color'];

/** The optional packages, resolved to a module that throws MODULE_NOT_FOUND (each is required once, at its user's
load, inside try). */
const optionalStub = {
	name: 'optional-packages-stub',
	setup(b) {
		const filter = new RegExp(`^(${OPTIONAL_REQUIRES.join('|')})$`);
		b.onResolve({filter}, (args) => ({path: args.path, namespace: 'mycotop-optional'}));
		b.onLoad({filter: /.*/, namespace: 'mycotop-optional'}, (args) => ({
			contents: `const error = new Error(${JSON.stringify(`Cannot find module '${args.path}' (not part of the mycotop single file)`)}); error.code = 'MODULE_NOT_FOUND'; throw error;`,
			loader: 'js',
		}));
	},
};

/** Ink imports react-devtools-core only with DEV=true; in a single file that import cannot stay outside. The stub
fails the way a missing package does, which Ink catches and reports. */
const devtoolsStub = {
	name: 'react-devtools-core-stub',
	setup(b) {
		b.onResolve({filter: /^react-devtools-core$/}, () => ({path: 'react-devtools-core', namespace: 'mycotop-stub'}));
		b.onLoad({filter: /.*/, namespace: 'mycotop-stub'}, () => ({
			contents: "const error = new Error('react-devtools-core is not part of the mycotop single file'); error.code = 'ERR_MODULE_NOT_FOUND'; throw error;\nexport default {};",
			loader: 'js',
		}));
	},
};

/** Packages the bundle still loads at run time from outside (esbuild's metafile): none but the optional ones. */
function externalPackages(metafile) {
	const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
	const imports = Object.values(metafile.outputs).flatMap((output) => output.imports);
	return [...new Set(imports.filter((i) => i.external && !builtins.has(i.path)).map((i) => i.path))];
}

async function buildSingleFile() {
	const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
	const applied = new Set();
	const base = bundleOptions(applied);
	const {metafile} = await build({
		...base,
		metafile: true,
		splitting: false,
		external: [],
		define: {...base.define, __MYCOTOP_VERSION__: JSON.stringify(version)},
		plugins: [...base.plugins, devtoolsStub, optionalStub],
		entryPoints: ['dist/src/single-file/entry.js'],
		outfile: OUT,
	});
	assertPatchesApplied(applied, 'dist');
	const left = externalPackages(metafile);
	if (left.length > 0) throw new Error(`dist: ${OUT} still loads ${left.join(', ')} from outside`);
	chmodSync(OUT, 0o755);
	console.log(`${OUT}: ${(statSync(OUT).size / 1024 / 1024).toFixed(1)} MiB (mycotop ${version})`);
}

async function buildExecutable() {
	if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`dist --sea: builds for linux-x64 only, this is ${process.platform}-${process.arch}`);
	const node = process.env['MYCOTOP_SEA_NODE'] || process.execPath;
	rmSync('dist/sea', {recursive: true, force: true});
	mkdirSync('dist/sea', {recursive: true});
	await build({entryPoints: ['dist/src/single-file/sea-main.js'], bundle: true, format: 'cjs', platform: 'node', target: 'node20', outfile: 'dist/sea/sea-main.cjs', logLevel: 'warning'});
	const config = {
		main: 'dist/sea/sea-main.cjs',
		output: 'dist/sea/mycotop.blob',
		disableExperimentalSEAWarning: true,
		assets: {'mycotop.mjs': OUT},
	};
	writeFileSync('dist/sea/sea-config.json', `${JSON.stringify(config, null, 2)}\n`);
	execFileSync(node, ['--experimental-sea-config', 'dist/sea/sea-config.json'], {stdio: 'inherit'});
	rmSync(SEA_OUT, {force: true});
	copyFileSync(node, SEA_OUT);
	chmodSync(SEA_OUT, 0o755);
	await postject.inject(SEA_OUT, 'NODE_SEA_BLOB', readFileSync(config.output), {sentinelFuse: SEA_FUSE});
	const nodeVersion = execFileSync(node, ['--version'], {encoding: 'utf8'}).trim();
	console.log(`${SEA_OUT}: ${(statSync(SEA_OUT).size / 1024 / 1024).toFixed(1)} MiB (node ${nodeVersion}, linux-x64)`);
}

await buildSingleFile();
if (process.argv.includes('--sea')) await buildExecutable();
