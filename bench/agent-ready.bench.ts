// Apply-to-ready on a test host, as the user gets it: `node dist/cli.js apply -f dev.dstack.yml -y` against an SSH
// fleet of one namespaced sshd host (CLI start, plan, code upload planning, submit, then the same process leads the
// scheduler, as a VS Code window does: backend create: connect, job + code upload, agent start, init; refresh until
// ready, `Host <run>` publication), until the store (what `ps` shows) says running, `Host <run>` is published and
// `ssh <run>` works. Beside it, measured in the same run, the bare floor: listing the files to send, an SSH connect,
// the same tar upload and the same init over it. Target: overhead <= 1.5 s. Then the same with `apply -d`, which
// returns right after the submit and leaves the run to a detached `dstack-vsc __drive` process (its own start: node,
// the bundle, the runtime, the lease), reported beside it. The phases are timed from apply's output lines up to the
// submit, then from the store's own records (the instance's write-ahead record made by the first provisioning pass,
// the attempt, runningSince) and the ssh config polled every 10 ms; the CLI's own start (node, the bundle, the
// configuration check) is measured beside `node -e 0`. Needs root for the namespaced host; says so and skips otherwise.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectSsh, type SshTarget } from '../src/backends/ssh/connect';
import { sshPaths } from '../src/backends/ssh/config/paths';
import { generateKeyPair } from '../src/backends/ssh/keys';
import { KnownHosts } from '../src/backends/ssh/known-hosts';
import { uploadOverSsh } from '../src/backends/ssh/upload-over-ssh';
import { planUpload } from '../src/backends/ssh/upload/plan';
import { Store } from '../src/orchestrator/store/store';
import { untilDriverExits } from '../test/cli/wait-run';
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

/**
 * The apply's milestones (ms from its spawn): its own output lines up to the submit and its exit, then the detached
 * driver's work as the store recorded it (the instance's write-ahead record, the create's attempt, runningSince) and
 * the `Host <run>` entry as polled.
 */
interface ApplyTimes { planned: number; submitted: number; exited: number; driving: number; created: number; running: number; published: number }

/** Whether the `Host <name>` entry is in the ssh config at `file`. */
function publishedIn(file: string, name: string): boolean {
  try {
    return readFileSync(file, 'utf8').split('\n').includes(`Host ${name}`);
  } catch {
    return false;
  }
}

/** How the apply is run: attached (the process leads the scheduler until it is interrupted) or `-d`. */
type ApplyMode = 'attached' | 'detached';

/**
 * Runs the built CLI's `apply` in `cwd` with `env`; resolves once its run is running and published, with when each
 * milestone came (ms) and `finish`, which ends the apply (attached: interrupted, so it detaches) and waits for it.
 */
async function applyTimed(cwd: string, env: NodeJS.ProcessEnv, file: string, mode: ApplyMode): Promise<ApplyTimes & { t0: number; runId: string; finish: () => Promise<void> }> {
  const stateDir = env['DSTACK_VSC_STATE_DIR'] as string;
  const store = new Store(stateDir);
  const known = new Set((await store.read()).runs.map((r) => r.id));
  const t0 = Date.now();
  const at: Partial<ApplyTimes> = {};
  const child = spawn(process.execPath, [CLI, 'apply', '-f', file, '-y', ...(mode === 'detached' ? ['-d'] : [])], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let runId = '';
  child.stdout.on('data', (b: Buffer) => {
    const now = Date.now() - t0;
    out += b.toString();
    if (at.planned === undefined && /^ Project /m.test(out)) at.planned = now;
    if (at.submitted === undefined && (out.includes(`Run ${RUN} submitted, detaching...`) || out.includes(`Launching ${RUN}...`))) at.submitted = now;
  });
  child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
  let exitedAt: number | undefined;
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      exitedAt = Date.now() - t0;
      resolve(code);
    });
  });
  // The driver carries the run on after apply exits: poll the store (what `ps` shows) and the ssh config.
  const sshConfig = sshPaths(stateDir).config;
  for (;;) {
    const run = (await store.read()).runs.find((r) => !known.has(r.id));
    if (run?.status === 'running' && publishedIn(sshConfig, RUN)) {
      at.published = Date.now() - t0;
      const state = await store.read();
      const attempt = run.attempts.find((a) => a.outcome === 'created');
      const instance = state.instances.find((i) => i.id === run.instanceId);
      if (!attempt || !instance || attempt.reusedInstanceId !== undefined || run.runningSince === null) throw new Error(`run ${RUN} has no created attempt on a new instance: ${JSON.stringify(run.attempts)}`);
      at.driving = instance.createdAt - t0;
      at.created = attempt.at - t0;
      at.running = run.runningSince - t0;
      runId = run.id;
      break;
    }
    if (run && !['submitted', 'pending', 'provisioning', 'running'].includes(run.status)) throw new Error(`run ${RUN} ${run.status}: ${JSON.stringify(run.attempts)}\n${out}`);
    if (Date.now() - t0 > 120_000) throw new Error(`run ${RUN} not running and published after 120 s (${run?.status ?? 'not submitted'}):\n${out}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  if (at.planned === undefined || at.submitted === undefined) throw new Error(`apply printed no plan or submit line:\n${out}`);
  if (mode === 'detached') {
    const code = await exited;
    if (code !== 0 || exitedAt === undefined) throw new Error(`apply -d exited ${String(code)}:\n${out}`);
    at.exited = exitedAt;
  } else {
    if (exitedAt !== undefined) throw new Error(`the attached apply exited before the run was ready:\n${out}`);
    at.exited = at.published;
  }
  const finish = async (): Promise<void> => {
    // Attached: Ctrl+C with no terminal detaches (the run goes on); -d: the driver exits once the run runs.
    if (mode === 'attached') child.kill('SIGINT');
    const code = await exited;
    if (code !== 0) throw new Error(`apply exited ${String(code)}:\n${out}`);
    if (mode === 'detached') await untilDriverExits(runId, 10_000, stateDir);
  };
  return { ...(at as ApplyTimes), t0, runId, finish };
}

/** Where the time of an apply-to-ready goes, in order (the last one runs beside the path, not on it). */
const PHASES = ['cli start + plan', 'upload prep + submit', 'until the first create (-d: the driver\'s start)', 'create (connect, job + code upload, agent start)',
  'until the scheduler sees ready', 'publish (polled every 10 ms)', 'ssh <run> works', '(off the path, -d) apply exits after the submit'] as const;
type Phase = (typeof PHASES)[number];

/** Each phase's durations (ms), one per rep. */
function noPhases(): Record<Phase, number[]> {
  return Object.fromEntries(PHASES.map((p) => [p, []])) as unknown as Record<Phase, number[]>;
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
    const ready: Record<ApplyMode, number[]> = { attached: [], detached: [] };
    const phases: Record<ApplyMode, Record<Phase, number[]>> = { attached: noPhases(), detached: noPhases() };
    for (let rep = 0; rep < REPS; rep++) {
      const t0 = performance.now();
      const listed = await planUpload(project);
      const conn = await connectSsh(target, { knownHosts: known });
      await uploadOverSsh(conn, listed, `/root/floor-${rep}`);
      const init = await conn.exec(INIT.join(' && '), { cwd: `/root/floor-${rep}` });
      conn.close();
      if (init.code !== 0) throw new Error(`the floor's init failed: ${init.stderr}`);
      floor.push(performance.now() - t0);

      for (const mode of ['attached', 'detached'] as const) {
        const t = await applyTimed(project, env, 'dev.dstack.yml', mode);
        const sshAt = Date.now();
        const r = await ssh(paths.config, RUN, 'true');
        if (r.status !== 0) throw new Error(`ssh ${RUN} failed: ${r.stderr}`);
        const done = Date.now();
        ready[mode].push(done - t.t0);
        const ph = phases[mode];
        ph['cli start + plan'].push(t.planned);
        ph['upload prep + submit'].push(t.submitted - t.planned);
        ph['until the first create (-d: the driver\'s start)'].push(t.driving - t.submitted);
        ph['create (connect, job + code upload, agent start)'].push(t.created - t.driving);
        ph['until the scheduler sees ready'].push(t.running - t.created);
        ph['publish (polled every 10 ms)'].push(t.published - t.running);
        ph['ssh <run> works'].push(done - sshAt);
        if (mode === 'detached') ph['(off the path, -d) apply exits after the submit'].push(t.exited - t.submitted);
        // Not timed: the apply ends (attached: interrupted, it detaches; -d: its driver exits once the run runs), so
        // the stop below leads at once.
        await t.finish();
        execFileSync(process.execPath, [CLI, 'stop', RUN, '-y'], { cwd: project, env, stdio: 'ignore' });
      }
    }
    const overhead = (median(ready.attached) - median(floor)) / 1000;
    report({ name: 'apply-to-ready (dist/cli.js apply, ssh <run>)', value: median(ready.attached) / 1000, unit: 's', baseline: { name: 'list+ssh+upload+init floor', value: median(floor) / 1000 } });
    report({ name: 'apply overhead over the floor', value: overhead, unit: 's', target: '<= 1.5 s', met: overhead <= 1.5 });
    report({ name: 'apply -d to ready (detached driver)', value: median(ready.detached) / 1000, unit: 's', baseline: { name: 'list+ssh+upload+init floor', value: median(floor) / 1000 } });
    for (const mode of ['attached', 'detached'] as const) {
      console.log(`where the ${mode === 'attached' ? 'apply' : 'apply -d'}'s time goes (median s, then each run):`);
      for (const [name, xs] of Object.entries(phases[mode])) {
        if (xs.length > 0) console.log(`  ${name.padEnd(50)} ${(median(xs) / 1000).toFixed(2).padStart(6)} s  (${xs.map((x) => (x / 1000).toFixed(2)).join(' ')})`);
      }
    }
    const nodeStart = coldStart(['-e', '0'], project, env);
    const cliStart = coldStart([CLI, 'validate', 'dev.dstack.yml'], project, env);
    report({ name: 'CLI start + config check (dist/cli.js validate)', value: cliStart / 1000, unit: 's', baseline: { name: 'node -e 0', value: nodeStart / 1000 } });
  } finally {
    hosts.down();
    rmSync(state, { recursive: true, force: true });
  }
}
