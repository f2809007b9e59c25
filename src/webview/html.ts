/**
 * The HTML shell of a netlens webview, for the VS Code host (and the test harness).
 * It holds no data: only the CSP, the stylesheets and the script, each from
 * `localResourceRoots` (dist/webview and media/webview). The script builds the DOM and
 * receives its data through postMessage. Pure: no vscode import, so it is testable.
 */

export interface WebviewHtmlOptions {
  readonly title: string;
  /** `webview.cspSource`. */
  readonly cspSource: string;
  /** A fresh random nonce per render (base64 or hex, at least 128 bits). */
  readonly nonce: string;
  /** `webview.asWebviewUri(...)` of dist/webview/<name>.js, as a string. */
  readonly scriptUri: string;
  /** `webview.asWebviewUri(...)` of media/webview/common.css and the view's CSS. */
  readonly styleUris: readonly string[];
}

function attr(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

/** The Content-Security-Policy: nothing by default, the nonce'd script, styles, images and fonts from the extension only. */
export function webviewCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data: blob:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function webviewHtml(o: WebviewHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(o.nonce)) throw new Error('webviewHtml: the nonce must be at least 16 base64 or hex characters');
  const styles = o.styleUris.map((u) => `    <link rel="stylesheet" href="${attr(u)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta http-equiv="Content-Security-Policy" content="${attr(webviewCsp(o.cspSource, o.nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1">
${styles}
    <title>${attr(o.title)}</title>
  </head>
  <body>
    <script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
  </body>
</html>
`;
}
