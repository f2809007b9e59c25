/**
 * Every finding code netlens can emit, with its documentation. The CLI's SARIF
 * driver, `docs/rules.md` and the editor's diagnostics all read this one table;
 * a test checks that every code the loader and the lint rules emit is listed here.
 */
import type { Severity } from '../model';

export interface RuleDoc {
  readonly title: string;
  readonly description: string;
  readonly help: string;
  readonly severity: Severity;
}

export const RULES: Readonly<Record<string, RuleDoc>> = {};
