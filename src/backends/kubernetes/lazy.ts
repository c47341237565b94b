// The Kubernetes backend as the registry sees it: configured from the environment, and loaded (with
// @kubernetes/client-node) only on its first call. Bundled builds load the separately built
// `dist/kubernetes.js` chunk; runs from source load `./kubernetes-backend` — so client-node is never part of
// the extension's or the CLI's eager path.

import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { Backend, InstanceJob, ProviderInstance, Requirements, ResourceTags } from '../backend';
import type { Offer } from '../offer';
import { KUBERNETES_CAPABILITIES } from './capabilities';
import type { KubernetesBackendDeps } from './kubernetes-backend';
import type { KubernetesBackendOptions } from './options';

/** The chunk esbuild writes next to the extension and CLI bundles. */
export const KUBERNETES_CHUNK = 'kubernetes.js';

type KubernetesModule = typeof import('./kubernetes-backend');

/** Loads the module: the built chunk beside the running bundle, else the source next to this file. */
function loadKubernetesModule(): KubernetesModule {
  const chunk = path.join(__dirname, KUBERNETES_CHUNK);
  const load = createRequire(__filename);
  return load(fs.existsSync(chunk) ? chunk : './kubernetes-backend') as KubernetesModule;
}

/** A Kubernetes backend that loads client-node on its first call (a load failure rejects that call). */
export class LazyKubernetesBackend implements Backend {
  readonly id = 'kubernetes' as const;
  readonly capabilities = KUBERNETES_CAPABILITIES;
  private backend: (Backend & { close(): Promise<void> }) | undefined;

  constructor(private readonly options: KubernetesBackendOptions, private readonly deps: KubernetesBackendDeps = {}, private readonly load: () => KubernetesModule = loadKubernetesModule) {}

  /** The real backend (loading client-node on first use). */
  loaded(): Backend {
    this.backend ??= new (this.load().KubernetesBackend)(this.options, this.deps);
    return this.backend;
  }

  async listOffers(req?: Requirements): Promise<Offer[]> { return this.loaded().listOffers(req); }
  async create(offer: Offer, tags: ResourceTags, sshPublicKey: string, job?: InstanceJob): Promise<ProviderInstance> { return this.loaded().create(offer, tags, sshPublicKey, job); }
  async refresh(instanceIds: string[]): Promise<ProviderInstance[]> { return this.loaded().refresh(instanceIds); }
  async listTagged(installation: string): Promise<ProviderInstance[]> { return this.loaded().listTagged(installation); }
  async terminate(instanceId: string): Promise<void> { return this.loaded().terminate(instanceId); }

  /** The pod's init output on this machine (what `logs` reads); '' without agents. Loads nothing. */
  logFile(instanceId: string): string { return this.deps.agents?.logFile(instanceId) ?? ''; }

  /** Closes the port-forward listeners and SSH connections (the CLI's exit); loads nothing. */
  async close(): Promise<void> { await this.backend?.close(); }
}
