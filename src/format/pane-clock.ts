/**
The clock each pane is drawn against, or 0 when nothing the pane shows depends on it. The snapshot's time changes
every second; a pane that shows no age or countdown is then given the same props as a second ago and is not
redrawn (memoised panes, samePaneProps). Each function names exactly what its pane computes from `nowMs`. Pure.
*/
import {type Completion} from '../analysis/task-aggregates.js';
import {type AlertRow} from '../rules/alert-snapshot.js';
import {type ProjectSummary} from '../store/snapshot.js';

/** The training pane counts ETAs down (etaText, etaShortText). */
export function trainingClock(projects: readonly ProjectSummary[], nowMs: number): number {
	return projects.some((p) => p.eta !== undefined) ? nowMs : 0;
}

/** The tasks pane shows each completion's age. */
export function tasksClock(completions: readonly Completion[], nowMs: number): number {
	return completions.length > 0 ? nowMs : 0;
}

/** The alert log shows acknowledgement ages, silences' time left and receivers' retry times. */
export function alertsClock(rows: readonly AlertRow[], silences: readonly unknown[], receivers: readonly unknown[] | undefined, nowMs: number): number {
	return silences.length > 0 || (receivers?.length ?? 0) > 0 || rows.some((r) => r.acknowledgedBy !== undefined || r.acknowledgedMs !== undefined) ? nowMs : 0;
}
