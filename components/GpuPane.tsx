import {memo} from 'react';
import {Text} from 'ink';
import {type GpuRow, type GpuSnapshot} from '../src/gpu/gpu-snapshot.js';
import {gauge, sparkline} from '../src/format/sparkline.js';
import {fitBadges, gpuColumns, gpuUnavailable, PCIE_CELLS, pcieText, memoryText, processesByMemory, processText, projectLabel, readingText, temperatureTone, utilizationTone} from '../src/format/gpu-view.js';
import {projectsOf} from '../src/gpu/project-join.js';
import {healthBadges} from '../src/gpu/gpu-health.js';
import {type HostView} from '../src/host/host-sampler.js';
import {hostProcessText} from '../src/format/gpu-view.js';
import {hostParts} from '../src/host/host-figures.js';
import {fit, formatMb, shortGpuName} from '../src/format/units.js';
import {cellWidth, padCells, truncateCells} from '../src/format/text-width.js';
import {windowStart} from '../src/format/pane-rows.js';
import {gpuHistory} from '../src/gpu/gpu-store.js';
import {colorOf, type Theme} from '../src/format/theme.js';
import {Line, Panel, rowMarker} from './Panel.js';
import {useTheme} from './theme.js';
import {styled} from '../src/format/styled-text.js';

export interface GpuPaneProps {
	readonly gpu: GpuSnapshot | undefined;
	/** The GPUs that pass the filter. */
	readonly rows: readonly GpuRow[];
	readonly width: number;
	readonly height: number;
	readonly focused: boolean;
	readonly selectedIndex: number;
	/** Zoomed: every process of each GPU is listed under it. */
	readonly zoomed?: boolean;
	/** The host's /proc figures: a compact line above the GPUs (absent: host sampling off). */
	readonly hostView?: HostView;
	/** The title; default "GPUs" (another host's: "GPUs of NAME", picked in the hosts pane). */
	readonly title?: string;
}

/**
The host line: CPU busy with a per-core strip, the dataloader hint, memory, swap, filesystems, load, disk and network
I/O; parts that do not fit are dropped from the end (the per-core strip first).
*/
export function HostLine({view, width}: {readonly view: HostView; readonly width: number}) {
	const {glyphs, colors} = useTheme();
	const parts = hostParts(view.stats, view.dataloaderBound);
	const cores = view.stats?.corePercents ?? [];
	// The per-core strip after CPU %, one cell per core (up to 64), when 40 cells remain for the rest.
	const withStrip = cores.length > 1 && cores.length <= 64 && width - 5 - 8 - (cores.length + 1) >= 40;
	const strip = withStrip ? sparkline(cores.map((c) => c ?? Number.NaN), cores.length, {glyphs, min: 0, max: 100}) : '';
	const shown: typeof parts = [];
	let used = 5 + (withStrip ? cores.length + 1 : 0); // "host " and the strip
	for (const part of parts) {
		const w = cellWidth(part.text) + (shown.length > 0 ? 2 : 0);
		if (used + w > width) break;
		shown.push(part);
		used += w;
	}
	// One pre-styled string (styled(), as nested <Text>s would style each piece): one text node for the line.
	let line = styled('host ', {dimColor: true});
	let cells = 5;
	shown.forEach((p, i) => {
		const text = glyphs.text(p.text);
		line += (i > 0 ? '  ' : '') + styled(text, {color: colorOf(colors, p.tone), bold: p.tone === 'critical'});
		cells += (i > 0 ? 2 : 0) + cellWidth(text);
		if (p.key === 'cpu' && strip !== '') {
			line += styled(` ${strip}`, {color: colors.accent});
			cells += 1 + cellWidth(strip);
		}
	});
	// Padded to the full width with unstyled blanks (cut from the frame's rows, never written): the line keeps its
	// cells while its figures change, so Ink's layout is not redone every second for it (scripts/ink-patches.mjs).
	return <Line>{line + ' '.repeat(Math.max(0, width - cells))}</Line>;
}

/** " · not found: GPU 9" for requested GPUs no frame has (a --gpus typo, or a GPU this box lacks). */
function notFoundText(gpu: GpuSnapshot): string {
	return gpu.notFound === undefined || gpu.notFound.length === 0 ? '' : ` · not found: GPU ${gpu.notFound.join(', ')}`;
}

/** " · 12.4 kWh today (est.) 3.60 EUR": the box's energy today, marked when estimated from power draw. */
function energyInfo(gpu: GpuSnapshot): string {
	const e = gpu.energy;
	if (e === undefined || e.source === 'none') return '';
	const cost = e.todayCost === undefined ? '' : ` ${e.todayCost.toFixed(2)}${e.currency !== undefined ? ` ${e.currency}` : ''}`;
	return ` · ${e.todayKwh.toFixed(e.todayKwh < 10 ? 2 : 1)} kWh today${e.source === 'counter' ? '' : ' (est.)'}${cost}`;
}

/** The most cells the health badge takes on a line. */
const BADGE_CELLS = 30;

export function GpuLine(props: {
	readonly row: GpuRow;
	readonly width: number;
	readonly marker: string;
	readonly withProcesses: boolean;
	readonly nowMs: number;
	/** Some GPU of the pane has a badge: every line keeps the column, so the histories stay aligned. */
	readonly withBadges: boolean;
	/** Some GPU of the pane runs a project a training message named (gpu/project-join.ts). */
	readonly withProjects: boolean;
	/** Some GPU has PCIe throughput (dmon): every line keeps its column. */
	readonly withPcie: boolean;
}) {
	const {row, width, marker, withProcesses, nowMs, withBadges, withProjects, withPcie} = props;
	const {glyphs, colors} = useTheme();
	const cols = gpuColumns(width, withProcesses, withBadges ? BADGE_CELLS : 0, withPcie ? PCIE_CELLS : 0, withProjects);
	const text = glyphs.text;
	const cut = glyphs.ellipsis;
	const badges = fitBadges(row.lost ? [] : healthBadges(row.health, nowMs), cols.badge, (t, w) => fit(t, w, cut));
	const badgeUsed = badges.reduce((sum, b, i) => sum + cellWidth(b.text) + (i > 0 ? 1 : 0), 0);
	const name = fit(text(shortGpuName(row.name)), cols.name, cut);
	const index = padCells(String(row.index), 2, 'right');
	if (row.lost) {
		return (
			<Line>
				{marker}
				{index} {name} <Text color={colors.critical}>lost: {text(row.lostReason ?? 'missing from nvidia-smi')}</Text>
			</Line>
		);
	}
	const util = row.utilizationPercent;
	const used = row.memoryUsedMb;
	const total = row.memoryTotalMb;
	const memPercent = used.value !== undefined && total.value !== undefined && total.value > 0 ? (used.value / total.value) * 100 : Number.NaN;
	const memText = memoryText(used, total);
	const temp = row.temperatureC;
	const byMemory = processesByMemory(row.processes);
	const biggest = byMemory[0];
	const projects = projectsOf(byMemory).map((p) => text(p));
	const projectCells = cols.proc > 0 ? cols.proc : cols.project;
	const power = `${readingText(row.powerDrawW, (v) => String(Math.round(v)))}/${readingText(row.powerLimitW, (v) => `${Math.round(v)}W`)}`;
	// One pre-styled string (styled(), exactly as the nested <Text>s it replaces styled each piece): one text node per
	// line instead of a dozen for React to render and commit and Ink to squash on every frame.
	let line =
		`${marker}${index} ${name} ${styled(gauge(util.value ?? Number.NaN, cols.gauge, glyphs), {color: colorOf(colors, utilizationTone(util.value))})} ` +
		`${styled(padCells(readingText(util, (v) => `${Math.round(v)}%`), 5, 'right'), {dimColor: util.stale})} ` +
		`${styled(gauge(memPercent, cols.gauge, glyphs), {color: colors.secondary})} ${styled(fit(memText, 11, cut), {dimColor: used.stale})} ` +
		`${styled(padCells(readingText(temp, (v) => `${Math.round(v)}${glyphs.degrees}`), 5, 'right'), {color: colorOf(colors, temperatureTone(temp.value)), bold: temp.value !== undefined && temp.value > 90, dimColor: temp.stale})} ` +
		styled(fit(power, 10, cut), {dimColor: row.powerDrawW.stale});
	if (cols.badge > 0) line += ' ';
	badges.forEach((b, i) => {
		line += styled(`${i > 0 ? ' ' : ''}${text(b.text)}`, {color: colorOf(colors, b.tone), bold: b.tone === 'critical'});
	});
	if (cols.badge > 0) line += ' '.repeat(Math.max(0, cols.badge - badgeUsed));
	if (cols.pcie > 0) line += styled(` ${fit(text(row.pcie === undefined ? '' : pcieText(row.pcie)), cols.pcie, cut)}`, {color: colors.info, dimColor: row.pcie === undefined || row.pcie.rxMBps.stale === true});
	line += ` ${styled(sparkline(utilizationTail(row, cols.spark), cols.spark, {glyphs, min: 0, max: 100}), {color: colors.accent})}`;
	if (projectCells > 0 && projects.length > 0) line += styled(` ${projectLabel(projects, projectCells, (t, w) => truncateCells(t, w, cut))}`, {color: colors.info, bold: true});
	else if (cols.proc > 0 && biggest !== undefined) line += styled(` ${fit(text(processText(biggest)), cols.proc, cut)}`, {color: colors.warn});
	return <Line>{line}</Line>;
}

/** The newest `n` utilization samples: from the GPU's history rings (as many as the line has room for), else the row's 60. */
function utilizationTail(row: GpuRow, n: number): readonly number[] {
	return gpuHistory(row)?.utilizationPercent.tailValues(n) ?? row.utilizationHistory;
}

/** The zoomed pane's lines under a GPU: every process, the most memory first. */
export function processLines(row: GpuRow, {glyphs, colors}: Theme) {
	if (row.processes.length === 0) {
		return [
			<Line key={`${row.index}:none`} dimColor>
				{'      no processes'}
			</Line>,
		];
	}
	return processesByMemory(row.processes).map((p) => (
		<Line key={`${row.index}:${p.pid}`}>
			{'      '}
			<Text dimColor>pid {padCells(String(p.pid), 7, 'right')}</Text> <Text color={colors.warn}>{padCells(formatMb(p.usedMemoryMb), 6, 'right')}</Text>{' '}
			{p.host !== undefined ? <Text dimColor>{hostProcessText(p.host)} </Text> : null}
			{p.projectId !== undefined ? <Text color={colors.info}>[{glyphs.text(p.projectId)}] </Text> : null}
			{glyphs.text(p.host?.command ?? p.name)}
		</Line>
	));
}

/**
One line per GPU: index, short name, utilization and memory gauges, temperature, power/limit, the health badge, PCIe
throughput (`↓1.2G↑310M`, MB/s in and out, when dmon gives it and there is room), the utilization history.
*/
export const GpuPane = memo(function GpuPane({gpu, rows, width, height, focused, selectedIndex, zoomed, hostView, title = 'GPUs'}: GpuPaneProps) {
	const theme = useTheme();
	const {glyphs, colors} = theme;
	const unavailable = gpuUnavailable(gpu);
	const hostLine = hostView !== undefined && height >= 3;
	const content = Math.max(0, height - 1 - (hostLine ? 1 : 0));
	const start = windowStart(rows.length, selectedIndex, content);
	const withProcesses = rows.some((r) => r.processes.length > 0);
	const nowMs = gpu?.lastFrameMs ?? 0;
	const withBadges = rows.some((r) => !r.lost && healthBadges(r.health, nowMs).length > 0);
	const withProjects = rows.some((r) => !r.lost && r.processes.some((p) => p.projectId !== undefined));
	const withPcie = rows.some((r) => !r.lost && r.pcie !== undefined);
	const info =
		unavailable !== undefined
			? undefined
			: `${rows.length === gpu!.gpus.length ? gpu!.gpus.length : `${rows.length} of ${gpu!.gpus.length}`} GPUs · util · mem · temp · power · history${gpu!.state === 'degraded' ? ` · degraded: ${gpu!.reason ?? ''}` : ''}${notFoundText(gpu!)}${energyInfo(gpu!)}`;
	return (
		<Panel index={2} title={title} info={info} focused={focused} width={width} height={height}>
			{hostLine ? <HostLine view={hostView} width={Math.max(20, width - 2)} /> : null}
			{unavailable !== undefined ? <Line color={colors.warn}>{glyphs.text(unavailable)}</Line> : null}
			{unavailable === undefined && rows.length === 0 ? <Line dimColor>no GPU matches the filter</Line> : null}
			{unavailable === undefined
				? rows.slice(start, start + content).map((row, i) => [
						<GpuLine
							key={row.index}
							row={row}
							width={Math.max(20, width - 1)}
							marker={rowMarker(start + i === selectedIndex, focused, glyphs)}
							withProcesses={withProcesses}
							nowMs={nowMs}
							withBadges={withBadges}
							withProjects={withProjects}
							withPcie={withPcie}
						/>,
						...(zoomed ? processLines(row, theme) : []),
					])
				: null}
		</Panel>
	);
});
