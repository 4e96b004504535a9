import fc from 'fast-check';
import {describe, expect, test} from 'vitest';
import {listenUrl, parseListenAddress} from '../../src/metrics/listen-address.js';
import {helpText, parseFlags} from '../../src/config/flags.js';
import {parseConfig} from '../../src/config/config.js';

describe('--metrics-listen [ADDR:]PORT', () => {
	test('a bare port binds the loopback address only', () => {
		expect(parseListenAddress('9464')).toEqual({ok: true, address: {host: '127.0.0.1', port: 9464}});
		expect(parseListenAddress('0')).toEqual({ok: true, address: {host: '127.0.0.1', port: 0}});
	});

	test('an address is taken as given: IPv4, [IPv6], host name', () => {
		expect(parseListenAddress('0.0.0.0:9464')).toEqual({ok: true, address: {host: '0.0.0.0', port: 9464}});
		expect(parseListenAddress('[::1]:9100')).toEqual({ok: true, address: {host: '::1', port: 9100}});
		expect(parseListenAddress('[::]:80')).toEqual({ok: true, address: {host: '::', port: 80}});
		expect(parseListenAddress('localhost:9464')).toEqual({ok: true, address: {host: 'localhost', port: 9464}});
		expect(listenUrl({host: '::1', port: 9100})).toBe('http://[::1]:9100');
		expect(listenUrl({host: '127.0.0.1', port: 1})).toBe('http://127.0.0.1:1');
	});

	test.each(['', ':9464', '65536', '-1', '9464x', '1e3', ' 9464', '999.1.1.1:80', '::1:9464', '[::1]', '[zz]:80', 'host:', 'a b:80', 'host:99999', '[::1]:65536', `${'a'.repeat(300)}:80`, 'ex_ample:80'])(
		'%j is refused with what is expected',
		(text) => {
			const parsed = parseListenAddress(text);
			expect(parsed.ok).toBe(false);
			if (!parsed.ok) expect(parsed.error).toMatch(/expected PORT or ADDR:PORT/);
		},
	);

	test('every port 0..65535 is accepted, bare or with an address (property)', () => {
		fc.assert(
			fc.property(fc.integer({min: 0, max: 65_535}), (port) => {
				expect(parseListenAddress(String(port))).toEqual({ok: true, address: {host: '127.0.0.1', port}});
				expect(parseListenAddress(`10.0.0.1:${port}`)).toEqual({ok: true, address: {host: '10.0.0.1', port}});
			}),
		);
	});

	test('the flag and the config key', () => {
		const flags = parseFlags(['--metrics-listen', '9464']);
		expect(flags.ok && flags.flags.metricsListen).toEqual({host: '127.0.0.1', port: 9464});
		const off = parseFlags([]);
		expect(off.ok && off.flags.metricsListen).toBeUndefined();
		const bad = parseFlags(['--metrics-listen', 'nope']);
		expect(bad.ok).toBe(false);
		if (!bad.ok) expect(bad.error).toMatch(/^--metrics-listen: expected PORT or ADDR:PORT/);
		const config = parseConfig('metrics:\n  listen: 9464\n', 'c.yaml');
		expect(config.ok && config.config.metrics).toEqual({listen: 9464});
		const badConfig = parseConfig('metrics:\n  listen: "0.0.0.0:http"\n', 'c.yaml');
		expect(badConfig.ok).toBe(false);
		if (!badConfig.ok) expect(badConfig.issues[0]).toMatchObject({line: 2, field: 'metrics.listen'});
		const unknown = parseConfig('metrics:\n  port: 9464\n', 'c.yaml');
		expect(unknown.ok).toBe(false);
	});

	test('--help lists it, its help apart from the flag even though the flag is wider than the column', () => {
		expect(helpText('0.0.0')).toMatch(/^ {2}--metrics-listen \[ADDR:\]PORT +Serve Prometheus \/metrics/m);
		expect(helpText('0.0.0')).toMatch(/^ {2}--redis-url URL {9}Redis to use/m);
	});
});
