import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../orchestrator/helpers';
import { cli } from './cli-process';

describe('cli secret', function () {
  this.timeout(30_000);

  it('sets (from an argument or stdin), lists names only, deletes; the file is 0600', () => {
    const dir = tempDir();
    const env = { DSTACK_VSC_STATE_DIR: dir };
    assert.equal(cli(['secret', 'set', 'hf_token', 'value-one'], env).stdout, 'Secret hf_token set\n');
    assert.equal(cli(['secret', 'set', 'db_pass'], env, undefined, 'value-two\n').code, 0);
    const list = cli(['secret', 'list'], env);
    assert.match(list.stdout, /^ NAME +\n db_pass +\n hf_token +\n$/);
    assert.doesNotMatch(list.stdout, /value-/);
    const file = path.join(dir, 'secrets.json');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { hf_token: 'value-one', db_pass: 'value-two' });
    assert.equal(cli(['secret', 'delete', 'hf_token'], env).code, 0);
    const gone = cli(['secret', 'delete', 'hf_token'], env);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /Secret hf_token not found/);
    assert.equal(cli(['secret', 'set', 'bad name', 'x'], env).code, 1);
  });
});
