// @ts-check
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.vscode-test/**', 'webview-ui/dist/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core is shared by the CLI and plain Node tests: it must never depend on VS Code, nor
    // reach up into the layers built on it.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/core must stay free of vscode.' }],
          patterns: [{ group: ['**/extension/**', '**/cli/**', '**/webview-ui/**', '**/shared/**'], message: 'src/core is the bottom layer: extension, cli, shared and webview-ui build on it, not the other way round.' }],
        },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'the CLI runs without VS Code.' }], patterns: [{ group: ['**/extension/**', '**/webview-ui/**'], message: 'the CLI stands on src/core only.' }] },
      ],
    },
  },
  {
    // The message protocol is imported by both the extension and the webview bundle.
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/shared is bundled into the webview too.' }],
          patterns: [{ group: ['**/extension/**', '**/cli/**', '**/webview-ui/**', '**/core/**', 'node:*'], message: 'src/shared holds only what both the extension and the webview can load.' }],
        },
      ],
    },
  },
  {
    // src/shared is the vocabulary both sides build on: its modules form a tree, never a cycle
    // (a cycle there means two concepts that should be one module, or a third they both need).
    files: ['src/shared/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // The webview talks to the extension only through the shared protocol.
    files: ['webview-ui/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'the webview has no vscode module.' }], patterns: [{ group: ['**/src/core/**', '**/src/extension/**', '**/src/cli/**', 'node:*'], message: 'webview-ui may import only src/shared.' }] },
      ],
    },
  },
  {
    // The extension logs through its LogOutputChannel, never the console.
    files: ['src/extension/**/*.ts', 'src/core/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
);
