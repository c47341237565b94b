// The agent work inside pods, the same host agent SSH hosts use: once a pod runs, the orchestrator logs in to
// the pod's sshd through a port-forward tunnel (host key pinned beforehand from what it generated), uploads
// the job and the code, starts the agent (init, readiness marker, activity, the environment's sshd on the
// pod's loopback) and reads its status on every refresh. SDK-free: the tunnel is passed in.

import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { AgentReport, InstanceJob, ResourceTags } from '../backend';
import { renewAndRead, reportOf, withTimeout } from '../ssh/agent/agent-refresh';
import { HostAgent } from '../ssh/agent/host-agent';
import { codeOf, JobRecords, type JobRecordBase } from '../ssh/agent/job-records';
import { systemEnv } from '../ssh/agent/system-env';
import { sshPaths } from '../ssh/config/paths';
import { connectSsh, type SshConnection } from '../ssh/connect';
import { ensureClientKey, publicKeyBlob } from '../ssh/keys';
import { KnownHosts } from '../ssh/known-hosts';

/** Options of the pod agents. */
export interface PodAgentsOptions {
  /** The state dir: job records under `kubernetes/jobs/`, our client key and known_hosts under `ssh/`. */
  stateDir: string;
  /** Port of the environment's sshd the agent starts inside the pod (default 10023). */
  environmentSshPort?: number;
  /** The agent's lease in seconds (default 120). */
  leaseSecs?: number;
  /** Bound of one status read (default 5 s: a dead link must not stall the scheduler) and of starting the agent (default 120 s). */
  callTimeoutMs?: number;
  startTimeoutMs?: number;
}

/** What the agent needs, kept from `create` until it runs (0600; the env is dropped once the agent holds it). */
interface JobRecord extends JobRecordBase {
  tags: ResourceTags;
  gpus: number;
  init: string[];
  workingDir: string | null;
  runId: string;
  inactivitySecs: number;
  maxDurationSecs: number;
  env?: Record<string, string>;
  /** The pod's host key, which the environment's sshd presents too (one pinned key serves both). */
  hostPrivateKey?: string;
  startedAt: number | null;
}

/** The environment sshd's port inside the pod (the pod's own sshd, for the agent, is on POD_SSH_PORT). */
export const ENVIRONMENT_SSH_PORT = 10023;

/** The alias a pod's host key is pinned under. */
export function podHostKeyAlias(instanceId: string): string {
  return `kubernetes-pod-${instanceId}`;
}

/** What `attach` found: the agent's report, or that the environment is over. */
export type AgentOutcome = { kind: 'report'; report: AgentReport } | { kind: 'stopped' } | { kind: 'unreachable' };

/** Runs the host agent in pods over SSH through a tunnel. */
export class PodAgents {
  private readonly jobs: JobRecords<JobRecord>;
  private readonly known: KnownHosts;
  private readonly conns = new Map<string, Promise<SshConnection>>();
  private readonly starting = new Map<string, Promise<void>>();
  /** Instances whose start failure is already in their log. */
  private readonly noted = new Set<string>();

  constructor(private readonly options: PodAgentsOptions) {
    this.jobs = new JobRecords(path.join(options.stateDir, 'kubernetes', 'jobs'));
    const paths = sshPaths(options.stateDir);
    this.known = new KnownHosts(paths.knownHosts, paths.lock);
  }

  get environmentPort(): number {
    return this.options.environmentSshPort ?? ENVIRONMENT_SSH_PORT;
  }

  /** The key the pod's sshd must accept (the orchestrator's client key). */
  async clientPublicKey(): Promise<string> {
    return (await ensureClientKey(sshPaths(this.options.stateDir).identity)).publicKey;
  }

  /** The pod's init output on this machine (what `logs` reads), copied from the agent on every refresh. */
  logFile(instanceId: string): string {
    return path.join(this.options.stateDir, 'kubernetes', 'logs', `${instanceId}.log`);
  }

  /**
   * Adds a line from the orchestrator (why the pod will never start) to the pod's log, once per instance, and only
   * while the agent has not started: its init output is appended after what this copy holds.
   */
  async note(instanceId: string, line: string): Promise<void> {
    if (this.noted.has(instanceId)) return;
    this.noted.add(instanceId);
    const rec = await this.jobs.read(instanceId);
    if (rec && rec.startedAt !== null) return;
    const file = this.logFile(instanceId);
    await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await fsp.appendFile(file, `${line}\n`, { mode: 0o600 });
  }

  /** Keeps the job for the agent and pins the pod's host key, before the pod is created. Idempotent. */
  async prepare(tags: ResourceTags, gpus: number, hostKey: { privateKey: string; publicKey: string }, job?: InstanceJob): Promise<void> {
    await this.known.pin(podHostKeyAlias(tags.instanceId), publicKeyBlob(hostKey.publicKey));
    const existing = await this.jobs.read(tags.instanceId);
    if (existing) {
      // A retried create (its pod never came) made a new host key, pinned above and put in the pod's Secret:
      // the environment's sshd, which presents the same key, must get it too.
      if (existing.startedAt === null && existing.hostPrivateKey !== hostKey.privateKey) await this.jobs.write({ ...existing, hostPrivateKey: hostKey.privateKey });
      return;
    }
    await this.jobs.write({
      tags, gpus, init: job?.init ?? [], workingDir: job?.workingDir ?? null, runId: job?.runId ?? tags.instanceId,
      inactivitySecs: job?.inactivityDuration ?? 0, maxDurationSecs: job?.maxDuration ?? 0, env: job?.env ?? {}, hostPrivateKey: hostKey.privateKey, startedAt: null,
      ...codeOf(job),
    });
  }

  /** Pins the host key of a pod found after a restart (from its annotation). */
  async pin(instanceId: string, hostPublicKey: string): Promise<void> {
    if ((await this.known.pinned(podHostKeyAlias(instanceId))).length === 0) await this.known.pin(podHostKeyAlias(instanceId), publicKeyBlob(hostPublicKey));
  }

  /** Starts the agent where due and reads its status, over SSH to the pod's sshd at 127.0.0.1:`localPort`. */
  async attach(instanceId: string, localPort: number, podName: string): Promise<AgentOutcome> {
    try {
      const conn = await this.connect(instanceId, localPort);
      const agent = new HostAgent(conn, instanceId);
      const rec = await this.jobs.read(instanceId);
      if (rec && rec.startedAt === null) await withTimeout(this.start(agent, rec, podName), this.options.startTimeoutMs ?? 120_000, `Starting the agent in pod ${podName}`);
      const status = await renewAndRead(agent, this.options.callTimeoutMs ?? 5_000, `The agent in pod ${podName}`, this.logFile(instanceId));
      if (status.state === 'stopped') return { kind: 'stopped' };
      // No record and no agent: a pod created by another installation's state dir; nothing to report.
      if (status.state === 'absent') return rec ? { kind: 'unreachable' } : { kind: 'stopped' };
      return { kind: 'report', report: reportOf(status) };
    } catch {
      // sshd not up yet (image still installing it) or the link dropped: tried again on the next refresh.
      await this.drop(instanceId);
      return { kind: 'unreachable' };
    }
  }

  private start(agent: HostAgent, rec: JobRecord, podName: string): Promise<void> {
    const id = rec.tags.instanceId;
    let p = this.starting.get(id);
    if (!p) {
      p = (async () => {
        const system = systemEnv({ runId: rec.runId, instanceId: id, runName: rec.tags.runName, hostname: podName, gpus: rec.gpus, repoId: rec.repoId ?? 'none' });
        await agent.start({
          instanceId: id, env: { ...system, ...(rec.env ?? {}) }, init: rec.init,
          ...(rec.workingDir !== null ? { workingDir: rec.workingDir } : {}),
          ...(rec.codeArchive !== undefined ? { codeArchive: rec.codeArchive } : {}),
          sshPort: this.environmentPort, authorizedKey: await this.clientPublicKey(),
          hostPrivateKey: rec.hostPrivateKey ?? '',
          inactivitySecs: rec.inactivitySecs, maxDurationSecs: rec.maxDurationSecs, leaseSecs: this.options.leaseSecs ?? 120,
        });
        await this.jobs.markStarted(rec);
      })().finally(() => this.starting.delete(id));
      this.starting.set(id, p);
    }
    return p;
  }

  private connect(instanceId: string, localPort: number): Promise<SshConnection> {
    let c = this.conns.get(instanceId);
    if (!c) {
      c = (async () => connectSsh({
        host: '127.0.0.1', port: localPort, user: 'root', hostKeyAlias: podHostKeyAlias(instanceId),
        privateKeys: [(await ensureClientKey(sshPaths(this.options.stateDir).identity)).privateKey],
      }, { knownHosts: this.known, readyTimeoutMs: this.options.callTimeoutMs ?? 5_000 }))();
      this.conns.set(instanceId, c);
      const mine = c;
      const forget = (): void => { if (this.conns.get(instanceId) === mine) this.conns.delete(instanceId); };
      c.then((conn) => conn.client.once('close', forget), forget);
    }
    return c;
  }

  private async drop(instanceId: string): Promise<void> {
    const c = this.conns.get(instanceId);
    this.conns.delete(instanceId);
    (await c?.catch(() => null))?.close();
  }

  /** Forgets an instance: its job record, its pinned host key and its connection. Idempotent. */
  async forget(instanceId: string): Promise<void> {
    await this.jobs.remove(instanceId);
    await this.known.forget(podHostKeyAlias(instanceId));
    await this.drop(instanceId);
  }

  /** Closes every connection (the CLI's exit). */
  async close(): Promise<void> {
    await Promise.all([...this.conns.keys()].map((id) => this.drop(id)));
  }
}
