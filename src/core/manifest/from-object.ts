/**
 * Already-parsed API objects → model objects and findings, without text.
 *
 * The live cluster hands netlens plain JSON values (`JSON.parse` of a list page or a watch
 * event). Printing each one back to text only to parse it again cost 0.25–0.7 ms per object.
 * Here the converters of files (`convertDocument` in convert.ts) read the value itself through
 * {@link ObjectTree}, a lazy view with the interface of the loader's tree: a node id is given out
 * only for what the converter asks for (a pod's `metadata`, `spec.containers[].ports`, ...), so
 * the fields netlens never reads cost nothing. Same code, so both paths validate alike and build
 * identical objects; a differential property test (test/manifest/from-object.test.ts) checks
 * `fromObject(v)` against `parseManifestText(file, JSON.stringify(v))`.
 *
 * Values are read as `JSON.stringify` would write them: `undefined`, functions and symbols are
 * left out (`null` in arrays), `toJSON` is honoured (a `Date` becomes its ISO string), numbers
 * that are not finite become `null`, `-0` is `0`. Objects carry no SourceRef (there is no file)
 * and every finding has an empty range at the start of `file`. Pure and total: never throws
 * (a cycle reads as nesting too deep).
 *
 * client-node's typed model classes (renamed keys such as `_from`) are not wire JSON: turn them
 * back first (`toWire` in src/cluster/to-model.ts).
 */
import type { Finding, Range } from '../model';
import { convertDocument, ignoredHint } from './convert';
import type { FileContext } from './convert';
import { LineIndex } from './text';
import { SourceIndex, T_MAP, T_SCALAR, T_SEQ, Tree } from './tree';
import type { NodeType } from './tree';
import { resolveLoadOptions } from './types';
import type { LoadOptions, LoadedObject, ParsedFile, SnapshotObject } from './types';

export interface FromObjectOptions extends LoadOptions {
  /** Named in findings (e.g. a `kube://` pseudo-file). Default `object`. */
  readonly file?: string;
}

function origin(): Range {
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

const isEnumerable = Object.prototype.propertyIsEnumerable;
const hasOwn = Object.prototype.hasOwnProperty;

/** A value as JSON.stringify writes it under `key`; `undefined` for what it leaves out. */
function jsonValue(v: unknown, key: string): unknown {
  if (typeof v === 'object' && v !== null) {
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') v = (toJSON as (k: string) => unknown).call(v, key);
    if (v instanceof Number) v = Number(v);
    else if (v instanceof String) return String(v);
    else if (v instanceof Boolean) return v.valueOf();
  }
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? (v === 0 ? 0 : v) : null;
    case 'string':
    case 'boolean':
    case 'object':
      return v;
    case 'bigint':
      // JSON.stringify throws on a BigInt; the API never sends one. Read it as its digits.
      return v.toString();
    default:
      return undefined;
  }
}

/**
 * Whether anything in a value sits deeper than level `max` (the root is level 0, its entries
 * level 1, ...). Also stops cycles.
 */
function tooDeep(v: unknown, level: number, max: number): boolean {
  if (typeof v !== 'object' || v === null) return level > max;
  if (level >= max) {
    // Only an empty collection may sit at the last level.
    if (level > max) return true;
    if (Array.isArray(v)) return v.length > 0;
    for (const key in v) if (hasOwn.call(v, key) && jsonValue((v as Record<string, unknown>)[key], key) !== undefined) return true;
    return false;
  }
  if (Array.isArray(v)) {
    for (let k = 0; k < v.length; k++) {
      const item = v[k] as unknown;
      if (typeof item === 'object' && item !== null && tooDeep(jsonValue(item, String(k)), level + 1, max)) return true;
    }
    return false;
  }
  // for-in (no array per object) over own keys: what Object.keys, and so JSON.stringify, sees.
  for (const key in v) {
    if (!hasOwn.call(v, key)) continue;
    const item = (v as Record<string, unknown>)[key];
    if (typeof item === 'object' && item !== null && tooDeep(jsonValue(item, key), level + 1, max)) return true;
  }
  return false;
}

/** Ranges for a tree without text: all at the start. */
class NoSource extends SourceIndex {
  constructor() {
    super(new Int32Array(0), [], LineIndex.of(''));
  }
  override valueRange(): Range {
    return origin();
  }
  override keyRange(i: number): Range | undefined {
    return i > 0 ? origin() : undefined;
  }
  override find(): number {
    return -1;
  }
}

const NO_SOURCE = new NoSource();

/** The loader's tree interface over a JSON value, with node ids given out on demand. */
class ObjectTree extends Tree {
  /** Per node: its value (as JSON.stringify sees it) and its key (undefined for list items). */
  private readonly vals: unknown[] = [];
  private readonly keys: Array<string | undefined> = [];
  private readonly kids = new Map<number, number[]>();

  constructor(root: unknown) {
    super(NO_SOURCE, '', new Map(), () => undefined);
    this.add(root, undefined);
  }

  private add(v: unknown, key: string | undefined): number {
    this.vals.push(v);
    this.keys.push(key);
    return this.vals.length - 1;
  }

  override type(i: number): NodeType {
    const v = this.vals[i];
    if (typeof v !== 'object' || v === null) return T_SCALAR;
    return Array.isArray(v) ? T_SEQ : T_MAP;
  }

  override name(i: number): string | undefined {
    return this.keys[i];
  }

  override child(i: number, name: string): number {
    const o = this.vals[i];
    if (typeof o !== 'object' || o === null || Array.isArray(o) || !isEnumerable.call(o, name)) return -1;
    const v = jsonValue((o as Record<string, unknown>)[name], name);
    return v === undefined ? -1 : this.add(v, name);
  }

  override children(i: number): number[] {
    const cached = this.kids.get(i);
    if (cached) return [...cached];
    const o = this.vals[i];
    const out: number[] = [];
    if (Array.isArray(o)) {
      for (let k = 0; k < o.length; k++) {
        const v = jsonValue(o[k], String(k));
        out.push(this.add(v === undefined ? null : v, undefined));
      }
    } else if (typeof o === 'object' && o !== null) {
      for (const key of Object.keys(o)) {
        const v = jsonValue((o as Record<string, unknown>)[key], key);
        if (v !== undefined) out.push(this.add(v, key));
      }
    }
    this.kids.set(i, out);
    return [...out];
  }

  /** A scalar's value; undefined for a collection, as the text tree gives. */
  override scalar(i: number): unknown {
    const v = this.vals[i];
    return typeof v === 'object' && v !== null ? undefined : v;
  }

  /** The node's JSON text, which is what the text loader quotes in messages. */
  override source(i: number): string {
    try {
      return JSON.stringify(this.vals[i]) ?? 'null';
    } catch {
      return '';
    }
  }
}

function withoutSource(lo: LoadedObject): LoadedObject {
  const o = lo.object as SnapshotObject & { source?: unknown };
  if (o.source === undefined) return lo;
  const { source: _source, ...rest } = o;
  return { ...lo, object: rest as SnapshotObject };
}

/**
 * Converts one parsed JSON value (an object, or a `List` of them) as the loader converts a
 * file holding `JSON.stringify(value)`: the same objects (without `source`), the same findings
 * (with empty ranges, in the order the converter reports them). Never throws.
 */
export function fromObject(value: unknown, options?: FromObjectOptions): ParsedFile {
  const opts = resolveLoadOptions(options);
  const file = options?.file ?? 'object';
  const findings: Finding[] = [];
  const objects: LoadedObject[] = [];
  try {
    const root = jsonValue(value, '');
    // The text loader skips a document with anything at level maxDepth or deeper.
    if (tooDeep(root, 0, opts.maxDepth - 1)) {
      findings.push({
        code: 'too-deep',
        severity: 'error',
        message: `This document is nested more than ${opts.maxDepth} levels deep, which no Kubernetes object needs: it was skipped.`,
        file,
        range: origin(),
      });
      return { objects, findings };
    }
    const fc: FileContext = {
      file,
      tree: new ObjectTree(root === undefined ? null : root),
      defaultNamespace: opts.defaultNamespace,
      findings,
      objects,
      ignored: { count: 0, kinds: new Map() },
      doc: 0,
    };
    convertDocument(fc, 0);
    const hint = ignoredHint(fc);
    if (hint) findings.push(hint);
  } catch (e) {
    // Last line of defence, as in parseManifestText (a RangeError from a pathological value).
    findings.push({
      code: 'internal-error',
      severity: 'error',
      message: `netlens could not read this object (${e instanceof Error ? e.message : String(e)}). This is a bug in netlens: please report it.`,
      file,
      range: origin(),
    });
  }
  return { objects: objects.map(withoutSource), findings };
}
