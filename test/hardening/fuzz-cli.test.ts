/**
 * Fuzzing the CLI's argument handling through `run(argv, io)`: random argv arrays built from
 * the real commands and flags, option-like values (`-e`, `--output`, `-oProxyCommand=…`), `--`,
 * `=`, empty strings, whitespace, control characters and unicode, real and missing paths.
 *
 * Whatever the argv, `run` resolves (never throws, never rejects), the exit status is 0, 1 or 2,
 * a failure is exactly one `netlens: …` line on stderr (warnings aside) and nothing on stdout,
 * no stack trace or internal error ever shows, and each run finishes.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import fc from 'fast-check';
import { run } from '../../src/cli/main';
import { budgetFactor, params, Slowest } from './budget';

const SEED = path.join(__dirname, '../fixtures/manifests/seed-incident');
const BAD = path.join(__dirname, '../fixtures/manifests/bad');
const DEMO = path.join(__dirname, '../../demo/workspace');

const COMMANDS = ['reach', 'matrix', 'lint', 'diff', 'help', '--help', '-h', '--version', '', 'REACH', 'reach ', 'réach', '--', '-', '-x', 'lint=1'];
const FLAGS = [
  '--from', '--to', '--port', '--protocol', '--json', '--summary', '--ignore-invalid', '--format', '--rule', '--broad-prefix-v4', '--broad-prefix-v6',
  '--kubeconfig', '--context', '--namespace', '--before', '--after', '--fail-on-open', '--help', '-h', '--', '--bogus', '-', '--=', '--from=', '--port=', '--json=1', '--help=x', '---', '-e',
];
const VALUES = [
  'production/postgres-0', 'production/web-api-7d9f8b6c5d-x2k4q', 'postgres-0', '10.244.1.45', '203.0.113.9', '::1', '5432', 'postgresql', '5432/TCP', '53/UDP',
  '0', '65536', '99999999999999999999', '-1', '1e3', 'TCP', 'udp', 'ICMP', 'text', 'json', 'sarif', 'xml', 'cidr-too-broad=error', 'nosuch=off', '24', '129',
  '-e', '--output', '-oProxyCommand=touch /tmp/pwned', '--', '-', '', ' ', '\n', '\t', '\0', 'a\nb', '💥', 'é', '\u202e', '$(id)', '`id`', '; rm -rf /', '| cat',
  '&& true', '../../../../etc/passwd', 'x'.repeat(5000), '%s%s%n', '{{ .Values }}', SEED, BAD, DEMO, path.join(SEED, 'pods.yaml'), '/nonexistent/netlens/x.yaml',
];

const token = fc.oneof(
  { arbitrary: fc.constantFrom(...FLAGS), weight: 4 },
  { arbitrary: fc.constantFrom(...VALUES), weight: 4 },
  { arbitrary: fc.tuple(fc.constantFrom(...FLAGS.filter((f) => f.startsWith('--') && !f.includes('='))), fc.constantFrom(...VALUES)).map(([f, v]) => `${f}=${v}`), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 1 },
);

/** `-` reads standard input, which a test must not wait on: it is checked separately with a stream. */
const argvArb = fc
  .tuple(fc.oneof({ arbitrary: fc.constantFrom(...COMMANDS), weight: 5 }, { arbitrary: fc.string({ maxLength: 8 }), weight: 1 }), fc.array(token, { maxLength: 12 }))
  .map(([c, rest]) => [c, ...rest])
  .filter((argv) => !argv.slice(1).includes('-') || argv.indexOf('--help') >= 0);

/** Nearly valid command lines, so the fuzzing also reaches loading, evaluation and output. */
const pick = (xs: readonly string[]): fc.Arbitrary<string> => fc.oneof({ arbitrary: fc.constantFrom(...xs), weight: 4 }, { arbitrary: fc.constantFrom(...VALUES), weight: 1 });
const PODS = ['production/postgres-0', 'production/web-api-7d9f8b6c5d-x2k4q', 'postgres-0', '10.244.1.45', '10.244.2.17', '203.0.113.9', 'production/nope', '::1'];
const PATHS = [SEED, DEMO, path.join(SEED, 'pods.yaml'), BAD];
const flagPairs = (pairs: ReadonlyArray<[string, fc.Arbitrary<string>]>): fc.Arbitrary<string[]> =>
  fc.tuple(...pairs.map(([f, v]) => fc.option(v.map((x) => [f, x]), { nil: undefined }))).map((xs) => xs.flatMap((x) => x ?? []));
const structured = fc.oneof(
  fc
    .tuple(pick(PATHS), flagPairs([['--from', pick(PODS)], ['--to', pick(PODS)], ['--port', pick(['5432', 'postgresql', 'http', '8080', '53'])], ['--protocol', pick(['TCP', 'udp', 'SCTP'])]]), fc.subarray(['--json', '--ignore-invalid']))
    .map(([p, flags, bools]) => ['reach', p, ...flags, ...bools]),
  fc.tuple(fc.array(pick(PATHS), { minLength: 1, maxLength: 2 }), fc.array(pick(['5432/TCP', '53/UDP', '8080', '1/SCTP']), { maxLength: 2 }), fc.subarray(['--json', '--summary', '--ignore-invalid']))
    .map(([ps, ports, bools]) => ['matrix', ...ps, ...ports.flatMap((x) => ['--port', x]), ...bools]),
  fc.tuple(fc.array(pick(PATHS), { minLength: 1, maxLength: 2 }), flagPairs([['--format', pick(['text', 'json', 'sarif'])], ['--rule', pick(['cidr-too-broad=error', 'selector-matches-nothing=off'])], ['--broad-prefix-v4', pick(['8', '24', '33'])]]))
    .map(([ps, flags]) => ['lint', ...ps, ...flags]),
  fc.tuple(pick(PATHS), pick(PATHS), fc.subarray(['--json', '--fail-on-open', '--ignore-invalid'])).map(([a, b, bools]) => ['diff', a, b, ...bools]),
);

function capture(): { io: { out: (t: string) => Promise<void>; err: (t: string) => void }; out: () => string; err: () => string[] } {
  let out = '';
  const err: string[] = [];
  return {
    io: {
      out: async (t) => {
        out += t;
      },
      err: (t) => void err.push(t),
    },
    out: () => out,
    err: () => err,
  };
}

describe('hardening: CLI argument fuzzing', () => {
  let saved: Record<string, string | undefined>;
  before(() => {
    // A live-cluster flag must not find the developer's real kubeconfig.
    saved = { KUBECONFIG: process.env.KUBECONFIG, KUBERNETES_SERVICE_HOST: process.env.KUBERNETES_SERVICE_HOST };
    process.env.KUBECONFIG = '/nonexistent/netlens-fuzz/kubeconfig';
    delete process.env.KUBERNETES_SERVICE_HOST;
  });
  after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('run() never throws; exit 0, 1 or 2; an error is one line on stderr, no stack, nothing on stdout', async function () {
    this.timeout(60_000 * budgetFactor());
    const slow = new Slowest('cli run');
    const codes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(argvArb, structured), async (argv) => {
        // A slow input is run twice (see Slowest): each run gets fresh streams.
        let c = capture();
        const what = (): string => JSON.stringify(argv).slice(0, 400);
        const code = await slow.measureAsync(() => {
          c = capture();
          return run(argv, c.io);
        }, what);
        codes.set(code, (codes.get(code) ?? 0) + 1);
        assert.ok(code === 0 || code === 1 || code === 2, `exit ${code} for ${what()}`);
        const lines = c.err().flatMap((l) => l.split('\n'));
        for (const line of lines) {
          assert.match(line, /^netlens: /, `stderr line without the prefix for ${what()}: ${JSON.stringify(line.slice(0, 200))}`);
          assert.doesNotMatch(line, /^\s+at |internal error|TypeError|RangeError|ReferenceError|\bat .*\.ts:\d+/, `${what()}: ${line.slice(0, 300)}`);
        }
        const errors = lines.filter((l) => !l.startsWith('netlens: warning: '));
        if (code === 2) {
          assert.equal(errors.length, 1, `one error line for ${what()}: ${JSON.stringify(lines).slice(0, 600)}`);
          assert.equal(c.out(), '', `nothing on stdout when failing: ${what()}`);
          // It may quote the arguments (a long path comes back whole), nothing more.
          const quoted = argv.reduce((n, a) => n + a.length * 6, 0);
          assert.ok(errors[0]!.length < 2000 + quoted, `a readable error line (${errors[0]!.length} characters)`);
        } else {
          assert.equal(errors.length, 0, `no error line on exit ${code}: ${what()} ${JSON.stringify(errors)}`);
          assert.notEqual(c.out(), '', `output on exit ${code}: ${what()}`);
        }
      }),
      params(1),
    );
    slow.report();
    if (process.env.NETLENS_FUZZ_REPORT) console.log(`      [exit codes] ${JSON.stringify(Object.fromEntries(codes))}`);
    assert.ok((codes.get(2) ?? 0) > 0 && (codes.get(0) ?? 0) > 0, 'usage errors and successes were reached');
  });

  it('options after -- are paths, and option-like values are taken as values, never as options', async () => {
    // A path that looks like an option, after --: read as a (missing) path, not parsed as a flag.
    const c = capture();
    assert.equal(await run(['lint', '--', '--format=sarif', '-e'], c.io), 2);
    assert.deepEqual(c.err(), ['netlens: --format=sarif: no such file or directory; -e: no such file or directory']);
    // A value that looks like an option is the flag's value (and is then rejected as a value).
    const v = capture();
    assert.equal(await run(['matrix', SEED, '--port', '--json'], v.io), 2);
    assert.deepEqual(v.err(), ['netlens: --port --json: write a number with an optional protocol, such as 5432/TCP (see "netlens matrix --help")']);
    const e = capture();
    assert.equal(await run(['reach', SEED, '--from', '-oProxyCommand=x', '--to', 'production/postgres-0', '--port', '5432'], e.io), 2);
    assert.deepEqual(e.err(), ['netlens: --from -oProxyCommand=x: no pod named -oProxyCommand=x; write namespace/name or an IP address']);
  });

  it('control characters and line breaks in arguments never split the error line', async () => {
    for (const bad of ['a\nb', 'x\r\nnetlens: fake second line', '\u001b[31mred', '\u202eevil']) {
      const c = capture();
      assert.equal(await run(['reach', SEED, '--from', bad, '--to', 'production/postgres-0', '--port', '5432'], c.io), 2);
      assert.equal(c.err().length, 1);
      assert.equal(c.err()[0]!.split('\n').length, 1, `one line for ${JSON.stringify(bad)}: ${JSON.stringify(c.err())}`);
    }
  });
});
