// npm start's demo cluster: the in-process fake Kubernetes API server (test/support/fake-kube)
// seeded with the seed incident and a few hundred more pods, with a simulated data plane
// answering the probes. The extension host gets its kubeconfig through KUBECONFIG.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export async function setUp({ repoRoot, log }) {
  const bundle = path.join(repoRoot, 'dist', 'demo', 'cluster.js');
  if (!existsSync(bundle)) {
    log(`demo cluster: ${bundle} is missing (run the build); starting without a cluster`);
    return {};
  }
  const { startDemoCluster } = createRequire(import.meta.url)(bundle);
  const demo = await startDemoCluster({ extraPods: 300 });
  log(`demo cluster: fake API server at ${demo.fake.url} (context ${demo.context}; SIMULATED: no real cluster, probes are answered by a simulated data plane)`);
  return {
    env: { KUBECONFIG: demo.kubeconfigPath },
    tearDown: () => demo.close(),
  };
}
