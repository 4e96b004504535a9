import {afterEach, describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import {stripVTControlCharacters as strip} from 'node:util';
import {App} from '../../components/App.js';
import {BINDINGS} from '../../hooks/keymap.js';
import {agent, alert, completion, FakeTerminal, gpuRow, gpuSnapshot, KEYS, makeSnapshot, NOW, project, RecordingActions, TestSource, tick} from './fixtures.js';

class ExpiringActions extends RecordingActions {
	async expireSilence(id: string): Promise<void> {
		this.calls.push(['expireSilence', id]);
	}
}

const falling = Array.from({length: 30}, (_, i) => 2 - i * 0.03);

function fullSnapshot(extra: Partial<Parameters<typeof makeSnapshot>[0]> = {}) {
	return makeSnapshot({
		training: [project('bert', falling), project('gpt', falling), project('whisper', falling, [0.3, 0.2])],
		agents: [agent('ml-eng', 'busy', 3, 10, 600), agent('data-eng', 'idle', 0, 2, 300)],
		completions: [completion('t1', 'ml-eng', 600), completion('t2', 'data-eng', 2400, 120_000)],
		gpu: gpuSnapshot([gpuRow(0), gpuRow(1, {name: 'NVIDIA A100-SXM4-40GB'})]),
		// Out of time order on purpose: the log sorts newest first (gpu_temp, sla, loss).
		alerts: [
			alert('loss:bert', {state: 'acknowledged', updatedMs: NOW - 30_000}),
			alert('gpu_temp:0', {severity: 'critical', message: 'hot', updatedMs: NOW - 10_000}),
			alert('sla:all', {message: 'slow', updatedMs: NOW - 20_000}),
		],
		...extra,
	});
}

let cleanup: (() => void) | undefined;
afterEach(() => {
	cleanup?.();
	cleanup = undefined;
});

async function setup(options: {actions?: RecordingActions | null; columns?: number; rows?: number; snapshot?: ReturnType<typeof makeSnapshot>} = {}) {
	const source = new TestSource(options.snapshot ?? fullSnapshot());
	const terminal = new FakeTerminal(options.columns ?? 120, options.rows ?? 40);
	const actions = options.actions === null ? undefined : (options.actions ?? new RecordingActions());
	let quits = 0;
	let redraws = 0;
	const instance = render(<App source={source} terminal={terminal} alertActions={actions} onQuit={() => (quits += 1)} onRedraw={() => (redraws += 1)} />);
	cleanup = () => instance.unmount();
	await tick();
	const frame = () => strip(instance.lastFrame() ?? '');
	const press = async (...keys: string[]) => {
		for (const k of keys) {
			instance.stdin.write(k);
			await tick();
		}
	};
	return {source, terminal, actions, frame, press, quits: () => quits, redraws: () => redraws, instance};
}

const focusedTitle = (frame: string) => frame.split('\n').find((l) => l.includes('▶'))?.match(/▶(\d) (\w+)/)?.[2];
const selectedLine = (frame: string) => frame.split('\n').find((l) => l.includes('›'));

describe('App frame', () => {
	it('draws every pane within rows - 1 lines and the terminal width', async () => {
		const {frame} = await setup();
		const lines = frame().split('\n');
		expect(lines.length).toBeLessThanOrEqual(39);
		for (const l of lines) expect(l.length).toBeLessThanOrEqual(120);
		for (const title of ['1 Training', '2 GPUs', '3 Tasks', '4 Agents', '5 Alerts']) expect(frame()).toContain(title);
		expect(frame()).toContain('Tab/1-5 pane');
	});

	for (const [columns, rows] of [
		[80, 24],
		[100, 30],
		[160, 45],
		[250, 70],
	] as const) {
		it(`adapts to ${columns}x${rows}: never taller than ${rows - 1} lines`, async () => {
			const {frame} = await setup({columns, rows});
			const lines = frame().split('\n');
			expect(lines.length).toBeLessThanOrEqual(rows - 1);
			expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(columns);
			expect(frame()).toContain('5 Alerts');
			expect(frame()).toContain('A100-SXM4');
		});
	}

	it('says "terminal too small" below 80x24 and redraws on resize', async () => {
		const {frame, terminal} = await setup({columns: 79, rows: 30});
		expect(frame()).toContain('terminal too small: 79x30');
		terminal.resize(100, 30);
		await tick();
		expect(frame()).toContain('1 Training');
		expect(frame().split('\n').length).toBeLessThanOrEqual(29);
		terminal.resize(100, 23);
		await tick();
		expect(frame()).toContain('terminal too small: 100x23');
	});

	it('renders a new snapshot when one is published', async () => {
		const {frame, source} = await setup();
		expect(frame()).not.toContain('newproj');
		source.publish(fullSnapshot({training: [project('newproj', falling)], takenAtMs: NOW + 1000}));
		await tick();
		expect(frame()).toContain('newproj');
	});
});

describe('key bindings', () => {
	it('Tab and Shift-Tab cycle the focus; 1-5 focus a pane', async () => {
		const {frame, press} = await setup();
		expect(focusedTitle(frame())).toBe('Training');
		await press(KEYS.tab);
		expect(focusedTitle(frame())).toBe('GPUs');
		await press(KEYS.shiftTab, KEYS.shiftTab);
		expect(focusedTitle(frame())).toBe('Alerts');
		for (const [key, title] of [
			['1', 'Training'],
			['2', 'GPUs'],
			['3', 'Tasks'],
			['4', 'Agents'],
			['5', 'Alerts'],
		]) {
			await press(key!);
			expect(focusedTitle(frame())).toBe(title);
		}
	});

	it('Enter and z zoom the focused pane to the full screen and back; Esc also leaves', async () => {
		const {frame, press} = await setup();
		await press('4', KEYS.enter);
		expect(frame()).toContain('4 Agents');
		expect(frame()).not.toContain('1 Training');
		await press(KEYS.enter);
		expect(frame()).toContain('1 Training');
		await press('z');
		expect(frame()).not.toContain('1 Training');
		await press('z');
		expect(frame()).toContain('1 Training');
		await press('z', KEYS.escape);
		await tick(600);
		expect(frame()).toContain('1 Training');
	});

	it('j/k and the arrows move the selection; PgDn/PgUp move by a page', async () => {
		const {frame, press} = await setup();
		expect(selectedLine(frame())).toContain('bert');
		await press('j');
		expect(selectedLine(frame())).toContain('gpt');
		await press(KEYS.down);
		expect(selectedLine(frame())).toContain('whisper');
		await press('j');
		expect(selectedLine(frame())).toContain('whisper');
		await press('k');
		expect(selectedLine(frame())).toContain('gpt');
		await press(KEYS.up);
		expect(selectedLine(frame())).toContain('bert');
		await press('\u001B[6~');
		expect(selectedLine(frame())).toContain('whisper');
		await press('\u001B[5~');
		expect(selectedLine(frame())).toContain('bert');
	});

	it('the selection follows the alert, not the row, when newer alerts arrive', async () => {
		const {frame, press, source} = await setup();
		await press('5', 'j');
		expect(selectedLine(frame())).toContain('sla');
		source.publish(fullSnapshot({alerts: [...fullSnapshot().alerts!.rows, alert('new:1', {message: 'newest', updatedMs: NOW})]}));
		await tick();
		expect(frame().split('\n').findIndex((l) => l.includes('newest'))).toBeLessThan(frame().split('\n').findIndex((l) => l.includes('hot')));
		expect(selectedLine(frame())).toContain('sla');
	});

	it('the first alert shown stays the target of a when a newer alert arrives before any key moves it', async () => {
		const {press, source, actions} = await setup();
		await press('5');
		source.publish(fullSnapshot({alerts: [...fullSnapshot().alerts!.rows, alert('new:1', {message: 'newest', updatedMs: NOW})]}));
		await tick();
		await press('a', '\r');
		expect(actions!.calls).toEqual([['acknowledge', 'gpu_temp:0']]);
	});

	it('x expires the first listed silence when the rule engine can; lists silences in the alert log', async () => {
		const base = fullSnapshot();
		const silences = [
			{id: 's2', matcher: 'rule=sla', endsMs: NOW + 7_200_000, author: 'bo', comment: 'later'},
			{id: 's1', matcher: 'rule=gpu_temp gpu=0', endsMs: NOW + 1_800_000, author: 'ana', comment: 'fan swap'},
			{id: 'old', matcher: 'rule=gone', endsMs: NOW - 1000, author: 'cy', comment: ''},
		];
		const snapshot = {...base, alerts: {...base.alerts!, silences}};
		const actions = new ExpiringActions();
		const {frame, press} = await setup({snapshot, actions});
		const text = frame();
		expect(text).toContain('rule=gpu_temp gpu=0 until');
		expect(text).toContain('(30m left) by ana - fan swap');
		expect(text).not.toContain('rule=gone');
		expect(text.indexOf('rule=gpu_temp gpu=0')).toBeLessThan(text.indexOf('rule=sla until'));
		await press('5', 'x');
		expect(actions.calls).toEqual([['expireSilence', 's1']]);
	});

	it("x expires the selected alert's own silence when it has one", async () => {
		const base = fullSnapshot();
		const silences = [
			{id: 's1', matcher: 'rule=gpu_temp gpu=0', endsMs: NOW + 1_800_000, author: 'ana', comment: 'fan swap'},
			{id: 's2', matcher: 'rule=sla', endsMs: NOW + 7_200_000, author: 'bo', comment: 'later'},
		];
		// The newest alert is selected first; it is silenced by s2, not by the first listed s1.
		const rows = [...base.alerts!.rows, alert('sla:1', {message: 'newest', updatedMs: NOW, silencedBy: 's2'})];
		const snapshot = {...base, alerts: {...base.alerts!, rows, silences}};
		const actions = new ExpiringActions();
		const {press} = await setup({snapshot, actions});
		await press('5', 'x');
		expect(actions.calls).toEqual([['expireSilence', 's2']]);
	});

	it('a acknowledges the selected alert', async () => {
		const {frame, press, actions} = await setup();
		await press('5', 'j', 'a', '\r');
		expect(actions!.calls).toEqual([['acknowledge', 'sla:all']]);
		expect(frame()).toContain('acknowledged sla');
	});

	it('a then a duration, a colon and a comment acknowledges with both; Esc cancels', async () => {
		const {frame, press, actions} = await setup();
		await press('5', 'j', 'a');
		expect(frame()).toContain('acknowledge sla: 2h, a comment, or 2h: comment');
		await press('\u001b');
		expect(actions!.calls).toEqual([]);
		await press('a', '2', 'h', ':', ' ', 'o', 'n', ' ', 'i', 't', '\r');
		expect(actions!.calls).toEqual([['acknowledge', 'sla:all', 'on it', 7_200_000]]);
		expect(frame()).toContain('acknowledged sla for 2h');
	});

	it('a does nothing outside the alert log', async () => {
		const {press, actions} = await setup();
		await press('1', 'a');
		expect(actions!.calls).toEqual([]);
	});

	it('A acknowledges all visible firing alerts after a confirm; n cancels', async () => {
		const {frame, press, actions} = await setup();
		await press('5', 'A');
		expect(frame()).toContain('acknowledge 2 visible alerts? y/n');
		await press('n');
		expect(actions!.calls).toEqual([]);
		expect(frame()).toContain('cancelled');
		await press('A', 'y');
		expect(actions!.calls).toEqual([['acknowledgeAll', ['gpu_temp:0', 'sla:all']]]);
	});

	it('s silences the rule for 1 h; S asks for a duration; u undoes', async () => {
		const {frame, press, actions} = await setup();
		await press('5', 's');
		expect(actions!.calls.at(-1)).toEqual(['silence', 'gpu_temp', 3_600_000]);
		await press('S');
		expect(frame()).toContain('silence gpu_temp for');
		await press('x', KEYS.enter);
		expect(frame()).toContain('not a duration');
		await press(KEYS.backspace, '9', '0', 'm', KEYS.enter);
		expect(actions!.calls.at(-1)).toEqual(['silence', 'gpu_temp', 90 * 60_000]);
		expect(frame()).toContain('silenced gpu_temp for 1h30m');
		await press('u');
		expect(actions!.calls.at(-1)).toEqual(['undo']);
	});

	it('alert keys say "alerts not available" without a rule engine', async () => {
		const {frame, press} = await setup({actions: null});
		await press('5');
		expect(frame()).toContain('alerts not available');
		await press('a');
		expect(frame()).toContain('alerts not available: the rule engine is not running');
	});

	it('/ filters by project, agent, GPU or rule; Enter on empty text clears it', async () => {
		const {frame, press} = await setup();
		await press('/', 'g', 'p', 't');
		expect(frame()).toContain('filter (project:');
		await press(KEYS.enter);
		expect(frame()).toContain('filter "gpt"');
		expect(frame()).toContain('1 of 3 projects');
		expect(frame()).not.toContain('bert ');
		await press('/', KEYS.backspace, KEYS.backspace, KEYS.backspace, ...'gpu:1'.split(''), KEYS.enter);
		expect(frame()).toContain('1 of 2 GPUs');
		expect(frame()).toContain('bert');
		await press('/', '\u0015', ...'rule:sla'.split(''), KEYS.enter);
		expect(frame()).toContain('1 alerts');
		await press('/', '\u0015', ...'agent:data'.split(''), KEYS.enter);
		expect(frame()).not.toContain('ml-eng ');
		await press('/', '\u0015', KEYS.enter);
		expect(frame()).not.toContain('filter "');
	});

	it('keys arriving in one chunk (tmux, a paste, a fast typist) are each handled', async () => {
		const {frame, press} = await setup();
		await press('4z');
		expect(frame()).toContain('4 Agents');
		expect(frame()).not.toContain('1 Training');
		await press('z/gpt\r');
		expect(frame()).toContain('filter "gpt"');
		expect(frame()).toContain('1 of 3 projects');
	});

	it('p pauses the display and resumes it', async () => {
		const {frame, press, source} = await setup();
		await press('p');
		expect(frame()).toContain('PAUSED');
		source.publish(fullSnapshot({training: [project('arrived-later', falling)]}));
		await tick();
		expect(frame()).not.toContain('arrived-later');
		await press('p');
		expect(frame()).not.toContain('PAUSED');
		expect(frame()).toContain('arrived-later');
	});

	it('? opens the help overlay listing every binding; ? or Enter closes it', async () => {
		const {frame, press} = await setup({rows: 40});
		await press('?');
		for (const b of BINDINGS) expect(frame()).toContain(b.help);
		await press('?');
		expect(frame()).toContain('1 Training');
		await press('?', KEYS.enter);
		expect(frame()).toContain('1 Training');
	});

	it('q and Ctrl-C quit, also from a prompt (Ctrl-C) and the help overlay (q)', async () => {
		for (const keys of [['q'], [KEYS.ctrlC], ['/', KEYS.ctrlC], ['?', 'q']]) {
			const {press, quits, instance} = await setup();
			await press(...keys);
			expect(quits()).toBe(1);
			instance.unmount();
		}
	});

	it('Ctrl-L asks for a full redraw and changes nothing on the screen', async () => {
		const {press, redraws, frame} = await setup();
		const before = frame();
		await press('\u000C');
		expect(redraws()).toBe(1);
		expect(frame()).toBe(before);
	});
});
