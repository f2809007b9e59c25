// Settings that decide which credentials are used or what runs in a cluster. They are
// `machine`-scoped in package.json (VS Code never reads them from workspace or folder settings)
// and listed in `capabilities.untrustedWorkspaces.restrictedConfigurations`. config.ts reads
// them through `userOrDefault` as well, so a workspace value is ignored even if a scope were
// changed by mistake. Plain data, no `vscode` import: test/hardening/settings.test.ts checks
// package.json against this list and the helper on its own.

/** Keys under `netlens.`: the kubeconfig (its credential plugins run), the context (which user and plugin), the debug image (runs in the user's pods), node debug pods (privileged). */
export const MACHINE_SETTINGS = ['kubeconfig', 'context', 'debugImage', 'connectivity.nodeDebug'] as const;
export type MachineSetting = (typeof MACHINE_SETTINGS)[number];

/** The parts of `WorkspaceConfiguration.inspect()` this reads. */
export interface InspectedSetting<T> {
  readonly defaultValue?: T;
  readonly globalValue?: T;
  readonly workspaceValue?: T;
  readonly workspaceFolderValue?: T;
}

/** The user's (or the machine's) value, else the default; workspace and folder values never count. */
export function userOrDefault<T>(inspected: InspectedSetting<T> | undefined): T | undefined {
  if (!inspected) return undefined;
  return inspected.globalValue !== undefined ? inspected.globalValue : inspected.defaultValue;
}
