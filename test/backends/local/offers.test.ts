import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import { cpuArchOf, localOffer, localOfferFor } from '../../../src/backends/local/offers';

describe('local offer', () => {
  it('describes a machine the way dstack does: MiB-rounded GB, no GPU, on-demand, $0, available', () => {
    const offer = localOfferFor({ hostname: 'box', cpus: 16, arch: 'arm64', totalMemoryBytes: 64 * 2 ** 30 + 12345, freeDiskBytes: 500 * 2 ** 30 });
    assert.deepEqual(offer, {
      backend: 'local', region: 'local', instanceType: 'box', pricePerHour: 0, availability: 'available',
      resources: { cpuArch: 'arm', cpus: 16, memoryGB: 64, diskGB: 500, gpus: [], spot: false },
    });
    assert.equal(localOfferFor({ hostname: 'x', cpus: 1, arch: 'ia32', totalMemoryBytes: 1, freeDiskBytes: 1 }), null);
    assert.equal(cpuArchOf('x64'), 'x86');
  });

  it('reads this machine: its cpu count, memory and the free space of the disk', async () => {
    const offer = await localOffer(os.tmpdir());
    assert.ok(offer, 'this test machine is x86_64 or arm64');
    assert.equal(offer.resources.cpus, os.availableParallelism());
    assert.ok(Math.abs(offer.resources.memoryGB - os.totalmem() / 2 ** 30) < 0.001);
    assert.ok(offer.resources.diskGB > 0);
    assert.equal(offer.instanceType, os.hostname());
  });
});
