import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BitMatrix, bitsOf, fullBitset, popcount, transpose32 } from '../../src/core/engine/bitset';

describe('bitset', () => {
  it('transposes a 32×32 block exactly', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 32, maxLength: 32 }), (words) => {
      const a = Uint32Array.from(words);
      transpose32(a);
      for (let r = 0; r < 32; r++) for (let c = 0; c < 32; c++) assert.equal((a[r]! >>> c) & 1, (words[c]! >>> r) & 1);
    }));
  });

  it('transposes matrices whose size is not a multiple of 32', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 90 }), fc.array(fc.tuple(fc.nat(89), fc.nat(89)), { maxLength: 200 }), (n, cells) => {
      const m = new BitMatrix(n);
      for (const [r, c] of cells) if (r < n && c < n) m.set(r, c, true);
      const t = m.transpose();
      for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) assert.equal(t.get(c, r), m.get(r, c));
      assert.equal(t.count(), m.count());
    }));
  });

  it('full bitsets have exactly n bits and enumerate in order', () => {
    for (const n of [0, 1, 31, 32, 33, 100]) {
      const b = fullBitset(n);
      assert.equal(popcount(b), n);
      assert.deepEqual([...bitsOf(b)], Array.from({ length: n }, (_, i) => i));
    }
  });
});
