/**
A training list's entries in a pending batch: recorded as packed step records (step-records.ts) while the batch
waits, encoded when the transaction is built, here or in the encoding worker (entry-encoder.ts). To everything that
reads a command (encodeCommand, the embedded and cluster key spaces, the writer's accounting) it is an
EncodedEntries like any other: `count` is exact from the first push, and the bytes and texts are encoded on first
read when nobody encoded them before.
*/
import {EncodedEntries} from '../bus/resp-encode.js';
import {stepEntry, timestampJson} from './seed-entries.js';
import {encodeStepRecords, StepRecords} from './step-records.js';

export class StepEntries extends EncodedEntries {
	private readonly records = new StepRecords();
	/** Entries recorded and not encoded yet. */
	private recorded = 0;

	constructor() {
		super(16);
	}

	/** Append the entry `{"step":S,"value":V,"timestamp":T}` (seed-entries.ts stepEntry, with timestampJson(T)). */
	pushStep(step: number, value: number, timestamp: string | number): void {
		// A timestamp that needs escaping (never a validated one) is recorded as the escaped entry: the bytes are the same.
		if (!this.records.pushStep(step, value, timestamp)) this.records.pushLiteral(stepEntry(step, value, timestampJson(timestamp)));
		this.recorded += 1;
		this.count += 1;
	}

	/** Append an entry as it is (after the steps recorded so far: a list's entries keep the order pushed). */
	override push(text: string): void {
		this.records.pushLiteral(text);
		this.recorded += 1;
		this.count += 1;
	}

	/** Entries not encoded yet. */
	get unencoded(): number {
		return this.recorded;
	}

	/** A copy of the records not encoded yet (for the worker), with how many entries they hold. */
	copyRecords(): {readonly records: Uint8Array; readonly entries: number} {
		// A copy in an ArrayBuffer of its own (new Uint8Array: Buffer's slice() copies nothing), so it can be transferred.
		return {records: new Uint8Array(this.records.records()), entries: this.recorded};
	}

	/**
	Take the encoding of the records copied by copyRecords() when they held `entries` entries; false (nothing taken)
	when the records changed since (encoded here meanwhile, or more recorded), so no entry is ever added twice.
	*/
	adopt(bytes: Uint8Array, entries: number): boolean {
		if (entries !== this.recorded || entries === 0) return false;
		this.appendEncoded(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
		this.records.clear();
		this.recorded = 0;
		return true;
	}

	/** Encode what is recorded, here and now. */
	encodeHere(): void {
		if (this.recorded === 0) return;
		const bytes = encodeStepRecords(this.records.records(), this.records.length);
		this.appendEncoded(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
		this.records.clear();
		this.recorded = 0;
	}

	override get byteLength(): number {
		this.encodeHere();
		return super.byteLength;
	}

	override copyTo(target: Buffer, offset: number): number {
		this.encodeHere();
		return super.copyTo(target, offset);
	}

	override texts(): string[] {
		this.encodeHere();
		return super.texts();
	}
}
