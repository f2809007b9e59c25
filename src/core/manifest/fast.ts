/**
 * Fast readers for the two shapes big inputs come in: `kubectl get -o json` and
 * `kubectl get -o yaml`.
 *
 * Why: the `yaml` package reads about 1-5 MB/s, so a 10k-pod dump (30+ MB) would take tens of
 * seconds. These readers handle JSON and the plain block-style YAML that kubectl (go-yaml)
 * prints, at many times that speed. They never guess: on anything outside that subset (flow
 * collections, anchors, tags, tabs, odd indentation, any syntax error...) they give up and the
 * caller reads the file with the `yaml` package instead, which also produces the error
 * messages. Scalars are stored undecoded and typed later by the same YAML 1.1 rules
 * (scalars.ts), and the test suite checks that both paths build identical trees.
 */
import type { Problem } from './careful';
import type { LineIndex } from './text';
import { S_DOUBLE, S_JSON_LITERAL, S_JSON_STRING, S_PLAIN, S_SINGLE, S_VALUE, T_MAP, T_SEQ, TreeBuilder, trimEnd } from './tree';
import { decodeScalar, keyString, resolvePlain } from './scalars';

/** One document of a file: its root node (-1 when empty) and its extent. */
export interface RawDoc {
  root: number;
  start: number;
  end: number;
}

/** A repeated map key, reported as a finding by the caller. */
export interface DuplicateKey {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

export interface RawParse {
  readonly docs: RawDoc[];
  readonly duplicates: DuplicateKey[];
  /** Documents skipped by the reader itself (JSON nested too deep), as the careful path reports them. */
  readonly problems?: Problem[];
}

/**
 * The finding for a document nested deeper than `maxDepth`; both readers report it alike, at the
 * first collection or value beyond the limit.
 */
export function tooDeepProblem(maxDepth: number, at: number): Problem {
  return {
    code: 'too-deep',
    severity: 'error',
    message: `This document is nested more than ${maxDepth} levels deep, which no Kubernetes object needs: it was skipped.`,
    start: at,
    end: at + 1,
  };
}

/** Thrown by the JSON reader at the first value nested beyond the limit; never escapes this module. */
class TooDeep extends Error {
  constructor(readonly at: number) {
    super('nested too deep');
  }
}

/**
 * The end of the JSON value (an object or array) starting at `start`, found without recursion:
 * brackets counted, strings skipped. The text inside is not checked: the document is skipped
 * anyway. Undefined when the value never closes (the careful path then reads the text as
 * YAML, where a `---` line still ends the document).
 */
function skipJsonValue(text: string, start: number): number | undefined {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      depth--;
      if (depth <= 0) return i + 1;
    }
  }
  return undefined;
}

/** Thrown to abandon the fast path; never escapes this module. */
class GiveUp extends Error {}
const GIVE_UP = new GiveUp('outside the fast subset');

function giveUp(): never {
  throw GIVE_UP;
}

/** Key ids of one map: a short array (most maps are small), a Set once it grows. */
class KeySet {
  private list: number[] = [];
  private set: Set<number> | undefined;
  /** Adds an id; false when it was already there. */
  add(id: number): boolean {
    if (this.set) {
      if (this.set.has(id)) return false;
      this.set.add(id);
      return true;
    }
    if (this.list.includes(id)) return false;
    this.list.push(id);
    if (this.list.length > 16) this.set = new Set(this.list);
    return true;
  }
}

function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/**
 * Reads a stream of JSON values (one or more, e.g. `kubectl get -o json` or `jq -c` output).
 * A value nested deeper than `maxDepth` (the root is level 1, as on the careful path) is
 * skipped with a `too-deep` problem and its end found by a flat scan: recursion stops at the
 * limit, and a 100,000-deep array costs one pass instead of a fallback to the `yaml` package.
 */
export function readJson(text: string, b: TreeBuilder, maxDepth: number): RawParse | undefined {
  const n = text.length;
  const duplicates: DuplicateKey[] = [];
  const problems: Problem[] = [];
  let i = 0;

  const ws = (): void => {
    while (i < n && isWs(text.charCodeAt(i))) i++;
  };
  // Scans a string starting at the quote at i; leaves i after the closing quote.
  const scanString = (): boolean => {
    let escaped = false;
    i++;
    for (;;) {
      if (i >= n) giveUp();
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return escaped;
      }
      if (c === 92) {
        escaped = true;
        const e = text.charCodeAt(i + 1);
        if (e === 117) {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) giveUp();
          i += 6;
        } else if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) i += 2;
        else giveUp();
        continue;
      }
      if (c < 32) giveUp();
      i++;
    }
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else giveUp();
  };
  const number = (): void => {
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = i;
    if (!m.exec(text)) giveUp();
    i = m.lastIndex;
  };

  const value = (nameId: number, ks: number, ke: number, depth: number): void => {
    if (depth > maxDepth) throw new TooDeep(i);
    const c = text.charCodeAt(i);
    if (c === 123 /* { */) {
      const idx = b.open(T_MAP, nameId, ks, ke, i);
      i++;
      ws();
      if (text.charCodeAt(i) === 125) {
        i++;
        b.close(idx, i);
        return;
      }
      const seen = new KeySet();
      for (;;) {
        if (text.charCodeAt(i) !== 34) giveUp();
        const kStart = i;
        const escaped = scanString();
        const raw = text.slice(kStart, i);
        const name = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        const id = b.intern(name);
        if (!seen.add(id)) duplicates.push({ name, start: kStart, end: i });
        const kEnd = i;
        ws();
        if (text.charCodeAt(i) !== 58 /* : */) giveUp();
        i++;
        ws();
        value(id, kStart, kEnd, depth + 1);
        ws();
        const d = text.charCodeAt(i);
        if (d === 44) {
          i++;
          ws();
          continue;
        }
        if (d === 125) {
          i++;
          b.close(idx, i);
          return;
        }
        giveUp();
      }
    }
    if (c === 91 /* [ */) {
      const idx = b.open(T_SEQ, nameId, ks, ke, i);
      i++;
      ws();
      if (text.charCodeAt(i) === 93) {
        i++;
        b.close(idx, i);
        return;
      }
      for (;;) {
        value(-1, -1, -1, depth + 1);
        ws();
        const d = text.charCodeAt(i);
        if (d === 44) {
          i++;
          ws();
          continue;
        }
        if (d === 93) {
          i++;
          b.close(idx, i);
          return;
        }
        giveUp();
      }
    }
    const start = i;
    if (c === 34) {
      scanString();
      b.scalar(S_JSON_STRING, nameId, ks, ke, start, i);
      return;
    }
    if (c === 116) literal('true');
    else if (c === 102) literal('false');
    else if (c === 110) literal('null');
    else if (c === 45 || (c >= 48 && c <= 57)) number();
    else giveUp();
    b.scalar(S_JSON_LITERAL, nameId, ks, ke, start, i);
  };

  try {
    const docs: RawDoc[] = [];
    ws();
    while (i < n) {
      const start = i;
      const root = b.count;
      const lastEnd = b.lastEnd;
      try {
        value(-1, -1, -1, 1);
        docs.push({ root, start, end: i });
      } catch (e) {
        if (!(e instanceof TooDeep)) throw e;
        // Drop what was built of this value, report it, and continue after it.
        b.count = root;
        b.lastEnd = lastEnd;
        for (const k of [...b.values.keys()]) if (k >= root) b.values.delete(k);
        problems.push(tooDeepProblem(maxDepth, e.at));
        const end = skipJsonValue(text, start);
        if (end === undefined) giveUp();
        i = end;
        docs.push({ root: -1, start, end: i });
      }
      ws();
    }
    return problems.length ? { docs, duplicates, problems } : { docs, duplicates };
  } catch (e) {
    if (e instanceof GiveUp) return undefined;
    // A stack overflow in a pathological input is also a reason to let the careful path try.
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

// Characters the fast YAML reader never accepts anywhere: tabs, control characters other
// than line breaks, lone carriage returns, and the extra line breaks of YAML 1.1.
const UNSUPPORTED_CHARS = /[\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]|\r(?!\n)/;

/**
 * Reads block-style YAML as kubectl prints it: block maps and lists (including lists at the
 * same indent as their key), plain, quoted and literal (`|`) scalars, `{}` and `[]`, comments
 * and `---` separators.
 */
export function readBlockYaml(text: string, lines: LineIndex, b: TreeBuilder, maxDepth: number): RawParse | undefined {
  if (UNSUPPORTED_CHARS.test(text)) return undefined;
  const starts = lines.starts;
  const L = starts.length;
  const n = text.length;
  const duplicates: DuplicateKey[] = [];
  let li = 0;

  const ls = (j: number): number => starts[j]!;
  const le = (j: number): number => {
    if (j + 1 >= L) return n;
    const next = starts[j + 1]!;
    return text.charCodeAt(next - 2) === 13 ? next - 2 : next - 1;
  };
  const indentOf = (j: number): number => {
    const s = ls(j);
    const e = le(j);
    let k = s;
    while (k < e && text.charCodeAt(k) === 32) k++;
    return k - s;
  };
  // Blank, or only a comment.
  const isBlank = (j: number): boolean => {
    const s = ls(j);
    const e = le(j);
    let k = s;
    while (k < e && text.charCodeAt(k) === 32) k++;
    return k === e || text.charCodeAt(k) === 35;
  };
  const isMarker = (j: number, marker: string): boolean => {
    const s = ls(j);
    if (!text.startsWith(marker, s)) return false;
    const after = s + 3;
    return after === le(j) || text.charCodeAt(after) === 32;
  };
  // After a value: only spaces, then the end of the line or a comment.
  const restIsBlank = (from: number, j: number): boolean => {
    const e = le(j);
    let k = from;
    while (k < e && text.charCodeAt(k) === 32) k++;
    return k === e || (text.charCodeAt(k) === 35 && k > from);
  };
  const nextContentLine = (from: number): number => {
    let j = from;
    while (j < L && isBlank(j) && !isMarker(j, '---')) j++;
    return j;
  };
  const isDash = (pos: number, j: number): boolean => text.charCodeAt(pos) === 45 && (pos + 1 === le(j) || text.charCodeAt(pos + 1) === 32);

  // Characters that cannot start a plain scalar (or that we leave to the careful parser).
  const badPlainStart = (pos: number, j: number): boolean => {
    const c = text.charCodeAt(pos);
    switch (c) {
      case 44: case 91: case 93: case 123: case 125: case 35: case 38: case 42: case 33: case 124: case 62:
      case 39: case 34: case 37: case 64: case 96:
        return true;
      case 45: case 63: case 58: {
        const d = pos + 1 < le(j) ? text.charCodeAt(pos + 1) : 32;
        return d === 32;
      }
      default:
        return false;
    }
  };

  /** The key at `pos` on line j, or undefined when the line is not `key: ...`. */
  const keyAt = (pos: number, j: number): { start: number; end: number; name: string; after: number } | undefined => {
    const e = le(j);
    const c = text.charCodeAt(pos);
    if (c === 34 || c === 39) {
      let k = pos + 1;
      for (;;) {
        if (k >= e) return undefined;
        const d = text.charCodeAt(k);
        if (c === 34 && d === 92) {
          k += 2;
          continue;
        }
        if (d === c) {
          if (c === 39 && text.charCodeAt(k + 1) === 39) {
            k += 2;
            continue;
          }
          break;
        }
        k++;
      }
      const end = k + 1;
      let m = end;
      while (m < e && text.charCodeAt(m) === 32) m++;
      if (text.charCodeAt(m) !== 58 || !(m + 1 === e || text.charCodeAt(m + 1) === 32)) return undefined;
      const name = String(decodeScalar(c === 34 ? S_DOUBLE : S_SINGLE, text, pos, end));
      return { start: pos, end, name, after: m + 1 };
    }
    if (badPlainStart(pos, j)) return undefined;
    for (let k = pos; k < e; k++) {
      const d = text.charCodeAt(k);
      if (d === 35 && text.charCodeAt(k - 1) === 32) return undefined;
      if (d === 58 && (k + 1 === e || text.charCodeAt(k + 1) === 32)) {
        const end = trimEnd(text, pos, k);
        if (end - pos > 1024) giveUp();
        const raw = text.slice(pos, end);
        if (raw === '<<') giveUp();
        return { start: pos, end, name: keyString(resolvePlain(raw)), after: k + 1 };
      }
    }
    return undefined;
  };

  const collectionAt = (pos: number, j: number, parent: number, nameId: number, ks: number, ke: number, depth: number): void => {
    if (depth > maxDepth) giveUp();
    const col = pos - ls(j);
    if (isDash(pos, j)) return seq(col, parent, nameId, ks, ke, depth);
    const key = keyAt(pos, j);
    if (key) return map(pos, col, nameId, ks, ke, depth, key);
    giveUp();
  };

  type Key = NonNullable<ReturnType<typeof keyAt>>;
  const map = (pos: number, col: number, nameId: number, ks: number, ke: number, depth: number, first: Key): void => {
    const idx = b.open(T_MAP, nameId, ks, ke, pos);
    const seen = new KeySet();
    let at = pos;
    let next: Key | undefined = first;
    for (;;) {
      const key = next ?? keyAt(at, li) ?? giveUp();
      next = undefined;
      const id = b.intern(key.name);
      if (!seen.add(id)) duplicates.push({ name: key.name, start: key.start, end: key.end });
      valueAfter(key.after, col, id, key.start, key.end, depth + 1, true);
      const j = nextContentLine(li);
      if (j >= L || isMarker(j, '---') || isMarker(j, '...')) break;
      const ind = indentOf(j);
      if (ind < col) break;
      if (ind > col) giveUp();
      li = j;
      at = ls(j) + ind;
      // A `- ` here, after a key that already has a value, is a syntax error.
      if (isDash(at, j)) giveUp();
    }
    b.close(idx);
  };

  const seq = (col: number, parent: number, nameId: number, ks: number, ke: number, depth: number): void => {
    const idx = b.open(T_SEQ, nameId, ks, ke, ls(li) + col);
    for (;;) {
      valueAfter(ls(li) + col + 1, col, -1, -1, -1, depth + 1, false);
      const j = nextContentLine(li);
      if (j >= L || isMarker(j, '---') || isMarker(j, '...')) break;
      const ind = indentOf(j);
      if (ind < col) break;
      if (ind > col) giveUp();
      if (!isDash(ls(j) + ind, j)) {
        // Only a list written at its key's indent may be followed by a sibling key.
        if (parent === col) break;
        giveUp();
      }
      li = j;
    }
    b.close(idx);
  };

  /** Reads the value after `key:` or `-` (at `from` on line li); leaves li on the next line. */
  const valueAfter = (from: number, parent: number, nameId: number, ks: number, ke: number, depth: number, inMap: boolean): void => {
    if (depth > maxDepth) giveUp();
    const e = le(li);
    let q = from;
    while (q < e && text.charCodeAt(q) === 32) q++;
    if (q === e || text.charCodeAt(q) === 35) {
      if (q < e && q === from) giveUp();
      const j = nextContentLine(li + 1);
      if (j < L && !isMarker(j, '---') && !isMarker(j, '...')) {
        const ind = indentOf(j);
        const pos = ls(j) + ind;
        if (ind > parent) {
          li = j;
          return collectionAt(pos, j, parent, nameId, ks, ke, depth);
        }
        if (inMap && ind === parent && isDash(pos, j)) {
          li = j;
          return seq(ind, parent, nameId, ks, ke, depth);
        }
      }
      b.scalar(S_VALUE, nameId, ks, ke, q, q, null);
      li++;
      return;
    }
    const c = text.charCodeAt(q);
    if (c === 124 /* | */) return blockScalar(q, parent, nameId, ks, ke);
    if (c === 34 || c === 39) {
      const key = inMap ? undefined : keyAt(q, li);
      if (key) return map(q, q - ls(li), nameId, ks, ke, depth, key);
      return quoted(q, parent, nameId, ks, ke);
    }
    if (c === 123 || c === 91) {
      if (text.charCodeAt(q + 1) !== c + 2 || !restIsBlank(q + 2, li)) giveUp();
      const idx = b.open(c === 123 ? T_MAP : T_SEQ, nameId, ks, ke, q);
      b.close(idx, q + 2);
      li++;
      return;
    }
    if (badPlainStart(q, li)) giveUp();
    const key = inMap ? undefined : keyAt(q, li);
    if (key) return map(q, q - ls(li), nameId, ks, ke, depth, key);
    plain(q, parent, nameId, ks, ke);
  };

  const plain = (q: number, parent: number, nameId: number, ks: number, ke: number): void => {
    // First line: up to a comment; `: ` inside would be a nested mapping, an error.
    const e = le(li);
    let end = e;
    let comment = false;
    for (let k = q; k < e; k++) {
      const d = text.charCodeAt(k);
      if (d === 58 && (k + 1 === e || text.charCodeAt(k + 1) === 32)) giveUp();
      if (d === 35 && text.charCodeAt(k - 1) === 32) {
        end = k;
        comment = true;
        break;
      }
    }
    end = trimEnd(text, q, end);
    let last = li;
    if (!comment) {
      // Continuation lines are more indented than the parent; blank lines fold into `\n`.
      for (let j = li + 1; j < L; j++) {
        if (isMarker(j, '---') || isMarker(j, '...')) break;
        const s = ls(j);
        const f = le(j);
        const ind = indentOf(j);
        if (s + ind === f) continue;
        if (ind <= parent) break;
        const first = s + ind;
        if (text.charCodeAt(first) === 35) break;
        if (badPlainStart(first, j) || text.charCodeAt(first) === 45) giveUp();
        for (let k = first; k < f; k++) {
          const d = text.charCodeAt(k);
          if ((d === 58 && (k + 1 === f || text.charCodeAt(k + 1) === 32)) || (d === 35 && text.charCodeAt(k - 1) === 32)) giveUp();
        }
        end = trimEnd(text, first, f);
        last = j;
      }
    }
    b.scalar(S_PLAIN, nameId, ks, ke, q, end);
    li = last + 1;
  };

  const quoted = (q: number, parent: number, nameId: number, ks: number, ke: number): void => {
    const quote = text.charCodeAt(q);
    let k = q + 1;
    for (;;) {
      if (k >= n) giveUp();
      const d = text.charCodeAt(k);
      if (quote === 34 && d === 92) {
        const next = text.charCodeAt(k + 1);
        k += next === 10 || next === 13 ? 1 : 2;
        continue;
      }
      if (d === quote) {
        if (quote === 39 && text.charCodeAt(k + 1) === 39) {
          k += 2;
          continue;
        }
        break;
      }
      if (d === 10) {
        // A continuation line must be more indented than the parent (or blank).
        const j = lines.lineOf(k + 1);
        if (isMarker(j, '---') || isMarker(j, '...')) giveUp();
        const ind = indentOf(j);
        if (ls(j) + ind !== le(j) && ind <= parent) giveUp();
      }
      k++;
    }
    const end = k + 1;
    const j = lines.lineOf(k);
    if (!restIsBlank(end, j)) giveUp();
    b.scalar(quote === 34 ? S_DOUBLE : S_SINGLE, nameId, ks, ke, q, end);
    li = j + 1;
  };

  const blockScalar = (q: number, parent: number, nameId: number, ks: number, ke: number): void => {
    if (parent < 0) giveUp();
    let h = q + 1;
    let chomp = '';
    const c = text.charCodeAt(h);
    if (c === 45 || c === 43) {
      chomp = c === 45 ? '-' : '+';
      h++;
    }
    if (!restIsBlank(h, li) || (h < le(li) && text.charCodeAt(h) !== 32)) giveUp();
    let trim = -1;
    let leadingBlank = 0;
    let leadingMax = 0;
    const parts: string[] = [];
    let pendingBlank: string[] = [];
    let lastContent = -1;
    let j = li + 1;
    for (; j < L; j++) {
      const s = ls(j);
      const f = le(j);
      const ind = indentOf(j);
      if (s + ind === f) {
        if (trim < 0) {
          leadingBlank++;
          leadingMax = Math.max(leadingMax, ind);
        } else pendingBlank.push(text.slice(s + Math.min(ind, trim), f));
        continue;
      }
      if (trim < 0) {
        if (ind <= parent) break;
        trim = ind;
        if (leadingMax > trim) giveUp();
      } else if (ind < trim) break;
      if (pendingBlank.length) {
        parts.push(...pendingBlank);
        pendingBlank = [];
      }
      parts.push(text.slice(s + trim, f));
      lastContent = j;
    }
    // Trailing blank lines: kept only by `|+`, and more-indented ones count as content.
    if (pendingBlank.some((p) => p.length > 0)) giveUp();
    if (lastContent < 0) {
      if (chomp === '+' && leadingBlank > 0) giveUp();
      if (leadingMax > 0) giveUp();
      b.scalar(S_VALUE, nameId, ks, ke, q, h, '');
      li = li + 1;
      return;
    }
    if (chomp === '+' && pendingBlank.length > 0) giveUp();
    let value = '\n'.repeat(leadingBlank) + parts.join('\n');
    if (chomp !== '-') value += '\n';
    b.scalar(S_VALUE, nameId, ks, ke, q, trimEnd(text, q, le(lastContent)), value);
    li = lastContent + 1;
  };

  try {
    const docs: RawDoc[] = [];
    let cur: RawDoc | undefined;
    while (li < L) {
      if (isMarker(li, '---')) {
        if (!restIsBlank(ls(li) + 3, li)) giveUp();
        if (cur) docs.push(cur);
        cur = { root: -1, start: ls(li), end: ls(li) + 3 };
        li++;
        continue;
      }
      if (isBlank(li)) {
        li++;
        continue;
      }
      if (isMarker(li, '...') || text.charCodeAt(ls(li)) === 37 /* % */) giveUp();
      if (!cur) cur = { root: -1, start: ls(li), end: ls(li) };
      if (cur.root >= 0) giveUp();
      const ind = indentOf(li);
      cur.root = b.count;
      collectionAt(ls(li) + ind, li, -1, -1, -1, -1, 1);
      cur.end = b.lastEnd;
    }
    if (cur) docs.push(cur);
    return { docs, duplicates };
  } catch (e) {
    if (e instanceof GiveUp || e instanceof RangeError) return undefined;
    throw e;
  }
}
