// The agent work inside pods, the same host agent SSH hosts use: once a pod runs, the orchestrator logs in to
// the pod's sshd through a port-forward tunnel (host key pinned beforehand from what it generated), uploads
// the job and the code, starts the agent (init, readiness marker, activity, the environment's sshd on the
// pod's loopback) and reads its status on every refresh. SDK-free: the tunnel is passed in.

import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { AgentReport, InstanceJob, ResourceTags } from '../backend';
import { HostAgent } from '../ssh/agent/host-agent';
import { writeFileAtomic } from '../ssh/config/atomic-write';
import { sshPaths } from '../ssh/config/paths';
import { connectSsh, type SshConnection } from '../ssh/connect';
import { ensureClientKey, publicKeyBlob } from '../ssh/keys';
import { KnownHosts } from '../ssh/known-hosts';
import type { UploadPlan } from '../ssh/upload/types';

/** Options of the pod agents. */
export interface PodAgentsOptions {
  /** The state dir: job records under `kubernetes/jobs/`, our client key and known_hosts under `ssh/`. */
  stateDir: string;
  /** The code to upload for a run (none: --no-repo). */
  codeFor?: (tags: ResourceTags) => Promise<UploadPlan | undefined>;
  /** Port of the environment's sshd the agent starts inside the pod (default 10023). */
  environmentSshPort?: number;
  /** The agent's lease in seconds (default 120). */
  leaseSecs?: number;
  /** Bound of one status read (default 5 s: a dead link must not stall the scheduler) and of starting the agent (default 120 s). */
  callTimeoutMs?: number;
  startTimeoutMs?: number;
}

/** What the agent needs, kept from `create` until it runs (0600; the env is dropped once the agent holds it). */
interface JobRecord {
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

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** What `attach` found: the agent's report, or that the environment is over. */
export type AgentOutcome = { kind: 'report'; report: AgentReport } | { kind: 'stopped' } | { kind: 'unreachable' };

/** Runs the host agent in pods over SSH through a tunnel. */
export class PodAgents {
  private readonly dir: string;
  private readonly known: KnownHosts;
  private readonly conns = new Map<string, Promise<SshConnection>>();
  private readonly starting = new Map<string, Promise<void>>();

  constructor(private readonly options: PodAgentsOptions) {
    this.dir = path.join(options.stateDir, 'kubernetes', 'jobs');
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

  private file(instanceId: string): string {
    if (!ID.test(instanceId)) throw new Error(`Instance id ${JSON.stringify(instanceId)} cannot name a file: use letters, digits, - and _.`);
    return path.join(this.dir, `${instanceId}.json`);
  }

  private async read(instanceId: string): Promise<JobRecord | null> {
    const text = await fsp.readFile(this.file(instanceId), 'utf8').catch(() => null);
    if (text === null) return null;
    try { return JSON.parse(text) as JobRecord; } catch { return null; }
  }

  private async write(rec: JobRecord): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file(rec.tags.instanceId), JSON.stringify(rec), 0o600);
  }

  /** Keeps the job for the agent and pins the pod's host key, before the pod is created. Idempotent. */
  async prepare(tags: ResourceTags, gpus: number, hostKey: { privateKey: string; publicKey: string }, job?: InstanceJob): Promise<void> {
    await this.known.pin(podHostKeyAlias(tags.instanceId), publicKeyBlob(hostKey.publicKey));
    const existing = await this.read(tags.instanceId);
    if (existing) {
      // A retried create (its pod never came) made a new host key, pinned above and put in the pod's Secret:
      // the environment's sshd, which presents the same key, must get it too.
      if (existing.startedAt === null && existing.hostPrivateKey !== hostKey.privateKey) await this.write({ ...existing, hostPrivateKey: hostKey.privateKey });
      return;
    }
    await this.write({
      tags, gpus, init: job?.init ?? [], workingDir: job?.workingDir ?? null, runId: job?.runId ?? tags.instanceId,
      inactivitySecs: job?.inactivityDuration ?? 0, maxDurationSecs: job?.maxDuration ?? 0, env: job?.env ?? {}, hostPrivateKey: hostKey.privateKey, startedAt: null,
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
      const rec = await this.read(instanceId);
      if (rec && rec.startedAt === null) await withTimeout(this.start(agent, rec, podName), this.options.startTimeoutMs ?? 120_000, `Starting the agent in pod ${podName}`);
      const status = await withTimeout((async () => { await agent.renewLease(); return agent.status(); })(), this.options.callTimeoutMs ?? 5_000, `The agent in pod ${podName}`);
      if (status.state === 'stopped') return { kind: 'stopped' };
      // No record and no agent: a pod created by another installation's state dir; nothing to report.
      if (status.state === 'absent') return rec ? { kind: 'unreachable' } : { kind: 'stopped' };
      const report: AgentReport = { ready: status.ready };
      if (status.initExitCode !== undefined) report.initExitCode = status.initExitCode;
      if (status.noConnectionsSecs !== undefined) report.noConnectionsSecs = status.noConnectionsSecs;
      if (status.gpuUtilization !== undefined) report.gpuUtilization = status.gpuUtilization;
      if (status.metrics !== undefined) report.metrics = status.metrics;
      return { kind: 'report', report };
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
        const gpus = String(rec.gpus);
        const system = {
          DSTACK_RUN_ID: rec.runId, DSTACK_JOB_ID: id, DSTACK_RUN_NAME: rec.tags.runName, DSTACK_REPO_ID: 'none',
          DSTACK_NODES_IPS: podName, DSTACK_MASTER_NODE_IP: podName, DSTACK_NODE_RANK: '0', DSTACK_NODES_NUM: '1',
          DSTACK_GPUS_PER_NODE: gpus, DSTACK_GPUS_NUM: gpus,
        };
        await agent.start({
          instanceId: id, env: { ...system, ...(rec.env ?? {}) }, init: rec.init,
          ...(rec.workingDir !== null ? { workingDir: rec.workingDir } : {}),
          sshPort: this.environmentPort, authorizedKey: await this.clientPublicKey(),
          hostPrivateKey: rec.hostPrivateKey ?? '',
          inactivitySecs: rec.inactivitySecs, maxDurationSecs: rec.maxDurationSecs, leaseSecs: this.options.leaseSecs ?? 120,
        }, await this.options.codeFor?.(rec.tags));
        rec.startedAt = Date.now();
        delete rec.env;
        delete rec.hostPrivateKey;
        await this.write(rec);
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
    await fsp.rm(this.file(instanceId), { force: true });
    await this.known.forget(podHostKeyAlias(instanceId));
    await this.drop(instanceId);
  }

  /** Closes every connection (the CLI's exit). */
  async close(): Promise<void> {
    await Promise.all([...this.conns.keys()].map((id) => this.drop(id)));
  }
}
