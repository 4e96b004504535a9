/** cluster-key-slot ships no types: the one function mycotop uses (the CRC16 hash slot of a key, 0..16383). */
declare module 'cluster-key-slot' {
	function calculateSlot(key: string | Buffer): number;
	export default calculateSlot;
}
