import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { exportPrefix, shellQuote } from '../../../src/backends/ssh/shell-quote';
import { buildCommand } from '../../../src/backends/ssh/exec';

const HOSTILE = [`it's`, `"dq"`, '$(touch /tmp/dvs-q-pwned)', '`touch /tmp/dvs-q-pwned`', 'a\nb\n', '\\n\\\\', '; rm -rf /tmp/nothing', '${IFS}', '', ' lead and trail ', '日本'];

describe('shell quoting for remote commands', () => {
  for (const shell of ['sh', 'bash']) {
    it(`round-trips hostile values through ${shell} verbatim without executing them`, () => {
      const env: Record<string, string> = {};
      HOSTILE.forEach((v, i) => { env[`V${i}`] = v; });
      const cmd = buildCommand(`printf '%s\\0' ${HOSTILE.map((_, i) => `"$V${i}"`).join(' ')} ${HOSTILE.map(shellQuote).join(' ')}`, { env, cwd: '/tmp' });
      const out = execFileSync(shell, ['-c', cmd], { encoding: 'utf8' }).split('\0');
      assert.deepEqual(out.slice(0, HOSTILE.length * 2), [...HOSTILE, ...HOSTILE]);
      assert.ok(!existsSync('/tmp/dvs-q-pwned'));
    });
  }

  it('refuses environment names that are not shell identifiers', () => {
    assert.throws(() => exportPrefix({ 'A;B': 'x' }), /Environment variable name "A;B" is invalid/);
    assert.throws(() => exportPrefix({ '1A': 'x' }), /invalid/);
    assert.equal(exportPrefix({}), '');
  });
});
