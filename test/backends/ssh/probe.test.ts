import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { hostOffer, normalizeGpu, parseProbe, PROBE_SCRIPT } from '../../../src/backends/ssh/probe';

function output(parts: Record<string, string>): string {
  return Object.entries(parts).map(([k, v]) => `==${k}\n${v}`).join('\n') + '\n==end\n';
}

const H100x2 = 'NVIDIA H100 80GB HBM3, 81559, GPU-2b79666e-d81f-f3f8-fd47-9903f118c3f5, 550.90.07\nNVIDIA H100 80GB HBM3, 81559, GPU-3c79666e-d81f-f3f8-fd47-9903f118c3f5, 550.90.07\nrc=0';

describe('SSH host probe', () => {
  it('normalizes GPU names as gpuhunt names them, picking the memory variant', () => {
    const cases: Array<[string, number, string, number]> = [
      ['NVIDIA H100 80GB HBM3', 81559, 'H100', 80], ['NVIDIA H100 NVL', 95830, 'H100NVL', 94], ['NVIDIA A100-SXM4-80GB', 81920, 'A100', 80],
      ['NVIDIA A100-SXM4-40GB', 40960, 'A100', 40], ['Tesla T4', 15360, 'T4', 16], ['NVIDIA L40S', 46068, 'L40S', 48], ['NVIDIA A10G', 23028, 'A10G', 24],
      ['NVIDIA GeForce RTX 4090', 24564, 'RTX4090', 24], ['NVIDIA RTX A6000', 49140, 'A6000', 48], ['NVIDIA RTX 6000 Ada Generation', 49140, 'RTX6000Ada', 48],
      ['NVIDIA GH200 480GB', 97871, 'GH200', 96], ['NVIDIA H200', 143771, 'H200', 141], ['NVIDIA Mystery 9000', 10240, 'Mystery9000', 10],
    ];
    for (const [raw, mib, name, gb] of cases) assert.deepEqual(normalizeGpu(raw, mib, 'nvidia'), { name, memoryGB: gb }, raw);
    assert.deepEqual(normalizeGpu('AMD Instinct MI300X', 196592, 'amd'), { name: 'MI300X', memoryGB: 192 });
  });

  it('parses a GPU host with a working docker', () => {
    const f = parseProbe(output({ arch: 'x86_64', cpus: '96', mem_kb: '2113658880', disk_kb: '1048576000', uid: '0', sudo: 'yes', nvidia: H100x2, amd: '', docker: 'ok 27.3.1', podman: '' }));
    assert.equal(f.arch, 'x86');
    assert.equal(f.cpus, 96);
    assert.equal(f.memoryGB, 2016);
    assert.equal(f.diskGB, 1000);
    assert.deepEqual(f.gpus.map((g) => [g.name, g.memoryGB, g.memoryMiB, g.uuid]), [['H100', 80, 81559, 'GPU-2b79666e-d81f-f3f8-fd47-9903f118c3f5'], ['H100', 80, 81559, 'GPU-3c79666e-d81f-f3f8-fd47-9903f118c3f5']]);
    assert.equal(f.runtime, 'docker');
    assert.equal(f.sudo, true);
    const offer = hostOffer('10.201.0.5', f);
    assert.deepEqual([offer.backend, offer.region, offer.pricePerHour, offer.availability, offer.resources.gpus.length], ['remote', '10.201.0.5', 0, 'available', 2]);
    assert.equal(hostOffer('h', f, { pricePerHour: 1.5, busy: true }).availability, 'busy');
  });

  it('treats a docker client without a daemon as no runtime, and says why', () => {
    const f = parseProbe(output({ arch: 'aarch64', cpus: '4', mem_kb: '16000000', disk_kb: '1000', uid: '1000', sudo: 'no', nvidia: '', amd: '',
      docker: 'fail Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?', podman: 'ok 4.3.1' }));
    assert.equal(f.arch, 'arm');
    assert.equal(f.runtime, 'podman');
    assert.deepEqual(f.runtimeNotes, ['docker info failed: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?']);
    assert.equal(f.sudo, false);
  });

  it('ignores nvidia-smi without a driver and reads AMD GPUs from amd-smi (ROCm 6 and 7) and rocm-smi', () => {
    const noDriver = 'NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\nrc=9';
    const rocm6 = JSON.stringify([{ gpu: 0, asic: { market_name: 'MI300X' }, vram: { size: { value: 196592, unit: 'MB' } } }]);
    const rocm7 = JSON.stringify({ gpu_data: [{ gpu: 0, asic: { market_name: 'AMD Instinct MI300X' }, vram: { size: { value: 196592, unit: 'MB' } } }] });
    const rocmSmi = JSON.stringify({ card0: { 'Card series': 'AMD Instinct MI250X', 'VRAM Total Memory (B)': '68719476736' }, system: { x: '1' } });
    for (const amd of [rocm6, rocm7]) {
      const f = parseProbe(output({ arch: 'x86_64', cpus: '1', mem_kb: '1', disk_kb: '1', nvidia: noDriver, amd }));
      assert.deepEqual(f.gpus.map((g) => [g.vendor, g.name, g.memoryGB]), [['amd', 'MI300X', 192]]);
    }
    const f = parseProbe(output({ arch: 'x86_64', cpus: '1', mem_kb: '1', disk_kb: '1', nvidia: '', amd: rocmSmi }));
    assert.deepEqual(f.gpus.map((g) => [g.name, g.memoryGB]), [['MI250X', 128]]);
  });

  it('runs as a POSIX sh script on this machine (dash and bash)', () => {
    for (const sh of ['sh', 'bash']) {
      const f = parseProbe(execFileSync(sh, ['-c', PROBE_SCRIPT], { encoding: 'utf8' }));
      assert.ok(f.cpus >= 1 && f.memoryGB >= 1 && f.arch !== null, JSON.stringify(f));
    }
  });
});
