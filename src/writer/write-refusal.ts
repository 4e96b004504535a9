/**
Why Redis refused a write, from its error reply: the refusals that mean "Redis is up but will not take writes", so
the header can name them instead of showing an unexplained queue. Pure.
*/

export type WriteRefusal = 'OOM' | 'READONLY' | 'NOREPLICAS' | 'MISCONF' | 'NOPERM' | 'LOADING';

const EXPLAIN: Record<WriteRefusal, string> = {
	OOM: 'maxmemory reached',
	READONLY: 'a read-only replica',
	NOREPLICAS: 'not enough replicas (min-replicas-to-write)',
	MISCONF: 'RDB snapshots failing (stop-writes-on-bgsave-error)',
	NOPERM: 'ACL forbids the write',
	LOADING: 'Redis is loading its data',
};

/** The refusal an error reply names, or undefined for other errors (timeouts, a closed link). */
export function classifyWriteError(message: string): WriteRefusal | undefined {
	const match = /^(?:EXECABORT\s+)?(OOM|READONLY|NOREPLICAS|MISCONF|NOPERM|LOADING)\b/.exec(message.trim());
	return match === null ? undefined : (match[1] as WriteRefusal);
}

/** `OOM (maxmemory reached)`: the refusal and what it means. */
export function explainRefusal(refusal: WriteRefusal): string {
	return `${refusal} (${EXPLAIN[refusal]})`;
}
