// The read-only documents of live policies (`netlens-cluster:/<namespace>/<name>.yaml?context=<context>`,
// see cluster-view/policy-documents.ts) for the editor features: their own parse, and the data
// to evaluate them against, which is the live cluster of their context. They stay out of the
// workspace index: these are the cluster's own policies, not workspace files, and counting
// them there would put each policy in the workspace's snapshot a second time.
import * as vscode from 'vscode';
import { parseManifestText } from '../core/manifest/load';
import type { ClusterSnapshot, Finding, NetworkPolicy } from '../core/model';
import { ClusterSource } from './cluster-source';
import { CLUSTER_SCHEME, parsePolicyUri } from './cluster-view/policy-documents';
import { MANIFEST_SELECTOR, MAX_MANIFEST_BYTES, mayHoldNetworkPolicy } from './documents';
import type { Services } from './services';
import type { DataSources, DataView } from './snapshot-source';

/** The read-only policy documents of the cluster view. */
export const CLUSTER_DOCUMENT_SELECTOR: vscode.DocumentFilter = { scheme: CLUSTER_SCHEME };

/**
 * What CodeLens and hovers register for: workspace manifests and the cluster's read-only
 * policies. Code actions keep to MANIFEST_SELECTOR: a read-only document gets no quick fixes.
 */
export const POLICY_VIEW_SELECTOR: vscode.DocumentSelector = [...(MANIFEST_SELECTOR as readonly vscode.DocumentFilter[]), CLUSTER_DOCUMENT_SELECTOR];

export interface ClusterDocumentEntry {
  /** `uri.toString()`: the `file` of the findings and source references. */
  readonly key: string;
  readonly uri: vscode.Uri;
  readonly version: number;
  /** The kubeconfig context the policy was read from. */
  readonly context: string;
  readonly policies: readonly NetworkPolicy[];
  /** The loader's findings on the document's text. */
  readonly findings: readonly Finding[];
  readonly text: string;
}

export function isClusterDocument(document: vscode.TextDocument): boolean {
  return document.uri.scheme === CLUSTER_SCHEME;
}

function policyKey(p: { namespace: string; name: string }): string {
  return `${p.namespace}/${p.name}`;
}

export class ClusterDocuments {
  private readonly entries = new Map<string, ClusterDocumentEntry>();
  private readonly views = new WeakMap<ClusterDocumentEntry, { cluster: ClusterSnapshot; view: DataView }>();

  constructor(private readonly sources: DataSources) {}

  /** The document's parse, redone only when its text changed. Undefined for other documents. */
  entry(document: vscode.TextDocument): ClusterDocumentEntry | undefined {
    if (!isClusterDocument(document)) return undefined;
    const key = document.uri.toString();
    const known = this.entries.get(key);
    if (known && known.version === document.version && !document.isClosed) return known;
    const ref = parsePolicyUri(document.uri);
    const text = document.getText();
    if (!ref || text.length > MAX_MANIFEST_BYTES || !mayHoldNetworkPolicy(text)) {
      this.entries.delete(key);
      return undefined;
    }
    const parsed = parseManifestText(key, text, { defaultNamespace: ref.namespace });
    const policies = parsed.objects.map((o) => o.object).filter((o): o is NetworkPolicy => o.kind === 'NetworkPolicy');
    const entry: ClusterDocumentEntry = { key, uri: document.uri, version: document.version, context: ref.context, policies, findings: parsed.findings, text };
    if (!document.isClosed) this.entries.set(key, entry);
    return entry;
  }

  forget(document: vscode.TextDocument): void {
    this.entries.delete(document.uri.toString());
  }

  /** The open cluster documents' entries. */
  openEntries(): ClusterDocumentEntry[] {
    return vscode.workspace.textDocuments.flatMap((d) => {
      const e = d.isClosed ? undefined : this.entry(d);
      return e ? [e] : [];
    });
  }

  /**
   * What a cluster document's policies are evaluated against: the live data of its context
   * (pods, namespaces, services and the cluster's other policies), with the document's own
   * parse standing in for the cluster's copy of the policy, so that lenses and findings point
   * into the document. Undefined while that context is not the connected one.
   */
  view(entry: ClusterDocumentEntry): DataView | undefined {
    const source = this.sources.activeSource;
    if (!(source instanceof ClusterSource) || source.context !== entry.context) return undefined;
    const cluster = source.snapshot;
    const known = this.views.get(entry);
    if (known?.cluster === cluster && known.view.complete === source.complete) return known.view;
    const mine = new Set(entry.policies.map(policyKey));
    const snapshot: ClusterSnapshot = { ...cluster, policies: [...entry.policies, ...cluster.policies.filter((p) => !mine.has(policyKey(p)))] };
    const view: DataView = { name: source.name, snapshot, complete: source.complete };
    this.views.set(entry, { cluster, view });
    return view;
  }
}

const byServices = new WeakMap<Services, ClusterDocuments>();

/** The one ClusterDocuments of an activation (CodeLens, hovers and diagnostics share the parses). */
export function clusterDocuments(services: Services): ClusterDocuments {
  let docs = byServices.get(services);
  if (!docs) {
    docs = new ClusterDocuments(services.sources);
    byServices.set(services, docs);
  }
  return docs;
}
