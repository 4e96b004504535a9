/** Hostile YAML shared by the unit and CLI tests of the file limits (src/config/yaml-file.ts). */

/** "Billion laughs": nine levels of nine aliases, 9^9 strings once expanded. */
export const ALIAS_BOMB = [
	'ui:',
	'  ascii: true',
	'lol: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
	...['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((name, i) => {
		const prev = i === 0 ? 'a' : ['b', 'c', 'd', 'e', 'f', 'g', 'h'][i - 1];
		return `${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`;
	}),
	'',
].join('\n');
