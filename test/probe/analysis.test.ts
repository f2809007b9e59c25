import assert from 'node:assert/strict';
import { analyzeMtu } from '../../src/core/probe/mtu';
import { parsePing, type PingResult } from '../../src/core/probe/parse-ping';
import { ndotsPenalty, type ResolvConf } from '../../src/core/probe/parse-resolv-conf';
import { diagnoseSockets, type SsSocket } from '../../src/core/probe/parse-ss';
import { planMtu } from '../../src/core/probe/plan';
import { value } from './support';

const stats = (received: number, errors = ''): string =>
  `\n--- 10.0.0.9 ping statistics ---\n1 packets transmitted, ${received} received, ${errors}${received ? 0 : 100}% packet loss, time 0ms\n`;
const reply = parsePing({ stdout: `64 bytes from 10.0.0.9: icmp_seq=1 ttl=63 time=0.4 ms\n${stats(1)}`, stderr: '', exitCode: 0 });
const silence = parsePing({ stdout: stats(0), stderr: '', exitCode: 1 });
const fragNeeded = parsePing({ stdout: `From 10.0.0.1 icmp_seq=1 Frag needed and DF set (mtu = 1450)\n${stats(0, '+1 errors, ')}`, stderr: '', exitCode: 1 });

/** The planned IPv4 sizes, each answered by `answer(payload)`. */
function sweep(answer: (payload: number) => PingResult): Array<{ payload: number; result: PingResult }> {
  return value(planMtu('10.0.0.9')).map((p) => ({ payload: p.payload, result: answer(p.payload) }));
}

describe('analyzeMtu', () => {
  it('reports at least 1500 when the largest size passes', () => {
    const r = analyzeMtu(sweep(() => reply));
    assert.deepEqual([r.outcome, r.pathMtu, r.atLeast, r.vanished], ['ok', 1500, true, []]);
  });

  it('finds a black hole: small pings pass, large ones vanish without Frag needed', () => {
    const r = analyzeMtu(sweep((p) => (p <= 1422 ? reply : silence)));
    assert.equal(r.outcome, 'black-hole');
    assert.equal(r.pathMtu, 1450);
    assert.equal(r.atLeast, false);
    assert.deepEqual(r.vanished, [1472, 1452]);
    assert.match(r.message, /up to 1450 bytes pass, but larger ones \(up to 1500 bytes\) vanish/);
  });

  it('sees working PMTU discovery when larger sizes are refused with a signal', () => {
    const r = analyzeMtu(sweep((p) => (p <= 1422 ? reply : fragNeeded)));
    assert.deepEqual([r.outcome, r.pathMtu, r.reportedMtu, r.vanished], ['reduced', 1450, 1450, []]);
    assert.match(r.message, /path MTU discovery works/);
  });

  it('cannot measure when nothing answers', () => {
    const r = analyzeMtu(sweep(() => silence));
    assert.deepEqual([r.outcome, r.pathMtu], ['unreachable', undefined]);
    assert.equal(analyzeMtu([]).outcome, 'unknown');
  });

  it('does not call other failures a black hole', () => {
    const broken = parsePing({ stdout: '', stderr: 'ping: socket: Operation not permitted\n', exitCode: 2 });
    const r = analyzeMtu([
      { payload: 1472, result: broken },
      { payload: 1000, result: reply },
    ]);
    assert.deepEqual([r.outcome, r.pathMtu], ['unknown', 1028]);
  });

  it('uses the 48-byte IPv6 overhead, in any input order', () => {
    const r = analyzeMtu(
      [
        { payload: 1232, result: reply },
        { payload: 1452, result: silence },
        { payload: 1372, result: reply },
      ],
      'ipv6',
    );
    assert.deepEqual([r.outcome, r.pathMtu, r.vanished], ['black-hole', 1420, [1452]]);
  });
});

describe('ndotsPenalty', () => {
  const pod: ResolvConf = {
    nameservers: ['10.96.0.10'],
    search: ['prod.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
    ndots: 5,
    timeout: 5,
    attempts: 2,
    options: ['ndots:5'],
  };

  it('tries an external name against every search domain first', () => {
    const r = ndotsPenalty('api.example.com', pod);
    assert.deepEqual(
      { applies: r.applies, dots: r.dots, ndots: r.ndots, extraLookups: r.extraLookups, queries: r.queries },
      {
        applies: true,
        dots: 2,
        ndots: 5,
        extraLookups: 3,
        queries: ['api.example.com.prod.svc.cluster.local', 'api.example.com.svc.cluster.local', 'api.example.com.cluster.local', 'api.example.com'],
      },
    );
    assert.match(r.message, /2 dots, fewer than ndots:5/);
    assert.match(r.message, /each of those 3 misses costs a round trip/);
    assert.match(r.message, /timeout:5 s/);
    assert.match(r.message, /trailing dot \(api\.example\.com\.\)/);
  });

  it('applies even to a full in-cluster name with four dots', () => {
    assert.equal(ndotsPenalty('web.prod.svc.cluster.local', pod).extraLookups, 3);
  });

  it('does not apply to a trailing-dot name, to enough dots, or without a search list', () => {
    const fqdn = ndotsPenalty('api.example.com.', pod);
    assert.deepEqual([fqdn.applies, fqdn.queries], [false, ['api.example.com']]);
    assert.match(fqdn.message, /ends with a dot/);
    const many = ndotsPenalty('a.b.c.d.e.f', pod);
    assert.deepEqual([many.applies, many.queries[0]], [false, 'a.b.c.d.e.f']);
    assert.equal(ndotsPenalty('api.example.com', { ...pod, search: [] }).applies, false);
    assert.equal(ndotsPenalty('api.example.com', { ...pod, ndots: 2 }).applies, false);
  });
});

describe('diagnoseSockets', () => {
  let port = 40000;
  const sock = (state: string, peerPort = 5432, local = '10.0.0.5', localPort = port++): SsSocket => ({
    state,
    recvQ: 0,
    sendQ: 0,
    local: { address: local, port: localPort },
    peer: { address: '10.0.0.7', port: peerPort },
  });
  const many = (n: number, state: string): SsSocket[] => Array.from({ length: n }, () => sock(state));
  const range = { low: 32768, high: 32867, size: 100 };

  const limits: Array<[string, number]> = [
    ['CLOSE-WAIT', 100],
    ['TIME-WAIT', 10_000],
    ['SYN-RECV', 500],
    ['SYN-SENT', 200],
    ['FIN-WAIT-2', 500],
  ];
  for (const [state, limit] of limits) {
    it(`flags ${state} above ${limit}, not at it`, () => {
      assert.deepEqual(diagnoseSockets(many(limit, state)), []);
      const d = diagnoseSockets(many(limit + 1, state));
      assert.equal(d.length, 1);
      assert.equal(d[0]?.code, `ss-${state.toLowerCase()}`);
      assert.match(d[0]?.message ?? '', new RegExp(`^${limit + 1} sockets in ${state} \\(over ${limit}\\)`));
    });
  }

  it('flags ephemeral port pressure per local address and destination from 80%', () => {
    const from = (n: number, dest = 443, local = '10.0.0.5'): SsSocket[] => Array.from({ length: n }, (_, i) => sock(i % 2 ? 'ESTAB' : 'TIME-WAIT', dest, local, 32768 + i));
    assert.deepEqual(diagnoseSockets(from(79), range), []);
    const warn = diagnoseSockets(from(80), range);
    assert.equal(warn.length, 1);
    assert.deepEqual([warn[0]?.code, warn[0]?.severity], ['ephemeral-ports', 'warning']);
    assert.match(warn[0]?.message ?? '', /^80 connections 10\.0\.0\.5 → 10\.0\.0\.7:443 use 80% of the 100 ephemeral ports \(32768-32867\)/);
    assert.equal(diagnoseSockets(from(100), range)[0]?.severity, 'error');
    // Spread over two destinations, neither is under pressure.
    assert.deepEqual(diagnoseSockets([...from(50, 443), ...from(50, 8443)], range), []);
  });

  it('leaves accepted connections (local port = a listening port) out', () => {
    const listener = sock('LISTEN', 0, '10.0.0.5', 32800);
    const accepted = Array.from({ length: 90 }, (_, i) => ({ ...sock('ESTAB', 50000 + i, '10.0.0.5', 32800), peer: { address: '10.0.0.9', port: 50000 } }));
    assert.deepEqual(diagnoseSockets([listener, ...accepted], range), []);
  });
});
