/**
What is typed after `a` in the dashboard, one of three forms, so a comment that happens to begin with something
like a duration ("1m ago the loader died", "3d printer jammed") is never read as an expiry:
  `2h`                   a duration alone: acknowledged for two hours, no comment
  `2h: rolling back`     a duration, a colon, then the comment
  `rolling back`         anything else: a comment alone (no expiry)
Nothing typed acknowledges as before. Pure.
*/
import {durationProblem, parseDuration} from './duration.js';

export interface AckNote {
	readonly forMs?: number;
	readonly comment?: string;
}

const DURATION_RE = /^\d+(?:\.\d+)?(?:ms|s|m|h|d|w)(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))*$/;

/** The note, or why it cannot be one (a duration that is too long, or zero). */
export function parseAckNote(text: string): AckNote | string {
	const trimmed = text.trim();
	if (trimmed === '') return {};
	const colon = trimmed.indexOf(':');
	const head = colon < 0 ? trimmed : trimmed.slice(0, colon).trim();
	if (!DURATION_RE.test(head)) return {comment: trimmed};
	const problem = durationProblem(head);
	if (problem !== undefined) return problem;
	const forMs = parseDuration(head);
	if (forMs === undefined || forMs <= 0) return `not a duration: "${head}"`;
	const comment = colon < 0 ? '' : trimmed.slice(colon + 1).trim();
	return {forMs, ...(comment !== '' ? {comment} : {})};
}
