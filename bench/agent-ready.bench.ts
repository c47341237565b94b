// Apply-to-ready on a test host, as the user gets it: `node dist/cli.js apply -f dev.dstack.yml -y -d` against an SSH
// fleet of one namespaced sshd host (CLI start, plan, code upload planning, submit, scheduler passes, backend create:
// connect, job + code upload, agent start, init; refresh until ready, `Host <run>` publication), until the store
// (what `ps` shows) says running and `ssh <run>` works. Beside it, measured in the same run, the bare floor: an SSH
// connect, the same tar upload and the same init over it. Target: overhead <= 1.5 s. The phases of the apply are
// timed from its output lines, and the CLI's own start (node, the bundle, the configuration check) is measured
// beside `node -e 0`. Needs root for the namespaced host; says so and skips otherwise.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectSsh, type SshTarget } from '../src/backends/ssh/connect';
import { sshPaths } from '../src/backends/ssh/config/paths';
import { generateKeyPair } from '../src/backends/ssh/keys';
import { KnownHosts } from '../src/backends/ssh/known-hosts';
import { uploadOverSsh } from '../src/backends/ssh/upload-over-ssh';
import { planUpload } from '../src/backends/ssh/upload/plan';
import { Store } from '../src/orchestrator/store/store';
import { hostsUnavailable, sshClientUnavailable, TestHosts } from '../test/harness/hosts';
import { ssh } from '../test/harness/openssh';
import { git } from '../test/backends/ssh/upload/helpers';
import { report } from './report';

const REPS = 5;
const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const RUN = 'bench-ready';
const INIT = ['echo setting up', 'python3 -c pass 2>/dev/null || true'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** The apply's milestones (ms from its spawn), read off its output lines as they arrive. */
interface ApplyTimes { planned: number; launched: number; created: number; running: number; exited: number }

/** Runs the built CLI in `cwd` with `env`; resolves with its output and when each milestone line appeared. */
function applyTimed(cwd: string, env: NodeJS.ProcessEnv, file: string): Promise<ApplyTimes> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const at: Partial<ApplyTimes> = {};
    const child = spawn(process.execPath, [CLI, 'apply', '-f', file, '-y', '-d'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      const now = performance.now() - t0;
      out += b.toString();
      if (at.planned === undefined && /^ Project /m.test(out)) at.planned = now;
      if (at.launched === undefined && out.includes(`Launching ${RUN}...`)) at.launched = now;
      if (at.created === undefined && /^Offer 1: .*: created$/m.test(out)) at.created = now;
      if (at.running === undefined && out.includes(`${RUN}: running`)) at.running = now;
    });
    child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      at.exited = performance.now() - t0;
      if (code !== 0 || at.planned === undefined || at.launched === undefined || at.created === undefined || at.running === undefined) {
        reject(new Error(`apply exited ${String(code)}:\n${out}`));
        return;
      }
      resolve(at as ApplyTimes);
    });
  });
}

/** Median wall time (ms) of `node ...argv` in `cwd`, `runs` times. */
function coldStart(argv: string[], cwd: string, env: NodeJS.ProcessEnv, runs = 5): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, argv, { cwd, env, stdio: 'ignore' });
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

/** Runs the benchmark. */
export async function run(): Promise<void> {
  const why = hostsUnavailable() ?? sshClientUnavailable();
  if (why !== null) {
    console.log(`skipped: apply-to-ready needs a namespaced sshd test host (${why})`);
    return;
  }
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'ignore' });
  const state = mkdtempSync(path.join(os.tmpdir(), 'dvs-bench-ready-'));
  const project = path.join(state, 'project');
  mkdirSync(path.join(project, 'src'), { recursive: true });
  const userKey = generateKeyPair('bench user key');
  writeFileSync(path.join(project, 'id_user'), userKey.privateKey, { mode: 0o600 });
  for (let i = 0; i < 50; i++) writeFileSync(path.join(project, 'src', `m${i}.py`), randomBytes(8000).toString('base64'));
  writeFileSync(path.join(project, '.gitignore'), 'id_user\n');
  const hosts = new TestHosts(userKey.publicKey);
  const env: NodeJS.ProcessEnv = { DSTACK_VSC_STATE_DIR: path.join(state, 'state'), HOME: state, PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
  try {
    const ip = hosts.up('ready', 1);
    writeFileSync(path.join(project, 'fleet.dstack.yml'), ['type: fleet', 'name: bench-hosts', 'ssh_config:', '  user: root', '  identity_file: id_user', '  hosts:', `    - ${ip}`, ''].join('\n'));
    writeFileSync(path.join(project, 'dev.dstack.yml'), ['type: dev-environment', `name: ${RUN}`, 'ide: vscode', 'backends: [remote]', 'resources:', '  disk: 1GB..', 'init:', ...INIT.map((c) => `  - ${JSON.stringify(c)}`), ''].join('\n'));
    git(project, 'init', '-q');
    git(project, 'add', '.');
    git(project, 'commit', '-qm', 'bench');
    // The fleet is registered (its host probed, its key pinned) once, as a user does before any apply.
    execFileSync(process.execPath, [CLI, 'apply', '-f', 'fleet.dstack.yml', '-y'], { cwd: project, env, stdio: 'ignore' });
    const plan = await planUpload(project);
    const paths = sshPaths(env['DSTACK_VSC_STATE_DIR'] as string);
    const known = new KnownHosts(paths.knownHosts, paths.lock);
    const target: SshTarget = { host: ip, port: 22, user: 'root', privateKeys: [userKey.privateKey], hostKeyAlias: `fleet-host-${ip}` };
    const load = os.loadavg()[0] ?? 0;
    console.log(`apply-to-ready on an OpenSSH sshd in a network namespace (${ip}), ${(plan.archiveSize / 1024).toFixed(0)} KiB of code, bare mode, median of ${REPS}; load average ${load.toFixed(1)} on ${os.cpus().length} CPUs`);

    const floor: number[] = [];
    const ready: number[] = [];
    const phases: Record<'cli start + plan' | 'upload prep + submit' | 'create (connect, job + code upload, agent start)' | 'until the scheduler sees ready' | 'publish, print, exit' | 'ssh <run> works', number[]> = {
      'cli start + plan': [], 'upload prep + submit': [], 'create (connect, job + code upload, agent start)': [], 'until the scheduler sees ready': [], 'publish, print, exit': [], 'ssh <run> works': [],
    };
    for (let rep = 0; rep < REPS; rep++) {
      let t0 = performance.now();
      const conn = await connectSsh(target, { knownHosts: known });
      await uploadOverSsh(conn, plan, `/root/floor-${rep}`);
      const init = await conn.exec(INIT.join(' && '), { cwd: `/root/floor-${rep}` });
      conn.close();
      if (init.code !== 0) throw new Error(`the floor's init failed: ${init.stderr}`);
      floor.push(performance.now() - t0);

      t0 = performance.now();
      const t = await applyTimed(project, env, 'dev.dstack.yml');
      const status = (await new Store(env['DSTACK_VSC_STATE_DIR'] as string).read()).runs.findLast((r) => r.name === RUN)?.status;
      if (status !== 'running') throw new Error(`after apply the run is ${String(status)}`);
      const sshAt = performance.now();
      const r = await ssh(paths.config, RUN, 'true');
      if (r.status !== 0) throw new Error(`ssh ${RUN} failed: ${r.stderr}`);
      const done = performance.now();
      ready.push(done - t0);
      phases['cli start + plan'].push(t.planned);
      phases['upload prep + submit'].push(t.launched - t.planned);
      phases['create (connect, job + code upload, agent start)'].push(t.created - t.launched);
      phases['until the scheduler sees ready'].push(t.running - t.created);
      phases['publish, print, exit'].push(t.exited - t.running);
      phases['ssh <run> works'].push(done - sshAt);
      execFileSync(process.execPath, [CLI, 'stop', RUN, '-y'], { cwd: project, env, stdio: 'ignore' });
    }
    const overhead = (median(ready) - median(floor)) / 1000;
    report({ name: 'apply-to-ready (dist/cli.js apply, ssh <run>)', value: median(ready) / 1000, unit: 's', baseline: { name: 'ssh+upload+init floor', value: median(floor) / 1000 } });
    report({ name: 'apply overhead over the floor', value: overhead, unit: 's', target: '<= 1.5 s', met: overhead <= 1.5 });
    console.log('where the apply\'s time goes (median s, then each run):');
    for (const [name, xs] of Object.entries(phases)) console.log(`  ${name.padEnd(50)} ${(median(xs) / 1000).toFixed(2).padStart(6)} s  (${xs.map((x) => (x / 1000).toFixed(2)).join(' ')})`);
    const nodeStart = coldStart(['-e', '0'], project, env);
    const cliStart = coldStart([CLI, 'validate', 'dev.dstack.yml'], project, env);
    report({ name: 'CLI start + config check (dist/cli.js validate)', value: cliStart / 1000, unit: 's', baseline: { name: 'node -e 0', value: nodeStart / 1000 } });
  } finally {
    hosts.down();
    rmSync(state, { recursive: true, force: true });
  }
}
