// The webview protocol's pure parts: message validation, sorting and filtering of offer rows, money.
import * as assert from 'node:assert/strict';
import { filterOffers, formatDollars, isWebviewMessage, sortOffers, type OfferRow } from '../../src/vscode/protocol';

function row(index: number, backend: string, price: number, projected: number | null, spot = false): OfferRow {
  return { index, backend, region: `r${index}`, instanceType: `t${index}`, resources: `1xA10G (24GB)`, spot, pricePerHour: price, availability: 'available', projectedCost: projected };
}

const ROWS = [row(0, 'aws', 1.0, 2.0), row(1, 'fake', 0.5, null, true), row(2, 'aws', 2.0, 4.0)];

suite('webview protocol', () => {
  test('only well-formed webview messages are accepted', () => {
    assert.equal(isWebviewMessage({ type: 'ready' }), true);
    assert.equal(isWebviewMessage({ type: 'choose', planId: 'p', index: 2 }), true);
    assert.equal(isWebviewMessage({ type: 'choose', planId: 'p', index: 1.5 }), false);
    assert.equal(isWebviewMessage({ type: 'choose', index: 1 }), false);
    assert.equal(isWebviewMessage({ type: 'provision' }), false);
    assert.equal(isWebviewMessage(null), false);
  });

  test('sorting by price, by backend, and projected cost with nulls last either way', () => {
    assert.deepEqual(sortOffers(ROWS, 'pricePerHour', false).map((r) => r.index), [1, 0, 2]);
    assert.deepEqual(sortOffers(ROWS, 'pricePerHour', true).map((r) => r.index), [2, 0, 1]);
    assert.deepEqual(sortOffers(ROWS, 'backend', false).map((r) => r.index), [0, 2, 1]);
    assert.deepEqual(sortOffers(ROWS, 'projectedCost', false).map((r) => r.index), [0, 2, 1]);
    assert.deepEqual(sortOffers(ROWS, 'projectedCost', true).map((r) => r.index), [2, 0, 1]);
    assert.deepEqual(sortOffers(ROWS, 'spot', true).map((r) => r.index), [1, 0, 2]);
  });

  test('filtering needs every word somewhere in the row', () => {
    assert.deepEqual(filterOffers(ROWS, 'aws').map((r) => r.index), [0, 2]);
    assert.deepEqual(filterOffers(ROWS, 'SPOT fake').map((r) => r.index), [1]);
    assert.deepEqual(filterOffers(ROWS, 'aws r2').map((r) => r.index), [2]);
    assert.deepEqual(filterOffers(ROWS, '  ').length, 3);
  });

  test('money', () => {
    assert.equal(formatDollars(1.006), '$1.006');
    assert.equal(formatDollars(0.5), '$0.50');
    assert.equal(formatDollars(24.5), '$24.50');
    assert.equal(formatDollars(null), '-');
  });
});
