/**
 * The hostile corpus: files that break naive YAML readers, each with its exact expected outcome
 * (finding codes and ranges, what still loads), no exception, and a bound on time. Small cases
 * live in test/fixtures/hostile/ (see its README); big ones are generated here, never committed.
 * File-system oddities (FIFOs, devices, endless standard input, symlink loops, directories named
 * like manifests) go through the CLI's reader and `run()`.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { readInputs } from '../../src/cli/files';
import { run } from '../../src/cli/main';
import { loadManifests, parseManifestText, type ParsedFile } from '../../src/core/manifest/load';
import type { NetworkPolicy, Pod } from '../../src/core/model';
import { timed } from './budget';

const HOSTILE = path.join(__dirname, '../fixtures/hostile');
const hostile = (name: string): Buffer => readFileSync(path.join(HOSTILE, name));
const NAMESPACE_DOC = '---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: still-loads\n';

function codes(r: ParsedFile): string[] {
  return r.findings.map((f) => `${f.code}@${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character}`);
}

function loaded(r: ParsedFile): string[] {
  return r.objects.map((o) => `${o.object.kind}/${o.object.name}${o.object.kind === 'NetworkPolicy' && o.object.invalid ? ' (invalid)' : ''}`);
}

/** Parses with a time bound (generous: these bound hangs, not speed) and reports the time when asked. */
function parseTimed(name: string, content: string | Uint8Array, boundMs = 2000): ParsedFile {
  const { value, ms } = timed(() => parseManifestText(name, content));
  if (process.env.NETLENS_FUZZ_REPORT) console.log(`      [timing] ${name}: ${ms.toFixed(0)} ms`);
  assert.ok(ms < boundMs, `${name} took ${ms.toFixed(0)} ms (bound ${boundMs} ms)`);
  return value;
}

describe('hardening: hostile manifests', () => {
  it('a Helm template: the templated document is skipped with one finding on the template line, the plain one loads', () => {
    const r = parseTimed('helm-template.yaml', hostile('helm-template.yaml'));
    assert.deepEqual(loaded(r), ['Namespace/after-the-template']);
    assert.deepEqual(codes(r), ['helm-template@1:0-1:39']);
    assert.equal(r.findings[0]!.severity, 'warning');
    assert.match(r.findings[0]!.message, /^This document is a Helm\/Go template .*helm template/);
  });

  it('billion laughs: both bombs stopped at their 101st alias expansion, quickly; the namespace after them loads', () => {
    const r = parseTimed('billion-laughs.yaml', hostile('billion-laughs.yaml'));
    assert.deepEqual(loaded(r), ['Namespace/survives-the-bombs']);
    assert.deepEqual(codes(r), ['yaml-alias-limit@8:9-8:11', 'yaml-alias-limit@24:17-24:20']);
    assert.ok(r.findings.every((f) => f.severity === 'error' && /more than 100 times .*billion laughs/.test(f.message)));
  });

  it('2,000-deep nesting (flow, block, compact, JSON): too-deep at the first level past 256, no stack overflow, the next document loads', () => {
    const N = 2000;
    const cases: Array<[string, string, string, number]> = [
      ['flow list', `deep: ${'['.repeat(N)}${']'.repeat(N)}\n`, 'too-deep@0:262-0:263', 5000],
      ['flow map', `deep: ${'{a: '.repeat(N)}1${'}'.repeat(N)}\n`, 'too-deep@0:1027-0:1028', 5000],
      ['compact block list', `${'- '.repeat(N)}x\n`, 'too-deep@0:514-0:515', 5000],
      // Block nesting is made of indentation: these two are 2 MB and 4 MB of spaces, read by the
      // yaml package (1-5 MB/s).
      ['block maps (2 MB)', `${Array.from({ length: N }, (_, i) => `${' '.repeat(i)}a:`).join('\n')} x\n`, 'too-deep@0:0-0:1', 15_000],
      ['block lists (4 MB)', `${Array.from({ length: N }, (_, i) => `${' '.repeat(2 * i)}-`).join('\n')} x\n`, 'too-deep@257:514-257:515', 15_000],
      ['inside a Pod', `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: ${'{a: '.repeat(N)}1${'}'.repeat(N)}\n`, 'too-deep@4:1032-4:1033', 5000],
    ];
    for (const [what, text, expected, bound] of cases) {
      const r = parseTimed(`deep ${what}`, text + NAMESPACE_DOC, bound);
      // Whether yaml's parser overflows the stack on the 2 MB block maps depends on how deep the
      // caller's stack already is: then the whole document is reported at its start instead.
      const alternatives = what.startsWith('block maps') ? [expected, 'too-deep@256:256-256:257'] : [expected];
      assert.ok(alternatives.includes(codes(r).join()), `${what}: ${codes(r).join()}`);
      assert.deepEqual(loaded(r), ['Namespace/still-loads'], what);
    }
    // JSON has one document per file: the file yields the finding and nothing else. The JSON
    // reader stops at the first value past level 256 itself (the 257th bracket), in one pass.
    for (const [what, text, expected] of [
      ['JSON arrays', `${'['.repeat(N)}${']'.repeat(N)}`, 'too-deep@0:256-0:257'],
      ['JSON objects', `${'{"a":'.repeat(N)}1${'}'.repeat(N)}`, 'too-deep@0:1280-0:1281'],
      ['100,000 JSON arrays', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'too-deep@0:256-0:257'],
    ]) {
      const r = parseTimed(`deep ${what}`, text!, 10_000);
      assert.deepEqual(codes(r), [expected], what);
      assert.deepEqual(r.objects, []);
    }
  });

  it('binary bytes: NUL anywhere skips the file with binary-file; bad UTF-8 without NUL is read with replacement characters and one warning at the byte', () => {
    let seed = 42;
    const random = Buffer.alloc(64 * 1024);
    for (let i = 0; i < random.length; i++) random[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16;
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), random]);
    for (const [name, bytes] of [['random.bin', random], ['image.png', png], ['late-nul.yaml', Buffer.concat([Buffer.from(NAMESPACE_DOC), Buffer.from([0])])]] as const) {
      const r = parseTimed(name, bytes);
      assert.deepEqual(codes(r), ['binary-file@0:0-0:0'], name);
      assert.deepEqual(r.objects, []);
    }
    const latin1 = Buffer.concat([Buffer.from('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: latin\n  annotations:\n    note: caf'), Buffer.from([0xe9, 0xff, 0xfe]), Buffer.from('\n')]);
    const r = parseTimed('latin1.yaml', latin1);
    assert.deepEqual(codes(r), ['invalid-utf8@5:13-5:14']);
    assert.match(r.findings[0]!.message, /not valid UTF-8 \(byte 0xE9\)/);
    assert.deepEqual(loaded(r), ['Namespace/latin']);
  });

  it('duplicate keys at every level: one warning per repeated key, at the repeat; the last value wins, as on the API server', () => {
    const r = parseTimed('duplicate-keys.yaml', hostile('duplicate-keys.yaml'));
    assert.deepEqual(codes(r), ['duplicate-key@5:2-5:6', 'duplicate-key@10:6-10:9', 'duplicate-key@14:10-14:14', 'duplicate-key@15:2-15:9']);
    assert.ok(r.findings.every((f) => f.severity === 'warning' && /^Duplicate key "(name|app|port|ingress)": the API server keeps the last value/.test(f.message)));
    const policy = r.objects[0]!.object as NetworkPolicy;
    assert.equal(policy.name, 'last-name');
    assert.deepEqual(policy.podSelector.matchLabels, { app: 'api' });
    assert.deepEqual(policy.ingress.map((rule) => rule.ports.map((p) => p.port)), [[8443]]);
    assert.equal(policy.invalid, undefined);
  });

  it('wrong types everywhere: one error per value at its exact range, the policy never counts, the next document loads', () => {
    const r = parseTimed('wrong-types.yaml', hostile('wrong-types.yaml'));
    assert.deepEqual(codes(r), [
      'wrong-type@6:13-6:14',
      'wrong-type@8:24-8:28',
      'wrong-type@11:17-11:27',
      'wrong-type@12:15-12:22',
      'wrong-type@17:20-17:31',
      'wrong-type@18:23-18:26',
      'wrong-type@20:16-20:20',
      'wrong-type@21:20-21:21',
      'wrong-type@22:19-22:23',
      'wrong-type@23:10-23:18',
    ]);
    assert.deepEqual(loaded(r), ['NetworkPolicy/wrong-types (invalid)', 'Namespace/still-loads']);
    assert.deepEqual(
      r.findings.map((f) => f.message.replace(/ must be .*/, '').replace(/^Label "version".*/, 'label')),
      [
        'label',
        'metadata.annotations.prometheus.io/port',
        'spec.podSelector.matchLabels',
        'spec.policyTypes',
        'spec.ingress.0.from.0.ipBlock.except',
        'spec.ingress.0.from.1.podSelector',
        'spec.ingress.0.ports.0.port',
        'spec.ingress.0.ports.0.protocol',
        'spec.ingress.0.ports.0.endPort',
        'spec.egress',
      ],
    );
    assert.equal((r.objects[0]!.object as NetworkPolicy).invalid!.length, 10);
  });

  it('CRLF, BOM, CRLF + BOM, lone CR, UTF-16 LE/BE: the same objects, and every range the same line and character as the LF file', () => {
    const lf = hostile('policy-for-encodings.yaml').toString('utf8');
    assert.ok(!lf.includes('\r'));
    const utf16 = (text: string, be: boolean): Buffer => {
      const b = Buffer.from(text, 'utf16le');
      if (be) for (let i = 0; i + 1 < b.length; i += 2) [b[i], b[i + 1]] = [b[i + 1]!, b[i]!];
      return Buffer.concat([Buffer.from(be ? [0xfe, 0xff] : [0xff, 0xfe]), b]);
    };
    const variants: Array<[string, string | Buffer]> = [
      ['LF', lf],
      ['CRLF', lf.replace(/\n/g, '\r\n')],
      ['BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lf)])],
      ['BOM string', `\ufeff${lf}`],
      ['CRLF + BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lf.replace(/\n/g, '\r\n'))])],
      ['lone CR', lf.replace(/\n/g, '\r')],
      ['UTF-16 LE', utf16(lf, false)],
      ['UTF-16 BE', utf16(lf, true)],
      ['UTF-16 LE + CRLF', utf16(lf.replace(/\n/g, '\r\n'), false)],
    ];
    const at = (r: ParsedFile, p: string): string => {
      const s = (r.objects[0]!.object as NetworkPolicy).source!.at(p)!;
      return `${s.key ? `${s.key.start.line}:${s.key.start.character}-${s.key.end.line}:${s.key.end.character} ` : ''}${s.value.start.line}:${s.value.start.character}-${s.value.end.line}:${s.value.end.character}`;
    };
    for (const [what, content] of variants) {
      const r = parseTimed(`encoding ${what}`, content);
      assert.deepEqual([loaded(r), codes(r)], [['NetworkPolicy/encoded'], []], what);
      // Keys and values at exact positions; the emoji counts two UTF-16 code units, as in VS Code.
      assert.equal(at(r, 'metadata.annotations.note'), '7:4-7:8 7:10-7:22', what);
      assert.equal(at(r, 'spec.podSelector.matchLabels.app'), '11:6-11:9 11:11-11:14', what);
      assert.equal(at(r, 'spec.ingress.0.ports.0.port'), '16:10-16:14 16:16-16:20', what);
      const policy = r.objects[0]!.object as NetworkPolicy;
      assert.equal(policy.source!.range.start.line, 1, `${what}: the object starts after the comment`);
    }
  });

  it('tabs: tab indentation is an error at the tab and skips its document; a tab inside a value is fine', () => {
    const r = parseTimed('tabs.yaml', hostile('tabs.yaml'));
    assert.deepEqual(codes(r), ['yaml-tab-indent@3:0-3:1']);
    assert.match(r.findings[0]!.message, /^YAML does not allow tabs for indentation: indent with spaces/);
    assert.deepEqual(loaded(r), ['Namespace/tab-in-value']);
  });

  it('empty, whitespace-only, comment-only, separator-only and BOM-only files: nothing, and no finding', () => {
    const cases: Array<[string, string | Buffer]> = [
      ['empty.yaml', hostile('empty.yaml')],
      ['comments-only.yaml', hostile('comments-only.yaml')],
      ['spaces', '   \n\n\t\n'],
      ['separators', '---\n---\n...\n---\n'],
      ['BOM only', Buffer.from([0xef, 0xbb, 0xbf])],
      ['UTF-16 BOM only', Buffer.from([0xff, 0xfe])],
      ['empty JSON', ''],
    ];
    for (const [name, content] of cases) assert.deepEqual(parseTimed(name, content), { objects: [], findings: [] }, name);
  });

  it('huge scalars and keys: a 5 MB value loads, 1 MB keys are reported, in time, and no message quotes them whole', () => {
    const big = 'v'.repeat(5 * 1024 * 1024);
    const r = parseTimed('huge-value.yaml', `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    big: ${big}\n  labels:\n    app: ${big}\n`, 5000);
    assert.deepEqual(codes(r), ['invalid-label@7:9-7:5242889']);
    assert.ok(r.findings[0]!.message.length < 400, `${r.findings[0]!.message.length} characters`);
    assert.deepEqual(loaded(r), ['Pod/p']);
    // YAML limits implicit keys to 1,024 characters: the document is a syntax error, reported without the key.
    const key = parseTimed('huge-key.yaml', `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  ${'k'.repeat(1024 * 1024)}: 1\nspec:\n  ${'x'.repeat(1024 * 1024)}: 42\n`, 5000);
    assert.deepEqual(codes(key), ['yaml-syntax@4:2-4:1048578', 'yaml-syntax@6:2-6:1048578']);
    assert.deepEqual(loaded(key), []);
    assert.ok(key.findings.every((f) => f.message.length < 600 && /at most 1024 chars/.test(f.message)), key.findings.map((f) => f.message.length).join(','));
    // A number of 100,000 digits, a 100,000-character kind: every message stays short.
    const digits = '9'.repeat(100_000);
    const messy = parseTimed('long-values.yaml', `kind: Pod\nmetadata:\n  name: ${digits}\n---\nkind: ${'K'.repeat(100_000)}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\nspec:\n  podSelector: {}\n  ingress:\n  - ports:\n    - port: 1.${digits}\n    - endPort: ${digits}\n  - from:\n    - ipBlock: {cidr: "${'1'.repeat(100_000)}"}\n`);
    assert.ok(messy.findings.length >= 4);
    for (const f of messy.findings) assert.ok(f.message.length < 600, `${f.code}: ${f.message.length} characters`);
  });

  it('a file of every hostile case, loaded with a good file: the good file is untouched', () => {
    const inputs = ['helm-template.yaml', 'billion-laughs.yaml', 'duplicate-keys.yaml', 'wrong-types.yaml', 'tabs.yaml', 'empty.yaml', 'comments-only.yaml'].map((f) => ({ file: f, content: hostile(f) }));
    const good = { file: 'good.yaml', content: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: good\n  namespace: prod\n  labels:\n    app: web\nstatus:\n  podIP: 10.0.0.1\n' };
    const { value: r, ms } = timed(() => loadManifests([...inputs, good]));
    assert.ok(ms < 2000);
    const pod = r.snapshot.pods.find((p: Pod) => p.name === 'good');
    assert.deepEqual([pod?.labels, pod?.ips], [{ app: 'web' }, ['10.0.0.1']]);
    assert.deepEqual(r.findings.filter((f) => f.file === 'good.yaml'), []);
    assert.deepEqual([...new Set(r.findings.map((f) => f.file))], inputs.map((i) => i.file).filter((f) => !['empty.yaml', 'comments-only.yaml'].includes(f)));
  });
});

describe('hardening: hostile files for the CLI reader', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'netlens-hostile-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const ns = (name: string): string => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;

  async function mkfifo(p: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('mkfifo', [p], { stdio: 'ignore' });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mkfifo exited ${code}`))));
    });
  }

  it('a FIFO inside a directory is skipped, never opened (no hang); a directory named x.yaml is walked', async function () {
    this.timeout(10_000);
    writeFileSync(path.join(dir, 'a.yaml'), ns('a'));
    await mkfifo(path.join(dir, 'pipe.yaml'));
    mkdirSync(path.join(dir, 'looks-like.yaml'));
    writeFileSync(path.join(dir, 'looks-like.yaml', 'inner.yml'), ns('inner'));
    const { value, ms } = await (async () => {
      const t = Date.now();
      return { value: await readInputs([dir]), ms: Date.now() - t };
    })();
    assert.ok(ms < 2000);
    assert.deepEqual(value.errors, []);
    assert.deepEqual(value.inputs.map((i) => path.relative(dir, i.file)), ['a.yaml', path.join('looks-like.yaml', 'inner.yml')]);
  });

  it('a FIFO or process substitution given explicitly is read like `cat` would (bounded), so `<(kubectl get -o yaml)` works', async function () {
    this.timeout(30_000);
    const fifo = path.join(dir, 'from-kubectl');
    await mkfifo(fifo);
    // The writer: a child process, as bash's process substitution would be.
    // The writer: another process, as bash's process substitution would be (cp starts faster than node).
    const source = path.join(dir, 'source.yaml');
    writeFileSync(source, ns('piped'));
    const writer = spawn('cp', [source, fifo], { stdio: 'ignore' });
    const exited = new Promise((r) => writer.on('exit', r));
    const { inputs, errors } = await readInputs([fifo]);
    await exited;
    assert.deepEqual(errors, []);
    assert.deepEqual(loadManifests(inputs).snapshot.namespaces.map((n) => n.name), ['piped']);
  });

  it('an endless device or standard input stops at the size limit with one error line, instead of reading forever', async function () {
    this.timeout(10_000);
    const t = Date.now();
    const zero = await readInputs(['/dev/zero'], { maxFileBytes: 1024 * 1024 });
    assert.deepEqual(zero, { inputs: [], errors: ['/dev/zero: skipped, it holds more than the 1.0 MiB limit'] });
    let produced = 0;
    const endless = new Readable({
      read() {
        produced += 64 * 1024;
        this.push(Buffer.alloc(64 * 1024, 'y'));
      },
    });
    const stdin = await readInputs(['-'], { stdin: endless, maxFileBytes: 1024 * 1024 });
    assert.deepEqual(stdin, { inputs: [], errors: ['<stdin>: skipped, it holds more than the 1.0 MiB limit'] });
    assert.ok(produced < 4 * 1024 * 1024, `read ${produced} bytes`);
    assert.ok(endless.destroyed, 'the stream is closed');
    assert.ok(Date.now() - t < 3000);
  });

  it('symlink loops: a file loop is one clear error, a directory loop is walked once', async () => {
    symlinkSync('b.yaml', path.join(dir, 'a.yaml'));
    symlinkSync('a.yaml', path.join(dir, 'b.yaml'));
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'sub', 'c.yaml'), ns('c'));
    symlinkSync('..', path.join(dir, 'sub', 'up'));
    symlinkSync(path.join(dir, 'sub'), path.join(dir, 'sub', 'self'));
    const r = await readInputs([dir]);
    assert.deepEqual(r.inputs.map((i) => path.relative(dir, i.file)), [path.join('sub', 'c.yaml')]);
    assert.deepEqual(r.errors, [`${path.join(dir, 'a.yaml')}: too many levels of symbolic links (a symlink loop?)`, `${path.join(dir, 'b.yaml')}: too many levels of symbolic links (a symlink loop?)`]);
    const explicit = await readInputs([path.join(dir, 'a.yaml')]);
    assert.deepEqual(explicit.errors, [`${path.join(dir, 'a.yaml')}: too many levels of symbolic links (a symlink loop?)`]);
  });

  it('lint text output: a file name or a key with line breaks cannot forge a line (CI reads `::error ...` lines as commands)', async () => {
    const evil = path.join(dir, 'x\n::error file=forged.yaml::forged\u2028.yaml');
    writeFileSync(evil, 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  labels:\n    "a\\n::warning::forged": x\nspec:\n  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: " 10.0.0.0/8"}}]}]\n');
    let out = '';
    assert.equal(await run(['lint', dir], { out: async (t) => void (out += t), err: () => undefined }), 1);
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.length, 4, out);
    for (const line of lines.slice(0, -1)) assert.ok(line.startsWith(path.join(dir, 'x\\u000a::error file=forged.yaml::forged\\u2028.yaml:')), line);
    assert.match(lines[0]!, /info namespace-inferred: /);
    assert.match(lines[1]!, /error invalid-label: Label key "a\\n::warning::forged" is invalid/);
    assert.match(lines[2]!, /error invalid-cidr: CIDR " 10\.0\.0\.0\/8" has spaces around it, which the API server rejects: remove them\.$/);
  });

  describe('reach, matrix and diff text output: names from manifests cannot forge lines or send terminal escapes', () => {
    // Names the API server would reject are reported but still loaded, so they reach the output:
    // a line break and a `::error` (a CI command), ANSI escapes (ESC [ ... m, clear screen), a
    // bidi override, a lone CR, U+2028 and a C1 control.
    const NS = 'evil\n::error file=x::forged';
    const WEB = 'web\u001b[31mred\u001b[2J';
    const DB = 'db\u202egnp.\r::warning::cr';
    const POLICY = 'deny\u2028::error::ls\u0085x';
    const BAD = 'bad\u001b[0m\u2066';
    const yaml = (ip2: string, allow: boolean): string =>
      [
        `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${JSON.stringify(NS)}\n  labels: {team: "a\\nb"}`,
        `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${JSON.stringify(WEB)}\n  namespace: ${JSON.stringify(NS)}\n  labels: {app: web, note: "\\u001b]8;;http://x\\u0007"}\nspec: {containers: [{name: c, image: x}]}\nstatus: {podIP: 10.0.0.1}`,
        `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${JSON.stringify(DB)}\n  namespace: ${JSON.stringify(NS)}\n  labels: {app: db}\nspec: {containers: [{name: c, image: x, ports: [{containerPort: 5432}]}]}\nstatus: {podIP: ${ip2}}`,
        `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${JSON.stringify(POLICY)}\n  namespace: ${JSON.stringify(NS)}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  policyTypes: [Ingress]\n` +
          `  ingress: [{from: [{podSelector: {matchLabels: {app: ${allow ? 'web' : 'other'}}}}]}]\n`,
        // Invalid (a label value with a line break): ignored with --ignore-invalid, listed with its problem.
        `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${JSON.stringify(BAD)}\n  namespace: ${JSON.stringify(NS)}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  policyTypes: [Ingress]\n` +
          `  ingress: [{from: [{podSelector: {matchLabels: {app: "x\\n::error::sel"}}}]}]\n`,
      ].join('\n---\n') + '\n';
    const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

    async function cli(argv: string[]): Promise<{ code: number; lines: string[]; err: string[] }> {
      let out = '';
      const err: string[] = [];
      const code = await run(argv, { out: async (t) => void (out += t), err: (t) => void err.push(t) });
      return { code, lines: out.replace(/\n$/, '').split('\n'), err };
    }

    function assertOneLineEach(lines: readonly string[], what: string): void {
      for (const line of lines) {
        assert.doesNotMatch(line, CONTROLS, `${what}: ${JSON.stringify(line)}`);
        assert.ok(!line.trimStart().startsWith('::'), `${what}: a line starts with :: ${JSON.stringify(line)}`);
      }
    }

    const esc = (s: string): string => s.replace(new RegExp(CONTROLS.source, 'g'), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

    it('reach: every name, label and policy line is escaped, and the line count is what a plain run prints', async () => {
      const file = path.join(dir, 'evil.yaml');
      writeFileSync(file, yaml('10.0.0.2', false));
      const r = await cli(['reach', file, '--from', `${NS}/${WEB}`, '--to', `${NS}/${DB}`, '--port', '5432', '--ignore-invalid']);
      assert.equal(r.code, 1, r.err.join('\n'));
      assertOneLineEach(r.lines, 'reach');
      assert.equal(r.lines[0], `DENIED  ${esc(`${NS}/${WEB}`)} → ${esc(`${NS}/${DB}`)} on 5432/TCP`);
      assert.ok(r.lines.some((l) => l.includes(`✗ ${esc(`${NS}/${POLICY}`)} (${file}:`)), r.lines.join('\n'));
      assert.ok(r.lines.some((l) => l.startsWith(`  ! ${esc(`${NS}/${BAD}`)}`) && l.includes('x\\n::error::sel')), r.lines.join('\n'));
      // The same connection with plain names prints as many lines: nothing was split.
      const plain = path.join(dir, 'plain', 'plain.yaml');
      mkdirSync(path.dirname(plain));
      writeFileSync(plain, yaml('10.0.0.2', false).split(JSON.stringify(NS)).join('evil').split(JSON.stringify(WEB)).join('web').split(JSON.stringify(DB)).join('db').split(JSON.stringify(POLICY)).join('deny').split(JSON.stringify(BAD)).join('bad'));
      const p = await cli(['reach', plain, '--from', 'evil/web', '--to', 'evil/db', '--port', '5432', '--ignore-invalid']);
      assert.equal(p.code, 1, p.err.join('\n'));
      assert.equal(r.lines.length, p.lines.length, `hostile:\n${r.lines.join('\n')}\nplain:\n${p.lines.join('\n')}`);
      // --json stays JSON: the names come back exactly as the manifests spell them.
      const j = await cli(['reach', file, '--from', `${NS}/${WEB}`, '--to', `${NS}/${DB}`, '--port', '5432', '--ignore-invalid', '--json']);
      const doc = JSON.parse(j.lines.join('\n')) as { from: string; to: string };
      assert.deepEqual([doc.from, doc.to], [`${NS}/${WEB}`, `${NS}/${DB}`]);
    });

    it('matrix: the table escapes names before measuring them, one row per pod', async () => {
      const file = path.join(dir, 'evil.yaml');
      writeFileSync(file, yaml('10.0.0.2', true));
      const r = await cli(['matrix', file, '--port', '5432/TCP', '--ignore-invalid']);
      assert.equal(r.code, 0, r.err.join('\n'));
      assertOneLineEach(r.lines, 'matrix');
      assert.equal(r.lines.length, 2 + 2, r.lines.join('\n')); // title, header, one row per pod
      assert.ok(r.lines.some((l) => l.includes(esc(`${NS}/${WEB}`).slice(0, 40))), r.lines.join('\n'));
    });

    it('diff: opened and closed paths and pods on one side only are escaped', async () => {
      const before = path.join(dir, 'before.yaml');
      const after = path.join(dir, 'after', 'after.yaml');
      mkdirSync(path.dirname(after));
      writeFileSync(before, yaml('10.0.0.2', false));
      writeFileSync(after, yaml('10.0.0.2', true) + `---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: "new\\n::error::pod"\n  namespace: ${JSON.stringify(NS)}\nspec: {containers: [{name: c, image: x}]}\nstatus: {podIP: 10.0.0.9}\n`);
      const r = await cli(['diff', before, after, '--port', '5432/TCP', '--ignore-invalid']);
      assert.ok(r.code === 0 || r.code === 1, r.err.join('\n'));
      assertOneLineEach(r.lines, 'diff');
      assert.ok(r.lines.some((l) => l.startsWith('+ ') && l.includes(esc(`${NS}/${WEB}`))), r.lines.join('\n'));
      assert.ok(r.lines.some((l) => l.startsWith('Only after (1): ') && l.includes(esc(`${NS}/new\n::error::pod`))), r.lines.join('\n'));
    });
  });

  it('netlens lint on the whole hostile corpus: exit 1, every problem reported, one line per finding, in time', async function () {
    this.timeout(20_000);
    let out = '';
    const err: string[] = [];
    const t = Date.now();
    const code = await run(['lint', HOSTILE, '--format', 'json'], { out: async (s) => void (out += s), err: (s) => void err.push(s) });
    assert.ok(Date.now() - t < 5000);
    assert.equal(code, 1, err.join('\n'));
    assert.deepEqual(err, []);
    const diagnostics = (JSON.parse(out) as { diagnostics: Array<{ file: string; code: string }> }).diagnostics;
    const byFile = new Map<string, string[]>();
    for (const d of diagnostics) byFile.set(path.basename(d.file), [...(byFile.get(path.basename(d.file)) ?? []), d.code]);
    assert.deepEqual(byFile.get('billion-laughs.yaml'), ['yaml-alias-limit', 'yaml-alias-limit']);
    assert.deepEqual(byFile.get('helm-template.yaml'), ['helm-template']);
    assert.deepEqual(byFile.get('tabs.yaml'), ['yaml-tab-indent']);
    assert.equal(byFile.get('wrong-types.yaml')?.filter((c) => c === 'wrong-type').length, 10);
    assert.equal(byFile.get('duplicate-keys.yaml')?.filter((c) => c === 'duplicate-key').length, 4);
    assert.equal(byFile.get('empty.yaml'), undefined);
    let text = '';
    assert.equal(await run(['lint', HOSTILE], { out: async (s) => void (text += s), err: () => undefined }), 1);
    const lines = text.trimEnd().split('\n');
    assert.match(lines.at(-1)!, /^\d+ files: \d+ errors, \d+ warnings/);
  });
});
