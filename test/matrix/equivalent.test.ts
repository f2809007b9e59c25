import assert from 'node:assert/strict';
import { equivalentSnapshots } from '../../src/core/matrix/equivalent';
import { loadManifests } from '../../src/core/manifest/load';
import type { ClusterSnapshot } from '../../src/core/model';

const POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-db, namespace: production}
spec:
  podSelector: {matchLabels: {app: postgres}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web-api}}}], ports: [{port: 5432}]}]
`;
const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: postgres-0, namespace: production, labels: {app: postgres}}\nspec: {containers: [{name: db, image: x}]}\n';

const load = (...texts: string[]): ClusterSnapshot => loadManifests(texts.map((content, i) => ({ file: `f${i}.yaml`, content }))).snapshot;

describe('equivalentSnapshots', () => {
  it('holds for the same objects written elsewhere: comments, blank lines, flow vs block style', () => {
    const block = POLICY.replace('  ingress: [{from: [{podSelector: {matchLabels: {app: web-api}}}], ports: [{port: 5432}]}]\n', [
      '  # who may connect',
      '  ingress:',
      '    - from:',
      '        - podSelector:',
      '            matchLabels:',
      '              app: web-api',
      '      ports:',
      '        - port: 5432',
      '',
    ].join('\n'));
    assert.equal(equivalentSnapshots(load(POLICY, POD), load(`# a comment\n\n${block}`, POD)), true);
  });

  it('fails on any change of a policy, a pod or a namespace', () => {
    const base = load(POLICY, POD);
    assert.equal(equivalentSnapshots(base, load(POLICY.replace('5432', '5433'), POD)), false);
    assert.equal(equivalentSnapshots(base, load(POLICY, POD.replace('app: postgres', 'app: pg'))), false);
    assert.equal(equivalentSnapshots(base, load(POLICY)), false);
    assert.equal(equivalentSnapshots(base, load(POLICY, POD, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: extra}\n')), false);
  });

  it('compares ipBlocks (CIDRs are bigints)', () => {
    const withBlock = (cidr: string): string =>
      POLICY.replace('[{podSelector: {matchLabels: {app: web-api}}}]', `[{ipBlock: {cidr: ${cidr}}}]`);
    assert.equal(equivalentSnapshots(load(withBlock('10.0.0.0/24'), POD), load(`# moved\n${withBlock('10.0.0.0/24')}`, POD)), true);
    assert.equal(equivalentSnapshots(load(withBlock('10.0.0.0/24'), POD), load(withBlock('10.0.0.0/25'), POD)), false);
    assert.equal(equivalentSnapshots(load(withBlock('fd00::/64'), POD), load(withBlock('fd00::/64'), POD)), true);
  });

  it('compares by identity first: the same snapshot, or the same arrays', () => {
    const base = load(POLICY, POD);
    assert.equal(equivalentSnapshots(base, base), true);
    assert.equal(equivalentSnapshots(base, { ...base, services: [] }), true);
  });
});
