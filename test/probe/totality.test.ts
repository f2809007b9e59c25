import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseConntrack } from '../../src/core/probe/parse-conntrack';
import { parseCurl } from '../../src/core/probe/parse-curl';
import { parseDig } from '../../src/core/probe/parse-dig';
import { parseNc } from '../../src/core/probe/parse-nc';
import { parsePing } from '../../src/core/probe/parse-ping';
import { parseResolvConf } from '../../src/core/probe/parse-resolv-conf';
import { diagnoseSockets, parsePortRange, parseSs } from '../../src/core/probe/parse-ss';
import type { ToolOutput } from '../../src/core/probe/tool-output';
import { fixtureNames, readFixture } from './fixture';

/** Every parser, each returning its outcome so the property can check it is a known one. */
const PARSERS: Record<string, { run: (o: ToolOutput) => string; outcomes: readonly string[] }> = {
  nc: { run: (o) => parseNc(o).outcome, outcomes: ['connected', 'refused', 'timeout', 'dns-failure', 'no-route', 'unknown'] },
  curl: { run: (o) => parseCurl(o).outcome, outcomes: ['ok', 'refused', 'timeout', 'dns-failure', 'no-route', 'tls-error', 'other', 'unknown'] },
  dig: { run: (o) => parseDig(o).outcome, outcomes: ['ok', 'no-answer', 'nxdomain', 'servfail', 'refused', 'unreachable', 'other', 'unknown'] },
  ping: { run: (o) => parsePing(o).outcome, outcomes: ['reply', 'no-reply', 'too-big', 'unreachable', 'dns-failure', 'unknown'] },
  resolv: { run: (o) => parseResolvConf(o).outcome, outcomes: ['ok', 'unknown'] },
  ss: {
    run: (o) => {
      const r = parseSs(o);
      if (r.outcome === 'ok') diagnoseSockets(r.sockets, { low: 1, high: 65535, size: 65535 });
      return r.outcome;
    },
    outcomes: ['ok', 'unknown'],
  },
  portRange: { run: (o) => parsePortRange(o).outcome, outcomes: ['ok', 'unknown'] },
  conntrack: { run: (o) => parseConntrack({ count: o, max: o, kernelLog: o }).outcome, outcomes: ['ok', 'warning', 'critical', 'unknown'] },
};

/** Pieces of real tool output, so random text reaches the parsers' deeper branches. */
const FRAGMENTS = [
  '\n', ' ', '\t', '\r\n', ':', '(', ')', '[', ']', '{', '}', '"', '=', '#', '%', '1', '65535', '99999999999999999999', '-1', '0.000001', 'NaN',
  'Connection to ', ' port [tcp/*] succeeded!', 'nc: connect to ', ' port ', ' (tcp) failed: Connection refused', ' timed out: ', 'getaddrinfo for host "',
  ' open', 'nc: bad address \'', 'http_code=', 'time_total=', 'errormsg=', '{"exitcode":', '"time_connect":', 'curl: (7) ', ';; ->>HEADER<<- opcode: QUERY, status: ',
  ';; ANSWER SECTION:', ';; SERVER: ', '#53(', ';; Query time: ', ' msec', 'no servers could be reached', 'State', 'Netid', 'Recv-Q', 'ESTAB', 'TIME-WAIT',
  'LISTEN', '127.0.0.1:80', '[::1]:443', '*:*', 'packets transmitted', ' received', '% packet loss', 'rtt min/avg/max/mdev = ', 'mtu=', 'Frag needed',
  'nameserver ', 'search ', 'options ndots:', 'table full, dropping packet', '\u0000', '\ufffd', '\ud800',
];
const text = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 4 })), { maxLength: 40 }).map((a) => a.join('')),
);
const toolOutput = fc.record({ stdout: text, stderr: text, exitCode: fc.option(fc.integer({ min: -1, max: 255 }), { nil: null }) });

describe('parsers are total', () => {
  for (const [name, { run, outcomes }] of Object.entries(PARSERS)) {
    it(`${name} returns a known outcome for any input`, () => {
      fc.assert(
        fc.property(toolOutput, (o) => {
          assert.ok(outcomes.includes(run(o)));
        }),
        { numRuns: 1500 },
      );
    });
  }

  it('every parser survives every fixture, empty output and megabytes of text', () => {
    const big = 'ESTAB 0 0 10.0.0.5:40000 10.0.0.7:5432 Connection to x 1 port [tcp/*] succeeded! packets transmitted\n'.repeat(20_000);
    const inputs: ToolOutput[] = [
      ...fixtureNames().map(readFixture),
      { stdout: '', stderr: '', exitCode: null },
      { stdout: big, stderr: big, exitCode: 0 },
      { stdout: '{'.repeat(100_000), stderr: '('.repeat(100_000), exitCode: 1 },
    ];
    for (const o of inputs) for (const { run, outcomes } of Object.values(PARSERS)) assert.ok(outcomes.includes(run(o)));
  });
});
