import { strict as assert } from 'node:assert';
import { formatBytes, metricsJson, renderMetricsTable, sparkline } from '../../../src/cli/format/metrics';

const GIB = 1024 ** 3;

describe('metrics format', () => {
  it("sparklines and memory figures as dstack's metrics shows them", () => {
    assert.equal(sparkline([0, 0.2, 0.5, 0.99, 1, 2, -1]), '▁▂▄▇▇▇▁');
    assert.deepEqual([formatBytes(0.3 * GIB), formatBytes(31.4 * GIB), formatBytes(24 * GIB), formatBytes(579.4 * GIB), formatBytes(51 * 1024 * 1024)], ['0.3GB', '31.4GB', '24GB', '579GB', '51MB']);
  });

  it('renders the label, cpu and gpu=<i> rows with UTILIZATION and MEMORY (CPU divided by the CPUs) and the time axis', () => {
    const s = (at: number, cpu: number, util: number) => ({
      at, cpuPercent: cpu, memoryUsedBytes: 1.2 * GIB, memoryTotalBytes: 31.4 * GIB, gpus: [{ utilizationPercent: util, memoryUsedBytes: 0.3 * GIB, memoryTotalBytes: 24 * GIB }],
    });
    const out = renderMetricsTable([s(1_754_486_040, 400, 0), s(1_754_486_050, 132, 100)], 4);
    const lines = out.split('\n');
    assert.match(lines[0] ?? '', /^ {8,}UTILIZATION +MEMORY/);
    assert.match(lines[1] ?? '', /^ job=0 +cpu +▇▃ 33% +▁▁ 1\.2GB\/31\.4GB/);
    assert.match(lines[2] ?? '', /^ job=0 +gpu=0 +▁▇ 100% +▁▁ 0\.3GB\/24GB/);
    assert.match(lines[3] ?? '', /^ +\d{1,2} Aug \d\d:\d\d ┄┄┄ now/);
    assert.equal(renderMetricsTable([{ at: 1 }], 2).split('\n')[1]?.trim().replace(/ +/g, ' '), 'job=0 cpu - -');
  });

  it("--json uses dstack's metric names", () => {
    assert.deepEqual(metricsJson([{ at: 0, cpuPercent: 5, memoryUsedBytes: 1, memoryTotalBytes: 2, gpus: [{ utilizationPercent: 7, memoryUsedBytes: 3, memoryTotalBytes: 4 }] }], 2), [{
      timestamp: '1970-01-01T00:00:00.000Z', cpus_detected_num: 2, cpu_usage_percent: 5, memory_usage_bytes: 1, memory_total_bytes: 2, gpus_detected_num: 1,
      gpu_util_percent_gpu0: 7, gpu_memory_usage_bytes_gpu0: 3, gpu_memory_total_bytes_gpu0: 4,
    }]);
  });
});
