import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {parseJsonTolerant, parseMessage, timestampMs} from '../../src/contract/validate.js';

const NOW = Date.parse('2026-11-29T12:00:00Z');

describe('parseMessage', () => {
	it('accepts the seed training shape', () => {
		const r = parseMessage('events:training:progress', JSON.stringify({projectId: 'proj-1', step: 10, loss: 2.5, wer: 0.3, timestamp: '2026-11-29T11:59:00Z'}), NOW);
		expect(r).toEqual({
			ok: true,
			event: {kind: 'training', projectId: 'proj-1', step: 10, loss: 2.5, wer: 0.3, timestamp: '2026-11-29T11:59:00Z', timeMs: Date.parse('2026-11-29T11:59:00Z')},
		});
	});

	it('keeps NaN and Infinity losses, bare (Python json.dumps) or as strings', () => {
		const bare = parseMessage('events:training:progress', '{"projectId":"p","step":1,"loss":NaN}', NOW);
		expect(bare.ok && bare.event.kind === 'training' && Number.isNaN(bare.event.loss)).toBe(true);
		const inf = parseMessage('events:training:progress', '{"projectId":"p","step":1,"loss":"-Infinity"}', NOW);
		expect(inf.ok && inf.event.kind === 'training' && inf.event.loss).toBe(Number.NEGATIVE_INFINITY);
		// A string that merely contains the word is not rewritten.
		const text = parseMessage('events:alerts:system', '{"message":"loss is NaN","severity":"warning", "x": NaN}', NOW);
		expect(text.ok && text.event.kind === 'external-alert' && text.event.message).toBe('loss is NaN');
	});

	it.each([
		['not JSON', 'events:training:progress', '{nope', 'not JSON'],
		['an array', 'events:training:progress', '[1,2]', 'not a JSON object'],
		['missing projectId', 'events:training:progress', '{"step":1,"loss":1}', 'training: invalid projectId'],
		['projectId with escape', 'events:training:progress', JSON.stringify({projectId: 'a\u001B[2J', step: 1, loss: 1}), 'training: invalid projectId'],
		['projectId with glob', 'events:training:progress', JSON.stringify({projectId: 'a*', step: 1, loss: 1}), 'training: invalid projectId'],
		['negative step', 'events:training:progress', '{"projectId":"p","step":-1,"loss":1}', 'training: invalid step'],
		['loss object', 'events:training:progress', '{"projectId":"p","step":1,"loss":{}}', 'training: invalid loss'],
		['bad timestamp', 'events:training:progress', '{"projectId":"p","step":1,"loss":1,"timestamp":"yesterday"}', 'training: invalid timestamp'],
		['task without agent', 'events:tasks:updates', '{"taskId":"t","status":"done"}', 'task: invalid agent'],
		['task negative duration', 'events:tasks:updates', '{"taskId":"t","status":"done","agent":"a","duration_seconds":-3}', 'task: invalid duration_seconds'],
		['agent bad status', 'events:agents:status', '{"agentType":"a","status":"sleeping"}', 'agent: status must be busy or idle'],
		['unknown channel', 'events:other', '{}', 'unknown channel'],
	])('rejects %s with a reason', (_name, channel, raw, reason) => {
		expect(parseMessage(channel, raw, NOW)).toEqual({ok: false, reason});
	});

	it('refuses oversized payloads before parsing', () => {
		expect(parseMessage('events:training:progress', `{"x":"${'a'.repeat(70_000)}"}`, NOW)).toEqual({ok: false, reason: 'payload too large'});
	});

	it('survives deep nesting', () => {
		const deep = `{"projectId":"p","step":1,"loss":1,"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
		expect(() => parseMessage('events:training:progress', deep, NOW)).not.toThrow();
	});

	it('defaults a missing timestamp to the receive time', () => {
		const r = parseMessage('events:tasks:updates', '{"taskId":"t1","status":"DONE","agent":"ml","duration_seconds":"12.5"}', NOW);
		expect(r).toMatchObject({ok: true, event: {status: 'done', durationSeconds: 12.5, timeMs: NOW}});
	});

	it('sanitizes text of external alerts', () => {
		const r = parseMessage('events:alerts:gpu', JSON.stringify({severity: 'critical', type: 'x\u001B]0;t\u0007', message: 'hot\u001B[2J'}), NOW);
		expect(r).toMatchObject({ok: true, event: {kind: 'external-alert', type: 'x', message: 'hot', severity: 'critical'}});
	});
});

describe('timestamps and tolerant JSON', () => {
	it('reads ISO strings, epoch seconds and epoch ms', () => {
		expect(timestampMs('2026-11-29T12:00:00Z')).toBe(NOW);
		expect(timestampMs(NOW / 1000)).toBe(NOW);
		expect(timestampMs(NOW)).toBe(NOW);
		expect(timestampMs('garbage')).toBeUndefined();
	});

	it('parses bare NaN, Infinity and -Infinity tokens as strings', () => {
		expect(parseJsonTolerant('{"a":NaN,"b":Infinity,"c":-Infinity,"d":"NaN inside"}')).toEqual({a: 'NaN', b: 'Infinity', c: '-Infinity', d: 'NaN inside'});
	});
});

describe('parseIsoUtc (the fast path) agrees with Date.parse', () => {
	it.each(['2026-11-29T12:00:00Z', '2026-11-29T12:00:00.123Z', '1999-01-01T00:00:59.999Z', '2024-02-29T23:59:59Z'])('%s', (text) => {
		expect(timestampMs(text)).toBe(Date.parse(text));
	});

	// Fields out of range: Date.UTC would roll them over (minute 60 into the next hour) where Date.parse refuses them.
	it.each(['2026-12-07T10:60:00.000Z', '2025-13-45T10:00:00Z', '2026-12-07T23:59:60Z', '2026-00-10T10:00:00Z', '2026-12-00T10:00:00Z', '2026-12-07T24:00:00Z'])(
		'%s is read as Date.parse reads it (refused, or another day in V8), never rolled over by the fast path',
		(text) => {
			const parsed = Date.parse(text);
			expect(timestampMs(text)).toBe(Number.isNaN(parsed) ? undefined : parsed);
		},
	);

	it('agrees with Date.parse on every string of the UTC shape, the day remembered between them or not (property)', () => {
		const two = fc.integer({min: 0, max: 99}).map((n) => String(n).padStart(2, '0'));
		const shaped = fc
			.tuple(fc.integer({min: 1985, max: 2105}), two, two, two, two, two, fc.option(fc.integer({min: 0, max: 999}), {nil: undefined}))
			.map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${ms === undefined ? '' : `.${String(ms).padStart(3, '0')}`}Z`);
		const plausible = fc.integer({min: Date.UTC(1990, 0, 1), max: Date.UTC(2099, 11, 31)}).map((ms) => new Date(ms).toISOString());
		fc.assert(
			fc.property(fc.array(fc.oneof(shaped, plausible, plausible.map((t) => t.replace(/\.\d{3}/, ''))), {minLength: 1, maxLength: 30}), (texts) => {
				for (const text of texts) {
					const parsed = Date.parse(text);
					const expected = Number.isNaN(parsed) || parsed < Date.UTC(1990, 0, 1) || parsed >= Date.UTC(2100, 0, 1) ? undefined : parsed;
					expect(timestampMs(text), text).toBe(expected);
				}
			}),
			{numRuns: 500},
		);
	});

	it('leaves other forms to Date.parse', () => {
		expect(timestampMs('2026-11-29T12:00:00+02:00')).toBe(Date.parse('2026-11-29T12:00:00+02:00'));
		expect(timestampMs('2026-11-29 12:00:00Z')).toBe(Date.parse('2026-11-29 12:00:00Z'));
		expect(timestampMs('2026-1x-29T12:00:00Z')).toBeUndefined();
	});
});

describe('numeric-string timestamps and what is stored (every stored timestamp parses with new Date)', () => {
	const TRAINING = 'events:training:progress';
	const TASKS = 'events:tasks:updates';
	const training = (timestamp: unknown) => parseMessage(TRAINING, JSON.stringify({projectId: 'p', step: 1, loss: 1, timestamp}), NOW);
	const task = (timestamp: unknown) => parseMessage(TASKS, JSON.stringify({taskId: 't', status: 'done', agent: 'a', duration_seconds: 5, timestamp}), NOW);
	const stored = (r: ReturnType<typeof parseMessage>) => (r.ok && (r.event.kind === 'training' || r.event.kind === 'task') ? r.event.timestamp : undefined);

	it.each(['0x65A0B000', '+1700000000', '-1700000000', '  1700000000  ', '1700000000 ', '1700000000e3', '1.7e9', 'Infinity', '.5', '1700000000.', '0b1', '1e308', ' 2026-11-29T12:00:00Z', ''])(
		'%j is an invalid timestamp on the strict channels (no hex, sign, exponent or surrounding spaces)',
		(timestamp) => {
			expect(training(timestamp)).toEqual({ok: false, reason: 'training: invalid timestamp'});
			expect(task(timestamp)).toEqual({ok: false, reason: 'task: invalid timestamp'});
			expect(timestampMs(timestamp)).toBeUndefined();
		},
	);

	it('"12" is 12 seconds after 1970, out of range (Date.parse would read it as the year 2001)', () => {
		expect(training('12')).toEqual({ok: false, reason: 'training: timestamp out of range'});
	});

	it('plain decimal strings are read by magnitude and stored as ISO', () => {
		for (const text of [String(NOW / 1000), `${NOW / 1000}.25`, String(NOW), `${NOW}000000`]) {
			for (const r of [training(text), task(text)]) {
				expect(r.ok, text).toBe(true);
				expect(stored(r), text).toBe(new Date(NOW + (text.endsWith('.25') ? 250 : 0)).toISOString());
			}
		}
	});

	it('epoch ms numbers are kept byte for byte; epoch seconds become ISO (the seed reads them with new Date)', () => {
		expect(stored(training(NOW))).toBe(NOW);
		expect(stored(task(NOW - 1))).toBe(NOW - 1);
		expect(stored(training(NOW / 1000))).toBe('2026-11-29T12:00:00.000Z');
		expect(stored(task(NOW / 1000 - 0.5))).toBe('2026-11-29T11:59:59.500Z');
	});

	it('zoned ISO date-times are kept as sent; other readable date forms are stored as ISO', () => {
		for (const text of ['2026-11-29T12:00:00Z', '2026-11-29T12:00:00.123Z', '2026-11-29T13:00:00+01:00', '2026-11-29T12:00Z']) expect(stored(training(text))).toBe(text);
		expect(stored(training('2026-11-29 12:00:00Z'))).toBe('2026-11-29T12:00:00.000Z');
		expect(stored(training('2026-11-29T12:00:00.123456Z'))).toBe('2026-11-29T12:00:00.123Z');
		expect(stored(training('Sun, 29 Nov 2026 11:00:00 GMT'))).toBe('2026-11-29T11:00:00.000Z');
	});

	it('a timestamp stored as sent names a real date and time; one V8 rolls over is stored as the instant it read', () => {
		// V8 reads 2026-02-30 as March 2 and T24:00 as the next day; Python's fromisoformat and other engines refuse both.
		expect(stored(training('2026-02-30T10:00:00Z'))).toBe('2026-03-02T10:00:00.000Z');
		expect(stored(training('2026-11-28T24:00:00Z'))).toBe('2026-11-29T00:00:00.000Z');
		expect(stored(training('2026-11-29T10:00:00+24:00'))).toBe(undefined);
		expect(stored(training('2026-11-29T10:00:00+05:45'))).toBe('2026-11-29T10:00:00+05:45');
		expect(training('2026-11-29T10:60:00Z')).toEqual({ok: false, reason: 'training: invalid timestamp'});
		fc.assert(
			fc.property(
				fc.tuple(fc.integer({min: 2020, max: 2026}), fc.integer({min: 0, max: 13}), fc.integer({min: 0, max: 32}), fc.integer({min: 0, max: 24}), fc.integer({min: 0, max: 60})),
				([y, mo, d, h, mi]) => {
					const pad = (n: number) => String(n).padStart(2, '0');
					const text = `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:00Z`;
					const r = training(text);
					if (!r.ok) return;
					const value = stored(r)!;
					expect(new Date(value).getTime()).toBe(r.event.timeMs);
					if (value !== text) return;
					// Stored as sent: every field is what the instant's UTC fields are (no roll-over anywhere).
					const at = new Date(r.event.timeMs);
					expect([at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate(), at.getUTCHours(), at.getUTCMinutes()]).toEqual([y, mo, d, h, mi]);
				},
			),
			{numRuns: 1000},
		);
	});

	it('any accepted timestamp is stored in a form new Date() reads back to the same millisecond', () => {
		const candidates: unknown[] = [
			NOW, NOW / 1000, NOW / 1000 - 0.001, NOW * 1000, NOW * 1e6, String(NOW), String(NOW / 1000), `${NOW}000`, `${NOW}000000`,
			'2026-11-29T12:00:00Z', '2026-11-29T12:00:00.5Z', '2026-11-29T12:00', '2026-11-29', 'Nov 29 2026 10:00 UTC', '2026-11-29T12:00:00+05:45',
			'2031-01-01T00:00:00Z', Date.UTC(2031, 0, 1),
		];
		for (const timestamp of candidates) {
			for (const r of [training(timestamp), task(timestamp)]) {
				expect(r.ok, String(timestamp)).toBe(true);
				if (!r.ok) continue;
				const value = stored(r)!;
				expect(new Date(value).getTime(), `${JSON.stringify(timestamp)} stored as ${JSON.stringify(value)}`).toBe(Math.floor(r.event.timeMs));
			}
		}
	});
});
