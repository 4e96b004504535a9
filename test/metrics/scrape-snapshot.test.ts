/**
A scrape is one snapshot: its render yields the event loop between metrics, and messages keep arriving meanwhile;
the counters it exports must still be those of the moment the scrape began, so that the accounting identity
(received = stored + rejected + refused) holds within every scrape, as the UI's snapshot keeps it.
*/
import {describe, expect, test} from 'vitest';
import {INPUT_CHANNELS} from '../../src/contract/names.js';
import {metricsSnapshot} from '../../src/metrics/metrics-view.js';
import {type WriterStats} from '../../src/writer/seed-writer.js';
import {BUS, fixture, HOST, populate, send} from './fixture.js';
import {parseExposition, samplesOf, valueOf} from './parse-exposition.js';

describe('a scrape reads one snapshot', () => {
	test('messages arriving while a scrape renders do not reach it: its counters add up and are those of its start', async () => {
		const f = fixture({maxProjects: 3});
		populate(f);
		const writer = {entriesWritten: 10, dropped: 1, pendingEntries: 0} as unknown as WriterStats;
		const snapshot = metricsSnapshot({store: f.store, host: HOST, bus: () => BUS, writer: () => writer, gpu: () => undefined, alerts: () => undefined}, Date.now());
		const before = {...f.store.counters, refusedBy: {...f.store.counters.refusedBy}};
		const rendering = f.exposition.render({snapshot, smoothing: 0.6, version: '0'});
		// Between the render's slices: valid, invalid and refused messages, and writes.
		let rendered = false;
		let pumped = 0;
		const pump = () => {
			if (rendered) return;
			pumped += 1;
			send(f, INPUT_CHANNELS.trainingProgress, {projectId: `new-${pumped}`, step: 1, loss: 1});
			f.ingest.handle(INPUT_CHANNELS.taskUpdates, '{broken');
			(writer as {entriesWritten: number}).entriesWritten += 5;
			setImmediate(pump);
		};
		setImmediate(pump);
		const parsed = parseExposition(await rendering);
		rendered = true;
		expect(pumped).toBeGreaterThan(2);
		const refused = samplesOf(parsed, 'mycotop_messages_refused_total').reduce((s, x) => s + x.value, 0);
		const received = valueOf(parsed, 'mycotop_messages_received_total');
		expect(received).toBe(valueOf(parsed, 'mycotop_messages_stored_total')! + valueOf(parsed, 'mycotop_messages_rejected_total')! + refused);
		expect(received).toBe(before.received);
		expect(refused).toBe(before.refusedBy.projects + before.refusedBy.agents + before.refusedBy.workflowSteps);
		expect(valueOf(parsed, 'mycotop_writer_entries_written_total')).toBe(10);
	});
});
