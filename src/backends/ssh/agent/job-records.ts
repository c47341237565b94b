// A folder of 0600 JSON records, one per instance, that keeps what the host agent will need from `create`
// until the instance runs (EC2 instances, Kubernetes pods): a crash in between loses nothing.

import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { InstanceJob, ResourceTags } from '../../backend';
import { writeFileAtomic } from '../config/atomic-write';

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** What every job record holds: its tags, when the agent started, and the secrets kept only until then. */
export interface JobRecordBase {
  tags: ResourceTags;
  /** When the agent was started (ms), null before. */
  startedAt: number | null;
  /** The job env (resolved secrets included): only until the agent holds it. */
  env?: Record<string, string>;
  /** The environment sshd's private host key: only until the agent holds it. */
  hostPrivateKey?: string;
  /** The run's code archive (written at apply), uploaded when the agent starts; absent = no code. */
  codeArchive?: string;
  /** dstack's DSTACK_REPO_ID of that code; absent = `none`. */
  repoId?: string;
}

/** Job records in `dir`, named by the instance id of their tags. */
export class JobRecords<T extends JobRecordBase> {
  constructor(readonly dir: string) {}

  /** The record's file; refuses an id that could name another path. */
  file(instanceId: string): string {
    if (!ID.test(instanceId)) throw new Error(`Instance id ${JSON.stringify(instanceId)} cannot name a file: use letters, digits, - and _.`);
    return path.join(this.dir, `${instanceId}.json`);
  }

  /** The record, or null when there is none (or it is unreadable). */
  async read(instanceId: string): Promise<T | null> {
    const text = await fsp.readFile(this.file(instanceId), 'utf8').catch(() => null);
    if (text === null) return null;
    try { return JSON.parse(text) as T; } catch { return null; }
  }

  /** Writes the record atomically, 0600. */
  async write(rec: T): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file(rec.tags.instanceId), JSON.stringify(rec), 0o600);
  }

  /** Records that the agent started: the env and the host key leave this machine's disk (the agent holds them now). */
  async markStarted(rec: T): Promise<void> {
    rec.startedAt = Date.now();
    delete rec.env;
    delete rec.hostPrivateKey;
    await this.write(rec);
  }

  /** Deletes the record (idempotent). */
  async remove(instanceId: string): Promise<void> {
    await fsp.rm(this.file(instanceId), { force: true });
  }
}

/** The code fields of a job record, from the job the orchestrator passed to `create`. */
export function codeOf(job: InstanceJob | undefined): Pick<JobRecordBase, 'codeArchive' | 'repoId'> {
  return { ...(job?.codeArchive !== undefined ? { codeArchive: job.codeArchive } : {}), ...(job?.repoId !== undefined ? { repoId: job.repoId } : {}) };
}
