/**
 * Mutation fuzzing of the tool-output parsers: every real capture in
 * test/fixtures/tool-output, damaged (bytes flipped, lines cut, doubled, swapped between stdout
 * and stderr, numbers made huge, text made enormous), goes through its parser and through
 * every other parser. test/probe/totality.test.ts feeds random text; damaged real output
 * reaches the branches that random text cannot.
 *
 * Each parser must return a known outcome, in time, with messages people can read (one line,
 * bounded) and numbers that are numbers (never NaN), whatever the pod printed: tool
 * output comes from the network (DNS answers, HTTP servers) as much as from the tools.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyzeMtu } from '../../src/core/probe/mtu';
import { parseConntrack } from '../../src/core/probe/parse-conntrack';
import { diagnoseCurlTimings, parseCurl } from '../../src/core/probe/parse-curl';
import { parseDig } from '../../src/core/probe/parse-dig';
import { parseNc } from '../../src/core/probe/parse-nc';
import { parsePing } from '../../src/core/probe/parse-ping';
import { ndotsPenalty, parseResolvConf } from '../../src/core/probe/parse-resolv-conf';
import { diagnoseSockets, parsePortRange, parseSs } from '../../src/core/probe/parse-ss';
import type { ToolOutput } from '../../src/core/probe/tool-output';
import { fixtureNames, readFixture } from '../probe/fixture';
import { budgetFactor, params, Slowest } from './budget';

type Run = (o: ToolOutput) => { outcome: string } & object;

const PARSERS: Record<string, { run: Run; outcomes: readonly string[] }> = {
  nc: { run: parseNc, outcomes: ['connected', 'refused', 'timeout', 'dns-failure', 'no-route', 'unknown'] },
  curl: {
    run: (o) => {
      const r = parseCurl(o);
      if ('timings' in r && r.timings) diagnoseCurlTimings(r.timings);
      return r;
    },
    outcomes: ['ok', 'refused', 'timeout', 'dns-failure', 'no-route', 'tls-error', 'other', 'unknown'],
  },
  dig: { run: parseDig, outcomes: ['ok', 'no-answer', 'nxdomain', 'servfail', 'refused', 'unreachable', 'other', 'unknown'] },
  ping: {
    run: (o) => {
      const r = parsePing(o);
      const mtu = analyzeMtu([{ payload: 1472, result: r }, { payload: 1372, result: r }]);
      return { ...r, mtu };
    },
    outcomes: ['reply', 'no-reply', 'too-big', 'unreachable', 'dns-failure', 'unknown'],
  },
  resolv: {
    run: (o) => {
      const r = parseResolvConf(o);
      if (r.outcome === 'ok') return { ...r, penalty: ndotsPenalty('web.prod.svc.cluster.local', r.conf) };
      return r;
    },
    outcomes: ['ok', 'unknown'],
  },
  ss: {
    run: (o) => {
      const r = parseSs(o);
      if (r.outcome === 'ok') return { ...r, diagnoses: diagnoseSockets(r.sockets, { low: 32768, high: 60999, size: 28232 }) };
      return r;
    },
    outcomes: ['ok', 'unknown'],
  },
  portRange: { run: parsePortRange, outcomes: ['ok', 'unknown'] },
  conntrack: { run: (o) => parseConntrack({ count: o, max: o, kernelLog: o }), outcomes: ['ok', 'warning', 'critical', 'unknown'] },
};

/** The parser a capture belongs to, from its file name. */
function ownParser(name: string): string {
  if (name.includes('nc-')) return 'nc';
  const tool = name.split('-')[0]!;
  return tool === 'ss' ? 'ss' : tool;
}

const FIXTURES = fixtureNames().map(readFixture);

type Mutation =
  | { kind: 'flip'; stream: 'stdout' | 'stderr'; at: number; char: string }
  | { kind: 'truncate'; stream: 'stdout' | 'stderr'; at: number }
  | { kind: 'insert'; stream: 'stdout' | 'stderr'; at: number; text: string }
  | { kind: 'line'; stream: 'stdout' | 'stderr'; op: 'delete' | 'duplicate' | 'repeat'; line: number }
  | { kind: 'numbers'; stream: 'stdout' | 'stderr'; to: string }
  | { kind: 'swap' | 'crlf' | 'merge' }
  | { kind: 'exit'; code: number | null };

const stream = fc.constantFrom<'stdout' | 'stderr'>('stdout', 'stderr');
const INSERTS = [
  '\n', '\r\n', '\0', '\ufffd', 'é', '🙂', '\u202e', ' ', '\t', ':', '"', "'", '(', ')', '[', ']', '{', '}', '%', '#', '=', '/', '-', 'NaN', '-1', '1e999',
  '99999999999999999999', `${'9'.repeat(400)}`, 'x'.repeat(100_000), 'succeeded!', 'open', 'refused', 'timed out', 'status: NOERROR', ';; ANSWER SECTION:',
  'rtt min/avg/max/mdev = ', 'packets transmitted', 'Frag needed and DF set (mtu = ', 'nameserver ', 'options ndots:', 'ESTAB', 'table full, dropping packet',
  '{"exitcode":', '"time_total":', '"http_code":', 'curl: (6) ',
];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), stream, at: fc.nat(), char: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom('0', '9', ' ', '\n')) }),
  fc.record({ kind: fc.constant('truncate' as const), stream, at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), stream, at: fc.nat(), text: fc.constantFrom(...INSERTS) }),
  fc.record({ kind: fc.constant('line' as const), stream, op: fc.constantFrom('delete' as const, 'duplicate' as const, 'repeat' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('numbers' as const), stream, to: fc.constantFrom('0', '-1', '65536', '99999999999999999999', '9'.repeat(400), '1.5', 'NaN', '') }),
  fc.record({ kind: fc.constantFrom('swap' as const, 'crlf' as const, 'merge' as const) }),
  fc.record({ kind: fc.constant('exit' as const), code: fc.option(fc.integer({ min: -1, max: 255 }), { nil: null }) }),
);

function applyMutation(o: ToolOutput, m: Mutation): ToolOutput {
  const edit = (s: 'stdout' | 'stderr', fn: (text: string) => string): ToolOutput => ({ ...o, [s]: fn(o[s]) });
  switch (m.kind) {
    case 'flip':
      return edit(m.stream, (t) => (t.length ? t.slice(0, m.at % t.length) + m.char + t.slice((m.at % t.length) + 1) : t));
    case 'truncate':
      return edit(m.stream, (t) => (t.length ? t.slice(0, m.at % t.length) : t));
    case 'insert':
      return edit(m.stream, (t) => {
        const at = m.at % (t.length + 1);
        return t.slice(0, at) + m.text + t.slice(at);
      });
    case 'line':
      return edit(m.stream, (t) => {
        const lines = t.split('\n');
        const i = m.line % lines.length;
        if (m.op === 'delete') lines.splice(i, 1);
        // Repeating a line makes megabytes of output; a line already made huge is doubled only.
        else lines.splice(i, 0, ...Array<string>(m.op === 'repeat' && lines[i]!.length < 1000 ? 5_000 : 1).fill(lines[i]!));
        return lines.join('\n');
      });
    case 'numbers':
      return edit(m.stream, (t) => t.replace(/\d+/g, m.to));
    case 'swap':
      return { ...o, stdout: o.stderr, stderr: o.stdout };
    case 'crlf':
      return { ...o, stdout: o.stdout.replace(/\n/g, '\r\n'), stderr: o.stderr.replace(/\n/g, '\r\n') };
    case 'merge':
      return { ...o, stdout: o.stdout + o.stderr, stderr: '' };
    case 'exit':
      return { ...o, exitCode: m.code };
  }
}

/** Every string of a result that is meant for people, and every number. */
function walk(v: unknown, path: string, strings: Array<[string, string]>, numbers: Array<[string, number]>): void {
  if (typeof v === 'string') strings.push([path, v]);
  else if (typeof v === 'number') numbers.push([path, v]);
  else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}.${i}`, strings, numbers));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`, strings, numbers);
}

/** Texts meant for people; other strings are data read from the output (the evidence line, an answer, an address). */
const HUMAN_TEXT = /\.(message|reason|remediation\.\d+)$/;

/**
 * Parsers whose messages may quote what the network or the pod controls (DNS answers, curl's
 * server fields, resolv.conf, process names, the kernel log): their messages must stay short
 * whatever was printed. nc and ping only echo the validated host the user asked for.
 */
const BOUNDED = new Set(['dig', 'curl', 'resolv', 'ss', 'portRange', 'conntrack']);

function checkResult(name: string, r: { outcome: string }, outcomes: readonly string[]): void {
  assert.ok(outcomes.includes(r.outcome), `${name}: outcome ${r.outcome}`);
  const strings: Array<[string, string]> = [];
  const numbers: Array<[string, number]> = [];
  walk(r, '', strings, numbers);
  // Numbers read from the output may be as large as what was printed, but a computed value is never NaN.
  for (const [path, n] of numbers) assert.ok(!Number.isNaN(n), `${name}: ${path} is NaN`);
  for (const [path, s] of strings) {
    if (!HUMAN_TEXT.test(path)) continue;
    // Messages and reasons: one line, short enough to show.
    if (BOUNDED.has(name.split(' ')[0]!)) assert.ok(s.length <= 1000, `${name}: ${path} has ${s.length} characters`);
    assert.doesNotMatch(s, /[\r\n]/, `${name}: ${path} is one line`);
  }
}

describe('hardening: tool-output parsers on damaged real captures', () => {
  it(`covers every capture (${FIXTURES.length}) with its own parser`, () => {
    for (const f of FIXTURES) assert.ok(PARSERS[ownParser(f.name)], `${f.name}: no parser`);
  });

  it('the own parser, and every other parser, return a known outcome with readable messages and no NaN', function () {
    this.timeout(60_000 * budgetFactor());
    const slow = new Slowest('tool-output parsers');
    fc.assert(
      fc.property(fc.constantFrom(...FIXTURES), fc.array(mutation, { minLength: 1, maxLength: 5 }), (fixture, mutations) => {
        const damaged = mutations.reduce(applyMutation, { stdout: fixture.stdout, stderr: fixture.stderr, exitCode: fixture.exitCode } as ToolOutput);
        const own = ownParser(fixture.name);
        for (const [name, { run, outcomes }] of [[own, PARSERS[own]!] as const, ...Object.entries(PARSERS).filter(([n]) => n !== own)]) {
          const r = slow.measure(() => run(damaged), () => `${name} on ${fixture.name} ${JSON.stringify(mutations).slice(0, 300)}`);
          checkResult(`${name} on ${fixture.name} after ${JSON.stringify(mutations).slice(0, 300)}`, r, outcomes);
        }
      }),
      params(0.5),
    );
    slow.report();
  });
});
