// The SSH access of environments as a whole: for each environment, its pinned host key(s), its entry in
// our ssh config and the Include in the user's config; all removed again when the environment goes.

import type { SshVia } from '../backend';
import { ensureInclude } from './config/user-config';
import { SshConfigStore } from './config/own-config';
import { sshDoctor, type DoctorReport } from './config/doctor';
import type { SshHostBlock } from './config/host-entry';
import type { SshPaths } from './config/paths';
import { publicKeyBlob } from './keys';
import { KnownHosts } from './known-hosts';

/** Where an environment's sshd is, and how to reach it. */
export interface EnvironmentEndpoint {
  /** The run name: `ssh <runName>` and the Remote-SSH authority. */
  runName: string;
  hostName: string;
  port: number;
  user: string;
  /** Public key line of the environment's sshd (we generated it, so it is pinned before any connect). */
  hostPublicKey?: string;
  /** The host the environment runs on, when the sshd is reached through it (`Host <run>-host`). */
  via?: SshVia;
}

/** Publishes and retracts environments for `ssh <run-name>` and VS Code Remote-SSH. */
export class SshAccess {
  private readonly store: SshConfigStore;
  private readonly known: KnownHosts;

  constructor(private readonly paths: SshPaths, private readonly userConfig: string) {
    this.store = new SshConfigStore(paths);
    this.known = new KnownHosts(paths.knownHosts, paths.lock);
  }

  /** The Host blocks of an environment: jump host, host, then the environment itself. */
  blocks(ep: EnvironmentEndpoint): SshHostBlock[] {
    const id = this.paths.identity;
    const kh = this.paths.knownHosts;
    const out: SshHostBlock[] = [];
    const env: SshHostBlock = { alias: ep.runName, hostName: ep.hostName, port: ep.port, user: ep.user, identityFile: id, knownHostsFile: kh };
    if (ep.via) {
      const hostAlias = `${ep.runName}-host`;
      const host: SshHostBlock = { alias: hostAlias, hostName: ep.via.hostName, port: ep.via.port, user: ep.via.user, identityFile: ep.via.identityFile ?? id, knownHostsFile: kh };
      // A host already pinned under its own name (an SSH fleet host pinned on first use) keeps that name.
      if (ep.via.hostKeyAlias !== undefined) host.hostKeyAlias = ep.via.hostKeyAlias;
      if (ep.via.jump) {
        const j = ep.via.jump;
        const jump: SshHostBlock = { alias: `${ep.runName}-jump-host`, hostName: j.hostName, port: j.port, user: j.user, identityFile: j.identityFile ?? id, knownHostsFile: kh };
        if (j.hostKeyAlias !== undefined) jump.hostKeyAlias = j.hostKeyAlias;
        out.push(jump);
        host.proxyJump = jump.alias;
      }
      out.push(host);
      env.proxyJump = hostAlias;
    }
    out.push(env);
    return out;
  }

  /** Pins the known host keys and writes the environment's entry and the user's Include (idempotent). */
  async publish(ep: EnvironmentEndpoint): Promise<void> {
    if (ep.hostPublicKey !== undefined) await this.known.pin(ep.runName, publicKeyBlob(ep.hostPublicKey));
    if (ep.via?.hostPublicKey !== undefined) await this.known.pin(`${ep.runName}-host`, publicKeyBlob(ep.via.hostPublicKey));
    await this.store.upsert(ep.runName, this.blocks(ep));
    await ensureInclude(this.userConfig, this.paths.config, this.paths.lock);
  }

  /** Removes the environment's entry and its pinned keys (the Include stays for the other environments). */
  async retract(runName: string): Promise<void> {
    await this.store.remove(runName);
    for (const alias of [runName, `${runName}-host`, `${runName}-jump-host`]) await this.known.forget(alias);
  }

  /** Environments that have an entry (for the orphan sweep). */
  published(): Promise<string[]> {
    return this.store.list();
  }

  /** Runs the doctor for a published environment. */
  doctor(ep: EnvironmentEndpoint): Promise<DoctorReport> {
    const own = this.blocks(ep).at(-1) as SshHostBlock;
    return sshDoctor(this.userConfig, own, this.paths.config);
  }
}
