// The one place the cluster view loads the cluster layer: the shared runtime bundle
// (../runtime-loader.ts), on first use, never during activation and never in Restricted Mode
// (the view checks trust before calling it).
import { loadRuntime } from '../runtime-loader';
import type * as Runtime from './cluster-runtime';

export type ClusterRuntime = typeof Runtime;

let loading: Promise<ClusterRuntime> | undefined;
let loaded = false;

export function loadClusterRuntime(): Promise<ClusterRuntime> {
  loading ??= loadRuntime().then((runtime) => {
    loaded = true;
    return runtime.clusterView;
  });
  return loading;
}

/** Whether the cluster layer has been evaluated in this extension host. */
export function clusterRuntimeLoaded(): boolean {
  return loaded;
}
