import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  cidrContainsCidr, cidrContainsIp, cidrSize, formatAddressCount, formatCidr, formatIp, ipInBlock, parseCidr, parseIp,
} from '../../src/core/cidr';
import type { Cidr } from '../../src/core/model';

function cidr(text: string): Cidr {
  const r = parseCidr(text);
  assert.ok(r.ok, `expected ${text} to parse`);
  return r.value;
}

function ip(text: string) {
  const r = parseIp(text);
  assert.ok(r, `expected ${text} to parse`);
  return r;
}

describe('cidr', () => {
  it('masks host bits as the API server does and says so', () => {
    const c = cidr('10.20.30.40/24');
    assert.equal(formatCidr(c), '10.20.30.0/24');
    assert.equal(c.hostBitsSet, true);
    assert.equal(cidr('10.20.30.0/24').hostBitsSet, false);
    assert.equal(cidrSize(c), 256n);
  });

  it('rejects invalid prefixes and addresses with a message', () => {
    for (const [text, pattern] of [
      ['10.0.0.0/33', /0 to 32 for IPv4/],
      ['2001:db8::/129', /0 to 128 for IPv6/],
      ['10.0.0.256/8', /not an IPv4 or IPv6 address/],
      ['10.0.0.1', /has no prefix length.*10\.0\.0\.1\/32/],
      ['10.0.0.0/-1', /prefix length/],
      ['10.0.0.0/ 8', /prefix length/],
      ['1::2::3/64', /not an IPv4 or IPv6/],
      ['fe80::1%eth0/64', /not an IPv4 or IPv6/],
    ] as const) {
      const r = parseCidr(text);
      assert.equal(r.ok, false, text);
      if (!r.ok) assert.match(r.error, pattern);
    }
    const wrongType = parseCidr(42);
    assert.ok(!wrongType.ok && /not a number/.test(wrongType.error));
  });

  it('parses IPv6 forms, including an embedded IPv4 tail', () => {
    assert.equal(formatIp(ip('2001:0db8::1.2.3.4')), '2001:db8::102:304');
    assert.equal(formatIp(ip('::ffff:10.0.0.1')), '::ffff:a00:1');
    assert.equal(formatIp(ip('::')), '::');
    assert.equal(formatIp(ip('1:0:0:1:0:0:0:1')), '1:0:0:1::1');
    assert.equal(formatIp(ip('2001:db8:0:0:0:0:2:1')), '2001:db8::2:1');
    assert.equal(parseIp('1:2:3:4:5:6:7:8:9'), undefined);
    assert.equal(parseIp('1:2:3:4:5:6:7'), undefined);
    assert.equal(parseIp('::1.2.3'), undefined);
    assert.ok(cidrContainsIp(cidr('2001:db8::/32'), ip('2001:0db8::1.2.3.4')));
    assert.ok(!cidrContainsIp(cidr('2001:db8::/32'), ip('2001:0db9::')));
  });

  it('checks containment, families and except ranges', () => {
    assert.ok(cidrContainsCidr(cidr('10.0.0.0/8'), cidr('10.1.0.0/16')));
    assert.ok(!cidrContainsCidr(cidr('10.1.0.0/16'), cidr('10.0.0.0/8')));
    assert.ok(!cidrContainsIp(cidr('0.0.0.0/0'), ip('::1')), 'an IPv4 range never holds an IPv6 address');
    assert.ok(cidrContainsIp(cidr('0.0.0.0/0'), ip('8.8.8.8')));
    assert.ok(ipInBlock(ip('1.2.3.1'), cidr('1.2.3.0/24'), [cidr('1.2.3.0/30')]) === false);
    assert.ok(ipInBlock(ip('1.2.3.4'), cidr('1.2.3.0/24'), [cidr('1.2.3.0/30')]));
  });

  it('formats address counts for people', () => {
    assert.equal(formatAddressCount(256n), '256');
    assert.equal(formatAddressCount(16777216n), '16,777,216');
    assert.equal(formatAddressCount(cidrSize(cidr('::/0'))), '2^128');
  });

  it('round-trips every IPv4 and IPv6 address through format and parse', () => {
    fc.assert(fc.property(fc.ipV4(), (text) => formatIp(ip(text)) === text.split('.').map(Number).join('.')));
    fc.assert(fc.property(fc.ipV6(), (text) => ip(formatIp(ip(text))).value === ip(text).value));
  });

  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.anything()), (x) => {
      parseCidr(x);
      if (typeof x === 'string') parseIp(x);
    }));
  });
});
