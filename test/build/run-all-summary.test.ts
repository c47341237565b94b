// The failed-test lines that `npm test` prints last (all CI keeps): run a real mocha on two failing tests
// and feed its log to run-all.sh's own failed_tests, which must name each test, its first error line and the
// test file line of the failed assertion, even when the assertion's message is multi-line program output.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../orchestrator/helpers';

const ROOT = path.resolve(__dirname, '..', '..');

describe('run-all.sh failed-test summary', () => {
  it('names the test, the first error line and the failing line of a real mocha failure', () => {
    const dir = tempDir('dstack-vsc-summary-');
    fs.mkdirSync(path.join(dir, 'test'));
    fs.writeFileSync(path.join(dir, 'test', 'fail.test.js'), [
      "const assert = require('node:assert/strict');",
      "describe('outer', () => {",
      "  it('exits zero', () => { assert.equal(130, 0, ' Project   main\\n NAME  BACKEND\\n'); });",
      "  it('matches', () => { assert.match('abc', /^x/); });",
      "  it('passes', () => {});",
      '});',
    ].join('\n'));
    const mocha = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--no-config', 'test/fail.test.js'], { cwd: dir, encoding: 'utf8' });
    assert.equal(mocha.status, 2, mocha.stdout + mocha.stderr);
    const log = path.join(dir, 'mocha.log');
    fs.writeFileSync(log, mocha.stdout + mocha.stderr);
    const script = `source <(sed -n '/^failed_tests()/,/^}/p' ${JSON.stringify(path.join(ROOT, 'test', 'run-all.sh'))}); failed_tests ${JSON.stringify(log)}`;
    const summary = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    assert.equal(summary.status, 0, summary.stderr);
    assert.deepEqual(summary.stdout.trimEnd().split('\n'), [
      '  1) outer > exits zero: AssertionError [ERR_ASSERTION]:  Project   main  @ test/fail.test.js:3:35',
      '  2) outer > matches: AssertionError [ERR_ASSERTION]: The input did not match the regular expression /^x/. Input:  @ test/fail.test.js:4:32',
    ]);
  });
});
