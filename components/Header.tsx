import React, {memo} from 'react';
import {Box, Text} from 'ink';
import {type Snapshot} from '../src/store/snapshot.js';
import {formatClock, formatCount} from '../src/format/units.js';

export interface HeaderProps {
	readonly snapshot: Snapshot;
	readonly width: number;
	readonly paused?: boolean;
	readonly filterText?: string;
}

function busColor(snapshot: Snapshot): string {
	const kind = snapshot.bus.connection?.kind;
	if (snapshot.bus.kind === 'embedded') return 'yellow';
	if (kind === 'connected') return 'green';
	if (kind === 'auth-failed') return 'red';
	return 'yellow';
}

/**
Host, Redis URL (password redacted by the bus) and its state, writer or viewer, rejected count, unacknowledged
criticals, clock; PAUSED and the filter when set.
*/
export const Header = memo(function Header({snapshot, width, paused, filterText}: HeaderProps) {
	const critical = snapshot.alerts?.unacknowledgedCritical ?? 0;
	const rejected = snapshot.counters.rejected;
	const refused = snapshot.counters.refused;
	return (
		<Box width={width} height={1} justifyContent="space-between" overflow="hidden">
			<Box flexShrink={1}>
				<Text wrap="truncate-end">
					<Text bold>mycotop</Text> <Text>{snapshot.host}</Text> <Text color={busColor(snapshot)}>{snapshot.bus.summary}</Text>{' '}
					<Text color="cyan">[{snapshot.bus.role}]</Text>
				</Text>
			</Box>
			<Box flexShrink={0}>
				<Text>
					{filterText ? <Text color="cyan"> filter "{filterText}"</Text> : null}
					{paused ? (
						<Text color="yellow" bold inverse>
							{' PAUSED '}
						</Text>
					) : null}
					{rejected > 0 ? <Text color="yellow"> rejected {formatCount(rejected)}</Text> : <Text dimColor> rejected 0</Text>}
					{refused > 0 ? <Text color="yellow"> refused {formatCount(refused)}</Text> : null}
					{critical > 0 ? <Text color="red" bold> {critical} critical unacked</Text> : <Text dimColor> 0 critical</Text>} {formatClock(snapshot.takenAtMs)}
				</Text>
			</Box>
		</Box>
	);
});
