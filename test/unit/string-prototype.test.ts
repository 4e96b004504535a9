/**
ioredis's `class VerbatimString extends String` leaves String.prototype in V8's dictionary mode, which makes every
string method call in optimized code (charCodeAt loops in validation above all) about 6x slower; redis-client.ts puts
it back (string-prototype.ts). V8's own answer (%HasFastProperties) says which mode it is in.
*/
import {setFlagsFromString} from 'node:v8';
import {describe, expect, it} from 'vitest';

setFlagsFromString('--allow-natives-syntax');
// V8's native syntax parses only in code compiled after the flag is set.
const hasFastProperties = new Function('object', 'return %HasFastProperties(object)') as (object: object) => boolean;

describe('String.prototype after ioredis', () => {
	it('ioredis leaves it slow; loading redis-client.ts makes it fast', async () => {
		await import('ioredis');
		// If this starts failing, ioredis (or V8) no longer slows String.prototype: string-prototype.ts can go.
		expect(hasFastProperties(String.prototype)).toBe(false);
		await import('../../src/bus/redis-client.js');
		expect(hasFastProperties(String.prototype)).toBe(true);
	});

	it('stays fast when another String subclass is defined later', () => {
		class LaterSubclass extends String {}
		expect(new LaterSubclass('x').length).toBe(1);
		expect(hasFastProperties(String.prototype)).toBe(true);
	});

	it('restoreFastStringPrototype changes no property of String.prototype, and can be called again', async () => {
		const {restoreFastStringPrototype} = await import('../../src/bus/string-prototype.js');
		const names = Object.getOwnPropertyNames(String.prototype).sort();
		restoreFastStringPrototype();
		restoreFastStringPrototype();
		expect(Object.getOwnPropertyNames(String.prototype).sort()).toEqual(names);
		expect(hasFastProperties(String.prototype)).toBe(true);
		expect('abc'.charCodeAt(1)).toBe(98);
	});
});
