/**
deploy/mycotop.service: the unit the README tells a GPU box to install. It ships in the npm package (so an
installed mycotop has it), systemd accepts it, and the headless service it starts finds a config where the unit's
own comments say to put one (a DynamicUser has no home, so ~/.config would never be read).
*/
import {execFileSync, spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';

const UNIT = readFileSync(join(import.meta.dirname, '../../deploy/mycotop.service'), 'utf8');

function directives(name: string): string[] {
	return UNIT.split('\n')
		.filter((line) => line.startsWith(`${name}=`))
		.map((line) => line.slice(name.length + 1));
}

describe('the systemd unit', () => {
	it('is in the npm package', () => {
		const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {cwd: join(import.meta.dirname, '../..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']});
		const files = (JSON.parse(out) as Array<{files: Array<{path: string}>}>)[0]!.files.map((f) => f.path);
		expect(files).toContain('deploy/mycotop.service');
	});

	it('runs mycotop --headless, restarts it on failure, and reads the config the comments name (/etc/mycotop/config.yaml)', () => {
		expect(directives('ExecStart')[0]).toMatch(/\bmycotop --headless\b/);
		expect(directives('Restart')).toEqual(['on-failure']);
		const env = Object.fromEntries(directives('Environment').map((e) => e.split('=', 2) as [string, string]));
		// config.ts: $XDG_CONFIG_HOME/mycotop/config.yaml; the service's user is dynamic, with no home of its own.
		expect(join(env['XDG_CONFIG_HOME'] ?? '~/.config', 'mycotop', 'config.yaml')).toBe('/etc/mycotop/config.yaml');
		expect(UNIT).toContain('/etc/mycotop/config.yaml');
		// The directory is readable by the dynamic user; the env file with the password is root's alone.
		expect(UNIT).toMatch(/install -d -m 0755 \/etc\/mycotop/);
		expect(UNIT).toMatch(/install -m 0600 \/dev\/null \/etc\/mycotop\/env/);
	});

	// systemd's own checker, where the machine has it (Debian's systemd package); skipped elsewhere.
	it.runIf(spawnSync('systemd-analyze', ['--version']).status === 0)('passes systemd-analyze verify', () => {
		const result = spawnSync('systemd-analyze', ['verify', join(import.meta.dirname, '../../deploy/mycotop.service')], {encoding: 'utf8'});
		expect(result.stderr.split('\n').filter((l) => /mycotop\.service/.test(l))).toEqual([]);
	});
});
