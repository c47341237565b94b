// What every backend that runs the host agent over SSH (SSH hosts, EC2 instances, Kubernetes pods) does on a
// refresh: renew the agent's lease and read its status within a bound, copy the init output that arrived since
// the last refresh to this machine (what `logs` reads), and turn the status into the orchestrator's report.

import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { AgentReport } from '../../backend';
import type { HostAgent, HostAgentStatus } from './host-agent';

/** `p`, or an error naming `what` when it has not settled within `ms` (a dead link must not stall the scheduler). */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Appends what the agent's init.log gained to `file` (our copy's size is the offset, so a restart resumes). */
export async function appendInitLog(agent: HostAgent, file: string): Promise<void> {
  const have = await fsp.stat(file).then((s) => s.size, () => 0);
  const { text } = await agent.initLogFrom(have);
  if (text.length === 0) return;
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await fsp.appendFile(file, text, { mode: 0o600 });
}

/** Renews the agent's lease, reads its status and (with `logFile`) copies new init output, all within `ms`. */
export function renewAndRead(agent: HostAgent, ms: number, what: string, logFile?: string): Promise<HostAgentStatus> {
  return withTimeout((async () => {
    // The lease and status in one command; the init output after it, so that a status saying init ended comes with
    // all of init's output (`logs` right after `running` shows it).
    const status = await agent.status(true);
    if (logFile !== undefined && status.state !== 'absent') await appendInitLog(agent, logFile);
    return status;
  })(), ms, what);
}

/** The orchestrator's report of an agent status; GPU utilization is the busiest GPU's. */
export function reportOf(status: HostAgentStatus): AgentReport {
  const report: AgentReport = { ready: status.ready };
  if (status.initExitCode !== undefined) report.initExitCode = status.initExitCode;
  if (status.noConnectionsSecs !== undefined) report.noConnectionsSecs = status.noConnectionsSecs;
  if (status.metrics !== undefined) report.metrics = status.metrics;
  if (status.workingDir !== undefined) report.workingDir = status.workingDir;
  const utils = (status.metrics?.gpus ?? []).map((g) => g.utilizationPercent);
  if (utils.length > 0) report.gpuUtilization = Math.max(...utils);
  else if (status.gpuUtilization !== undefined) report.gpuUtilization = status.gpuUtilization;
  return report;
}
