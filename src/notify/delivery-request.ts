/**
What delivery is handed to send, as the payload builders (src/notify, the pure core) make it: an HTTP POST, or a
program to run with the payload on its stdin. Plain data; the senders (http-sender.ts, command-runner.ts) do the I/O.
*/

export interface HttpRequest {
	readonly url: string;
	readonly headers: Readonly<Record<string, string>>;
	readonly body: string;
}

export interface CommandRequest {
	/** The program and its arguments (no shell). */
	readonly argv: readonly string[];
	readonly stdin: string;
}

export type DeliveryRequest = HttpRequest | CommandRequest;
