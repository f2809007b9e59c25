// The one place the connectivity feature loads the cluster layer: the shared runtime bundle
// (../runtime-loader.ts), on the first test, never during activation and never in Restricted
// Mode (callers check trust first).
import { loadRuntime } from '../runtime-loader';
import type * as Runtime from './connectivity-runtime';

export type ConnectivityRuntime = typeof Runtime;

let loading: Promise<ConnectivityRuntime> | undefined;
let loaded = false;

export function loadConnectivityRuntime(): Promise<ConnectivityRuntime> {
  loading ??= loadRuntime().then((runtime) => {
    loaded = true;
    return runtime.connectivity;
  });
  return loading;
}

/** Whether this feature has evaluated the cluster layer in this extension host (tests). */
export function connectivityRuntimeLoaded(): boolean {
  return loaded;
}
