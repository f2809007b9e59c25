/**
 * Colours from the VS Code theme (its CSS variables on the webview's <html>), as pure
 * functions over a variable getter so they are tested without a browser. Every colour
 * has a fallback for a variable a theme leaves empty. States are also told apart by
 * glyphs (✓ ✕ ◐), not by colour alone.
 */

/** Reads a CSS variable (trimmed), `''` when unset: in the browser, getComputedStyle(html).getPropertyValue. */
export type CssVariables = (name: string) => string;

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface Palette {
  readonly kind: ThemeKind;
  readonly background: string;
  readonly foreground: string;
  readonly muted: string;
  readonly headerBackground: string;
  /** Lines between namespaces and around cells. */
  readonly separator: string;
  readonly allowed: string;
  readonly denied: string;
  readonly some: string;
  readonly notApplicable: string;
  readonly self: string;
  readonly opened: string;
  readonly closed: string;
  readonly focus: string;
  readonly hover: string;
  readonly selection: string;
  /** Set in high-contrast themes: every cell gets an outline of it. */
  readonly contrastBorder?: string;
  readonly fontFamily: string;
  readonly fontSize: number;
}

/** The theme kind from the body classes VS Code sets (`vscode-light`, `vscode-dark`, `vscode-high-contrast`, `vscode-high-contrast-light`). */
export function themeKind(bodyClasses: readonly string[]): ThemeKind {
  if (bodyClasses.includes('vscode-high-contrast-light')) return 'high-contrast-light';
  if (bodyClasses.includes('vscode-high-contrast')) return 'high-contrast';
  if (bodyClasses.includes('vscode-light')) return 'light';
  return 'dark';
}

const FALLBACKS: Record<ThemeKind, { bg: string; fg: string; green: string; red: string; yellow: string; blue: string; orange: string; focus: string }> = {
  light: { bg: '#ffffff', fg: '#3b3b3b', green: '#388a34', red: '#e51400', yellow: '#bf8803', blue: '#1a85ff', orange: '#d18616', focus: '#005fb8' },
  dark: { bg: '#1f1f1f', fg: '#cccccc', green: '#89d185', red: '#f14c4c', yellow: '#cca700', blue: '#3794ff', orange: '#d18616', focus: '#0078d4' },
  'high-contrast': { bg: '#000000', fg: '#ffffff', green: '#89d185', red: '#f48771', yellow: '#ffd700', blue: '#3794ff', orange: '#d18616', focus: '#f38518' },
  'high-contrast-light': { bg: '#ffffff', fg: '#292929', green: '#374e06', red: '#b5200d', yellow: '#895503', blue: '#0f4a85', orange: '#8f4a00', focus: '#006bbd' },
};

/** Parses `#rgb`, `#rrggbb`, `#rrggbbaa` and `rgb()/rgba()`; undefined for anything else. */
export function parseColor(text: string): { r: number; g: number; b: number; a: number } | undefined {
  const t = text.trim().toLowerCase();
  let m = /^#([0-9a-f]{3,4})$/.exec(t);
  if (m) {
    const [r, g, b, a] = [...m[1]!].map((h) => parseInt(h + h, 16));
    return { r: r!, g: g!, b: b!, a: a === undefined ? 1 : a / 255 };
  }
  m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/.exec(t);
  if (m) {
    const n = parseInt(m[1]!, 16);
    return { r: n >> 16, g: (n >> 8) & 255, b: n & 255, a: m[2] ? parseInt(m[2], 16) / 255 : 1 };
  }
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+%?))?\s*\)$/.exec(t);
  if (m) {
    const alpha = m[4] === undefined ? 1 : m[4].endsWith('%') ? Number(m[4].slice(0, -1)) / 100 : Number(m[4]);
    return { r: Number(m[1]), g: Number(m[2]), b: Number(m[3]), a: alpha };
  }
  return undefined;
}

/** WCAG relative luminance of a colour (0 black … 1 white). */
export function luminance(color: string): number | undefined {
  const c = parseColor(color);
  if (!c) return undefined;
  const lin = (v: number): number => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

/** WCAG contrast ratio of two colours (1 … 21). */
export function contrastRatio(a: string, b: string): number | undefined {
  const la = luminance(a);
  const lb = luminance(b);
  if (la === undefined || lb === undefined) return undefined;
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** Black or white, whichever reads better on `fill` (for glyphs on cells). */
export function readableOn(fill: string): string {
  const l = luminance(fill);
  if (l === undefined) return '#000000';
  return (1.05 / (l + 0.05)) >= ((l + 0.05) / 0.05) ? '#ffffff' : '#000000';
}

/** `a` mixed into `b` (t = 1: all `a`), as #rrggbb; `a` when either does not parse. */
export function mix(a: string, b: string, t: number): string {
  const x = parseColor(a);
  const y = parseColor(b);
  if (!x || !y) return a;
  const ch = (u: number, v: number): string => Math.round(u * t + v * (1 - t)).toString(16).padStart(2, '0');
  return `#${ch(x.r, y.r)}${ch(x.g, y.g)}${ch(x.b, y.b)}`;
}

/** `rgba()` of a colour at an opacity (for hover bands and dimmed cells). */
export function withAlpha(color: string, alpha: number): string {
  const c = parseColor(color);
  if (!c) return color;
  return `rgba(${c.r}, ${c.g}, ${c.b}, ${Math.max(0, Math.min(1, alpha * c.a)).toFixed(3)})`;
}

/** The palette of the current theme. */
export function readPalette(vars: CssVariables, kind: ThemeKind): Palette {
  const f = FALLBACKS[kind];
  const v = (name: string, fallback: string): string => vars(name).trim() || fallback;
  const background = v('--vscode-editor-background', f.bg);
  const foreground = v('--vscode-editor-foreground', v('--vscode-foreground', f.fg));
  const contrast = kind === 'high-contrast' || kind === 'high-contrast-light' ? v('--vscode-contrastBorder', f.focus) : undefined;
  const fontSize = Number.parseFloat(vars('--vscode-font-size')) || 13;
  return {
    kind,
    background,
    foreground,
    muted: v('--vscode-descriptionForeground', withAlpha(foreground, 0.7)),
    headerBackground: v('--vscode-sideBar-background', background),
    separator: v('--vscode-editorWidget-border', v('--vscode-panel-border', withAlpha(foreground, 0.3))),
    allowed: v('--vscode-charts-green', f.green),
    // Denied is most of a locked-down cluster: a touch softer than the chart red, so the
    // allowed cells stand out in a sea of it (high contrast keeps the full colour).
    denied: contrast ? v('--vscode-charts-red', f.red) : mix(v('--vscode-charts-red', f.red), background, 0.82),
    some: v('--vscode-charts-yellow', f.yellow),
    notApplicable: withAlpha(foreground, kind === 'light' ? 0.06 : 0.08),
    self: withAlpha(foreground, 0.22),
    opened: v('--vscode-charts-blue', f.blue),
    closed: v('--vscode-charts-purple', v('--vscode-charts-orange', f.orange)),
    focus: v('--vscode-focusBorder', f.focus),
    hover: withAlpha(foreground, 0.12),
    selection: v('--vscode-list-activeSelectionBackground', v('--vscode-editor-selectionBackground', f.focus)),
    ...(contrast ? { contrastBorder: contrast } : {}),
    fontFamily: vars('--vscode-font-family').trim() || 'system-ui, -apple-system, "Segoe UI", Ubuntu, sans-serif',
    fontSize,
  };
}

export interface CellStyle {
  readonly fill: string;
  /** A glyph to draw when the cell is big enough, and its colour. */
  readonly glyph?: string;
  readonly glyphColor?: string;
}

const GLYPHS: Record<number, string> = { 65: '✓', 68: '✕', 83: '◐' };

/**
 * The fill of a cell state (char code of A, S, D, N, -), dimmed when the cell is not
 * what a mode emphasises ("only denied": allowed cells; "only changed": unchanged ones).
 */
export function cellStyle(code: number, palette: Palette, dimmed = false): CellStyle {
  let fill: string;
  switch (code) {
    case 65:
      fill = palette.allowed;
      break;
    case 68:
      fill = palette.denied;
      break;
    case 83:
      fill = palette.some;
      break;
    case 45:
      fill = palette.self;
      break;
    default:
      fill = palette.notApplicable;
  }
  if (dimmed) fill = withAlpha(fill, 0.28);
  const glyph = GLYPHS[code];
  if (!glyph) return { fill };
  return { fill, glyph, glyphColor: dimmed ? withAlpha(palette.foreground, 0.5) : readableOn(fill) };
}

/** The colour of a change marker, or undefined for an unchanged cell (char code of ' ', +, -, ~). */
export function changeColor(code: number, palette: Palette): string | undefined {
  if (code === 43) return palette.opened;
  if (code === 45) return palette.closed;
  if (code === 126) return palette.some;
  return undefined;
}
