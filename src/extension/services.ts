// What extension.ts builds once and hands to each feature's register function.
import type * as vscode from 'vscode';
import type { Config } from './config';
import type { EditDiffs } from './edit-diff/types';
import type { Log } from './log';
import type { DataSources } from './snapshot-source';
import type { WorkspaceIndex } from './workspace-index';

export interface Services {
  readonly log: Log;
  readonly config: Config;
  /** The workspace's manifests; also the data source until a cluster context is chosen. */
  readonly index: WorkspaceIndex;
  readonly sources: DataSources;
  /** Reachability before and after the unsaved policy edits (the diff CodeLens, the matrix's "changed" mode). */
  readonly editDiff: EditDiffs;
  readonly extensionUri: vscode.Uri;
  readonly version: string;
}
