// The SSH hosts backend (dstack's SSH fleets, backend `remote`): the user's own machines. Offers are
// the probed hosts at price 0 (or a configured price), busy while one of our environments occupies
// them. An instance is the host agent's environment on the host (not kept for reuse: the host stays in the fleet,
// so stopping the run stops it). The orchestrator's polling (`refresh`)
// renews the agent's lease, so a laptop that goes to sleep lets the dead-man's switch act. Each environment's
// directory on its host carries a manifest (installation, run, instance), which the orphan sweep reads back.

import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Backend, BackendCapabilities, InstanceJob, ProviderInstance, Requirements, ResourceTags, SshVia } from '../backend';
import { BackendError } from '../backend';
import type { Offer } from '../offer';
import { containerSpecFor } from './agent/container-spec';
import { renewAndRead, reportOf, withTimeout } from './agent/agent-refresh';
import { HostAgent, type HostAgentStatus } from './agent/host-agent';
import { readHostManifests } from './agent/host-manifest';
import { hostVenvPython } from './agent/host-venv';
import { systemEnv } from './agent/system-env';
import { planJobFiles } from './agent/job-files';
import { writeFileAtomic } from './config/atomic-write';
import { withFileLock } from './config/file-lock';
import { connectSsh, type SshConnection } from './connect';
import type { FleetHost } from './fleet-hosts';
import { generateKeyPair } from './keys';
import type { KnownHosts } from './known-hosts';
import { hostOffer, probeHost, type HostFacts } from './probe';
import type { EnvironmentEndpoint } from './access';

/** One instance we started on a host (kept in the backend's manifest, so a restart finds it). */
interface InstanceRecord {
  tags: ResourceTags;
  hostname: string;
  sshPort: number;
  hostPublicKey: string;
  createdAt: number;
}

/** Options of the backend. */
export interface SshHostsBackendOptions {
  hosts: FleetHost[];
  knownHosts: KnownHosts;
  /** Where the instance manifest lives (a directory of ours). */
  stateDir: string;
  /** Price per hour of every host (default 0, as dstack's SSH fleets). */
  pricePerHour?: number;
  /** Lease the agent honours: the orchestrator must poll `refresh` more often than this. Default 120 s. */
  leaseSecs?: number;
  /** The key authorized in the environment when the orchestrator passes none (our client key). */
  defaultPublicKey?: () => Promise<string>;
  /** How long a probe stays fresh, also across processes (`ssh-hosts/probes.json`). Default 60 s. */
  probeTtlMs?: number;
  /** Run environments directly on the hosts even where a container runtime works (default: containers there). */
  bare?: boolean;
}

/** A probe kept on disk, so `offer` in a new process does not reconnect to every host. */
interface ProbeRecord { at: number; target: string; facts: HostFacts }

const PROBE_TTL_MS = 60_000;
/** A backend call never waits longer on one host: a blackholed link must not stall the scheduler. */
const HOST_CALL_MS = 5_000;

/** Where the SSH hosts backend keeps an instance's init output (tailed from the agent on every refresh). */
export function sshHostsLogFile(stateDir: string, instanceId: string): string {
  return path.join(stateDir, 'ssh-hosts', 'logs', `${instanceId}.log`);
}

/** Runs dev environments on the user's own SSH hosts. */
export class SshHostsBackend implements Backend {
  readonly id = 'remote' as const;
  readonly capabilities: BackendCapabilities = { spot: false, containerNative: false, billable: false, configurableDisk: false, reusable: false };
  private readonly manifest: string;
  private readonly lock: string;
  private readonly probeFile: string;
  private probes: Map<string, ProbeRecord> | null = null;
  private readonly conns = new Map<string, Promise<SshConnection>>();

  constructor(private readonly options: SshHostsBackendOptions) {
    this.manifest = path.join(options.stateDir, 'ssh-hosts', 'instances.json');
    this.lock = path.join(options.stateDir, 'ssh-hosts', 'instances.lock');
    this.probeFile = path.join(options.stateDir, 'ssh-hosts', 'probes.json');
  }

  /** Who we log in as where: a probe of another user or port is not this host's probe. */
  private static targetKey(h: FleetHost): string {
    const t = h.target;
    return `${t.user}@${t.host}:${t.port}${t.jump ? ` via ${t.jump.user}@${t.jump.host}:${t.jump.port}` : ''}`;
  }

  private async probeCache(): Promise<Map<string, ProbeRecord>> {
    if (this.probes) return this.probes;
    const text = await fsp.readFile(this.probeFile, 'utf8').catch(() => '{}');
    let parsed: Record<string, ProbeRecord> = {};
    try { parsed = JSON.parse(text) as Record<string, ProbeRecord>; } catch { /* a torn cache is just empty */ }
    this.probes = new Map(Object.entries(parsed));
    return this.probes;
  }

  private async saveProbes(): Promise<void> {
    const probes = await this.probeCache();
    await fsp.mkdir(path.dirname(this.probeFile), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.probeFile, JSON.stringify(Object.fromEntries(probes), null, 2), 0o600);
  }

  /** The host's probe, from the cache while fresh (`fresh: true` probes now). */
  async probe(hostname: string, fresh = false): Promise<HostFacts> {
    const h = this.host(hostname);
    const probes = await this.probeCache();
    const key = SshHostsBackend.targetKey(h);
    const p = probes.get(hostname);
    if (!fresh && p && p.target === key && Date.now() - p.at <= (this.options.probeTtlMs ?? PROBE_TTL_MS)) return p.facts;
    const facts = await withTimeout((async () => probeHost(await this.connection(hostname)))(), HOST_CALL_MS * 3, `SSH host ${hostname}`);
    probes.set(hostname, { at: Date.now(), target: key, facts });
    await this.saveProbes();
    return facts;
  }

  private host(hostname: string): FleetHost {
    const h = this.options.hosts.find((x) => x.hostname === hostname);
    if (!h) throw new BackendError('invalid', `No SSH host ${hostname} is configured: add it to the fleet's ssh_config.hosts.`);
    return h;
  }

  /** One shared connection per host, reopened when it drops. */
  private connection(hostname: string): Promise<SshConnection> {
    let c = this.conns.get(hostname);
    if (!c) {
      c = connectSsh(this.host(hostname).target, { knownHosts: this.options.knownHosts });
      this.conns.set(hostname, c);
      const mine = c;
      // Only this connection's own entry: a newer connection to the host must stay known (and closable).
      const forget = (): void => { if (this.conns.get(hostname) === mine) this.conns.delete(hostname); };
      c.then((conn) => conn.client.once('close', forget), forget);
    }
    return c;
  }

  /** Forgets a host's connection, so the next call reconnects; closes it once it settles (never waited for: a
   *  connect to a blackholed host only gives up at its ready timeout, and the caller's bound must hold). */
  private dropConnection(hostname: string): void {
    const c = this.conns.get(hostname);
    this.conns.delete(hostname);
    void c?.then((conn) => conn.close(), () => undefined);
  }

  private async records(): Promise<Record<string, InstanceRecord>> {
    const text = await fsp.readFile(this.manifest, 'utf8').catch(() => '{}');
    return JSON.parse(text) as Record<string, InstanceRecord>;
  }

  private async update(fn: (r: Record<string, InstanceRecord>) => void): Promise<void> {
    await withFileLock(this.lock, async () => {
      const r = await this.records();
      fn(r);
      await writeFileAtomic(this.manifest, JSON.stringify(r, null, 2), 0o600);
    });
  }

  async listOffers(_req?: Requirements): Promise<Offer[]> {
    const busy = new Set(Object.values(await this.records()).map((r) => r.hostname));
    const offers: Offer[] = [];
    await Promise.all(this.options.hosts.map(async (h) => {
      try {
        const facts = await this.probe(h.hostname);
        offers.push(hostOffer(h.hostname, facts, { pricePerHour: h.pricePerHour ?? this.options.pricePerHour ?? 0, busy: busy.has(h.hostname) }));
      } catch {
        // An unreachable host offers nothing now; the next listing tries again.
        this.dropConnection(h.hostname);
      }
    }));
    const order = this.options.hosts.map((h) => h.hostname);
    return offers.sort((a, b) => order.indexOf(a.region) - order.indexOf(b.region));
  }

  async create(offer: Offer, tags: ResourceTags, sshPublicKey: string, job?: InstanceJob): Promise<ProviderInstance> {
    const existing = (await this.records())[tags.instanceId];
    if (existing) return { instanceId: tags.instanceId, state: 'pending', tags };
    const hostname = offer.region;
    this.host(hostname);
    const taken = Object.values(await this.records()).filter((r) => r.hostname === hostname);
    if (taken.length > 0) throw new BackendError('no_capacity', `SSH host ${hostname} is busy with another environment.`);
    const hostKey = generateKeyPair(`${tags.runName} environment`);
    const sshPort = 10022 + (parseInt(tags.instanceId.replace(/[^0-9a-f]/gi, '').slice(0, 6) || '0', 16) % 1000);
    const record: InstanceRecord = { tags, hostname, sshPort, hostPublicKey: hostKey.publicKey, createdAt: Date.now() };
    await this.update((r) => { r[tags.instanceId] = record; });
    let reached = false;
    try {
      const files = await planJobFiles(job?.configuration, job?.configurationPath);
      const facts = await this.probe(hostname);
      const container = containerSpecFor(job?.configuration, { runtime: facts.runtime, gpus: facts.gpus.length }, job?.registryAuth, this.options.bare === true);
      const venvPython = container ? null : hostVenvPython(job?.configuration);
      const conn = await this.connection(hostname);
      reached = true;
      const agent = new HostAgent(conn, tags.instanceId);
      await agent.start({
        instanceId: tags.instanceId,
        env: { ...systemEnv({ runId: job?.runId ?? tags.instanceId, instanceId: tags.instanceId, runName: tags.runName, hostname, gpus: offer.resources.gpus.length, repoId: job?.repoId ?? 'none' }), ...(job?.env ?? {}) },
        init: job?.init ?? [],
        ...(job?.workingDir ? { workingDir: job.workingDir } : {}),
        ...(job?.codeArchive !== undefined ? { codeArchive: job.codeArchive } : {}),
        sshPort,
        authorizedKey: sshPublicKey !== '' ? sshPublicKey : (await this.options.defaultPublicKey?.()) ?? '',
        hostPrivateKey: hostKey.privateKey,
        inactivitySecs: job?.inactivityDuration ?? 0,
        maxDurationSecs: job?.maxDuration ?? 0,
        leaseSecs: this.options.leaseSecs ?? 120,
        files,
        ...(container ? { container } : {}),
        ...(venvPython !== null ? { venvPython } : {}),
        labels: { installation: tags.installation, runName: tags.runName },
        hostPublicKey: hostKey.publicKey,
      });
    } catch (e) {
      // What the start put on the host (job files with the env and keys, a partial upload) goes now; while the host
      // can't be reached the record stays, so the scheduler's terminate of the failed instance removes it later.
      const clean = !reached || await this.removeFromHost(hostname, tags.instanceId).then(() => true, () => false);
      if (clean) await this.update((r) => { delete r[tags.instanceId]; });
      if (e instanceof BackendError) throw e;
      throw new BackendError('error', `Starting the environment on ${hostname} failed: ${(e as Error).message}`);
    }
    return { instanceId: tags.instanceId, state: 'pending', tags };
  }

  /** The environment's SSH endpoint for `SshAccess.publish`: its sshd on 127.0.0.1 of the host, through the host. */
  async endpoint(instanceId: string): Promise<EnvironmentEndpoint | null> {
    const r = (await this.records())[instanceId];
    return r ? this.endpointOf(r) : null;
  }

  private endpointOf(r: InstanceRecord): EnvironmentEndpoint {
    const h = this.host(r.hostname);
    const t = h.target;
    const via: SshVia = { hostName: t.host, port: t.port, user: t.user };
    if (t.hostKeyAlias !== undefined) via.hostKeyAlias = t.hostKeyAlias;
    // The fleet's own identity file logs in to the host (else our client key, SshAccess's default).
    if (h.hostIdentityFile !== undefined) via.identityFile = h.hostIdentityFile;
    if (t.jump) {
      const j = t.jump;
      via.jump = { hostName: j.host, port: j.port, user: j.user, ...(j.hostKeyAlias !== undefined ? { hostKeyAlias: j.hostKeyAlias } : {}) };
      const jumpIdentity = h.jumpIdentityFile ?? h.hostIdentityFile;
      if (jumpIdentity !== undefined) via.jump.identityFile = jumpIdentity;
    }
    return { runName: r.tags.runName, hostName: '127.0.0.1', port: r.sshPort, user: t.user, hostPublicKey: r.hostPublicKey, via };
  }

  async refresh(instanceIds: string[]): Promise<ProviderInstance[]> {
    const records = await this.records();
    return Promise.all(instanceIds.map(async (id) => {
      const rec = records[id];
      if (!rec) return { instanceId: id, state: 'gone' as const, tags: { installation: '', runName: '', instanceId: id } };
      // What `ssh <run-name>` needs: the environment's sshd, through the host (the scheduler publishes it).
      const ep = this.endpointOf(rec);
      const ssh: NonNullable<ProviderInstance['ssh']> = { host: ep.hostName, port: ep.port, user: ep.user, hostPublicKey: rec.hostPublicKey };
      if (ep.via !== undefined) ssh.via = ep.via;
      let status: HostAgentStatus;
      try {
        // One bound over connecting and reading, so a blackholed host costs a pass at most HOST_CALL_MS.
        status = await withTimeout((async () => renewAndRead(new HostAgent(await this.connection(rec.hostname), id), HOST_CALL_MS, `SSH host ${rec.hostname}`, this.logFile(id)))(), HOST_CALL_MS, `SSH host ${rec.hostname}`);
      } catch {
        this.dropConnection(rec.hostname);
        // Unreachable right now: still running as far as we know (the agent's own switch covers a long outage).
        return { instanceId: id, state: 'running' as const, tags: rec.tags, ssh, unreachable: true };
      }
      if (status.state === 'absent' || status.state === 'stopped') return { instanceId: id, state: 'gone' as const, tags: rec.tags };
      return { instanceId: id, state: status.state === 'starting' ? 'pending' as const : 'running' as const, tags: rec.tags, ssh, report: reportOf(status), providerId: `${rec.hostname}:${rec.sshPort}` };
    }));
  }

  /** The instance's init output on this machine (what `logs` reads), appended on every refresh. */
  logFile(instanceId: string): string {
    return sshHostsLogFile(this.options.stateDir, instanceId);
  }

  /**
   * Our manifest's instances of `installation`, plus those the configured hosts' own manifests name (read from all
   * hosts at once, each bounded by HOST_CALL_MS; an unreachable host is skipped this time): these are adopted into
   * the manifest, so refresh and terminate reach them even when this machine's state was lost.
   */
  async listTagged(installation: string): Promise<ProviderInstance[]> {
    const onHosts = await Promise.all(this.options.hosts.map(async (h) => {
      try {
        const found = await withTimeout((async () => readHostManifests(await this.connection(h.hostname)))(), HOST_CALL_MS, `SSH host ${h.hostname}`);
        return found.filter((m) => m.installation === installation).map((m) => ({ m, hostname: h.hostname }));
      } catch {
        void this.dropConnection(h.hostname);
        return [];
      }
    }));
    const known = await this.records();
    const adopt = onHosts.flat().filter(({ m }) => known[m.instanceId] === undefined);
    if (adopt.length > 0) {
      await this.update((r) => {
        for (const { m, hostname } of adopt) {
          r[m.instanceId] ??= { tags: { installation: m.installation, runName: m.runName, instanceId: m.instanceId }, hostname, sshPort: m.sshPort, hostPublicKey: m.hostPublicKey, createdAt: m.createdAt };
        }
      });
    }
    const records = await this.records();
    return this.refresh(Object.keys(records).filter((id) => records[id]?.tags.installation === installation));
  }

  async terminate(instanceId: string): Promise<void> {
    const rec = (await this.records())[instanceId];
    if (!rec) return;
    await this.removeFromHost(rec.hostname, instanceId);
    await this.update((r) => { delete r[instanceId]; });
  }

  /** Stops the instance's agent and removes its directory from the host; connecting is bounded (a blackholed host
   *  must not stall the scheduler's pass), and a failure leaves the record for the next try. */
  private async removeFromHost(hostname: string, instanceId: string): Promise<void> {
    let conn: SshConnection;
    try {
      conn = await withTimeout(this.connection(hostname), HOST_CALL_MS, `SSH host ${hostname}`);
    } catch (e) {
      this.dropConnection(hostname);
      throw e;
    }
    await new HostAgent(conn, instanceId).stop();
  }

  /** Closes the shared connections. */
  async close(): Promise<void> {
    for (const c of this.conns.values()) (await c.catch(() => null))?.close();
    this.conns.clear();
  }
}
