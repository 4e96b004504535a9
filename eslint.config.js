// The lint step of `npm test` (with tsc's noUnusedLocals/noUnusedParameters and knip's unused exports): no import
// cycle anywhere, and the typescript-eslint checks that catch dead or misleading code.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import {createTypeScriptImportResolver} from 'eslint-import-resolver-typescript';

export default tseslint.config(
	{ignores: ['dist/**', 'node_modules/**', 'test/fixtures/**']},
	{
		files: ['**/*.ts', '**/*.tsx'],
		languageOptions: {parser: tseslint.parser, parserOptions: {ecmaVersion: 2022, sourceType: 'module'}},
		plugins: {'@typescript-eslint': tseslint.plugin, 'import-x': importX},
		settings: {
			'import-x/resolver-next': [createTypeScriptImportResolver({project: './tsconfig.check.json'})],
			'import-x/parsers': {'@typescript-eslint/parser': ['.ts', '.tsx']},
			'import-x/extensions': ['.ts', '.tsx', '.js'],
		},
		rules: {
			'import-x/no-cycle': ['error', {ignoreExternal: true}],
			'import-x/no-self-import': 'error',
			'@typescript-eslint/no-unused-expressions': 'error',
			'@typescript-eslint/no-useless-constructor': 'error',
			'no-unreachable': 'error',
			'no-constant-condition': ['error', {checkLoops: false}],
			'no-self-assign': 'error',
			'no-dupe-keys': 'error',
			'no-duplicate-case': 'error',
		},
	},
);
