/**
Bundled twice by test/unit/ink-app-patched.test.ts, with Ink's patches and with stock Ink: the real App drawn into a
fake terminal in Ink's debug mode (every frame written whole), fed snapshots, keys and resizes, so that the test can
compare the patched frames with stock Ink's.
*/
import {EventEmitter} from 'node:events';
import {render} from 'ink';
import {App} from '../../components/App.js';
import {ASCII_THEME, ThemeProvider, UNICODE_THEME} from '../../components/theme.js';
import {TestSource} from '../components/fixtures.js';
import {type Snapshot} from '../../src/store/snapshot.js';

class Keyboard extends EventEmitter {
	isTTY = true;
	data: string | null = null;
	write(data: string): void {
		this.data = data;
		this.emit('readable');
		this.emit('data', data);
	}
	read(): string | null {
		const d = this.data;
		this.data = null;
		return d;
	}
	setEncoding(): void {}
	setRawMode(): void {}
	resume(): void {}
	pause(): void {}
	ref(): void {}
	unref(): void {}
}

class Terminal extends EventEmitter {
	isTTY = false;
	last = '';
	writes = 0;
	constructor(
		public columns: number,
		public rows: number,
	) {
		super();
	}
	write(s: string): boolean {
		this.last = s;
		this.writes++;
		return true;
	}
}

export interface AppSession {
	publish(snapshot: Snapshot): Promise<string>;
	key(input: string): Promise<string>;
	resize(columns: number, rows: number): Promise<string>;
	stop(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
The frame once Ink has stopped writing: QUIET_MS with no write (at most SETTLE_LIMIT_MS in all). A fixed 5 ms wait
raced the writes an update sets off: on a loaded machine (a resize, or a key just after one) stock Ink's frame was
read before its last write and the patched one after it, and the property failed on frames that were the same
300 ms later (in the case logged), a few cases in 1,000 when other test files ran beside it.
*/
const QUIET_MS = 20;
const SETTLE_LIMIT_MS = 2000;
async function settle(stdout: Terminal): Promise<string> {
	const start = Date.now();
	let seen = -1;
	while (seen !== stdout.writes && Date.now() - start < SETTLE_LIMIT_MS) {
		seen = stdout.writes;
		await sleep(QUIET_MS);
	}
	return stdout.last;
}

export function start(first: Snapshot, columns: number, rows: number, ascii: boolean): AppSession {
	const stdout = new Terminal(columns, rows);
	const stdin = new Keyboard();
	const source = new TestSource(first);
	const instance = render(
		<ThemeProvider theme={ascii ? ASCII_THEME : UNICODE_THEME}>
			<App source={source} terminal={stdout as never} />
		</ThemeProvider>,
		{stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, debug: true, patchConsole: false, exitOnCtrlC: false},
	);
	return {
		async publish(snapshot) {
			source.publish(snapshot);
			return settle(stdout);
		},
		async key(input) {
			stdin.write(input);
			return settle(stdout);
		},
		async resize(c, r) {
			stdout.columns = c;
			stdout.rows = r;
			stdout.emit('resize');
			return settle(stdout);
		},
		stop() {
			instance.unmount();
		},
	};
}
