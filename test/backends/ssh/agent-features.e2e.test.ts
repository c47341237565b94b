// The SSH hosts backend's job features end to end on real sshd test hosts (bare mode): dstack's system
// variables (spec 3.3), the configuration's `files` mappings, init output streamed into the run's log
// file verbatim, metrics (CPU, memory, GPUs from the fake nvidia-smi table) in the refresh report, and the
// venv of `python`.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { InstanceJob, ProviderInstance } from '../../../src/backends/backend';
import type { Offer } from '../../../src/backends/offer';
import { SshAccess } from '../../../src/backends/ssh/access';
import { sshPaths, type SshPaths } from '../../../src/backends/ssh/config/paths';
import { fleetHosts } from '../../../src/backends/ssh/fleet-hosts';
import { ensureClientKey } from '../../../src/backends/ssh/keys';
import { KnownHosts } from '../../../src/backends/ssh/known-hosts';
import { SshHostsBackend } from '../../../src/backends/ssh/ssh-hosts-backend';
import { repoIdOf } from '../../../src/backends/ssh/agent/system-env';
import { planUpload } from '../../../src/backends/ssh/upload/plan';
import { hostsUnavailable, skipUnless, sshClientUnavailable, TestHosts } from '../../harness/hosts';
import { codeArchiveOf, git, tempDir, writeTree } from './upload/helpers';
import { ssh } from '../../harness/openssh';
import { untilView } from '../../harness/until-view';

const GPUS = 'NVIDIA L40S\t46068\t1234\t37\tGPU-1\t550.90.07\t00000000:19:00.0\nNVIDIA L40S\t46068\t20480\t91\tGPU-2\t550.90.07\t00000000:1a:00.0\n';
const TRICKY = `it's "q" $(touch /tmp/dvs-feat-pwned) \`touch /tmp/dvs-feat-pwned2\` $HOME \\ end`;

describe('SSH host agent features: system env, files, init log streaming, metrics (bare mode)', function () {
  this.timeout(120_000);
  let hosts: TestHosts;
  let paths: SshPaths;
  let state: string;
  let backend: SshHostsBackend;
  let ip: string;
  let project: string;
  let repo: string;
  let codeArchive: string;

  before(function () {
    skipUnless(this, hostsUnavailable() ?? sshClientUnavailable());
  });

  before(async () => {
    state = mkdtempSync(path.join(os.tmpdir(), 'dvs-feat-'));
    paths = sshPaths(state);
    const pair = await ensureClientKey(paths.identity);
    hosts = new TestHosts(pair.publicKey);
    ip = hosts.up('g1', 1, GPUS);
    project = path.join(state, 'project');
    mkdirSync(project);
    writeFileSync(path.join(project, 'key'), pair.privateKey, { mode: 0o600 });
    repo = tempDir();
    git(repo, 'init', '-q');
    writeTree(repo, { 'app.py': 'print(42)\n' });
    writeTree(project, { 'conf/settings.toml': 'answer = 42\n', 'assets/a.txt': 'A\n', 'assets/sub/b.txt': 'B\n', 'assets/.gitignore': 'ignored.bin\n', 'assets/ignored.bin': 'x' });
    codeArchive = await codeArchiveOf(repo);
    backend = new SshHostsBackend({
      hosts: await fleetHosts({ user: 'root', identity_file: 'key', hosts: [{ hostname: ip }] }, { configDir: project }),
      knownHosts: new KnownHosts(paths.knownHosts, paths.lock), stateDir: state,
      defaultPublicKey: () => Promise.resolve(pair.publicKey),
    });
  });

  after(async () => {
    await backend?.close();
    hosts?.down();
  });

  const until = (id: string, ok: (v: ProviderInstance) => boolean, what: string, tries = 150): Promise<ProviderInstance> => untilView(backend, id, ok, what, tries);

  it('refuses a `files` entry whose local path does not exist, naming the file and the fix', async () => {
    const offer = (await backend.listOffers())[0] as Offer;
    const tags = { installation: 'inst-feat', runName: 'feat-missing', instanceId: 'f00dfeed-0002' };
    await assert.rejects(backend.create(offer, tags, '', {
      runId: 'r2', runName: 'feat-missing', env: {}, init: [], workingDir: null, inactivityDuration: null, maxDuration: null, leaseFile: '/unused',
      configurationPath: path.join(project, 'dev.dstack.yml'), configuration: { files: [{ local_path: 'nope.txt', path: 'nope.txt' }] },
    }), /dev\.dstack\.yml: files\[0\]: local path .*nope\.txt does not exist; fix local_path/);
    const [v] = await backend.refresh([tags.instanceId]);
    assert.equal(v?.state, 'gone', 'nothing was started');
  });

  it('sets the system env, places files, streams init output verbatim, and reports metrics against the fake GPU table', async () => {
    const offer = (await backend.listOffers())[0] as Offer;
    assert.equal(offer.resources.gpus.length, 2);
    const tags = { installation: 'inst-feat', runName: 'feat-run', instanceId: 'f00dfeed-0001' };
    const job: InstanceJob = {
      runId: 'run-uuid-1', runName: 'feat-run', env: { TRICKY },
      init: [
        'echo "init of $DSTACK_RUN_NAME"',
        "echo 'quotes '\"'\"' \" and $(date) and `uname`'",
        "printf '%s\\n' \"$TRICKY\"",
        'cat settings.toml',
      ],
      workingDir: 'work', inactivityDuration: null, maxDuration: null, leaseFile: '/unused',
      codeArchive, repoId: repoIdOf(await planUpload(repo)),
      configurationPath: path.join(project, 'dev.dstack.yml'),
      configuration: { type: 'dev-environment', files: [{ local_path: 'conf/settings.toml', path: 'settings.toml' }, { local_path: 'assets', path: '/root/feat-assets' }, { local_path: 'assets/a.txt', path: '~/a-copy.txt' }] },
    };
    await backend.create(offer, tags, '', job);
    await until(tags.instanceId, (v) => v.report?.ready === true, 'ready');
    // Init output arrives in the run's log file on this machine, byte for byte.
    const v = await until(tags.instanceId, (x) => existsSync(backend.logFile(tags.instanceId)) && x.report?.metrics?.cpuPercent !== undefined, 'log and a second metrics sample');
    assert.equal(readFileSync(backend.logFile(tags.instanceId), 'utf8'),
      `init of feat-run\nquotes ' " and $(date) and \`uname\`\n${TRICKY}\nanswer = 42\n`);
    assert.ok(!existsSync('/tmp/dvs-feat-pwned') && !existsSync('/tmp/dvs-feat-pwned2'));

    // Metrics: the fake table's figures, the max GPU utilization, and memory from the host.
    const m = v.report?.metrics;
    assert.ok(m);
    assert.deepEqual(m.gpus, [
      { utilizationPercent: 37, memoryUsedBytes: 1234 * 2 ** 20, memoryTotalBytes: 46068 * 2 ** 20 },
      { utilizationPercent: 91, memoryUsedBytes: 20480 * 2 ** 20, memoryTotalBytes: 46068 * 2 ** 20 },
    ]);
    assert.equal(v.report?.gpuUtilization, 91);
    assert.ok((m.memoryUsedBytes ?? 0) > 1024 * 1024, `the environment's sshd uses memory: ${JSON.stringify(m)}`);
    assert.ok((m.memoryTotalBytes ?? 0) >= (m.memoryUsedBytes ?? 0));
    assert.ok((m.cpuPercent ?? -1) >= 0 && Math.abs(m.at - Date.now() / 1000) < 60);

    // The environment: the system variables of spec 3.3, the files in place (ignored files left out).
    const userConfig = path.join(state, 'home', '.ssh', 'config');
    mkdirSync(path.dirname(userConfig), { recursive: true });
    const ep = await backend.endpoint(tags.instanceId);
    assert.ok(ep);
    const access = new SshAccess(paths, userConfig);
    await access.publish(ep);
    const r = await ssh(userConfig, 'feat-run', 'pwd; for v in RUN_ID JOB_ID RUN_NAME REPO_ID REPO_DIR WORKING_DIR NODES_IPS MASTER_NODE_IP NODE_RANK NODES_NUM GPUS_PER_NODE GPUS_NUM; do eval "echo $v=\\$DSTACK_$v"; done; cat "$DSTACK_MPI_HOSTFILE"; cat settings.toml; find /root/feat-assets -type f | sort; cat ~/a-copy.txt; printf %s "$TRICKY"');
    assert.equal(r.status, 0, r.stderr);
    const dir = (r.stdout.split('\n')[0] ?? '').replace(/\/repo\/work$/, '');
    assert.equal(r.stdout, [
      `${dir}/repo/work`,
      'RUN_ID=run-uuid-1', `JOB_ID=${tags.instanceId}`, 'RUN_NAME=feat-run', `REPO_ID=${repoIdOf(await planUpload(repo))}`,
      `REPO_DIR=${dir}/repo`, `WORKING_DIR=${dir}/repo/work`, `NODES_IPS=${ip}`, `MASTER_NODE_IP=${ip}`, 'NODE_RANK=0', 'NODES_NUM=1',
      'GPUS_PER_NODE=2', 'GPUS_NUM=2', `${ip} slots=2`, 'answer = 42', '/root/feat-assets/.gitignore', '/root/feat-assets/a.txt', '/root/feat-assets/sub/b.txt', 'A', TRICKY,
    ].join('\n'));
    assert.match(repoIdOf(await planUpload(repo)), new RegExp(`^${path.basename(repo)}-[0-9a-z]{8}$`));

    await backend.terminate(tags.instanceId);
    await access.retract('feat-run');
    const [gone] = await backend.refresh([tags.instanceId]);
    assert.equal(gone?.state, 'gone');
  });

  it('makes the venv of `python` with the host\'s python3 when it has no uv (saying so in the log), active in init and in `ssh <run>`', async function () {
    this.timeout(300_000);
    // The test hosts run this machine's binaries: its /usr/bin/python3, and no uv.
    const have = spawnSync('/usr/bin/python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).stdout?.trim();
    if (!have) this.skip();
    const asked = have === '3.13' ? '3.12' : '3.13';
    const offer = (await backend.listOffers())[0] as Offer;
    const tags = { installation: 'inst-feat', runName: 'feat-venv', instanceId: 'f00dfeed-0003' };
    await backend.create(offer, tags, '', {
      runId: 'run-venv', runName: 'feat-venv', env: {}, workingDir: null, inactivityDuration: null, maxDuration: null, leaseFile: '/unused',
      init: ['echo "venv=$DSTACK_VENV_DIR active=$VIRTUAL_ENV python=$(command -v python)"'],
      configuration: { type: 'dev-environment', python: asked },
    });
    const v = await until(tags.instanceId, (x) => x.report?.ready === true || x.report?.initExitCode !== undefined, 'ready', 900); // python3 -m venv installs pip: slow on a busy machine
    const log = readFileSync(backend.logFile(tags.instanceId), 'utf8');
    assert.equal(v.report?.ready, true, log);
    const venv = `/root/.dstack-vsc/${tags.instanceId}/venv`;
    assert.equal(log, `python: ${asked} is set, but this host has no uv to install that Python: the venv uses its python3 (${have}); install uv on the host to get ${asked}\n`
      + `venv=${venv} active=${venv} python=${venv}/bin/python\n`);

    const userConfig = path.join(state, 'home', '.ssh', 'config');
    const access = new SshAccess(paths, userConfig);
    await access.publish((await backend.endpoint(tags.instanceId))!);
    const r = await ssh(userConfig, 'feat-venv', 'echo "$DSTACK_VENV_DIR $VIRTUAL_ENV $(command -v python)"; python -c "import sys; print(sys.prefix)"');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${venv} ${venv} ${venv}/bin/python\n${venv}\n`);
    await backend.terminate(tags.instanceId);
    await access.retract('feat-venv');
  });
});
