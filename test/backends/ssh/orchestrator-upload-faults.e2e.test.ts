// Faults while `apply` uploads the code, through the orchestrator, on real sshd test hosts: the link to the first
// host is throttled (tc) so that a repo near the 2 MiB limit is still going up when the fault hits (a blackhole, a
// reset or the link going down), then healed. The run reaches running within 10 s of the heal (on the same host,
// or failed over to the next offer), the tree in its working dir is the repo byte for byte, every instance record
// is kept until its host is clean, and nothing is left on a host once the scheduler has seen the heal.

import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planUpload } from '../../../src/backends/ssh/upload/plan';
import { runCli } from '../../../src/cli/run-cli';
import { waitForRun } from '../../cli/wait-run';
import { closeBackends } from '../../../src/orchestrator/backends-registry';
import type { RunRecord } from '../../../src/orchestrator/model/run';
import { openRuntime } from '../../../src/orchestrator/runtime';
import { instanceIdFor } from '../../../src/orchestrator/scheduler/scheduler';
import type { OrchestratorState } from '../../../src/orchestrator/store/state';
import { Store } from '../../../src/orchestrator/store/store';
import { generateKeyPair } from '../../../src/backends/ssh/keys';
import { sshPaths } from '../../../src/backends/ssh/config/paths';
import { hostsUnavailable, skipUnless, sshClientUnavailable, TestHosts } from '../../harness/hosts';
import { ssh } from '../../harness/openssh';
import { until } from '../../harness/scheduler-watch';
import { git, writeTree } from './upload/helpers';

interface CliResult { code: number; out: string; err: string }

/** One fault case: what hits the first host mid-upload, for how long, and where the run must end up. */
interface FaultCase {
  fault: 'drop' | 'reject' | 'down';
  /** How long the fault lasts: a blip (ms), or until the run is running elsewhere. */
  hold: number | 'until-failed-over';
  /** The host the run must run on: the first (the upload resumed) or the second (failed over). */
  endsOn: 'h1' | 'h2';
  what: string;
}

const CASES: FaultCase[] = [
  { fault: 'drop', hold: 3000, endsOn: 'h1', what: 'a 3 s blackhole: the upload resumes on the same connection' },
  { fault: 'down', hold: 3000, endsOn: 'h1', what: 'the link down for 3 s: the upload resumes on the same connection' },
  { fault: 'reject', hold: 3000, endsOn: 'h2', what: 'a reset: the connection is lost, the run fails over to the next host' },
  { fault: 'drop', hold: 'until-failed-over', endsOn: 'h2', what: 'a blackhole outlasting the keepalive: the run fails over to the next host' },
];

/** Why `tc` (traffic control, to slow the upload down) can't be used here, or null. */
function tcUnavailable(): string | null {
  return spawnSync('tc', ['-V']).error ? 'no tc on PATH (apt install iproute2)' : null;
}

/** Sizes of the regular files under `dir` (recursively), 0 when it does not exist. */
function bytesUnder(dir: string): number {
  let total = 0;
  let names: string[];
  try { names = readdirSync(dir); } catch { return 0; }
  for (const name of names) {
    const p = path.join(dir, name);
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory()) total += bytesUnder(p);
    else if (st?.isFile()) total += st.size;
  }
  return total;
}

/** Every path under `dir` relative to it (directories too), sorted. */
function treeOf(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    out.push(rel);
    if (lstatSync(path.join(dir, name)).isDirectory()) out.push(...treeOf(path.join(dir, name), rel));
  }
  return out.sort();
}

describe('Faults during the code upload of an apply, through the orchestrator, on real sshd test hosts', function () {
  this.timeout(240_000);
  let hosts: TestHosts;
  let state: string;
  let project: string;
  let env: NodeJS.ProcessEnv;
  let ips: Record<'h1' | 'h2', string>;

  async function cli(...argv: string[]): Promise<CliResult> {
    let out = '';
    let err = '';
    const code = await runCli(argv, { stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, env, cwd: project, confirm: () => Promise.resolve(false) });
    return { code, out, err };
  }

  const read = (): Promise<OrchestratorState> => new Store(state).read();
  const agentDirs = (host: 'h1' | 'h2'): string[] => {
    const d = path.join(hosts.hostDir(host), 'root', '.dstack-vsc');
    return existsSync(d) ? readdirSync(d) : [];
  };
  const manifest = (): string[] => {
    const f = path.join(state, 'ssh-hosts', 'instances.json');
    return existsSync(f) ? Object.keys(JSON.parse(readFileSync(f, 'utf8')) as object).sort() : [];
  };
  const processesOf = (instanceId: string): string => spawnSync('pgrep', ['-af', instanceId], { encoding: 'utf8' }).stdout;
  const throttle = (on: boolean): void => {
    const dev = `${hosts.prefix}h1v`;
    if (on) execFileSync('tc', ['qdisc', 'replace', 'dev', dev, 'root', 'tbf', 'rate', '2mbit', 'burst', '32kbit', 'latency', '400ms']);
    else spawnSync('tc', ['qdisc', 'del', 'dev', dev, 'root']);
  };

  before(function () {
    skipUnless(this, hostsUnavailable() ?? sshClientUnavailable() ?? tcUnavailable());
  });

  before(async () => {
    state = mkdtempSync(path.join(os.tmpdir(), 'dvs-upload-faults-'));
    project = path.join(state, 'project');
    mkdirSync(project);
    const userKey = generateKeyPair('user key');
    writeFileSync(path.join(project, 'id_user'), userKey.privateKey, { mode: 0o600 });
    hosts = new TestHosts(userKey.publicKey);
    ips = { h1: hosts.up('h1', 1), h2: hosts.up('h2', 2) };
    env = { DSTACK_VSC_STATE_DIR: state, HOME: state, PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
    // Near the 2 MiB limit: six incompressible 300 KiB blobs, names with spaces, quotes and non-ASCII, a symlink.
    writeTree(project, {
      'app.py': 'print(42)\n', '.gitignore': 'secret.txt\nid_user\n', 'secret.txt': 'never uploaded\n',
      'name with spaces & "quotes".txt': 'q\n', 'ünïcödé/ファイル.txt': 'u\n',
      ...Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`data/blob-${i}.bin`, randomBytes(300 * 1024)])),
      'fleet.dstack.yml': ['type: fleet', 'name: upload-hosts', 'ssh_config:', '  user: root', '  identity_file: id_user', '  hosts:', `    - ${ips.h1}`, `    - ${ips.h2}`, ''].join('\n'),
    });
    symlinkSync('app.py', path.join(project, 'link.py'));
    git(project, 'init', '-q');
    git(project, 'add', '.');
    git(project, 'commit', '-qm', 'init');
    writeFileSync(path.join(project, 'app.py'), 'print(43)  # uncommitted\n');
    const plan = await planUpload(project);
    assert.ok(plan.archiveSize > 1.5 * 1024 * 1024 && plan.archiveSize < 2 * 1024 * 1024, `the repo is near the limit: ${plan.archiveSize} bytes`);
    const fleet = await cli('apply', '-f', 'fleet.dstack.yml', '-y');
    assert.equal(fleet.code, 0, fleet.out + fleet.err);
  });

  afterEach(async () => {
    // A failed case must not leave its run holding a host for the next one.
    if (state === undefined) return;
    for (const r of (await read()).runs) if (!['terminated', 'failed', 'done'].includes(r.status)) await cli('stop', r.name, '-y');
  });

  after(() => {
    hosts?.down();
  });

  CASES.forEach((c, i) => {
    it(`${c.fault} mid-upload, ${c.what}; running within 10 s of the heal, the tree byte for byte, nothing left behind`, async () => {
      const name = `up-${i}-${c.fault}`;
      writeFileSync(path.join(project, `${name}.dstack.yml`), [
        'type: dev-environment', `name: ${name}`, 'ide: vscode', 'backends: [remote]', `regions: ["${ips.h1}", "${ips.h2}"]`, 'resources:', '  disk: 1GB..',
        'init:', '  - echo "init ran" > init.txt', '',
      ].join('\n'));
      const plan = await planUpload(project); // what must land: the repo, this configuration included
      assert.deepEqual([agentDirs('h1'), agentDirs('h2'), manifest()], [[], [], []], 'both hosts are free before the apply');
      throttle(true);
      let healedAt = Infinity;
      try {
        // apply -d returns right after the submit: its detached driver leads the scheduler, so the upload (and the
        // fault) happen in that process while this one watches the host and the store.
        const applied = await cli('apply', '-f', `${name}.dstack.yml`, '-y', '-d');
        assert.equal(applied.code, 0, applied.out + applied.err);
        assert.match(applied.out, new RegExp(`Run ${name} submitted, detaching`));
        try {
          // Mid-flight: a quarter of the code has landed in the agent's dir on the first host (the receiver stages the
          // archive beside the repo dir as repo.upload-<pid> and extracts it only once whole).
          await until(() => agentDirs('h1').some((id) => bytesUnder(path.join(hosts.hostDir('h1'), 'root', '.dstack-vsc', id)) > plan.archiveSize / 4), 60_000, `${name}: the upload to h1 is under way`);
          hosts.run(['fault', 'h1', c.fault]);
          const hold = c.hold;
          if (hold === 'until-failed-over') {
            await until(async () => (await read()).runs.find((r) => r.name === name)?.status === 'running', 90_000, `${name}: the run fails over while h1 is dark`, 250);
          } else {
            await new Promise((r) => setTimeout(r, hold));
          }
        } finally {
          hosts.run(['fault', 'h1', 'heal']);
          throttle(false);
          healedAt = Date.now();
        }
      } finally {
        throttle(false);
      }
      // What `ps` shows: the run running (and `ssh <run>` published), its driver gone (it exits once the run runs, so
      // the leader started below is the only one); running within 10 s of the heal, as of the run's runningSince
      // (when the driver's scheduler saw the environment ready).
      const settled = await waitForRun(state, name, 90_000);
      assert.equal(settled.status, 'running', `${name}: ${settled.status} (${settled.runTerminationReason ?? ''}): ${JSON.stringify(settled.attempts)}`);
      const runningAt = settled.runningSince ?? assert.fail(`${name}: running but no runningSince`);
      const sinceHeal = (runningAt - healedAt) / 1000;
      console.log(`    (${name}: running ${Math.abs(sinceHeal).toFixed(1)} s ${sinceHeal < 0 ? 'before' : 'after'} the heal)`);
      assert.ok(runningAt - healedAt <= 10_000, `${name}: running ${runningAt - healedAt} ms after the heal`);

      // A VS Code window (or any later command) leads the scheduler once the driver exited: the first host is clean
      // within 10 s of the heal, and every instance record stays until its host is.
      const rt = openRuntime(env);
      rt.leader.start();
      try {
        const run: RunRecord = (await read()).runs.find((r) => r.name === name) ?? assert.fail(`no run ${name}`);
        const runningId = run.instanceId ?? assert.fail('the run has no instance');
        const region = run.attempts.at(-1)?.region;
        assert.equal(region, ips[c.endsOn], `${name} runs on ${c.endsOn}: ${JSON.stringify(run.attempts)}`);
        assert.deepEqual(run.attempts.map((a) => [a.region, a.outcome]), c.endsOn === 'h1' ? [[ips.h1, 'created']] : [[ips.h1, 'error'], [ips.h2, 'created']]);
        if (c.endsOn === 'h2') assert.match(run.attempts[0]?.error ?? '', /lost during the code upload .* safe to retry/);
        const failedIds = run.attempts.filter((a) => a.outcome !== 'created').map((a) => instanceIdFor(run, a.offerIndex));
        const deadline = Math.max(0, healedAt + 10_000 - Date.now());
        await until(async () => {
          const s = await read();
          return failedIds.every((id) => s.instances.find((x) => x.id === id)?.status === 'terminated')
            && agentDirs('h1').every((id) => id === runningId) && agentDirs('h2').every((id) => id === runningId)
            && JSON.stringify(manifest()) === JSON.stringify([runningId]) && failedIds.every((id) => processesOf(id) === '');
        }, deadline, `${name}: within 10 s of the heal the failed attempt is cleaned off h1 (dirs h1 ${JSON.stringify(agentDirs('h1'))}, h2 ${JSON.stringify(agentDirs('h2'))}; manifest ${JSON.stringify(manifest())})`);
        const s = await read();
        for (const a of run.attempts) assert.ok(s.instances.some((x) => x.id === instanceIdFor(run, a.offerIndex)), `the instance record of attempt ${a.offerIndex} is kept`);
        assert.equal(s.instances.find((x) => x.id === runningId)?.status, 'busy');

        // The working dir holds exactly the repo (plus what init wrote), byte for byte.
        const repo = path.join(hosts.hostDir(c.endsOn), 'root', '.dstack-vsc', runningId, 'repo');
        const expected = [...new Set([...plan.entries.map((e) => e.path), 'init.txt'].flatMap((p) => p.split('/').map((_, n, parts) => parts.slice(0, n + 1).join('/'))))].sort();
        assert.deepEqual(treeOf(repo), expected);
        for (const e of plan.entries) {
          if (e.kind === 'file') assert.ok(readFileSync(path.join(repo, e.path)).equals(readFileSync(path.join(project, e.path))), `${e.path} is byte-identical`);
          if (e.kind === 'symlink') assert.equal(readlinkSync(path.join(repo, e.path)), e.target);
        }
        assert.equal(readFileSync(path.join(repo, 'init.txt'), 'utf8'), 'init ran\n');
        const viaSsh = await ssh(sshPaths(state).config, name, 'cat app.py');
        assert.equal(viaSsh.stdout, 'print(43)  # uncommitted\n', viaSsh.stderr);

        const stopped = await cli('stop', name, '-y');
        assert.equal(stopped.code, 0, stopped.out + stopped.err);
        await until(async () => (await read()).instances.every((x) => x.status === 'terminated'), 15_000, `${name}: every instance terminated after stop`);
        assert.deepEqual([agentDirs('h1'), agentDirs('h2'), manifest(), processesOf(runningId)], [[], [], [], ''], 'nothing is left on either host');
      } finally {
        await rt.leader.stop();
        await closeBackends(rt.backends);
      }
    });
  });
});
