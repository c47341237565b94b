// The Kubernetes backend. Import the backend class from here only lazily (it loads @kubernetes/client-node).
export { KubernetesBackend, type KubernetesBackendDeps } from './kubernetes-backend';
export { LazyKubernetesBackend, KUBERNETES_CHUNK } from './lazy';
export { kubernetesOptionsFromEnv, kubernetesEnabledInEnv, DEFAULT_KUBE_IMAGE, POD_SSH_PORT, type KubernetesBackendOptions } from './options';
export { KUBERNETES_CAPABILITIES } from './capabilities';
export { nodeOffers, nodeGpu, requestedByNode, GPU_RESOURCES, TOLERATED_TAINTS } from './offers';
export { podManifest, podResources, gpuProductLabel } from './pod-spec';
export { podSecretManifest, podSecretName, SECRET_AUTHORIZED_KEY, SECRET_HOST_KEY } from './pod-secret';
export { podVerdict, providerStateOf, type PodVerdict } from './pod-state';
export { PodAgents, ENVIRONMENT_SSH_PORT, podHostKeyAlias } from './pod-agents';
export { PodTunnels } from './tunnel';
export { PodWatch, type PodWatchSource, type PodWatchOptions, type WatchHandle, type WatchedPod } from './pod-watch';
export { LABEL_INSTALLATION, LABEL_RUN, LABEL_INSTANCE, labelValue, podLabels, podName, tagsOfPod } from './labels';
