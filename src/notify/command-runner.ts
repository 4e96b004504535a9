/**
The command receiver's runner: the program (no shell) with the payload on its stdin, killed after a timeout, its
exit status and the end of its stderr captured (secrets removed), as an AttemptOutcome. It never throws: a program
that cannot be started is a "network" outcome in words ("program not found"), retried like any failure.
*/
import {execa} from 'execa';
import {type AttemptOutcome} from './retry-policy.js';
import {type CommandRequest} from './delivery-request.js';
import {requestSecrets, safeExcerpt} from './secrets.js';

const MAX_OUTPUT_BYTES = 16 * 1024;

export async function runCommand(request: CommandRequest, timeoutMs: number): Promise<AttemptOutcome> {
	const [bin, ...args] = request.argv;
	if (bin === undefined) return {kind: 'network', reason: 'no program to run'};
	const secrets = requestSecrets(request);
	try {
		const result = await execa(bin, args, {
			input: request.stdin,
			reject: false,
			timeout: timeoutMs,
			killSignal: 'SIGKILL',
			stdout: 'ignore',
			maxBuffer: MAX_OUTPUT_BYTES,
			encoding: 'utf8',
			stripFinalNewline: true,
		});
		if (result.timedOut) return {kind: 'timeout', afterMs: timeoutMs};
		const code = (result as {code?: string}).code;
		if (result.exitCode === undefined) {
			if (code === 'ENOENT') return {kind: 'network', reason: 'program not found'};
			if (code === 'EACCES') return {kind: 'network', reason: 'program not executable'};
			return {kind: 'network', reason: result.signal !== undefined ? `killed by ${result.signal}` : 'program could not be run'};
		}
		const stderr = typeof result.stderr === 'string' ? result.stderr : '';
		return {kind: 'exit', code: result.exitCode, excerpt: safeExcerpt(stderr.slice(-1000), secrets)};
	} catch {
		return {kind: 'network', reason: 'program could not be run'};
	}
}
