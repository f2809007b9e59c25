/**
 * A stand-in VS Code host for the webviews, for visual checks and pixel tests: serves
 * the built bundle, the CSS and the HTML shell (with the real CSP) from a fake origin in
 * headless Chromium, provides `acquireVsCodeApi`, and answers the webview's messages with
 * the real core functions (buildMatrixView, cellReason, cellExplanation) as the host will.
 * Theme variables are set on :root and the theme class on <body>, as VS Code does.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { layoutGraph } from '../../src/core/graph/layout';
import { policyGraph, type GraphFocus } from '../../src/core/graph/policy-graph';
import { buildMatrixView, type MatrixViewOptions } from '../../src/core/matrix/build';
import { cellExplanation, cellReason } from '../../src/core/matrix/reason';
import type { MatrixView } from '../../src/core/matrix/types';
import type { ClusterSnapshot } from '../../src/core/model';
import { webviewHtml } from '../../src/webview/html';
import { parseGraphToHost } from '../../src/webview/graph/protocol';
import { parseMatrixToHost, type HostToMatrixMessage, type MatrixToHostMessage } from '../../src/webview/matrix/protocol';
import { THEMES, type Theme } from './themes';

export { THEMES, type Theme };

export const REPO = path.join(__dirname, '../..');
export const ORIGIN = 'https://netlens.test';
export const CHROMIUM = process.env.NETLENS_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Builds the webview bundles with the settings of scripts/build.mjs into `outDir`. */
export async function buildBundles(outDir: string): Promise<void> {
  await Promise.all(
    (['matrix', 'graph'] as const).map((name) =>
      esbuild.build({
        entryPoints: [path.join(REPO, `src/webview/${name}/main.ts`)], outfile: path.join(outDir, `${name}.js`),
        bundle: true, platform: 'browser', format: 'iife', target: 'chrome120', logLevel: 'warning', legalComments: 'none',
      }),
    ),
  );
}

export interface HarnessOptions {
  /** Directory holding matrix.js and graph.js (dist/webview, or a fresh build). */
  readonly bundleDir: string;
  readonly viewport?: { width: number; height: number };
}

export interface Posted {
  readonly messages: MatrixToHostMessage[];
  /** Messages the protocol check rejected (there should be none). */
  readonly rejected: unknown[];
}

/** One Chromium with one page per webview; `close()` removes everything it made. */
export class Harness {
  readonly problems: string[] = [];

  private constructor(private readonly browser: Browser, private readonly options: HarnessOptions, private readonly browserHome: string) {}

  static async launch(options: HarnessOptions): Promise<Harness> {
    const { chromium } = await import('playwright-core');
    const home = mkdtempSync(path.join(tmpdir(), 'netlens-webview-chromium-'));
    const env = { ...process.env, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_CACHE_HOME: path.join(home, 'cache') } as Record<string, string>;
    try {
      const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, env, timeout: 60_000 });
      return new Harness(browser, options, home);
    } catch (e) {
      rmSync(home, { recursive: true, force: true });
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
    rmSync(this.browserHome, { recursive: true, force: true });
  }

  private async page(name: 'matrix' | 'graph', theme: Theme, onMessage: (page: Page, msg: unknown) => Promise<void> | void): Promise<Page> {
    const page = await this.browser.newPage({ viewport: this.options.viewport ?? { width: 1400, height: 820 } });
    page.on('console', (m) => {
      // canvasPixel's own reads make Chromium suggest willReadFrequently: that is the test, not the page.
      if (/willReadFrequently/.test(m.text())) return;
      if (m.type() === 'error' || m.type() === 'warning') this.problems.push(`[${name} ${theme} console.${m.type()}] ${m.text()}`);
    });
    page.on('pageerror', (e) => this.problems.push(`[${name} ${theme} pageerror] ${e.message}`));
    const nonce = 'bmV0bGVucy1oYXJuZXNzLW5vbmNl';
    const html = webviewHtml({
      title: name, cspSource: ORIGIN, nonce, scriptUri: `${ORIGIN}/dist/webview/${name}.js`,
      styleUris: [`${ORIGIN}/theme.css`, `${ORIGIN}/media/webview/common.css`, `${ORIGIN}/media/webview/${name}.css`],
    }).replace('  <body>\n', `  <body>\n    <script nonce="${nonce}" src="${ORIGIN}/shim.js"></script>\n`);
    const t = THEMES[theme];
    const themeCss = `:root {\n${Object.entries(t.vars).map(([k, v]) => `  --vscode-${k}: ${v};`).join('\n')}\n}\n`;
    // Like VS Code: the theme class on <body>, acquireVsCodeApi returning a postMessage to the host.
    const shim = `document.body.classList.add(${JSON.stringify(t.bodyClass)});
let state;
window.acquireVsCodeApi = () => ({ postMessage: (m) => { window.__netlensHost(m); }, getState: () => state, setState: (s) => { state = s; } });
document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));`;
    const files: Record<string, { body: string | Buffer; type: string }> = {
      '/index.html': { body: html, type: 'text/html' },
      '/theme.css': { body: themeCss, type: 'text/css' },
      '/shim.js': { body: shim, type: 'text/javascript' },
      [`/dist/webview/${name}.js`]: { body: readFileSync(path.join(this.options.bundleDir, `${name}.js`)), type: 'text/javascript' },
      '/media/webview/common.css': { body: readFileSync(path.join(REPO, 'media/webview/common.css')), type: 'text/css' },
      [`/media/webview/${name}.css`]: { body: readFileSync(path.join(REPO, `media/webview/${name}.css`)), type: 'text/css' },
    };
    await page.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      const file = url.origin === ORIGIN ? files[url.pathname] : undefined;
      if (!file) {
        this.problems.push(`[${name} ${theme}] unexpected request ${route.request().url()}`);
        await route.abort();
        return;
      }
      await route.fulfill({ status: 200, contentType: file.type, body: file.body });
    });
    await page.exposeBinding('__netlensHost', async (_source, msg: unknown) => onMessage(page, msg));
    await page.goto(`${ORIGIN}/index.html`);
    return page;
  }

  /**
   * Opens the matrix webview with a fake host over `snapshot`. Returns the page and what
   * the webview posted; waits until the first view is drawn.
   */
  async openMatrix(snapshot: ClusterSnapshot, options: MatrixViewOptions & { theme: Theme; source?: string }): Promise<{ page: Page; posted: Posted; view: () => MatrixView }> {
    const posted: Posted = { messages: [], rejected: [] };
    let revision = 0;
    let view = buildMatrixView(snapshot, options);
    const send = async (page: Page, m: HostToMatrixMessage): Promise<void> => {
      await page.evaluate((msg) => window.postMessage(msg, '*'), m as unknown as Record<string, unknown>);
    };
    const page = await this.page('matrix', options.theme, async (p, raw) => {
      const msg = parseMatrixToHost(raw);
      if (!msg) {
        posted.rejected.push(raw);
        return;
      }
      posted.messages.push(msg);
      switch (msg.type) {
        case 'ready':
          await send(p, { type: 'data', revision: ++revision, view, ...(options.source ? { source: options.source } : {}) });
          break;
        case 'selectPort':
          view = buildMatrixView(snapshot, { ...options, port: msg.port });
          await send(p, { type: 'data', revision: ++revision, view, ...(options.source ? { source: options.source } : {}) });
          break;
        case 'cellHover':
          if (msg.revision === revision) await send(p, { type: 'reason', revision, cell: msg.cell, text: cellReason(snapshot, view, msg.cell, { filter: msg.filter }) });
          break;
        case 'cellClick':
          if (msg.revision === revision) {
            const explanation = cellExplanation(snapshot, view, msg.cell, { filter: msg.filter, ...(options.before ? { before: options.before } : {}) });
            await send(p, { type: 'explanation', revision, cell: msg.cell, explanation });
          }
          break;
        default:
          break;
      }
    });
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.scroller')?.dataset.cell !== undefined);
    return { page, posted, view: () => view };
  }

  /** Opens the graph webview with the layout of `policyGraph(snapshot, focus)`. */
  async openGraph(snapshot: ClusterSnapshot, focus: GraphFocus, theme: Theme): Promise<Page> {
    const layout = layoutGraph(policyGraph(snapshot, focus));
    const page = await this.page('graph', theme, async (p, raw) => {
      const msg = parseGraphToHost(raw);
      if (msg?.type === 'ready') await p.evaluate((m) => window.postMessage(m, '*'), { type: 'graph', revision: 1, layout } as unknown as Record<string, unknown>);
    });
    await page.waitForSelector('svg.graph');
    return page;
  }
}

/** Centre (CSS px, page coordinates) of the cell of the display row/column indices. */
export async function cellCentre(page: Page, r: number, c: number): Promise<{ x: number; y: number; cell: number; left: number; top: number }> {
  return page.evaluate(([row, col]) => {
    const s = document.querySelector<HTMLElement>('.scroller')!;
    const rect = s.getBoundingClientRect();
    const cell = Number(s.dataset.cell);
    const left = rect.left + Number(s.dataset.rowHeaderWidth) + col! * cell - s.scrollLeft;
    const top = rect.top + Number(s.dataset.colHeaderHeight) + row! * cell - s.scrollTop;
    return { x: left + cell / 2, y: top + cell / 2, cell, left, top };
  }, [r, c] as const);
}

/** The canvas pixel (RGBA) at a page position. */
export async function canvasPixel(page: Page, x: number, y: number): Promise<[number, number, number, number]> {
  return page.evaluate(([px, py]) => {
    const canvas = document.querySelector<HTMLCanvasElement>('.grid-canvas')!;
    const rect = canvas.getBoundingClientRect();
    const dpr = canvas.width / rect.width;
    const d = canvas.getContext('2d')!.getImageData(Math.round((px! - rect.left) * dpr), Math.round((py! - rect.top) * dpr), 1, 1).data;
    return [d[0]!, d[1]!, d[2]!, d[3]!] as [number, number, number, number];
  }, [x, y] as const);
}

export function hexRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1, 7), 16);
  return [n >> 16, (n >> 8) & 255, n & 255];
}

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}
