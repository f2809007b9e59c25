// The one dynamic import() of the cluster layer. The specifier is relative to this folder, which
// is also where dist/extension.js sits, so the require() esbuild emits for it finds
// dist/runtime.js (scripts/build.mjs keeps './runtime' external).
import type * as Runtime from './runtime';

export type NetlensRuntime = typeof Runtime;

let loading: Promise<NetlensRuntime> | undefined;

export function loadRuntime(): Promise<NetlensRuntime> {
  loading ??= import('./runtime');
  return loading;
}
