import {memo} from 'react';
import {type AlertRow, type AlertState, type Severity} from '../src/rules/alert-snapshot.js';
import {clip, fit, formatClock, formatLabels, formatSpan} from '../src/format/units.js';
import {windowStart, type Silence} from '../src/format/pane-rows.js';
import {type Tone} from '../src/format/theme.js';
import {type ReceiverState} from '../src/notify/notify-types.js';
import {failing, rateLimited, receiverStateText} from '../src/notify/receiver-state.js';
import {Line, Panel, rowMarker, StyledLine, StyledRows} from './Panel.js';
import {styled} from '../src/format/styled-text.js';
import {useTheme} from './theme.js';
import {samePaneProps} from '../src/format/same-value.js';

export interface AlertLogProps {
	/** Newest first, filtered. */
	readonly rows: readonly AlertRow[];
	/** Active silences, listed after the alerts. */
	readonly silences?: readonly Silence[];
	/** The snapshot's time, for the time left on each silence. */
	readonly nowMs?: number;
	/** Zoomed: each row also shows the alert id (for `mycotop ack ID`). */
	readonly zoomed?: boolean;
	/** The rule engine can expire a silence (AlertActions.expireSilence): the `x` hint is shown. */
	readonly canExpire?: boolean;
	/** False when no rule engine runs: then only other agents' alerts are listed. */
	readonly rulesRunning: boolean;
	/** Rules whose last evaluation threw, and transitions not written to Redis's alert log: shown in the title. */
	readonly ruleErrors?: number;
	readonly unwrittenTransitions?: number;
	/** Notification receivers: a short state each in the title, one line each (with the last error) when zoomed. */
	readonly receivers?: readonly ReceiverState[];
	readonly width: number;
	readonly height: number;
	readonly focused: boolean;
	readonly selectedIndex: number;
}

const SEVERITY_TONE: Record<Severity, Tone> = {critical: 'critical', warning: 'warn', info: 'info'};
const STATE_TONE: Record<AlertState, Tone> = {
	firing: 'critical',
	pending: 'warn',
	resolved: 'ok',
	acknowledged: 'accent',
	silenced: 'secondary',
	nodata: 'muted',
};

/** One silence as the alert log lists it: matcher, until (time left), author, comment. */
function silenceText(silence: Silence, nowMs: number): string {
	const left = formatSpan(Math.max(0, silence.endsMs - nowMs));
	const comment = silence.comment ? ` - ${silence.comment}` : '';
	return `${silence.matcher} until ${formatClock(silence.endsMs)} (${left} left) by ${silence.author || '?'}${comment}`;
}

/** Who acknowledged, how long ago, until when, and why: "ack alice@box 5m ago until 14:00: restarting it". */
function ackText(row: AlertRow, nowMs: number): string {
	const age = row.acknowledgedMs !== undefined ? ` ${formatSpan(Math.max(0, nowMs - row.acknowledgedMs))} ago` : '';
	const until = row.ackUntilMs !== undefined ? ` until ${formatClock(row.ackUntilMs)}` : '';
	return `ack ${row.acknowledgedBy ?? '?'}${age}${until}${row.ackComment ? `: ${row.ackComment}` : ''}`;
}

/** A receiver in the title: "team ok", "oncall failing", "mail misconfigured", "chat rate limited", with what waits. */
function receiverBadge(r: ReceiverState, nowMs: number): string {
	const health = failing(r) ? (r.misconfigured ? 'misconfigured' : 'failing') : rateLimited(r, nowMs) ? 'rate limited' : r.lastSuccessMs !== undefined ? 'ok' : 'idle';
	const waits = [...(r.queued > 0 ? [`${r.queued} queued`] : []), ...(r.dropped !== undefined && r.dropped > 0 ? [`${r.dropped} dropped`] : [])];
	return `${r.name} ${health}${waits.length > 0 ? ` (${waits.join(', ')})` : ''}`;
}

/** Lines the silences section takes in a pane with `content` lines: a heading and one per silence, at most half. */
function silenceLines(count: number, content: number): number {
	if (count === 0 || content < 3) return 0;
	return Math.min(1 + count, Math.floor(content / 2));
}

/**
The alert log, newest first: time, severity, rule, labels, state, message (and the id when zoomed); then the
active silences. A dumb view: the selection comes in.
*/
export const AlertLog = memo(function AlertLog(props: AlertLogProps) {
	const {rows, silences = [], receivers = [], nowMs = Date.now(), zoomed, canExpire, rulesRunning, ruleErrors = 0, unwrittenTransitions = 0, width, height, focused, selectedIndex} = props;
	const {glyphs, colors} = useTheme();
	const inner = Math.max(20, width - 1);
	const receiverRows = zoomed ? silenceLines(receivers.length, Math.max(0, height - 1)) : 0;
	const content = Math.max(0, height - 1 - receiverRows);
	const silenceRows = silenceLines(silences.length, content);
	const alertLines = content - silenceRows;
	const start = windowStart(rows.length, selectedIndex, alertLines);
	const shownRows = rows.slice(start, start + Math.max(0, alertLines - (rows.length === 0 ? 1 : 0)));
	const ruleWidth = Math.min(24, Math.max(10, Math.floor(inner * 0.2)));
	const labelWidth = Math.min(32, Math.max(8, Math.floor(inner * 0.2)));
	const cut = glyphs.ellipsis;
	const text = glyphs.text;
	const firing = rows.filter((r) => r.state === 'firing').length;
	const info =
		`${rows.length} alerts · ${firing} firing${silences.length > 0 ? ` · ${silences.length} silences` : ''}` +
		`${ruleErrors > 0 ? ` · ${ruleErrors} rule${ruleErrors === 1 ? '' : 's'} failing` : ''}` +
		`${unwrittenTransitions > 0 ? ` · ${unwrittenTransitions} not in Redis's log` : ''}` +
		`${receivers.length > 0 ? ` · ${receivers.map((r) => receiverBadge(r, nowMs)).join(', ')}` : ''}` +
		`${rulesRunning ? '' : " · rules not running: other agents' alerts only"}`;
	return (
		<Panel index={5} title="Alerts" info={info} focused={focused} width={width} height={height}>
			{rows.length === 0 ? (
				<Line dimColor>
					no alerts
				</Line>
			) : null}
			<StyledRows
				rows={shownRows.map((row, i) => {
					const selected = start + i === selectedIndex;
					return {
						key: row.id,
						inverse: selected && focused,
						text:
							`${rowMarker(selected, focused, glyphs)}${formatClock(row.updatedMs)} ${styled(fit(row.severity, 8, cut), {color: colors[SEVERITY_TONE[row.severity]]})} ${fit(text(row.rule), ruleWidth, cut)} ` +
							`${styled(fit(text(formatLabels(row.labels)), labelWidth, cut), {dimColor: true})} ${styled(fit(row.state, 12, cut), {color: colors[STATE_TONE[row.state]]})} ` +
							(zoomed ? styled(`[${text(row.id)}] `, {color: colors.accent}) : '') +
							text(row.message) +
							(row.acknowledgedBy ? styled(` (${text(ackText(row, nowMs))})`, {dimColor: true}) : '') +
							(row.inhibitedBy ? styled(` (inhibited by ${text(row.inhibitedBy)})`, {dimColor: true}) : ''),
					};
				})}
				width={width - 1}
			/>
			{silenceRows > 0 ? (
				<Line color={colors.secondary}>
					{clip(`silences (${silences.length})${focused && canExpire ? ", x expires the selected alert's or the first" : ''}`, inner, cut)}
				</Line>
			) : null}
			{silences.slice(0, Math.max(0, silenceRows - 1)).map((s) => (
				<StyledLine key={s.id} dimColor text={` ${text(silenceText(s, nowMs))}`} />
			))}
			{receiverRows > 0 ? (
				<Line color={colors.secondary}>
					{clip(`receivers (${receivers.length})`, inner, cut)}
				</Line>
			) : null}
			{receivers.slice(0, Math.max(0, receiverRows - 1)).map((r) => (
				<StyledLine key={`receiver:${r.name}`} color={failing(r) ? colors.critical : undefined} dimColor={!failing(r)} text={` ${text(receiverStateText(r, nowMs, formatSpan))}`} />
			))}
		</Panel>
	);
}, samePaneProps);
