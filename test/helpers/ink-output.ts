/**
Ink's Output class twice: stock (node_modules/ink/build/output.js) and with mycotop's patches applied
(scripts/ink-patches.mjs). The patched module is written next to the installed packages, so it imports the same
slice-ansi, string-width and tokenizer as stock Ink; `name` keeps each test file's copy apart.
*/
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {patchSource} from '../../scripts/ink-patches.mjs';

const modules = fileURLToPath(new URL('../../node_modules/', import.meta.url));
const stockPath = join(modules, 'ink', 'build', 'output.js');

interface OutputLike {
	write(x: number, y: number, text: string, options: {transformers: Array<(line: string, index: number) => string>}): void;
	clip(clip: {x1?: number; x2?: number; y1?: number; y2?: number}): void;
	unclip(): void;
	get(): {output: string; height: number};
}
export type OutputClass = new (options: {width: number; height: number}) => OutputLike;

export async function stockAndPatchedOutput(name: string): Promise<{stock: OutputClass; patched: OutputClass}> {
	const dir = join(modules, '.cache', 'mycotop');
	mkdirSync(dir, {recursive: true});
	const file = join(dir, `ink-output.${name}.patched.js`);
	writeFileSync(file, patchSource(stockPath, readFileSync(stockPath, 'utf8'))!);
	const stock = ((await import(pathToFileURL(stockPath).href)) as {default: OutputClass}).default;
	const patched = ((await import(pathToFileURL(file).href)) as {default: OutputClass}).default;
	return {stock, patched};
}
