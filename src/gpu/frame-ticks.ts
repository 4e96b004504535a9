/**
Other parts' periodic work on the GPU frame's tick. The host sampler and the fleet line run at the GPU sampling
period; driven by the frames (with their own timers as the fallback), their writes go in the frame's transaction and
the process wakes once a period instead of three times.
*/

/**
Whether frame ticks stand in for a timer of period `intervalMs` at `nowMs`: the last one came within one and a half
periods (a late frame does not make the timer run the work twice; frames that stop hand the work back to the timer
within two periods). Pure.
*/
export function frameTicksCover(lastTickMs: number, nowMs: number, intervalMs: number): boolean {
	return nowMs - lastTickMs <= 1.5 * intervalMs;
}
