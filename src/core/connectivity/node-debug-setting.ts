/**
 * `netlens.connectivity.nodeDebug`: whether a connectivity test may create the privileged node
 * debug pod that reads a node's conntrack table (`src/cluster/debug/node-debug.ts`). A pod with
 * `privileged: true` and `hostNetwork` on a production node is a big step, so it is never
 * created silently: with `ask` (the default) every one is confirmed; with `never` none is
 * created, whoever asks, not even a caller that passes `confirm: true`. The setting is
 * machine-scoped: a workspace cannot turn node debug pods back on.
 */
export type NodeDebugSetting = 'ask' | 'never';

export const NODE_DEBUG_SETTINGS: readonly NodeDebugSetting[] = ['ask', 'never'];
export const DEFAULT_NODE_DEBUG: NodeDebugSetting = 'ask';

/** What to do when a node debug pod is about to be planned. */
export type NodeDebugDecision =
  /** Do nothing: no permission check, no plan, no request. */
  | { readonly action: 'refuse'; readonly message: string }
  /** Ask the user (a modal) before creating it. */
  | { readonly action: 'ask' }
  /** The caller confirmed it already (`confirm: true` from code). */
  | { readonly action: 'proceed' };

export const NODE_DEBUG_OFF =
  'node debug pods are turned off (the netlens.connectivity.nodeDebug setting is "never"), so the node\'s conntrack table was not read and nothing was created. Set it to "ask" in your user settings to allow them, each one confirmed';

/** The setting's value as read from settings: anything but a known value is reported and replaced by the default. */
export function parseNodeDebugSetting(value: unknown, problem: (message: string) => void = () => undefined): NodeDebugSetting {
  if (value === undefined || value === null) return DEFAULT_NODE_DEBUG;
  if (typeof value === 'string' && (NODE_DEBUG_SETTINGS as readonly string[]).includes(value)) return value as NodeDebugSetting;
  problem(`netlens.connectivity.nodeDebug: expected one of ${NODE_DEBUG_SETTINGS.join(', ')}, got ${JSON.stringify(value)}; using "${DEFAULT_NODE_DEBUG}" (every node debug pod is confirmed)`);
  return DEFAULT_NODE_DEBUG;
}

/** The decision for one node debug pod: `never` wins over everything, then a caller's own confirmation, else ask. */
export function nodeDebugDecision(setting: NodeDebugSetting, confirmedByCaller: boolean): NodeDebugDecision {
  if (setting === 'never') return { action: 'refuse', message: NODE_DEBUG_OFF };
  return confirmedByCaller ? { action: 'proceed' } : { action: 'ask' };
}
