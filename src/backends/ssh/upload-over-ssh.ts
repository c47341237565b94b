// Streams a code upload as tar over an SSH exec channel into `tar -x` on the host: no temp archive on
// either side, backpressure end to end.

import { pipeline } from 'node:stream/promises';
import type { SshConnection } from './connect';
import { shellQuote } from './shell-quote';
import { tarStream } from './upload/tar-writer';
import { UploadError, type UploadPlan } from './upload/types';

/** What an upload sent. */
export interface UploadResult {
  bytes: number;
  files: number;
}

/**
 * Extracts `plan` into `remoteDir` on the host (created if missing). GNU and BusyBox tar both refuse
 * members with `..`; our writer never emits them, absolute paths or links that escape.
 */
export async function uploadOverSsh(conn: SshConnection, plan: UploadPlan, remoteDir: string): Promise<UploadResult> {
  const dir = shellQuote(remoteDir);
  const channel = await conn.channel(`mkdir -p -- ${dir} && tar -x -o -f - -C ${dir}`);
  let stderr = '';
  let code: number | null = null;
  channel.stderr.on('data', (b: Buffer) => { if (stderr.length < 4096) stderr += b.toString(); });
  channel.on('exit', (c: number | null) => { code = c; });
  channel.resume(); // tar prints nothing on stdout, but the channel only ends once its output is drained
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
  const source = tarStream(plan.entries);
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
    throw new UploadError('connection_lost', `The connection to ${conn.target.host} was lost during the code upload into ${remoteDir} (${(lost as Error).message}) after ${bytes} of ${plan.archiveSize} bytes. The upload is safe to retry once the host is reachable.`);
  }
  if (code !== 0) throw new UploadError('bad_archive', `Extracting the code on ${conn.target.host} into ${remoteDir} failed (tar exit ${code ?? 'none'}): ${stderr.trim() || 'no output'}`);
  return { bytes, files: plan.entries.filter((e) => e.kind === 'file').length };
}
