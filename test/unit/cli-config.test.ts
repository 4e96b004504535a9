import {describe, expect, it} from 'vitest';
import {helpText, parseFlags} from '../../src/config/flags.js';
import {formatIssue, parseConfig} from '../../src/config/config.js';
import {resolveOptions} from '../../src/main.js';
import {EMPTY_CONFIG} from '../../src/config/config.js';

describe('flags', () => {
	it('parses every flag', () => {
		const r = parseFlags(['--redis-url', 'redis://h:1', '--headless', '--demo', '--read-only', '--gpu-interval', '500', '--gpus', '0,3', '--nvidia-smi', '/x', '--ascii']);
		expect(r).toMatchObject({ok: true, flags: {redisUrl: 'redis://h:1', headless: true, demo: true, readOnly: true, gpuIntervalMs: 500, gpus: [0, 3], nvidiaSmi: '/x', ascii: true}});
	});

	it.each([
		[['--bogus'], /unknown flag '--bogus'/],
		[['--gpu-interval', '100'], /--gpu-interval: expected an integer number of ms >= 250/],
		[['--gpus', 'a,b'], /--gpus/],
		[['--json'], /--json only goes with --once/],
		[['--embedded', '--redis-url', 'redis://x'], /cannot be combined/],
	])('rejects %j', (argv, message) => {
		const r = parseFlags(argv);
		expect(r.ok).toBe(false);
		if (!r.ok) expect(r.error).toMatch(message);
	});

	it('lists every flag in --help', () => {
		const help = helpText('1.2.3');
		for (const flag of ['--redis-url', '--config', '--headless', '--once', '--json', '--demo', '--read-only', '--embedded', '--help', '--version', '--gpu-interval', '--gpus', '--nvidia-smi', '--ascii'])
			expect(help).toContain(flag);
	});
});

describe('config', () => {
	it('accepts a valid file', () => {
		const r = parseConfig('redis:\n  url: redis://127.0.0.1:6390\nstore:\n  maxProjects: 5\n', 'c.yaml');
		expect(r).toMatchObject({ok: true, config: {redis: {url: 'redis://127.0.0.1:6390'}, store: {maxProjects: 5}}});
	});

	it('reports file, line and field for a bad value', () => {
		const r = parseConfig('redis:\n  url: redis://x\nstore:\n  maxProjects: lots\n', 'c.yaml');
		expect(r.ok).toBe(false);
		if (!r.ok) expect(formatIssue(r.issues[0]!)).toBe('c.yaml:4: store.maxProjects: expected a positive integer, got "lots"');
	});

	it('reports unknown sections and fields', () => {
		const r = parseConfig('ui:\n  colour: red\nweird: 1\n', 'c.yaml');
		expect(r.ok).toBe(false);
		if (!r.ok) {
			expect(r.issues.map(formatIssue)).toEqual([
				expect.stringMatching(/^c\.yaml:2: ui\.colour: unknown field/),
				expect.stringMatching(/^c\.yaml:3: weird: unknown section/),
			]);
		}
	});

	it('reports YAML syntax errors with a line', () => {
		const r = parseConfig('redis:\n  url: [unclosed\n', 'c.yaml');
		expect(r.ok).toBe(false);
		if (!r.ok) expect(r.issues[0]!.line).toBeGreaterThan(0);
	});

	it('an empty file is an empty config', () => {
		expect(parseConfig('', 'c.yaml')).toEqual({ok: true, config: EMPTY_CONFIG});
	});
});

describe('option resolution', () => {
	const flags = (argv: string[]) => {
		const r = parseFlags(argv);
		if (!r.ok) throw new Error(r.error);
		return r.flags;
	};

	it('prefers the flag, then REDIS_URL, then the config, then the default', () => {
		const cfg = {...EMPTY_CONFIG, redis: {url: 'redis://cfg:1'}};
		expect(resolveOptions(flags(['--redis-url', 'redis://flag:1']), cfg, {REDIS_URL: 'redis://env:1'})).toMatchObject({redisUrl: 'redis://flag:1'});
		expect(resolveOptions(flags([]), cfg, {REDIS_URL: 'redis://env:1'})).toMatchObject({redisUrl: 'redis://env:1'});
		expect(resolveOptions(flags([]), cfg, {})).toMatchObject({redisUrl: 'redis://cfg:1'});
		expect(resolveOptions(flags([]), EMPTY_CONFIG, {})).toMatchObject({redisUrl: 'redis://127.0.0.1:6379'});
		expect(resolveOptions(flags(['--embedded']), cfg, {REDIS_URL: 'redis://env:1'})).toMatchObject({redisUrl: undefined});
	});

	it('rejects a bad URL without echoing a password', () => {
		const r = resolveOptions(flags(['--redis-url', 'http://u:secret@h']), EMPTY_CONFIG, {});
		expect(typeof r).toBe('string');
		expect(String(r)).not.toContain('secret');
	});
});

describe('redraw period', () => {
	const flags = (argv: string[]) => {
		const r = parseFlags(argv);
		if (!r.ok) throw new Error(r.error);
		return r.flags;
	};

	it('defaults to 1000 ms (1 Hz, the GPU sampling rate); --refresh and ui.refreshMs change it; 100 ms (10 Hz) at most', () => {
		expect(resolveOptions(flags([]), EMPTY_CONFIG, {})).toMatchObject({maxHz: 1});
		expect(resolveOptions(flags(['--refresh', '100']), EMPTY_CONFIG, {})).toMatchObject({maxHz: 10});
		expect(resolveOptions(flags([]), {...EMPTY_CONFIG, ui: {refreshMs: 250}}, {})).toMatchObject({maxHz: 4});
		const bad = parseFlags(['--refresh', '50']);
		expect(bad.ok).toBe(false);
		expect(parseConfig('ui:\n  refreshMs: 20\n', 'c.yaml').ok).toBe(false);
	});
});

describe('--demo never reaches a real Redis by accident', () => {
	const flags = (argv: string[]) => {
		const r = parseFlags(argv);
		if (!r.ok) throw new Error(r.error);
		return r.flags;
	};

	it('runs on the embedded bus unless --redis-url is given on the command line', () => {
		const cfg = {...EMPTY_CONFIG, redis: {url: 'redis://cfg:1'}};
		expect(resolveOptions(flags(['--demo']), cfg, {REDIS_URL: 'redis://prod:6379'})).toMatchObject({redisUrl: undefined, demo: true});
		expect(resolveOptions(flags(['--demo', '--redis-url', 'redis://lab:1']), cfg, {})).toMatchObject({redisUrl: 'redis://lab:1'});
	});
});
