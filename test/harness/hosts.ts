// Starts and stops the namespaced sshd test hosts of testhosts.sh from TypeScript (tests and benches).

import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The harness script. */
export const HARNESS = path.resolve(__dirname, 'testhosts.sh');

/** Why namespaced test hosts can't run here, or null when they can. */
export function hostsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (network namespaces need root)';
  if (!existsSync('/usr/sbin/sshd')) return 'no /usr/sbin/sshd (apt install openssh-server)';
  if (spawnSync('ip', ['netns', 'list']).status !== 0) return '`ip netns` is not available';
  return null;
}

/** A set of hosts of one harness run (its own prefix and subnet, so runs don't collide). */
export class TestHosts {
  readonly prefix = `e${randomBytes(2).toString('hex')}`;
  readonly net = 100 + 2 * Math.floor(Math.random() * 50);
  readonly work = mkdtempSync(path.join(os.tmpdir(), `${this.prefix}-hosts-`));
  private readonly env: NodeJS.ProcessEnv;

  /** `publicKey` is authorized for root on every host. */
  constructor(publicKey: string) {
    const pub = path.join(this.work, 'client.pub');
    writeFileSync(pub, `${publicKey.trim()}\n`);
    this.env = { ...process.env, TH_PREFIX: this.prefix, TH_NET: String(this.net), TH_WORK: this.work, TH_PUBKEY: pub };
  }

  /** Runs a harness command (`up h1 1`, `fault h1 drop`, ...). */
  run(args: string[], extraEnv: NodeJS.ProcessEnv = {}): string {
    return execFileSync(HARNESS, args, { env: { ...this.env, ...extraEnv }, encoding: 'utf8' });
  }

  /** Starts host `name` (index 1..200); with `gpusTsv`, it gets the fake nvidia-smi; with `containers`, a working podman. Returns its address. */
  up(name: string, index: number, gpusTsv?: string, options: { containers?: boolean; brokenCrun?: boolean } = {}): string {
    const table: NodeJS.ProcessEnv = gpusTsv === undefined ? {} : { TH_GPUS: path.join(this.work, `${name}-gpus.tsv`) };
    if (gpusTsv !== undefined) writeFileSync(table['TH_GPUS'] as string, gpusTsv);
    if (options.containers) table['TH_CONTAINERS'] = '1';
    if (options.brokenCrun) table['TH_BROKEN_CRUN'] = '1';
    this.run(['up', name, String(index)], table);
    return `10.201.${this.net}.${10 + index}`;
  }

  /** Starts host `name` reachable only from inside host `via`. Returns its address (as seen from `via`). */
  isolated(name: string, via: string): string {
    this.run(['isolated', name, via]);
    return `10.201.${this.net + 1}.2`;
  }

  /** A host's directory on this machine (its /root is `<dir>/root`). */
  hostDir(name: string): string {
    return path.join(this.work, 'hosts', name);
  }

  /** Tears everything down (idempotent) and deletes the work dir. */
  down(): void {
    try { this.run(['down']); } finally { rmSync(this.work, { recursive: true, force: true }); }
  }
}

/** The test image the harness builds from this machine's binaries (`testhosts.sh image`). */
export const TEST_IMAGE = 'localhost/dvs-mini:latest';

/** Why podman test hosts can't run here, or null; builds the test image once (cached) and prints how long that took. */
export function containersUnavailable(): string | null {
  const why = hostsUnavailable();
  if (why !== null) return why;
  if (spawnSync('podman', ['--version']).status !== 0) return 'podman is not installed (test/harness/testhosts.sh install containers)';
  if (spawnSync('runc', ['--version']).status !== 0 && spawnSync('crun', ['--version']).status !== 0) return 'neither runc nor crun is installed';
  const r = spawnSync(HARNESS, ['image'], { encoding: 'utf8' });
  if (r.status !== 0) return `building the test image failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`;
  console.log(`    (${r.stdout.trim().split('\n').pop() ?? ''})`);
  return null;
}

/** Set by CI's SSH layer: a missing prerequisite fails the suite instead of skipping it. */
export const REQUIRE_ENV = 'DSTACK_REQUIRE_SSH_HOSTS';

/** Why the OpenSSH client can't be used here, or null. */
export function sshClientUnavailable(): string | null {
  return spawnSync('ssh', ['-V']).error ? 'no OpenSSH client on PATH (apt install openssh-client)' : null;
}

/** Skips the suite with the reason printed (fails instead when DSTACK_REQUIRE_SSH_HOSTS=1). */
export function skipUnless(ctx: Mocha.Context, why: string | null): void {
  if (why === null) return;
  if (process.env[REQUIRE_ENV] === '1') throw new Error(`${REQUIRE_ENV}=1 but this suite cannot run: ${why}`);
  console.log(`    (skipped: ${why})`);
  ctx.skip();
}
