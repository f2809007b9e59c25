// Which documents and files the editor features look at, decided on the text alone and before
// any YAML parse, so that other YAML and JSON files cost a substring search.
import * as vscode from 'vscode';
import { NETLENS_KINDS } from '../core/manifest/kinds';

/**
 * Schemes of real files and unsaved buffers. Diff and history views (git:, gitlens:, ...)
 * show other versions of a file: indexing them would duplicate its objects.
 */
export const INDEXED_SCHEMES: readonly string[] = ['file', 'untitled', 'vscode-remote'];
const LANGUAGES = ['yaml', 'json', 'jsonc'];

/** The documents the providers (CodeLens, hover, code actions) register for. */
export const MANIFEST_SELECTOR: vscode.DocumentSelector = LANGUAGES.flatMap((language) =>
  INDEXED_SCHEMES.map((scheme) => ({ language, scheme })),
);

/** Workspace files the index reads. */
export const MANIFEST_GLOB = '**/*.{yaml,yml,json}';

/** Files and buffers larger than this are skipped, with a log line. */
export const MAX_MANIFEST_BYTES = 5 * 1024 * 1024;

/** The pre-check of every feature: a document that does not contain this word is never parsed. */
export function mayHoldNetworkPolicy(text: string): boolean {
  return text.includes('NetworkPolicy');
}

// `kind: Pod`, `kind: "Pod"`, `"kind": "Pod"`, `kind: List`, `kind: PodList`, ...
const KIND_PATTERN = new RegExp(`\\bkind["']?\\s*:\\s*["']?(?:${[...NETLENS_KINDS].join('|')}|[A-Za-z]*List)\\b`);

/** True when a file may hold an object the loader reads (policies, pods, workloads, namespaces, ...). */
export function mayHoldManifest(text: string): boolean {
  return KIND_PATTERN.test(text);
}

/** True for a document the index may read: a real file or an unsaved buffer, in YAML or JSON. */
export function isManifestDocument(document: vscode.TextDocument): boolean {
  if (!INDEXED_SCHEMES.includes(document.uri.scheme)) return false;
  return LANGUAGES.includes(document.languageId) || /\.(ya?ml|json)$/i.test(document.uri.path);
}
