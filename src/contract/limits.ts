/**
The one table of limits for every number and string that comes from outside (bus messages, stream entries,
history read back from Redis at start). Validators (`validate.ts`) and hydration use these constants and nothing
else, so a bound is changed here or nowhere. A value outside its range is rejected with a reason and counted,
never stored; the exceptions (named below) are the timestamp rules, which convert or clamp and count.

| limit | value | outside it |
|---|---|---|
| message size | 64 KiB (UTF-8 bytes) | rejected `payload too large` |
| id length | 1..128 UTF-16 units | rejected `<kind>: invalid <field>` |
| timestamp window | 1990-01-01 .. 2100-01-01 UTC | rejected `<kind>: timestamp out of range` |
| future skew | receive time + 5 min | clamped to the receive time, counted `futureClamped` |
| numeric timestamp units | by magnitude: s < 1e11 <= ms < 1e14 <= µs < 1e17 <= ns < 1e20 | µs and ns converted to ms, counted `unitConverted`; >= 1e20 rejected |
| numeric timestamp strings | plain decimal digits, optionally a fraction (`"1700000000"`, `"1700000000.5"`), read by magnitude as above | hex, sign, exponent, surrounding spaces, `Infinity`: rejected `<kind>: invalid timestamp` (never trimmed, never handed to Date.parse) |
| stored timestamp | as sent: a zoned ISO date-time (`YYYY-MM-DDTHH:mm[:ss[.sss]]` + `Z` or `±HH:mm`) or epoch ms (a number) | anything else accepted (epoch seconds, µs, ns, numeric strings, other date forms, clamped) stored as ISO UTC (`.toISOString()`), so `new Date(timestamp)` reads every stored one |
| step | 0 .. 2^53 - 1 (Number.MAX_SAFE_INTEGER) | rejected `training: invalid step` |
| loss | finite within ±1e38, or NaN / ±Infinity | rejected `training: invalid loss` |
| wer | finite within 0 .. 1e4, or NaN / ±Infinity | rejected `training: invalid wer` |
| duration (task, workflow step) | 0 .. 31,536,000 s (365 days) | rejected `task: invalid duration_seconds` |
| taskCount | 0 .. 1,000,000 | rejected `agent: invalid taskCount` |
| pid (training, optional) | integer 1 .. 4,194,304 (Linux's PID_MAX_LIMIT) | rejected `training: invalid pid` |
| project energy read back (kWh, GPU-hours) | 0 .. 1e9 | the project's stored energy skipped and counted |
| counters read back (tasks_completed, completed_today) | 0 .. 1e12 | entry skipped and counted |

Agent, error, workflow-step and external-alert messages keep a lenient timestamp: an unreadable or out-of-window
one becomes the receive time (it never rejects the message, and never lets an unbounded number through).
*/

/** Messages larger than this (UTF-8 bytes) are refused before parsing. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** Longest identifier (project, agent, task, workflow, step, error id) accepted, in UTF-16 code units. */
export const MAX_ID_LENGTH = 128;

/** Longest timestamp string read at all (anything longer is not a timestamp any parser here reads): invalid. */
export const MAX_TIMESTAMP_TEXT = 64;

/**
Earliest timestamp accepted: 1990-01-01T00:00:00Z. Earlier readings are a clock that was never set (1970) or a
small number mistaken for a time; both are rejected. Well above JavaScript Date's range limit (±8.64e15 ms).
*/
export const MIN_TIMESTAMP_MS = Date.UTC(1990, 0, 1);

/**
Latest timestamp accepted at all: 2100-01-01T00:00:00Z. Beyond it a number is not a time (1e308, a wrong unit
that no magnitude rule recognises); it is rejected. Between the future skew and this bound, see FUTURE_SKEW_MS.
*/
export const MAX_TIMESTAMP_MS = Date.UTC(2100, 0, 1);

/**
How far ahead of the receive clock an event may be stamped: 5 minutes (clocks of one box's producers drift by
seconds; NTP-less containers by minutes). A later stamp is clamped to the receive time and counted as
`futureClamped`, so one message from a wrong clock can neither move "today" nor hide behind every later point,
and the data itself is kept (a box whose clock is ahead still shows its training).
*/
export const FUTURE_SKEW_MS = 5 * 60_000;

/**
Numeric timestamps are read by magnitude (epoch values of 1990..2100 in each unit do not overlap):
below 1e11 seconds (Python `time.time()`), below 1e14 milliseconds (JavaScript `Date.now()`), below 1e17
microseconds, below 1e20 nanoseconds (Python `time.time_ns()`, Go `UnixNano`). Microseconds and nanoseconds are
converted to milliseconds (and stored as an ISO string, which every reader of the seed's lists understands);
they are counted as `unitConverted`. Seconds are stored as an ISO string too (not counted): the seed's readers do
`new Date(timestamp)`, which reads 1700000000 as 1970-01-20. Milliseconds are stored as sent, byte for byte.
1e20 and above, negatives, NaN and ±Infinity are rejected.
*/
export const TIMESTAMP_UNIT_BOUNDS = {seconds: 1e11, milliseconds: 1e14, microseconds: 1e17, nanoseconds: 1e20} as const;

/**
Largest training step: 2^53 - 1 (Number.MAX_SAFE_INTEGER). Beyond it consecutive steps are the same double, so
a step is no longer a position. (Some producers use an epoch in ms as the step; that stays far below.)
*/
export const MAX_STEP = Number.MAX_SAFE_INTEGER;

/**
Largest finite |loss|: 1e38, about float32's maximum (3.4e38). A diverging run reports NaN or ±Infinity, which
stay accepted (the NaN-loss rule depends on them); a finite number beyond float32 is not a loss a trainer
computed, and its square would overflow the statistics (variance, smoothing) to Infinity.
*/
export const MAX_ABS_LOSS = 1e38;

/** Largest finite WER: 1e4 (WER may exceed 1, or 100 in percent, with insertions; 10,000 is not a rate). Negative WER is rejected. */
export const MAX_WER = 1e4;

/** Longest task or workflow-step duration: 365 days, in seconds. The SLA is 30 minutes; a year is a wrong unit. */
export const MAX_DURATION_SECONDS = 365 * 86_400;

/** Most tasks one agent can report as current (`taskCount`). */
export const MAX_TASK_COUNT = 1_000_000;

/**
Largest process id a training message may carry (`pid`): 4,194,304, Linux's PID_MAX_LIMIT (2^22, the most
`/proc/sys/kernel/pid_max` can be set to). An integer only: 0, negatives, fractions and anything larger are not pids.
*/
export const MAX_PID = 4_194_304;

/**
Largest energy (kWh) or GPU time (GPU-hours) of one project read back from Redis (`metrics:training:{id}:energy`):
1e9, a thousand years of a 100 kW box. Beyond it the stored figure is corrupt.
*/
export const MAX_STORED_ENERGY = 1e9;

/** Largest counter read back from Redis (completed_today, tasks_completed): beyond it the hash is corrupt. */
export const MAX_COUNTER = 1e12;

/**
The fleet (src/fleet): hosts read from the registry per poll (the most recently seen first; beyond it the rest are
counted, not read), GPUs read per host, and the firing-alert count a summary may claim. A summary figure outside its
range (GPU figures: the sampler's own ranges times the GPU count) is left unknown and the host's summary counted
as malformed.
*/
export const MAX_FLEET_HOSTS = 512;
export const MAX_HOST_GPUS = 64;
export const MAX_FIRING_ALERTS = 1_000_000;
