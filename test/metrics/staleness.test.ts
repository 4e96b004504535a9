/**
Staleness in the exposition: a project or an agent not heard from for longer than the idle age (an hour) has no
sample for its last readings (loss, step, WER; busy, task count), as a stale GPU reading has none; its last-seen
time stays exported, so `time() - mycotop_agent_last_seen_timestamp_seconds` tells how long it has been silent.
A completion from an agent over store.maxAgents still reaches the box-wide task metrics.
*/
import {describe, expect, test} from 'vitest';
import {INPUT_CHANNELS} from '../../src/contract/names.js';
import {IDLE_AFTER_MS} from '../../src/store/liveness.js';
import {fixture, NOW, send} from './fixture.js';
import {parseExposition, samplesOf, valueOf} from './parse-exposition.js';

const DAY = 86_400_000;

describe('stale projects and agents have no current readings', () => {
	test('an agent whose last status (busy, 7 tasks) came a day ago: no busy or tasks sample, its last-seen time, out of the load variance', async () => {
		const f = fixture();
		send(f, INPUT_CHANNELS.agentStatus, {agentType: 'ghost', status: 'busy', taskCount: 7, timestamp: NOW - DAY}, NOW - DAY);
		send(f, INPUT_CHANNELS.agentStatus, {agentType: 'a', status: 'busy', taskCount: 2});
		send(f, INPUT_CHANNELS.agentStatus, {agentType: 'b', status: 'busy', taskCount: 2});
		const parsed = parseExposition(await f.exposition.render(f.view()));
		expect(samplesOf(parsed, 'mycotop_agent_busy').filter((x) => x.labels['agent'] === 'ghost')).toEqual([]);
		expect(samplesOf(parsed, 'mycotop_agent_tasks').filter((x) => x.labels['agent'] === 'ghost')).toEqual([]);
		expect(valueOf(parsed, 'mycotop_agent_last_seen_timestamp_seconds', {agent: 'ghost'})).toBe((NOW - DAY) / 1000);
		expect(valueOf(parsed, 'mycotop_agent_busy', {agent: 'a'})).toBe(1);
		// Last seen is when its newest message was received (NOW), not its stamp (a minute earlier).
		expect(valueOf(parsed, 'mycotop_agent_last_seen_timestamp_seconds', {agent: 'a'})).toBe(NOW / 1000);
		// Two live busy agents with 2 tasks each: no imbalance (the ghost's 7 would make it 75 %).
		expect(valueOf(parsed, 'mycotop_agents_load_variance_ratio')).toBe(0);
	});

	test('a project silent for longer than the idle age: no loss, smoothed loss, step or WER sample; its last update time stays', async () => {
		const f = fixture();
		send(f, INPUT_CHANNELS.trainingProgress, {projectId: 'done-run', step: 9, loss: 0.2, wer: 0.1, timestamp: NOW - IDLE_AFTER_MS - 1000}, NOW - IDLE_AFTER_MS - 1000);
		send(f, INPUT_CHANNELS.trainingProgress, {projectId: 'live-run', step: 3, loss: 0.7});
		const parsed = parseExposition(await f.exposition.render(f.view()));
		for (const name of ['mycotop_training_loss', 'mycotop_training_loss_smoothed', 'mycotop_training_step', 'mycotop_training_wer'])
			expect(samplesOf(parsed, name).map((s) => s.labels['project']), name).not.toContain('done-run');
		expect(valueOf(parsed, 'mycotop_training_last_update_timestamp_seconds', {project: 'done-run'})).toBe((NOW - IDLE_AFTER_MS - 1000) / 1000);
		expect(valueOf(parsed, 'mycotop_training_loss', {project: 'live-run'})).toBe(0.7);
	});

	test('completions from agents over store.maxAgents count in the box-wide task metrics; the per-agent part is counted as partly refused', async () => {
		const f = fixture({maxAgents: 2});
		send(f, INPUT_CHANNELS.agentStatus, {agentType: 'stale', status: 'idle', taskCount: 0});
		for (const agent of ['a1', 'a2', 'a3', 'a4']) send(f, INPUT_CHANNELS.taskUpdates, {taskId: `t-${agent}`, status: 'completed', agent, duration_seconds: 10});
		const parsed = parseExposition(await f.exposition.render(f.view()));
		expect(valueOf(parsed, 'mycotop_tasks_completed_total')).toBe(4);
		expect(valueOf(parsed, 'mycotop_task_duration_seconds_count')).toBe(4);
		expect(valueOf(parsed, 'mycotop_tasks_completed_last_hour')).toBe(4);
		expect(valueOf(parsed, 'mycotop_tasks_completed_today')).toBe(4);
		expect(valueOf(parsed, 'mycotop_messages_refused_total', {limit: 'agents'})).toBe(0);
		expect(valueOf(parsed, 'mycotop_messages_partly_refused_total', {limit: 'agents'})).toBe(3);
		expect(samplesOf(parsed, 'mycotop_agent_tasks')).toHaveLength(2);
	});

	test('idle goes by the receive clock: a trainer whose stamps run two hours behind keeps its samples while it sends, and its place', async () => {
		const f = fixture({maxProjects: 1});
		send(f, INPUT_CHANNELS.trainingProgress, {projectId: 'late-clock', step: 4, loss: 0.3, timestamp: NOW - 2 * IDLE_AFTER_MS});
		send(f, INPUT_CHANNELS.trainingProgress, {projectId: 'newcomer', step: 1, loss: 1});
		const parsed = parseExposition(await f.exposition.render(f.view()));
		expect(valueOf(parsed, 'mycotop_training_loss', {project: 'late-clock'})).toBe(0.3);
		expect(valueOf(parsed, 'mycotop_store_evictions_total', {limit: 'projects'})).toBe(0);
		expect(valueOf(parsed, 'mycotop_messages_refused_total', {limit: 'projects'})).toBe(1);
	});

	test('evictions are counted by limit', async () => {
		const f = fixture({maxProjects: 1});
		send(f, INPUT_CHANNELS.trainingProgress, {projectId: 'old', step: 1, loss: 1, timestamp: NOW - 2 * DAY}, NOW - 2 * DAY);
		send(f, INPUT_CHANNELS.trainingProgress, {projectId: 'new', step: 1, loss: 1});
		const parsed = parseExposition(await f.exposition.render(f.view()));
		expect(valueOf(parsed, 'mycotop_store_evictions_total', {limit: 'projects'})).toBe(1);
		expect(valueOf(parsed, 'mycotop_store_evictions_total', {limit: 'agents'})).toBe(0);
		expect(samplesOf(parsed, 'mycotop_training_last_update_timestamp_seconds').map((s) => s.labels['project'])).toEqual(['new']);
	});
});
