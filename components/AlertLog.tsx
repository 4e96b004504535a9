import React, {memo} from 'react';
import {Text} from 'ink';
import {type AlertRow, type AlertState, type Severity} from '../src/rules/alert-snapshot.js';
import {fit, formatClock} from '../src/format/units.js';
import {windowStart} from '../src/format/pane-rows.js';
import {Panel, rowMarker} from './Panel.js';

export interface AlertLogProps {
	/** Newest first, filtered. */
	readonly rows: readonly AlertRow[];
	/** False when no rule engine runs: then only other agents' alerts are listed. */
	readonly rulesRunning: boolean;
	readonly width: number;
	readonly height: number;
	readonly focused: boolean;
	readonly selectedIndex: number;
	readonly ascii?: boolean;
}

export const SEVERITY_COLOR: Record<Severity, string> = {critical: 'red', warning: 'yellow', info: 'blue'};
export const STATE_COLOR: Record<AlertState, string> = {
	firing: 'red',
	pending: 'yellow',
	resolved: 'green',
	acknowledged: 'cyan',
	silenced: 'magenta',
	nodata: 'gray',
};

/** The alert log, newest first: time, severity, rule, state, message. A dumb view: the selection comes in. */
export const AlertLog = memo(function AlertLog({rows, rulesRunning, width, height, focused, selectedIndex, ascii}: AlertLogProps) {
	const inner = Math.max(20, width - 1);
	const content = Math.max(0, height - 1);
	const start = windowStart(rows.length, selectedIndex, content);
	const ruleWidth = Math.min(24, Math.max(10, Math.floor(inner * 0.2)));
	const firing = rows.filter((r) => r.state === 'firing').length;
	const info = `${rows.length} alerts · ${firing} firing${rulesRunning ? '' : " · rules not running: other agents' alerts only"}`;
	return (
		<Panel index={5} title="Alerts" info={info} focused={focused} width={width} height={height} ascii={ascii}>
			{rows.length === 0 ? <Text dimColor wrap="truncate-end">no alerts</Text> : null}
			{rows.slice(start, start + content).map((row, i) => {
				const selected = start + i === selectedIndex;
				return (
					<Text key={row.id} wrap="truncate-end" inverse={selected && focused}>
						{rowMarker(selected, focused, ascii)}
						{formatClock(row.updatedMs)} <Text color={SEVERITY_COLOR[row.severity]}>{fit(row.severity, 8, ascii ? '~' : '…')}</Text> {fit(row.rule, ruleWidth, ascii ? '~' : '…')}{' '}
						<Text color={STATE_COLOR[row.state]}>{fit(row.state, 12, ascii ? '~' : '…')}</Text> {row.message}
						{row.acknowledgedBy ? <Text dimColor> (ack {row.acknowledgedBy})</Text> : null}
					</Text>
				);
			})}
		</Panel>
	);
});
