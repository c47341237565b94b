import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderTable } from '../../../src/cli/format/table';

const samples = readFileSync(path.join(__dirname, '../../fixtures/offers/ps-samples.txt'), 'utf8');

/** The lines of one `=== title` section of a samples file, without the title, up to the next section. */
function section(text: string, title: string): string {
  const start = text.indexOf(`=== ${title}\n`);
  assert.ok(start >= 0, `no section ${title}`);
  const body = text.slice(start + title.length + 5);
  const end = body.indexOf('\n=== ');
  return (end >= 0 ? body.slice(0, end + 1) : body).replace(/\n+$/, '\n');
}

describe('renderTable (Rich box=None layout)', () => {
  it('pads every cell by one space and sizes columns to their widest cell (dstack ps sample)', () => {
    const out = renderTable(
      [{ header: 'NAME', noWrap: true }, { header: 'BACKEND' }, { header: 'GPU' }, { header: 'PRICE' }, { header: 'STATUS', noWrap: true }, { header: 'SUBMITTED', noWrap: true }],
      [
        ['vscode', 'runpod (CA-MTL-1)', 'gpu=A5000:24GB:1', '$0.11 (spot)', 'running', '8 mins ago'],
        ['fast-moth-1', 'aws (us-east-1)', 'gpu=A10G:24GB:1', '$0.3928 (spot)', 'pulling', '1 min ago'],
        ['old-run', '', '-', '-', 'no capacity', '2 hours ago'],
        ['stopped-one', 'aws (us-east-1)', 'gpu=A10G:24GB:1', '$0.3928 (spot)', 'stopped', 'yesterday'],
      ],
    );
    assert.equal(out, section(samples, 'dstack ps'));
  });

  it('collapses the widest wrappable columns to fit 120 columns, wrapping words and truncating with … (dstack ps -v sample)', () => {
    const resources = (gpu: string) => `cpu=${gpu === 'A5000' ? '9 mem=48GB' : '4 mem=16GB'} disk=100GB gpu=${gpu}:24GB:1`;
    const out = renderTable(
      [{ header: 'NAME', noWrap: true }, { header: 'BACKEND' }, { header: 'RESOURCES' }, { header: 'INSTANCE TYPE', noWrap: true },
        { header: 'PRICE' }, { header: 'STATUS' }, { header: 'PROBES' }, { header: 'SUBMITTED', noWrap: true }, { header: 'ERROR', noWrap: true }],
      [
        ['vscode', 'runpod (CA-MTL-1)', resources('A5000'), 'NVIDIA RTX A5000', '$0.11 (spot)', 'running (inactive for 2m 34s)', '', '8 mins ago', ''],
        ['fast-moth-1', 'aws (us-east-1)', resources('A10G'), 'g5.xlarge', '$0.3928 (spot)', 'pulling', '', '1 min ago', ''],
        ['old-run', '', '-', '', '-', 'no capacity', '', '2 hours ago', ''],
        ['stopped-one', 'aws (us-east-1)', resources('A10G'), 'g5.xlarge', '$0.3928 (spot)', 'stopped', '', 'yesterday', ''],
      ],
    );
    assert.equal(out, section(samples, 'dstack ps -v'));
    for (const line of out.split('\n')) assert.ok(line.length <= 120, line);
  });

  it('omits the header row when asked and keeps a headerless empty column as two spaces', () => {
    const out = renderTable([{ noWrap: true }, {}, {}], [['Project', 'main'], ['Spot policy', 'auto']], { showHeader: false });
    assert.equal(out, ' Project      main   \n Spot policy  auto   \n');
  });
});
