// `doctor NAME` as a real CLI process with the real `ssh -G`: arguments, unknown and non-running runs, and
// a running local environment whose entry resolves (ok), is not included (broken, the fix named), and is
// overridden by an earlier user entry (broken, each option that differs listed).

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../orchestrator/helpers';
import { cli } from './cli-process';
import { waitForRun } from './wait-run';

describe('cli doctor', function () {
  this.timeout(60_000);
  let env: Record<string, string>;
  let userConfig: string;
  const name = `doc-${process.pid}`;

  before(async () => {
    const dir = tempDir('dstack-vsc-doctor-');
    userConfig = path.join(dir, '.ssh', 'config');
    env = { HOME: dir, DSTACK_VSC_STATE_DIR: path.join(dir, 'state'), DSTACK_VSC_USER_SSH_CONFIG: userConfig };
    const file = path.join(dir, 'd.dstack.yml');
    fs.writeFileSync(file, `type: dev-environment\nname: ${name}\nide: vscode\nresources:\n  cpu: 1..\n  memory: 1GB..\n  disk: 1GB..\n`);
    const apply = cli(['apply', '-f', file, '-y', '-d', '--no-repo'], env);
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.equal((await waitForRun(env['DSTACK_VSC_STATE_DIR'] as string, name)).status, 'running');
  });
  after(() => { cli(['stop', name, '-x', '-y'], env); });

  it('needs exactly one NAME and names an unknown run', () => {
    const none = cli(['doctor'], env);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^dstack-vsc doctor: exactly one run NAME is required\nUsage: dstack-vsc doctor NAME\n$/);
    assert.equal(cli(['doctor', 'a', 'b'], env).code, 2);
    const unknown = cli(['doctor', 'no-such-run'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no-such-run/);
  });

  it('ok when `ssh NAME` resolves to our entry', () => {
    const r = cli(['doctor', name], env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stdout, `SSH doctor for ${name}: ok\n\`ssh ${name}\` resolves to the vscode-dstack entry.\n`);
  });

  it('broken (include_missing) when the user config lost the Include, with the fix; broken (overridden) when an earlier entry wins', () => {
    const original = fs.readFileSync(userConfig, 'utf8');
    try {
      fs.writeFileSync(userConfig, '# no include\n');
      const missing = cli(['doctor', name], env);
      assert.equal(missing.code, 1);
      assert.match(missing.stdout, new RegExp(`^SSH doctor for ${name}: broken \\(include_missing\\)\\n.*does not include the vscode-dstack ssh config`));
      fs.writeFileSync(userConfig, `Host ${name}\n  HostName 192.0.2.1\n  Port 2222\n\n${original}`);
      const overridden = cli(['doctor', name], env);
      assert.equal(overridden.code, 1);
      assert.match(overridden.stdout, new RegExp(`^SSH doctor for ${name}: broken \\(overridden\\)\\n`));
      assert.match(overridden.stdout, /^ {2}hostname: 192\.0\.2\.1 \(expected 127\.0\.0\.1\)$/m);
      assert.match(overridden.stdout, /^ {2}port: 2222 \(expected \d+\)$/m);
    } finally {
      fs.writeFileSync(userConfig, original);
    }
  });

  it('a run that is not running has nothing to check', () => {
    assert.equal(cli(['stop', name, '-y'], env).code, 0);
    const r = cli(['doctor', name], env);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `Run ${name} is stopped; the SSH doctor needs a running run with SSH access\n`);
  });
});
