import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { ClusterError } from '../../src/cluster/errors';
import { discoverKubeconfig, loadKubeconfig, resolveOnPath } from '../../src/cluster/kubeconfig';
import type { FakeKube } from '../support/fake-kube/server';
import { closedPortUrl, kubeconfigText, startFake, TempDir } from './helpers';

async function expectClusterError(promise: Promise<unknown> | (() => unknown), kind: string): Promise<ClusterError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (e) {
    assert.ok(e instanceof ClusterError, `expected a ClusterError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.userMessage);
    return e;
  }
  assert.fail(`expected a ${kind} ClusterError`);
}

describe('kubeconfig', () => {
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

  describe('discovery', () => {
    it('reports NoKubeconfig, saying what it searched, when there is none (no localhost:8080 fallback)', () => {
      const home = tmp.write('home/.keep', '');
      const found = discoverKubeconfig({ env: { HOME: path.dirname(home), KUBECONFIG: '' }, inClusterRoot: path.join(tmp.dir, 'no-sa') });
      assert.equal(found.state, 'none');
      if (found.state !== 'none') return;
      assert.equal(found.error.kind, 'NoKubeconfig');
      const expected = path.join(path.dirname(home), '.kube', 'config');
      assert.ok(found.searched.includes(expected), found.searched.join(', '));
      assert.match(found.error.userMessage, /KUBECONFIG is not set/);
      assert.ok(found.error.userMessage.includes(expected), found.error.userMessage);
      assert.match(found.error.userMessage, /netlens\.kubeconfig/);
      assert.throws(() => loadKubeconfig({ env: { HOME: path.dirname(home) }, inClusterRoot: path.join(tmp.dir, 'no-sa') }), (e) => e instanceof ClusterError && e.kind === 'NoKubeconfig');
    });

    it('uses ~/.kube/config when KUBECONFIG is empty', () => {
      tmp.write('home/.kube/config', kubeconfigText({ clusters: [{ name: 'c', server: 'https://h:6443' }], users: [{ name: 'u' }], contexts: [{ name: 'home-ctx', cluster: 'c', user: 'u' }], current: 'home-ctx' }));
      const kc = loadKubeconfig({ env: { HOME: path.join(tmp.dir, 'home'), KUBECONFIG: '' } });
      assert.equal(kc.source, 'home');
      assert.equal(kc.currentContext, 'home-ctx');
    });

    it('says which KUBECONFIG files are missing, and which explicit path', () => {
      const none = discoverKubeconfig({ env: { KUBECONFIG: [path.join(tmp.dir, 'a'), path.join(tmp.dir, 'b')].join(path.delimiter) } });
      assert.equal(none.state, 'none');
      if (none.state === 'none') assert.match(none.error.userMessage, /none of the files in KUBECONFIG exist/);
      const explicit = discoverKubeconfig({ path: path.join(tmp.dir, 'nope'), pathOrigin: '--kubeconfig', env: {} });
      assert.equal(explicit.state, 'none');
      if (explicit.state === 'none') assert.match(explicit.error.userMessage, /nope given by --kubeconfig does not exist/);
    });

    it('an explicit path overrides KUBECONFIG', () => {
      const a = tmp.write('a', kubeconfigText({ clusters: [{ name: 'c', server: 'https://a' }], contexts: [{ name: 'from-env', cluster: 'c', user: 'u' }], current: 'from-env' }));
      const b = tmp.write('b', kubeconfigText({ clusters: [{ name: 'c', server: 'https://b' }], contexts: [{ name: 'explicit', cluster: 'c', user: 'u' }], current: 'explicit' }));
      const kc = loadKubeconfig({ path: b, env: { KUBECONFIG: a } });
      assert.equal(kc.source, 'explicit');
      assert.deepEqual(kc.contexts().map((c) => c.name), ['explicit']);
    });

    it('finds in-cluster credentials when there is no kubeconfig', () => {
      const root = path.join(tmp.dir, 'root');
      tmp.write('root/var/run/secrets/kubernetes.io/serviceaccount/token', 'sa-token');
      tmp.write('root/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'team-a');
      const kc = loadKubeconfig({ env: { HOME: path.join(tmp.dir, 'nohome'), KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, inClusterRoot: root });
      assert.equal(kc.source, 'in-cluster');
      const ctx = kc.context();
      assert.equal(ctx.namespace, 'team-a');
      assert.equal(ctx.server, 'https://10.0.0.1:443');
    });

    it('reports an unparsable kubeconfig without quoting its text (it may hold a token)', () => {
      const file = tmp.write('bad', 'users:\n- name: u\n  user:\n    token: "s3cr3t-token\n  bad: [\n');
      const found = discoverKubeconfig({ path: file, env: {} });
      assert.equal(found.state, 'none');
      if (found.state !== 'none') return;
      assert.match(found.error.userMessage, /not valid YAML/);
      assert.doesNotMatch(found.error.userMessage + (found.error.detail ?? ''), /s3cr3t/);
    });
  });

  describe('merging KUBECONFIG files', () => {
    it('merges as kubectl does: the first file wins for duplicate names', async () => {
      fake = await startFake({ tokens: { 'token-first': 'first-user', 'token-second': 'second-user' } });
      const dead = await closedPortUrl();
      const first = tmp.write(
        'first/config',
        kubeconfigText({
          clusters: [{ name: 'shared', server: fake.url, caFile: 'ca.crt' }],
          users: [{ name: 'shared', token: 'token-first' }],
          contexts: [{ name: 'shared', cluster: 'shared', user: 'shared', namespace: 'production' }],
        }),
      );
      // The CA path is relative to the file that names it, as kubectl resolves it.
      tmp.write('first/ca.crt', fake.caCert);
      const second = tmp.write(
        'second/config',
        kubeconfigText({
          clusters: [
            { name: 'shared', server: dead },
            { name: 'other', server: fake.url, ca: fake.caCert },
          ],
          users: [
            { name: 'shared', token: 'token-second' },
            { name: 'other', token: 'token-second' },
          ],
          contexts: [
            { name: 'shared', cluster: 'other', user: 'other', namespace: 'kube-system' },
            { name: 'other', cluster: 'other', user: 'other' },
          ],
          current: 'other',
        }),
      );
      const kc = loadKubeconfig({ env: { KUBECONFIG: [first, second].join(path.delimiter) } });
      assert.equal(kc.source, 'KUBECONFIG');
      assert.deepEqual(kc.files, [first, second]);
      assert.deepEqual(kc.contexts().map((c) => c.name), ['shared', 'other']);
      // The first file sets no current-context: the second's applies.
      assert.equal(kc.currentContext, 'other');
      const shared = kc.context('shared');
      assert.equal(shared.namespace, 'production');
      assert.equal(shared.server, fake.url);

      const conn = kc.connect('shared');
      const pods = await conn.core().listNamespacedPod({ namespace: 'production' });
      assert.equal(pods.items.length, 2);
      assert.equal(fake.requests().at(-1)?.user, 'first-user');
      const other = kc.connect();
      await other.core().listNamespace();
      assert.equal(fake.requests().at(-1)?.user, 'second-user');
    });
  });

  describe('contexts', () => {
    it('lists and switches contexts, each with its own clients and default namespace', async () => {
      fake = await startFake({ tokens: { 'alice-token': 'alice', 'bob-token': 'bob' } });
      const file = tmp.write(
        'config',
        kubeconfigText({
          clusters: [{ name: 'fake', server: fake.url, ca: fake.caCert }],
          users: [
            { name: 'alice', token: 'alice-token' },
            { name: 'bob', token: 'bob-token' },
          ],
          contexts: [
            { name: 'alice@fake', cluster: 'fake', user: 'alice', namespace: 'production' },
            { name: 'bob@fake', cluster: 'fake', user: 'bob' },
          ],
          current: 'alice@fake',
        }),
      );
      const kc = loadKubeconfig({ path: file, env: {} });
      assert.deepEqual(
        kc.contexts().map((c) => [c.name, c.user, c.namespace, c.namespaceExplicit]),
        [
          ['alice@fake', 'alice', 'production', true],
          ['bob@fake', 'bob', 'default', false],
        ],
      );
      const alice = kc.connect();
      const bob = kc.connect('bob@fake');
      assert.equal(alice.context.name, 'alice@fake');
      assert.equal(bob.context.namespace, 'default');
      assert.notEqual(alice.kc, bob.kc);
      await alice.core().listNamespace();
      assert.equal(fake.requests().at(-1)?.user, 'alice');
      await bob.core().listNamespace();
      assert.equal(fake.requests().at(-1)?.user, 'bob');
      // Alice's clients stay bound to her context after Bob's were made.
      await alice.core().listNamespace();
      assert.equal(fake.requests().at(-1)?.user, 'alice');

      const err = await expectClusterError(() => kc.connect('carol@fake'), 'NoContext');
      assert.match(err.userMessage, /context "carol@fake" is not in the kubeconfig .*available: alice@fake, bob@fake/);
    });

    it('NoContext when the kubeconfig names no current-context', async () => {
      const file = tmp.write('config', kubeconfigText({ clusters: [{ name: 'c', server: 'https://h' }], users: [{ name: 'u' }], contexts: [{ name: 'one', cluster: 'c', user: 'u' }] }));
      const kc = loadKubeconfig({ path: file, env: {} });
      const err = await expectClusterError(() => kc.connect(), 'NoContext');
      assert.match(err.userMessage, /sets no current-context; choose one \(available: one\)/);
    });
  });

  describe('exec credential plugins', () => {
    it('names the missing command and the PATH it searched (ENOENT)', async () => {
      fake = await startFake();
      const file = tmp.write(
        'config',
        kubeconfigText({
          clusters: [{ name: 'fake', server: fake.url, ca: fake.caCert }],
          users: [{ name: 'cloud', exec: { command: 'netlens-test-no-such-plugin', args: ['get-token', '--secret-arg'] } }],
          contexts: [{ name: 'cloud', cluster: 'fake', user: 'cloud' }],
          current: 'cloud',
        }),
      );
      const conn = loadKubeconfig({ path: file, env: {} }).connect();
      const err = await expectClusterError(conn.core().listNamespace(), 'Unauthorized');
      assert.ok(err.userMessage.includes('"netlens-test-no-such-plugin"'), err.userMessage);
      assert.ok(err.userMessage.includes(`PATH=${process.env.PATH ?? ''}`), err.userMessage);
      assert.match(err.userMessage, /absolute path/);
      assert.doesNotMatch(err.userMessage, /--secret-arg/);
      assert.equal(fake.stats().totalRequests, 0, 'no request without credentials');
    });

    it('names the PATH from the plugin env when the kubeconfig sets one', async () => {
      fake = await startFake();
      const file = tmp.write(
        'config',
        kubeconfigText({
          clusters: [{ name: 'fake', server: fake.url, ca: fake.caCert }],
          users: [{ name: 'cloud', exec: { command: 'netlens-test-no-such-plugin', env: [{ name: 'PATH', value: '/opt/nowhere' }] } }],
          contexts: [{ name: 'cloud', cluster: 'fake', user: 'cloud' }],
          current: 'cloud',
        }),
      );
      const conn = loadKubeconfig({ path: file, env: {} }).connect();
      const err = await expectClusterError(conn.core().listNamespace(), 'Unauthorized');
      assert.match(err.userMessage, /PATH=\/opt\/nowhere\./);
    });

    it('runs a plugin (node script) and authenticates with its token', async () => {
      fake = await startFake({ tokens: { 'fake-kube-token': 'admin', 'token-from-plugin': 'plugin-user' } });
      const script = tmp.write(
        'plugin.js',
        `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'token-from-plugin', expirationTimestamp: new Date(Date.now() + 3600e3).toISOString() } }));\n`,
      );
      const file = tmp.write(
        'config',
        kubeconfigText({
          clusters: [{ name: 'fake', server: fake.url, ca: fake.caCert }],
          users: [{ name: 'cloud', exec: { command: process.execPath, args: [script] } }],
          contexts: [{ name: 'cloud', cluster: 'fake', user: 'cloud', namespace: 'production' }],
          current: 'cloud',
        }),
      );
      const conn = loadKubeconfig({ path: file, env: {} }).connect();
      const pods = await conn.core().listNamespacedPod({ namespace: conn.context.namespace });
      assert.deepEqual(pods.items.map((p) => p.metadata?.name).sort(), ['postgres-0', 'web-api-7d9f8b6c5d-x2k4q']);
      assert.equal(fake.requests().at(-1)?.user, 'plugin-user');
    });

    it('never shows a failing plugin\'s output (it may hold secrets)', async () => {
      fake = await startFake();
      const script = tmp.write('plugin.js', `process.stderr.write('error: refresh token rt-SECRET-123 rejected'); process.exit(1);\n`);
      const file = tmp.write(
        'config',
        kubeconfigText({
          clusters: [{ name: 'fake', server: fake.url, ca: fake.caCert }],
          users: [{ name: 'cloud', exec: { command: process.execPath, args: [script] } }],
          contexts: [{ name: 'cloud', cluster: 'fake', user: 'cloud' }],
          current: 'cloud',
        }),
      );
      const conn = loadKubeconfig({ path: file, env: {} }).connect();
      const err = await expectClusterError(conn.core().listNamespace(), 'Unauthorized');
      assert.match(err.userMessage, /credential plugin .* failed/);
      assert.match(err.userMessage, /kubectl --context cloud get namespaces/);
      assert.doesNotMatch(`${err.userMessage} ${err.detail ?? ''} ${err.message}`, /SECRET/);
    });

    it('resolveOnPath finds commands as spawn would', () => {
      assert.equal(resolveOnPath('node', path.dirname(process.execPath)), path.join(path.dirname(process.execPath), 'node'));
      assert.equal(resolveOnPath('netlens-test-no-such-plugin', process.env.PATH ?? ''), undefined);
      assert.equal(resolveOnPath(process.execPath, ''), process.execPath);
    });
  });
});
