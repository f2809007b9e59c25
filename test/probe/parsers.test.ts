/**
 * Cases the captured fixtures do not cover, written from the formats documented in
 * /work/shared/KUBE-API.md section 10 (musl texts, unreachable errors, TLS, slow phases, ...).
 */

import assert from 'node:assert/strict';
import { parseConntrack, CONNTRACK_REMEDIATION } from '../../src/core/probe/parse-conntrack';
import { diagnoseCurlTimings, parseCurl } from '../../src/core/probe/parse-curl';
import { parseDig } from '../../src/core/probe/parse-dig';
import { parseNc } from '../../src/core/probe/parse-nc';
import { parsePing } from '../../src/core/probe/parse-ping';
import { parseResolvConf } from '../../src/core/probe/parse-resolv-conf';
import { parsePortRange, parseSs } from '../../src/core/probe/parse-ss';
import type { ToolOutput } from '../../src/core/probe/tool-output';

const err = (stderr: string, exitCode: number | null = 1): ToolOutput => ({ stdout: '', stderr, exitCode });
const out = (stdout: string, exitCode: number | null = 0, stderr = ''): ToolOutput => ({ stdout, stderr, exitCode });

describe('parseNc beyond the fixtures', () => {
  const cases: Array<[string, string, ReturnType<typeof parseNc>['outcome'], Record<string, unknown>]> = [
    ['musl NXDOMAIN', 'nc: getaddrinfo for host "web.prod" port 80: Name does not resolve\n', 'dns-failure', { host: 'web.prod', port: 80 }],
    ['musl resolver down', 'nc: getaddrinfo for host "web.prod" port 80: Try again\n', 'dns-failure', { host: 'web.prod', port: 80 }],
    ['glibc no route', 'nc: connect to 10.0.0.9 port 80 (tcp) failed: No route to host\n', 'no-route', { host: '10.0.0.9', ip: '10.0.0.9', port: 80 }],
    ['glibc net unreachable', 'nc: connect to 10.0.0.9 port 80 (tcp) failed: Network is unreachable\n', 'no-route', { port: 80 }],
    ['musl host unreachable (busybox)', 'nc: 10.0.0.9 (10.0.0.9:80): Host is unreachable\n', 'no-route', { ip: '10.0.0.9', port: 80 }],
    ['musl net unreachable (busybox)', 'nc: 10.0.0.9 (10.0.0.9:80): Network unreachable\n', 'no-route', { port: 80 }],
    ['musl timeout text (busybox)', 'nc: 10.0.0.9 (10.0.0.9:80): Operation timed out\n', 'timeout', { port: 80 }],
    ['kernel SYN timeout before -w', 'nc: connect to 10.0.0.9 port 80 (tcp) failed: Connection timed out\n', 'timeout', { port: 80 }],
    ['wide spacing', 'Connection to   10.0.0.5    443 port [tcp/https]   succeeded!\n', 'connected', { host: '10.0.0.5', ip: '10.0.0.5', port: 443 }],
    ['busybox IPv6', 'fd00::5 ([fd00::5]:8080) open\n', 'connected', { host: 'fd00::5', ip: 'fd00::5', port: 8080 }],
    [
      'second address connects',
      'nc: connect to localhost port 80 (tcp) failed: Connection refused\nConnection to localhost (127.0.0.1) 80 port [tcp/http] succeeded!\n',
      'connected',
      { host: 'localhost', ip: '127.0.0.1', port: 80 },
    ],
  ];
  for (const [title, stderr, outcome, fields] of cases) {
    it(title, () => {
      const r = parseNc(err(stderr, outcome === 'connected' ? 0 : 1));
      assert.equal(r.outcome, outcome);
      for (const [k, v] of Object.entries(fields)) assert.deepEqual(r[k as keyof typeof r], v, k);
      assert.equal(r.evidence, stderr.trim().split('\n').at(-1)?.trim());
    });
  }

  it('says which DNS failure it was', () => {
    assert.match(parseNc(err('nc: getaddrinfo for host "web.prod" port 80: Try again')).message, /resolver did not answer/);
    assert.match(parseNc(err('nc: getaddrinfo for host "web.prod" port 80: Name does not resolve')).message, /does not resolve/);
  });

  it('reports unknown, with the text, for anything else', () => {
    assert.deepEqual(parseNc(err('sh: nc: not found', 127)), {
      outcome: 'unknown',
      evidence: '',
      attempts: [],
      message: 'unrecognised nc output (exit 127): "sh: nc: not found"',
    });
    assert.equal(parseNc(err('', null)).outcome, 'unknown');
    assert.equal(parseNc(err('', 0)).outcome, 'connected');
  });
});

describe('parseCurl beyond the fixtures', () => {
  const json = (fields: Record<string, unknown>): string => `${JSON.stringify(fields)}\n`;

  it('splits an HTTPS request into phases and flags each slow one', () => {
    const r = parseCurl(
      out(
        json({
          http_code: 200,
          remote_ip: '10.0.0.5',
          remote_port: 443,
          exitcode: 0,
          errormsg: null,
          time_namelookup: 0.080001,
          time_connect: 0.2,
          time_appconnect: 0.45,
          time_starttransfer: 1.2,
          time_total: 1.25,
        }),
      ),
    );
    assert.equal(r.outcome, 'ok');
    assert.deepEqual(r.timings, { dns: 80.001, connect: 119.999, tls: 250, firstByte: 750, total: 1250 });
    assert.deepEqual(
      r.diagnoses.map((d) => d.code),
      ['curl-slow-dns', 'curl-slow-connect', 'curl-slow-tls', 'curl-slow-first-byte'],
    );
    assert.match(r.diagnoses[3]?.message ?? '', /750 ms \(over 500 ms\): the application is slow, not the network/);
    assert.match(r.diagnoses[0]?.message ?? '', /ndots/);
  });

  it('uses strict thresholds: exactly at the limit is not slow', () => {
    assert.deepEqual(diagnoseCurlTimings({ dns: 50, connect: 100, tls: 200, firstByte: 500 }), []);
    assert.equal(diagnoseCurlTimings({ dns: 50.001 }).length, 1);
  });

  it('tells a response timeout from a connect timeout', () => {
    const r = parseCurl(
      out(json({ exitcode: 28, http_code: 0, time_namelookup: 0.001, time_connect: 0.002, time_total: 10 }), 28, 'curl: (28) Operation timed out after 10000 milliseconds with 0 bytes received\n'),
    );
    assert.equal(r.outcome, 'timeout');
    assert.equal(r.timeoutPhase, 'response');
    assert.match(r.message, /application is slow or stuck/);
  });

  it('classifies TLS failures', () => {
    assert.equal(parseCurl(err('curl: (60) SSL certificate problem: unable to get local issuer certificate', 60)).outcome, 'tls-error');
    const r = parseCurl(err('curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to web:443', 35));
    assert.equal(r.outcome, 'tls-error');
    assert.equal(r.error, 'OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to web:443');
  });

  it('tells no-route from refused within exit 7', () => {
    assert.equal(parseCurl(err('curl: (7) Failed to connect to 10.0.0.9 port 80 after 3 ms: No route to host', 7)).outcome, 'no-route');
    assert.equal(parseCurl(err('curl: (7) Failed to connect to 10.0.0.9 port 80 after 3 ms: Couldn\'t connect to server', 7)).outcome, 'refused');
  });

  it('falls back to %{exitcode} and to the stderr code when the exec gave no status', () => {
    assert.equal(parseCurl(out(json({ exitcode: 7, http_code: 0 }), null)).outcome, 'refused');
    assert.equal(parseCurl(err('curl: (6) Could not resolve host: web', null)).outcome, 'dns-failure');
  });

  it('reports other exits and missing data', () => {
    const other = parseCurl(err('curl: (56) Recv failure: Connection reset by peer', 56));
    assert.equal(other.outcome, 'other');
    assert.match(other.message, /exit 56.*Connection reset by peer/);
    assert.match(parseCurl(out('', 0)).message, /printed no -w data/);
    assert.equal(parseCurl(out('', null)).outcome, 'unknown');
  });
});

describe('parseDig beyond the fixtures', () => {
  const full = (status: string, answer = ''): string =>
    `\n; <<>> DiG 9.18.27 <<>> +search -t A -q web\n;; global options: +cmd\n;; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: ${status}, id: 1\n;; flags: qr rd ra; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 1\n\n;; QUESTION SECTION:\n;web.prod.svc.cluster.local. IN A\n\n${answer};; Query time: 12 msec\n;; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)\n\n`;

  it('reads several answers, CNAME first', () => {
    const r = parseDig(
      out(full('NOERROR', ';; ANSWER SECTION:\nwww.example.com.\t300\tIN\tCNAME\texample.com.\nexample.com.\t60\tIN\tA\t93.184.216.34\n\n')),
    );
    assert.equal(r.outcome, 'ok');
    assert.deepEqual(r.answers, [
      { name: 'www.example.com.', ttl: 300, type: 'CNAME', data: 'example.com.' },
      { name: 'example.com.', ttl: 60, type: 'A', data: '93.184.216.34' },
    ]);
    assert.equal(r.queryTimeMs, 12);
    assert.equal(r.server, '10.96.0.10');
    assert.equal(r.serverPort, 53);
  });

  it('maps the rcodes', () => {
    assert.equal(parseDig(out(full('SERVFAIL'))).outcome, 'servfail');
    assert.equal(parseDig(out(full('REFUSED'))).outcome, 'refused');
    assert.equal(parseDig(out(full('NOERROR'))).outcome, 'no-answer');
    assert.equal(parseDig(out(full('FORMERR'))).outcome, 'other');
  });

  it('reads the older one-line timeout form', () => {
    const r = parseDig(out(';; connection timed out; no servers could be reached\n', 9));
    assert.equal(r.outcome, 'unreachable');
  });

  it('treats an empty +short as no answer and dig usage errors as unknown', () => {
    assert.equal(parseDig(out('', 0)).outcome, 'no-answer');
    const r = parseDig(err("dig: couldn't get address for 'nowhere': not found", 10));
    assert.equal(r.outcome, 'unknown');
    assert.match(r.message, /exit 10.*couldn't get address/);
  });
});

describe('parsePing beyond the fixtures', () => {
  const stats = (errors: string): string => `\n--- 10.0.0.9 ping statistics ---\n1 packets transmitted, 0 received, ${errors}100% packet loss, time 0ms\n`;

  it('reads a local "message too long" with the interface MTU', () => {
    const r = parsePing(out(`PING 10.0.0.9 (10.0.0.9) 1472(1500) bytes of data.\n${stats('+1 errors, ')}`, 1, 'ping: local error: message too long, mtu=1450\n'));
    assert.equal(r.outcome, 'too-big');
    assert.equal(r.reportedMtu, 1450);
    assert.equal(r.errors, 1);
    assert.equal(r.evidence, 'ping: local error: message too long, mtu=1450');
  });

  it('reads a router\'s "Frag needed" and an IPv6 "Packet too big"', () => {
    const v4 = parsePing(out(`PING 10.0.0.9 (10.0.0.9) 1472(1500) bytes of data.\nFrom 10.0.0.1 icmp_seq=1 Frag needed and DF set (mtu = 1400)\n${stats('+1 errors, ')}`, 1));
    assert.deepEqual([v4.outcome, v4.reportedMtu], ['too-big', 1400]);
    const v6 = parsePing(out(`From fd00::1 icmp_seq=1 Packet too big: mtu=1280\n${stats('+1 errors, ')}`, 1));
    assert.deepEqual([v6.outcome, v6.reportedMtu], ['too-big', 1280]);
  });

  it('reads unreachable, DNS and busybox forms', () => {
    assert.equal(parsePing(out(`From 10.0.0.1 icmp_seq=1 Destination Host Unreachable\n${stats('+1 errors, ')}`, 1)).outcome, 'unreachable');
    assert.equal(parsePing(err('ping: nosuch.prod: Name does not resolve', 2)).outcome, 'dns-failure');
    const bb = parsePing(out('2 packets transmitted, 2 packets received, 0% packet loss\nround-trip min/avg/max = 0.1/0.2/0.3 ms\n'));
    assert.deepEqual([bb.outcome, bb.received, bb.rttMs], ['reply', 2, { min: 0.1, avg: 0.2, max: 0.3 }]);
  });

  it('reports a missing capability as unknown', () => {
    const r = parsePing(err('ping: socket: Operation not permitted', 2));
    assert.equal(r.outcome, 'unknown');
    assert.match(r.message, /Operation not permitted/);
  });
});

describe('parseResolvConf', () => {
  const pod = 'search prod.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n';

  it('reads a Kubernetes pod resolv.conf with defaults filled in', () => {
    assert.deepEqual(parseResolvConf(out(pod)), {
      outcome: 'ok',
      conf: {
        nameservers: ['10.96.0.10'],
        search: ['prod.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
        ndots: 5,
        timeout: 5,
        attempts: 2,
        options: ['ndots:5'],
      },
    });
  });

  it('lets the last search/domain line and the last option win, and skips comments', () => {
    const r = parseResolvConf(out('# generated\ndomain old.example\n; note\nsearch a.example b.example\nnameserver 10.0.0.2\nnameserver fd00::a\noptions timeout:2 attempts:3 single-request-reopen\noptions timeout:1\n'));
    assert.ok(r.outcome === 'ok');
    assert.deepEqual(r.conf.search, ['a.example', 'b.example']);
    assert.deepEqual(r.conf.nameservers, ['10.0.0.2', 'fd00::a']);
    assert.deepEqual([r.conf.ndots, r.conf.timeout, r.conf.attempts], [1, 1, 3]);
  });

  it('is unknown when the file cannot be read or holds nothing useful', () => {
    assert.deepEqual(parseResolvConf(err("cat: can't open '/etc/resolv.conf': No such file or directory")), {
      outcome: 'unknown',
      reason: 'unrecognised cat /etc/resolv.conf output (exit 1): "cat: can\'t open \'/etc/resolv.conf\': No such file or directory"',
    });
    assert.equal(parseResolvConf(out('')).outcome, 'unknown');
  });
});

describe('parseSs beyond the fixtures', () => {
  it('reads IPv6, scoped and wildcard addresses', () => {
    const r = parseSs(
      out(
        'State  Recv-Q Send-Q  Local Address:Port   Peer Address:Port Process\nLISTEN 0      4096                *:8080              *:*\nESTAB  0      36     [::ffff:10.0.0.5]:8080 [::ffff:10.0.0.9]:51000\nSYN-SENT 0    1      10.0.0.5%eth0:40000    10.0.0.7:5432\n',
      ),
    );
    assert.ok(r.outcome === 'ok');
    assert.deepEqual(
      r.sockets.map((s) => [s.state, s.local, s.peer, s.sendQ]),
      [
        ['LISTEN', { address: '*', port: 8080 }, { address: '*' }, 4096],
        ['ESTAB', { address: '::ffff:10.0.0.5', port: 8080 }, { address: '::ffff:10.0.0.9', port: 51000 }, 36],
        ['SYN-SENT', { address: '10.0.0.5', port: 40000 }, { address: '10.0.0.7', port: 5432 }, 1],
      ],
    );
  });

  it('reads the Netid column of ss -an and headerless ss -H output', () => {
    const netid = parseSs(out('Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port\ntcp   ESTAB 0      0      10.0.0.5:40000     10.0.0.7:5432\n'));
    assert.ok(netid.outcome === 'ok');
    assert.deepEqual(netid.counts, { ESTAB: 1 });
    const headerless = parseSs(out('TIME-WAIT 0 0 10.0.0.5:40000 10.0.0.7:5432\nCLOSE-WAIT 1 0 10.0.0.5:8080 10.0.0.9:51000\n'));
    assert.ok(headerless.outcome === 'ok');
    assert.deepEqual(headerless.counts, { 'TIME-WAIT': 1, 'CLOSE-WAIT': 1 });
  });

  it('labels the filtered form by the filter state, or UNKNOWN without one', () => {
    const text = 'Recv-Q Send-Q Local Address:Port Peer Address:Port\n0 0 10.0.0.5:40000 10.0.0.7:5432\n';
    assert.deepEqual(parseSs(out(text), { state: 'time-wait' }), {
      outcome: 'ok',
      sockets: [{ state: 'TIME-WAIT', recvQ: 0, sendQ: 0, local: { address: '10.0.0.5', port: 40000 }, peer: { address: '10.0.0.7', port: 5432 } }],
      counts: { 'TIME-WAIT': 1 },
    });
    const r = parseSs(out(text));
    assert.ok(r.outcome === 'ok');
    assert.deepEqual(r.counts, { UNKNOWN: 1 });
  });

  it('is unknown on errors and unreadable tables, ok on an empty one', () => {
    assert.equal(parseSs(err('ss: command not found', 127)).outcome, 'unknown');
    assert.equal(parseSs(out('garbage here\nand more\n')).outcome, 'unknown');
    assert.deepEqual(parseSs(out('State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n')), { outcome: 'ok', sockets: [], counts: {} });
  });
});

describe('parsePortRange', () => {
  it('reads the tab-separated range', () => {
    assert.deepEqual(parsePortRange(out('32768\t60999\n')), { outcome: 'ok', low: 32768, high: 60999, size: 28232 });
  });
  it('rejects anything else', () => {
    assert.equal(parsePortRange(out('60999 32768\n')).outcome, 'unknown');
    assert.equal(parsePortRange(out('0 70000\n')).outcome, 'unknown');
    assert.equal(parsePortRange(err('cat: can\'t open', 1)).outcome, 'unknown');
  });
});

describe('parseConntrack', () => {
  const n = (v: number): ToolOutput => out(`${v}\n`);
  const dmesg = (text: string): ToolOutput => out(text);

  it('is ok below 80%', () => {
    const r = parseConntrack({ count: n(52000), max: n(65536), kernelLog: dmesg('[    0.000000] Linux version 6.1\n') });
    assert.deepEqual(r, { outcome: 'ok', count: 52000, max: 65536, usagePercent: 79.3, tableFullLines: 0, kernelLog: 'read', problems: [], diagnoses: [] });
  });

  it('warns from 80%, with the runbook remediation', () => {
    const r = parseConntrack({ count: n(52429), max: n(65536) });
    assert.equal(r.outcome, 'warning');
    assert.equal(r.usagePercent, 80);
    assert.equal(r.kernelLog, 'not-run');
    assert.equal(r.diagnoses[0]?.code, 'conntrack-usage');
    assert.equal(r.diagnoses[0]?.severity, 'warning');
    assert.match(r.diagnoses[0]?.message ?? '', /52429 of 65536 entries \(80%/);
    assert.match(r.diagnoses[0]?.message ?? '', /conntrack\.maxPerCore/);
    assert.equal(parseConntrack({ count: n(52428), max: n(65536) }).outcome, 'ok'); // 79.99%
  });

  it('is critical when full', () => {
    const r = parseConntrack({ count: n(262144), max: n(262144) });
    assert.deepEqual([r.outcome, r.usagePercent, r.diagnoses[0]?.severity], ['critical', 100, 'error']);
  });

  it('is critical on "table full" kernel lines even with usage low now', () => {
    const log = '[123.4] nf_conntrack: nf_conntrack: table full, dropping packet\n[125.0] eth0: link up\n[130.1] nf_conntrack: nf_conntrack: table full, dropping packet\n';
    const r = parseConntrack({ count: n(1000), max: n(262144), kernelLog: dmesg(log) });
    assert.equal(r.outcome, 'critical');
    assert.equal(r.tableFullLines, 2);
    assert.equal(r.diagnoses[0]?.code, 'conntrack-table-full');
    assert.match(r.diagnoses[0]?.message ?? '', /2 "table full, dropping packet" lines .*\[130\.1\]/);
    assert.ok(CONNTRACK_REMEDIATION.every((step) => r.diagnoses[0]?.message.includes(step)));
  });

  it('says why a reading is missing', () => {
    const r = parseConntrack({
      count: err('cat: can\'t open \'/proc/sys/net/netfilter/nf_conntrack_count\': No such file or directory'),
      max: n(262144),
      kernelLog: err('dmesg: read kernel buffer failed: Operation not permitted'),
    });
    assert.equal(r.outcome, 'unknown');
    assert.equal(r.kernelLog, 'unreadable');
    assert.match(r.problems[0] ?? '', /not loaded.*hostNetwork/);
    assert.match(r.problems[1] ?? '', /privileged.*Operation not permitted/);
  });
});
