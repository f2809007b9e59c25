// Lint: TypeScript strictness plus the layer rules (see docs/architecture.md).
import tseslint from 'typescript-eslint';

const nodeIo = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'net', 'node:net', 'http', 'node:http', 'https', 'node:https',
  'child_process', 'node:child_process', 'tls', 'node:tls', 'dgram', 'node:dgram', 'worker_threads', 'node:worker_threads'];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test-results/**', '.vscode-test/**', 'test/vscode/runner/dist/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The core is pure: no editor, no Kubernetes client, no I/O.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'vscode', message: 'src/core must not import vscode: map core types to editor types in src/extension.' },
          { name: '@kubernetes/client-node', message: 'src/core must not talk to clusters: use src/cluster.' },
          ...nodeIo.map((name) => ({ name, message: 'src/core does no I/O: take data in, return data out.' })),
        ],
        patterns: [{ group: ['**/extension/**', '**/cluster/**', '**/cli/**'], message: 'src/core depends on nothing else in src.' }],
      }],
    },
  },
  {
    files: ['src/cluster/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/cluster must not import vscode.' }],
        patterns: [{ group: ['**/extension/**', '**/cli/**'], message: 'src/cluster depends on src/core only.' }],
      }],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'the CLI runs without VS Code.' }],
        patterns: [{ group: ['**/extension/**'], message: 'the CLI is built over core and cluster, never over the extension.' }],
      }],
    },
  },
  {
    // Webview code runs in the browser: only src/core data and DOM APIs.
    files: ['src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'vscode', message: 'webviews talk to the extension through postMessage only.' },
          ...nodeIo.map((name) => ({ name, message: 'webview code runs in a browser.' })),
        ],
        patterns: [{ group: ['**/extension/**', '**/cluster/**', '**/cli/**', 'node:*'], message: 'webview code may use src/core and the DOM only.' }],
      }],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.mjs', '.vscode-test.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
