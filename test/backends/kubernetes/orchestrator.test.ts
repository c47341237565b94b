// The whole Kubernetes path through the registry, the orchestrator and the CLI, against the fake API server:
// `offer` lists the nodes, `apply` creates the pod and reaches running (the agent started inside the pod over
// the port-forward: code uploaded, init ran), the ssh entry points at the local port-forward listener with the
// pod's host key pinned, and `stop` deletes the pod and retracts the entry. The pod's sshd is the project's
// LocalSshServer configured from what the pod received; the environment's sshd is real OpenSSH.

import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { tmpdir } from 'node:os';
import { ENV_AUTHORIZED_KEY, ENV_HOST_KEY } from '../../../src/backends/kubernetes/bootstrap';
import { ENVIRONMENT_SSH_PORT } from '../../../src/backends/kubernetes/pod-agents';
import { LocalSshServer } from '../../../src/backends/local/ssh-server';
import { HostAgent } from '../../../src/backends/ssh/agent/host-agent';
import { sshPaths } from '../../../src/backends/ssh/config/paths';
import { connectSsh } from '../../../src/backends/ssh/connect';
import { ensureClientKey } from '../../../src/backends/ssh/keys';
import { KnownHosts } from '../../../src/backends/ssh/known-hosts';
import { runCli } from '../../../src/cli/run-cli';
import { waitForRun } from '../../cli/wait-run';
import { git, writeTree } from '../ssh/upload/helpers';
import { addStandardNodes, openCluster, type Cluster } from './harness';
import type { Obj } from './fake-kube/server';

const SSHD = ['/usr/sbin/sshd', '/usr/bin/sshd'].find((p) => existsSync(p));

describe('Kubernetes through the orchestrator and the CLI (fake API server)', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let state: string;
  let project: string;
  let podHome: string;
  let env: NodeJS.ProcessEnv;
  const servers: LocalSshServer[] = [];

  async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runCli(argv, { stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, env, cwd: project, confirm: () => Promise.resolve(false) });
    return { code, out, err };
  }

  before(async function () {
    if (!SSHD) { console.log('    (skipped: no OpenSSH sshd on this machine for the environment)'); this.skip(); }
    cluster = await openCluster();
    if (!cluster.fake) { console.log('    (skipped against a real cluster: the pod\'s sshd is simulated here)'); this.skip(); }
    addStandardNodes(cluster.fake);
    // Not below /tmp: OpenSSH's StrictModes refuses authorized_keys under a world-writable directory.
    state = mkdtempSync(path.join(existsSync('/run') && process.getuid?.() === 0 ? '/run' : tmpdir(), 'dvs-kube-orch-'));
    project = path.join(state, 'project');
    podHome = path.join(state, 'pod-home');
    mkdirSync(project);
    mkdirSync(podHome);
    const fake = cluster.fake;
    fake.onCreate = (pod: Obj) => {
      const e = fake.containerEnv(pod);
      const sshd = new LocalSshServer({ hostKey: e[ENV_HOST_KEY] ?? '', authorizedKey: (e[ENV_AUTHORIZED_KEY] ?? '').split('\n')[0] ?? '', user: 'root', workingDir: podHome, env: { HOME: podHome } });
      servers.push(sshd);
      void sshd.start().then((port) => { fake.portTargets.set(10022, port); fake.portTargets.set(ENVIRONMENT_SSH_PORT, ENVIRONMENT_SSH_PORT); });
    };
    env = { DSTACK_VSC_STATE_DIR: state, HOME: state, PATH: process.env['PATH'] ?? '/usr/bin:/bin', DSTACK_VSC_KUBERNETES: '1', KUBECONFIG: cluster.kubeconfig, DSTACK_VSC_KUBE_NAMESPACE: cluster.namespace };
    writeTree(project, {
      'app.py': 'print(42)\n',
      'dev.dstack.yml': ['type: dev-environment', 'name: kube-run', 'ide: vscode', 'backends: [kubernetes]', 'resources:', '  cpu: 1..', '  memory: 1GB..', '  shm_size: 1GB', 'env:', '  - MY_TOKEN=tok-in-agent-only', 'init:', '  - echo "init ran in $(pwd)" > init.txt', '  - echo "$MY_TOKEN" > token.txt', '  - echo "init says \'hi\' from $DSTACK_RUN_NAME"', ''].join('\n'),
    });
    git(project, 'init', '-q');
    git(project, 'add', 'app.py', 'dev.dstack.yml');
    git(project, 'commit', '-qm', 'init');
  });

  after(async () => {
    for (const s of servers) await s.stop();
    await cluster?.close();
    if (state) rmSync(state, { recursive: true, force: true });
  });

  it('offer, apply to running (agent in the pod), the ssh entry on the local listener, stop deletes the pod', async () => {
    const offers = await cli('offer', '--backend', 'kubernetes', '--json');
    assert.equal(offers.code, 0, offers.err);
    assert.match(offers.out, /gpu-node/);
    assert.match(offers.out, /cpu-node/);

    const applied = await cli('apply', '-f', path.join(project, 'dev.dstack.yml'), '-y', '-d');
    assert.equal(applied.code, 0, applied.out + applied.err);
    const run = await waitForRun(state, 'kube-run', 120_000);
    assert.equal(run?.status, 'running', applied.out + applied.err);
    const instanceId = run?.instanceId ?? assert.fail('no instance');
    const pods = cluster.fake?.createdPods() ?? [];
    assert.equal(pods.length, 1);
    assert.equal((pods[0] as Obj)['metadata']['labels']['dstack-vsc/run'], 'kube-run');
    assert.deepEqual((pods[0] as Obj)['spec']['volumes'], [{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '1024Mi' } }]);
    assert.ok(!JSON.stringify(pods[0]).includes('tok-in-agent-only'), 'the run\'s env is not in the pod spec');
    assert.ok(!JSON.stringify(pods[0]).includes('PRIVATE KEY'), 'the host private key is not in the pod spec');
    assert.equal(cluster.fake?.createdSecrets().length, 1, 'the keys went to a Secret');

    // The agent ran in the "pod": the code was uploaded and init ran in the repo dir.
    const agentDir = path.join(podHome, '.dstack-vsc', instanceId);
    assert.equal(readFileSync(path.join(agentDir, 'repo', 'app.py'), 'utf8'), 'print(42)\n');
    const archive = run?.spec.codeArchive ?? assert.fail('the run carries the code archive approved at apply');
    assert.ok(existsSync(archive));
    assert.equal(readFileSync(path.join(agentDir, 'repo', 'init.txt'), 'utf8'), `init ran in ${agentDir}/repo\n`);
    assert.equal(readFileSync(path.join(agentDir, 'repo', 'token.txt'), 'utf8'), 'tok-in-agent-only\n', 'the agent delivered the run\'s env');

    // The published entry reaches the environment through the local port-forward listener, with the pod's key pinned.
    const paths = sshPaths(state);
    const config = readFileSync(paths.config, 'utf8');
    assert.match(config, /Host kube-run\b[\s\S]*HostName 127\.0\.0\.1/);

    // Init output came back to this machine: `logs` shows it.
    const logs = await cli('logs', 'kube-run');
    assert.equal(logs.code, 0, logs.err);
    assert.match(logs.out, /init says 'hi' from kube-run\n/);

    const stopped = await cli('stop', 'kube-run', '-y');
    assert.equal(stopped.code, 0, stopped.out + stopped.err);
    assert.equal(cluster.fake?.pods.size, 0, 'the pod is deleted');
    assert.equal(cluster.fake?.secrets.size, 0, 'the pod\'s Secret is deleted');
    assert.ok(!existsSync(archive), 'the code archive went with the run');
    assert.ok(!/Host kube-run\b/.test(readFileSync(paths.config, 'utf8')), 'the entry is retracted');

    // The "pod" is this machine: stop what the agent started here (deleting a real pod does it).
    const key = await ensureClientKey(paths.identity);
    const port = servers[0]?.port ?? 0;
    const conn = await connectSsh({ host: '127.0.0.1', port, user: 'root', privateKeys: [key.privateKey] }, { knownHosts: new KnownHosts(path.join(state, 'cleanup_known_hosts'), path.join(state, 'cleanup.lock')) });
    await new HostAgent(conn, instanceId).stop();
    conn.close();
  });
});
