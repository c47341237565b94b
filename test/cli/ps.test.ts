import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../orchestrator/helpers';
import { cli } from './cli-process';

describe('cli ps', function () {
  this.timeout(30_000);

  it('an empty state prints the header only; --json prints []', () => {
    const env = { DSTACK_VSC_STATE_DIR: tempDir() };
    assert.match(cli(['ps'], env).stdout, /^ NAME +BACKEND +GPU +PRICE +STATUS +SUBMITTED +\n$/);
    assert.deepEqual(JSON.parse(cli(['ps', '--json'], env).stdout), []);
  });

  it('a truncated state file: a clear error naming the file, a backup kept, the file left as it was', () => {
    const dir = tempDir();
    const file = path.join(dir, 'state.json');
    const broken = '{"version":1,"revision":3,"installation":"x","runs":[{"id":';
    fs.writeFileSync(file, broken);
    const r = cli(['ps'], { DSTACK_VSC_STATE_DIR: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^dstack-vsc ps: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: it is not valid JSON .*A copy is kept at .*state\\.json\\.corrupt-`));
    const backups = fs.readdirSync(dir).filter((n) => n.startsWith('state.json.corrupt-'));
    assert.equal(backups.length, 1);
    assert.equal(fs.readFileSync(path.join(dir, backups[0] as string), 'utf8'), broken);
    assert.equal(fs.readFileSync(file, 'utf8'), broken);
  });

  it('stop of an unknown run names it and says where to look', () => {
    const r = cli(['stop', 'nope-run', '-y'], { DSTACK_VSC_STATE_DIR: tempDir() });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /run 'nope-run' not found; see dstack-vsc ps -a/);
  });
});
