/**
The energy currency check is written with `\u` escapes (so the bundle stays ASCII: scripts/bundle-options.mjs
assertAscii); it must accept and refuse exactly what the literal characters did.
*/
import {describe, expect, it} from 'vitest';
import {parseConfig} from '../../src/config/config.js';

const currencyOk = (currency: string) => parseConfig(`energy:\n  currency: ${JSON.stringify(currency)}\n`, 'test.yaml').ok;

describe('energy currency', () => {
	it('takes letters, $, €, £ and ¥, one to eight of them', () => {
		for (const c of ['EUR', 'USD', '$', '€', '£', '¥', 'US$', '€€€€€€€€']) expect(currencyOk(c), c).toBe(true);
	});

	it('refuses anything else', () => {
		for (const c of ['', '€€€€€€€€€', 'é', '₹', 'E U', '1EUR', '¢']) expect(currencyOk(c), c).toBe(false);
	});
});
