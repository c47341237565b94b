import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { EnvironmentSampler, environmentPids, NVIDIA_SMI_ARGS, parseNvidiaSmi, parseProcStat, queryGpus } from '../../../src/backends/local/metrics';
import { fakeNvidiaSmiDir } from '../../harness/fake-gpus';

const MIB = 1024 * 1024;

describe('local agent metrics', function () {
  this.timeout(20_000);

  it('parses nvidia-smi csv,noheader,nounits (util, used MiB, total MiB), skipping what does not parse', () => {
    assert.deepEqual(NVIDIA_SMI_ARGS, ['--query-gpu=utilization.gpu,memory.used,memory.total', '--format=csv,noheader,nounits']);
    assert.deepEqual(parseNvidiaSmi('37, 300, 24576\n0, 0, 81920\n[N/A], 1, 2\n\n'), [
      { utilizationPercent: 37, memoryUsedBytes: 300 * MIB, memoryTotalBytes: 24576 * MIB },
      { utilizationPercent: 0, memoryUsedBytes: 0, memoryTotalBytes: 81920 * MIB },
    ]);
  });

  it('queries the nvidia-smi on PATH (the harness fake), and reports nothing when it fails or is missing', async () => {
    const dir = fakeNvidiaSmiDir([{ name: 'NVIDIA A10G', totalMiB: 24576, usedMiB: 307, util: 42 }, { name: 'NVIDIA A10G', totalMiB: 24576, usedMiB: 0, util: 0 }]);
    assert.deepEqual(await queryGpus({ ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` }), [
      { utilizationPercent: 42, memoryUsedBytes: 307 * MIB, memoryTotalBytes: 24576 * MIB },
      { utilizationPercent: 0, memoryUsedBytes: 0, memoryTotalBytes: 24576 * MIB },
    ]);
    const noDriver = fakeNvidiaSmiDir(null);
    assert.equal(await queryGpus({ ...process.env, PATH: `${noDriver}:${process.env.PATH ?? ''}` }), undefined);
    assert.equal(await queryGpus({ ...process.env, PATH: '/nonexistent' }), undefined);
  });

  it('parses /proc/<pid>/stat with spaces and parentheses in the command name', () => {
    const fields = ['S', '7', '7', '7', '0', '-1', '4194560', '100', '0', '0', '0', '250', '50', '0', '0', '20', '0', '1', '0', '1000', '1000', '50'];
    assert.deepEqual(parseProcStat(`42 (a (weird) name) ${fields.join(' ')}`), { pid: 42, ppid: 7, pgrp: 7, ticks: 300 });
    assert.equal(parseProcStat('garbage'), null);
  });

  it("the environment is the root's descendants plus its process group (orphans of init), not the root", () => {
    const p = (pid: number, ppid: number, pgrp: number) => ({ pid, ppid, pgrp, ticks: 0 });
    const procs = [p(1, 0, 1), p(100, 1, 100), p(101, 100, 100), p(102, 101, 100), p(103, 1, 100), p(104, 1, 104), p(105, 100, 105)];
    assert.deepEqual([...environmentPids(procs, 100)].sort(), [101, 102, 103, 105]);
  });

  it('samples a busy process tree: CPU from the utime+stime delta, RSS and MemTotal', async function () {
    if (process.platform !== 'linux') this.skip();
    const root = spawn('sh', ['-c', 'sh -c "while :; do :; done" & wait'], { stdio: 'ignore', detached: true });
    try {
      const sampler = new EnvironmentSampler(root.pid as number, { PATH: '/nonexistent' });
      const first = await sampler.sample();
      assert.equal(first.cpuPercent, undefined, 'the first sample has no delta');
      await new Promise((r) => setTimeout(r, 1500));
      const second = await sampler.sample();
      assert.ok((second.cpuPercent ?? 0) > 10, `busy loop uses CPU: ${second.cpuPercent}`);
      assert.ok((second.memoryUsedBytes ?? 0) > 0);
      assert.ok((second.memoryTotalBytes ?? 0) > (second.memoryUsedBytes ?? 0));
      assert.equal(second.gpus, undefined);
    } finally {
      process.kill(-(root.pid as number), 'SIGKILL'); // the root leads its own group: the busy loop goes with it
    }
  });
});
