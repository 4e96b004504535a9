/**
A seeded generator of hostile bus messages. Every message comes with the verdict the contract demands
('stored' or 'rejected'), decided by how it was built, never by running the validator, so tests can count exactly.
*/
import {ALERT_CHANNELS, INPUT_CHANNELS} from '../../src/contract/names.js';
import {seededRandom as prng} from '../../src/demo/seeded-random.js';

type Verdict = 'stored' | 'rejected';

export interface FuzzMessage {
	readonly channel: string;
	readonly raw: string;
	readonly verdict: Verdict;
	readonly kind: string;
}

export {seededRandom as prng} from '../../src/demo/seeded-random.js';

/**
Escape sequences and control characters an attacker would send. The `PWNED-…` markers sit inside sequences whose
whole body a terminal would swallow, so they must never appear in the output at all.
*/
/**
Escape sequences of shapes a renderer legitimately writes (so the shape-based audit allows them), with parameters
Ink never writes: finding one of these exact strings in the terminal's bytes means an injection got through.
*/
export const TELLTALE_SEQUENCES: readonly string[] = ['\u001b[38;2;1;2;3m', '\u001b[7;13H', '\u001b[?1049;2004l', '\u001b[3J\u001b[5;5H'];

export const INJECTIONS: readonly string[] = [
	'\u001b]52;c;UFdORUQtQ0xJUEJPQVJE\u0007', // OSC 52: write the clipboard
	'\u001b]52;c;UFdORUQtQ0xJUEJPQVJE\u001b\\',
	'\u001b]0;PWNED-TITLE\u0007', // OSC 0: window title
	'\u001b]2;PWNED-TITLE2\u001b\\',
	'\u001b]8;;https://evil.example/PWNED-LINK\u001b\\click\u001b]8;;\u001b\\', // OSC 8 hyperlink
	'\u009d0;PWNED-C1-TITLE\u009c', // 8-bit OSC
	'\u001b[2J', // CSI 2J: clear the screen
	'\u001b[3J\u001b[H',
	'\u001b[?1049l', // leave the alternate screen
	'\u001b[31;1;5m', // SGR
	// Allowed shapes (CSI m/H/?l) with parameters the renderer never writes, so getting through is detectable:
	...TELLTALE_SEQUENCES,
	'\u001b[6n', // device status report (makes the terminal answer on stdin)
	'\u001b[21t', // report the window title
	'\u009b2J', // 8-bit CSI
	'\u001bP+qPWNED-DCS\u001b\\', // DCS
	'\u001b_PWNED-APC\u001b\\', // APC
	'\u001b^PWNED-PM\u001b\\', // PM
	'\u001bXPWNED-SOS\u001b\\', // SOS
	'\u001bc', // RIS: full reset
	'\u001b', // lone ESC
	'\u202e', // right-to-left override
	'\u2066\u2067\u2068\u2069', // bidi isolates
	'\u200b\u200d\ufeff', // zero-width
	'\r', // carriage return: overwrites the line
	'\b\b\b', // backspace
	'\u0007', // BEL
	'\u0000', // NUL
	'\u007f', // DEL
	'\u0085', // NEL (C1)
	'\ud800', // lone surrogate
	'e\u0301\u0301\u0301\u0301', // stacked combining marks
	'名前テスト', // CJK
	'😀👩‍💻', // emoji, ZWJ
	'\u0627\u0644\u0639\u0631\u0628\u064a\u0629', // Arabic
];

const NON_JSON_PREFIXES: readonly string[] = ['x', '\u001b[2J', '<', "'", 'NaN-', '\u0000', '}{'];

const SAFE_IDS = ['proj-a', 'proj_b', 'проект-1', '训练-2', 'über.3', 'p4', 'asr-conformer', 'lm.7b', 'run#9', 'x'.repeat(128)];
const SAFE_AGENTS = ['ml-engineer', 'data-analyst', 'qa', 'агент', 'ops_1', 'ml-ops', 'w7', 'reviewer', 'trainer', 'scheduler'];

export class FuzzGenerator {
	private readonly random: () => number;

	constructor(seed: number) {
		this.random = prng(seed);
	}

	private int(n: number): number {
		return Math.floor(this.random() * n);
	}

	private pick<T>(items: readonly T[]): T {
		return items[this.int(items.length)]!;
	}

	/** A string of 1-6 injections mixed with plain words. */
	hostileText(): string {
		let out = '';
		const parts = 1 + this.int(6);
		for (let i = 0; i < parts; i++) out += (this.random() < 0.5 ? `w${this.int(1000)} ` : '') + this.pick(INJECTIONS);
		return out;
	}

	/** A value of a random JSON type, never a usable number or identifier. */
	private wrongType(): unknown {
		switch (this.int(8)) {
			case 0:
				return null;
			case 1:
				return true;
			case 2:
				return {};
			case 3:
				return [1, 2];
			case 4:
				return '';
			case 5:
				return this.hostileText();
			case 6:
				return {nested: {deeper: [this.hostileText()]}};
			default:
				return 'abc';
		}
	}

	/** An identifier the validator must refuse: control sequences, whitespace, glob characters, too long, empty. */
	private badId(): string {
		switch (this.int(5)) {
			case 0:
				return `id${this.pick(INJECTIONS.filter((s) => /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff\ud800]/.test(s)))}`;
			case 1:
				return 'has space';
			case 2:
				return `glob*${this.int(9)}`;
			case 3:
				return 'y'.repeat(129);
			default:
				return '';
		}
	}

	/** Deep nesting: an array `depth` levels deep (JSON stays under 64 KiB). */
	deep(depth: number): string {
		return `${'['.repeat(depth)}${']'.repeat(depth)}`;
	}

	private number(): unknown {
		switch (this.int(6)) {
			case 0:
				return this.random() * 10;
			case 1:
				return 'NaN';
			case 2:
				return 'Infinity';
			case 3:
				return '-inf';
			case 4:
				return String(this.random());
			default:
				return this.int(1e6);
		}
	}

	/** A WER-like number: as `number()`, with large integers scaled into 0..1 (a WER beyond 1e4 is refused, see limits.ts). */
	private rate(): unknown {
		const n = this.number();
		return typeof n === 'number' && n > 1 ? n / 1e6 : n;
	}

	private timestamp(): Record<string, unknown> {
		switch (this.int(4)) {
			case 0:
				return {};
			case 1:
				return {timestamp: new Date(1_790_000_000_000 + this.int(1e9)).toISOString()};
			case 2:
				return {timestamp: 1_790_000_000 + this.int(1e6)};
			default:
				return {timestamp: 1_790_000_000_000 + this.int(1e9)};
		}
	}

	/** A JSON object the contract accepts on `channel`, with hostile text wherever free text is allowed. */
	private valid(channel: string): {raw: string; kind: string} {
		const extra = this.random() < 0.3 ? {note: this.hostileText(), nested: JSON.parse(this.deep(1 + this.int(400))) as unknown} : {};
		let body: Record<string, unknown>;
		switch (channel) {
			case INPUT_CHANNELS.trainingProgress: {
				body = {projectId: this.pick(SAFE_IDS), step: this.int(1e6), loss: this.number(), ...(this.random() < 0.3 ? {wer: this.rate()} : {}), ...this.timestamp(), ...extra};
				// Python's json.dumps writes bare NaN / Infinity tokens.
				const raw = JSON.stringify(body);
				if (this.random() < 0.2) return {raw: raw.replace(/"loss":"(NaN|Infinity)"/, '"loss":$1'), kind: 'valid-bare-token'};
				return {raw, kind: 'valid'};
			}
			case INPUT_CHANNELS.taskUpdates:
				body = {taskId: `t-${this.int(1e9)}`, status: this.pick(['done', 'completed', 'failed', 'running', 'queued']), agent: this.pick(SAFE_AGENTS), duration_seconds: this.int(7200), ...this.timestamp(), ...extra};
				break;
			case INPUT_CHANNELS.agentStatus:
				body = {agentType: this.pick(SAFE_AGENTS), status: this.pick(['busy', 'idle']), taskCount: this.int(20), ...extra};
				break;
			case INPUT_CHANNELS.errorsCritical:
				body = {errorId: `e-${this.int(1e9)}`, message: this.hostileText(), ...extra};
				break;
			case INPUT_CHANNELS.workflowSteps:
				body = {workflowId: this.pick(SAFE_IDS), stepId: `s${this.int(2)}`, duration: this.random() * 100, ...extra};
				break;
			default:
				// Alert channels: any object is an alert; every string in it is hostile (never our own source).
				body = {severity: this.hostileText(), type: this.hostileText(), message: this.hostileText(), source: `agent ${this.hostileText()}`, ...extra};
		}
		return {raw: JSON.stringify(body), kind: 'valid'};
	}

	/** Something the contract refuses on `channel`. */
	private invalid(channel: string): {raw: string; kind: string} {
		const isAlert = Object.values(ALERT_CHANNELS).includes(channel as never);
		// About 1 % just over the 64 KiB limit (the 1 MB ones come separately, see `megabyte`).
		if (this.random() < 0.01) return {raw: JSON.stringify({pad: 'p'.repeat(64 * 1024)}), kind: 'too-large'};
		const kinds = isAlert ? 3 : 6;
		switch (this.int(kinds)) {
			case 0:
				return {raw: this.pick(NON_JSON_PREFIXES) + this.hostileText(), kind: 'not-json'};
			case 1:
				return {raw: JSON.stringify(this.pick([[1, 2], 42, 'str', null, true, this.hostileText()])), kind: 'not-object'};
			case 2:
				return {raw: this.deep(2000 + this.int(20_000)), kind: 'deep-nesting'};
			case 3:
				return {raw: JSON.stringify(this.badIdentifiers(channel)), kind: 'bad-identifier'};
			case 4:
				return {raw: JSON.stringify(this.wrongTypes(channel)), kind: 'wrong-types'};
			default:
				return {raw: JSON.stringify({...this.wrongTypes(channel), timestamp: 'not-a-time'}), kind: 'wrong-types'};
		}
	}

	private badIdentifiers(channel: string): Record<string, unknown> {
		switch (channel) {
			case INPUT_CHANNELS.trainingProgress:
				return {projectId: this.badId(), step: 1, loss: 1};
			case INPUT_CHANNELS.taskUpdates:
				return {taskId: 't1', status: 'done', agent: this.badId(), duration_seconds: 5};
			case INPUT_CHANNELS.agentStatus:
				return {agentType: this.badId(), status: 'busy', taskCount: 1};
			case INPUT_CHANNELS.errorsCritical:
				return {errorId: this.badId(), message: 'x'};
			default:
				return {workflowId: this.badId(), stepId: 's', duration: 1};
		}
	}

	/** The channel's shape with one required field of a wrong type (never a usable value). */
	private wrongTypes(channel: string): Record<string, unknown> {
		switch (channel) {
			case INPUT_CHANNELS.trainingProgress:
				return this.random() < 0.5 ? {projectId: 'proj-a', step: this.wrongType(), loss: 1} : {projectId: 'proj-a', step: 1, loss: this.wrongType()};
			case INPUT_CHANNELS.taskUpdates:
				return {taskId: 't1', status: 'done', agent: 'qa', duration_seconds: this.pick([-1, 'abc', {}, [], true])};
			case INPUT_CHANNELS.agentStatus:
				return {agentType: 'qa', status: this.pick(['BUSY', 'sleeping', 1, null, this.hostileText()])};
			case INPUT_CHANNELS.errorsCritical:
				return {errorId: this.pick([{}, [], true, null, 1.5e300 * 1e10])};
			default:
				return {workflowId: 'wf', stepId: 's', duration: this.pick([-5, 'abc', {}, null, true])};
		}
	}

	/** `count` messages for `channel`, about 60 % refused. */
	corpus(channel: string, count: number): FuzzMessage[] {
		const out: FuzzMessage[] = [];
		for (let i = 0; i < count; i++) {
			if (this.random() < 0.4) {
				const m = this.valid(channel);
				out.push({channel, raw: m.raw, verdict: 'stored', kind: m.kind});
			} else {
				const m = this.invalid(channel);
				out.push({channel, raw: m.raw, verdict: 'rejected', kind: m.kind});
			}
		}
		return out;
	}

	/** A 1 MB payload (refused unparsed), optionally full of escape sequences. */
	megabyte(channel: string): FuzzMessage {
		const chunk = this.hostileText();
		let raw = '{"payload":"';
		while (raw.length < 1024 * 1024) raw += JSON.stringify(chunk).slice(1, -1);
		return {channel, raw: `${raw}"}`, verdict: 'rejected', kind: '1mb'};
	}
}

/**
True when `text` holds nothing a terminal would act on: no C0 or C1 control, no DEL, no bidi control, no
zero-width or separator character, no lone surrogate. (Emoji and other well-formed surrogate pairs are fine.)
*/
export function hasNoControls(text: string): boolean {
	return !/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}
