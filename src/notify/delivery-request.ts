/**
What delivery is handed to send, as the payload builders (src/notify/outbound.ts and payload-*.ts, the pure core)
make it: HTTP POSTs, or a program to run with the payload on its stdin. A notification may need several requests
(PagerDuty takes one event per alert); `key` tells them apart, for the sent-record. Plain data; the senders
(http-sender.ts, command-runner.ts) do the I/O. The core's sealed requests fit these shapes.
*/

export interface HttpRequest {
	readonly url: string;
	readonly headers: Readonly<Record<string, string>>;
	readonly body: string;
	/** Distinguishes the requests of one notification (`trigger:<dedup_key>`); absent: the only one. */
	readonly key?: string;
}

export interface CommandRequest {
	/** The program and its arguments (no shell). */
	readonly argv: readonly string[];
	readonly stdin: string;
	/** The receiver's own timeout, when it has one. */
	readonly timeoutMs?: number;
	readonly key?: string;
}

export type DeliveryRequest = HttpRequest | CommandRequest;
