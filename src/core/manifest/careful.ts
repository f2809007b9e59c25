/**
 * The careful path: any YAML, read with the `yaml` package, for files the fast readers
 * decline (hand-written manifests with flow style, anchors, comments in odd places, syntax
 * errors, Helm templates...). It turns yaml's documents into the same compact tree and its
 * errors into problems with offsets.
 *
 * Guards, because manifests come from anywhere:
 * - nesting depth is measured on yaml's concrete syntax tree, which is built without
 *   recursion, before the (recursive) composer runs: a document nested deeper than
 *   `maxDepth` is blanked out and reported, so no stack overflow can happen;
 * - aliases are expanded by our own walk with a budget, so a "billion laughs" document is
 *   stopped after `maxAliasCount` expansions instead of hanging;
 * - Helm/Go templates are recognised and skipped as a whole document.
 */
import { Parser, isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { CST, Document, Node as YamlNode, ParsedNode, YAMLError } from 'yaml';
import type { Severity } from '../model';
import { tooDeepProblem, type DuplicateKey, type RawDoc } from './fast';
import { S_VALUE, T_MAP, T_SEQ, TreeBuilder, trimEnd } from './tree';
import { keyString, newComposer } from './scalars';
import { NETLENS_KINDS } from './kinds';

/** A problem found while reading, located by offsets in the text. */
export interface Problem {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

export interface CarefulParse {
  readonly docs: RawDoc[];
  readonly duplicates: DuplicateKey[];
  readonly problems: Problem[];
}

export interface CarefulOptions {
  readonly maxDepth: number;
  readonly maxAliasCount: number;
}

/** Errors worth showing per document: after the first few, yaml's errors are mostly echoes. */
const MAX_ERRORS_PER_DOC = 5;

class WalkAbort extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

/**
 * Whether a CST token nests deeper than `limit`, measured without recursion; `offset` is
 * where the first collection beyond the limit starts.
 */
function cstDepth(root: CST.Token, limit: number): { depth: number; offset: number } {
  let max = 0;
  let at = Number.MAX_SAFE_INTEGER;
  const stack: Array<[CST.Token, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [tok, depth] = stack.pop()!;
    if (depth > max) max = depth;
    if (depth > limit && tok.offset < at) at = tok.offset;
    switch (tok.type) {
      case 'document':
        if (tok.value) stack.push([tok.value, depth]);
        break;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection':
        for (const item of tok.items) {
          if ('key' in item && item.key) stack.push([item.key, depth + 1]);
          if ('value' in item && item.value) stack.push([item.value, depth + 1]);
        }
        break;
      default:
        break;
    }
  }
  return { depth: max, offset: at };
}

function tokenize(text: string): CST.Token[] {
  return Array.from(new Parser().parse(text));
}

/** Offsets where documents start: 0 and every `---` line (a marker at column 0 always ends a document). */
function documentStarts(text: string): number[] {
  const starts = [0];
  const re = /^---(?=[ \t\r\n]|$)/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) if (m.index > 0) starts.push(m.index);
  return starts;
}

/**
 * Tokenizes, surviving inputs that overflow the stack of yaml's parser (it recurses when it
 * closes thousands of nested block collections at once). Documents that overflow on their
 * own are blanked out and returned as problems.
 */
function tokenizeSafely(text: string): { source: string; tokens: CST.Token[]; overflowed: Array<[number, number]> } | undefined {
  try {
    return { source: text, tokens: tokenize(text), overflowed: [] };
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
  }
  const starts = documentStarts(text);
  let source = text;
  const overflowed: Array<[number, number]> = [];
  starts.forEach((start, k) => {
    const end = k + 1 < starts.length ? starts[k + 1]! : text.length;
    try {
      // The trailing marker makes the parser close everything the way the next document would.
      tokenize(`${text.slice(start, end)}\n---\n`);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      const from = text.startsWith('---', start) ? start + 3 : start;
      overflowed.push([from, end]);
      source = blank(source, from, end);
    }
  });
  try {
    return { source, tokens: tokenize(source), overflowed };
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

/** Replaces every character but line breaks in [start, end) by a space, keeping offsets. */
function blank(text: string, start: number, end: number): string {
  return text.slice(0, start) + text.slice(start, end).replace(/[^\r\n]/g, ' ') + text.slice(end);
}

const SYNTAX_HINTS: ReadonlyArray<[RegExp, string]> = [
  [/Nested mappings are not allowed in compact mappings/, 'a value that contains ": " must be quoted'],
  [/Implicit keys need to be on a single line|Implicit map keys need to be followed by map values/, 'check the indentation above, and for an unclosed quote or bracket'],
  [/All mapping items must start at the same column|All sequence items must start at the same column/, 'line the entries up with their siblings'],
  [/Map keys must be unique/, 'remove one of the two entries'],
  [/Missing closing "?quote|Missing closing '?quote/, 'close the quote'],
];

/** Text from the file (a tag, an alias name) quoted by a message, cut short so no finding echoes a huge token back. */
function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

function readableError(err: YAMLError): { code: string; message: string } {
  const base = clip(err.message.replace(/ at line \d+, column \d+[\s\S]*$/, '').replace(/\s+$/, ''));
  switch (err.code) {
    case 'TAB_AS_INDENT':
      return { code: 'yaml-tab-indent', message: 'YAML does not allow tabs for indentation: indent with spaces (set your editor to insert spaces in YAML files).' };
    case 'RESOURCE_EXHAUSTION':
      return { code: 'too-deep', message: 'This document is nested too deeply to read safely: it was skipped.' };
    case 'BAD_ALIAS':
      return { code: 'yaml-syntax', message: `YAML alias error: ${base}.` };
    default: {
      const hint = SYNTAX_HINTS.find(([re]) => re.test(base));
      return { code: 'yaml-syntax', message: `YAML syntax error: ${base}${hint ? `: ${hint[1]}` : ''}.` };
    }
  }
}

/** The `kind` of a document whose root is a mapping, if it is a string. */
function docKind(doc: Document.Parsed): string | undefined {
  const c = doc.contents;
  if (!isMap(c)) return undefined;
  for (const pair of c.items) {
    if (isScalar(pair.key) && pair.key.value === 'kind' && isScalar(pair.value) && typeof pair.value.value === 'string') return pair.value.value;
  }
  return undefined;
}

/**
 * Whether a document is a Helm/Go template. `{{` also appears legitimately inside clean
 * documents that netlens does not use (Prometheus rules, Alertmanager config maps, Argo
 * workflows): those are left alone.
 */
function isTemplate(src: string, doc: Document.Parsed, hasErrors: boolean): boolean {
  if (!src.includes('{{')) return false;
  if (hasErrors) return true;
  const kind = docKind(doc);
  return kind === undefined || NETLENS_KINDS.has(kind) || kind === 'List' || kind.endsWith('List');
}

/**
 * Reads any YAML (or JSON) with the `yaml` package into the tree: one RawDoc per document
 * (root -1 when empty or skipped), duplicate keys, and problems with offsets.
 */
export function readCareful(text: string, b: TreeBuilder, options: CarefulOptions): CarefulParse {
  const problems: Problem[] = [];
  const duplicates: DuplicateKey[] = [];
  const tooDeep = (at: number): Problem => tooDeepProblem(options.maxDepth, at);
  const safe = tokenizeSafely(text);
  if (!safe) return { docs: [], duplicates, problems: [tooDeep(0)] };
  for (const [from] of safe.overflowed) problems.push(tooDeep(from));
  let source = safe.source;
  let tokens = safe.tokens;
  // Blank out documents nested deeper than maxDepth before composing (see the module comment).
  let blanked = false;
  const docTokens = tokens.filter((t): t is CST.Document => t.type === 'document');
  for (let k = docTokens.length - 1; k >= 0; k--) {
    const tok = docTokens[k]!;
    const { depth, offset } = cstDepth(tok, options.maxDepth);
    if (depth <= options.maxDepth) continue;
    const end = k + 1 < docTokens.length ? docTokens[k + 1]!.offset : source.length;
    const hasMarker = tok.start.some((s) => s.type === 'doc-start');
    const from = hasMarker ? tok.start.find((s) => s.type === 'doc-start')!.offset + 3 : tok.offset;
    problems.push(tooDeep(offset));
    source = blank(source, from, end);
    blanked = true;
  }
  if (blanked) tokens = tokenize(source);

  const composed = Array.from(newComposer().compose(tokens)) as Document.Parsed[];
  const docs: RawDoc[] = [];
  composed.forEach((doc, index) => {
    const start = doc.range[0];
    const end = index + 1 < composed.length ? composed[index + 1]!.range[0] : text.length;
    const raw: RawDoc = { root: -1, start, end: doc.range[1] };
    docs.push(raw);
    const errors = doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY');
    if (isTemplate(text.slice(start, end), doc, errors.length > 0)) {
      const open = text.indexOf('{{', start);
      const lineEnd = text.indexOf('\n', open);
      const close = text.indexOf('}}', open);
      const stop = close >= 0 && (lineEnd < 0 || close < lineEnd) ? close + 2 : open + 2;
      problems.push({
        code: 'helm-template',
        severity: 'warning',
        message: 'This document is a Helm/Go template ({{ ... }}), not a manifest: it was skipped. Render it with `helm template` and lint the output.',
        start: open,
        end: stop,
      });
      return;
    }
    if (errors.length > 0) {
      for (const err of errors.slice(0, MAX_ERRORS_PER_DOC)) {
        const { code, message } = readableError(err);
        problems.push({ code, severity: 'error', message, start: err.pos[0], end: Math.max(err.pos[1], err.pos[0]) });
      }
      if (errors.length > MAX_ERRORS_PER_DOC) {
        const last = errors[MAX_ERRORS_PER_DOC]!;
        problems.push({
          code: 'yaml-syntax',
          severity: 'error',
          message: `${errors.length - MAX_ERRORS_PER_DOC} more YAML errors in this document (fix the ones above first).`,
          start: last.pos[0],
          end: last.pos[1],
        });
      }
      const skipped = errors.some((e) => e.code === 'RESOURCE_EXHAUSTION') ? '' : ' The document was skipped.';
      if (skipped) {
        const p = problems[problems.length - 1]!;
        problems[problems.length - 1] = { ...p, message: p.message + skipped };
      }
      return;
    }
    for (const w of doc.warnings) {
      problems.push({ code: 'yaml-warning', severity: 'warning', message: `YAML: ${clip(w.message.replace(/ at line \d+[\s\S]*$/, ''))}.`, start: w.pos[0], end: w.pos[1] });
    }
    const c = doc.contents;
    // An empty document (`---` with nothing after it) has an empty null scalar: no root.
    if (c === null || (isScalar(c) && c.value === null && c.range[0] === c.range[1])) return;
    const mark = b.count;
    try {
      new Walker(text, b, options, duplicates).walk(c, -1, -1, -1, 1, c.range[0]);
      raw.root = mark;
      raw.end = b.lastEnd;
    } catch (e) {
      if (!(e instanceof WalkAbort)) throw e;
      problems.push({ code: e.code, severity: 'error', message: e.message, start: e.start, end: e.end });
    }
  });
  return { docs, duplicates, problems };
}

/** Copies one yaml document into the tree, expanding aliases and merge keys. */
class Walker {
  private readonly anchors = new Map<string, YamlNode>();
  private aliases = 0;

  constructor(
    private readonly text: string,
    private readonly b: TreeBuilder,
    private readonly options: CarefulOptions,
    private readonly duplicates: DuplicateKey[],
  ) {}

  private end(start: number, end: number): number {
    return trimEnd(this.text, start, end);
  }

  private resolve(alias: { source: string; range?: [number, number, number] | null }): YamlNode {
    const r = alias.range ?? [0, 0, 0];
    const target = this.anchors.get(alias.source);
    if (!target) {
      const name = clip(alias.source, 60);
      throw new WalkAbort('yaml-syntax', `YAML alias *${name} has no anchor &${name} before it: the document was skipped.`, r[0], r[1]);
    }
    if (++this.aliases > this.options.maxAliasCount) {
      throw new WalkAbort(
        'yaml-alias-limit',
        `This document expands YAML aliases more than ${this.options.maxAliasCount} times (a "billion laughs" pattern?): it was skipped.`,
        r[0],
        r[1],
      );
    }
    return target;
  }

  walk(node: unknown, nameId: number, ks: number, ke: number, depth: number, emptyAt: number, as?: [number, number]): void {
    const b = this.b;
    if (depth > this.options.maxDepth) {
      const r = as ?? emptyAt;
      const at = Array.isArray(r) ? r[0] : r;
      throw new WalkAbort('too-deep', `This document is nested more than ${this.options.maxDepth} levels deep (after expanding aliases): it was skipped.`, at, at + 1);
    }
    if (node === null || node === undefined) {
      b.scalar(S_VALUE, nameId, ks, ke, emptyAt, emptyAt, null);
      return;
    }
    if (isAlias(node)) {
      const target = this.resolve(node);
      const r = node.range!;
      this.walk(target, nameId, ks, ke, depth + 1, emptyAt, [r[0], this.end(r[0], r[1])]);
      return;
    }
    const n = node as ParsedNode;
    if (n.anchor) this.anchors.set(n.anchor, n);
    const start = as ? as[0] : n.range[0];
    if (isScalar(n)) {
      const end = as ? as[1] : this.end(n.range[0], n.range[1]);
      const v = typeof n.value === 'symbol' ? '<<' : n.value;
      b.scalar(S_VALUE, nameId, ks, ke, start, end, v);
      return;
    }
    if (isMap(n)) {
      const idx = b.open(T_MAP, nameId, ks, ke, start);
      const seen = new Set<number>();
      for (const pair of n.items) this.pair(idx, pair, depth, seen);
      b.close(idx, as ? as[1] : n.flow ? this.end(n.range[0], n.range[1]) : undefined);
      return;
    }
    if (isSeq(n)) {
      const idx = b.open(T_SEQ, nameId, ks, ke, start);
      for (const item of n.items) this.walk(item, -1, -1, -1, depth + 1, start);
      b.close(idx, as ? as[1] : n.flow ? this.end(n.range[0], n.range[1]) : undefined);
      return;
    }
    b.scalar(S_VALUE, nameId, ks, ke, start, start, null);
  }

  private pair(idx: number, pair: unknown, depth: number, seen: Set<number>): void {
    if (!isPair(pair)) return;
    let key: unknown = pair.key;
    if (isAlias(key)) key = this.resolve(key);
    if (isScalar(key) && typeof key.value === 'symbol') {
      this.merge(idx, pair.value, depth);
      return;
    }
    if (!isScalar(key)) {
      const r = isMap(key) || isSeq(key) ? key.range : null;
      throw new WalkAbort('wrong-type', 'A mapping key must be a plain value, not a list or mapping: the document was skipped.', r ? r[0] : 0, r ? r[1] : 0);
    }
    const kr = (pair.key as ParsedNode).range ?? key.range!;
    const keyEnd = this.end(kr[0], kr[1]);
    const name = keyString(key.value);
    const id = this.b.intern(name);
    // Reported here rather than from yaml's DUPLICATE_KEY error, which only marks one character.
    if (seen.has(id)) this.duplicates.push({ name, start: kr[0], end: keyEnd });
    seen.add(id);
    const after = this.text.indexOf(':', keyEnd);
    this.walk(pair.value, id, kr[0], keyEnd, depth + 1, after >= 0 ? after + 1 : keyEnd);
  }

  /** `<<: *base` (YAML 1.1 merge keys, which kubectl honours): keys not yet set are copied in. */
  private merge(idx: number, value: unknown, depth: number): void {
    const sources = isSeq(value) ? value.items : [value];
    for (let src of sources) {
      if (isAlias(src)) src = this.resolve(src);
      if (!isMap(src)) {
        const r = isScalar(src) || isSeq(src) ? src.range : null;
        throw new WalkAbort('yaml-syntax', 'A YAML merge key (<<) must refer to a mapping: the document was skipped.', r ? r[0] : 0, r ? r[1] : 0);
      }
      for (const pair of src.items) {
        let key: unknown = pair.key;
        if (isAlias(key)) key = this.resolve(key);
        if (isScalar(key) && typeof key.value === 'symbol') {
          this.merge(idx, pair.value, depth);
          continue;
        }
        if (!isScalar(key)) continue;
        const id = this.b.intern(keyString(key.value));
        if (this.b.hasChildNamed(idx, id)) continue;
        const kr = key.range!;
        const keyEnd = this.end(kr[0], kr[1]);
        this.walk(pair.value, id, kr[0], keyEnd, depth + 1, keyEnd + 1);
      }
    }
  }
}
