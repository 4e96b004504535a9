/** The message shapes of the seed, after validation and sanitizing. */

/** `events:training:progress` */
export interface TrainingProgress {
	readonly kind: 'training';
	readonly projectId: string;
	readonly step: number;
	/** May be NaN or ±Infinity: a diverged run is data, not a reject. */
	readonly loss: number;
	readonly wer?: number;
	/** As sent (ISO string or epoch ms); the seed stores it untouched. */
	readonly timestamp: string | number;
	/** Epoch ms of `timestamp` (receive time when it cannot be read). */
	readonly timeMs: number;
	/** Ours, optional: the trainer's process id (ties the project to the GPU processes it or its children run). */
	readonly pid?: number;
	/** Ours, optional: the host the trainer runs on (a key-safe id); absent means "this box". */
	readonly host?: string;
}

/** `events:tasks:updates` */
export interface TaskUpdate {
	readonly kind: 'task';
	readonly taskId: string;
	readonly status: string;
	readonly agent: string;
	readonly durationSeconds?: number;
	readonly timestamp: string | number;
	readonly timeMs: number;
}

/** `events:agents:status` */
export interface AgentStatus {
	readonly kind: 'agent';
	readonly agentType: string;
	readonly status: 'busy' | 'idle';
	readonly taskCount: number;
	readonly timeMs: number;
}

/** `events:errors:critical` */
export interface CriticalError {
	readonly kind: 'error';
	readonly errorId: string;
	readonly message?: string;
	readonly timeMs: number;
}

/** `events:workflow:steps` (ours): the seed's reportWorkflowPerformance arguments. */
export interface WorkflowStep {
	readonly kind: 'workflow';
	readonly workflowId: string;
	readonly stepId: string;
	readonly durationSeconds: number;
	readonly timeMs: number;
}

/** `events:alerts:*` published by some other agent. */
export interface ExternalAlert {
	readonly kind: 'external-alert';
	readonly channel: string;
	readonly severity: string;
	readonly type: string;
	readonly message: string;
	/** `source` field of the message; mycotop marks its own alerts with "mycotop:<instance>". */
	readonly source: string;
	readonly timeMs: number;
}

export type BusEvent = TrainingProgress | TaskUpdate | AgentStatus | CriticalError | WorkflowStep | ExternalAlert;

/** Task statuses that end a task successfully (the seed uses "done"). */
export const DONE_STATUSES: ReadonlySet<string> = new Set(['done', 'completed', 'complete', 'success']);
/** Task statuses that end a task with an error (for the agent's error_rate_percent). */
export const FAILED_STATUSES: ReadonlySet<string> = new Set(['failed', 'error', 'errored']);
