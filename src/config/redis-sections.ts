/**
Validation of the config file's `redis.sentinel` and `redis.cluster` sections (their meaning: bus/redis-topology.ts,
which turns them into a redis+sentinel:// or redis+cluster:// URL). Each check answers one message or undefined;
no message quotes a password. Pure.
*/

type Check = (value: unknown) => string | undefined;

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const text = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 1024;
const hostPort = (v: unknown) => typeof v === 'string' && /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?$/.test(v);

function fields(name: string, value: unknown, rules: Record<string, (v: unknown) => boolean>, messages: Record<string, string>, required: readonly string[]): string | undefined {
	if (!isRecord(value)) return `expected a mapping (${Object.keys(rules).join(', ')})`;
	for (const field of required) if (!(field in value)) return `${name}.${field} is required`;
	for (const [field, v] of Object.entries(value)) {
		const rule = rules[field];
		if (rule === undefined) return `unknown field ${name}.${field} (expected one of: ${Object.keys(rules).join(', ')})`;
		if (!rule(v)) return `${name}.${field}: ${messages[field]}`;
	}
	return undefined;
}

const nodeList = (v: unknown) => Array.isArray(v) && v.length > 0 && v.length <= 64 && v.every(hostPort);
const common = {username: text, password: text, tls: (v: unknown) => typeof v === 'boolean'};
const commonMessages = {username: 'expected a string', password: 'expected a string', tls: 'expected true or false'};

export const sentinelSection: Check = (value) =>
	fields(
		'sentinel',
		value,
		{
			masterName: (v) => typeof v === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(v),
			sentinels: nodeList,
			db: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65_535,
			sentinelUsername: text,
			sentinelPassword: text,
			...common,
		},
		{
			masterName: 'expected the name Sentinel knows the master by (letters, digits, . _ -)',
			sentinels: 'expected a list of 1 to 64 sentinel addresses as host:port',
			db: 'expected a database number',
			sentinelUsername: 'expected a string',
			sentinelPassword: 'expected a string',
			...commonMessages,
		},
		['masterName', 'sentinels'],
	);

export const clusterSection: Check = (value) =>
	fields('cluster', value, {nodes: nodeList, ...common}, {nodes: 'expected a list of 1 to 64 seed nodes as host:port', ...commonMessages}, ['nodes']);
