import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../src/cli/main';

const DEMO = path.join(__dirname, '../../demo/workspace');
const WEB_A = 'production/web-api-7d9f8b6c5d-q8j3m';
const WEB_B = 'production/web-api-7d9f8b6c5d-x2k4q';
const DB = 'production/postgres-0';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { out: async (t) => void (out += t), err: (t) => void (err += t + '\n') });
  return { code, out, err };
}

const ALLOW_DB = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-db-access, namespace: production}
spec:
  podSelector: {matchLabels: {app: postgres}}
  policyTypes: [Ingress]
  ingress:
    - from: [{podSelector: {matchLabels: {app: web-api}}}]
      ports: [{protocol: TCP, port: 5432}]
`;

const EGRESS_TO_DB = `    - to:
        - podSelector:
            matchLabels:
              app: postgres
      ports:
        - protocol: TCP
          port: 5432
`;

describe('netlens diff', () => {
  let dir: string;
  let after: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'netlens-diff-'));
    after = path.join(dir, 'after');
    cpSync(DEMO, after, { recursive: true });
    writeFileSync(path.join(after, 'policies/allow-db-access.yaml'), ALLOW_DB);
    const egress = path.join(after, 'policies/web-api-egress.yaml');
    writeFileSync(egress, readFileSync(egress, 'utf8') + EGRESS_TO_DB);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('compares two paths: the summary, then the opened paths', async () => {
    const r = await cli('diff', DEMO, after);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    const lines = r.out.split('\n');
    assert.equal(lines[0], `This change opens 2 paths (${WEB_A} → ${DB}:5432/TCP, ${WEB_B} → ${DB}:5432/TCP) and closes none.`);
    assert.deepEqual(lines.slice(2, 5), ['Opened (2):', `+ ${WEB_A} → ${DB} 5432/TCP`, `+ ${WEB_B} → ${DB} 5432/TCP`]);
    assert.doesNotMatch(r.out, /^- /m);
  });

  it('prints the JSON contract', async () => {
    const r = await cli('diff', '--before', DEMO, '--after', after, '--json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.deepEqual(Object.keys(j), ['opened', 'closed', 'added_pods', 'removed_pods', 'summary']);
    assert.deepEqual(j.opened, [
      { from: WEB_A, to: DB, port: 5432, protocol: 'TCP' },
      { from: WEB_B, to: DB, port: 5432, protocol: 'TCP' },
    ]);
    assert.deepEqual(j.closed, []);
    assert.deepEqual(j.added_pods, []);
    assert.deepEqual(j.removed_pods, []);
    assert.match(j.summary, /^This change opens 2 paths/);
  });

  it('takes each side as several paths with repeated --before/--after', async () => {
    const beforeDir = path.join(dir, 'before-split');
    cpSync(DEMO, beforeDir, { recursive: true });
    const r = await cli('diff', '--before', path.join(beforeDir, 'apps'), '--before', path.join(beforeDir, 'cluster-state'), '--before', path.join(beforeDir, 'policies'),
      '--after', path.join(after, 'apps'), '--after', path.join(after, 'cluster-state'), '--after', path.join(after, 'policies'), '--json');
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).opened.length, 2);
  });

  it('shows closed paths with "-" when the change is undone, and pods on one side', async () => {
    const pods = path.join(after, 'cluster-state/pods.yaml');
    writeFileSync(pods, readFileSync(pods, 'utf8').replace('name: prometheus-0', 'name: prometheus-1'));
    const r = await cli('diff', after, DEMO);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^This change opens no paths and closes 2 paths .*; 1 pod added, 1 pod removed \(their paths are not counted\)\.$/m);
    assert.match(r.out, new RegExp(`^- ${WEB_A} → ${DB} 5432/TCP$`, 'm'));
    assert.match(r.out, /^Only after \(1\): monitoring\/prometheus-0$/m);
    assert.match(r.out, /^Only before \(1\): monitoring\/prometheus-1$/m);
  });

  it('--fail-on-open exits 1 when the change opens a path, 0 otherwise', async () => {
    assert.equal((await cli('diff', DEMO, after, '--fail-on-open')).code, 1);
    assert.equal((await cli('diff', after, DEMO, '--fail-on-open')).code, 0, 'closing is not opening');
    assert.equal((await cli('diff', DEMO, DEMO, '--fail-on-open')).code, 0);
    assert.equal((await cli('diff', DEMO, after)).code, 0, 'without the flag, opened paths are not a failure');
  });

  it('--port compares every pair on the given ports', async () => {
    const r = await cli('diff', DEMO, after, '--port', '5432/TCP', '--port', '53/udp', '--json');
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).opened.length, 2);
    const none = await cli('diff', DEMO, after, '--port', '8080');
    assert.match(none.out, /^This change opens no paths and closes none\.$/m);
    assert.match(none.out, /Compared on 8080\/TCP for every pair of pods\./);
  });

  it('has --help and is listed in the main help', async () => {
    const r = await cli('diff', '--help');
    assert.equal(r.code, 0);
    assert.match(r.out, /^Usage: netlens diff <before> <after>/);
    assert.match(r.out, /--fail-on-open/);
    assert.match((await cli('--help')).out, /netlens diff <before> <after>/);
    assert.match((await cli('help', 'diff')).out, /^Usage: netlens diff /);
  });

  it('usage and input errors exit 2 with one line', async () => {
    const cases: [string[], RegExp][] = [
      [['diff', DEMO], /give two paths \(before and after\), or --before <path>\.\.\. --after <path>\.\.\.; got 1/],
      [['diff', DEMO, after, DEMO], /got 3/],
      [['diff', '--before', DEMO], /--after is required with --before/],
      [['diff', '--after', DEMO], /--before is required with --after/],
      [['diff', DEMO, '--before', DEMO, '--after', after], /either as --before\/--after or as two positional paths, not both/],
      [['diff', '-', '-'], /standard input \("-"\) can be only one side/],
      [['diff', DEMO, after, '--port', '70000'], /the port must be 1 to 65535/],
      [['diff', DEMO, after, '--bogus'], /unknown option --bogus/],
      [['diff', path.join(dir, 'missing'), after], /^netlens: before: .*missing: no such file or directory/],
    ];
    for (const [argv, pattern] of cases) {
      const r = await cli(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, pattern, argv.join(' '));
      assert.equal(r.err.trim().split('\n').length, 1, 'one line');
      assert.equal(r.out, '');
    }
  });

  it('refuses invalid policies unless --ignore-invalid', async () => {
    writeFileSync(path.join(after, 'policies/broken.yaml'), `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: broken, namespace: production}
spec:
  podSelector: {}
  ingress:
    - ports: [{port: 70000}]
`);
    const r = await cli('diff', DEMO, after);
    assert.equal(r.code, 2);
    assert.match(r.err, /invalid policies after: production\/broken .*--ignore-invalid/);
    const ok = await cli('diff', DEMO, after, '--ignore-invalid', '--json');
    assert.equal(ok.code, 0, ok.err);
    assert.equal(JSON.parse(ok.out).opened.length, 2);
  });
});
