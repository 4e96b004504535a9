/**
A private tmux server for the benchmarks (its own socket in `dir`): one session whose windows run the measured
programs side by side (mycotop, btop), each exec'd so a window's pane pid is the program's. Used by bench:tui and
bench:fleet-load.
*/
import {execFileSync} from 'node:child_process';
import {join} from 'node:path';

export class TmuxWindows {
	readonly socket: string;
	private started = false;

	constructor(
		readonly dir: string,
		private readonly columns: number,
		private readonly rows: number,
	) {
		this.socket = join(dir, 'tmux.sock');
	}

	run(...args: string[]): string {
		return execFileSync('tmux', ['-S', this.socket, ...args], {encoding: 'utf8'});
	}

	/** A new window running `command` (exec'd, so the pane's pid is the program's); returns the target. */
	open(name: string, command: string, env: Record<string, string> = {}): string {
		const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
		if (!this.started) {
			// A window that holds the session open while the measured ones come and go.
			this.run('-f', '/dev/null', 'new-session', '-d', '-s', 'bench', '-n', 'hold', '-x', String(this.columns), '-y', String(this.rows), 'exec sleep 100000');
			this.run('set-option', '-t', 'bench', 'status', 'off');
			this.started = true;
		}
		this.run('new-window', '-d', '-t', 'bench', '-n', name, ...envArgs, command);
		this.run('set-option', '-w', '-t', `bench:${name}`, 'remain-on-exit', 'on');
		return `bench:${name}`;
	}

	pid(target: string): number {
		return Number(this.run('display-message', '-p', '-t', target, '#{pane_pid}').trim());
	}

	capture(target: string): string {
		return this.run('capture-pane', '-p', '-t', target);
	}

	keys(target: string, ...keys: string[]): void {
		this.run('send-keys', '-t', target, ...keys);
	}

	/** Append what the window's program writes (raw bytes) to `file`. */
	pipe(target: string, file: string): void {
		this.run('pipe-pane', '-O', '-t', target, `cat >> ${file}`);
	}

	kill(target: string): void {
		try {
			this.run('kill-window', '-t', target);
		} catch {
			// gone
		}
	}

	/** Stop the server (the caller removes `dir`). */
	close(): void {
		try {
			this.run('kill-server');
		} catch {
			// gone
		}
	}
}
