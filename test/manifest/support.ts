/** Helpers for the manifest loader tests. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readCareful } from '../../src/core/manifest/careful';
import { readBlockYaml, readJson } from '../../src/core/manifest/fast';
import { decodeScalar } from '../../src/core/manifest/scalars';
import { LineIndex } from '../../src/core/manifest/text';
import { T_MAP, T_SCALAR, T_SEQ, TreeBuilder } from '../../src/core/manifest/tree';
import type { Tree } from '../../src/core/manifest/tree';
import type { Finding, Range } from '../../src/core/model';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'manifests');

export function fixturePath(rel: string): string {
  return path.join(FIXTURES, rel);
}

export function fixture(rel: string): Buffer {
  return readFileSync(fixturePath(rel));
}

export function fixtureText(rel: string): string {
  return readFileSync(fixturePath(rel), 'utf8');
}

/** `line:character-line:character`, zero-based, for compact assertions. */
export function rangeText(r: Range | undefined): string {
  if (!r) return '(none)';
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

/** Findings as `code@range` strings, the compact form most assertions use. */
export function codes(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.code}@${rangeText(f.range)}`);
}

/** The zero-based range of the n-th occurrence of `needle` in `text` (which must be on one line). */
export function rangeOfText(text: string, needle: string, occurrence = 0): string {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`${JSON.stringify(needle)} occurs fewer than ${occurrence + 1} times`);
  }
  const lines = LineIndex.of(text);
  const r = lines.rangeOf(at, at + needle.length);
  return rangeText(r);
}

export interface DumpNode {
  t: 'map' | 'seq' | 'scalar';
  name?: string;
  key?: [number, number];
  value: [number, number];
  scalar?: unknown;
  items?: DumpNode[];
}

function dumpNode(tree: Tree, i: number): DumpNode {
  const ix = tree.index;
  const type = ix.type(i);
  const out: DumpNode = { t: type === T_MAP ? 'map' : type === T_SEQ ? 'seq' : 'scalar', value: [ix.valStart(i), ix.valEnd(i)] };
  const name = ix.name(i);
  if (name !== undefined) out.name = name;
  if (ix.keyStart(i) >= 0) out.key = [ix.keyStart(i), ix.keyEnd(i)];
  if (type === T_SCALAR) {
    const v = tree.scalar(i);
    out.scalar = v instanceof Date ? `Date(${v.toISOString()})` : Number.isNaN(v) ? 'NaN' : v;
  } else out.items = ix.children(i).map((c) => dumpNode(tree, c));
  return out;
}

/** The documents a reader builds, as plain data; undefined when a fast reader declines. */
export function dumpWith(reader: 'fast' | 'careful', text: string): { docs: Array<DumpNode | null>; duplicates: string[] } | undefined {
  const lines = LineIndex.of(text);
  const b = new TreeBuilder();
  let raw;
  if (reader === 'careful') {
    const r = readCareful(text, b, { maxDepth: 256, maxAliasCount: 100 });
    if (r.problems.some((p) => p.severity === 'error')) return undefined;
    raw = r;
  } else {
    const first = text.trimStart()[0];
    raw = first === '{' || first === '[' ? readJson(text, b, 256) : readBlockYaml(text, lines, b, 256);
  }
  if (!raw) return undefined;
  const tree = b.finish(text, lines, decodeScalar);
  return {
    docs: raw.docs.map((d) => (d.root < 0 ? null : dumpNode(tree, d.root))),
    duplicates: raw.duplicates.map((d) => `${d.name}@${d.start}-${d.end}`),
  };
}
