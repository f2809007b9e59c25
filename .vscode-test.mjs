// Configuration for @vscode/test-cli (`npx vscode-test`), which runs the *.vscode.test.ts suite
// in a downloaded desktop VS Code. Needs `npm i -D @vscode/test-cli` (not a dependency here:
// these machines cannot download VS Code; `npm run test:vscode` runs the suite in code-server,
// and test/vscode/electron-main.mjs runs it with @vscode/test-electron alone).
// Build first: node scripts/build.mjs && node scripts/vscode-host/build-tests.mjs
//
// A plain object rather than defineConfig(), which only returns its argument, so this file
// also loads where @vscode/test-cli is not installed.
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

/** @type {import('@vscode/test-cli').TestConfiguration[]} */
export default [
  {
    label: 'vscode',
    files: 'test/vscode/runner/dist/tests/**/*.vscode.test.js',
    version: process.env.NETLENS_VSCODE_VERSION ?? '1.100.3',
    extensionDevelopmentPath: root,
    workspaceFolder: `${root}test/vscode/workspace`,
    launchArgs: ['--disable-extensions'],
    // test-electron always disables workspace trust, so Restricted Mode tests cannot run here.
    mocha: { ui: 'bdd', timeout: 60_000, grep: '@restricted', invert: true },
  },
];
