import { strict as assert } from 'node:assert';
import type { FakeKube } from '../support/fake-kube/server';
import { run, type Io } from '../../src/cli/main';
import { seed } from '../support/fake-kube/seed';
import { activeTimers, allowDbAccess, assertNoLeaks, closedPortUrl, incidentManifests, kubeconfigText, startFake, TempDir } from './helpers';

function captureIo(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  const err: string[] = [];
  return {
    out: async (text) => {
      out += text;
    },
    err: (text) => void err.push(text),
    stdout: () => out,
    stderr: () => err.join('\n'),
  };
}

describe('CLI against a live cluster', () => {
  let fake: FakeKube | undefined;
  let tmp: TempDir;
  let timers: number;

  beforeEach(() => {
    tmp = new TempDir();
  });

  afterEach(async () => {
    try {
      // Every run lists once and closes everything it opened.
      if (fake) await assertNoLeaks(fake, timers);
    } finally {
      await fake?.close();
      fake = undefined;
      tmp.cleanup();
    }
  });

  it('explains the seed incident, then the fix, from the live API server', async () => {
    fake = await startFake();
    timers = activeTimers();
    const file = tmp.write('config', fake.kubeconfig());
    const argv = ['reach', '--kubeconfig', file, '--from', 'production/web-api-7d9f8b6c5d-x2k4q', '--to', 'production/postgres-0', '--port', '5432'];
    const io = captureIo();
    assert.equal(await run(argv, io), 1, io.stderr());
    assert.match(io.stdout(), /^DENIED /);
    assert.match(io.stdout(), /production\/default-deny-ingress/);
    assert.equal(io.stderr(), '');
    await assertNoLeaks(fake, timers);

    fake.store.create(allowDbAccess());
    const io2 = captureIo();
    assert.equal(await run(argv, io2), 0, io2.stderr());
    assert.match(io2.stdout(), /^ALLOWED /);
    assert.match(io2.stdout(), /production\/allow-db-access/);
    await assertNoLeaks(fake, timers);
  });
  const REACH = ['--from', 'production/web-api-7d9f8b6c5d-x2k4q', '--to', 'production/postgres-0', '--port', '5432'];

  it('reads files besides the cluster: a policy in a file is tried on the live objects', async () => {
    fake = await startFake();
    timers = activeTimers();
    const config = tmp.write('config', fake.kubeconfig());
    const policy = tmp.write('allow.json', JSON.stringify(allowDbAccess()));
    const io = captureIo();
    assert.equal(await run(['reach', policy, '--kubeconfig', config, ...REACH], io), 0, io.stderr());
    assert.match(io.stdout(), /production\/allow-db-access/);
    assert.equal(fake.store.list('networkpolicies').length, 1, 'nothing is written to the cluster');
  });

  it('matrix and --json work on live data, limited to --namespace', async () => {
    fake = await startFake({}, [
      ...incidentManifests(),
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } },
    ]);
    timers = activeTimers();
    const config = tmp.write('config', fake.kubeconfig());
    const io = captureIo();
    assert.equal(await run(['matrix', '--kubeconfig', config, '--namespace', 'production', '--port', '5432', '--summary', '--json'], io), 0, io.stderr());
    const summary = JSON.parse(io.stdout()) as { pods: number; allowed: number };
    assert.equal(summary.pods, 2);
    assert.equal(summary.allowed, 0);
    const io2 = captureIo();
    assert.equal(await run(['reach', '--kubeconfig', config, '--context', 'fake-kube', ...REACH, '--json'], io2), 1, io2.stderr());
    assert.equal((JSON.parse(io2.stdout()) as { allowed: boolean }).allowed, false);
  });

  it('lint reports invalid live objects by their kube:// name', async () => {
    fake = await startFake();
    timers = activeTimers();
    seed(fake.store, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'bad-cidr', namespace: 'production' },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] },
    });
    const config = tmp.write('config', fake.kubeconfig());
    const io = captureIo();
    assert.equal(await run(['lint', '--kubeconfig', config, '--format', 'json'], io), 1, io.stderr());
    const out = JSON.parse(io.stdout()) as { diagnostics: { file: string; severity: string }[] };
    assert.ok(out.diagnostics.some((d) => d.file === 'kube://fake-kube/networkpolicies/production/bad-cidr' && d.severity === 'error'), io.stdout());
  });

  it('warns about what it may not read, and fails when policies are unreadable', async () => {
    fake = await startFake({ rbac: { rules: [{ verbs: ['list', 'watch'], resources: ['services'], allow: false }] } });
    timers = activeTimers();
    const config = tmp.write('config', fake.kubeconfig({ namespace: 'production' }));
    const io = captureIo();
    assert.equal(await run(['reach', '--kubeconfig', config, ...REACH], io), 1, io.stderr());
    assert.match(io.stderr(), /^netlens: warning: services across all namespaces could not be read, results may be incomplete: Forbidden: you cannot list services across all namespaces \(RBAC, context "fake-kube"\)\. Ask for a cluster-wide "view" role, or set --namespace to the namespaces you can read/m);

    fake.hooks.setRbac({ rules: [{ verbs: ['list', 'watch'], resources: ['networkpolicies'], allow: false }] });
    const io2 = captureIo();
    assert.equal(await run(['reach', '--kubeconfig', config, ...REACH], io2), 2);
    assert.equal(io2.stdout(), '');
    assert.match(io2.stderr(), /^netlens: you cannot list networkpolicies across all namespaces \(RBAC, context "fake-kube"\)/);
    assert.equal(io2.stderr().split('\n').length, 1);
  });

  it('one clear line and exit 2 for cluster errors', async () => {
    const server = await closedPortUrl();
    const dead = tmp.write('dead', kubeconfigText({ clusters: [{ name: 'c', server }], users: [{ name: 'u', token: 'secret-token-value' }], contexts: [{ name: 'dead', cluster: 'c', user: 'u' }], current: 'dead' }));
    const cases: [string[], RegExp][] = [
      [['reach', '--kubeconfig', dead, ...REACH], /^netlens: cannot reach the API server at https:\/\/127\.0\.0\.1:\d+: connection refused \(context "dead"\)\. Check/],
      [['lint', '--kubeconfig', dead, '--context', 'nope'], /^netlens: context "nope" is not in the kubeconfig .*available: dead$/],
      [['matrix', '--kubeconfig', `${tmp.dir}/missing`], /^netlens: the kubeconfig .*missing given by --kubeconfig does not exist/],
      [['reach', '--namespace', 'production', ...REACH], /^netlens: --namespace reads a live cluster: add --kubeconfig <file> or --context <name> \(see "netlens reach --help"\)$/],
      [['reach', ...REACH], /^netlens: give at least one manifest file or directory, or a live cluster with --kubeconfig or --context/],
    ];
    for (const [argv, expected] of cases) {
      const io = captureIo();
      assert.equal(await run(argv, io), 2, argv.join(' '));
      assert.match(io.stderr(), expected);
      assert.equal(io.stderr().split('\n').length, 1, io.stderr());
      assert.doesNotMatch(io.stderr(), /secret-token-value/);
    }
  });

  it('documents the live-cluster flags in --help', async () => {
    for (const command of ['reach', 'matrix', 'lint']) {
      const io = captureIo();
      assert.equal(await run([command, '--help'], io), 0);
      for (const flag of ['--kubeconfig <file>', '--context <name>', '--namespace <ns>']) assert.ok(io.stdout().includes(flag), `${command} --help lacks ${flag}`);
    }
  });
});
