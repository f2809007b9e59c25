/**
 * Fuzzing the CIDR/IP parser and label selectors against plain restatements of their specs.
 *
 * CIDRs: parsing never throws and always finishes, messages stay short, formatting round-trips,
 * containment agrees with interval arithmetic on [first, last] (a /n holds its own network and
 * broadcast addresses and nothing outside them), and ipBlock's `except` is exactly "inside
 * cidr and inside no except". Selectors: `selectorMatches` agrees with the API reference's
 * wording, written here as independently as possible.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  cidrBounds,
  cidrContainsCidr,
  cidrContainsIp,
  cidrSize,
  cidrsOverlap,
  formatCidr,
  formatIp,
  hostCidr,
  ipInBlock,
  parseCidr,
  parseIp,
  type IpAddress,
} from '../../src/core/cidr';
import type { Cidr, LabelSelector, LabelSelectorRequirement, Labels } from '../../src/core/model';
import { selectorMatches, unmetRequirements } from '../../src/core/selector';
import { params, Slowest } from './budget';

const BITS = { 4: 32, 6: 128 } as const;

const family = fc.constantFrom<4 | 6>(4, 6);

/** An address, biased towards the edges of the space (0, all ones, around powers of two). */
function addressOf(f: 4 | 6): fc.Arbitrary<IpAddress> {
  const max = (1n << BigInt(BITS[f])) - 1n;
  return fc
    .oneof(
      fc.bigInt({ min: 0n, max }),
      fc.constantFrom(0n, max, 1n, max - 1n),
      fc.integer({ min: 0, max: BITS[f] - 1 }).map((k) => 1n << BigInt(k)),
      fc.integer({ min: 1, max: BITS[f] }).map((k) => (1n << BigInt(k)) - 1n),
    )
    .map((value) => ({ family: f, value }));
}
const address = family.chain(addressOf);

function cidrOf(f: 4 | 6): fc.Arbitrary<{ cidr: Cidr; ip: IpAddress }> {
  return fc.tuple(addressOf(f), fc.integer({ min: 0, max: BITS[f] })).map(([ip, prefix]) => {
    const r = parseCidr(`${formatIp(ip)}/${prefix}`);
    if (!r.ok) throw new Error(r.error);
    return { cidr: r.value, ip };
  });
}
const cidr = family.chain(cidrOf);

/** Near-misses of addresses and CIDRs, plus anything at all. */
const PIECES = ['1', '0', '255', '256', '00', '010', 'ff', 'FFFF', 'g', '.', ':', '::', '/', '/0', '/32', '/33', '/128', '/129', '%eth0', ' ', '\t', '\n', '-', '+', '[', ']', '1.2.3.4', 'é', '٣', '０'];
const nearMiss = fc.oneof(
  fc.array(fc.constantFrom(...PIECES), { maxLength: 16 }).map((p) => p.join('')),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.ipV4Extended(),
  fc.ipV6(),
  fc.tuple(fc.oneof(fc.ipV4(), fc.ipV6()), fc.integer({ min: -5, max: 200 })).map(([a, p]) => `${a}/${p}`),
  fc.constantFrom('9'.repeat(100_000), `${'1.'.repeat(50_000)}1/8`, `${'f:'.repeat(50_000)}/64`, `10.0.0.0/${'0'.repeat(50_000)}8`),
);

function interval(c: Cidr): [bigint, bigint] {
  const { first, last } = cidrBounds(c);
  return [first.value, last.value];
}

/** ipBlock membership from the API reference: in cidr, and in none of the except ranges. */
function inBlockSpec(ip: IpAddress, block: Cidr, except: readonly Cidr[]): boolean {
  const within = (c: Cidr): boolean => {
    if (c.family !== ip.family) return false;
    const [lo, hi] = interval(c);
    return lo <= ip.value && ip.value <= hi;
  };
  return within(block) && !except.some(within);
}

describe('hardening: CIDR and IP fuzzing', () => {
  it('parseCidr and parseIp never throw, finish, and give short one-line messages', () => {
    const slow = new Slowest('cidr parse');
    fc.assert(
      fc.property(nearMiss, (text) => {
        const r = slow.measure(() => parseCidr(text), () => JSON.stringify(text.slice(0, 80)));
        slow.measure(() => parseIp(text));
        if (!r.ok) {
          assert.ok(r.error.length > 10 && r.error.length < 400, `message of ${r.error.length} characters for ${JSON.stringify(text.slice(0, 40))}`);
          assert.doesNotMatch(r.error, /[\r\n]/, 'one line');
        } else {
          assert.ok(r.value.prefix >= 0 && r.value.prefix <= BITS[r.value.family]);
          assert.equal(r.value.network & ~((1n << BigInt(BITS[r.value.family])) - 1n), 0n, 'the network fits the family');
        }
      }),
      params(2),
    );
    slow.report();
  });

  it('the API server reads CIDRs without trimming: surrounding whitespace is rejected', () => {
    for (const text of [' 10.0.0.0/8', '10.0.0.0/8 ', '\t10.0.0.0/8', '10.0.0.0/8\n', ' fd00::/8']) {
      const r = parseCidr(text);
      assert.equal(r.ok, false, JSON.stringify(text));
      if (!r.ok) assert.match(r.error, /space/);
    }
  });

  it('formats round-trip: format(parse(format(x))) == format(x), for addresses and CIDRs', () => {
    const slow = new Slowest('cidr round trip');
    fc.assert(
      fc.property(address, (ip) => {
        const text = slow.measure(() => formatIp(ip));
        const back = slow.measure(() => parseIp(text));
        assert.deepEqual(back, ip, text);
        assert.equal(formatIp(back!), text);
      }),
      params(2),
    );
    fc.assert(
      fc.property(cidr, ({ cidr: c, ip }) => {
        const text = formatCidr(c);
        const again = slow.measure(() => parseCidr(text));
        assert.ok(again.ok, text);
        assert.equal(formatCidr(again.value), text);
        assert.equal(again.value.hostBitsSet, false, 'canonical text has no host bits');
        assert.equal(c.hostBitsSet, c.network !== ip.value);
        assert.equal(again.value.network, c.network);
      }),
      params(2),
    );
    slow.report();
  });

  it('a /n holds its own network and broadcast address, and nothing just outside them', () => {
    const slow = new Slowest('cidr bounds');
    fc.assert(
      fc.property(cidr, ({ cidr: c, ip }) => {
        const { first, last } = slow.measure(() => cidrBounds(c));
        const max = (1n << BigInt(BITS[c.family])) - 1n;
        assert.ok(cidrContainsIp(c, first) && cidrContainsIp(c, last) && cidrContainsIp(c, ip), formatCidr(c));
        assert.equal(last.value - first.value + 1n, cidrSize(c));
        if (first.value > 0n) assert.ok(!cidrContainsIp(c, { family: c.family, value: first.value - 1n }));
        if (last.value < max) assert.ok(!cidrContainsIp(c, { family: c.family, value: last.value + 1n }));
        assert.ok(cidrContainsCidr(c, c), 'reflexive');
        assert.ok(cidrContainsCidr(c, hostCidr(first)) && cidrContainsCidr(c, hostCidr(last)));
        const other = c.family === 4 ? { family: 6 as const, value: first.value } : { family: 4 as const, value: first.value & 0xffffffffn };
        assert.ok(!cidrContainsIp(c, other), 'never across families');
      }),
      params(2),
    );
  });

  it('containment and overlap agree with interval arithmetic', () => {
    const slow = new Slowest('cidr containment');
    fc.assert(
      fc.property(family.chain((f) => fc.tuple(cidrOf(f), cidrOf(f), addressOf(f))), ([{ cidr: a }, { cidr: b }, ip]) => {
        slow.measure(() => [cidrContainsCidr(a, b), cidrsOverlap(a, b), cidrContainsIp(a, ip)]);
        const [alo, ahi] = interval(a);
        const [blo, bhi] = interval(b);
        assert.equal(cidrContainsCidr(a, b), alo <= blo && bhi <= ahi, `${formatCidr(a)} ⊇ ${formatCidr(b)}`);
        assert.equal(cidrsOverlap(a, b), alo <= bhi && blo <= ahi, `${formatCidr(a)} ∩ ${formatCidr(b)}`);
        assert.equal(cidrsOverlap(a, b), cidrsOverlap(b, a), 'overlap is symmetric');
        // CIDRs nest or are disjoint.
        if (cidrsOverlap(a, b)) assert.ok(cidrContainsCidr(a, b) || cidrContainsCidr(b, a));
        assert.equal(cidrContainsIp(a, ip), alo <= ip.value && ip.value <= ahi);
        // Transitivity through the address.
        if (cidrContainsCidr(a, b) && cidrContainsIp(b, ip)) assert.ok(cidrContainsIp(a, ip));
      }),
      params(2),
    );
  });

  it('ipBlock with except: inside cidr and outside every except, and except ranges only ever remove', () => {
    const slow = new Slowest('ipBlock except');
    const block = family.chain((f) =>
      fc.tuple(
        cidrOf(f),
        fc.array(fc.oneof(cidrOf(f), cidrOf(f === 4 ? 6 : 4)), { maxLength: 4 }),
        fc.array(addressOf(f), { minLength: 1, maxLength: 8 }),
      ),
    );
    fc.assert(
      fc.property(block, ([{ cidr: c }, ex, ips]) => {
        const except = ex.map((e) => e.cidr);
        // Addresses at the edges of every range, besides random ones.
        const probes = [...ips, ...[c, ...except].flatMap((r) => Object.values(cidrBounds(r)))];
        for (const ip of probes) {
          const got = slow.measure(() => ipInBlock(ip, c, except));
          assert.equal(got, inBlockSpec(ip, c, except), `${formatIp(ip)} in ${formatCidr(c)} except ${except.map(formatCidr).join(',')}`);
          if (got) assert.ok(ipInBlock(ip, c, []), 'except only removes');
          // An except range that does not overlap the cidr changes nothing.
          const relevant = except.filter((e) => cidrsOverlap(e, c));
          assert.equal(ipInBlock(ip, c, relevant), got);
        }
      }),
      params(2),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Selectors

const KEYS = ['app', 'tier', 'app.kubernetes.io/name', 'team', 'env', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', ''];
const VALUES = ['web', 'db', 'api', '', 'a', 'prod', 'true', 'constructor'];
const key = fc.constantFrom(...KEYS);
const labelValue = fc.constantFrom(...VALUES);

/** Labels as a plain object built without prototype tricks (a `__proto__` key is an own property here). */
const labels: fc.Arbitrary<Labels> = fc.array(fc.tuple(key, labelValue), { maxLength: 5 }).map((entries) => {
  const out: Record<string, string> = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
});

const requirement: fc.Arbitrary<LabelSelectorRequirement> = fc.oneof(
  fc.record({ key, operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.array(labelValue, { minLength: 1, maxLength: 3 }) }),
  fc.record({ key, operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const), values: fc.constant([] as string[]) }),
);

const selector: fc.Arbitrary<LabelSelector> = fc.record({ matchLabels: labels, matchExpressions: fc.array(requirement, { maxLength: 4 }) });

/**
 * The API reference, restated: "matchLabels is a map of {key,value} pairs. A single {key,value}
 * in the matchLabels map is equivalent to an element of matchExpressions, whose key field is
 * "key", the operator is "In", and the values array contains only "value". The requirements are
 * ANDed." In: the label is present and its value is in the set; NotIn: absent, or its value is
 * not in the set; Exists: present; DoesNotExist: absent. An empty selector matches everything.
 */
function specMatches(sel: LabelSelector, l: Labels): boolean {
  const present = Object.keys(l);
  const valueOf = (k: string): string | undefined => (present.includes(k) ? Object.getOwnPropertyDescriptor(l, k)!.value as string : undefined);
  const reqs: LabelSelectorRequirement[] = [
    ...Object.keys(sel.matchLabels).map((k) => ({ key: k, operator: 'In' as const, values: [Object.getOwnPropertyDescriptor(sel.matchLabels, k)!.value as string] })),
    ...sel.matchExpressions,
  ];
  return reqs.every((r) => {
    const v = valueOf(r.key);
    switch (r.operator) {
      case 'In':
        return v !== undefined && r.values.includes(v);
      case 'NotIn':
        return v === undefined || !r.values.includes(v);
      case 'Exists':
        return v !== undefined;
      case 'DoesNotExist':
        return v === undefined;
    }
  });
}

describe('hardening: selector fuzzing', () => {
  it('selectorMatches agrees with the API reference restated, and unmetRequirements names exactly what fails', () => {
    const slow = new Slowest('selector');
    fc.assert(
      fc.property(selector, labels, (sel, l) => {
        const got = slow.measure(() => selectorMatches(sel, l));
        assert.equal(got, specMatches(sel, l), `${JSON.stringify(sel)} on ${JSON.stringify(l)}`);
        const unmet = unmetRequirements(sel, l);
        assert.equal(unmet.length === 0, got, `unmet ${JSON.stringify(unmet)}`);
      }),
      params(3),
    );
    slow.report();
  });

  it('the empty selector matches everything; adding a requirement never widens a selector', () => {
    const slow = new Slowest('selector narrowing');
    fc.assert(
      fc.property(selector, requirement, labels, (sel, extra, l) => {
        assert.ok(slow.measure(() => selectorMatches({ matchLabels: {}, matchExpressions: [] }, l)));
        const narrower = { ...sel, matchExpressions: [...sel.matchExpressions, extra] };
        if (selectorMatches(narrower, l)) assert.ok(selectorMatches(sel, l));
      }),
      params(2),
    );
  });

  it('a label named like an Object.prototype member is only there when the pod has it', () => {
    const none: Labels = {};
    for (const k of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      assert.equal(selectorMatches({ matchLabels: {}, matchExpressions: [{ key: k, operator: 'Exists', values: [] }] }, none), false, k);
      assert.equal(selectorMatches({ matchLabels: {}, matchExpressions: [{ key: k, operator: 'DoesNotExist', values: [] }] }, none), true, k);
      assert.equal(selectorMatches({ matchLabels: {}, matchExpressions: [{ key: k, operator: 'NotIn', values: ['x'] }] }, none), true, k);
    }
  });
});
