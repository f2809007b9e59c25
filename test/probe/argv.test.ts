import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateDnsName, validateHost, validatePort, validateTimeoutSeconds, validateUrlPath, type Validated } from '../../src/core/probe/argv';

function rejected<T>(r: Validated<T>, why: RegExp): void {
  assert.equal(r.ok, false, `expected a rejection matching ${why}`);
  if (!r.ok) assert.match(r.message, why);
}

describe('validateHost', () => {
  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['web;id', /';', a shell metacharacter/],
    ['web|nc', /'\|'/],
    ['$(id)', /'\$'/],
    ['`id`', /'`'/],
    ["we'b", /"'"|'''/],
    ['a&b', /'&'/],
    ['a>b', /'>'/],
    ['web*', /'\*'/],
    ['web\nevil.com', /line break/],
    ['web\r', /line break/],
    ['web evil', /whitespace/],
    [' web', /whitespace/],
    ['web\t', /whitespace/],
    ['web\u0000', /control character/],
    ['-e', /starts with '-'.*option/],
    ['--output', /starts with '-'/],
    ['-oProxyCommand=x', /starts with '-'/],
    ['exämple.com', /non-ASCII character 'ä'.*punycode/],
    ['例え.jp', /non-ASCII/],
    ['web\u00a0prod', /whitespace/],
    ['http://web', /URL/],
    ['10.0.0.0/8', /URL or a CIDR/],
    ['10.0.0.1:80', /IPv6.*Give the port separately/],
    ['010.0.0.1', /leading zero.*octal/],
    ['256.1.1.1', /greater than 255/],
    ['1.2.3', /four dot-separated/],
    ['2130706433', /four dot-separated/],
    ['example.123', /all digits/],
    ['a..b', /empty label/],
    ['.a', /empty label/],
    ['a-.com', /starts or ends with '-'/],
    ['under_score.com', /'_' is not allowed/],
    [`${'a'.repeat(64)}.com`, /longer than 63/],
    [`${'a.'.repeat(127)}ab`, /longer than 253/],
    ['[example.com]', /brackets are only for IPv6/],
    ['1::2::3', /'::' may appear only once/],
    ['fe80::1%eth0', /zone ids/],
    ['1:2:3:4:5:6:7', /eight groups/],
    ['12345::1', /hex digits/],
    ['::ffff:300.1.1.1', /embedded IPv4/],
    ['1.2.3.4::', /hex digits/],
  ];
  for (const [input, why] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => rejected(validateHost(input), why));
  }

  const good: Array<[string, string, string]> = [
    ['example.com', 'dns', 'example.com'],
    ['example.com.', 'dns', 'example.com.'],
    ['web.prod.svc.cluster.local', 'dns', 'web.prod.svc.cluster.local'],
    ['xn--e1afmkfd.xn--p1ai', 'dns', 'xn--e1afmkfd.xn--p1ai'],
    ['localhost', 'dns', 'localhost'],
    ['3com.example', 'dns', '3com.example'],
    ['10.96.0.10', 'ipv4', '10.96.0.10'],
    ['0.0.0.0', 'ipv4', '0.0.0.0'],
    ['::1', 'ipv6', '::1'],
    ['::', 'ipv6', '::'],
    ['[2001:db8::1]', 'ipv6', '2001:db8::1'],
    ['2001:DB8:0:0:1:2:3:4', 'ipv6', '2001:db8:0:0:1:2:3:4'],
    ['::ffff:10.0.0.1', 'ipv6', '::ffff:10.0.0.1'],
    ['fd00:10:244::5', 'ipv6', 'fd00:10:244::5'],
  ];
  for (const [input, kind, value] of good) {
    it(`accepts ${input} as ${kind}`, () => assert.deepEqual(validateHost(input), { ok: true, value: { kind, value } }));
  }

  it('never accepts anything option-like, spaced or with shell metacharacters', () => {
    // Host-shaped pieces mixed with dangerous ones, so that valid hosts and near misses both come up.
    const piece = fc.constantFrom('a', 'Z', '0', '1', 'f', '.', '-', ':', '::', '[', ']', ' ', '\n', ';', '$', '`', '|', 'é', '_', '/', '%');
    const hostish = fc.array(piece, { maxLength: 12 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.oneof(hostish, fc.string({ unit: 'binary' })), (s) => {
        const r = validateHost(s);
        if (r.ok) assert.match(r.value.value, /^[A-Za-z0-9:][A-Za-z0-9.:-]*$/);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('validateDnsName', () => {
  it('accepts service-record names and short names', () => {
    assert.deepEqual(validateDnsName('_http._tcp.web.prod.svc.cluster.local'), { ok: true, value: '_http._tcp.web.prod.svc.cluster.local' });
    assert.deepEqual(validateDnsName('mx'), { ok: true, value: 'mx' });
  });
  it('calls out what dig would do with + and @', () => {
    rejected(validateDnsName('+short'), /dig would read as a query option/);
    rejected(validateDnsName('@8.8.8.8'), /dig would read as a server/);
  });
  it('rejects addresses and the common problems', () => {
    rejected(validateDnsName('10.0.0.1'), /IP address/);
    rejected(validateDnsName('::1'), /IP address/);
    rejected(validateDnsName('-x'), /starts with '-'/);
    rejected(validateDnsName('a b'), /whitespace/);
    rejected(validateDnsName('a;b'), /shell metacharacter/);
    rejected(validateDnsName('a:b'), /':' is not allowed/);
  });
});

describe('validatePort', () => {
  it('accepts 1-65535 as numbers or digits', () => {
    assert.deepEqual(validatePort(1), { ok: true, value: 1 });
    assert.deepEqual(validatePort(65535), { ok: true, value: 65535 });
    assert.deepEqual(validatePort('443'), { ok: true, value: 443 });
    assert.deepEqual(validatePort('080'), { ok: true, value: 80 });
  });
  for (const p of [0, 65536, -1, 1.5, Number.NaN, Infinity, '', ' 80', '80a', '0x50', '+80', '1e3', '-80', '65536', '80\n']) {
    it(`rejects ${JSON.stringify(String(p))}`, () => rejected(validatePort(p), /not a number from 1 to 65535/));
  }
});

describe('validateUrlPath', () => {
  it('accepts paths with queries', () => {
    assert.deepEqual(validateUrlPath('/healthz?verbose=1&x=%2F'), { ok: true, value: '/healthz?verbose=1&x=%2F' });
  });
  it('rejects what does not belong in a path', () => {
    rejected(validateUrlPath('healthz'), /must start with '\/'/);
    rejected(validateUrlPath('/a b'), /" "/);
    rejected(validateUrlPath('/a\nb'), /"\\n"/);
    rejected(validateUrlPath('/a#b'), /"#"/);
    rejected(validateUrlPath('/{a,b}'), /"\{"/);
    rejected(validateUrlPath('/[1-9]'), /"\["/);
    rejected(validateUrlPath('/a%2'), /%XX/);
    rejected(validateUrlPath('/é'), /"é"/);
  });
});

describe('validateTimeoutSeconds', () => {
  it('accepts whole seconds from 1 to 60', () => {
    assert.deepEqual(validateTimeoutSeconds(1), { ok: true, value: 1 });
    assert.deepEqual(validateTimeoutSeconds(60), { ok: true, value: 60 });
  });
  for (const t of [0, 61, 1.5, -1, Number.NaN]) {
    it(`rejects ${t}`, () => rejected(validateTimeoutSeconds(t), /whole number of seconds/));
  }
});
