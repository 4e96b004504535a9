/** The Redis URL precedence and user@host, written once for the front ends and the CLI commands (config/resolve.ts). */
import {hostname} from 'node:os';
import {describe, expect, it} from 'vitest';
import {DEFAULT_REDIS_URL, redisUrlFrom, userAtHost} from '../../src/config/resolve.js';

describe('redisUrlFrom', () => {
	it('takes the flag over REDIS_URL over the config over the default', () => {
		expect(redisUrlFrom('redis://flag:1', {REDIS_URL: 'redis://env:1'}, 'redis://cfg:1')).toBe('redis://flag:1');
		expect(redisUrlFrom(undefined, {REDIS_URL: 'redis://env:1'}, 'redis://cfg:1')).toBe('redis://env:1');
		expect(redisUrlFrom(undefined, {}, 'redis://cfg:1')).toBe('redis://cfg:1');
		expect(redisUrlFrom(undefined, {}, undefined)).toBe(DEFAULT_REDIS_URL);
		expect(DEFAULT_REDIS_URL).toBe('redis://127.0.0.1:6379');
	});

	it('ignores an empty REDIS_URL', () => {
		expect(redisUrlFrom(undefined, {REDIS_URL: ''}, 'redis://cfg:1')).toBe('redis://cfg:1');
	});
});

describe('userAtHost', () => {
	it('is user@host of this machine', () => {
		expect(userAtHost()).toMatch(new RegExp(`^[^@]+@${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
	});
});
