import assert from 'node:assert/strict';
import { baselineLabel, editDiffReport, editDiffTitle, unreadableTitle } from '../../src/core/editor/edit-diff';
import { diffSnapshots } from '../../src/core/matrix/diff';
import type { ClusterSnapshot } from '../../src/core/model';
import { demoSnapshots } from '../webview/demo';

const WEB_A = 'production/web-api-7d9f8b6c5d-q8j3m';
const WEB_B = 'production/web-api-7d9f8b6c5d-x2k4q';
const DB = 'production/postgres-0';

describe('edit diff titles and report', () => {
  let seed: ClusterSnapshot;
  let fixed: ClusterSnapshot;
  before(async () => {
    ({ before: seed, after: fixed } = await demoSnapshots());
  });

  it('names the baseline: the saved file(s), or the live context', () => {
    assert.equal(baselineLabel({ kind: 'saved' }, 1), 'vs saved file');
    assert.equal(baselineLabel({ kind: 'saved' }, 2), 'vs saved files');
    assert.equal(baselineLabel({ kind: 'cluster', name: 'context prod' }, 3), 'vs context prod');
  });

  it('the lens title: the counts with one example each, then the baseline', () => {
    assert.equal(
      editDiffTitle(diffSnapshots(seed, fixed), { kind: 'saved' }, 1),
      `This change opens 2 paths (${WEB_A} → postgres-0:5432/TCP, …) and closes none — vs saved file`,
    );
    assert.equal(
      editDiffTitle(diffSnapshots(fixed, seed), { kind: 'cluster', name: 'context kind-shop' }, 1),
      `This change opens no paths and closes 2 paths (${WEB_A} → postgres-0:5432/TCP, …) — vs context kind-shop`,
    );
    assert.equal(editDiffTitle(diffSnapshots(seed, seed), { kind: 'saved' }, 2), 'This change opens no paths and closes none — vs saved files');
  });

  it('the lens title keeps the namespace of a destination in another namespace, and names pods on one side', () => {
    const path = { from: 'monitoring/prometheus-0', to: `${DB}`, port: 5432, protocol: 'TCP' as const };
    assert.equal(
      editDiffTitle({ opened: [path], closed: [], addedPods: ['production/postgres-1'], removedPods: [WEB_A, WEB_B] }, { kind: 'saved' }, 1),
      `This change opens 1 path (monitoring/prometheus-0 → ${DB}:5432/TCP) and closes none (1 pod added, 2 pods removed: not counted) — vs saved file`,
    );
  });

  it('the report: what was compared, then every path and the ports', () => {
    assert.equal(
      editDiffReport(diffSnapshots(seed, fixed), { kind: 'saved' }, ['policies/web-api-egress.yaml']),
      [
        'Unsaved edits of policies/web-api-egress.yaml, compared with the saved file.',
        '',
        `This change opens 2 paths (${WEB_A} → ${DB}:5432/TCP, ${WEB_B} → ${DB}:5432/TCP) and closes none.`,
        '',
        'Opened (2):',
        `+ ${WEB_A} → ${DB} 5432/TCP`,
        `+ ${WEB_B} → ${DB} 5432/TCP`,
        '',
        'Compared on the ports each destination declares (5432/TCP, 8080/TCP, 9090/TCP).',
        '',
      ].join('\n'),
    );
    assert.match(
      editDiffReport(diffSnapshots(seed, seed), { kind: 'cluster', name: 'context prod' }, ['a.yaml', 'b.yaml']),
      /^Unsaved edits of a\.yaml, b\.yaml, applied over the live cluster \(context prod\), compared with the cluster as it is \(its own policies\)\.\n\nThis change opens no paths and closes none\.\n/,
    );
  });

  it('while an edited file does not parse: says so instead of reporting its paths as closed', () => {
    assert.equal(unreadableTitle(undefined, 11), 'This change is not compared while the unsaved text has a YAML error (line 12)');
    assert.equal(unreadableTitle('seed/policies/a.yaml', 0), 'This change is not compared while seed/policies/a.yaml has a YAML error (line 1)');
  });
});
