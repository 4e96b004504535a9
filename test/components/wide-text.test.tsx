/**
Regression: wide characters (CJK, emoji) in ids, labels and names shifted columns and pushed lines past the
terminal's edge, because panes cut and padded by string length. Every pane is drawn here with wide ids at 80 and
120 columns (and each pane zoomed, the help overlay, an open prompt) and each line is measured in display cells:
no line is wider than the terminal, every table column sits in the same cell column on every row, and where two
panes share a row the right one starts at the same cell column on every line.
*/
import {EventEmitter} from 'node:events';
import {stripVTControlCharacters as strip} from 'node:util';
import {describe, expect, it} from 'vitest';
import {render as inkRender} from 'ink';
import {render} from 'ink-testing-library';
import {App} from '../../components/App.js';
import {AgentsPane} from '../../components/AgentsPane.js';
import {TasksPane} from '../../components/TasksPane.js';
import {ASCII_THEME, ThemeProvider, UNICODE_THEME} from '../../components/theme.js';
import {type DashboardState} from '../../hooks/use-dashboard-state.js';
import {PANES} from '../../src/format/layout.js';
import {paneRows} from '../../src/format/pane-rows.js';
import {cellWidth, graphemes} from '../../src/format/text-width.js';
import {toAscii} from '../../src/format/units.js';
import {type Snapshot} from '../../src/store/snapshot.js';
import {agent, alert, completion, FakeTerminal, gpuRow, gpuSnapshot, makeSnapshot, NOW, project, TestSource, tick} from './fixtures.js';

/** Ids as other agents send them: CJK, emoji, ZWJ sequences, flags, combining marks, and long. */
export const WIDE = {
	projects: ['训练-语音识别-大模型-第二阶段', '🚀rocket-asr', '👨‍👩‍👧‍👦家族-finetune', 'cafe\u0301-日本🇯🇵', 'ascii-project'],
	agents: ['数据加载器-主', '🤖agent-智能体-编排', 'trainer-训练', 'plain-agent'],
	tasks: ['任务-数据清洗-0001', '🔥hot-task-🔥', 'task-ascii-0003', '評価-👩‍💻-0004'],
	rules: ['损失_异常_🔥', 'gpu_温度过高', 'plain_rule'],
	gpuName: 'NVIDIA 显卡 H100 🔥 80GB',
	process: '训练脚本🚀.py',
	host: '训练服务器-🚀-东京',
} as const;

const falling = Array.from({length: 40}, (_, i) => 3 - i * 0.05);

/** A snapshot whose every id, label and name is wide; all rows share the figures that columns are found by. */
export function wideSnapshot(): Snapshot {
	const agents = WIDE.agents.map((name, i) => agent(name, i % 2 === 0 ? 'busy' : 'idle', 2 + i, 10 + i, 600));
	const base = makeSnapshot({
		training: WIDE.projects.map((id) => project(id, falling, [0.4, 0.35, 0.3])),
		agents,
		completions: WIDE.tasks.map((id, i) => completion(id, WIDE.agents[i % WIDE.agents.length]!, 2400, 60_000)),
		gpu: gpuSnapshot(
			[0, 1, 2].map((i) => gpuRow(i, {name: WIDE.gpuName, utilizationPercent: {value: 55, stale: false}, processes: [{pid: 4000 + i, name: `/opt/${WIDE.process}`, usedMemoryMb: 20_000}]})),
		),
		alerts: WIDE.rules.map((rule, i) =>
			alert(`${rule}:${i}`, {rule, labels: {项目: WIDE.projects[i]!, gpu: String(i)}, message: `${rule} 触发了 🔥 on ${WIDE.projects[i]}`, acknowledgedBy: i === 2 ? '操作员' : undefined}),
		),
	});
	return {
		...base,
		host: WIDE.host,
		alerts: {...base.alerts!, silences: [{id: 's1', matcher: 'rule=损失_异常_🔥', endsMs: NOW + 3_600_000, author: '操作员-🚀', comment: '调查中 👀'}]},
	};
}

/** Ink's stdout for a terminal `columns` wide (ink-testing-library's is always 100). */
class Stdout extends EventEmitter {
	last = '';
	constructor(readonly columns: number) {
		super();
	}
	write = (frame: string) => {
		this.last = frame;
	};
}

/** The App's frame at `columns` x `rows`, as text lines. */
async function appFrame(snapshot: Snapshot, columns: number, rows: number, initialState: Partial<DashboardState> = {}, ascii = false): Promise<string[]> {
	const stdout = new Stdout(columns);
	const stdin = Object.assign(new EventEmitter(), {isTTY: true, setRawMode() {}, setEncoding() {}, resume() {}, pause() {}, ref() {}, unref() {}, read: () => null});
	const app = <App source={new TestSource(snapshot)} terminal={new FakeTerminal(columns, rows)} initialState={initialState} />;
	const instance = inkRender(<ThemeProvider theme={ascii ? ASCII_THEME : UNICODE_THEME}>{app}</ThemeProvider>, {
		stdout: stdout as unknown as NodeJS.WriteStream,
		stdin: stdin as unknown as NodeJS.ReadStream,
		debug: true,
		exitOnCtrlC: false,
		patchConsole: false,
	});
	await tick(30);
	const text = strip(stdout.last);
	instance.unmount();
	return text.split('\n');
}

/** The cell column at which `token` starts in `line`, or -1. */
export function cellIndexOf(line: string, token: string): number {
	const at = line.indexOf(token);
	return at < 0 ? -1 : cellWidth(line.slice(0, at));
}

/** `line` from cell column `column` on (a wide character straddling the column is replaced by a space). */
function cellsFrom(line: string, column: number): string {
	let used = 0;
	const parts = graphemes(line);
	for (let i = 0; i < parts.length; i++) {
		if (used >= column) return (used > column ? ' ' : '') + parts.slice(i).join('');
		used += cellWidth(parts[i]!);
	}
	return '';
}

function expectWithin(lines: readonly string[], columns: number, where: string): void {
	for (const [i, line] of lines.entries()) {
		if (cellWidth(line) > columns) throw new Error(`${where}: line ${i} is ${cellWidth(line)} cells wide (> ${columns}):\n${line}`);
	}
}

/** Every line that contains one of `ids` has `token` at the same cell column. */
function expectColumn(lines: readonly string[], ids: readonly string[], token: string, where: string): void {
	const columns = new Map<string, number>();
	for (const line of lines) {
		const id = ids.find((i) => line.includes(i));
		if (id === undefined) continue;
		const at = cellIndexOf(line.slice(line.indexOf(id)), token);
		if (at >= 0) columns.set(id, cellIndexOf(line, id) + at);
	}
	expect(columns.size, `${where}: rows found for ${token}`).toBeGreaterThanOrEqual(2);
	expect(new Set(columns.values()).size, `${where}: "${token}" columns ${JSON.stringify([...columns])}`).toBe(1);
}

/** Short, unambiguous prefixes of the wide ids (long ones are cut in the panes). */
const prefix = (ids: readonly string[], n = 4) => ids.map((id) => graphemes(id).slice(0, n).join(''));

describe('every pane with wide ids stays inside the terminal, columns aligned', () => {
	for (const [columns, rows] of [
		[80, 24],
		[120, 40],
	] as const) {
		it(`${columns}x${rows}: the dashboard`, async () => {
			const lines = await appFrame(wideSnapshot(), columns, rows);
			expect(lines).toHaveLength(rows - 1);
			expectWithin(lines, columns, 'dashboard');
			expect(lines[0]).toMatch(/^mycotop 训练服务器/);
			// The header's right side (counts, clock) survives a wide host name.
			expect(lines[0]).toMatch(/\d\d:\d\d:\d\d$/);
			expectColumn(lines, prefix(WIDE.projects), '@400', 'training');
			// At 80x24 the tasks pane has room for one completion: its column is checked zoomed.
			if (columns >= 100) expectColumn(lines, prefix(WIDE.tasks, 3), '40m00s', 'tasks');
			expectColumn(lines, prefix(WIDE.agents, 3), '10m00s', 'agents');
		});

		for (const pane of PANES) {
			it(`${columns}x${rows}: the ${pane} pane zoomed`, async () => {
				const lines = await appFrame(wideSnapshot(), columns, rows, {focus: pane, zoomed: true});
				expect(lines).toHaveLength(rows - 1);
				expectWithin(lines, columns, `${pane} zoomed`);
				const checks: Record<(typeof PANES)[number], () => void> = {
					// Zoomed, the chart panes draw charts: their titles and legends carry the wide ids, measured in cells above.
					training: () => {
						expect(lines.some((l) => l.startsWith(prefix(WIDE.projects)[0]!) && l.includes(' loss'))).toBe(true);
						expect(lines.some((l) => l.startsWith('WER'))).toBe(true);
					},
					gpu: () => {
						for (const title of ['0 显卡', '1 显卡', '2 显卡']) expect(lines.some((l) => l.includes(title)), title).toBe(true);
					},
					tasks: () => expect(lines.join('\n')).toMatch(/throughput[\s\S]*SLA compliance[\s\S]*durations \(4 tasks\)/),
					agents: () => {
						for (const name of prefix(WIDE.agents, 3)) expect(lines.some((l) => l.includes(`■ ${name}`)), name).toBe(true);
					},
					alerts: () => {
						expectColumn(lines, prefix(WIDE.rules, 3), 'firing', 'alerts');
						expect(lines.join('\n')).toContain('调查中');
					},
				};
				checks[pane]();
			});
		}

		it(`${columns}x${rows}: the help overlay and an open prompt with wide text`, async () => {
			const lines = await appFrame(wideSnapshot(), columns, rows, {help: true, prompt: {kind: 'filter', text: '训练🚀'.repeat(20)}, filterText: '👨‍👩‍👧‍👦'.repeat(30)});
			expect(lines).toHaveLength(rows - 1);
			expectWithin(lines, columns, 'help and prompt');
			expect(lines[0]).toMatch(/\d\d:\d\d:\d\d$/);
		});

		it(`${columns}x${rows}: --ascii draws only ASCII, aligned`, async () => {
			const lines = await appFrame(wideSnapshot(), columns, rows, {}, true);
			expectWithin(lines, columns, 'ascii');
			for (const line of lines) expect(line).toMatch(/^[\x20-\x7e]*$/);
			expectColumn(lines, prefix(WIDE.projects.map(toAscii)), '@400', 'training (ascii)');
			expectColumn(lines, prefix(WIDE.agents.map(toAscii)), '10m00s', 'agents (ascii)');
		});
	}

	it('120 columns: tasks and agents share a row, and the agents pane starts at the same cell column on every line', async () => {
		const snapshot = wideSnapshot();
		const lines = await appFrame(snapshot, 120, 40);
		const titleRow = lines.findIndex((l) => l.includes('3 Tasks'));
		expect(cellIndexOf(lines[titleRow]!, '4 Agents')).toBe(60 + 1);
		// The same pane drawn alone, 60 cells wide, as the layout gives it.
		const rows = paneRows(snapshot, undefined);
		const {lastFrame, unmount} = render(
			<AgentsPane agents={rows.agents} loadBalance={snapshot.loadBalance} width={60} height={8} focused={false} selectedIndex={0} />,
		);
		const alone = strip(lastFrame() ?? '').split('\n');
		unmount();
		for (const [i, expected] of alone.entries()) {
			const line = lines[titleRow + i]!;
			expect(cellsFrom(line, 60).trimEnd(), `line ${titleRow + i}`).toBe(expected.trimEnd());
		}
	});

	it('panes alone at odd widths never exceed their width', () => {
		const snapshot = wideSnapshot();
		const rows = paneRows(snapshot, undefined);
		for (const width of [41, 59, 60, 61, 79, 80]) {
			for (const node of [
				<TasksPane key="t" tasks={snapshot.tasks} completions={rows.completions} nowMs={NOW} width={width} height={10} focused selectedIndex={1} />,
				<AgentsPane key="a" agents={rows.agents} loadBalance={snapshot.loadBalance} width={width} height={10} focused selectedIndex={1} />,
			]) {
				const {lastFrame, unmount} = render(node);
				expectWithin(strip(lastFrame() ?? '').split('\n'), width, `width ${width}`);
				unmount();
			}
		}
	});
});
