/**
 * The pure part: classification, the probe-vs-policy comparison, the generated allow policies,
 * their engine check, and the report text. Clusters are YAML text through the real loader.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { generateAllowPolicies } from '../../src/core/connectivity/allow-policy';
import { analyzeConnectivity } from '../../src/core/connectivity/analyze';
import { checkGenerated } from '../../src/core/connectivity/check-generated';
import { parseChecks, planConnectivityChecks, planNodeConntrackChecks, type CheckRun, type ParsedChecks, type PlannedCheck } from '../../src/core/connectivity/checks';
import { classify } from '../../src/core/connectivity/classify';
import { chooseStableLabels, unstableLabelReason } from '../../src/core/connectivity/labels';
import { displayArgv, formatDuration, renderReport } from '../../src/core/connectivity/report';
import { toYaml, yamlString } from '../../src/core/connectivity/yaml-text';
import { loadManifests } from '../../src/core/manifest/load';
import type { ClusterSnapshot, Pod } from '../../src/core/model';
import type { ToolOutput } from '../../src/core/probe/tool-output';

const SEED = join(__dirname, '..', 'fixtures', 'manifests', 'seed-incident');

function load(...texts: string[]): ClusterSnapshot {
  const r = loadManifests(texts.map((content, i) => ({ file: `cluster-${i}.yaml`, content })));
  assert.deepEqual(r.findings.filter((f) => f.severity === 'error'), []);
  return r.snapshot;
}

function seedSnapshot(extra = ''): ClusterSnapshot {
  const files = ['namespace.yaml', 'pods.yaml', 'default-deny-ingress.yaml'].map((f) => ({ file: `seed/${f}`, content: readFileSync(join(SEED, f), 'utf8') }));
  if (extra) files.push({ file: 'extra.yaml', content: extra });
  return loadManifests(files).snapshot;
}

function pod(s: ClusterSnapshot, key: string): Pod {
  const p = s.pods.find((x) => `${x.namespace}/${x.name}` === key);
  assert.ok(p, key);
  return p;
}

function podYaml(ns: string, name: string, labels: Record<string, string>, ip: string, ports: { name?: string; port: number; protocol?: string }[] = [], node = 'node-a'): string {
  return toYaml({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { nodeName: node, containers: [{ name: 'app', image: 'x', ...(ports.length ? { ports: ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), containerPort: p.port, protocol: p.protocol ?? 'TCP' })) } : {}) }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
  });
}

function run(check: PlannedCheck, out: Partial<ToolOutput>, durationMs = 10): CheckRun {
  return { check, output: { stdout: out.stdout ?? '', stderr: out.stderr ?? '', exitCode: out.exitCode ?? 0 }, durationMs };
}

function checksFor(host: string, port: number, dnsName?: string): PlannedCheck[] {
  const p = planConnectivityChecks({ host, port, ...(dnsName ? { dnsName } : {}) }, { sockets: false });
  assert.ok(p.ok);
  return [...p.value.checks];
}

const NC_TIMEOUT = (ip: string, port: number): Partial<ToolOutput> => ({ stderr: `nc: connect to ${ip} port ${port} (tcp) timed out: Operation now in progress\n`, exitCode: 1 });
const NC_OK = (ip: string, port: number): Partial<ToolOutput> => ({ stderr: `Connection to ${ip} ${port} port [tcp/*] succeeded!\n`, exitCode: 0 });
const NC_REFUSED = (ip: string, port: number): Partial<ToolOutput> => ({ stderr: `nc: connect to ${ip} port ${port} (tcp) failed: Connection refused\n`, exitCode: 1 });

describe('connectivity core', () => {
  describe('planConnectivityChecks', () => {
    it('plans DNS first, then TCP, HTTP, the MTU sweep and the sockets, as argv arrays', () => {
      const p = planConnectivityChecks({ host: '10.244.1.45', port: 5432, dnsName: 'postgres.production.svc.cluster.local' }, { http: { path: '/health' }, mtu: true });
      assert.ok(p.ok);
      assert.deepEqual(p.value.checks.map((c) => c.kind), ['resolv-conf', 'dns', 'tcp', 'http', ...Array(9).fill('mtu'), 'sockets', 'port-range']);
      assert.deepEqual(p.value.checks[2]!.plan.argv, ['nc', '-zv', '-w', '3', '--', '10.244.1.45', '5432']);
    });

    it('refuses a hostile host and explains why UDP gets no connect check', () => {
      const bad = planConnectivityChecks({ host: '-e/bin/sh', port: 80 });
      assert.equal(bad.ok, false);
      const udp = planConnectivityChecks({ host: '10.96.0.10', port: 53, protocol: 'UDP' });
      assert.ok(udp.ok);
      assert.equal(udp.value.checks.some((c) => c.kind === 'tcp'), false);
      assert.match(udp.value.notes[0]!, /UDP cannot be checked with nc -z/);
      assert.deepEqual(planNodeConntrackChecks().map((c) => c.kind), ['conntrack-count', 'conntrack-max', 'kernel-log']);
    });
  });

  describe('classify', () => {
    const checks = checksFor('10.244.1.45', 5432, 'postgres.production.svc.cluster.local');
    const byKind = (k: string): PlannedCheck => checks.find((c) => c.kind === k)!;
    const resolv = run(byKind('resolv-conf'), { stdout: 'search production.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n' });

    it('takes the outcome from nc: connected, refused, timeout, no route', () => {
      const cases: [Partial<ToolOutput>, string][] = [
        [NC_OK('10.244.1.45', 5432), 'connected'],
        [NC_REFUSED('10.244.1.45', 5432), 'refused'],
        [NC_TIMEOUT('10.244.1.45', 5432), 'timeout'],
        [{ stderr: 'nc: connect to 10.244.1.45 port 5432 (tcp) failed: Host is unreachable\n', exitCode: 1 }, 'no-route'],
        [{ stderr: 'garbage\n', exitCode: 2 }, 'unknown'],
      ];
      for (const [out, want] of cases) assert.equal(classify({ tcp: analyzeTcp(out) }).outcome, want);
    });

    it('a name that does not resolve is a DNS failure even when the IP connects', () => {
      const parsed = parsedOf([
        resolv,
        run(byKind('dns'), { stdout: ';; communications error to 10.96.0.10#53: timed out\n\n; <<>> DiG <<>> x\n;; global options: +cmd\n;; no servers could be reached\n', exitCode: 9 }),
        run(byKind('tcp'), NC_OK('10.244.1.45', 5432)),
      ]);
      const c = classify(parsed);
      assert.equal(c.outcome, 'dns-failure');
      assert.equal(c.basis, 'dns');
      assert.match(c.summary, /does not resolve .* although the address itself connects/);
      assert.ok(c.findings.some((f) => f.code === 'dns-ndots'), 'the ndots penalty, since DNS failed');
    });

    it('falls back on curl when nc could not tell, and reads its timings', () => {
      const http = planConnectivityChecks({ host: '10.244.1.45', port: 8080 }, { http: {}, sockets: false });
      assert.ok(http.ok);
      const curlCheck = http.value.checks.find((c) => c.kind === 'http')!;
      const json = JSON.stringify({ http_code: 200, exitcode: 0, time_namelookup: 0.00002, time_connect: 0.20002, time_appconnect: 0, time_starttransfer: 0.9, time_total: 0.91 });
      const c = classify(parsedOf([run(curlCheck, { stdout: `${json}\n` })]));
      assert.equal(c.outcome, 'connected');
      assert.equal(c.basis, 'http');
      assert.deepEqual(c.findings.map((f) => f.code), ['curl-slow-connect', 'curl-slow-first-byte']);
    });
  });

  describe('compare (through analyzeConnectivity)', () => {
    const snapshot = seedSnapshot();
    const web = pod(snapshot, 'production/web-api-7d9f8b6c5d-x2k4q');
    const pg = pod(snapshot, 'production/postgres-0');
    const checks = checksFor('10.244.1.45', 5432);
    const tcp = checks.find((c) => c.kind === 'tcp')!;

    it('timeout + deny: consistent, names the deciding policy with its file and line, offers the fix', () => {
      const a = analyzeConnectivity({ snapshot, source: web, destination: { kind: 'pod', pod: pg }, port: 5432, runs: [run(tcp, NC_TIMEOUT('10.244.1.45', 5432), 3004)] });
      assert.ok(a.ok);
      const d = a.value.diagnosis;
      assert.equal(d.kind, 'blocked-by-policy');
      assert.deepEqual(d.deciding, [{ name: 'production/default-deny-ingress', location: 'seed/default-deny-ingress.yaml:1' }]);
      assert.equal(d.offerFix, true);
      assert.match(d.explanation[0]!, /^production\/default-deny-ingress \(seed\/default-deny-ingress\.yaml:1\) isolates production\/postgres-0 for ingress, and no rule admits production\/web-api-7d9f8b6c5d-x2k4q on 5432\/TCP\.$/);
    });

    it('timeout + allow: the seed checklist; conntrack at or above 80 % comes first', () => {
      const open = seedSnapshot(readFileSync(join(SEED, 'allow-db-access.yaml'), 'utf8'));
      const input = { snapshot: open, source: pod(open, web.namespace + '/' + web.name), destination: { kind: 'pod' as const, pod: pod(open, 'production/postgres-0') }, port: 5432, runs: [run(tcp, NC_TIMEOUT('10.244.1.45', 5432))] };
      const plain = analyzeConnectivity(input);
      assert.ok(plain.ok);
      assert.equal(plain.value.diagnosis.kind, 'dataplane-drop');
      assert.equal(plain.value.diagnosis.checklist.length, 5);
      const [count, max, log] = planNodeConntrackChecks();
      const at = (n: number, lines = ''): CheckRun[] => [run(count!, { stdout: `${n}\n` }), run(max!, { stdout: '262144\n' }), run(log!, { stdout: lines })];
      const hot = analyzeConnectivity({ ...input, conntrack: { node: 'node-a', runs: at(220_000) } });
      assert.ok(hot.ok);
      assert.equal(hot.value.diagnosis.kind, 'conntrack-full');
      assert.match(hot.value.diagnosis.headline, /node node-a is full: 220000 of 262144 entries \(83\.9%\)/);
      const cool = analyzeConnectivity({ ...input, conntrack: { node: 'node-a', runs: at(1000) } });
      assert.ok(cool.ok);
      assert.equal(cool.value.diagnosis.kind, 'dataplane-drop');
      assert.match(cool.value.diagnosis.checklist.join('\n'), /Conntrack on node node-a was checked: 1000 of 262144 entries \(0\.4%\).*not the cause/);
      const dropping = analyzeConnectivity({ ...input, conntrack: { node: 'node-a', runs: at(1000, '[1.0] nf_conntrack: nf_conntrack: table full, dropping packet\n') } });
      assert.ok(dropping.ok);
      assert.equal(dropping.value.diagnosis.kind, 'conntrack-full', 'a "table full" line counts whatever the usage now');
    });

    it('refused names the declared ports; connected + deny says the policy is not enforced', () => {
      const refused = analyzeConnectivity({ snapshot, source: pg, destination: { kind: 'pod', pod: web }, port: 9090, runs: [run(tcp, NC_REFUSED('10.244.2.17', 9090))] });
      assert.ok(refused.ok);
      assert.equal(refused.value.diagnosis.kind, 'not-listening');
      assert.ok(refused.value.diagnosis.explanation.includes('production/web-api-7d9f8b6c5d-x2k4q declares http 8080/TCP (container web-api).'));
      const open = analyzeConnectivity({ snapshot, source: web, destination: { kind: 'pod', pod: pg }, port: 5432, runs: [run(tcp, NC_OK('10.244.1.45', 5432))] });
      assert.ok(open.ok);
      assert.equal(open.value.diagnosis.kind, 'policy-not-enforced');
      assert.equal(open.value.diagnosis.agreement, 'disagree');
    });
  });

  describe('labels', () => {
    it('never selects by per-revision or per-pod labels', () => {
      for (const key of ['pod-template-hash', 'controller-revision-hash', 'statefulset.kubernetes.io/pod-name', 'job-name', 'batch.kubernetes.io/job-name', 'batch.kubernetes.io/controller-uid']) {
        assert.ok(unstableLabelReason(key), key);
      }
      for (const key of ['app', 'app.kubernetes.io/name', 'k8s-app', 'tier', 'role', 'component']) assert.equal(unstableLabelReason(key), undefined, key);
    });

    it('prefers app.kubernetes.io/name, refines with component when that selects fewer pods, and counts the rest', () => {
      const s = load(
        podYaml('shop', 'api-1', { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/component': 'api', 'pod-template-hash': 'abc' }, '10.0.0.1'),
        podYaml('shop', 'api-2', { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/component': 'api', 'pod-template-hash': 'abc' }, '10.0.0.2'),
        podYaml('shop', 'web-1', { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/component': 'web', app: 'legacy' }, '10.0.0.3'),
        podYaml('shop', 'batch-1', { 'job-name': 'nightly-1', 'controller-uid': 'x' }, '10.0.0.4'),
      );
      const c = chooseStableLabels(s, pod(s, 'shop/api-1'));
      assert.ok(c.ok);
      assert.deepEqual(c.value.labels, { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/component': 'api' });
      assert.equal(c.value.selected.length, 2);
      assert.equal(c.value.note, 'app.kubernetes.io/name=shop,app.kubernetes.io/component=api selects 2 pods in shop: api-1 (this one), api-2');
      const none = chooseStableLabels(s, pod(s, 'shop/batch-1'));
      assert.equal(none.ok, false);
      assert.match(none.ok ? '' : none.message, /has no stable label to select it by \(it has only job-name, controller-uid/);
    });
  });

  describe('generateAllowPolicies and checkGenerated', () => {
    it('the seed incident: one ingress policy like allow-db-access, and nothing else changes', () => {
      const s = seedSnapshot();
      const g = generateAllowPolicies(s, pod(s, 'production/web-api-7d9f8b6c5d-x2k4q'), pod(s, 'production/postgres-0'), 'postgresql');
      assert.ok(g.ok, g.ok ? '' : g.message);
      const seedFix = parseYaml(readFileSync(join(SEED, 'allow-db-access.yaml'), 'utf8')) as { spec: unknown };
      assert.deepEqual(g.value.policies[0]!.manifest.spec, seedFix.spec, 'the spec the seed wrote by hand');
      assert.equal(g.value.portName, 'postgresql');
      assert.match(g.value.notes[0]!, /^Port 5432 is written as a number, not as its name "postgresql"/);
      assert.equal(g.value.models.length, 1);
      assert.equal(g.value.models[0]!.source?.file, 'netlens-fix/allow-web-api-to-postgres-5432.yaml');
      const check = checkGenerated(s, g.value);
      assert.equal(check.summary, 'with this, production/web-api-7d9f8b6c5d-x2k4q → production/postgres-0:5432/TCP is allowed; nothing else changes');
      assert.equal(check.after.allowed, true);
      assert.ok(check.portsCompared.some((p) => p.port === 8080));
    });

    it('across namespaces: a namespaceSelector on kubernetes.io/metadata.name, and an egress policy when the source is egress-isolated', () => {
      const s = load(
        podYaml('shop', 'checkout-1', { app: 'checkout', 'pod-template-hash': 'a1' }, '10.0.1.1'),
        podYaml('payments', 'ledger-0', { app: 'ledger', 'statefulset.kubernetes.io/pod-name': 'ledger-0' }, '10.0.2.1', [{ name: 'grpc', port: 9000 }]),
        toYaml({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'payments' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } }),
        toYaml({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'checkout-egress', namespace: 'shop' },
          spec: { podSelector: { matchLabels: { app: 'checkout' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] },
        }),
      );
      const g = generateAllowPolicies(s, pod(s, 'shop/checkout-1'), pod(s, 'payments/ledger-0'), 9000);
      assert.ok(g.ok, g.ok ? '' : g.message);
      assert.deepEqual(g.value.policies.map((p) => `${p.direction} ${p.namespace}/${p.name}`), ['ingress payments/allow-checkout-to-ledger-9000', 'egress shop/allow-checkout-egress-to-ledger-9000']);
      assert.deepEqual((g.value.policies[0]!.manifest.spec as { ingress: unknown }).ingress, [
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app: 'checkout' } } }], ports: [{ protocol: 'TCP', port: 9000 }] },
      ]);
      assert.deepEqual((g.value.policies[1]!.manifest.spec as { egress: unknown }).egress, [
        { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'payments' } }, podSelector: { matchLabels: { app: 'ledger' } } }], ports: [{ protocol: 'TCP', port: 9000 }] },
      ]);
      assert.match(g.value.yaml, /\n---\n# Generated by netlens/);
      const check = checkGenerated(s, g.value);
      assert.equal(check.allowed, true);
      assert.match(check.summary, /nothing else changes$/);
    });

    it('a destination that is not isolated gets no ingress policy (it would cut its other clients off); an already allowed path gets nothing', () => {
      const s = load(
        podYaml('a', 'client', { app: 'client' }, '10.0.0.1'),
        podYaml('a', 'server', { app: 'server' }, '10.0.0.2', [{ port: 80 }]),
        toYaml({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'client-egress', namespace: 'a' }, spec: { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'] } }),
      );
      const g = generateAllowPolicies(s, pod(s, 'a/client'), pod(s, 'a/server'), 80);
      assert.ok(g.ok);
      assert.deepEqual(g.value.policies.map((p) => p.direction), ['egress'], 'no ingress policy for a server no policy isolates');
      assert.match(checkGenerated(s, g.value).summary, /nothing else changes$/);
      const back = generateAllowPolicies(s, pod(s, 'a/server'), pod(s, 'a/client'), 80);
      assert.ok(back.ok);
      assert.equal(back.value.alreadyAllowed, true);
      assert.deepEqual(back.value.policies, []);
    });

    it('checkGenerated lists what else a fix opens and what it closes', () => {
      const s = load(
        podYaml('a', 'client-1', { app: 'client' }, '10.0.0.1'),
        podYaml('a', 'client-2', { app: 'client' }, '10.0.0.2'),
        podYaml('a', 'server', { app: 'server' }, '10.0.0.3', [{ port: 80 }]),
        toYaml({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'a' }, spec: { podSelector: { matchLabels: { app: 'server' } }, policyTypes: ['Ingress'] } }),
      );
      const g = generateAllowPolicies(s, pod(s, 'a/client-1'), pod(s, 'a/server'), 80);
      assert.ok(g.ok);
      const check = checkGenerated(s, g.value);
      assert.deepEqual(check.opened, [{ from: 'a/client-2', to: 'a/server', port: 80, protocol: 'TCP' }]);
      assert.equal(check.summary, 'with this, a/client-1 → a/server:80/TCP is allowed; it also allows 1 other path: a/client-2 → a/server:80/TCP');
      // A hand-made "fix" that isolates the clients closes their paths to each other.
      const isolating = { ...g.value, models: load(toYaml({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'bad', namespace: 'a' }, spec: { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Ingress'] } })).policies };
      const closed = checkGenerated(s, isolating);
      assert.ok(closed.closed.some((c) => c.from === 'a/server' && c.to === 'a/client-1'));
      assert.match(closed.summary, /still denied/);
    });
  });

  describe('text', () => {
    it('quotes YAML scalars that would not read back as strings', () => {
      for (const s of ['true', 'no', '1.0', '0x1f', '2024-01-01', '~', '5432', '', 'a b', '-x', 'null']) assert.equal(parseYaml(`v: ${yamlString(s)}`).v, s, s);
      assert.equal(yamlString('web-api'), 'web-api');
      assert.equal(yamlString('7d9f8b6c5d'), '7d9f8b6c5d');
    });

    it('formats durations and argv for display', () => {
      assert.deepEqual([formatDuration(12.4), formatDuration(3004), formatDuration(125_000)], ['12 ms', '3.0 s', '2 min 5 s']);
      assert.equal(displayArgv(['curl', '-w', '%{json}', '--', 'http://x/']), "curl -w '%{json}' -- http://x/");
    });

    it('renders the report with every section', () => {
      const s = seedSnapshot();
      const web = pod(s, 'production/web-api-7d9f8b6c5d-x2k4q');
      const pg = pod(s, 'production/postgres-0');
      const tcp = checksFor('10.244.1.45', 5432).find((c) => c.kind === 'tcp')!;
      const runs = [run(tcp, NC_TIMEOUT('10.244.1.45', 5432), 3004)];
      const a = analyzeConnectivity({ snapshot: s, source: web, destination: { kind: 'pod', pod: pg }, port: 5432, runs });
      assert.ok(a.ok);
      const g = generateAllowPolicies(s, web, pg, 5432);
      assert.ok(g.ok);
      const text = renderReport({ analysis: a.value, source: web, destination: { kind: 'pod', pod: pg }, runs, time: '2026-11-22T10:00:00.000Z', context: 'prod', fix: g.value, fixCheck: checkGenerated(s, g.value) });
      const lines = text.split('\n');
      assert.deepEqual(lines.slice(0, 6), [
        'NetLens connectivity report',
        'Source       production/web-api-7d9f8b6c5d-x2k4q (10.244.2.17)',
        'Destination  production/postgres-0 (10.244.1.45)',
        'Port         5432/TCP (postgresql)',
        'Time         2026-11-22T10:00:00.000Z',
        'Context      prod',
      ]);
      for (const h of ['=== Verdict ===', '=== Policy engine ===', '=== Checks ===', '=== Diagnosis ===', '=== Fix ===']) assert.ok(lines.includes(h), h);
      assert.ok(lines.includes('[TIMED OUT] TCP connect to 10.244.1.45:5432  3.0 s'));
      assert.ok(lines.includes('    $ nc -zv -w 3 -- 10.244.1.45 5432'));
      assert.ok(lines.includes('Deciding policies: production/default-deny-ingress (seed/default-deny-ingress.yaml:1)'));
      assert.ok(lines.includes('    kind: NetworkPolicy'));
      assert.ok(lines.includes('Check: with this, production/web-api-7d9f8b6c5d-x2k4q → production/postgres-0:5432/TCP is allowed; nothing else changes.'));
    });
  });
});

function parsedOf(runs: CheckRun[]): ParsedChecks {
  return parseChecks(runs);
}

function analyzeTcp(out: Partial<ToolOutput>): NonNullable<ParsedChecks['tcp']> {
  const tcp = checksFor('10.244.1.45', 5432).find((c) => c.kind === 'tcp')!;
  return parsedOf([run(tcp, out)]).tcp!;
}
