/**
The Prometheus endpoint's state as the dashboard shows it: where it listens (the OS's port for `--metrics-listen 0`),
or that it is down and why (a port in use). The runtime adds it to the header's connection summary, so a TUI user
sees what --headless logs as `{"type":"metrics",...}` records. Pure; apart from the part so the runtime can read it
without loading prom-client.
*/
import {listenUrl, type ListenAddress} from './listen-address.js';

export type MetricsEndpointState =
	| {readonly kind: 'starting'}
	| {readonly kind: 'listening'; readonly bound: ListenAddress}
	| {readonly kind: 'failed'; readonly address: ListenAddress; readonly reason: string};

/** Why binding failed, in a word where Node gives one (`EADDRINUSE`), else the message's first 80 characters. */
export function bindFailureReason(error: unknown): string {
	const code = (error as {code?: unknown} | undefined)?.code;
	if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
	return (error instanceof Error ? error.message : String(error)).slice(0, 80);
}

/**
The header's words for the endpoint: `metrics http://127.0.0.1:9464/metrics`, or `metrics down: EADDRINUSE
127.0.0.1:9464` (short: the header's summary is cut to the width left, about 40 columns in an 80-column terminal).
*/
export function describeMetricsEndpoint(state: MetricsEndpointState): string {
	switch (state.kind) {
		case 'starting':
			return 'metrics starting';
		case 'listening':
			return `metrics ${listenUrl(state.bound)}/metrics`;
		case 'failed':
			return `metrics down: ${state.reason} ${listenUrl(state.address).slice('http://'.length)}`;
	}
}

/**
`summary` (the connection summary: Redis's state and health, then what the writer loses) with the endpoint's state
after it: the header cuts the summary from the right, and Redis being down, writes dropped or a takeover gap matter
more than the metrics endpoint (a failed bind, which can last the whole run, must not hide them). Failed or bound,
the endpoint comes next.
*/
export function withMetricsEndpoint(summary: string, state: MetricsEndpointState | undefined): string {
	if (state === undefined || state.kind === 'starting') return summary;
	return `${summary} · ${describeMetricsEndpoint(state)}`;
}
