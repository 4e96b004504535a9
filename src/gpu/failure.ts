/**
What went wrong with an nvidia-smi run, decided from the spawn error, the exit code and the text on BOTH streams
(a version mismatch prints on stdout). Every failure is a visible state that is retried with backoff. Pure.
*/
import {sanitizeText} from '../contract/sanitize.js';

type FailureKind =
	| 'not-found'
	| 'not-executable'
	| 'driver-not-loaded'
	| 'version-mismatch'
	| 'no-gpus'
	| 'bad-field'
	| 'permission'
	| 'gpu-lost'
	| 'nvml-missing'
	| 'hung'
	| 'stream-ended'
	| 'error';

export interface Failure {
	readonly kind: FailureKind;
	/** One line for the banner: "GPU telemetry unavailable: <reason>". */
	readonly reason: string;
	/** For `bad-field`: the field the driver named, when it did. */
	readonly field?: string;
}

export interface RunOutcome {
	/** Node's error code when the binary could not be started (ENOENT, EACCES). */
	readonly spawnErrorCode?: string;
	readonly exitCode?: number;
	readonly signal?: string;
	readonly timedOut?: boolean;
	readonly timeoutMs?: number;
	readonly stdout: string;
	readonly stderr: string;
	readonly bin?: string;
}

function firstLine(text: string): string {
	const line = text.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';
	return sanitizeText(line, {maxLength: 120});
}

/** Classify a failed run. Call only for runs that did not produce rows. */
export function classifyFailure(o: RunOutcome): Failure {
	const bin = o.bin ?? 'nvidia-smi';
	if (o.spawnErrorCode === 'ENOENT') return {kind: 'not-found', reason: `${bin} not found (is the NVIDIA driver installed?)`};
	if (o.spawnErrorCode === 'EACCES') return {kind: 'not-executable', reason: `${bin} is not executable`};
	if (o.spawnErrorCode !== undefined) return {kind: 'error', reason: `cannot start ${bin}: ${o.spawnErrorCode}`};
	if (o.timedOut) return {kind: 'hung', reason: `nvidia-smi did not answer within ${o.timeoutMs ?? '?'} ms`};
	const text = `${o.stdout}\n${o.stderr}`;
	const field = /Field "([^"]{1,80})" is not a valid field to query/i.exec(text);
	if (field) return {kind: 'bad-field', reason: `the driver does not know field "${sanitizeText(field[1]!, {maxLength: 80})}"`, field: field[1]!};
	if (/version mismatch/i.test(text) || o.exitCode === 18) {
		const version = /NVML library version:\s*([\w.]+)/i.exec(text);
		return {kind: 'version-mismatch', reason: `driver/library version mismatch${version ? ` (NVML ${version[1]})` : ''}: reload the driver or reboot`};
	}
	if (/couldn't communicate with the NVIDIA driver/i.test(text) || o.exitCode === 9) return {kind: 'driver-not-loaded', reason: 'NVIDIA driver not loaded'};
	if (/No supported GPUs were found|No devices were found|Unable to determine the number of GPUs/i.test(text))
		return {kind: 'no-gpus', reason: 'no GPUs found'};
	if (o.exitCode === 2 && /not a valid field|Invalid combination|is not a valid/i.test(text)) return {kind: 'bad-field', reason: `query rejected: ${firstLine(text)}`};
	if (/Insufficient Permissions/i.test(text) || o.exitCode === 4) return {kind: 'permission', reason: 'insufficient permissions to query the GPUs'};
	if (/fallen off the bus|GPU is lost/i.test(text) || o.exitCode === 15) return {kind: 'gpu-lost', reason: 'a GPU has fallen off the bus'};
	if (/NVML Shared Library Not Found|couldn't find libnvidia-ml/i.test(text) || o.exitCode === 12) return {kind: 'nvml-missing', reason: 'NVML library not found'};
	if (o.exitCode === 255 && firstLine(text) === '') return {kind: 'no-gpus', reason: 'no GPUs found (exit 255)'};
	if (o.exitCode === 0) return {kind: 'stream-ended', reason: 'nvidia-smi exited without rows'};
	const how = o.signal !== undefined ? `killed by ${o.signal}` : `exited ${o.exitCode ?? '?'}`;
	const line = firstLine(text);
	return {kind: 'error', reason: `nvidia-smi ${how}${line ? `: ${line}` : ''}`};
}

/** Retry delay after `attempt` consecutive failures: 1 s, 2 s, 4 s, ... capped at `maxMs`. */
export function backoffMs(attempt: number, baseMs = 1000, maxMs = 60_000): number {
	const exp = Math.min(Math.max(attempt, 0), 30);
	return Math.min(maxMs, baseMs * 2 ** exp);
}

/**
Whether the stream is hung: no complete frame within `factor` intervals of the last frame. Before the stream's first
frame the allowance is at least `startGraceMs` (nvidia-smi without persistence mode spends ~1.5 s initialising).
*/
export function isHung(nowMs: number, lastFrameMs: number | undefined, streamStartedMs: number, intervalMs: number, factor = 3, startGraceMs = 0): boolean {
	const allowance = factor * intervalMs;
	if (lastFrameMs === undefined || lastFrameMs < streamStartedMs) return nowMs - streamStartedMs > Math.max(allowance, startGraceMs);
	return nowMs - lastFrameMs > allowance;
}
