/**
 * The simulated data plane (test/support/dataplane.ts) answers in the text shapes of the real
 * captures in test/fixtures/tool-output/, follows the policies, and says it is simulated where
 * the tools print free text.
 */
import { strict as assert } from 'node:assert';
import { parseCurl } from '../../src/core/probe/parse-curl';
import { parseDig } from '../../src/core/probe/parse-dig';
import { parseNc } from '../../src/core/probe/parse-nc';
import { parsePing } from '../../src/core/probe/parse-ping';
import { parseSs } from '../../src/core/probe/parse-ss';
import { readFixture } from '../probe/fixture';
import { startDemoCluster, WEB_API_PODS, type DemoCluster } from '../support/demo-cluster';
import type { ExecContext, ExecResult } from '../support/fake-kube/server';

type Out = { stdout: string; stderr: string; exitCode: number | null };

describe('simulated data plane', () => {
  let demo: DemoCluster;
  before(async () => {
    demo = await startDemoCluster({ extraPods: 20 });
  });
  after(async () => {
    await demo.close();
  });

  async function exec(ns: string, pod: string, argv: string[], container = 'app'): Promise<Out> {
    const ctx: ExecContext = {
      namespace: ns,
      pod,
      container,
      argv,
      stdin: '',
      stdinBytes: Buffer.alloc(0),
      tty: false,
      protocol: 'v5.channel.k8s.io',
      user: 'test',
      streams: { stdin: false, stdout: true, stderr: true },
      resizes: [],
    };
    const r: ExecResult = await demo.dataplane.handler(ctx);
    if ('internalError' in r) return { stdout: '', stderr: r.internalError, exitCode: null };
    return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode };
  }

  const WEB = ['production', WEB_API_PODS[0]] as const;

  it('nc: the OpenBSD lines of the fixtures, decided by the policies and the declared ports', async () => {
    const shape = (fixture: string, from: RegExp, to: string): string => readFixture(fixture).stderr.replace(from, to);
    const timeout = await exec(...WEB, ['nc', '-zv', '-w', '3', '--', '10.244.1.45', '5432']);
    assert.deepEqual(timeout, { stdout: '', stderr: shape('nc-timeout.txt', /127\.0\.0\.1 port 45999/, '10.244.1.45 port 5432'), exitCode: 1 });
    const cart = demo.fake.store.list('pods', 'shop').find((p) => p.metadata.labels?.app === 'cart')!;
    const frontend = demo.fake.store.list('pods', 'shop').find((p) => p.metadata.labels?.app === 'frontend')!;
    const cartIp = String((cart.status as { podIP: string }).podIP);
    const open = await exec('shop', frontend.metadata.name, ['nc', '-zv', '-w', '3', '--', cartIp, '8080']);
    assert.deepEqual(open, { stdout: '', stderr: `Connection to ${cartIp} 8080 port [tcp/http-alt] succeeded!\n`, exitCode: 0 });
    assert.match(readFixture('nc-open-wellknown-port.txt').stderr, /^Connection to \S+ \d+ port \[tcp\/[\w*-]+\] succeeded!\n$/);
    const refused = await exec('shop', frontend.metadata.name, ['nc', '-zv', '-w', '3', '--', cartIp, '9999']);
    assert.equal(refused.stderr, shape('nc-refused.txt', /127\.0\.0\.1 port 45802/, `${cartIp} port 9999`));
    const named = await exec('shop', frontend.metadata.name, ['nc', '-zv', '-w', '3', '--', 'cart', '80']);
    assert.equal(named.stderr, `Connection to cart (10.96.30.11) 80 port [tcp/http] succeeded!\n`, 'a short Service name through the search list, then the Service to its pod');
    const nx = await exec(...WEB, ['nc', '-zv', '-w', '3', '--', 'nosuch.production.svc.cluster.local', '80']);
    assert.equal(nx.stderr, 'nc: getaddrinfo for host "nosuch.production.svc.cluster.local" port 80: Name does not resolve\n');
    const checkout = demo.fake.store.list('pods', 'shop').find((p) => p.metadata.labels?.app === 'checkout')!;
    const blocked = await exec('shop', checkout.metadata.name, ['nc', '-zv', '-w', '3', '--', 'cart', '80']);
    assert.equal(blocked.stderr, 'nc: getaddrinfo for host "cart" port 80: Try again\n', 'musl says "Try again" when no resolver answers');
    for (const o of [timeout, open, refused, named, nx, blocked]) assert.notEqual(parseNc(o).outcome, 'unknown');
  });

  it('busybox nc: its own lines', async () => {
    const t = await exec(...WEB, ['busybox', 'nc', '-zvv', '-w', '3', '--', '10.244.1.45', '5432']);
    assert.equal(t.stderr, readFixture('busybox-nc-timeout.txt').stderr.replace('127.0.0.1 (127.0.0.1:45999)', '10.244.1.45 (10.244.1.45:5432)'));
    assert.equal(parseNc(t).outcome, 'timeout');
  });

  it('dig: the full output of the fixtures; NXDOMAIN; no server reached when the policies block DNS', async () => {
    const ok = await exec(...WEB, ['dig', '+search', '+time=2', '+tries=1', '-t', 'A', '-q', 'postgres']);
    const sections = (text: string): string[] => text.split('\n').filter((l) => /^;; (->>HEADER|QUESTION|ANSWER|Query time|SERVER|WHEN|MSG SIZE)/.test(l)).map((l) => l.slice(0, 9));
    assert.deepEqual(sections(ok.stdout), sections(readFixture('dig-success.txt').stdout));
    assert.match(ok.stdout, /\npostgres\.production\.svc\.cluster\.local\.\t30\tIN\tA\t10\.96\.12\.34\n/);
    assert.match(ok.stdout, /DiG 9\.18\.41 \(simulated by netlens test\/support\/dataplane\.ts\)/);
    const r = parseDig(ok);
    assert.deepEqual([r.outcome, r.answers.map((a) => a.data), r.server], ['ok', ['10.96.12.34'], '10.96.0.10']);
    const nx = parseDig(await exec(...WEB, ['dig', '+search', '+time=2', '+tries=1', '-t', 'A', '-q', 'nosuch.example']));
    assert.equal(nx.outcome, 'nxdomain');
    const checkout = demo.fake.store.list('pods', 'shop').find((p) => p.metadata.labels?.app === 'checkout')!;
    const blocked = await exec('shop', checkout.metadata.name, ['dig', '+search', '+time=2', '+tries=1', '-t', 'A', '-q', 'cart']);
    assert.equal(blocked.exitCode, 9);
    assert.match(blocked.stdout, /^;; communications error to 10\.96\.0\.10#53: timed out\n/);
    assert.match(blocked.stdout, /;; no servers could be reached\n$/);
    assert.equal(parseDig(blocked).outcome, 'unreachable');
  });

  it("curl: the fixture's %{json} keys, six-decimal times, and its exit codes", async () => {
    const fixtureKeys = Object.keys(JSON.parse(readFixture('curl-success-json.txt').stdout) as object).sort();
    const frontend = demo.fake.store.list('pods', 'shop').find((p) => p.metadata.labels?.app === 'frontend')!;
    const ok = await exec('shop', frontend.metadata.name, ['curl', '-sS', '-o', '/dev/null', '--globoff', '--max-time', '10', '-w', '%{json}', '--', 'http://cart.shop.svc.cluster.local:80/']);
    assert.deepEqual(Object.keys(JSON.parse(ok.stdout) as object).sort(), fixtureKeys);
    assert.match(ok.stdout, /"time_connect":\d\.\d{6},/);
    assert.match(ok.stdout, /simulated by netlens/);
    assert.deepEqual([parseCurl(ok).outcome, parseCurl(ok).httpStatus], ['ok', 200]);
    const timeout = await exec(...WEB, ['curl', '-sS', '-o', '/dev/null', '--globoff', '--max-time', '10', '-w', '%{json}', '--', 'http://10.244.1.45:5432/']);
    assert.deepEqual([timeout.exitCode, timeout.stderr], [28, 'curl: (28) Connection timed out after 10002 milliseconds\n']);
    assert.deepEqual([parseCurl(timeout).outcome, parseCurl(timeout).timeoutPhase], ['timeout', 'connect']);
    const dns = await exec(...WEB, ['curl', '-sS', '-o', '/dev/null', '--globoff', '--max-time', '10', '-w', '%{json}', '--', 'http://nosuch/']);
    assert.equal(dns.stderr, readFixture('curl-dns-failure.txt').stderr.replace('nosuchhost.invalid', 'nosuch'));
    assert.equal(parseCurl(dns).outcome, 'dns-failure');
  });

  it('ping, ss, cat and dmesg', async () => {
    const reply = await exec(...WEB, ['ping', '-4', '-M', 'do', '-s', '1472', '-c', '1', '-W', '2', '--', '10.244.1.45']);
    assert.match(reply.stdout, /^PING 10\.244\.1\.45 \(10\.244\.1\.45\) 1472\(1500\) bytes of data\.\n1480 bytes from 10\.244\.1\.45: icmp_seq=1 ttl=62 time=[\d.]+ ms\n/);
    assert.equal(parsePing(reply).outcome, 'reply');
    demo.dataplane.setFaults({ mtuBlackHoleAbove: 1450 });
    const lost = await exec(...WEB, ['ping', '-4', '-M', 'do', '-s', '1472', '-c', '1', '-W', '2', '--', '10.244.1.45']);
    assert.deepEqual([parsePing(lost).outcome, lost.exitCode], ['no-reply', 1]);
    demo.dataplane.setFaults({});
    const ss = await exec(...WEB, ['ss', '-tan']);
    assert.equal(ss.stdout.split('\n')[0]!.split(/\s+/).join(' '), readFixture('ss-tan.txt').stdout.split('\n')[0]!.split(/\s+/).join(' '));
    const parsed = parseSs(ss);
    assert.ok(parsed.outcome === 'ok' && parsed.counts.LISTEN === 1);
    const resolv = await exec(...WEB, ['cat', '/etc/resolv.conf']);
    assert.equal(resolv.stdout, 'search production.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
    const dmesg = await exec(...WEB, ['dmesg']);
    assert.deepEqual([dmesg.exitCode, dmesg.stderr], [1, 'dmesg: klogctl: Operation not permitted\n'], 'not privileged');
    const unknown = await exec(...WEB, ['tcpdump']);
    assert.equal(unknown.exitCode, null);
    assert.match(unknown.stderr, /executable file not found in \$PATH/);
  });
});
