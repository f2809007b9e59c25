// Installs code-server (VS Code's own workbench and Node extension host, served to a
// browser) into a cache outside the repo, following /work/shared/VSCODE-HOST.md:
// desktop VS Code cannot be downloaded on these machines, the npm registry can be reached.
//
//   node scripts/vscode-host/install-code-server.mjs          install if needed, print the folder
//   node scripts/vscode-host/install-code-server.mjs --force  reinstall
//
// Cache: $NETLENS_CODE_SERVER_DIR, else ${XDG_CACHE_HOME:-~/.cache}/netlens/code-server-<version>.
// A marker file records a completed install (version and Node ABI), so a second run is instant.
// The install is built in a sibling staging folder and renamed into place at the end, so an
// interrupted or concurrent install never leaves a half-built cache that looks complete.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, copyFileSync, chmodSync, symlinkSync, appendFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './processes.mjs';

export const CODE_SERVER_VERSION = '4.100.3';

const MARKER = '.netlens-install.json';
/** Native addons of VS Code's server that must be compiled against this Node (the recipe's list). */
const VSCODE_NATIVE_ADDONS = ['@parcel/watcher', '@vscode/spdlog', 'kerberos', 'native-watchdog', 'node-pty'];
const MINUTE = 60_000;

/** The cache folder for this code-server version. */
export function codeServerDir(env = process.env) {
  if (env.NETLENS_CODE_SERVER_DIR) return resolve(env.NETLENS_CODE_SERVER_DIR);
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'netlens', `code-server-${CODE_SERVER_VERSION}`);
}

/** code-server's CLI entry (its package.json "bin"); run it with this Node. */
export function codeServerEntry(dir = codeServerDir()) {
  return join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/** The install in `dir` if it is complete and was built for this Node, else undefined. */
export function readInstall(dir = codeServerDir()) {
  try {
    const marker = JSON.parse(readFileSync(join(dir, MARKER), 'utf8'));
    const usable =
      marker.version === CODE_SERVER_VERSION &&
      marker.nodeAbi === process.versions.modules &&
      existsSync(codeServerEntry(dir));
    return usable ? { dir, entry: codeServerEntry(dir), marker } : undefined;
  } catch {
    return undefined;
  }
}

/** Finds an executable on PATH without a shell. */
export function findOnPath(name, path = process.env.PATH ?? '') {
  for (const folder of path.split(delimiter)) {
    if (!folder) continue;
    const candidate = join(folder, name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** Debian's Chromium, or $NETLENS_CHROMIUM; undefined when missing. */
export function findChromium(env = process.env) {
  const candidates = [env.NETLENS_CHROMIUM, '/usr/bin/chromium', findOnPath('chromium')];
  return candidates.find((candidate) => candidate && existsSync(candidate));
}

/**
 * Checks the Debian packages the install (and, with `browser`, the test run) needs.
 * Returns the missing ones and the exact apt-get command; installs nothing itself.
 */
export function checkPrerequisites({ browser = false } = {}) {
  const missing = [];
  if (!findOnPath('rg')) missing.push({ pkg: 'ripgrep', why: 'rg (VS Code search; its npm package would download it)' });
  if (!existsSync('/usr/include/gssapi/gssapi.h')) missing.push({ pkg: 'libkrb5-dev', why: 'Kerberos headers for the kerberos addon' });
  if (!findOnPath('make') || !findOnPath('g++')) missing.push({ pkg: 'build-essential', why: 'make and g++ for the native addons' });
  if (!findOnPath('python3')) missing.push({ pkg: 'python3', why: 'node-gyp' });
  if (browser && !findChromium()) missing.push({ pkg: 'chromium', why: 'headless browser that opens the workbench' });
  const command = missing.length
    ? `apt-get update && apt-get install -y --no-install-recommends ${missing.map((m) => m.pkg).join(' ')}`
    : undefined;
  return { missing, command };
}

/** Throws an error naming the missing packages and the apt-get line that installs them. */
export function assertPrerequisites(options) {
  const { missing, command } = checkPrerequisites(options);
  if (!missing.length) return;
  const lines = missing.map((m) => `  - ${m.pkg}: ${m.why}`);
  throw new Error(`missing Debian packages:\n${lines.join('\n')}\ninstall them (as root) with:\n  ${command}`);
}

/**
 * Makes sure code-server is installed in the cache and returns `{dir, entry}`.
 * Installs it when missing (a few minutes), reporting progress through `log`.
 *
 * @param {{force?: boolean, log?: (line: string) => void, dir?: string}} [options]
 */
export async function ensureCodeServer(options = {}) {
  const dir = options.dir ?? codeServerDir();
  const log = options.log ?? ((line) => console.error(line));
  const existing = options.force ? undefined : readInstall(dir);
  if (existing) return existing;

  assertPrerequisites();
  const started = Date.now();
  const staging = `${dir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const logFile = `${dir}.install.log`; // beside the cache, so it survives a failed install
  writeFileSync(logFile, `netlens: code-server ${CODE_SERVER_VERSION} install, ${new Date().toISOString()}, node ${process.version}\n`);
  log(`code-server ${CODE_SERVER_VERSION}: installing into ${dir} (a few minutes; log: ${logFile})`);

  try {
    await installInto(staging, logFile, (line) => log(`  [${elapsed(started)}] ${line}`));
    const seconds = Math.round((Date.now() - started) / 1000);
    writeFileSync(
      join(staging, MARKER),
      JSON.stringify({ version: CODE_SERVER_VERSION, nodeAbi: process.versions.modules, node: process.version, installedAt: new Date().toISOString(), seconds }, null, 2) + '\n',
    );
    publish(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  const installed = readInstall(dir);
  if (!installed) throw new Error(`code-server install in ${dir} is not usable after installing`);
  log(`code-server ${CODE_SERVER_VERSION}: installed in ${elapsed(started)}`);
  return installed;
}

async function installInto(root, logFile, step) {
  const env = npmEnv();
  const npm = async (args, cwd, timeoutMs, extra = {}) => {
    appendFileSync(logFile, `\n$ (cd ${cwd} && npm ${args.join(' ')})\n`);
    const result = await run('npm', args, { cwd, env: { ...env, ...extra.env }, timeoutMs, allowFailure: extra.allowFailure });
    appendFileSync(logFile, result.stdout + result.stderr + `[exit ${result.code ?? result.signal}]\n`);
    return result;
  };

  // A package.json of our own keeps npm from treating some enclosing folder as the project.
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'netlens-code-server-cache', private: true }, null, 2) + '\n');

  // Its postinstall would download ripgrep and refuses to run as root; the steps below do its work.
  step(`npm install code-server@${CODE_SERVER_VERSION} --ignore-scripts`);
  await npm(['install', `code-server@${CODE_SERVER_VERSION}`, '--omit=dev', '--ignore-scripts', '--no-save', '--prefix', root], root, 15 * MINUTE);

  const vscodeDir = join(root, 'node_modules', 'code-server', 'lib', 'vscode');
  if (!existsSync(join(vscodeDir, 'package.json'))) throw new Error(`unexpected code-server layout: ${vscodeDir}/package.json is missing`);

  step('npm install --omit=dev --ignore-scripts in lib/vscode (VS Code server dependencies)');
  await npm(['install', '--omit=dev', '--ignore-scripts', '--prefix', vscodeDir], vscodeDir, 20 * MINUTE);

  step(`npm rebuild ${VSCODE_NATIVE_ADDONS.join(' ')} (compiles native addons)`);
  // node-pty's extra post-install step (compile_commands generation) fails and is harmless,
  // so the exit code is not trusted; each addon is loaded in this Node instead.
  await npm(['rebuild', ...VSCODE_NATIVE_ADDONS, '--prefix', vscodeDir], vscodeDir, 20 * MINUTE, { allowFailure: true });
  await assertLoadable(vscodeDir, VSCODE_NATIVE_ADDONS, logFile);
  if (!existsSync(join(vscodeDir, 'node_modules', 'node-pty', 'build', 'Release', 'pty.node'))) {
    throw new Error(`node-pty was not built: build/Release/pty.node is missing (see ${logFile})`);
  }

  step('ripgrep: copying the system rg into @vscode/ripgrep');
  const rg = findOnPath('rg');
  const rgDir = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  copyFileSync(rg, join(rgDir, 'rg'));
  chmodSync(join(rgDir, 'rg'), 0o755);

  // What code-server's postinstall does: VS Code loads its modules through node_modules.asar.
  const asar = join(vscodeDir, 'node_modules.asar');
  rmSync(asar, { force: true });
  symlinkSync('node_modules', asar);

  step('npm rebuild argon2 (password hashing; loaded even with --auth none)');
  // Building from source skips node-pre-gyp's download attempt, which cannot succeed here.
  await npm(['rebuild', 'argon2', '--prefix', root], root, 10 * MINUTE, { env: { npm_config_build_from_source: 'true' } });
  await assertLoadable(root, ['argon2'], logFile);

  step('checking that code-server starts');
  // Even --version writes ~/.config/code-server/config.yaml (with a password) and
  // ~/.local/share/code-server when they are missing; keep that inside the staging folder.
  const scratch = join(root, '.version-check');
  const checkEnv = { ...process.env, XDG_CONFIG_HOME: join(scratch, 'config'), XDG_DATA_HOME: join(scratch, 'data') };
  const version = await run(process.execPath, [codeServerEntry(root), '--version'], { cwd: root, env: checkEnv, timeoutMs: MINUTE, label: 'code-server --version' });
  rmSync(scratch, { recursive: true, force: true });
  appendFileSync(logFile, `\ncode-server --version:\n${version.stdout}`);
  if (!version.stdout.includes(CODE_SERVER_VERSION)) throw new Error(`code-server --version printed ${JSON.stringify(version.stdout)}`);
}

/**
 * The environment for the npm children: our own npm's per-script variables are dropped so
 * the child works on the cache folder, not on the repo that ran `npm start`.
 */
function npmEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_(package|lifecycle)_/.test(key) || key === 'npm_config_local_prefix' || key === 'npm_command' || key === 'INIT_CWD') delete env[key];
  }
  env.npm_config_unsafe_perm = 'true'; // code-server's scripts refuse root without it
  env.npm_config_update_notifier = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  // node-gyp downloads Node's headers from nodejs.org unless told where they are; use the
  // ones installed with this Node when present (nodejs.org is not reachable here).
  if (!env.npm_config_nodedir) {
    const nodePrefix = dirname(dirname(process.execPath));
    if (existsSync(join(nodePrefix, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = nodePrefix;
  }
  return env;
}

/** Loads each package in a child Node running in `cwd`; throws naming the ones that fail. */
async function assertLoadable(cwd, packages, logFile) {
  // A fixed script; the package names travel as argv, never inside the code.
  const script = `
    const failed = [];
    for (const name of process.argv.slice(1)) {
      try { require(require.resolve(name, { paths: [process.cwd()] })); }
      catch (error) { failed.push(name + ': ' + String(error.message).split('\\n')[0]); }
    }
    if (failed.length) { console.error(failed.join('\\n')); process.exit(1); }`;
  const result = await run(process.execPath, ['-e', script, ...packages], { cwd, timeoutMs: MINUTE, allowFailure: true, label: 'loading native addons' });
  if (result.code !== 0) {
    appendFileSync(logFile, `\nnative addons that do not load:\n${result.stderr}`);
    throw new Error(`native addons do not load (see ${logFile}):\n${result.stderr.trim()}`);
  }
}

/** Moves the finished staging folder into place; a concurrent install that finished first wins. */
function publish(staging, dir) {
  mkdirSync(dirname(dir), { recursive: true });
  if (existsSync(dir)) {
    if (readInstall(dir)) {
      rmSync(staging, { recursive: true, force: true });
      return;
    }
    rmSync(dir, { recursive: true, force: true }); // incomplete, or built for another Node
  }
  renameSync(staging, dir);
}

function elapsed(since) {
  const s = Math.round((Date.now() - since) / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const started = Date.now();
    const { dir, marker } = await ensureCodeServer({ force: process.argv.includes('--force') });
    console.error(`code-server ${marker.version} ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    console.log(dir);
  } catch (error) {
    console.error(`install-code-server: ${error.message}`);
    process.exit(1);
  }
}
