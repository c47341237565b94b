// The local backend, the embedded default: an "instance" is a directory under the state dir plus a
// detached agent process (see agent.ts) that also serves SSH on 127.0.0.1 with a host key generated
// here (pinned by the client through the `ssh` endpoint's hostPublicKey) and only the run's key. Tags
// live in a manifest file in the directory, so `listTagged` finds instances again after a restart.
// Terminate kills the agent's process group and removes the directory (idempotent).

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AgentReport, Backend, BackendCapabilities, InstanceJob, ProviderInstance, Requirements, ResourceTags } from '../backend';
import { BackendError } from '../backend';
import type { Offer } from '../offer';
import { writeFileAtomic } from '../../orchestrator/store/atomic-file';
import { isProcessAlive } from '../../orchestrator/store/lock';
import { localOffer } from './offers';
import { generateKeyPair } from '../ssh/keys';
import { AGENT_FILES, type AgentStatus } from './agent';
import { agentCommand } from './agent-launch';

/** The manifest: the instance's tags and offer. */
interface Manifest {
  tags: ResourceTags;
  offer: Offer;
  createdAt: number;
  agentPid: number | null;
  /** The public key of the agent's SSH host key (absent without a run key). */
  hostPublicKey?: string;
}

/** Runs dev environments on this machine. */
export class LocalBackend implements Backend {
  readonly id = 'local' as const;
  readonly capabilities: BackendCapabilities = { spot: false, containerNative: false, billable: false, configurableDisk: false, reusable: false };
  readonly instancesDir: string;
  readonly logsDir: string;

  constructor(stateDir: string) {
    this.instancesDir = path.join(stateDir, 'local', 'instances');
    this.logsDir = path.join(stateDir, 'local', 'logs');
  }

  /** The directory of one instance. */
  instanceDir(instanceId: string): string {
    return path.join(this.instancesDir, instanceId);
  }

  /** The log file of one instance's init output (kept after the instance is gone). */
  logFile(instanceId: string): string {
    return path.join(this.logsDir, `${instanceId}.log`);
  }

  /** Marks SSH/IDE activity on the instance now (what an SSH session into it reports). */
  touchActivity(instanceId: string): void {
    const file = path.join(this.instanceDir(instanceId), 'activity');
    if (fs.existsSync(this.instanceDir(instanceId))) fs.writeFileSync(file, String(Date.now()));
  }

  async listOffers(_req?: Requirements): Promise<Offer[]> {
    const offer = await localOffer(fs.existsSync(path.dirname(this.instancesDir)) ? path.dirname(this.instancesDir) : undefined);
    return offer ? [offer] : [];
  }

  async create(offer: Offer, tags: ResourceTags, sshPublicKey: string, job?: InstanceJob): Promise<ProviderInstance> {
    const dir = this.instanceDir(tags.instanceId);
    const manifestFile = path.join(dir, 'manifest.json');
    if (fs.existsSync(manifestFile)) return this.view(tags.instanceId);
    if (!job) throw new BackendError('invalid', 'the local backend needs the job to start its agent');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.mkdirSync(this.logsDir, { recursive: true, mode: 0o700 });
    writeFileAtomic(path.join(dir, AGENT_FILES.job), JSON.stringify({ ...job, jobId: tags.instanceId }));
    // The manifest is written last: its presence means "created" for idempotency and listTagged.
    const manifest: Manifest = { tags, offer, createdAt: Date.now(), agentPid: null };
    if (sshPublicKey.trim() !== '') {
      const hostKey = generateKeyPair(`vscode-dstack-${tags.runName}`);
      fs.writeFileSync(path.join(dir, AGENT_FILES.hostKey), hostKey.privateKey, { mode: 0o600 });
      fs.writeFileSync(path.join(dir, AGENT_FILES.authorizedKey), `${sshPublicKey.trim()}\n`, { mode: 0o600 });
      manifest.hostPublicKey = hostKey.publicKey;
    }
    writeFileAtomic(manifestFile, JSON.stringify(manifest));
    const logFile = this.logFile(tags.instanceId);
    const { command, args, env } = agentCommand(dir, logFile);
    const out = fs.openSync(logFile, 'a');
    const child = spawn(command, args, { detached: true, stdio: ['ignore', out, out], env: { ...process.env, ...env }, cwd: dir });
    fs.closeSync(out);
    child.unref();
    if (child.pid === undefined) throw new BackendError('error', `could not start the local agent (${command} ${args.join(' ')})`);
    writeFileAtomic(manifestFile, JSON.stringify({ ...manifest, agentPid: child.pid }));
    return this.view(tags.instanceId);
  }

  async refresh(instanceIds: string[]): Promise<ProviderInstance[]> {
    return instanceIds.map((id) => this.view(id));
  }

  async listTagged(installation: string): Promise<ProviderInstance[]> {
    if (!fs.existsSync(this.instancesDir)) return [];
    return fs.readdirSync(this.instancesDir)
      .map((id) => ({ id, manifest: this.readManifest(id) }))
      .filter((x) => x.manifest?.tags.installation === installation)
      .map((x) => this.view(x.id));
  }

  async terminate(instanceId: string): Promise<void> {
    const dir = this.instanceDir(instanceId);
    const pid = this.readManifest(instanceId)?.agentPid ?? this.readStatus(instanceId)?.pid ?? null;
    if (pid !== null && isProcessAlive(pid)) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      for (let i = 0; i < 20 && isProcessAlive(pid); i++) await new Promise((r) => setTimeout(r, 25));
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      for (let i = 0; i < 80 && isProcessAlive(pid); i++) await new Promise((r) => setTimeout(r, 25));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }

  private view(instanceId: string): ProviderInstance {
    const manifest = this.readManifest(instanceId);
    const tags = manifest?.tags ?? { installation: '', runName: '', instanceId };
    if (!manifest) return { instanceId, state: 'gone', tags };
    const status = this.readStatus(instanceId);
    const pid = manifest.agentPid ?? status?.pid ?? null;
    const alive = pid !== null && isProcessAlive(pid) && status?.state !== 'stopped';
    if (!alive) {
      // A dead agent is a gone instance: a just-created one gets a grace period before that verdict.
      if (Date.now() - manifest.createdAt < 5000 && status === null) return { instanceId, state: 'pending', tags };
      return { instanceId, state: 'gone', tags };
    }
    // Ready means init succeeded and, with a run key, SSH is listening.
    const sshUp = manifest.hostPublicKey === undefined || typeof status?.sshPort === 'number';
    const report: AgentReport = { ready: status?.state === 'ready' && sshUp };
    if (status?.state === 'failed' && status.initExitCode !== null) report.initExitCode = status.initExitCode;
    if (status?.workingDir !== undefined) report.workingDir = status.workingDir;
    if (status?.state === 'ready') {
      const activity = this.activityAt(instanceId) ?? status.readyAt ?? status.startedAt;
      report.noConnectionsSecs = Math.max(0, Math.floor((Date.now() - Math.max(activity, status.readyAt ?? 0)) / 1000));
    }
    if (status?.metrics) {
      report.metrics = status.metrics;
      const utils = status.metrics.gpus?.map((g) => g.utilizationPercent) ?? [];
      if (utils.length > 0) report.gpuUtilization = Math.max(...utils);
    }
    const view: ProviderInstance = { instanceId, state: 'running', tags, providerId: `pid-${pid}`, report };
    if (typeof status?.sshPort === 'number' && manifest.hostPublicKey !== undefined) {
      view.ssh = { host: '127.0.0.1', port: status.sshPort, user: os.userInfo().username, hostPublicKey: manifest.hostPublicKey };
    }
    return view;
  }

  private activityAt(instanceId: string): number | null {
    try {
      return fs.statSync(path.join(this.instanceDir(instanceId), 'activity')).mtimeMs;
    } catch {
      return null;
    }
  }

  private readManifest(instanceId: string): Manifest | null {
    return readJson<Manifest>(path.join(this.instanceDir(instanceId), 'manifest.json'));
  }

  /** The pinned host public key of an instance's SSH endpoint, when it has one. */
  hostPublicKey(instanceId: string): string | null {
    return this.readManifest(instanceId)?.hostPublicKey ?? null;
  }

  private readStatus(instanceId: string): AgentStatus | null {
    return readJson<AgentStatus>(path.join(this.instanceDir(instanceId), AGENT_FILES.status));
  }
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}
