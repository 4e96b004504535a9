/** Acks, silences and the alert log are read back from Redis: their text is untrusted and cleaned on the way in. */
import {describe, expect, it} from 'vitest';
import {parseAck, parseSilence} from '../../src/rules/ack-silence.js';
import {decodeTransition} from '../../src/rules/alert-storage.js';

const EVIL = '\u001B]0;PWNED\u0007\u001B[2J\u202E';
const clean = (value: unknown) => expect(JSON.stringify(value)).not.toMatch(/\\u001b|\\u0007|\u202E/i);

describe('stored alert text', () => {
	it('acks', () => {
		const ack = parseAck(JSON.stringify({alertId: 'a', by: `mallory${EVIL}`, atMs: 1, severity: 'warning', comment: `hi${EVIL}`}));
		expect(ack?.by.startsWith('mallory')).toBe(true);
		clean(ack);
	});

	it('silences', () => {
		const silence = parseSilence(JSON.stringify({id: 's', matchers: [{name: 'rule', value: `x${EVIL}`}], startsMs: 1, endsMs: 2, createdBy: `m${EVIL}`, comment: EVIL}));
		expect(silence).toBeDefined();
		clean(silence);
	});

	it('the transition log', () => {
		const t = decodeTransition(JSON.stringify({id: `i${EVIL}`, rule: 'r', kind: 'firing', timeMs: 1, key: 'k', labels: {project: `p${EVIL}`}, message: `m${EVIL}`, value: 1}));
		expect(t).toBeDefined();
		clean(t);
	});
});
