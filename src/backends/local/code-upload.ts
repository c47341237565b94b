// The code upload of a run, prepared at apply time: the configuration's repo (the git work tree that
// holds the configuration file, else its folder; `--no-repo` uploads nothing) is planned with the upload
// module (git-aware listing, .gitignore/.dstackignore), checked against the upload limit BEFORE anything
// is provisioned, and written as a tar file the instance extracts into its working dir.

import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { archiveSize, checkUploadLimit, formatBytes, planUpload, tarStream, uploadLimitFromEnv, type UploadPlan } from '../ssh/upload/index';

/** A planned code upload, within the limit. */
export interface PreparedUpload {
  plan: UploadPlan;
  /** Files and symlinks going up. */
  fileCount: number;
  /** `Code upload: 5 files, 2.0 KiB from /path (git)`. */
  summary: string;
}

/** The git work tree holding `dir`, or null outside git. */
function gitTopLevel(dir: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', '--show-toplevel'], { cwd: dir }, (err, stdout) => resolve(err ? null : stdout.trim() || null));
  });
}

/** Plans the upload of the configuration's repo and checks the limit (throws UploadError `too_large`). */
export async function prepareCodeUpload(
  configurationFile: string, options: { noRepo: boolean; env: NodeJS.ProcessEnv; stateDir: string },
): Promise<PreparedUpload> {
  const dir = path.dirname(path.resolve(configurationFile));
  const root = (await gitTopLevel(dir)) ?? dir;
  const plan = withoutStateDir(await planUpload(root, { noRepo: options.noRepo }), options.stateDir);
  checkUploadLimit(plan, uploadLimitFromEnv(options.env));
  const fileCount = plan.entries.filter((e) => e.kind !== 'dir').length;
  const summary = plan.source === 'none'
    ? 'Code upload: none (--no-repo)'
    : `Code upload: ${fileCount} file${fileCount === 1 ? '' : 's'}, ${formatBytes(plan.archiveSize)} from ${plan.root} (${plan.source})`;
  return { plan, fileCount, summary };
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

/** Writes the upload's archive under `<stateDir>/uploads/` and returns its path (null when nothing goes up). */
export async function writeCodeArchive(stateDir: string, upload: PreparedUpload): Promise<string | null> {
  if (upload.plan.source === 'none') return null;
  const dir = path.join(stateDir, 'uploads');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${randomUUID()}.tar`);
  await pipeline(tarStream(upload.plan.entries), createWriteStream(file, { mode: 0o600 }));
  return file;
}
