// The one place the cluster layer is loaded: a dynamic import(), on first use, never during
// activation and never in Restricted Mode (the view checks trust before calling it).
import type * as Runtime from './cluster-runtime';

export type ClusterRuntime = typeof Runtime;

let loading: Promise<ClusterRuntime> | undefined;
let loaded = false;

export function loadClusterRuntime(): Promise<ClusterRuntime> {
  loading ??= import('./cluster-runtime').then((runtime) => {
    loaded = true;
    return runtime;
  });
  return loading;
}

/** Whether the cluster layer has been evaluated in this extension host. */
export function clusterRuntimeLoaded(): boolean {
  return loaded;
}
