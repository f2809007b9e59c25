/**
 * Fixed-size bitsets and square bit matrices over pod indices, the representation
 * the fast reachability engine does its set algebra in. Bit `i` lives in word
 * `i >>> 5` at bit `i & 31`.
 */

export type Bitset = Uint32Array;

export function wordsFor(n: number): number {
  return (n + 31) >>> 5;
}

export function newBitset(n: number): Bitset {
  return new Uint32Array(wordsFor(n));
}

/** A bitset with bits 0..n-1 set. */
export function fullBitset(n: number): Bitset {
  const b = new Uint32Array(wordsFor(n)).fill(0xffffffff);
  const tail = n & 31;
  if (tail !== 0) b[b.length - 1] = (1 << tail) - 1;
  return b;
}

export function setBit(b: Bitset, i: number): void {
  b[i >>> 5]! |= 1 << (i & 31);
}

export function hasBit(b: Bitset, i: number): boolean {
  return (b[i >>> 5]! & (1 << (i & 31))) !== 0;
}

/** a |= b */
export function orInto(a: Bitset, b: Bitset): void {
  for (let i = 0; i < a.length; i++) a[i]! |= b[i]!;
}

/** a &= b */
export function andInto(a: Bitset, b: Bitset): void {
  for (let i = 0; i < a.length; i++) a[i]! &= b[i]!;
}

/** a &= ~b */
export function andNotInto(a: Bitset, b: Bitset): void {
  for (let i = 0; i < a.length; i++) a[i]! &= ~b[i]!;
}

export function and(a: Bitset, b: Bitset): Bitset {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! & b[i]!;
  return out;
}

export function isEmpty(b: Bitset): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export function popcount(b: Bitset): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) n += popcount32(b[i]!);
  return n;
}

/** Indices of the set bits, ascending. */
export function* bitsOf(b: Bitset): Generator<number> {
  for (let w = 0; w < b.length; w++) {
    let x = b[w]!;
    while (x !== 0) {
      const low = x & -x;
      yield (w << 5) + 31 - Math.clz32(low);
      x ^= low;
    }
  }
}

/**
 * An n×n bit matrix stored row-major: row r occupies words [r*W, (r+1)*W).
 * Rows are padded to a multiple of 32 so 32×32 blocks can be transposed in place.
 */
export class BitMatrix {
  readonly words: number;
  readonly data: Uint32Array;
  private readonly paddedRows: number;

  constructor(readonly size: number) {
    this.words = wordsFor(size);
    this.paddedRows = this.words * 32;
    this.data = new Uint32Array(this.paddedRows * this.words);
  }

  row(r: number): Bitset {
    return this.data.subarray(r * this.words, (r + 1) * this.words);
  }

  get(r: number, c: number): boolean {
    return (this.data[r * this.words + (c >>> 5)]! & (1 << (c & 31))) !== 0;
  }

  set(r: number, c: number, value: boolean): void {
    const i = r * this.words + (c >>> 5);
    if (value) this.data[i]! |= 1 << (c & 31);
    else this.data[i]! &= ~(1 << (c & 31));
  }

  /** The transpose, computed with 32×32 block swaps (no per-bit loop). */
  transpose(): BitMatrix {
    const out = new BitMatrix(this.size);
    const W = this.words;
    const block = new Uint32Array(32);
    for (let bi = 0; bi < W; bi++) {
      for (let bj = 0; bj < W; bj++) {
        let any = 0;
        for (let k = 0; k < 32; k++) {
          const v = this.data[(bi * 32 + k) * W + bj]!;
          block[k] = v;
          any |= v;
        }
        if (any === 0) continue;
        transpose32(block);
        for (let k = 0; k < 32; k++) out.data[(bj * 32 + k) * W + bi] = block[k]!;
      }
    }
    return out;
  }

  /** Number of set bits in the whole matrix. */
  count(): number {
    return popcount(this.data);
  }
}

/**
 * Transposes a 32×32 bit block in place (row k, bit b) → (row b, bit k):
 * recursive swaps of off-diagonal quadrants (Hacker's Delight §7-3, LSB-first).
 */
export function transpose32(a: Uint32Array): void {
  let m = 0x0000ffff;
  for (let j = 16; j !== 0; j >>>= 1, m = (m ^ (m << j)) >>> 0) {
    for (let k = 0; k < 32; k = (k + j + 1) & ~j) {
      const t = ((a[k]! >>> j) ^ a[k + j]!) & m;
      a[k]! ^= t << j;
      a[k + j]! ^= t;
    }
  }
}
