// The plain helpers of the matrix and graph panels (src/extension/panels/texts.ts): the header's
// source line, export file names (never a folder from the webview), base64 and focus checks.
import { strict as assert } from 'node:assert';
import { exportFileName, isBase64, isGraphFocus, sourceText } from '../../src/extension/panels/texts';

describe('panels: texts', () => {
  it('says where the data came from, and what an unsaved edit is compared with', () => {
    assert.equal(sourceText({ name: 'workspace', complete: false }), 'workspace manifests');
    assert.equal(sourceText({ name: 'context prod', complete: true }), 'live context prod');
    assert.equal(sourceText({ name: 'context prod', complete: false }), 'live context prod (partial)');
    assert.equal(sourceText({ name: 'workspace', complete: false }, { baselineName: 'saved files', documents: ['a'] }), 'workspace manifests · 1 unsaved policy file vs saved files');
    assert.equal(sourceText({ name: 'context prod', complete: true }, { baselineName: 'context prod', documents: ['a', 'b'] }), 'live context prod · 2 unsaved policy files vs context prod');
  });

  it('proposes a plain file name with the format extension, whatever the webview suggests', () => {
    assert.equal(exportFileName('netlens-matrix-5432-TCP.csv', 'csv'), 'netlens-matrix-5432-TCP.csv');
    assert.equal(exportFileName('netlens-matrix-declared-ports.svg', 'svg'), 'netlens-matrix-declared-ports.svg');
    assert.equal(exportFileName('../../.bashrc', 'csv'), 'netlens-matrix.csv');
    assert.equal(exportFileName('../../etc/passwd', 'csv'), 'passwd.csv');
    assert.equal(exportFileName('C:\\Windows\\system32\\evil.exe', 'png'), 'evil.png');
    assert.equal(exportFileName('a b;c$(rm).csv', 'csv'), 'a-b-c-rm-.csv');
    assert.equal(exportFileName('', 'svg'), 'netlens-matrix.svg');
    assert.equal(exportFileName('...', 'csv'), 'netlens-matrix.csv');
    assert.ok(exportFileName('x'.repeat(500), 'png').length <= 104);
  });

  it('accepts standard base64 only', () => {
    assert.ok(isBase64('iVBORw0KGgo='));
    assert.ok(isBase64(''));
    assert.equal(isBase64('iVBORw0KGgo'), false);
    assert.equal(isBase64('iVBO Rw0KGgo='), false);
    assert.equal(isBase64('iVBORw0K-_o='), false);
  });

  it('checks a graph focus read back from workspace state', () => {
    assert.ok(isGraphFocus({ kind: 'namespace', namespace: 'production' }));
    assert.ok(isGraphFocus({ kind: 'pod', pod: 'production/postgres-0' }));
    assert.equal(isGraphFocus({ kind: 'pod', namespace: 'production' }), false);
    assert.equal(isGraphFocus('production'), false);
    assert.equal(isGraphFocus(undefined), false);
  });
});
