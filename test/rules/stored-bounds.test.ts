/**
Durations have a maximum (365d) and stored acks and silences are bounded: nothing past it is stored, and a stored
record that cannot be shown is a reason, not a throw (regressions: `silence --for=99999999d` stored a silence whose
end `new Date()` could not print, and every `mycotop silences` failed from then on).
*/
import {describe, expect, it} from 'vitest';
import {durationProblem, durationValue, MAX_DURATION_MS, parseDuration} from '../../src/rules/duration.js';
import {decodeAck, decodeSilence, silenceWriteProblem, type Silence} from '../../src/rules/ack-silence.js';
import {decodeTransition, MemoryAlertStorage, skippedText} from '../../src/rules/alert-storage.js';

const NOW = Date.UTC(2026, 0, 1);
const silence = (endsMs: number, startsMs = NOW): Silence => ({
	id: 'abc',
	matchers: [{name: 'alertname', value: 'r', isRegex: false, isEqual: true}],
	startsMs,
	endsMs,
	createdBy: 'me',
	comment: 'c',
});

describe('durations', () => {
	it('are accepted up to 365d and refused past it, with a reason that names the maximum', () => {
		expect(parseDuration('365d')).toBe(MAX_DURATION_MS);
		expect(parseDuration('52w')).toBe(52 * 7 * 86_400_000);
		expect(parseDuration('366d')).toBeUndefined();
		expect(parseDuration('99999999d')).toBeUndefined();
		expect(parseDuration(`${'9'.repeat(400)}d`)).toBeUndefined();
		expect(durationProblem(`${'9'.repeat(400)}d`)).toMatch(/is longer than the 365d maximum$/);
		expect(durationProblem('99999999d')).toBe('"99999999d" is longer than the 365d maximum');
		expect(durationProblem('soon')).toMatch(/^expected a duration/);
		expect(durationProblem('2h')).toBeUndefined();
		expect(durationValue(MAX_DURATION_MS + 1)).toBeUndefined();
		expect(durationValue(1e300)).toBeUndefined();
	});
});

describe('stored silences and acks', () => {
	it('a silence ending past what Date can show is a reason, not a silence', () => {
		const stored = JSON.stringify(silence(NOW + 99_999_999 * 86_400_000));
		expect(decodeSilence(stored)).toMatch(/^endsMs .* is not a time mycotop can show$/);
		expect(decodeSilence('{not json')).toBe('not a JSON object');
		expect(decodeSilence(JSON.stringify({...silence(NOW + 1), startsMs: 'yesterday'}))).toBe('startsMs is not a number (string)');
		expect(decodeSilence(JSON.stringify({...silence(NOW + 1), endsMs: null}))).toMatch(/^endsMs/);
		expect(typeof decodeSilence(JSON.stringify(silence(NOW + 3_600_000)))).toBe('object');
		expect(decodeAck(JSON.stringify({alertId: 'a', by: 'b', atMs: 1e300, severity: 'warning'}))).toBe('atMs 1e+300 is not a time mycotop can show');
		expect(decodeAck(JSON.stringify({alertId: 'a', by: 'b', atMs: NOW, severity: 'warning', episodeMs: -5}))).toMatch(/^episodeMs/);
	});

	it('nothing past the maximum is stored; expiring is always allowed', async () => {
		expect(silenceWriteProblem(silence(NOW + MAX_DURATION_MS), NOW)).toBeUndefined();
		expect(silenceWriteProblem(silence(NOW + MAX_DURATION_MS + 86_400_000), NOW)).toBe('a silence ends at most 365d from now');
		expect(silenceWriteProblem(silence(8.7e15), NOW)).toMatch(/not a time/);
		// An old ten-year silence (an older version allowed it) can still be expired.
		expect(silenceWriteProblem(silence(NOW, NOW - 2 * MAX_DURATION_MS), NOW)).toBeUndefined();
		const storage = new MemoryAlertStorage();
		await expect(storage.putSilence(silence(Date.now() + 400 * 86_400_000, Date.now()))).rejects.toThrow('silence not stored: a silence ends at most 365d from now');
		expect(storage.silences.size).toBe(0);
		await expect(storage.putAck({alertId: 'a', by: 'b', atMs: Number.NaN, severity: 'info'})).rejects.toThrow(/acknowledgement not stored/);
	});

	it('an alert log entry with a time Date cannot show is skipped', () => {
		const entry = {id: 'r{}', rule: 'r', kind: 'firing', timeMs: 1e300, activeAtMs: NOW, labels: {}, key: '', value: 1, message: 'm'};
		expect(decodeTransition(JSON.stringify(entry))).toBeUndefined();
		expect(decodeTransition(JSON.stringify({...entry, timeMs: NOW}))).toBeDefined();
		expect(decodeTransition(JSON.stringify({...entry, timeMs: NOW, firedAtMs: 'x'}))).toBeUndefined();
	});

	it('skipped records are summed up in one line', () => {
		expect(skippedText('silence', [])).toBeUndefined();
		expect(skippedText('silence', [{field: 'abc', reason: 'not a JSON object'}])).toBe('1 stored silence skipped: abc (not a JSON object)');
		const many = Array.from({length: 7}, (_, i) => ({field: `s${i}`, reason: 'r'}));
		expect(skippedText('ack', many)).toBe('7 stored acks skipped: s0 (r), s1 (r), s2 (r), s3 (r), s4 (r), and 2 more');
	});
});
