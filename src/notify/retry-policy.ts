/**
What to do after one delivery attempt, as pure functions: the answer (an HTTP status, a command's exit, a timeout,
a refused connection) becomes "delivered", "try again at" or "give up", and the wait before the next attempt is
exponential backoff with full jitter, capped. A 429 waits what its Retry-After says (seconds or an HTTP date),
bounded by the same cap; 5xx, timeouts and network errors are retried; any other 4xx is a configuration problem
(a wrong URL, a revoked token, a bad payload): retrying cannot help, so it is reported, not retried.
*/

/** What one attempt came to, as the senders report it (no URL, key or token in any of it). */
export type AttemptOutcome =
	| {readonly kind: 'http'; readonly status: number; readonly retryAfter?: string; readonly excerpt: string}
	| {readonly kind: 'exit'; readonly code: number; readonly excerpt: string}
	| {readonly kind: 'timeout'; readonly afterMs: number}
	| {readonly kind: 'network'; readonly reason: string};

export interface RetryPolicy {
	/** First wait (before jitter). */
	readonly baseMs: number;
	/** Longest wait between attempts, Retry-After included. */
	readonly capMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {baseMs: 1000, capMs: 5 * 60_000};

/** A notification's age limit when its route gives none: Alertmanager's default repeat_interval. */
const DEFAULT_GIVE_UP_AFTER_MS = 4 * 3_600_000;

/** How long a notification is retried: its route's repeat interval (by then the group has been said again). */
export function giveUpAfterMs(repeatIntervalMs: number): number {
	return Number.isFinite(repeatIntervalMs) && repeatIntervalMs > 0 ? repeatIntervalMs : DEFAULT_GIVE_UP_AFTER_MS;
}

function durationText(ms: number): string {
	if (ms >= 3_600_000) return `${Math.round(ms / 360_000) / 10} h`;
	if (ms >= 60_000) return `${Math.round(ms / 6000) / 10} min`;
	return `${Math.round(ms / 100) / 10} s`;
}

export type Verdict =
	| {readonly action: 'delivered'}
	| {readonly action: 'retry'; readonly delayMs: number; readonly error: string}
	| {readonly action: 'give-up'; readonly error: string; readonly misconfigured: boolean};

/**
Seconds (`120`) or an HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`) to milliseconds from `nowMs`, at least 0;
undefined when it is neither (then ordinary backoff applies).
*/
export function retryAfterMs(header: string | undefined, nowMs: number): number | undefined {
	if (header === undefined) return undefined;
	const text = header.trim();
	if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
	if (text.length > 64 || !/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
	const at = Date.parse(text);
	return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

/** Exponential backoff with full jitter: a uniform wait in [0, min(cap, base * 2^(attempt-1))]; `random` in [0, 1). */
export function backoffMs(attempt: number, policy: Pick<RetryPolicy, 'baseMs' | 'capMs'>, random: number): number {
	const exponent = Math.min(Math.max(attempt - 1, 0), 30);
	const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
	return Math.floor(Math.min(Math.max(random, 0), 1) * ceiling);
}

/** The outcome in a few words for a receiver's last error: never a URL (the senders report none). */
export function outcomeText(outcome: AttemptOutcome): string {
	switch (outcome.kind) {
		case 'http':
			return `HTTP ${outcome.status}${outcome.excerpt === '' ? '' : `: ${outcome.excerpt}`}`;
		case 'exit':
			return `exit status ${outcome.code}${outcome.excerpt === '' ? '' : `: ${outcome.excerpt}`}`;
		case 'timeout':
			return `no answer within ${Math.round(outcome.afterMs / 100) / 10} s`;
		case 'network':
			return outcome.reason;
	}
}

export function isSuccess(outcome: AttemptOutcome): boolean {
	return (outcome.kind === 'http' && outcome.status >= 200 && outcome.status < 300) || (outcome.kind === 'exit' && outcome.code === 0);
}

/**
Whether the outcome is a configuration problem that no retry can fix: 4xx other than 408 and 429, and 3xx (redirects
are not followed, so the body never goes where the config did not say: the URL should be the final one).
*/
export function isMisconfigured(outcome: AttemptOutcome): boolean {
	if (outcome.kind !== 'http') return false;
	if (outcome.status >= 300 && outcome.status < 400) return true;
	return outcome.status >= 400 && outcome.status < 500 && outcome.status !== 408 && outcome.status !== 429;
}

/** Whether the outcome is a rate limit (429): the receiver is well, only busy; it is not counted as a failure. */
export function isRateLimited(outcome: AttemptOutcome): boolean {
	return outcome.kind === 'http' && outcome.status === 429;
}

/**
The verdict on attempt number `attempt` (1 for the first) of a notification `ageMs` old. A command's non-zero exit
is retried like a 5xx (the program may have failed on a mail server that is down). Failures and 429s are retried,
with capped backoff, until the notification is older than `maxAgeMs` (its route's repeat interval, giveUpAfterMs):
then it is abandoned, and the error says so. A 429 is a rate limit, not a failure: it waits what its Retry-After
says, but never less than the ordinary backoff, at least the base wait (`Retry-After: 0` or a date in the past is
not "at once"), and never more than the cap.
*/
export function verdict(outcome: AttemptOutcome, attempt: number, policy: RetryPolicy, nowMs: number, random: number, ageMs = 0, maxAgeMs = DEFAULT_GIVE_UP_AFTER_MS): Verdict {
	if (isSuccess(outcome)) return {action: 'delivered'};
	const error = outcomeText(outcome);
	if (isMisconfigured(outcome)) return {action: 'give-up', error: `${error} (not retried: check the receiver's URL, key and payload)`, misconfigured: true};
	if (ageMs >= maxAgeMs)
		return {action: 'give-up', error: `${error} (abandoned after ${attempt} attempts over ${durationText(ageMs)}: older than its route's repeat interval, ${durationText(maxAgeMs)})`, misconfigured: false};
	const backoff = backoffMs(attempt, policy, random);
	if (!isRateLimited(outcome)) return {action: 'retry', delayMs: backoff, error};
	const asked = (outcome.kind === 'http' ? retryAfterMs(outcome.retryAfter, nowMs) : undefined) ?? 0;
	return {action: 'retry', delayMs: Math.min(policy.capMs, Math.max(asked, backoff, policy.baseMs)), error};
}
