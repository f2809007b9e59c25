/**
 * A compact tree of one file's YAML/JSON nodes, shared by the parsers (which build it) and the
 * converters (which read it), and kept afterwards only as the source map behind `SourceRef.at`.
 *
 * Why not keep the `yaml` library's nodes: a 10k-pod `kubectl get -o yaml` dump has about two
 * million nodes, and yaml's node objects cost hundreds of bytes each. Here a node is six
 * int32s in one growable array (preorder, with subtree sizes, so children are found by
 * skipping), map keys are interned strings, and scalar values are decoded from the text only
 * when a converter asks for them. After loading, objects keep the array, the interned names
 * and the line index, not the text.
 */
import type { Range } from '../model';
import type { LineIndex } from './text';

export const T_MAP = 1;
export const T_SEQ = 2;
export const T_SCALAR = 3;
export type NodeType = typeof T_MAP | typeof T_SEQ | typeof T_SCALAR;

/** How a scalar's value is obtained: from the side table, or decoded lazily from the text. */
export const S_VALUE = 0;
export const S_PLAIN = 1;
export const S_SINGLE = 2;
export const S_DOUBLE = 3;
export const S_JSON_STRING = 4;
export const S_JSON_LITERAL = 5;

const STRIDE = 6;
const META = 0;
const KEY_START = 1;
const KEY_END = 2;
const VAL_START = 3;
const VAL_END = 4;
const SIZE = 5;

// META packs the node type (2 bits), the scalar style (3 bits) and nameId + 1 (0: no name).
const TYPE_MASK = 3;
const STYLE_SHIFT = 2;
const STYLE_MASK = 7;
const NAME_SHIFT = 5;

/** Decodes a lazily stored scalar; supplied by the parser that stored it. */
export type ScalarDecoder = (style: number, text: string, start: number, end: number) => unknown;

/** Builds a file's tree node by node (preorder); parsers call `open`/`close` around children. */
export class TreeBuilder {
  private arena = new Int32Array(STRIDE * 256);
  count = 0;
  /** End offset of the last node closed or added, which is where an enclosing collection ends. */
  lastEnd = 0;
  readonly names: string[] = [];
  private readonly nameIds = new Map<string, number>();
  readonly values = new Map<number, unknown>();

  intern(name: string): number {
    let id = this.nameIds.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(detach(name));
      this.nameIds.set(name, id);
    }
    return id;
  }

  private alloc(): number {
    const idx = this.count++;
    if ((idx + 1) * STRIDE > this.arena.length) {
      const next = new Int32Array(this.arena.length * 2);
      next.set(this.arena);
      this.arena = next;
    }
    return idx;
  }

  /** Starts a collection; children follow until `close`. `nameId` is -1 for list items and roots. */
  open(type: typeof T_MAP | typeof T_SEQ, nameId: number, keyStart: number, keyEnd: number, valStart: number): number {
    const idx = this.alloc();
    const a = this.arena;
    const o = idx * STRIDE;
    a[o + META] = type | ((nameId + 1) << NAME_SHIFT);
    a[o + KEY_START] = keyStart;
    a[o + KEY_END] = keyEnd;
    a[o + VAL_START] = valStart;
    a[o + VAL_END] = valStart;
    a[o + SIZE] = 1;
    return idx;
  }

  /** Ends a collection at `valEnd` (default: where its last child ended). */
  close(idx: number, valEnd?: number): void {
    const o = idx * STRIDE;
    const end = valEnd ?? Math.max(this.lastEnd, this.arena[o + VAL_START]!);
    this.arena[o + VAL_END] = end;
    this.arena[o + SIZE] = this.count - idx;
    this.lastEnd = end;
  }

  scalar(style: number, nameId: number, keyStart: number, keyEnd: number, valStart: number, valEnd: number, value?: unknown): number {
    const idx = this.alloc();
    const a = this.arena;
    const o = idx * STRIDE;
    a[o + META] = T_SCALAR | (style << STYLE_SHIFT) | ((nameId + 1) << NAME_SHIFT);
    a[o + KEY_START] = keyStart;
    a[o + KEY_END] = keyEnd;
    a[o + VAL_START] = valStart;
    a[o + VAL_END] = valEnd;
    a[o + SIZE] = 1;
    if (style === S_VALUE) this.values.set(idx, value);
    this.lastEnd = valEnd;
    return idx;
  }

  /** Whether map `idx` already has a child with this name (merge keys never override). */
  hasChildNamed(idx: number, nameId: number): boolean {
    const a = this.arena;
    const end = this.count;
    for (let c = idx + 1; c < end; ) {
      const o = c * STRIDE;
      if (a[o + META]! >>> NAME_SHIFT === nameId + 1) return true;
      // Children still open have SIZE 1 until closed; they are the last ones, so this stops.
      c += a[o + SIZE]!;
    }
    return false;
  }

  finish(text: string, lines: LineIndex, decode: ScalarDecoder): Tree {
    // Trim the spare capacity: the array outlives the load as the objects' source map.
    const arena = this.arena.slice(0, this.count * STRIDE);
    return new Tree(new SourceIndex(arena, this.names, lines), text, this.values, decode);
  }
}

/** What `SourceRef.at` needs after loading: node offsets, key names and the line index. */
export class SourceIndex {
  constructor(
    readonly arena: Int32Array,
    readonly names: readonly string[],
    readonly lines: LineIndex,
  ) {}

  type(i: number): NodeType {
    return (this.arena[i * STRIDE + META]! & TYPE_MASK) as NodeType;
  }
  style(i: number): number {
    return (this.arena[i * STRIDE + META]! >>> STYLE_SHIFT) & STYLE_MASK;
  }
  /** The map key of node `i`, or undefined for list items and roots. */
  name(i: number): string | undefined {
    const id = (this.arena[i * STRIDE + META]! >>> NAME_SHIFT) - 1;
    return id < 0 ? undefined : this.names[id];
  }
  size(i: number): number {
    return this.arena[i * STRIDE + SIZE]!;
  }
  valStart(i: number): number {
    return this.arena[i * STRIDE + VAL_START]!;
  }
  valEnd(i: number): number {
    return this.arena[i * STRIDE + VAL_END]!;
  }
  keyStart(i: number): number {
    return this.arena[i * STRIDE + KEY_START]!;
  }
  keyEnd(i: number): number {
    return this.arena[i * STRIDE + KEY_END]!;
  }
  valueRange(i: number): Range {
    return this.lines.rangeOf(this.valStart(i), this.valEnd(i));
  }
  /** The key's range for map entries, undefined for list items and roots. */
  keyRange(i: number): Range | undefined {
    const s = this.keyStart(i);
    return s < 0 ? undefined : this.lines.rangeOf(s, this.keyEnd(i));
  }

  /** Child node indexes of a collection, in source order. */
  children(i: number): number[] {
    const out: number[] = [];
    const end = i + this.size(i);
    for (let c = i + 1; c < end; c += this.size(c)) out.push(c);
    return out;
  }

  /** The map entry `name` of `i` (the last one when a key is repeated, as the API server reads it), or -1. */
  child(i: number, name: string): number {
    if (this.type(i) !== T_MAP) return -1;
    let found = -1;
    const end = i + this.size(i);
    for (let c = i + 1; c < end; c += this.size(c)) {
      if (this.name(c) === name) found = c;
    }
    return found;
  }

  /**
   * Resolves a dotted path below node `root`. Keys may themselves contain dots
   * (`app.kubernetes.io/name`), so at each map every key that is a prefix of the rest of the
   * path is tried, longest first.
   */
  find(root: number, path: string): number {
    if (path === '') return root;
    const t = this.type(root);
    if (t === T_SEQ) {
      const dot = path.indexOf('.');
      const seg = dot < 0 ? path : path.slice(0, dot);
      if (!/^(0|[1-9]\d*)$/.test(seg)) return -1;
      let n = Number(seg);
      const end = root + this.size(root);
      for (let c = root + 1; c < end; c += this.size(c)) {
        if (n-- === 0) return dot < 0 ? c : this.find(c, path.slice(dot + 1));
      }
      return -1;
    }
    if (t !== T_MAP) return -1;
    // Candidates: keys equal to the path or to a dotted prefix of it. The longest key wins
    // (`a.b` over `a` then `b`), and of repeated keys the last, as the API server reads it.
    const candidates: number[] = [];
    const end = root + this.size(root);
    for (let c = root + 1; c < end; c += this.size(c)) {
      const name = this.name(c);
      if (name === undefined || !path.startsWith(name)) continue;
      if (path.length === name.length || path.charCodeAt(name.length) === 46 /* . */) candidates.push(c);
    }
    candidates.reverse().sort((a, b) => this.name(b)!.length - this.name(a)!.length);
    for (const c of candidates) {
      const name = this.name(c)!;
      if (path.length === name.length) return c;
      const r = this.find(c, path.slice(name.length + 1));
      if (r >= 0) return r;
    }
    return -1;
  }
}

/** The tree plus what is only needed while converting: the text and the decoded scalars. */
export class Tree {
  constructor(
    readonly index: SourceIndex,
    readonly text: string,
    private readonly values: Map<number, unknown>,
    private readonly decode: ScalarDecoder,
  ) {}

  type(i: number): NodeType {
    return this.index.type(i);
  }
  child(i: number, name: string): number {
    return this.index.child(i, name);
  }
  children(i: number): number[] {
    return this.index.children(i);
  }
  name(i: number): string | undefined {
    return this.index.name(i);
  }

  /** The value of a scalar node: string, number, boolean, null, or another YAML type (a Date). */
  scalar(i: number): unknown {
    const style = this.index.style(i);
    const v = style === S_VALUE ? this.values.get(i) : this.decode(style, this.text, this.index.valStart(i), this.index.valEnd(i));
    return typeof v === 'string' ? detach(v) : v;
  }

  /** The source text of a node's value, as written. */
  source(i: number): string {
    return this.text.slice(this.index.valStart(i), this.index.valEnd(i));
  }
}

/**
 * A copy of a string that does not keep its source alive. V8 represents `text.slice()` as a
 * view into `text`, so one label value kept in the model would pin a whole 30 MB file in
 * memory; concatenating and slicing forces a flat copy.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/** Whitespace YAML and JSON skip at the end of a node (a node's range never ends with it). */
export function trimEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start) {
    const c = text.charCodeAt(e - 1);
    if (c === 32 || c === 10 || c === 13 || c === 9) e--;
    else break;
  }
  return e;
}
