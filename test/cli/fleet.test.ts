import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../src/cli/run-cli';
import { FleetStore } from '../../src/orchestrator/fleets/fleet-store';

describe('cli fleet (SSH fleets without hosts to reach)', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-cli-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runCli(argv, { stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, env: { DSTACK_VSC_STATE_DIR: path.join(dir, 'state') }, cwd: dir, confirm: () => Promise.resolve(false) });
    return { code, out, err };
  }

  it('apply of a fleet whose identity file is missing names the file and the field, and stores nothing', async () => {
    writeFileSync(path.join(dir, 'lab.dstack.yml'), 'type: fleet\nssh_config:\n  user: ubuntu\n  identity_file: keys/missing\n  hosts:\n    - 10.9.9.9\n');
    const r = await cli('apply', '-f', 'lab.dstack.yml', '-y');
    assert.equal(r.code, 1);
    assert.match(r.err, /^lab\.dstack\.yml: ssh_config\.hosts\[0\]\.identity_file: cannot read the identity file .*keys\/missing \(ENOENT\)/);
    assert.equal(existsSync(path.join(dir, 'state', 'fleets.json')), false);
  });

  it('fleet lists nothing before any apply; fleet delete of an unknown fleet fails and says where to look', async () => {
    const list = await cli('fleet');
    assert.equal(list.code, 0);
    assert.match(list.out, /^No fleets\. Apply a fleet configuration/);
    const del = await cli('fleet', 'delete', 'nope', '-y');
    assert.equal(del.code, 1);
    assert.match(del.err, /Fleet nope not found; `dstack-vsc fleet` lists the fleets/);
  });

  it('fleet delete forgets a stored fleet (asking first unless -y)', async () => {
    await new FleetStore(path.join(dir, 'state')).upsert({ name: 'lab', sshConfig: { user: 'u', hosts: [{ hostname: 'a' }] }, configDir: dir, source: 'f', pricePerHour: null }, 1);
    const declined = await cli('fleet', 'delete', 'lab');
    assert.match(declined.out, /Exiting\.\.\./);
    assert.equal(new FleetStore(path.join(dir, 'state')).list().length, 1);
    const r = await cli('fleet', 'delete', 'lab', '-y');
    assert.equal(r.code, 0);
    assert.equal(r.out, 'Fleet lab deleted\n');
    assert.deepEqual(new FleetStore(path.join(dir, 'state')).list(), []);
  });
});
