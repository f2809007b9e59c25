/**
 * Typed errors at the cluster boundary. Everything client-node (or the network, or a
 * credential plugin) throws is classified into one {@link ClusterErrorKind} with a one-line
 * `userMessage` that says what to do. Messages never carry tokens, keys, certificates or
 * credential-plugin output: they are built from status codes, Status reasons and names, and
 * any server text that goes into them passes {@link sanitize} first.
 */
import { ApiException } from '@kubernetes/client-node';
import { redactPatterns } from '../core/redact';

export type ClusterErrorKind =
  | 'Unreachable'
  | 'Unauthorized'
  | 'Forbidden'
  /** Credentials that worked have expired (or are known to be past their expiry). */
  | 'Expired'
  | 'NotFound'
  | 'NoContext'
  | 'NoKubeconfig'
  | 'Timeout'
  | 'Unknown';

export interface ClusterErrorDetails {
  /** HTTP status, when the API server answered. */
  readonly status?: number;
  /** The Kubernetes Status `reason` (`Forbidden`, `Expired`, ...). */
  readonly reason?: string;
  /** A sanitised technical line for logs (never shown instead of `userMessage`). */
  readonly detail?: string;
  /** Whether trying again later may help (network trouble, 5xx, timeouts, expired lists). */
  readonly retryable?: boolean;
}

export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  readonly status?: number;
  readonly reason?: string;
  readonly detail?: string;
  readonly retryable: boolean;

  constructor(
    readonly kind: ClusterErrorKind,
    /** One line, says what happened and what to do. Safe to show and to log. */
    readonly userMessage: string,
    details: ClusterErrorDetails = {},
  ) {
    super(userMessage);
    this.status = details.status;
    this.reason = details.reason;
    this.detail = details.detail;
    this.retryable = details.retryable ?? false;
  }
}

/** What the failed request was about; every field is optional and only sharpens the message. */
export interface ErrorContext {
  /** kubeconfig context name. */
  readonly context?: string;
  /** The cluster's server URL. */
  readonly server?: string;
  readonly verb?: string;
  /** Plural resource, optionally with a subresource: `pods`, `pods/exec`. */
  readonly resource?: string;
  /** Namespace of the request; undefined or `''` is the cluster scope. */
  readonly namespace?: string;
  /** Object name for get/patch requests. */
  readonly name?: string;
  /** A request with these credentials succeeded before: a 401 now means they expired. */
  readonly hadSuccess?: boolean;
  /** The local credential (JWT `exp`, client certificate) is already past its expiry. */
  readonly credentialExpired?: boolean;
  /** How the user limits netlens to namespaces: `netlens.namespaces` (default) or `--namespace`. */
  readonly namespacesHint?: string;
}

// ---------------------------------------------------------------------------------------------
// Sanitising

/**
 * Removes anything that looks like a secret from a text and keeps one line of at most 300
 * characters: bearer tokens, JWTs, PEM blocks, `token=`/`password:` values, URL user info and
 * long base64 runs (`redactPatterns` in src/core/redact.ts, which the extension's log uses too).
 */
export function sanitize(text: string): string {
  const t = redactPatterns(String(text));
  const line = t.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

// ---------------------------------------------------------------------------------------------
// Status bodies

/** The parts of a metav1.Status netlens reads. */
export interface StatusBody {
  readonly kind?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: { readonly name?: string; readonly kind?: string; readonly group?: string };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses an ApiException body (a string holding Status JSON in client-node 1.x) or a Status object. */
export function parseStatus(body: unknown): StatusBody | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  if (!isRecord(value)) return undefined;
  const details = isRecord(value.details) ? value.details : undefined;
  return {
    kind: typeof value.kind === 'string' ? value.kind : undefined,
    message: typeof value.message === 'string' ? value.message : undefined,
    reason: typeof value.reason === 'string' ? value.reason : undefined,
    code: typeof value.code === 'number' ? value.code : undefined,
    details: details
      ? {
          name: typeof details.name === 'string' ? details.name : undefined,
          kind: typeof details.kind === 'string' ? details.kind : undefined,
          group: typeof details.group === 'string' ? details.group : undefined,
        }
      : undefined,
  };
}

/** `User "u" cannot list resource "pods" in API group "" in the namespace "ns"` (or `at the cluster scope`). */
function parseForbidden(message: string | undefined): { verb: string; resource: string; namespace?: string } | undefined {
  if (!message) return undefined;
  const m = /cannot (\S+) resource "([^"]+)" in API group "[^"]*" (?:in the namespace "([^"]*)"|at the cluster scope)/.exec(message);
  if (!m) return undefined;
  return { verb: m[1]!, resource: m[2]!, namespace: m[3] || undefined };
}

// ---------------------------------------------------------------------------------------------
// Messages

function where(ctx: ErrorContext): string {
  const parts: string[] = [];
  if (ctx.context) parts.push(`context "${ctx.context}"`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function server(ctx: ErrorContext): string {
  return ctx.server ? ` at ${sanitize(ctx.server)}` : '';
}

const READ_VERBS = new Set(['get', 'list', 'watch']);

function forbiddenMessage(ctx: ErrorContext, status: StatusBody | undefined): string {
  const parsed = parseForbidden(status?.message);
  const verb = parsed?.verb ?? ctx.verb ?? 'access';
  const resource = parsed?.resource ?? ctx.resource ?? status?.details?.kind ?? 'this resource';
  const namespace = parsed ? parsed.namespace : ctx.namespace || undefined;
  const hint = ctx.namespacesHint ?? 'netlens.namespaces';
  const scope = namespace ? `in namespace ${namespace}` : 'across all namespaces';
  const what = ctx.name && !parsed ? `${resource} ${ctx.name}` : resource;
  const rbac = ctx.context ? `(RBAC, context "${ctx.context}")` : '(RBAC)';
  if (READ_VERBS.has(verb)) {
    const ask = namespace ? 'Ask for the "view" role there' : 'Ask for a cluster-wide "view" role';
    return `you cannot ${verb} ${what} ${scope} ${rbac}. ${ask}, or set ${hint} to the namespaces you can read`;
  }
  return `you cannot ${verb} ${what} ${scope} ${rbac}. Ask a cluster admin to grant "${verb}" on ${resource}${namespace ? ` in ${namespace}` : ''}`;
}

function unauthorizedMessage(ctx: ErrorContext): string {
  return `the API server${server(ctx)} rejected your credentials (HTTP 401)${where(ctx)}. Check the user's token or certificate in the kubeconfig, or log in again with your cluster's login command`;
}

function expiredMessage(ctx: ErrorContext): string {
  const why = ctx.credentialExpired ? 'are past their expiry time' : 'stopped working (HTTP 401 after earlier requests succeeded)';
  return `your credentials${where(ctx)} ${why}: they have probably expired. Log in again (re-run your cluster's login or get-credentials command), then reconnect`;
}

function notFoundMessage(ctx: ErrorContext, status: StatusBody | undefined): string {
  const msg = status?.message ?? '';
  if (/could not find the requested resource/.test(msg) || (!status?.details?.name && !ctx.name)) {
    return `the API server${server(ctx)} does not serve ${ctx.resource ?? 'this resource'}${where(ctx)}: check that the kubeconfig points at a Kubernetes API server and that the cluster supports it`;
  }
  const name = status?.details?.name ?? ctx.name;
  const kind = status?.details?.kind ?? ctx.resource ?? 'object';
  const ns = ctx.namespace ? ` in namespace ${ctx.namespace}` : '';
  return `${kind} "${name}" was not found${ns}${where(ctx)}: it may have been deleted; refresh and try again`;
}

// ---------------------------------------------------------------------------------------------
// Classification

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EHOSTDOWN: 'host down',
  ENETDOWN: 'network down',
  ECONNABORTED: 'connection aborted',
  UND_ERR_SOCKET: 'connection closed',
};

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'EPROTO',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

function errorCode(err: unknown): string | undefined {
  if (!isRecord(err)) return undefined;
  const code = err.code ?? err.errno;
  if (typeof code === 'string') return code;
  const cause = err.cause;
  if (isRecord(cause) && typeof cause.code === 'string') return cause.code;
  return undefined;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (isRecord(err) && typeof err.message === 'string') return err.message;
  return String(err);
}

function nameOf(err: unknown): string | undefined {
  if (err instanceof Error) return err.name;
  if (isRecord(err) && typeof err.name === 'string') return err.name;
  return undefined;
}

/** Classifies an HTTP status (with an optional Status body) from an API call or a watch. */
export function fromHttpStatus(code: number, status: StatusBody | undefined, ctx: ErrorContext = {}): ClusterError {
  const reason = status?.reason;
  const detail = sanitize(`HTTP ${code}${reason ? ` ${reason}` : ''}${status?.message ? `: ${status.message}` : ''}`);
  const base = { status: code, reason, detail };
  switch (code) {
    case 401:
      if (ctx.hadSuccess || ctx.credentialExpired) return new ClusterError('Expired', expiredMessage(ctx), { ...base, retryable: true });
      return new ClusterError('Unauthorized', unauthorizedMessage(ctx), base);
    case 403:
      return new ClusterError('Forbidden', forbiddenMessage(ctx, status), base);
    case 404:
      return new ClusterError('NotFound', notFoundMessage(ctx, status), base);
    case 408:
    case 504:
      return new ClusterError('Timeout', `the API server${server(ctx)} timed out${where(ctx)}. Try again; if it keeps happening, limit netlens to fewer namespaces`, {
        ...base,
        retryable: true,
      });
    case 410:
      return new ClusterError('Unknown', `the cluster's data changed while netlens was reading it (HTTP 410 ${reason ?? 'Gone'})${where(ctx)}. Reading it again`, {
        ...base,
        retryable: true,
      });
    case 429:
      return new ClusterError('Unknown', `the API server${server(ctx)} is throttling requests (HTTP 429)${where(ctx)}. netlens will retry; try again later`, {
        ...base,
        retryable: true,
      });
    case 502:
    case 503:
      return new ClusterError('Unreachable', `the API server${server(ctx)} is not available (HTTP ${code})${where(ctx)}. The control plane may be restarting or overloaded; netlens will retry`, {
        ...base,
        retryable: true,
      });
    default: {
      const text = status?.message ? `: ${sanitize(status.message)}` : '';
      return new ClusterError('Unknown', `the API server${server(ctx)} answered HTTP ${code}${reason ? ` ${reason}` : ''}${text}${where(ctx)}`, {
        ...base,
        retryable: code >= 500,
      });
    }
  }
}

/**
 * Classifies anything thrown while talking to a cluster: `ApiException`, watch errors with
 * `statusCode`, node-fetch `FetchError`s, Node socket errors, aborts and timeouts. A
 * {@link ClusterError} passes through unchanged. Never throws.
 */
export function classifyError(err: unknown, ctx: ErrorContext = {}): ClusterError {
  if (err instanceof ClusterError) return err;
  try {
    return classify(err, ctx);
  } catch {
    return new ClusterError('Unknown', `unexpected error talking to the cluster${where(ctx)}`, { detail: 'classification failed' });
  }
}

function classify(err: unknown, ctx: ErrorContext): ClusterError {
  if (err instanceof ApiException) {
    const e = err as ApiException<unknown>;
    return fromHttpStatus(e.code, parseStatus(e.body), ctx);
  }
  if (isRecord(err) && typeof err.code === 'number' && err.code >= 400 && err.code < 600 && 'body' in err) {
    // An ApiException from another copy of client-node.
    return fromHttpStatus(err.code, parseStatus(err.body), ctx);
  }
  if (isRecord(err) && typeof err.statusCode === 'number') {
    // Watch: `Error(statusText)` with `.statusCode`; the body is not read.
    return fromHttpStatus(err.statusCode, undefined, ctx);
  }
  if (isRecord(err) && err.kind === 'Status' && typeof err.code === 'number') {
    // A watch ERROR event's object.
    return fromHttpStatus(err.code, parseStatus(err), ctx);
  }
  const code = errorCode(err);
  const message = messageOf(err);
  const name = nameOf(err);
  const detail = sanitize(`${name ?? 'Error'}${code ? ` ${code}` : ''}: ${message}`);
  if (name === 'AbortError' || name === 'TimeoutError' || (code && TIMEOUT_CODES.has(code)) || (isRecord(err) && err.type === 'request-timeout')) {
    return new ClusterError('Timeout', `the API server${server(ctx)} did not answer in time${where(ctx)}. Check your network or VPN, then try again`, {
      detail,
      retryable: true,
    });
  }
  if (code && TLS_CODES.has(code)) {
    return new ClusterError(
      'Unreachable',
      `cannot verify the TLS certificate of the API server${server(ctx)} (${code})${where(ctx)}. Check certificate-authority-data (or certificate-authority) of the cluster in the kubeconfig, or that you reach the right server`,
      { detail },
    );
  }
  if (code && NETWORK_CODES[code]) {
    return new ClusterError(
      'Unreachable',
      `cannot reach the API server${server(ctx)}: ${NETWORK_CODES[code]}${where(ctx)}. Check that the cluster is running and that you are on the right network or VPN`,
      { detail, retryable: true },
    );
  }
  if (/HTTP protocol is not allowed when skipTLSVerify/.test(message)) {
    return new ClusterError(
      'Unreachable',
      `the cluster's server${server(ctx)} uses plain http, which client-node only allows with insecure-skip-tls-verify: true${where(ctx)}. Use the https address of the API server`,
      { detail },
    );
  }
  if (/No (currently )?active cluster/i.test(message)) {
    return new ClusterError('NoContext', `the kubeconfig has no current context, or its cluster is missing${where(ctx)}. Choose a context (kubectl config use-context NAME)`, {
      detail,
    });
  }
  if (name === 'SyntaxError' || (isRecord(err) && err.type === 'invalid-json')) {
    // A body cut short or not JSON (a proxy's error page, a dropped connection): JSON.parse's text
    // quotes the body, so only the kind of problem is shown.
    return new ClusterError(
      'Unknown',
      `the API server${server(ctx)} sent a response netlens cannot read (invalid JSON)${where(ctx)}. A proxy or load balancer in between may be cutting responses; netlens will retry`,
      { detail: 'invalid JSON in a response', retryable: true },
    );
  }
  if (/socket hang up|ECONNRESET|premature close/i.test(message)) {
    return new ClusterError('Unreachable', `the connection to the API server${server(ctx)} was closed${where(ctx)}. netlens will retry`, { detail, retryable: true });
  }
  return new ClusterError('Unknown', `unexpected error talking to the cluster${where(ctx)}: ${sanitize(message) || 'no message'}`, { detail });
}
