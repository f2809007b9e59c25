import { strict as assert } from 'node:assert';
import { ClusterError, classifyError, sanitize } from '../../src/cluster/errors';
import { loadKubeconfig, type ClusterConnection } from '../../src/cluster/kubeconfig';
import { withCallOptions } from '../../src/cluster/request';
import type { FakeKube } from '../support/fake-kube/server';
import { closedPortUrl, connectTo, kubeconfigText, startFake, TempDir } from './helpers';

async function failure(promise: Promise<unknown>, conn: ClusterConnection, extra = {}): Promise<ClusterError> {
  try {
    await promise;
  } catch (e) {
    return conn.classify(e, extra);
  }
  assert.fail('expected the request to fail');
}

const JWT_PAYLOAD = (exp: number): string => Buffer.from(JSON.stringify({ sub: 'x', exp })).toString('base64url');

describe('cluster errors', () => {
  let fake: FakeKube | undefined;
  let tmp: TempDir;

  beforeEach(() => {
    tmp = new TempDir();
  });

  afterEach(async () => {
    await fake?.close();
    fake = undefined;
    tmp.cleanup();
  });

  it('Forbidden: says who cannot do what where, and what to do', async () => {
    fake = await startFake({ rbac: { rules: [{ verbs: ['list'], resources: ['pods'], namespaces: ['prod'], allow: false }] } });
    const conn = connectTo(fake, tmp);
    const err = await failure(conn.core().listNamespacedPod({ namespace: 'prod' }), conn, { namespacesHint: 'netlens.namespaces' });
    assert.equal(err.kind, 'Forbidden');
    assert.equal(err.status, 403);
    assert.equal(
      err.userMessage,
      'you cannot list pods in namespace prod (RBAC, context "fake-kube"). Ask for the "view" role there, or set netlens.namespaces to the namespaces you can read',
    );
  });

  it('Forbidden at the cluster scope, and for writes', async () => {
    fake = await startFake({
      rbac: {
        rules: [
          { verbs: ['list'], resources: ['networkpolicies'], namespaces: [''], allow: false },
          { verbs: ['patch'], resources: ['pods/ephemeralcontainers'], allow: false },
        ],
      },
    });
    const conn = connectTo(fake, tmp);
    const all = await failure(conn.networking().listNetworkPolicyForAllNamespaces(), conn);
    assert.match(all.userMessage, /^you cannot list networkpolicies across all namespaces \(RBAC, context "fake-kube"\)\. Ask for a cluster-wide "view" role/);
    const patch = await failure(
      conn.core().patchNamespacedPodEphemeralcontainers({ namespace: 'production', name: 'postgres-0', body: [] }),
      conn,
    );
    assert.equal(patch.kind, 'Forbidden');
    assert.match(patch.userMessage, /^you cannot patch pods\/ephemeralcontainers in namespace production \(RBAC, context "fake-kube"\)\. Ask a cluster admin to grant "patch"/);
  });

  it('Unauthorized for a bad token, Expired once the same token worked before', async () => {
    fake = await startFake();
    const bad = connectTo(fake, tmp, { token: 'not-a-valid-token' }, 'bad');
    const unauthorized = await failure(bad.core().listNamespace(), bad);
    assert.equal(unauthorized.kind, 'Unauthorized');
    assert.equal(unauthorized.status, 401);
    assert.doesNotMatch(unauthorized.userMessage, /not-a-valid-token/);

    const good = connectTo(fake, tmp);
    await good.core().listNamespace();
    good.hadSuccess = true;
    fake.hooks.expireToken(fake.token);
    const expired = await failure(good.core().listNamespace(), good);
    assert.equal(expired.kind, 'Expired');
    assert.match(expired.userMessage, /expired\. Log in again/);
  });

  it('Expired when the token is a JWT past its exp, even on the first request', async () => {
    fake = await startFake();
    const jwt = `eyJhbGciOiJub25lIn0.${JWT_PAYLOAD(1_000_000)}.sig`;
    const conn = connectTo(fake, tmp, { token: jwt });
    assert.equal(conn.credentialExpired(), true);
    const err = await failure(conn.core().listNamespace(), conn);
    assert.equal(err.kind, 'Expired');
    assert.doesNotMatch(err.userMessage + (err.detail ?? ''), /eyJ/);
  });

  it('NotFound for a missing object', async () => {
    fake = await startFake();
    const conn = connectTo(fake, tmp);
    const err = await failure(conn.core().readNamespacedPod({ namespace: 'production', name: 'gone' }), conn, { namespace: 'production' });
    assert.equal(err.kind, 'NotFound');
    assert.match(err.userMessage, /pods "gone" was not found in namespace production/);
  });

  it('Unreachable when nothing listens', async () => {
    const server = await closedPortUrl();
    const file = tmp.write('config', kubeconfigText({ clusters: [{ name: 'c', server }], users: [{ name: 'u', token: 't' }], contexts: [{ name: 'dead', cluster: 'c', user: 'u' }], current: 'dead' }));
    const conn = loadKubeconfig({ path: file, env: {} }).connect();
    const err = await failure(conn.core().listNamespace(), conn);
    assert.equal(err.kind, 'Unreachable');
    assert.ok(err.userMessage.includes(`cannot reach the API server at ${server}: connection refused (context "dead")`), err.userMessage);
    assert.equal(err.retryable, true);
  });

  it('Unreachable with a TLS hint when the CA does not match', async () => {
    fake = await startFake();
    const file = tmp.write('config', kubeconfigText({ clusters: [{ name: 'c', server: fake.url }], users: [{ name: 'u', token: fake.token }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], current: 'x' }));
    const conn = loadKubeconfig({ path: file, env: {} }).connect();
    const err = await failure(conn.core().listNamespace(), conn);
    assert.equal(err.kind, 'Unreachable');
    assert.match(err.userMessage, /TLS certificate .*certificate-authority-data/);
  });

  it('Unreachable (retryable) for 503, Timeout when the server is too slow', async () => {
    fake = await startFake();
    const conn = connectTo(fake, tmp);
    fake.hooks.failRequests({ path: '/api/v1/namespaces', times: 1 }, { code: 503 });
    const unavailable = await failure(conn.core().listNamespace(), conn);
    assert.equal(unavailable.kind, 'Unreachable');
    assert.equal(unavailable.retryable, true);
    fake.hooks.setLatency({ path: '/api/v1/nodes', times: 1 }, 200);
    const slow = await failure(withCallOptions({ timeoutMs: 30 }, (o) => conn.core().listNode({}, o)), conn);
    assert.equal(slow.kind, 'Timeout');
    await new Promise((r) => setTimeout(r, 250));
  });

  it('watch errors (statusCode only) and watch ERROR events classify too', () => {
    const watchErr = Object.assign(new Error('Forbidden'), { statusCode: 403 });
    const e = classifyError(watchErr, { verb: 'watch', resource: 'pods', namespace: 'prod', context: 'c' });
    assert.equal(e.kind, 'Forbidden');
    assert.match(e.userMessage, /^you cannot watch pods in namespace prod/);
    const status = classifyError({ kind: 'Status', code: 500, reason: 'InternalError', message: 'etcd is sad' });
    assert.equal(status.kind, 'Unknown');
    assert.match(status.userMessage, /HTTP 500 InternalError: etcd is sad/);
    assert.equal(classifyError(Object.assign(new Error('getaddrinfo ENOTFOUND api.example'), { code: 'ENOTFOUND' }), { server: 'https://api.example' }).kind, 'Unreachable');
    assert.equal(classifyError(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' })).kind, 'Timeout');
    assert.equal(classifyError(new Error('HTTP protocol is not allowed when skipTLSVerify is not set or false')).kind, 'Unreachable');
    const passthrough = new ClusterError('NoContext', 'x');
    assert.equal(classifyError(passthrough), passthrough);
  });

  it('sanitize removes tokens, keys and certificates', () => {
    const jwt = `eyJhbGciOiJSUzI1NiJ9.${JWT_PAYLOAD(2e9)}.c2lnbmF0dXJlLXNpZ25hdHVyZQ`;
    const text = [
      `Authorization: Bearer abc.def-123`,
      `token=${jwt}`,
      `{"client-key-data": "LS0tLS1CRUdJTi"}`,
      'https://admin:hunter2@example.com/api',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----',
    ].join(' ');
    const clean = sanitize(text);
    for (const secret of ['abc.def-123', jwt, 'LS0tLS1CRUdJTi', 'hunter2', 'MIIEpAIBAAKCAQEA']) assert.ok(!clean.includes(secret), `${secret} in ${clean}`);
    assert.doesNotMatch(clean, /\n/);
    assert.ok(sanitize('x'.repeat(1000)).length <= 300);
  });
});
