/**
prom-client's default collectors one by one (lib/metrics/*.js: what collectDefaultMetrics registers, each a function
of a registry and a config), so the exposition can leave out the event-loop-lag one (exposition.ts). No types ship.
*/
declare module 'prom-client/lib/metrics/*.js' {
	import {type Registry} from 'prom-client';
	function collector(registry: Registry, config?: Record<string, unknown>): void;
	export default collector;
}
