/**
 * Turning file content into text the parsers can read, and offsets into editor positions.
 *
 * Positions are zero-based lines and UTF-16 code units, as VS Code counts them: a BOM is not
 * part of the text (VS Code strips it too), and `\r\n`, `\n` and a lone `\r` each end a line.
 */
import type { Position, Range } from '../model';

/** Maps string offsets to line/character positions. Cheap to keep: one Int32Array per file. */
export class LineIndex {
  private constructor(
    /** Offset of the first character of every line; `starts[0] === 0`. */
    readonly starts: Int32Array,
    readonly length: number,
  ) {}

  static of(text: string): LineIndex {
    const starts: number[] = [0];
    // Fast path: most files only use `\n`; indexOf is much faster than a char loop.
    if (text.indexOf('\r') < 0) {
      let i = text.indexOf('\n');
      while (i >= 0) {
        starts.push(i + 1);
        i = text.indexOf('\n', i + 1);
      }
    } else {
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10) starts.push(i + 1);
        else if (c === 13) {
          if (text.charCodeAt(i + 1) === 10) i++;
          starts.push(i + 1);
        }
      }
    }
    return new LineIndex(Int32Array.from(starts), text.length);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** Zero-based line of an offset. */
  lineOf(offset: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.length));
    const line = this.lineOf(o);
    return { line, character: o - this.starts[line]! };
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(Math.max(start, end)) };
  }
}

/** A problem found while decoding, before any YAML is read. */
export interface DecodeProblem {
  readonly code: 'file-too-large' | 'binary-file' | 'invalid-utf8';
  readonly message: string;
  /** Offset in the decoded text (for invalid-utf8), else 0. */
  readonly offset: number;
  /** True when the content must not be parsed at all. */
  readonly fatal: boolean;
}

export interface Decoded {
  readonly text: string;
  readonly problem?: DecodeProblem;
}

const MIB = 1024 * 1024;

function formatSize(bytes: number): string {
  return bytes >= MIB ? `${(bytes / MIB).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

/**
 * Offset of the first byte that does not start a well-formed UTF-8 sequence (overlong forms,
 * surrogates and code points above U+10FFFF are ill-formed, as for TextDecoder), or -1.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return i;
    const b1 = bytes[i + 1];
    if (b1 === undefined || b1 < lo || b1 > hi) return i;
    for (let k = 2; k <= need; k++) {
      const bk = bytes[i + k];
      if (bk === undefined || bk < 0x80 || bk > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

/**
 * Decodes file content. Bytes are read as UTF-8 (UTF-16 when they start with a UTF-16 BOM);
 * ill-formed UTF-8 is replaced with U+FFFD and reported at its first bad byte, so the rest of
 * the file still loads. A BOM is dropped so offsets match the editor's text.
 */
export function decodeContent(content: string | Uint8Array, maxFileBytes: number): Decoded {
  if (typeof content === 'string') {
    // A string cannot be measured in bytes without encoding it; its length is a lower bound.
    if (content.length > maxFileBytes) {
      return { text: '', problem: tooLarge(content.length, maxFileBytes) };
    }
    if (content.indexOf('\0') >= 0) return { text: '', problem: binary() };
    return { text: content.charCodeAt(0) === 0xfeff ? content.slice(1) : content };
  }
  if (content.byteLength > maxFileBytes) return { text: '', problem: tooLarge(content.byteLength, maxFileBytes) };
  const b0 = content[0];
  const b1 = content[1];
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
    try {
      const text = new TextDecoder(b0 === 0xff ? 'utf-16le' : 'utf-16be').decode(content);
      if (text.indexOf('\0') >= 0) return { text: '', problem: binary() };
      return { text };
    } catch {
      return { text: '', problem: binary() };
    }
  }
  if (content.indexOf(0) >= 0) return { text: '', problem: binary() };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(content) };
  } catch {
    const text = new TextDecoder('utf-8').decode(content);
    const bad = firstInvalidUtf8(content);
    // The bytes before the bad one are well-formed, so their decoded length is the offset.
    const offset = bad < 0 ? 0 : new TextDecoder('utf-8').decode(content.subarray(0, bad)).length;
    const byte = bad < 0 ? '' : ` (byte 0x${content[bad]!.toString(16).toUpperCase().padStart(2, '0')})`;
    return {
      text,
      problem: {
        code: 'invalid-utf8',
        message:
          `The file is not valid UTF-8${byte}: it was read with replacement characters (\uFFFD). ` +
          'Kubernetes manifests must be UTF-8: re-save the file as UTF-8.',
        offset,
        fatal: false,
      },
    };
  }
}

function tooLarge(size: number, max: number): DecodeProblem {
  return {
    code: 'file-too-large',
    message: `The file is ${formatSize(size)}, over the ${formatSize(max)} limit: it was skipped. Split it, or raise the limit (maxFileBytes).`,
    offset: 0,
    fatal: true,
  };
}

function binary(): DecodeProblem {
  return {
    code: 'binary-file',
    message: 'The file contains NUL bytes, so it is binary, not a YAML or JSON manifest: it was skipped.',
    offset: 0,
    fatal: true,
  };
}
