import { strict as assert } from 'node:assert';
import type { ProviderInstance } from '../../../src/backends/backend';
import { appendSample, METRICS_KEEP, MetricsStore } from '../../../src/orchestrator/metrics/metrics-store';
import type { OrchestratorState } from '../../../src/orchestrator/store/state';
import { tempDir } from '../helpers';

describe('metrics store', () => {
  it('keeps one sample per 10 s, the last 60, oldest first', () => {
    assert.deepEqual(appendSample([], { at: 100 }), [{ at: 100 }]);
    assert.equal(appendSample([{ at: 100 }], { at: 109 }), null);
    assert.deepEqual(appendSample([{ at: 100 }], { at: 110, cpuPercent: 5 }), [{ at: 100 }, { at: 110, cpuPercent: 5 }]);
    const full = Array.from({ length: METRICS_KEEP }, (_, i) => ({ at: i * 10 }));
    const next = appendSample(full, { at: METRICS_KEEP * 10 });
    assert.equal(next?.length, METRICS_KEEP);
    assert.deepEqual([next?.[0], next?.at(-1)], [{ at: 10 }, { at: METRICS_KEEP * 10 }]);
  });

  it('records what running runs reported in a pass, in a file per run beside the state, not in the state', () => {
    const dir = tempDir();
    const store = new MetricsStore(dir);
    const state = {
      runs: [{ id: 'r1', status: 'running', instanceId: 'i1' }, { id: 'r2', status: 'terminated', instanceId: 'i2' }],
    } as unknown as OrchestratorState;
    const view = (id: string, at: number): ProviderInstance => ({ instanceId: id, state: 'running', tags: { installation: 'x', runName: 'n', instanceId: id }, report: { ready: true, metrics: { at, cpuPercent: 12 } } });
    store.recordPass(state, new Map([['i1', view('i1', 1000)], ['i2', view('i2', 1000)]]));
    store.recordPass(state, new Map([['i1', view('i1', 1005)]]));
    store.recordPass(state, new Map([['i1', view('i1', 1010)]]));
    assert.deepEqual(store.read('r1'), [{ at: 1000, cpuPercent: 12 }, { at: 1010, cpuPercent: 12 }]);
    assert.deepEqual(store.read('r2'), []);
    assert.deepEqual(new MetricsStore(dir).read('r1').length, 2, 'another process reads the same file');
  });
});
