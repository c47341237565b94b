// A streaming tar writer (ustar, with pax records for long or non-ASCII names): reads each file as the
// consumer pulls, so a large upload never sits in memory.

import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { UploadError, type UploadEntry } from './types';

const BLOCK = 512;
const ZERO = Buffer.alloc(BLOCK * 2);
const CHUNK = 256 * 1024;

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** Whether `s` fits a ustar field of `len` bytes as plain ASCII. */
function fitsAscii(s: string, len: number): boolean {
  return Buffer.byteLength(s) <= len && /^[\x20-\x7e]*$/.test(s);
}

/** Throws unless `p` is a safe relative POSIX member name. */
export function assertSafeMemberPath(p: string): void {
  const parts = p.split('/');
  if (p === '' || p.startsWith('/') || p.includes('\0') || parts.some((x) => x === '..' || x === '')) {
    throw new UploadError('unsafe_path', `Refusing archive member ${JSON.stringify(p)}: member paths must be relative, without '..' or empty parts.`);
  }
}

/** One pax extended-header record: `<len> key=value\n`, where len counts the whole record. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  let len = bodyLen + 1;
  while (bodyLen + String(len).length !== len) len = bodyLen + String(len).length;
  return `${len}${body}`;
}

function paxRecords(entry: UploadEntry, name: string): string {
  let out = '';
  if (!fitsAscii(name, 100)) out += paxRecord('path', name);
  if (entry.kind === 'symlink' && !fitsAscii(entry.target, 100)) out += paxRecord('linkpath', entry.target);
  if (entry.kind === 'file' && entry.size > 0o77777777777) out += paxRecord('size', String(entry.size));
  return out;
}

function octal(buf: Buffer, offset: number, len: number, value: number): void {
  buf.write(value.toString(8).padStart(len - 1, '0').slice(-(len - 1)) + '\0', offset, len, 'ascii');
}

function header(name: string, type: string, mode: number, size: number, mtime: number, linkname: string): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size > 0o77777777777 ? 0 : size);
  octal(h, 136, 12, Math.max(0, Math.min(mtime, 0o77777777777)));
  h.write('        ', 148, 8, 'ascii');
  h.write(type, 156, 1, 'ascii');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

function memberName(entry: UploadEntry): string {
  return entry.kind === 'dir' ? `${entry.path}/` : entry.path;
}

/** The header blocks (pax + ustar) of one entry. */
function headersFor(entry: UploadEntry): Buffer {
  assertSafeMemberPath(entry.path);
  const name = memberName(entry);
  const pax = paxRecords(entry, name);
  const short = (s: string) => (fitsAscii(s, 100) ? s : Buffer.from(s.replace(/[^\x20-\x7e]/g, '_')).subarray(0, 100).toString('latin1'));
  const blocks: Buffer[] = [];
  if (pax !== '') {
    const body = Buffer.from(pax, 'utf8');
    blocks.push(header(short(`PaxHeaders/${entry.path.split('/').pop() ?? 'x'}`), 'x', 0o644, body.length, entry.mtime, ''), body, Buffer.alloc(padding(body.length)));
  }
  switch (entry.kind) {
    case 'dir': blocks.push(header(short(name), '5', entry.mode, 0, entry.mtime, '')); break;
    case 'file': blocks.push(header(short(name), '0', entry.mode, entry.size, entry.mtime, '')); break;
    case 'symlink': blocks.push(header(short(name), '2', 0o777, 0, entry.mtime, short(entry.target))); break;
  }
  return Buffer.concat(blocks);
}

/** The exact byte size of the archive `tarStream(entries)` produces. */
export function archiveSize(entries: readonly UploadEntry[]): number {
  let total = ZERO.length;
  for (const e of entries) {
    total += headersFor(e).length;
    if (e.kind === 'file') total += e.size + padding(e.size);
  }
  return total;
}

async function* generate(entries: readonly UploadEntry[]): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    yield headersFor(entry);
    if (entry.kind !== 'file') continue;
    const fh = await open(entry.absPath, 'r');
    try {
      let left = entry.size;
      while (left > 0) {
        const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead === 0) throw new UploadError('file_changed', `${entry.path} shrank while it was being uploaded; upload again once it stops changing.`);
        left -= bytesRead;
        yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
      }
    } finally {
      await fh.close();
    }
    const pad = padding(entry.size);
    if (pad > 0) yield Buffer.alloc(pad);
  }
  yield ZERO;
}

/** A readable tar stream of `entries` (in the given order), ending with the two zero blocks. */
export function tarStream(entries: readonly UploadEntry[]): Readable {
  return Readable.from(generate(entries), { objectMode: false });
}
