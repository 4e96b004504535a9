/**
The hosts pane through ink-testing-library: shown only when another box reports, fits 80x24 and 120x40 with 64
hosts x 8 GPUs, scrolls with the selection, and Enter shows the selected host's GPUs in the GPU pane (the fleet part
is told which host to read); b goes back to this box.
*/
import {afterEach, describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import {stripVTControlCharacters as strip} from 'node:util';
import {App} from '../../components/App.js';
import {cellWidth} from '../../src/format/text-width.js';
import {type FleetControl} from '../../src/fleet/fleet-view.js';
import {FakeTerminal, gpuRow, gpuSnapshot, KEYS, makeSnapshot, TestSource, tick} from './fixtures.js';
import {fleetSnapshot, hostName, viewedGpus} from './fleet-fixtures.js';

class RecordingFleet implements FleetControl {
	readonly watched: Array<string | undefined> = [];
	watch(host: string | undefined): void {
		this.watched.push(host);
	}
}

let cleanup: (() => void) | undefined;
afterEach(() => {
	cleanup?.();
	cleanup = undefined;
});

function snapshotWith(fleet: ReturnType<typeof fleetSnapshot> | undefined) {
	const base = makeSnapshot({gpu: gpuSnapshot([gpuRow(0), gpuRow(1)])});
	return fleet === undefined ? base : {...base, fleet};
}

async function setup(columns: number, rows: number, fleet = fleetSnapshot(64)) {
	const source = new TestSource(snapshotWith(fleet));
	const control = new RecordingFleet();
	const instance = render(<App source={source} terminal={new FakeTerminal(columns, rows)} fleet={control} />);
	cleanup = () => instance.unmount();
	await tick();
	const frame = () => strip(instance.lastFrame() ?? '');
	const press = async (...keys: string[]) => {
		for (const k of keys) {
			instance.stdin.write(k);
			await tick();
		}
	};
	return {source, control, frame, press};
}

/** Passive effects (the fleet part told whose GPUs to read) run after the frame: wait for them, a second at most. */
async function settle(check: () => boolean): Promise<void> {
	for (let i = 0; i < 50 && !check(); i++) await tick();
}

const hostsTitle = (frame: string) => frame.split('\n').find((l) => l.includes('6 Hosts'));
const selected = (frame: string) => frame.split('\n').find((l) => l.startsWith('›'));

describe('the hosts pane', () => {
	for (const [columns, rows] of [
		[80, 24],
		[120, 40],
	] as const) {
		it(`${columns}x${rows}: 64 hosts x 8 GPUs fit the frame, with the counts in the title`, async () => {
			const {frame} = await setup(columns, rows);
			const lines = frame().split('\n');
			expect(lines.length).toBeLessThanOrEqual(rows - 1);
			for (const l of lines) expect(cellWidth(l), l).toBeLessThanOrEqual(columns);
			expect(hostsTitle(frame())).toMatch(/6 Hosts +65 hosts · 514 GPUs · 1 stale · 1 lost · 1-\d+ of 65/);
			for (const title of ['1 Training', '2 GPUs', '3 Tasks', '4 Agents', '5 Alerts']) expect(frame()).toContain(title);
			// The column heads and the first hosts, the stale and lost ones marked.
			expect(frame()).toMatch(/host +GPU +util/);
			expect(frame()).toMatch(/fleet-01 +8 .* stale 10s/);
			expect(frame()).toMatch(/fleet-02 +8 .* lost 5m/);
			expect(frame()).toMatch(/fleet-00 +8 +0\/100% .* 2! fresh 1s/);
		});
	}

	it('no other box: no hosts pane, and 6 says why', async () => {
		const alone = fleetSnapshot(0);
		const {frame, press} = await setup(120, 40, alone);
		expect(frame()).not.toContain('6 Hosts');
		await press('6');
		expect(frame()).toContain('no other host in the registry');
		// Tab cycles the five panes only.
		await press(KEYS.tab, KEYS.tab);
		expect(frame()).toContain('▶3 Tasks');
	});

	it('6 focuses it, j/k and PgDn move the selection and the rows scroll to keep it in view', async () => {
		const {frame, press} = await setup(80, 24);
		await press('6');
		expect(frame()).toContain('▶6 Hosts');
		expect(selected(frame())).toContain('fleet-00');
		await press('j', 'j', 'j');
		expect(selected(frame())).toContain('fleet-03');
		await press('\u001B[6~', '\u001B[6~', '\u001B[6~');
		expect(selected(frame())).toContain('fleet-33');
		expect(frame()).not.toContain('fleet-00 ');
		expect(hostsTitle(frame())).toMatch(/\d+-34 of 65/);
		for (let i = 0; i < 8; i++) await press('\u001B[6~');
		// The last row: this box (gpu-box-1 sorts after the fleet-NN names), marked with *.
		expect(selected(frame())).toMatch(/\*gpu-box-1/);
		await press('k');
		expect(selected(frame())).toContain(hostName(63));
		for (const l of frame().split('\n')) expect(cellWidth(l)).toBeLessThanOrEqual(80);
	});

	it("Enter shows the selected host's GPUs in the GPU pane; b goes back to this box", async () => {
		const {source, control, frame, press} = await setup(120, 40);
		await press('6', 'j', 'j', 'j', KEYS.enter);
		await settle(() => control.watched.at(-1) === 'fleet-03');
		expect(control.watched.at(-1)).toBe('fleet-03');
		expect(frame()).toContain('2 GPUs of fleet-03');
		expect(frame()).toContain('GPU telemetry starting');
		expect(hostsTitle(frame())).toContain('GPU pane: fleet-03');
		// The fleet part read that host's keys: its 8 GPUs replace this box's 2.
		source.publish({...snapshotWith(fleetSnapshot(64, {viewed: viewedGpus('fleet-03')}))});
		await tick();
		expect(frame()).toMatch(/2 GPUs of fleet-03 +8 GPUs/);
		expect(frame().split('\n').filter((l) => /^ {1,2}\d H100/.test(l.slice(1)))).toHaveLength(8);
		await press('b');
		await settle(() => control.watched.at(-1) === undefined);
		expect(control.watched.at(-1)).toBeUndefined();
		expect(frame()).toMatch(/2 GPUs +2 GPUs/);
		expect(frame()).not.toContain('GPUs of fleet-03');
	});

	it('a lost host picked: its last figures, marked as such; Enter on this box returns to it', async () => {
		const {source, control, frame, press} = await setup(120, 40);
		await press('6', 'j', 'j', KEYS.enter);
		await settle(() => control.watched.at(-1) === 'fleet-02');
		expect(control.watched.at(-1)).toBe('fleet-02');
		source.publish(snapshotWith(fleetSnapshot(64, {viewed: viewedGpus('fleet-02')})));
		await tick();
		expect(frame()).toMatch(/GPUs of fleet-02 +8 GPUs .* degraded: fleet-02 is lost: its last figures/);
		for (let i = 0; i < 10; i++) await press('\u001B[6~');
		await press(KEYS.enter);
		await settle(() => control.watched.at(-1) === undefined);
		expect(control.watched.at(-1)).toBeUndefined();
		expect(frame()).not.toContain('GPUs of');
	});

	it('z zooms the hosts pane over the whole body: more hosts at once, still within 80x24', async () => {
		const {frame, press} = await setup(80, 24);
		await press('6', 'z');
		const lines = frame().split('\n');
		expect(lines.length).toBeLessThanOrEqual(23);
		for (const l of lines) expect(cellWidth(l)).toBeLessThanOrEqual(80);
		expect(lines.filter((l) => /fleet-\d\d +8 /.test(l)).length).toBeGreaterThanOrEqual(18);
		expect(frame()).not.toContain('1 Training');
		await press('z');
		expect(frame()).toContain('1 Training');
	});

	it("Enter in the zoomed hosts pane leaves the zoom, so the GPU pane with that host's GPUs is on screen", async () => {
		const {control, frame, press} = await setup(80, 24);
		await press('6', 'z', 'j', KEYS.enter);
		await settle(() => control.watched.at(-1) === 'fleet-01');
		expect(control.watched.at(-1)).toBe('fleet-01');
		expect(frame()).toContain('GPUs of fleet-01');
		expect(frame()).toContain('1 Training');
	});

	it('Tab goes through the hosts pane when it is shown; a read failure is named in its title', async () => {
		const {frame, press, source} = await setup(120, 40);
		await press(KEYS.tab, KEYS.tab);
		expect(frame()).toContain('▶6 Hosts');
		await press(KEYS.tab);
		expect(frame()).toContain('▶3 Tasks');
		source.publish(snapshotWith(fleetSnapshot(3, {error: 'no answer from Redis within 2000 ms'})));
		await tick();
		expect(hostsTitle(frame())).toContain('read failed: no answer from Redis within 2000 ms');
	});
});
