// Sends a tar archive over an SSH exec channel to the host's receiver (upload/remote-extract.ts), which
// stages it beside the destination, refuses any member that could write outside it and then extracts it
// with the host's tar; backpressure end to end. The archive is either streamed from a plan (job files,
// `files`) or read from the file written at apply (the run's code).

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SshConnection } from './connect';
import { receiveCommand, REFUSED_EXIT } from './upload/remote-extract';
import { tarStream } from './upload/tar-writer';
import { UploadError, type UploadPlan } from './upload/types';

/** What an upload sent. */
export interface UploadResult {
  bytes: number;
  files: number;
}

/** Extracts `plan` into `remoteDir` on the host (created if missing). */
export async function uploadOverSsh(conn: SshConnection, plan: UploadPlan, remoteDir: string): Promise<UploadResult> {
  const bytes = await sendArchive(conn, tarStream(plan.entries), plan.archiveSize, remoteDir);
  return { bytes, files: plan.entries.filter((e) => e.kind === 'file').length };
}

/** Extracts the tar file `archive` (the code a run carries) into `remoteDir` on the host (created if missing). */
export async function uploadArchiveOverSsh(conn: SshConnection, archive: string, remoteDir: string): Promise<{ bytes: number }> {
  const size = await stat(archive).then((s) => s.size, () => {
    throw new UploadError('not_found', `The code archive ${archive} is missing (the state dir was cleaned while the run was active?); apply the configuration again.`);
  });
  return { bytes: await sendArchive(conn, createReadStream(archive), size, remoteDir) };
}

/** Streams `source` (a tar of `size` bytes) into the host's receiver; returns the bytes sent. */
async function sendArchive(conn: SshConnection, source: Readable, size: number, remoteDir: string): Promise<number> {
  const channel = await conn.channel(receiveCommand(remoteDir));
  let stderr = '';
  let code: number | null = null;
  channel.stderr.on('data', (b: Buffer) => { if (stderr.length < 4096) stderr += b.toString(); });
  channel.on('exit', (c: number | null) => { code = c; });
  channel.resume(); // the receiver prints nothing on stdout, but the channel only ends once its output is drained
  const closed = new Promise<void>((resolve) => channel.on('close', () => resolve()));
  let bytes = 0;
  let lost: Error | null = null;
  const onLost = (e?: Error) => {
    lost ??= e ?? new Error('the connection closed');
    channel.destroy();
  };
  const onClose = () => onLost();
  conn.client.on('error', onLost);
  conn.client.on('close', onClose);
  source.on('data', (b: Buffer) => { bytes += b.length; });
  try {
    await pipeline(source, channel);
    await closed;
  } catch (e) {
    if (lost === null) throw e;
  } finally {
    conn.client.off('error', onLost);
    conn.client.off('close', onClose);
  }
  if (lost !== null) {
    throw new UploadError('connection_lost', `The connection to ${conn.target.host} was lost during the code upload into ${remoteDir} (${(lost as Error).message}) after ${bytes} of ${size} bytes. The upload is safe to retry once the host is reachable.`);
  }
  if (code === REFUSED_EXIT) throw new UploadError('unsafe_path', `${conn.target.host} refused the archive for ${remoteDir} and extracted nothing: ${stderr.trim()}`);
  if (code !== 0) throw new UploadError('bad_archive', `Extracting the code on ${conn.target.host} into ${remoteDir} failed (exit ${code ?? 'none'}): ${stderr.trim() || 'no output'}`);
  return bytes;
}
