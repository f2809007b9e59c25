/**
 * The fast readers (JSON and kubectl-style block YAML) must build exactly the tree the
 * careful `yaml`-package path builds: same nodes, key names, scalar values and ranges.
 * Random documents are printed by the yaml package in many styles (and as JSON), read both
 * ways, and compared whenever the fast reader accepts the text.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { dumpWith, fixtureText } from './support';

const TRICKY_KEYS = [
  'app', 'app.kubernetes.io/name', 'on', 'yes', 'n', '1', '0x10', 'key with spaces', 'a:b', 'a#b', 'null', '~', '-dash',
  'true', '2024-01-01', 'x'.repeat(90), 'émoji-🙂', "it's", 'say "hi"', '', ' lead', '<<x',
];
const TRICKY_STRINGS = [
  'yes', 'No', 'on', 'OFF', 'y', 'n', 'true', 'null', '~', '', ' ', '0755', '0x1F', '0b101', '1_000', '1:20', '12:30:45', '1e3', '.5',
  '-.inf', '.NaN', '2024-05-01', '2024-05-01T10:00:00Z', '10.0.0.0/8', 'fd00::1/64', '::', 'a: b', 'a #b', '#x', '- x', '-x', '? x',
  '*ref', '&anchor', '!tag', '%YAML', '@at', '`tick`', '{}', '[]', '[a]', '{a: 1}', 'a\nb', 'a\n\nb\n', 'trailing\n\n', '\nleading',
  '  indented\n    more\n', 'tab\there', 'quote "x"', "it's", 'back\\slash', 'é ü 🙂', 'line\r\nbreak', 'x'.repeat(100),
  `${'word '.repeat(30)}end`, '---', '...', 'key: value\nkey2: value2', '|', '>', "'", '"', ':', ',', 'a,b',
];

const key = fc.oneof(fc.constantFrom(...TRICKY_KEYS), fc.string({ maxLength: 12 }));
const scalar = fc.oneof(
  fc.constantFrom<unknown>(...TRICKY_STRINGS),
  fc.string({ maxLength: 30 }),
  fc.integer({ min: -100000, max: 100000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => Math.abs(d) < 1e15),
  fc.boolean(),
  fc.constant(null),
);
const { value } = fc.letrec<{ value: unknown; node: unknown }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('node')),
  node: fc.oneof(
    fc.dictionary(key, tie('value'), { maxKeys: 5 }),
    fc.array(tie('value'), { maxLength: 4 }),
  ),
}));
const doc = fc.oneof(fc.dictionary(key, value, { minKeys: 1, maxKeys: 6 }), fc.array(value, { minLength: 1, maxLength: 4 }));

const style = fc.record({
  indent: fc.constantFrom(2, 4),
  indentSeq: fc.boolean(),
  lineWidth: fc.constantFrom(0, 20, 80),
  minContentWidth: fc.constantFrom(0, 20),
  defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL') as fc.Arbitrary<'PLAIN'>,
  defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_DOUBLE') as fc.Arbitrary<null>,
  doubleQuotedAsJSON: fc.boolean(),
});

function print(docs: unknown[], s: { indent: number } & Record<string, unknown>, json: boolean, crlf: boolean): string {
  const text = json
    ? JSON.stringify(docs[0], null, s.indent)
    : docs.map((d) => stringify(d, { version: '1.1', ...s })).join('---\n');
  return crlf ? text.replace(/\n/g, '\r\n') : text;
}

function same(text: string): boolean {
  // Text with `{{` always goes to the careful path (template detection), never the fast one.
  if (text.includes('{{')) return false;
  const fast = dumpWith('fast', text);
  if (!fast) return false;
  const careful = dumpWith('careful', text);
  assert.ok(careful, 'the careful reader accepts what the fast reader accepts');
  assert.deepEqual(fast, careful);
  return true;
}

describe('manifest: fast readers match the yaml package', () => {
  it('on the realistic fixtures', () => {
    for (const f of ['kubectl/pods-list.yaml', 'kubectl/list.json', 'seed-incident/pods.yaml', 'seed-incident/allow-db-access.yaml', 'gitops/namespace.yaml']) {
      assert.ok(same(fixtureText(f)), `${f} takes the fast path`);
    }
  });

  it('on random documents printed as block YAML and as JSON', function () {
    this.timeout(120000);
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(doc, { minLength: 1, maxLength: 3 }), style, fc.boolean(), fc.boolean(), (docs, s, json, crlf) => {
        if (same(print(docs, s, json, crlf))) accepted++;
      }),
      { numRuns: Number(process.env.DIFF_RUNS ?? 1500) },
    );
    // Most printed documents must take the fast path, or this test proves little.
    if (process.env.DIFF_RUNS) console.log(`fast path taken: ${accepted}`);
    assert.ok(process.env.DIFF_RUNS || accepted > 600, `only ${accepted} of 1500 took the fast path`);
  });

  it('on hand-picked edge cases', () => {
    const cases = [
      'a:\nb: 1\n', 'a: \nb:   # c\nc:\n', '- \n-\n-   # c\n- x\n', 'a: |\n  x\n\n  y\n\nb: 1\n', 'a: |-\n  x\n  \n', 'a: |\n',
      'a: |+\n  x\nb: 1\n', 'a: "x\n  y"\n', "a: 'it''s\n  ok'\n", 'a: "x \\\n  y"\n', 'a: plain\n  continued\n\n  again\nb: 2\n',
      'a:\n- 1\n- 2\nb: 3\n', 'a:\n  - x: 1\n    y: 2\n  - z\n', '- a: 1\n  b:\n  - c\n', '"quoted key": 1\n\'single\': 2\n',
      '# c\n---\na: 1\n', 'a: 1\n---\n', '---\n---\n', '---\na: 1\n--- # c\nb: 2\n', '  a: 1\n  b: 2\n', 'a: {}\nb: []\n',
      'a: x # comment\n', 'a:\n  # comment\n  b: 1\n', 'on: 1\nyes: 2\n1: 3\n', 'a: b\na: c\n', 'a: 2024-01-01\n', 'a: 1:20\n',
      'a: |\n    x\n   \n    y\n', 'x:\n  a: |\n      deep\n    b: 1\n', 'a: "\\u00e9\\t\\x41"\n', 'a:\r\n  b: "x"\r\n', '[1, 2]\n[3]\n',
      '{"a": {"b": [1, 2.5e3, -0, true, null, "x\\n\\u00e9"]}}', '{"a": 1, "a": 2}', '[]', '{}',
    ];
    for (const c of cases) {
      const fast = dumpWith('fast', c);
      if (!fast) continue;
      const careful = dumpWith('careful', c);
      if (!careful) continue; // e.g. a JSON stream, which only the fast path reads
      assert.deepEqual(fast, careful, JSON.stringify(c));
    }
  });
});
