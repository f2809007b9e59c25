// The one place the connectivity feature loads the cluster layer: a dynamic import(), on the
// first test, never during activation and never in Restricted Mode (callers check trust first).
import type * as Runtime from './connectivity-runtime';

export type ConnectivityRuntime = typeof Runtime;

let loading: Promise<ConnectivityRuntime> | undefined;
let loaded = false;

export function loadConnectivityRuntime(): Promise<ConnectivityRuntime> {
  loading ??= import('./connectivity-runtime').then((runtime) => {
    loaded = true;
    return runtime;
  });
  return loading;
}

/** Whether this feature has evaluated the cluster layer in this extension host (tests). */
export function connectivityRuntimeLoaded(): boolean {
  return loaded;
}
