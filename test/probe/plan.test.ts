import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  planConntrack,
  planDnsLookup,
  planHttp,
  planMtu,
  planPortCheck,
  planResolvConf,
  planSockets,
  type ProbePlan,
} from '../../src/core/probe/plan';
import { message, value } from './support';

describe('planPortCheck', () => {
  it('builds an OpenBSD nc argv with -- before the operands', () => {
    assert.deepEqual(value(planPortCheck({ host: '10.0.0.7', port: 5432 })), {
      id: 'tcp:10.0.0.7:5432',
      title: 'TCP connect to 10.0.0.7:5432',
      argv: ['nc', '-zv', '-w', '3', '--', '10.0.0.7', '5432'],
      timeoutMs: 6000,
    });
  });

  it('uses -vv for busybox nc, which is silent on a refusal with a single -v', () => {
    const plan = value(planPortCheck({ host: 'web.prod', port: '80' }, { variant: 'busybox', timeoutSeconds: 2 }));
    assert.deepEqual(plan.argv, ['busybox', 'nc', '-zvv', '-w', '2', '--', 'web.prod', '80']);
    assert.equal(plan.id, 'tcp-busybox:web.prod:80');
  });

  it('passes IPv6 literals without brackets and titles them with', () => {
    const plan = value(planPortCheck({ host: '[fd00::5]', port: 443, protocol: 'TCP' }));
    assert.deepEqual(plan.argv, ['nc', '-zv', '-w', '3', '--', 'fd00::5', '443']);
    assert.equal(plan.title, 'TCP connect to [fd00::5]:443');
  });

  it('explains why UDP and SCTP are not checked', () => {
    assert.match(message(planPortCheck({ host: '10.0.0.10', port: 53, protocol: 'UDP' })), /nc -z.*ICMP port-unreachable.*prove nothing/);
    assert.match(message(planPortCheck({ host: '10.0.0.10', port: 9999, protocol: 'SCTP' })), /SCTP/);
  });

  it('refuses hosts that could become options or commands, with the validation message', () => {
    assert.match(message(planPortCheck({ host: '-e', port: 80 })), /starts with '-'/);
    assert.match(message(planPortCheck({ host: 'a;reboot', port: 80 })), /shell metacharacter/);
    assert.match(message(planPortCheck({ host: 'a\nb', port: 80 })), /line break/);
    assert.match(message(planPortCheck({ host: 'web', port: '80;id' })), /Port/);
    assert.match(message(planPortCheck({ host: 'web', port: 80 }, { timeoutSeconds: 0 })), /Timeout/);
  });

  it('never puts an option-like or spaced user value into the argv', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.oneof(fc.string(), fc.integer()), (host, port) => {
        const r = planPortCheck({ host, port });
        if (!r.ok) return;
        const [h, p] = r.value.argv.slice(-2);
        assert.ok(h !== undefined && !h.startsWith('-') && !/\s/.test(h));
        assert.match(p ?? '', /^\d+$/);
      }),
    );
  });
});

describe('planDnsLookup', () => {
  it('applies the search list with bounded time and passes the name through -q', () => {
    assert.deepEqual(value(planDnsLookup('kubernetes.default')), {
      id: 'dns:A:kubernetes.default',
      title: 'DNS A lookup of kubernetes.default',
      argv: ['dig', '+search', '+time=2', '+tries=1', '-t', 'A', '-q', 'kubernetes.default'],
      timeoutMs: 9000,
    });
  });

  it('keeps a name that is also a record type a name', () => {
    assert.deepEqual(value(planDnsLookup('mx', { type: 'AAAA', timeoutSeconds: 1 })).argv, ['dig', '+search', '+time=1', '+tries=1', '-t', 'AAAA', '-q', 'mx']);
  });

  it('rejects dig options and unknown record types', () => {
    assert.match(message(planDnsLookup('+tcp')), /query option/);
    assert.match(message(planDnsLookup('example.com', { type: 'AXFR' as 'A' })), /Record type/);
  });

  it('reads resolv.conf with a fixed argv', () => {
    assert.deepEqual(planResolvConf().argv, ['cat', '/etc/resolv.conf']);
  });
});

describe('planHttp', () => {
  it('asks curl for %{json} timings, with globbing off and -- before the URL', () => {
    assert.deepEqual(value(planHttp({ host: 'web.prod.svc.cluster.local', port: 8080, path: '/healthz' }, { timeoutSeconds: 5 })), {
      id: 'http:http://web.prod.svc.cluster.local:8080/healthz',
      title: 'HTTP GET http://web.prod.svc.cluster.local:8080/healthz',
      argv: ['curl', '-sS', '-o', '/dev/null', '--globoff', '--max-time', '5', '-w', '%{json}', '--', 'http://web.prod.svc.cluster.local:8080/healthz'],
      timeoutMs: 8000,
    });
  });

  it('brackets IPv6 hosts and defaults the port by scheme', () => {
    assert.equal(value(planHttp({ host: '::1' })).argv.at(-1), 'http://[::1]:80/');
    assert.equal(value(planHttp({ scheme: 'https', host: 'api.example.com' })).argv.at(-1), 'https://api.example.com:443/');
  });

  it('rejects bad paths, schemes and hosts', () => {
    assert.match(message(planHttp({ host: 'web', path: '/a b' })), /Path/);
    assert.match(message(planHttp({ host: 'web', scheme: 'file' as 'http' })), /http or https/);
    assert.match(message(planHttp({ host: '--output' })), /starts with '-'/);
  });
});

describe('planMtu', () => {
  it('pings IPv4 with descending don\'t-fragment sizes from 1472 (1500 on the wire)', () => {
    const plans = value(planMtu('10.0.0.9'));
    assert.deepEqual(
      plans.map((p) => p.payload),
      [1472, 1452, 1422, 1392, 1372, 1272, 1172, 1000, 548],
    );
    assert.deepEqual(
      plans.map((p) => p.mtu),
      [1500, 1480, 1450, 1420, 1400, 1300, 1200, 1028, 576],
    );
    assert.deepEqual(plans[0], {
      id: 'mtu:10.0.0.9:1472',
      title: "Ping 10.0.0.9 with 1472 bytes, don't fragment (1500-byte packets)",
      argv: ['ping', '-4', '-M', 'do', '-s', '1472', '-c', '1', '-W', '2', '--', '10.0.0.9'],
      timeoutMs: 5000,
      payload: 1472,
      mtu: 1500,
    });
  });

  it('uses the 48-byte IPv6 overhead and stops at the IPv6 minimum MTU', () => {
    const plans = value(planMtu('fd00::9', { timeoutSeconds: 1 }));
    assert.deepEqual(
      plans.map((p) => p.payload),
      [1452, 1432, 1402, 1372, 1352, 1252, 1232],
    );
    assert.deepEqual(plans[0]?.argv, ['ping', '-6', '-M', 'do', '-s', '1452', '-c', '1', '-W', '1', '--', 'fd00::9']);
  });

  it('rejects a bad host', () => {
    assert.match(message(planMtu('10.0.0.9 -f')), /whitespace/);
  });
});

describe('socket and conntrack plans', () => {
  const argvs = (plans: ProbePlan[]): string[][] => plans.map((p) => p.argv);
  it('read the socket table and the ephemeral range', () => {
    assert.deepEqual(argvs(planSockets()), [
      ['ss', '-tan'],
      ['cat', '/proc/sys/net/ipv4/ip_local_port_range'],
    ]);
  });
  it('read the conntrack counters and the kernel log', () => {
    assert.deepEqual(argvs(planConntrack()), [
      ['cat', '/proc/sys/net/netfilter/nf_conntrack_count'],
      ['cat', '/proc/sys/net/netfilter/nf_conntrack_max'],
      ['dmesg'],
    ]);
  });
});
