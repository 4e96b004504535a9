import React, {memo} from 'react';
import {Box, Text} from 'ink';
import {type Snapshot} from '../src/store/snapshot.js';
import {formatClock, formatCount} from '../src/format/units.js';

export interface HeaderProps {
	readonly snapshot: Snapshot;
	readonly width: number;
}

function busColor(snapshot: Snapshot): string {
	const kind = snapshot.bus.connection?.kind;
	if (snapshot.bus.kind === 'embedded') return 'yellow';
	if (kind === 'connected') return 'green';
	if (kind === 'auth-failed') return 'red';
	return 'yellow';
}

/** Host, bus and its state, this instance's role, rejected count, unacknowledged criticals, clock. */
export const Header = memo(function Header({snapshot, width}: HeaderProps) {
	const critical = snapshot.alerts?.unacknowledgedCritical ?? 0;
	const rejected = snapshot.counters.rejected;
	const refused = snapshot.counters.refused;
	return (
		<Box width={width} justifyContent="space-between">
			<Box flexShrink={1}>
				<Text wrap="truncate-end">
					<Text bold>mycotop</Text> <Text>{snapshot.host}</Text> <Text color={busColor(snapshot)}>{snapshot.bus.summary}</Text>{' '}
					<Text color="cyan">[{snapshot.bus.role}]</Text>
				</Text>
			</Box>
			<Box flexShrink={0}>
				<Text>
					{rejected > 0 ? <Text color="yellow"> rejected {formatCount(rejected)}</Text> : <Text dimColor> rejected 0</Text>}
					{refused > 0 ? <Text color="yellow"> refused {formatCount(refused)}</Text> : null}
					{critical > 0 ? <Text color="red" bold> {critical} critical unacked</Text> : null} {formatClock(snapshot.takenAtMs)}
				</Text>
			</Box>
		</Box>
	);
});
