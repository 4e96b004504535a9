/**
Where each pane goes for a terminal size: a pure function of the size and of how many lines each pane would
like. The frame is `rows - 1` lines (Ink 6.8 clears the whole screen for taller frames): a header, the panes,
and a footer.
*/
export const PANES = ['training', 'gpu', 'tasks', 'agents', 'alerts'] as const;
/**
The hosts pane (6): shown only while the fleet registry has another box than this one (its demand is then above 0),
below the GPU pane; it takes no line from a one-box screen.
*/
export type PaneId = (typeof PANES)[number] | 'hosts';
/** Every pane in focus order when the hosts pane is shown. */
export const PANES_WITH_HOSTS: readonly PaneId[] = ['training', 'gpu', 'hosts', 'tasks', 'agents', 'alerts'];

/** Lines a pane would like, title included: `need` is what it should get first, `want` what would show everything. */
export interface PaneDemand {
	readonly need: number;
	readonly want: number;
}

export interface PaneBox {
	readonly pane: PaneId;
	readonly width: number;
	readonly height: number;
}

interface LayoutRow {
	readonly height: number;
	readonly cells: readonly PaneBox[];
}

export type Layout =
	| {readonly kind: 'too-small'; readonly columns: number; readonly rows: number}
	| {readonly kind: 'panes'; readonly mode: 'stacked' | 'medium' | 'wide' | 'zoomed'; readonly height: number; readonly rows: readonly LayoutRow[]};

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;
/** Header and footer. */
const CHROME_LINES = 2;
const MIN_PANE = 2;

/** Split `width` into cells by fractions, the last cell taking the rounding remainder. */
function split(width: number, fractions: readonly number[]): number[] {
	const out = fractions.map((f) => Math.floor(width * f));
	out[out.length - 1] = width - out.slice(0, -1).reduce((s, w) => s + w, 0);
	return out;
}

/** Grow `heights` toward `targets`, one line at a time to the row furthest (relatively) from its target. */
function fill(heights: number[], targets: readonly number[], budget: number): number {
	let left = budget;
	while (left > 0) {
		let best = -1;
		let bestGap = 0;
		for (let i = 0; i < heights.length; i++) {
			const gap = (targets[i]! - heights[i]!) / Math.max(1, targets[i]!);
			if (gap > bestGap) {
				best = i;
				bestGap = gap;
			}
		}
		if (best < 0) break;
		heights[best]! += 1;
		left -= 1;
	}
	return left;
}

/**
The layout for a terminal of `columns` x `rows`:
- below 80x24: too small;
- zoomed: the one pane over the whole body;
- under 100 columns: every pane stacked, full width;
- 100 to 159 columns: training, GPUs, tasks | agents side by side, alerts;
- 160 columns and more: training | GPUs, tasks | agents, alerts;
- the hosts pane, when shown, in a row of its own below the GPUs.
Row heights: every row gets 2 lines, then lines go to what rows need, then to what they want, and what is left
goes to the last row (the alert log).
*/
export function computeLayout(columns: number, rows: number, demands: Readonly<Record<(typeof PANES)[number], PaneDemand>> & {readonly hosts?: PaneDemand}, zoomed?: PaneId): Layout {
	if (columns < MIN_COLUMNS || rows < MIN_ROWS) return {kind: 'too-small', columns, rows};
	const body = rows - 1 - CHROME_LINES;
	if (zoomed !== undefined) return {kind: 'panes', mode: 'zoomed', height: body, rows: [{height: body, cells: [{pane: zoomed, width: columns, height: body}]}]};
	const mode = columns >= 160 ? 'wide' : columns >= 100 ? 'medium' : 'stacked';
	const withHosts = (demands.hosts?.need ?? 0) > 0;
	const hostsRow: Array<{panes: PaneId[]; fractions: number[]}> = withHosts ? [{panes: ['hosts'], fractions: [1]}] : [];
	const grid: Array<{panes: PaneId[]; fractions: number[]}> =
		mode === 'wide'
			? [
					{panes: ['training', 'gpu'], fractions: [0.55, 0.45]},
					...hostsRow,
					{panes: ['tasks', 'agents'], fractions: [0.55, 0.45]},
					{panes: ['alerts'], fractions: [1]},
				]
			: mode === 'medium'
				? [
						{panes: ['training'], fractions: [1]},
						{panes: ['gpu'], fractions: [1]},
						...hostsRow,
						{panes: ['tasks', 'agents'], fractions: [0.5, 0.5]},
						{panes: ['alerts'], fractions: [1]},
					]
				: (withHosts ? PANES_WITH_HOSTS : PANES).map((p) => ({panes: [p], fractions: [1]}));
	const demand = (p: PaneId): PaneDemand => (p === 'hosts' ? (demands.hosts ?? {need: 0, want: 0}) : demands[p]);
	const need = grid.map((r) => Math.max(MIN_PANE, ...r.panes.map((p) => demand(p).need)));
	const want = grid.map((r, i) => Math.max(need[i]!, ...r.panes.map((p) => demand(p).want)));
	const heights = grid.map(() => MIN_PANE);
	let left = body - MIN_PANE * grid.length;
	left = fill(heights, need, left);
	left = fill(heights, want, left);
	heights[heights.length - 1]! += Math.max(0, left);
	return {
		kind: 'panes',
		mode,
		height: body,
		rows: grid.map((r, i) => {
			const widths = split(columns, r.fractions);
			return {height: heights[i]!, cells: r.panes.map((pane, j) => ({pane, width: widths[j]!, height: heights[i]!}))};
		}),
	};
}
