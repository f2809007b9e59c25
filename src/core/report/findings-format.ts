/**
 * Findings as the CLI prints them: text (file:line:col severity code message),
 * the JSON contract, and SARIF 2.1.0 for code-scanning uploads.
 */
import type { Finding, Severity } from '../model';
import { RULES } from '../lint/rules-catalog';
import { oneLine } from './one-line';

export interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  code: string;
  message: string;
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };

/** Sorted by file, then position, then severity. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      ORDER[a.severity] - ORDER[b.severity] ||
      a.code.localeCompare(b.code),
  );
}

export function findingJson(f: Finding): JsonDiagnostic {
  return {
    file: f.file,
    line: f.range.start.line + 1,
    column: f.range.start.character + 1,
    endLine: f.range.end.line + 1,
    endColumn: f.range.end.character + 1,
    severity: f.severity,
    code: f.code,
    message: f.message,
  };
}

/**
 * One finding per line, whatever a file name or a message holds: CI logs read lines that start
 * with `::` as commands, so a line break in a file name must not start a new line.
 */
export function findingsText(findings: readonly Finding[]): string {
  return sortFindings(findings)
    .map((f) => `${oneLine(f.file)}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.code}: ${oneLine(f.message)}`)
    .join('\n');
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

/**
 * SARIF 2.1.0. `toUri` turns a finding's file into a URI relative to the repository
 * root (code scanning resolves `artifactLocation.uri` against the checkout).
 */
export function findingsSarif(findings: readonly Finding[], toolVersion: string, toUri: (file: string) => string = (f) => f): object {
  const sorted = sortFindings(findings);
  const used = [...new Set(sorted.map((f) => f.code))].sort();
  const ruleIndex = new Map(used.map((id, i) => [id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'netlens',
            version: toolVersion,
            semanticVersion: toolVersion,
            rules: used.map((id) => {
              const doc = RULES[id];
              return {
                id,
                name: id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
                shortDescription: { text: doc?.title ?? id },
                fullDescription: { text: doc?.description ?? id },
                help: { text: doc?.help ?? doc?.description ?? id },
                defaultConfiguration: { level: SARIF_LEVEL[doc?.severity ?? 'warning'] },
              };
            }),
          },
        },
        results: sorted.map((f) => ({
          ruleId: f.code,
          ruleIndex: ruleIndex.get(f.code),
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: toUri(f.file) },
                region: {
                  startLine: f.range.start.line + 1,
                  startColumn: f.range.start.character + 1,
                  endLine: f.range.end.line + 1,
                  endColumn: f.range.end.character + 1,
                },
              },
            },
          ],
        })),
      },
    ],
  };
}
