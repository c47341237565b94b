// The local instance's agent, run as a detached process (see agent-launch.ts). It sets up the working
// dir, writes the env with dstack's system variables, serves SSH (LocalSshServer on 127.0.0.1 with the
// host key the orchestrator generated and only the run's key), runs `init` with `sh -c` streaming to the
// run's log, marks readiness, heartbeats into status.json (with the SSH port and a sample of the
// environment's CPU/memory/GPU use), records SSH connections open longer than 10 s as activity (dstack's
// rule: shorter ones are probes), and stops itself (dead-man's switch) when no orchestrator holds the lease
// and inactivity_duration has passed, or when max_duration has passed.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentMetrics, InstanceJob } from '../backend';
import { hostVenvPython, hostVenvScript } from '../ssh/agent/host-venv';
import { extractTar } from '../ssh/upload/tar-extract';
import { EnvironmentSampler } from './metrics';
import { LocalSshServer } from './ssh-server';

/** Files of an instance dir shared by the backend and the agent. */
export const AGENT_FILES = {
  job: 'job.json', status: 'status.json', activity: 'activity', hostKey: 'ssh_host_ed25519_key', authorizedKey: 'authorized_key',
  profile: 'profile', ready: 'ready',
} as const;

/** What the agent writes into status.json. */
export interface AgentStatus {
  pid: number;
  state: 'init' | 'ready' | 'failed' | 'stopped';
  startedAt: number;
  readyAt: number | null;
  heartbeatAt: number;
  initExitCode: number | null;
  stopReason: string | null;
  /** The SSH port on 127.0.0.1, once listening; null without a run key. */
  sshPort: number | null;
  /** The working dir SSH sessions start in (absent in the status of an agent from before it was reported). */
  workingDir?: string;
  /** The latest sample of what the environment (the agent's descendants) uses; absent before the first. */
  metrics?: AgentMetrics;
}

/** The job as the backend writes it (the instance id is the dstack job id). */
type AgentJob = InstanceJob & { jobId: string };

/** The environment's working directory inside the instance dir. */
export function agentWorkingDir(dir: string, workingDir: string | null): string {
  const home = path.join(dir, 'home');
  return workingDir ? path.resolve(home, workingDir) : path.join(home, 'workflow');
}

const quote = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;

/** Runs the agent for the instance in `dir`, streaming init output to `logFile`. Never returns normally. */
export async function runLocalAgent(dir: string, logFile: string): Promise<void> {
  const job = JSON.parse(fs.readFileSync(path.join(dir, AGENT_FILES.job), 'utf8')) as AgentJob;
  const statusFile = path.join(dir, AGENT_FILES.status);
  const startedAt = Date.now();
  const status: AgentStatus = { pid: process.pid, state: 'init', startedAt, readyAt: null, heartbeatAt: startedAt, initExitCode: null, stopReason: null, sshPort: null };
  const writeStatus = (): void => {
    status.heartbeatAt = Date.now();
    const tmp = `${statusFile}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(status));
    fs.renameSync(tmp, statusFile);
  };
  const home = path.join(dir, 'home');
  const workdir = agentWorkingDir(dir, job.workingDir);
  fs.mkdirSync(workdir, { recursive: true });
  status.workingDir = workdir;
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const hostfile = path.join(dir, 'mpi-hostfile');
  fs.writeFileSync(hostfile, '127.0.0.1 slots=1\n');
  const system: Record<string, string> = {
    DSTACK_RUN_ID: job.runId, DSTACK_JOB_ID: job.jobId, DSTACK_RUN_NAME: job.runName, DSTACK_REPO_ID: job.repoId ?? 'none',
    DSTACK_REPO_DIR: workdir, DSTACK_WORKING_DIR: workdir, DSTACK_NODES_IPS: '127.0.0.1', DSTACK_MASTER_NODE_IP: '127.0.0.1',
    DSTACK_NODE_RANK: '0', DSTACK_NODES_NUM: '1', DSTACK_GPUS_PER_NODE: '0', DSTACK_GPUS_NUM: '0', DSTACK_MPI_HOSTFILE: hostfile,
  };
  const base: Record<string, string> = {};
  for (const k of ['PATH', 'LANG', 'TERM', 'SHELL', 'USER', 'LOGNAME', 'TMPDIR']) {
    const v = process.env[k];
    if (v !== undefined) base[k] = v;
  }
  // A `python` on dstack's default image gets a venv here (host-venv.ts): DSTACK_VENV_DIR, activated once made.
  const venvPython = hostVenvPython(job.configuration);
  const venvDir = path.join(dir, 'venv');
  if (venvPython !== null) system['DSTACK_VENV_DIR'] = venvDir;
  const env: Record<string, string> = { ...base, ...system, ...job.env, HOME: home };
  const skip = new Set(['HOSTNAME', 'USER', 'HOME', 'SHELL', 'SHLVL', 'PWD', '_']);
  const profile = Object.entries(env).filter(([k]) => !skip.has(k) && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)).map(([k, v]) => `export ${k}=${quote(v)}`).join('\n');
  fs.writeFileSync(path.join(dir, AGENT_FILES.profile), `${profile}\ncd ${quote(workdir)}\n`, { mode: 0o600 });

  const activityFile = path.join(dir, AGENT_FILES.activity);
  /** Records activity at `at` (ms): the file's mtime is what the backend reads. */
  const touchActivity = (at: number): void => {
    try {
      fs.writeFileSync(activityFile, String(at));
      fs.utimesSync(activityFile, at / 1000, at / 1000);
    } catch { /* the dir is being removed */ }
  };
  let ssh: LocalSshServer | null = null;
  const authorizedKey = readOptional(path.join(dir, AGENT_FILES.authorizedKey));
  const hostKey = readOptional(path.join(dir, AGENT_FILES.hostKey));
  if (authorizedKey && hostKey) {
    ssh = new LocalSshServer({ hostKey, authorizedKey, workingDir: workdir, env });
    status.sshPort = await ssh.start();
  }
  writeStatus();
  const log = fs.openSync(logFile, 'a');
  if (job.codeArchive !== undefined && !fs.existsSync(path.join(dir, 'code.extracted'))) {
    // The extractor refuses `..` and absolute member paths; a bad archive fails the run like a failed init.
    try {
      const r = await extractTar(fs.createReadStream(job.codeArchive), workdir);
      fs.appendFileSync(logFile, `[dstack-vsc agent] code uploaded: ${r.files} files, ${r.bytes} bytes into ${workdir}\n`);
      fs.writeFileSync(path.join(dir, 'code.extracted'), '');
    } catch (err) {
      fs.appendFileSync(logFile, `[dstack-vsc agent] code upload failed: ${err instanceof Error ? err.message : String(err)}\n`);
      status.state = 'failed';
      status.initExitCode = 1;
      writeStatus();
    }
  }

  const stop = (reason: string): void => {
    fs.appendFileSync(logFile, `[dstack-vsc agent] stopping: ${reason}\n`);
    status.state = 'stopped';
    status.stopReason = reason;
    try { writeStatus(); } catch { /* dir gone */ }
    fs.rmSync(dir, { recursive: true, force: true });
    try { process.kill(-process.pid, 'SIGTERM'); } catch { /* not a group leader */ }
    process.exit(0);
  };
  process.on('SIGTERM', () => {
    status.state = 'stopped';
    status.stopReason = 'terminated';
    try { writeStatus(); } catch { /* dir gone */ }
    process.exit(0);
  });

  // The venv first (its failure is said in the log and init goes on); then init and SSH sessions run with it activated.
  const venvMade = status.state === 'failed' || venvPython === null ? Promise.resolve(false) : new Promise<boolean>((resolve) => {
    spawn('sh', ['-c', hostVenvScript(venvPython)], { cwd: workdir, env, stdio: ['ignore', log, log] }).on('exit', (code) => resolve(code === 0)).on('error', () => resolve(false));
  });
  if (await venvMade) {
    env['VIRTUAL_ENV'] = venvDir;
    env['PATH'] = `${path.join(venvDir, 'bin')}${path.delimiter}${env['PATH'] ?? ''}`;
  }
  const init = status.state === 'failed' ? null : spawn('sh', ['-c', job.init.length > 0 ? job.init.join('\n') : ':'], { cwd: workdir, env, stdio: ['ignore', log, log] });
  init?.on('exit', (code, signal) => {
    const exit = code ?? 128 + (signal === 'SIGKILL' ? 9 : 15);
    if (exit === 0) {
      status.state = 'ready';
      status.readyAt = Date.now();
      fs.writeFileSync(path.join(dir, AGENT_FILES.ready), String(status.readyAt));
    } else {
      status.state = 'failed';
      status.initExitCode = exit;
    }
    writeStatus();
  });
  const lastActivity = (): number => {
    try { return fs.statSync(activityFile).mtimeMs; } catch { return status.readyAt ?? startedAt; }
  };
  const leaseAlive = (): boolean => {
    try { return (JSON.parse(fs.readFileSync(job.leaseFile, 'utf8')) as { expiresAt: number }).expiresAt > Date.now(); } catch { return false; }
  };
  let lastTouched = 0;
  const sampler = new EnvironmentSampler(process.pid);
  let sampling = false;
  const sampleMetrics = (): void => {
    if (sampling) return;
    sampling = true;
    // The first sample only sets the CPU baseline: it is published once it has the CPU figure too.
    sampler.sample().then((m) => { if (m.cpuPercent !== undefined || process.platform !== 'linux') status.metrics = m; }, () => undefined).finally(() => { sampling = false; });
  };
  sampleMetrics();
  setInterval(() => {
    sampleMetrics();
    if (!fs.existsSync(dir)) process.exit(0);
    const now = Date.now();
    // dstack's no_connections_secs: an SSH connection open longer than 10 s is activity up to its end; shorter
    // ones (probes, the orchestrator's own calls) are not.
    const active = ssh?.lastActiveAt(now) ?? null;
    if (active !== null && active > lastTouched) {
      touchActivity(active);
      lastTouched = active;
    }
    if (job.maxDuration !== null && now - startedAt >= job.maxDuration * 1000) { stop('max_duration'); return; }
    const idleSecs = (now - Math.max(lastActivity(), status.readyAt ?? startedAt)) / 1000;
    if (job.inactivityDuration !== null && idleSecs >= job.inactivityDuration && !leaseAlive()) { stop('inactivity_without_orchestrator'); return; }
    writeStatus();
  }, Number(process.env['DSTACK_VSC_AGENT_HEARTBEAT_MS'] ?? 2000));
}

function readOptional(file: string): string | null {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.trim() === '' ? null : text;
  } catch {
    return null;
  }
}
