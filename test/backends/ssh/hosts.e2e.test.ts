// End to end against real OpenSSH sshd hosts in network namespaces (test/harness/testhosts.sh).
// Needs root and `ip netns`; skipped with the reason printed otherwise. CI runs it as root.

import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectSsh, SshConnectError, type SshTarget } from '../../../src/backends/ssh/connect';
import { SshConfigStore } from '../../../src/backends/ssh/config/own-config';
import { sshPaths, type SshPaths } from '../../../src/backends/ssh/config/paths';
import { ensureClientKey, publicKeyBlob } from '../../../src/backends/ssh/keys';
import { KnownHosts } from '../../../src/backends/ssh/known-hosts';
import { uploadOverSsh } from '../../../src/backends/ssh/upload-over-ssh';
import { planUpload } from '../../../src/backends/ssh/upload/plan';
import { UploadError } from '../../../src/backends/ssh/upload/types';
import { hostOffer, probeHost } from '../../../src/backends/ssh/probe';
import { fleetHostKeyAlias, fleetHosts } from '../../../src/backends/ssh/fleet-hosts';
import { git, tempDir, writeTree } from './upload/helpers';
import { hostsUnavailable, skipUnless, sshClientUnavailable, TestHosts } from '../../harness/hosts';

describe('SSH hosts end to end (real sshd in network namespaces)', function () {
  this.timeout(60_000);
  let hosts: TestHosts;
  let net: number;
  let prefix: string;
  let paths: SshPaths;
  let key: string;
  let known: KnownHosts;
  let h1: SshTarget;
  let h2: SshTarget;
  let hj: SshTarget;

  before(function () {
    skipUnless(this, hostsUnavailable() ?? sshClientUnavailable());
  });

  before(async () => {
    const state = mkdtempSync(path.join(os.tmpdir(), 'dvs-e2e-state-'));
    paths = sshPaths(state);
    const pair = await ensureClientKey(paths.identity);
    key = pair.privateKey;
    hosts = new TestHosts(pair.publicKey);
    net = hosts.net;
    prefix = hosts.prefix;
    const ip1 = hosts.up('h1', 1);
    const ip2 = hosts.up('h2', 2, 'NVIDIA H100 80GB HBM3\t81559\t0\t0\tGPU-00000000-0000-4000-8000-000000000000\t550.90.07\t00000000:19:00.0\n');
    const ipj = hosts.isolated('hj', 'h1');
    known = new KnownHosts(paths.knownHosts, paths.lock);
    h1 = { host: ip1, port: 22, user: 'root', privateKeys: [key], hostKeyAlias: 'e2e-h1' };
    h2 = { host: ip2, port: 22, user: 'root', privateKeys: [key], hostKeyAlias: 'e2e-h2' };
    hj = { host: ipj, port: 22, user: 'root', privateKeys: [key], hostKeyAlias: 'e2e-hj', jump: h1 };
  });

  after(() => {
    hosts?.down();
  });

  const hostKey = (name: string) => publicKeyBlob(readFileSync(path.join(hosts.hostDir(name), 'ssh_host_ed25519_key.pub'), 'utf8'));

  it('reaches a host only through its jump host (ProxyJump via forwardOut) and pins both keys on first use', async () => {
    const pinned: string[] = [];
    const conn = await connectSsh(hj, { knownHosts: known, onPinned: (alias) => pinned.push(alias) });
    try {
      const r = await conn.exec('hostname');
      assert.equal(r.stdout.trim(), 'hj');
    } finally {
      conn.close();
    }
    assert.deepEqual(pinned, ['e2e-h1', 'e2e-hj']);
    assert.equal(await known.check('e2e-h1', hostKey('h1')), 'match');
    assert.equal(await known.check('e2e-hj', hostKey('hj')), 'match');
  });

  it('refuses a host whose key differs from the pinned one, naming the host and the fix', async () => {
    await known.pin('e2e-h2', hostKey('h1'));
    await assert.rejects(connectSsh(h2, { knownHosts: known }), (e: unknown) =>
      e instanceof SshConnectError && e.code === 'host_key_changed' && e.message.includes(`host key of e2e-h2 (10.201.${net}.12:22) has changed`) &&
      e.message.includes(`ssh-keygen -R e2e-h2 -f ${paths.knownHosts}`));
    await known.forget('e2e-h2');
    const conn = await connectSsh(h2, { knownHosts: known });
    conn.close();
  });

  it('uploads a git work tree as tar over the SSH channel, through the jump host, byte for byte', async () => {
    const repo = tempDir();
    git(repo, 'init', '-q');
    writeTree(repo, {
      'train.py': 'import torch\n', 'data/blob.bin': randomBytes(1_500_000), 'name with spaces & "quotes".txt': 'q\n',
      'ünïcödé/ファイル.txt': 'u\n', '.gitignore': 'out/\n', 'out/ignored.txt': 'x',
    });
    git(repo, 'add', 'train.py');
    git(repo, 'commit', '-q', '-m', 'c');
    writeFileSync(path.join(repo, 'train.py'), 'import torch  # uncommitted\n');
    execFileSync('ln', ['-s', 'train.py', path.join(repo, 'link.py')]);
    const plan = await planUpload(repo);
    const conn = await connectSsh(hj, { knownHosts: known });
    try {
      const res = await uploadOverSsh(conn, plan, '/root/code dir');
      assert.equal(res.bytes, plan.archiveSize);
      const sum = await conn.exec("sha256sum '/root/code dir/data/blob.bin'");
      assert.equal(sum.stdout.split(' ')[0], createHash('sha256').update(readFileSync(path.join(repo, 'data/blob.bin'))).digest('hex'));
    } finally {
      conn.close();
    }
    const landed = path.join(hosts.hostDir('hj'), 'root', 'code dir'); // the host's /root is this dir
    for (const e of plan.entries) {
      if (e.kind === 'file') assert.deepEqual(readFileSync(path.join(landed, e.path)), readFileSync(path.join(repo, e.path)), e.path);
      if (e.kind === 'symlink') assert.equal(readlinkSync(path.join(landed, e.path)), e.target);
    }
    assert.equal(readFileSync(path.join(landed, 'train.py'), 'utf8'), 'import torch  # uncommitted\n');
    assert.ok(!existsSync(path.join(landed, 'out')));
  });

  it('passes env values with quotes, $(...), backticks and newlines verbatim, executing nothing', async () => {
    const marker = `/tmp/${prefix}-pwned`;
    const values = { Q: `it's "x"`, S: `$(touch ${marker}-s)`, B: `\`touch ${marker}-b\``, N: `a\nb; touch ${marker}-n\n`, E: '' };
    const conn = await connectSsh(h2, { knownHosts: known });
    try {
      const r = await conn.exec('printf "%s\\0" "$Q" "$S" "$B" "$N" "$E"', { env: values, cwd: '/root' });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.split('\0').slice(0, 5), [values.Q, values.S, values.B, values.N, values.E]);
    } finally {
      conn.close();
    }
    for (const s of ['s', 'b', 'n']) assert.ok(!existsSync(`${marker}-${s}`));
  });

  it('streams command output and reports exit codes', async () => {
    const conn = await connectSsh(h2, { knownHosts: known });
    const chunks: string[] = [];
    try {
      const r = await conn.exec('for i in 1 2 3; do echo line $i; done; echo err >&2; exit 3', { onStdout: (b) => chunks.push(b.toString()) });
      assert.equal(r.code, 3);
      assert.equal(chunks.join(''), 'line 1\nline 2\nline 3\n');
      assert.equal(r.stderr, 'err\n');
      const gpu = await conn.exec('nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits');
      assert.equal(gpu.stdout, 'NVIDIA H100 80GB HBM3, 81559\n');
    } finally {
      conn.close();
    }
  });

  it('probes hosts: the fake nvidia-smi host offers its H100, the others none, and no runtime without a daemon', async () => {
    const conn2 = await connectSsh(h2, { knownHosts: known });
    const connj = await connectSsh(hj, { knownHosts: known });
    try {
      const gpuHost = await probeHost(conn2);
      const plain = await probeHost(connj);
      assert.deepEqual(gpuHost.gpus.map((g) => [g.name, g.memoryGB, g.vendor]), [['H100', 80, 'nvidia']]);
      assert.deepEqual(plain.gpus, []);
      assert.equal(gpuHost.cpus, os.cpus().length);
      assert.equal(gpuHost.arch, process.arch === 'arm64' ? 'arm' : 'x86');
      assert.ok(gpuHost.memoryGB >= 1 && gpuHost.diskGB >= 0);
      assert.equal(gpuHost.runtime, null);
      assert.equal(gpuHost.sudo, true);
      const offer = hostOffer(h2.host, gpuHost);
      assert.equal(offer.resources.gpus[0]?.name, 'H100');
    } finally {
      conn2.close();
      connj.close();
    }
  });

  it('an SSH fleet config (one host behind proxy_jump) becomes probed offers', async () => {
    const configDir = mkdtempSync(path.join(os.tmpdir(), 'dvs-fleet-e2e-'));
    writeFileSync(path.join(configDir, 'fleet_key'), key, { mode: 0o600 });
    const fleet = await fleetHosts({
      user: 'root', identity_file: 'fleet_key',
      hosts: [{ hostname: h2.host }, { hostname: hj.host, proxy_jump: { hostname: h1.host, user: 'root' } }],
    }, { configDir });
    const offers = [];
    for (const host of fleet) {
      const conn = await connectSsh(host.target, { knownHosts: known });
      try {
        offers.push(hostOffer(host.hostname, await probeHost(conn)));
      } finally {
        conn.close();
      }
    }
    assert.deepEqual(offers.map((o) => [o.backend, o.region, o.pricePerHour, o.resources.gpus.map((g) => g.name)]), [['remote', h2.host, 0, ['H100']], ['remote', hj.host, 0, []]]);
    assert.equal(await known.check(fleetHostKeyAlias('jump', h1.host, 22), hostKey('h1')), 'match');
    assert.equal(await known.check(fleetHostKeyAlias('host', hj.host, 22), hostKey('hj')), 'match');
  });

  it('the OpenSSH client reaches the jump-only host with our generated config and the keys ssh2 pinned', async () => {
    await new SshConfigStore(paths).upsert('e2e-hj', [
      { alias: 'e2e-h1', hostName: h1.host, port: 22, user: 'root', identityFile: paths.identity, knownHostsFile: paths.knownHosts },
      { alias: 'e2e-hj', hostName: hj.host, port: 22, user: 'root', identityFile: paths.identity, knownHostsFile: paths.knownHosts, proxyJump: 'e2e-h1' },
    ]);
    const r = spawnSync('ssh', ['-F', paths.config, '-o', 'BatchMode=yes', 'e2e-hj', 'hostname; pwd'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'hj\n/root\n');
  });

  const FAULT_NAMES = { drop: 'blackholed', reject: 'reset', down: 'downed' } as const;
  for (const fault of ['drop', 'reject', 'down'] as const) {
    it(`an upload interrupted by a ${FAULT_NAMES[fault]} link fails with an error instead of hanging, and works after the heal`, async () => {
      const big = tempDir();
      writeTree(big, Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`chunk-${i}.bin`, randomBytes(2 * 1024 * 1024)])));
      const plan = await planUpload(big);
      const conn = await connectSsh(h2, { knownHosts: known, keepaliveIntervalMs: 500 });
      conn.client.on('error', () => { /* surfaced through the upload */ });
      // Throttle the link so the upload is still running when the fault hits.
      hosts.run(['fault', 'h2', 'heal']);
      execFileSync('tc', ['qdisc', 'replace', 'dev', `${prefix}h2v`, 'root', 'tbf', 'rate', '40mbit', 'burst', '64kbit', 'latency', '400ms']);
      const upload = uploadOverSsh(conn, plan, `/root/interrupted-${fault}`);
      await new Promise((r) => setTimeout(r, 1000));
      hosts.run(['fault', 'h2', fault]);
      try {
        await assert.rejects(upload, (e: unknown) => e instanceof UploadError && e.code === 'connection_lost' && /was lost during the code upload .* safe to retry/.test(e.message));
      } finally {
        hosts.run(['fault', 'h2', 'heal']);
        spawnSync('tc', ['qdisc', 'del', 'dev', `${prefix}h2v`, 'root']);
        conn.close();
      }
      const again = await connectSsh(h2, { knownHosts: known });
      try {
        const res = await uploadOverSsh(again, plan, `/root/interrupted-${fault}`);
        assert.equal(res.bytes, plan.archiveSize);
      } finally {
        again.close();
      }
      const landed = path.join(hosts.hostDir('h2'), 'root', `interrupted-${fault}`);
      for (const e of plan.entries) if (e.kind === 'file') assert.ok(readFileSync(path.join(landed, e.path)).equals(readFileSync(path.join(big, e.path))), `${e.path} is byte-identical`);
    });
  }

  it('fails fast on a reset connection and connects again after the heal', async () => {
    hosts.run(['fault', 'h2', 'reject']);
    try {
      await assert.rejects(connectSsh(h2, { knownHosts: known, readyTimeoutMs: 5000 }), (e: unknown) => e instanceof SshConnectError && e.code === 'unreachable');
    } finally {
      hosts.run(['fault', 'h2', 'heal']);
    }
    const conn = await connectSsh(h2, { knownHosts: known });
    assert.equal((await conn.exec('echo back')).stdout, 'back\n');
    conn.close();
  });
});
