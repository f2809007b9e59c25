import assert from 'node:assert/strict';
import { parseGraphToHost, parseHostToGraph } from '../../src/webview/graph/protocol';
import { cellKey, parseHostToMatrix, parseMatrixToHost } from '../../src/webview/matrix/protocol';

const cell = { row: 'production/web-api', col: 'production/postgres-0' };

describe('webview message protocol', () => {
  it('accepts every well-formed webview → host message', () => {
    const good: unknown[] = [
      { type: 'ready' },
      { type: 'filter', filter: { labels: 'app=web', namespaces: ['production'], onlyDenied: true } },
      { type: 'selectPort', port: { kind: 'declared' } },
      { type: 'selectPort', port: { kind: 'port', port: 5432, protocol: 'TCP' } },
      { type: 'cellHover', revision: 3, cell, filter: {} },
      { type: 'cellClick', revision: 3, cell, filter: { external: false } },
      { type: 'openLocation', file: '/w/p.yaml', line: 14, column: 7 },
      { type: 'openLocation', file: '/w/p.yaml', line: 1 },
      { type: 'showGraph', focus: { kind: 'pod', pod: 'production/postgres-0' } },
      { type: 'export', format: 'png', filename: 'm.png', data: 'iVBORw0KGgo=', encoding: 'base64' },
    ];
    for (const m of good) assert.deepEqual(parseMatrixToHost(m), m, JSON.stringify(m));
  });

  it('rejects malformed or hostile webview messages', () => {
    const bad: unknown[] = [
      null, 'ready', [], { type: 'nope' },
      { type: 'filter', filter: { namespaces: 'production' } },
      { type: 'filter', filter: { onlyDenied: 'yes' } },
      { type: 'selectPort', port: { kind: 'port', port: 0, protocol: 'TCP' } },
      { type: 'selectPort', port: { kind: 'port', port: 80, protocol: 'ICMP' } },
      { type: 'cellHover', cell, filter: {} },
      { type: 'cellClick', revision: 1, cell: { row: 1, col: 'x' }, filter: {} },
      { type: 'openLocation', file: '/w/p.yaml', line: 0 },
      { type: 'openLocation', file: '/w/p.yaml', line: 1.5 },
      { type: 'openLocation', file: 42, line: 1 },
      { type: 'showGraph', focus: { kind: 'cluster' } },
      { type: 'export', format: 'exe', filename: 'x', data: '', encoding: 'utf8' },
      { type: 'export', format: 'csv', filename: 'x', data: '', encoding: 'latin1' },
    ];
    for (const m of bad) assert.equal(parseMatrixToHost(m), undefined, JSON.stringify(m));
  });

  it('strips unknown fields from what the host acts on', () => {
    assert.deepEqual(parseMatrixToHost({ type: 'openLocation', file: 'a', line: 2, command: 'rm -rf /' }), { type: 'openLocation', file: 'a', line: 2 });
  });

  it('checks host messages in the webview (a view whose cells do not fit is refused)', () => {
    const view = { schema: 1, rows: [{}], cols: [{}, {}], cells: 'AD' };
    assert.ok(parseHostToMatrix({ type: 'data', revision: 1, view }));
    assert.equal(parseHostToMatrix({ type: 'data', revision: 1, view: { ...view, cells: 'A' } }), undefined);
    assert.equal(parseHostToMatrix({ type: 'data', revision: 1, view: { ...view, changes: ' ' } }), undefined);
    assert.equal(parseHostToMatrix({ type: 'data', revision: 1, view: { ...view, schema: 2 } }), undefined);
    assert.ok(parseHostToMatrix({ type: 'data', revision: 1, view, filter: { namespaces: ['production'] } }));
    assert.equal(parseHostToMatrix({ type: 'data', revision: 1, view, filter: { namespaces: 'production' } }), undefined);
    assert.ok(parseHostToMatrix({ type: 'reason', revision: 1, cell, text: 'denied: …' }));
    assert.equal(parseHostToMatrix({ type: 'reason', revision: 1, cell }), undefined);
    assert.ok(parseHostToMatrix({ type: 'explanation', revision: 1, cell, explanation: { sections: [] } }));
    assert.deepEqual(parseHostToMatrix({ type: 'error', message: 'no snapshot yet' }), { type: 'error', message: 'no snapshot yet' });
    assert.equal(parseHostToMatrix({ type: 'eval', code: 'x' }), undefined);
    assert.equal(cellKey(cell), 'production/web-api\u0000production/postgres-0');
  });

  it('graph messages', () => {
    assert.deepEqual(parseGraphToHost({ type: 'openLocation', file: 'f', line: 3 }), { type: 'openLocation', file: 'f', line: 3 });
    assert.deepEqual(parseGraphToHost({ type: 'focus', focus: { kind: 'namespace', namespace: 'prod', extra: 1 } }), { type: 'focus', focus: { kind: 'namespace', namespace: 'prod' } });
    assert.equal(parseGraphToHost({ type: 'focus', focus: { kind: 'pod' } }), undefined);
    assert.equal(parseGraphToHost({ type: 'openLocation', file: 'f', line: -1 }), undefined);
    assert.ok(parseHostToGraph({ type: 'graph', revision: 1, layout: { nodes: [], edges: [] } }));
    assert.equal(parseHostToGraph({ type: 'graph', revision: 1, layout: {} }), undefined);
  });
});
