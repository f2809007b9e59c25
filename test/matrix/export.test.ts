import assert from 'node:assert/strict';
import { buildMatrixView } from '../../src/core/matrix/build';
import { buildDisplay } from '../../src/core/matrix/display';
import { csvField, matrixCsv, matrixSvg, xmlEscape } from '../../src/core/matrix/export';
import { applyFilter } from '../../src/core/matrix/filter';
import type { MatrixView } from '../../src/core/matrix/types';
import type { ClusterSnapshot } from '../../src/core/model';
import { demoSnapshots } from '../webview/demo';

/** A minimal RFC 4180 reader: quoted fields with "" escapes, CRLF records. */
function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += ch;
  }
  assert.equal(field + record.join(''), '', 'the text ends with CRLF');
  return records;
}

describe('exports', () => {
  let seed: ClusterSnapshot;
  let fixed: ClusterSnapshot;
  before(async () => {
    ({ before: seed, after: fixed } = await demoSnapshots());
  });

  it('quotes CSV fields as RFC 4180 says', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\r\nlines'), '"two\r\nlines"');
    assert.equal(csvField('x\ny'), '"x\ny"');
  });

  it('exports the view on screen as CSV: a header of destinations, a record per source', () => {
    const v = buildMatrixView(seed, { port: { kind: 'port', port: 5432, protocol: 'TCP' } });
    const csv = matrixCsv(buildDisplay(v, applyFilter(v, {}), new Set()));
    assert.ok(csv.endsWith('\r\n'));
    const rows = readCsv(csv);
    assert.deepEqual(rows[0], ['from \\ to (5432/TCP)', 'monitoring/prometheus-0', 'production/postgres-0', 'production/web-api-7d9f8b6c5d-q8j3m', 'production/web-api-7d9f8b6c5d-x2k4q']);
    assert.deepEqual(rows[4], ['production/web-api-7d9f8b6c5d-x2k4q', 'denied', 'denied', 'denied', 'self']);
    assert.deepEqual(rows[5], ['10.244.1.0/24', 'allowed', 'allowed', 'denied', 'denied']);
    const folded = readCsv(matrixCsv(buildDisplay(v, applyFilter(v, { external: false }), new Set(['production']))));
    assert.deepEqual(folded, [
      ['from \\ to (5432/TCP)', 'monitoring/prometheus-0', 'production (3 pods)'],
      ['monitoring/prometheus-0', 'self', 'denied 0/3'],
      ['production (3 pods)', 'partly allowed 1/3', 'denied 0/6'],
    ]);
  });

  it('quotes labels that hold commas (an ipBlock with two excepts) and marks changes', () => {
    const view: MatrixView = {
      schema: 1, port: { kind: 'port', port: 80, protocol: 'TCP' }, portLabel: '80/TCP', availablePorts: [],
      rows: [
        { id: 'a/x', kind: 'pod', group: 'a', name: 'x', labels: {}, ports: [] },
        { id: 'cidr:10.0.0.0/8 except 10.1.0.0/16,10.2.0.0/16', kind: 'cidr', group: '', name: '10.0.0.0/8', labels: {}, ports: [], detail: 'except 10.1.0.0/16, 10.2.0.0/16' },
      ],
      cols: [{ id: 'a/x', kind: 'pod', group: 'a', name: 'x', labels: {}, ports: [] }],
      cells: '-A', changes: ' +', groups: ['a', ''], counts: { allowed: 1, some: 0, denied: 0, notApplicable: 0 },
    };
    const rows = readCsv(matrixCsv(buildDisplay(view, applyFilter(view, {}), new Set())));
    assert.deepEqual(rows[2], ['10.0.0.0/8 except 10.1.0.0/16, 10.2.0.0/16', 'allowed (opened)']);
  });

  it('exports standalone SVG with every text escaped', () => {
    assert.equal(xmlEscape(`<a href="x">&'`), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
    const v = buildMatrixView(fixed, { before: seed, port: { kind: 'port', port: 5432, protocol: 'TCP' } });
    const svg = matrixSvg(buildDisplay(v, applyFilter(v, {}), new Set()), { title: 'Fix <review> & "notes"' });
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+"/);
    assert.match(svg, /<\/svg>\n$/);
    assert.ok(svg.includes('Fix &lt;review&gt; &amp; &quot;notes&quot;'));
    assert.ok(!svg.includes('<review>'));
    assert.ok(svg.includes('>production/web-api-7d9f8b6c5d-x2k4q</text>'));
    assert.ok(svg.includes('+ opened'), 'a diff view has the change legend');
    assert.equal((svg.match(/stroke-width="2"\/>/g) ?? []).length, 2, 'one marker per opened cell');
    // Every element is closed: count opening and closing tags of the container elements.
    assert.equal((svg.match(/<text\b/g) ?? []).length, (svg.match(/<\/text>/g) ?? []).length);
    assert.equal((svg.match(/<g\b/g) ?? []).length, (svg.match(/<\/g>/g) ?? []).length);
  });
});
