/**
The demo workload: several training projects (one converging, one with a loss spike, one stuck on a plateau, one
slowly improving with WER), tasks whose durations straddle the 30-minute SLA, and agents with uneven load. It
publishes the seed's message shapes into whichever bus is active, so `mycotop --demo` is a live dashboard in seconds.

`demoMessages` is pure (a seeded generator per tick); `DemoRunner` publishes on a timer.
*/
import {INPUT_CHANNELS} from '../contract/names.js';
import {gaussian, seededRandom} from './seeded-random.js';

interface DemoProject {
	readonly projectId: string;
	readonly hasWer: boolean;
	/** Loss at `step` before noise. */
	readonly curve: (step: number) => number;
	readonly noise: number;
}

const DEMO_PROJECTS: readonly DemoProject[] = [
	{projectId: 'asr-conformer', hasWer: true, curve: (s) => 0.35 + 3.2 * Math.exp(-s / 180), noise: 0.03},
	// A spike: loss jumps for ~40 steps around step 420, then recovers.
	{projectId: 'llm-finetune', hasWer: false, curve: (s) => 1.1 + 2.4 * Math.exp(-s / 260) + (s % 900 > 420 && s % 900 < 460 ? 3.5 : 0), noise: 0.05},
	// A plateau: stuck at ~2.1 with noise and no trend.
	{projectId: 'vision-vit', hasWer: false, curve: () => 2.1, noise: 0.02},
	{projectId: 'tts-fastspeech', hasWer: false, curve: (s) => 6.5 - s * 0.002, noise: 0.08},
];

/** Agents with deliberately uneven load (the first is overloaded). */
const DEMO_AGENTS: readonly {readonly agentType: string; readonly load: number}[] = [
	{agentType: 'ml-engineer', load: 6},
	{agentType: 'ai-engineer', load: 3},
	{agentType: 'data-engineer', load: 2},
	{agentType: 'mlops-engineer', load: 1},
	{agentType: 'research-analyst', load: 0},
];

interface DemoMessage {
	readonly channel: string;
	readonly message: string;
}

export interface DemoState {
	tick: number;
	taskSeq: number;
	readonly steps: Map<string, number>;
}

function newDemoState(): DemoState {
	return {tick: 0, taskSeq: 0, steps: new Map()};
}

/** The messages of one demo tick (the runner calls this every 250 ms). Mutates `state`. */
function demoMessages(state: DemoState, random: () => number, now: number): DemoMessage[] {
	const out: DemoMessage[] = [];
	const timestamp = new Date(now).toISOString();
	state.tick += 1;
	for (const project of DEMO_PROJECTS) {
		const step = (state.steps.get(project.projectId) ?? 0) + 5;
		state.steps.set(project.projectId, step);
		const loss = Math.max(0.001, project.curve(step) + gaussian(random) * project.noise);
		const payload: Record<string, unknown> = {projectId: project.projectId, step, loss: Number(loss.toFixed(4)), timestamp};
		if (project.hasWer) payload['wer'] = Number(Math.max(0.02, 0.08 + 0.5 * Math.exp(-step / 250) + gaussian(random) * 0.005).toFixed(4));
		out.push({channel: INPUT_CHANNELS.trainingProgress, message: JSON.stringify(payload)});
	}
	// About two task completions a second; durations log-normal around 20 minutes, ~15% over the 30-minute SLA.
	if (random() < 0.5) {
		const agent = weightedAgent(random);
		state.taskSeq += 1;
		const duration = Math.round(Math.exp(Math.log(1200) + gaussian(random) * 0.4));
		const status = random() < 0.05 ? 'failed' : 'done';
		out.push({
			channel: INPUT_CHANNELS.taskUpdates,
			message: JSON.stringify({taskId: `task-${state.taskSeq}`, status, agent, duration_seconds: duration, timestamp}),
		});
	}
	if (state.tick % 8 === 0) {
		for (const agent of DEMO_AGENTS) {
			const taskCount = Math.max(0, agent.load + Math.round(gaussian(random) * 0.7));
			out.push({
				channel: INPUT_CHANNELS.agentStatus,
				message: JSON.stringify({agentType: agent.agentType, status: taskCount > 0 ? 'busy' : 'idle', taskCount, timestamp}),
			});
		}
	}
	if (state.tick % 20 === 0) {
		out.push({
			channel: INPUT_CHANNELS.workflowSteps,
			message: JSON.stringify({workflowId: 'nightly-eval', stepId: 'tokenize', duration: Math.round(400 + random() * 400), timestamp}),
		});
	}
	if (state.tick % 240 === 0) {
		out.push({channel: INPUT_CHANNELS.errorsCritical, message: JSON.stringify({errorId: `err-${state.tick}`, message: 'CUDA error: an illegal memory access was encountered', timestamp})});
	}
	return out;
}

function weightedAgent(random: () => number): string {
	const weighted = DEMO_AGENTS.filter((a) => a.load > 0);
	const total = weighted.reduce((s, a) => s + a.load, 0);
	let pick = random() * total;
	for (const agent of weighted) {
		pick -= agent.load;
		if (pick <= 0) return agent.agentType;
	}
	return weighted[0]!.agentType;
}

export class DemoRunner {
	private timer: NodeJS.Timeout | undefined;
	private readonly state = newDemoState();
	private readonly random: () => number;
	published = 0;

	constructor(
		private readonly publish: (channel: string, message: string) => void,
		seed = 42,
		private readonly periodMs = 250,
		private readonly now: () => number = Date.now,
		/** History to backfill before the live ticks (ms; 0: none): one tick every `backfillEveryMs`, stamped in the past. */
		private readonly backfillMs = 0,
		private readonly backfillEveryMs = 5 * 60_000,
	) {
		this.random = seededRandom(seed);
	}

	start(): void {
		// With history rollups (the demo on Redis), a few days of coarse past ticks, so the charts' longer windows have
		// a run to show: the same generator, stamped every backfillEveryMs in the past (about 860 ticks for 3 days).
		// Its own state: the live run still starts at step 0 (the by-step view then shows the backfilled run under it).
		const now = this.now();
		const past = newDemoState();
		for (let t = now - this.backfillMs; this.backfillMs > 0 && t < now - 120 * this.periodMs; t += this.backfillEveryMs) this.emit(t, past);
		// Backfill a little history so the sparklines are not empty on the first frame.
		const start = now - 120 * this.periodMs;
		for (let i = 0; i < 120; i++) this.emit(start + i * this.periodMs);
		this.timer = setInterval(() => this.emit(this.now()), this.periodMs);
		this.timer.unref();
	}

	private emit(now: number, state = this.state): void {
		for (const {channel, message} of demoMessages(state, this.random, now)) {
			this.publish(channel, message);
			this.published += 1;
		}
	}

	stop(): void {
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
	}
}
