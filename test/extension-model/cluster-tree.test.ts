// The cluster view's tree model in plain Node: structure, badges, paging, grouping, messages,
// filters, and which nodes a watch event refreshes. The VS Code side only maps these nodes to
// TreeItems (test/vscode/cluster-view.vscode.test.ts checks that part).
import { strict as assert } from 'node:assert';
import { syntheticManifests } from '../../bench/synthetic';
import { loadManifests } from '../../src/core/manifest/load';
import type { ClusterSnapshot } from '../../src/core/model';
import { ClusterTreeModel, GROUP_THRESHOLD, PAGE_SIZE, type TreeChange, type TreeNode } from '../../src/core/tree/cluster-tree';
import { describeFilter, namespaceMatcher, parseLabelFilter, parseNamespaceFilter } from '../../src/core/tree/filter';
import { groupOf } from '../../src/core/tree/grouping';
import { TREE_COMMANDS, type ClusterStatus } from '../../src/core/tree/messages';
import { itemOf } from '../../src/core/tree/render';

const CONNECTED: ClusterStatus = { phase: 'connected', streamErrors: [], hidden: [], streams: [] };

function snapshotOf(items: object[]): ClusterSnapshot {
  const { snapshot, findings } = loadManifests([{ file: 'kube.json', content: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) }]);
  const errors = findings.filter((f) => f.severity === 'error');
  assert.deepEqual(errors, [], 'fixture has errors');
  return snapshot;
}

function ns(name: string, labels: Record<string, string> = {}): object {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
}

function pod(namespace: string, name: string, labels: Record<string, string>, ip: string, phase = 'Running'): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'main', ports: [{ name: 'http', containerPort: 8080 }] }] },
    status: { phase, podIP: ip },
  };
}

function policy(namespace: string, name: string, spec: object): object {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

function service(namespace: string, name: string, selector: Record<string, string>): object {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector, clusterIP: '10.96.0.10', ports: [{ port: 80, targetPort: 8080 }] } };
}

/** The seed incident, plus a namespace with a policy selecting nothing and one without policies. */
function shop(): object[] {
  return [
    ns('production', { env: 'prod' }),
    ns('monitoring'),
    pod('production', 'postgres-0', { app: 'postgres' }, '10.244.1.45'),
    pod('production', 'web-api-7d9f8b6c5d-x2k4q', { app: 'web-api', 'pod-template-hash': '7d9f8b6c5d' }, '10.244.2.17'),
    pod('production', 'batch-x7k2p', { job: 'batch' }, '10.244.2.18'),
    pod('monitoring', 'prometheus-0', { app: 'prometheus' }, '10.244.3.3'),
    policy('production', 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }),
    policy('production', 'allow-db-access', {
      podSelector: { matchLabels: { app: 'postgres' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { app: 'web-api' } } }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
          ports: [{ protocol: 'TCP', port: 5432 }],
        },
      ],
      egress: [{ to: [{ ipBlock: { cidr: '10.244.0.0/16' } }] }],
    }),
    service('production', 'postgres', { app: 'postgres' }),
  ];
}

function model(items: object[] = shop(), status: ClusterStatus = CONNECTED): ClusterTreeModel {
  const m = new ClusterTreeModel();
  m.setContexts([{ name: 'kind-shop', cluster: 'kind', server: 'https://127.0.0.1:6443', namespace: 'default' }, { name: 'prod' }], 'kind-shop');
  m.setSnapshot(snapshotOf(items));
  m.setStatus(status);
  return m;
}

/** Finds a child by label (rendered), failing with the labels seen. */
function child(m: ClusterTreeModel, parent: TreeNode | undefined, label: string): TreeNode {
  const kids = m.children(parent);
  const found = kids.find((k) => itemOf(m, k).label === label);
  assert.ok(found, `no child "${label}" under ${parent?.id ?? 'the root'}; children: ${kids.map((k) => itemOf(m, k).label).join(' | ')}`);
  return found;
}

function path(m: ClusterTreeModel, ...labels: string[]): TreeNode {
  let node: TreeNode | undefined;
  for (const l of labels) node = child(m, node, l);
  return node!;
}

function labels(m: ClusterTreeModel, node: TreeNode | undefined): string[] {
  return m.children(node).map((k) => {
    const item = itemOf(m, k);
    return item.description ? `${item.label} — ${item.description}` : item.label;
  });
}

describe('cluster tree model', () => {
  describe('structure and badges', () => {
    it('lists contexts, then namespaces, then pods, policies and services', () => {
      const m = model();
      assert.deepEqual(labels(m, undefined), ['kind-shop — connected', 'prod']);
      assert.equal(itemOf(m, path(m, 'kind-shop')).collapsible, 'expanded');
      assert.deepEqual(labels(m, path(m, 'prod')), ['Not connected']);
      assert.deepEqual(labels(m, path(m, 'kind-shop')), ['monitoring', 'production']);
      assert.deepEqual(labels(m, path(m, 'kind-shop', 'production')), ['Pods — 3', 'NetworkPolicies — 2', 'Services — 1']);
    });

    it('shows phase, IP and isolation of each pod, with icon, badge and a Markdown tooltip', () => {
      const m = model();
      const pods = path(m, 'kind-shop', 'production', 'Pods');
      assert.deepEqual(labels(m, pods), [
        'batch-x7k2p — Running · 10.244.2.18 · isolated ingress',
        'postgres-0 — Running · 10.244.1.45 · isolated ingress+egress',
        'web-api-7d9f8b6c5d-x2k4q — Running · 10.244.2.17 · isolated ingress',
      ]);
      const postgres = itemOf(m, child(m, pods, 'postgres-0'));
      assert.deepEqual(postgres.icon, { file: 'pod-isolated' });
      assert.deepEqual(postgres.badge, { text: 'IE', tooltip: 'Isolated for ingress and egress' });
      assert.equal(postgres.contextValue, 'pod hasIp');
      assert.match(postgres.tooltip!, /- `app=postgres`/);
      assert.match(postgres.tooltip!, /\*\*Ingress\*\* isolated by `allow-db-access`, `default-deny-ingress`/);
      assert.match(postgres.tooltip!, /\*\*Egress\*\* isolated by `allow-db-access`/);
      const prometheus = itemOf(m, path(m, 'kind-shop', 'monitoring', 'Pods', 'prometheus-0'));
      assert.equal(prometheus.description, 'Running · 10.244.3.3 · no policy selects this pod');
      assert.deepEqual(prometheus.icon, { file: 'pod' });
      assert.equal(prometheus.badge, undefined);
    });

    it('expands a policy to the pods it selects, its rules, peers and what each admits', () => {
      const m = model();
      const p = path(m, 'kind-shop', 'production', 'NetworkPolicies', 'allow-db-access');
      assert.equal(itemOf(m, p).description, 'ingress+egress · selects 1 pod');
      assert.deepEqual(labels(m, p), [
        'Selects 1 pod — podSelector app=postgres',
        'Ingress rule 1 — from 2 pods in 2 namespaces · on TCP 5432',
        'Egress rule 1 — to 1 CIDR (65,536 addresses) · on all ports',
      ]);
      assert.deepEqual(labels(m, child(m, p, 'Selects 1 pod')), ['postgres-0 — production · Running · 10.244.1.45 · isolated ingress+egress']);
      const ingress = child(m, p, 'Ingress rule 1');
      assert.deepEqual(labels(m, ingress), [
        'pods app=web-api in namespace production — 1 pod in 1 namespace: web-api-7d9f8b6c5d-x2k4q',
        'all pods in namespaces kubernetes.io/metadata.name=monitoring — 1 pod in 1 namespace: prometheus-0',
      ]);
      assert.deepEqual(labels(m, child(m, ingress, 'all pods in namespaces kubernetes.io/metadata.name=monitoring')), ['prometheus-0 — monitoring · Running · 10.244.3.3 · no policy selects this pod']);
      const egress = child(m, p, 'Egress rule 1');
      assert.deepEqual(labels(m, egress), ['ipBlock 10.244.0.0/16 — 4 known pods inside']);
      const deny = path(m, 'kind-shop', 'production', 'NetworkPolicies', 'default-deny-ingress');
      assert.deepEqual(labels(m, deny), ['Selects 3 pods — podSelector (all)', 'Ingress: denies all — no rules']);
    });

    it('lists the pods a Service selects', () => {
      const m = model();
      const s = path(m, 'kind-shop', 'production', 'Services', 'postgres');
      assert.equal(itemOf(m, s).description, 'ClusterIP · 10.96.0.10 · 80→8080/TCP · 1 pod');
      assert.deepEqual(m.children(s).map((n) => itemOf(m, n).label), ['postgres-0']);
    });

    it('keeps node objects and ids stable and unique', () => {
      const m = model();
      const a = path(m, 'kind-shop', 'production', 'Pods', 'postgres-0');
      const b = path(m, 'kind-shop', 'production', 'Pods', 'postgres-0');
      assert.equal(a, b);
      const ids = new Set<string>();
      const walk = (n: TreeNode | undefined): void => {
        for (const c of m.children(n)) {
          assert.ok(!ids.has(c.id), `duplicate id ${c.id}`);
          ids.add(c.id);
          assert.equal(m.parent(c), n);
          walk(c);
        }
      };
      walk(undefined);
      assert.ok(ids.size > 30);
    });
  });

  describe('large namespaces', () => {
    function big(pods: number, apps: number, policies = 0): object[] {
      const items: object[] = [ns('big')];
      for (let i = 0; i < pods; i++) items.push(pod('big', `app-${i % apps}-5d8f7c9b4-${(i + 10000).toString(36).padStart(5, 'a')}`, { app: `app-${i % apps}` }, `10.1.${i >> 8}.${i & 255}`));
      for (let i = 0; i < policies; i++) items.push(policy('big', `allow-${String(i).padStart(4, '0')}`, { podSelector: { matchLabels: { app: `app-${i % apps}` } }, ingress: [{}] }));
      return items;
    }

    it('groups the pods of a large namespace by app and pages each list', () => {
      const m = model(big(1000, 4, 300));
      const folder = path(m, 'kind-shop', 'big', 'Pods');
      assert.equal(itemOf(m, folder).description, '1,000 in 4 groups');
      assert.deepEqual(labels(m, folder), ['app=app-0 — 250 pods', 'app=app-1 — 250 pods', 'app=app-2 — 250 pods', 'app=app-3 — 250 pods']);
      const group = child(m, folder, 'app=app-0');
      const page = m.children(group);
      assert.equal(page.length, PAGE_SIZE + 1);
      const more = page.at(-1)!;
      assert.equal(more.kind, 'more');
      assert.deepEqual(itemOf(m, more), {
        label: 'Show 50 more',
        description: '200 of 250 shown',
        icon: { codicon: 'ellipsis' },
        contextValue: 'more',
        collapsible: 'none',
        command: { command: TREE_COMMANDS.showMore, title: 'Show More', args: [more.id] },
      });
      assert.equal(m.showMore(more as Extract<TreeNode, { kind: 'more' }>), group);
      assert.equal(m.children(group).length, 250);
      assert.equal(m.children(group)[0], page[0], 'the first page keeps its node objects');
      const policies = path(m, 'kind-shop', 'big', 'NetworkPolicies');
      assert.equal(m.children(policies).length, PAGE_SIZE + 1);
      assert.equal(itemOf(m, m.children(policies)[0]!).description, 'ingress · selects 250 pods');
    });

    it('keeps a small namespace flat and a namespace of unrelated pods paged', () => {
      assert.equal(m0(GROUP_THRESHOLD, 2).children(path(m0(GROUP_THRESHOLD, 2), 'kind-shop', 'big', 'Pods')).length, GROUP_THRESHOLD);
      const m = model(big(500, 500));
      const folder = path(m, 'kind-shop', 'big', 'Pods');
      assert.equal(itemOf(m, folder).description, '500');
      assert.equal(m.children(folder).length, PAGE_SIZE + 1);
      function m0(p: number, a: number): ClusterTreeModel {
        return model(big(p, a));
      }
    });

    it('names groups by app label, else by the owner in the pod name', () => {
      const snapshot = snapshotOf([
        pod('x', 'web-5d8f7c9b4-abcde', { app: 'web' }, '10.0.0.1'),
        pod('x', 'api-5d8f7c9b4-abcde', { 'app.kubernetes.io/name': 'api', app: 'ignored' }, '10.0.0.2'),
        pod('x', 'worker-7f9c8d6b5-qwert', {}, '10.0.0.3'),
        pod('x', 'db-2', {}, '10.0.0.4'),
        pod('x', 'agent-x7k2p', {}, '10.0.0.5'),
        pod('x', 'standalone', {}, '10.0.0.6'),
      ]);
      assert.deepEqual(snapshot.pods.map(groupOf), ['app=web', 'app.kubernetes.io/name=api', 'owner worker', 'owner db', 'owner agent', 'other']);
    });

    it('builds 10k pods and 2k policies within 2 s, and answers each level in a few milliseconds', function () {
      this.timeout(60_000);
      const items = syntheticManifests({ pods: 10_000, policies: 2_000 });
      const snapshot = snapshotOf(items);
      const started = performance.now();
      const m = new ClusterTreeModel();
      m.setContexts([{ name: 'big' }], 'big');
      m.setSnapshot(snapshot);
      m.setStatus(CONNECTED);
      const built = performance.now() - started;
      const render = (n: TreeNode | undefined): TreeNode[] => {
        const kids = m.children(n);
        for (const k of kids) itemOf(m, k);
        return kids;
      };
      const firstPaint = performance.now();
      const namespaces = render(render(undefined)[0]);
      let widest = namespaces.length;
      for (const n of namespaces) for (const folder of render(n)) widest = Math.max(widest, render(folder).length);
      const walked = performance.now() - firstPaint;
      // One namespace opened down to its policies' peers, as a user would.
      const openStarted = performance.now();
      const policies = render(render(namespaces[0])[1]);
      for (const p of policies.slice(0, 5)) for (const r of render(p)) for (const peer of render(r)) render(peer);
      const opened = performance.now() - openStarted;
      console.log(
        `      10k pods / 2k policies / ${namespaces.length} namespaces: model built in ${built.toFixed(0)} ms; ` +
          `every namespace and folder listed and rendered in ${walked.toFixed(0)} ms; 5 policies opened to their peers in ${opened.toFixed(0)} ms`,
      );
      assert.ok(built + walked < 2000, `build ${built} ms + render ${walked} ms`);
      assert.ok(widest <= PAGE_SIZE + 1, `a list of ${widest} items`);
    });

    it('pages and groups 10k pods in one namespace', function () {
      this.timeout(60_000);
      const snapshot = snapshotOf(big(10_000, 40, 2_000));
      const started = performance.now();
      const m = new ClusterTreeModel();
      m.setContexts([{ name: 'kind-shop' }], 'kind-shop');
      m.setSnapshot(snapshot);
      m.setStatus(CONNECTED);
      const folder = path(m, 'kind-shop', 'big', 'Pods');
      const groups = m.children(folder);
      const pods = m.children(groups[0]);
      for (const p of pods) itemOf(m, p);
      const policies = m.children(path(m, 'kind-shop', 'big', 'NetworkPolicies'));
      for (const p of policies) itemOf(m, p);
      const elapsed = performance.now() - started;
      console.log(`      one namespace of 10k pods and 2k policies: built and first pages rendered in ${elapsed.toFixed(0)} ms`);
      assert.equal(groups.length, 40);
      assert.equal(pods.length, PAGE_SIZE + 1);
      assert.equal(policies.length, PAGE_SIZE + 1);
      assert.ok(elapsed < 2000);
    });
  });

  describe('live updates', () => {
    function change(type: TreeChange['type'], kind: string, namespace: string | undefined, name: string): TreeChange {
      return namespace === undefined ? { type, kind, name } : { type, kind, namespace, name };
    }

    it('refreshes only the list a new pod joins, and keeps the other nodes', () => {
      const items = shop();
      const m = model(items);
      const pods = path(m, 'kind-shop', 'production', 'Pods');
      const postgres = child(m, pods, 'postgres-0');
      const policies = path(m, 'kind-shop', 'production', 'NetworkPolicies');
      const db = child(m, policies, 'allow-db-access');
      const deny = child(m, policies, 'default-deny-ingress');
      const monitoring = path(m, 'kind-shop', 'monitoring', 'Pods');
      const refreshed = m.applyChanges(snapshotOf([...items, pod('production', 'cache-0', { app: 'cache' }, '10.244.9.9')]), [change('ADDED', 'Pod', 'production', 'cache-0')]);
      // The pods list, and the policy whose selection grew (default-deny selects every pod).
      assert.deepEqual(refreshed.map((n) => n.id).sort(), [deny.id, pods.id].sort());
      assert.ok(!refreshed.includes(db) && !refreshed.includes(monitoring));
      assert.equal(child(m, pods, 'postgres-0'), postgres, 'same node object');
      assert.equal(itemOf(m, child(m, pods, 'cache-0')).description, 'Running · 10.244.9.9 · isolated ingress');
      assert.equal(itemOf(m, deny).description, 'ingress · selects 4 pods');
    });

    it('refreshes the pod alone when only its phase or IP changes', () => {
      const items = shop();
      const m = model(items);
      const pods = path(m, 'kind-shop', 'production', 'Pods');
      const postgres = child(m, pods, 'postgres-0');
      const next = items.map((o) => (o === items[2] ? pod('production', 'postgres-0', { app: 'postgres' }, '10.244.1.99', 'Pending') : o));
      const refreshed = m.applyChanges(snapshotOf(next), [change('MODIFIED', 'Pod', 'production', 'postgres-0')]);
      assert.deepEqual(refreshed, [postgres]);
      assert.equal(itemOf(m, postgres).description, 'Pending · 10.244.1.99 · isolated ingress+egress');
    });

    it('refreshes the group a pod joins in a grouped namespace, not the folder', () => {
      const items: object[] = [ns('big')];
      for (let i = 0; i < 300; i++) items.push(pod('big', `app-${i % 3}-5d8f7c9b4-${(i + 10000).toString(36)}`, { app: `app-${i % 3}` }, `10.1.${i >> 8}.${i & 255}`));
      const m = model(items);
      const folder = path(m, 'kind-shop', 'big', 'Pods');
      const group = child(m, folder, 'app=app-1');
      m.children(group);
      const refreshed = m.applyChanges(snapshotOf([...items, pod('big', 'app-1-5d8f7c9b4-zzzzz', { app: 'app-1' }, '10.1.9.9')]), [change('ADDED', 'Pod', 'big', 'app-1-5d8f7c9b4-zzzzz')]);
      assert.deepEqual(refreshed, [group]);
      assert.equal(itemOf(m, group).description, '101 pods');
      // A pod of a new app makes a new group: the folder changes.
      const again = m.applyChanges(snapshotOf([...items, pod('big', 'app-1-5d8f7c9b4-zzzzz', { app: 'app-1' }, '10.1.9.9'), pod('big', 'new-0', { app: 'new' }, '10.1.9.10')]), [
        change('ADDED', 'Pod', 'big', 'new-0'),
      ]);
      assert.deepEqual(again, [folder]);
    });

    it('refreshes badges and the policy list when a policy arrives, and a whole namespace when it appears', () => {
      const items = shop();
      const m = model(items);
      const ctx = path(m, 'kind-shop');
      const monitoringPods = path(m, 'kind-shop', 'monitoring', 'Pods');
      const monitoringPolicies = path(m, 'kind-shop', 'monitoring', 'NetworkPolicies');
      const prometheus = child(m, monitoringPods, 'prometheus-0');
      const withPolicy = [...items, policy('monitoring', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] })];
      const refreshed = m.applyChanges(snapshotOf(withPolicy), [change('ADDED', 'NetworkPolicy', 'monitoring', 'deny-egress')]);
      assert.deepEqual(refreshed.map((n) => n.id).sort(), [monitoringPods.id, monitoringPolicies.id].sort());
      assert.equal(itemOf(m, prometheus).description, 'Running · 10.244.3.3 · isolated egress');
      const withNamespace = [...withPolicy, ns('payments'), pod('payments', 'pay-0', { app: 'pay' }, '10.244.5.5')];
      const again = m.applyChanges(snapshotOf(withNamespace), [change('ADDED', 'Namespace', undefined, 'payments'), change('ADDED', 'Pod', 'payments', 'pay-0')]);
      assert.deepEqual(again, [ctx]);
      assert.deepEqual(labels(m, ctx), ['monitoring', 'payments', 'production']);
    });

    it('refreshes an expanded policy elsewhere when its peers gain a pod', () => {
      const items = shop();
      const m = model(items);
      const db = path(m, 'kind-shop', 'production', 'NetworkPolicies', 'allow-db-access');
      const rule = child(m, db, 'Ingress rule 1');
      m.children(rule);
      const refreshed = m.applyChanges(snapshotOf([...items, pod('monitoring', 'grafana-0', { app: 'grafana' }, '10.244.3.4')]), [change('ADDED', 'Pod', 'monitoring', 'grafana-0')]);
      assert.ok(refreshed.includes(db), `refreshed: ${refreshed.map((n) => n.id).join(', ')}`);
      assert.equal(itemOf(m, rule).description, 'from 3 pods in 2 namespaces · on TCP 5432');
    });

    it('forgets the nodes of deleted objects', () => {
      const items = shop();
      const m = model(items);
      const pods = path(m, 'kind-shop', 'production', 'Pods');
      const batch = child(m, pods, 'batch-x7k2p');
      const refreshed = m.applyChanges(snapshotOf(items.filter((o) => (o as { metadata: { name: string } }).metadata.name !== 'batch-x7k2p')), [change('DELETED', 'Pod', 'production', 'batch-x7k2p')]);
      assert.ok(refreshed.includes(pods));
      assert.equal(m.get(batch.id), undefined);
      assert.deepEqual(m.children(pods).map((n) => itemOf(m, n).label), ['postgres-0', 'web-api-7d9f8b6c5d-x2k4q']);
    });
  });

  describe('errors and hidden resources', () => {
    it('shows a namespace RBAC refusal as a message with Show Details and Choose Namespaces', () => {
      const m = model(shop(), {
        ...CONNECTED,
        hidden: [{ resource: 'pods', namespace: '*', reason: 'Forbidden: you cannot list pods across all namespaces (RBAC, context "kind-shop"). Ask for a cluster-wide "view" role; showing namespace production only' }],
        streams: [{ resource: 'pods', namespace: 'production' }, { resource: 'networkpolicies' }],
      });
      const ctx = path(m, 'kind-shop');
      const info = m.children(ctx)[0]!;
      assert.equal(itemOf(m, info).label, 'You cannot list pods across all namespaces (RBAC)');
      const monitoring = child(m, ctx, 'monitoring');
      assert.deepEqual(labels(m, monitoring), ['You cannot list pods in namespace monitoring (RBAC)', 'Pods — not readable (RBAC)', 'NetworkPolicies — 0', 'Services — 0']);
      const message = m.children(monitoring)[0]!;
      const item = itemOf(m, message);
      assert.deepEqual(item.icon, { file: 'warning' });
      assert.match(item.tooltip!, /Ask for a cluster\\-wide "view" role/);
      assert.deepEqual(labels(m, message), ['Show Details', 'Choose Namespaces']);
      assert.equal(itemOf(m, m.children(message)[1]!).command?.command, TREE_COMMANDS.chooseNamespaces);
      assert.deepEqual(labels(m, child(m, ctx, 'production')), ['Pods — 3', 'NetworkPolicies — 2', 'Services — 1']);
    });

    it('names the namespace the user may not read when the namespaces were configured', () => {
      const m = model(shop(), {
        ...CONNECTED,
        hidden: [{ resource: 'pods', namespace: 'monitoring', reason: 'Forbidden: you cannot list pods in namespace monitoring (RBAC, context "kind-shop"). Ask for the "view" role there' }],
      });
      assert.deepEqual(labels(m, path(m, 'kind-shop', 'monitoring'))[0], 'You cannot list pods in namespace monitoring (RBAC)');
    });

    it('offers Retry for an unreachable cluster and Retry / Show Log for expired credentials', () => {
      const m = model(shop(), {
        ...CONNECTED,
        streamErrors: [
          { resource: 'pods', kind: 'Unreachable', message: 'cannot reach the API server at https://127.0.0.1:6443: connection refused. Check that the cluster is running' },
          { resource: 'services', kind: 'Unreachable', message: 'cannot reach the API server at https://127.0.0.1:6443: connection refused. Check that the cluster is running' },
        ],
      });
      const ctx = path(m, 'kind-shop');
      const message = m.children(ctx)[0]!;
      const item = itemOf(m, message);
      assert.equal(item.label, 'Cannot reach the API server');
      assert.equal(item.contextValue, 'message Unreachable retryable');
      assert.equal(item.command?.command, TREE_COMMANDS.retry);
      assert.match(item.tooltip!, /Affects: pods, services/);
      assert.deepEqual(labels(m, message), ['Retry', 'Show Log']);
      // Credentials expire: the message changes, only the context is refreshed.
      const refreshed = m.setStatus({ ...CONNECTED, streamErrors: [{ resource: 'pods', kind: 'Expired', message: 'your credentials (context "kind-shop") stopped working' }] });
      assert.deepEqual(refreshed, [ctx]);
      assert.equal(itemOf(m, m.children(ctx)[0]!).label, 'Your credentials have expired');
      assert.deepEqual(labels(m, m.children(ctx)[0]), ['Retry', 'Show Log']);
      // Recovered: the message goes.
      assert.deepEqual(m.setStatus(CONNECTED), [ctx]);
      assert.equal(itemOf(m, m.children(ctx)[0]!).label, 'monitoring');
    });

    it('shows a failed connection instead of namespaces', () => {
      const m = model(shop(), { phase: 'failed', error: { kind: 'NoContext', message: 'context "gone" is not in the kubeconfig; available: a, b' }, streamErrors: [], hidden: [], streams: [] });
      const ctx = path(m, 'kind-shop');
      assert.equal(itemOf(m, ctx).description, 'not connected');
      assert.deepEqual(labels(m, ctx), ['This context cannot be used']);
      assert.deepEqual(labels(m, m.children(ctx)[0]), ['Switch Context', 'Choose Kubeconfig File']);
    });

    it('replaces the tree with one message when the cluster layer cannot be loaded', () => {
      const m = model();
      m.setRootMessage({ key: 'load', severity: 'error', kind: 'load', label: 'Cannot load the cluster layer', detail: 'x', actions: [{ title: 'Show Log', command: TREE_COMMANDS.showLog, icon: 'output' }] });
      assert.deepEqual(labels(m, undefined), ['Cannot load the cluster layer']);
      assert.deepEqual(labels(m, m.children()[0]), ['Show Log']);
      assert.equal(m.children()[0]!.parent, undefined);
    });

    it('says it is connecting while the first lists run', () => {
      const m = new ClusterTreeModel();
      m.setContexts([{ name: 'a' }], 'a');
      assert.deepEqual(labels(m, path(m, 'a')), ['Connecting to a…']);
      assert.equal(itemOf(m, path(m, 'a')).description, 'connecting…');
    });
  });

  describe('filters', () => {
    it('filters namespaces by name or glob and pods by labels', () => {
      const m = model();
      const selector = parseLabelFilter('app in (postgres,web-api)');
      assert.ok(selector.ok && selector.value);
      m.setFilter({ namespaces: ['prod*'], labels: selector.value });
      assert.deepEqual(labels(m, path(m, 'kind-shop')), ['production']);
      assert.deepEqual(labels(m, path(m, 'kind-shop', 'production')).slice(0, 1), ['Pods — 2 of 3']);
      assert.equal(describeFilter(m.filter), 'ns prod* · app in (postgres,web-api)');
    });

    it('parses kubectl label selectors and rejects what kubectl would', () => {
      const ok = parseLabelFilter('app=web, tier!=db,env in (prod, staging),!canary,team');
      assert.ok(ok.ok);
      assert.deepEqual(ok.value, {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'NotIn', values: ['db'] },
          { key: 'env', operator: 'In', values: ['prod', 'staging'] },
          { key: 'canary', operator: 'DoesNotExist', values: [] },
          { key: 'team', operator: 'Exists', values: [] },
        ],
      });
      assert.deepEqual(parseLabelFilter('  '), { ok: true, value: undefined });
      assert.equal(parseLabelFilter('app=we b').ok, false);
      assert.equal(parseLabelFilter('app in ()').ok, false);
      assert.deepEqual(parseNamespaceFilter('prod*, kube-system  default'), { ok: true, value: ['prod*', 'kube-system', 'default'] });
      assert.equal(parseNamespaceFilter('Prod').ok, false);
      const match = namespaceMatcher(['prod*', 'kube-system']);
      assert.deepEqual(['production', 'prod', 'kube-system', 'kube-public', 'staging'].filter(match), ['production', 'prod', 'kube-system']);
    });
  });
});
