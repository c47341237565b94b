// The Apply lens title from the offers engine over the real offline catalog and a local offer.
import { strict as assert } from 'node:assert';
import { catalogOffers } from '../../../src/backends/catalog';
import { localOfferFor } from '../../../src/backends/local/offers';
import { applyLensSummary } from '../../../src/schema/completion';

const LOCAL = localOfferFor({ hostname: 'box', cpus: 8, arch: 'x64', totalMemoryBytes: 32 * 2 ** 30, freeDiskBytes: 500 * 2 ** 30 });

describe('applyLensSummary', () => {
  it('a GPU dev environment: cheapest catalog offer with that GPU, and the count', () => {
    const s = applyLensSummary('type: dev-environment\nide: vscode\nresources:\n  gpu: A10G\n', LOCAL)!;
    assert.equal(s.status, 'offers');
    const a10g = catalogOffers('aws').filter((o) => o.resources.gpus[0]?.name === 'A10G');
    const cheapest = Math.min(...a10g.map((o) => o.pricePerHour));
    assert.equal(s.cheapest?.pricePerHour, cheapest);
    assert.equal(s.cheapest?.resources.gpus[0]?.name, 'A10G');
    assert.ok(s.offerCount > 0 && s.offerCount <= a10g.length);
    assert.match(s.title, new RegExp(`^Apply · cheapest \\$${Number(cheapest.toFixed(3))}/h \\dxA10G on aws · ${s.offerCount} offers$`));
  });

  it('a CPU-only request the local machine fits: the local offer at $0 is the cheapest', () => {
    const s = applyLensSummary('type: dev-environment\nide: vscode\nimage: ubuntu\nresources:\n  cpu: 2..\n  memory: 8GB..\n  disk: 50GB..\n', LOCAL)!;
    assert.equal(s.cheapest?.backend, 'local');
    assert.match(s.title, /^Apply · cheapest \$0\/h no GPU on local · \d+ offers$/);
  });

  it('backends: [aws] leaves the local offer out', () => {
    const s = applyLensSummary('type: dev-environment\nide: vscode\nimage: ubuntu\nbackends: [aws]\nresources:\n  disk: 50GB..\n', LOCAL)!;
    assert.equal(s.cheapest?.backend, 'aws');
  });

  it('nothing matches', () => {
    const s = applyLensSummary('type: dev-environment\nide: vscode\nresources:\n  gpu: H100:16\n', LOCAL)!;
    assert.deepEqual([s.status, s.title], ['no-offers', 'Apply · no offers match']);
  });

  it('an invalid file says how many problems to fix', () => {
    const s = applyLensSummary('type: dev-environment\nide: vscod\nmax_duration: 2H\n', LOCAL)!;
    assert.deepEqual([s.status, s.title], ['invalid', 'Apply · 2 problems to fix first']);
  });

  it('no lens for other configuration types', () => {
    assert.equal(applyLensSummary('type: task\ncommands: [echo]\n', LOCAL), undefined);
    assert.equal(applyLensSummary('type: fleet\nnodes: 1\n', LOCAL), undefined);
  });
});
