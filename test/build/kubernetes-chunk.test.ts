// The BUILT Kubernetes chunk (dist/kubernetes.js, @kubernetes/client-node inlined) loads and works under the
// Node that runs the tests (Node 20 in CI, as in VS Code 1.100's extension host): `dstack-vsc offer` of the built
// CLI lists the fake API server's nodes through it. client-node 2.x crashes on import under Node 20, so a
// dependency bump that breaks Node 20 fails here. The two bundles are copied alone into a temp folder, as in the
// packaged extension (no node_modules beside them). Needs `npm run build` first (CI builds before the unit tests).

import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './temp-copy';
import { FakeKube } from '../backends/kubernetes/fake-kube/server';
import { addStandardNodes, writeKubeconfig } from '../backends/kubernetes/harness';

const DIST = path.join(ROOT, 'dist');

describe(`the built Kubernetes chunk under this Node (${process.version})`, function () {
  this.timeout(60_000);
  let fake: FakeKube;
  let dir: string;

  before(async () => {
    for (const f of ['cli.js', 'kubernetes.js']) assert.ok(fs.existsSync(path.join(DIST, f)), `dist/${f} is missing: run \`npm run build\` first`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dvs-kube-chunk-'));
    fs.mkdirSync(path.join(dir, 'dist'));
    for (const f of ['cli.js', 'kubernetes.js']) fs.copyFileSync(path.join(DIST, f), path.join(dir, 'dist', f));
    fake = await FakeKube.start({ token: 'dstack-vsc-test-token' });
    addStandardNodes(fake);
  });
  after(async () => {
    await fake?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('dist/cli.js loads dist/kubernetes.js and lists the cluster\'s nodes as offers', async () => {
    const kubeconfig = writeKubeconfig(dir, fake.url);
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, DSTACK_VSC_STATE_DIR: path.join(dir, 'state'), DSTACK_VSC_KUBERNETES: '1', KUBECONFIG: kubeconfig };
    // Asynchronous: the fake API server answers from this process's event loop.
    const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
      execFile(process.execPath, [path.join(dir, 'dist', 'cli.js'), 'offer', '--backend', 'kubernetes', '--json'], { cwd: dir, env }, (err, out, errOut) => {
        resolve({ stdout: out, stderr: errOut, code: err ? Number((err as { code?: unknown }).code ?? 1) : 0 });
      });
    });
    assert.equal(code, 0, `dstack-vsc offer failed:\n${stderr}${stdout}`);
    const { offers } = JSON.parse(stdout) as { offers: { backend: string; region: string; instance_type: string; resources: { gpus: { name: string }[] } }[] };
    assert.deepEqual(offers.map((o) => o.instance_type).sort(), ['cpu-node', 'gpu-node'], 'the node with an untolerated taint offers nothing');
    assert.ok(offers.every((o) => o.backend === 'kubernetes' && o.region === 'fake'), stdout);
    assert.deepEqual(offers.find((o) => o.instance_type === 'gpu-node')?.resources.gpus.map((g) => g.name), ['H100', 'H100', 'H100', 'H100']);
    assert.ok(fake.received.some((r) => r.method === 'GET' && r.path === '/api/v1/nodes'), 'the nodes were listed over HTTP by the bundled client-node');
  });
});
