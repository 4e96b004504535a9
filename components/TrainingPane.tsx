import {memo} from 'react';
import {type ProjectSummary} from '../src/store/snapshot.js';
import {sparkline} from '../src/format/sparkline.js';
import {fit, formatValue} from '../src/format/units.js';
import {padCells} from '../src/format/text-width.js';
import {trainingView, type TrainingBadge} from '../src/format/training-view.js';
import {windowStart} from '../src/format/pane-rows.js';
import {type Tone} from '../src/format/theme.js';
import {kwhText, type ProjectEnergy} from '../src/gpu/project-energy.js';
import {etaShortText, etaText} from '../src/format/forecast-text.js';
import {cellWidth} from '../src/format/text-width.js';
import {Line, Panel, rowMarker, StyledRows, type StyledRow} from './Panel.js';
import {styled} from '../src/format/styled-text.js';
import {useTheme} from './theme.js';
import {samePaneProps} from '../src/format/same-value.js';

export interface TrainingPaneProps {
	readonly projects: readonly ProjectSummary[];
	/** All projects before the filter, for the title. */
	readonly total: number;
	readonly width: number;
	readonly height: number;
	readonly focused: boolean;
	readonly selectedIndex: number;
	/** Weight of the debiased EMA (TensorBoard's smoothing), default 0.6. */
	readonly smoothing: number;
	/** Energy per project tied to a GPU (the GPU snapshot's `projects`): today's kWh after the step, more on line 2. */
	readonly energy?: readonly ProjectEnergy[];
	/** The clock the ETAs count down against (the snapshot's time). */
	readonly nowMs?: number;
}

/** Cells of the energy column (`123.4 kWh`). */
const ENERGY_CELLS = 9;

/** The second line's energy detail: `0.50 GPU-h 0.37 EUR · run 3.40 kWh` (GPU-hours and cost today, the run's kWh). */
function energyDetail(e: ProjectEnergy): string {
	const cost = e.todayCost === undefined ? '' : ` ${e.todayCost.toFixed(2)}${e.currency !== undefined ? ` ${e.currency}` : ''}`;
	return `${e.todayGpuHours.toFixed(2)} GPU-h${cost} · run ${kwhText(e.runKwh)}`;
}

const BADGE_TONE: Record<TrainingBadge, Tone> = {diverging: 'critical', converged: 'ok', plateau: 'warn'};

/** Lines a project takes: two (raw and smoothed sparklines) when they all fit, else one. */
function linesPerProject(count: number, contentLines: number): number {
	return count > 0 && count * 2 <= contentLines ? 2 : 1;
}

/**
Per project: loss sparkline, last loss (NaN/Inf in red), smoothed loss, step, trend arrow and a badge; with
room, a second line with the smoothed sparkline, the ETA to the target loss where one is configured and the fit
gives one, and the WER sparkline where WER is sent (one line per project: the short ETA on it). The project id is cut
and padded in display cells, so a CJK or emoji id keeps the sparklines in one column.
*/
export const TrainingPane = memo(function TrainingPane(props: TrainingPaneProps) {
	const {projects, total, width, height, focused, selectedIndex, smoothing, energy, nowMs = Date.now()} = props;
	const {glyphs, colors} = useTheme();
	const inner = Math.max(20, width - 1);
	const content = Math.max(0, height - 1);
	const per = linesPerProject(projects.length, content);
	const nameWidth = Math.min(20, Math.max(8, Math.floor(inner * 0.18)));
	// marker name spark last ~smoothed @step arrow badge
	const shownCount = Math.max(0, Math.floor(content / per));
	const start = windowStart(projects.length, selectedIndex, shownCount);
	const visible = projects.slice(start, start + shownCount);
	const energyOf = new Map((energy ?? []).map((e) => [e.projectId, e]));
	// The energy column only while some shown project has energy: panes without GPU projects keep their layout.
	const withEnergy = visible.some((p) => energyOf.has(p.projectId));
	const fixed = 1 + nameWidth + 1 + 1 + 8 + 1 + 9 + 1 + 9 + 1 + 1 + 1 + 9 + (withEnergy ? ENERGY_CELLS + 1 : 0);
	// One line per project: the short ETA goes on it, and the sparklines give up its room (all alike, so they align).
	const shortEtas = per === 1 ? visible.map((p) => (p.eta === undefined ? '' : etaShortText(p.eta, nowMs))) : [];
	const shortEtaWidth = Math.max(0, ...shortEtas.map((t) => (t === '' ? 0 : cellWidth(t) + 1)));
	// The last WER ends a one-line row too: the sparklines give up its room as well, so the row fits the pane (a row
	// wider than the pane lost its WER to Ink's cut, which also re-cut every changed row each frame).
	const shortWers = per === 1 ? visible.map((p) => (p.lastWer === undefined ? '' : ` wer ${formatValue(p.lastWer)}`)) : [];
	const shortWerWidth = Math.max(0, ...shortWers.map((t) => cellWidth(t)));
	const sparkWidth = Math.max(4, Math.min(240, inner - fixed - shortEtaWidth - shortWerWidth));
	const info = total === projects.length ? `${total} projects · smoothing ${smoothing}` : `${projects.length} of ${total} projects (filtered)`;
	const rows: StyledRow[] = [];
	visible.forEach((p, i) => {
		const view = trainingView(p, smoothing, glyphs);
		const e = energyOf.get(p.projectId);
		const marker = rowMarker(start + i === selectedIndex, focused, glyphs);
		// One pre-styled string per line (styled(), as the nested <Text>s it replaces styled each piece).
		let first =
			`${marker}${fit(glyphs.text(p.projectId), nameWidth, glyphs.ellipsis)} ${styled(sparkline(p.lossTail, sparkWidth, {glyphs}), {color: colors.accent})} ` +
			`${styled(padCells(formatValue(p.lastLoss), 8, 'right'), {color: view.nonFinite ? colors.critical : undefined, bold: view.nonFinite})} ` +
			`${styled(padCells(`~${formatValue(view.smoothedLast)}`, 9, 'right'), {color: colors.info})} ${styled(padCells(`@${p.lastStep}`, 9, 'right'), {dimColor: true})} `;
		if (withEnergy) first += styled(`${padCells(e === undefined ? '' : kwhText(e.todayKwh), ENERGY_CELLS, 'right')} `, {color: colors.warn});
		first += `${view.arrow} `;
		if (view.badge) first += styled(view.badge, {color: colors[BADGE_TONE[view.badge]]});
		if (per === 1 && shortEtas[i]) first += styled(` ${shortEtas[i]}`, {color: p.eta?.inMs === 0 ? colors.ok : colors.info});
		if (per === 1 && shortWers[i]) first += styled(shortWers[i], {dimColor: true});
		rows.push({key: p.projectId, text: first});
		if (per === 2) {
			const hasWer = p.werTail.length > 0;
			const eta = p.eta === undefined ? undefined : etaText(p.eta, nowMs);
			const etaCells = eta === undefined ? 0 : cellWidth(eta) + 1;
			const detail = e === undefined ? '' : energyDetail(e);
			const werRoom = inner - 1 - nameWidth - sparkWidth - 15 - etaCells;
			// The detail goes last, where the WER sparkline (at least 4 cells) leaves room for it.
			const detailCells = detail === '' ? 0 : cellWidth(detail) + 1;
			const showDetail = detailCells > 0 && (hasWer ? werRoom - detailCells >= 4 : inner - 1 - nameWidth - sparkWidth - etaCells >= detailCells);
			let second = `${' '.repeat(1 + nameWidth - 4)}${styled('ema ', {dimColor: true})}${styled(sparkline(view.smoothed, sparkWidth, {glyphs}), {color: colors.info})}`;
			if (eta !== undefined) second += styled(` ${eta}`, {color: p.eta?.inMs === 0 ? colors.ok : colors.info});
			if (hasWer) {
				second +=
					` ${styled('wer ', {dimColor: true})}${styled(formatValue(p.lastWer), {color: p.lastWer !== undefined && !Number.isFinite(p.lastWer) ? colors.critical : colors.secondary})} ` +
					styled(sparkline(p.werTail, Math.max(4, Math.min(240, werRoom - (showDetail ? detailCells : 0))), {glyphs}), {color: colors.secondary});
			}
			if (showDetail) second += styled(` ${glyphs.text(detail)}`, {color: colors.warn});
			rows.push({key: `${p.projectId}:2`, text: second});
		}
	});
	return (
		<Panel index={1} title="Training" info={info} focused={focused} width={width} height={height}>
			{visible.length === 0 ? <Line dimColor>{total === 0 ? 'waiting for events:training:progress …' : 'no project matches the filter'}</Line> : null}
			<StyledRows rows={rows} width={width - 1} />
		</Panel>
	);
}, samePaneProps);
