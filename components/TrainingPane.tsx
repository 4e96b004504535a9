import React, {memo} from 'react';
import {Box, Text} from 'ink';
import {type ProjectSummary} from '../src/store/snapshot.js';
import {sparkline} from '../src/format/sparkline.js';
import {fit, formatValue} from '../src/format/units.js';

export interface TrainingPaneProps {
	readonly projects: readonly ProjectSummary[];
	readonly width: number;
	readonly height: number;
	readonly ascii?: boolean;
}

const TREND_ARROW: Record<string, string> = {improving: '↘', degrading: '↗', stable: '→', insufficient_data: ' '};

/** One line per project: name, loss sparkline, last loss, step, trend. A NaN/Inf loss is shown in red. */
export const TrainingPane = memo(function TrainingPane({projects, width, height, ascii}: TrainingPaneProps) {
	const inner = Math.max(10, width - 2);
	const nameWidth = Math.min(18, Math.max(8, Math.floor(inner * 0.2)));
	const valueWidth = 9;
	const stepWidth = 9;
	const sparkWidth = Math.max(5, inner - nameWidth - valueWidth - stepWidth - 5);
	const visible = projects.slice(0, Math.max(0, height - 3));
	return (
		<Box flexDirection="column" borderStyle={ascii ? 'classic' : 'round'} width={width} height={height} overflow="hidden">
			<Text bold>
				Training <Text dimColor>({projects.length} projects)</Text>
			</Text>
			{visible.length === 0 ? <Text dimColor>waiting for events:training:progress ...</Text> : null}
			{visible.map((p) => {
				const bad = p.lastLoss !== undefined && !Number.isFinite(p.lastLoss);
				return (
					<Text key={p.projectId} wrap="truncate-end">
						{fit(p.projectId, nameWidth)} <Text color="cyan">{sparkline(p.lossTail, sparkWidth, {ascii})}</Text>{' '}
						<Text color={bad ? 'red' : undefined} bold={bad}>
							{formatValue(p.lastLoss).padStart(valueWidth)}
						</Text>{' '}
						<Text dimColor>{`@${p.lastStep}`.padStart(stepWidth)}</Text> {ascii ? '' : TREND_ARROW[p.analysis.trend]}
					</Text>
				);
			})}
		</Box>
	);
});
