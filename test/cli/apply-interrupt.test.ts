import { strict as assert } from 'node:assert';
import { handleApplyInterrupt, type ApplyInterruptDeps } from '../../src/cli/apply-interrupt';
import { attachPortRequests } from '../../src/cli/attach';
import { UsageError } from '../../src/cli/command';

/** Deps that record what happened; `answer` is the terminal's reply, `presses` Ctrl+C while stopping. */
function deps(isTTY: boolean, answer: boolean, pressWhileStopping = false): { d: ApplyInterruptDeps; out: string[]; stops: boolean[]; asked: string[] } {
  const out: string[] = [];
  const stops: boolean[] = [];
  const asked: string[] = [];
  let presses = 1;
  const d: ApplyInterruptDeps = {
    runName: 'dev', isTTY,
    confirm: async (q) => { asked.push(q); return answer; },
    stdout: (t) => out.push(t),
    stop: async (abort) => { stops.push(abort); },
    waitFinished: async (interrupted) => {
      if (pressWhileStopping && stops.length === 1) presses++;
      assert.equal(interrupted(), pressWhileStopping && stops.length === 1);
    },
    interrupts: () => presses,
  };
  return { d, out, stops, asked };
}

describe('apply Ctrl+C', () => {
  it('without a terminal: detaches without asking or stopping', async () => {
    const t = deps(false, true);
    assert.equal(await handleApplyInterrupt(t.d), 'detached');
    assert.deepEqual([t.asked, t.stops, t.out.join('')], [[], [], '\nDetached\n']);
  });

  it('on a terminal: asks dstack\'s question; no detaches', async () => {
    const t = deps(true, false);
    assert.equal(await handleApplyInterrupt(t.d), 'detached');
    assert.deepEqual(t.asked, ['Stop the run dev before detaching?']);
    assert.deepEqual(t.stops, []);
    assert.match(t.out.join(''), /Detached\n$/);
  });

  it('yes stops gracefully and waits (Stopped); a second Ctrl+C while stopping aborts (Aborted)', async () => {
    const yes = deps(true, true);
    assert.equal(await handleApplyInterrupt(yes.d), 'stopped');
    assert.deepEqual(yes.stops, [false]);
    assert.match(yes.out.join(''), /Stopped\n$/);
    const again = deps(true, true, true);
    assert.equal(await handleApplyInterrupt(again.d), 'aborted');
    assert.deepEqual(again.stops, [false, true]);
    assert.match(again.out.join(''), /Aborted\n$/);
  });
});

describe('attach port arguments', () => {
  it('-p overrides the configuration by container port and adds new ones', () => {
    assert.deepEqual(attachPortRequests({ ports: ['8080', '3000:3000'] }, ['9090:8080', '*:6006']), [
      { local: 9090, container: 8080 }, { local: 3000, container: 3000 }, { local: null, container: 6006 },
    ]);
    assert.throws(() => attachPortRequests({}, ['x:1']), (e: unknown) => e instanceof UsageError && /^-p x:1: Invalid port mapping/.test(e.message));
  });
});
