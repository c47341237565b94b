// Backend `remote` over every SSH fleet the orchestrator knows (applied fleets and settings): one
// SshHostsBackend over all their hosts, rebuilt when the fleets change. Host keys are pinned in our own
// known_hosts on first use; our client key is tried after each fleet's identity and authorized in the
// environments. Idle connections are closed after a few seconds so a CLI process can exit.

import type { Backend, BackendCapabilities, InstanceJob, ProviderInstance, Requirements, ResourceTags } from '../../backends/backend';
import type { Offer } from '../../backends/offer';
import { ensureClientKey, fleetHosts, KnownHosts, SshHostsBackend, sshHostsLogFile, type EnvironmentEndpoint, type FleetHost, type HostFacts } from '../../backends/ssh';
import { sshPaths } from '../../backends/ssh/config/paths';
import type { StoredFleet } from './fleet-store';

/** Options of the fleets backend. */
export interface FleetsBackendOptions {
  stateDir: string;
  /** The fleets now (read on every call; cheap). */
  fleets: () => StoredFleet[];
  /** Connections idle this long are closed (default 3 s). */
  idleCloseMs?: number;
  leaseSecs?: number;
}

/** A fleet host and the fleet it belongs to. */
export interface FleetHostEntry {
  fleet: string;
  host: FleetHost;
}

/** Resolves the hosts of `fleets` (first fleet wins a host named twice); identity files are read now. */
export async function resolveFleets(fleets: StoredFleet[], ownKey: string): Promise<FleetHostEntry[]> {
  const out: FleetHostEntry[] = [];
  for (const f of fleets) {
    for (const host of await fleetHosts(f.sshConfig, { configDir: f.configDir, ownKey })) {
      if (out.some((e) => e.host.hostname === host.hostname)) continue;
      if (f.pricePerHour !== null) host.pricePerHour = f.pricePerHour;
      out.push({ fleet: f.name, host });
    }
  }
  return out;
}

/** The SSH fleets as one backend (`remote`). */
export class FleetsBackend implements Backend {
  readonly id = 'remote' as const;
  readonly capabilities: BackendCapabilities = { spot: false, containerNative: false, billable: false, configurableDisk: false, reusable: false };
  private inner: { key: string; backend: Promise<SshHostsBackend>; hosts: Promise<FleetHostEntry[]> } | null = null;
  private inFlight = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: FleetsBackendOptions) {}

  private clientKey(): Promise<{ privateKey: string; publicKey: string }> {
    return ensureClientKey(sshPaths(this.options.stateDir).identity);
  }

  /** The current fleets' backend, rebuilt (old connections closed) when the fleets changed. */
  private current(): { backend: Promise<SshHostsBackend>; hosts: Promise<FleetHostEntry[]> } {
    const fleets = this.options.fleets();
    const key = JSON.stringify(fleets.map((f) => [f.name, f.sshConfig, f.configDir, f.pricePerHour]));
    if (this.inner?.key === key) return this.inner;
    const old = this.inner;
    if (old) void old.backend.then((b) => b.close(), () => undefined);
    const hosts = this.clientKey().then((k) => resolveFleets(fleets, k.privateKey));
    const paths = sshPaths(this.options.stateDir);
    const backend = hosts.then((entries) => new SshHostsBackend({
      hosts: entries.map((e) => e.host),
      knownHosts: new KnownHosts(paths.knownHosts, paths.lock),
      stateDir: this.options.stateDir,
      defaultPublicKey: async () => (await this.clientKey()).publicKey,
      ...(this.options.leaseSecs !== undefined ? { leaseSecs: this.options.leaseSecs } : {}),
    }));
    this.inner = { key, backend, hosts };
    return this.inner;
  }

  /** Runs `fn` on the current backend, closing its connections once nothing has used them for a while. */
  private async use<T>(fn: (b: SshHostsBackend) => Promise<T>): Promise<T> {
    this.inFlight++;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const { backend } = this.current();
    try {
      return await fn(await backend);
    } finally {
      if (--this.inFlight === 0) {
        this.idleTimer = setTimeout(() => { this.idleTimer = null; void backend.then((b) => b.close(), () => undefined); }, this.options.idleCloseMs ?? 3000);
        this.idleTimer.unref();
      }
    }
  }

  /** The hosts of every fleet, with the fleet each belongs to. */
  hosts(): Promise<FleetHostEntry[]> {
    return this.current().hosts;
  }

  /** One host's probe: now (`fresh`, what apply of a fleet shows) or from the cache while fresh. */
  probe(hostname: string, fresh = true): Promise<HostFacts> {
    return this.use((b) => b.probe(hostname, fresh));
  }

  listOffers(req?: Requirements): Promise<Offer[]> {
    if (this.options.fleets().length === 0) return Promise.resolve([]);
    return this.use((b) => b.listOffers(req));
  }

  create(offer: Offer, tags: ResourceTags, sshPublicKey: string, job?: InstanceJob): Promise<ProviderInstance> {
    return this.use((b) => b.create(offer, tags, sshPublicKey, job));
  }

  refresh(instanceIds: string[]): Promise<ProviderInstance[]> {
    return this.use((b) => b.refresh(instanceIds));
  }

  listTagged(installation: string): Promise<ProviderInstance[]> {
    return this.use((b) => b.listTagged(installation));
  }

  terminate(instanceId: string): Promise<void> {
    return this.use((b) => b.terminate(instanceId));
  }

  /** The instance's init output on this machine (the backend appends to it on every refresh). */
  logFile(instanceId: string): string {
    return sshHostsLogFile(this.options.stateDir, instanceId);
  }

  /** The environment's SSH endpoint (for SshAccess.publish). */
  endpoint(instanceId: string): Promise<EnvironmentEndpoint | null> {
    return this.use((b) => b.endpoint(instanceId));
  }

  /** Closes every connection now. */
  async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    await (await this.inner?.backend.catch(() => null))?.close();
  }
}
