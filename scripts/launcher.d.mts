export const HEADLESS_NODE_FLAGS: readonly string[];
export const LAUNCHER: string;
export function withLauncher(text: string): string;
