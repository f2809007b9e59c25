import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { loadKubeconfig, type ClusterConnection } from '../../src/cluster/kubeconfig';
import { readClusterOnce } from '../../src/cluster/watcher';
import type { FakeKube } from '../support/fake-kube/server';
import { FAST_BACKOFF, kubeconfigText, startFake, TempDir } from './helpers';

describe('exec credential plugins run as kubectl runs them', () => {
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

  /**
   * A plugin that appends a line to `runs` each time it runs and prints the token in `token`,
   * with `expiry` (ms from now) as expirationTimestamp when given.
   */
  async function setUp(expiry?: number): Promise<{ connection: ClusterConnection; runs: () => number; tokenFile: string }> {
    fake = await startFake({ tokens: { 'token-a': 'plugin-user', 'token-b': 'plugin-user' } });
    const runsFile = tmp.write('runs', '');
    const tokenFile = tmp.write('token', 'token-a');
    const status = expiry === undefined ? '{ token }' : `{ token, expirationTimestamp: new Date(Date.now() + ${expiry}).toISOString() }`;
    const script = tmp.write(
      'plugin.js',
      `const fs = require('fs');\n` +
        `fs.appendFileSync(${JSON.stringify(runsFile)}, 'run\\n');\n` +
        `const token = fs.readFileSync(${JSON.stringify(tokenFile)}, 'utf8');\n` +
        `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: ${status} }));\n`,
    );
    const file = tmp.write(
      'config',
      kubeconfigText({
        clusters: [{ name: 'fake', server: fake.url, ca: fake.caCert }],
        users: [{ name: 'cloud', exec: { command: process.execPath, args: [script] } }],
        contexts: [{ name: 'cloud', cluster: 'fake', user: 'cloud' }],
        current: 'cloud',
      }),
    );
    const connection = loadKubeconfig({ path: file, env: {} }).connect();
    const runs = (): number => fs.readFileSync(runsFile, 'utf8').split('\n').filter(Boolean).length;
    return { connection, runs, tokenFile };
  }

  it('runs a plugin without expirationTimestamp once per connection, however many requests', async () => {
    const { connection, runs } = await setUp();
    const first = await readClusterOnce(connection, { backoff: FAST_BACKOFF });
    assert.ok(first.snapshot.pods.length > 0);
    const requests = fake!.requests().length;
    assert.ok(requests > 5, `${requests} requests`);
    assert.equal(runs(), 1, 'one plugin run for all the concurrent requests of a read');
    await readClusterOnce(connection, { backoff: FAST_BACKOFF });
    assert.equal(runs(), 1, 'and none for the next read');
    assert.ok(fake!.requests().every((r) => r.user === 'plugin-user'));
  });

  it('runs it again once the credential has expired', async () => {
    const { connection, runs } = await setUp(-1000);
    await connection.core().listNamespace();
    await connection.core().listNamespace();
    assert.equal(runs(), 2);
  });

  it('keeps a credential with a future expirationTimestamp until then', async () => {
    const { connection, runs } = await setUp(3_600_000);
    await Promise.all([connection.core().listNamespace(), connection.core().listNamespace(), connection.core().listNamespace()]);
    await connection.core().listNamespace();
    assert.equal(runs(), 1);
  });

  it('runs it again after the API server refuses the credential (401)', async () => {
    const { connection, runs, tokenFile } = await setUp();
    await connection.core().listNamespace();
    assert.equal(runs(), 1);
    fake!.hooks.expireToken('token-a');
    fs.writeFileSync(tokenFile, 'token-b');
    const error = await connection.core().listNamespace().then(
      () => assert.fail('expected a 401'),
      (e: unknown) => connection.classify(e),
    );
    assert.ok(error.kind === 'Unauthorized' || error.kind === 'Expired', error.kind);
    await connection.core().listNamespace();
    assert.equal(runs(), 2);
    assert.equal(fake!.requests().at(-1)?.user, 'plugin-user');
  });
});
