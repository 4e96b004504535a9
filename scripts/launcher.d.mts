export const LAUNCHER: string;
export function withLauncher(text: string): string;
