import assert from 'node:assert/strict';
import fc from 'fast-check';
import { explain } from '../../src/core/engine/explain';
import { ReachIndex } from '../../src/core/engine/reach-index';
import { naiveAllowed, naiveMatrix } from '../support/naive';
import { PROTOCOLS, QUERY_PORTS, clusterArb } from '../support/random-cluster';

describe('fast engine == naive reference on random clusters', () => {
  it('matrix agrees with the naive pair-by-pair evaluator (2,000 clusters)', () => {
    fc.assert(
      fc.property(clusterArb(), fc.constantFrom(...QUERY_PORTS), fc.constantFrom(...PROTOCOLS), (snap, port, protocol) => {
        const { matrix } = new ReachIndex(snap).matrix(port, protocol);
        const expected = naiveMatrix(snap, port, protocol);
        for (let i = 0; i < snap.pods.length; i++) {
          for (let j = 0; j < snap.pods.length; j++) {
            if (matrix.get(i, j) !== expected[i]![j]) {
              assert.fail(`${snap.pods[i]!.name} → ${snap.pods[j]!.name} on ${port}/${protocol}: fast=${matrix.get(i, j)} naive=${expected[i]![j]}`);
            }
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('single queries and explanations agree with the naive evaluator (1,000 clusters)', () => {
    fc.assert(
      fc.property(clusterArb(), fc.constantFrom(...QUERY_PORTS), fc.constantFrom(...PROTOCOLS), (snap, port, protocol) => {
        const index = new ReachIndex(snap);
        snap.pods.forEach((a, i) =>
          snap.pods.forEach((b, j) => {
            const want = naiveAllowed(snap, { pod: a }, { pod: b }, port, protocol);
            assert.equal(index.allowed(i, j, port, protocol), want, `index ${a.name} → ${b.name}`);
            const v = explain(snap, { kind: 'pod', pod: a }, { kind: 'pod', pod: b }, { port, protocol });
            assert.equal(v.allowed, want, `explain ${a.name} → ${b.name}: ${v.summary}`);
            if (!want) assert.ok([v.egress, v.ingress].some((d) => !d.allowed && d.misses.length > 0), 'a denial names at least one nearest miss');
          }),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('explanations agree with the naive evaluator for addresses outside the cluster', () => {
    fc.assert(
      fc.property(clusterArb(), fc.nat(255), fc.constantFrom(...QUERY_PORTS), fc.constantFrom(...PROTOCOLS), (snap, host, port, protocol) => {
        const ipText = `10.0.0.${host}`;
        const ip = { family: 4 as const, value: BigInt(167772160 + host) };
        for (const pod of snap.pods) {
          assert.equal(explain(snap, { kind: 'pod', pod }, { kind: 'external', ip }, { port, protocol }).allowed, naiveAllowed(snap, { pod }, { ip: ipText }, port, protocol));
          assert.equal(explain(snap, { kind: 'external', ip }, { kind: 'pod', pod }, { port, protocol }).allowed, naiveAllowed(snap, { ip: ipText }, { pod }, port, protocol));
        }
      }),
      { numRuns: 500 },
    );
  });
});
