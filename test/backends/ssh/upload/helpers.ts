// Test helpers for the upload layer: temp dirs, real git, and a raw tar builder for hostile archives.

import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { planUpload } from '../../../../src/backends/ssh/upload/plan';
import { tarStream } from '../../../../src/backends/ssh/upload/tar-writer';

/** A fresh temp directory. */
export function tempDir(prefix = 'dvs-upload-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes `files` (relative path -> content) under `root`, creating parents. */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
}

/** Plans the upload of `root` and writes it as a run's code archive (what apply does); returns the archive's path. */
export async function codeArchiveOf(root: string, file = path.join(tempDir('dvs-archive-'), 'code.tar')): Promise<string> {
  await pipeline(tarStream((await planUpload(root)).entries), createWriteStream(file));
  return file;
}

/** Runs the real git in `cwd`. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x', GIT_CONFIG_NOSYSTEM: '1', HOME: cwd },
  });
}

/** One member of a hand-made tar (for archives our writer would refuse to produce). */
export interface RawMember {
  name: string;
  type?: string;
  body?: Buffer;
  linkname?: string;
  /** Corrupt the checksum. */
  badChecksum?: boolean;
}

function rawHeader(name: string, type: string, size: number, linkname: string, badChecksum: boolean): Buffer {
  const h = Buffer.alloc(512);
  h.write(name.slice(0, 100), 0, 'utf8');
  h.write('0000644\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'ascii');
  h.write('00000000000\0', 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  h.write(linkname, 157, 'utf8');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  if (badChecksum) sum += 1;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

/** Builds a tar archive from raw members, with no safety checks at all. */
export function rawTar(members: RawMember[]): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) {
    const body = m.body ?? Buffer.alloc(0);
    parts.push(rawHeader(m.name, m.type ?? '0', body.length, m.linkname ?? '', m.badChecksum ?? false), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A pax 'x' member that sets `path` for the next member. */
export function paxPath(p: string): RawMember {
  const rec = (len: number) => `${len} path=${p}\n`;
  let len = rec(0).length;
  while (rec(len).length !== len) len = rec(len).length;
  return { name: 'PaxHeaders/x', type: 'x', body: Buffer.from(rec(len)) };
}

/** Temp dir under os.tmpdir, for tests that only need a scratch path. */
export const tmp = os.tmpdir;
