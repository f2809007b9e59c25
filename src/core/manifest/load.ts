/**
 * The manifest loader: YAML/JSON files in, a ClusterSnapshot and findings out.
 *
 * Pure (no I/O) and total: no input makes it throw, and a bad document or file never stops
 * the others from loading. Every object keeps its exact source (SourceRef) so findings and
 * the editor can point at the key or value concerned.
 */
import type { Finding } from '../model';
import { readCareful } from './careful';
import type { Problem } from './careful';
import { convertDocument, ignoredHint } from './convert';
import type { FileContext } from './convert';
import { readBlockYaml, readJson } from './fast';
import type { RawParse } from './fast';
import { decodeScalar } from './scalars';
import { buildSnapshot } from './snapshot';
import { LineIndex, decodeContent } from './text';
import { TreeBuilder } from './tree';
import { WORKLOAD_TEMPLATE_PATHS } from './kinds';
import { resolveLoadOptions } from './types';
import type { LoadOptions, LoadResult, LoadedObject, ManifestInput, ParsedFile } from './types';

export { buildSnapshot } from './snapshot';
export { DEFAULT_LOAD_OPTIONS } from './types';
export type { ControllerRef, LoadOptions, LoadResult, LoadedObject, ManifestInput, ParsedFile, SnapshotObject } from './types';

/** Which reader produced a file's tree; exposed for tests and benchmarks. */
export type ReaderKind = 'json' | 'block-yaml' | 'yaml';

/** Internal knobs for tests: force the careful `yaml`-package path. */
export interface ParseInternals {
  readonly forceCareful?: boolean;
  /** Receives the reader used. */
  readonly onReader?: (reader: ReaderKind) => void;
}

function firstContentChar(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return c;
  }
  return -1;
}

function sortByPosition(findings: Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => a.f.range.start.line - b.f.range.start.line || a.f.range.start.character - b.f.range.start.character || a.i - b.i)
    .map((x) => x.f);
}

/**
 * Reads one file into objects and findings, without merging it with other files (the
 * editor keeps one result per document and merges with {@link buildSnapshot}).
 * Never throws.
 */
export function parseManifestText(file: string, content: string | Uint8Array, options?: LoadOptions, internals?: ParseInternals): ParsedFile {
  const opts = resolveLoadOptions(options);
  const findings: Finding[] = [];
  const objects: LoadedObject[] = [];
  const origin = { line: 0, character: 0 };
  try {
    const decoded = decodeContent(content, opts.maxFileBytes);
    // A lone CR ends a line in YAML (and in kubectl and the editor), but the `yaml` package reads
    // `a: 1\rb: 2` as one line: a file with old Mac line ends would load nothing and say nothing.
    // CR -> LF keeps every offset, and LineIndex already counts a lone CR as a line end.
    const text = decoded.text.indexOf('\r') < 0 ? decoded.text : decoded.text.replace(/\r(?!\n)/g, '\n');
    const lines = LineIndex.of(text);
    if (decoded.problem) {
      const p = decoded.problem;
      const range = p.fatal ? { start: origin, end: origin } : lines.rangeOf(p.offset, p.offset + 1);
      findings.push({ code: p.code, severity: p.fatal ? (p.code === 'binary-file' ? 'warning' : 'error') : 'warning', message: p.message, file, range });
      if (p.fatal) return { objects, findings };
    }
    let builder = new TreeBuilder();
    let raw: RawParse | undefined;
    let problems: Problem[] = [];
    // Templates go to the careful path, which knows how to skip them document by document.
    if (!internals?.forceCareful && text.indexOf('{{') < 0) {
      const first = firstContentChar(text);
      if (first === 123 || first === 91) {
        raw = readJson(text, builder, opts.maxDepth);
        if (raw) internals?.onReader?.('json');
        problems = raw?.problems ?? [];
      } else {
        raw = readBlockYaml(text, lines, builder, opts.maxDepth);
        if (raw) internals?.onReader?.('block-yaml');
      }
    }
    if (!raw) {
      builder = new TreeBuilder();
      const careful = readCareful(text, builder, opts);
      internals?.onReader?.('yaml');
      raw = careful;
      problems = careful.problems;
    }
    for (const p of problems) {
      findings.push({ code: p.code, severity: p.severity, message: p.message, file, range: lines.rangeOf(p.start, p.end) });
    }
    for (const d of raw.duplicates) {
      findings.push({
        code: 'duplicate-key',
        severity: 'warning',
        message:
          `Duplicate key ${JSON.stringify(d.name)}: the API server keeps the last value (and so does netlens), but ` +
          'kubectl\'s strict field validation (its default) rejects the object. Remove one of them.',
        file,
        range: lines.rangeOf(d.start, d.end),
      });
    }
    const tree = builder.finish(text, lines, decodeScalar);
    const fc: FileContext = {
      file,
      tree,
      defaultNamespace: opts.defaultNamespace,
      findings,
      objects,
      ignored: { count: 0, kinds: new Map() },
      doc: 0,
    };
    raw.docs.forEach((d, index) => {
      if (d.root < 0) return;
      fc.doc = index;
      convertDocument(fc, d.root);
    });
    const hint = ignoredHint(fc);
    if (hint) findings.push(hint);
  } catch (e) {
    // Last line of defence: a bug here must not take the editor or a CLI run down with it.
    findings.push({
      code: 'internal-error',
      severity: 'error',
      message: `netlens could not read this file (${e instanceof Error ? e.message : String(e)}). This is a bug in netlens: please report it.`,
      file,
      range: { start: origin, end: origin },
    });
  }
  return { objects, findings: sortByPosition(findings) };
}

/**
 * Loads many files into one snapshot. Findings come in input order, then by position.
 * Never throws.
 */
export function loadManifests(inputs: readonly ManifestInput[], options?: LoadOptions): LoadResult {
  const objects: LoadedObject[] = [];
  const findings: Finding[] = [];
  for (const input of inputs) {
    const parsed = parseManifestText(input.file, input.content, options);
    objects.push(...parsed.objects);
    findings.push(...parsed.findings);
  }
  const result = buildSnapshot(objects, findings);
  const order = new Map<string, number>();
  inputs.forEach((inp, i) => {
    if (!order.has(inp.file)) order.set(inp.file, i);
  });
  const keyed = result.findings.map((f, i) => ({ f, i, o: order.get(f.file) ?? inputs.length }));
  keyed.sort(
    (a, b) =>
      a.o - b.o || a.f.range.start.line - b.f.range.start.line || a.f.range.start.character - b.f.range.start.character || a.i - b.i,
  );
  return { snapshot: result.snapshot, findings: keyed.map((k) => k.f) };
}

/**
 * Dotted path (relative to `pod.source`) of a field of a pod: the pod itself for real pods,
 * the pod template inside the workload for workload pods (`spec.template.metadata.labels`).
 */
export function podFieldPath(pod: { origin: { type: 'pod' } | { type: 'workload'; kind: string } }, field: string): string {
  if (pod.origin.type === 'pod') return field;
  const template = WORKLOAD_TEMPLATE_PATHS[pod.origin.kind] ?? 'spec.template';
  return field ? `${template}.${field}` : template;
}
