/** The seed's load-balance figures (Pattern 4), as a pure function. */

import {compareIds} from '../format/id-order.js';

export interface LoadBalance {
	/** Max absolute deviation from the mean, as a percent of the mean (0 when the mean is 0). */
	readonly variancePercent: number;
	readonly avgTasksPerAgent: number;
	readonly agentCount: number;
}

/** Load balance over the task counts of the active (busy) agents, as the seed computes it. */
export function loadBalance(taskCounts: readonly number[]): LoadBalance {
	const n = taskCounts.length;
	if (n === 0) return {variancePercent: 0, avgTasksPerAgent: 0, agentCount: 0};
	const avg = taskCounts.reduce((s, c) => s + c, 0) / n;
	if (avg === 0) return {variancePercent: 0, avgTasksPerAgent: 0, agentCount: n};
	const maxDeviation = Math.max(...taskCounts.map((c) => Math.abs(c - avg)));
	return {variancePercent: (maxDeviation / avg) * 100, avgTasksPerAgent: avg, agentCount: n};
}

export interface AgentRankingInput {
	readonly agentType: string;
	readonly tasksCompleted: number;
	readonly avgDurationSeconds: number;
	readonly errorRatePercent: number;
}

export interface AgentRanking extends AgentRankingInput {
	readonly score: number;
}

/** The seed's performance score (higher is better), sorted best first. */
export function rankAgents(agents: readonly AgentRankingInput[]): AgentRanking[] {
	return agents
		.map((a) => ({...a, score: a.tasksCompleted * 10 - a.avgDurationSeconds / 10 - a.errorRatePercent * 100}))
		.sort((a, b) => b.score - a.score || compareIds(a.agentType, b.agentType));
}
