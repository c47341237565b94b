import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renewAndRead } from '../../../../src/backends/ssh/agent/agent-refresh';
import type { HostAgent, HostAgentStatus } from '../../../../src/backends/ssh/agent/host-agent';

/** An agent whose init finishes (output, then `ready`) between two of its commands, as on a real host. */
function racingAgent(): { agent: HostAgent; calls: string[] } {
  const calls: string[] = [];
  let log = 'installing\n';
  let state: HostAgentStatus['state'] = 'init';
  const agent = {
    async status(renew: boolean): Promise<HostAgentStatus> {
      calls.push(renew ? 'status+lease' : 'status');
      await new Promise((r) => setTimeout(r, 20));
      // Init ended while the status command ran: its last line is out, and it says so.
      log += 'init done\n';
      state = 'ready';
      return { state, ready: true, stopReason: null };
    },
    async initLogFrom(offset: number): Promise<{ text: Buffer; next: number }> {
      calls.push('log');
      const text = Buffer.from(log.slice(offset));
      return { text, next: offset + text.length };
    },
  } as unknown as HostAgent;
  return { agent, calls };
}

describe('agent refresh (renewAndRead)', () => {
  it('copies the init output after reading the status, so a status saying init ended comes with all of its output', async () => {
    const { agent, calls } = racingAgent();
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'dvs-refresh-')), 'init.log');
    const status = await renewAndRead(agent, 5000, 'test host', file);
    assert.equal(status.state, 'ready');
    assert.deepEqual(calls, ['status+lease', 'log'], 'one command renews the lease and reads the status; the log comes after it');
    assert.equal(readFileSync(file, 'utf8'), 'installing\ninit done\n');
  });
});
