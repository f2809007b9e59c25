// The cluster layer's one bundle (dist/runtime.js): the cluster view's and the connectivity
// command's bridges to src/cluster, so @kubernetes/client-node is bundled and evaluated once.
// Loaded only through runtime-loader.ts, on first use; never during activation and never in
// Restricted Mode.
export * as clusterView from './cluster-view/cluster-runtime';
export * as connectivity from './connectivity/connectivity-runtime';
