// `npm start`: builds the extension and opens it in a real VS Code (code-server) on the demo
// workspace, then prints the URL to open in a browser and runs until Ctrl-C.
//
//   node scripts/vscode-host/start.mjs [--port N] [--restricted] [--folder DIR] [--no-build] [--watch] [--desktop]
//
// --watch   rebuild on change (node scripts/build.mjs --watch) and refresh the installed copy;
//           then run "Developer: Reload Window" in the browser to load the new build.
// --desktop use a desktop `code` binary from PATH instead of code-server.
//
// Demo cluster hook: if scripts/vscode-host/demo-hooks.mjs exists it is imported and its
// `setUp()` runs before VS Code starts; the environment it returns (e.g. KUBECONFIG) is given
// to code-server and so to the extension host, and its `tearDown()` runs on exit. See README.md.
import { spawn } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureCodeServer } from './install-code-server.mjs';
import { killGroup, onParentExit, run, stopGroup } from './processes.mjs';
import { REPO_ROOT, layOutExtension, serve, serveDesktop } from './serve.mjs';

const DEMO_WORKSPACE = join(REPO_ROOT, 'demo', 'workspace');
const FALLBACK_WORKSPACE = join(REPO_ROOT, 'test', 'vscode', 'workspace');
const HOOKS = join(REPO_ROOT, 'scripts', 'vscode-host', 'demo-hooks.mjs');

const log = (line) => console.error(line);

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      restricted: { type: 'boolean', default: false },
      folder: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      watch: { type: 'boolean', default: false },
      desktop: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    log('usage: npm start -- [--port N] [--restricted] [--folder DIR] [--no-build] [--watch] [--desktop]');
    return;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`--port: a TCP port, not ${values.port}`);

  const cleanups = [];
  let stopping = false;
  const shutdown = async (code) => {
    if (stopping) return;
    stopping = true;
    log('stopping ...');
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log(`while stopping: ${error.message}`);
      }
    }
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void shutdown(0));

  if (!values['no-build']) {
    log('building: node scripts/build.mjs');
    await run(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs')], { cwd: REPO_ROOT, timeoutMs: 5 * 60_000, echo: true, label: 'node scripts/build.mjs' });
  }

  const workspace = pickWorkspace(values.folder);
  const hookEnv = await runDemoHooks(workspace, cleanups);

  if (values.desktop) {
    const server = await serveDesktop({ workspace, trusted: !values.restricted, log });
    cleanups.push(() => server.stop());
    await server.closed;
    return shutdown(0);
  }

  await ensureCodeServer({ log });
  const server = await serve({ workspace, trusted: !values.restricted, port, env: hookEnv, log });
  cleanups.push(() => server.stop());
  if (values.watch) startWatch(server.extensionsDir, cleanups);

  console.log(`\nKubernetes Network Lens in VS Code ${values.restricted ? '(Restricted Mode)' : '(trusted workspace)'}:\n\n  ${server.url}\n`);
  log('Open it in a browser (forward the port if this machine is remote). Ctrl-C stops.');

  const exit = await server.exited;
  if (!stopping) {
    log(`code-server exited unexpectedly (${exit.code ?? exit.signal}); its log: ${server.serverLog}`);
    await shutdown(1);
  }
}

function pickWorkspace(folder) {
  if (folder) {
    const path = resolve(folder);
    if (!existsSync(path)) throw new Error(`--folder: ${path} does not exist`);
    return path;
  }
  if (existsSync(DEMO_WORKSPACE)) return DEMO_WORKSPACE;
  log(`note: ${relative(REPO_ROOT, DEMO_WORKSPACE)} does not exist yet; opening ${relative(REPO_ROOT, FALLBACK_WORKSPACE)} instead`);
  return FALLBACK_WORKSPACE;
}

/**
 * The demo cluster hook (optional module). Contract:
 *   export async function setUp({repoRoot, workspace, log}): Promise<{env?: Record<string, string>,
 *                                                                    tearDown?: () => Promise<void>}>
 */
async function runDemoHooks(workspace, cleanups) {
  if (!existsSync(HOOKS)) return {};
  log(`demo hooks: ${relative(REPO_ROOT, HOOKS)} setUp()`);
  const hooks = await import(pathToFileURL(HOOKS).href);
  if (typeof hooks.setUp !== 'function') throw new Error(`${HOOKS} must export an async setUp() function`);
  const result = (await hooks.setUp({ repoRoot: REPO_ROOT, workspace, log })) ?? {};
  if (typeof result.tearDown === 'function') cleanups.push(() => result.tearDown());
  const env = result.env ?? {};
  for (const [key, value] of Object.entries(env)) {
    if (typeof value !== 'string') throw new Error(`demo hooks: env.${key} must be a string`);
  }
  if (Object.keys(env).length) log(`demo hooks: passing ${Object.keys(env).join(', ')} to VS Code`);
  return env;
}

/** Rebuilds on change and copies the new build into the served extension folder. */
function startWatch(extensionsDir, cleanups) {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs'), '--watch'], { cwd: REPO_ROOT, stdio: 'inherit', detached: true });
  const removeExitHook = onParentExit(() => killGroup(child.pid, 'SIGKILL'));
  let timer;
  const watcher = watch(join(REPO_ROOT, 'dist'), () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      try {
        layOutExtension(REPO_ROOT, extensionsDir);
        log('rebuilt: run "Developer: Reload Window" in VS Code to load it');
      } catch (error) {
        log(`watch: ${error.message}`);
      }
    }, 300);
  });
  cleanups.push(async () => {
    watcher.close();
    clearTimeout(timer);
    await stopGroup(child.pid, 2000);
    removeExitHook();
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`start: ${error.message}`);
    // Leave through a signal-free path; the serve()/run() exit hooks still stop children.
    process.exit(1);
  });
}
