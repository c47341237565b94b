// The upload preview the UI shows before provisioning: what goes up, its size, and what stays out and why.

import { formatBytes, largestFiles } from './limit';
import type { ExclusionReason, UploadPlan, UploadSource } from './types';

/** A plain-data summary of an upload plan, safe to post to a webview. */
export interface UploadPreview {
  root: string;
  source: UploadSource;
  fileCount: number;
  /** Exact archive size in bytes, and as text. */
  archiveSize: number;
  archiveSizeText: string;
  limit: number;
  overLimit: boolean;
  files: Array<{ path: string; size: number; kind: 'file' | 'symlink' }>;
  largest: Array<{ path: string; size: number }>;
  excluded: Array<{ path: string; reason: ExclusionReason; detail: string }>;
  excludedCounts: Partial<Record<ExclusionReason, number>>;
}

/** Builds the preview of `plan` against `limit` bytes (0 = no limit). */
export function uploadPreview(plan: UploadPlan, limit: number): UploadPreview {
  const files: UploadPreview['files'] = [];
  for (const e of plan.entries) {
    if (e.kind === 'file') files.push({ path: e.path, size: e.size, kind: 'file' });
    else if (e.kind === 'symlink') files.push({ path: e.path, size: 0, kind: 'symlink' });
  }
  const excludedCounts: Partial<Record<ExclusionReason, number>> = {};
  for (const x of plan.excluded) excludedCounts[x.reason] = (excludedCounts[x.reason] ?? 0) + 1;
  return {
    root: plan.root,
    source: plan.source,
    fileCount: files.length,
    archiveSize: plan.archiveSize,
    archiveSizeText: formatBytes(plan.archiveSize),
    limit,
    overLimit: limit !== 0 && plan.archiveSize > limit,
    files,
    largest: largestFiles(plan),
    excluded: plan.excluded.map((x) => ({ ...x })),
    excludedCounts,
  };
}
