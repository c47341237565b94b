// The Apply lens title from given backend offer lists (what the configured backends listed), never from a catalog of
// its own: a backend that listed nothing is never named.
import { strict as assert } from 'node:assert';
import { catalogOffers } from '../../../src/backends/catalog';
import { localOfferFor } from '../../../src/backends/local/offers';
import { applyLensRequest, applyLensSummary, summarizeOffers } from '../../../src/schema/completion';
import { makeOffer } from '../../orchestrator/offers/helpers';

const LOCAL = localOfferFor({ hostname: 'box', cpus: 8, arch: 'x64', totalMemoryBytes: 32 * 2 ** 30, freeDiskBytes: 500 * 2 ** 30 })!;
const L40S = (type: string, price: number, availability: 'available' | 'busy' | 'no_quota' = 'available') =>
  makeOffer({ backend: 'fake', region: 'fake-1', type, cpus: 8, memoryGB: 64, diskGB: 200, gpu: { name: 'L40S', memoryGB: 48, count: 1 }, price, availability });
const FAKE = [L40S('fake.l40s.small', 1.25), L40S('fake.l40s.big', 2.5), makeOffer({ backend: 'fake', region: 'fake-1', type: 'fake.cpu', cpus: 4, memoryGB: 16, price: 0.1, availability: 'available' })];
const GPU_FILE = 'type: dev-environment\nide: vscode\nresources:\n  gpu: L40S\n';
const CPU_FILE = 'type: dev-environment\nide: vscode\nimage: ubuntu\nresources:\n  cpu: 2..\n  memory: 8GB..\n  disk: 50GB..\n';

describe('applyLensSummary', () => {
  it('names the cheapest matching offer of the given lists, its backend and the number that match', () => {
    const s = applyLensSummary(GPU_FILE, [[LOCAL], FAKE])!;
    assert.equal(s.status, 'offers');
    assert.equal(s.cheapest?.instanceType, 'fake.l40s.small');
    assert.equal(s.offerCount, 2);
    assert.equal(s.title, 'Apply · cheapest $1.25/h 1xL40S on fake · 2 offers');
  });

  it('with only the local backend configured (AWS off), a GPU request has no matching offers, and no aws is named', () => {
    const s = applyLensSummary('type: dev-environment\nide: vscode\nresources:\n  gpu: A10G\n', [[LOCAL]])!;
    assert.deepEqual([s.status, s.title, s.offerCount], ['no-offers', 'Apply · no matching offers', 0]);
  });

  it('a CPU-only request the local machine fits: the local offer at $0 is the cheapest', () => {
    const s = applyLensSummary(CPU_FILE, [[LOCAL], FAKE])!;
    assert.equal(s.cheapest?.backend, 'local');
    assert.equal(s.title, 'Apply · cheapest $0/h no GPU on local · 4 offers', 'the local, fake CPU and both L40S offers fit');
  });

  it('backends: [...] leaves the other backends\' offers out, as apply does', () => {
    const node = makeOffer({ backend: 'kubernetes', region: 'cluster', type: 'node-1', cpus: 16, memoryGB: 64, price: 0.2, availability: 'available' });
    const s = applyLensSummary(CPU_FILE.replace('image: ubuntu\n', 'image: ubuntu\nbackends: [kubernetes]\n'), [[LOCAL], FAKE, [node]])!;
    assert.equal(s.title, 'Apply · cheapest $0.2/h no GPU on kubernetes · 1 offer');
  });

  it('the cheapest offer Apply would provision: unavailable offers are skipped, and said so when none is left', () => {
    const someBusy = applyLensSummary(GPU_FILE, [[L40S('busy.host', 0.5, 'busy'), L40S('fake.l40s.big', 2.5)]])!;
    assert.equal(someBusy.title, 'Apply · cheapest $2.5/h 1xL40S on fake · 2 offers');
    const allBusy = applyLensSummary(GPU_FILE, [[L40S('a', 0.5, 'busy'), L40S('b', 0.7, 'no_quota')]])!;
    assert.deepEqual([allBusy.status, allBusy.title, allBusy.cheapest], ['unavailable', 'Apply · 2 offers, none available now', undefined]);
  });

  it('over the offline AWS catalog as one backend\'s list: its cheapest A10G', () => {
    const aws = catalogOffers('aws');
    const s = applyLensSummary('type: dev-environment\nide: vscode\nresources:\n  gpu: A10G\n', [aws, [LOCAL]])!;
    const cheapest = Math.min(...aws.filter((o) => o.resources.gpus[0]?.name === 'A10G').map((o) => o.pricePerHour));
    assert.equal(s.cheapest?.pricePerHour, cheapest);
    assert.match(s.title, new RegExp(`^Apply · cheapest \\$${Number(cheapest.toFixed(3))}/h \\dxA10G on aws · ${s.offerCount} offers$`));
  });

  it('an invalid file says how many problems to fix, without offers', () => {
    const s = applyLensSummary('type: dev-environment\nide: vscod\nmax_duration: 2H\n', [FAKE])!;
    assert.deepEqual([s.status, s.title], ['invalid', 'Apply · 2 problems to fix first']);
  });

  it('no lens for other configuration types', () => {
    assert.equal(applyLensSummary('type: task\ncommands: [echo]\n', [FAKE]), undefined);
    assert.equal(applyLensSummary('type: fleet\nnodes: 1\n', [FAKE]), undefined);
  });
});

describe('applyLensRequest', () => {
  it('the requirements apply plans with, keyed so that equal requirements share their offers', () => {
    const a = applyLensRequest(GPU_FILE);
    const b = applyLensRequest('# a comment\ntype: dev-environment\nname: other\nide: vscode\ninit: [echo hi]\nresources: {gpu: L40S}\n');
    const c = applyLensRequest(GPU_FILE.replace('L40S', 'L40S:2'));
    assert.ok(a?.kind === 'offers' && b?.kind === 'offers' && c?.kind === 'offers');
    assert.equal(a.key, b.key, 'name, init and formatting do not change the offers');
    assert.notEqual(a.key, c.key);
    assert.deepEqual(a.requirements.resources.gpu?.name, ['L40S']);
    assert.equal(a.requirements.spot, false, 'spot_policy defaults to on-demand, as in apply');
    assert.equal(summarizeOffers(a.requirements, [FAKE]).title, applyLensSummary(GPU_FILE, [FAKE])!.title);
  });

  it('an invalid file needs no offers', () => {
    assert.equal(applyLensRequest('type: dev-environment\nide: vscod\n')?.kind, 'summary');
    assert.equal(applyLensRequest('type: service\nport: 80\ncommands: [x]\n'), undefined);
  });
});
