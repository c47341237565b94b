// Everything a process needs to use the orchestrator, wired once: the store, the backends, the
// scheduler with its leader loop, and secrets. Used by the CLI; the extension builds the same.

import type { Backend } from '../backends/backend';
import type { BackendId } from '../backends/offer';
import { createBackends } from './backends-registry';
import { systemClock, type Clock } from './clock';
import { EventBus } from './events';
import { Leader, newOwnerId } from './scheduler/leader';
import { Scheduler } from './scheduler/scheduler';
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
}

/** Opens the orchestrator over the state dir chosen by `env` (see defaultStateDir). */
export function openRuntime(env: NodeJS.ProcessEnv, options: { clock?: Clock; secrets?: SecretStore } = {}): Runtime {
  const stateDir = defaultStateDir(env);
  const clock = options.clock ?? systemClock;
  const store = new Store(stateDir);
  const backends = createBackends(stateDir, env, clock);
  const events = new EventBus();
  const owner = newOwnerId();
  const secrets = options.secrets ?? new FileSecretStore(stateDir);
  const scheduler = new Scheduler({ store, backends, clock, owner, events, secrets: () => secrets.all() });
  const leader = new Leader(store, scheduler, owner);
  return { stateDir, store, backends, events, scheduler, leader, secrets, clock };
}
