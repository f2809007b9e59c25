/**
 * Fuzzing the manifest loader: random text, random damage to every real manifest of the
 * repository (fixtures and the demo workspace), and every wrong type at every path of a
 * NetworkPolicy. Whatever comes in, the loader returns findings (never throws, never hits its
 * internal-error guard), finishes, keeps every range inside the file, and a good file loaded
 * beside the damaged one loads exactly as it does alone.
 *
 * test/manifest/robustness.test.ts covers a first set of mutations on eight fixtures; this file
 * widens it (all manifests, whole-file encodings, deep nesting, aliases, huge scalars) and
 * checks the fast readers against the `yaml` package on the damaged texts as well
 * (test/manifest/differential.test.ts does that for printed random documents).
 */
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { loadManifests, parseManifestText } from '../../src/core/manifest/load';
import type { ParsedFile } from '../../src/core/manifest/load';
import { decodeContent, LineIndex } from '../../src/core/manifest/text';
import type { Finding, NetworkPolicy } from '../../src/core/model';
import { dumpWith } from '../manifest/support';
import { budgetFactor, params, Slowest } from './budget';

const ROOT = path.join(__dirname, '..', '..');

function manifestFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...manifestFiles(full));
    else if (/\.(ya?ml|json)$/.test(name)) out.push(full);
  }
  return out;
}

/** Every manifest of the repository's fixtures and demo workspace. */
const SOURCES = [...manifestFiles(path.join(ROOT, 'test/fixtures/manifests')), ...manifestFiles(path.join(ROOT, 'demo/workspace'))].map((f) => ({
  name: path.relative(ROOT, f),
  bytes: readFileSync(f),
}));

const GOOD_FILE = { file: 'good.yaml', content: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: still-loads\n  labels:\n    team: a\n' };
const GOOD_ALONE = loadManifests([GOOD_FILE]);

/** The loader's invariants on one input; returns the result for further checks. */
function checkInvariants(file: string, content: string | Uint8Array, slow: Slowest): ParsedFile {
  const r = slow.measure(
    () => parseManifestText(file, content),
    () => `${file}: ${JSON.stringify(typeof content === 'string' ? content.slice(0, 200) : Buffer.from(content).subarray(0, 200).toString('latin1'))}`,
  );
  const decoded = decodeContent(content, Number.MAX_SAFE_INTEGER);
  const lineCount = LineIndex.of(decoded.text).lineCount;
  assert.deepEqual(r.findings.filter((f) => f.code === 'internal-error'), []);
  for (const f of r.findings) checkFinding(f, file, lineCount);
  for (const { object } of r.objects) {
    const src = object.source;
    assert.ok(src, 'every loaded object keeps its source');
    assert.ok(src.range.start.line <= src.range.end.line && src.range.end.line < lineCount, `${object.kind} ${object.name}: source within the file`);
    assert.deepEqual(src.at('')?.value, src.range);
    if (object.kind === 'NetworkPolicy' && object.invalid) assert.ok(object.invalid.length > 0 && object.invalid.every((m) => m.length > 0));
  }
  return r;
}

function checkFinding(f: Finding, file: string, lineCount: number): void {
  assert.equal(f.file, file);
  assert.match(f.code, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  assert.ok(['error', 'warning', 'info', 'hint'].includes(f.severity), f.severity);
  const { start, end } = f.range;
  assert.ok(start.line >= 0 && start.character >= 0 && end.character >= 0, `${f.code}: non-negative range`);
  assert.ok(start.line < end.line || (start.line === end.line && start.character <= end.character), `${f.code}: range ordered`);
  assert.ok(end.line < lineCount, `${f.code}: range within the file (${end.line} < ${lineCount})`);
  assert.ok(f.message.length > 10 && f.message.length < 2000, `${f.code}: a message of sensible length`);
  assert.doesNotMatch(f.message, /\n\s+at /, 'no stack trace in a message');
  // One line: the CLI prints one finding per line, and CI logs read lines as commands (`::error ...`).
  const br = /[\r\n\u2028\u2029]/.exec(f.message);
  assert.equal(br, null, `${f.code}: one line, but U+${br?.[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${br?.index}: ${JSON.stringify(f.message)}`);
}

/** The damaged file beside a good one: the good one loads exactly as it does alone. */
function checkNeighbour(file: string, content: string | Uint8Array): void {
  const both = loadManifests([{ file, content }, GOOD_FILE]);
  const ns = both.snapshot.namespaces.find((n) => n.name === 'still-loads');
  assert.ok(ns, 'the good file still loads');
  assert.deepEqual(ns.labels, GOOD_ALONE.snapshot.namespaces[0]!.labels);
  assert.deepEqual(both.findings.filter((f) => f.file === GOOD_FILE.file), GOOD_ALONE.findings);
}

/**
 * Whenever the fast reader accepts a text, the `yaml` package must build the same tree. The text
 * is prepared as parseManifestText prepares it (a lone CR becomes LF) before either reader sees it.
 */
function checkDifferential(raw: string): boolean {
  const text = raw.replace(/\r(?!\n)/g, '\n');
  if (text.includes('{{')) return false;
  const fast = dumpWith('fast', text);
  if (!fast) return false;
  const careful = dumpWith('careful', text);
  // A JSON stream of several values is only read by the fast path.
  if (!careful) return false;
  assert.deepEqual(fast, careful, `fast and careful readers disagree on ${JSON.stringify(text.slice(0, 300))}`);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Mutations

type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete-line' | 'duplicate-line' | 'tab-indent' | 'indent-more' | 'indent-less'; line: number }
  | { kind: 'deep'; line: number; depth: number; style: 'flow-seq' | 'flow-map' | 'block' | 'json' }
  | { kind: 'huge-scalar'; line: number; size: number }
  | { kind: 'long-token'; at: number; prefix: string; size: number }
  | { kind: 'anchor-alias'; line: number; count: number }
  | { kind: 'bom' | 'crlf' | 'cr' | 'utf16le' | 'utf16be' | 'latin1' };

const SNIPPETS = [
  '{{', '}}', '{{ .Values.x }}', '{{- if .Values.enabled }}', '\t', '\n\t', ': ', '- ', '&a ', '*a', '<<: *a\n', '[', ']', '{', '}', '"', "'",
  '|\n', '>-\n', '---\n', '...\n', '%YAML 1.1\n', '? ', '!!str ', '!!binary ', '!Ref ', '\r', '\u00e9', '\0', '#', '\ufeff', '\u2028', '\u0085',
  'null', '~', '0x1F', '1e400', '-.inf', 'yes', '2024-13-45', '::', '"\\u12"', "'''", '\\', 'key: [1, {a: ', '}]', '{"a":', ',',
  '"a\\nb": 1\n', '"x\\n::error::forged": 1\n', '"k\\r\\n": v\n', '"line\\u2028sep": 1\n', '"\\u001b[31m": 1\n',
];

/** Starts of long tokens, so that no message echoes a huge name, tag, key or value back. */
const LONG_TOKEN_PREFIXES = [
  '&', '*', '!', '!!', '!<tag:', 'kind: ', 'kind: K', 'apiVersion: ', '%TAG !e! tag:', '%YAML ', 'name: ', 'namespace: ', '"', "'", '? ', '<<: *', 'k',
  'port: ', 'port: 1', 'cidr: ', 'app: ', '- ', '"key', 'endPort: ', 'protocol: ',
];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...SNIPPETS) }), weight: 4 },
  {
    arbitrary: fc.record({
      kind: fc.constantFrom('delete-line' as const, 'duplicate-line' as const, 'tab-indent' as const, 'indent-more' as const, 'indent-less' as const),
      line: fc.nat(),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('deep' as const),
      line: fc.nat(),
      depth: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.constant(2000)),
      style: fc.constantFrom('flow-seq' as const, 'flow-map' as const, 'json' as const),
    }),
    weight: 1,
  },
  // Block nesting costs its indentation: 2,000 levels are 4 MB of spaces (hostile.test.ts has that case).
  { arbitrary: fc.record({ kind: fc.constant('deep' as const), line: fc.nat(), depth: fc.integer({ min: 1, max: 300 }), style: fc.constant('block' as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('huge-scalar' as const), line: fc.nat(), size: fc.constantFrom(20_000, 70_000) }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('long-token' as const),
      at: fc.nat(),
      prefix: fc.constantFrom(...LONG_TOKEN_PREFIXES),
      size: fc.constantFrom(100, 5000, 30_000),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('anchor-alias' as const), line: fc.nat(), count: fc.integer({ min: 1, max: 200 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constantFrom('bom' as const, 'crlf' as const, 'cr' as const, 'utf16le' as const, 'utf16be' as const, 'latin1' as const) }), weight: 2 },
);

function splitLines(b: Buffer): string[] {
  return b.toString('latin1').split('\n');
}

function joinLines(lines: string[]): Buffer {
  return Buffer.from(lines.join('\n'), 'latin1');
}

/** Applies one mutation to bytes (lines are handled as latin1 so bytes survive untouched). */
function applyMutation(b: Buffer, m: Mutation): Buffer {
  switch (m.kind) {
    case 'flip': {
      if (b.length === 0) return b;
      const c = Buffer.from(b);
      c[m.at % c.length] = m.byte;
      return c;
    }
    case 'truncate':
      return b.length === 0 ? b : b.subarray(0, m.at % b.length);
    case 'insert': {
      const at = m.at % (b.length + 1);
      return Buffer.concat([b.subarray(0, at), Buffer.from(m.text, 'utf8'), b.subarray(at)]);
    }
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]);
    case 'crlf':
      return Buffer.from(b.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
    case 'cr':
      return Buffer.from(b.toString('latin1').replace(/\r?\n/g, '\r'), 'latin1');
    case 'utf16le':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(b.toString('utf8'), 'utf16le')]);
    case 'utf16be': {
      const le = Buffer.from(b.toString('utf8'), 'utf16le');
      for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
      return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
    }
    case 'latin1':
      return Buffer.from(b.toString('utf8').replace(/[^\x00-\x7f]/g, '\u00e9'), 'latin1');
    case 'long-token': {
      const at = m.at % (b.length + 1);
      return Buffer.concat([b.subarray(0, at), Buffer.from(m.prefix + 'z9'.repeat(m.size / 2), 'utf8'), b.subarray(at)]);
    }
    default:
      break;
  }
  const lines = splitLines(b);
  const i = m.line % lines.length;
  const line = lines[i]!;
  const indent = /^ */.exec(line)![0];
  switch (m.kind) {
    case 'delete-line':
      lines.splice(i, 1);
      break;
    case 'duplicate-line':
      lines.splice(i, 0, line);
      break;
    case 'tab-indent':
      lines[i] = line.replace(/^ {1,2}/, '\t');
      break;
    case 'indent-more':
      lines[i] = ` ${line}`;
      break;
    case 'indent-less':
      lines[i] = line.replace(/^ /, '');
      break;
    case 'deep': {
      const d = m.depth;
      const nest =
        m.style === 'flow-seq'
          ? `${indent}deep: ${'['.repeat(d)}${']'.repeat(d)}`
          : m.style === 'flow-map'
            ? `${indent}deep: ${'{a: '.repeat(d)}1${'}'.repeat(d)}`
            : m.style === 'json'
              ? `${indent}deep: ${'{"a":'.repeat(d)}1${'}'.repeat(d)}`
              : Array.from({ length: d }, (_, k) => `${indent}${' '.repeat(2 * k)}deep${k}:`).join('\n') + ' x';
      lines.splice(i, 0, nest);
      break;
    }
    case 'huge-scalar':
      lines.splice(i, 0, `${indent}huge: ${'x'.repeat(m.size)}`, `${indent}huge-quoted: "${'y'.repeat(m.size)}"`);
      break;
    case 'anchor-alias': {
      // Turn this line's value into an anchor and refer to it many times below.
      const kv = /^( *)([^:#\s][^:#]*): (\S.*)$/.exec(line);
      if (kv) {
        lines[i] = `${kv[1]}${kv[2]}: &anchor ${kv[3]}`;
        lines.splice(i + 1, 0, ...Array.from({ length: m.count }, (_, k) => `${kv[1]}alias${k}: *anchor`));
      } else lines.splice(i, 0, `${indent}a: &a [1, 2]`, `${indent}b: [${Array(m.count).fill('*a').join(', ')}]`);
      break;
    }
  }
  return joinLines(lines);
}

function describeMutations(ms: Mutation[]): string {
  return ms.map((m) => JSON.stringify(m)).join(' ');
}

// ---------------------------------------------------------------------------------------------
// Random text

const TOKENS = [
  'apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'kind: Pod', 'kind: List', 'metadata:', 'name: x', 'namespace: ns', 'spec:', 'podSelector:',
  'matchLabels:', 'app: web', 'ingress:', 'egress:', '- from:', '- to:', '- ipBlock:', 'cidr: 10.0.0.0/8', 'except:', 'ports:', '- port: 80', 'protocol: TCP',
  'items:', '- ', '-', ': ', ':', '? ', '[', ']', '{', '}', ',', '"', "'", '&a', '*a', '<<:', '!!map', '!tag', '|', '>', '|-', '|+', '---', '...', '%YAML 1.2',
  '#', '{{', '}}', '\t', '\r\n', '\r', '\n', '\n  ', '\n    ', '\n- ', ' ', '\u00e9', '\ufeff', '\0', 'null', '~', 'true', 'yes', '0o17', '1_000', '.nan',
];
const randomText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.string({ unit: fc.constantFrom(...'abc:-[]{},"\'&*!|>#\n\t \r?%@`'.split('')), maxLength: 200 }),
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }).map((t) => t.join('')),
  fc.array(fc.tuple(fc.integer({ min: 0, max: 8 }), fc.constantFrom(...TOKENS)), { maxLength: 40 }).map((l) => l.map(([i, t]) => ' '.repeat(i) + t).join('\n')),
);

// ---------------------------------------------------------------------------------------------
// Wrong types at every path

/** A NetworkPolicy using every field the loader reads. */
const RICH_POLICY = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'rich', namespace: 'shop', labels: { team: 'a' }, annotations: { note: 'x' } },
  spec: {
    podSelector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [
      {
        from: [
          { podSelector: { matchLabels: { app: 'api' } }, namespaceSelector: { matchLabels: { team: 'a' } } },
          { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } },
        ],
        ports: [
          { protocol: 'TCP', port: 80, endPort: 90 },
          { port: 'http' },
        ],
      },
    ],
    egress: [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'UDP', port: 53 }] }],
  },
};

type Path = Array<string | number>;

function allPaths(v: unknown, p: Path = []): Path[] {
  const out: Path[] = p.length ? [p] : [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...allPaths(x, [...p, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...allPaths(x, [...p, k]));
  return out;
}

function getAt(o: unknown, p: Path): unknown {
  return p.reduce<unknown>((x, k) => (x as Record<string | number, unknown>)[k], o);
}

function setAt(o: unknown, p: Path, value: unknown): unknown {
  const copy = structuredClone(o) as Record<string | number, unknown>;
  let x = copy;
  for (const k of p.slice(0, -1)) x = x[k] as Record<string | number, unknown>;
  x[p[p.length - 1]!] = value;
  return copy;
}

function category(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? 'map' : typeof v;
}

const REPLACEMENTS: ReadonlyArray<[string, unknown]> = [
  ['number', 42],
  ['list', [1]],
  ['map', { a: 1 }],
  ['null', null],
  ['string', 'x'],
  ['boolean', true],
];

/** Paths where another type is legal: IntOrString ports. */
function acceptsAlso(p: Path, cat: string): boolean {
  return p[p.length - 1] === 'port' && (cat === 'string' || cat === 'number');
}

const AFTER = '---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: after\n';

describe('hardening: manifest loader fuzzing', () => {
  it(`has real manifests to mutate (${SOURCES.length} files)`, () => {
    assert.ok(SOURCES.length >= 20, `only ${SOURCES.length} manifests found`);
  });

  it('random text: findings only, in time, with ranges inside the file', function () {
    this.timeout(30_000 * budgetFactor());
    const slow = new Slowest('random text');
    fc.assert(
      fc.property(randomText, fc.boolean(), (text, asBytes) => {
        const content = asBytes ? Buffer.from(text, 'utf8') : text;
        checkInvariants('random.yaml', content, slow);
        if (!asBytes) checkDifferential(text);
      }),
      params(1),
    );
    slow.report();
  });

  it('random damage to every real manifest: findings only, in time, the neighbour file unaffected, fast == careful', function () {
    this.timeout(60_000 * budgetFactor());
    const slow = new Slowest('mutated manifests');
    let compared = 0;
    fc.assert(
      fc.property(fc.constantFrom(...SOURCES), fc.array(mutation, { minLength: 1, maxLength: 4 }), (source, mutations) => {
        const bytes = mutations.reduce(applyMutation, source.bytes);
        const what = `${source.name} ${describeMutations(mutations)}`;
        try {
          checkInvariants(source.name, bytes, slow);
          checkNeighbour(source.name, bytes);
          const text = decodeContent(bytes, Number.MAX_SAFE_INTEGER);
          if (!text.problem && checkDifferential(text.text)) compared++;
        } catch (e) {
          throw new Error(`${what}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }),
      params(1),
    );
    slow.report();
    assert.ok(compared > 0, 'some damaged texts still took the fast path and were compared');
  });

  it('wrong types at every path of a NetworkPolicy, in block YAML, flow YAML and JSON: a finding at the value, the policy invalid, the next document loads', function () {
    this.timeout(60_000);
    const slow = new Slowest('wrong types');
    let cases = 0;
    for (const p of allPaths(RICH_POLICY)) {
      const original = getAt(RICH_POLICY, p);
      for (const [cat, replacement] of REPLACEMENTS) {
        const doc = setAt(RICH_POLICY, p, replacement);
        const texts = {
          block: stringify(doc) + AFTER,
          flow: stringify(doc, { collectionStyle: 'flow' }) + AFTER,
          json: JSON.stringify(doc, null, 2),
        };
        for (const [style, text] of Object.entries(texts)) {
          cases++;
          const where = `${p.join('.')} = ${JSON.stringify(replacement)} (${style})`;
          const r = checkInvariants('p.yaml', text, slow);
          if (style !== 'json') assert.ok(r.objects.some((o) => o.object.kind === 'Namespace' && o.object.name === 'after'), `${where}: the next document loads`);
          const policy = r.objects.find((o) => o.object.kind === 'NetworkPolicy')?.object as NetworkPolicy | undefined;
          const errors = r.findings.filter((f) => f.severity === 'error');
          // A policy with an error the API server would reject is never counted.
          if (policy && errors.length) assert.ok(policy.invalid?.length, `${where}: errors ${errors.map((f) => f.code).join(',')} but the policy is not invalid`);
          const changed = cat !== 'null' && cat !== category(original) && !acceptsAlso(p, cat);
          if (!changed) continue;
          // Something is said about it: the policy dropped or invalid, with a finding.
          assert.ok(r.findings.length > 0, `${where}: no finding`);
          assert.ok(!policy || policy.invalid?.length, `${where}: a value of the wrong type, and the policy still counts`);
          if (policy) {
            // The finding points at the value (or its key), not somewhere else.
            const at = policy.source!.at(p.join('.'));
            assert.ok(at, `${where}: the source map resolves the path`);
            const lines = new Set([at.value.start.line, at.key?.start.line]);
            assert.ok(errors.some((f) => lines.has(f.range.start.line)), `${where}: no error on line ${at.value.start.line}: ${errors.map((f) => `${f.code}@${f.range.start.line}`).join(' ')}`);
          }
        }
      }
    }
    slow.report();
    assert.ok(cases > 500, `${cases} cases`);
  });
});
