// Child processes for the VS Code host scripts: argv arrays only (never a shell string),
// every run time-bounded, and every long-lived child started in its own process group so
// that stopping it also stops what it spawned (code-server forks its extension host,
// file watcher and pty host; Chromium forks renderers).
import { spawn } from 'node:child_process';

/**
 * Runs `command args` and resolves with its exit code and captured output.
 * Rejects with a readable error on spawn failure, on timeout (after killing the whole
 * process group) and, unless `allowFailure`, on a non-zero exit.
 *
 * @param {string} command
 * @param {string[]} args
 * @param {{cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs: number, label?: string,
 *          allowFailure?: boolean, echo?: boolean}} options
 * @returns {Promise<{code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string}>}
 */
export function run(command, args, options) {
  const label = options.label ?? [command, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    const keep = (text, chunk) => (text.length > 1_000_000 ? text : text + chunk);
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout = keep(stdout, chunk);
      if (options.echo) process.stdout.write(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr = keep(stderr, chunk);
      if (options.echo) process.stderr.write(chunk);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
    }, options.timeoutMs);
    const removeExitHook = onParentExit(() => killGroup(child.pid, 'SIGKILL'));
    child.on('error', (error) => {
      clearTimeout(timer);
      removeExitHook();
      const hint = error.code === 'ENOENT' ? ` (${command} not found on PATH=${process.env.PATH ?? ''})` : '';
      reject(new Error(`${label}: ${error.message}${hint}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      removeExitHook();
      if (timedOut) {
        reject(new Error(`${label}: timed out after ${Math.round(options.timeoutMs / 1000)} s\n${tail(stderr || stdout)}`));
      } else if (code !== 0 && !options.allowFailure) {
        // An echoed child has already shown its output.
        reject(new Error(`${label}: exited with ${code ?? signal}${options.echo ? '' : `\n${tail(stderr || stdout)}`}`));
      } else {
        resolve({ code, signal, stdout, stderr });
      }
    });
  });
}

/** Sends `signal` to the process group led by `pid`; ignores groups that are already gone. */
export function killGroup(pid, signal) {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}

/** True while any process of the group led by `pid` is alive. */
export function groupAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops a process group: SIGTERM, then SIGKILL after `graceMs`, then waits (bounded) until
 * no member is left, so callers can rely on "no orphans" when the promise resolves.
 */
export async function stopGroup(pid, graceMs = 3000) {
  if (!groupAlive(pid)) return;
  killGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await sleep(50);
  if (!groupAlive(pid)) return;
  killGroup(pid, 'SIGKILL');
  const hardDeadline = Date.now() + 5000;
  while (groupAlive(pid) && Date.now() < hardDeadline) await sleep(50);
}

/**
 * Runs `cleanup(reason)` synchronously if this process exits ('exit') or gets SIGINT,
 * SIGTERM or SIGHUP before the returned remover is called. A detached child is not in
 * the terminal's process group, so without this a Ctrl-C would orphan it. When no other
 * listener handles the signal, it is re-raised after cleanup so the exit status stays
 * conventional (130 for Ctrl-C); a caller with its own handler decides when to exit.
 *
 * @param {(reason: 'exit' | NodeJS.Signals) => void} cleanup
 */
export function onParentExit(cleanup) {
  const onExit = () => cleanup('exit');
  const onSignal = (signal) => {
    cleanup(signal);
    process.removeListener(signal, onSignal);
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.once('exit', onExit);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, onSignal);
  return () => {
    process.removeListener('exit', onExit);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.removeListener(signal, onSignal);
  };
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tail(text, lines = 30) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
