/**
`mycotop init`: the written file loads through the real config loader and changes nothing (every setting it writes
active is what the code does without it), every section and field the loader knows is in it, its examples load as
well once switched on, and an existing file is never overwritten without --force. The CLI part runs the built
bundle (npm run build first).
*/
import {describe, expect, it} from 'vitest';
import {existsSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {configSchemaFields, EMPTY_CONFIG, loadConfig, type MycotopConfig} from '../../src/config/config.js';
import {configTemplate, writeConfigTemplate} from '../../src/config/init-config.js';
import {parseFlags} from '../../src/config/flags.js';
import {resolveOptions} from '../../src/main.js';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {hostOptionsFrom} from '../../src/host/host-part.js';
import {alertingSettings} from '../../src/rules/attach.js';
import {DEFAULT_GPU_INTERVAL_MS} from '../../src/gpu/gpu-part.js';
import {DEFAULT_CHART_SETTINGS} from '../../src/charts/chart-settings.js';
import {boxEnergy} from '../../src/gpu/energy.js';
import {redisUrlFrom} from '../../src/config/resolve.js';
import {runCli} from '../helpers/cli.js';

const dir = () => mkdtempSync(join(tmpdir(), 'mycotop-init-'));

function load(text: string): MycotopConfig {
	const file = join(dir(), 'config.yaml');
	writeFileSync(file, text);
	const loaded = loadConfig(file, {});
	if (!loaded.ok) throw new Error(loaded.issues.map((i) => `${i.line}: ${i.field}: ${i.message}`).join('\n'));
	return loaded.config;
}

describe('the config mycotop init writes', () => {
	const config = load(configTemplate('9.9.9'));

	it('loads through the real loader and yields the defaults: what the code does with no config', () => {
		const flags = parseFlags([]);
		if (!flags.ok) throw new Error(flags.error);
		const {limits, ...options} = resolveOptions(flags.flags, config, {}) as Exclude<ReturnType<typeof resolveOptions>, string>;
		const {limits: defaultLimits, ...defaultOptions} = resolveOptions(flags.flags, EMPTY_CONFIG, {}) as Exclude<ReturnType<typeof resolveOptions>, string>;
		expect(options).toEqual(defaultOptions);
		expect(new MetricsStore(limits).limits).toEqual(new MetricsStore(defaultLimits).limits);
		expect(redisUrlFrom(undefined, {}, config.redis.url)).toBe(redisUrlFrom(undefined, {}, undefined));
		expect(config.redis.ca).toBeUndefined();
		expect(hostOptionsFrom(config.host, '/work')).toEqual(hostOptionsFrom(undefined, '/work'));
		expect(alertingSettings(config)).toEqual(alertingSettings(EMPTY_CONFIG));
		expect(config.gpu).toEqual({enabled: true, intervalMs: DEFAULT_GPU_INTERVAL_MS});
		expect(config.ui).toEqual({smoothing: DEFAULT_CHART_SETTINGS.smoothing, ascii: false, refreshMs: 1000});
		const gpu = [{todayKwh: 2, sinceStartKwh: 2, todayGpuHours: 1, source: 'counter' as const}];
		expect(boxEnergy(gpu as never, config.energy)).toEqual(boxEnergy(gpu as never, EMPTY_CONFIG.energy));
		expect(config.rules).toEqual([]);
		expect(config.notify).toBeUndefined();
		expect(configAuthorOf(config)).toBeUndefined();
	});

	it('names every section and field the loader knows, and its examples load too once switched on', () => {
		const all = load(configTemplate('9.9.9', {allActive: true}));
		for (const [section, field] of configSchemaFields()) {
			if (section === 'notify') expect(all.notify?.receivers.has('team'), 'notify').toBe(true);
			else if (field === undefined) expect(all.raw, section).toHaveProperty([section]);
			else expect(all.raw, `${section}.${field}`).toHaveProperty([section, field]);
		}
		// Switched on, the examples are other values than the defaults: they change something.
		expect(all.gpu.gpus).toEqual([0, 1]);
		expect(all.energy?.pricePerKwh).toBe(0.25);
	});

	it('is commented: the version, where the README explains it, and a comment on most settings', () => {
		const text = configTemplate('9.9.9');
		expect(text).toMatch(/^# mycotop configuration, written by `mycotop init` \(mycotop 9\.9\.9\)/);
		expect(text).toContain('README');
		const settings = text.split('\n').filter((line) => /^ {2}(# )?[a-zA-Z]+:/.test(line));
		expect(settings.filter((line) => line.includes(' # ')).length).toBeGreaterThan(settings.length / 2);
	});
});

/** alerting.author as the commands read it. */
function configAuthorOf(config: MycotopConfig): unknown {
	return (config.raw['alerting'] as Record<string, unknown> | undefined)?.['author'];
}

describe('writing it', () => {
	it('refuses to overwrite a file unless forced, and writes mode 0600', () => {
		const file = join(dir(), 'sub', 'config.yaml');
		expect(writeConfigTemplate(file, 'a: 1\n', false)).toEqual({ok: true, path: file});
		expect(statSync(file).mode & 0o777).toBe(0o600);
		const refused = writeConfigTemplate(file, 'b: 2\n', false);
		expect(refused).toEqual({ok: false, message: `${file} exists; mycotop init --force overwrites it`});
		expect(readFileSync(file, 'utf8')).toBe('a: 1\n');
		expect(writeConfigTemplate(file, 'b: 2\n', true).ok).toBe(true);
		expect(readFileSync(file, 'utf8')).toBe('b: 2\n');
	});

	it('a folder, a dangling symlink or an unwritable place is refused with the reason, never followed or thrown', () => {
		const d = dir();
		const asFolder = writeConfigTemplate(d, 'a: 1\n', false);
		expect(asFolder.ok).toBe(false);
		// A symlink to a file that does not exist yet is not followed: init does not create files elsewhere.
		const target = join(d, 'elsewhere.yaml');
		symlinkSync(target, join(d, 'link.yaml'));
		expect(writeConfigTemplate(join(d, 'link.yaml'), 'a: 1\n', false)).toEqual({ok: false, message: `${join(d, 'link.yaml')} exists; mycotop init --force overwrites it`});
		expect(existsSync(target)).toBe(false);
		const blocked = writeConfigTemplate(join(d, 'link.yaml', 'x', 'config.yaml'), 'a: 1\n', false);
		expect(blocked.ok).toBe(false);
		if (!blocked.ok) expect(blocked.message).toMatch(/^cannot write .*config\.yaml: /);
		expect(existsSync(target)).toBe(false);
	});

	it('mycotop init [PATH] [--force] from the command line; without PATH, the config path mycotop reads', async () => {
		const home = dir();
		const first = await runCli(['init'], {XDG_CONFIG_HOME: home});
		expect(first.code, first.stderr).toBe(0);
		const path = join(home, 'mycotop', 'config.yaml');
		expect(first.stdout).toContain(`wrote ${path}`);
		// The file it wrote is the one mycotop then reads without --config: spoilt, it stops mycotop.
		const once = ['--once', '--embedded', '--no-gpu'];
		expect((await runCli(once, {XDG_CONFIG_HOME: home})).code).toBe(0);
		writeFileSync(path, `${readFileSync(path, 'utf8')}bogus: 1\n`);
		expect((await runCli(once, {XDG_CONFIG_HOME: home})).stderr).toContain(`${path}:`);
		const again = await runCli(['init'], {XDG_CONFIG_HOME: home});
		expect(again.code).toBe(1);
		expect(again.stderr).toContain(`${path} exists; mycotop init --force overwrites it`);
		expect(readFileSync(path, 'utf8')).toContain('bogus: 1');
		expect((await runCli(['init', '--force'], {XDG_CONFIG_HOME: home})).code).toBe(0);
		expect((await runCli(once, {XDG_CONFIG_HOME: home})).code).toBe(0);
		expect((await runCli(['init', 'a', 'b'])).code).toBe(2);
	});
});
