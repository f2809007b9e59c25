import assert from 'node:assert/strict';
import { parseCurl, type CurlResult } from '../../src/core/probe/parse-curl';
import { parseDig, type DigResult } from '../../src/core/probe/parse-dig';
import { parseNc, type NcResult } from '../../src/core/probe/parse-nc';
import { parsePing, type PingResult } from '../../src/core/probe/parse-ping';
import { diagnoseSockets, parseSs, type SsSocket } from '../../src/core/probe/parse-ss';
import { fixtureNames, readFixture, type Fixture } from './fixture';

/** Compares everything but the human message, which must still say something. */
function same<T extends { message: string }>(actual: T, expected: Omit<T, 'message'>, message: RegExp): void {
  const { message: text, ...rest } = actual;
  assert.deepEqual(rest, expected);
  assert.match(text, message);
}

function ncAttempt(outcome: NcResult['outcome'], host: string, ip: string | undefined, port: number | undefined, evidence: string): NcResult['attempts'][number] {
  return { outcome, host, ...(ip !== undefined ? { ip } : {}), ...(port !== undefined ? { port } : {}), evidence };
}

/** A single-attempt nc result: the attempt and the summary agree. */
function nc(f: Fixture, outcome: NcResult['outcome'], host: string, ip: string | undefined, port: number | undefined, evidence: string, message: RegExp): void {
  const a = ncAttempt(outcome, host, ip, port, evidence);
  same(parseNc(f), { ...a, attempts: [a] }, message);
}

function ss(socketCount: number, counts: Record<string, number>, first: SsSocket) {
  return (f: Fixture, state?: string): void => {
    const r = parseSs(f, state !== undefined ? { state } : {});
    assert.equal(r.outcome, 'ok');
    if (r.outcome !== 'ok') return;
    assert.equal(r.sockets.length, socketCount);
    assert.deepEqual(r.counts, counts);
    assert.deepEqual(r.sockets[0], first);
    assert.deepEqual(diagnoseSockets(r.sockets, { low: 32768, high: 60999, size: 28232 }), []);
  };
}

const listen45810 = { state: 'LISTEN', recvQ: 0, sendQ: 16, local: { address: '127.0.0.1', port: 45810 }, peer: { address: '0.0.0.0' } };
const estab35958 = { state: 'ESTAB', recvQ: 0, sendQ: 0, local: { address: '127.0.0.1', port: 35958 }, peer: { address: '127.0.0.1', port: 45810 } };

/** One check per captured fixture; a fixture without an entry fails the suite. */
const CASES: Readonly<Record<string, (f: Fixture) => void>> = {
  'nc-open.txt': (f) => nc(f, 'connected', '127.0.0.1', '127.0.0.1', 45801, 'Connection to 127.0.0.1 45801 port [tcp/*] succeeded!', /succeeded/),
  'nc-open-wellknown-port.txt': (f) => nc(f, 'connected', '127.0.0.1', '127.0.0.1', 80, 'Connection to 127.0.0.1 80 port [tcp/http] succeeded!', /127\.0\.0\.1:80/),
  'nc-open-hostname.txt': (f) =>
    nc(f, 'connected', 'localhost', '127.0.0.1', 45801, 'Connection to localhost (127.0.0.1) 45801 port [tcp/*] succeeded!', /localhost:45801 succeeded \(127\.0\.0\.1\)/),
  'nc-refused.txt': (f) => nc(f, 'refused', '127.0.0.1', '127.0.0.1', 45802, 'nc: connect to 127.0.0.1 port 45802 (tcp) failed: Connection refused', /nothing listens/),
  'nc-refused-quiet.txt': (f) => same(parseNc(f), { outcome: 'refused', evidence: '', attempts: [] }, /printed nothing and exited 1/),
  'nc-timeout.txt': (f) =>
    nc(f, 'timeout', '127.0.0.1', '127.0.0.1', 45999, 'nc: connect to 127.0.0.1 port 45999 (tcp) timed out: Operation now in progress', /NetworkPolicy/),
  'nc-dns-failure.txt': (f) =>
    nc(f, 'dns-failure', 'nosuchhost.invalid', undefined, 80, 'nc: getaddrinfo for host "nosuchhost.invalid" port 80: Name or service not known', /does not resolve/),
  'nc-dns-noresolver.txt': (f) =>
    nc(f, 'dns-failure', 'nosuchhost.invalid', undefined, 80, 'nc: getaddrinfo for host "nosuchhost.invalid" port 80: Temporary failure in name resolution', /resolver did not answer/),
  'nc-port-range.txt': (f) => {
    const open = ncAttempt('connected', '127.0.0.1', '127.0.0.1', 45801, 'Connection to 127.0.0.1 45801 port [tcp/*] succeeded!');
    same(
      parseNc(f),
      {
        ...open,
        attempts: [
          ncAttempt('refused', '127.0.0.1', '127.0.0.1', 45800, 'nc: connect to 127.0.0.1 port 45800 (tcp) failed: Connection refused'),
          open,
          ncAttempt('refused', '127.0.0.1', '127.0.0.1', 45802, 'nc: connect to 127.0.0.1 port 45802 (tcp) failed: Connection refused'),
        ],
      },
      /45801 succeeded/,
    );
  },
  'busybox-nc-open.txt': (f) => nc(f, 'connected', '127.0.0.1', '127.0.0.1', 45801, '127.0.0.1 (127.0.0.1:45801) open', /succeeded/),
  'busybox-nc-open-hostname.txt': (f) => nc(f, 'connected', 'localhost', '127.0.0.1', 45801, 'localhost (127.0.0.1:45801) open', /succeeded/),
  'busybox-nc-refused.txt': (f) => same(parseNc(f), { outcome: 'refused', evidence: '', attempts: [] }, /busybox nc -v/),
  'busybox-nc-refused-vv.txt': (f) => nc(f, 'refused', '127.0.0.1', '127.0.0.1', 45802, 'nc: 127.0.0.1 (127.0.0.1:45802): Connection refused', /refused/),
  'busybox-nc-timeout.txt': (f) => nc(f, 'timeout', '127.0.0.1', '127.0.0.1', 45999, 'nc: 127.0.0.1 (127.0.0.1:45999): Connection timed out', /timeout/),
  'busybox-nc-dns-failure.txt': (f) => nc(f, 'dns-failure', 'nosuchhost.invalid', undefined, undefined, "nc: bad address 'nosuchhost.invalid'", /does not resolve/),

  'curl-success.txt': (f) =>
    same<CurlResult>(
      parseCurl(f),
      {
        outcome: 'ok',
        exitCode: 0,
        httpStatus: 200,
        remoteIp: '127.0.0.1',
        remotePort: 45801,
        timings: { dns: 0.027, connect: 0.625, firstByte: 8.342, total: 9.06 },
        diagnoses: [],
      },
      /HTTP 200 from 127\.0\.0\.1:45801/,
    ),
  'curl-success-json.txt': (f) =>
    same<CurlResult>(
      parseCurl(f),
      {
        outcome: 'ok',
        exitCode: 0,
        httpStatus: 200,
        remoteIp: '127.0.0.1',
        remotePort: 45801,
        timings: { dns: 0.022, connect: 0.371, firstByte: 3.612, total: 4.064 },
        diagnoses: [],
      },
      /HTTP 200/,
    ),
  'curl-http-404.txt': (f) =>
    same<CurlResult>(
      parseCurl(f),
      {
        outcome: 'ok',
        exitCode: 0,
        httpStatus: 404,
        remoteIp: '127.0.0.1',
        remotePort: 45801,
        timings: { dns: 0.021, connect: 0.534, firstByte: 0.946, total: 1.558 },
        diagnoses: [],
      },
      /HTTP 404 .*error status/,
    ),
  'curl-refused.txt': (f) =>
    same<CurlResult>(
      parseCurl(f),
      {
        outcome: 'refused',
        exitCode: 7,
        error: "Failed to connect to 127.0.0.1 port 45802 after 0 ms: Couldn't connect to server",
        timings: { dns: 0.025, total: 0.184 },
        diagnoses: [],
      },
      /nothing listens/,
    ),
  'curl-timeout.txt': (f) =>
    same<CurlResult>(
      parseCurl(f),
      {
        outcome: 'timeout',
        exitCode: 28,
        timeoutPhase: 'connect',
        error: 'Failed to connect to 127.0.0.1 port 45999 after 2004 ms: Timeout was reached',
        timings: { dns: 0.024, total: 2004.079 },
        diagnoses: [],
      },
      /No TCP handshake/,
    ),
  'curl-timeout-json.txt': (f) =>
    same<CurlResult>(
      parseCurl(f),
      {
        outcome: 'timeout',
        exitCode: 28,
        timeoutPhase: 'connect',
        error: 'Failed to connect to 127.0.0.1 port 45999 after 2003 ms: Timeout was reached',
        timings: { dns: 0.027, total: 2003.612 },
        diagnoses: [],
      },
      /No TCP handshake/,
    ),
  'curl-dns-failure.txt': (f) =>
    same<CurlResult>(
      parseCurl(f),
      { outcome: 'dns-failure', exitCode: 6, error: 'Could not resolve host: nosuchhost.invalid', timings: { total: 3.873 }, diagnoses: [] },
      /did not resolve/,
    ),

  'dig-success.txt': (f) =>
    same<DigResult>(
      parseDig(f),
      {
        outcome: 'ok',
        status: 'NOERROR',
        answers: [{ name: 'example.test.', ttl: 30, type: 'A', data: '10.96.0.10' }],
        queryTimeMs: 0,
        server: '127.0.0.1',
        serverPort: 5300,
        errors: [],
      },
      /10\.96\.0\.10 from 127\.0\.0\.1/,
    ),
  'dig-short.txt': (f) => same<DigResult>(parseDig(f), { outcome: 'ok', answers: [{ data: '10.96.0.10' }], errors: [] }, /10\.96\.0\.10/),
  'dig-nxdomain.txt': (f) =>
    same<DigResult>(parseDig(f), { outcome: 'nxdomain', status: 'NXDOMAIN', answers: [], queryTimeMs: 4, server: '127.0.0.1', serverPort: 5300, errors: [] }, /does not exist/),
  'dig-refused.txt': (f) =>
    same<DigResult>(
      parseDig(f),
      { outcome: 'unreachable', answers: [], errors: ['communications error to 127.0.0.1#5599: connection refused', 'no servers could be reached'] },
      /No DNS server answered .*port 53/,
    ),
  'dig-short-refused.txt': (f) =>
    same<DigResult>(
      parseDig(f),
      { outcome: 'unreachable', answers: [], errors: ['communications error to 127.0.0.1#5599: connection refused', 'no servers could be reached'] },
      /No DNS server answered/,
    ),
  'dig-timeout.txt': (f) =>
    same<DigResult>(
      parseDig(f),
      { outcome: 'unreachable', answers: [], errors: ['communications error to 127.0.0.1#5598: timed out', 'no servers could be reached'] },
      /timed out/,
    ),

  'ss-tan.txt': (f) => ss(18, { LISTEN: 3, ESTAB: 6, 'TIME-WAIT': 9 }, listen45810)(f),
  'ss-tanp.txt': (f) => {
    ss(18, { LISTEN: 3, ESTAB: 6, 'TIME-WAIT': 9 }, { ...listen45810, process: 'users:(("python3",pid=30326,fd=3))' })(f);
    const r = parseSs(f);
    assert.ok(r.outcome === 'ok');
    assert.equal(r.sockets.filter((s) => s.process?.includes('"nc"')).length, 3);
    assert.equal(r.sockets.filter((s) => s.process === undefined).length, 9); // the TIME-WAITs have no owner
  },
  'ss-tn-established.txt': (f) =>
    ss(6, { ESTAB: 6 }, { state: 'ESTAB', recvQ: 0, sendQ: 0, local: { address: '127.0.0.1', port: 45810 }, peer: { address: '127.0.0.1', port: 35964 } })(f, 'established'),
  'ss-tn-established-filter.txt': (f) => ss(3, { ESTAB: 3 }, estab35958)(f, 'established'),

  'ping-success.txt': (f) =>
    same<PingResult>(
      parsePing(f),
      {
        outcome: 'reply',
        transmitted: 2,
        received: 2,
        lossPercent: 0,
        rttMs: { min: 0.048, avg: 0.116, max: 0.184 },
        evidence: '2 packets transmitted, 2 received, 0% packet loss, time 1019ms',
      },
      /2 of 2 .*0\.116 ms/,
    ),
  'ping-timeout.txt': (f) =>
    same<PingResult>(
      parsePing(f),
      { outcome: 'no-reply', transmitted: 2, received: 0, lossPercent: 100, evidence: '2 packets transmitted, 0 received, 100% packet loss, time 1025ms' },
      /No reply to 2 echo requests/,
    ),
};

describe('captured tool-output fixtures', () => {
  it('reads the header, exit status and exact sections', () => {
    const f = readFixture('ping-timeout.txt');
    assert.equal(f.command, 'ping -c 2 -W 1 127.0.0.1');
    assert.equal(f.exitCode, 1);
    assert.equal(Buffer.byteLength(f.stdout), 150);
    assert.ok(f.stdout.endsWith('time 1025ms\n\n'));
    assert.equal(f.stderr, '');
    const quiet = readFixture('busybox-nc-refused.txt');
    assert.deepEqual([quiet.stdout, quiet.stderr, quiet.exitCode], ['', '', 1]);
  });

  it('has an expectation for every fixture, and a fixture for every expectation', () => {
    const names = fixtureNames();
    assert.deepEqual(
      names.filter((n) => !(n in CASES)),
      [],
      'unclassified fixtures: add them to CASES',
    );
    assert.deepEqual(
      Object.keys(CASES).filter((n) => !names.includes(n)),
      [],
    );
  });

  for (const name of fixtureNames()) {
    it(name, () => {
      const check = CASES[name];
      if (check === undefined) assert.fail(`${name} is not classified: add an expectation to CASES`);
      check(readFixture(name));
    });
  }
});
