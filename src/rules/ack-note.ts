/**
What is typed after `a` in the dashboard: an optional duration first (`2h`), then an optional comment, so
`2h restarting the loader` acknowledges for two hours with that comment, `looking` acknowledges with a comment
only, and nothing acknowledges as before. Pure.
*/
import {durationProblem, parseDuration} from './duration.js';

export interface AckNote {
	readonly forMs?: number;
	readonly comment?: string;
}

/** The note, or why it cannot be one (a leading duration that is too long). */
export function parseAckNote(text: string): AckNote | string {
	const trimmed = text.trim();
	if (trimmed === '') return {};
	const [first = '', ...rest] = trimmed.split(/\s+/);
	const looksLikeDuration = /^\d+(?:\.\d+)?(?:ms|s|m|h|d|w)(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))*$/.test(first);
	if (!looksLikeDuration) return {comment: trimmed};
	const problem = durationProblem(first);
	if (problem !== undefined) return problem;
	const forMs = parseDuration(first);
	if (forMs === undefined || forMs <= 0) return `not a duration: "${first}"`;
	const comment = rest.join(' ');
	return {forMs, ...(comment !== '' ? {comment} : {})};
}
