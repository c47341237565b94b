import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { catalogOffers } from '../../src/backends/catalog';
import type { Offer } from '../../src/backends/offer';
import { runCli } from '../../src/cli/run-cli';

const ROOT = path.resolve(__dirname, '../..');

async function cli(argv: string[], cwd = ROOT): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, env: {}, cwd, confirm: async () => false,
  });
  return { code, out, err };
}

/** Offer JSON rows as `instance_type region price` lines, for comparing whole lists with the catalog's. */
function rows(offers: { instance_type: string; region: string; price: number }[]): string[] {
  return offers.map((o) => `${o.instance_type} ${o.region} ${o.price}`);
}

/** The AWS catalog offers that satisfy `keep`, in the catalog's price order, as `rows` lines. */
function catalogRows(keep: (o: Offer) => boolean): string[] {
  return catalogOffers('aws').filter(keep).map((o) => `${o.instanceType} ${o.region} ${o.pricePerHour}`);
}

/** `offer -b aws --json` over every catalog offer (no display limit) with extra flags. */
async function awsOffers(flags: string[]): Promise<{ requirements: { resources: Record<string, any>; spot: boolean | null }; offers: any[]; total_offers: number }> {
  const { code, out, err } = await cli(['offer', '-b', 'aws', '--max-offers', '100000', '--json', ...flags]);
  assert.equal(code, 0, err);
  return JSON.parse(out);
}

describe('dstack-vsc offer', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'offer-cli-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the header rows, the cheapest offers, the "Shown N of M" footer and the fleet hint', async () => {
    const { code, out } = await cli(['offer', '--backend', 'aws', '--max-offers', '3']);
    assert.equal(code, 0);
    const lines = out.split('\n');
    assert.deepEqual(lines.slice(0, 5).map((l) => l.trimEnd()), [
      ' Project      main', ' Resources    cpu=1.. mem=0GB.. gpu=0..', ' Spot policy  auto', ' Max price    off', '',
    ]);
    assert.equal(lines[5], ' #  BACKEND          RESOURCES                   INSTANCE TYPE  PRICE     ');
    assert.equal(lines[6], ' 1  aws (us-east-1)  cpu=2 mem=0.5GB disk=100GB  t3.nano        $0.0052   ');
    assert.match(lines[9]!, /^ {4}\.\.\. +$/);
    assert.match(lines[10]!, /^ Shown 3 of \d+ offers, \$55\.04max$/);
    assert.equal(lines[12], 'Hint: Existing fleets are ignored, and all available offers are shown. To filter by fleet, pass --fleet NAME.');
  });

  it('--json lists offers in order with backend, region, instance type, resources, spot, price and availability', async () => {
    const { code, out } = await cli(['offer', '--gpu', 'A100', '--json']);
    assert.equal(code, 0);
    assert.equal((await cli(['offer', '--gpu', 'A100', '--format', 'json'])).out, out);
    const doc = JSON.parse(out);
    assert.equal(doc.total_offers, 2);
    assert.equal(doc.requirements.resources.gpu.vendor, 'nvidia');
    assert.deepEqual(doc.requirements.resources.gpu.name, ['A100']);
    assert.equal(doc.requirements.spot, null);
    assert.deepEqual(doc.offers.map((o: { region: string }) => o.region), ['us-east-1', 'us-west-2']);
    const first = doc.offers[0];
    assert.deepEqual({ ...first, resources: undefined }, {
      backend: 'aws', region: 'us-east-1', instance_type: 'p4d.24xlarge', resources: undefined, spot: false, price: 21.96, availability: 'unknown',
    });
    assert.equal(first.resources.cpus, 96);
    assert.equal(first.resources.memory_mib, 1152 * 1024);
    assert.equal(first.resources.gpus.length, 8);
    assert.deepEqual(first.resources.gpus[0], { name: 'A100', memory_mib: 40960, vendor: 'nvidia' });
    assert.deepEqual(first.resources.disk, { size_mib: 102400 });
  });

  it('takes the requirements from -f (dstack defaults: x86, nvidia, on-demand) and lets flags override them', async () => {
    const file = path.join(dir, '.dstack.yml');
    writeFileSync(file, 'type: dev-environment\nide: vscode\nresources:\n  gpu: 24GB\nregions: [us-west-2]\n');
    const { code, out } = await cli(['offer', '-f', '.dstack.yml', '--max-offers', '2'], dir);
    assert.equal(code, 0);
    assert.match(out, / Resources {4}cpu=x86:2\.\. mem=8GB\.\. disk=100GB\.\. gpu=nvidia:24GB:1\.\. /);
    assert.match(out, / Spot policy {2}on-demand /);
    assert.match(out, / 1 {2}aws \(us-west-2\) {2}cpu=4 mem=16GB disk=100GB gpu=L4:24GB:1 {2}g6\.xlarge +\$0\.8048 /);
    const json = JSON.parse((await cli(['offer', '-f', file, '--gpu', 'T4', '--disk', '200GB..', '--json'], dir)).out);
    assert.equal(json.requirements.spot, false);
    const auto = JSON.parse((await cli(['offer', '-f', file, '--spot-auto', '-r', 'eu-west-1', '-b', 'aws', '--json'], dir)).out);
    assert.equal(auto.requirements.spot, null);
    assert.ok(auto.offers.length > 0 && auto.offers.every((o: { region: string }) => o.region === 'eu-west-1'));
    assert.ok(json.offers.length > 0 && json.offers.every((o: { instance_type: string; region: string; resources: { disk: { size_mib: number } } }) =>
      o.instance_type.startsWith('g4dn.') && o.region === 'us-west-2' && o.resources.disk.size_mib === 200 * 1024));
  });

  it('prints an invalid file\'s diagnostics as file:line:col: message and exits 1', async () => {
    writeFileSync(path.join(dir, 'bad.dstack.yml'), 'type: dev-environment\nide: vscode\nresources:\n  gpu: A100,:2\n');
    const { code, out, err } = await cli(['offer', '-f', 'bad.dstack.yml'], dir);
    assert.equal(code, 1);
    assert.equal(out, '');
    assert.match(err, /^bad\.dstack\.yml:4:8: .*GPU name can not be empty/m);
  });

  it('explains an empty result: the constraint that removed the most and the nearest miss', async () => {
    const { code, out } = await cli(['offer', '--gpu', 'A100', '--max-price', '2']);
    assert.equal(code, 0);
    assert.match(out, /\nNo matching instance offers available\. Possible reasons: https:\/\/dstack\.ai\/docs\/guides\/troubleshooting\/#no-offers\n/);
    assert.match(out, /\nno A100 under \$2\/h; the cheapest A100 is \$21\.96\/h \(p4d\.24xlarge, aws us-east-1\)\.\nmax_price removed the most: 2 of 2 A100 offers\.\n$/);
    const json = JSON.parse((await cli(['offer', '--gpu', 'A100', '--max-price', '2', '--json'])).out);
    assert.deepEqual(json.offers, []);
    assert.equal(json.no_offers.blocking, 'max_price');
    assert.equal(json.no_offers.nearest_misses[0].instance_type, 'p4d.24xlarge');
  });

  it('groups by GPU', async () => {
    const { code, out } = await cli(['offer', '--group-by', 'gpu', '--gpu', 'T4,H100', '--spot']);
    assert.equal(code, 0);
    assert.match(out, / Group by {5}gpu /);
    assert.match(out, /\n #  GPU  SPOT  \$\/GPU  BACKENDS {3}\n$/, 'no spot prices in the offline catalog: an empty table');
    const all = await cli(['offer', '--group-by', 'gpu', '--gpu', 'T4,H100']);
    assert.ok(all.out.endsWith([
      ' #  GPU           SPOT       $/GPU          BACKENDS   ',
      ' 1  T4:16GB:1..8  on-demand  0.526..1.0914  aws        ',
      ' 2  H100:80GB:8   on-demand  6.88           aws        ',
      '',
    ].join('\n')), all.out);
    const json = JSON.parse((await cli(['offer', '--group-by', 'gpu,backend', '--gpu', 'H100', '--json'])).out);
    assert.deepEqual(json.gpus.map((g: { name: string; backend: string; regions: string[] }) => [g.name, g.backend, g.regions]), [['H100', 'aws', ['us-east-1', 'us-west-2']]]);
  });

  it('--cpu: a minimum, an exact count and an architecture the catalog lacks select exactly the catalog offers with those CPUs', async () => {
    const atLeast = await awsOffers(['--cpu', '64..']);
    assert.deepEqual(atLeast.requirements.resources.cpu, { arch: null, count: { min: 64, max: null } });
    const expected = catalogRows((o) => o.resources.cpus >= 64);
    assert.ok(expected.length > 0 && expected.length < catalogOffers('aws').length, 'the flag removes some catalog offers and keeps some');
    assert.deepEqual(rows(atLeast.offers), expected);
    assert.equal(atLeast.total_offers, expected.length);
    assert.ok(atLeast.offers.every((o) => o.resources.cpus >= 64));
    const exact = await awsOffers(['--cpu', '8']);
    assert.deepEqual(rows(exact.offers), catalogRows((o) => o.resources.cpus === 8));
    assert.ok(exact.offers.length > 0);
    const arm = await awsOffers(['--cpu', 'arm:4..']);
    assert.equal(catalogOffers('aws').filter((o) => o.resources.cpuArch === 'arm').length, 0, 'the offline AWS catalog is x86 only');
    assert.deepEqual(arm.offers, []);
    const { out } = await cli(['offer', '-b', 'aws', '--cpu', '64..', '--max-offers', '1']);
    assert.match(out, / Resources {4}cpu=64\.\. mem=0GB\.\. gpu=0\.\. /);
  });

  it('--memory: a minimum and a range select exactly the catalog offers with that much memory', async () => {
    const big = await awsOffers(['--memory', '500GB..']);
    assert.deepEqual(big.requirements.resources.memory, { min: 500, max: null });
    const expected = catalogRows((o) => o.resources.memoryGB >= 500);
    assert.ok(expected.length > 0);
    assert.deepEqual(rows(big.offers), expected);
    assert.equal(big.total_offers, expected.length);
    const range = await awsOffers(['--memory', '16GB..32GB']);
    assert.deepEqual(rows(range.offers), catalogRows((o) => o.resources.memoryGB >= 16 && o.resources.memoryGB <= 32));
    assert.ok(range.offers.every((o) => o.resources.memory_mib >= 16 * 1024 && o.resources.memory_mib <= 32 * 1024));
  });

  it('--instance-type (repeatable): only those types, in every catalog region that has them', async () => {
    const one = await awsOffers(['--instance-type', 'g5.xlarge']);
    const expected = catalogRows((o) => o.instanceType === 'g5.xlarge');
    assert.ok(expected.length > 1, 'g5.xlarge is priced in several regions');
    assert.deepEqual(rows(one.offers), expected);
    const two = await awsOffers(['--instance-type', 'g5.xlarge', '--instance-type', 'p4d.24xlarge']);
    assert.deepEqual(rows(two.offers), catalogRows((o) => o.instanceType === 'g5.xlarge' || o.instanceType === 'p4d.24xlarge'));
    assert.deepEqual(new Set(two.offers.map((o) => o.instance_type)), new Set(['g5.xlarge', 'p4d.24xlarge']));
    const none = await cli(['offer', '-b', 'aws', '--instance-type', 'no.such-type']);
    assert.equal(none.code, 0);
    assert.match(none.out, /No matching instance offers available/);
  });

  it('plain --on-demand: spot=false in the request and the header, only on-demand offers (the offline catalog has no spot ones)', async () => {
    const onDemand = await awsOffers(['--on-demand']);
    assert.equal(onDemand.requirements.spot, false);
    const expected = catalogRows((o) => !o.resources.spot);
    assert.equal(expected.length, catalogOffers('aws').length, 'the offline catalog prices on-demand instances only');
    assert.deepEqual(rows(onDemand.offers), expected);
    assert.ok(onDemand.offers.every((o) => o.spot === false && o.resources.spot === false));
    const spot = await awsOffers(['--spot']);
    assert.equal(spot.requirements.spot, true);
    assert.deepEqual(rows(spot.offers), catalogRows((o) => o.resources.spot));
    assert.equal((await awsOffers([])).requirements.spot, null, 'without a flag the policy is auto');
    const { out } = await cli(['offer', '-b', 'aws', '--on-demand', '--max-offers', '1']);
    assert.match(out, / Spot policy {2}on-demand /);
  });

  it('rejects bad flags with a usage error (exit 2)', async () => {
    for (const [argv, message] of [
      [['--gpu', 'nvidia:amd'], /--gpu nvidia:amd: .*GPU spec vendor conflict/],
      [['--spot', '--on-demand'], /mutually exclusive/],
      [['--spot-policy', 'sometimes'], /--spot-policy sometimes: choose spot, on-demand or auto/],
      [['--group-by', 'backend'], /Cannot group by 'backend' without also grouping by 'gpu'/],
      [['--group-by', 'gpu,region'], /Cannot group by 'region' without also grouping by 'backend'/],
      [['--backend', 'gcp'], /--backend gcp: unknown backend/],
      [['--max-price', 'cheap'], /--max-price cheap/],
      [['--max-offers', '0'], /--max-offers 0/],
      [['--format', 'yaml'], /--format yaml: choose plain or json/],
      [['--cpu', 'lots'], /--cpu lots: /],
      [['--memory', 'huge'], /--memory huge: /],
    ] as const) {
      const { code, err } = await cli(['offer', ...argv]);
      assert.equal(code, 2, argv.join(' '));
      assert.match(err, message);
      assert.match(err, /Usage: dstack-vsc offer /);
    }
  });

  it('runs as a real process: node --import tsx src/cli/main.ts offer --gpu A100 --json', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'offer', '--gpu', 'A100', '--json'], { cwd: ROOT });
    const doc = JSON.parse(stdout);
    assert.equal(doc.project, 'main');
    assert.deepEqual(doc.offers.map((o: { instance_type: string }) => o.instance_type), ['p4d.24xlarge', 'p4d.24xlarge']);
  });
});
