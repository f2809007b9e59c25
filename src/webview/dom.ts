/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Building DOM without HTML strings: every text goes through `textContent` or a text
 * node, every attribute through `setAttribute`, so data can never become markup.
 */

export type Child = Node | string | undefined | false;

export interface Props {
  readonly class?: string;
  readonly attrs?: Readonly<Record<string, string>>;
  readonly text?: string;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, children: readonly Child[] = []): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, v);
  if (props.text !== undefined) el.textContent = props.text;
  for (const c of children) if (c !== undefined && c !== false) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Readonly<Record<string, string | number>> = {}, children: readonly (Node | undefined)[] = []): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) if (c) el.append(c);
  return el;
}

/** Replaces an element's children. */
export function setChildren(el: Element, children: readonly Child[]): void {
  el.replaceChildren(...children.filter((c): c is Node | string => c !== undefined && c !== false));
}

/** The last path segment of a file path or URI, for link texts. */
export function baseName(file: string): string {
  const clean = file.replace(/[?#].*$/, '');
  const i = Math.max(clean.lastIndexOf('/'), clean.lastIndexOf('\\'));
  return i >= 0 ? clean.slice(i + 1) : clean;
}

/** Text with line-break opportunities (<wbr>) after `/`, `-`, `.` and `→`, for long pod names in narrow panes. */
export function breakable(text: string): Node[] {
  const out: Node[] = [];
  for (const part of text.split(/(?<=[/\-.→])/)) {
    if (out.length) out.push(document.createElement('wbr'));
    out.push(document.createTextNode(part));
  }
  return out;
}
