/**
Notifications dropped because a receiver's queue was full are counted in that receiver's state and shown where the
states are shown: the alert pane's title, `--once` text and `--once --json`, and across instances (the state read
back from Redis).
*/
import {describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import {stripVTControlCharacters as strip} from 'node:util';
import {AlertLog} from '../../components/AlertLog.js';
import {Delivery, sendBy} from '../../src/notify/delivery.js';
import {sendHttp} from '../../src/notify/http-sender.js';
import {runCommand} from '../../src/notify/command-runner.js';
import {memorySentRecords} from '../../src/writer/sent-records.js';
import {decodeReceiverState} from '../../src/notify/receiver-state.js';
import {type Notification} from '../../src/notify/notify-types.js';
import {onceText} from '../../src/once.js';
import {snapshotToJson} from '../../src/store/snapshot.js';
import {alert, makeSnapshot, NOW} from '../components/fixtures.js';

function overflowed() {
	// A viewer never sends: its queue only grows.
	const d = new Delivery({
		receivers: [{name: 'team', type: 'slack'}],
		requestsFor: () => [],
		send: sendBy(sendHttp, runCommand),
		records: () => memorySentRecords('me', () => false),
		isWriter: () => false,
	});
	const n = (i: number): Notification => ({receiver: 'team', groupKey: `g${i}`, groupLabels: {}, status: 'firing', alerts: [], contentHash: `h${i}`, repeatIntervalMs: 3_600_000, reason: 'new', timeMs: NOW});
	d.enqueue(Array.from({length: 1005}, (_, i) => n(i)));
	return d.receiverStates()[0]!;
}

describe('queue overflow', () => {
	it('counts the dropped notifications in the receiver state, and the state read back keeps them', () => {
		const state = overflowed();
		expect(state).toMatchObject({name: 'team', queued: 1000, dropped: 5});
		expect(decodeReceiverState(JSON.stringify(state))).toMatchObject({queued: 1000, dropped: 5});
		expect(decodeReceiverState(JSON.stringify({...state, dropped: -3}))?.dropped).toBeUndefined();
	});

	it('shows them in the alert pane, --once and --once --json', () => {
		const state = overflowed();
		const {lastFrame, unmount} = render(<AlertLog rows={[alert('gpu_temp:0')]} receivers={[state]} nowMs={NOW} rulesRunning width={120} height={8} focused={false} selectedIndex={0} />);
		expect(strip(lastFrame() ?? '')).toContain('team idle (1000 queued, 5 dropped)');
		unmount();
		const base = makeSnapshot({alerts: [alert('gpu_temp:0')]});
		const snapshot = {...base, alerts: {...base.alerts!, receivers: [state]}};
		expect(onceText(snapshot)).toContain('team (slack)  nothing sent yet  1000 queued  5 dropped (queue full)');
		expect(JSON.parse(snapshotToJson(snapshot)).alerts.receivers[0]).toMatchObject({name: 'team', dropped: 5});
	});
});
