/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The policy-graph webview (browser side, bundled to dist/webview/graph.js): draws the
 * laid-out graph the host posts as SVG built with DOM calls, and turns clicks (or Enter
 * on a focused node or edge) into `openLocation` messages.
 */
import type { GraphLayout } from '../../core/graph/layout';
import { h, setChildren, svg } from '../dom';
import { parseHostToGraph, type GraphToHostMessage } from './protocol';
import { graphScene, type SceneNode } from './scene';

interface VsCodeApi {
  postMessage(message: GraphToHostMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const title = h('h1', { text: 'Policy graph' });
const source = h('span', { class: 'muted' });
const legend = h('div', { class: 'legend' }, [
  h('span', { class: 'item' }, [h('span', { class: 'sw node-policy' }), 'policy']),
  h('span', { class: 'item' }, [h('span', { class: 'sw node-policy deny-all' }), 'no rules: denies all']),
  h('span', { class: 'item' }, [h('span', { class: 'sw node-pods' }), 'selected pods']),
  h('span', { class: 'item' }, [h('span', { class: 'sw node-peer' }), 'peer']),
  h('span', { class: 'item' }, [h('span', { class: 'ln' }), 'rule (ports)']),
  h('span', { class: 'item' }, [h('span', { class: 'ln dashed' }), 'selects']),
]);
const notes = h('ul', { class: 'notes' });
const message = h('div', { class: 'message', attrs: { role: 'status' } });
const canvas = h('div', { class: 'graph-scroll', attrs: { tabindex: '-1' } });
document.body.append(h('div', { class: 'app graph-app' }, [h('header', { class: 'toolbar' }, [title, source, legend]), message, notes, canvas]));

function post(m: GraphToHostMessage): void {
  vscode.postMessage(m);
}

function materialise(node: SceneNode): SVGElement {
  const el = svg(node.tag, node.attrs);
  if (node.text !== undefined) el.textContent = node.text;
  for (const c of node.children ?? []) el.append(materialise(c));
  const action = node.action;
  if (action) {
    el.setAttribute('tabindex', '0');
    el.setAttribute('role', 'link');
    el.setAttribute('aria-label', action.label);
    el.classList.add('actionable');
    const run = (): void => post({ type: 'openLocation', file: action.location.file, line: action.location.line, column: action.location.column });
    el.addEventListener('click', run);
    el.addEventListener('keydown', (e: Event) => {
      const key = (e as KeyboardEvent).key;
      if (key === 'Enter' || key === ' ') {
        e.preventDefault();
        run();
      }
    });
  }
  return el;
}

function render(layout: GraphLayout, from: string | undefined): void {
  title.textContent = layout.title;
  source.textContent = from ?? '';
  setChildren(notes, layout.notes.map((n) => h('li', { text: n })));
  notes.hidden = layout.notes.length === 0;
  message.hidden = true;
  setChildren(canvas, layout.nodes.length ? [materialise(graphScene(layout))] : [h('p', { class: 'muted', text: 'Nothing to draw.' })]);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const msg = parseHostToGraph(event.data);
  if (!msg) return;
  if (msg.type === 'graph') render(msg.layout, msg.source);
  else {
    message.textContent = msg.message;
    message.hidden = false;
  }
});

message.hidden = true;
notes.hidden = true;
post({ type: 'ready' });
