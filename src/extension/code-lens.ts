// CodeLens on NetworkPolicies: what each policy selects and isolates, and what each rule and
// peer admits. provideCodeLenses only places the lenses (from the document's own parse);
// the titles that depend on pods are computed in resolveCodeLens, for the visible ones only.
// Workspace documents are evaluated against the active data source; the read-only documents
// of live policies (cluster-documents.ts) against the cluster of their context.
import * as vscode from 'vscode';
import { policyLenses } from '../core/editor/lenses';
import type { Lens, PodSummary } from '../core/editor/lenses';
import type { ClusterSnapshot, NetworkPolicy } from '../core/model';
import { POLICY_VIEW_SELECTOR, clusterDocuments, type ClusterDocumentEntry } from './cluster-documents';
import { mayHoldNetworkPolicy } from './documents';
import { guard } from './log';
import type { Registrar } from './register';
import type { Services } from './services';

export const SHOW_SELECTED_PODS = 'netlens.showSelectedPods';

/** The argument of `netlens.showSelectedPods`. */
export interface SelectedPods {
  readonly title: string;
  readonly pods: readonly PodSummary[];
}

class PolicyLens extends vscode.CodeLens {
  /** Set for lenses of a read-only cluster document: evaluated against its context. */
  clusterDocument?: ClusterDocumentEntry;

  constructor(
    line: number,
    readonly policy: NetworkPolicy,
    readonly kind: Lens['kind'],
    /** Dotted path of the element, as `policyLenses` reports it. */
    readonly path: string,
  ) {
    super(new vscode.Range(line, 0, line, 0));
  }
}

/** Provider calls slower than this are logged at info level (others at debug). */
const SLOW_MS = 30;

/**
 * Where `policyLenses` puts its lenses, without computing any title: the policy and its
 * policyTypes on the object's first line, each rule, and each peer of a rule with several.
 * A few source lookups per policy; resolveCodeLens pairs each with its title by kind and path.
 */
function placeLenses(policy: NetworkPolicy): PolicyLens[] {
  const src = policy.source;
  if (!src) return [];
  const line = (path: string): number => {
    const at = src.at(path);
    return (at?.key ?? at?.value ?? src.range).start.line;
  };
  const out = [new PolicyLens(src.range.start.line, policy, 'policy', ''), new PolicyLens(src.range.start.line, policy, 'types', 'spec.policyTypes')];
  for (const rule of [...policy.ingress, ...policy.egress]) {
    out.push(new PolicyLens(line(rule.path), policy, 'rule', rule.path));
    if (rule.peers.length > 1) for (const peer of rule.peers) out.push(new PolicyLens(line(peer.path), policy, 'peer', peer.path));
  }
  return out;
}

function commandOf(lens: Lens): vscode.Command {
  if (lens.pods.length === 0) return { title: lens.title, command: '' };
  return { title: lens.title, command: SHOW_SELECTED_PODS, tooltip: 'List these pods', arguments: [{ title: lens.title, pods: lens.pods } satisfies SelectedPods] };
}

export function registerCodeLens(reg: Registrar, services: Services): void {
  const { index, sources, log } = services;
  const clusterDocs = clusterDocuments(services);
  const changed = reg.add(new vscode.EventEmitter<void>());
  reg.add(sources.onDidChange(() => changed.fire()));
  // Per policy object, the lenses computed for one snapshot.
  const computed = new WeakMap<NetworkPolicy, { snapshot: ClusterSnapshot; lenses: Lens[] }>();

  const provider: vscode.CodeLensProvider<PolicyLens> = {
    onDidChangeCodeLenses: changed.event,
    provideCodeLenses: guard(log, 'CodeLens', [], (document: vscode.TextDocument) => {
      if (!mayHoldNetworkPolicy(document.getText())) return [];
      const started = performance.now();
      const clusterEntry = clusterDocs.entry(document);
      if (!clusterEntry) index.start();
      const entry = clusterEntry ?? index.documentEntry(document);
      if (!entry) return [];
      const parsed = performance.now();
      const out = entry.policies.flatMap(placeLenses);
      if (clusterEntry) for (const lens of out) lens.clusterDocument = clusterEntry;
      const ms = performance.now() - started;
      const line = `CodeLens: ${out.length} lenses for ${entry.policies.length} policies in ${document.uri.toString()} in ${ms.toFixed(1)} ms (${(parsed - started).toFixed(1)} ms reading the document)`;
      if (ms > SLOW_MS) log.info(`${line} (slow)`);
      else log.debug(line);
      return out;
    }),
    resolveCodeLens: guard(log, 'CodeLens resolve', undefined, async (lens: PolicyLens, token: vscode.CancellationToken) => {
      let view = lens.clusterDocument ? clusterDocs.view(lens.clusterDocument) : undefined;
      if (lens.clusterDocument && !view) {
        // Not connected to the document's context (any more): no data to count pods in.
        lens.command = { title: lens.kind === 'policy' ? `not connected to context ${lens.clusterDocument.context}` : '', command: '' };
        return lens;
      }
      if (!view) {
        if (!index.isReady) await index.ready;
        view = sources.view();
      }
      if (token.isCancellationRequested) return undefined;
      let known = computed.get(lens.policy);
      if (known?.snapshot !== view.snapshot) {
        known = { snapshot: view.snapshot, lenses: policyLenses(lens.policy, view.snapshot, view.name) };
        computed.set(lens.policy, known);
      }
      const resolved = known.lenses.find((l) => l.kind === lens.kind && l.path === lens.path);
      // A lens the core no longer makes (it cannot happen with the same policy object) shows nothing.
      lens.command = resolved ? commandOf(resolved) : { title: '', command: '' };
      return lens;
    }),
  };
  reg.add(vscode.languages.registerCodeLensProvider(POLICY_VIEW_SELECTOR, provider));
}
