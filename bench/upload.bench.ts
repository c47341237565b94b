// Code upload throughput: our tar-over-ssh2 stream against `tar -c . | ssh host 'cat >/dev/null'` (real
// OpenSSH) to the same host in the same run. Both figures include connecting. Host: a namespaced sshd
// from test/harness when root can make one, else the local embedded ssh2 endpoint on 127.0.0.1.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalSshServer } from '../src/backends/local/ssh-server';
import { connectSsh, type SshTarget } from '../src/backends/ssh/connect';
import { sshPaths } from '../src/backends/ssh/config/paths';
import { ensureClientKey, generateKeyPair } from '../src/backends/ssh/keys';
import { KnownHosts } from '../src/backends/ssh/known-hosts';
import { shellQuote } from '../src/backends/ssh/shell-quote';
import { tarStream } from '../src/backends/ssh/upload/tar-writer';
import { planUpload } from '../src/backends/ssh/upload/plan';
import { uploadOverSsh } from '../src/backends/ssh/upload-over-ssh';
import { hostsUnavailable, TestHosts } from '../test/harness/hosts';
import { report } from './report';

const MIB = 1024 * 1024;
/** Interleaved repetitions: this kind of shared VM swings 40-90 MiB/s between runs; 3 medians were off by 30 %. */
const REPS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** ~64 MiB of incompressible files, like a repo with some data in it. */
function makeTree(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dvs-bench-tree-'));
  for (let i = 0; i < 14; i++) writeFileSync(path.join(dir, `blob-${i}.bin`), randomBytes(4 * MIB));
  mkdirSync(path.join(dir, 'src'));
  for (let i = 0; i < 400; i++) writeFileSync(path.join(dir, 'src', `mod_${i}.py`), randomBytes(20_000).toString('base64'));
  return dir;
}

export async function run(): Promise<void> {
  const state = mkdtempSync(path.join(os.tmpdir(), 'dvs-bench-state-'));
  const paths = sshPaths(state);
  const client = await ensureClientKey(paths.identity);
  const known = new KnownHosts(paths.knownHosts, paths.lock);
  const tree = makeTree();
  const plan = await planUpload(tree);
  const mib = plan.archiveSize / MIB;

  let target: SshTarget;
  let where: string;
  let hosts: TestHosts | null = null;
  let local: LocalSshServer | null = null;
  const why = hostsUnavailable();
  if (why === null) {
    hosts = new TestHosts(client.publicKey);
    target = { host: hosts.up('bench', 1), port: 22, user: 'root', privateKeys: [client.privateKey] };
    where = `OpenSSH sshd in a network namespace (${target.host})`;
  } else {
    local = new LocalSshServer({ hostKey: generateKeyPair().privateKey, authorizedKey: client.publicKey, workingDir: state, env: {}, shell: '/bin/sh' });
    target = { host: '127.0.0.1', port: await local.start(), user: os.userInfo().username, privateKeys: [client.privateKey] };
    where = `the embedded ssh2 endpoint on 127.0.0.1 (no namespaced hosts: ${why})`;
  }
  console.log(`upload of ${mib.toFixed(1)} MiB (${plan.entries.length} entries) to ${where}`);

  try {
    const ours: number[] = [];
    const oursExtract: number[] = [];
    const openssh: number[] = [];
    const sshArgs = ['-F', '/dev/null', '-i', paths.identity, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${path.join(state, 'bench_known_hosts')}`,
      '-o', 'LogLevel=ERROR', '-p', String(target.port), `${target.user}@${target.host}`];
    for (let rep = 0; rep < REPS; rep++) {
      let t0 = process.hrtime.bigint();
      const conn = await connectSsh(target, { knownHosts: known });
      const ch = await conn.channel('cat >/dev/null');
      ch.resume();
      const closed = new Promise<void>((r) => ch.on('close', () => r()));
      tarStream(plan.entries).pipe(ch);
      await closed;
      conn.close();
      ours.push(Number(process.hrtime.bigint() - t0) / 1e9);

      t0 = process.hrtime.bigint();
      const conn2 = await connectSsh(target, { knownHosts: known });
      await uploadOverSsh(conn2, plan, path.posix.join(hosts ? '/root' : state, `bench-extract-${rep}`));
      conn2.close();
      oursExtract.push(Number(process.hrtime.bigint() - t0) / 1e9);

      t0 = process.hrtime.bigint();
      const r = spawnSync('bash', ['-o', 'pipefail', '-c', `tar -c -C ${shellQuote(tree)} . | ssh ${sshArgs.map(shellQuote).join(' ')} 'cat >/dev/null'`]);
      if (r.status !== 0) throw new Error(`baseline failed: ${r.stderr.toString()}`);
      openssh.push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
    const base = mib / median(openssh);
    const mine = mib / median(ours);
    report({ name: 'tar over ssh2 -> cat >/dev/null', value: mine, unit: 'MiB/s', baseline: { name: "tar | ssh 'cat >/dev/null'", value: base }, target: '>= 0.8x', met: mine >= 0.8 * base });
    report({ name: 'tar over ssh2 -> tar -x (the real upload)', value: mib / median(oursExtract), unit: 'MiB/s', baseline: { name: "tar | ssh 'cat >/dev/null'", value: base } });
  } finally {
    hosts?.down();
    await local?.stop();
    rmSync(tree, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  }
}
