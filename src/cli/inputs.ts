/**
 * Where the CLI's cluster picture comes from. Files and directories today; a live
 * cluster (`--kubeconfig`, `--context`) plugs in as another {@link InputSource}
 * whose snapshot is merged with the files'.
 */
import { loadManifests } from '../core/manifest/load';
import type { ClusterSnapshot, Finding } from '../core/model';
import { readInputs } from './files';

export interface LoadedInputs {
  readonly snapshot: ClusterSnapshot;
  readonly findings: readonly Finding[];
  /** Problems reading paths (missing files, permissions): each one line. */
  readonly errors: readonly string[];
  /** What the data came from, for headers ("3 files", "context prod"). */
  readonly description: string;
}

export interface InputSource {
  load(): Promise<LoadedInputs>;
}

/** Manifests read from files and directories (`-` is standard input). */
export function fileSource(paths: readonly string[]): InputSource {
  return {
    async load() {
      const { inputs, errors } = await readInputs([...paths]);
      const { snapshot, findings } = loadManifests(inputs);
      const n = inputs.length;
      return { snapshot, findings, errors, description: `${n} ${n === 1 ? 'file' : 'files'}` };
    },
  };
}
