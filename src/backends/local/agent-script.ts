// The local instance's agent: a small self-contained node script (kept as text so it runs the same from
// the TypeScript sources and from the bundle). The backend writes it into the instance dir and starts it
// detached. It sets up the working dir, writes the env with dstack's system variables, runs `init` with
// `sh -c` streaming to the run's log, writes a readiness marker, heartbeats into status.json, and stops
// itself (dead-man's switch) when no orchestrator holds the lease and inactivity_duration has passed,
// or when max_duration has passed.

/** The agent's source (CommonJS, node built-ins only). Args: <instanceDir> <logFile>. */
export const AGENT_SOURCE = String.raw`'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const [dir, logFile] = process.argv.slice(2);
const job = JSON.parse(fs.readFileSync(path.join(dir, 'job.json'), 'utf8'));
const statusFile = path.join(dir, 'status.json');
const startedAt = Date.now();
let status = { pid: process.pid, state: 'init', startedAt, readyAt: null, heartbeatAt: startedAt, initExitCode: null, stopReason: null };
function writeStatus() {
  status.heartbeatAt = Date.now();
  const tmp = statusFile + '.tmp-' + process.pid;
  fs.writeFileSync(tmp, JSON.stringify(status));
  fs.renameSync(tmp, statusFile);
}
const home = path.join(dir, 'home');
const workdir = job.workingDir ? path.resolve(home, job.workingDir) : path.join(home, 'workflow');
fs.mkdirSync(workdir, { recursive: true });
fs.mkdirSync(path.dirname(logFile), { recursive: true });
const hostfile = path.join(dir, 'mpi-hostfile');
fs.writeFileSync(hostfile, '127.0.0.1 slots=1\n');
const system = {
  DSTACK_RUN_ID: job.runId, DSTACK_JOB_ID: job.jobId, DSTACK_RUN_NAME: job.runName, DSTACK_REPO_ID: 'none',
  DSTACK_REPO_DIR: workdir, DSTACK_WORKING_DIR: workdir, DSTACK_NODES_IPS: '127.0.0.1', DSTACK_MASTER_NODE_IP: '127.0.0.1',
  DSTACK_NODE_RANK: '0', DSTACK_NODES_NUM: '1', DSTACK_GPUS_PER_NODE: '0', DSTACK_GPUS_NUM: '0', DSTACK_MPI_HOSTFILE: hostfile,
};
const base = {};
for (const k of ['PATH', 'LANG', 'TERM', 'SHELL', 'USER', 'LOGNAME', 'TMPDIR']) if (process.env[k] !== undefined) base[k] = process.env[k];
const env = Object.assign(base, system, job.env, { HOME: home });
const quote = (v) => "'" + String(v).replace(/'/g, "'\\''") + "'";
const skip = new Set(['HOSTNAME', 'USER', 'HOME', 'SHELL', 'SHLVL', 'PWD', '_']);
const profile = Object.entries(env).filter(([k]) => !skip.has(k) && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)).map(([k, v]) => 'export ' + k + '=' + quote(v)).join('\n');
fs.writeFileSync(path.join(dir, 'profile'), profile + '\ncd ' + quote(workdir) + '\n', { mode: 0o600 });
writeStatus();
const log = fs.openSync(logFile, 'a');
function stop(reason) {
  fs.appendFileSync(logFile, '[dstack-vsc agent] stopping: ' + reason + '\n');
  status.state = 'stopped';
  status.stopReason = reason;
  try { writeStatus(); } catch (e) {}
  fs.rmSync(dir, { recursive: true, force: true });
  try { process.kill(-process.pid, 'SIGTERM'); } catch (e) {}
  process.exit(0);
}
process.on('SIGTERM', () => { status.state = 'stopped'; status.stopReason = 'terminated'; try { writeStatus(); } catch (e) {} process.exit(0); });
const init = spawn('sh', ['-c', (job.init.length ? job.init.join('\n') : ':')], { cwd: workdir, env, stdio: ['ignore', log, log] });
init.on('exit', (code, signal) => {
  const exit = code === null ? 128 + (signal === 'SIGKILL' ? 9 : 15) : code;
  if (exit === 0) {
    status.state = 'ready';
    status.readyAt = Date.now();
    fs.writeFileSync(path.join(dir, 'ready'), String(status.readyAt));
  } else {
    status.state = 'failed';
    status.initExitCode = exit;
  }
  writeStatus();
});
function lastActivity() {
  try { return fs.statSync(path.join(dir, 'activity')).mtimeMs; } catch (e) { return status.readyAt || startedAt; }
}
function leaseAlive() {
  try { return JSON.parse(fs.readFileSync(job.leaseFile, 'utf8')).expiresAt > Date.now(); } catch (e) { return false; }
}
setInterval(() => {
  if (!fs.existsSync(dir)) process.exit(0);
  const now = Date.now();
  if (job.maxDuration !== null && now - startedAt >= job.maxDuration * 1000) return stop('max_duration');
  const idleSecs = (now - Math.max(lastActivity(), status.readyAt || startedAt)) / 1000;
  if (job.inactivityDuration !== null && idleSecs >= job.inactivityDuration && !leaseAlive()) return stop('inactivity_without_orchestrator');
  writeStatus();
}, Number(process.env.DSTACK_VSC_AGENT_HEARTBEAT_MS || 2000));
`;
