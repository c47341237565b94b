// Shared shapes of the code upload: what goes into the archive, what stays out and why.

/** One archive member, in archive order. Paths are POSIX and relative to the upload root. */
export type UploadEntry =
  | { kind: 'dir'; path: string; mode: number; mtime: number }
  | { kind: 'file'; path: string; mode: number; mtime: number; size: number; absPath: string }
  | { kind: 'symlink'; path: string; mtime: number; target: string };

/** Why a path was left out of the upload (closed: the preview shows one line per reason). */
export type ExclusionReason =
  | 'gitignore'
  | 'dstackignore'
  | 'git-dir'
  | 'symlink-outside'
  | 'special-file'
  | 'submodule';

/** A path left out of the upload; directories end with `/`. */
export interface ExcludedPath {
  path: string;
  reason: ExclusionReason;
  /** The rule or fact behind the reason (`.dstackignore: *.bin`, `-> /etc/passwd`). */
  detail: string;
}

/** How the file list was made: git's view of a work tree, a plain folder walk, or nothing (--no-repo). */
export type UploadSource = 'git' | 'folder' | 'none';

/** Everything needed to stream the upload and to show it in the UI before provisioning. */
export interface UploadPlan {
  root: string;
  source: UploadSource;
  entries: UploadEntry[];
  excluded: ExcludedPath[];
  /** Exact byte size of the tar stream `tarStream(plan)` will produce. */
  archiveSize: number;
}

/** Failure codes of the upload layer. */
export type UploadErrorCode = 'too_large' | 'unsafe_path' | 'bad_archive' | 'file_changed' | 'not_found' | 'git_failed' | 'connection_lost';

/** An upload failure whose message names the file and the fix. */
export class UploadError extends Error {
  constructor(readonly code: UploadErrorCode, message: string) {
    super(message);
    this.name = 'UploadError';
  }
}
