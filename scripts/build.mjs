// One esbuild script for every bundle: the extension (cjs, `vscode` external),
// the CLI, the benchmark, and the webviews (browser IIFEs, no Node, no vscode).
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

const entries = [
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The cluster layer (client-node and its dependencies) stays out of the extension bundle: the
  // features load it with import('./runtime') (src/extension/runtime-loader.ts) on first use,
  // which resolves to one separate bundle next to dist/extension.js, so client-node is bundled
  // and evaluated once. Activation never parses it.
  // `dynamic-import: false` makes esbuild emit require('./runtime'), which finds the .js file
  // (a native import() needs the extension and would fail with ERR_MODULE_NOT_FOUND).
  {
    entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js',
    external: ['vscode', './runtime'], supported: { 'dynamic-import': false },
  },
  { entryPoints: ['src/extension/runtime.ts'], outfile: 'dist/runtime.js', external: ['vscode'] },
  { entryPoints: ['bench/bench.ts'], outfile: 'dist/bench.js' },
  // The demo cluster `npm start` runs: the fake API server with the seed incident (test double, not shipped).
  { entryPoints: ['test/support/demo-cluster.ts'], outfile: 'dist/demo/cluster.js' },
  { entryPoints: ['src/webview/matrix/main.ts'], outfile: 'dist/webview/matrix.js', platform: 'browser', format: 'iife', target: 'chrome120' },
  { entryPoints: ['src/webview/graph/main.ts'], outfile: 'dist/webview/graph.js', platform: 'browser', format: 'iife', target: 'chrome120' },
].filter((e) => existsSync(e.entryPoints[0]));

if (watch) {
  const contexts = await Promise.all(entries.map((e) => esbuild.context({ ...common, ...e })));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('esbuild: watching');
} else {
  await Promise.all(entries.map((e) => esbuild.build({ ...common, ...e })));
}
