/**
Buckets from the history source for a zoomed chart's window, fetched asynchronously: a frame never waits for
Redis. The answer (or why there is none) is a state the pane shows: off (no history source), loading, ok, failed.
A request is identified by its key; a changed key starts a new fetch and an answer to an old key is dropped.
*/
import {useEffect, useState} from 'react';
import {type BucketAnswer, type HistorySource} from '../src/history/history-source.js';

export type HistoryState =
	| {readonly status: 'idle'}
	| {readonly status: 'off'}
	| {readonly status: 'loading'; readonly key: string}
	| {readonly status: 'ok'; readonly key: string; readonly answers: readonly BucketAnswer[]; readonly atMs: number}
	| {readonly status: 'failed'; readonly key: string; readonly reason: string};

export interface HistoryRequest {
	/** Changes whenever what is asked changes (series, window, scroll, resolution). */
	readonly key: string;
	readonly fetch: (history: HistorySource) => Promise<readonly BucketAnswer[]>;
}

/** Re-read a window that ends now this often, so its newest bucket fills in. */
const REFRESH_MS = 10_000;
const MAX_REASON = 120;

function reasonOf(error: unknown): string {
	const text = error instanceof Error ? error.message : String(error);
	// A reason from a client may carry a URL; its user info never reaches the screen.
	return text.replace(/\/\/[^@/\s]*@/g, '//***@').slice(0, MAX_REASON);
}

/** The history for `request` (none: idle). `refresh`: re-read every 10 s (a window that ends now). */
const IDLE: HistoryState = {status: 'idle'};

export function useHistory(history: HistorySource | undefined, request: HistoryRequest | undefined, refresh = false, now: () => number = Date.now): HistoryState {
	const [state, setState] = useState<HistoryState>(IDLE);
	const key = request?.key;
	useEffect(() => {
		if (request === undefined) {
			setState(IDLE);
			return;
		}
		if (history === undefined) {
			setState({status: 'off'});
			return;
		}
		let live = true;
		const load = (first: boolean) => {
			if (first) setState({status: 'loading', key: request.key});
			request.fetch(history).then(
				(answers) => live && setState({status: 'ok', key: request.key, answers, atMs: now()}),
				(error: unknown) => live && setState({status: 'failed', key: request.key, reason: reasonOf(error)}),
			);
		};
		load(true);
		const timer = refresh ? setInterval(() => load(false), REFRESH_MS) : undefined;
		timer?.unref?.();
		return () => {
			live = false;
			if (timer !== undefined) clearInterval(timer);
		};
		// The key stands for the request: a new request object with the same key is the same question.
	}, [history, key, refresh]);
	return state;
}

/** The state as it stands for `key`: an answer to an older request reads as loading. */
export function historyFor(state: HistoryState, key: string | undefined): HistoryState {
	// The same object for the same state, so a chart memoised on it is not recomputed.
	if (key === undefined) return IDLE;
	if ((state.status === 'ok' || state.status === 'failed' || state.status === 'loading') && state.key !== key) return {status: 'loading', key};
	return state;
}

/** The state's words for a pane title: "" when the answer is there. */
export function historyNote(state: HistoryState): string {
	switch (state.status) {
		case 'idle':
		case 'ok':
			return '';
		case 'off':
			return 'history off (no Redis history): in-memory data only';
		case 'loading':
			return 'loading history…';
		case 'failed':
			return `history unavailable: ${state.reason}`;
	}
}
