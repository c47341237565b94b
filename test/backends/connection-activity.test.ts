// dstack's activity rule on a clock of our own: only connections open longer than 10 s count, up to their end.
import { strict as assert } from 'node:assert';
import { ACTIVE_CONNECTION_SECS, ConnectionActivity } from '../../src/backends/connection-activity';

describe('connection activity (dstack: a connection counts once open > 10 s)', () => {
  it('a short connection never counts, however many there are', () => {
    const a = new ConnectionActivity<string>();
    for (let i = 0; i < 5; i++) {
      a.opened(`probe-${i}`, i * 1000);
      a.closed(`probe-${i}`, i * 1000 + 9_999);
    }
    assert.equal(a.lastActiveAt(60_000), null);
    assert.equal(a.open, 0);
  });

  it('a connection counts only after 10 s open, stays active while open, and its end is the last activity', () => {
    const a = new ConnectionActivity<string>();
    a.opened('vscode', 1_000);
    assert.equal(a.lastActiveAt(1_000 + ACTIVE_CONNECTION_SECS * 1000), null, 'exactly 10 s is not more than 10 s');
    assert.equal(a.lastActiveAt(11_001), 11_001);
    assert.equal(a.lastActiveAt(500_000), 500_000);
    a.closed('vscode', 600_000);
    assert.equal(a.lastActiveAt(700_000), 600_000);
    a.opened('probe', 800_000);
    a.closed('probe', 801_000);
    assert.equal(a.lastActiveAt(900_000), 600_000, 'a later probe does not move the last activity');
  });
});
