// The first two lines of the bin (dist/bundle/cli.js), in place of `#!/usr/bin/env node`. Run as a program (the
// `mycotop` command), /bin/sh reads them: it caps glibc's malloc arenas at two, unless MALLOC_ARENA_MAX is already
// set, and replaces itself with node running the same file (exec: no wrapper process stays behind, the cost is one
// sh start, about a millisecond). Run by `node cli.js`, node skips the first line and the second is a string and a
// comment, so the file is the same module either way.
//
// Why: glibc gives each thread that allocates while another holds the lock an arena of its own (up to 8 per core),
// and V8's background threads (concurrent marking, sweeping, compilation) each got one that stays resident: about
// 8 MB of the dashboard's memory (BENCHMARKS.md). glibc reads the variable once, when the process starts, so node
// cannot set it on itself: it has to be in the environment before node runs.

//
// With `--headless` among the arguments (the collector every box of a fleet runs, under systemd), node also gets
// HEADLESS_NODE_FLAGS, which V8 reads only from the command line (not from NODE_OPTIONS, and too late when set from
// inside the process): young-generation semi-spaces of 8 MB instead of 1 MB, so the collector's steady trickle of
// short-lived objects (about 0.75 MB a second) is scavenged every ten seconds or so instead of more than once a
// second, and garbage collection on the main thread alone, without waking V8's helper threads for a heap this small.
// Together: 0.97 -> 0.75 % of a core (bench:collector, BENCHMARKS.md), for a few MB more of RSS. `MYCOTOP_HEAP=v8`
// keeps V8's own settings, as it does for the dashboard's lean heap (src/lean-heap.ts).

/** The node flags the launcher adds for `--headless`. */
export const HEADLESS_NODE_FLAGS = ['--min-semi-space-size=8', '--single-threaded-gc'];

/** The bin's first lines. */
export const LAUNCHER =
	'#!/bin/sh\n":" //; export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"; ' +
	`if [ "\${MYCOTOP_HEAP:-}" != v8 ]; then for a; do [ "$a" != --headless ] || exec node ${HEADLESS_NODE_FLAGS.join(' ')} "$0" "$@"; done; fi; ` +
	'exec node "$0" "$@"\n';

/** `text` (a bundled entry that starts with node's hashbang) with the launcher in its place. Throws when the text does
not start with the hashbang: a build must not ship a bin that sh cannot run. */
export function withLauncher(text) {
	const hashbang = '#!/usr/bin/env node\n';
	if (!text.startsWith(hashbang)) throw new Error(`launcher: the entry does not start with ${JSON.stringify(hashbang)}`);
	const rest = text.slice(hashbang.length);
	// The launcher's second line is the statement `":"`: code that follows it starting with ( [ or ` would be read as a
	// call or an index of that string (no semicolon is inserted before them).
	if (/^[([`]/.test(rest)) throw new Error('launcher: the entry\'s first statement starts with ( [ or `, which would continue the launcher\'s line');
	return LAUNCHER + rest;
}
