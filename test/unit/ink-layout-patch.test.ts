/**
The layout patch of Ink's dom.js (scripts/ink-patches.mjs): a Text whose new text keeps the cells Yoga measured is
not marked dirty, so a frame whose changes all keep their cells costs no layout. It must never change a layout: after
any sequence of text changes, every node of the tree is laid out exactly as stock Ink lays out the same tree given the
same changes (not always as a tree built afresh: Yoga's cached measurements make stock Ink's layout depend on the
history of a wrapped text that shrinks). The patched module is written next to the installed packages and imports
Ink's own measure, wrap and squash modules and the same yoga-layout.
*/
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {patchSource} from '../../scripts/ink-patches.mjs';

const modules = fileURLToPath(new URL('../../node_modules/', import.meta.url));
const build = join(modules, 'ink', 'build');

interface YogaNode {
	calculateLayout(width?: number, height?: number, direction?: number): void;
	isDirty(): boolean;
	getComputedLeft(): number;
	getComputedTop(): number;
	getComputedWidth(): number;
	getComputedHeight(): number;
}
interface DomNode {
	readonly nodeName: string;
	readonly yogaNode?: YogaNode;
	readonly childNodes: DomNode[];
}
interface Dom {
	createNode(name: string): DomNode;
	createTextNode(text: string): DomNode;
	appendChildNode(parent: DomNode, child: DomNode): void;
	setStyle(node: DomNode, style: Record<string, unknown>): void;
	setTextNodeValue(node: DomNode, text: string): void;
}
type ApplyStyles = (yogaNode: YogaNode, style: Record<string, unknown>) => void;

interface Ink {
	readonly dom: Dom;
	readonly applyStyles: ApplyStyles;
}

async function doms(): Promise<{stock: Ink; patched: Ink}> {
	const dir = join(modules, '.cache', 'mycotop');
	mkdirSync(dir, {recursive: true});
	const stockPath = join(build, 'dom.js');
	let source = patchSource(stockPath, readFileSync(stockPath, 'utf8'))!;
	for (const name of ['measure-text', 'wrap-text', 'squash-text-nodes']) source = source.replace(`'./${name}.js'`, `'${pathToFileURL(join(build, `${name}.js`)).href}'`);
	const file = join(dir, 'ink-dom.patched.js');
	writeFileSync(file, source);
	const applyStyles = ((await import(pathToFileURL(join(build, 'styles.js')).href)) as {default: ApplyStyles}).default;
	return {
		stock: {dom: (await import(pathToFileURL(stockPath).href)) as Dom, applyStyles},
		patched: {dom: (await import(pathToFileURL(file).href)) as Dom, applyStyles},
	};
}

/** A box of the tree: texts side by side (a row) or one under the other (a column), or a box one line tall that cuts them. */
interface RowSpec {
	readonly texts: ReadonlyArray<{readonly wrap: 'wrap' | 'truncate-end' | 'truncate-middle'; readonly grow: boolean; readonly inColumn: boolean}>;
	readonly height1: boolean;
	readonly column: boolean;
}

interface Tree {
	readonly root: DomNode;
	/** The #text node of each Text, row by row. */
	readonly leaves: DomNode[];
	/** Every node with a layout, in a fixed order. */
	readonly boxes: DomNode[];
}

function buildTree({dom, applyStyles}: Ink, width: number, rows: readonly RowSpec[], texts: readonly string[]): Tree {
	const styled = (name: string, style: Record<string, unknown>) => {
		const node = dom.createNode(name);
		dom.setStyle(node, style);
		applyStyles(node.yogaNode!, style);
		return node;
	};
	const root = styled('ink-root', {flexDirection: 'column', width});
	const leaves: DomNode[] = [];
	const boxes: DomNode[] = [root];
	let k = 0;
	for (const row of rows) {
		const box = styled('ink-box', {flexDirection: row.column ? 'column' : 'row', ...(row.height1 ? {height: 1, overflow: 'hidden'} : {})});
		dom.appendChildNode(root, box);
		boxes.push(box);
		for (const spec of row.texts) {
			const text = styled('ink-text', {flexGrow: spec.grow ? 1 : 0, flexShrink: 1, flexDirection: 'row', textWrap: spec.wrap});
			const leaf = dom.createTextNode(texts[k++] ?? '');
			dom.appendChildNode(text, leaf);
			if (spec.inColumn) {
				// A Text alone in a column box of its own width (the header's clock).
				const inner = styled('ink-box', {flexDirection: 'column', flexShrink: 0});
				dom.appendChildNode(inner, text);
				dom.appendChildNode(box, inner);
				boxes.push(inner);
			} else dom.appendChildNode(box, text);
			leaves.push(leaf);
			boxes.push(text);
		}
	}
	return {root, leaves, boxes};
}

function layoutOf(tree: Tree): number[][] {
	tree.root.yogaNode!.calculateLayout(undefined, undefined, 1);
	return tree.boxes.map((n) => [n.yogaNode!.getComputedLeft(), n.yogaNode!.getComputedTop(), n.yogaNode!.getComputedWidth(), n.yogaNode!.getComputedHeight()]);
}

const sample = fc.constantFrom('', 'ab', 'xy', 'abc', '12%', '99%', '100%', '中文', 'a\nb', 'c\nd', 'a\nbc', 'a much longer line of text', 'another long line here!!', '\u001B[31mab\u001B[39m', '⣿⣀');
const rowSpec: fc.Arbitrary<RowSpec> = fc.record({
	texts: fc.array(fc.record({wrap: fc.constantFrom('wrap' as const, 'truncate-end' as const, 'truncate-middle' as const), grow: fc.boolean(), inColumn: fc.boolean()}), {minLength: 1, maxLength: 3}),
	height1: fc.boolean(),
	column: fc.boolean(),
});

describe('Ink layout: a text change that keeps its cells leaves the layout clean', () => {
	it('lays every node out as stock Ink does, for any sequence of text changes', async () => {
		const {stock, patched} = await doms();
		fc.assert(
			fc.property(
				fc.integer({min: 4, max: 30}),
				fc.array(rowSpec, {minLength: 1, maxLength: 4}),
				fc.array(sample, {minLength: 12, maxLength: 12}),
				fc.array(fc.array(fc.tuple(fc.nat(11), sample), {maxLength: 4}), {minLength: 1, maxLength: 6}),
				(width, rows, first, frames) => {
					const before = buildTree(stock, width, rows, first);
					const after = buildTree(patched, width, rows, first);
					expect(layoutOf(after)).toEqual(layoutOf(before));
					for (const changes of frames) {
						for (const [at, text] of changes) {
							const i = at % after.leaves.length;
							stock.dom.setTextNodeValue(before.leaves[i]!, text);
							patched.dom.setTextNodeValue(after.leaves[i]!, text);
						}
						expect(layoutOf(after)).toEqual(layoutOf(before));
					}
				},
			),
			{numRuns: 3000},
		);
	});

	it('marks a Text dirty only when its cells change or it did not fit', async () => {
		const ink = (await doms()).patched;
		const tree = buildTree(ink, 10, [{texts: [{wrap: 'truncate-end', grow: false, inColumn: false}, {wrap: 'wrap', grow: false, inColumn: false}], height1: false, column: true}], ['ab', 'a long line of text']);
		layoutOf(tree);
		const [short, long] = tree.leaves;
		const text = (leaf: DomNode) => tree.boxes.find((b) => b.childNodes.includes(leaf))!.yogaNode!;
		// The same cells: no layout to redo.
		ink.dom.setTextNodeValue(short!, 'xy');
		expect(text(short!).isDirty()).toBe(false);
		// Other cells: measured again, and laid out by them.
		ink.dom.setTextNodeValue(short!, 'x\ny');
		expect(text(short!).isDirty()).toBe(true);
		layoutOf(tree);
		expect(text(short!).getComputedHeight()).toBe(2);
		expect(text(long!).getComputedTop()).toBe(2);
		// A text that was wrapped to fit: measured again even for a text as wide.
		ink.dom.setTextNodeValue(long!, 'the long line of words');
		expect(text(long!).isDirty()).toBe(true);
		// In a row, where the texts share the width by their own: measured again.
		const row = buildTree(ink, 10, [{texts: [{wrap: 'truncate-end', grow: false, inColumn: false}], height1: false, column: false}], ['ab']);
		layoutOf(row);
		ink.dom.setTextNodeValue(row.leaves[0]!, 'xy');
		expect(row.boxes[2]!.yogaNode!.isDirty()).toBe(true);
	});
});
