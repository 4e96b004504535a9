/** The completions an SLA rule scans: the input's own columns where it has them, else its records as columns. */
import {columnsOf, type CompletionColumns} from '../analysis/task-aggregates.js';
import {type RuleInput} from './rule-types.js';

/**
The completions at or after `sinceMs` as columns, or a superset of them (every completion the live store keeps):
a scan keeps what belongs to its own window and only timed completions (a finite duration), as `completionsSince`
gives them.
*/
export function completionColumns(input: RuleInput, sinceMs: number): CompletionColumns {
	return input.completionColumns?.() ?? columnsOf(input.completionsSince(sinceMs));
}
