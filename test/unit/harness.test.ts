import {describe, expect, it} from 'vitest';
import {redisAvailable} from '../helpers/redis-server.js';

describe('test harness: redis-server availability', () => {
	it('fails the run under CI=true when redis-server is missing, saying how to install it', () => {
		expect(() => redisAvailable('/nonexistent/redis-server', {CI_ORIGINAL: 'true'})).toThrow(/CI=true and .* apt-get install -y redis-server/);
	});

	it('elsewhere skips with a notice (returns false)', () => {
		expect(redisAvailable('/nonexistent/redis-server', {CI_ORIGINAL: ''})).toBe(false);
	});
});
