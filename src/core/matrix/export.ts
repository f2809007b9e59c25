/**
 * Exports of what is on screen (a {@link DisplayMatrix}): CSV (RFC 4180) and SVG, both
 * pure string generation with every piece of data escaped. The webview calls them and
 * posts the text to the host, which only saves it.
 */
import { stateWord, type DisplayMatrix } from './display';
import type { CellCode, ChangeCode } from './types';

/** One CSV field, quoted when it holds a comma, a quote, CR or LF (RFC 4180 §2.6–2.7). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function changeWord(change: ChangeCode): string {
  return change === '+' ? 'opened' : change === '-' ? 'closed' : change === '~' ? 'changed' : '';
}

/** The text of one display cell: `denied`, `allowed (opened)`, `partly allowed 2/6`. */
export function cellText(display: DisplayMatrix, r: number, c: number): string {
  const re = display.rows.entries[r]!;
  const ce = display.cols.entries[c]!;
  let text: string;
  if (re.kind === 'endpoint' && ce.kind === 'endpoint') {
    text = stateWord(String.fromCharCode(display.code(r, c)) as CellCode);
  } else {
    const s = display.summary(r, c);
    const total = s.allowed + s.some + s.denied;
    text = total ? `${stateWord(s.state)} ${s.allowed}/${total}` : stateWord(s.state);
  }
  const change = changeWord(String.fromCharCode(display.changeCode(r, c)) as ChangeCode);
  return change ? `${text} (${change})` : text;
}

/**
 * The display as CSV: a header of destinations, then one record per source. Lines end
 * with CRLF, as RFC 4180 says; the first field names the port.
 */
export function matrixCsv(display: DisplayMatrix): string {
  const lines: string[] = [];
  const header = [`from \\ to (${display.view.portLabel})`];
  for (let c = 0; c < display.colCount; c++) header.push(display.colLabel(c));
  lines.push(header.map(csvField).join(','));
  // Plain cells have few distinct texts: one per (state, change), computed once.
  const plain = new Map<number, string>();
  const record: string[] = [];
  for (let r = 0; r < display.rowCount; r++) {
    record.length = 0;
    record.push(csvField(display.rowLabel(r)));
    const rowIsGroup = display.rows.entries[r]!.kind === 'group';
    for (let c = 0; c < display.colCount; c++) {
      if (rowIsGroup || display.cols.entries[c]!.kind === 'group') {
        record.push(csvField(cellText(display, r, c)));
        continue;
      }
      const key = display.code(r, c) * 256 + display.changeCode(r, c);
      let text = plain.get(key);
      if (text === undefined) plain.set(key, (text = csvField(cellText(display, r, c))));
      record.push(text);
    }
    lines.push(record.join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** Escapes text for XML content and attribute values. */
export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch]!);
}

/** Colours of an exported SVG (a file has no editor theme to read). */
export interface SvgPalette {
  readonly background: string;
  readonly foreground: string;
  readonly muted: string;
  readonly grid: string;
  readonly allowed: string;
  readonly some: string;
  readonly denied: string;
  readonly notApplicable: string;
  readonly self: string;
  readonly opened: string;
  readonly closed: string;
}

/** Light colours close to VS Code's light theme chart colours. */
export const LIGHT_SVG_PALETTE: SvgPalette = {
  background: '#ffffff', foreground: '#1f1f1f', muted: '#616161', grid: '#e5e5e5',
  allowed: '#388a34', some: '#bf8803', denied: '#e51400', notApplicable: '#f3f3f3', self: '#d4d4d4',
  opened: '#0078d4', closed: '#1f1f1f',
};

const SVG_STATE: Record<string, keyof SvgPalette> = { A: 'allowed', S: 'some', D: 'denied', N: 'notApplicable', '-': 'self' };

export interface SvgOptions {
  readonly palette?: SvgPalette;
  /** Cell size in px (default 14). */
  readonly cell?: number;
  readonly title?: string;
}

/**
 * The display as a standalone SVG: title, legend, column and row labels, one rect per
 * run of equal cells in a row (so a 1,000-pod view stays a few MB), change markers.
 */
export function matrixSvg(display: DisplayMatrix, options: SvgOptions = {}): string {
  const p = options.palette ?? LIGHT_SVG_PALETTE;
  const cell = options.cell ?? 14;
  const font = 11;
  const charW = font * 0.6;
  const rowLabels = Array.from({ length: display.rowCount }, (_, r) => display.rowLabel(r));
  const colLabels = Array.from({ length: display.colCount }, (_, c) => display.colLabel(c));
  const left = Math.ceil(Math.min(360, Math.max(80, ...rowLabels.map((l) => l.length * charW))) + 12);
  const labelH = Math.ceil(Math.min(360, Math.max(60, ...colLabels.map((l) => l.length * charW))) + 12);
  const titleH = 64;
  const top = titleH + labelH;
  const width = left + display.colCount * cell + 16;
  const height = top + display.rowCount * cell + 16;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="-apple-system, 'Segoe UI', Ubuntu, sans-serif" font-size="${font}">`);
  out.push(`<rect width="100%" height="100%" fill="${xmlEscape(p.background)}"/>`);
  const title = options.title ?? `Reachability on ${display.view.portLabel}`;
  out.push(`<text x="12" y="22" font-size="15" font-weight="600" fill="${xmlEscape(p.foreground)}">${xmlEscape(title)}</text>`);
  // Legend.
  const legend: [keyof SvgPalette, string][] = [['allowed', 'allowed'], ['denied', 'denied'], ['some', 'partly allowed'], ['notApplicable', 'not applicable'], ['self', 'self']];
  let lx = 12;
  for (const [key, label] of legend) {
    out.push(`<rect x="${lx}" y="34" width="12" height="12" fill="${xmlEscape(p[key])}" stroke="${xmlEscape(p.grid)}"/>`);
    out.push(`<text x="${lx + 16}" y="44" fill="${xmlEscape(p.muted)}">${xmlEscape(label)}</text>`);
    lx += 16 + label.length * charW + 16;
  }
  if (display.view.changes !== undefined) {
    out.push(`<text x="${lx}" y="44" fill="${xmlEscape(p.opened)}">+ opened</text>`);
    out.push(`<text x="${lx + 64}" y="44" fill="${xmlEscape(p.closed)}">− closed</text>`);
  }
  // Column labels, rotated to read bottom-up.
  colLabels.forEach((label, c) => {
    const x = left + c * cell + cell / 2 + font / 3;
    out.push(`<text transform="translate(${x} ${top - 6}) rotate(-90)" fill="${xmlEscape(p.foreground)}">${xmlEscape(label)}</text>`);
  });
  rowLabels.forEach((label, r) => {
    out.push(`<text x="${left - 6}" y="${top + r * cell + cell / 2 + font / 3}" text-anchor="end" fill="${xmlEscape(p.foreground)}">${xmlEscape(label)}</text>`);
  });
  // Cells: runs of the same state per row.
  out.push(`<g shape-rendering="crispEdges">`);
  for (let r = 0; r < display.rowCount; r++) {
    let c = 0;
    while (c < display.colCount) {
      const code = display.code(r, c);
      let end = c + 1;
      while (end < display.colCount && display.code(r, end) === code) end++;
      const fill = p[SVG_STATE[String.fromCharCode(code)] ?? 'notApplicable'];
      out.push(`<rect x="${left + c * cell}" y="${top + r * cell}" width="${(end - c) * cell}" height="${cell}" fill="${xmlEscape(fill)}"/>`);
      c = end;
    }
  }
  // Grid lines.
  out.push(`<path stroke="${xmlEscape(p.background)}" stroke-width="1" d="`);
  const path: string[] = [];
  for (let r = 0; r <= display.rowCount; r++) path.push(`M${left} ${top + r * cell}h${display.colCount * cell}`);
  for (let c = 0; c <= display.colCount; c++) path.push(`M${left + c * cell} ${top}v${display.rowCount * cell}`);
  out[out.length - 1] += path.join('') + '"/>';
  out.push('</g>');
  // Change markers.
  if (display.view.changes !== undefined) {
    for (let r = 0; r < display.rowCount; r++) {
      for (let c = 0; c < display.colCount; c++) {
        const ch = display.changeCode(r, c);
        if (ch === 32) continue;
        const colour = ch === 43 ? p.opened : p.closed;
        out.push(`<rect x="${left + c * cell + 1.5}" y="${top + r * cell + 1.5}" width="${cell - 3}" height="${cell - 3}" fill="none" stroke="${xmlEscape(colour)}" stroke-width="2"/>`);
      }
    }
  }
  // Namespace separators.
  const sep: string[] = [];
  for (const g of display.rows.groups) if (g.start > 0) sep.push(`M${left - 4} ${top + g.start * cell}h${display.colCount * cell + 4}`);
  for (const g of display.cols.groups) if (g.start > 0) sep.push(`M${left + g.start * cell} ${top - 4}v${display.rowCount * cell + 4}`);
  if (sep.length) out.push(`<path stroke="${xmlEscape(p.foreground)}" stroke-width="1.5" d="${sep.join('')}"/>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
