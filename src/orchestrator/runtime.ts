// Everything a process needs to use the orchestrator, wired once: the store, the backends, the
// scheduler with its leader loop, and secrets. Used by the CLI; the extension builds the same.

import * as path from 'node:path';
import type { Backend } from '../backends/backend';
import type { BackendId } from '../backends/offer';
import { createBackends, type BackendsOptions } from './backends-registry';
import { systemClock, type Clock } from './clock';
import { EventBus } from './events';
import { Leader, newOwnerId } from './scheduler/leader';
import { Scheduler } from './scheduler/scheduler';
import { SshPublisher } from './scheduler/ssh-publisher';
import { sshPaths, userSshConfigPath } from '../backends/ssh/config/paths';
import { FileSecretStore, type SecretStore } from './secrets/secret-store';
import { defaultStateDir, Store } from './store/store';

/** The wired orchestrator of one process. */
export interface Runtime {
  stateDir: string;
  store: Store;
  backends: Map<BackendId, Backend>;
  events: EventBus;
  scheduler: Scheduler;
  leader: Leader;
  secrets: SecretStore;
  clock: Clock;
  /** SSH publication of running environments (`ssh <run-name>`), with the client key and paths. */
  ssh: SshPublisher;
}

/**
 * The user ssh config that gets our Include: DSTACK_VSC_USER_SSH_CONFIG when set (the extension passes
 * remote.SSH.configFile); else, for an isolated state dir (DSTACK_VSC_STATE_DIR: tests, demos), a file in
 * that state dir so that ~/.ssh is never touched; else ~/.ssh/config.
 */
export function userSshConfigFor(stateDir: string, env: NodeJS.ProcessEnv): string {
  const explicit = env['DSTACK_VSC_USER_SSH_CONFIG'];
  if (explicit !== undefined && explicit.trim() !== '') return userSshConfigPath(explicit, env);
  if (env['DSTACK_VSC_STATE_DIR']) return path.join(stateDir, 'ssh', 'user_config');
  return userSshConfigPath(undefined, env);
}

/** Opens the orchestrator over the state dir chosen by `env` (see defaultStateDir). */
export function openRuntime(env: NodeJS.ProcessEnv, options: { clock?: Clock; secrets?: SecretStore; backends?: BackendsOptions } = {}): Runtime {
  const stateDir = defaultStateDir(env);
  const clock = options.clock ?? systemClock;
  const store = new Store(stateDir);
  const backends = createBackends(stateDir, env, clock, options.backends);
  const events = new EventBus();
  const owner = newOwnerId();
  const secrets = options.secrets ?? new FileSecretStore(stateDir);
  const ssh = new SshPublisher(sshPaths(stateDir), userSshConfigFor(stateDir, env));
  const scheduler = new Scheduler({ store, backends, clock, owner, events, secrets: () => secrets.all(), ssh });
  const leader = new Leader(store, scheduler, owner);
  return { stateDir, store, backends, events, scheduler, leader, secrets, clock, ssh };
}
