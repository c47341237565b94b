// The backend set: `local` always (the embedded default), `fake` when DSTACK_VSC_FAKE_BACKEND names its
// state file (tests and demos), `remote` when SSH fleets exist (applied ones, DSTACK_VSC_SSH_HOSTS or the
// extension's setting) or instances on them remain. The CLI and the extension both build their backends here.
// `kubernetes` when DSTACK_VSC_KUBERNETES=1 or DSTACK_VSC_KUBE_CONTEXT is set: kubeconfig from KUBECONFIG (else
// ~/.kube/config), DSTACK_VSC_KUBE_CONTEXT (default: the current context), DSTACK_VSC_KUBE_NAMESPACE (default: the
// context's, else `default`), DSTACK_VSC_KUBE_PRICE ($/hour of every node offer, default 0), DSTACK_VSC_KUBE_IMAGE.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Backend } from '../backends/backend';
import type { BackendId } from '../backends/offer';
import { FakeBackend } from '../backends/fake/fake-backend';
import { LocalBackend } from '../backends/local/local-backend';
import { awsOptionsFromEnv, LazyAwsBackend } from '../backends/aws/lazy';
import { InstanceAgents } from '../backends/aws/instance-agent';
import type { AwsKeys } from '../backends/aws/client';
import { kubernetesOptionsFromEnv } from '../backends/kubernetes/options';
import { LazyKubernetesBackend } from '../backends/kubernetes/lazy';
import { PodAgents } from '../backends/kubernetes/pod-agents';
import type { Clock } from './clock';
import { systemClock } from './clock';
import { FleetStore, type StoredFleet } from './fleets/fleet-store';
import { fleetsFromEnv, fleetsFromSettings } from './fleets/fleet-settings';
import { FleetsBackend } from './fleets/fleets-backend';

/** Extra inputs of `createBackends` (the extension passes its settings here). */
export interface BackendsOptions {
  /** The extension's SSH fleets setting (same shapes as DSTACK_VSC_SSH_HOSTS). */
  sshFleetsSetting?: unknown;
  /** AWS keys the user entered (the extension's SecretStorage), read on each AWS call; none = the SDK's default chain. Never logged or stored by the core. */
  awsKeys?: () => Promise<AwsKeys | undefined>;
}

/** Every SSH fleet: applied ones first, then the environment's, then the extension's setting. */
export function allFleets(stateDir: string, env: NodeJS.ProcessEnv, options: BackendsOptions = {}): StoredFleet[] {
  return [...new FleetStore(stateDir).list(), ...fleetsFromEnv(env), ...fleetsFromSettings(options.sshFleetsSetting, 'dstack.sshFleets')];
}

/** The configured backends, by id. */
export function createBackends(stateDir: string, env: NodeJS.ProcessEnv, clock: Clock = systemClock, options: BackendsOptions = {}): Map<BackendId, Backend> {
  const backends = new Map<BackendId, Backend>();
  backends.set('local', new LocalBackend(stateDir));
  const fakeFile = env['DSTACK_VSC_FAKE_BACKEND'];
  if (fakeFile) backends.set('fake', new FakeBackend(path.resolve(fakeFile), clock));
  const fleets = (): StoredFleet[] => allFleets(stateDir, env, options);
  if (fleets().length > 0 || fs.existsSync(path.join(stateDir, 'ssh-hosts', 'instances.json'))) {
    backends.set('remote', new FleetsBackend({ stateDir, fleets }));
  }
  // AWS only when configured; the SDK loads on the backend's first call (a separate chunk in bundles).
  const aws = awsOptionsFromEnv(env);
  if (aws) {
    const agents = new InstanceAgents({ stateDir });
    backends.set('aws', new LazyAwsBackend(aws, undefined, { agents, ...(options.awsKeys ? { keys: options.awsKeys } : {}) }));
  }
  // Kubernetes only when configured; client-node loads on the backend's first call (dist/kubernetes.js in bundles).
  const kube = kubernetesOptionsFromEnv(env);
  if (kube) backends.set('kubernetes', new LazyKubernetesBackend(kube, { agents: new PodAgents({ stateDir }) }));
  return backends;
}

/** Closes what backends hold open (SSH connections), so a CLI process can exit at once. */
export async function closeBackends(backends: ReadonlyMap<BackendId, Backend>): Promise<void> {
  for (const b of backends.values()) {
    const closable = b as Backend & { close?: () => Promise<void> };
    if (typeof closable.close === 'function') await closable.close();
  }
}
