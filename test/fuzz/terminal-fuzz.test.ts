/**
Fuzz, end to end: the real TUI in a real terminal (a private tmux server, every byte the program writes piped to a
file) receives 10,000 hostile messages per channel through Redis while its nvidia-smi prints garbage full of escape
sequences. The raw bytes must contain no injected sequence; the header must show every reject counted.
*/
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {SUBSCRIBED_CHANNELS} from '../../src/contract/names.js';
import {formatCount} from '../../src/format/units.js';
import {CLI, requireBuild, TmuxPane, tmuxAvailable} from '../faults/harness.js';
import {FAKE_SMI, hostileSmiScenarios} from '../faults/smi-scenarios.js';
import {FuzzGenerator, TELLTALE_SEQUENCES, type FuzzMessage} from './generator.js';
import {auditTerminalBytes} from './terminal-audit.js';
import {faultRow} from '../faults/fault-table.js';

const PER_CHANNEL = 10_000;

/** Bytes Redis holds for pub/sub clients (output buffer and its reply list), from CLIENT LIST. */
function subscriberBacklog(clientList: string): number {
	let total = 0;
	for (const match of clientList.matchAll(/\bomem=(\d+)/g)) total += Number(match[1]);
	return total;
}

describe.runIf(redisAvailable() && tmuxAvailable())('fuzz: raw bytes reaching the terminal', () => {
	let redis: TestRedis;
	let pane: TmuxPane | undefined;
	let scenarios: ReturnType<typeof hostileSmiScenarios>;
	const dir = mkdtempSync(join(tmpdir(), 'mycotop-term-fuzz-'));

	beforeAll(async () => {
		requireBuild();
		redis = await startRedis();
		scenarios = hostileSmiScenarios();
	});
	afterAll(async () => {
		pane?.kill();
		await redis?.stop();
		if (scenarios?.dir) rmSync(scenarios.dir, {recursive: true, force: true});
		rmSync(dir, {recursive: true, force: true});
	});

	it('lets no injected control sequence through to the terminal and shows every reject', {timeout: 180_000}, async ({task}) => {
		const row = faultRow(
			task,
			`R11 fuzz, end to end: ${PER_CHANNEL} hostile messages per channel into the real TUI (tmux), nvidia-smi printing escape sequences`,
			'raw bytes written to the terminal: only renderer sequences (SGR, cursor, erase, modes), no OSC/DCS/APC, no C0/C1, no bidi, no injected text; header shows every reject',
		);
		const raw = join(dir, 'terminal.raw');
		pane = new TmuxPane(`${process.execPath} ${CLI} --redis-url ${redis.url} --nvidia-smi ${FAKE_SMI} --gpu-interval 250`, 160, 50, {
			FAKE_NVIDIA_SMI_SCENARIO: scenarios.garbage,
		});
		pane.pipeTo(raw);
		const admin = redis.client();
		await waitFor(async () => Number(((await admin.call('PUBSUB', 'NUMSUB', SUBSCRIBED_CHANNELS[0]!)) as [string, number])[1]) === 1, 10_000, 'TUI subscribed');

		const generator = new FuzzGenerator(0xbad5eed);
		const corpus: FuzzMessage[] = [];
		for (const channel of SUBSCRIBED_CHANNELS) corpus.push(...generator.corpus(channel, PER_CHANNEL), generator.megabyte(channel));
		let delivered = 0;
		for (let i = 0; i < corpus.length; i += 250) {
			const pipeline = admin.pipeline();
			for (const message of corpus.slice(i, i + 250)) pipeline.publish(message.channel, message.raw);
			for (const [error, receivers] of (await pipeline.exec()) ?? []) if (error === null && receivers === 1) delivered += 1;
			// Flow control: pub/sub has none, so wait while Redis holds a backlog for the TUI's subscriber.
			await waitFor(async () => subscriberBacklog(String(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub'))) < 256 * 1024, 30_000, 'TUI keeping up');
		}
		expect(delivered).toBe(corpus.length);
		const rejects = corpus.filter((m) => m.verdict === 'rejected').length;
		const shown = new RegExp(`rejected\\s+${formatCount(rejects).replace('.', '\\.')}`);
		await waitFor(() => shown.test(pane!.capture()), 60_000, `header showing rejected ${formatCount(rejects)}`);
		const screen = pane.capture();
		pane.keys('q');
		await waitFor(() => !pane!.capture().includes('mycotop'), 10_000, 'TUI left');
		await new Promise((resolve) => setTimeout(resolve, 300));

		expect(existsSync(raw)).toBe(true);
		const bytes = readFileSync(raw);
		const audit = auditTerminalBytes(bytes);
		const shapes = [...audit.sequences].map(([shape, n]) => `${shape} x${n}`).join(', ');
		row.observe(`${bytes.length} bytes audited; sequences: ${shapes}; ${audit.violationCount} violations; header "rejected ${formatCount(rejects)}"`);
		expect(audit.violations, `sequences seen: ${shapes}`).toEqual([]);
		// Shapes the audit allows, with parameters only an injection would carry.
		const text = bytes.toString('latin1');
		expect(TELLTALE_SEQUENCES.filter((sequence) => text.includes(sequence))).toEqual([]);
		expect(bytes.length).toBeGreaterThan(10_000);
		expect(screen).toMatch(shown);
	});
});
