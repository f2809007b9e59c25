// Runs the *.vscode.test.ts suite in desktop VS Code through @vscode/test-electron, for machines
// that can download VS Code (a user's CI, a laptop). It cannot run where only the npm registry
// is reachable; there, `npm run test:vscode` runs the same suite in code-server.
//
//   node scripts/build.mjs && node scripts/vscode-host/build-tests.mjs && node test/vscode/electron-main.mjs
//
// NETLENS_VSCODE_VERSION picks the VS Code version (default: the lowest engines.vscode allows);
// NETLENS_VSCODE_EXECUTABLE uses an installed VS Code instead of downloading one.
// test-electron always passes --disable-workspace-trust, so this runs the trusted pass only.
import { runTests } from '@vscode/test-electron';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

try {
  await runTests({
    extensionDevelopmentPath: root,
    // The bundled runner's run() loads the test bundles from ./dist/tests with mocha.
    extensionTestsPath: fileURLToPath(new URL('runner/dist/runner.js', import.meta.url)),
    launchArgs: [fileURLToPath(new URL('workspace', import.meta.url)), '--disable-extensions'],
    ...(process.env.NETLENS_VSCODE_EXECUTABLE
      ? { vscodeExecutablePath: process.env.NETLENS_VSCODE_EXECUTABLE }
      : { version: process.env.NETLENS_VSCODE_VERSION ?? '1.100.3' }),
  });
} catch (error) {
  console.error(`VS Code tests failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
