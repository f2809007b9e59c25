import assert from 'node:assert/strict';
import { layoutGraph } from '../../src/core/graph/layout';
import { policyGraph } from '../../src/core/graph/policy-graph';
import { webviewCsp, webviewHtml } from '../../src/webview/html';
import { badge, graphScene, type SceneNode } from '../../src/webview/graph/scene';
import { demoSnapshots } from './demo';

function walk(n: SceneNode, f: (n: SceneNode) => void): void {
  f(n);
  for (const c of n.children ?? []) walk(c, f);
}

describe('policy graph scene (pure SVG description)', () => {
  it('draws every node and edge, each clickable to its source', async () => {
    const { before } = await demoSnapshots();
    const layout = layoutGraph(policyGraph(before, { kind: 'namespace', namespace: 'production' }));
    const scene = graphScene(layout);
    assert.equal(scene.tag, 'svg');
    assert.equal(scene.attrs.width, layout.width);
    assert.equal(scene.attrs['aria-label'], 'Policies of namespace production');
    const groups: SceneNode[] = [];
    walk(scene, (n) => {
      if (n.attrs['data-id'] !== undefined) groups.push(n);
    });
    assert.equal(groups.length, layout.nodes.length + layout.edges.length);
    const actions = groups.filter((g) => g.action);
    assert.equal(actions.length, groups.length, 'every node and edge has a location in the demo');
    const deny = groups.find((g) => g.attrs['data-id'] === 'policy:ingress:production/default-deny-ingress')!;
    assert.match(String(deny.attrs.class), /\bdeny-all\b/);
    assert.match(deny.action!.label, /^Open default-deny-ingress at .*default-deny-ingress\.yaml:2$/);
    const rule = groups.find((g) => g.attrs['data-id'] === 'peer:ingress:cidr:10.244.1.0/24→policy:ingress:production/allow-monitoring')!;
    assert.equal(rule.action!.location.line, 26);
    assert.ok(rule.children!.some((c) => c.tag === 'text' && c.text === '5432/TCP'));
    assert.ok(rule.children!.some((c) => c.tag === 'path' && c.attrs['marker-end'] === 'url(#arrow)'));
    // Texts are data, never markup: the scene has no HTML strings to inject.
    walk(scene, (n) => assert.ok(!Object.values(n.attrs).some((v) => typeof v === 'string' && v.includes('<'))));
  });

  it('badges say what a node is', () => {
    const node = { id: 'x', column: 0 as const, label: '', x: 0, y: 0, width: 1, height: 1, lines: [] };
    assert.equal(badge({ ...node, kind: 'policy' }), 'NP');
    assert.equal(badge({ ...node, kind: 'pods', pods: ['a/b', 'a/c'] }), '2 PODS');
    assert.equal(badge({ ...node, kind: 'peer', peerKind: 'cidr' }), 'IP');
    assert.equal(badge({ ...node, kind: 'peer', peerKind: 'namespaces' }), 'NS');
    assert.equal(badge({ ...node, kind: 'peer', peerKind: 'all' }), '∗');
  });
});

describe('webview HTML shell', () => {
  const opts = { title: 'Reachability <matrix>', cspSource: 'https://x.vscode-cdn.net', nonce: 'abcdefghijklmnop1234', scriptUri: 'https://x/dist/webview/matrix.js?a=1&b=2', styleUris: ['https://x/media/webview/common.css'] };

  it('has a strict CSP: nothing by default, the nonce script, styles from the extension', () => {
    assert.equal(webviewCsp('https://x.vscode-cdn.net', 'n0nce'), "default-src 'none'; script-src 'nonce-n0nce'; style-src https://x.vscode-cdn.net; img-src https://x.vscode-cdn.net data: blob:; font-src https://x.vscode-cdn.net");
    const html = webviewHtml(opts);
    assert.ok(html.includes(`content="default-src &#39;none&#39;; script-src &#39;nonce-abcdefghijklmnop1234&#39;`));
    assert.ok(!/unsafe-(inline|eval)/.test(html));
    assert.equal((html.match(/<script\b/g) ?? []).length, 1);
    assert.ok(html.includes('<script nonce="abcdefghijklmnop1234" src="https://x/dist/webview/matrix.js?a=1&amp;b=2"></script>'));
    assert.ok(html.includes('<title>Reachability &lt;matrix&gt;</title>'));
    assert.ok(!/style=/.test(html), 'no inline styles');
  });

  it('refuses a weak nonce', () => {
    assert.throws(() => webviewHtml({ ...opts, nonce: 'short' }), /nonce/);
    assert.throws(() => webviewHtml({ ...opts, nonce: 'abcdefghijklmnop" onload="x' }), /nonce/);
  });
});
