// The shared SSH path on EC2 instances: once EC2 reports an instance running, the orchestrator logs in with
// its client key (installed by cloud-init), pins the instance's host key on first use under an alias of its
// own (EC2 reuses public IPs), starts the host agent (job files, code upload, init, the environment's sshd on
// the instance's loopback) and from then on reads its status and renews its lease on every refresh.
// The environment is reached through the instance (`via`), exactly as on an SSH fleet host.
// When the run ends and the orchestrator keeps the instance idle, `release` stops the environment (agent,
// sshd, working dir, the run's leftover processes) and starts the idle watchdog; `reuse` puts a new run's job
// in place, which the next refresh starts on the cleared instance.
// SDK-free: this module lives in the main bundles; the EC2 calls stay in the lazily loaded chunk.

import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { InstanceJob, ProviderInstance, ResourceTags, SshVia } from '../backend';
import type { Offer } from '../offer';
import { renewAndRead, reportOf, withTimeout } from '../ssh/agent/agent-refresh';
import { HostAgent } from '../ssh/agent/host-agent';
import { codeOf, JobRecords, type JobRecordBase } from '../ssh/agent/job-records';
import { systemEnv } from '../ssh/agent/system-env';
import { sshPaths } from '../ssh/config/paths';
import { connectSsh, type SshConnection } from '../ssh/connect';
import { ensureClientKey, generateKeyPair } from '../ssh/keys';
import { KnownHosts } from '../ssh/known-hosts';
import { shellQuote } from '../ssh/shell-quote';
import { idleDirOf, idleScript, POWER_OFF_WATCHER, renewIdleScript } from './watchdogs';

/** Options of the instance agents. */
export interface InstanceAgentsOptions {
  /** The state dir: job records under `aws/jobs/`, our client key and known_hosts under `ssh/`. */
  stateDir: string;
  /** The agent's lease in seconds (the orchestrator's refresh renews it). Default 120. */
  leaseSecs?: number;
  /** Bound of one status read over SSH (default 5 s): a dead link must not stall the scheduler. */
  callTimeoutMs?: number;
  /** Bound of starting the agent, upload included (default 120 s). */
  startTimeoutMs?: number;
  /** Connections unused this long are closed, so a CLI process can exit (default 3 s). */
  idleCloseMs?: number;
}

/** What the agent needs, kept from `create` until the instance runs (a 0600 file; env and host key are dropped once started). */
interface JobRecord extends JobRecordBase {
  tags: ResourceTags;
  gpus: number;
  authorizedKey: string;
  /** The environment sshd's host key: only until the agent holds it. */
  hostPrivateKey?: string;
  hostPublicKey: string;
  sshPort: number;
  init: string[];
  workingDir: string | null;
  runId: string;
  inactivitySecs: number;
  maxDurationSecs: number;
  /** The job env (resolved secrets included): only until the agent holds it. */
  env?: Record<string, string>;
  /** When the agent was started on the instance (ms), null before. */
  startedAt: number | null;
  /** The job takes over an instance an earlier run left idle: its environment and idle watchdog are cleared first. */
  clearFirst?: boolean;
  /** The run ended and the instance is kept idle: its environment is stopped, the idle watchdog runs. */
  idle?: { secs: number; since: number };
}

/** The environment's sshd port on the instance's loopback (the instance is ours alone). */
export const ENVIRONMENT_SSH_PORT = 10022;

/** The alias an instance's host key is pinned under (per instance: EC2 hands public IPs to other instances later). */
export function instanceHostKeyAlias(instanceId: string): string {
  return `aws-instance-${instanceId}`;
}

/** Runs the host agent on the backend's instances over SSH and turns EC2's view into the environment's view. */
export class InstanceAgents {
  private readonly jobs: JobRecords<JobRecord>;
  private readonly known: KnownHosts;
  private readonly conns = new Map<string, { conn: Promise<SshConnection>; timer: NodeJS.Timeout | null; users: number }>();
  private readonly starting = new Map<string, Promise<void>>();

  constructor(private readonly options: InstanceAgentsOptions) {
    this.jobs = new JobRecords(path.join(options.stateDir, 'aws', 'jobs'));
    const paths = sshPaths(options.stateDir);
    this.known = new KnownHosts(paths.knownHosts, paths.lock);
  }

  /**
   * A run's init output on this machine (what `logs` reads), copied from the agent on every refresh: the instance's
   * own file for the run it was created for (its id starts with that run's id), a file per run that reused it.
   */
  logFile(instanceId: string, runId?: string): string {
    const name = runId !== undefined && !instanceId.startsWith(`${runId}-`) ? `${instanceId}.${runId}` : instanceId;
    return path.join(this.options.stateDir, 'aws', 'logs', `${name}.log`);
  }

  /** The job record of `job` for `offer`, with a fresh host key for the environment's sshd. */
  private record(offer: Offer, tags: ResourceTags, sshPublicKey: string, job?: InstanceJob): JobRecord {
    const hostKey = generateKeyPair(`${tags.runName} environment`);
    return {
      tags, gpus: offer.resources.gpus.length, authorizedKey: sshPublicKey, hostPrivateKey: hostKey.privateKey, hostPublicKey: hostKey.publicKey,
      sshPort: ENVIRONMENT_SSH_PORT, init: job?.init ?? [], workingDir: job?.workingDir ?? null, runId: job?.runId ?? tags.instanceId,
      inactivitySecs: job?.inactivityDuration ?? 0, maxDurationSecs: job?.maxDuration ?? 0, env: job?.env ?? {}, startedAt: null,
      ...codeOf(job),
    };
  }

  /** Keeps what the agent will need, before the instance is created (a crash in between loses nothing). Idempotent. */
  async prepare(offer: Offer, tags: ResourceTags, sshPublicKey: string, job?: InstanceJob): Promise<void> {
    if (await this.jobs.read(tags.instanceId)) return;
    await this.jobs.write(this.record(offer, tags, sshPublicKey, job));
  }

  /**
   * Puts a new run's job on an idle instance (new host key, the new run's env and code); the next refresh clears
   * the instance (the earlier environment, the idle watchdog) and starts it. Idempotent for the same run.
   */
  async reuse(offer: Offer, tags: ResourceTags, sshPublicKey: string, job: InstanceJob): Promise<void> {
    const existing = await this.jobs.read(tags.instanceId);
    if (existing && !existing.idle && existing.runId === job.runId && existing.startedAt === null) return;
    await fsp.rm(this.logFile(tags.instanceId, job.runId), { force: true });
    await this.jobs.write({ ...this.record(offer, tags, sshPublicKey, job), clearFirst: true });
  }

  /** Whether the instance has nothing of a run left to stop (kept idle already, or no job of ours). */
  async released(instanceId: string): Promise<boolean> {
    const rec = await this.jobs.read(instanceId);
    return rec === null || rec.idle !== undefined;
  }

  /**
   * Ends the run on a running instance that is kept idle for `idleSecs`: stops the agent (the environment's
   * sshd, init, sessions; its directory with the working dir goes), kills what is left of the run, and starts the
   * idle watchdog, which powers the instance off after `idleSecs` without a lease renewal. Idempotent.
   */
  async release(view: ProviderInstance, idleSecs: number): Promise<void> {
    const rec = await this.jobs.read(view.instanceId);
    if (!rec || rec.idle) return;
    if (view.state !== 'running' || !view.ssh) throw new Error(`The instance ${view.instanceId} is ${view.state}: it cannot be kept idle`);
    const host = view.ssh;
    await withTimeout(this.use(view.instanceId, host, async (conn) => {
      const agent = new HostAgent(conn, view.instanceId);
      await agent.stop();
      const r = await conn.exec(idleScript(await agent.dir(), rec.runId, { idleSecs, leaseSecs: this.options.leaseSecs ?? 120, token: randomBytes(6).toString('hex') }));
      if (r.code !== 0) throw new Error(`Keeping ${host.host} idle failed: ${r.stderr.trim()}`);
    }), this.options.startTimeoutMs ?? 120_000, `Stopping the environment on ${host.host}`);
    // Whatever of a job the record still held (a reuse that was never started) leaves with it.
    const idle: JobRecord = { ...rec, idle: { secs: idleSecs, since: Date.now() } };
    delete idle.env;
    delete idle.hostPrivateKey;
    delete idle.clearFirst;
    await this.jobs.write(idle);
  }

  /** Forgets an instance: its job record, its pinned host key and its connection. Idempotent. */
  async forget(instanceId: string): Promise<void> {
    await this.jobs.remove(instanceId);
    await this.known.forget(instanceHostKeyAlias(instanceId));
    const c = this.conns.get(instanceId);
    this.conns.delete(instanceId);
    if (c?.timer) clearTimeout(c.timer);
    (await c?.conn.catch(() => null))?.close();
  }

  /** EC2's views with the environment's state: agent started where due, report read, SSH endpoint of the environment. */
  attach(views: ProviderInstance[]): Promise<ProviderInstance[]> {
    return Promise.all(views.map((v) => this.attachOne(v)));
  }

  private async attachOne(view: ProviderInstance): Promise<ProviderInstance> {
    if (view.state !== 'running' || !view.ssh) return view;
    const rec = await this.jobs.read(view.instanceId);
    if (!rec) return view;
    const host = view.ssh;
    const bare: ProviderInstance = { ...view };
    delete bare.ssh;
    if (rec.idle) {
      // Kept idle: the orchestrator is here, so the idle watchdog must not power it off; nothing to publish.
      await this.renewIdle(view.instanceId, host).catch(() => this.drop(view.instanceId));
      return bare;
    }
    const via: SshVia = { hostName: host.host, port: host.port, user: host.user, hostKeyAlias: instanceHostKeyAlias(view.instanceId) };
    const ssh: NonNullable<ProviderInstance['ssh']> = { host: '127.0.0.1', port: rec.sshPort, user: host.user, hostPublicKey: rec.hostPublicKey, via };
    try {
      return await this.use(view.instanceId, host, async (conn) => {
        const agent = new HostAgent(conn, view.instanceId);
        if (rec.startedAt === null) await withTimeout(this.start(conn, agent, rec, host.host), this.options.startTimeoutMs ?? 120_000, `Starting the agent on ${host.host}`);
        const status = await renewAndRead(agent, this.options.callTimeoutMs ?? 5_000, `The instance ${host.host}`, this.logFile(view.instanceId, rec.runId));
        // The agent stopped (inactivity, max_duration, asked) or its directory is gone: the environment is over.
        if (status.state === 'stopped' || status.state === 'absent') return { ...bare, state: 'gone' as const };
        return { ...bare, ssh, report: reportOf(status) };
      });
    } catch {
      // Booting (sshd or cloud-init not there yet) or unreachable right now: running, no report, tried again next pass.
      await this.drop(view.instanceId);
      return rec.startedAt === null ? bare : { ...bare, ssh };
    }
  }

  /** Touches the idle watchdog's lease on the instance, within the call bound. */
  private renewIdle(instanceId: string, host: { host: string; port: number; user: string }): Promise<void> {
    return withTimeout(this.use(instanceId, host, async (conn) => {
      await conn.exec(renewIdleScript(await new HostAgent(conn, instanceId).dir()));
    }), this.options.callTimeoutMs ?? 5_000, `The idle instance ${host.host}`);
  }

  /** Uploads the job and the code and starts the agent, once per instance even when passes overlap. */
  private start(conn: SshConnection, agent: HostAgent, rec: JobRecord, hostname: string): Promise<void> {
    const id = rec.tags.instanceId;
    let p = this.starting.get(id);
    if (!p) {
      p = (async () => {
        if (rec.clearFirst) {
          // An earlier run's instance: its environment goes (if the release never happened), and so does the idle watchdog.
          await agent.stop();
          await conn.exec(`rm -rf ${shellQuote(idleDirOf(await agent.dir()))}`);
        }
        await agent.start({
          instanceId: id,
          env: { ...systemEnv({ runId: rec.runId, instanceId: id, runName: rec.tags.runName, hostname, gpus: rec.gpus, repoId: rec.repoId ?? 'none' }), ...(rec.env ?? {}) },
          init: rec.init,
          ...(rec.workingDir !== null ? { workingDir: rec.workingDir } : {}),
          ...(rec.codeArchive !== undefined ? { codeArchive: rec.codeArchive } : {}),
          sshPort: rec.sshPort,
          authorizedKey: rec.authorizedKey,
          hostPrivateKey: rec.hostPrivateKey ?? '',
          inactivitySecs: rec.inactivitySecs,
          maxDurationSecs: rec.maxDurationSecs,
          leaseSecs: this.options.leaseSecs ?? 120,
        });
        const dir = await agent.dir();
        const w = await conn.exec(`setsid sh -c ${shellQuote(POWER_OFF_WATCHER)} watch ${shellQuote(dir)} > /dev/null 2>&1 < /dev/null &`);
        if (w.code !== 0) throw new Error(`Starting the power-off watcher on ${hostname} failed: ${w.stderr.trim()}`);
        delete rec.clearFirst;
        await this.jobs.markStarted(rec);
      })().finally(() => this.starting.delete(id));
      this.starting.set(id, p);
    }
    return p;
  }

  /** Runs `fn` over the instance's shared connection, closing it once unused for a while. */
  private async use<T>(instanceId: string, host: { host: string; port: number; user: string }, fn: (c: SshConnection) => Promise<T>): Promise<T> {
    let entry = this.conns.get(instanceId);
    if (!entry) {
      const conn = (async () => connectSsh({
        host: host.host, port: host.port, user: host.user, hostKeyAlias: instanceHostKeyAlias(instanceId),
        privateKeys: [(await ensureClientKey(sshPaths(this.options.stateDir).identity)).privateKey],
      }, { knownHosts: this.known, readyTimeoutMs: this.options.callTimeoutMs ?? 5_000 }))();
      entry = { conn, timer: null, users: 0 };
      this.conns.set(instanceId, entry);
      const mine = entry;
      const forget = (): void => { if (this.conns.get(instanceId) === mine) this.conns.delete(instanceId); };
      conn.then((c) => c.client.once('close', forget), forget);
    }
    const mine = entry;
    if (mine.timer) clearTimeout(mine.timer);
    mine.timer = null;
    mine.users++;
    try {
      return await fn(await mine.conn);
    } finally {
      mine.users--;
      if (mine.users === 0 && this.conns.get(instanceId) === mine) {
        mine.timer = setTimeout(() => { void this.drop(instanceId); }, this.options.idleCloseMs ?? 3_000);
        mine.timer.unref();
      }
    }
  }

  private async drop(instanceId: string): Promise<void> {
    const c = this.conns.get(instanceId);
    if (!c) return;
    this.conns.delete(instanceId);
    if (c.timer) clearTimeout(c.timer);
    (await c.conn.catch(() => null))?.close();
  }

  /** Closes every connection (the CLI's exit). */
  async close(): Promise<void> {
    await Promise.all([...this.conns.keys()].map((id) => this.drop(id)));
  }
}
