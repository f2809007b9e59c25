// Serves the built extension in a real VS Code: code-server (VS Code 1.100.3's workbench and
// Node extension host) on 127.0.0.1, opened on one workspace folder. Module and CLI.
//
//   node scripts/vscode-host/serve.mjs [--port N] [--restricted] [--extension DIR]... [--desktop] <folder>
//
// The extension under test (the repo root, built) and any extra extension folders (the test
// runner) are laid out as `<extensionsDir>/<publisher>.<name>-<version>`, which VS Code loads
// as installed extensions; no .vsix is needed. Every run gets its own temporary user-data and
// extensions folders, removed again by stop().
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureCodeServer, findOnPath } from './install-code-server.mjs';
import { killGroup, onParentExit, sleep, stopGroup } from './processes.mjs';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Settings that keep a scripted session quiet and deterministic; callers can add or override. */
export const DEFAULT_USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  // Restricted Mode without the modal "Do you trust the authors?" dialog on startup.
  'security.workspace.trust.startupPrompt': 'never',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  // The test workspace sits inside this repo's git checkout; don't offer to open the parent repo.
  'git.openRepositoryInParentFolders': 'never',
};

/**
 * Starts code-server and resolves once it answers HTTP.
 *
 * @param {object} options
 * @param {string} options.workspace        folder to open
 * @param {string[]} [options.extensions]   extension folders to install (default: the repo root)
 * @param {boolean} [options.trusted]       true: --disable-workspace-trust; false: Restricted Mode
 * @param {number} [options.port]           default: a free port chosen by the OS
 * @param {NodeJS.ProcessEnv} [options.env] extra environment for code-server and its extension host
 * @param {Record<string, unknown>} [options.settings] extra user settings
 * @param {string} [options.logsDir]        on stop, copy the server and VS Code logs here
 * @param {boolean} [options.isolateDataHome] point XDG_DATA_HOME into the temp folder, where code-server
 *        then keeps its own logs and heartbeat (otherwise ~/.local/share/code-server). For tests only:
 *        the extension host inherits it, and cluster tools (helm, credential plugins) read it.
 * @param {(line: string) => void} [options.log]
 * @param {number} [options.startTimeoutMs]
 * @returns {Promise<{url: string, port: number, pid: number, userDataDir: string, extensionsDir: string,
 *                    serverLog: string, exited: Promise<{code: number | null, signal: string | null}>,
 *                    stop: () => Promise<void>}>}
 */
export async function serve(options) {
  const log = options.log ?? ((line) => console.error(line));
  const workspace = resolve(options.workspace);
  if (!isDirectory(workspace)) throw new Error(`workspace folder not found: ${workspace}`);
  const trusted = options.trusted ?? true;
  const { entry } = await ensureCodeServer({ log });

  const temp = mkdtempSync(join(tmpdir(), 'netlens-vscode-'));
  const userDataDir = join(temp, 'user-data');
  const extensionsDir = join(temp, 'extensions');
  const serverLog = join(temp, 'code-server.log');
  const configFile = join(temp, 'config.yaml');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  mkdirSync(join(temp, 'tmp'));
  // An explicit config file keeps code-server from creating ~/.config/code-server/config.yaml.
  writeFileSync(configFile, '# netlens: the options are on the command line\nauth: none\n');
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_USER_SETTINGS, ...options.settings }, null, 2) + '\n');

  const installed = (options.extensions ?? [REPO_ROOT]).map((folder) => layOutExtension(resolve(folder), extensionsDir));

  const args = [
    entry,
    '--config', configFile,
    '--bind-addr', `127.0.0.1:${options.port ?? 0}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    ...(trusted ? ['--disable-workspace-trust'] : []),
    workspace,
  ];
  const out = createWriteStream(serverLog);
  const child = spawn(process.execPath, args, {
    cwd: workspace,
    env: serverEnv({
      // VS Code and its git extension leave IPC sockets in the temp folder; keep them in ours.
      TMPDIR: join(temp, 'tmp'),
      ...(options.isolateDataHome ? { XDG_DATA_HOME: join(temp, 'data') } : {}),
      ...options.env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: stop() ends the extension host and watchers too
  });
  const pid = child.pid;
  // Safety net if our process dies before stop(): SIGTERM on a signal (the caller usually
  // follows with a graceful stop), SIGKILL at exit.
  const removeExitHook = onParentExit((reason) => {
    killGroup(pid, reason === 'exit' ? 'SIGKILL' : 'SIGTERM');
    if (reason === 'exit' && !options.keepTemp) rmSync(temp, { recursive: true, force: true });
  });

  let output = '';
  const onData = (chunk) => {
    out.write(chunk);
    if (output.length < 200_000) output += chunk;
  };
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', onData);
  let exited;
  const exitedPromise = new Promise((resolvePromise) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolvePromise(exited);
    }),
  );
  child.on('error', (error) => {
    exited = { error };
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopGroup(pid, 5000);
    removeExitHook();
    await Promise.race([exitedPromise, sleep(2000)]);
    await new Promise((resolvePromise) => out.end(resolvePromise));
    if (options.logsDir) copyLogs(temp, options.logsDir);
    if (!options.keepTemp) rmSync(temp, { recursive: true, force: true });
  };

  try {
    const port = await waitForPort(() => output, () => exited, options.startTimeoutMs ?? 60_000);
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/healthz`, () => exited, options.startTimeoutMs ?? 60_000);
    // Slashes left readable; anything that would end or split the query is escaped.
    const url = `${base}/?folder=${encodeURIComponent(workspace).replaceAll('%2F', '/')}`;
    log(`code-server ${trusted ? '(trusted)' : '(Restricted Mode)'} pid ${pid} serving ${installed.map((e) => e.id).join(', ')} at ${base}/`);
    return { url, port, pid, userDataDir, extensionsDir, serverLog, temp, exited: exitedPromise, stop };
  } catch (error) {
    const tail = output.trimEnd().split('\n').slice(-20).join('\n');
    await stop();
    throw new Error(`code-server did not start: ${error.message}${tail ? `\n--- code-server output ---\n${tail}` : ''}`);
  }
}

/**
 * Copies an extension folder's runtime files to `<extensionsDir>/<publisher>.<name>-<version>`.
 * Copies rather than symlinks: VS Code maps each `require('vscode')` to its extension by the
 * caller's file path, and Node reports a symlinked file by its real path, outside the folder.
 */
export function layOutExtension(folder, extensionsDir) {
  const manifestPath = join(folder, 'package.json');
  if (!existsSync(manifestPath)) throw new Error(`not an extension folder (no package.json): ${folder}`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  for (const key of ['publisher', 'name', 'version']) {
    if (!manifest[key]) throw new Error(`${manifestPath} has no "${key}"`);
  }
  const id = `${manifest.publisher}.${manifest.name}`;
  for (const key of ['main', 'browser']) {
    if (manifest[key] && !existsSync(join(folder, manifest[key])) && !existsSync(join(folder, `${manifest[key]}.js`))) {
      throw new Error(`${id}: "${key}": ${manifest[key]} does not exist; run the build first (node scripts/build.mjs)`);
    }
  }
  const target = join(extensionsDir, `${id}-${manifest.version}`);
  mkdirSync(target, { recursive: true });
  for (const name of runtimeFiles(folder, manifest)) {
    cpSync(join(folder, name), join(target, name), { recursive: true, dereference: true });
  }
  return { id, version: manifest.version, path: target, manifest };
}

/** Top-level files and folders an installed extension needs (what a .vsix would carry). */
function runtimeFiles(folder, manifest) {
  const names = new Set(['package.json', 'package.nls.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'LICENSE.md', 'LICENSE.txt', 'dist', 'media', 'syntaxes']);
  // Top-level roots of every relative path the manifest mentions (main, icon, grammars, view
  // icons, ...); strings that are not paths are dropped by the existence check below.
  const visit = (value) => {
    if (typeof value === 'string') {
      if (!/\s/.test(value) && !value.includes('..') && /[/.]/.test(value)) names.add(value.replace(/^\.\//, '').split('/')[0]);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit({ main: manifest.main, browser: manifest.browser, icon: manifest.icon, contributes: manifest.contributes });
  const never = new Set(['', '.', 'node_modules', '.git', 'src', 'test']);
  return [...names].filter((name) => !never.has(name) && existsSync(join(folder, name)));
}

function serverEnv(extra) {
  const env = { ...process.env };
  // Variables of an enclosing VS Code (integrated terminal) would point the server at it.
  for (const key of Object.keys(env)) if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') delete env[key];
  return { ...env, ...extra };
}

async function waitForPort(output, exited, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = /HTTP server listening on https?:\/\/[^\s:]+:(\d+)/.exec(output());
    if (match) return Number(match[1]);
    const gone = exited();
    if (gone) throw new Error(gone.error ? gone.error.message : `exited with ${gone.code ?? gone.signal}`);
    await sleep(100);
  }
  throw new Error(`no "HTTP server listening" line within ${timeoutMs / 1000} s`);
}

async function waitForHttp(url, exited, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const gone = exited();
    if (gone) throw new Error(gone.error ? gone.error.message : `exited with ${gone.code ?? gone.signal}`);
    try {
      const status = await httpStatus(url, 2000);
      if (status === 200) return;
      last = `HTTP ${status}`;
    } catch (error) {
      last = error.message;
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s (${last})`);
}

/** GET `url` and resolve with the status code; bounded by `timeoutMs`. */
export function httpStatus(url, timeoutMs) {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolvePromise(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function copyLogs(temp, logsDir) {
  mkdirSync(logsDir, { recursive: true });
  const copies = [
    [join(temp, 'code-server.log'), join(logsDir, 'code-server.log')],
    [join(temp, 'user-data', 'logs'), join(logsDir, 'vscode-logs')],
  ];
  for (const [from, to] of copies) {
    try {
      if (existsSync(from)) cpSync(from, to, { recursive: true });
    } catch {
      // logs are a convenience; a missing or half-written one must not fail the run
    }
  }
}

function isDirectory(path) {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Desktop VS Code, when a `code` binary is on PATH: loads the repo with
 * --extensionDevelopmentPath (no layout needed) in a fresh window and waits for it to close.
 */
export async function serveDesktop({ workspace, extensions = [REPO_ROOT], trusted = true, log = (line) => console.error(line) }) {
  const code = findOnPath('code');
  if (!code) throw new Error('--desktop: no `code` binary on PATH');
  const args = [
    '--new-window',
    '--wait',
    ...extensions.map((folder) => `--extensionDevelopmentPath=${resolve(folder)}`),
    ...(trusted ? ['--disable-workspace-trust'] : []),
    resolve(workspace),
  ];
  const child = spawn(code, args, { stdio: 'inherit', detached: true });
  const removeExitHook = onParentExit(() => killGroup(child.pid, 'SIGTERM'));
  log(`desktop VS Code (${code}) pid ${child.pid} opened ${resolve(workspace)}`);
  const closed = new Promise((resolvePromise) => child.on('exit', resolvePromise));
  return {
    url: undefined,
    pid: child.pid,
    closed,
    stop: async () => {
      await stopGroup(child.pid, 5000);
      removeExitHook();
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      restricted: { type: 'boolean', default: false },
      extension: { type: 'string', multiple: true },
      desktop: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length !== 1) {
    console.error('usage: node scripts/vscode-host/serve.mjs [--port N] [--restricted] [--extension DIR]... [--desktop] <workspace-folder>');
    process.exit(values.help ? 0 : 2);
  }
  const extensions = [REPO_ROOT, ...(values.extension ?? [])];
  const options = { workspace: positionals[0], extensions, trusted: !values.restricted, port: values.port ? Number(values.port) : undefined };
  try {
    const server = values.desktop ? await serveDesktop(options) : await serve(options);
    if (server.url) console.log(server.url);
    let stopping = false;
    const shutdown = async () => {
      if (stopping) return;
      stopping = true;
      await server.stop();
      process.exit(0);
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void shutdown());
    if (server.closed) await server.closed.then(shutdown);
  } catch (error) {
    console.error(`serve: ${error.message}`);
    process.exit(1);
  }
}
