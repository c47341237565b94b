// An image the kubelet cannot use, end to end through the CLI: `apply` shows the refused attempt naming the image
// and the kubelet's reason and ends the run (dstack's creating_container_error: `error`, "runner error" in ps -v),
// and `logs` shows the same message. An invalid image name contacts no registry, so this runs on a real cluster too.

import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../src/cli/run-cli';
import { Store } from '../../../src/orchestrator/store/store';
import { addStandardNodes, openCluster, type Cluster } from './harness';

describe('Kubernetes: an image that cannot be used, through the CLI', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let state: string;

  async function cli(env: NodeJS.ProcessEnv, cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runCli(argv, { stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, env, cwd, confirm: () => Promise.resolve(false) });
    return { code, out, err };
  }

  before(async () => {
    cluster = await openCluster();
    if (cluster.fake) addStandardNodes(cluster.fake);
    state = mkdtempSync(path.join(tmpdir(), 'dvs-kube-image-'));
  });
  after(async () => {
    await cluster?.close();
    if (state) rmSync(state, { recursive: true, force: true });
  });

  it('apply names the image and InvalidImageName, the run ends as an error, and logs show why', async () => {
    const project = path.join(state, 'project');
    mkdirSync(project);
    writeFileSync(path.join(project, 'dev.dstack.yml'), ['type: dev-environment', 'name: bad-image', 'ide: vscode', 'image: dstack-vsc/Not-Lowercase:1', 'backends: [kubernetes]', 'resources:', '  cpu: 1..', '  memory: 1GB..', '  disk: 10GB..', ''].join('\n'));
    const env: NodeJS.ProcessEnv = {
      DSTACK_VSC_STATE_DIR: path.join(state, 'state'), HOME: state, PATH: process.env['PATH'] ?? '/usr/bin:/bin', DSTACK_VSC_KUBERNETES: '1',
      KUBECONFIG: cluster.kubeconfig, DSTACK_VSC_KUBE_NAMESPACE: cluster.namespace, ...(cluster.context ? { DSTACK_VSC_KUBE_CONTEXT: cluster.context } : {}),
    };
    const applied = await cli(env, project, 'apply', '-f', path.join(project, 'dev.dstack.yml'), '-y', '--no-repo');
    assert.notEqual(applied.code, 0, applied.out + applied.err);
    assert.match(applied.out, /Offer 1: kubernetes \([^)]+\) \S+ \$0: created\n/);
    assert.match(applied.out, /Offer 1: kubernetes \([^)]+\) \S+ \$0: invalid: kubernetes: cannot pull image dstack-vsc\/Not-Lowercase:1 for pod dstack-vsc-\S+ \([^)]+\): InvalidImageName: /);
    if (cluster.fake) assert.match(applied.out, / 2 +kubernetes \(fake\) /, 'two nodes are offered');
    assert.doesNotMatch(applied.out, /Offer 2:/, 'no other node is tried: the image is the problem');
    const run = (await new Store(env['DSTACK_VSC_STATE_DIR'] as string).read()).runs.find((r) => r.name === 'bad-image');
    assert.equal(run?.jobTerminationReason, 'creating_container_error');
    const ps = await cli(env, project, 'ps', '-v');
    assert.match(ps.out, /bad-image .*error .*runner error/);
    const logs = await cli(env, project, 'logs', 'bad-image');
    assert.equal(logs.code, 0, logs.err);
    assert.match(logs.out, /^kubernetes: cannot pull image dstack-vsc\/Not-Lowercase:1 for pod .*InvalidImageName: .*Check `image` in the configuration/m);
    if (cluster.fake) assert.equal([...cluster.fake.pods.keys()].filter((k) => k.startsWith(`${cluster.namespace}/`)).length, 0, 'the pod is deleted');
  });
});
