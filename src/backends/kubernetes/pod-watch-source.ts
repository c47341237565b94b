// The pod watch's API calls through @kubernetes/client-node: the list through CoreV1Api, the watch through
// client-node's Watch (chunked JSON lines over one long-lived HTTP request), both for one namespace and label
// selector. Imported by the backend only (it is part of the dist/kubernetes.js chunk).

import type * as K8s from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { Socket } from 'node:net';
import type { PodWatchSource } from './pod-watch';

/** What the source needs of client-node: the kubeconfig, the core API and the Watch class. */
export interface PodWatchClients {
  kc: K8s.KubeConfig;
  core: K8s.CoreV1Api;
  Watch: typeof K8s.Watch;
}

/** The list and watch of the pods in `namespace` matching `labelSelector`. */
export function podWatchSource(clients: PodWatchClients, namespace: string, labelSelector: string): PodWatchSource<K8s.V1Pod> {
  const { kc, core, Watch } = clients;
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
  return {
    async list() {
      const pods = await core.listNamespacedPod({ namespace, labelSelector });
      return { items: pods.items, resourceVersion: pods.metadata?.resourceVersion ?? '' };
    },
    async watch(resourceVersion, onEvent, onDone) {
      // The request's agent (client-node makes one per request), so its socket can be unref'd below.
      let agent: { sockets?: Record<string, (Socket | undefined)[] | undefined> } | undefined;
      const config = Object.create(kc) as K8s.KubeConfig;
      config.applyToFetchOptions = async (opts) => {
        const init = await kc.applyToFetchOptions(opts);
        agent = (init as { agent?: typeof agent }).agent;
        return init;
      };
      const query = { labelSelector, allowWatchBookmarks: true, ...(resourceVersion !== '' ? { resourceVersion } : {}) };
      const controller = await new Watch(config).watch(path, query, (type: string, object: K8s.V1Pod) => onEvent(type, object), (err: unknown) => onDone(err ?? null));
      // A one-shot CLI must be able to exit with the watch open; the scheduler's own work keeps a long-lived process alive.
      for (const socket of Object.values(agent?.sockets ?? {}).flat()) socket?.unref();
      return { abort: () => controller.abort() };
    },
  };
}
