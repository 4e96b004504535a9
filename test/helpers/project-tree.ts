/**
A real process tree for the GPU-project end-to-end tests, and a fake nvidia-smi scenario that names its pids: a shell
(the "launcher") with a `sleep` child that nvidia-smi lists on GPU 0, and a second `sleep` listed on GPU 1. Training
messages then name the shell's pid (the child joins through /proc's ppid) and the second sleep's pid (an exact match).
*/
import {spawn, type ChildProcess} from 'node:child_process';
import {copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {hostname, tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {type Redis} from 'ioredis';

const SCENARIOS = resolve(import.meta.dirname, '..', 'fixtures', 'nvidia-smi', 'scenarios');
export const GPU0_UUID = 'GPU-4ee5cbd3-32e8-16a7-9654-6bbd6ce8c535';
export const GPU1_UUID = 'GPU-6be1679f-6ae2-8652-eb6f-a7cd62de963a';

export interface ProjectTree {
	/** The shell whose pid "asr-large" names. */
	readonly launcherPid: number;
	/** Its `sleep` child, on GPU 0. */
	readonly workerPid: number;
	/** A `sleep` of its own, on GPU 1, whose pid "tts" names. */
	readonly soloPid: number;
	/** A scenario directory for FAKE_NVIDIA_SMI_SCENARIO. */
	readonly scenario: string;
	/** Publish the training messages (with pid) every `everyMs` until stop(). */
	publish(redis: Redis, everyMs?: number): void;
	/** Stop publishing (the processes keep running). */
	quiet(): void;
	stop(): void;
}

function firstLine(child: ChildProcess): Promise<string> {
	return new Promise((resolveLine, reject) => {
		let text = '';
		child.stdout!.setEncoding('utf8').on('data', (d: string) => {
			text += d;
			const nl = text.indexOf('\n');
			if (nl >= 0) resolveLine(text.slice(0, nl).trim());
		});
		child.on('error', reject);
	});
}

export async function startProjectTree(): Promise<ProjectTree> {
	const launcher = spawn('sh', ['-c', 'sleep 300 & echo $!; wait'], {stdio: ['ignore', 'pipe', 'ignore']});
	const workerPid = Number(await firstLine(launcher));
	const solo = spawn('sleep', ['300'], {stdio: 'ignore'});
	const dir = mkdtempSync(join(tmpdir(), 'mycotop-projects-'));
	const scenario = join(dir, 'scenario');
	mkdirSync(scenario);
	copyFileSync(join(SCENARIOS, 'projects', 'query-gpu.csv'), join(scenario, 'query-gpu.csv'));
	writeFileSync(
		join(scenario, 'compute-apps.csv'),
		['# fields: gpu_uuid, pid, used_memory, process_name', `${GPU0_UUID}, ${workerPid}, 30000, sleep`, `${GPU1_UUID}, ${solo.pid!}, 20000, sleep`, ''].join('\n'),
	);
	let timer: NodeJS.Timeout | undefined;
	let step = 0;
	return {
		launcherPid: launcher.pid!,
		workerPid,
		soloPid: solo.pid!,
		scenario,
		publish: (redis, everyMs = 300) => {
			const send = () => {
				step += 1;
				const at = Date.now();
				void redis.publish('events:training:progress', JSON.stringify({projectId: 'asr-large', step, loss: 3 - step * 0.01, timestamp: at, pid: launcher.pid}));
				void redis.publish('events:training:progress', JSON.stringify({projectId: 'tts', step, loss: 2 - step * 0.01, timestamp: at, pid: solo.pid, host: hostname()}));
				// Another box's trainer with the worker's pid: not this box, so it must not take GPU 0.
				void redis.publish('events:training:progress', JSON.stringify({projectId: 'remote', step, loss: 1, timestamp: at, pid: workerPid, host: 'another-box.example'}));
			};
			send();
			timer = setInterval(send, everyMs);
		},
		quiet: () => clearInterval(timer),
		stop: () => {
			clearInterval(timer);
			launcher.kill('SIGKILL');
			// The shell's child is not killed with it.
			try {
				process.kill(workerPid, 'SIGKILL');
			} catch {
				// already gone
			}
			solo.kill('SIGKILL');
			rmSync(dir, {recursive: true, force: true});
		},
	};
}
