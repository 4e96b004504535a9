/**
The GPU pane's host line and GPU lines as they were drawn before they became one pre-styled string each (a <Text> per
piece, nested): the plain rendering that test/components/gpu-line-styled.test.tsx holds the fast one to, byte for byte.
Kept as it was in components/GpuPane.tsx at 6a28b81; do not "fix" it here.
*/
import {Text} from 'ink';
import {type GpuRow} from '../../src/gpu/gpu-snapshot.js';
import {gauge, sparkline} from '../../src/format/sparkline.js';
import {fitBadges, gpuColumns, PCIE_CELLS, pcieText, memoryText, processesByMemory, processText, projectLabel, readingText, temperatureTone, utilizationTone} from '../../src/format/gpu-view.js';
import {projectsOf} from '../../src/gpu/project-join.js';
import {healthBadges} from '../../src/gpu/gpu-health.js';
import {type HostView} from '../../src/host/host-sampler.js';
import {hostParts} from '../../src/host/host-figures.js';
import {fit, shortGpuName} from '../../src/format/units.js';
import {cellWidth, padCells, truncateCells} from '../../src/format/text-width.js';
import {gpuHistory} from '../../src/gpu/gpu-store.js';
import {colorOf} from '../../src/format/theme.js';
import {Line} from '../../components/Panel.js';
import {useTheme} from '../../components/theme.js';

/**
The host line: CPU busy with a per-core strip, the dataloader hint, memory, swap, filesystems, load, disk and network
I/O; parts that do not fit are dropped from the end (the per-core strip first).
*/
export function NestedHostLine({view, width}: {readonly view: HostView; readonly width: number}) {
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
	return (
		<Line>
			<Text dimColor>host </Text>
			{shown.map((p, i) => (
				<Text key={p.key}>
					{i > 0 ? '  ' : ''}
					<Text color={colorOf(colors, p.tone)} bold={p.tone === 'critical'}>
						{glyphs.text(p.text)}
					</Text>
					{p.key === 'cpu' && strip !== '' ? <Text color={colors.accent}> {strip}</Text> : null}
				</Text>
			))}
		</Line>
	);
}

export function NestedGpuLine(props: {
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
	return (
		<Line>
			{marker}
			{index} {name} <Text color={colorOf(colors, utilizationTone(util.value))}>{gauge(util.value ?? Number.NaN, cols.gauge, glyphs)}</Text>{' '}
			<Text dimColor={util.stale}>{padCells(readingText(util, (v) => `${Math.round(v)}%`), 5, 'right')}</Text>{' '}
			<Text color={colors.secondary}>{gauge(memPercent, cols.gauge, glyphs)}</Text> <Text dimColor={used.stale}>{fit(memText, 11, cut)}</Text>{' '}
			<Text color={colorOf(colors, temperatureTone(temp.value))} bold={temp.value !== undefined && temp.value > 90} dimColor={temp.stale}>
				{padCells(readingText(temp, (v) => `${Math.round(v)}${glyphs.degrees}`), 5, 'right')}
			</Text>{' '}
			<Text dimColor={row.powerDrawW.stale}>{fit(power, 10, cut)}</Text>
			{cols.badge > 0 ? ' ' : null}
			{badges.map((b, i) => (
				<Text key={b.text} color={colorOf(colors, b.tone)} bold={b.tone === 'critical'}>
					{i > 0 ? ' ' : ''}
					{text(b.text)}
				</Text>
			))}
			{cols.badge > 0 ? ' '.repeat(Math.max(0, cols.badge - badgeUsed)) : null}
			{cols.pcie > 0 ? (
				<Text color={colors.info} dimColor={row.pcie === undefined || row.pcie.rxMBps.stale === true}>
					{' '}
					{fit(text(row.pcie === undefined ? '' : pcieText(row.pcie)), cols.pcie, cut)}
				</Text>
			) : null}{' '}
			<Text color={colors.accent}>{sparkline(utilizationTail(row, cols.spark), cols.spark, {glyphs, min: 0, max: 100})}</Text>
			{projectCells > 0 && projects.length > 0 ? (
				<Text color={colors.info} bold>
					{' '}
					{projectLabel(projects, projectCells, (t, w) => truncateCells(t, w, cut))}
				</Text>
			) : cols.proc > 0 && biggest !== undefined ? (
				<Text color={colors.warn}>
					{' '}
					{fit(text(processText(biggest)), cols.proc, cut)}
				</Text>
			) : null}
		</Line>
	);
}


/** The most cells the health badge takes on a line. */
const BADGE_CELLS = 30;

function utilizationTail(row: GpuRow, n: number): readonly number[] {
	return gpuHistory(row)?.utilizationPercent.tailValues(n) ?? row.utilizationHistory;
}
