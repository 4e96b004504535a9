/**
What a runtime part is (the GPU sampler, the rule engine), and the two parts the runtime knows by name. A part is
started after hydration and stopped before the writer drains; the runtime reads the GPU pane's snapshot from its
`gpu` part and the alert log's (and the dashboard's alert keys) from its `rules` part. Types only: every part
module and the runtime import this, and it imports none of them.
*/
import {type Hydrator} from './ingest/hydrate.js';
import {type GpuSnapshot} from './gpu/gpu-snapshot.js';
import {type HostView} from './host/host-sampler.js';
import {type RedisHealth} from './redis-health/info-parse.js';
import {type AlertsSnapshot} from './rules/alert-snapshot.js';
import {type AlertActions} from './rules/alert-actions.js';
import {type FleetSnapshot} from './fleet/fleet-view.js';
import {type MetricsEndpointState} from './metrics/endpoint-state.js';

/** A part that runs inside the runtime: started after hydration (in order), stopped first (in reverse order). */
export interface RuntimePart {
	start(): void | Promise<void>;
	stop(): void | Promise<void>;
	/** Read at start-up with the store's own hydration, from the same Redis connection. */
	readonly hydrator?: Hydrator;
}

/** The GPU part as the runtime sees it: the GPU pane's snapshot (also "disabled" for --no-gpu). */
export interface GpuSourcePart extends RuntimePart {
	readonly gpu: () => GpuSnapshot;
}

/** The host part as the runtime sees it: the host line's figures (/proc). */
export interface HostSourcePart extends RuntimePart {
	readonly hostView: () => HostView;
}

/** The Redis health part: the newest INFO / SLOWLOG / PING figures (undefined without Redis). */
export interface RedisHealthSourcePart extends RuntimePart {
	health(): RedisHealth | undefined;
}

/** The rules part as the runtime and the dashboard see it: the alert log's snapshot and the alert keys' actions. */
export interface RulesSourcePart extends RuntimePart {
	readonly alerts: () => AlertsSnapshot;
	readonly alertActions: AlertActions;
}

/** The Prometheus endpoint as the runtime sees it: where it listens, or why it does not (for the header). */
export interface MetricsSourcePart extends RuntimePart {
	readonly endpoint: () => MetricsEndpointState;
}

/** The fleet part (src/fleet): the host registry as read, and which host's GPUs the GPU pane shows. */
export interface FleetSourcePart extends RuntimePart {
	readonly fleet: () => FleetSnapshot;
	/** Show this host's GPUs (read from its keys) in the GPU pane; undefined: this box's own. */
	readonly watch: (host: string | undefined) => void;
	/** One poll now: resolves when it is done or timed out. */
	readonly refresh: () => Promise<void>;
}

/**
The runtime's parts, by name; started gpu, rules, notify (the rules read the GPU part, notifications the rules
part's transitions and alert log), stopped the other way.
*/
export interface RuntimeParts {
	readonly gpu?: GpuSourcePart;
	readonly rules?: RulesSourcePart;
	/** Notification delivery (src/notify), when the config's `notify:` names receivers. */
	readonly notify?: RuntimePart;
	readonly host?: HostSourcePart;
	readonly redisHealth?: RedisHealthSourcePart;
	/** The Prometheus endpoint (src/metrics), when --metrics-listen or metrics.listen asks for it: started last. */
	readonly metrics?: MetricsSourcePart;
	/** The host registry (src/fleet): this box's line written, every box's read. */
	readonly fleet?: FleetSourcePart;
}
