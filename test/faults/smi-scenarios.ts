/**
Hostile scenarios for the GPU engineer's fake nvidia-smi (test/fixtures/nvidia-smi), written to a temp dir:
`garbage` (rows with escape sequences, binary, NaN and letters in numeric columns, a 200 KB line, stray text) and
`crash` (dies at once with SIGSEGV's exit code and a core-dump message). The fake's own `hang` scenario covers hangs.
*/
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {ROOT} from './harness.js';

export const FAKE_SMI = join(ROOT, 'test', 'fixtures', 'nvidia-smi', 'bin', 'nvidia-smi');
const SCENARIOS = join(ROOT, 'test', 'fixtures', 'nvidia-smi', 'scenarios');

/** Sequences no terminal should ever receive from mycotop; the marker text is what tests look for. */
const SMI_INJECTIONS = [
	'\u001b]0;PWNED-SMI-TITLE\u0007',
	'\u001b]52;c;UFdORUQtU01JLUNMSVA=\u0007',
	'\u001b[2J\u001b[H',
	'\u001bP+qPWNED-SMI-DCS\u001b\\',
	'\u009b31m',
	'\u202eINVERTED',
	'ok\rPWNED-SMI-CR',
	'\u0007\u0008\u0000',
];

export function hostileSmiScenarios(): {dir: string; garbage: string; crash: string; hang: string} {
	const dir = mkdtempSync(join(tmpdir(), 'mycotop-smi-'));
	const recording = readFileSync(join(SCENARIOS, 'one-gpu', 'query-gpu.csv'), 'utf8').split('\n');
	const fieldsLine = recording.find((l) => l.startsWith('# fields:'))!;
	const good = recording.find((l) => /^\d{4}\//.test(l))!;
	const cols = good.split(', ');
	const lines = [fieldsLine, good];
	for (let i = 0; i < 40; i++) {
		const ts = `2026/09/30 12:01:${String(i).padStart(2, '0')}.000`;
		const injection = SMI_INJECTIONS[i % SMI_INJECTIONS.length]!;
		const row = [...cols];
		row[0] = ts;
		row[4] = i % 3 === 0 ? 'NaN' : i % 3 === 1 ? 'abc' : '-1e309';
		row[8] = injection;
		row[row.length - 1] = `GPU ${injection} name`;
		lines.push(row.join(', '));
		lines.push(`stray ${injection} text`);
		if (i === 20) lines.push('x'.repeat(200_000));
		if (i === 30) lines.push(String.fromCharCode(...Array.from({length: 256}, (_, c) => c)).replace(/\n/g, ''));
	}
	lines.push(good.replace(/^\S+ \S+,/, '2026/09/30 12:02:00.000,'));
	const garbage = join(dir, 'garbage');
	mkdirSync(garbage);
	writeFileSync(join(garbage, 'query-gpu.csv'), `${lines.join('\n')}\n`);
	const crash = join(dir, 'crash');
	mkdirSync(crash);
	writeFileSync(join(crash, 'scenario.json'), JSON.stringify({description: 'crashes at once', exitCode: 139, stderr: 'Segmentation fault (core dumped)\n'}));
	return {dir, garbage, crash, hang: join(SCENARIOS, 'hang')};
}
