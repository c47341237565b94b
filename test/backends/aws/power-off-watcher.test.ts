// The power-off watcher beside the agent on an EC2 instance, run with sh here: `shutdown` and `sudo` are stand-ins
// on PATH that record their call, and the cloud-init marker is a temp folder.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { POWER_OFF_WATCHER } from '../../../src/backends/aws/instance-agent';

/** Runs the watcher for an agent that already exited with `reason` (null: its directory's stop_reason is absent). */
async function watch(reason: string | null, cloudInit: boolean): Promise<string | null> {
  const root = mkdtempSync(path.join(tmpdir(), 'aws-watch-'));
  const dir = path.join(root, 'agent');
  const bin = path.join(root, 'bin');
  mkdirSync(dir);
  mkdirSync(bin);
  const marker = path.join(root, 'cloud-instance');
  if (cloudInit) mkdirSync(marker);
  const calls = path.join(root, 'calls');
  for (const tool of ['sudo', 'shutdown']) {
    writeFileSync(path.join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> ${JSON.stringify(calls)}\n${tool === 'sudo' ? 'exit 1' : 'exit 0'}\n`);
    chmodSync(path.join(bin, tool), 0o755);
  }
  // An agent pid that is certainly not running: the watcher goes straight to reading stop_reason.
  writeFileSync(path.join(dir, 'agent.pid'), '999999999\n');
  if (reason !== null) writeFileSync(path.join(dir, 'stop_reason'), `${reason}\n`);
  const code = await new Promise<number | null>((resolve) => {
    spawn('sh', ['-c', POWER_OFF_WATCHER, 'watch', dir, marker], { env: { PATH: `${bin}:/usr/bin:/bin` }, stdio: 'ignore' }).on('close', resolve);
  });
  assert.equal(code, 0);
  return existsSync(calls) ? readFileSync(calls, 'utf8') : null;
}

describe('AWS power-off watcher', () => {
  it('powers the instance off when the agent stopped itself (inactivity, max_duration) on a cloud-init machine', async () => {
    assert.equal(await watch('inactivity', true), 'sudo -n shutdown -h now\nshutdown -h now\n');
    assert.equal(await watch('max_duration', true), 'sudo -n shutdown -h now\nshutdown -h now\n');
  });

  it('does nothing on a requested stop, without a reason, or where cloud-init did not boot the machine', async () => {
    assert.equal(await watch('requested', true), null);
    assert.equal(await watch(null, true), null);
    assert.equal(await watch('inactivity', false), null);
  });
});
