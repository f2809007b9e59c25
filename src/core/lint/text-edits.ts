/**
 * Fixes as minimal text edits on the user's own text, so comments, quoting and
 * formatting outside the edited span survive. Each builder returns undefined when
 * the text is not in a shape it can edit safely (flow style it does not handle,
 * templated text), rather than guessing.
 */
import type { Position, Range, SourceRef } from '../model';
import type { TextEdit } from './types';

/** Lines of a text with their start offsets; positions are UTF-16 based like the model's. */
export class TextLines {
  readonly lines: string[];
  private readonly eol: string;

  constructor(readonly text: string) {
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
    this.lines = text.split(/\r?\n/);
  }

  get newline(): string {
    return this.eol;
  }

  line(n: number): string {
    return this.lines[n] ?? '';
  }

  indentOf(n: number): number {
    return /^ */.exec(this.line(n))![0].length;
  }

  /** The text covered by a range. */
  slice(range: Range): string {
    if (range.start.line === range.end.line) return this.line(range.start.line).slice(range.start.character, range.end.character);
    const parts = [this.line(range.start.line).slice(range.start.character)];
    for (let l = range.start.line + 1; l < range.end.line; l++) parts.push(this.line(l));
    parts.push(this.line(range.end.line).slice(0, range.end.character));
    return parts.join(this.eol);
  }

  /** Last line that holds text of a node whose range ends at `end` (a range may end at column 0 of the next line). */
  lastContentLine(range: Range): number {
    let l = range.end.character === 0 && range.end.line > range.start.line ? range.end.line - 1 : range.end.line;
    while (l > range.start.line && this.line(l).trim() === '') l--;
    return l;
  }

  endOfLine(n: number): Position {
    return { line: n, character: this.line(n).length };
  }
}

/** YAML sequence style of the text: `-` at the parent key's indent (compact, kubectl's) or indented by 2. */
export function sequenceIndent(lines: TextLines): 0 | 2 {
  for (let i = 0; i + 1 < lines.lines.length; i++) {
    const a = lines.line(i);
    const b = lines.line(i + 1);
    if (/^\s*[\w.-]+:\s*$/.test(a) && /^\s*- /.test(b)) return lines.indentOf(i + 1) === lines.indentOf(i) ? 0 : 2;
  }
  return 0;
}

/** Re-indents a block written with 2-space steps and compact sequences to the text's style. */
function render(block: string[], baseIndent: number, seqIndent: 0 | 2): string[] {
  // The block is written in compact style; in indented style each sequence nested under a
  // `key:` shifts right by two, with everything inside it, until a line at or left of the
  // sequence's dashes that is not one of its items ends it.
  if (seqIndent === 0) return block.map((l) => ' '.repeat(baseIndent) + l);
  const out: string[] = [];
  const open: number[] = [];
  let keyIndent = -1;
  for (const l of block) {
    const indent = /^ */.exec(l)![0].length;
    const isDash = /^\s*- /.test(l);
    while (open.length && (indent < open[open.length - 1]! || (indent === open[open.length - 1]! && !isDash))) open.pop();
    if (isDash && indent === keyIndent && open[open.length - 1] !== indent) open.push(indent);
    out.push(' '.repeat(baseIndent + 2 * open.length) + l);
    // The key a line opens sits after its dash, if it has one.
    keyIndent = /:\s*$/.test(l) ? indent + (isDash ? 2 : 0) : -1;
  }
  return out;
}

function insertAt(file: string, pos: Position, newText: string): TextEdit {
  return { file, range: { start: pos, end: pos }, newText };
}

/** Replaces a scalar value (keeps the quote style when the value was quoted). */
export function replaceScalar(file: string, lines: TextLines, valueRange: Range, newValue: string): TextEdit {
  const old = lines.slice(valueRange);
  const quote = old.startsWith('"') ? '"' : old.startsWith("'") ? "'" : '';
  return { file, range: valueRange, newText: `${quote}${newValue}${quote}` };
}

/**
 * Appends an item to a sequence value (block or flow). `itemLines` are the item's
 * lines in compact style with 2-space steps, the first starting with `- `.
 */
export function appendSequenceItem(file: string, lines: TextLines, seqRange: Range, itemLines: string[]): TextEdit | undefined {
  const seqText = lines.slice(seqRange);
  if (seqText.startsWith('[')) {
    if (itemLines.length !== 1) return undefined;
    const close = seqRange.end.character > 0 && lines.line(seqRange.end.line)[seqRange.end.character - 1] === ']' ? { line: seqRange.end.line, character: seqRange.end.character - 1 } : undefined;
    if (!close) return undefined;
    const item = itemLines[0]!.replace(/^- /, '');
    return insertAt(file, close, seqText.trim() === '[]' ? item : `, ${item}`);
  }
  if (!seqText.trimStart().startsWith('-')) return undefined;
  const dashIndent = seqRange.start.character;
  if (lines.line(seqRange.start.line).slice(0, dashIndent).trim() !== '') return undefined;
  const last = lines.lastContentLine(seqRange);
  const nl = lines.newline;
  return insertAt(file, lines.endOfLine(last), render(itemLines, dashIndent, sequenceIndent(lines)).map((l) => nl + l).join(''));
}

/**
 * Adds `key:` with a block value as the last key of the mapping at `mapPath`, or, when
 * the key exists with an empty flow sequence (`egress: []`), replaces that value.
 */
export function addBlockKey(file: string, lines: TextLines, source: SourceRef, mapPath: string, key: string, valueLines: string[]): TextEdit | undefined {
  const existing = source.at(mapPath ? `${mapPath}.${key}` : key);
  const map = source.at(mapPath);
  if (!map) return undefined;
  const seqIndent = sequenceIndent(lines);
  const nl = lines.newline;
  if (existing) {
    if (lines.slice(existing.value).trim() !== '[]' || !existing.key) return undefined;
    const keyIndent = existing.key.start.character;
    const body = render(valueLines, keyIndent + seqIndent, seqIndent);
    // Replace `: []` after the key, so the key keeps its own text and comments before it stay.
    return { file, range: { start: existing.key.end, end: existing.value.end }, newText: `:${nl}${body.join(nl)}` };
  }
  if (lines.slice(map.value).trimStart().startsWith('{')) return undefined;
  const keyIndent = map.value.start.character;
  if (lines.line(map.value.start.line).slice(0, keyIndent).trim() !== '') return undefined;
  const last = lines.lastContentLine(map.value);
  const body = render(valueLines, keyIndent + seqIndent, seqIndent);
  return insertAt(file, lines.endOfLine(last), `${nl}${' '.repeat(keyIndent)}${key}:${nl}${body.join(nl)}`);
}

/** Deletes whole lines `first..last` (inclusive). */
export function deleteLines(file: string, lines: TextLines, first: number, last: number): TextEdit {
  const end = last + 1 < lines.lines.length ? { line: last + 1, character: 0 } : lines.endOfLine(last);
  const start = last + 1 < lines.lines.length || first === 0 ? { line: first, character: 0 } : lines.endOfLine(first - 1);
  return { file, range: { start, end }, newText: '' };
}

/** Block text of a rule, compact style, 2-space steps. */
export function blockLines(yamlText: string): string[] {
  return yamlText.replace(/\n$/, '').split('\n');
}
