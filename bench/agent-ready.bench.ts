// Apply-to-ready on a test host: the agent path (job upload + code upload + sshd + init + readiness seen
// by the orchestrator) against the bare floor measured in the same run (connect, upload the same code
// over SSH, run the same init command). Needs root for a namespaced sshd host; says so and skips otherwise.

import { createWriteStream, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { HostAgent } from '../src/backends/ssh/agent/host-agent';
import { connectSsh, type SshTarget } from '../src/backends/ssh/connect';
import { sshPaths } from '../src/backends/ssh/config/paths';
import { ensureClientKey, generateKeyPair } from '../src/backends/ssh/keys';
import { KnownHosts } from '../src/backends/ssh/known-hosts';
import { uploadArchiveOverSsh } from '../src/backends/ssh/upload-over-ssh';
import { planUpload } from '../src/backends/ssh/upload/plan';
import { tarStream } from '../src/backends/ssh/upload/tar-writer';
import { hostsUnavailable, TestHosts } from '../test/harness/hosts';
import { report } from './report';

const REPS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

export async function run(): Promise<void> {
  const why = hostsUnavailable();
  if (why !== null) {
    console.log(`skipped: apply-to-ready needs a namespaced sshd test host (${why})`);
    return;
  }
  const state = mkdtempSync(path.join(os.tmpdir(), 'dvs-bench-ready-'));
  const paths = sshPaths(state);
  const client = await ensureClientKey(paths.identity);
  const known = new KnownHosts(paths.knownHosts, paths.lock);
  const repo = path.join(state, 'repo');
  mkdirSync(path.join(repo, 'src'), { recursive: true });
  for (let i = 0; i < 50; i++) writeFileSync(path.join(repo, 'src', `m${i}.py`), randomBytes(8000).toString('base64'));
  const plan = await planUpload(repo);
  // The run's code archive, as apply writes it.
  const archive = path.join(state, 'code.tar');
  await pipeline(tarStream(plan.entries), createWriteStream(archive));
  const init = ['echo setting up', 'python3 -c pass 2>/dev/null || true'];
  const hosts = new TestHosts(client.publicKey);
  try {
    const target: SshTarget = { host: hosts.up('ready', 1), port: 22, user: 'root', privateKeys: [client.privateKey] };
    console.log(`apply-to-ready on an OpenSSH sshd in a network namespace (${target.host}), ${(plan.archiveSize / 1024).toFixed(0)} KiB of code, median of ${REPS}`);
    const agentTimes: number[] = [];
    const floorTimes: number[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      let t0 = process.hrtime.bigint();
      const floor = await connectSsh(target, { knownHosts: known });
      await uploadArchiveOverSsh(floor, archive, `/root/floor-${rep}`);
      await floor.exec(init.join(' && '), { cwd: `/root/floor-${rep}` });
      floor.close();
      floorTimes.push(Number(process.hrtime.bigint() - t0) / 1e9);

      t0 = process.hrtime.bigint();
      const conn = await connectSsh(target, { knownHosts: known });
      const agent = new HostAgent(conn, `bench-${rep}`);
      await agent.start({
        instanceId: `bench-${rep}`, env: { DSTACK_RUN_NAME: 'bench' }, init, sshPort: 10100 + rep, authorizedKey: client.publicKey,
        hostPrivateKey: generateKeyPair().privateKey, inactivitySecs: 0, maxDurationSecs: 0, leaseSecs: 60, codeArchive: archive,
      });
      for (;;) {
        const s = await agent.status();
        if (s.state === 'ready') break;
        if (s.state === 'failed' || s.state === 'stopped') throw new Error(`agent ended ${s.state}: ${await agent.initLog()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      agentTimes.push(Number(process.hrtime.bigint() - t0) / 1e9);
      await agent.stop();
      conn.close();
    }
    const overhead = median(agentTimes) - median(floorTimes);
    report({ name: 'apply-to-ready (agent, bare mode)', value: median(agentTimes), unit: 's', baseline: { name: 'ssh+upload+init floor', value: median(floorTimes) } });
    report({ name: 'agent overhead over the floor', value: overhead, unit: 's', target: '<= 1.5 s', met: overhead <= 1.5 });
  } finally {
    hosts.down();
    rmSync(state, { recursive: true, force: true });
  }
}
