// dstack's system variables of a single-node job (spec 3.3), the same on every backend that runs the host
// agent; the agent itself adds DSTACK_REPO_DIR, DSTACK_WORKING_DIR and DSTACK_MPI_HOSTFILE.

import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import type { UploadPlan } from '../upload/types';

/** What the variables are made of. */
export interface SystemEnvInput {
  runId: string;
  /** The orchestrator's instance id (dstack's job id). */
  instanceId: string;
  runName: string;
  /** The node's address as the job sees it (host name, instance address, pod name). */
  hostname: string;
  gpus: number;
  repoId: string;
}

/** dstack's repo id of an uploaded git work tree (`<name>-<8 base36 chars of sha256(host+path)>`); `none` without a repo. */
export function repoIdOf(code: UploadPlan | undefined, host = os.hostname()): string {
  if (!code || code.source !== 'git') return 'none';
  const hex = createHash('sha256').update(`${host}${code.root}`).digest('hex');
  return `${path.basename(code.root)}-${BigInt(`0x${hex}`).toString(36).slice(0, 8)}`;
}

/** DSTACK_RUN_ID, DSTACK_JOB_ID, DSTACK_RUN_NAME, DSTACK_REPO_ID, the node and GPU counts of one node. */
export function systemEnv(i: SystemEnvInput): Record<string, string> {
  const gpus = String(i.gpus);
  return {
    DSTACK_RUN_ID: i.runId, DSTACK_JOB_ID: i.instanceId, DSTACK_RUN_NAME: i.runName, DSTACK_REPO_ID: i.repoId,
    DSTACK_NODES_IPS: i.hostname, DSTACK_MASTER_NODE_IP: i.hostname, DSTACK_NODE_RANK: '0', DSTACK_NODES_NUM: '1',
    DSTACK_GPUS_PER_NODE: gpus, DSTACK_GPUS_NUM: gpus,
  };
}
