import React from 'react';
import {describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import {stripVTControlCharacters as strip} from 'node:util';
import {TrainingPane} from '../../components/TrainingPane.js';
import {GpuPane} from '../../components/GpuPane.js';
import {TasksPane} from '../../components/TasksPane.js';
import {AgentsPane} from '../../components/AgentsPane.js';
import {AlertLog} from '../../components/AlertLog.js';
import {Header} from '../../components/Header.js';
import {Footer} from '../../components/Footer.js';
import {HelpOverlay} from '../../components/HelpOverlay.js';
import {ASCII_THEME, ThemeProvider} from '../../components/theme.js';
import {BINDINGS} from '../../hooks/keymap.js';
import {paneRows} from '../../src/format/pane-rows.js';
import {agent, alert, completion, gpuHealth, gpuRow, gpuSnapshot, known, makeSnapshot, NOW, project, unknown} from './fixtures.js';

const frameOf = (node: React.ReactElement) => {
	const {lastFrame, unmount} = render(node);
	const text = strip(lastFrame() ?? '');
	unmount();
	return text;
};
/** The frame drawn under the ASCII theme (what --ascii chooses at the top). */
const asciiFrameOf = (node: React.ReactElement) => frameOf(<ThemeProvider theme={ASCII_THEME}>{node}</ThemeProvider>);
const lines = (text: string) => text.split('\n');

const falling = Array.from({length: 40}, (_, i) => 3 - i * 0.05);

describe('TrainingPane', () => {
	const base = {width: 100, height: 10, focused: true, selectedIndex: 0, smoothing: 0.6};

	it('shows each project with its sparkline, last value, smoothed value, step and trend arrow', () => {
		const text = frameOf(<TrainingPane {...base} projects={[project('bert', falling)]} total={1} />);
		const row = lines(text).find((l) => l.includes('bert'))!;
		expect(row).toMatch(/[▁▂▃▄▅▆▇█]{10}/);
		expect(row).toContain(falling.at(-1)!.toFixed(3));
		expect(row).toContain('@400');
		expect(row).toContain('↘');
		expect(row).toMatch(/~1\.\d{3}/);
	});

	it('shows a NaN or Inf loss as such, with the diverging badge, never dropping the project', () => {
		const text = frameOf(<TrainingPane {...base} projects={[project('nan-run', [...falling, Number.NaN]), project('inf-run', [...falling, Number.POSITIVE_INFINITY])]} total={2} />);
		expect(lines(text).find((l) => l.includes('nan-run'))).toMatch(/NaN.*diverging/);
		expect(lines(text).find((l) => l.includes('inf-run'))).toMatch(/Inf.*diverging/);
		expect(text).toContain('!');
	});

	it('badges converged and plateau', () => {
		const flat = Array.from({length: 60}, (_, i) => 0.5 + (i % 2) * 0.001);
		const plateau = Array.from({length: 60}, (_, i) => (i < 20 ? 3 - i * 0.1 : 1 + (i % 3) * 0.02));
		const text = frameOf(<TrainingPane {...base} projects={[project('flat', flat), project('stuck', plateau)]} total={2} />);
		expect(lines(text).find((l) => l.includes('flat'))).toContain('converged');
		expect(lines(text).find((l) => l.includes('stuck'))).toContain('plateau');
	});

	it('draws the smoothed line and the WER sparkline on a second line when there is room', () => {
		const text = frameOf(<TrainingPane {...base} projects={[project('asr', falling, [0.4, 0.35, 0.3, 0.25])]} total={1} />);
		expect(text).toContain('ema');
		expect(text).toMatch(/wer 0\.250/);
	});

	it('keeps the last WER on one-line rows: the sparkline gives up its room, so the row fits the pane uncut', () => {
		const wer = [0.4, 0.35, 0.3, 0.25];
		for (const width of [100, 120]) {
			const flat = Array.from({length: 60}, (_, i) => 0.5 + (i % 2) * 0.001);
			const many = [...Array.from({length: 5}, (_, i) => project(`p${i}`, falling, wer)), project('flat', flat, wer)];
			const rows = lines(frameOf(<TrainingPane {...base} width={width} height={7} projects={many} total={6} />)).filter((l) => /p\d|flat/.test(l));
			expect(rows).toHaveLength(6);
			for (const row of rows) {
				expect(row).toMatch(/wer 0\.250\s*$/);
				expect(row).not.toContain('…');
			}
			expect(rows.find((l) => l.includes('flat'))).toContain('converged');
		}
	});

	it('falls back to one line per project when space is short, and says when it waits for data', () => {
		const many = Array.from({length: 6}, (_, i) => project(`p${i}`, falling));
		const text = frameOf(<TrainingPane {...base} height={7} projects={many} total={6} />);
		expect(text).not.toContain('ema');
		expect(lines(text)).toHaveLength(7);
		expect(frameOf(<TrainingPane {...base} projects={[]} total={0} />)).toContain('waiting for events:training:progress');
	});
});

describe('GpuPane', () => {
	const base = {width: 100, height: 9, focused: false, selectedIndex: 0};

	it('fits 8 GPUs in a 100x30 pane, one line each with gauges, temperature, power and history', () => {
		const rows = Array.from({length: 8}, (_, i) => gpuRow(i));
		const text = frameOf(<GpuPane {...base} height={30} gpu={gpuSnapshot(rows)} rows={rows} />);
		const gpuLines = lines(text).filter((l) => /^\s*\d\s+H100/.test(l.slice(1)));
		expect(gpuLines).toHaveLength(8);
		for (const l of gpuLines) {
			expect(l.length).toBeLessThanOrEqual(100);
			expect(l).toContain('40.0/80G');
			expect(l).toContain('60°C');
			expect(l).toContain('300/700W');
			expect(l).toMatch(/[▁▂▃▄▅▆▇█]{20}/);
		}
		expect(gpuLines[3]).toContain('53%');
	});

	it('a health badge per GPU: Xid, ECC, link degraded and throttle reasons with how long active, within the width', () => {
		const rows = [
			gpuRow(0, {health: gpuHealth({throttles: [{name: 'HW-THERM', kind: 'thermal', sinceMs: NOW - 185_000}, {name: 'PWR-CAP', kind: 'power', sinceMs: NOW - 45_000}]})}),
			gpuRow(1, {health: gpuHealth({link: {current: 'x8 gen5', max: 'x16 gen5', degraded: true, reason: 'x8 of x16'}})}),
			gpuRow(2, {health: gpuHealth({ecc: {pending: true, uncorrectedVolatile: 1, level: 'error'}, xidCount: 1, lastXid: {xid: 48, timeMs: NOW - 120_000}})}),
			gpuRow(3, {health: gpuHealth()}),
		];
		for (const width of [80, 120]) {
			const text = frameOf(<GpuPane {...base} width={width} gpu={gpuSnapshot(rows)} rows={rows} />);
			const gpuLines = lines(text).filter((l) => /^\s*\d\s+H100/.test(l.slice(1)));
			expect(gpuLines).toHaveLength(4);
			for (const l of gpuLines) expect(l.length).toBeLessThanOrEqual(width);
			expect(gpuLines[0]).toContain('HW-THERM 3m');
			expect(gpuLines[1]).toContain('LINK x8 gen5');
			expect(gpuLines[2]).toContain('XID 48 2m');
			// A healthy GPU has no badge; the column stays so the histories line up.
			expect(gpuLines[3]).not.toMatch(/THERM|LINK|ECC|XID|PWR/);
			if (width === 120) {
				expect(gpuLines[0]).toContain('HW-THERM 3m PWR-CAP 45s');
				expect(gpuLines[2]).toContain('XID 48 2m ECC 1!');
				for (const l of gpuLines) expect(l).toMatch(/[▁▂▃▄▅▆▇█]{20}$/);
				expect(new Set(gpuLines.map((l) => l.search(/[▁▂▃▄▅▆▇█]{20}$/))).size).toBe(1);
			}
		}
	});

	it('a compact host line above the GPUs: CPU with a per-core strip, the hint, memory, disk; cut to the width', () => {
		const GiB = 1024 ** 3;
		const hostView = {
			dataloaderBound: true,
			stats: {
				timeMs: NOW,
				cpuPercent: 97,
				corePercents: Array.from({length: 16}, (_, i) => (i % 2 === 0 ? 100 : 90)),
				memory: {usedBytes: 60 * GiB, totalBytes: 125 * GiB, percent: 48},
				swap: {usedBytes: 1 * GiB, totalBytes: 8 * GiB, percent: 12.5},
				load: {load1: 15.2, load5: 14, load15: 12},
				filesystems: [{path: '/data', totalBytes: 100, availableBytes: 10, usedPercent: 90}],
				disk: {readBytesPerSec: 11 * 1024 ** 2, writeBytesPerSec: 0, busiestPercent: 90, busiest: 'sda'},
				net: {rxBytesPerSec: 1024, txBytesPerSec: 1024},
				errors: [],
			},
		};
		const rows = [gpuRow(0, {utilizationPercent: known(12)}), gpuRow(1, {utilizationPercent: known(9)})];
		for (const width of [80, 120]) {
			const text = frameOf(<GpuPane {...base} width={width} height={4} gpu={gpuSnapshot(rows)} rows={rows} hostView={hostView} />);
			const all = lines(text);
			const host = all.find((l) => l.includes('host CPU'))!;
			expect(host).toContain('host CPU 97%');
			expect(host).toContain('dataloader-bound?');
			expect(host.length).toBeLessThanOrEqual(width);
			// The host line takes one row: both GPUs still fit in a 4-row pane (title, host, 2 GPUs).
			expect(all.filter((l) => /^\s*\d\s+H100/.test(l.slice(1)))).toHaveLength(2);
			if (width === 120) {
				expect(host).toMatch(/CPU 97% [▁▂▃▄▅▆▇█]{16} /);
				expect(host).toContain('mem 60.0G/125G  swap 1.0G  /data 90%  load 15.2');
			}
		}
		// Without host sampling: no host line.
		expect(frameOf(<GpuPane {...base} gpu={gpuSnapshot(rows)} rows={rows} />)).not.toContain('host CPU');
	});

	it('the box\'s energy today in the title, marked (est.) when integrated from power draw, with its cost', () => {
		const rows = [gpuRow(0)];
		const energy = {todayKwh: 12.44, sinceStartKwh: 20, todayGpuHours: 8, source: 'estimate' as const, todayCost: 3.6, currency: 'EUR'};
		expect(frameOf(<GpuPane {...base} width={120} gpu={gpuSnapshot(rows, {energy})} rows={rows} />)).toContain('· 12.4 kWh today (est.) 3.60 EUR');
		expect(frameOf(<GpuPane {...base} width={120} gpu={gpuSnapshot(rows, {energy: {...energy, source: 'counter', todayCost: undefined}})} rows={rows} />)).toMatch(/· 12\.4 kWh today(?! \(est)/);
		expect(frameOf(<GpuPane {...base} width={120} gpu={gpuSnapshot(rows)} rows={rows} />)).not.toContain('kWh');
	});

	it('shows unknown values as ? and stale values with a *', () => {
		const rows = [gpuRow(0, {utilizationPercent: unknown('MIG'), temperatureC: known(71, true), powerDrawW: unknown()})];
		const line = lines(frameOf(<GpuPane {...base} gpu={gpuSnapshot(rows)} rows={rows} />)).find((l) => l.includes('H100'))!;
		expect(line).toMatch(/\?\s+[#░.]*/);
		expect(line).toContain('71°C*');
		expect(line).toContain('?/700W');
	});

	it('names requested GPUs that no frame has in its title line', () => {
		const rows = [gpuRow(0)];
		const text = frameOf(<GpuPane {...base} gpu={{...gpuSnapshot(rows), notFound: [9]}} rows={rows} />);
		expect(text).toContain('not found: GPU 9');
		expect(frameOf(<GpuPane {...base} gpu={gpuSnapshot(rows)} rows={rows} />)).not.toContain('not found');
	});

	it('shows a lost GPU and why', () => {
		const rows = [gpuRow(0, {lost: true, lostReason: 'missing from the frame'})];
		expect(frameOf(<GpuPane {...base} gpu={gpuSnapshot(rows)} rows={rows} />)).toContain('lost: missing from the frame');
	});

	it('says "GPU telemetry unavailable: <reason>" when there is none', () => {
		expect(frameOf(<GpuPane {...base} gpu={gpuSnapshot([], {state: 'unavailable', reason: 'driver not loaded'})} rows={[]} />)).toContain(
			'GPU telemetry unavailable: driver not loaded',
		);
		expect(frameOf(<GpuPane {...base} gpu={undefined} rows={[]} />)).toContain('GPU telemetry unavailable');
	});
});

describe('TasksPane', () => {
	it('shows throughput, average, percentiles, SLA coloured by compliance, a histogram and recent completions', () => {
		const completions = [completion('t1', 'ml-eng', 600, 1000), completion('t2', 'data-eng', 2400, 2000), completion('t3', 'ml-eng', 900, 3000)];
		const snapshot = makeSnapshot({completions});
		const text = frameOf(
			<TasksPane tasks={snapshot.tasks} completions={snapshot.tasks.recent} nowMs={snapshot.takenAtMs} width={90} height={10} focused={false} selectedIndex={0} />,
		);
		expect(text).toContain('3/h');
		expect(text).toContain('avg 21m40s');
		expect(text).toMatch(/p50 15m00s p95 \d+m\d+s p99/);
		expect(text).toContain('SLA 66.7%');
		expect(text).toContain('1 over');
		expect(text).toMatch(/0[·▁▂▃▄▅▆▇█]+60m\+/);
		const rows = lines(text).filter((l) => /t[123] /.test(l));
		expect(rows.map((r) => r.trim().split(/\s+/)[0])).toEqual(['t1', 't2', 't3']);
		expect(rows[1]).toContain('40m00s');
	});
});

describe('TasksPane with no tasks', () => {
	it('says "no data" for the SLA instead of 100%', () => {
		const snapshot = makeSnapshot();
		const text = frameOf(<TasksPane tasks={snapshot.tasks} completions={[]} nowMs={NOW} width={100} height={6} focused={false} selectedIndex={0} />);
		expect(text).toContain('SLA – (no data: no tasks in the last hour)');
		expect(text).not.toContain('100.0%');
	});

	// Regression (issue 10): with no task in the last hour the pane read "avg 0s p50 0s p95 0s p99 0s".
	it('shows no duration figure as 0s when the last hour holds no task; --ascii writes "-"', () => {
		const snapshot = makeSnapshot({completions: [completion('old', 'a', 600, 2 * 3_600_000)]});
		const text = frameOf(<TasksPane tasks={snapshot.tasks} completions={snapshot.tasks.recent} nowMs={NOW} width={100} height={8} focused={false} selectedIndex={0} />);
		const figures = lines(text)[1]!;
		expect(figures).toMatch(/^0\/h avg – p50 – p95 – p99 – \(no data\)/);
		expect(figures).not.toMatch(/\b0s\b/);
		const ascii = asciiFrameOf(<TasksPane tasks={snapshot.tasks} completions={snapshot.tasks.recent} nowMs={NOW} width={100} height={8} focused={false} selectedIndex={0} />);
		expect(lines(ascii)[1]).toMatch(/^0\/h avg - p50 - p95 - p99 - \(no data\)/);
		expect(lines(ascii)[2]).toMatch(/^SLA - \(no data/);
	});

	it('a completion in the hour brings the figures back', () => {
		const snapshot = makeSnapshot({completions: [completion('t', 'a', 90)]});
		const text = frameOf(<TasksPane tasks={snapshot.tasks} completions={snapshot.tasks.recent} nowMs={NOW} width={100} height={8} focused={false} selectedIndex={0} />);
		expect(lines(text)[1]).toMatch(/^1\/h avg 1m30s p50 1m30s/);
		expect(text).toContain('SLA 100.0%');
		expect(text).not.toContain('no data');
	});
});

describe('--ascii', () => {
	it('draws every pane, the header, the footer and the help with ASCII characters only, even when lines are cut', () => {
		const rows = [gpuRow(0, {processes: [{pid: 42, name: '/usr/bin/python3…', usedMemoryMb: 30_000}]})];
		const completions = [completion('t1', 'ml-eng', 600)];
		const agents = [agent('a-very-long-agent-name-that-gets-cut-somewhere', 'busy', 3, 2, 60)];
		const alerts = [alert('gpu_temp:0', {message: `GPU 0 at 92°C · ${'x'.repeat(200)}`, labels: {gpu: '0'}})];
		const snapshot = makeSnapshot({completions, agents, alerts});
		const long = {...snapshot, bus: {...snapshot.bus, summary: `Redis redis://h:6379: connected · ${'detail '.repeat(30)}…`}};
		const silences = [{id: 's', matcher: 'rule=x', endsMs: NOW + 60_000, author: 'ana', comment: 'über lange Erklärung · '.repeat(10)}];
		const text = [
			asciiFrameOf(<TrainingPane width={100} height={6} focused selectedIndex={0} smoothing={0.6} projects={[project('bert', falling)]} total={1} />),
			asciiFrameOf(<GpuPane width={100} height={3} focused selectedIndex={0} gpu={gpuSnapshot(rows)} rows={rows} />),
			asciiFrameOf(<GpuPane width={100} height={5} focused selectedIndex={0} gpu={gpuSnapshot(rows)} rows={rows} zoomed />),
			asciiFrameOf(<TasksPane tasks={snapshot.tasks} completions={snapshot.tasks.recent} nowMs={NOW} width={90} height={6} focused={false} selectedIndex={0} />),
			asciiFrameOf(<AgentsPane agents={agents} loadBalance={snapshot.loadBalance} width={40} height={6} focused selectedIndex={0} />),
			asciiFrameOf(<AlertLog rows={alerts} silences={silences} nowMs={NOW} rulesRunning width={80} height={8} focused selectedIndex={0} />),
			asciiFrameOf(<Header snapshot={long} width={80} paused filterText="bert" />),
			asciiFrameOf(<Footer focus="alerts" prompt={undefined} status={undefined} alertsAvailable width={80} />),
			asciiFrameOf(<Footer focus="alerts" prompt={{kind: 'filter', text: 'x'}} status={undefined} alertsAvailable width={80} />),
			asciiFrameOf(<HelpOverlay width={80} height={30} />),
		].join('\n');
		const wide = [...text].filter((c) => c.codePointAt(0)! > 0x7e);
		expect(wide).toEqual([]);
		expect(text).toContain('bert');
		expect(text).toContain('60C');
		expect(text).toContain('92C');
	});
});

describe('GPU processes', () => {
	const procs = [
		{pid: 10, name: 'small', usedMemoryMb: 500},
		{pid: 11, name: '/opt/conda/bin/python3', usedMemoryMb: 40_000},
		{pid: 12, name: 'mystery', usedMemoryMb: undefined},
	];
	it('shows the biggest process at the end of each GPU line when there is room', () => {
		const rows = [gpuRow(0, {processes: procs}), gpuRow(1)];
		const text = frameOf(<GpuPane width={120} height={4} focused={false} selectedIndex={0} gpu={gpuSnapshot(rows)} rows={rows} />);
		const gpu0 = lines(text).find((l) => /^\s+0 H100/.test(l))!;
		expect(gpu0).toMatch(/python3 39\.1G\s*$/);
		expect(gpu0).not.toContain('small');
		expect(text).not.toContain('pid');
	});

	it('lists every process of each GPU, the most memory first, when zoomed', () => {
		const rows = [gpuRow(0, {processes: procs}), gpuRow(1)];
		const text = frameOf(<GpuPane width={120} height={12} focused={false} selectedIndex={0} gpu={gpuSnapshot(rows)} rows={rows} zoomed />);
		const body = lines(text);
		const at = (s: string) => body.findIndex((l) => l.includes(s));
		expect(at('/opt/conda/bin/python3')).toBeGreaterThan(at(' 0 H100'));
		expect(at('small')).toBeGreaterThan(at('/opt/conda/bin/python3'));
		expect(at('mystery')).toBeGreaterThan(at('small'));
		expect(at(' 1 H100')).toBeGreaterThan(at('mystery'));
		expect(body[at('small')]).toMatch(/pid\s+10\s+500M small/);
		expect(body[at(' 1 H100') + 1]).toContain('no processes');
	});

	it('zoomed, a process joined to /proc shows its user, CPU, RSS, elapsed time and command line', () => {
		const joined = [{pid: 3021, name: 'python3', usedMemoryMb: 18_002, host: {user: 'ml', cpuPercent: 97.4, rssBytes: 6 * 1024 ** 3, elapsedMs: 3_600_000, command: 'python3 train.py --lr 3e-4'}}];
		const partial = [{pid: 77, name: 'other', usedMemoryMb: 100, host: {}}];
		const rows = [gpuRow(0, {processes: joined}), gpuRow(1, {processes: partial})];
		const body = lines(frameOf(<GpuPane width={120} height={8} focused={false} selectedIndex={0} gpu={gpuSnapshot(rows)} rows={rows} zoomed />));
		expect(body.find((l) => l.includes('3021'))).toMatch(/pid\s+3021\s+17\.6G ml 97% 6\.0G 1h python3 train\.py --lr 3e-4/);
		expect(body.find((l) => l.includes('pid      77'))).toMatch(/\? \? \? \? other/);
	});
});

describe('a pane short of lines', () => {
	it('keeps its title and truncates a long line instead of wrapping it', () => {
		const snapshot = makeSnapshot();
		const text = frameOf(<TasksPane tasks={snapshot.tasks} completions={[]} nowMs={snapshot.takenAtMs} width={50} height={5} focused={false} selectedIndex={0} />);
		expect(lines(text)[0]).toContain('3 Tasks');
		expect(lines(text).length).toBeLessThanOrEqual(5);
		expect(text).toContain('no completions yet');
	});
});

describe('AgentsPane', () => {
	it('lists agents with state, a task bar, completed and average duration, and warns on load variance above 30%', () => {
		const agents = [agent('ml-eng', 'busy', 6, 12, 900), agent('data-eng', 'busy', 1, 3, 300), agent('idle-one', 'idle', 0)];
		const snapshot = makeSnapshot({agents});
		const text = frameOf(<AgentsPane agents={agents} loadBalance={snapshot.loadBalance} width={80} height={8} focused={false} selectedIndex={0} />);
		expect(text).toMatch(/load variance 71% \(over 30%\)/);
		const ml = lines(text).find((l) => l.includes('ml-eng'))!;
		expect(ml).toMatch(/busy\s+█+\s+6\s+12\s+15m00s/);
		expect(lines(text).find((l) => l.includes('idle-one'))).toMatch(/idle\s+0\s+0/);
	});

	it('shows a balanced load without the warning', () => {
		const agents = [agent('a', 'busy', 2), agent('b', 'busy', 2)];
		const snapshot = makeSnapshot({agents});
		const text = frameOf(<AgentsPane agents={agents} loadBalance={snapshot.loadBalance} width={80} height={8} focused={false} selectedIndex={0} />);
		expect(text).toContain('load variance 0%');
		expect(text).not.toContain('over 30%');
	});

	// Regression (issue 10): with no busy agent the seed's variance is 0, which read as a balanced load.
	it('says "no data" for the load variance with no busy agent, and no average for an agent that completed nothing', () => {
		const agents = [agent('resting', 'idle', 0, 0, 0), agent('veteran', 'idle', 0, 4, 120)];
		const snapshot = makeSnapshot({agents});
		const text = frameOf(<AgentsPane agents={agents} loadBalance={snapshot.loadBalance} width={80} height={8} focused={false} selectedIndex={0} />);
		expect(text).toContain('load variance – (no data: no busy agent)');
		expect(text).not.toMatch(/load variance 0%/);
		expect(lines(text).find((l) => l.includes('resting'))).toMatch(/idle\s+0\s+0\s+–$/);
		expect(lines(text).find((l) => l.includes('veteran'))).toMatch(/4\s+2m00s$/);
		const ascii = asciiFrameOf(<AgentsPane agents={agents} loadBalance={snapshot.loadBalance} width={80} height={8} focused={false} selectedIndex={0} />);
		expect(ascii).toContain('load variance - (no data: no busy agent)');
	});
});

describe('AlertLog', () => {
	it('lists alerts newest first with time, severity, rule, labels, state and message; marks the selection when focused', () => {
		// The engine sends rows grouped by state; the log shows the most recent transition on top.
		const fed = [
			alert('old:o', {state: 'resolved', updatedMs: NOW - 50_000}),
			alert('gpu_temp:0', {severity: 'critical', state: 'firing', message: 'GPU 0 at 92°C', updatedMs: NOW - 10_000, labels: {gpu: '0'}}),
			alert('queue:q', {state: 'pending', updatedMs: NOW - 40_000}),
			alert('sla:x', {state: 'acknowledged', acknowledgedBy: 'ana', updatedMs: NOW - 20_000}),
			alert('loss:p', {state: 'silenced', updatedMs: NOW - 30_000, labels: {project: 'bert'}}),
		];
		const rows = paneRows(makeSnapshot({alerts: fed}), undefined).alerts;
		const text = frameOf(<AlertLog rows={rows} rulesRunning width={100} height={8} focused selectedIndex={1} />);
		const body = lines(text).slice(1);
		expect(body[0]).toMatch(/^ \d\d:\d\d:\d\d critical\s+gpu_temp\s+gpu=0\s+firing\s+GPU 0 at 92°C/);
		expect(body[1]).toMatch(/^›\d\d:\d\d:\d\d .*sla\s+acknowledged.*\(ack ana\)/);
		expect(body.slice(2, 5).map((l) => l.match(/(silenced|pending|resolved)/)?.[1])).toEqual(['silenced', 'pending', 'resolved']);
		expect(body[2]).toContain('project=bert');
	});

	it('tells two rows of one rule apart by their labels, and shows the alert id when zoomed', () => {
		const rows = [alert('gpu_temp:0', {labels: {gpu: '0'}}), alert('gpu_temp:3', {labels: {gpu: '3'}})];
		const text = frameOf(<AlertLog rows={rows} rulesRunning width={120} height={5} focused={false} selectedIndex={0} />);
		expect(text).toMatch(/gpu_temp\s+gpu=0/);
		expect(text).toMatch(/gpu_temp\s+gpu=3/);
		expect(text).not.toContain('[gpu_temp:3]');
		const zoomed = frameOf(<AlertLog rows={rows} rulesRunning width={120} height={5} focused={false} selectedIndex={0} zoomed />);
		expect(zoomed).toMatch(/firing\s+\[gpu_temp:3\] message of gpu_temp:3/);
	});

	it('lists active silences after the alerts: matcher, until (time left), author, comment', () => {
		const silences = [{id: 's1', matcher: 'rule=loss project=bert', endsMs: NOW + 5_400_000, author: 'ana', comment: 'retraining'}];
		const text = frameOf(<AlertLog rows={[alert('a:1')]} silences={silences} nowMs={NOW} rulesRunning width={120} height={8} focused canExpire selectedIndex={0} />);
		const body = lines(text);
		const heading = body.findIndex((l) => l.includes('silences (1)'));
		expect(heading).toBeGreaterThan(body.findIndex((l) => l.includes('message of a:1')));
		expect(body[heading]).toContain('x expires');
		expect(body[heading + 1]).toMatch(/rule=loss project=bert until \d\d:\d\d:\d\d \(1h30m left\) by ana - retraining/);
	});

	it('names failing rules and transitions missing from Redis in its title', () => {
		const text = frameOf(<AlertLog rows={[alert('a:1')]} rulesRunning ruleErrors={2} unwrittenTransitions={5} width={140} height={5} focused={false} selectedIndex={0} />);
		expect(text).toContain('2 rules failing');
		expect(text).toContain("5 not in Redis's log");
		const clean = frameOf(<AlertLog rows={[alert('a:1')]} rulesRunning width={140} height={5} focused={false} selectedIndex={0} />);
		expect(clean).not.toContain('failing');
		expect(clean).not.toContain('not in Redis');
	});

	it("says when no rule engine runs and there are no alerts", () => {
		const text = frameOf(<AlertLog rows={[]} rulesRunning={false} width={100} height={4} focused={false} selectedIndex={0} />);
		expect(text).toContain('no alerts');
		expect(text).toContain('rules not running');
	});
});

describe('Header, Footer and help', () => {
	it('header: host, redacted Redis URL and state, role, rejected, unacknowledged criticals, clock', () => {
		const snapshot = makeSnapshot({rejected: 3, alerts: [alert('t:1', {severity: 'critical'}), alert('t:2', {severity: 'critical'})]});
		const text = frameOf(<Header snapshot={snapshot} width={160} paused filterText="bert" />);
		expect(text).toContain('gpu-box-1');
		expect(text).toContain('redis://monitor:***@127.0.0.1:6390: connected');
		expect(text).not.toContain('secret');
		expect(text).toContain('[writer]');
		expect(text).toContain('rejected 3');
		expect(text).toContain('2 critical unacked');
		expect(text).toContain('PAUSED');
		expect(text).toContain('filter "bert"');
		expect(text).toMatch(/\d\d:\d\d:\d\d/);
	});

	it('footer: key hints per pane, "alerts not available" without a rule engine, prompts', () => {
		expect(frameOf(<Footer focus="training" prompt={undefined} status={undefined} alertsAvailable width={200} />)).not.toContain('a ack');
		expect(frameOf(<Footer focus="alerts" prompt={undefined} status={undefined} alertsAvailable width={200} />)).toContain('a ack');
		expect(frameOf(<Footer focus="alerts" prompt={undefined} status={undefined} alertsAvailable={false} width={200} />)).toContain('alerts not available');
		expect(frameOf(<Footer focus="alerts" prompt={{kind: 'confirm-ack-all', ids: ['a', 'b']}} status={undefined} alertsAvailable width={200} />)).toContain(
			'acknowledge 2 visible alerts? y/n',
		);
	});

	it('header at 80 columns keeps host, role and connection state before the summary, and the counts and clock', () => {
		const snapshot = makeSnapshot({rejected: 2, alerts: [alert('t:1', {severity: 'critical'})]});
		const long = {...snapshot, bus: {...snapshot.bus, summary: `${snapshot.bus.summary}; ${'stale for a while, gaps '.repeat(5)}`}};
		const text = frameOf(<Header snapshot={long} width={80} />);
		expect(lines(text)).toHaveLength(1);
		expect(text).toMatch(/^mycotop gpu-box-1 \[writer\] redis up\b/);
		expect(frameOf(<Header snapshot={long} width={120} />)).toMatch(/redis up Redis redis:\/\/monitor:\*\*\*@127.0.0.1:6390: .*… rejected 2/);
		expect(text).toContain('rejected 2');
		expect(text).toContain('1 critical unacked');
		expect(text).toMatch(/\d\d:\d\d:\d\d\s*$/);
		expect(text.length).toBeLessThanOrEqual(80);
	});

	it('footer at 80 columns keeps ? help and q quit', () => {
		for (const focus of ['training', 'alerts'] as const) {
			const text = frameOf(<Footer focus={focus} prompt={undefined} status={undefined} alertsAvailable width={80} />);
			expect(text).toContain('? help');
			expect(text).toContain('q quit');
		}
	});

	it('help overlay lists every binding of the keymap, uncut at 80 columns', () => {
		// One column when the bindings and the title fit the height (uncut at 80 columns); two beside each other cut
		// their help to 40 columns, so the height is the one-column case's.
		const height = BINDINGS.length + 1;
		expect(height).toBeLessThanOrEqual(32);
		const text = frameOf(<HelpOverlay width={80} height={height} />);
		for (const b of BINDINGS) {
			expect(text).toContain(b.label);
			expect(text).toContain(b.help);
		}
		expect(text).not.toContain('…');
	});
});
