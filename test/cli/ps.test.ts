import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { idleInstancesTable } from '../../src/cli/ps';
import type { InstanceRecord } from '../../src/orchestrator/model/run';
import { fakeOffer, tempDir } from '../orchestrator/helpers';
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

  it('lists instances kept idle after their run with their price and when they end (they cost money), nothing when none is idle', () => {
    const now = Date.UTC(2026, 0, 1, 12);
    const base = { backend: 'aws', runId: null, createdAt: now - 3_600_000, statusChangedAt: now - 60_000, terminationReason: null } as const;
    const instances: InstanceRecord[] = [
      { ...base, id: 'r1-s1-o0', providerId: 'i-0abc', offer: { ...fakeOffer('g5.xlarge', 1.006), backend: 'aws', region: 'us-east-1' }, status: 'idle', createdForRun: 'dev-one', idleSince: now - 60_000, idleDuration: 300 },
      { ...base, id: 'r2-s1-o0', offer: { ...fakeOffer('m5.large', 0.0288, true), backend: 'aws', region: 'eu-west-1' }, status: 'idle', createdForRun: 'dev-two', idleSince: now - 10_000, idleDuration: -1 },
      { ...base, id: 'r3-s1-o0', offer: fakeOffer('x', 9), status: 'busy', createdForRun: 'dev-three', idleSince: null, idleDuration: 300 },
    ];
    const text = idleInstancesTable(instances, now);
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    assert.match(lines[0] ?? '', /^Idle instances \(kept for reuse by the next matching run; billed until they end\):$/);
    assert.match(lines[1] ?? '', /^ INSTANCE +BACKEND +RESOURCES +PRICE +STATUS +IDLE/);
    assert.match(lines[2] ?? '', /^ i-0abc +aws \(us-east-1\) +cpu=4 mem=16GB disk=100GB gpu=A10G:24GB:1 +\$1\.006 +idle +ends in 4m/);
    assert.match(lines[3] ?? '', /^ r2-s1-o0 +aws \(eu-west-1\) .* +\$0\.0288 \(spot\) +idle +kept \(off\)/);
    assert.equal(lines.length, 4, 'the busy instance is a run\'s, listed with its run');
    assert.equal(idleInstancesTable(instances.slice(2), now), '');
  });
});
