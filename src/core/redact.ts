/**
 * Secrets out of text that is shown or logged. Two layers:
 *
 * - patterns: `Bearer`/`Basic` credentials, JWTs, PEM blocks, `token=`/`password:`-style values
 *   (also as JSON or YAML keys, and `Authorization:` headers), URL user info and long base64 runs;
 * - known values: the literal secrets of the kubeconfig in use (tokens, passwords, client keys,
 *   credential plugin env values and arguments, auth-provider config), also base64-encoded,
 *   wherever they appear, whatever surrounds them.
 *
 * The cluster layer's `sanitize()` (one line, 300 characters) and the extension's log use it.
 * Pure: no I/O, never throws.
 */

export const REDACTED = '<redacted>';

/** Shorter values are not redacted literally (they would eat common words); patterns still apply. */
export const MIN_KNOWN_SECRET_LENGTH = 6;

const KEYS = 'token|id-token|refresh-token|access-token|password|passwd|secret|client-secret|client-key-data|client-certificate-data|authorization|proxy-authorization|api[-_]?key|x-api-key|cookie|set-cookie';

export interface PatternOptions {
  /**
   * Long runs of base64 characters (48 or more): `any` redacts every one (server text in error
   * messages); `mixed` only those mixing upper case, lower case and digits, as random base64
   * does, so that long pod names and hex digests stay readable in the log.
   */
  readonly longRuns?: 'any' | 'mixed';
}

/**
 * Whether a long base64-alphabet run looks random rather than like a name or a path: it mixes
 * upper case, lower case and digits, and is not a file path (starts with `/`, or made of short
 * `/`-separated segments, as `/tmp/netlens-vscode-uQ7vCT/kubeconfig` is).
 */
function randomLooking(run: string): boolean {
  if (!(/[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run))) return false;
  if (run.startsWith('/')) return false;
  const segments = run.split('/');
  return segments.length === 1 || segments.some((seg) => seg.length >= 32);
}

/** Removes what looks like a secret, keeping line breaks (the log keeps stack traces readable). */
export function redactPatterns(text: string, options: PatternOptions = {}): string {
  let t = text;
  t = t.replace(/-----BEGIN [^-\n]*-----[\s\S]*?(-----END [^-\n]*-----|$)/g, REDACTED);
  t = t.replace(/\b(Bearer|Basic|Negotiate|Digest)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`);
  t = t.replace(/\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g, REDACTED);
  // `authorization: <scheme> <value>`: the scheme is kept, the value goes (a scheme-less header value too).
  // The key must start a word: `leaky-token: 3 pods` names a context, it holds no token.
  t = t.replace(new RegExp(`(?<![A-Za-z0-9-])("?(?:${KEYS})"?\\s*[:=]\\s*)("[^"\\n]*"|'[^'\\n]*'|[^\\s,;}&]+)`, 'gi'), (m, key: string, value: string) =>
    /^(Bearer|Basic|Negotiate|Digest)$/i.test(value) ? m : `${key}${REDACTED}`,
  );
  t = t.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, `$1${REDACTED}@`);
  const mixed = options.longRuns === 'mixed';
  t = t.replace(/[A-Za-z0-9+/_-]{48,}={0,2}/g, (run) => (!mixed || randomLooking(run) ? REDACTED : run));
  return t;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): string | undefined {
  try {
    const binary = atob(text);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Every form a known secret could appear in: itself, base64 (standard, unpadded, URL-safe), and the text inside a base64 value. */
function forms(secret: string): string[] {
  const out = new Set<string>([secret]);
  const b64 = base64(secret);
  out.add(b64);
  out.add(b64.replace(/=+$/, ''));
  out.add(b64.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'));
  // A secret that is itself base64 (client-key-data): the lines of its decoded text (a PEM's body).
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(secret) && secret.length % 4 === 0) {
    const decoded = fromBase64(secret);
    if (decoded) for (const line of decoded.split(/\r?\n/)) if (!/^-----(BEGIN|END) /.test(line.trim())) out.add(line.trim());
  }
  return [...out].filter((f) => f.length >= MIN_KNOWN_SECRET_LENGTH);
}

/**
 * A set of literal secrets to redact, plus the patterns. Add a kubeconfig's secrets when it is
 * loaded (see `kubeconfigSecrets`); redaction then removes each wherever it appears.
 */
export class Redactor {
  private readonly known = new Set<string>();
  private pattern: RegExp | undefined;

  /** Adds literal secrets; values shorter than {@link MIN_KNOWN_SECRET_LENGTH} are ignored. */
  add(values: Iterable<string>): void {
    let changed = false;
    for (const v of values) {
      if (typeof v !== 'string' || v.trim().length < MIN_KNOWN_SECRET_LENGTH) continue;
      for (const f of forms(v.trim())) {
        if (!this.known.has(f)) {
          this.known.add(f);
          changed = true;
        }
      }
    }
    if (changed) {
      // Longest first, so a secret's base64 form is not cut by a shorter secret inside it.
      const all = [...this.known].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(all.join('|'), 'g');
    }
  }

  get size(): number {
    return this.known.size;
  }

  redact(text: string): string {
    let t = String(text);
    if (this.pattern) t = t.replace(this.pattern, REDACTED);
    return redactPatterns(t, { longRuns: 'mixed' });
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const SECRET_USER_FIELDS = ['token', 'password', 'client-key-data', 'client-certificate-data', 'keyData', 'certData'];
const SECRET_PROVIDER_KEYS = /^(access-token|id-token|refresh-token|client-secret|token|password|secret)$/i;
const SECRET_FLAG = /^--?(token|password|passwd|secret|client-secret|api-key|apikey|key)(=(.*))?$/i;

/**
 * The literal secrets of kubeconfig `users[].user` entries (kubeconfig spelling or client-node's
 * camelCase): tokens, passwords, client key and certificate data, every credential plugin env
 * value but PATH, plugin arguments given to a secret-looking flag (`--token X`, `--password=X`),
 * and auth-provider tokens and client secrets. File names and commands are not secrets.
 */
export function kubeconfigSecrets(users: readonly unknown[]): string[] {
  const out: string[] = [];
  const push = (v: unknown): void => {
    if (typeof v === 'string' && v !== '') out.push(v);
  };
  for (const entry of users) {
    if (!isRecord(entry)) continue;
    const user = isRecord(entry.user) ? entry.user : entry;
    for (const field of SECRET_USER_FIELDS) push(user[field]);
    const exec = isRecord(user.exec) ? user.exec : undefined;
    if (exec) {
      if (Array.isArray(exec.env)) for (const e of exec.env) if (isRecord(e) && e.name !== 'PATH') push(e.value);
      const args: unknown[] = Array.isArray(exec.args) ? exec.args : [];
      args.forEach((a, i) => {
        const m = typeof a === 'string' ? SECRET_FLAG.exec(a) : null;
        if (m) push(m[2] !== undefined ? m[3] : args[i + 1]);
      });
    }
    const provider = isRecord(user['auth-provider']) ? user['auth-provider'] : isRecord(user.authProvider) ? user.authProvider : undefined;
    if (provider && isRecord(provider.config)) for (const [k, v] of Object.entries(provider.config)) if (SECRET_PROVIDER_KEYS.test(k)) push(v);
  }
  return out;
}
