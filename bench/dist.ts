/**
bench:dist: the single-file builds' size and start time. Start time is the wall time from spawn to exit of
`mycotop --version` (the whole start: the Node binary, loading and compiling the bundle, the SEA loader's temporary
file) and of `mycotop --once --json --embedded --no-gpu` (a start that builds a runtime and prints a snapshot).
Variants, run alternately in the same rounds so the machine's load falls on all alike: the folder bundle
(dist/bundle/cli.js, the reference) and dist/mycotop.mjs on this node, the .mjs on every Node in .cache/nodes
(scripts/other-nodes.sh fetches them), and an executable built from each of those Nodes (scripts/dist.mjs --sea with
MYCOTOP_SEA_NODE; the Node 20 one is dist/mycotop). Prints median and range per variant.

  npm run bench:dist [-- --rounds 10] [-- --json]
*/
import {execFileSync, spawnSync} from 'node:child_process';
import {copyFileSync, existsSync, mkdirSync, readdirSync, statSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {parseArgs} from 'node:util';

const {values} = parseArgs({options: {rounds: {type: 'string', default: '10'}, json: {type: 'boolean', default: false}}});
const rounds = Math.max(3, Number(values.rounds));
const OUT = resolve('.bench-out/dist');
mkdirSync(OUT, {recursive: true});

interface Variant {
	readonly name: string;
	readonly command: readonly string[];
	readonly bytes?: number;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const nodeVersion = (node: string) => execFileSync(node, ['--version'], {encoding: 'utf8'}).trim();

function variants(): Variant[] {
	const nodes = [process.execPath];
	const cache = resolve('.cache/nodes');
	if (existsSync(cache)) for (const v of readdirSync(cache).sort()) if (existsSync(join(cache, v, 'node'))) nodes.push(join(cache, v, 'node'));
	const mjs = resolve('dist/mycotop.mjs');
	const list: Variant[] = [{name: `folder bundle, node ${nodeVersion(process.execPath)} (reference)`, command: [process.execPath, resolve('dist/bundle/cli.js')]}];
	for (const node of nodes) list.push({name: `mycotop.mjs, node ${nodeVersion(node)}`, command: [node, mjs], bytes: statSync(mjs).size});
	for (const node of nodes) {
		const exe = join(OUT, `mycotop-node${nodeVersion(node)}`);
		// The executable of that Node: its own --experimental-sea-config writes the blob for it.
		execFileSync(process.execPath, ['scripts/dist.mjs', '--sea'], {env: {...process.env, MYCOTOP_SEA_NODE: node}, stdio: 'ignore'});
		copyFileSync('dist/mycotop', exe);
		list.push({name: `executable, node ${nodeVersion(node)}`, command: [exe], bytes: statSync(exe).size});
	}
	// Leave dist/mycotop as npm run dist:sea makes it (this node).
	execFileSync(process.execPath, ['scripts/dist.mjs', '--sea'], {stdio: 'ignore'});
	return list;
}

function timeMs(command: readonly string[], args: readonly string[]): number {
	const start = process.hrtime.bigint();
	const r = spawnSync(command[0]!, [...command.slice(1), ...args], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}});
	const ms = Number(process.hrtime.bigint() - start) / 1e6;
	if (r.status !== 0) throw new Error(`${command.join(' ')} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
	return ms;
}

const median = (xs: readonly number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const CASES = {version: ['--version'], once: ['--once', '--json', '--embedded', '--no-gpu']} as const;

const all = variants();
const samples = new Map(all.map((v) => [v.name, {version: [] as number[], once: [] as number[]}]));
for (const v of all) for (const args of Object.values(CASES)) timeMs(v.command, args); // warm the page cache
for (let round = 0; round < rounds; round++)
	for (const [key, args] of Object.entries(CASES) as Array<[keyof typeof CASES, readonly string[]]>)
		for (const v of all) samples.get(v.name)![key].push(timeMs(v.command, args));

const rows = all.map((v) => {
	const s = samples.get(v.name)!;
	return {
		variant: v.name,
		size: v.bytes === undefined ? undefined : mib(v.bytes),
		versionMedianMs: Math.round(median(s.version)),
		versionRangeMs: [Math.round(Math.min(...s.version)), Math.round(Math.max(...s.version))],
		onceMedianMs: Math.round(median(s.once)),
		onceRangeMs: [Math.round(Math.min(...s.once)), Math.round(Math.max(...s.once))],
	};
});
if (values.json) console.log(JSON.stringify({rounds, rows}, null, 2));
else {
	console.log(`${rounds} rounds, variants alternating; wall time from spawn to exit, median (min-max)\n`);
	console.log('| variant | size | `--version` | `--once --json --embedded --no-gpu` |');
	console.log('|---|---|---|---|');
	for (const r of rows)
		console.log(`| ${r.variant} | ${r.size ?? '(folder)'} | ${r.versionMedianMs} ms (${r.versionRangeMs.join('-')}) | ${r.onceMedianMs} ms (${r.onceRangeMs.join('-')}) |`);
}
