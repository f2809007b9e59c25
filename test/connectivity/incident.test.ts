/**
 * The seed incident end to end, through the fake API server, real client-node and the simulated
 * data plane: web-api → postgres:5432 times out, the engine says production/default-deny-ingress
 * denies it, the diagnosis agrees, the generated policy is checked, dry-run applied, created, and
 * a re-run connects. Then the cases where the probe disagrees with the policies.
 */
import { strict as assert } from 'node:assert';
import { applyPolicy } from '../../src/cluster/debug/apply';
import { ConnectivityTest, generateFix, reportFor } from '../../src/cluster/debug/connectivity';
import { ConfirmationRequiredError } from '../../src/cluster/debug/errors';
import { runNodeConntrack } from '../../src/cluster/debug/node-debug';
import { CLUSTER_WRITES } from '../../src/cluster/debug/writes';
import { IMAGE, assertOnlyListedWrites, baseline, expectNoLeaks, snapshotOf, startEnv, stopEnv, writes, type Env } from './helpers';
import { WEB_API_PODS } from '../support/demo-cluster';

const SOURCE = { namespace: 'production', name: WEB_API_PODS[0] };
const POSTGRES = { kind: 'pod' as const, namespace: 'production', name: 'postgres-0' };

describe('connectivity: the seed incident end to end', () => {
  let env: Env | undefined;
  let before: Record<string, number>;

  beforeEach(async () => {
    before = await baseline();
  });

  afterEach(async () => {
    if (env) assertOnlyListedWrites(env.demo.fake.requests(), CLUSTER_WRITES);
    await stopEnv(env);
    env = undefined;
    await expectNoLeaks(before);
  });

  it('web-api → postgres:5432: TIMED OUT and DENIED by production/default-deny-ingress, the narrow fix, applied, then CONNECTED and ALLOWED', async () => {
    env = await startEnv();
    const { conn, demo } = env;
    const snapshot = await snapshotOf(conn);
    const test = await ConnectivityTest.prepare(conn, { snapshot, source: SOURCE, destination: POSTGRES, port: 5432, dnsName: 'postgres.production.svc.cluster.local', image: IMAGE });
    assert.equal(test.plannedChanges().length, 1);
    const result = await test.run({ confirmed: true });
    const a = result.analysis;
    assert.equal(a.classification.outcome, 'timeout');
    assert.equal(a.verdict.allowed, false);
    assert.equal(a.diagnosis.kind, 'blocked-by-policy');
    assert.equal(a.diagnosis.agreement, 'agree');
    assert.deepEqual(a.diagnosis.deciding.map((d) => d.name), ['production/default-deny-ingress']);
    assert.equal(a.diagnosis.offerFix, true);

    const fix = generateFix(result);
    assert.ok(fix.ok, fix.ok ? '' : fix.message);
    const { generated, check } = fix.value;
    assert.equal(generated.policies.length, 1);
    assert.equal(generated.policies[0]!.name, 'allow-web-api-to-postgres-5432');
    assert.match(
      generated.yaml,
      /apiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-web-api-to-postgres-5432\n  namespace: production\nspec:\n  podSelector:\n    matchLabels:\n      app: postgres\n  policyTypes:\n  - Ingress\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels:\n          app: web-api\n    ports:\n    - protocol: TCP\n      port: 5432\n$/,
    );
    assert.doesNotMatch(generated.yaml, /pod-template-hash|statefulset|controller-revision-hash/);
    assert.equal(check.allowed, true);
    assert.deepEqual(
      check.opened.map((c) => `${c.from} → ${c.to}:${c.port}/${c.protocol}`),
      [`production/${WEB_API_PODS[1]} → production/postgres-0:5432/TCP`, `production/${WEB_API_PODS[2]} → production/postgres-0:5432/TCP`].sort(),
    );
    assert.deepEqual(check.closed, []);
    assert.match(check.summary, /^with this, production\/web-api-7d9f8b6c5d-x2k4q → production\/postgres-0:5432\/TCP is allowed; it also allows 2 other paths: /);

    const report = reportFor(result, { context: conn.context.name, fix: generated, fixCheck: check });
    assert.match(report, /^Probe {5}TIMED OUT/m);
    assert.match(report, /^Policies  DENIED/m);
    assert.match(report, /^Match {5}CONSISTENT/m);
    assert.match(report, /\$ nc -zv -w 3 -- 10\.244\.1\.45 5432/);
    assert.match(report, /=== Fix ===/);

    // Apply: confirmation first, then a server-side dry run, then the create.
    const beforeApply = demo.fake.requests().length;
    await assert.rejects(applyPolicy(conn, generated.yaml, { dryRunFirst: true }), ConfirmationRequiredError);
    assert.deepEqual(writes(demo.fake.requests().slice(beforeApply)), []);
    const applied = await applyPolicy(conn, generated.yaml, { dryRunFirst: true, confirmed: true });
    assert.deepEqual(applied.validated, ['production/allow-web-api-to-postgres-5432']);
    assert.deepEqual(applied.created.map((c) => `${c.namespace}/${c.name}`), ['production/allow-web-api-to-postgres-5432']);
    assert.deepEqual(writes(demo.fake.requests().slice(beforeApply)), [
      'POST /apis/networking.k8s.io/v1/namespaces/production/networkpolicies?dryRun=All',
      'POST /apis/networking.k8s.io/v1/namespaces/production/networkpolicies',
    ]);
    const stored = demo.fake.store.get('networkpolicies', 'production', 'allow-web-api-to-postgres-5432');
    assert.deepEqual((stored?.spec as { ingress: unknown }).ingress, [{ from: [{ podSelector: { matchLabels: { app: 'web-api' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }]);

    // Re-run with a fresh view: the same debug container is reused, nothing is written.
    const snapshot2 = await snapshotOf(conn);
    const again = await ConnectivityTest.prepare(conn, { snapshot: snapshot2, source: SOURCE, destination: POSTGRES, port: 5432, image: IMAGE });
    assert.deepEqual(again.plannedChanges(), []);
    const beforeRerun = demo.fake.requests().length;
    const result2 = await again.run();
    assert.deepEqual(writes(demo.fake.requests().slice(beforeRerun)), []);
    assert.equal(result2.analysis.classification.outcome, 'connected');
    assert.equal(result2.analysis.verdict.allowed, true);
    assert.equal(result2.analysis.diagnosis.kind, 'works');
    const report2 = reportFor(result2);
    assert.match(report2, /^Probe {5}CONNECTED/m);
    assert.match(report2, /^Policies  ALLOWED/m);
    assert.match(report2, /Connection to 10\.244\.1\.45 5432 port \[tcp\/postgresql\] succeeded!/);
    const pod = demo.fake.store.get('pods', 'production', SOURCE.name);
    assert.equal((pod?.spec as { ephemeralContainers?: unknown[] }).ephemeralContainers?.length, 1, 'one debug container, reused');
  });

  it('policy allows but the CNI drops: TIMED OUT + ALLOWED → suspect the CNI, node firewall or conntrack, with the seed checklist', async () => {
    env = await startEnv({ faults: { cniDrop: [{ from: 'ingress-nginx/*', to: 'production/*', port: 8080 }] } });
    const snapshot = await snapshotOf(env.conn);
    const test = await ConnectivityTest.prepare(env.conn, {
      snapshot,
      source: { namespace: 'ingress-nginx', name: 'ingress-nginx-controller-5c9f7b8d6-zt4qw' },
      destination: { kind: 'pod', namespace: 'production', name: WEB_API_PODS[0] },
      port: 'http',
      image: IMAGE,
    });
    const r = await test.run({ confirmed: true });
    const a = r.analysis;
    assert.equal(a.classification.outcome, 'timeout');
    assert.equal(a.verdict.allowed, true);
    assert.deepEqual(a.diagnosis.deciding.map((d) => d.name), ['production/allow-ingress-to-web-api']);
    assert.equal(a.diagnosis.kind, 'dataplane-drop');
    assert.equal(a.diagnosis.agreement, 'disagree');
    assert.match(a.diagnosis.headline, /suspect the CNI, a node firewall or conntrack/);
    const checklist = a.diagnosis.checklist.join('\n');
    assert.match(checklist, /CNI logs on node-c and node-b/);
    assert.match(checklist, /Calico: .*Cilium: /);
    assert.match(checklist, /iptables-save \| grep 10\.244\.2\.17 and ip route get 10\.244\.2\.17/);
    assert.match(checklist, /nf_conntrack_count with nf_conntrack_max/);
    assert.match(checklist, /table full, dropping packet/);
    assert.match(checklist, /MTU black hole/);
    assert.match(reportFor(r), /^Match {5}INCONSISTENT/m);
  });

  it('conntrack full on the node: after a confirmed node debug pod reads it, the conntrack diagnosis comes first; the pod is deleted', async () => {
    env = await startEnv();
    const snapshot = await snapshotOf(env.conn);
    const cart = snapshot.pods.find((p) => p.namespace === 'shop' && p.labels.app === 'cart')!;
    const frontend = snapshot.pods.find((p) => p.namespace === 'shop' && p.labels.app === 'frontend')!;
    env.demo.dataplane.setFaults({ conntrackFull: [cart.nodeName!] });
    const test = await ConnectivityTest.prepare(env.conn, {
      snapshot,
      source: { namespace: 'shop', name: frontend.name },
      destination: { kind: 'pod', namespace: 'shop', name: cart.name },
      port: 8080,
      image: IMAGE,
    });
    const r = await test.run({ confirmed: true });
    assert.equal(r.analysis.diagnosis.kind, 'dataplane-drop');

    const nodePod = await test.planNodeConntrack();
    const planned = nodePod.plannedChanges();
    assert.deepEqual(planned.map((c) => `${c.verb} ${c.resource} ${c.namespace}/${c.name}`), [`create pods shop/${nodePod.name}`, `delete pods shop/${nodePod.name}`]);
    const spec = (planned[0]!.body as { spec: Record<string, unknown> }).spec;
    assert.equal(spec.nodeName, cart.nodeName);
    assert.equal(spec.hostNetwork, true);
    assert.equal(spec.hostPID, undefined);
    assert.equal(spec.restartPolicy, 'Never');
    assert.equal(spec.activeDeadlineSeconds, 120);
    assert.deepEqual(spec.tolerations, [{ operator: 'Exists' }]);
    assert.deepEqual((spec.containers as { securityContext: unknown }[])[0]!.securityContext, { privileged: true });

    const mark = env.demo.fake.requests().length;
    await assert.rejects(runNodeConntrack(nodePod), ConfirmationRequiredError);
    assert.deepEqual(writes(env.demo.fake.requests().slice(mark)), [], 'nothing without confirmation');
    const conntrack = await runNodeConntrack(nodePod, { confirmed: true });
    assert.deepEqual(writes(env.demo.fake.requests().slice(mark)), [`POST /api/v1/namespaces/shop/pods`, `DELETE /api/v1/namespaces/shop/pods/${nodePod.name}`]);
    assert.equal(env.demo.fake.store.get('pods', 'shop', nodePod.name), undefined, 'node debug pod deleted');
    assert.deepEqual(conntrack.runs.map((x) => x.check.plan.argv.join(' ')), ['cat /proc/sys/net/netfilter/nf_conntrack_count', 'cat /proc/sys/net/netfilter/nf_conntrack_max', 'dmesg']);

    const r2 = test.withConntrack(r, conntrack);
    const d = r2.analysis.diagnosis;
    assert.equal(d.kind, 'conntrack-full');
    assert.match(d.headline, new RegExp(`conntrack table on node ${cart.nodeName} is full: 262144 of 262144 entries \\(100%\\), and the kernel logged 5 "table full, dropping packet" lines`));
    assert.match(d.checklist[0]!, /table full, dropping packet/);
    const report = reportFor(r2);
    assert.match(report, /\[TABLE FULL\] Kernel log \(conntrack drops\)/);
    assert.match(report, /on node debug pod shop\/netlens-node-debug-/);
  });

  it('refused: the policies pass it and nothing listens; the diagnosis names the ports the destination declares', async () => {
    env = await startEnv();
    const snapshot = await snapshotOf(env.conn);
    const cart = snapshot.pods.find((p) => p.namespace === 'shop' && p.labels.app === 'cart')!;
    const frontend = snapshot.pods.find((p) => p.namespace === 'shop' && p.labels.app === 'frontend')!;
    const test = await ConnectivityTest.prepare(env.conn, { snapshot, source: { namespace: 'shop', name: frontend.name }, destination: { kind: 'pod', namespace: 'shop', name: cart.name }, port: 9999, image: IMAGE });
    const r = await test.run({ confirmed: true });
    assert.equal(r.analysis.classification.outcome, 'refused');
    assert.equal(r.analysis.verdict.allowed, true);
    assert.equal(r.analysis.diagnosis.kind, 'not-listening');
    assert.match(r.analysis.diagnosis.headline, new RegExp(`nothing listens on shop/${cart.name} port 9999 \\(the policies pass it\\)`));
    assert.ok(r.analysis.diagnosis.explanation.includes(`shop/${cart.name} declares http 8080/TCP (container cart).`));
    assert.match(reportFor(r), /^Probe {5}REFUSED/m);
  });

  it('DNS failure: the egress policy blocks DNS; the engine names it and the ndots penalty is explained', async () => {
    env = await startEnv();
    const snapshot = await snapshotOf(env.conn);
    const checkout = snapshot.pods.find((p) => p.namespace === 'shop' && p.labels.app === 'checkout')!;
    const cart = snapshot.pods.find((p) => p.namespace === 'shop' && p.labels.app === 'cart')!;
    const test = await ConnectivityTest.prepare(env.conn, {
      snapshot,
      source: { namespace: 'shop', name: checkout.name },
      destination: { kind: 'pod', namespace: 'shop', name: cart.name },
      port: 8080,
      dnsName: 'cart.shop.svc.cluster.local',
      image: IMAGE,
    });
    const r = await test.run({ confirmed: true });
    const a = r.analysis;
    assert.equal(a.parsed.tcp?.outcome, 'connected', 'the IP itself connects: checkout-egress allows cart:8080');
    assert.equal(a.parsed.dns?.result.outcome, 'unreachable');
    assert.equal(a.classification.outcome, 'dns-failure');
    assert.equal(a.diagnosis.kind, 'dns');
    assert.equal(a.diagnosis.dnsEgress?.udpAllowed, false);
    assert.equal(a.diagnosis.dnsEgress?.tcpAllowed, false);
    assert.match(a.diagnosis.headline, new RegExp(`the policies block shop/${checkout.name} from the cluster DNS`));
    assert.match(a.diagnosis.dnsEgress!.message, /shop\/checkout-egress/);
    assert.match(a.diagnosis.explanation.join('\n'), /fewer than ndots:5/);
    assert.match(a.diagnosis.checklist[0]!, /egress to kube-dns on UDP and TCP port 53/);
    assert.match(reportFor(r), /^Probe {5}DNS FAILURE/m);
  });

  it('connected although the policies deny it: the policy is not enforced, or the data is stale', async () => {
    env = await startEnv({ faults: { noPolicyEnforcement: true } });
    const snapshot = await snapshotOf(env.conn);
    const test = await ConnectivityTest.prepare(env.conn, { snapshot, source: SOURCE, destination: POSTGRES, port: 5432, image: IMAGE });
    const r = await test.run({ confirmed: true });
    assert.equal(r.analysis.classification.outcome, 'connected');
    assert.equal(r.analysis.verdict.allowed, false);
    assert.equal(r.analysis.diagnosis.kind, 'policy-not-enforced');
    assert.match(r.analysis.diagnosis.explanation.join(' '), /does not enforce NetworkPolicy/);
  });

  it('HTTP timings, socket states and an MTU black hole are appended as findings', async () => {
    env = await startEnv({ faults: { httpTimingsMs: { dns: 2, connect: 150, firstByte: 800 }, closeWait: 150, mtuBlackHoleAbove: 1450 } });
    const snapshot = await snapshotOf(env.conn);
    const cart = snapshot.pods.find((p) => p.namespace === 'shop' && p.labels.app === 'cart')!;
    const frontend = snapshot.pods.find((p) => p.namespace === 'shop' && p.labels.app === 'frontend')!;
    const test = await ConnectivityTest.prepare(env.conn, {
      snapshot,
      source: { namespace: 'shop', name: frontend.name },
      destination: { kind: 'pod', namespace: 'shop', name: cart.name },
      port: 8080,
      image: IMAGE,
      checks: { http: { path: '/healthz' }, mtu: true },
    });
    const r = await test.run({ confirmed: true });
    const a = r.analysis;
    assert.equal(a.classification.outcome, 'connected');
    assert.equal(a.diagnosis.kind, 'works');
    const codes = a.diagnosis.findings.map((f) => f.code);
    assert.ok(codes.includes('curl-slow-connect'), codes.join());
    assert.ok(codes.includes('curl-slow-first-byte'));
    assert.ok(codes.includes('ss-close-wait'));
    assert.ok(codes.includes('mtu-black-hole'));
    assert.equal(a.parsed.mtu?.pathMtu, 1450);
    // The sweep stops at the first size that passes.
    assert.deepEqual(r.runs.filter((x) => x.check.kind === 'mtu').map((x) => x.check.mtu), [1500, 1480, 1450]);
    assert.match(reportFor(r), /Time to first byte took 800 ms \(over 500 ms\): the application is slow, not the network/);
  });
});
