import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { run } from '../../src/cli/main';
import { caseAsList } from '../support/conformance';

const SEED = path.join(__dirname, '../fixtures/manifests/seed-incident');
const DEMO = path.join(__dirname, '../../demo/workspace');
const WEB = 'production/web-api-7d9f8b6c5d-x2k4q';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { out: async (t) => void (out += t), err: (t) => void (err += t + '\n') });
  return { code, out, err };
}

describe('netlens CLI', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'netlens-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('reach', () => {
    it('explains the seed incident: denied by default-deny-ingress, then allowed by allow-db-access', async () => {
      for (const f of ['namespace.yaml', 'pods.yaml', 'default-deny-ingress.yaml']) copyFileSync(path.join(SEED, f), path.join(dir, f));
      const denied = await cli('reach', dir, '--from', WEB, '--to', 'production/postgres-0', '--port', '5432', '--json');
      assert.equal(denied.code, 1, denied.err);
      const dj = JSON.parse(denied.out);
      assert.equal(dj.allowed, false);
      assert.deepEqual([dj.from, dj.to, dj.port, dj.protocol], [WEB, 'production/postgres-0', 5432, 'TCP']);
      assert.deepEqual(dj.explanation.deciding, ['production/default-deny-ingress']);
      assert.equal(dj.explanation.ingress.misses[0].message, 'has no ingress rules, so it allows no ingress to the pods it selects (a default deny)');
      assert.equal(dj.explanation.ingress.misses[0].location.file, path.join(dir, 'default-deny-ingress.yaml'));

      copyFileSync(path.join(SEED, 'allow-db-access.yaml'), path.join(dir, 'allow-db-access.yaml'));
      const allowed = await cli('reach', dir, '--from', WEB, '--to', '10.244.1.45', '--port', '5432', '--json');
      assert.equal(allowed.code, 0, allowed.err);
      const aj = JSON.parse(allowed.out);
      assert.equal(aj.allowed, true);
      assert.equal(aj.to, 'production/postgres-0', 'an IP of a known pod resolves to the pod');
      assert.deepEqual(aj.explanation.deciding, ['production/allow-db-access']);
      assert.deepEqual(aj.explanation.ingress.allowedBy[0].location, { file: path.join(dir, 'allow-db-access.yaml'), line: 14, column: 5 });
    });

    it('prints a readable explanation with the nearest miss', async () => {
      const r = await cli('reach', DEMO, '--from', 'production/web-api-7d9f8b6c5d-x2k4q', '--to', 'production/postgres-0', '--port', 'postgresql');
      assert.equal(r.code, 1);
      assert.equal(r.out.split('\n')[0], 'DENIED  production/web-api-7d9f8b6c5d-x2k4q → production/postgres-0 on 5432/TCP (postgresql)');
      assert.match(r.out, /✗ production\/default-deny-ingress \(.*default-deny-ingress\.yaml:8\): has no ingress rules/);
      assert.match(r.out, /✗ production\/allow-monitoring \(.*allow-monitoring\.yaml:24\): ingress rule 2: port matched, but the peer did not: 10\.244\.2\.17 is not in 10\.244\.1\.0\/24/);
      assert.match(r.out, /✗ production\/web-api-egress .*egress rule 1: neither peer nor port matched/);
    });

    it('answers for addresses outside the cluster and for UDP', async () => {
      const r = await cli('reach', DEMO, '--from', '203.0.113.9', '--to', 'production/postgres-0', '--port', '5432', '--json');
      assert.equal(r.code, 1);
      const j = JSON.parse(r.out);
      assert.equal(j.explanation.egress.applies, false);
      const dns = await cli('reach', DEMO, '--from', WEB, '--to', '10.96.0.10', '--port', '53', '--protocol', 'udp');
      assert.equal(dns.code, 1, 'web-api egress only admits kube-dns pods, not an address outside the cluster');
    });

    it('refuses to decide when an invalid policy selects the pods, unless asked', async () => {
      copyFileSync(path.join(SEED, 'namespace.yaml'), path.join(dir, 'ns.yaml'));
      copyFileSync(path.join(SEED, 'pods.yaml'), path.join(dir, 'pods.yaml'));
      writeFileSync(path.join(dir, 'bad.yaml'), `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: broken, namespace: production}
spec:
  podSelector: {matchLabels: {app: postgres}}
  ingress:
    - ports: [{port: 70000}]
`);
      const r = await cli('reach', dir, '--from', WEB, '--to', 'production/postgres-0', '--port', '5432');
      assert.equal(r.code, 2);
      assert.match(r.err, /^netlens: cannot decide: invalid policies select these pods: production\/broken \(Port 70000 is invalid/m);
      assert.equal(r.err.trim().split('\n').length, 2, 'a warning line about skipped errors and one error line');
      const ignored = await cli('reach', dir, '--from', WEB, '--to', 'production/postgres-0', '--port', '5432', '--ignore-invalid');
      assert.equal(ignored.code, 0);
      assert.match(ignored.out, /Ignored \(the API server would reject them\):\n {2}! production\/broken/);
    });

    it('usage and input errors exit 2 with one line and no stack', async () => {
      const cases: [string[], RegExp][] = [
        [['reach', DEMO, '--to', 'x/y', '--port', '1'], /--from is required/],
        [['reach', DEMO, '--from', 'production/nope', '--to', 'production/postgres-0', '--port', '1'], /no such pod in the manifests/],
        [['reach', DEMO, '--from', WEB, '--to', 'production/postgres-0', '--port', 'nosuch'], /declares no container port named "nosuch"; it declares postgresql \(5432\/TCP\)/],
        [['reach', DEMO, '--from', WEB, '--to', 'production/postgres-0', '--port', '5432', '--protocol', 'icmp'], /protocol "icmp" is not TCP, UDP or SCTP/],
        [['reach', DEMO, '--bogus'], /unknown option --bogus/],
        [['reach', path.join(dir, 'missing'), '--from', 'a/b', '--to', 'c/d', '--port', '1'], /missing/],
        [['frobnicate'], /unknown command "frobnicate"/],
        [['matrix', DEMO, '--port', '99999'], /the port must be 1 to 65535/],
        [['lint', DEMO, '--format', 'xml'], /--format xml: use text, json or sarif/],
      ];
      for (const [argv, pattern] of cases) {
        const r = await cli(...argv);
        assert.equal(r.code, 2, argv.join(' '));
        assert.match(r.err, pattern);
        assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
      }
    });

    it('has --help for every command', async () => {
      for (const c of ['reach', 'matrix', 'lint']) {
        const r = await cli(c, '--help');
        assert.equal(r.code, 0);
        assert.match(r.out, new RegExp(`^Usage: netlens ${c} `));
      }
      assert.match((await cli('--help')).out, /netlens reach <paths\.\.\.> --from/);
    });
  });

  describe('matrix', () => {
    it('gives every ordered pair of distinct pods as JSON', async () => {
      const r = await cli('matrix', SEED, '--port', '5432/TCP', '--json');
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(JSON.parse(r.out), {
        results: [
          { from: 'production/postgres-0', to: WEB, port: 5432, protocol: 'TCP', allowed: false },
          { from: WEB, to: 'production/postgres-0', port: 5432, protocol: 'TCP', allowed: true },
        ],
      });
    });

    it('summarises counts, per port', async () => {
      const r = await cli('matrix', DEMO, '--port', '5432', '--port', '8080/tcp', '--summary', '--json');
      assert.equal(r.code, 0, r.err);
      const s = JSON.parse(r.out);
      const n = s.pods;
      assert.equal(s.pairs, n * (n - 1));
      assert.equal(s.allowed + s.denied, s.pairs);
      assert.deepEqual(s.byPort.map((b: { port: number; protocol: string }) => `${b.port}/${b.protocol}`), ['5432/TCP', '8080/TCP']);
    });

    it('prints a table, and defaults to the declared container ports', async () => {
      const r = await cli('matrix', SEED);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^Reachability on 5432\/TCP: 2 pods \(row → column; ✓ allowed, · denied\)/);
      assert.match(r.out, /Reachability on 8080\/TCP/);
      const lines = r.out.split('\n');
      // default-deny-ingress isolates both pods; only web-api → postgres is allowed
      assert.match(lines[2]!, /^0 production\/postgres-0\s+ -\s+·$/);
      assert.match(lines[3]!, /^1 production\/web-api-7d9f8b6c5d-x2k4q\s+ ✓\s+-$/);
    });
  });

  describe('lint', () => {
    it('reports loader findings as JSON with 1-based positions and exits 1 on errors', async () => {
      const f = path.join(dir, 'p.yaml');
      writeFileSync(f, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: x, namespace: default}
spec:
  podSelector: {}
  ingress:
    - from:
        - ipBlock: {cidr: 10.0.0.0/33}
`);
      const r = await cli('lint', f, '--format', 'json');
      assert.equal(r.code, 1);
      const d = JSON.parse(r.out).diagnostics;
      const cidr = d.find((x: { code: string }) => x.code === 'invalid-cidr');
      assert.deepEqual({ ...cidr, message: undefined }, { file: f, line: 8, column: 27, endLine: 8, endColumn: 38, severity: 'error', code: 'invalid-cidr', message: undefined });
    });

    it('emits SARIF 2.1.0 that code scanning accepts', async () => {
      const r = await cli('lint', DEMO, '--format', 'sarif');
      const sarif = JSON.parse(r.out);
      assert.equal(sarif.version, '2.1.0');
      assert.equal(sarif.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
      const run0 = sarif.runs[0];
      assert.equal(run0.tool.driver.name, 'netlens');
      const ruleIds = run0.tool.driver.rules.map((x: { id: string }) => x.id);
      assert.ok(run0.results.length > 0);
      for (const res of run0.results) {
        assert.ok(ruleIds.includes(res.ruleId));
        assert.equal(run0.tool.driver.rules[res.ruleIndex].id, res.ruleId);
        assert.ok(['error', 'warning', 'note'].includes(res.level));
        const loc = res.locations[0].physicalLocation;
        assert.ok(!path.isAbsolute(loc.artifactLocation.uri) && !loc.artifactLocation.uri.includes('\\'));
        assert.ok(loc.region.startLine >= 1 && loc.region.startColumn >= 1);
      }
      for (const rule of run0.tool.driver.rules) assert.ok(rule.shortDescription.text && rule.fullDescription.text && rule.help.text);
    });
  });

  describe('the built binary', () => {
    const bin = path.join(__dirname, '../../dist/cli.js');
    before(function () {
      if (!existsSync(bin)) this.skip();
    });

    it('exits 0/1/2 as the contract says', () => {
      const exec = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
      assert.equal(exec('reach', SEED, '--from', WEB, '--to', 'production/postgres-0', '--port', '5432').status, 0);
      const noAllow = path.join(dir, 'deny');
      writeFileSync(noAllow + '.yaml', ['namespace.yaml', 'pods.yaml', 'default-deny-ingress.yaml'].map((f) => readFileSync(path.join(SEED, f), 'utf8')).join('\n---\n'));
      assert.equal(exec('reach', noAllow + '.yaml', '--from', WEB, '--to', 'production/postgres-0', '--port', '5432').status, 1);
      const bad = exec('reach');
      assert.equal(bad.status, 2);
      assert.equal(bad.stderr.trim().split('\n').length, 1);
    });

    it('reads a conformance case as multi-document YAML from standard input', () => {
      const c = JSON.parse(readFileSync(path.join(__dirname, '../conformance/cases/k8s-e2e-allow-from-same-ns-podselector.json'), 'utf8'));
      const docs = (caseAsList(c) as { items: object[] }).items.map((i) => stringify(i)).join('---\n');
      const row = c.expect.find((e: { allowed: boolean }) => !e.allowed);
      const r = spawnSync(process.execPath, [bin, 'reach', '-', '--from', row.from, '--to', row.to, '--port', String(row.port)], { input: docs, encoding: 'utf8' });
      assert.equal(r.status, 1, r.stderr);
    });
  });
});
