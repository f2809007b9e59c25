/**
 * Every row of every upstream conformance case (see README.md for provenance),
 * loaded the way users load manifests (a `kind: List` as `kubectl get -o json`
 * prints it) and checked through every evaluator: the explaining one, the fast
 * index's single query and matrix, and the naive reference.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseIp } from '../../src/core/cidr';
import { explain, type Endpoint } from '../../src/core/engine/explain';
import { ReachIndex } from '../../src/core/engine/reach-index';
import { loadManifests } from '../../src/core/manifest/load';
import type { ClusterSnapshot } from '../../src/core/model';
import { caseAsList, type ConformanceCase } from '../support/conformance';
import { naiveAllowed, type NaiveEndpoint } from '../support/naive';

type CaseRow = ConformanceCase['expect'][number];

const dir = path.join(__dirname, 'cases');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

function load(c: ConformanceCase, file: string): ClusterSnapshot {
  const { snapshot, findings } = loadManifests([{ file, content: JSON.stringify(caseAsList(c), null, 2) }]);
  const errors = findings.filter((f) => f.severity === 'error');
  if (!c.apiInvalid) assert.deepEqual(errors, [], 'a valid case loads without errors');
  return snapshot;
}

describe('conformance (upstream-asserted verdicts)', () => {
  it('has every case from the shared set', () => {
    assert.equal(files.length, 45);
  });

  for (const file of files) {
    const c = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as ConformanceCase;
    it(`${file}: ${c.name}`, () => {
      const snapshot = load(c, file);
      if (c.apiInvalid) {
        const invalid = snapshot.policies.filter((p) => p.invalid);
        assert.ok(invalid.length > 0, `the loader flags the policy the API server would reject (${c.apiInvalid})`);
        return;
      }
      assert.equal(snapshot.policies.length, c.policies.length);
      const index = new ReachIndex(snapshot);
      const matrices = new Map<string, ReturnType<ReachIndex['matrix']>>();
      const endpoint = (e: CaseRow['from']): { engine: Endpoint; naive: NaiveEndpoint; index?: number } => {
        if (typeof e === 'string') {
          const i = index.indexOf(e);
          assert.ok(i !== undefined, `pod ${e} exists`);
          const pod = snapshot.pods[i]!;
          return { engine: { kind: 'pod', pod }, naive: { pod }, index: i };
        }
        const ip = parseIp(e.ip);
        assert.ok(ip, e.ip);
        return { engine: { kind: 'external', ip }, naive: { ip: e.ip } };
      };
      for (const row of c.expect) {
        const label = `${JSON.stringify(row.from)} → ${JSON.stringify(row.to)} ${row.port}/${row.protocol}`;
        const from = endpoint(row.from);
        const to = endpoint(row.to);
        const verdict = explain(snapshot, from.engine, to.engine, { port: row.port, protocol: row.protocol });
        assert.equal(verdict.allowed, row.allowed, `explain: ${label}: ${verdict.summary}`);
        assert.equal(naiveAllowed(snapshot, from.naive, to.naive, row.port, row.protocol), row.allowed, `naive: ${label}`);
        if (from.index !== undefined && to.index !== undefined) {
          assert.equal(index.allowed(from.index, to.index, row.port, row.protocol), row.allowed, `index: ${label}`);
          const key = `${row.port}/${row.protocol}`;
          if (!matrices.has(key)) matrices.set(key, index.matrix(row.port, row.protocol));
          assert.equal(matrices.get(key)!.matrix.get(from.index, to.index), row.allowed, `matrix: ${label}`);
        }
      }
    });
  }
});
