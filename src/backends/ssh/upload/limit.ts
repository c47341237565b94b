// The code upload size limit, checked before anything is provisioned (dstack's
// DSTACK_SERVER_CODE_UPLOAD_LIMIT: bytes, 0 disables, default 2 MiB).

import { UploadError, type UploadPlan } from './types';

/** dstack's default: 2 MiB. */
export const DEFAULT_UPLOAD_LIMIT = 2 * 1024 * 1024;
/** The environment variable that changes the limit, as in dstack. */
export const UPLOAD_LIMIT_ENV = 'DSTACK_SERVER_CODE_UPLOAD_LIMIT';

/** The limit in bytes from the environment (0 = no limit). Throws when the variable is not a byte count. */
export function uploadLimitFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[UPLOAD_LIMIT_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_UPLOAD_LIMIT;
  if (!/^\d+$/.test(raw.trim())) throw new UploadError('too_large', `${UPLOAD_LIMIT_ENV}=${JSON.stringify(raw)} is not a number of bytes. Set it to e.g. 10485760 (10 MiB), or 0 to disable the limit.`);
  return Number(raw.trim());
}

/** Human-readable size: `1.5 MiB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${n} B` : `${v.toFixed(v >= 10 ? 0 : 1)} ${units[u]}`;
}

/** The `count` largest files of the plan, largest first. */
export function largestFiles(plan: UploadPlan, count = 5): Array<{ path: string; size: number }> {
  const files: Array<{ path: string; size: number }> = [];
  for (const e of plan.entries) if (e.kind === 'file') files.push({ path: e.path, size: e.size });
  return files.sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1)).slice(0, count);
}

/** Throws `too_large` (listing the largest files and how to exclude them) when the archive exceeds `limit` (`--no-repo` uploads nothing). */
export function checkUploadLimit(plan: UploadPlan, limit: number): void {
  if (limit === 0 || plan.source === 'none' || plan.archiveSize <= limit) return;
  const top = largestFiles(plan);
  const width = Math.max(...top.map((f) => f.path.length), 4);
  const lines = top.map((f) => `  ${f.path.padEnd(width)}  ${formatBytes(f.size)}`);
  const ignoreFile = plan.source === 'git' ? '.gitignore or .dstackignore' : '.dstackignore (or .gitignore)';
  throw new UploadError('too_large', [
    `The code upload from ${plan.root} is ${formatBytes(plan.archiveSize)}, which exceeds the limit of ${formatBytes(limit)}.`,
    'Largest files:',
    ...lines,
    `Exclude them by adding their paths to ${ignoreFile} in ${plan.root} (for example: ${top[0]?.path ?? 'big-file'}),`,
    `or change the limit with ${UPLOAD_LIMIT_ENV}=<bytes> (0 disables it), or upload no code with --no-repo.`,
  ].join('\n'));
}
