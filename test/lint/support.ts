import { parseManifestText, buildSnapshot } from '../../src/core/manifest/load';
import { lintPolicies } from '../../src/core/lint/policy-rules';
import { DEFAULT_LINT_OPTIONS, type LintFinding, type LintOptions, type TextEdit } from '../../src/core/lint/types';
import type { Position } from '../../src/core/model';

/** Lints in-memory files (name → text) the way the editor and CLI do. */
export function lintTexts(files: Record<string, string>, options: Partial<LintOptions> = {}): { findings: LintFinding[]; loaderFindings: ReturnType<typeof buildSnapshot>['findings'] } {
  const objects = Object.entries(files).flatMap(([file, text]) => parseManifestText(file, text).objects);
  const loaderFindings = Object.entries(files).flatMap(([file, text]) => parseManifestText(file, text).findings);
  const { snapshot } = buildSnapshot(objects, loaderFindings);
  const findings = lintPolicies({ snapshot, dataSource: 'workspace', text: (f) => files[f] }, { ...DEFAULT_LINT_OPTIONS, ...options });
  return { findings, loaderFindings };
}

function offsetAt(text: string, pos: Position): number {
  let offset = 0;
  for (let line = 0; line < pos.line; line++) {
    const nl = text.indexOf('\n', offset);
    offset = nl < 0 ? text.length : nl + 1;
  }
  return offset + pos.character;
}

/** Applies edits (non-overlapping) to a text, last first. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => offsetAt(text, b.range.start) - offsetAt(text, a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offsetAt(out, e.range.start)) + e.newText + out.slice(offsetAt(out, e.range.end));
  return out;
}
