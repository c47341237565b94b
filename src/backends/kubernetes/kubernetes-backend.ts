// The Kubernetes backend, through @kubernetes/client-node: offers from the nodes (allocatable minus what pods
// request), a pod per run (its sshd keys in a Secret of the same name), the API server's port-forward as the
// only way in (a local listener per pod), and the pod's status read as the orchestrator's state, learnt from a
// watch on our pods (pod-watch.ts; a list where the watch is down). A pod no node can take, or whose image
// cannot be pulled, is reported as a start failure whenever it happens. This module loads client-node: import
// it lazily (src/backends/kubernetes/lazy.ts; bundled as dist/kubernetes.js).

import type * as K8s from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { Backend, InstanceJob, ProviderInstance, Requirements, ResourceTags, StartFailureCode } from '../backend';
import { BackendError } from '../backend';
import type { Offer } from '../offer';
import { generateKeyPair } from '../ssh/keys';
import { KUBERNETES_CAPABILITIES } from './capabilities';
import { httpCode, toBackendError, type ClusterRef } from './errors';
import { ANNOTATION_HOST_KEY, LABEL_INSTALLATION, LABEL_INSTANCE, labelValue, podName, tagsOfPod } from './labels';
import { nodeOffers } from './offers';
import { DEFAULT_KUBE_IMAGE, POD_SSH_PORT, type KubernetesBackendOptions } from './options';
import type { PodAgents } from './pod-agents';
import { podSecretManifest, podSecretName, type SecretManifest } from './pod-secret';
import { podManifest } from './pod-spec';
import { podVerdict, providerStateOf, type PodVerdict } from './pod-state';
import { PodWatch, type PodWatchOptions } from './pod-watch';
import { podWatchSource } from './pod-watch-source';
import { PodTunnels } from './tunnel';

export type { KubernetesBackendOptions } from './options';

/** Extra inputs of the backend (the registry passes the agents; tests shorten the waits). */
export interface KubernetesBackendDeps {
  /** Runs the job inside pods over SSH; absent: pods are reported running with their sshd as the endpoint. */
  agents?: PodAgents;
  /** How long `create` waits for the scheduler's decision (and an early image pull failure). Default 10 s. */
  scheduleWaitMs?: number;
  /** Poll interval of that wait while the pod watch is down. Default 250 ms. */
  pollMs?: number;
  /** The pod watch's bounds and reconnection delays. */
  watch?: PodWatchOptions;
}

/** The verbs the backend needs, checked with SelfSubjectAccessReview before it creates anything. */
const NEEDED: { verb: string; resource: string; subresource?: string }[] = [
  { verb: 'create', resource: 'pods' }, { verb: 'get', resource: 'pods' }, { verb: 'list', resource: 'pods' },
  { verb: 'delete', resource: 'pods' }, { verb: 'create', resource: 'pods', subresource: 'portforward' },
  { verb: 'create', resource: 'secrets' }, { verb: 'delete', resource: 'secrets' }, { verb: 'list', resource: 'secrets' },
];

// client-node 1.x is an ES module: bundles inline it (dist/kubernetes.js is CommonJS); from source, Node's
// require(esm) (Node >= 20.19) or tsx loads it. 1.4.0 is pinned: 2.x needs Node >= 22.19 (its undici 8).
// A plain require so esbuild inlines the package into the chunk.
const { AuthorizationV1Api, CoreV1Api, KubeConfig, PortForward, Watch } = require('@kubernetes/client-node') as typeof K8s;
type V1Pod = K8s.V1Pod;
type V1Secret = K8s.V1Secret;
type CoreV1Api = K8s.CoreV1Api;
type AuthorizationV1Api = K8s.AuthorizationV1Api;
type PortForward = K8s.PortForward;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** How many gone pods `refresh` remembers (the orchestrator asks about each at most a pass or two after). */
const GONE_REMEMBERED = 1_000;

interface Clients { core: CoreV1Api; authz: AuthorizationV1Api; pf: PortForward; ref: ClusterRef; watch: PodWatch<V1Pod> }

/** The Kubernetes backend. */
export class KubernetesBackend implements Backend {
  readonly id = 'kubernetes' as const;
  readonly capabilities = KUBERNETES_CAPABILITIES;
  private clients: Clients | undefined;
  private accessChecked = false;
  /** Pods seen gone, oldest first. */
  private readonly gone = new Set<string>();
  readonly tunnels: PodTunnels;

  constructor(private readonly options: KubernetesBackendOptions = {}, private readonly deps: KubernetesBackendDeps = {}) {
    this.tunnels = new PodTunnels((ns, pod, port, out, err, input) => this.client().pf.portForward(ns, pod, [port], out, err, input));
  }

  /** The clients for the configured context (the kubeconfig is read on first use). */
  client(): Clients {
    if (this.clients) return this.clients;
    const kc = new KubeConfig();
    const file = this.options.kubeconfig;
    try {
      if (file && !file.includes(process.platform === 'win32' ? ';' : ':')) kc.loadFromFile(file);
      else kc.loadFromDefault();
    } catch (err) {
      throw new BackendError('invalid', `kubernetes: cannot read the kubeconfig ${file ?? '(KUBECONFIG, ~/.kube/config)'}: ${err instanceof Error ? err.message : String(err)}. Point KUBECONFIG at a valid kubeconfig file.`);
    }
    const wanted = this.options.context;
    if (wanted) {
      if (!kc.getContextObject(wanted)) throw new BackendError('invalid', `kubernetes: context ${wanted} (DSTACK_VSC_KUBE_CONTEXT) is not in the kubeconfig; it has: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'}.`);
      kc.setCurrentContext(wanted);
    }
    const context = kc.getCurrentContext();
    const cluster = kc.getCurrentCluster();
    if (!context || !cluster) throw new BackendError('invalid', 'kubernetes: the kubeconfig has no current context: set DSTACK_VSC_KUBE_CONTEXT or run `kubectl config use-context <name>`.');
    const namespace = this.options.namespace ?? kc.getContextObject(context)?.namespace ?? 'default';
    const core = kc.makeApiClient(CoreV1Api);
    // One watch for every pod of ours in the namespace (they all carry the instance label).
    const watch = new PodWatch(podWatchSource({ kc, core, Watch }, namespace, LABEL_INSTANCE), this.deps.watch);
    this.clients = { core, authz: kc.makeApiClient(AuthorizationV1Api), pf: new PortForward(kc), ref: { server: cluster.server, context, namespace }, watch };
    return this.clients;
  }

  private async call<T>(what: string, fn: (c: Clients) => Promise<T>): Promise<T> {
    const c = this.client();
    try {
      return await fn(c);
    } catch (err) {
      throw toBackendError(err, what, c.ref);
    }
  }

  async listOffers(_req?: Requirements): Promise<Offer[]> {
    const nodes = await this.call('list nodes', (c) => c.core.listNode());
    // Pods of every namespace count against the nodes; where listing them is not allowed, ours at least.
    const pods = await this.call('list pods', (c) => c.core.listPodForAllNamespaces({ fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' }))
      .catch(async (err: unknown) => {
        if (!(err instanceof BackendError) || err.code !== 'auth') throw err;
        return this.call('list pods', (c) => c.core.listNamespacedPod({ namespace: c.ref.namespace }));
      });
    return nodeOffers(nodes.items, pods.items, { region: this.client().ref.context, ...(this.options.pricePerHour !== undefined ? { pricePerHour: this.options.pricePerHour } : {}) });
  }

  /** Refuses (BackendError 'auth') when the credentials may not do what the backend needs, before anything is created. */
  async checkAccess(): Promise<void> {
    if (this.accessChecked) return;
    const { ref } = this.client();
    for (const n of NEEDED) {
      const review = await this.call(`check access to ${n.verb} ${n.resource}`, (c) => c.authz.createSelfSubjectAccessReview({
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: ref.namespace, verb: n.verb, resource: n.resource, group: '', ...(n.subresource ? { subresource: n.subresource } : {}) } } },
      }));
      if (!review.status?.allowed) {
        const what = `${n.verb} ${n.subresource ? `${n.resource}/${n.subresource}` : n.resource}`;
        throw new BackendError('auth', `kubernetes: not allowed to ${what} in namespace ${ref.namespace} (context ${ref.context})${review.status?.reason ? `: ${review.status.reason}` : ''}. Ask the cluster admin for a Role granting ${what} there, or set DSTACK_VSC_KUBE_NAMESPACE to a namespace you may use.`);
      }
    }
    this.accessChecked = true;
  }

  private async readPod(name: string): Promise<V1Pod | null> {
    try {
      return await this.client().core.readNamespacedPod({ name, namespace: this.client().ref.namespace });
    } catch (err) {
      if (httpCode(err) === 404) return null;
      throw toBackendError(err, `read pod ${name}`, this.client().ref);
    }
  }

  async create(offer: Offer, tags: ResourceTags, sshPublicKey: string, job?: InstanceJob): Promise<ProviderInstance> {
    const name = podName(tags.instanceId);
    const existing = await this.readPod(name);
    if (existing) return this.view(existing, tags.instanceId);
    await this.checkAccess();
    const hostKey = generateKeyPair(`${tags.runName} environment`);
    const keys = new Set([sshPublicKey.trim()]);
    if (this.deps.agents) keys.add((await this.deps.agents.clientPublicKey()).trim());
    const manifest = podManifest({
      offer, tags, hostPublicKey: hostKey.publicKey, job,
      defaultImage: this.options.image ?? DEFAULT_KUBE_IMAGE, sshPort: this.options.sshPort ?? POD_SSH_PORT,
    });
    await this.deps.agents?.prepare(tags, Number((manifest.spec as { containers: { resources: { limits?: Record<string, string> } }[] }).containers[0]?.resources.limits?.[String(offer.backendData?.['gpuResource'] ?? '')] ?? 0), hostKey, job);
    try {
      await this.createSecret(podSecretManifest(tags, [...keys].filter((k) => k !== '').join('\n'), hostKey.privateKey));
    } catch (err) {
      await this.deps.agents?.forget(tags.instanceId);
      throw err;
    }
    let pod: V1Pod;
    const { watch } = this.client();
    try {
      pod = await this.client().core.createNamespacedPod({ namespace: this.client().ref.namespace, body: manifest as V1Pod });
    } catch (err) {
      if (httpCode(err) !== 409) {
        await this.deleteSecret(podSecretName(tags.instanceId));
        await this.deps.agents?.forget(tags.instanceId);
        throw toBackendError(err, 'create pods', this.client().ref);
      }
      const again = await this.readPod(name);
      if (!again) throw toBackendError(err, 'create pods', this.client().ref);
      return this.view(again, tags.instanceId);
    }
    this.gone.delete(name);
    watch.add(name);
    watch.remember(pod);
    pod = await this.awaitScheduling(pod, offer, tags);
    return this.view(pod, tags.instanceId);
  }

  /**
   * Creates the pod's Secret. A 409 is ours (the name is the instance's) but may hold the keys of an earlier
   * attempt whose pod was never created: it is replaced, so the pod's sshd presents the host key pinned now.
   */
  private async createSecret(body: SecretManifest): Promise<void> {
    const { core, ref } = this.client();
    const create = (): Promise<V1Secret> => core.createNamespacedSecret({ namespace: ref.namespace, body: body as V1Secret });
    try {
      await create();
    } catch (err) {
      if (httpCode(err) !== 409) throw toBackendError(err, 'create secrets', ref);
      await this.deleteSecret(body.metadata.name);
      try { await create(); } catch (again) { throw toBackendError(again, 'create secrets', ref); }
    }
  }

  /** Deletes a Secret by name; idempotent (404 is fine). */
  private async deleteSecret(name: string): Promise<void> {
    const { core, ref } = this.client();
    try {
      await core.deleteNamespacedSecret({ name, namespace: ref.namespace });
    } catch (err) {
      if (httpCode(err) !== 404) throw toBackendError(err, `delete secret ${name}`, ref);
    }
  }

  /**
   * Waits (bounded) for the scheduler's decision, woken by the watch (polling while it is down): a pod no node
   * can take is removed and refused as no capacity, so the orchestrator tries the next offer at once. Anything
   * else that is not pending (running, an image that cannot be pulled) returns at once.
   */
  private async awaitScheduling(pod: V1Pod, offer: Offer, tags: ResourceTags): Promise<V1Pod> {
    const name = pod.metadata?.name ?? podName(tags.instanceId);
    const deadline = Date.now() + (this.deps.scheduleWaitMs ?? 10_000);
    let current: V1Pod = pod;
    for (;;) {
      const v = podVerdict(current);
      if (v.kind === 'unschedulable') {
        await this.terminate(tags.instanceId);
        this.client().watch.untrack(name);
        throw new BackendError('no_capacity', this.startFailure(v, name, offer.instanceType).message);
      }
      if (v.kind !== 'pending' || Date.now() >= deadline) return current;
      const next = await this.nextState(name, current, deadline - Date.now());
      if (!next) return current;
      current = next;
    }
  }

  /** The pod after its next change (the watch) or a poll interval (no live watch), within `ms`; null once deleted. */
  private async nextState(name: string, current: V1Pod, ms: number): Promise<V1Pod | null> {
    const { watch } = this.client();
    if (await watch.ready()) {
      const seen = watch.get(name);
      if (seen && seen.metadata?.resourceVersion !== current.metadata?.resourceVersion) return seen;
      await watch.changed(name, ms);
      if (watch.isLive) return watch.get(name) ?? null;
    } else {
      await sleep(Math.min(ms, this.deps.pollMs ?? 250));
    }
    return this.readPod(name);
  }

  /** Why the pod will never start, in words naming the pod, the node or image, the API's reason and the fix. */
  private startFailure(v: PodVerdict & { kind: 'unschedulable' | 'image_pull' }, name: string, node: string | undefined): { code: StartFailureCode; message: string } {
    const { ref } = this.client();
    if (v.kind === 'unschedulable') {
      return { code: 'no_capacity', message: `kubernetes: pod ${name} cannot be scheduled${node ? ` on node ${node}` : ''} (context ${ref.context}): ${v.message}` };
    }
    return { code: 'container_error', message: `kubernetes: cannot pull image ${v.image} for pod ${name} (context ${ref.context}): ${v.message}. Check \`image\` in the configuration (and registry_auth for a private registry).` };
  }

  /** The orchestrator's view of a pod; running pods get their tunnel, and the agent's report where agents run. */
  private async view(pod: V1Pod, instanceId: string): Promise<ProviderInstance> {
    const tags = tagsOfPod(pod.metadata?.labels, pod.metadata?.annotations) ?? { installation: '', runName: '', instanceId };
    const name = pod.metadata?.name ?? podName(instanceId);
    const verdict = podVerdict(pod);
    const view: ProviderInstance = { instanceId, state: providerStateOf(verdict), tags, providerId: name };
    if (verdict.kind === 'unschedulable' || verdict.kind === 'image_pull') {
      // Whenever it happens before the pod runs: the orchestrator fails over (no capacity) or ends the job.
      view.startFailure = this.startFailure(verdict, name, pinnedNode(pod));
      await this.deps.agents?.note(instanceId, view.startFailure.message);
      return view;
    }
    if (verdict.kind !== 'running') return view;
    const ns = this.client().ref.namespace;
    const hostPublicKey = pod.metadata?.annotations?.[ANNOTATION_HOST_KEY];
    const podPort = await this.tunnels.open(ns, name, this.options.sshPort ?? POD_SSH_PORT);
    const agents = this.deps.agents;
    if (!agents) {
      view.ssh = { host: '127.0.0.1', port: podPort, user: 'root', ...(hostPublicKey ? { hostPublicKey } : {}) };
      return view;
    }
    if (hostPublicKey) await agents.pin(instanceId, hostPublicKey);
    const outcome = await agents.attach(instanceId, podPort, name);
    if (outcome.kind === 'stopped') return { ...view, state: 'gone' };
    if (outcome.kind === 'report') {
      view.report = outcome.report;
      const envPort = await this.tunnels.open(ns, name, agents.environmentPort);
      view.ssh = { host: '127.0.0.1', port: envPort, user: 'root', ...(hostPublicKey ? { hostPublicKey } : {}) };
    }
    return view;
  }

  async refresh(instanceIds: string[]): Promise<ProviderInstance[]> {
    const { watch } = this.client();
    // A pod seen gone stays gone (names are never reused): asking again must not reopen a closed watch.
    const asked = instanceIds.filter((id) => !this.gone.has(podName(id)));
    watch.track(asked.map(podName));
    const pods = asked.length > 0 ? await this.currentPods() : new Map<string, V1Pod>();
    const views = await Promise.all(instanceIds.map(async (id) => {
      const pod = pods.get(podName(id));
      if (!pod) return { instanceId: id, state: 'gone' as const, tags: { installation: '', runName: '', instanceId: id } };
      return this.view(pod, id);
    }));
    // The watch closes once nothing it tracks is left.
    for (const v of views) if (v.state === 'gone') this.markGone(podName(v.instanceId));
    return views;
  }

  /** Remembers a pod as gone (a bounded set) and stops watching for it. */
  private markGone(name: string): void {
    this.gone.add(name);
    if (this.gone.size > GONE_REMEMBERED) this.gone.delete(this.gone.values().next().value as string);
    this.client().watch.untrack(name);
  }

  /** Our pods by name: the watch's cache while it is live, else one list (the watch is down or not allowed). */
  private async currentPods(): Promise<Map<string, V1Pod>> {
    const { watch } = this.client();
    const byName = (items: Iterable<V1Pod>): Map<string, V1Pod> => new Map([...items].flatMap((p) => (p.metadata?.name ? [[p.metadata.name, p] as const] : [])));
    if (await watch.ready()) return byName(watch.pods());
    const list = await this.call('list pods', (c) => c.core.listNamespacedPod({ namespace: c.ref.namespace, labelSelector: LABEL_INSTANCE }));
    return byName(list.items);
  }

  async listTagged(installation: string): Promise<ProviderInstance[]> {
    const pods = await this.call('list pods', (c) => c.core.listNamespacedPod({ namespace: c.ref.namespace, labelSelector: `${LABEL_INSTALLATION}=${labelValue(installation)}` }));
    const out: ProviderInstance[] = [];
    for (const pod of pods.items) {
      const tags = tagsOfPod(pod.metadata?.labels, pod.metadata?.annotations);
      if (!tags || tags.installation !== installation) continue;
      out.push({ instanceId: tags.instanceId, state: providerStateOf(podVerdict(pod)), tags, ...(pod.metadata?.name ? { providerId: pod.metadata.name } : {}) });
    }
    // A Secret without its pod (a create that stopped between the two, a pod deleted by hand) is reported as a
    // stopping instance, so the orphan sweep terminates it (which deletes the Secret) unless the state owns it.
    const secrets = await this.call('list secrets', (c) => c.core.listNamespacedSecret({ namespace: c.ref.namespace, labelSelector: `${LABEL_INSTALLATION}=${labelValue(installation)}` }));
    const seen = new Set(out.map((p) => p.instanceId));
    for (const secret of secrets.items) {
      const tags = tagsOfPod(secret.metadata?.labels, secret.metadata?.annotations);
      if (!tags || tags.installation !== installation || seen.has(tags.instanceId)) continue;
      seen.add(tags.instanceId);
      out.push({ instanceId: tags.instanceId, state: 'stopping', tags, ...(secret.metadata?.name ? { providerId: secret.metadata.name } : {}) });
    }
    return out;
  }

  async terminate(instanceId: string): Promise<void> {
    const name = podName(instanceId);
    const { ref } = this.client();
    await this.tunnels.closePod(ref.namespace, name);
    try {
      await this.client().core.deleteNamespacedPod({ name, namespace: ref.namespace, gracePeriodSeconds: 5 });
    } catch (err) {
      if (httpCode(err) !== 404) throw toBackendError(err, `delete pod ${name}`, ref);
    }
    await this.deleteSecret(podSecretName(instanceId));
    await this.deps.agents?.forget(instanceId);
  }

  /** Closes the pod watch, the tunnels and the agents' SSH connections (the CLI's exit). */
  async close(): Promise<void> {
    this.clients?.watch.stop();
    await this.deps.agents?.close();
    await this.tunnels.close();
  }
}

/** The node a pod is on or pinned to (its node affinity's hostname), for messages. */
function pinnedNode(pod: V1Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  return terms.flatMap((t) => t.matchExpressions ?? []).find((e) => e.key === 'kubernetes.io/hostname')?.values?.[0];
}
