import { strict as assert } from 'node:assert';
import { AccessReviewer, canI, describePermission, ephemeralDebugPermissions } from '../../src/cluster/rbac';
import type { FakeKube } from '../support/fake-kube/server';
import { connectTo, startFake, TempDir } from './helpers';

describe('rbac (SelfSubjectAccessReview)', () => {
  let fake: FakeKube | undefined;
  let tmp: TempDir;

  beforeEach(() => {
    tmp = new TempDir();
  });

  afterEach(async () => {
    await fake?.close();
    fake = undefined;
    tmp.cleanup();
  });

  it('answers can-i per verb, resource, group, subresource and namespace', async () => {
    fake = await startFake({
      rbac: {
        rules: [
          { verbs: ['list', 'watch'], apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], namespaces: ['production'] },
          { verbs: ['get'], resources: ['pods/exec'], namespaces: ['production'] },
        ],
        defaultAllow: false,
      },
    });
    const conn = connectTo(fake, tmp);
    const rbac = new AccessReviewer(conn);
    assert.equal((await rbac.canI('list', 'networkpolicies', { group: 'networking.k8s.io', namespace: 'production' })).allowed, true);
    assert.equal((await rbac.canI('list', 'networkpolicies', { group: 'networking.k8s.io' })).allowed, false, 'cluster scope');
    assert.equal((await rbac.canI('list', 'networkpolicies', { namespace: 'production' })).allowed, false, 'wrong group');
    assert.equal((await rbac.canI('get', 'pods', { subresource: 'exec', namespace: 'production' })).allowed, true);
    assert.equal((await canI(conn, 'get', 'pods', { namespace: 'production' })).allowed, false, 'the subresource is not the resource');
  });

  it('reports which debug permissions are missing, with the authorizer reason', async () => {
    fake = await startFake({
      rbac: {
        rules: [
          { verbs: ['patch'], resources: ['pods/ephemeralcontainers'], namespaces: ['production'], allow: false, reason: 'no debugging in production' },
          { verbs: ['create'], resources: ['pods/exec'], namespaces: ['production'], allow: false },
        ],
      },
    });
    const conn = connectTo(fake, tmp);
    const rbac = new AccessReviewer(conn);
    const missing = await rbac.missing(ephemeralDebugPermissions('production', 'postgres-0'));
    assert.deepEqual(
      missing.map((m) => [describePermission(m), m.reason]),
      [
        ['patch pods/ephemeralcontainers "postgres-0" in namespace production', 'no debugging in production'],
        ['create pods/exec "postgres-0" in namespace production', undefined],
      ],
    );
    assert.deepEqual(await rbac.missing(ephemeralDebugPermissions('staging')), []);
  });

  it('caches answers for a while', async () => {
    fake = await startFake();
    const conn = connectTo(fake, tmp);
    let now = 0;
    const rbac = new AccessReviewer(conn, { cacheMs: 1000, now: () => now });
    const reviews = (): number => fake!.requests().filter((r) => r.path.endsWith('/selfsubjectaccessreviews')).length;
    await rbac.canI('list', 'pods');
    await rbac.canI('list', 'pods');
    assert.equal(reviews(), 1);
    now = 2000;
    await rbac.canI('list', 'pods');
    assert.equal(reviews(), 2);
  });
});
