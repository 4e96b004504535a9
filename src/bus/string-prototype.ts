/**
String.prototype back in fast mode after ioredis is loaded.

ioredis defines `class VerbatimString extends String` (resp/verbatim-string.js) when it is loaded, and never makes
one unless a RESP3 server sends a verbatim string. Making String.prototype the prototype of a new class puts it in
V8's dictionary mode (a prototype is made fast again only once an instance of a class below it is written to), and
then every `text.charCodeAt(i)`, `text.slice()`, `text.startsWith()` ... in optimized code looks its method up in a
dictionary instead of calling it inline: a loop of charCodeAt over a 24-character timestamp takes about 330 ns
instead of 50 ns (Node 20, bench/ingest-inproc.ts). mycotop's validation reads every message's ids and timestamp
that way, once per message.

Writing a property to an instance of a String subclass makes V8 turn the prototype chain fast again. Whatever
defines a String subclass later (nothing in mycotop or its dependencies does after start) would undo it; calling this
again is harmless. Nothing observable changes: no property of String.prototype is added, removed or replaced.
*/

/** A String subclass whose instances are written to once (the write is what restores the prototype chain). */
class PrototypeWarmer extends String {
	// Declared, not initialized: the constructor's plain write (a store that adds the property) is what V8 reacts to.
	declare warmed: boolean;
	constructor() {
		super('');
		this.warmed = true;
	}
}

/** Put String.prototype back in V8's fast mode (see the module comment). Cheap; safe to call any number of times. */
export function restoreFastStringPrototype(): void {
	new PrototypeWarmer();
}
