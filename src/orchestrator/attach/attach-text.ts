// What `attach` prints (dstack's `Run.attach` text plus the IDE link its container prints), and where the
// environment's working dir is, for the link.

import * as path from 'node:path';
import type { Backend } from '../../backends/backend';
import type { BackendId } from '../../backends/offer';
import { ideLinkLines } from '../job-spec/ides';
import type { InstanceRecord, RunRecord } from '../model/run';

/**
 * The environment's working dir as its SSH sessions see it (what the CLI's IDE link and VS Code's "Open in VS Code"
 * open): the one its agent reported (`~/.dstack-vsc/<instance>/repo` on SSH fleets, EC2 and Kubernetes, the instance's
 * folder on the local backend); before a report, the local agent's own folder, else `~/workflow` (or `working_dir`) as dstack.
 */
export function environmentWorkingDir(run: RunRecord, inst: InstanceRecord, backends: ReadonlyMap<BackendId, Backend>): string {
  if (inst.workingDir !== undefined) return inst.workingDir;
  const wd = run.spec.workingDir;
  const local = backends.get(inst.backend) as (Backend & { instanceDir?: (id: string) => string }) | undefined;
  if (inst.backend === 'local' && typeof local?.instanceDir === 'function') {
    const home = path.join(local.instanceDir(inst.id), 'home');
    return wd ? path.resolve(home, wd) : path.join(home, 'workflow');
  }
  const home = inst.ssh?.user === 'root' || inst.ssh === undefined ? '/root' : `/home/${inst.ssh.user}`;
  if (!wd) return `${home}/workflow`;
  return wd.startsWith('/') ? wd : `${home}/workflow/${wd.replace(/^\.\/?/, '')}`.replace(/\/+$/, '');
}

/** dstack's IDE link lines (`To open in VS Code, use link below:` ...), empty without a supported `ide`. */
export function ideLinkText(runName: string, ide: unknown, workingDir: string): string {
  const lines = ideLinkLines(ide, runName, workingDir);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** dstack's attach text: the header, the forwarded ports, the IDE link, the ssh command and the detach hint. */
export function attachText(runName: string, ports: ReadonlyArray<{ local: number; container: number }>, ideLink: string): string {
  let out = `Attached to run ${runName} (replica=0 job=0)\n`;
  if (ports.length > 0) out += `Forwarded ports (local -> remote):\n${ports.map((p) => `  - localhost:${p.local} -> ${p.container}\n`).join('')}`;
  out += ideLink;
  out += `To connect to the run via SSH, use \`ssh ${runName}\`.\nPress Ctrl+C to detach...\n`;
  return out;
}
