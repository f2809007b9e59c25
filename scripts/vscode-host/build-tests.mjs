// Bundles the in-VS-Code test suite:
//   test/vscode/runner/index.ts            -> test/vscode/runner/dist/runner.js  (mocha bundled in)
//   test/vscode/**/*.vscode.test.ts        -> test/vscode/runner/dist/tests/<path>.vscode.test.js
// The runner is a small extension (test/vscode/runner/package.json) that code-server loads beside
// the extension under test; it is also a valid `--extensionTestsPath` for desktop VS Code.
// Each test file stays a separate bundle so mocha loads them by path, as @vscode/test-cli does.
//
//   node scripts/vscode-host/build-tests.mjs
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from './serve.mjs';

export const TEST_ROOT = join(REPO_ROOT, 'test', 'vscode');
export const RUNNER_DIR = join(TEST_ROOT, 'runner');
export const RUNNER_DIST = join(RUNNER_DIR, 'dist');

/** Every `*.vscode.test.ts` under test/vscode, relative to it (the runner folder excluded). */
export function findTestFiles(folder = TEST_ROOT) {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!['node_modules', 'dist', 'workspace', 'runner'].includes(entry.name)) walk(path);
      } else if (entry.name.endsWith('.vscode.test.ts')) {
        found.push(relative(folder, path).split(sep).join('/'));
      }
    }
  };
  walk(folder);
  return found.sort();
}

/** Builds the runner and the test bundles; returns the test bundle paths. */
export async function buildTests({ production = false } = {}) {
  const tests = findTestFiles();
  if (!tests.length) throw new Error(`no *.vscode.test.ts files under ${TEST_ROOT}`);
  rmSync(RUNNER_DIST, { recursive: true, force: true });
  /** @type {import('esbuild').BuildOptions} */
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: production ? false : 'inline', // stack traces in results point at the .ts lines
    external: ['vscode'],
    logLevel: 'warning',
    legalComments: 'none',
    absWorkingDir: REPO_ROOT,
  };
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: [join(RUNNER_DIR, 'index.ts')],
      outfile: join(RUNNER_DIST, 'runner.js'),
      // mocha's optional parallel mode and file watcher are never used in the extension host
      external: ['vscode', 'chokidar', 'workerpool'],
      logOverride: { 'require-resolve-not-external': 'silent', 'unsupported-dynamic-import': 'silent' },
    }),
    esbuild.build({
      ...common,
      entryPoints: tests.map((test) => ({ in: join(TEST_ROOT, test), out: join('tests', test.replace(/\.ts$/, '')) })),
      outdir: RUNNER_DIST,
    }),
  ]);
  return tests.map((test) => join(RUNNER_DIST, 'tests', test.replace(/\.ts$/, '.js')));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const bundles = await buildTests({ production: process.argv.includes('--production') });
    console.error(`built ${bundles.length} VS Code test bundle(s) and the runner in ${relative(REPO_ROOT, RUNNER_DIST)}`);
  } catch (error) {
    console.error(`build-tests: ${error.message}`);
    process.exit(1);
  }
}
