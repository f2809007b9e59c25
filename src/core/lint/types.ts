/**
 * Plain types of the lint rules and their fixes. The editor maps them to
 * Diagnostic / CodeAction; the CLI prints them.
 */
import type { ClusterSnapshot, Finding, Range, Severity } from '../model';

/** A text replacement in one file; an empty range inserts. */
export interface TextEdit {
  readonly file: string;
  readonly range: Range;
  readonly newText: string;
}

export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
  readonly preferred?: boolean;
}

export interface RelatedLocation {
  readonly message: string;
  readonly file: string;
  readonly range: Range;
}

export interface LintFinding extends Finding {
  readonly fixes?: readonly Fix[];
  readonly related?: readonly RelatedLocation[];
}

export interface LintOptions {
  /** ipBlocks with a shorter prefix than this are flagged as broad (IPv4). */
  readonly broadPrefixV4: number;
  /** The same for IPv6. */
  readonly broadPrefixV6: number;
  /** Per-rule severity, or 'off'. Missing rules use their default. */
  readonly severities: Readonly<Record<string, Severity | 'off'>>;
}

export const DEFAULT_LINT_OPTIONS: LintOptions = { broadPrefixV4: 24, broadPrefixV6: 64, severities: {} };

export interface LintContext {
  /** Everything known: the policies to lint and the pods, namespaces, nodes and services around them. */
  readonly snapshot: ClusterSnapshot;
  /** Where the pods and namespaces came from ("workspace", or a context name). */
  readonly dataSource: string;
  /**
   * True when the data lists every namespace (a live cluster). Workspace manifests rarely
   * define kube-system and friends, so a selector naming a namespace by
   * `kubernetes.io/metadata.name` is only checked against complete data.
   */
  readonly complete?: boolean;
  /** The current text of a file, for fixes that must keep comments and formatting. */
  readonly text: (file: string) => string | undefined;
}
