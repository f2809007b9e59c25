// `npm run test:vscode`: runs test/vscode/**/*.vscode.test.ts inside a real VS Code.
//
// For each mode (a trusted workspace, then Restricted Mode) it starts code-server with the built
// extension and the test runner extension (test/vscode/runner), opens the workbench headless in
// Debian's Chromium so that the extension host starts, waits for the runner's results file, and
// prints the outcomes. The last line is always `N passed, N failed`; the exit code is non-zero
// on any failure or timeout. Artifacts go to test-results/vscode/<mode>/: results.json,
// runner.log, screenshots (*.png), browser-console.log and the code-server / VS Code logs.
//
//   node scripts/vscode-host/run-tests.mjs [--mode trusted|restricted|both] [--grep REGEX]
//                                          [--no-build] [--timeout SECONDS]
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildTests, RUNNER_DIR, TEST_ROOT } from './build-tests.mjs';
import { ensureCodeServer, findChromium } from './install-code-server.mjs';
import { onParentExit, run, sleep } from './processes.mjs';
import { REPO_ROOT, serve } from './serve.mjs';

export const RESULTS_ROOT = join(REPO_ROOT, 'test-results', 'vscode');
const WORKSPACE = join(TEST_ROOT, 'workspace');

/** Chromium flags for a root container without a GPU (VSCODE-HOST.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Runs the suite in one mode and returns `{mode, outcomes, failures}` where outcomes are the
 * runner's tests plus the harness's own checks, failures counts the failed ones.
 */
export async function runMode(mode, { grep, timeoutMs, log = (line) => console.error(line) }) {
  const dir = join(RESULTS_ROOT, mode);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const resultsFile = join(dir, 'results.json');
  const checks = []; // the harness's own outcomes, reported like tests
  const check = (title, ok, message) => checks.push({ titlePath: ['harness', title], state: ok ? 'passed' : 'failed', ...(ok ? {} : { error: { message } }) });

  const chromiumPath = findChromium();
  if (!chromiumPath) throw new Error('chromium not found: apt-get install -y --no-install-recommends chromium (or set NETLENS_CHROMIUM)');
  const { chromium } = await import('playwright-core');

  let page;
  const harness = await startHarness(dir, () => page);
  const browserHome = mkdtempSync(join(tmpdir(), 'netlens-chromium-'));
  const removeExitHook = onParentExit(() => rmSync(browserHome, { recursive: true, force: true }));
  let server;
  let browser;
  try {
    server = await serve({
      workspace: WORKSPACE,
      extensions: [REPO_ROOT, RUNNER_DIR],
      trusted: mode === 'trusted',
      logsDir: join(dir, 'logs'),
      isolateDataHome: true,
      log,
      env: {
        NETLENS_TEST_RESULTS: resultsFile,
        NETLENS_TEST_LOG: join(dir, 'runner.log'),
        NETLENS_TEST_HARNESS: harness.url,
        ...(grep ? { NETLENS_TEST_GREP: grep } : {}),
      },
    });

    // Playwright gives the browser a fresh temporary profile; its crash reporter would still
    // write to ~/.config/chromium, so its config and cache homes go to a temporary folder too.
    const browserEnv = { ...process.env, XDG_CONFIG_HOME: join(browserHome, 'config'), XDG_CACHE_HOME: join(browserHome, 'cache') };
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS, env: browserEnv, timeout: 60_000 });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    const consoleLines = [];
    page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
    page.on('pageerror', (error) => consoleLines.push(`[pageerror] ${error.message}`));
    let crashed = false;
    page.on('crash', () => (crashed = true));

    await page.goto(server.url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 }).catch(() => log(`${mode}: the workbench did not render within 60 s`));

    const deadline = Date.now() + timeoutMs;
    while (!existsSync(resultsFile) && Date.now() < deadline && !crashed) await sleep(250);
    writeFileSync(join(dir, 'browser-console.log'), consoleLines.join('\n') + '\n');
    await page.screenshot({ path: join(dir, existsSync(resultsFile) ? 'final.png' : 'timeout.png') }).catch(() => undefined);

    if (!existsSync(resultsFile)) {
      const why = crashed ? 'the browser page crashed' : `no results within ${Math.round(timeoutMs / 1000)} s`;
      const runnerLog = join(dir, 'runner.log');
      const lastLines = existsSync(runnerLog) ? readFileSync(runnerLog, 'utf8').trimEnd().split('\n').slice(-10).join('\n') : '(the runner never started: no runner.log)';
      check('runner reported results', false, `${why}; see ${relative(REPO_ROOT, dir)}/ (timeout.png, logs/)\nrunner.log ends:\n${lastLines}`);
      return { mode, outcomes: checks, failures: 1 };
    }
    const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    log(`${mode}: VS Code ${results.vscodeVersion} (${results.appName}), ${results.tests.length} test(s) in ${(results.durationMs / 1000).toFixed(1)} s`);
    if (results.fatal) check('runner loaded every test file', false, results.fatal);
    check('ran at least one test', results.passed + results.failed > 0, 'no test ran (empty suite, or --grep matched nothing)');
    check(`workspace is ${mode === 'trusted' ? 'trusted' : 'in Restricted Mode'}`, results.mode === mode, `asked for ${mode}, VS Code reported ${results.mode}`);
    check(
      `${results.extension.id} is active${mode === 'restricted' ? ' in Restricted Mode' : ''} after the tests`,
      results.extension.present && results.extension.isActive,
      results.extension.present ? `${results.extension.id} is installed but not active` : `${results.extension.id} is not loaded (untrusted-workspace support missing?)`,
    );
    const outcomes = [...results.tests, ...checks];
    return { mode, outcomes, failures: outcomes.filter((o) => o.state === 'failed').length };
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await harness.close();
    rmSync(browserHome, { recursive: true, force: true });
    removeExitHook();
  }
}

const WEBVIEW_ACTIONS = new Set(['text', 'click', 'press', 'count', 'attribute']);

/**
 * The first visible match of `selector` in a webview: the workbench's own frame is skipped (its
 * DOM has classes of the same names), every nested frame searched, until `timeoutMs`. With
 * `workbench`, only the workbench's frame is searched instead (menus, editor actions).
 */
async function findInWebviews(page, selector, timeoutMs, workbench = false) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if ((frame === page.mainFrame()) !== workbench || frame.isDetached()) continue;
      const handles = await frame.$$(selector).catch(() => []);
      for (const handle of handles) if (await handle.isVisible().catch(() => false)) return { frame, handle, handles };
    }
    if (Date.now() >= deadline) return undefined;
    await sleep(100);
  }
}

/**
 * POST <url>/webview {action, selector, keys?, position?, name?, timeoutMs?, workbench?}: acts
 * inside the webviews' frames, where the extension host cannot reach (or, with `workbench: true`,
 * in the workbench's own DOM). `text`: the textContent of every visible match (in the frame of the
 * first); `count`: how many are visible (0 after the timeout, not an error); `attribute`: the
 * attribute `name` of the first; `click`: clicks the first, at `position` ({x, y} from its top-left
 * corner) if given; `press`: focuses the first and presses each of `keys` (Playwright key names).
 */
async function webviewAction(page, { action, selector, keys = [], position, name, timeoutMs = 10_000, workbench = false }) {
  if (!WEBVIEW_ACTIONS.has(action)) return [400, { error: `action: one of ${[...WEBVIEW_ACTIONS].join(', ')}` }];
  if (typeof selector !== 'string' || !selector || selector.length > 500) return [400, { error: 'selector: a non-empty string' }];
  if (!Array.isArray(keys) || keys.length > 100 || !keys.every((k) => typeof k === 'string' && /^[A-Za-z0-9+]{1,30}$/.test(k))) return [400, { error: 'keys: up to 100 key names' }];
  if (position !== undefined && !(Number.isFinite(position?.x) && Number.isFinite(position?.y))) return [400, { error: 'position: {x, y}' }];
  if (action === 'attribute' && (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9-]{0,60}$/.test(name))) return [400, { error: 'name: an attribute name' }];
  const found = await findInWebviews(page, selector, Math.min(Number(timeoutMs) || 0, 30_000), workbench === true);
  if (!found) return action === 'count' ? [200, { count: 0 }] : [404, { error: `no visible ${selector} in any webview` }];
  switch (action) {
    case 'count': {
      let count = 0;
      for (const h of found.handles) if (await h.isVisible().catch(() => false)) count++;
      return [200, { count }];
    }
    case 'text': {
      const texts = [];
      for (const h of found.handles) if (await h.isVisible().catch(() => false)) texts.push((await h.textContent()) ?? '');
      return [200, { texts }];
    }
    case 'attribute':
      return [200, { value: await found.handle.getAttribute(name) }];
    case 'click':
      await found.handle.click({ timeout: 10_000, ...(position ? { position: { x: position.x, y: position.y } } : {}) });
      return [200, {}];
    case 'press':
      for (const key of keys) await found.handle.press(key, { timeout: 10_000 });
      return [200, {}];
  }
  return [400, { error: 'unknown action' }];
}

/**
 * The harness endpoints the tests call (support/harness.ts): POST <url>/screenshot {name,
 * selector?, delayMs?} saves <dir>/<name>.png of the page; POST <url>/webview acts inside a
 * webview (webviewAction). Bound to 127.0.0.1 under a random path, so only this run's extension
 * host finds it.
 */
async function startHarness(dir, getPage) {
  const token = randomBytes(12).toString('hex');
  const server = createServer((req, res) => {
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const isWebview = req.url === `/${token}/webview`;
    if (req.method !== 'POST' || (req.url !== `/${token}/screenshot` && !isWebview)) return reply(404, { error: 'not found' });
    let text = '';
    req.setEncoding('utf8').on('data', (chunk) => {
      if (text.length < 10_000) text += chunk; // requests are tiny; ignore anything past that
    });
    req.on('end', async () => {
      if (isWebview) {
        try {
          const page = getPage();
          if (!page) return reply(503, { error: 'no browser page yet' });
          const [status, body] = await webviewAction(page, JSON.parse(text));
          return reply(status, body);
        } catch (error) {
          return reply(500, { error: error.message });
        }
      }
      try {
        const { name, selector, delayMs = 300 } = JSON.parse(text);
        if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$/.test(name)) return reply(400, { error: 'name: letters, digits, . _ - only' });
        const page = getPage();
        if (!page) return reply(503, { error: 'no browser page yet' });
        if (selector) await page.waitForSelector(selector, { timeout: 10_000 }).catch(() => undefined);
        await sleep(Math.min(Number(delayMs) || 0, 10_000));
        const path = join(dir, `${name}.png`);
        await page.screenshot({ path, timeout: 30_000 });
        reply(200, { path });
      } catch (error) {
        reply(500, { error: error.message });
      }
    });
  });
  await new Promise((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise));
  const url = `http://127.0.0.1:${server.address().port}/${token}`;
  return {
    url,
    close: () => new Promise((resolvePromise) => server.close(() => resolvePromise()).closeAllConnections()),
  };
}

/** Prints outcomes mocha-style, grouped by their title path. */
function printOutcomes(mode, outcomes) {
  console.log(`\n${mode}`);
  let previous = [];
  let failureIndex = 0;
  const failures = [];
  for (const outcome of outcomes) {
    const suites = outcome.titlePath.slice(0, -1);
    const title = outcome.titlePath.at(-1);
    let common = 0;
    while (common < suites.length && suites[common] === previous[common]) common++;
    for (let i = common; i < suites.length; i++) console.log(`${'  '.repeat(i + 1)}${suites[i]}`);
    previous = suites;
    const indent = '  '.repeat(suites.length + 1);
    const time = outcome.durationMs > 75 ? ` (${outcome.durationMs}ms)` : '';
    if (outcome.state === 'passed') console.log(`${indent}✔ ${title}${time}`);
    else if (outcome.state === 'pending') console.log(`${indent}- ${title}`);
    else {
      failures.push(outcome);
      console.log(`${indent}${++failureIndex}) ${title}`);
    }
  }
  failures.forEach((outcome, i) => {
    console.log(`\n  ${i + 1}) ${mode}: ${outcome.titlePath.join(' ')}:`);
    console.log(`     ${(outcome.error?.stack ?? outcome.error?.message ?? 'failed').split('\n').join('\n     ')}`);
  });
}

async function main() {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string', default: 'both' },
      grep: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '300' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.error('usage: node scripts/vscode-host/run-tests.mjs [--mode trusted|restricted|both] [--grep REGEX] [--no-build] [--timeout SECONDS]');
    return 0;
  }
  const modes = values.mode === 'both' ? ['trusted', 'restricted'] : [values.mode];
  if (!modes.every((m) => m === 'trusted' || m === 'restricted')) throw new Error(`--mode: trusted, restricted or both, not ${values.mode}`);
  const timeoutMs = Number(values.timeout) * 1000;
  if (!(timeoutMs > 0)) throw new Error(`--timeout: seconds, not ${values.timeout}`);
  const started = Date.now();

  if (!findChromium()) throw new Error('chromium not found: apt-get update && apt-get install -y --no-install-recommends chromium');
  if (!values['no-build']) {
    console.error('building the extension: node scripts/build.mjs');
    await run(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs')], { cwd: REPO_ROOT, timeoutMs: 5 * 60_000, echo: true, label: 'node scripts/build.mjs' });
  }
  const bundles = await buildTests();
  console.error(`built the runner and ${bundles.length} test bundle(s)`);
  await ensureCodeServer({ log: (line) => console.error(line) });

  let passed = 0;
  let failed = 0;
  for (const mode of modes) {
    const modeStarted = Date.now();
    let result;
    try {
      result = await runMode(mode, { grep: values.grep, timeoutMs });
    } catch (error) {
      result = { mode, outcomes: [{ titlePath: ['harness', `${mode} run`], state: 'failed', error: { message: error.message } }], failures: 1 };
    }
    printOutcomes(`${mode} (${((Date.now() - modeStarted) / 1000).toFixed(1)} s)`, result.outcomes);
    passed += result.outcomes.filter((o) => o.state === 'passed').length;
    failed += result.failures;
  }
  console.log(`\nartifacts: ${relative(process.cwd(), RESULTS_ROOT) || '.'}/  (${((Date.now() - started) / 1000).toFixed(1)} s in all)`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // A hard ceiling over everything, in case some step hangs past its own timeout.
  const ceiling = setTimeout(() => {
    console.error('run-tests: overall time limit (30 min) reached');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }, 30 * 60_000);
  ceiling.unref();
  try {
    process.exitCode = await main();
  } catch (error) {
    console.error(`run-tests: ${error.message}`);
    console.log('0 passed, 1 failed');
    process.exitCode = 1;
  }
}
