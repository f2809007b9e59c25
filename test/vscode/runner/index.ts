// The in-VS-Code test runner. Two ways in:
// - code-server (scripts/vscode-host/run-tests.mjs): loaded as an extension beside the one under
//   test; on activation (onStartupFinished) it runs mocha inside the extension host and writes
//   the results to $NETLENS_TEST_RESULTS, which the harness waits for.
// - desktop VS Code (@vscode/test-electron, launch.json): this bundle is the
//   `--extensionTestsPath`; VS Code calls run() and fails the run if it rejects.
// The tests are the separate bundles in ./tests (scripts/vscode-host/build-tests.mjs).
import * as fs from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';

/** One test's outcome. The harness (run-tests.mjs) reads these; keep the two in step. */
export interface TestOutcome {
  titlePath: string[];
  file?: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: { message: string; stack?: string };
}

export interface RunResults {
  /** Mode the tests ran in, from `vscode.workspace.isTrusted` (not from what the harness asked). */
  mode: 'trusted' | 'restricted';
  trusted: boolean;
  vscodeVersion: string;
  appName: string;
  uiKind: 'desktop' | 'web';
  grep?: string;
  startedAt: string;
  durationMs: number;
  passed: number;
  failed: number;
  pending: number;
  tests: TestOutcome[];
  /** The extension under test, read after the tests ran. */
  extension: { id: string; present: boolean; isActive: boolean };
  /** Set when the runner itself broke (a test file threw while loading, ...). */
  fatal?: string;
  log: string[];
}

const TESTS_DIR = path.join(__dirname, 'tests');
const EXTENSION_ID = process.env.NETLENS_TEST_EXTENSION_ID ?? 'netlens.netlens';

export function activate(): void {
  const resultsFile = process.env.NETLENS_TEST_RESULTS;
  if (!resultsFile) return; // installed outside the harness: stay idle
  // Not awaited: activation returns at once, the tests run after it.
  void runAndReport(resultsFile);
}

export function deactivate(): void {
  // nothing to dispose
}

/** Entry point for `--extensionTestsPath` (desktop VS Code). */
export async function run(): Promise<void> {
  const results = await runSuite((line) => console.log(line));
  if (results.fatal) throw new Error(results.fatal);
  if (results.failed > 0) throw new Error(`${results.failed} of ${results.tests.length} VS Code tests failed`);
}

async function runAndReport(resultsFile: string): Promise<void> {
  const logFile = process.env.NETLENS_TEST_LOG ?? resultsFile.replace(/(\.json)?$/, '.log');
  const log = (line: string): void => {
    try {
      fs.appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
    } catch {
      // the log is a diagnostic aid; the results file is what counts
    }
  };
  let results: RunResults;
  try {
    results = await runSuite(log);
  } catch (error) {
    results = { ...baseResults(new Date()), fatal: describe(error).stack ?? describe(error).message, log: [] };
  }
  // Written whole and renamed into place, so the harness never reads half a file.
  const partial = `${resultsFile}.partial`;
  fs.writeFileSync(partial, JSON.stringify(results, null, 2));
  fs.renameSync(partial, resultsFile);
}

async function runSuite(sink: (line: string) => void): Promise<RunResults> {
  const started = new Date();
  const lines: string[] = [];
  const log = (line: string): void => {
    lines.push(line);
    sink(line);
  };
  const results: RunResults = { ...baseResults(started), log: lines };
  log(`VS Code ${results.vscodeVersion} (${results.appName}, ${results.uiKind}), workspace ${results.mode}`);

  // Tests tagged @trusted run only in a trusted workspace, @restricted only in Restricted Mode.
  const otherTag = results.trusted ? '@restricted' : '@trusted';
  const userGrep = process.env.NETLENS_TEST_GREP;
  const grep = new RegExp(`^(?!.*${otherTag}\\b)${userGrep ? `(?=.*(?:${userGrep}))` : ''}`);
  results.grep = grep.source;

  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: Number(process.env.NETLENS_TEST_TIMEOUT_MS ?? 60_000),
    reporter: collectingReporter(results, log),
  });
  mocha.grep(grep);
  const files = fs
    .readdirSync(TESTS_DIR, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.vscode.test.js'))
    .sort();
  for (const file of files) mocha.addFile(path.join(TESTS_DIR, file));
  log(`running ${files.length} test file(s): ${files.join(', ')}`);

  try {
    await new Promise<void>((resolve) => mocha.run(() => resolve()));
  } catch (error) {
    results.fatal = describe(error).stack ?? describe(error).message;
    log(`runner failed: ${results.fatal}`);
  }
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  results.extension = { id: EXTENSION_ID, present: extension !== undefined, isActive: extension?.isActive ?? false };
  results.durationMs = Date.now() - started.getTime();
  log(`${results.passed} passed, ${results.failed} failed, ${results.pending} pending`);
  return results;
}

function baseResults(started: Date): Omit<RunResults, 'log'> {
  const trusted = vscode.workspace.isTrusted;
  return {
    mode: trusted ? 'trusted' : 'restricted',
    trusted,
    vscodeVersion: vscode.version,
    appName: vscode.env.appName,
    uiKind: vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop',
    startedAt: started.toISOString(),
    durationMs: 0,
    passed: 0,
    failed: 0,
    pending: 0,
    tests: [],
    extension: { id: EXTENSION_ID, present: false, isActive: false },
  };
}

/** A mocha reporter that records each outcome into `results` and logs it as it happens. */
function collectingReporter(results: RunResults, log: (line: string) => void): typeof Mocha.reporters.Base {
  const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;
  return class CollectingReporter extends Mocha.reporters.Base {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
      super(runner, options);
      const record = (test: Mocha.Runnable, state: TestOutcome['state'], error?: unknown): void => {
        const outcome: TestOutcome = { titlePath: test.titlePath(), state };
        if (test.file) outcome.file = path.basename(test.file);
        if (test.duration !== undefined) outcome.durationMs = test.duration;
        if (error !== undefined) outcome.error = describe(error);
        results.tests.push(outcome);
        results[state] += 1;
        log(`${state.padEnd(7)} ${outcome.titlePath.join(' › ')}${outcome.error ? `: ${outcome.error.message}` : ''}`);
      };
      runner.on(EVENT_TEST_PASS, (test) => record(test, 'passed'));
      // Also fires for failing hooks, whose titles say which hook.
      runner.on(EVENT_TEST_FAIL, (test, error) => record(test, 'failed', error));
      runner.on(EVENT_TEST_PENDING, (test) => record(test, 'pending'));
    }
  };
}

function describe(error: unknown): { message: string; stack?: string } {
  if (error instanceof Error) return { message: error.message, ...(error.stack ? { stack: mapStack(error.stack) } : {}) };
  return { message: String(error) };
}

// The extension host installs its own Error.prepareStackTrace, so Node's source-map support
// never applies there; frames in our bundles are mapped here instead, to the repo's .ts files.
const EXTENSION_ROOT = path.dirname(__dirname); // this runner extension (its copy when installed)
const REPO_RUNNER_DIR = 'test/vscode/runner'; // where that folder lives in the repo
const sourceMaps = new Map<string, SourceMap | undefined>();

function mapStack(stack: string): string {
  return stack.replace(/(\/[^\s()]+\.js):(\d+):(\d+)/g, (frame: string, file: string, line: string, column: string) => {
    if (!file.startsWith(EXTENSION_ROOT + path.sep)) return frame;
    const entry = sourceMapOf(file)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || !('originalSource' in entry)) return frame;
    const bundleInRepo = path.posix.join(REPO_RUNNER_DIR, path.relative(EXTENSION_ROOT, file).split(path.sep).join('/'));
    const source = entry.originalSource.replace(/^file:\/\//, '');
    const original = path.isAbsolute(source) ? source : path.posix.join(path.posix.dirname(bundleInRepo), source);
    return `${original}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

function sourceMapOf(file: string): SourceMap | undefined {
  if (!sourceMaps.has(file)) {
    let map: SourceMap | undefined;
    try {
      const match = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(fs.readFileSync(file, 'utf8'));
      if (match?.[1]) map = new SourceMap(JSON.parse(Buffer.from(match[1], 'base64').toString('utf8')) as SourceMapPayload);
    } catch {
      map = undefined; // unreadable or no inline map: keep the bundle's frame
    }
    sourceMaps.set(file, map);
  }
  return sourceMaps.get(file);
}
