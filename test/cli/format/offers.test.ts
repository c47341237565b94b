import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Availability, BackendId, Offer } from '../../../src/backends/offer';
import { renderGpuTable, renderOffersOutput, renderOffersTable, renderPropsTable } from '../../../src/cli/format/offers';
import { groupGpus } from '../../../src/orchestrator/offers';

const samples = readFileSync(path.join(__dirname, '../../fixtures/offers/offer-samples.txt'), 'utf8');

function section(title: string): string {
  const start = samples.indexOf(`=== ${title}\n`);
  assert.ok(start >= 0, `no section ${title}`);
  const body = samples.slice(start + title.length + 5);
  const end = body.indexOf('\n=== ');
  return (end >= 0 ? body.slice(0, end + 1) : body).replace(/\n+$/, '\n');
}

function offer(backend: string, region: string, instanceType: string, cpus: number, memoryGB: number, gpu: [string, number, number] | null,
  spot: boolean, price: number, availability: Availability = 'unknown', extra: Partial<Offer> = {}): Offer {
  return {
    backend: backend as BackendId, region, instanceType, pricePerHour: price, availability,
    resources: {
      cpuArch: 'x86', cpus, memoryGB, diskGB: 100, spot,
      gpus: gpu ? Array.from({ length: gpu[2] }, () => ({ name: gpu[0], vendor: 'nvidia' as const, memoryGB: gpu[1] })) : [],
    },
    ...extra,
  };
}

/** The five offers of dstack's sample (runpod and gcp are not backends here; the renderer takes any id). */
const SAMPLE_OFFERS: Offer[] = [
  offer('runpod', 'CA-MTL-1', 'NVIDIA RTX A5000', 9, 48, ['A5000', 24, 1], true, 0.11),
  offer('aws', 'us-east-1', 'g5.xlarge', 4, 16, ['A10G', 24, 1], true, 0.3928),
  offer('gcp', 'us-west4', 'g2-standard-4', 4, 16, ['L4', 24, 1], true, 0.2145),
  offer('aws', 'us-east-1', 'g6.xlarge', 4, 16, ['L4', 24, 1], false, 0.805, 'no_quota'),
  offer('remote', 'ssh', 'instance', 32, 256, ['A10G', 24, 4], false, 0, 'idle', { blocks: 1, totalBlocks: 4 }),
];

describe('offers output (dstack layouts)', () => {
  it('renders the offers table with availability column exactly as dstack', () => {
    assert.equal(renderOffersTable(SAMPLE_OFFERS, 5, 0.805), section('offers table (dstack offer style, all rows, with availability column)'));
  });

  it('renders `dstack offer` header rows, table, "Shown N of M offers, $Xmax" footer and the fleet hint', () => {
    const props: [string, string][] = [
      ['Project', 'main'], ['Resources', 'cpu=x86:2.. mem=8GB.. disk=100GB.. gpu=nvidia:24GB:1..'], ['Spot policy', 'on-demand'], ['Max price', 'off'],
    ];
    assert.equal(renderOffersOutput(props, SAMPLE_OFFERS, 120, 12.5), section('dstack offer (header + table + fleet hint)'));
  });

  it('renders the apply plan: its header rows, three offers, `...` and "Shown 3 of 57 offers, $8.67max" (for the apply command)', () => {
    const props: [string, string][] = [
      ['Project', 'main'], ['User', 'admin'], ['Type', 'dev-environment'], ['Resources', 'cpu=x86:2.. mem=8GB.. disk=100GB.. gpu=nvidia:24GB:1..'],
      ['Spot policy', 'on-demand'], ['Max price', 'off'], ['Retry policy', 'off'], ['Idle duration', '5m'], ['Max duration', 'off'], ['Inactivity duration', '2h'],
    ];
    const text = renderPropsTable(props) + renderOffersTable(SAMPLE_OFFERS.slice(0, 3), 57, 8.67);
    assert.equal(text, section('dstack apply plan (max_offers=3 default for apply; 57 total)'));
  });

  it('puts the hint before the table when fewer than 3 offers matched, and warns when none did', () => {
    const out = renderOffersOutput([['Project', 'main']], SAMPLE_OFFERS.slice(1, 2), 1, 0.3928);
    assert.match(out, /^ Project {2}main \n\nHint: Existing fleets are ignored.*\n\n #  BACKEND/);
    assert.ok(!out.includes('Shown'));
    assert.match(renderOffersOutput([['Project', 'main']], [], 0, null), /\nNo matching instance offers available\. Possible reasons: https:\/\/dstack\.ai\/docs\/guides\/troubleshooting\/#no-offers\n$/);
  });

  it('renders the grouped GPU table: per-GPU price range, spot kinds, backends (and regions when grouped by backend)', () => {
    const offers = [
      offer('aws', 'us-east-1', 'g5.xlarge', 4, 16, ['A10G', 24, 1], false, 1.006),
      offer('aws', 'us-east-1', 'g5.12xlarge', 48, 192, ['A10G', 24, 4], false, 5.672),
      offer('aws', 'eu-west-1', 'g5.xlarge', 4, 16, ['A10G', 24, 1], true, 0.5),
      offer('remote', 'ssh', 'host', 32, 256, ['A10G', 24, 4], false, 0, 'busy'),
      offer('aws', 'us-east-1', 'p4d.24xlarge', 96, 1152, ['A100', 40, 8], false, 21.96, 'no_quota'),
    ];
    assert.equal(renderGpuTable(groupGpus(offers)), [
      ' #  GPU             SPOT             $/GPU     BACKENDS           ',
      ' 1  A10G:24GB:1..4  spot, on-demand  0..1.418  aws, ssh           ',
      ' 2  A100:40GB:8     on-demand        2.745     aws       no quota ',
      '',
    ].join('\n'));
    // By backend and region: one row per region; unavailable rows (busy, no quota) last, each part by price per GPU.
    assert.equal(renderGpuTable(groupGpus(offers, ['backend', 'region'])), [
      ' #  GPU             SPOT       $/GPU         BACKEND  REGION              ',
      ' 1  A10G:24GB:1     spot       0.5           aws      eu-west-1           ',
      ' 2  A10G:24GB:1..4  on-demand  1.006..1.418  aws      us-east-1           ',
      ' 3  A10G:24GB:4     on-demand  0             ssh      ssh        busy     ',
      ' 4  A100:40GB:8     on-demand  2.745         aws      us-east-1  no quota ',
      '',
    ].join('\n'));
    assert.throws(() => groupGpus(offers, ['region']), /Cannot group by 'region' without also grouping by 'backend'/);
  });
});
