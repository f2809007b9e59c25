/** The shape of a conformance case (test/conformance/README.md) and its manifest form. */

export interface CaseRow {
  from: string | { ip: string };
  to: string | { ip: string };
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  allowed: boolean;
}

export interface ConformanceCase {
  name: string;
  source: string;
  apiInvalid?: string;
  namespaces: { name: string; labels: Record<string, string> }[];
  pods: { namespace: string; name: string; labels: Record<string, string>; ip: string; ports: { name: string; containerPort: number; protocol: string }[] }[];
  policies: { metadata: { name: string; namespace: string } }[];
  expect: CaseRow[];
}

/** The case as the `kubectl get -o json` List a user would feed the CLI. */
export function caseAsList(c: ConformanceCase): object {
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      ...c.namespaces.map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n.name, labels: n.labels } })),
      ...c.pods.map((p) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: p.name, namespace: p.namespace, labels: p.labels },
        spec: { containers: [{ name: 'c', image: 'agnhost', ports: p.ports }] },
        status: { phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }] },
      })),
      ...c.policies,
    ],
  };
}

