// The agent's metrics file as HostAgent.status reads it, the generated env.sh of both modes as the real
// sh parses it, and the container's run line (labels, host network, read-only agent dir, no secrets).

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseMetrics } from '../../../../src/backends/ssh/agent/host-agent';
import { BARE_ENV_SH, containerEnvSh } from '../../../../src/backends/ssh/agent/environment-scripts';
import { AGENT_SH } from '../../../../src/backends/ssh/agent/scripts';

describe('SSH host agent: metrics and scripts', () => {
  it('parses a metrics sample (MiB → bytes per GPU), and nothing before the first sample', () => {
    assert.deepEqual(parseMetrics('state=ready\nat=1700000000\ncpu=12.5\nmem_used=1048576\nmem_total=8589934592\ngpu=37,1234,46068\ngpu=91,20480,46068\n'), {
      at: 1700000000, cpuPercent: 12.5, memoryUsedBytes: 1048576, memoryTotalBytes: 8589934592,
      gpus: [
        { utilizationPercent: 37, memoryUsedBytes: 1234 * 2 ** 20, memoryTotalBytes: 46068 * 2 ** 20 },
        { utilizationPercent: 91, memoryUsedBytes: 20480 * 2 ** 20, memoryTotalBytes: 46068 * 2 ** 20 },
      ],
    });
    assert.deepEqual(parseMetrics('at=5\nmem_total=100\ngpu=[N/A],1,2\n'), { at: 5, memoryTotalBytes: 100 });
    assert.equal(parseMetrics('state=init\nidle_secs=3\n'), null);
  });

  it('generates scripts the real sh parses, in both modes', () => {
    const container = containerEnvSh(
      { runtime: 'podman', image: "img'$(x)", privileged: true, gpus: true, shmSizeBytes: 1 << 30, imageCommands: [], venvDir: null },
      { installation: "inst'1", runName: 'run $(x)', instanceId: 'abc-1' }, '/root/.dstack-vsc/abc-1');
    for (const text of [AGENT_SH, BARE_ENV_SH, container]) {
      const r = spawnSync('sh', ['-n'], { input: text });
      assert.equal(r.status, 0, r.stderr.toString());
    }
    assert.match(container, /--label 'dev\.dstack-vsc\.installation=inst'\\''1' --label 'dev\.dstack-vsc\.run=run \$\(x\)' --label 'dev\.dstack-vsc\.instance=abc-1'/);
    assert.match(container, /--network host -v '\/root\/\.dstack-vsc\/abc-1:\/root\/\.dstack-vsc\/abc-1:ro' -v '\/root\/\.dstack-vsc\/abc-1\/repo:\/root\/\.dstack-vsc\/abc-1\/repo'/);
    assert.match(container, /--privileged --shm-size 1073741824/);
    assert.match(container, /^IMAGE='img'\\''\$\(x\)'$/m);
  });

  it('bare mode starts only once the environment\'s sshd listens; an sshd that exits fails the start with its log', function () {
    this.timeout(20_000);
    const dir = mkdtempSync(path.join(tmpdir(), 'dvs-bare-start-'));
    try {
      const listening = /conns_listening\(\) \{[\s\S]*?\n\}/.exec(AGENT_SH)?.[0];
      assert.ok(listening, 'the agent defines conns_listening');
      writeFileSync(path.join(dir, 'env.sh'), BARE_ENV_SH);
      const start = (sshd: string): { rc: number | null; out: string } => {
        writeFileSync(path.join(dir, 'sshd'), `#!/bin/sh\n${sshd}\n`);
        chmodSync(path.join(dir, 'sshd'), 0o755);
        const port = 20000 + Math.floor(Math.random() * 20000);
        const script = `D=${dir}; PORT=${port}\n${listening}\n. "$D/env.sh"\nenv_start; rc=$?; kill "$(cat "$D/sshd.pid")" 2>/dev/null; exit $rc\n`;
        const r = spawnSync('sh', ['-c', script], { env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}`, PORT: String(port) }, encoding: 'utf8' });
        return { rc: r.status, out: r.stdout + r.stderr };
      };
      const failed = start('echo "Missing privilege separation directory: /run/sshd" >&2; exit 255');
      assert.equal(failed.rc, 125);
      assert.match(failed.out, /the environment's sshd exited:\nMissing privilege separation directory: \/run\/sshd/);
      const listens = start(`exec ${JSON.stringify(process.execPath)} -e "require('net').createServer().listen(Number(process.env.PORT), '127.0.0.1'); setTimeout(() => {}, 60000)"`);
      assert.equal(listens.rc, 0, listens.out);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
