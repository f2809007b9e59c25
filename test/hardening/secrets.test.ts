/**
 * Secrets never leak: a recognisable credential is used as a bearer token, inside client key
 * data, and as an exec plugin's output (and error output), then failing and succeeding CLI runs
 * and cluster-layer operations are driven. The secret must appear nowhere: not on stdout or
 * stderr (the CLI's `io`, and anything written to the process's own streams or the console
 * meanwhile), not in any error's message, userMessage, detail, stack or JSON, not in watcher
 * errors, hidden-resource reasons or stream statuses.
 */
import * as assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { run } from '../../src/cli/main';
import { ClusterError, classifyError, sanitize } from '../../src/cluster/errors';
import { kubeconfigSecrets, Redactor, REDACTED } from '../../src/core/redact';
import { discoverKubeconfig, loadKubeconfig, type ClusterConnection } from '../../src/cluster/kubeconfig';
import { readClusterOnce, ClusterWatcher } from '../../src/cluster/watcher';
import type { FakeKube } from '../support/fake-kube/server';
import { closedPortUrl, eventually, FAST_BACKOFF, startFake, TempDir } from '../cluster/helpers';

const SECRET = 'nlk-SECRET-0123456789abcdef';
const SECRET_B64 = Buffer.from(SECRET).toString('base64');
/** Every form the secret could leak in. */
const FORMS = [SECRET, SECRET_B64, 'SECRET-0123456789', Buffer.from(SECRET).toString('hex')];

function assertClean(text: string, where: string): void {
  for (const form of FORMS) assert.ok(!text.includes(form), `${where} contains the secret (${form}): ${text.slice(Math.max(0, text.indexOf(form) - 200), text.indexOf(form) + 100)}`);
}

function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const c = e instanceof ClusterError ? e : undefined;
  return [e.message, e.stack ?? '', String(e), JSON.stringify(e), c?.userMessage ?? '', c?.detail ?? '', JSON.stringify(e.cause ?? null)].join('\n');
}

/** Everything written to the process's stdout, stderr and console while `fn` runs. */
async function captureProcessOutput<T>(fn: () => Promise<T>): Promise<{ value: T; output: string }> {
  let output = '';
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  const saved = { log: console.log, error: console.error, warn: console.warn, info: console.info, debug: console.debug };
  const grab = (chunk: unknown): boolean => {
    output += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    return true;
  };
  process.stdout.write = grab as typeof process.stdout.write;
  process.stderr.write = grab as typeof process.stderr.write;
  for (const k of Object.keys(saved) as Array<keyof typeof saved>) console[k] = (...args: unknown[]) => void (output += args.map(String).join(' ') + '\n');
  try {
    return { value: await fn(), output };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    Object.assign(console, saved);
  }
}

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string; processOutput: string }> {
  let out = '';
  const err: string[] = [];
  const { value: code, output } = await captureProcessOutput(() => run(argv, { out: async (t) => void (out += t), err: (t) => void err.push(t) }));
  return { code, out, err: err.join('\n'), processOutput: output };
}

interface UserEntry {
  name: string;
  user: Record<string, unknown>;
}

function kubeconfig(server: string, ca: string | undefined, user: UserEntry['user'], insecure = false): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server, ...(ca ? { 'certificate-authority-data': Buffer.from(ca).toString('base64') } : {}), ...(insecure ? { 'insecure-skip-tls-verify': true } : {}) } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', namespace: 'production' } }],
    'current-context': 'ctx',
  });
}

describe('hardening: secrets never appear in output, errors or logs', function () {
  this.timeout(30_000);
  let fake: FakeKube | undefined;
  let tmp: TempDir;
  const REACH = ['--from', 'production/web-api-7d9f8b6c5d-x2k4q', '--to', 'production/postgres-0', '--port', '5432'];

  beforeEach(() => {
    tmp = new TempDir();
  });
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
    tmp.cleanup();
  });

  it('a bearer token: CLI runs that succeed and fail in every way print no trace of it', async () => {
    fake = await startFake({ tokens: { [SECRET]: 'secret-user' } });
    const good = tmp.write('good', kubeconfig(fake.url, fake.caCert, { token: SECRET }));
    const dead = tmp.write('dead', kubeconfig(await closedPortUrl(), undefined, { token: SECRET }));
    const wrongCa = tmp.write('wrong-ca', kubeconfig(fake.url, undefined, { token: SECRET }));
    const runs: Array<[string[], number]> = [
      [['reach', '--kubeconfig', good, ...REACH], 1],
      [['reach', '--kubeconfig', good, ...REACH, '--json'], 1],
      [['matrix', '--kubeconfig', good, '--summary'], 0],
      [['lint', '--kubeconfig', good, '--format', 'sarif'], 0],
      [['reach', '--kubeconfig', dead, ...REACH], 2],
      [['reach', '--kubeconfig', wrongCa, ...REACH], 2],
      [['reach', '--kubeconfig', good, '--context', 'nope', ...REACH], 2],
      [['lint', '--kubeconfig', `${good}.missing`], 2],
    ];
    for (const [argv, expected] of runs) {
      const r = await cli(argv);
      assert.equal(r.code, expected, `${argv.join(' ')}: ${r.err}`);
      for (const [what, text] of Object.entries({ stdout: r.out, stderr: r.err, process: r.processOutput })) assertClean(text, `${argv.slice(0, 3).join(' ')} ${what}`);
    }
    // The same token, now rejected (401), and forbidden from reading (403), and behind a broken proxy (malformed JSON).
    fake.hooks.expireToken(SECRET);
    const unauthorized = await cli(['reach', '--kubeconfig', good, ...REACH]);
    assert.equal(unauthorized.code, 2);
    assert.match(unauthorized.err, /rejected your credentials \(HTTP 401\)/);
    fake.hooks.addToken(SECRET, 'secret-user');
    fake.hooks.setRbac({ rules: [{ verbs: ['list', 'watch'], resources: ['networkpolicies'], allow: false }] });
    const forbidden = await cli(['reach', '--kubeconfig', good, ...REACH]);
    assert.equal(forbidden.code, 2);
    fake.hooks.resetRbac();
    fake.hooks.malformed({ path: '/api/v1/pods', times: 1 });
    const malformed = await cli(['reach', '--kubeconfig', good, ...REACH]);
    assert.equal(malformed.code, 2);
    for (const r of [unauthorized, forbidden, malformed]) assertClean(`${r.out}\n${r.err}\n${r.processOutput}`, r.err);
    // The fake's own request log never saw a header either (a sanity check of the test, not of netlens).
    assertClean(JSON.stringify(fake.requests()), 'fake request records');
  });

  it('a bearer token: cluster-layer errors, watcher errors and statuses hold no trace of it', async () => {
    fake = await startFake({ tokens: { [SECRET]: 'secret-user' } });
    const connect = (server: string, ca?: string): ClusterConnection =>
      loadKubeconfig({ path: tmp.write(`k-${Math.random()}`, kubeconfig(server, ca, { token: SECRET })), env: {} }).connect();
    const texts: string[] = [];
    const collect = async (p: Promise<unknown>): Promise<void> => {
      try {
        await p;
      } catch (e) {
        texts.push(errorText(e));
      }
    };
    const conn = connect(fake.url, fake.caCert);
    fake.hooks.expireToken(SECRET);
    await collect(readClusterOnce(conn, { requestTimeoutMs: 2000 }));
    await collect(conn.core().listNamespace().catch((e: unknown) => Promise.reject(conn.classify(e))));
    await collect(readClusterOnce(connect(await closedPortUrl()), { requestTimeoutMs: 2000 }));
    await collect(readClusterOnce(connect(fake.url), { requestTimeoutMs: 2000 }));
    fake.hooks.addToken(SECRET, 'secret-user');
    const w = new ClusterWatcher(connect(fake.url, fake.caCert), { backoff: FAST_BACKOFF, requestTimeoutMs: 2000 });
    try {
      await w.start();
      fake.hooks.expireToken(SECRET);
      fake.hooks.closeAllWatches();
      await eventually(() => w.errors().length > 0, 3000, 'watch errors');
      texts.push(JSON.stringify(w.errors().map((e) => ({ ...e, error: errorText(e.error) }))), JSON.stringify(w.streams().map((s) => ({ ...s, error: s.error && errorText(s.error) }))), JSON.stringify(w.hidden()));
    } finally {
      await w.dispose();
    }
    assert.ok(texts.length >= 6);
    texts.forEach((t, i) => assertClean(t, `cluster error ${i}`));
    // And the errors classify (kinds the UI can act on).
    assert.match(texts[0]!, /rejected your credentials|Unauthorized/);
  });

  it('client key data: a key (and certificate) holding the secret never shows, whatever fails', async () => {
    fake = await startFake();
    const pem = (label: string): string => Buffer.from(`-----BEGIN ${label}-----\n${SECRET}${SECRET_B64}\n-----END ${label}-----\n`).toString('base64');
    const file = tmp.write('certs', kubeconfig(fake.url, fake.caCert, { 'client-certificate-data': pem('CERTIFICATE'), 'client-key-data': pem('PRIVATE KEY') }));
    const r = await cli(['reach', '--kubeconfig', file, ...REACH]);
    assert.equal(r.code, 2);
    assert.equal(r.err.split('\n').length, 1);
    assertClean(`${r.out}\n${r.err}\n${r.processOutput}`, `client key data: ${r.err}`);
    const found = discoverKubeconfig({ path: file, env: {} });
    assert.equal(found.state, 'found');
    if (found.state === 'found') {
      const conn = found.kubeconfig.connect();
      assert.equal(conn.credentialExpired(), false, 'an unreadable certificate is no opinion, not an error');
      try {
        await conn.core().listNamespace();
        assert.fail('expected a failure');
      } catch (e) {
        assertClean(errorText(e), 'client key error');
        assertClean(errorText(conn.classify(e)), 'classified client key error');
      }
    }
    // A kubeconfig that is not valid YAML, with the secret on the broken line, is reported by position only.
    const broken = tmp.write('broken', `users:\n- name: u\n  user:\n    token: "${SECRET}\n  unclosed: [\n`);
    const b = await cli(['lint', '--kubeconfig', broken]);
    assert.equal(b.code, 2);
    assertClean(`${b.err}\n${b.processOutput}`, `broken kubeconfig: ${b.err}`);
  });

  it('exec plugin output: a plugin that prints the secret as its token, as garbage, or in its error never leaks it', async function () {
    this.timeout(60_000);
    fake = await startFake({ tokens: { [SECRET]: 'plugin-user' } });
    // Shell plugins: client-node runs a failing plugin before every request, and sh starts in milliseconds.
    // With an expiry, a working credential is cached.
    const credential = (token: string): string =>
      JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token, expirationTimestamp: new Date(Date.now() + 3600e3).toISOString() } });
    const cases: Array<[string, string, number]> = [
      ['works.sh', `printf '%s' '${credential(SECRET)}'`, 1],
      ['garbage.sh', `printf 'not json: %s' '${SECRET}'`, 2],
      ['truncated.sh', `printf '%s' '${credential(SECRET).slice(0, -5)}'`, 2],
      ['fails.sh', `echo "refresh failed for token ${SECRET}" >&2; printf '%s' '${SECRET}'; exit 3`, 2],
      ['wrong-token.sh', `printf '%s' '${credential(SECRET.replace('0123', '9999'))}'`, 2],
    ];
    for (const [name, body, expected] of cases) {
      const script = tmp.write(name, `#!/bin/sh\n${body}\n`);
      chmodSync(script, 0o755);
      const file = tmp.write(`${name}.config`, kubeconfig(fake.url, fake.caCert, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: script, interactiveMode: 'Never' } }));
      const r = await cli(['reach', '--kubeconfig', file, ...REACH]);
      assert.equal(r.code, expected, `${name}: ${r.err}`);
      assertClean(`${r.out}\n${r.err}\n${r.processOutput}`, `${name}: ${r.err}`);
      if (expected === 2) {
        assert.equal(r.err.split('\n').length, 1, r.err);
        assert.match(r.err, /^netlens: (the credential plugin .* (failed|printed no valid ExecCredential)|the API server at .* rejected your credentials)/, r.err);
      }
      // The cluster layer's own error (what the extension would log).
      const conn = loadKubeconfig({ path: file, env: {} }).connect();
      await readClusterOnce(conn, { requestTimeoutMs: 20_000 }).then(
        () => assert.equal(expected, 1, `${name}: the plugin worked`),
        (e: unknown) => assertClean(errorText(e), `${name} (cluster layer)`),
      );
    }
  });

  it('sanitize: the secret in every shape a message could carry it is redacted, and long secrets even alone', () => {
    const shapes = [
      `Authorization: Bearer ${SECRET}`,
      `authorization: bearer ${SECRET}`,
      `{"token":"${SECRET}"}`,
      `token=${SECRET}&x=1`,
      `id-token: ${SECRET}`,
      `password: '${SECRET}'`,
      `client-key-data: ${SECRET_B64}`,
      `"client-key-data": "${SECRET_B64}"`,
      `https://admin:${SECRET}@example.com/api`,
      `-----BEGIN PRIVATE KEY-----\n${SECRET}\n-----END PRIVATE KEY-----`,
      `-----BEGIN PRIVATE KEY-----\n${SECRET} (truncated`,
      `api_key=${SECRET}`,
      `x-api-key: ${SECRET}`,
      `Basic ${Buffer.from(`user:${SECRET}`).toString('base64')}`,
    ];
    for (const s of shapes) {
      const clean = sanitize(`request failed: ${s}; retrying`);
      assertClean(clean, `sanitize(${JSON.stringify(s)})`);
      assert.doesNotMatch(clean, /\n/);
    }
    // A long opaque token or a JWT is redacted even without a label.
    const opaque = `${SECRET}${'A'.repeat(40)}`;
    assert.ok(!sanitize(`failed with ${opaque}`).includes(opaque));
    const jwt = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: SECRET })).toString('base64url')}.c2ln`;
    assertClean(sanitize(`got ${jwt}`), 'jwt');
    // classifyError with a secret in a network error's message: userMessage stays free of it.
    const e = classifyError(Object.assign(new Error(`connect ECONNREFUSED; Authorization: Bearer ${SECRET}`), { code: 'ECONNREFUSED' }), { server: `https://u:${SECRET}@10.0.0.1:6443`, context: 'c' });
    assertClean(errorText(e), 'classified network error');
    const unknown = classifyError(new Error(`weird failure token=${SECRET}`), { context: 'c' });
    assertClean(errorText(unknown), 'classified unknown error');
  });
});

/**
 * The extension's log (src/extension/log.ts) writes every line through a `Redactor`: the
 * patterns plus the literal secrets of the kubeconfig in use, which the cluster view and the
 * connectivity tests add when they load it. These tests drive the redactor as the log does; the
 * real channel's file is checked inside VS Code by test/vscode/security.vscode.test.ts.
 */
describe('hardening: the extension log redacts secrets', () => {
  const PASSWORD = 'nlk-PASSWORD-hunter2-xyz';
  const ENV_SECRET = 'nlk-ENV-value-0f9e8d7c';
  const ARG_SECRET = 'nlk-ARG-token-55aa';
  const ID_TOKEN = 'nlk-ID-token-77bb';
  const pem = `-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC${SECRET}\n-----END PRIVATE KEY-----\n`;
  const KEY_DATA = Buffer.from(pem).toString('base64');
  const HEX_TOKEN = 'a3f1c0d2e4b5968778695a4b3c2d1e0f9a8b7c6d5e4f30211203a4b5c6d7e8f9';
  const users = [
    { name: 'token-user', user: { token: SECRET } },
    { name: 'hex-user', user: { token: HEX_TOKEN } },
    { name: 'basic', user: { username: 'admin', password: PASSWORD } },
    { name: 'cert', user: { 'client-certificate-data': KEY_DATA, 'client-key-data': KEY_DATA } },
    {
      name: 'plugin',
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: 'aws',
          args: ['eks', 'get-token', '--cluster-name', 'production-cluster', '--token', ARG_SECRET],
          env: [{ name: 'AWS_SECRET_ACCESS_KEY', value: ENV_SECRET }, { name: 'PATH', value: '/usr/local/bin:/usr/bin' }],
        },
      },
    },
    { name: 'oidc', user: { 'auth-provider': { name: 'oidc', config: { 'id-token': ID_TOKEN, 'client-id': 'kubernetes', 'idp-issuer-url': 'https://issuer.example.com' } } } },
  ];
  const ALL_FORMS = (value: string): string[] => [value, Buffer.from(value).toString('base64').replace(/=+$/, '')];

  function logRedactor(): Redactor {
    const r = new Redactor();
    r.add(kubeconfigSecrets(users));
    return r;
  }

  function assertNoSecret(text: string, where: string): void {
    assertClean(text, where);
    for (const value of [PASSWORD, ENV_SECRET, ARG_SECRET, ID_TOKEN, HEX_TOKEN, KEY_DATA]) {
      for (const form of ALL_FORMS(value)) assert.ok(!text.includes(form), `${where} contains ${form}: ${text}`);
    }
  }

  it('kubeconfigSecrets: tokens, passwords, key and certificate data, plugin env values and --token arguments, auth-provider tokens; not names, commands, PATH or URLs', () => {
    const found = kubeconfigSecrets(users);
    assert.deepEqual(found.sort(), [SECRET, HEX_TOKEN, PASSWORD, KEY_DATA, KEY_DATA, ENV_SECRET, ARG_SECRET, ID_TOKEN].sort());
    // client-node's own spelling of a loaded user (camelCase) gives the same.
    assert.deepEqual(kubeconfigSecrets([{ name: 'u', token: SECRET, keyData: KEY_DATA, authProvider: { name: 'oidc', config: { 'refresh-token': ID_TOKEN } } }]).sort(), [SECRET, KEY_DATA, ID_TOKEN].sort());
    assert.deepEqual(kubeconfigSecrets([null, 'x', { user: { exec: { args: ['--password=' + PASSWORD] } } }]), [PASSWORD]);
    // The cluster layer's loaded kubeconfig gives them to the extension (cluster view, connectivity tests).
    const tmp = new TempDir();
    try {
      const file = tmp.write('config', JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'c', cluster: { server: 'https://10.0.0.1:6443' } }], users, contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'plugin' } }], 'current-context': 'ctx' }));
      const values = loadKubeconfig({ path: file, env: {} }).secretValues();
      for (const v of [SECRET, HEX_TOKEN, PASSWORD, KEY_DATA, ENV_SECRET, ARG_SECRET, ID_TOKEN]) assert.ok(values.includes(v), `secretValues() lacks ${v.slice(0, 20)}: ${JSON.stringify(values.map((x) => x.slice(0, 12)))}`);
    } finally {
      tmp.cleanup();
    }
  });

  it('every line the log could write about a failing connection comes out without the secrets, line breaks kept', () => {
    const r = logRedactor();
    const lines = [
      `cluster view: cannot connect to context prod: the API server rejected your credentials (HTTP 401) [HTTP 401 Unauthorized: Authorization: Bearer ${SECRET}]`,
      `command netlens.refresh failed: Error: request to https://10.0.0.1:6443/api failed, headers {"Authorization":"Bearer ${SECRET}","Proxy-Authorization":"Basic ${Buffer.from(`u:${PASSWORD}`).toString('base64')}"}\n    at fetch (node_modules/@kubernetes/client-node/dist/gen/http.js:10:5)`,
      `connectivity: unexpected error: token ${SECRET} was rejected`,
      `the credential plugin aws failed: exit 255: ${ENV_SECRET} is not a valid secret access key`,
      `spawn aws eks get-token --token ${ARG_SECRET}`,
      `kubeconfig dump: ${JSON.stringify(users)}`,
      `tls: cannot use client key ${KEY_DATA.slice(0, 60)}: ${pem}`,
      `static token ${HEX_TOKEN} expired`,
      `oidc refresh failed for id-token ${ID_TOKEN}`,
      `basic auth https://admin:${PASSWORD}@10.0.0.1:6443/`,
      `password=${PASSWORD}&user=admin`,
      `plugin env: DB_PASSWORD=${PASSWORD}`,
    ];
    for (const line of lines) {
      const out = r.redact(line);
      assertNoSecret(out, `log line ${JSON.stringify(line.slice(0, 60))}`);
      assert.ok(out.includes(REDACTED), out);
      assert.equal(out.split('\n').length, Math.max(1, line.split('\n').length - (line.includes('-----BEGIN') ? 2 : 0)), `line breaks kept: ${out}`);
    }
  });

  it('what the log is for stays readable: names, paths, contexts, long pod names, digests, plugin commands and PATH', () => {
    const r = logRedactor();
    const benign = [
      'cluster view: kubeconfig /home/dev/.kube/config, 3 context(s); settings changed',
      'connectivity: production/web-api-7d9f8b6c5d-x2k4q → production/postgres-0 port 5432/TCP, image nicolaka/netshoot:v0.13',
      'cluster view: connecting to context arn:aws:eks:eu-west-1:123456789012:cluster/production-cluster (namespaces a, b)',
      'pod team-7/my-really-long-statefulset-name-with-several-parts-and-more-0 is Running',
      'image registry.example.com/netshoot@sha256:6c3b1f0e9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c',
      'the credential plugin "aws" was not found on PATH /usr/local/bin:/usr/bin',
      'the user\'s token or certificate in the kubeconfig was rejected',
      'cluster view: kubeconfig /tmp/netlens-vscode-uQ7vCT/tmp/netlens-security-AbC123x/kubeconfig.json, 5 context(s)',
      'cluster view: context leaky-token: 3 namespaces, 0 pods; context my-secret: 2 pods; user admin-password=set',
    ];
    for (const line of benign) assert.equal(r.redact(line), line);
  });
});

