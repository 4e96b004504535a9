import {memo} from 'react';
import {Text} from 'ink';
import {type FleetSnapshot, type FleetHost} from '../src/fleet/fleet-view.js';
import {HOST_COLUMNS, hostCells, hostNameWidth, hostsInfo} from '../src/format/hosts-view.js';
import {windowStart} from '../src/format/pane-rows.js';
import {fitCells} from '../src/format/text-width.js';
import {colorOf} from '../src/format/theme.js';
import {Line, Panel, rowMarker} from './Panel.js';
import {useTheme} from './theme.js';

export interface HostsPaneProps {
	readonly fleet: FleetSnapshot;
	/** The hosts that pass the filter, by name. */
	readonly hosts: readonly FleetHost[];
	readonly width: number;
	readonly height: number;
	readonly focused: boolean;
	readonly selectedIndex: number;
	/** The host whose GPUs the GPU pane shows (marked `▸`); undefined: this box. */
	readonly viewHost: string | undefined;
	readonly nowMs: number;
}

/** The column heads, aligned with hostCells. */
function header(width: number): string {
	const c = HOST_COLUMNS;
	return [
		fitCells(' host', hostNameWidth(width)),
		fitCells('GPU', c.gpus, '', 'right'),
		fitCells('util avg/max', c.util, '', 'right'),
		fitCells('mem', c.memory, '', 'right'),
		fitCells('temp', c.temp, '', 'right'),
		fitCells('power', c.power, '', 'right'),
		fitCells('fire', c.alerts, '', 'right'),
		fitCells('state seen', c.seen),
	].join(' ');
}

/**
The hosts pane (6): one compact row per box of the fleet (GPUs, mean/max utilization, memory, hottest temperature,
power, firing alerts, state and last seen), scrolled to keep the selection in view. A view only: the selection lives
in the dashboard state, the keys in the keymap (Enter shows the selected host's GPUs in the GPU pane, b goes back).
*/
export const HostsPane = memo(function HostsPane({fleet, hosts, width, height, focused, selectedIndex, viewHost, nowMs}: HostsPaneProps) {
	const {glyphs, colors} = useTheme();
	const inner = Math.max(20, width - 1);
	const content = Math.max(0, height - 2);
	const start = windowStart(hosts.length, selectedIndex, content);
	const shown = hosts.slice(start, start + content);
	const more = hosts.length > content ? ` · ${start + 1}-${start + shown.length} of ${hosts.length}` : '';
	const info = `${hostsInfo(fleet)}${more}${viewHost !== undefined ? ` · GPU pane: ${viewHost}` : ''}`;
	return (
		<Panel index={6} title="Hosts" info={info} focused={focused} width={width} height={height}>
			{height >= 3 ? <Line dimColor>{` ${glyphs.text(header(inner - 1))}`}</Line> : null}
			{shown.map((host, i) => {
				const marker = rowMarker(start + i === selectedIndex, focused, glyphs);
				const cells = hostCells(host, nowMs, inner - 1, glyphs.degrees);
				return (
					<Line key={host.host}>
						{marker}
						{cells.map((cell, j) => (
							<Text key={cell.key} color={colorOf(colors, cell.tone)} bold={cell.key === 'host' && host.host === viewHost} dimColor={cell.tone === 'muted'}>
								{j > 0 ? ' ' : ''}
								{glyphs.text(cell.text)}
							</Text>
						))}
					</Line>
				);
			})}
		</Panel>
	);
});
