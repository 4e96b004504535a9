/**
A real terminal for end-to-end tests: a private tmux server (its own socket, so nothing touches the user's
tmux), one pane running bash, the raw bytes the pane's program writes recorded with pipe-pane.
*/
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

export function tmuxAvailable(): boolean {
	return spawnSync('tmux', ['-V'], {stdio: 'ignore'}).status === 0;
}

export class TmuxPane {
	readonly dir = mkdtempSync(join(tmpdir(), 'mycotop-tmux-'));
	readonly socket = join(this.dir, 'sock');
	readonly rawFile = join(this.dir, 'raw.out');
	private readonly session = 'e2e';

	constructor(columns: number, rows: number, env: Readonly<Record<string, string>> = {}) {
		const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
		this.tmux('-f', '/dev/null', 'new-session', '-d', '-s', this.session, '-x', String(columns), '-y', String(rows), ...envArgs, 'bash --norc --noprofile');
		this.tmux('set-option', '-t', this.session, 'status', 'off');
		this.tmux('set-option', '-g', 'escape-time', '10');
		this.tmux('resize-window', '-t', this.session, '-x', String(columns), '-y', String(rows));
	}

	tmux(...args: string[]): string {
		return execFileSync('tmux', ['-S', this.socket, ...args], {encoding: 'utf8'});
	}

	/** Type a line of shell into the pane. */
	run(command: string): void {
		this.tmux('send-keys', '-t', this.session, '-l', command);
		this.tmux('send-keys', '-t', this.session, 'Enter');
	}

	/** Send keys as tmux names them ('q', 'Tab', 'C-c', 'Enter') or literal text with `literal`. */
	keys(keys: string, literal = true): void {
		this.tmux('send-keys', '-t', this.session, ...(literal ? ['-l', keys] : [keys]));
	}

	/** Start recording what the pane's program writes (raw bytes, escape sequences included). */
	record(): void {
		this.tmux('pipe-pane', '-O', '-t', this.session, `cat >> ${this.rawFile}`);
	}

	raw(): string {
		return existsSync(this.rawFile) ? readFileSync(this.rawFile, 'latin1') : '';
	}

	/** The visible screen, one string per row (all rows, trailing blank rows included). */
	screen(): string[] {
		const rows = Number(this.format('#{pane_height}'));
		const lines = this.tmux('capture-pane', '-p', '-t', this.session).replace(/\n$/, '').split('\n');
		while (lines.length < rows) lines.push('');
		return lines;
	}

	format(spec: string): string {
		return this.tmux('display-message', '-p', '-t', this.session, spec).trim();
	}

	resize(columns: number, rows: number): void {
		this.tmux('resize-window', '-t', this.session, '-x', String(columns), '-y', String(rows));
	}

	close(): void {
		try {
			this.tmux('kill-server');
		} catch {
			// already gone
		}
		rmSync(this.dir, {recursive: true, force: true});
	}
}

/**
The frames in a raw recording: Ink 6.8 wraps every frame in synchronized-update marks (ESC[?2026h ... ESC[?2026l)
on a TTY. Returns the number of lines each frame drew (newlines in it).
*/
export function frameHeights(raw: string): number[] {
	const heights: number[] = [];
	const re = /\u001B\[\?2026h([\s\S]*?)\u001B\[\?2026l/g;
	for (const match of raw.matchAll(re)) heights.push((match[1]!.match(/\n/g) ?? []).length);
	return heights;
}
