/** Helpers to read the recorded nvidia-smi fixtures and to run the fake nvidia-smi. */
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'nvidia-smi');
export const FAKE_NVIDIA_SMI = join(FIXTURES, 'bin', 'nvidia-smi');

export interface Recording {
	readonly fields: string[];
	readonly lines: string[];
}

/** A scenario's recorded `query-gpu.csv`: its declared fields and output lines (comments dropped). */
export function recording(scenario: string, file = 'query-gpu.csv'): Recording {
	const text = readFileSync(join(FIXTURES, 'scenarios', scenario, file), 'utf8');
	let fields: string[] = [];
	const lines: string[] = [];
	for (const line of text.split('\n')) {
		if (line.startsWith('# fields:')) fields = line.slice(9).split(',').map((s) => s.trim());
		else if (!line.startsWith('#') && line.trim() !== '') lines.push(line);
	}
	return {fields, lines};
}

export function scenarioJson(scenario: string): {exitCode?: number; stdout?: string; stderr?: string} {
	return JSON.parse(readFileSync(join(FIXTURES, 'scenarios', scenario, 'scenario.json'), 'utf8')) as {exitCode?: number; stdout?: string; stderr?: string};
}
