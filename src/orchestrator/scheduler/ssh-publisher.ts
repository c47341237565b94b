// The SSH publication of environments, run by the leading scheduler: every running run whose instance
// has an SSH endpoint gets its `Host <run-name>` entry, pinned host key and the Include in the user's
// ssh config (SshAccess); every entry without such a run is retracted. It reconciles against our ssh
// config file on each pass, so it is idempotent and a restart re-publishes active runs and retracts stale
// entries (finished runs, orphans, gone instances).

import { SshAccess, type EnvironmentEndpoint } from '../../backends/ssh/access';
import { ensureClientKey } from '../../backends/ssh/keys';
import type { SshPaths } from '../../backends/ssh/config/paths';
import type { OrchestratorState } from '../store/state';

/** The endpoints that must be published now: running runs with an instance SSH endpoint, by run name. */
export function desiredEndpoints(state: OrchestratorState): Map<string, EnvironmentEndpoint> {
  const out = new Map<string, EnvironmentEndpoint>();
  for (const run of state.runs) {
    if (run.status !== 'running' || run.instanceId === null) continue;
    const ssh = state.instances.find((i) => i.id === run.instanceId)?.ssh;
    if (!ssh) continue;
    const ep: EnvironmentEndpoint = { runName: run.name, hostName: ssh.host, port: ssh.port, user: ssh.user };
    if (ssh.hostPublicKey !== undefined) ep.hostPublicKey = ssh.hostPublicKey;
    if (ssh.via !== undefined) ep.via = ssh.via;
    out.set(run.name, ep);
  }
  return out;
}

/** Publishes and retracts environments' SSH access to match the state. */
export class SshPublisher {
  readonly access: SshAccess;
  /** What this process last published, by run name (to skip rewriting unchanged entries). */
  private readonly done = new Map<string, string>();

  constructor(readonly paths: SshPaths, readonly userConfig: string) {
    this.access = new SshAccess(paths, userConfig);
  }

  /** The client public key put on instances (generated on first use). */
  async clientPublicKey(): Promise<string> {
    return (await ensureClientKey(this.paths.identity)).publicKey;
  }

  /** Makes the published entries match `state`; returns what changed. */
  async sync(state: OrchestratorState): Promise<{ published: string[]; retracted: string[] }> {
    const desired = desiredEndpoints(state);
    const published: string[] = [];
    const retracted: string[] = [];
    const existing = new Set(await this.access.published());
    for (const [name, ep] of desired) {
      const key = JSON.stringify(ep);
      if (this.done.get(name) === key && existing.has(name)) continue;
      await this.access.publish(ep);
      this.done.set(name, key);
      published.push(name);
    }
    for (const name of existing) {
      if (desired.has(name)) continue;
      await this.access.retract(name);
      this.done.delete(name);
      retracted.push(name);
    }
    return { published, retracted };
  }
}
