// `metrics NAME` for real on the local backend: the agent samples its environment (an init that leaves a
// busy loop running) and the fake nvidia-smi on its PATH; the scheduler keeps the samples; `metrics`
// prints dstack's layout and `--json` dstack's metric names.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../orchestrator/helpers';
import { fakeNvidiaSmiDir } from '../harness/fake-gpus';
import { cli } from './cli-process';
import { waitForRun } from './wait-run';

interface Sample { cpu_usage_percent?: number; memory_usage_bytes?: number; memory_total_bytes?: number; gpus_detected_num: number; gpu_util_percent_gpu0?: number; gpu_memory_total_bytes_gpu0?: number }

describe('cli metrics (local backend, real samples)', function () {
  this.timeout(90_000);
  let env: Record<string, string>;
  const name = `metrics-${process.pid}`;

  before(async () => {
    const dir = tempDir('dstack-vsc-metrics-');
    const gpus = fakeNvidiaSmiDir([{ name: 'NVIDIA A10G', totalMiB: 24576, usedMiB: 307, util: 42 }]);
    env = { HOME: dir, DSTACK_VSC_STATE_DIR: path.join(dir, 'state'), DSTACK_VSC_USER_SSH_CONFIG: path.join(dir, 'ssh_config'), PATH: `${gpus}:${process.env.PATH ?? ''}` };
    const file = path.join(dir, 'm.dstack.yml');
    fs.writeFileSync(file, `type: dev-environment\nname: ${name}\nide: vscode\nresources:\n  cpu: 1..\n  memory: 1GB..\n  disk: 1GB..\ninit:\n  - "(while :; do :; done) &"\n`);
    const apply = cli(['apply', '-f', file, '-y', '-d', '--no-repo'], env);
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.equal((await waitForRun(env['DSTACK_VSC_STATE_DIR'] as string, name)).status, 'running');
  });
  after(() => { cli(['stop', name, '-x', '-y'], env); });

  it('shows CPU > 0 for an environment that burns CPU, its memory, and the GPU nvidia-smi reports', async () => {
    let last: Sample | undefined;
    for (let i = 0; i < 40 && !(last?.cpu_usage_percent !== undefined && last.cpu_usage_percent > 0); i++) {
      const r = cli(['metrics', name, '--json'], env);
      assert.equal(r.code, 0, r.stderr);
      const json = JSON.parse(r.stdout) as { name: string; status: string; metrics: Sample[] };
      assert.equal(json.name, name);
      last = json.metrics.at(-1);
      if (!(last?.cpu_usage_percent)) await new Promise((res) => setTimeout(res, 1000));
    }
    assert.ok(last, 'a sample was kept');
    assert.ok((last.cpu_usage_percent ?? 0) > 0, `cpu: ${JSON.stringify(last)}`);
    assert.ok((last.memory_usage_bytes ?? 0) > 0 && (last.memory_total_bytes ?? 0) > (last.memory_usage_bytes ?? 0));
    assert.equal(last.gpus_detected_num, 1);
    assert.equal(last.gpu_util_percent_gpu0, 42);
    assert.equal(last.gpu_memory_total_bytes_gpu0, 24576 * 1024 * 1024);

    const table = cli(['metrics', name], env);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.split('\n');
    assert.match(lines[0] ?? '', /^ +UTILIZATION +MEMORY/);
    assert.match(lines[1] ?? '', /^ job=0 +cpu +[▁▂▃▄▅▆▇]+ [1-9]\d*% +[▁▂▃▄▅▆▇]+ \d+(\.\d)?(MB|GB)\/\d+(\.\d)?GB/);
    assert.match(lines[2] ?? '', /^ job=0 +gpu=0 +[▁▂▃▄▅▆▇]+ 42% +[▁▂▃▄▅▆▇]+ 0\.3GB\/24GB/);
    assert.match(lines[3] ?? '', /^ +\d{1,2} [A-Z][a-z]{2} \d\d:\d\d ┄+ now/);
    assert.match(cli(['ps', '-v'], env).stdout, new RegExp(`${name} .* running`));
  });

  it('an unknown run is an error naming it', () => {
    const r = cli(['metrics', 'no-such-run'], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no-such-run/);
  });
});
