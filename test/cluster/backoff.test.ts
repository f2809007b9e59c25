import { strict as assert } from 'node:assert';
import { Backoff } from '../../src/cluster/backoff';

describe('Backoff', () => {
  it('grows exponentially, is capped, and resets', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0, random: () => 0.5 });
    assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000, 1000]);
    assert.equal(b.failures, 6);
    b.reset();
    assert.equal(b.next(), 100);
  });

  it('jitters within the bounds, never above the cap', () => {
    const low = new Backoff({ initialMs: 100, maxMs: 150, jitter: 0.2, random: () => 0 });
    const high = new Backoff({ initialMs: 100, maxMs: 150, jitter: 0.2, random: () => 0.999999 });
    assert.equal(low.next(), 80);
    assert.equal(high.next(), 120);
    assert.equal(high.next(), 150);
    for (let i = 0; i < 100; i++) assert.ok(new Backoff({ initialMs: 10, maxMs: 40 }).next() <= 40);
  });
});
