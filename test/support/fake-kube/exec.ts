/**
 * The exec WebSocket session (`v5.channel.k8s.io` / `v4.channel.k8s.io`), after the server has
 * authenticated, authorized and validated the upgrade.
 *
 * Wire protocol (apiserver `util/proxy/websocket.go`, kubelet `cri/streaming/remotecommand`):
 * every binary message is one channel byte and a payload. Server → client: an empty frame on the
 * lowest requested output channel first, then 1 stdout / 2 stderr, then one 3 status frame
 * (`metav1.Status` JSON without kind/apiVersion), then close. Client → server: 0 stdin,
 * 4 resize (JSON), and (v5 only) `[255, 0]` when stdin ends.
 *
 * The scripted handler runs once stdin is complete (at once when stdin was not requested), not
 * concurrently with it: there is no interactive process.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export const V5 = 'v5.channel.k8s.io';
export const V4 = 'v4.channel.k8s.io';

export interface ExecContext {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** The `command` query parameters, in order. */
  readonly argv: readonly string[];
  /** Everything the client sent on stdin (utf-8), `''` when stdin was not requested. */
  readonly stdin: string;
  readonly stdinBytes: Buffer;
  readonly tty: boolean;
  /** The negotiated subprotocol. */
  readonly protocol: string;
  /** The authenticated user. */
  readonly user: string;
  /** Which streams the client asked for. */
  readonly streams: { readonly stdin: boolean; readonly stdout: boolean; readonly stderr: boolean };
  /** Resize messages received (`{"Width":80,"Height":24}` as sent). */
  readonly resizes: readonly unknown[];
}

export type ExecResult =
  | { stdout?: string | Buffer; stderr?: string | Buffer; exitCode: number }
  | { internalError: string };

export type ExecHandler = (ctx: ExecContext) => ExecResult | Promise<ExecResult>;

/** The default handler: every command is `command not found`, exit 127. */
export const commandNotFound: ExecHandler = (ctx) => ({
  stdout: '',
  stderr: `${ctx.argv[0] ?? 'sh'}: command not found\n`,
  exitCode: 127,
});

const FRAME_MAX = 32 * 1024;

/** The channel-3 body for an exit code (kubelet `remotecommand/exec.go`) or an internal error. */
export function statusFor(result: ExecResult, argv: readonly string[]): Record<string, unknown> {
  if ('internalError' in result) {
    return {
      metadata: {},
      status: 'Failure',
      message: `Internal error occurred: ${result.internalError}`,
      reason: 'InternalError',
      details: { causes: [{ message: result.internalError }] },
      code: 500,
    };
  }
  if (result.exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${result.exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(result.exitCode) }] },
  };
}

/** Picks the subprotocol the server speaks from the client's offer, or undefined. */
export function chooseProtocol(offered: string | undefined, supported: readonly string[]): string | undefined {
  const list = (offered ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return supported.find((p) => list.includes(p));
}

export interface ExecSessionInit {
  namespace: string;
  pod: string;
  container: string;
  argv: string[];
  tty: boolean;
  user: string;
  streams: { stdin: boolean; stdout: boolean; stderr: boolean };
  protocol: string;
  handler: ExecHandler;
  onRun?: (ctx: ExecContext) => void;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export class ExecServer {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<WebSocket>();

  constructor() {
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      clientTracking: false,
      // The protocol was chosen before the upgrade; echo it.
      handleProtocols: (_protocols, request) => (request as IncomingMessage & { execProtocol?: string }).execProtocol ?? false,
    });
  }

  get open(): number {
    return this.sessions.size;
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, init: ExecSessionInit): void {
    (req as IncomingMessage & { execProtocol?: string }).execProtocol = init.protocol;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.run(ws, init));
  }

  /** Ends every session abruptly (server shutdown, dropped connections). */
  terminateAll(): void {
    for (const ws of this.sessions) ws.terminate();
    this.sessions.clear();
  }

  close(): void {
    this.terminateAll();
    this.wss.close();
  }

  private run(ws: WebSocket, init: ExecSessionInit): void {
    this.sessions.add(ws);
    ws.on('close', () => this.sessions.delete(ws));
    ws.on('error', () => this.sessions.delete(ws));
    const stdinChunks: Buffer[] = [];
    const resizes: unknown[] = [];
    let started = false;

    const first = init.streams.stdout ? CHANNEL.stdout : init.streams.stderr ? CHANNEL.stderr : CHANNEL.error;
    ws.send(Buffer.from([first]));

    const start = (): void => {
      if (started) return;
      started = true;
      const stdinBytes = Buffer.concat(stdinChunks);
      const ctx: ExecContext = {
        namespace: init.namespace,
        pod: init.pod,
        container: init.container,
        argv: [...init.argv],
        stdin: stdinBytes.toString('utf8'),
        stdinBytes,
        tty: init.tty,
        protocol: init.protocol,
        user: init.user,
        streams: { ...init.streams },
        resizes,
      };
      init.onRun?.(ctx);
      void Promise.resolve()
        .then(() => init.handler(ctx))
        .catch((err: unknown) => ({ internalError: err instanceof Error ? err.message : String(err) }))
        .then((result) => this.finish(ws, init, result));
    };

    ws.on('message', (data, isBinary) => {
      const buf = isBinary ? toBuffer(data) : Buffer.from(toBuffer(data).toString('utf8'), 'utf8');
      if (buf.length === 0) return;
      const channel = buf[0];
      if (channel === CHANNEL.stdin) stdinChunks.push(buf.subarray(1));
      else if (channel === CHANNEL.resize) {
        try {
          resizes.push(JSON.parse(buf.subarray(1).toString('utf8')));
        } catch {
          // A bad resize message is ignored, as the kubelet logs and ignores it.
        }
      } else if (channel === CHANNEL.close && init.protocol === V5 && buf[1] === CHANNEL.stdin) start();
    });

    if (!init.streams.stdin) start();
  }

  private finish(ws: WebSocket, init: ExecSessionInit, result: ExecResult): void {
    if (ws.readyState !== ws.OPEN) return;
    if (!('internalError' in result)) {
      let stdout = result.stdout === undefined ? Buffer.alloc(0) : Buffer.from(result.stdout);
      const stderr = result.stderr === undefined ? Buffer.alloc(0) : Buffer.from(result.stderr);
      // Under a TTY there is one output stream.
      if (init.tty) stdout = Buffer.concat([stdout, stderr]);
      if (init.streams.stdout) this.sendStream(ws, CHANNEL.stdout, stdout);
      if (init.streams.stderr && !init.tty) this.sendStream(ws, CHANNEL.stderr, stderr);
    }
    ws.send(Buffer.concat([Buffer.from([CHANNEL.error]), Buffer.from(JSON.stringify(statusFor(result, init.argv)))]));
    ws.close(1000);
  }

  private sendStream(ws: WebSocket, channel: number, data: Buffer): void {
    for (let offset = 0; offset < data.length; offset += FRAME_MAX) {
      ws.send(Buffer.concat([Buffer.from([channel]), data.subarray(offset, offset + FRAME_MAX)]));
    }
  }
}
