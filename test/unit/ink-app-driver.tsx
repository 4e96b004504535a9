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
	constructor(
		public columns: number,
		public rows: number,
	) {
		super();
	}
	write(s: string): boolean {
		this.last = s;
		return true;
	}
}

export interface AppSession {
	publish(snapshot: Snapshot): Promise<string>;
	key(input: string): Promise<string>;
	resize(columns: number, rows: number): Promise<string>;
	stop(): void;
}

const settle = () => new Promise((r) => setTimeout(r, 5));

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
			await settle();
			return stdout.last;
		},
		async key(input) {
			stdin.write(input);
			await settle();
			return stdout.last;
		},
		async resize(c, r) {
			stdout.columns = c;
			stdout.rows = r;
			stdout.emit('resize');
			await settle();
			return stdout.last;
		},
		stop() {
			instance.unmount();
		},
	};
}
