// A/B helper for bench:tui (not part of any build): copies a build's dist/bundle to OUT and adds CPU counters to its
// tui-view chunk: process.cpuUsage around React's performWorkOnRoot (render + commit, Ink's layout and output
// inside), Ink's calculateLayout and Ink's onRender. Every second the totals, the process's CPU and the wall time
// are appended as a JSON line to $FS_OUT. Run the copy with `node dist/bench/tui.js --cli OUT/cli.js`, then
// `node bench/react-work-probe.mjs --report FILE [SKIP]` gives React's share and ms per render after SKIP seconds.
// It patches exact snippets of the bundled React 19 / Ink 6.8 code and fails if one is missing.
//   node bench/react-work-probe.mjs /tmp/wt-base/dist/bundle /tmp/probe-base
import {cpSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

if (process.argv[2] === '--report') {
	const rows = readFileSync(process.argv[3], 'utf8').trim().split('\n').map((l) => JSON.parse(l));
	const a = rows[Math.min(rows.length - 1, Number(process.argv[4] ?? 8))];
	const b = rows.at(-1);
	const d = Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - a[k]]));
	const s = d.wallMs / 1000;
	const per = (ms, n) => (n > 0 ? ms / n : 0).toFixed(2);
	console.log(
		`window ${s.toFixed(1)} s: process CPU ${(d.cpuMs / s / 10).toFixed(2)} % | React renders ${(d.works / s).toFixed(2)}/s, ${per(d.workMs, d.works)} ms each, ${(d.workMs / s / 10).toFixed(3)} % of a core | Ink layout ${per(d.layoutMs, d.layouts)} ms | Ink output ${per(d.renderMs, d.renders)} ms | everything else ${((d.cpuMs - d.workMs) / s / 10).toFixed(2)} %`,
	);
	process.exit(0);
}

const [from, out] = process.argv.slice(2);
if (from === undefined || out === undefined) throw new Error('usage: react-work-probe.mjs BUNDLE_DIR OUT_DIR | --report FILE [SKIP]');
rmSync(out, {recursive: true, force: true});
cpSync(from, out, {recursive: true});
const chunk = readdirSync(out).find((f) => /^tui-view-.*\.js$/.test(f));
if (chunk === undefined) throw new Error(`no tui-view chunk in ${from}`);
let s = readFileSync(join(out, chunk), 'utf8');
const patch = (find, replace) => {
	if (!s.includes(find)) throw new Error(`react-work-probe: snippet not found: ${find.slice(0, 60)}`);
	s = s.replace(find, replace);
};
patch(
	'      function performWorkOnRoot(root$jscomp$0, lanes, forceSync) {\n',
	'      function performWorkOnRoot(r, l, f) { const t = __cpu(); try { return performWorkOnRootInner(r, l, f); } finally { globalThis.__fs.works++; globalThis.__fs.workMs += __cpu() - t; } }\n      function performWorkOnRootInner(root$jscomp$0, lanes, forceSync) {\n',
);
patch('  calculateLayout = () => {\n', '  calculateLayout = () => { const t = __cpu(); try { this.calculateLayoutInner(); } finally { globalThis.__fs.layouts++; globalThis.__fs.layoutMs += __cpu() - t; } };\n  calculateLayoutInner = () => {\n');
patch(
	'  onRender = () => {\n    this.hasPendingThrottledRender = false;\n',
	'  onRender = () => { const t = __cpu(); try { this.onRenderInner(); } finally { globalThis.__fs.renders++; globalThis.__fs.renderMs += __cpu() - t; } };\n  onRenderInner = () => {\n    this.hasPendingThrottledRender = false;\n',
);
const probe = `globalThis.__fs ??= {works: 0, workMs: 0, layouts: 0, layoutMs: 0, renders: 0, renderMs: 0};
if (!globalThis.__fsT) { const t0 = process.cpuUsage(); const w0 = performance.now(); globalThis.__fsT = setInterval(() => { const c = process.cpuUsage(t0); require('node:fs').appendFileSync(process.env.FS_OUT || '/tmp/react-work.jsonl', JSON.stringify({...globalThis.__fs, wallMs: performance.now() - w0, cpuMs: (c.user + c.system) / 1000}) + '\\n'); }, 1000); globalThis.__fsT.unref(); }
const __cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
`;
const firstLine = s.indexOf('\n') + 1;
s = s.slice(0, firstLine) + probe + s.slice(firstLine);
writeFileSync(join(out, chunk), s);
console.log(`${join(out, 'cli.js')}: probed (${chunk})`);
