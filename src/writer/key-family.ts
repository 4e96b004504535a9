/**
Key families: the groups a write is counted under when it is finally given up, so the header, `--once` and
`--headless` can say which figures in Redis are short ("tasks 312 dropped"), not only that something was. Pure.
*/

export type KeyFamily = 'training' | 'tasks' | 'agents' | 'workflow' | 'gpu' | 'alerts' | 'mycotop';

export const KEY_FAMILIES: readonly KeyFamily[] = ['training', 'tasks', 'agents', 'workflow', 'gpu', 'alerts', 'mycotop'];

/** The family of a key name written by mycotop (metrics:{family}:..., context:..., mycotop:...). */
export function keyFamily(key: string): KeyFamily {
	if (key.startsWith('metrics:training:') || key.startsWith('context:project:')) return 'training';
	if (key.startsWith('metrics:tasks:')) return 'tasks';
	if (key.startsWith('metrics:agent:') || key.startsWith('metrics:agents:')) return 'agents';
	if (key.startsWith('metrics:workflow:')) return 'workflow';
	if (key.startsWith('metrics:gpu:')) return 'gpu';
	if (key.startsWith('metrics:alerts:') || key.startsWith('events:alerts') || key.startsWith('mycotop:alerts:')) return 'alerts';
	return 'mycotop';
}

/** Counts per family, only the families with a count: what the UI and the JSON lines print. */
export type FamilyCounts = Partial<Record<KeyFamily, number>>;

export function addFamilyCounts(into: FamilyCounts, from: FamilyCounts): void {
	for (const family of KEY_FAMILIES) {
		const n = from[family];
		if (n !== undefined && n > 0) into[family] = (into[family] ?? 0) + n;
	}
}

/** `tasks 312, training 40`: the largest first. Empty when nothing was dropped. */
export function describeFamilyCounts(counts: FamilyCounts): string {
	return KEY_FAMILIES.filter((f) => (counts[f] ?? 0) > 0)
		.sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0))
		.map((f) => `${f} ${counts[f]}`)
		.join(', ');
}
