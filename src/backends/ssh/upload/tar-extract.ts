// The receiving side of the code upload: extracts a tar stream into a directory, refusing anything that
// could write outside it (absolute paths, '..', symlinks that escape, writes through a symlink).

import { constants, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { UploadError } from './types';

const BLOCK = 512;

/** What `extractTar` wrote. */
export interface ExtractResult {
  files: number;
  dirs: number;
  symlinks: number;
  bytes: number;
}

function bad(message: string): UploadError {
  return new UploadError('bad_archive', message);
}

function unsafe(name: string, why: string): UploadError {
  return new UploadError('unsafe_path', `Refusing archive member ${JSON.stringify(name)}: ${why}.`);
}

function readString(buf: Buffer, offset: number, len: number): string {
  const field = buf.subarray(offset, offset + len);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

function readOctal(buf: Buffer, offset: number, len: number): number {
  const s = readString(buf, offset, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw bad(`Malformed tar header: field at ${offset} is ${JSON.stringify(s)}`);
  return parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] as number);
  return sum === readOctal(h, 148, 8);
}

function parsePax(body: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < body.length) {
    const sp = body.indexOf(0x20, i);
    if (sp < 0) break;
    const len = parseInt(body.subarray(i, sp).toString('ascii'), 10);
    if (!Number.isFinite(len) || len <= 0 || i + len > body.length) throw bad('Malformed pax extended header');
    const rec = body.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

/** Normalizes a member name to safe relative parts ([] = the destination itself), or throws. */
export function safeParts(name: string): string[] {
  if (name.includes('\0')) throw unsafe(name, 'it contains a NUL byte');
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name)) throw unsafe(name, 'absolute paths are not allowed');
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw unsafe(name, "'..' is not allowed");
  return parts;
}

/** Pulls exactly `n` bytes at a time out of a chunked stream. */
class ByteReader {
  private buf = Buffer.alloc(0);
  private done = false;
  private readonly it: AsyncIterator<Buffer>;

  constructor(stream: Readable) {
    this.it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** Up to `n` bytes (fewer only at the end of the stream). */
  async take(n: number): Promise<Buffer> {
    while (this.buf.length < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else this.buf = this.buf.length === 0 ? Buffer.from(r.value) : Buffer.concat([this.buf, r.value]);
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(out.length);
    return out;
  }

  /** Streams `n` bytes to `sink` in chunks, without buffering them all. */
  async pipe(n: number, sink: (chunk: Buffer) => Promise<void>): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.buf.length === 0) {
        if (this.done) throw bad('Truncated tar archive');
        const r = await this.it.next();
        if (r.done) { this.done = true; continue; }
        this.buf = Buffer.from(r.value);
      }
      const part = this.buf.subarray(0, Math.min(left, this.buf.length));
      this.buf = this.buf.subarray(part.length);
      left -= part.length;
      await sink(part);
    }
  }
}

/** Extracts the tar `stream` into `dest` (created if missing). Rejects on the first unsafe member. */
export async function extractTar(stream: Readable, dest: string): Promise<ExtractResult> {
  const root = path.resolve(dest);
  await fsp.mkdir(root, { recursive: true });
  const realDirs = new Set<string>(['']);
  const dirModes: Array<[string, number]> = [];
  const result: ExtractResult = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  const reader = new ByteReader(stream);
  let pax = new Map<string, string>();
  let longName: string | null = null;
  let longLink: string | null = null;

  /** Makes sure every parent of `parts` is a real directory under root (never a symlink). */
  const ensureParents = async (parts: string[], name: string): Promise<void> => {
    for (let i = 1; i < parts.length; i++) {
      const rel = parts.slice(0, i).join('/');
      if (realDirs.has(rel)) continue;
      const abs = path.join(root, rel);
      const st = await fsp.lstat(abs).catch(() => null);
      if (st?.isSymbolicLink()) throw unsafe(name, `its parent ${rel} is a symlink`);
      if (st && !st.isDirectory()) throw unsafe(name, `its parent ${rel} is not a directory`);
      if (!st) await fsp.mkdir(abs);
      realDirs.add(rel);
    }
  };
  const clearTarget = async (abs: string, keepDir: boolean): Promise<void> => {
    const st = await fsp.lstat(abs).catch(() => null);
    if (!st) return;
    if (st.isDirectory() && keepDir) return;
    await fsp.rm(abs, { recursive: st.isDirectory(), force: true });
  };

  for (;;) {
    const h = await reader.take(BLOCK);
    if (h.length === 0) break; // end without zero blocks: tolerated
    if (h.length < BLOCK) throw bad('Truncated tar header');
    if (h.every((b) => b === 0)) break;
    if (!checksumOk(h)) throw bad('Tar header checksum mismatch: the archive is corrupt');
    const type = String.fromCharCode(h[156] as number);
    let size = readOctal(h, 124, 12);
    if (pax.has('size')) size = Number(pax.get('size'));
    const bodyBlocks = Math.ceil(size / BLOCK) * BLOCK;

    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      const body = await reader.take(bodyBlocks);
      if (body.length < bodyBlocks) throw bad('Truncated tar archive');
      const data = body.subarray(0, size);
      if (type === 'x') pax = parsePax(data);
      else if (type === 'L') longName = readString(data, 0, data.length);
      else if (type === 'K') longLink = readString(data, 0, data.length);
      continue;
    }

    const prefix = readString(h, 345, 155);
    const rawName = pax.get('path') ?? longName ?? (prefix !== '' ? `${prefix}/${readString(h, 0, 100)}` : readString(h, 0, 100));
    const linkName = pax.get('linkpath') ?? longLink ?? readString(h, 157, 100);
    pax = new Map();
    longName = null;
    longLink = null;
    const parts = safeParts(rawName);
    if (parts.length === 0) {
      if (type === '5') continue; // `./`: the destination itself
      throw unsafe(rawName, 'the name is empty');
    }
    const rel = parts.join('/');
    const abs = path.join(root, ...parts);
    const mode = readOctal(h, 100, 8) & 0o777;

    if (type === '5') {
      await ensureParents(parts, rawName);
      await clearTarget(abs, true);
      const st = await fsp.lstat(abs).catch(() => null);
      if (!st) await fsp.mkdir(abs);
      realDirs.add(rel);
      dirModes.push([abs, mode]);
      result.dirs++;
    } else if (type === '0' || type === '\0' || type === '7') {
      await ensureParents(parts, rawName);
      await clearTarget(abs, false);
      const fh = await fsp.open(abs, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        await reader.pipe(size, async (chunk) => { await fh.write(chunk); });
        await fh.chmod(mode);
      } finally {
        await fh.close();
      }
      const pad = bodyBlocks - size;
      if (pad > 0 && (await reader.take(pad)).length < pad) throw bad('Truncated tar archive');
      result.files++;
      result.bytes += size;
      continue;
    } else if (type === '2') {
      if (linkName === '' || linkName.startsWith('/')) throw unsafe(rawName, `its symlink target ${JSON.stringify(linkName)} is absolute`);
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(rel), linkName));
      if (resolved === '..' || resolved.startsWith('../')) throw unsafe(rawName, `its symlink target ${JSON.stringify(linkName)} leaves the destination`);
      await ensureParents(parts, rawName);
      await clearTarget(abs, false);
      await fsp.symlink(linkName, abs);
      result.symlinks++;
    } else {
      throw unsafe(rawName, `entry type '${type}' (hard links, devices, fifos) is not accepted`);
    }
    if (bodyBlocks > 0 && (await reader.take(bodyBlocks)).length < bodyBlocks) throw bad('Truncated tar archive');
  }
  // Directory modes last, so a read-only directory doesn't block its own files.
  for (const [abs, mode] of dirModes.reverse()) await fsp.chmod(abs, mode);
  return result;
}
