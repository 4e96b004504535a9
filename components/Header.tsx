import {memo} from 'react';
import {styled} from '../src/format/styled-text.js';
import {Box, Text} from 'ink';
import {type Snapshot} from '../src/store/snapshot.js';
import {clip, formatClock, formatCount} from '../src/format/units.js';
import {cellWidth} from '../src/format/text-width.js';
import {type Tone} from '../src/format/theme.js';
import {useTheme} from './theme.js';

export interface HeaderProps {
	readonly snapshot: Snapshot;
	readonly width: number;
	readonly paused?: boolean;
	readonly filterText?: string;
}

function busTone(snapshot: Snapshot): Tone {
	const kind = snapshot.bus.connection?.kind;
	if (snapshot.bus.kind === 'embedded') return 'warn';
	if (kind === 'connected') return 'ok';
	if (kind === 'auth-failed') return 'critical';
	return 'warn';
}

const SHORT_STATE: Record<string, string> = {connected: 'up', unreachable: 'down', 'auth-failed': 'auth failed'};

/** The connection in a word or two: "redis up", "redis reconnecting", or "embedded" when Redis is off or not in use. */
function shortBusState(bus: Snapshot['bus']): string {
	if (bus.kind === 'embedded' && bus.connection === undefined) return 'embedded';
	const kind = bus.connection?.kind ?? 'off';
	const redis = `redis ${SHORT_STATE[kind] ?? kind}`;
	return bus.kind === 'embedded' ? `embedded, ${redis}` : redis;
}

/** One side of the header: a single text node, rendered again only when its text changes. */
const HeaderText = memo(function HeaderText({text, wrap}: {readonly text: string; readonly wrap: 'wrap' | 'truncate-end'}) {
	return <Text wrap={wrap}>{text}</Text>;
});

/**
Host, writer or viewer and a short connection state first (they must survive 80 columns), then the bus
summary (Redis URL, password redacted, and details) cut to what is left; on the right PAUSED, the filter,
rejected count, unacknowledged criticals and the clock, always shown.
*/
export const Header = memo(function Header({snapshot, width, paused, filterText}: HeaderProps) {
	const {glyphs, colors} = useTheme();
	const critical = snapshot.alerts?.unacknowledgedCritical ?? 0;
	const rejected = snapshot.counters.rejected;
	const refused = snapshot.counters.refused;
	const text = glyphs.text;
	// A host name can be long (or wide): cut so that the role and the connection state still fit at 80 columns.
	const host = clip(text(snapshot.host), Math.max(12, Math.floor(width / 5)), glyphs.ellipsis);
	const role = `[${snapshot.bus.role}]`;
	const state = shortBusState(snapshot.bus);
	// The filter is typed text of any length: at most a quarter of the line, so the counts and the clock stay.
	const filter = filterText ? ` filter "${clip(text(filterText), Math.max(8, Math.floor(width / 4)), glyphs.ellipsis)}"` : '';
	const rejectedText = ` rejected ${formatCount(rejected)}`;
	const refusedText = refused > 0 ? ` refused ${formatCount(refused)}` : '';
	const criticalText = critical > 0 ? ` ${critical} critical unacked` : ' 0 critical';
	const clock = ` ${formatClock(snapshot.takenAtMs)}`;
	const right = cellWidth(filter) + (paused ? 8 : 0) + cellWidth(rejectedText) + cellWidth(refusedText) + cellWidth(criticalText) + cellWidth(clock);
	const left = cellWidth('mycotop') + 1 + cellWidth(host) + 1 + cellWidth(role) + 1 + cellWidth(state);
	const summary = clip(text(snapshot.bus.summary), Math.max(0, width - left - right - 1), glyphs.ellipsis);
	// Two pre-styled strings (styled(), as the nested <Text>s they replace styled each piece): one text node a side.
	const leftText =
		`${styled('mycotop', {bold: true})} ${host} ${styled(role, {color: colors.accent})} ${styled(state, {color: colors[busTone(snapshot)]})}` + (summary ? styled(` ${summary}`, {dimColor: true}) : '');
	const rightText =
		(filter ? styled(filter, {color: colors.accent}) : '') +
		(paused ? styled(' PAUSED ', {color: colors.warn, bold: true, inverse: true}) : '') +
		(rejected > 0 ? styled(rejectedText, {color: colors.warn}) : styled(rejectedText, {dimColor: true})) +
		(refused > 0 ? styled(refusedText, {color: colors.warn}) : '') +
		(critical > 0 ? styled(criticalText, {color: colors.critical, bold: true}) : styled(criticalText, {dimColor: true})) +
		clock;
	return (
		<Box width={width} height={1} overflow="hidden">
			<Box flexShrink={1} flexGrow={1} overflow="hidden">
				<HeaderText text={leftText} wrap={glyphs.lineCut === 'clip' ? 'wrap' : 'truncate-end'} />
			</Box>
			{/* A column, so that the right side's text, which keeps its cells from second to second, costs no layout when it changes (scripts/ink-patches.mjs). */}
			<Box flexShrink={0} flexDirection="column">
				<HeaderText text={rightText} wrap="wrap" />
			</Box>
		</Box>
	);
});
