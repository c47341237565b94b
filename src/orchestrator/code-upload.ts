// The code a run carries, decided once at apply (CLI and VS Code alike): the configuration's repo (the git
// work tree that holds the configuration file, else its folder; `--no-repo` uploads nothing) is planned
// with the upload module (git-aware listing, .gitignore/.dstackignore) and checked against the upload
// limit BEFORE anything is provisioned; on submit it is written once as `<state>/uploads/<run id>.tar`,
// which every backend extracts into the working dir as it is (nothing is re-read from the work tree
// later). The archive lives as long as the run (code-archives.ts).

import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { repoIdOf } from '../backends/ssh/agent/system-env';
import { isGitIgnored } from '../backends/ssh/upload/git-listing';
import { archiveSize, checkUploadLimit, formatBytes, planUpload, tarStream, uploadLimitFromEnv, uploadPreview, type UploadPlan, type UploadPreview } from '../backends/ssh/upload/index';
import type { Clock } from './clock';
import { codeArchivePath } from './code-archives';
import type { RunRecord, RunSpec } from './model/run';
import { submitRun } from './orchestrator';
import type { Store } from './store/store';

/** A planned code upload, within the limit. */
export interface PreparedUpload {
  plan: UploadPlan;
  /** Files and symlinks going up. */
  fileCount: number;
  /** The limit it was checked against (bytes, 0 = none). */
  limit: number;
  /** `Code upload: 5 files, 2.0 KiB from /path (git)`. */
  summary: string;
  /** dstack's DSTACK_REPO_ID of the upload (`none` without a git repo). */
  repoId: string;
}

/** The git work tree holding `dir`, or null outside git. */
function gitTopLevel(dir: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', '--show-toplevel'], { cwd: dir }, (err, stdout) => resolve(err ? null : stdout.trim() || null));
  });
}

/**
 * The folder a configuration's code comes from: the git work tree around the file, else the file's folder.
 * A folder the work tree ignores (a scratch or build dir) is not part of that repo's upload: its own folder is.
 */
export async function codeUploadRoot(configurationFile: string): Promise<string> {
  const dir = path.dirname(path.resolve(configurationFile));
  const top = await gitTopLevel(dir);
  return top === null || (await isGitIgnored(dir)) ? dir : top;
}

/** Plans the upload of the configuration's repo and checks the limit (throws UploadError `too_large`). */
export async function prepareCodeUpload(
  configurationFile: string, options: { noRepo: boolean; env: NodeJS.ProcessEnv; stateDir: string },
): Promise<PreparedUpload> {
  const root = await codeUploadRoot(configurationFile);
  const plan = withoutStateDir(await planUpload(root, { noRepo: options.noRepo }), options.stateDir);
  const limit = uploadLimitFromEnv(options.env);
  checkUploadLimit(plan, limit);
  const fileCount = plan.entries.filter((e) => e.kind !== 'dir').length;
  const summary = plan.source === 'none'
    ? 'Code upload: none (--no-repo)'
    : `Code upload: ${fileCount} file${fileCount === 1 ? '' : 's'}, ${formatBytes(plan.archiveSize)} from ${plan.root} (${plan.source})`;
  return { plan, fileCount, limit, summary, repoId: repoIdOf(plan) };
}

/** The upload as the UI previews it before provisioning (files, size against the limit, what stays out and why). */
export function previewOf(upload: PreparedUpload): UploadPreview {
  return uploadPreview(upload.plan, upload.limit);
}

/** The plan without the orchestrator's state dir when it lies inside the root (keys, state, earlier uploads). */
function withoutStateDir(plan: UploadPlan, stateDir: string): UploadPlan {
  const rel = path.relative(plan.root, path.resolve(stateDir)).split(path.sep).join('/');
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return plan;
  const inside = (p: string): boolean => p === rel || p.startsWith(`${rel}/`);
  if (!plan.entries.some((e) => inside(e.path))) return plan;
  const entries = plan.entries.filter((e) => !inside(e.path));
  return { ...plan, entries, archiveSize: archiveSize(entries) };
}

/**
 * Submits a run carrying `upload`: writes its archive (keyed by the run's id) and records it, with the
 * repo id, in the run's spec, so every backend uploads exactly what was planned. Nothing is written for
 * `--no-repo`. The archive is removed again when the submit fails (e.g. the name became taken).
 */
export async function submitRunWithCode(
  ctx: { store: Store; clock: Clock; stateDir: string }, spec: RunSpec, name: string | null, upload: PreparedUpload,
): Promise<RunRecord> {
  const id = randomUUID();
  const carried: RunSpec = { ...spec };
  delete carried.codeArchive;
  delete carried.repoId;
  if (upload.plan.source !== 'none') {
    const file = codeArchivePath(ctx.stateDir, id);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await pipeline(tarStream(upload.plan.entries), createWriteStream(file, { mode: 0o600 }));
    carried.codeArchive = file;
    carried.repoId = upload.repoId;
  }
  try {
    return await submitRun(ctx.store, ctx.clock, carried, name, id);
  } catch (err) {
    if (carried.codeArchive !== undefined) await rm(carried.codeArchive, { force: true });
    throw err;
  }
}
