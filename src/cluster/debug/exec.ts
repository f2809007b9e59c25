/**
 * Exec in a container over WebSocket (client-node `Exec`, channel protocol v5 or v4): an argv
 * array only (never a shell string), stdout and stderr collected separately (no tty, which would
 * merge them), the exit code read from the status channel, a per-command timeout, an AbortSignal
 * and an output cap. Timeout, cancellation and the cap all end the exec by terminating the socket.
 *
 * client-node's promise resolves when the socket opens, not when the command ends; the end is the
 * socket's close, after the status frame (client-node closes the socket itself when it gets one).
 * An upgrade the API server refuses rejects with a ws ErrorEvent "Unexpected server response:
 * 403" whose Status body is lost, which is why callers check permissions first.
 */
import { Exec } from '@kubernetes/client-node';
import { Writable } from 'node:stream';
import type { ExecOutcome } from '../../core/connectivity/checks';
import { fromHttpStatus } from '../errors';
import type { ClusterConnection } from '../kubeconfig';
import { DebugError, cancelledError } from './errors';
import { MAX_OUTPUT_BYTES } from './steps';

export interface ExecTarget {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
}

export interface ExecOptions {
  /** Ends the exec after this long; the outcome then has `execError` and no exit code (default 30 s). */
  readonly timeoutMs?: number;
  /** Ends the exec and rejects with a `Cancelled` DebugError. */
  readonly signal?: AbortSignal;
  /** Per stream; more output is dropped and the exec ended (default {@link MAX_OUTPUT_BYTES}). */
  readonly maxOutputBytes?: number;
}

/** The channel-3 status (a metav1.Status without kind). */
interface ExecStatus {
  status?: string;
  reason?: string;
  message?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

/** The exit code from a v4/v5 status: 0 on Success, the ExitCode cause on NonZeroExitCode, else null. */
export function exitCodeOf(status: ExecStatus | undefined): number | null {
  if (!status) return null;
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = cause?.message !== undefined ? Number(cause.message) : NaN;
  return Number.isInteger(code) ? code : null;
}

class Sink extends Writable {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  overflowed = false;

  constructor(
    private readonly cap: number,
    private readonly onOverflow: () => void,
  ) {
    super();
    // Frames after the status (none are expected) must not crash the process.
    this.on('error', () => undefined);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.overflowed) {
      const room = this.cap - this.size;
      if (chunk.length > room) {
        this.chunks.push(chunk.subarray(0, Math.max(0, room)));
        this.size = this.cap;
        this.overflowed = true;
        this.onOverflow();
      } else {
        this.chunks.push(chunk);
        this.size += chunk.length;
      }
    }
    callback();
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** The part of a `ws` WebSocket this module uses. */
interface Socket {
  terminate(): void;
  on(event: 'close', listener: () => void): unknown;
  readonly readyState: number;
}

const CLOSED = 3;

function upgradeError(err: unknown, target: ExecTarget): Error {
  const message = err instanceof Error ? err.message : typeof (err as { message?: unknown })?.message === 'string' ? (err as { message: string }).message : String(err);
  const m = /Unexpected server response: (\d{3})/.exec(message);
  const where = `${target.namespace}/${target.pod}`;
  if (m) {
    const code = Number(m[1]);
    if (code === 500) {
      return new DebugError('ExecFailed', `cannot exec in container ${target.container} of ${where}: it is not running (the API server could not reach it)`, { detail: message });
    }
    if (code === 400) {
      return new DebugError('ExecFailed', `the API server refused the exec in ${where} (HTTP 400): the container ${target.container} may not exist or the pod may have ended`, { detail: message });
    }
    return fromHttpStatus(code, undefined, { verb: 'create', resource: 'pods/exec', namespace: target.namespace, name: target.pod });
  }
  return new DebugError('ExecFailed', `cannot open the exec connection to ${where}: ${message}`, { cause: err, detail: message });
}

/**
 * Runs one command in a container and collects its output.
 * @param argv the command as an argv array (validated by the probe planners)
 * @returns stdout, stderr, the exit code (null when the exec did not complete), the duration and
 *   why it did not complete (`execError`) when it did not
 * @throws a `Cancelled` DebugError when `signal` aborts; a ClusterError or DebugError when the exec
 *   cannot start (forbidden, pod or container not found or not running)
 */
export async function execInContainer(connection: ClusterConnection, target: ExecTarget, argv: readonly string[], options: ExecOptions = {}): Promise<ExecOutcome> {
  if (argv.length === 0 || argv.some((a) => typeof a !== 'string' || a.includes('\0'))) {
    throw new DebugError('InvalidRequest', 'an exec needs a non-empty argv of strings without NUL characters');
  }
  const what = `running ${argv[0]} in ${target.namespace}/${target.pod}`;
  if (options.signal?.aborted) throw cancelledError(what);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const cap = options.maxOutputBytes ?? MAX_OUTPUT_BYTES;
  const started = Date.now();

  return new Promise<ExecOutcome>((resolve, reject) => {
    let socket: Socket | undefined;
    let status: ExecStatus | undefined;
    let settled = false;
    let stopReason: string | undefined;
    let cancelled = false;

    const cleanup = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const outcome = (): ExecOutcome => {
      const truncated = stdout.overflowed || stderr.overflowed;
      const execError = stopReason ?? (status === undefined ? 'the exec stream closed without an exit status' : status.reason === 'InternalError' ? (status.message ?? 'internal error') : undefined);
      return {
        stdout: stdout.text(),
        stderr: stderr.text(),
        exitCode: stopReason !== undefined ? null : exitCodeOf(status),
        durationMs: Date.now() - started,
        truncated,
        ...(execError !== undefined ? { execError } : {}),
      };
    };
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      cleanup();
      fn();
    };
    const stop = (reason: string, isCancel: boolean): void => {
      if (settled || stopReason !== undefined) return;
      stopReason = reason;
      cancelled = isCancel;
      if (socket && socket.readyState !== CLOSED) socket.terminate();
      // Before the socket opened, there is nothing to wait for: settle now, close it when it comes.
      if (!socket) settle(() => (cancelled ? reject(cancelledError(what)) : resolve(outcome())));
    };
    const onAbort = (): void => stop('cancelled', true);
    const timer = setTimeout(() => stop(`timed out after ${timeoutMs} ms`, false), timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const stdout = new Sink(cap, () => stop(`output larger than ${cap} bytes: cut`, false));
    const stderr = new Sink(cap, () => stop(`output larger than ${cap} bytes: cut`, false));

    new Exec(connection.kc)
      .exec(target.namespace, target.pod, target.container, [...argv], stdout, stderr, null, false, (s) => {
        status = s as ExecStatus;
      })
      .then(
        (ws) => {
          const s = ws as unknown as Socket;
          if (settled || stopReason !== undefined) {
            s.terminate();
            return;
          }
          socket = s;
          connection.hadSuccess = true;
          const onClose = (): void => settle(() => (cancelled ? reject(cancelledError(what)) : resolve(outcome())));
          if (s.readyState === CLOSED) onClose();
          else s.on('close', onClose);
        },
        (err: unknown) => settle(() => (cancelled ? reject(cancelledError(what)) : stopReason !== undefined ? resolve(outcome()) : reject(upgradeError(err, target)))),
      );
  });
}
