/**
 * The demo workspace's snapshots for the webview checks: the seed incident as it is
 * ("before"), and with the fix (an ingress allow on postgres and an egress allow on
 * web-api) as "after". Built in memory; nothing is written.
 */
import * as path from 'node:path';
import { readInputs } from '../../src/cli/files';
import { loadManifests, type ManifestInput } from '../../src/core/manifest/load';
import type { ClusterSnapshot } from '../../src/core/model';
import { syntheticManifests } from '../../bench/synthetic';

export const DEMO = path.join(__dirname, '../../demo/workspace');

const ALLOW_DB_ACCESS = `# The fix: let the web API reach the database on 5432.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-db-access
  namespace: production
spec:
  podSelector:
    matchLabels:
      app: postgres
  policyTypes:
    - Ingress
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app: web-api
      ports:
        - protocol: TCP
          port: 5432
`;

const EGRESS_TO_DB = `    - to:
        - podSelector:
            matchLabels:
              app: postgres
      ports:
        - protocol: TCP
          port: 5432
`;

function snapshotOf(inputs: readonly ManifestInput[]): ClusterSnapshot {
  const { snapshot, findings } = loadManifests(inputs);
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length) throw new Error(`demo manifests: ${errors[0]!.message}`);
  return snapshot;
}

/** The demo workspace as files (before) and with the fix applied (after). */
export async function demoSnapshots(): Promise<{ before: ClusterSnapshot; after: ClusterSnapshot }> {
  const { inputs, errors } = await readInputs([DEMO]);
  if (errors.length) throw new Error(errors.join('; '));
  const text = (i: ManifestInput): string => (typeof i.content === 'string' ? i.content : new TextDecoder().decode(i.content));
  const fixed = inputs.map((i) => (i.file.endsWith('web-api-egress.yaml') ? { file: i.file, content: text(i) + EGRESS_TO_DB } : i));
  fixed.push({ file: path.join(DEMO, 'policies/allow-db-access.yaml'), content: ALLOW_DB_ACCESS });
  return { before: snapshotOf(inputs), after: snapshotOf(fixed) };
}

/** A synthetic cluster of `pods` pods (bench/synthetic.ts). */
export function syntheticSnapshot(pods: number, policies: number, seed = 42): ClusterSnapshot {
  return snapshotOf([{ file: 'synthetic.json', content: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: syntheticManifests({ pods, policies, seed }) }) }]);
}
